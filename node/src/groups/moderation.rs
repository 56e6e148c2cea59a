//! Bans, roles and the moderation log of a group. Each action is checked
//! and written, with its log entries, in one write.

use super::{GroupBan, GroupBanView, GroupMemberRole, GroupModEntry, GroupRole};
use crate::error::{NodeError, NodeResult};
use crate::feeds::{scan, Page, PageRequest};
use crate::model::{now_ms, Role};
use crate::node::{Node, Viewer};
use crate::store::tables;

impl Node {
    /// Bans `username` from the group `name` (its owner and moderators):
    /// their membership, request, invitation and role end, and they cannot
    /// join again until unbanned. Nobody bans the owner; only the owner
    /// bans a moderator. Someone who is not a member may be banned too.
    pub async fn ban_group_member(
        &self,
        viewer: &Viewer,
        name: &str,
        username: &str,
        reason: &str,
    ) -> NodeResult<()> {
        let reason = Self::checked_reason(reason)?;
        let (me, group, target) = self.moderation_parties(viewer, name, username)?;
        let gid = group.id();
        if target.id == me.id {
            return Err(NodeError::invalid("username", "you cannot ban yourself"));
        }
        self.write(|txn| {
            let mine = Self::require_group_moderator(txn, gid, &me)?;
            match Self::group_role_in(txn, gid, target.id)? {
                Some(GroupRole::Owner) => {
                    return Err(NodeError::Forbidden("the group's owner cannot be banned"));
                }
                Some(GroupRole::Moderator) if mine != GroupRole::Owner => {
                    return Err(NodeError::Forbidden(
                        "only the group's owner can ban a moderator",
                    ));
                }
                _ => {}
            }
            let was_in = txn.has::<tables::Following>((target.id, gid))?
                || txn.has::<tables::FollowRequests>((gid, target.id))?;
            self.remove_follow(txn, target.id, gid)?;
            txn.remove::<tables::GroupRoles>((gid, target.id));
            txn.remove::<tables::GroupInvites>((gid, target.id));
            if was_in {
                // A member of another server is told they are out (a
                // Reject of their Follow, as Mastodon removes a follower).
                self.answer_remote_follow(txn, target.id, gid, false)?;
            }
            let ban = GroupBan {
                by: me.id,
                reason: reason.to_string(),
                at: now_ms(),
            };
            txn.store::<tables::GroupBans>((gid, target.id), &ban)?;
            self.announce_for_group(
                txn,
                gid,
                crate::remote::GroupActivity::Ban {
                    moderator: me.id,
                    member: target.id,
                    undone: false,
                },
            )?;
            self.group_log_member(txn, viewer, &group, "member.ban", &target, reason)
        })
        .await?;
        self.timelines.forget_following(target.id);
        Ok(())
    }

    /// Lifts `username`'s ban from the group `name` (its owner and
    /// moderators); they may then join as anyone may.
    pub async fn unban_group_member(
        &self,
        viewer: &Viewer,
        name: &str,
        username: &str,
    ) -> NodeResult<()> {
        let (me, group, target) = self.moderation_parties(viewer, name, username)?;
        let gid = group.id();
        self.write(|txn| {
            Self::require_group_moderator(txn, gid, &me)?;
            if !txn.has::<tables::GroupBans>((gid, target.id))? {
                return Err(NodeError::NotFound("ban"));
            }
            txn.remove::<tables::GroupBans>((gid, target.id));
            self.announce_for_group(
                txn,
                gid,
                crate::remote::GroupActivity::Ban {
                    moderator: me.id,
                    member: target.id,
                    undone: true,
                },
            )?;
            self.group_log_member(txn, viewer, &group, "member.unban", &target, "")
        })
        .await
    }

    /// Makes the member `username` of the group `name` a moderator or a
    /// plain member again (its owner and moderators). Nobody changes the
    /// owner's role; the target must be a member (422 naming `username`).
    pub async fn set_group_role(
        &self,
        viewer: &Viewer,
        name: &str,
        username: &str,
        role: &str,
    ) -> NodeResult<()> {
        let role = match role {
            "moderator" => GroupMemberRole::Moderator,
            "member" => GroupMemberRole::Member,
            _ => return Err(NodeError::invalid("role", "must be moderator or member")),
        };
        let (me, group, target) = self.moderation_parties(viewer, name, username)?;
        let gid = group.id();
        self.write(|txn| {
            Self::require_group_moderator(txn, gid, &me)?;
            let current = Self::group_role_in(txn, gid, target.id)?;
            if current == Some(GroupRole::Owner) {
                return Err(NodeError::Forbidden("nobody changes the owner's role"));
            }
            if !txn.has::<tables::Following>((target.id, gid))? {
                return Err(NodeError::invalid(
                    "username",
                    "is not a member of this group",
                ));
            }
            if GroupMemberRole::from(current) == role {
                return Ok(());
            }
            match role {
                GroupMemberRole::Moderator => {
                    txn.store::<tables::GroupRoles>((gid, target.id), &GroupRole::Moderator)?
                }
                _ => txn.remove::<tables::GroupRoles>((gid, target.id)),
            }
            let detail = match role {
                GroupMemberRole::Moderator => "moderator",
                _ => "member",
            };
            self.group_log_member(txn, viewer, &group, "member.role", &target, detail)
        })
        .await
    }

    /// The group's moderation log, newest first: for its owner and
    /// moderators, and the node's moderators.
    pub fn group_modlog(
        &self,
        viewer: &Viewer,
        name: &str,
        req: &PageRequest,
    ) -> NodeResult<Page<GroupModEntry>> {
        let me = viewer.member()?.id;
        let group = self.local_group(name)?;
        let moderates = self.moderates(&group, me)?;
        if !moderates && !viewer.has_role(Role::Moderator) {
            return Err(NodeError::Forbidden(
                "only the group's owner and moderators can read its log",
            ));
        }
        scan::<tables::GroupModLog, _, _>(&self.store, group.id(), req, |_, entry| Ok(Some(entry)))
    }

    /// The accounts banned from the group `name`, with who banned them,
    /// why and when: for its owner and moderators only (403). The bans are
    /// kept by account, so a page runs in account order (the newest
    /// accounts first) and its cursor is an account's id.
    pub fn group_bans(
        &self,
        viewer: &Viewer,
        name: &str,
        req: &PageRequest,
    ) -> NodeResult<Page<GroupBanView>> {
        let me = viewer.member()?.id;
        let group = self.local_group(name)?;
        if !self.moderates(&group, me)? {
            return Err(NodeError::Forbidden(
                "only the group's owner and moderators can list its bans",
            ));
        }
        scan::<tables::GroupBans, _, _>(&self.store, group.id(), req, |id, ban| {
            let Some(account) = self.member(id)? else {
                return Ok(None);
            };
            let by = self.member(ban.by)?.map(|m| Self::summary(&m));
            Ok(Some(GroupBanView {
                account: Self::summary(&account),
                by,
                reason: ban.reason,
                at: ban.at,
            }))
        })
    }
}
