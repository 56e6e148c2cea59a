//! Members: search, view, and the moderation actions.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use node::model::{Member, MemberStatus, Role};
use node::moderation::MemberAction;
use node::Id;

use super::templates::{MemberPage, MemberRow, MembersPage, MessagePage};
use super::{
    chrome, field, render, see_other, when, AdminSession, PanelError, PanelForm, PanelQuery,
};
use crate::state::AppState;

fn lower<T: std::fmt::Debug>(v: T) -> String {
    format!("{v:?}").to_lowercase()
}

fn row(s: &AppState, m: &Member) -> MemberRow {
    let counts = s.node.member_counts(m.id).unwrap_or_default();
    MemberRow {
        id: m.id.to_string(),
        username: m.username.clone(),
        display_name: m.profile.full_name.clone(),
        email: m.email.clone(),
        role: lower(m.role),
        status: lower(m.status),
        silenced: m.silenced,
        deleted: m.deleted_at.is_some(),
        local: m.is_local(),
        created: when(m.created_at),
        posts: counts.posts,
        followers: counts.followers,
        profile_url: match &m.remote {
            Some(r) => r.url.clone(),
            None => s.node.urls().profile_page(&m.username),
        },
    }
}

fn member_id(raw: &str) -> Result<Id, PanelError> {
    super::path_id(raw, "member")
}

/// GET /admin/members?q=&max_id=
pub async fn list(
    State(s): State<AppState>,
    session: AdminSession,
    Query(q): Query<PanelQuery>,
) -> Result<Response, PanelError> {
    let query = q.q.clone().unwrap_or_default();
    let page = s
        .node
        .admin_members(&session.viewer, Some(query.as_str()), &q.page(40))?;
    render(MembersPage {
        chrome: chrome(&s, &session, "members", q.done.as_deref()),
        rows: page.items.iter().map(|m| row(&s, m)).collect(),
        next: page.next_max_id.map(|id| id.to_string()),
        q: query,
    })
}

/// GET /admin/members/{id}
pub async fn show(
    State(s): State<AppState>,
    session: AdminSession,
    Path(raw): Path<String>,
    Query(q): Query<PanelQuery>,
) -> Result<Response, PanelError> {
    let m = s.node.admin_member(&session.viewer, member_id(&raw)?)?;
    let standing = s.node.trust_standing(&session.viewer, m.id)?;
    render(MemberPage {
        trust: super::trust::TrustLine::of(&standing),
        chrome: chrome(&s, &session, "members", q.done.as_deref()),
        suspended: m.status == MemberStatus::Suspended,
        role_value: lower(m.role),
        m: row(&s, &m),
    })
}

/// POST /admin/members/{id}/action — `action` is suspend, unsuspend,
/// silence, unsilence, role (with `role`), reset_password or delete (with
/// `confirm=yes`); `reason` goes to the audit log.
pub async fn act(
    State(s): State<AppState>,
    Path(raw): Path<String>,
    PanelForm { session, form }: PanelForm,
) -> Result<Response, PanelError> {
    let id = member_id(&raw)?;
    let invalid = |field: &str, message: &str| {
        PanelError::Page(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("{field}: {message}"),
        )
    };
    let (action, done) = match field(&form, "action") {
        "suspend" => (MemberAction::Suspend, "suspend"),
        "unsuspend" => (MemberAction::Unsuspend, "unsuspend"),
        "silence" => (MemberAction::Silence, "silence"),
        "unsilence" => (MemberAction::Unsilence, "unsilence"),
        "reset_password" => (MemberAction::ResetPassword, ""),
        "role" => {
            let role = match field(&form, "role") {
                "member" => Role::Member,
                "moderator" => Role::Moderator,
                "admin" => Role::Admin,
                _ => return Err(invalid("role", "must be member, moderator or admin")),
            };
            (MemberAction::SetRole(role), "role")
        }
        "delete" => {
            if field(&form, "confirm") != "yes" {
                return Err(invalid("confirm", "tick the box to confirm the deletion"));
            }
            (MemberAction::Delete, "delete")
        }
        _ => return Err(invalid("action", "unknown action")),
    };
    let outcome = s
        .node
        .moderate_member(&session.viewer, id, action, field(&form, "reason"))
        .await?;
    if let Some(password) = outcome.temporary_password {
        return render(MessagePage {
            title: "New password".into(),
            message: format!(
                "{} can now log in with this password; every session they had is ended.",
                outcome.member.username
            ),
            secret: Some(password),
            back: format!("/admin/members/{id}"),
        });
    }
    Ok(see_other(&format!("/admin/members/{id}?done={done}")))
}
