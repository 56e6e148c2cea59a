//! The seeds beside the admins: members an admin marks trusted. Each mark
//! and its audit entry are one write, which also bumps
//! `TrustSeedChanges` so the trust worker recomputes at its next look.

use serde::Serialize;

use super::TrustedMark;
use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::{now_ms, Member, MemberStatus, Role};
use crate::node::{Node, Viewer};
use crate::store::tables;

/// A member's place in the trust computation, for the admin panel.
#[derive(Debug, Clone, Serialize)]
pub struct TrustStanding {
    /// Marked trusted by an admin.
    pub trusted: Option<TrustedMark>,
    /// An admin (always a seed).
    pub admin: bool,
    /// Their trust as last computed.
    pub score: Option<super::TrustScore>,
}

impl Node {
    /// Marks (or unmarks) a member as trusted: a seed of the trust
    /// computation. Admins only; audited as `member.trust` /
    /// `member.untrust` with `reason`.
    pub async fn set_trusted(
        &self,
        viewer: &Viewer,
        member_id: Id,
        trusted: bool,
        reason: &str,
    ) -> NodeResult<Member> {
        let me = viewer.member()?.clone();
        if !viewer.has_role(Role::Admin) {
            return Err(NodeError::Forbidden("only admins can mark members trusted"));
        }
        let reason = reason.trim();
        crate::validate::max_chars("reason", reason, 1_000)?;
        let target = self
            .member(member_id)?
            .ok_or(NodeError::NotFound("member"))?;
        if trusted
            && (target.deleted_at.is_some()
                || target.status != MemberStatus::Active
                || target.is_group())
        {
            return Err(NodeError::invalid(
                "member",
                "only an active person account can be trusted",
            ));
        }
        self.write(|txn| {
            let marked = txn.has::<tables::TrustedMembers>(member_id)?;
            if marked == trusted {
                return Err(NodeError::conflict(
                    "member",
                    if trusted {
                        "is already trusted"
                    } else {
                        "is not marked trusted"
                    },
                ));
            }
            if trusted {
                let mark = TrustedMark {
                    by: me.id,
                    at: now_ms(),
                };
                txn.store::<tables::TrustedMembers>(member_id, &mark)?;
            } else {
                txn.remove::<tables::TrustedMembers>(member_id);
            }
            txn.add::<tables::TrustSeedChanges>((), 1)?;
            let action = if trusted {
                "member.trust"
            } else {
                "member.untrust"
            };
            self.audit(txn, Some(viewer), action, &target.username, reason)
        })
        .await?;
        tracing::info!(member = %target.username, trusted, "trusted mark changed");
        Ok(target)
    }

    /// A member's trust standing (moderators: the admin panel's member
    /// page).
    pub fn trust_standing(&self, viewer: &Viewer, member_id: Id) -> NodeResult<TrustStanding> {
        if !viewer.has_role(Role::Moderator) {
            return Err(NodeError::Forbidden("only moderators can see this"));
        }
        let member = self
            .member(member_id)?
            .ok_or(NodeError::NotFound("member"))?;
        Ok(TrustStanding {
            trusted: self.store.load::<tables::TrustedMembers>(member_id)?,
            admin: member.is_local() && member.role == Role::Admin,
            score: self.trust_score(member_id)?,
        })
    }
}
