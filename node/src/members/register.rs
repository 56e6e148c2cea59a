//! Registration: a new member with hashed password and fresh keys.

use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
use argon2::Argon2;
use identity::MemberKeys;
use serde::Deserialize;

use crate::config::RegistrationMode;
use crate::error::{NodeError, NodeResult};
use crate::model::{now_ms, Member, MemberStatus, Profile, Role};
use crate::node::Node;
use crate::store::parts::Hash;
use crate::store::{hash_of, tables};
use crate::validate;

use super::invites;

/// What registration needs.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewMember {
    /// Username (letters, digits, underscores).
    pub username: String,
    /// Email address.
    pub email: String,
    /// Password (8+ characters).
    pub password: String,
    /// Display name (optional).
    #[serde(default)]
    pub full_name: String,
    /// Invite code (invite-only nodes).
    #[serde(default)]
    pub invite_code: Option<String>,
    /// Why they want to join (approval-mode nodes).
    #[serde(default)]
    pub reason: Option<String>,
}

/// What must still hold, inside the write, for an account to be created.
enum Gate {
    /// Nothing.
    None,
    /// One use of this invite is left (and is taken).
    Invite(Hash),
    /// This is (the hash of) the node's current setup token.
    SetupToken(blake3::Hash),
}

impl Node {
    /// Registers a member, following the node's registration mode: open
    /// (active at once), approval (pending until an admin approves),
    /// invite (needs a valid invite code, which loses one use), closed.
    /// On a node that sends e-mail, the new account is unconfirmed and its
    /// confirmation link is queued in the same write (see
    /// [`super::email`]).
    pub async fn register(&self, new: NewMember) -> NodeResult<Member> {
        self.register_from(new, None).await
    }

    /// [`Node::register`] from the client address `ip`, of which the
    /// registration's write keeps only a keyed hash with the day
    /// (`gamification/linked.rs`: accounts registered together earn no
    /// points from each other).
    pub async fn register_from(
        &self,
        new: NewMember,
        ip: Option<std::net::IpAddr>,
    ) -> NodeResult<Member> {
        let confirm = self.email_enabled();
        match self.registration_mode() {
            RegistrationMode::Closed => Err(NodeError::Forbidden(
                "registrations are closed on this node",
            )),
            RegistrationMode::Open => {
                self.create_member_with(
                    new,
                    Role::Member,
                    MemberStatus::Active,
                    Gate::None,
                    confirm,
                    ip,
                )
                .await
            }
            RegistrationMode::Approval => {
                if let Some(reason) = &new.reason {
                    validate::max_chars("reason", reason, 1000)?;
                }
                self.create_member_with(
                    new,
                    Role::Member,
                    MemberStatus::Pending,
                    Gate::None,
                    confirm,
                    ip,
                )
                .await
            }
            RegistrationMode::Invite => {
                let code = new.invite_code.clone().unwrap_or_default();
                let key = hash_of(&code);
                if code.is_empty() || !self.store.has::<tables::Invite>(key)? {
                    return Err(NodeError::invalid("invite_code", "is missing or not valid"));
                }
                self.create_member_with(
                    new,
                    Role::Member,
                    MemberStatus::Active,
                    Gate::Invite(key),
                    confirm,
                    ip,
                )
                .await
            }
        }
    }

    /// Creates a member with `role` (admin paths and setup use this directly).
    pub async fn create_member(&self, new: NewMember, role: Role) -> NodeResult<Member> {
        self.create_member_with(new, role, MemberStatus::Active, Gate::None, false, None)
            .await
    }

    /// Creates the first admin, if `setup_token` (hashed) is still the
    /// node's setup token when the write runs.
    pub(crate) async fn create_admin_with_setup_token(
        &self,
        new: NewMember,
        setup_token: blake3::Hash,
    ) -> NodeResult<Member> {
        self.create_member_with(
            new,
            Role::Admin,
            MemberStatus::Active,
            Gate::SetupToken(setup_token),
            false,
            None,
        )
        .await
    }

    /// Creates a member with a status, consuming one use of an invite;
    /// with `confirm`, unconfirmed, with its confirmation link queued.
    async fn create_member_with(
        &self,
        new: NewMember,
        role: Role,
        status: MemberStatus,
        gate: Gate,
        confirm: bool,
        ip: Option<std::net::IpAddr>,
    ) -> NodeResult<Member> {
        validate::username("username", &new.username)?;
        validate::email("email", &new.email)?;
        validate::password("password", &new.password)?;
        validate::max_chars("full_name", &new.full_name, 100)?;
        let email = new.email.to_lowercase();
        let name_key = &new.username.to_lowercase();
        let email_key = &email.clone();
        // Cheap early check so a taken name costs no hashing; re-checked below.
        self.ensure_free(name_key, email_key)?;

        let new_reason = new.reason.clone();
        let id = self.ids.next();
        let sealer = self.sealer.clone();
        let password = new.password.clone();
        // argon2id and RSA generation are CPU-heavy: keep them off the runtime.
        let (password_hash, keys) = tokio::task::spawn_blocking(move || {
            let hash = hash_password(&password)?;
            let keys = MemberKeys::generate(&sealer, &id.to_bytes())?;
            Ok::<_, NodeError>((hash, keys))
        })
        .await
        .map_err(|e| NodeError::Internal(e.to_string()))??;

        let now = now_ms();
        let member = Member {
            id,
            username: new.username,
            email,
            password_hash,
            role,
            status,
            locked: false,
            profile: Profile {
                full_name: new.full_name,
                ..Profile::default()
            },
            keys,
            created_at: now,
            last_active_at: now,
            silenced: false,
            deleted_at: None,
            email_unconfirmed: confirm,
            remote: None,
            kind: crate::model::AccountKind::Person,
        };
        self.write(|txn| {
            if txn.has::<tables::MemberByName>(name_key)? {
                return Err(NodeError::conflict("username", "is already taken"));
            }
            if txn.has::<tables::MemberByEmail>(email_key)? {
                return Err(NodeError::conflict("email", "is already registered"));
            }
            match &gate {
                Gate::None => {}
                Gate::Invite(key) => invites::consume(txn, key)?,
                Gate::SetupToken(hash) => super::setup::check_setup_token_in(txn, *hash)?,
            }
            if status == MemberStatus::Pending {
                let reason = new_reason.clone().unwrap_or_default();
                txn.store::<tables::PendingMembers>(id, &reason)?;
            }
            txn.store::<tables::Member>(id, &member)?;
            txn.store::<tables::MemberByName>(name_key, &id)?;
            txn.store::<tables::MemberByEmail>(email_key, &id)?;
            txn.store::<tables::MemberByKey>(member.keys.ed25519_public.as_bytes(), &id)?;
            txn.add::<tables::MemberTotal>((), 1)?;
            if role == Role::Admin {
                super::setup::mark_admin_exists_in(txn)?;
            }
            self.count_today(txn, crate::moderation::DailyMetric::Registrations, 1)?;
            self.record_registration(txn, id, ip, now)?;
            if confirm {
                self.stage_email_token(txn, &member, super::email::TokenPurpose::ConfirmEmail)?;
            }
            Ok(())
        })
        .await?;
        tracing::info!(member = %member.username, ?role, "member created");
        Ok(member)
    }

    fn ensure_free(&self, name_key: &str, email_key: &str) -> NodeResult<()> {
        if self.store.has::<tables::MemberByName>(name_key)? {
            return Err(NodeError::conflict("username", "is already taken"));
        }
        if self.store.has::<tables::MemberByEmail>(email_key)? {
            return Err(NodeError::conflict("email", "is already registered"));
        }
        Ok(())
    }
}

/// Hashes a password with argon2id (default parameters: 19 MiB, t=2).
pub(crate) fn hash_password(password: &str) -> NodeResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| NodeError::Internal(format!("password hashing: {e}")))
}
