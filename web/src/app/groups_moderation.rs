//! A group's moderation page and its moderators' forms: join requests
//! (approve, reject), the node's open reports of the group's posts (remove
//! a post with a reason, ban its author), bans (the banned accounts, ban a
//! username with a reason, lift a ban), invitations, role changes (from
//! the member list) and the group's moderation log. Each form is one node
//! call, whose rules (who may ban whom, whose role may change) are the
//! node's. Only the node's moderators resolve a report.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use node::{NodeError, PageRequest};
use serde::Deserialize;

use super::groups::{group_path, notice, GroupItem};
use super::{field, render_with_status, AppError, AppForm, Me, MemberSession};
use crate::public_pages::{site, Site};
use crate::state::AppState;

/// Join requests, bans and log entries per page.
const PAGE: usize = 40;

/// Reports per page (each examines at most `REPORTS_PAGE × 10 + 100` open
/// reports of the node: see `Node::group_reports`).
const REPORTS_PAGE: usize = 20;

/// A join request as the page lists it.
pub struct RequestItem {
    /// The requester's username.
    pub username: String,
    /// Their display name.
    pub name: String,
    /// Asked (RFC 3339).
    pub since: String,
}

/// A post of the group named by a report, as the page lists it.
pub struct ReportedPostItem {
    /// The post's id.
    pub id: String,
    /// Its page.
    pub url: String,
    /// Its title or the start of its text.
    pub excerpt: String,
}

/// An open report of the group's posts as the page lists it.
pub struct ReportItem {
    /// The report's id.
    pub id: String,
    /// Filed (RFC 3339).
    pub at: String,
    /// The reporter's username, when a person reported.
    pub reporter: Option<String>,
    /// The server that reported, for a report from another server (with
    /// no person named).
    pub origin: Option<String>,
    /// The reported account's username.
    pub account: String,
    /// Its display name (its username when it has none).
    pub account_name: String,
    /// `spam`, `legal`, `violation` or `other`.
    pub category: String,
    /// What the reporter wrote (may be empty).
    pub comment: String,
    /// The group's posts it names.
    pub posts: Vec<ReportedPostItem>,
}

/// A ban as the page lists it.
pub struct BanItem {
    /// The banned account's username.
    pub username: String,
    /// Its display name (its username when it has none).
    pub name: String,
    /// The moderator who banned, when that account still exists.
    pub by: Option<String>,
    /// Why (may be empty).
    pub reason: String,
    /// When (RFC 3339).
    pub at: String,
}

/// A display name, or the username when there is none.
fn shown_name(account: &node::model::MemberSummary) -> String {
    if account.full_name.is_empty() {
        account.username.clone()
    } else {
        account.full_name.clone()
    }
}

/// A moderation log entry as the page lists it.
pub struct LogItem {
    /// Who acted.
    pub actor: String,
    /// What was done, in words.
    pub action: String,
    /// Whom to (a username), or empty.
    pub target: String,
    /// The reason, the new role, the changed fields.
    pub detail: String,
    /// When (RFC 3339).
    pub at: String,
}

/// What a log action code says.
fn action_words(action: &str) -> String {
    match action {
        "group.create" => "created the group",
        "group.update" => "changed the settings",
        "group.delete" => "deleted the group",
        "member.approve" => "approved the request of",
        "member.reject" => "rejected the request of",
        "member.ban" => "banned",
        "member.unban" => "lifted the ban of",
        "member.role" => "changed the role of",
        "member.invite" => "invited",
        other => return other.to_string(),
    }
    .to_string()
}

/// The typed moderation forms: what was typed and the errors next to it.
#[derive(Debug, Default)]
pub struct ModForms {
    /// The ban form's username.
    pub ban_username: String,
    /// The ban form's reason.
    pub ban_reason: String,
    /// The unban form's username.
    pub unban_username: String,
    /// The invite form's username.
    pub invite_username: String,
    /// Errors by form field (`ban_username`, `ban_reason`,
    /// `unban_username`, `invite_username`).
    pub errors: HashMap<&'static str, String>,
}

impl ModForms {
    /// The error next to `field`, if any.
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(String::as_str)
    }
}

/// A group's moderation page.
#[derive(Template)]
#[template(path = "app/groups/moderation.html")]
pub struct ModerationPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    pub group: GroupItem,
    pub requests: Vec<RequestItem>,
    /// Older-than cursor of the next page of requests.
    pub requests_next: Option<node::Id>,
    pub reports: Vec<ReportItem>,
    /// Older-than cursor of the next page of reports.
    pub reports_next: Option<node::Id>,
    pub bans: Vec<BanItem>,
    /// Cursor of the next page of bans.
    pub bans_next: Option<node::Id>,
    pub log: Vec<LogItem>,
    /// Older-than cursor of the next page of the log.
    pub log_next: Option<node::Id>,
    pub forms: ModForms,
    pub notice: Option<&'static str>,
}

/// The query of the moderation page: cursors and notice.
#[derive(Debug, Default, Deserialize)]
pub struct ModerationQuery {
    /// Older-than cursor of the requests.
    requests: Option<String>,
    /// Older-than cursor of the reports.
    reports: Option<String>,
    /// Cursor of the bans.
    bans: Option<String>,
    /// Older-than cursor of the log.
    log: Option<String>,
    done: Option<String>,
}

fn cursor(raw: Option<&str>) -> PageRequest {
    sized_cursor(raw, PAGE)
}

fn sized_cursor(raw: Option<&str>, size: usize) -> PageRequest {
    PageRequest {
        max_id: raw.and_then(|m| m.parse().ok()),
        ..PageRequest::first(size)
    }
}

fn moderation_page(
    s: &AppState,
    session: MemberSession,
    name: &str,
    query: &ModerationQuery,
    forms: ModForms,
    status: StatusCode,
) -> Result<Response, AppError> {
    let view = s.node.group(&session.viewer, name)?;
    let requests =
        s.node
            .group_join_requests(&session.viewer, name, &cursor(query.requests.as_deref()))?;
    let reports = s.node.group_reports(
        &session.viewer,
        name,
        &sized_cursor(query.reports.as_deref(), REPORTS_PAGE),
    )?;
    let bans = s
        .node
        .group_bans(&session.viewer, name, &cursor(query.bans.as_deref()))?;
    let log = s
        .node
        .group_modlog(&session.viewer, name, &cursor(query.log.as_deref()))?;
    let Site {
        domain,
        members,
        posts,
    } = site(s)?;
    render_with_status(
        ModerationPage {
            domain,
            members,
            posts,
            group: GroupItem::of(&view, &session),
            me: Some(session.me),
            requests: requests
                .items
                .iter()
                .map(|r| RequestItem {
                    username: r.account.username.clone(),
                    name: if r.account.full_name.is_empty() {
                        r.account.username.clone()
                    } else {
                        r.account.full_name.clone()
                    },
                    since: node::model::rfc3339::format(r.since),
                })
                .collect(),
            requests_next: requests.next_max_id,
            reports: reports
                .items
                .iter()
                .map(|r| ReportItem {
                    id: r.id.to_string(),
                    at: node::model::rfc3339::format(r.created_at),
                    reporter: r.reporter.as_ref().map(|m| m.username.clone()),
                    origin: match r.reporter {
                        Some(_) => None,
                        None => r.origin_domain.clone(),
                    },
                    account: r.account.username.clone(),
                    account_name: shown_name(&r.account),
                    category: r.category.clone(),
                    comment: r.comment.clone(),
                    posts: r
                        .posts
                        .iter()
                        .map(|p| ReportedPostItem {
                            id: p.id.to_string(),
                            url: format!("/@{}/{}", r.account.username, p.id),
                            excerpt: p.excerpt.clone(),
                        })
                        .collect(),
                })
                .collect(),
            reports_next: reports.next_max_id,
            bans: bans
                .items
                .iter()
                .map(|b| BanItem {
                    username: b.account.username.clone(),
                    name: shown_name(&b.account),
                    by: b.by.as_ref().map(|m| m.username.clone()),
                    reason: b.reason.clone(),
                    at: node::model::rfc3339::format(b.at),
                })
                .collect(),
            bans_next: bans.next_max_id,
            log: log
                .items
                .iter()
                .map(|e| LogItem {
                    actor: e.actor.clone(),
                    action: action_words(&e.action),
                    target: e.target.clone(),
                    detail: e.detail.clone(),
                    at: node::model::rfc3339::format(e.at),
                })
                .collect(),
            log_next: log.next_max_id,
            forms,
            notice: query.done.as_deref().and_then(notice),
        },
        status,
    )
}

/// GET /g/{name}/moderation — for the group's owner and moderators (the
/// node says 403 to others): the join requests with Approve and Reject,
/// the open reports of the group's posts with forms to remove a post and
/// ban its author, the banned accounts with Unban, the ban, unban and
/// invite forms, and the moderation log, each paged.
pub async fn page(
    State(s): State<AppState>,
    Path(name): Path<String>,
    session: MemberSession,
    Query(query): Query<ModerationQuery>,
) -> Result<Response, AppError> {
    moderation_page(
        &s,
        session,
        &name,
        &query,
        ModForms::default(),
        StatusCode::OK,
    )
}

/// Where a moderator's form goes back to: its `back` field when it is a
/// path on this site, else the moderation page; with `?done=` (or
/// `&done=`) `code` added.
fn back_with(form: &HashMap<String, String>, name: &str, code: &str) -> String {
    let to = field(form, "back");
    let to = if super::local_path(to) {
        to.to_string()
    } else {
        group_path(name, "/moderation")
    };
    let join = if to.contains('?') { '&' } else { '?' };
    format!("{to}{join}done={code}")
}

/// POST /g/{name}/members/{user}/{approve|reject|role} — answers a join
/// request, or makes a member a moderator or a plain member again (the
/// form's `role`: `moderator` or `member`); then back (303) with a notice.
pub async fn member_action(
    State(s): State<AppState>,
    Path((name, user, action)): Path<(String, String, String)>,
    AppForm { session, form, .. }: AppForm,
) -> Result<Response, AppError> {
    let v = &session.viewer;
    let code = match action.as_str() {
        "approve" => {
            s.node.approve_group_member(v, &name, &user).await?;
            "approved"
        }
        "reject" => {
            s.node.reject_group_member(v, &name, &user).await?;
            "rejected"
        }
        "role" => {
            s.node
                .set_group_role(v, &name, &user, field(&form, "role"))
                .await?;
            "role"
        }
        _ => {
            return Err(AppError::Page(
                StatusCode::NOT_FOUND,
                "No such action.".into(),
            ))
        }
    };
    Ok(Redirect::to(&back_with(&form, &name, code)).into_response())
}

/// POST /g/{name}/posts/{id}/remove — removes the group's post `id` with
/// the form's `reason` (the author is told; the logs keep who and why);
/// then back (303) with a notice.
pub async fn remove_post(
    State(s): State<AppState>,
    Path((name, raw)): Path<(String, String)>,
    AppForm { session, form, .. }: AppForm,
) -> Result<Response, AppError> {
    let id: node::Id = raw
        .parse()
        .map_err(|_| AppError::Page(StatusCode::NOT_FOUND, "No such post.".into()))?;
    s.node
        .remove_group_post(&session.viewer, &name, id, field(&form, "reason"))
        .await?;
    Ok(Redirect::to(&back_with(&form, &name, "removed")).into_response())
}

/// A typed moderation form (ban, unban, invite).
#[derive(Clone, Copy)]
enum Typed {
    Ban,
    Unban,
    Invite,
}

/// POST /g/{name}/ban — bans the typed username with the typed reason.
pub async fn ban(
    State(s): State<AppState>,
    Path(name): Path<String>,
    form: AppForm,
) -> Result<Response, AppError> {
    typed(&s, &name, form, Typed::Ban).await
}

/// POST /g/{name}/unban — lifts the typed username's ban.
pub async fn unban(
    State(s): State<AppState>,
    Path(name): Path<String>,
    form: AppForm,
) -> Result<Response, AppError> {
    typed(&s, &name, form, Typed::Unban).await
}

/// POST /g/{name}/invite — invites the typed username, who may then join
/// once whatever the join mode.
pub async fn invite(
    State(s): State<AppState>,
    Path(name): Path<String>,
    form: AppForm,
) -> Result<Response, AppError> {
    typed(&s, &name, form, Typed::Invite).await
}

/// One typed form: its node call, then back to the moderation page (303)
/// with a notice, or the page again with what was typed and the error next
/// to its field.
async fn typed(
    s: &AppState,
    name: &str,
    AppForm { session, form, .. }: AppForm,
    kind: Typed,
) -> Result<Response, AppError> {
    let v = &session.viewer;
    let mut forms = ModForms::default();
    let (result, code, username_field) = match kind {
        Typed::Ban => {
            forms.ban_username = field(&form, "username").to_string();
            forms.ban_reason = field(&form, "reason").to_string();
            let r = s
                .node
                .ban_group_member(v, name, &forms.ban_username, &forms.ban_reason)
                .await;
            (r, "banned", "ban_username")
        }
        Typed::Unban => {
            forms.unban_username = field(&form, "username").to_string();
            let r = s
                .node
                .unban_group_member(v, name, &forms.unban_username)
                .await;
            (r, "unbanned", "unban_username")
        }
        Typed::Invite => {
            forms.invite_username = field(&form, "username").to_string();
            let r = s
                .node
                .invite_to_group(v, name, &forms.invite_username)
                .await;
            (r, "invited", "invite_username")
        }
    };
    let error = match result {
        Ok(()) => {
            return Ok(
                Redirect::to(&group_path(name, &format!("/moderation?done={code}")))
                    .into_response(),
            )
        }
        // A group that is gone is no form to show again. A refusal is
        // shown next to the name; to someone who moderates nothing here
        // the page itself is refused.
        Err(e @ NodeError::NotFound("group")) => return Err(e.into()),
        Err(
            e @ (NodeError::Invalid { .. }
            | NodeError::TooLarge { .. }
            | NodeError::Conflict { .. }
            | NodeError::Forbidden(_)
            | NodeError::NotFound(_)),
        ) => crate::error::ApiError::from(e),
        Err(e) => return Err(e.into()),
    };
    let slot = match error.field.as_deref() {
        Some("reason") => "ban_reason",
        _ => username_field,
    };
    forms.errors.insert(slot, error.message);
    moderation_page(
        s,
        session,
        name,
        &ModerationQuery::default(),
        forms,
        error.status,
    )
}
