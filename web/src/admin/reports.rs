//! The reports queue: list, view, note, resolve.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use node::moderation::{Report, ReportAction, ReportState};
use node::Id;

use super::templates::{NoteRow, ReportPage, ReportRow, ReportedPost, ReportsPage};
use super::{
    chrome, field, render, see_other, when, AdminSession, PanelError, PanelForm, PanelQuery,
};
use crate::state::AppState;

fn username(s: &AppState, id: Option<Id>) -> String {
    id.and_then(|id| s.node.username_by_id(id).ok())
        .unwrap_or_else(|| "unknown".to_string())
}

fn row(s: &AppState, r: &Report) -> ReportRow {
    ReportRow {
        id: r.id.to_string(),
        created: when(r.created_at),
        target: username(s, Some(r.target_id)),
        target_id: r.target_id.to_string(),
        reporter: match (&r.reporter_id, &r.origin_domain) {
            (Some(id), _) => username(s, Some(*id)),
            (None, Some(domain)) => format!("the server {domain}"),
            (None, None) => "unknown".into(),
        },
        category: r.category.clone(),
        comment: r.comment.clone(),
        open: r.state == ReportState::Open,
        action: r
            .action
            .map(|a| a.as_str().replace('_', " "))
            .unwrap_or_default(),
        posts: r.post_ids.len(),
    }
}

fn report_id(raw: &str) -> Result<Id, PanelError> {
    super::path_id(raw, "report")
}

/// GET /admin/reports?state=open|all
pub async fn list(
    State(s): State<AppState>,
    session: AdminSession,
    Query(q): Query<PanelQuery>,
) -> Result<Response, PanelError> {
    let open_only = q.state.as_deref() != Some("all");
    let page = s.node.reports(&session.viewer, open_only, &q.page(40))?;
    render(ReportsPage {
        chrome: chrome(&s, &session, "reports", q.done.as_deref()),
        open_only,
        rows: page.items.iter().map(|r| row(&s, r)).collect(),
        next: page.next_max_id.map(|id| id.to_string()),
    })
}

/// GET /admin/reports/{id}
pub async fn show(
    State(s): State<AppState>,
    session: AdminSession,
    Path(raw): Path<String>,
    Query(q): Query<PanelQuery>,
) -> Result<Response, PanelError> {
    let id = report_id(&raw)?;
    let report = s.node.report(&session.viewer, id)?;
    let urls = s.node.urls();
    let posts = s
        .node
        .report_posts(&session.viewer, id)?
        .into_iter()
        .map(|p| ReportedPost {
            url: urls.post_page(&p.author.username, p.id),
            html: p.content,
            visibility: format!("{:?}", p.visibility).to_lowercase(),
            created: when(p.created_at),
        })
        .collect();
    render(ReportPage {
        chrome: chrome(&s, &session, "reports", q.done.as_deref()),
        notes: report
            .notes
            .iter()
            .map(|n| NoteRow {
                author: n.author.clone(),
                at: when(n.at),
                text: n.text.clone(),
            })
            .collect(),
        r: row(&s, &report),
        posts,
    })
}

/// POST /admin/reports/{id}/resolve — `action`: dismiss, delete_posts,
/// silence or suspend; `note` optional.
pub async fn resolve(
    State(s): State<AppState>,
    Path(raw): Path<String>,
    PanelForm { session, form }: PanelForm,
) -> Result<Response, PanelError> {
    let id = report_id(&raw)?;
    let action = ReportAction::parse(field(&form, "action")).ok_or_else(|| {
        PanelError::Page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "action: must be dismiss, delete_posts, silence or suspend".into(),
        )
    })?;
    s.node
        .resolve_report(&session.viewer, id, action, field(&form, "note"))
        .await?;
    Ok(see_other(&format!("/admin/reports/{id}?done=resolved")))
}

/// POST /admin/reports/{id}/note
pub async fn note(
    State(s): State<AppState>,
    Path(raw): Path<String>,
    PanelForm { session, form }: PanelForm,
) -> Result<Response, PanelError> {
    let id = report_id(&raw)?;
    s.node
        .add_report_note(&session.viewer, id, field(&form, "note"))
        .await?;
    Ok(see_other(&format!("/admin/reports/{id}?done=note")))
}
