//! Settings, invites and the audit log.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use node::moderation::{AuditFilter, NodeSettings};
use node::{ContentLimits, RegistrationMode};

use super::templates::{AuditPage, AuditRow, MessagePage, SettingsPage};
use super::{
    chrome, field, render, see_other, when, AdminSession, PanelError, PanelForm, PanelQuery,
};
use crate::state::AppState;

fn mode_name(mode: RegistrationMode) -> &'static str {
    match mode {
        RegistrationMode::Open => "open",
        RegistrationMode::Approval => "approval",
        RegistrationMode::Invite => "invite",
        RegistrationMode::Closed => "closed",
    }
}

/// GET /admin/settings
pub async fn show(
    State(s): State<AppState>,
    session: AdminSession,
    Query(q): Query<PanelQuery>,
) -> Result<Response, PanelError> {
    let n = s.node.settings();
    render(SettingsPage {
        chrome: chrome(&s, &session, "settings", q.done.as_deref()),
        rules: n.rules.join("\n"),
        registration: mode_name(n.registration).to_string(),
        post_chars: n.limits.post_chars,
        title_chars: n.limits.title_chars,
        tags: n.limits.tags,
        bio_chars: n.limits.bio_chars,
        name: n.name,
        description: n.description,
        contact_email: n.contact_email,
    })
}

fn number(form: &HashMap<String, String>, name: &str) -> Result<usize, PanelError> {
    field(form, name).parse().map_err(|_| {
        PanelError::Page(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("limits.{name}: must be a whole number"),
        )
    })
}

/// POST /admin/settings — every field of the form; the node validates.
pub async fn save(
    State(s): State<AppState>,
    PanelForm { session, form }: PanelForm,
) -> Result<Response, PanelError> {
    let registration = match field(&form, "registration") {
        "open" => RegistrationMode::Open,
        "approval" => RegistrationMode::Approval,
        "invite" => RegistrationMode::Invite,
        "closed" => RegistrationMode::Closed,
        _ => {
            return Err(PanelError::Page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "registration: must be open, approval, invite or closed".into(),
            ))
        }
    };
    let settings = NodeSettings {
        name: field(&form, "name").to_string(),
        description: field(&form, "description").to_string(),
        rules: field(&form, "rules").lines().map(str::to_string).collect(),
        registration,
        contact_email: field(&form, "contact_email").to_string(),
        limits: ContentLimits {
            post_chars: number(&form, "post_chars")?,
            title_chars: number(&form, "title_chars")?,
            tags: number(&form, "tags")?,
            bio_chars: number(&form, "bio_chars")?,
        },
    };
    s.node.update_settings(&session.viewer, settings).await?;
    Ok(see_other("/admin/settings?done=settings"))
}

/// POST /admin/invites — `uses`; shows the code once.
pub async fn invite(
    State(s): State<AppState>,
    PanelForm { session, form }: PanelForm,
) -> Result<Response, PanelError> {
    let uses: u32 = field(&form, "uses").parse().map_err(|_| {
        PanelError::Page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "uses: must be a whole number".into(),
        )
    })?;
    let code = s.node.create_invite_as(&session.viewer, uses).await?;
    render(MessagePage {
        title: "Invite code".into(),
        message: format!("This code lets {uses} people register."),
        secret: Some(code),
        back: "/admin/settings".into(),
    })
}

/// GET /admin/audit?automatic=1&max_id=
pub async fn audit(
    State(s): State<AppState>,
    session: AdminSession,
    Query(q): Query<PanelQuery>,
) -> Result<Response, PanelError> {
    let automatic = q.automatic.as_deref() == Some("1");
    let filter = if automatic {
        AuditFilter::Automatic
    } else {
        AuditFilter::All
    };
    let page = s.node.audit_log(&session.viewer, filter, &q.page(40))?;
    render(AuditPage {
        chrome: chrome(&s, &session, "audit", q.done.as_deref()),
        automatic,
        rows: page
            .items
            .into_iter()
            .map(|e| AuditRow {
                at: when(e.at),
                actor: e.actor,
                action: e.action,
                target: e.target,
                detail: e.detail,
            })
            .collect(),
        next: page.next_max_id.map(|id| id.to_string()),
    })
}
