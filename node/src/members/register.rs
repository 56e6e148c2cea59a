//! Registration: a new member with hashed password and fresh keys.

use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
use argon2::Argon2;
use identity::MemberKeys;
use serde::Deserialize;

use crate::error::{NodeError, NodeResult};
use crate::model::{now_ms, Member, MemberStatus, Profile, Role};
use crate::node::{counter, Node};
use crate::store::{Key, Space};
use crate::validate;

/// What registration needs.
#[derive(Debug, Clone, Deserialize)]
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
}

impl Node {
    /// Registers a member through open registration.
    pub async fn register(&self, new: NewMember) -> NodeResult<Member> {
        if !self.config.registrations_open {
            return Err(NodeError::Forbidden(
                "registrations are closed on this node",
            ));
        }
        self.create_member(new, Role::Member).await
    }

    /// Creates a member with `role` (admin paths and setup use this directly).
    pub async fn create_member(&self, new: NewMember, role: Role) -> NodeResult<Member> {
        validate::username("username", &new.username)?;
        validate::email("email", &new.email)?;
        validate::password("password", &new.password)?;
        validate::max_chars("full_name", &new.full_name, 100)?;
        let email = new.email.to_lowercase();
        let name_key = Key::new(Space::MemberByName).str(&new.username.to_lowercase());
        let email_key = Key::new(Space::MemberByEmail).str(&email);
        // Cheap early check so a taken name costs no hashing; re-checked below.
        self.ensure_free(&name_key, &email_key)?;

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
            status: MemberStatus::Active,
            locked: false,
            profile: Profile {
                full_name: new.full_name,
                ..Profile::default()
            },
            keys,
            created_at: now,
            last_active_at: now,
        };
        self.write(|txn| {
            if txn.contains(&name_key)? {
                return Err(NodeError::conflict("username", "is already taken"));
            }
            if txn.contains(&email_key)? {
                return Err(NodeError::conflict("email", "is already registered"));
            }
            txn.put(Key::new(Space::Member).id(id), &member)?;
            txn.put(name_key, &id)?;
            txn.put(email_key, &id)?;
            txn.add(counter::global(counter::MEMBERS), 1)?;
            Ok(())
        })
        .await?;
        tracing::info!(member = %member.username, ?role, "member created");
        Ok(member)
    }

    fn ensure_free(&self, name_key: &Key, email_key: &Key) -> NodeResult<()> {
        if self.store.contains(name_key)? {
            return Err(NodeError::conflict("username", "is already taken"));
        }
        if self.store.contains(email_key)? {
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
