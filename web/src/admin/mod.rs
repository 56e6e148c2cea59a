//! The admin panel under `/admin`: server-rendered HTML (compiled
//! templates in `web/templates/admin/`), no JavaScript, no external assets.
//!
//! - Sessions are ordinary node tokens kept in an `HttpOnly`,
//!   `SameSite=Lax` cookie scoped to `/admin` (`Secure` unless the node
//!   runs in dev mode over plain http).
//! - Every form carries a token bound to the session
//!   ([`node::Node::form_token`]); a POST without the right one is refused
//!   with 403 and changes nothing (handlers take the form as a
//!   [`PanelForm`], which checks it). Login and setup, which have no session
//!   yet, bind theirs to a random pre-session cookie (double submit).
//! - Logins share the API's per-IP and per-account rate limits.
//! - Handlers parse, call one node method, render; the node checks roles.

pub(crate) mod auth;
mod charts;
mod dashboard;
mod email;
mod federation;
mod form;
mod gamification;
mod insights;
mod members;
mod reports;
mod settings;
mod templates;
mod trends;
mod trust;

use std::collections::HashMap;

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use node::model::Role;
use node::{NodeError, Viewer};

use crate::state::AppState;
pub use form::PanelForm;

/// The session cookie.
pub const SESSION_COOKIE: &str = "kodeon_admin";
/// The pre-session cookie that login and setup forms are bound to.
pub const FORM_COOKIE: &str = "kodeon_form";

/// Routes under `/admin`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(dashboard::show))
        .route("/admin/", get(dashboard::show))
        .route("/admin/login", get(auth::login_form).post(auth::login))
        .route("/admin/logout", post(auth::logout))
        .route("/admin/setup", get(auth::setup_form).post(auth::setup))
        .route("/admin/members", get(members::list))
        .route("/admin/members/{id}", get(members::show))
        .route("/admin/members/{id}/action", post(members::act))
        .route("/admin/members/{id}/trust", post(trust::act))
        .route("/admin/reports", get(reports::list))
        .route("/admin/reports/{id}", get(reports::show))
        .route("/admin/reports/{id}/resolve", post(reports::resolve))
        .route("/admin/reports/{id}/note", post(reports::note))
        .route("/admin/federation", get(federation::show))
        .route("/admin/federation/domain-blocks", post(federation::block))
        .route(
            "/admin/federation/domain-blocks/{domain}/delete",
            post(federation::unblock),
        )
        .route(
            "/admin/federation/instances/{domain}/retry",
            post(federation::retry),
        )
        .route(
            "/admin/federation/peers/block",
            post(federation::block_peer),
        )
        .route(
            "/admin/federation/peers/{peer}/unblock",
            post(federation::unblock_peer),
        )
        .route("/admin/trends", get(trends::show))
        .route("/admin/trends/exclude", post(trends::exclude))
        .route("/admin/trends/include", post(trends::include))
        .route("/admin/insights", get(insights::show))
        .route("/admin/insights.csv", get(insights::csv))
        .route("/admin/settings", get(settings::show).post(settings::save))
        .route("/admin/invites", post(settings::invite))
        .route(
            "/admin/gamification",
            get(gamification::show).post(gamification::save),
        )
        .route("/admin/email", get(email::show))
        .route("/admin/email/test", post(email::test))
        .route("/admin/audit", get(settings::audit))
        .route("/admin/assets/admin.css", get(stylesheet))
}

/// GET /admin/assets/admin.css — the panel's only asset, served by the node.
async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../templates/admin/admin.css"),
    )
}

/// A signed-in moderator or admin, with their session token.
pub struct AdminSession {
    /// Who is acting.
    pub viewer: Viewer,
    /// The session token (the form token is derived from it).
    pub token: String,
    /// The form token to put in every form.
    pub csrf: String,
    /// Whether the viewer is an admin (some forms are admin-only).
    pub is_admin: bool,
    /// The viewer's username.
    pub username: String,
}

impl FromRequestParts<AppState> for AdminSession {
    type Rejection = PanelError;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, PanelError> {
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(PanelError::Login);
        };
        // Only a session made by the panel's own login form: an API token
        // set as this cookie is refused.
        let (viewer, _) = match s.node.authenticate_panel(&token) {
            Ok(found) => found,
            Err(NodeError::Forbidden(_)) => {
                return Err(PanelError::Page(
                    StatusCode::FORBIDDEN,
                    "This panel is for moderators and admins.".into(),
                ))
            }
            Err(_) => return Err(PanelError::Login),
        };
        let username = viewer
            .member()
            .map(|m| m.username.clone())
            .unwrap_or_default();
        Ok(AdminSession {
            csrf: s.node.form_token(&token),
            is_admin: viewer.has_role(Role::Admin),
            viewer,
            token,
            username,
        })
    }
}

impl AdminSession {
    /// Checks the form's `csrf` field against this session.
    pub fn check_form(
        &self,
        s: &AppState,
        form: &HashMap<String, String>,
    ) -> Result<(), PanelError> {
        let given = form.get("csrf").map(String::as_str).unwrap_or("");
        if s.node.check_form_token(&self.token, given) {
            Ok(())
        } else {
            Err(PanelError::forged())
        }
    }
}

/// Why a panel request could not be served.
#[derive(Debug)]
pub enum PanelError {
    /// Not signed in: go to the login page.
    Login,
    /// A page with a status and a message.
    Page(StatusCode, String),
}

impl PanelError {
    /// 403 for a form without a valid token.
    pub fn forged() -> Self {
        PanelError::Page(
            StatusCode::FORBIDDEN,
            "This form has expired or did not come from this panel. Go back, reload and try again."
                .into(),
        )
    }
}

impl From<NodeError> for PanelError {
    fn from(e: NodeError) -> Self {
        let (status, message) = error_text(e);
        PanelError::Page(status, message)
    }
}

/// A node error as a status and words for the page: the field at fault
/// named first; a 5xx says only that the log has the details.
pub fn error_text(e: NodeError) -> (StatusCode, String) {
    let api = crate::error::ApiError::from(e);
    if api.status == StatusCode::INTERNAL_SERVER_ERROR {
        return (
            api.status,
            "Something went wrong; see the node's log.".into(),
        );
    }
    // The API's message may name its field already ("title: ...").
    let message = match &api.field {
        Some(field) if !api.message.starts_with(field.as_str()) => {
            format!("{field}: {}", api.message)
        }
        _ => api.message,
    };
    (api.status, message)
}

impl From<crate::error::ApiError> for PanelError {
    fn from(e: crate::error::ApiError) -> Self {
        let message = match &e.field {
            Some(field) => format!("{field}: {}", e.message),
            None => e.message.clone(),
        };
        PanelError::Page(e.status, message)
    }
}

impl IntoResponse for PanelError {
    fn into_response(self) -> Response {
        match self {
            PanelError::Login => Redirect::to("/admin/login").into_response(),
            PanelError::Page(status, message) => {
                let page = templates::MessagePage {
                    title: status.canonical_reason().unwrap_or("Error").to_string(),
                    message,
                    secret: None,
                    back: "/admin".into(),
                };
                match page.render() {
                    Ok(html) => (status, Html(html)).into_response(),
                    Err(_) => (status, "error").into_response(),
                }
            }
        }
    }
}

/// Renders a template as a page.
pub fn render(t: impl Template) -> Result<Response, PanelError> {
    let html = t.render().map_err(|e| {
        tracing::error!(error = %e, "admin template failed");
        PanelError::Page(StatusCode::INTERNAL_SERVER_ERROR, "Template error".into())
    })?;
    let mut response = Html(html).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    Ok(response)
}

/// A 303 back to a panel page after a form.
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// A cookie's value from the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

/// A `Set-Cookie` value for the panel: HttpOnly, SameSite=Lax, path
/// `/admin`, Secure unless the node serves plain http (dev mode).
pub fn set_cookie(s: &AppState, name: &str, value: &str, max_age_secs: i64) -> HeaderValue {
    scoped_cookie(s, "/admin", name, value, max_age_secs)
}

/// A sign-in or setup page with the status it deserves, setting the
/// pre-session form cookie `fresh_cookie` when the visitor had none (the
/// panel's and the members' app's forms alike).
pub(crate) fn with_form_cookie<E: IntoResponse>(
    page: Result<Response, E>,
    fresh_cookie: Option<HeaderValue>,
    status: StatusCode,
) -> Response {
    let mut response = match page {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    *response.status_mut() = status;
    if let Some(cookie) = fresh_cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// A `Set-Cookie` value scoped to `path`: HttpOnly, SameSite=Lax, Secure
/// unless the node serves plain http (dev mode).
pub fn scoped_cookie(
    s: &AppState,
    path: &str,
    name: &str,
    value: &str,
    max_age_secs: i64,
) -> HeaderValue {
    let secure = if s.node.config().dev { "" } else { "; Secure" };
    let raw = format!(
        "{name}={value}; Path={path}; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    );
    HeaderValue::from_str(&raw).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The id in a panel URL; a malformed one is a "no such" page.
pub fn path_id(raw: &str, what: &str) -> Result<node::Id, PanelError> {
    raw.parse()
        .map_err(|_| PanelError::Page(StatusCode::NOT_FOUND, format!("No such {what}.")))
}

/// A form field, trimmed ("" when absent).
pub fn field<'a>(form: &'a HashMap<String, String>, name: &str) -> &'a str {
    form.get(name).map(|v| v.trim()).unwrap_or("")
}

/// Milliseconds since the epoch as `YYYY-MM-DD HH:MM` UTC.
pub fn when(ms: i64) -> String {
    let text = node::model::rfc3339::format(ms);
    text.get(..16).unwrap_or(&text).replace('T', " ")
}

/// Bytes as a short human figure.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// The navigation and notice around a page.
pub fn chrome(
    s: &AppState,
    session: &AdminSession,
    section: &'static str,
    done: Option<&str>,
) -> templates::Chrome {
    templates::Chrome {
        username: session.username.clone(),
        csrf: session.csrf.clone(),
        is_admin: session.is_admin,
        section,
        open_reports: s.node.open_report_count().unwrap_or(0),
        notice: done.and_then(notice_text).map(str::to_string),
    }
}

/// What a `?done=` code after a form says. Codes, not free text, so a
/// link cannot make the panel display someone else's words.
fn notice_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "suspend" => "The member is suspended.",
        "unsuspend" => "The suspension is lifted.",
        "silence" => "The member is silenced.",
        "unsilence" => "The silence is lifted.",
        "role" => "The role is changed.",
        "delete" => "The account and its posts are deleted.",
        "resolved" => "The report is resolved.",
        "note" => "The note is added.",
        "blocked" => "The domain is blocked.",
        "unblocked" => "The domain block is lifted.",
        "retry" => "Deliveries to that server are due now.",
        "peer_blocked" => "The gossip peer is blocked.",
        "peer_unblocked" => "The gossip peer block is lifted.",
        "trend_excluded" => "It is kept out of trends.",
        "trend_included" => "It may trend again.",
        "settings" => "Settings saved.",
        "welcome" => "Welcome. You are signed in.",
        "trusted" => "The member is marked trusted; trust is recomputed within a minute.",
        "untrusted" => "The trusted mark is removed; trust is recomputed within a minute.",
        "recomputed" => "Trust is recomputed.",
        _ => return None,
    })
}

/// The `?done=` and paging parameters of panel pages.
#[derive(Debug, Default, serde::Deserialize)]
pub struct PanelQuery {
    /// A notice code after a form.
    pub done: Option<String>,
    /// Older-than cursor.
    pub max_id: Option<String>,
    /// Search text.
    pub q: Option<String>,
    /// `all` or `open` (reports).
    pub state: Option<String>,
    /// `1` for the automatic actions only (audit log).
    pub automatic: Option<String>,
    /// Domain cursor (servers).
    pub after: Option<String>,
}

impl PanelQuery {
    /// A page request of `limit` items older than `max_id`.
    pub fn page(&self, limit: usize) -> node::PageRequest {
        node::PageRequest {
            max_id: self.max_id.as_deref().and_then(|m| m.parse().ok()),
            ..node::PageRequest::first(limit)
        }
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_gamification;
