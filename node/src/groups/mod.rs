//! Groups: accounts that members join.
//!
//! A group is a [`Member`] of kind [`AccountKind::Group`]: its handle lives
//! in the username index (one namespace for people and groups), it has
//! keys, and its display name and avatar are its profile's. What only a
//! group has is its [`GroupSettings`] (`tables::Group`). Membership is the
//! follow edge: a member of a group follows it (`Followers (group,
//! member)`), so the group's follower counter is its member count, and a
//! join request is a follow request. Roles, bans, invitations and the
//! moderation log are tables of their own, keyed `(group, member)`.
//!
//! `create.rs`: create, update, delete; `membership.rs`: join, leave,
//! requests, invitations; `moderation.rs`: bans, roles, the moderation
//! log; `directory.rs`: one group, its members, the directory;
//! `posts.rs`: the group's feed (new, hot, top), pins, locked threads,
//! removals and new-post alerts; `mention.rs`: a post that mentions a
//! group is posted in it; `reports.rs`: the node's open reports that name
//! the group's posts, for its moderators. A group's posts are ordinary posts with
//! `Post::group` set (see `posts/create.rs` for the rules of posting).

mod create;
mod directory;
mod federated;
mod membership;
mod mention;
mod moderation;
mod posts;
pub(crate) mod rank_cache;
mod reports;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_federated;
#[cfg(test)]
mod tests_mention;
#[cfg(test)]
mod tests_posts;
#[cfg(test)]
mod tests_reports;

pub use create::{GroupUpdate, NewGroup};
pub use directory::{GroupSort, DIRECTORY_SORT_BOUND};
pub use posts::{
    GroupPostSort, GroupPostsPage, GroupPostsRequest, ThreadLock, TopPeriod, ALERT_FANOUT,
    MAX_PINS, RANK_WINDOW,
};
pub use reports::{GroupReportView, GroupReportedPost, REPORT_EXCERPT_CHARS};

use serde::{Deserialize, Serialize};

use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::{AccountKind, Member, MemberStatus, MemberSummary};
use crate::node::{Node, Viewer};
use crate::store::{tables, Txn};

/// Whether a group's posts are for its members only, from its settings
/// (a local group) or, without them, its account: a private local group,
/// or one whose settings cannot be read (fail closed); a group of another
/// server is not (its posts are addressed as they say). The one rule
/// `members_only` (in a write) and `group_is_private` (a read) apply.
pub(crate) fn posts_are_private(
    settings: Option<&GroupSettings>,
    account: Option<&Member>,
) -> bool {
    match settings {
        Some(s) => s.visibility == GroupVisibility::Private,
        None => !account.is_some_and(Member::is_remote_group),
    }
}

/// Longest reason for a ban or a post's removal, in characters.
const REASON_CHARS: usize = 1000;

/// Who may read a group's posts and member list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupVisibility {
    /// Anyone.
    Public,
    /// Its members (and the node's moderators). The group itself (name,
    /// description, counts) stays visible to anyone, as private
    /// communities on Lemmy or Reddit show their "about".
    Private,
}

/// How one becomes a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinMode {
    /// Joining is immediate.
    Open,
    /// A join is a request that the owner or a moderator answers.
    Approval,
    /// Only members invited by the owner or a moderator may join.
    Invite,
}

/// Who may post in a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Posting {
    /// Every member.
    Members,
    /// The owner and moderators only.
    Moderators,
}

/// A group's feature switches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupFeatures {
    /// Discussion posts.
    #[serde(default = "yes")]
    pub discussion: bool,
    /// Events.
    #[serde(default)]
    pub events: bool,
    /// A link to the group's wiki (http(s)).
    #[serde(default)]
    pub wiki_url: Option<String>,
    /// File sharing.
    #[serde(default)]
    pub file_sharing: bool,
}

fn yes() -> bool {
    true
}

impl Default for GroupFeatures {
    fn default() -> Self {
        GroupFeatures {
            discussion: true,
            events: false,
            wiki_url: None,
            file_sharing: false,
        }
    }
}

/// What a group has beyond its account (`tables::Group`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupSettings {
    /// The description as written (Markdown).
    pub description: String,
    /// The description rendered as the node renders posts (sanitised).
    pub description_html: String,
    /// Category slug, if any.
    #[serde(default)]
    pub category: Option<String>,
    /// Tag slugs.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The group's rules, in order.
    #[serde(default)]
    pub rules: Vec<String>,
    /// Banner image URL or empty.
    #[serde(default)]
    pub banner_url: String,
    /// Who reads it.
    pub visibility: GroupVisibility,
    /// How one joins.
    pub join_mode: JoinMode,
    /// At most this many members, if set.
    #[serde(default)]
    pub member_limit: Option<u32>,
    /// Who posts.
    pub posting: Posting,
    /// Feature switches.
    #[serde(default)]
    pub features: GroupFeatures,
    /// The owner's member id.
    pub owner: Id,
    /// Created (ms).
    pub created_at: i64,
}

/// A stored role in a group (`tables::GroupRoles`); a member without one
/// is a plain member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupRole {
    /// Made the group; cannot leave, be banned or change role.
    Owner,
    /// Answers join requests, invites, bans, changes roles.
    Moderator,
}

/// A member's role as views show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupMemberRole {
    /// The owner.
    Owner,
    /// A moderator.
    Moderator,
    /// A plain member.
    Member,
}

impl GroupMemberRole {
    /// Parses `owner`, `moderator` or `member` (422 naming `role`).
    pub fn parse(value: &str) -> NodeResult<GroupMemberRole> {
        match value {
            "owner" => Ok(GroupMemberRole::Owner),
            "moderator" => Ok(GroupMemberRole::Moderator),
            "member" => Ok(GroupMemberRole::Member),
            _ => Err(NodeError::invalid(
                "role",
                "must be owner, moderator or member",
            )),
        }
    }
}

impl From<Option<GroupRole>> for GroupMemberRole {
    fn from(role: Option<GroupRole>) -> Self {
        match role {
            Some(GroupRole::Owner) => GroupMemberRole::Owner,
            Some(GroupRole::Moderator) => GroupMemberRole::Moderator,
            None => GroupMemberRole::Member,
        }
    }
}

/// A ban from a group (`tables::GroupBans`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupBan {
    /// The moderator who banned.
    pub by: Id,
    /// Why (may be empty).
    pub reason: String,
    /// When (ms).
    pub at: i64,
}

/// A ban from a group as its moderators list it.
#[derive(Debug, Clone, Serialize)]
pub struct GroupBanView {
    /// The banned account.
    pub account: MemberSummary,
    /// The moderator who banned (absent when that account is gone).
    pub by: Option<MemberSummary>,
    /// Why (may be empty).
    pub reason: String,
    /// When (RFC 3339).
    #[serde(serialize_with = "crate::model::rfc3339::serialize")]
    pub at: i64,
}

/// An invitation to join a group, used up by joining (`tables::GroupInvites`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupInvite {
    /// The moderator who invited.
    pub by: Id,
    /// When (ms).
    pub at: i64,
}

/// One entry of a group's moderation log, written in the same write as
/// the action (which the node's audit log records too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupModEntry {
    /// Time-ordered id.
    pub id: Id,
    /// Who acted.
    pub actor_id: Id,
    /// Their username at the time.
    pub actor: String,
    /// What was done: `group.create`, `group.update`, `group.delete`,
    /// `member.approve`, `member.reject`, `member.ban`, `member.unban`,
    /// `member.role`, `member.invite`, `post.pin`, `post.unpin`,
    /// `post.lock`, `post.unlock`, `post.remove` (the target of a post
    /// action is the post's id).
    pub action: String,
    /// Whom it was done to (a username), or empty.
    pub target: String,
    /// Details: the reason, the new role, the changed fields.
    pub detail: String,
    /// When (ms).
    pub at: i64,
}

/// Where the viewer stands with a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Membership {
    /// Not a member, nothing pending.
    None,
    /// Invited, not joined yet.
    Invited,
    /// Asked to join; waits for an answer.
    Pending,
    /// A member.
    Member,
    /// Banned.
    Banned,
}

/// The outcome of a join.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinState {
    /// Now a member (or was already).
    Member,
    /// The request waits for a moderator.
    Pending,
}

/// The answer of a join: `{"state": "member" | "pending"}`.
#[derive(Debug, Clone, Serialize)]
pub struct JoinOutcome {
    /// Where the request stands.
    pub state: JoinState,
}

/// The viewer's place in a group.
#[derive(Debug, Clone, Serialize)]
pub struct GroupViewerState {
    /// Membership.
    pub membership: Membership,
    /// Role, when a member.
    pub role: Option<GroupMemberRole>,
    /// Whether the viewer is told of each new post in the group.
    pub post_alerts: bool,
}

/// A group as a viewer sees it.
#[derive(Debug, Clone, Serialize)]
pub struct GroupView {
    /// The group account's id.
    pub id: Id,
    /// Handle (unique among usernames).
    pub name: String,
    /// Display name.
    pub display_name: String,
    /// Description (Markdown source).
    pub description: String,
    /// Description rendered (sanitised HTML).
    pub description_html: String,
    /// Category slug.
    pub category: Option<String>,
    /// Tag slugs.
    pub tags: Vec<String>,
    /// Rules.
    pub rules: Vec<String>,
    /// Avatar URL or empty.
    pub avatar_url: String,
    /// Banner URL or empty.
    pub banner_url: String,
    /// Who reads it.
    pub visibility: GroupVisibility,
    /// How one joins.
    pub join_mode: JoinMode,
    /// Member limit.
    pub member_limit: Option<u32>,
    /// Who posts.
    pub posting: Posting,
    /// Feature switches.
    pub features: GroupFeatures,
    /// The owner.
    pub owner: Option<MemberSummary>,
    /// Members (a stored counter).
    pub members_count: i64,
    /// Posts (a stored counter).
    pub posts_count: i64,
    /// Created (RFC 3339).
    #[serde(serialize_with = "crate::model::rfc3339::serialize")]
    pub created_at: i64,
    /// The viewer's membership and role (absent when signed out).
    pub viewer: Option<GroupViewerState>,
    /// For a group of another server, its page there (`None` for a local
    /// group). Its counts are what this node knows: its members here, the
    /// posts it announced here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A member of a group, as its member list shows them.
#[derive(Debug, Clone, Serialize)]
pub struct GroupMemberView {
    /// The member.
    pub account: MemberSummary,
    /// Their role.
    pub role: GroupMemberRole,
    /// Since (RFC 3339): joined, or asked to join in a request list.
    #[serde(serialize_with = "crate::model::rfc3339::serialize")]
    pub since: i64,
}

/// A group as loaded for an action: its account and settings.
#[derive(Debug, Clone)]
pub(crate) struct LoadedGroup {
    pub(crate) account: Member,
    pub(crate) settings: GroupSettings,
}

impl LoadedGroup {
    fn id(&self) -> Id {
        self.account.id
    }
}

impl Node {
    /// The local group `name` (not deleted, not suspended), or
    /// `NotFound("group")`. A `name@host` handle of another server is not
    /// a local group; one of this node's own domain is.
    pub(crate) fn local_group(&self, name: &str) -> NodeResult<LoadedGroup> {
        let name = name.trim().trim_start_matches('@');
        let name = match name.split_once('@') {
            Some((handle, host)) if host.eq_ignore_ascii_case(&self.config().domain) => handle,
            Some(_) => return Err(NodeError::NotFound("group")),
            None => name,
        };
        if name.is_empty() || name.starts_with("did:") {
            return Err(NodeError::NotFound("group"));
        }
        let account = match self.member_by_name(name)? {
            Some(m)
                if m.kind == AccountKind::Group
                    && m.is_local()
                    && m.deleted_at.is_none()
                    && m.status == MemberStatus::Active =>
            {
                m
            }
            _ => return Err(NodeError::NotFound("group")),
        };
        let settings = self
            .store
            .load::<tables::Group>(account.id)?
            .ok_or(NodeError::NotFound("group"))?;
        Ok(LoadedGroup { account, settings })
    }

    /// `member`'s stored role in `group`, read inside a write.
    fn group_role_in(txn: &Txn<'_>, group: Id, member: Id) -> NodeResult<Option<GroupRole>> {
        txn.load::<tables::GroupRoles>((group, member))
    }

    /// Whether `member` is an owner or moderator of `group` (read outside
    /// a write).
    fn moderates(&self, group: &LoadedGroup, member: Id) -> NodeResult<bool> {
        Ok(self
            .store
            .load::<tables::GroupRoles>((group.id(), member))?
            .is_some())
    }

    /// The viewer's stored role in `group` (`Forbidden` unless owner or
    /// moderator), read inside a write.
    fn require_group_moderator(txn: &Txn<'_>, group: Id, viewer: &Member) -> NodeResult<GroupRole> {
        Self::group_role_in(txn, group, viewer.id)?.ok_or(NodeError::Forbidden(
            "only the group's owner and moderators can do this",
        ))
    }

    /// Writes an entry in the group's moderation log and the same action
    /// (`group.` before it) in the node's audit log, inside `txn`.
    fn group_log(
        &self,
        txn: &mut Txn<'_>,
        viewer: &Viewer,
        group: &Member,
        action: &str,
        target: &str,
        detail: &str,
    ) -> NodeResult<()> {
        let actor = viewer.member()?;
        let entry = GroupModEntry {
            id: self.ids.next(),
            actor_id: actor.id,
            actor: actor.username.clone(),
            action: action.to_string(),
            target: target.to_string(),
            detail: detail.to_string(),
            at: crate::model::now_ms(),
        };
        txn.store::<tables::GroupModLog>((group.id, entry.id), &entry)?;
        let audit_action = if action.starts_with("group.") {
            action.to_string()
        } else {
            format!("group.{action}")
        };
        let audit_target = if target.is_empty() {
            group.username.clone()
        } else {
            format!("{} in {}", target, group.username)
        };
        self.audit(txn, Some(viewer), &audit_action, &audit_target, detail)
    }

    /// Logs a moderator's `action` on the person `target` in `group`, as
    /// [`Node::group_log`] does.
    fn group_log_member(
        &self,
        txn: &mut Txn<'_>,
        viewer: &Viewer,
        group: &LoadedGroup,
        action: &str,
        target: &Member,
        detail: &str,
    ) -> NodeResult<()> {
        self.group_log(
            txn,
            viewer,
            &group.account,
            action,
            &target.username,
            detail,
        )
    }

    /// The acting member, the local group `name` and the person
    /// `username` of a moderator's action, checked in that order.
    fn moderation_parties(
        &self,
        viewer: &Viewer,
        name: &str,
        username: &str,
    ) -> NodeResult<(Member, LoadedGroup, Member)> {
        let me = viewer.member()?.clone();
        let group = self.local_group(name)?;
        let target = self.group_target(username)?;
        Ok((me, group, target))
    }

    /// `reason` trimmed, or 422 naming `reason` when longer than
    /// [`REASON_CHARS`].
    fn checked_reason(reason: &str) -> NodeResult<&str> {
        let reason = reason.trim();
        if reason.chars().count() > REASON_CHARS {
            return Err(NodeError::invalid(
                "reason",
                format!("at most {REASON_CHARS} characters"),
            ));
        }
        Ok(reason)
    }

    /// The local, active person `username` (the target of a moderator's
    /// action), or `NotFound("member")`.
    fn group_target(&self, username: &str) -> NodeResult<Member> {
        match self.member_by_name(username)? {
            Some(m) if !m.is_group() && m.deleted_at.is_none() => Ok(m),
            _ => Err(NodeError::NotFound("member")),
        }
    }
}
