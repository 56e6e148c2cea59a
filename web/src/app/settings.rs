//! The member's settings: a link to their profile form (`profile.rs`),
//! their sessions (each other one can be signed out, or all of them at
//! once), their password, and the downloads of their data (`export.rs`).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use node::model::SessionKind;
use node::NodeError;
use serde::Deserialize;

use super::templates::{PasswordErrors, SessionItem, SettingsPage};
use super::{render_with_status, AppError, AppForm, MemberSession};
use crate::extract::parse_id;
use crate::public_pages::{site, Site};
use crate::state::AppState;

/// What a session was made for, as the page names it.
fn kind_word(kind: SessionKind) -> &'static str {
    match kind {
        SessionKind::Api => "API token",
        SessionKind::AdminPanel => "Admin panel",
        SessionKind::MembersApp => "Web app",
    }
}

fn settings_page(
    s: &AppState,
    session: MemberSession,
    notice: Option<&'static str>,
    errors: PasswordErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let Site {
        domain,
        members,
        posts,
    } = site(s)?;
    let sessions = s
        .node
        .sessions(&session.viewer)?
        .into_iter()
        .map(|v| SessionItem {
            id: v.id,
            kind: kind_word(v.kind),
            label: v.label,
            created: node::model::rfc3339::format(v.created_at),
            last_used: v.last_used_at.map(node::model::rfc3339::format),
            current: v.id == session.session_id,
        })
        .collect();
    let avatar = session
        .viewer
        .member()
        .map(|m| m.profile.avatar_url.clone())
        .unwrap_or_default();
    render_with_status(
        SettingsPage {
            domain,
            members,
            posts,
            me: Some(session.me),
            avatar,
            sessions,
            notice,
            errors,
        },
        status,
    )
}

/// The query of `/settings`: what was just done.
#[derive(Deserialize)]
pub struct SettingsQuery {
    done: Option<String>,
}

/// GET /settings — the member's sessions and the password form.
pub async fn page(
    State(s): State<AppState>,
    session: MemberSession,
    Query(query): Query<SettingsQuery>,
) -> Result<Response, AppError> {
    let notice = match query.done.as_deref() {
        Some("password") => {
            Some("Your password has been changed. Every other session has been signed out.")
        }
        Some("revoked") => Some("That session has been signed out."),
        Some("others") => Some("Every other session has been signed out."),
        _ => None,
    };
    settings_page(
        &s,
        session,
        notice,
        PasswordErrors::default(),
        StatusCode::OK,
    )
}

/// POST /settings/sessions/{id}/revoke — ends one of the member's
/// sessions; back to the settings (303).
pub async fn revoke(
    State(s): State<AppState>,
    Path(id): Path<String>,
    AppForm { session, .. }: AppForm,
) -> Result<Response, AppError> {
    s.node
        .revoke_session(&session.viewer, parse_id(&id)?)
        .await?;
    Ok(Redirect::to("/settings?done=revoked").into_response())
}

/// POST /settings/sessions/revoke-others — signs out every session of
/// the member's but this browser's ("sign out everywhere else"); back to
/// the settings (303).
pub async fn revoke_others(
    State(s): State<AppState>,
    AppForm { session, .. }: AppForm,
) -> Result<Response, AppError> {
    s.node
        .revoke_other_sessions(&session.viewer, session.session_id)
        .await?;
    Ok(Redirect::to("/settings?done=others").into_response())
}

/// POST /settings/password — changes the password (the node signs out
/// every other session); back to the settings with a notice (303), or the
/// page again with the errors next to their fields. Passwords are never
/// shown back.
pub async fn password(
    State(s): State<AppState>,
    AppForm { session, form, .. }: AppForm,
) -> Result<Response, AppError> {
    let given = |name: &str| form.get(name).map(String::as_str).unwrap_or("");
    let (current, new) = (given("current_password"), given("new_password"));
    let mut errors = PasswordErrors::default();
    if new != given("confirm_password") {
        errors.confirm = Some("does not match the new password".into());
        return settings_page(&s, session, None, errors, StatusCode::UNPROCESSABLE_ENTITY);
    }
    match s
        .node
        .change_password(&session.viewer, session.session_id, current, new)
        .await
    {
        Ok(()) => Ok(Redirect::to("/settings?done=password").into_response()),
        Err(NodeError::Invalid { field, message } | NodeError::TooLarge { field, message }) => {
            let slot = match field.as_str() {
                "current_password" => &mut errors.current,
                _ => &mut errors.new,
            };
            *slot = Some(message);
            settings_page(&s, session, None, errors, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e @ NodeError::RateLimited { .. }) => {
            let api = crate::error::ApiError::from(e);
            errors.current = Some(api.message);
            settings_page(&s, session, None, errors, api.status)
        }
        Err(e) => Err(e.into()),
    }
}
