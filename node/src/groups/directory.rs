//! Reading groups: one group as the viewer sees it, its members, and the
//! directory of the node's groups.

use super::{
    GroupFeatures, GroupMemberRole, GroupMemberView, GroupRole, GroupView, GroupViewerState,
    GroupVisibility, JoinMode, LoadedGroup, Membership, Posting,
};
use crate::error::{NodeError, NodeResult};
use crate::feeds::{scan, Page, PageRequest};
use crate::id::Id;
use crate::model::{Member, MemberStatus, MemberSummary, Role};
use crate::node::{Node, Viewer};
use crate::store::tables;
use crate::validate;

/// How many of the newest groups `sort=members` ranks: it reads their
/// counters and sorts in memory, so it costs at most this many reads, and
/// an older group outside them is not ranked. It answers one page (no
/// cursors).
pub const DIRECTORY_SORT_BOUND: usize = 1000;

/// The directory's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GroupSort {
    /// Most members first (one page, see [`DIRECTORY_SORT_BOUND`]).
    Members,
    /// Newest first, paged by cursor.
    #[default]
    New,
}

impl GroupSort {
    /// Parses `members` or `new` (422 naming `sort`).
    pub fn parse(value: &str) -> NodeResult<GroupSort> {
        match value {
            "members" => Ok(GroupSort::Members),
            "new" | "" => Ok(GroupSort::New),
            _ => Err(NodeError::invalid("sort", "must be members or new")),
        }
    }
}

/// Most followed accounts [`Node::moderated_groups`] looks at.
pub const MODERATED_SCAN: usize = 2_000;

/// The longest directory query, in characters.
const QUERY_CHARS: usize = 100;

impl Node {
    /// The group `name` as the viewer sees it, with the viewer's membership
    /// and role. Anyone sees a group, private ones included (their name,
    /// description and counts); a private group's members and posts are
    /// for its members.
    pub fn group(&self, viewer: &Viewer, name: &str) -> NodeResult<GroupView> {
        if let Some(remote) = self.remote_group_named(name)? {
            return self.remote_group_view(viewer, &remote);
        }
        let group = self.local_group(name)?;
        self.group_view(viewer, &group)
    }

    /// A group of another server as this node knows it: its profile, the
    /// members it has here and the posts it announced here. Its rules and
    /// settings live on its own server.
    fn remote_group_view(&self, viewer: &Viewer, account: &Member) -> NodeResult<GroupView> {
        let gid = account.id;
        let state = match viewer.id() {
            None => None,
            Some(me) => Some(self.group_viewer_state(gid, me)?),
        };
        Ok(GroupView {
            id: gid,
            name: account.username.clone(),
            display_name: account.profile.full_name.clone(),
            description: String::new(),
            description_html: account.profile.bio.about.clone(),
            category: None,
            tags: Vec::new(),
            rules: Vec::new(),
            avatar_url: account.profile.avatar_url.clone(),
            banner_url: String::new(),
            visibility: GroupVisibility::Public,
            join_mode: if account.locked {
                JoinMode::Approval
            } else {
                JoinMode::Open
            },
            member_limit: None,
            posting: Posting::Members,
            features: GroupFeatures::default(),
            owner: None,
            members_count: self.store.counter::<tables::FollowerCount>(gid)?,
            posts_count: self.store.counter::<tables::PostCount>(gid)?,
            created_at: account.created_at,
            viewer: state,
            url: account.remote.as_ref().map(|r| r.url.clone()),
        })
    }

    /// Renders a loaded group for the viewer.
    pub(crate) fn group_view(&self, viewer: &Viewer, group: &LoadedGroup) -> NodeResult<GroupView> {
        let gid = group.id();
        let state = match viewer.id() {
            None => None,
            Some(me) => Some(self.group_viewer_state(gid, me)?),
        };
        let owner = self
            .member(group.settings.owner)?
            .map(|m| Self::summary(&m));
        let s = &group.settings;
        Ok(GroupView {
            id: gid,
            name: group.account.username.clone(),
            display_name: group.account.profile.full_name.clone(),
            description: s.description.clone(),
            description_html: s.description_html.clone(),
            category: s.category.clone(),
            tags: s.tags.clone(),
            rules: s.rules.clone(),
            avatar_url: group.account.profile.avatar_url.clone(),
            banner_url: s.banner_url.clone(),
            visibility: s.visibility,
            join_mode: s.join_mode,
            member_limit: s.member_limit,
            posting: s.posting,
            features: s.features.clone(),
            owner,
            members_count: self.store.counter::<tables::FollowerCount>(gid)?,
            posts_count: self.store.counter::<tables::PostCount>(gid)?,
            created_at: s.created_at,
            viewer: state,
            url: None,
        })
    }

    fn group_viewer_state(&self, group: Id, me: Id) -> NodeResult<GroupViewerState> {
        let membership = if self.store.has::<tables::Following>((me, group))? {
            Membership::Member
        } else if self.store.has::<tables::GroupBans>((group, me))? {
            Membership::Banned
        } else if self.store.has::<tables::FollowRequests>((group, me))? {
            Membership::Pending
        } else if self.store.has::<tables::GroupInvites>((group, me))? {
            Membership::Invited
        } else {
            Membership::None
        };
        let role = match membership {
            Membership::Member => Some(GroupMemberRole::from(
                self.store.load::<tables::GroupRoles>((group, me))?,
            )),
            _ => None,
        };
        let post_alerts = membership == Membership::Member
            && self.store.has::<tables::GroupPostAlerts>((group, me))?;
        Ok(GroupViewerState {
            membership,
            role,
            post_alerts,
        })
    }

    /// Whether the viewer may read the group's members and its posts: anyone for a public group; for a private one its members
    /// and the node's moderators.
    pub(super) fn can_read_group(&self, viewer: &Viewer, group: &LoadedGroup) -> NodeResult<bool> {
        if group.settings.visibility == GroupVisibility::Public || viewer.has_role(Role::Moderator)
        {
            return Ok(true);
        }
        match viewer.id() {
            Some(me) => self.store.has::<tables::Following>((me, group.id())),
            None => Ok(false),
        }
    }

    /// The members of the group `name`, by member id (newest account
    /// first), with their roles; `role` keeps only those of one role.
    /// A private group's list is for its members (403 for others).
    pub fn group_members(
        &self,
        viewer: &Viewer,
        name: &str,
        role: Option<GroupMemberRole>,
        req: &PageRequest,
    ) -> NodeResult<Page<GroupMemberView>> {
        let group = self.local_group(name)?;
        if !self.can_read_group(viewer, &group)? {
            return Err(NodeError::Forbidden(
                "this group's members are visible to its members only",
            ));
        }
        let gid = group.id();
        let view =
            |id: Id, role: GroupMemberRole, since: i64| -> NodeResult<Option<GroupMemberView>> {
                Ok(self
                    .member(id)?
                    .filter(|m| m.status == MemberStatus::Active && m.deleted_at.is_none())
                    .map(|m| GroupMemberView {
                        account: Self::summary(&m),
                        role,
                        since,
                    }))
            };
        match role {
            Some(wanted @ (GroupMemberRole::Owner | GroupMemberRole::Moderator)) => {
                scan::<tables::GroupRoles, _, _>(&self.store, gid, req, |id, stored| {
                    let role = GroupMemberRole::from(Some(stored));
                    match self.store.load::<tables::Followers>((gid, id))? {
                        Some(since) if role == wanted => view(id, role, since),
                        _ => Ok(None),
                    }
                })
            }
            _ => {
                let plain_only = role == Some(GroupMemberRole::Member);
                scan::<tables::Followers, _, _>(&self.store, gid, req, |id, since| {
                    let role =
                        GroupMemberRole::from(self.store.load::<tables::GroupRoles>((gid, id))?);
                    if plain_only && role != GroupMemberRole::Member {
                        return Ok(None);
                    }
                    view(id, role, since)
                })
            }
        }
    }

    /// The local groups the viewer owns or moderates, by name: those an
    /// event may be organised for (whether a group has events turned on
    /// is in each view's `features`). Looked for among the first
    /// [`MODERATED_SCAN`] accounts the viewer follows (a group's members,
    /// its owner included, follow it).
    pub fn moderated_groups(&self, viewer: &Viewer) -> NodeResult<Vec<GroupView>> {
        let me = viewer.member()?.id;
        let mut groups = Vec::new();
        for key in self
            .store
            .scan::<tables::Following>((me,), false)
            .keys()
            .take(MODERATED_SCAN)
        {
            let (_, followee) = key?;
            if !self.store.has::<tables::GroupRoles>((followee, me))? {
                continue;
            }
            let Some(account) = self.member(followee)? else {
                continue;
            };
            if let Ok(group) = self.local_group(&account.username) {
                groups.push(self.group_view(viewer, &group)?);
            }
        }
        groups.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(groups)
    }

    /// The directory of the node's groups and of the groups of other
    /// servers that members here joined (from the Accept of the first
    /// one, newest by when this node first knew them): those whose name
    /// or display name contains `q`
    /// (case-insensitive), in `category` if given, newest first (paged) or
    /// by members (one page of the [`DIRECTORY_SORT_BOUND`] newest).
    /// Private groups are listed: their name and description are public.
    pub fn groups_directory(
        &self,
        viewer: &Viewer,
        q: Option<&str>,
        category: Option<&str>,
        sort: GroupSort,
        req: &PageRequest,
    ) -> NodeResult<Page<GroupView>> {
        let q = q.map(str::trim).filter(|q| !q.is_empty());
        if let Some(q) = q {
            validate::max_chars("q", q, QUERY_CHARS)?;
        }
        let q = q.map(str::to_lowercase);
        let category = category
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| validate::slug("category", c))
            .transpose()?;
        let accept = |id: Id| -> NodeResult<Option<GroupView>> {
            let Some(account) = self.member(id)? else {
                return Ok(None);
            };
            if account.deleted_at.is_some() || account.status != MemberStatus::Active {
                return Ok(None);
            }
            if let Some(q) = &q {
                let hit = account.username.to_lowercase().contains(q.as_str())
                    || account
                        .profile
                        .full_name
                        .to_lowercase()
                        .contains(q.as_str());
                if !hit {
                    return Ok(None);
                }
            }
            let Some(settings) = self.store.load::<tables::Group>(id)? else {
                // A group of another server that members here joined.
                if account.is_remote_group() {
                    return self.remote_group_view(viewer, &account).map(Some);
                }
                return Ok(None);
            };
            self.group_view(viewer, &LoadedGroup { account, settings })
                .map(Some)
        };
        match sort {
            GroupSort::New => match &category {
                Some(c) => {
                    scan::<tables::GroupsByCategory, _, _>(&self.store, c.as_str(), req, |id, _| {
                        accept(id)
                    })
                }
                None => {
                    scan::<tables::GroupDirectory, _, _>(&self.store, (), req, |id, _| accept(id))
                }
            },
            GroupSort::Members => {
                let limit = req.limit()?;
                let ids: Vec<Id> = match &category {
                    Some(c) => self
                        .store
                        .scan::<tables::GroupsByCategory>((c.as_str(),), true)
                        .keys()
                        .take(DIRECTORY_SORT_BOUND)
                        .map(|k| k.map(|(_, id)| id))
                        .collect::<Result<_, _>>()?,
                    None => self
                        .store
                        .scan::<tables::GroupDirectory>((), true)
                        .keys()
                        .take(DIRECTORY_SORT_BOUND)
                        .collect::<Result<_, _>>()?,
                };
                let mut ranked: Vec<(i64, Id)> = Vec::with_capacity(ids.len());
                for id in ids {
                    ranked.push((self.store.counter::<tables::FollowerCount>(id)?, id));
                }
                // Most members first; among equals, the newest.
                ranked.sort_by(|a, b| b.cmp(a));
                let mut items = Vec::new();
                for (_, id) in ranked {
                    if items.len() >= limit {
                        break;
                    }
                    if let Some(view) = accept(id)? {
                        items.push(view);
                    }
                }
                Ok(Page {
                    items,
                    next_max_id: None,
                    prev_min_id: None,
                })
            }
        }
    }
}

impl Node {
    /// The owner and moderators of the group `name`, owner first (at most
    /// [`MAX_MODERATORS_LISTED`]): public, whatever the group's visibility,
    /// as a Lemmy community's `moderators` collection is.
    pub fn group_moderators(&self, name: &str) -> NodeResult<Vec<MemberSummary>> {
        let group = self.local_group(name)?;
        let mut owner = Vec::new();
        let mut moderators = Vec::new();
        for entry in self
            .store
            .scan::<tables::GroupRoles>((group.id(),), false)
            .take(MAX_MODERATORS_LISTED)
        {
            let ((_, id), role) = entry?;
            let Some(m) = self
                .member(id)?
                .filter(|m| m.status == MemberStatus::Active && m.deleted_at.is_none())
            else {
                continue;
            };
            match role {
                GroupRole::Owner => owner.push(Self::summary(&m)),
                GroupRole::Moderator => moderators.push(Self::summary(&m)),
            }
        }
        owner.extend(moderators);
        Ok(owner)
    }
}

/// The most moderators [`Node::group_moderators`] lists.
pub const MAX_MODERATORS_LISTED: usize = 100;
