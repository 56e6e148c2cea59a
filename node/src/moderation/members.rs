//! Moderating members from the panel: suspend, silence, roles, password
//! resets and deletion. Each action and its audit entry are one write.

use base64::Engine;
use rand::RngCore;

use crate::error::{NodeError, NodeResult};
use crate::feeds::{Page, PageRequest};
use crate::id::Id;
use crate::model::{now_ms, Member, MemberStatus, Profile, Role};
use crate::node::{Node, Viewer};
use crate::store::tables;

/// What a moderator or admin does to a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberAction {
    /// Hide their content and end their sessions (moderators).
    Suspend,
    /// Lift a suspension (moderators).
    Unsuspend,
    /// Keep their posts out of public timelines (moderators).
    Silence,
    /// Lift a silence (moderators).
    Unsilence,
    /// Change their role (admins; local members only).
    SetRole(Role),
    /// Set a new random password, shown once, and end their sessions
    /// (admins; local members only).
    ResetPassword,
    /// Delete their posts, clear their profile and suspend the account for
    /// good (admins). The username stays taken.
    Delete,
}

impl MemberAction {
    /// The name in the audit log.
    pub fn audit_name(self) -> &'static str {
        match self {
            Self::Suspend => "member.suspend",
            Self::Unsuspend => "member.unsuspend",
            Self::Silence => "member.silence",
            Self::Unsilence => "member.unsilence",
            Self::SetRole(_) => "member.role",
            Self::ResetPassword => "member.reset_password",
            Self::Delete => "member.delete",
        }
    }

    fn needs_admin(self) -> bool {
        matches!(self, Self::SetRole(_) | Self::ResetPassword | Self::Delete)
    }
}

/// A member's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemberCounts {
    /// Posts (and comments).
    pub posts: i64,
    /// Followers.
    pub followers: i64,
    /// Accounts they follow.
    pub following: i64,
}

/// What a moderation action produced.
#[derive(Debug, Clone)]
pub struct ModerationOutcome {
    /// The member after the action.
    pub member: Member,
    /// The new password, for `ResetPassword` (shown once, never stored).
    pub temporary_password: Option<String>,
}

impl Node {
    /// Applies `action` to a member (local or remote) as the viewer.
    /// Moderators may suspend and silence members below their own role;
    /// admins may do everything to anyone but themselves.
    pub async fn moderate_member(
        &self,
        viewer: &Viewer,
        member_id: Id,
        action: MemberAction,
        reason: &str,
    ) -> NodeResult<ModerationOutcome> {
        let me = viewer.member()?.clone();
        let needed = if action.needs_admin() {
            Role::Admin
        } else {
            Role::Moderator
        };
        if !viewer.has_role(needed) {
            return Err(NodeError::Forbidden(if needed == Role::Admin {
                "only admins can do this"
            } else {
                "only moderators can do this"
            }));
        }
        let target = self
            .member(member_id)?
            .ok_or(NodeError::NotFound("member"))?;
        if target.id == me.id {
            return Err(NodeError::Forbidden("you cannot moderate your own account"));
        }
        if me.role != Role::Admin && target.role >= me.role {
            return Err(NodeError::Forbidden(
                "moderators can act only on members below them",
            ));
        }
        if !target.is_local()
            && matches!(
                action,
                MemberAction::SetRole(_) | MemberAction::ResetPassword
            )
        {
            return Err(NodeError::invalid(
                "action",
                "only local members have roles and passwords",
            ));
        }
        if matches!(action, MemberAction::Suspend | MemberAction::Delete)
            && target.role == Role::Admin
        {
            return Err(NodeError::Forbidden(
                "demote an admin before suspending or deleting them",
            ));
        }
        let reason = reason.trim();
        crate::validate::max_chars("reason", reason, 1_000)?;

        if action == MemberAction::Delete {
            self.delete_member_posts(viewer, &target).await?;
        }
        let temporary_password = match action {
            MemberAction::ResetPassword => Some(random_password()),
            _ => None,
        };
        let password_hash = match &temporary_password {
            Some(plain) => {
                let plain = plain.clone();
                Some(
                    tokio::task::spawn_blocking(move || {
                        crate::members::register::hash_password(&plain)
                    })
                    .await
                    .map_err(|e| NodeError::Internal(e.to_string()))??,
                )
            }
            None => None,
        };
        let member = self
            .write(|txn| {
                let key = member_id;
                let mut m: Member = txn
                    .load::<tables::Member>(key)?
                    .ok_or(NodeError::NotFound("member"))?;
                let mut end_sessions = false;
                let detail = match action {
                    MemberAction::Suspend => {
                        if m.status == MemberStatus::Suspended {
                            return Err(NodeError::conflict("member", "is already suspended"));
                        }
                        m.status = MemberStatus::Suspended;
                        end_sessions = true;
                        reason.to_string()
                    }
                    MemberAction::Unsuspend => {
                        if m.status != MemberStatus::Suspended || m.deleted_at.is_some() {
                            return Err(NodeError::conflict("member", "is not suspended"));
                        }
                        m.status = MemberStatus::Active;
                        reason.to_string()
                    }
                    MemberAction::Silence => {
                        if m.silenced {
                            return Err(NodeError::conflict("member", "is already silenced"));
                        }
                        m.silenced = true;
                        reason.to_string()
                    }
                    MemberAction::Unsilence => {
                        m.silenced = false;
                        reason.to_string()
                    }
                    MemberAction::SetRole(role) => {
                        let detail = format!("{:?} → {:?}", m.role, role).to_lowercase();
                        if (m.role == Role::Admin) != (role == Role::Admin) {
                            // Admins seed trust: the trust worker recomputes soon.
                            txn.add::<tables::TrustSeedChanges>((), 1)?;
                        }
                        m.role = role;
                        if role == Role::Admin {
                            crate::members::setup::mark_admin_exists_in(txn)?;
                        }
                        detail
                    }
                    MemberAction::ResetPassword => {
                        if let Some(hash) = &password_hash {
                            m.password_hash = hash.clone();
                        }
                        end_sessions = true;
                        reason.to_string()
                    }
                    MemberAction::Delete => {
                        m.status = MemberStatus::Suspended;
                        m.deleted_at = Some(now_ms());
                        m.profile = Profile::default();
                        end_sessions = true;
                        reason.to_string()
                    }
                };
                txn.store::<tables::Member>(key, &m)?;
                if action == MemberAction::Delete && m.is_local() {
                    self.federate(txn, crate::remote::Outgoing::DeleteActor { member: m.id })?;
                }
                if end_sessions && m.is_local() {
                    self.revoke_all_sessions(txn, m.id)?;
                }
                self.audit(txn, Some(viewer), action.audit_name(), &m.username, &detail)?;
                Ok(m)
            })
            .await?;
        tracing::info!(member = %member.username, action = action.audit_name(), "member moderated");
        Ok(ModerationOutcome {
            member,
            temporary_password,
        })
    }

    /// Deletes every post of `target` (each its own write, so federation
    /// and counters see ordinary deletions).
    async fn delete_member_posts(&self, viewer: &Viewer, target: &Member) -> NodeResult<()> {
        loop {
            let ids: Vec<Id> = self
                .store
                .scan::<tables::AuthorPosts>((target.id,), false)
                .keys()
                .take(200)
                .filter_map(|key| key.ok().map(|(_, post)| post))
                .collect();
            if ids.is_empty() {
                return Ok(());
            }
            let mut removed = 0;
            for id in ids {
                match self.delete_post(viewer, id).await {
                    Ok(()) => removed += 1,
                    Err(NodeError::NotFound(_)) => {
                        // A boost, or an entry whose post is gone: drop the entry.
                        self.write(|txn| {
                            if let Some(boost) = self.boost_record(id)? {
                                let boosted = txn
                                    .load::<tables::Post>(boost.post_id)?
                                    .map(std::sync::Arc::new);
                                self.remove_boost(txn, boost.post_id, target.id, id, boosted)?;
                            }
                            txn.remove::<tables::AuthorPosts>((target.id, id));
                            Ok(())
                        })
                        .await?;
                        removed += 1;
                    }
                    Err(e) => return Err(e),
                }
            }
            if removed == 0 {
                return Ok(());
            }
        }
    }

    /// Members for the panel: by username prefix when `query` is given
    /// (local and remote), otherwise the newest first, paginated by id.
    pub fn admin_members(
        &self,
        viewer: &Viewer,
        query: Option<&str>,
        req: &PageRequest,
    ) -> NodeResult<Page<Member>> {
        super::reports::require_moderator(viewer)?;
        match query.map(str::trim).filter(|q| !q.is_empty()) {
            Some(q) => {
                let prefix = q.trim_start_matches('@').to_lowercase();
                let items = self
                    .members_with_name_prefix(&prefix)
                    .take(req.limit()?)
                    .collect::<NodeResult<Vec<_>>>()?;
                Ok(Page {
                    items,
                    next_max_id: None,
                    prev_min_id: None,
                })
            }
            None => {
                crate::feeds::scan::<tables::Member, _, _>(&self.store, (), req, |_, member| {
                    Ok(Some(member))
                })
            }
        }
    }

    /// A member's stored counters (three reads).
    pub fn member_counts(&self, id: Id) -> NodeResult<MemberCounts> {
        Ok(MemberCounts {
            posts: self.store.counter::<tables::PostCount>(id)?,
            followers: self.store.counter::<tables::FollowerCount>(id)?,
            following: self.store.counter::<tables::FollowingCount>(id)?,
        })
    }

    /// One member, for the panel (moderators).
    pub fn admin_member(&self, viewer: &Viewer, id: Id) -> NodeResult<Member> {
        super::reports::require_moderator(viewer)?;
        self.member(id)?.ok_or(NodeError::NotFound("member"))
    }
}

fn random_password() -> String {
    let mut raw = [0u8; 15];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}
