//! Groups in the members' app: the directory (`/groups`), a group's page
//! (`/g/{name}`), its member list, and joining and leaving. The create and
//! settings forms are in `groups_settings.rs`, the moderators' page and
//! forms in `groups_moderation.rs`.
//!
//! Groups live at `/g/{name}` (as Lemmy's communities at `/c/{name}`), so
//! that no group name can clash with `/groups/new`. Every page is for
//! signed-in members; whether one may read a member list is the node's
//! answer ([`node::Node::group_members`]).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use node::groups::{
    GroupMemberRole, GroupPostSort, GroupPostsRequest, GroupSort, GroupView, GroupVisibility,
    JoinMode, JoinState, Membership, Posting, TopPeriod,
};
use node::model::Role;
use node::{NodeError, PageRequest};
use serde::Deserialize;

use super::{render, render_with_status, AppError, AppForm, Me, MemberSession};
use crate::public_pages::{site, Site};
use crate::state::AppState;

/// Groups per directory page.
const DIRECTORY_PAGE: usize = 20;
/// Members per member list page.
const MEMBERS_PAGE: usize = 40;
/// The longest description excerpt in the directory, in characters.
const EXCERPT_CHARS: usize = 200;

/// The page of the group `name`, or the directory when the name cannot
/// make a plain path on this site (a `Location` must be one).
pub(super) fn group_path(name: &str, rest: &str) -> String {
    let path = format!("/g/{name}{rest}");
    if super::local_path(&path) {
        path
    } else {
        "/groups".into()
    }
}

/// What a `?done=` code says on a group's pages. Codes, not free text, so
/// that a link cannot make a page show someone else's words.
pub(super) fn notice(code: &str) -> Option<&'static str> {
    Some(match code {
        "created" => "The group is created. You are its owner and first member.",
        "joined" => "You are a member now.",
        "requested" => "Your request to join is sent. A moderator will answer it.",
        "left" => "You have left the group.",
        "cancelled" => "Your request to join is withdrawn.",
        "saved" => "The group's settings are saved.",
        "deleted" => "The group is deleted.",
        "approved" => "The request is approved: they are a member now.",
        "rejected" => "The request is rejected.",
        "banned" => "The member is banned.",
        "unbanned" => "The ban is lifted.",
        "removed" => "The post is removed from the group.",
        "invited" => "The invitation is sent.",
        "role" => "The role is changed.",
        _ => return None,
    })
}

/// A group as the app's pages show it.
#[derive(Debug, Clone)]
pub struct GroupItem {
    /// Handle.
    pub name: String,
    /// Display name.
    pub display_name: String,
    /// Description, rendered and sanitised by the node.
    pub description_html: String,
    /// The start of the description's source, for the directory.
    pub excerpt: String,
    /// Category slug.
    pub category: Option<String>,
    /// Tag slugs.
    pub tags: Vec<String>,
    /// Rules, in order.
    pub rules: Vec<String>,
    /// Avatar URL or empty.
    pub avatar_url: String,
    /// Members (a stored counter).
    pub members_count: i64,
    /// Posts (a stored counter).
    pub posts_count: i64,
    /// `public` or `private`.
    pub visibility: &'static str,
    /// Who reads it, in words.
    pub visibility_text: &'static str,
    /// `open`, `approval` or `invite`.
    pub join_mode: &'static str,
    /// How one joins, in words.
    pub join_text: &'static str,
    /// Member limit, if any.
    pub member_limit: Option<u32>,
    /// Who posts, in words.
    pub posting_text: &'static str,
    /// The owner's username, if the account is still there.
    pub owner: Option<String>,
    /// Created (RFC 3339).
    pub created: String,
    /// The viewer's membership: `none`, `invited`, `pending`, `member` or
    /// `banned`.
    pub state: &'static str,
    /// The viewer's role, in words, when a member.
    pub role: Option<&'static str>,
    /// The viewer is its owner or a moderator.
    pub moderates: bool,
    /// The viewer is its owner.
    pub owns: bool,
    /// The viewer may delete it (its owner, or an admin of the node).
    pub can_delete: bool,
    /// For a group of another server, its page there (it is managed
    /// there: no member list, moderation or settings here).
    pub remote_url: Option<String>,
}

/// A role in words.
pub(super) fn role_word(role: GroupMemberRole) -> &'static str {
    match role {
        GroupMemberRole::Owner => "Owner",
        GroupMemberRole::Moderator => "Moderator",
        GroupMemberRole::Member => "Member",
    }
}

/// At most `max` characters of `text`'s first paragraph, `…` when cut.
fn excerpt(text: &str, max: usize) -> String {
    let first = text.split("\n\n").next().unwrap_or("").trim();
    let cut: String = first.chars().take(max).collect();
    if cut.len() < first.len() {
        format!("{cut}…")
    } else {
        cut
    }
}

impl GroupItem {
    /// The group `view` as `session`'s member sees it.
    pub(super) fn of(view: &GroupView, session: &MemberSession) -> Self {
        let (visibility, visibility_text) = match view.visibility {
            GroupVisibility::Public => ("public", "Public: anyone may read it"),
            GroupVisibility::Private => (
                "private",
                "Private: only its members read its posts and member list",
            ),
        };
        let (join_mode, join_text) = match view.join_mode {
            JoinMode::Open => ("open", "Anyone may join"),
            JoinMode::Approval => ("approval", "Joining needs a moderator's approval"),
            JoinMode::Invite => ("invite", "By invitation only"),
        };
        let posting_text = match view.posting {
            Posting::Members => "Every member may post",
            Posting::Moderators => "Only the owner and moderators post",
        };
        let viewer = view.viewer.as_ref();
        let state = match viewer.map(|v| v.membership) {
            Some(Membership::Invited) => "invited",
            Some(Membership::Pending) => "pending",
            Some(Membership::Member) => "member",
            Some(Membership::Banned) => "banned",
            Some(Membership::None) | None => "none",
        };
        let role = viewer.and_then(|v| v.role);
        let owns = role == Some(GroupMemberRole::Owner);
        GroupItem {
            name: view.name.clone(),
            display_name: view.display_name.clone(),
            description_html: view.description_html.clone(),
            excerpt: excerpt(&view.description, EXCERPT_CHARS),
            category: view.category.clone(),
            tags: view.tags.clone(),
            rules: view.rules.clone(),
            avatar_url: view.avatar_url.clone(),
            members_count: view.members_count,
            posts_count: view.posts_count,
            visibility,
            visibility_text,
            join_mode,
            join_text,
            member_limit: view.member_limit,
            posting_text,
            owner: view.owner.as_ref().map(|o| o.username.clone()),
            created: node::model::rfc3339::format(view.created_at),
            state,
            role: role.map(role_word),
            moderates: owns || role == Some(GroupMemberRole::Moderator),
            owns,
            can_delete: view.url.is_none() && (owns || session.viewer.has_role(Role::Admin)),
            remote_url: view.url.clone(),
        }
    }

    /// "1 member" or "N members".
    pub fn members_text(&self) -> String {
        match self.members_count {
            1 => "1 member".into(),
            n => format!("{n} members"),
        }
    }
}

/// The directory's query: search, category, sort, cursor, notice.
#[derive(Debug, Default, Deserialize)]
pub struct DirectoryQuery {
    /// Words in the name or display name.
    q: Option<String>,
    /// Category slug.
    category: Option<String>,
    /// `members` or `new`.
    sort: Option<String>,
    /// Older-than cursor (newest-first order only).
    max_id: Option<String>,
    /// A notice code after a form.
    done: Option<String>,
}

/// The directory of groups.
#[derive(Template)]
#[template(path = "app/groups/directory.html")]
pub struct DirectoryPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    /// The search as typed.
    pub q: String,
    /// The category filter as typed.
    pub category: String,
    /// `members` or `new`.
    pub sort: &'static str,
    /// The groups found.
    pub groups: Vec<GroupItem>,
    /// The query string of the next page, if there is one.
    pub next: Option<String>,
    /// An error about the search or the category, by field.
    pub q_error: Option<String>,
    /// An error about the category.
    pub category_error: Option<String>,
    /// Whether a filter is set (the empty message differs).
    pub filtered: bool,
    pub notice: Option<&'static str>,
    /// Recommended for the member, with why (`discover.rs`).
    pub recs: Vec<super::discover::RecItem>,
}

/// `value` with the characters a query string cannot carry as they are
/// percent-encoded.
fn query_value(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// GET /groups — the directory of this node's groups: search by name
/// (`q`), a category, newest first (paged) or by members.
pub async fn directory(
    State(s): State<AppState>,
    session: MemberSession,
    Query(query): Query<DirectoryQuery>,
) -> Result<Response, AppError> {
    let q = query.q.as_deref().unwrap_or("").trim().to_string();
    let category = query.category.as_deref().unwrap_or("").trim().to_string();
    let sort = match query.sort.as_deref() {
        Some("members") => GroupSort::Members,
        _ => GroupSort::New,
    };
    let req = PageRequest {
        max_id: query.max_id.as_deref().and_then(|m| m.parse().ok()),
        ..PageRequest::first(DIRECTORY_PAGE)
    };
    let (mut q_error, mut category_error) = (None, None);
    let found = s.node.groups_directory(
        &session.viewer,
        Some(q.as_str()),
        Some(category.as_str()),
        sort,
        &req,
    );
    let (groups, next, status) = match found {
        Ok(page) => {
            let next = page.next_max_id.map(|id| {
                format!(
                    "q={}&category={}&sort=new&max_id={id}",
                    query_value(&q),
                    query_value(&category)
                )
            });
            let groups = page
                .items
                .iter()
                .map(|g| GroupItem::of(g, &session))
                .collect();
            (groups, next, StatusCode::OK)
        }
        Err(NodeError::Invalid { field, message }) => {
            match field.as_str() {
                "category" => category_error = Some(message),
                _ => q_error = Some(message),
            }
            (Vec::new(), None, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => return Err(e.into()),
    };
    let recs = super::discover::recommended(
        &s,
        &session.viewer,
        node::ranking::RecommendationKind::Groups,
        5,
    );
    let Site {
        domain,
        members,
        posts,
    } = site(&s)?;
    render_with_status(
        DirectoryPage {
            recs,
            domain,
            members,
            posts,
            me: Some(session.me),
            filtered: !q.is_empty() || !category.is_empty(),
            q,
            category,
            sort: match sort {
                GroupSort::Members => "members",
                GroupSort::New => "new",
            },
            groups,
            next,
            q_error,
            category_error,
            notice: query.done.as_deref().and_then(notice),
        },
        status,
    )
}

/// A group's page.
#[derive(Template)]
#[template(path = "app/groups/group.html")]
pub struct GroupPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    pub group: GroupItem,
    pub notice: Option<&'static str>,
    /// The feed's order: `new`, `hot` or `top`.
    pub sort: &'static str,
    /// The group's posts, as the member sees them (none when the node
    /// keeps them from the member: `feed_closed` says why).
    pub feed: Vec<crate::public_pages::Card>,
    /// Why the feed is not shown, if it is not.
    pub feed_closed: Option<String>,
    /// The link to the next page of the feed.
    pub next: Option<String>,
    /// The compose form, for a member who may post.
    pub compose: Option<super::templates::Compose>,
    /// The visibilities a group post may have.
    pub visibilities: [(&'static str, &'static str); 2],
}

/// The visibilities of a group post: public or unlisted.
const GROUP_VISIBILITIES: [(&str, &str); 2] = [("public", "Public"), ("unlisted", "Unlisted")];

/// The query of a group's page: what was just done, and the feed's order
/// and cursor.
#[derive(Debug, Default, Deserialize)]
pub struct GroupPageQuery {
    done: Option<String>,
    sort: Option<String>,
    max_id: Option<String>,
    cursor: Option<String>,
}

/// GET /g/{name} — a group: about, rules, counts, the member's membership
/// and role with the join or leave form, links to its members and (for
/// its moderators) its moderation page and settings; its posts (`?sort=`
/// `new`, `hot` or `top`, paged) with the compose form for its members.
pub async fn page(
    State(s): State<AppState>,
    Path(name): Path<String>,
    session: MemberSession,
    Query(query): Query<GroupPageQuery>,
) -> Result<Response, AppError> {
    // A group of another server (`name@host`) is looked up the first time.
    let name = crate::remote_groups::group_handle(&s, &session.viewer, &name).await?;
    let view = s.node.group(&session.viewer, &name)?;
    let (sort, order) = match query.sort.as_deref() {
        Some("hot") => ("hot", GroupPostSort::Hot),
        Some("top") => ("top", GroupPostSort::Top(TopPeriod::All)),
        _ => ("new", GroupPostSort::New),
    };
    let request = GroupPostsRequest {
        sort: order,
        page: PageRequest {
            max_id: query.max_id.as_deref().and_then(|m| m.parse().ok()),
            ..PageRequest::first(20)
        },
        cursor: query.cursor.clone(),
    };
    let here = group_path(&view.name, &format!("?sort={sort}"));
    let (feed, feed_closed, next) = match s.node.group_posts(&session.viewer, &name, &request) {
        Ok(page) => {
            let urls = s.node.urls();
            let cards = page
                .items
                .iter()
                .map(|p| crate::public_pages::member_card(urls, p, &session.me, &here))
                .collect();
            let next = match (page.next_max_id, page.next) {
                (Some(id), _) => Some(format!("{here}&max_id={id}")),
                (None, Some(cursor)) => Some(format!("{here}&cursor={cursor}")),
                _ => None,
            };
            (cards, None, next)
        }
        Err(NodeError::Forbidden(why)) => (Vec::new(), Some(why.to_string()), None),
        Err(e) => return Err(e.into()),
    };
    let item = GroupItem::of(&view, &session);
    let may_post =
        item.state == "member" && (view.posting == Posting::Members || item.role.is_some());
    let compose = may_post.then(|| super::templates::Compose {
        visibility: "public".into(),
        group: view.name.clone(),
        back: group_path(&view.name, ""),
        ..Default::default()
    });
    let Site {
        domain,
        members,
        posts,
    } = site(&s)?;
    render(GroupPage {
        domain,
        members,
        posts,
        group: item,
        me: Some(session.me),
        notice: query.done.as_deref().and_then(notice),
        sort,
        feed,
        feed_closed,
        next,
        compose,
        visibilities: GROUP_VISIBILITIES,
    })
}

/// POST /g/{name}/join — joins the group, or asks to in a group that
/// approves its members; back (303) to the group's page with a notice.
/// Refusals (banned, invitation only, full) are the node's.
pub async fn join(
    State(s): State<AppState>,
    Path(name): Path<String>,
    AppForm { session, .. }: AppForm,
) -> Result<Response, AppError> {
    let name = crate::remote_groups::group_handle(&s, &session.viewer, &name).await?;
    let outcome = s.node.join_group(&session.viewer, &name).await?;
    let done = match outcome.state {
        JoinState::Member => "joined",
        JoinState::Pending => "requested",
    };
    Ok(Redirect::to(&group_path(&name, &format!("?done={done}"))).into_response())
}

/// POST /g/{name}/leave — leaves the group (not its owner: the node says
/// why); back (303) to its page.
pub async fn leave(
    State(s): State<AppState>,
    Path(name): Path<String>,
    AppForm { session, .. }: AppForm,
) -> Result<Response, AppError> {
    s.node.leave_group(&session.viewer, &name).await?;
    Ok(Redirect::to(&group_path(&name, "?done=left")).into_response())
}

/// POST /g/{name}/cancel — withdraws the member's request to join (the
/// node's leave, which ends a request as a membership); back (303).
pub async fn cancel(
    State(s): State<AppState>,
    Path(name): Path<String>,
    AppForm { session, .. }: AppForm,
) -> Result<Response, AppError> {
    s.node.leave_group(&session.viewer, &name).await?;
    Ok(Redirect::to(&group_path(&name, "?done=cancelled")).into_response())
}

/// A member as the member list shows them.
pub struct MemberItem {
    /// Username.
    pub username: String,
    /// Display name.
    pub name: String,
    /// Role in words.
    pub role: &'static str,
    /// A plain member (moderators may make them one).
    pub plain: bool,
    /// A moderator (the owner's role never changes).
    pub moderator: bool,
    /// Member since (RFC 3339).
    pub since: String,
}

/// The query of the member list: cursor and notice.
#[derive(Debug, Default, Deserialize)]
pub struct MembersQuery {
    /// Older-than cursor.
    max_id: Option<String>,
    done: Option<String>,
}

/// A group's member list.
#[derive(Template)]
#[template(path = "app/groups/members.html")]
pub struct MembersPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    pub group: GroupItem,
    /// The members, or why they are not shown.
    pub list: Result<Vec<MemberItem>, String>,
    /// Older-than cursor of the next page.
    pub next: Option<node::Id>,
    /// This page, for the role forms to come back to.
    pub here: String,
    pub notice: Option<&'static str>,
}

/// GET /g/{name}/members — the group's members with their roles, paged;
/// its moderators get forms to change roles. A group whose list the
/// member may not read (a private one they are not in) shows its count
/// and why, with the node's 403.
pub async fn members(
    State(s): State<AppState>,
    Path(name): Path<String>,
    session: MemberSession,
    Query(query): Query<MembersQuery>,
) -> Result<Response, AppError> {
    let view = s.node.group(&session.viewer, &name)?;
    let req = PageRequest {
        max_id: query.max_id.as_deref().and_then(|m| m.parse().ok()),
        ..PageRequest::first(MEMBERS_PAGE)
    };
    let (list, next, status) = match s.node.group_members(&session.viewer, &name, None, &req) {
        Ok(page) => {
            let list = page
                .items
                .iter()
                .map(|m| MemberItem {
                    username: m.account.username.clone(),
                    name: if m.account.full_name.is_empty() {
                        m.account.username.clone()
                    } else {
                        m.account.full_name.clone()
                    },
                    role: role_word(m.role),
                    plain: m.role == GroupMemberRole::Member,
                    moderator: m.role == GroupMemberRole::Moderator,
                    since: node::model::rfc3339::format(m.since),
                })
                .collect();
            (Ok(list), page.next_max_id, StatusCode::OK)
        }
        Err(NodeError::Forbidden(why)) => (Err(why.to_string()), None, StatusCode::FORBIDDEN),
        Err(e) => return Err(e.into()),
    };
    let here = match req.max_id {
        Some(m) => group_path(&view.name, &format!("/members?max_id={m}")),
        None => group_path(&view.name, "/members"),
    };
    let Site {
        domain,
        members,
        posts,
    } = site(&s)?;
    render_with_status(
        MembersPage {
            domain,
            members,
            posts,
            group: GroupItem::of(&view, &session),
            me: Some(session.me),
            list,
            next,
            here,
            notice: query.done.as_deref().and_then(notice),
        },
        status,
    )
}
