//! Login, bearer tokens (stored hashed) and their revocation.

use argon2::password_hash::{PasswordHash, PasswordVerifier};
use argon2::Argon2;
use base64::Engine;
use rand::RngCore;
use serde::Serialize;

use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::{now_ms, Member, MemberStatus, Role, Session, SessionKind};
use crate::node::{Node, Viewer};
use crate::store::{hash_of, tables};

use super::login_guard::LoginTarget;

/// A freshly issued token. The plain token is shown once and never stored.
#[derive(Debug, Clone, Serialize)]
pub struct IssuedToken {
    /// The bearer token to send as `Authorization: Bearer ...`.
    pub token: String,
    /// The session's id (to revoke it later).
    pub session_id: Id,
}

/// A session as its owner sees it (never the token itself).
#[derive(Debug, Clone, Serialize)]
pub struct SessionView {
    /// Session id.
    pub id: Id,
    /// Label given at login.
    pub label: String,
    /// Created (RFC 3339).
    #[serde(serialize_with = "crate::model::rfc3339::serialize")]
    pub created_at: i64,
    /// What it was made for (not part of the API's JSON).
    #[serde(skip)]
    pub kind: SessionKind,
}

/// A real argon2id hash of a password nobody knows, verified when the login
/// name is unknown so that response time does not reveal which names exist.
fn dummy_hash() -> String {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY
        .get_or_init(|| super::register::hash_password("not a real password").unwrap_or_default())
        .clone()
}

impl Node {
    /// Checks a username-or-email and password; on success issues a token.
    pub async fn login(
        &self,
        login: &str,
        password: &str,
        label: &str,
    ) -> NodeResult<(IssuedToken, Member)> {
        let member = self.verify_login(login, password).await?;
        let issued = self.issue_token(member.id, label).await?;
        Ok((issued, member))
    }

    /// The admin panel's own login: a moderator's or admin's password
    /// makes a panel session, which only the panel takes.
    pub async fn login_to_panel(
        &self,
        login: &str,
        password: &str,
    ) -> NodeResult<(IssuedToken, Member)> {
        let member = self.verify_login(login, password).await?;
        if member.role < Role::Moderator {
            return Err(NodeError::Forbidden(
                "this panel is for moderators and admins",
            ));
        }
        let issued = self
            .issue_session(
                member.id,
                "admin panel",
                None,
                Vec::new(),
                SessionKind::AdminPanel,
            )
            .await?;
        Ok((issued, member))
    }

    /// The members' web app's own login: any active member's password
    /// makes an app session, which only the app takes.
    pub async fn login_to_member_app(
        &self,
        login: &str,
        password: &str,
    ) -> NodeResult<(IssuedToken, Member)> {
        let member = self.verify_login(login, password).await?;
        let issued = self
            .issue_session(
                member.id,
                "web app",
                None,
                Vec::new(),
                SessionKind::MembersApp,
            )
            .await?;
        Ok((issued, member))
    }

    /// Checks a username-or-email and password; returns the active member.
    /// A group account never signs in (the same "invalid login" answer as
    /// an unknown name). Every way in calls this, so one policy applies to all: failed
    /// passwords are counted per account (see [`super::login_guard`]), and
    /// an account over its limit is refused (429) before any password check.
    pub async fn verify_login(&self, login: &str, password: &str) -> NodeResult<Member> {
        let member = if login.contains('@') {
            let key = &login.to_lowercase();
            match self.store.load::<tables::MemberByEmail>(key)? {
                Some(id) => self.member(id)?,
                None => None,
            }
        } else {
            self.member_by_name(login)?
        }
        // Accounts of other servers and groups have no password here:
        // they are unknown names, answered like any other.
        .filter(|m| m.is_local() && !m.is_group());
        let target = match &member {
            Some(m) => LoginTarget::Account(m.id),
            None => LoginTarget::unknown(login),
        };
        if let Err(retry_after_secs) = self.login_guard.check(target) {
            tracing::warn!(login = %login, "login refused: too many failed passwords for this account");
            return Err(NodeError::RateLimited { retry_after_secs });
        }
        let hash = member
            .as_ref()
            .map(|m| m.password_hash.clone())
            .unwrap_or_else(dummy_hash);
        let password = password.to_string();
        let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
            .await
            .map_err(|e| NodeError::Internal(e.to_string()))?;
        let member = match member {
            Some(m) if ok => m,
            _ => {
                self.login_guard.failed(target);
                return Err(NodeError::Unauthorized("invalid login or password"));
            }
        };
        match member.status {
            MemberStatus::Active => Ok(member),
            MemberStatus::Suspended => Err(NodeError::Forbidden("this account is suspended")),
            MemberStatus::Pending => Err(NodeError::Forbidden("this account is awaiting approval")),
        }
    }

    /// Issues a new full-access bearer token for `member_id`.
    pub async fn issue_token(&self, member_id: Id, label: &str) -> NodeResult<IssuedToken> {
        self.issue_scoped_token(member_id, label, None, Vec::new())
            .await
    }

    /// Issues a bearer token limited to `scopes` (empty: full access),
    /// granted to OAuth app `app_id`.
    pub async fn issue_scoped_token(
        &self,
        member_id: Id,
        label: &str,
        app_id: Option<Id>,
        scopes: Vec<String>,
    ) -> NodeResult<IssuedToken> {
        self.issue_session(member_id, label, app_id, scopes, SessionKind::Api)
            .await
    }

    /// Issues a session token of `kind`.
    async fn issue_session(
        &self,
        member_id: Id,
        label: &str,
        app_id: Option<Id>,
        scopes: Vec<String>,
        kind: SessionKind,
    ) -> NodeResult<IssuedToken> {
        let mut raw = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut raw);
        let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
        let session = Session {
            id: self.ids.next(),
            member_id,
            label: label.chars().take(100).collect(),
            created_at: now_ms(),
            app_id,
            scopes,
            kind,
        };
        let hash = blake3::hash(token.as_bytes());
        self.write(|txn| {
            txn.store::<tables::Token>(hash.as_bytes(), &session)?;
            self.note_active(txn, member_id)?;
            txn.store::<tables::MemberTokens>((member_id, session.id), hash.as_bytes())?;
            Ok(())
        })
        .await?;
        Ok(IssuedToken {
            token,
            session_id: session.id,
        })
    }

    /// Resolves a bearer token to its member. Suspended members and revoked
    /// tokens are refused, and so are sessions of another kind than API
    /// tokens (an admin-panel cookie is no bearer token).
    pub fn authenticate(&self, token: &str) -> NodeResult<(Viewer, Session)> {
        self.authenticate_as(token, SessionKind::Api)
    }

    /// Resolves an admin-panel cookie: a panel session of a member who is
    /// still a moderator or admin.
    pub fn authenticate_panel(&self, token: &str) -> NodeResult<(Viewer, Session)> {
        let (viewer, session) = self.authenticate_as(token, SessionKind::AdminPanel)?;
        if !viewer.has_role(Role::Moderator) {
            return Err(NodeError::Forbidden(
                "this panel is for moderators and admins",
            ));
        }
        Ok((viewer, session))
    }

    /// Resolves a members' web app cookie: an app session of an active
    /// member.
    pub fn authenticate_member_app(&self, token: &str) -> NodeResult<(Viewer, Session)> {
        self.authenticate_as(token, SessionKind::MembersApp)
    }

    fn authenticate_as(&self, token: &str, kind: SessionKind) -> NodeResult<(Viewer, Session)> {
        let session: Session = self
            .store
            .load::<tables::Token>(hash_of(token))?
            .filter(|s| s.kind == kind)
            .ok_or(NodeError::Unauthorized("invalid or revoked token"))?;
        match self.member(session.member_id)? {
            Some(m) if m.status == MemberStatus::Active => {
                Ok((Viewer::Member(Box::new(m)), session))
            }
            Some(m) if m.status == MemberStatus::Pending => {
                Err(NodeError::Forbidden("this account is awaiting approval"))
            }
            Some(_) => Err(NodeError::Forbidden("this account is suspended")),
            None => Err(NodeError::Unauthorized("invalid or revoked token")),
        }
    }

    /// Lists the viewer's sessions, newest first.
    pub fn sessions(&self, viewer: &Viewer) -> NodeResult<Vec<SessionView>> {
        let me = viewer.member()?;
        let mut out = Vec::new();
        for hash in self
            .store
            .scan::<tables::MemberTokens>((me.id,), true)
            .values()
        {
            let hash = hash?;
            if let Some(s) = self.store.load::<tables::Token>(&hash)? {
                out.push(SessionView {
                    id: s.id,
                    label: s.label,
                    created_at: s.created_at,
                    kind: s.kind,
                });
            }
        }
        Ok(out)
    }

    /// Revokes one of the viewer's sessions.
    pub async fn revoke_session(&self, viewer: &Viewer, session_id: Id) -> NodeResult<()> {
        let me = viewer.member()?.id;
        self.write(|txn| {
            let index = (me, session_id);
            let Some(hash) = txn.load::<tables::MemberTokens>(index)? else {
                return Err(NodeError::NotFound("session"));
            };
            txn.remove::<tables::MemberTokens>(index);
            txn.remove::<tables::Token>(&hash);
            txn.emit(crate::events::Event::SessionEnded {
                session: session_id,
                member: me,
            });
            Ok(())
        })
        .await
    }

    /// Changes the viewer's password: `current` must be their password
    /// (checked through the one login policy, so wrong guesses count), `new`
    /// must pass the password rules. Every other session of theirs ends;
    /// `keep` (the session making the change) stays.
    pub async fn change_password(
        &self,
        viewer: &Viewer,
        keep: Id,
        current: &str,
        new: &str,
    ) -> NodeResult<()> {
        let me = viewer.member()?;
        match self.verify_login(&me.username, current).await {
            Ok(m) if m.id == me.id => {}
            Ok(_) | Err(NodeError::Unauthorized(_)) => {
                return Err(NodeError::invalid(
                    "current_password",
                    "is not your current password",
                ))
            }
            Err(e) => return Err(e),
        }
        crate::validate::password("new_password", new)?;
        let plain = new.to_string();
        let hash = tokio::task::spawn_blocking(move || super::register::hash_password(&plain))
            .await
            .map_err(|e| NodeError::Internal(e.to_string()))??;
        let member = me.id;
        self.write(|txn| {
            let mut m: Member = txn
                .load::<tables::Member>(member)?
                .ok_or(NodeError::NotFound("member"))?;
            m.password_hash = hash.clone();
            txn.store::<tables::Member>(member, &m)?;
            let sessions: Vec<_> = txn
                .scan::<tables::MemberTokens>((member,), false)
                .collect::<Result<_, _>>()?;
            for ((_, id), token) in sessions {
                if id == keep {
                    continue;
                }
                txn.remove::<tables::Token>(&token);
                txn.remove::<tables::MemberTokens>((member, id));
                txn.emit(crate::events::Event::SessionEnded {
                    session: id,
                    member,
                });
            }
            Ok(())
        })
        .await
    }

    /// Whether `session` still stands: its token is not revoked and its
    /// member may still sign in. Open streams re-check this now and then,
    /// in case they missed the [`crate::events::Event::SessionEnded`].
    pub fn session_alive(&self, session: &Session) -> NodeResult<bool> {
        let index = (session.member_id, session.id);
        if !self.store.has::<tables::MemberTokens>(index)? {
            return Ok(false);
        }
        Ok(matches!(
            self.member(session.member_id)?,
            Some(m) if m.status == MemberStatus::Active
        ))
    }

    /// Revokes every session of a member (password reset, suspension).
    pub(crate) fn revoke_all_sessions(
        &self,
        txn: &mut crate::store::Txn<'_>,
        member: Id,
    ) -> NodeResult<()> {
        let sessions: Vec<_> = txn
            .scan::<tables::MemberTokens>((member,), false)
            .collect::<Result<_, _>>()?;
        for ((_, id), hash) in sessions {
            txn.remove::<tables::Token>(&hash);
            {
                txn.remove::<tables::MemberTokens>((member, id));
                txn.emit(crate::events::Event::SessionEnded {
                    session: id,
                    member,
                });
            }
        }
        Ok(())
    }
}

fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use crate::test_support::{member, temp_node};
    use crate::NodeError;

    /// A password change needs the current password, follows the password
    /// rules, keeps the session that made it and ends every other one.
    #[tokio::test]
    async fn a_password_change_needs_the_current_one_and_ends_the_other_sessions() {
        let (node, _dir) = temp_node();
        let alice = member(&node, "alice").await;
        let (here, _) = node
            .login("alice", "password123", "this browser")
            .await
            .expect("login");
        let (elsewhere, _) = node
            .login("alice", "password123", "another device")
            .await
            .expect("login");

        let wrong = node
            .change_password(&alice, here.session_id, "not-it", "a new password")
            .await;
        assert!(
            matches!(&wrong, Err(NodeError::Invalid { field, .. }) if field == "current_password"),
            "{wrong:?}"
        );
        let short = node
            .change_password(&alice, here.session_id, "password123", "short")
            .await;
        assert!(
            matches!(&short, Err(NodeError::Invalid { field, .. }) if field == "new_password"),
            "{short:?}"
        );
        assert!(
            node.authenticate(&elsewhere.token).is_ok(),
            "nothing changed yet"
        );
        assert!(node.verify_login("alice", "password123").await.is_ok());

        node.change_password(&alice, here.session_id, "password123", "a new password")
            .await
            .expect("change");
        assert!(
            node.authenticate(&here.token).is_ok(),
            "the session that changed it stays"
        );
        assert!(
            node.authenticate(&elsewhere.token).is_err(),
            "other sessions end"
        );
        assert!(node.verify_login("alice", "password123").await.is_err());
        assert!(node.verify_login("alice", "a new password").await.is_ok());
    }
}
