//! Joining and leaving a group; join requests and invitations.
//!
//! A member follows the group (`add_follow_edge`); a request is a follow
//! request of the group. Every rule (bans, the member limit, the join
//! mode, invitations) is checked inside the write that joins, so
//! concurrent joins cannot pass a limit together.

use super::{GroupInvite, GroupMemberView, GroupRole, JoinMode, JoinOutcome, JoinState};
use crate::error::{NodeError, NodeResult};
use crate::feeds::{scan, Page, PageRequest};
use crate::id::Id;
use crate::model::{now_ms, NotificationKind};
use crate::node::{Node, Viewer};
use crate::store::{tables, Txn};

impl Node {
    /// Joins the group `name`: a member at once in an open group (or with
    /// an invitation, which is used up), a pending request in an approval
    /// group (its owner and moderators are told). Refused: banned (403),
    /// an invite-only group without an invitation (403), a full group
    /// (409 naming `member_limit`). Joining again changes nothing.
    pub async fn join_group(&self, viewer: &Viewer, name: &str) -> NodeResult<JoinOutcome> {
        let me = viewer.member()?.clone();
        if me.is_group() {
            return Err(NodeError::Forbidden("a group cannot join a group"));
        }
        if let Some(remote) = self.remote_group_named(name)? {
            // A group of another server: a Follow it answers (pending
            // until its Accept arrives).
            let relationship = Box::pin(self.follow(viewer, &remote.username)).await?;
            let state = if relationship.following {
                JoinState::Member
            } else {
                JoinState::Pending
            };
            return Ok(JoinOutcome { state });
        }
        let gid = self.local_group(name)?.id();
        let state = self
            .write(|txn| {
                // The settings as they are now, not as read before the write
                // (a limit or mode changed meanwhile, a group deleted).
                let settings = match (
                    txn.load::<tables::Member>(gid)?,
                    txn.load::<tables::Group>(gid)?,
                ) {
                    (Some(account), Some(settings)) if account.deleted_at.is_none() => settings,
                    _ => return Err(NodeError::NotFound("group")),
                };
                if txn.has::<tables::GroupBans>((gid, me.id))? {
                    return Err(NodeError::Forbidden("banned from this group"));
                }
                if txn.has::<tables::Following>((me.id, gid))? {
                    return Ok(JoinState::Member);
                }
                let invited = txn.has::<tables::GroupInvites>((gid, me.id))?;
                match settings.join_mode {
                    JoinMode::Invite if !invited => Err(NodeError::Forbidden(
                        "this group is open by invitation only",
                    )),
                    JoinMode::Approval if !invited => {
                        if !txn.has::<tables::FollowRequests>((gid, me.id))? {
                            txn.store::<tables::FollowRequests>((gid, me.id), &now_ms())?;
                            self.notify_group_moderators(txn, gid, me.id)?;
                        }
                        Ok(JoinState::Pending)
                    }
                    _ => {
                        self.admit(txn, gid, settings.member_limit, me.id)?;
                        Ok(JoinState::Member)
                    }
                }
            })
            .await?;
        if state == JoinState::Member {
            self.timelines.forget_following(me.id);
        }
        Ok(JoinOutcome { state })
    }

    /// Makes `member` a member of `group` inside `txn`, unless the group
    /// is full (409 naming `member_limit`): the follow edge, the counter,
    /// and the request and invitation it answers removed.
    fn admit(
        &self,
        txn: &mut Txn<'_>,
        group: Id,
        limit: Option<u32>,
        member: Id,
    ) -> NodeResult<()> {
        if txn.has::<tables::Following>((member, group))? {
            return Ok(());
        }
        if let Some(limit) = limit {
            if txn.counter::<tables::FollowerCount>(group)? >= i64::from(limit) {
                return Err(NodeError::conflict("member_limit", "this group is full"));
            }
        }
        self.add_follow_edge(txn, member, group)?;
        txn.remove::<tables::GroupInvites>((group, member));
        Ok(())
    }

    /// An account of another server asks to join `group` (its `Follow`,
    /// whose id is stored already): the same rules as [`Node::join_group`]
    /// inside the inbox's write. Accepted (an `Accept` queued), pending (the
    /// moderators told; their answer is sent), or rejected (a `Reject`
    /// queued: banned, invite-only without an invitation, full, or the
    /// group deleted).
    pub(crate) fn receive_group_follow(
        &self,
        txn: &mut Txn<'_>,
        group: Id,
        follower: Id,
    ) -> NodeResult<crate::remote::FollowOutcome> {
        use crate::remote::FollowOutcome;
        let settings = match (
            txn.load::<tables::Member>(group)?,
            txn.load::<tables::Group>(group)?,
        ) {
            (Some(account), Some(settings)) if account.deleted_at.is_none() => Some(settings),
            _ => None,
        };
        let outcome = match settings {
            None => FollowOutcome::Rejected,
            Some(_) if txn.has::<tables::GroupBans>((group, follower))? => FollowOutcome::Rejected,
            Some(_) if txn.has::<tables::Following>((follower, group))? => FollowOutcome::Accepted,
            Some(settings) => {
                let invited = txn.has::<tables::GroupInvites>((group, follower))?;
                match settings.join_mode {
                    JoinMode::Invite if !invited => FollowOutcome::Rejected,
                    JoinMode::Approval if !invited => {
                        if !txn.has::<tables::FollowRequests>((group, follower))? {
                            txn.store::<tables::FollowRequests>((group, follower), &now_ms())?;
                            self.notify_group_moderators(txn, group, follower)?;
                        }
                        FollowOutcome::Pending
                    }
                    _ => match self.admit(txn, group, settings.member_limit, follower) {
                        Ok(()) => FollowOutcome::Accepted,
                        Err(NodeError::Conflict { .. }) => FollowOutcome::Rejected,
                        Err(e) => return Err(e),
                    },
                }
            }
        };
        match outcome {
            FollowOutcome::Accepted => self.answer_remote_follow(txn, follower, group, true)?,
            FollowOutcome::Rejected => self.answer_remote_follow(txn, follower, group, false)?,
            FollowOutcome::Pending => {}
        }
        Ok(outcome)
    }

    /// Tells the owner and moderators of `group` that `requester` asks to join.
    fn notify_group_moderators(
        &self,
        txn: &mut Txn<'_>,
        group: Id,
        requester: Id,
    ) -> NodeResult<()> {
        let moderators: Vec<_> = txn
            .scan::<tables::GroupRoles>((group,), false)
            .keys()
            .collect::<Result<_, _>>()?;
        for (_, moderator) in moderators {
            self.notify_about(
                txn,
                moderator,
                NotificationKind::GroupJoinRequest,
                requester,
                None,
                Some(group),
            )?;
        }
        Ok(())
    }

    /// Leaves the group `name` (or withdraws a join request). A moderator
    /// who leaves is no longer one. The owner cannot leave (409): they
    /// hand the group over first, or delete it.
    pub async fn leave_group(&self, viewer: &Viewer, name: &str) -> NodeResult<()> {
        let me = viewer.member()?.id;
        if let Some(remote) = self.remote_group_named(name)? {
            Box::pin(self.unfollow(viewer, &remote.username)).await?;
            return Ok(());
        }
        let group = self.local_group(name)?;
        let gid = group.id();
        self.write(|txn| {
            if Self::group_role_in(txn, gid, me)? == Some(GroupRole::Owner) {
                return Err(NodeError::conflict(
                    "group",
                    "the owner cannot leave; hand the group over first, or delete it",
                ));
            }
            self.remove_follow(txn, me, gid)?;
            txn.remove::<tables::GroupRoles>((gid, me));
            Ok(())
        })
        .await?;
        self.timelines.forget_following(me);
        Ok(())
    }

    /// The requests to join the group `name`, newest requester id first
    /// (its owner and moderators).
    pub fn group_join_requests(
        &self,
        viewer: &Viewer,
        name: &str,
        req: &PageRequest,
    ) -> NodeResult<Page<GroupMemberView>> {
        let me = viewer.member()?.id;
        let group = self.local_group(name)?;
        if !self.moderates(&group, me)? {
            return Err(NodeError::Forbidden(
                "only the group's owner and moderators can do this",
            ));
        }
        scan::<tables::FollowRequests, _, _>(&self.store, group.id(), req, |id, since| {
            Ok(self
                .member(id)?
                .filter(|m| m.status == crate::model::MemberStatus::Active)
                .map(|m| GroupMemberView {
                    account: Self::summary(&m),
                    role: super::GroupMemberRole::Member,
                    since,
                }))
        })
    }

    /// Accepts `username`'s request to join the group `name` (its owner
    /// and moderators), unless the group is full (409); the member is told.
    pub async fn approve_group_member(
        &self,
        viewer: &Viewer,
        name: &str,
        username: &str,
    ) -> NodeResult<()> {
        self.answer_join_request(viewer, name, username, true).await
    }

    /// Refuses `username`'s request to join the group `name` (its owner
    /// and moderators).
    pub async fn reject_group_member(
        &self,
        viewer: &Viewer,
        name: &str,
        username: &str,
    ) -> NodeResult<()> {
        self.answer_join_request(viewer, name, username, false)
            .await
    }

    async fn answer_join_request(
        &self,
        viewer: &Viewer,
        name: &str,
        username: &str,
        accept: bool,
    ) -> NodeResult<()> {
        let me = viewer.member()?.clone();
        let group = self.local_group(name)?;
        let gid = group.id();
        let target = self
            .member_by_name(username)?
            .ok_or(NodeError::NotFound("join request"))?;
        self.write(|txn| {
            Self::require_group_moderator(txn, gid, &me)?;
            if !txn.has::<tables::FollowRequests>((gid, target.id))? {
                return Err(NodeError::NotFound("join request"));
            }
            // A requester of another server hears the answer.
            self.answer_remote_follow(txn, target.id, gid, accept)?;
            if accept {
                let limit = txn.load::<tables::Group>(gid)?.and_then(|s| s.member_limit);
                self.admit(txn, gid, limit, target.id)?;
                self.notify_about(
                    txn,
                    target.id,
                    NotificationKind::GroupJoinApproved,
                    gid,
                    None,
                    Some(gid),
                )?;
                self.group_log_member(txn, viewer, &group, "member.approve", &target, "")
            } else {
                txn.remove::<tables::FollowRequests>((gid, target.id));
                self.group_log_member(txn, viewer, &group, "member.reject", &target, "")
            }
        })
        .await?;
        if accept {
            self.timelines.forget_following(target.id);
        }
        Ok(())
    }

    /// Invites `username` to the group `name` (its owner and moderators):
    /// they may then join whatever the join mode, once. Refused for a
    /// banned member (unban first, 409 naming `username`); inviting a
    /// member changes nothing.
    pub async fn invite_to_group(
        &self,
        viewer: &Viewer,
        name: &str,
        username: &str,
    ) -> NodeResult<()> {
        let (me, group, target) = self.moderation_parties(viewer, name, username)?;
        let gid = group.id();
        if !target.is_local() {
            return Err(NodeError::invalid(
                "username",
                "only members of this node can be invited for now",
            ));
        }
        self.write(|txn| {
            Self::require_group_moderator(txn, gid, &me)?;
            if txn.has::<tables::GroupBans>((gid, target.id))? {
                return Err(NodeError::conflict(
                    "username",
                    "is banned from this group; unban them first",
                ));
            }
            if txn.has::<tables::Following>((target.id, gid))?
                || txn.has::<tables::GroupInvites>((gid, target.id))?
            {
                return Ok(());
            }
            let invite = GroupInvite {
                by: me.id,
                at: now_ms(),
            };
            txn.store::<tables::GroupInvites>((gid, target.id), &invite)?;
            self.notify_about(
                txn,
                target.id,
                NotificationKind::GroupInvite,
                me.id,
                None,
                Some(gid),
            )?;
            self.group_log_member(txn, viewer, &group, "member.invite", &target, "")
        })
        .await
    }
}
