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
    /// When it was last used (ms), to within [`LAST_USED_EVERY_MS`];
    /// `None` if never recorded (not part of the API's JSON).
    #[serde(skip)]
    pub last_used_at: Option<i64>,
}

/// How stale a session's recorded last use may get: authenticating records
/// the time only when the stored one is older than this (ten minutes), so a
/// busy session costs one small write per ten minutes, not one per request.
pub const LAST_USED_EVERY_MS: i64 = 10 * 60 * 1000;

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
            MemberStatus::Suspended => Err(NodeError::Forbidden("this account is suspended")),
            _ if member.email_unconfirmed => Err(NodeError::Forbidden(super::email::UNCONFIRMED)),
            MemberStatus::Active => Ok(member),
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
        let now = now_ms();
        let session = Session {
            id: self.ids.next(),
            member_id,
            label: label.chars().take(100).collect(),
            created_at: now,
            app_id,
            scopes,
            kind,
            last_used_at: now,
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
        let hash = hash_of(token);
        let mut session: Session = self
            .store
            .load::<tables::Token>(hash)?
            .filter(|s| s.kind == kind)
            .ok_or(NodeError::Unauthorized("invalid or revoked token"))?;
        match self.member(session.member_id)? {
            Some(m) if m.status == MemberStatus::Active && m.email_unconfirmed => {
                Err(NodeError::Forbidden(super::email::UNCONFIRMED))
            }
            Some(m) if m.status == MemberStatus::Active => {
                self.note_session_use(hash, &mut session);
                Ok((Viewer::Member(Box::new(m)), session))
            }
            Some(m) if m.status == MemberStatus::Pending => {
                Err(NodeError::Forbidden("this account is awaiting approval"))
            }
            Some(_) => Err(NodeError::Forbidden("this account is suspended")),
            None => Err(NodeError::Unauthorized("invalid or revoked token")),
        }
    }

    /// Records that `session` (stored under `hash`) is being used, if its
    /// recorded last use is older than [`LAST_USED_EVERY_MS`]; otherwise
    /// does nothing, which is what almost every request finds.
    ///
    /// The time is bookkeeping whose loss in a crash is harmless, so it is
    /// written without waiting for the disk (the next group commit makes it
    /// durable), and a failure is logged rather than refusing the request.
    /// The write reads the session again under the writer's lock: a
    /// session revoked meanwhile is not brought back, and of requests that
    /// found the same stale time together only the first writes.
    fn note_session_use(&self, hash: [u8; 32], session: &mut Session) {
        let now = now_ms();
        if now - session.last_used_at < LAST_USED_EVERY_MS {
            return;
        }
        let recorded = self.store.write_eventually(|txn| {
            let Some(mut stored) = txn.load::<tables::Token>(hash)? else {
                return Ok(None);
            };
            if now - stored.last_used_at >= LAST_USED_EVERY_MS {
                stored.last_used_at = now;
                txn.store::<tables::Token>(hash, &stored)?;
                self.note_active(txn, stored.member_id)?;
            }
            Ok(Some(stored.last_used_at))
        });
        match recorded {
            Ok(Some(at)) => session.last_used_at = at,
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "could not record a session's last use"),
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
                    last_used_at: (s.last_used_at > 0).then_some(s.last_used_at),
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

    /// Signs out every session of the viewer's but `keep` (the one asking,
    /// which must be theirs): other browsers, apps and API tokens. Each
    /// ended session emits [`crate::events::Event::SessionEnded`], so its
    /// open streams end as they do for [`Node::revoke_session`]. Returns
    /// how many sessions ended.
    pub async fn revoke_other_sessions(&self, viewer: &Viewer, keep: Id) -> NodeResult<usize> {
        let me = viewer.member()?.id;
        self.write(|txn| {
            if !txn.has::<tables::MemberTokens>((me, keep))? {
                return Err(NodeError::NotFound("session"));
            }
            end_sessions(txn, me, Some(keep))
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
            end_sessions(txn, member, Some(keep))?;
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
            Some(m) if m.status == MemberStatus::Active && !m.email_unconfirmed
        ))
    }

    /// Revokes every session of a member (password reset, suspension).
    pub(crate) fn revoke_all_sessions(
        &self,
        txn: &mut crate::store::Txn<'_>,
        member: Id,
    ) -> NodeResult<()> {
        end_sessions(txn, member, None).map(drop)
    }
}

/// Stages the end of every session of `member` but `keep`, each with its
/// [`crate::events::Event::SessionEnded`]; returns how many end.
fn end_sessions(
    txn: &mut crate::store::Txn<'_>,
    member: Id,
    keep: Option<Id>,
) -> NodeResult<usize> {
    let sessions: Vec<_> = txn
        .scan::<tables::MemberTokens>((member,), false)
        .collect::<Result<_, _>>()?;
    let mut ended = 0;
    for ((_, id), hash) in sessions {
        if Some(id) == keep {
            continue;
        }
        txn.remove::<tables::Token>(&hash);
        txn.remove::<tables::MemberTokens>((member, id));
        txn.emit(crate::events::Event::SessionEnded {
            session: id,
            member,
        });
        ended += 1;
    }
    Ok(ended)
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
    use super::LAST_USED_EVERY_MS;
    use crate::events::Event;
    use crate::model::now_ms;
    use crate::store::{hash_of, tables};
    use crate::test_support::{member, temp_node};
    use crate::{Node, NodeError};

    /// The stored last use of the session of `token`.
    fn stored_last_use(node: &Node, token: &str) -> Option<i64> {
        node.store
            .load::<tables::Token>(hash_of(token))
            .expect("load")
            .map(|s| s.last_used_at)
    }

    /// Stores `at` as the last use of the session of `token`.
    fn set_last_use(node: &Node, token: &str, at: i64) {
        node.store
            .write_blocking(|txn| {
                let hash = hash_of(token);
                let mut s = txn.load::<tables::Token>(hash)?.expect("session");
                s.last_used_at = at;
                txn.store::<tables::Token>(hash, &s)
            })
            .expect("write");
    }

    /// Authenticating records a session's last use only when the stored
    /// one is older than the interval: a recent time stays as it is (no
    /// write), an older one becomes now, and the list of sessions shows it.
    #[tokio::test]
    async fn the_last_use_is_recorded_at_most_once_per_interval() {
        let (node, _dir) = temp_node();
        let alice = member(&node, "alice").await;
        let (issued, _) = node
            .login("alice", "password123", "phone")
            .await
            .expect("login");
        let made = stored_last_use(&node, &issued.token).expect("stored");
        assert!(made > 0, "a new session counts as used when it is made");

        let recent = now_ms() - LAST_USED_EVERY_MS / 2;
        set_last_use(&node, &issued.token, recent);
        let (_, session) = node.authenticate(&issued.token).expect("authenticate");
        assert_eq!(session.last_used_at, recent);
        assert_eq!(
            stored_last_use(&node, &issued.token),
            Some(recent),
            "within the interval nothing is written"
        );

        let stale = now_ms() - LAST_USED_EVERY_MS - 60_000;
        set_last_use(&node, &issued.token, stale);
        let before = now_ms();
        let (_, session) = node.authenticate(&issued.token).expect("authenticate");
        let stored = stored_last_use(&node, &issued.token).expect("stored");
        assert!(stored >= before, "an older time is brought to now");
        assert_eq!(session.last_used_at, stored);
        let views = node.sessions(&alice).expect("sessions");
        assert_eq!(views[0].last_used_at, Some(stored));

        // A record that comes after a revocation brings nothing back.
        let (_, mut late) = node.authenticate(&issued.token).expect("authenticate");
        node.revoke_session(&alice, late.id).await.expect("revoke");
        late.last_used_at = stale;
        node.note_session_use(hash_of(&issued.token), &mut late);
        assert_eq!(stored_last_use(&node, &issued.token), None);
        assert!(node.authenticate(&issued.token).is_err());
    }

    /// Signing out everywhere else ends every other session of the member
    /// (with the event that closes their streams), keeps the one asking,
    /// and leaves other members' sessions alone; only a session of theirs
    /// can be the one kept.
    #[tokio::test]
    async fn signing_out_everywhere_else_keeps_the_current_session() {
        let (node, _dir) = temp_node();
        let alice = member(&node, "alice").await;
        member(&node, "bob").await;
        let (here, _) = node
            .login_to_member_app("alice", "password123")
            .await
            .expect("app");
        let (phone, _) = node
            .login("alice", "password123", "phone")
            .await
            .expect("api");
        let (laptop, _) = node
            .login_to_member_app("alice", "password123")
            .await
            .expect("app");
        let (bobs, _) = node
            .login("bob", "password123", "bob's")
            .await
            .expect("bob");
        let mut events = node.subscribe();

        let refused = node.revoke_other_sessions(&alice, bobs.session_id).await;
        assert!(
            matches!(refused, Err(NodeError::NotFound(_))),
            "{refused:?}"
        );
        assert!(node.authenticate(&phone.token).is_ok(), "nothing ended");

        let ended = node
            .revoke_other_sessions(&alice, here.session_id)
            .await
            .expect("sign out elsewhere");
        assert_eq!(ended, 2);
        assert!(node.authenticate_member_app(&here.token).is_ok());
        assert!(node.authenticate(&phone.token).is_err());
        assert!(node.authenticate_member_app(&laptop.token).is_err());
        assert!(node.authenticate(&bobs.token).is_ok());
        let mut closed = Vec::new();
        while let Ok(event) = events.try_recv() {
            if let Event::SessionEnded { session, .. } = event {
                closed.push(session);
            }
        }
        closed.sort();
        let mut expected = vec![phone.session_id, laptop.session_id];
        expected.sort();
        assert_eq!(closed, expected);
        let left: Vec<_> = node
            .sessions(&alice)
            .expect("sessions")
            .into_iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(left, vec![here.session_id]);
    }

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
