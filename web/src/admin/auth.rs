//! Login, logout and first-start setup.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use base64::Engine;
use node::members::NewMember;
use node::NodeError;
use rand::RngCore;

use super::templates::{LoginPage, SetupPage};
use super::{
    cookie, field, render, set_cookie, PanelError, PanelForm, FORM_COOKIE, SESSION_COOKIE,
};
use crate::rate_limit::{Action, ClientIp};
use crate::state::AppState;

/// Panel sessions last two weeks.
const SESSION_SECS: i64 = 14 * 24 * 3600;

/// The pre-session cookie `name`: reuses the visitor's, or makes a new
/// one (`true` when it must be set).
pub(crate) fn pre_session_named(headers: &HeaderMap, name: &str) -> (String, bool) {
    match cookie(headers, name) {
        Some(v) if v.len() >= 16 && v.len() <= 64 => (v, false),
        _ => {
            let mut raw = [0u8; 18];
            rand::rngs::OsRng.fill_bytes(&mut raw);
            (
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw),
                true,
            )
        }
    }
}

/// The panel's pre-session cookie.
fn pre_session(headers: &HeaderMap) -> (String, bool) {
    pre_session_named(headers, FORM_COOKIE)
}

fn login_page(
    s: &AppState,
    headers: &HeaderMap,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let (pre, fresh) = pre_session(headers);
    let page = render(LoginPage {
        csrf: s.node.form_token(&pre),
        error,
        needs_setup: s.node.needs_setup().unwrap_or(false),
    });
    crate::admin::with_form_cookie(
        page,
        fresh.then(|| set_cookie(s, FORM_COOKIE, &pre, 3600)),
        status,
    )
}

fn setup_page(
    s: &AppState,
    headers: &HeaderMap,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let (pre, fresh) = pre_session(headers);
    let page = render(SetupPage {
        csrf: s.node.form_token(&pre),
        error,
    });
    crate::admin::with_form_cookie(
        page,
        fresh.then(|| set_cookie(s, FORM_COOKIE, &pre, 3600)),
        status,
    )
}

/// Whether a form posted before any session carries the token of this
/// browser's pre-session cookie `name` (the panel's and the members'
/// app's sign-in forms alike).
pub(crate) fn pre_session_ok_named(
    s: &AppState,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
    name: &str,
) -> bool {
    match cookie(headers, name) {
        Some(pre) => s.node.check_form_token(&pre, field(form, "csrf")),
        None => false,
    }
}

/// Whether a login or setup form carries the token of the panel's
/// pre-session cookie.
fn pre_session_ok(s: &AppState, headers: &HeaderMap, form: &HashMap<String, String>) -> bool {
    pre_session_ok_named(s, headers, form, FORM_COOKIE)
}

/// The checks of a login or setup form, posted before any session: its
/// pre-session token (else 403), then the per-IP login limit (else the
/// form's `page` again, with the limit's message). `None` when both pass.
fn pre_session_refusal(
    s: &AppState,
    ip: &str,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
    page: fn(&AppState, &HeaderMap, Option<String>, StatusCode) -> Response,
) -> Option<Response> {
    if !pre_session_ok(s, headers, form) {
        return Some(PanelError::forged().into_response());
    }
    let limited = s.limiters.check(Action::Login, ip).err()?;
    Some(page(
        s,
        headers,
        Some(limited.message),
        StatusCode::TOO_MANY_REQUESTS,
    ))
}

/// Signs the member in: a session cookie, then the dashboard.
fn signed_in(s: &AppState, token: &str, to: &str) -> Response {
    let mut response = super::see_other(to);
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        set_cookie(s, SESSION_COOKIE, token, SESSION_SECS),
    );
    headers.append(header::SET_COOKIE, set_cookie(s, FORM_COOKIE, "", 0));
    response
}

/// GET /admin/login
pub async fn login_form(State(s): State<AppState>, headers: HeaderMap) -> Response {
    if s.node.needs_setup().unwrap_or(false) {
        return super::see_other("/admin/setup");
    }
    login_page(&s, &headers, None, StatusCode::OK)
}

/// POST /admin/login — rate-limited per IP and per account, like the API.
pub async fn login(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    // Per IP here; per account, the node's login policy (every way in).
    if let Some(refused) = pre_session_refusal(&s, &ip.to_string(), &headers, &form, login_page) {
        return refused;
    }
    let login = field(&form, "login");
    let password = form.get("password").map(String::as_str).unwrap_or("");
    match s.node.login_to_panel(login, password).await {
        Ok((issued, member)) => {
            tracing::info!(member = %member.username, "admin panel login");
            signed_in(&s, &issued.token, "/admin")
        }
        Err(NodeError::Forbidden(_)) => login_page(
            &s,
            &headers,
            Some("This panel is for moderators and admins.".into()),
            StatusCode::FORBIDDEN,
        ),
        Err(e) => {
            let (status, message) = super::error_text(e);
            login_page(&s, &headers, Some(message), status)
        }
    }
}

/// POST /admin/logout — ends the session.
pub async fn logout(
    State(s): State<AppState>,
    PanelForm { session, .. }: PanelForm,
) -> Result<Response, PanelError> {
    if let Ok((viewer, current)) = s.node.authenticate_panel(&session.token) {
        s.node.revoke_session(&viewer, current.id).await?;
    }
    let mut response = super::see_other("/admin/login");
    response
        .headers_mut()
        .append(header::SET_COOKIE, set_cookie(&s, SESSION_COOKIE, "", 0));
    Ok(response)
}

/// GET /admin/setup — only while the node has no admin.
pub async fn setup_form(State(s): State<AppState>, headers: HeaderMap) -> Response {
    if !s.node.needs_setup().unwrap_or(false) {
        return super::see_other("/admin/login");
    }
    setup_page(&s, &headers, None, StatusCode::OK)
}

/// POST /admin/setup — the setup token creates the first admin, who is
/// then signed in. Rate-limited like logins (the token is a secret).
pub async fn setup(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(refused) = pre_session_refusal(&s, &ip.to_string(), &headers, &form, setup_page) {
        return refused;
    }
    let admin = NewMember {
        username: field(&form, "username").to_string(),
        email: field(&form, "email").to_string(),
        password: form.get("password").cloned().unwrap_or_default(),
        ..NewMember::default()
    };
    let password = admin.password.clone();
    let result = s.node.complete_setup(field(&form, "token"), admin).await;
    let member = match result {
        Ok(m) => m,
        Err(e) => {
            let (status, message) = super::error_text(e);
            return setup_page(&s, &headers, Some(message), status);
        }
    };
    match s.node.login_to_panel(&member.username, &password).await {
        Ok((issued, _)) => signed_in(&s, &issued.token, "/admin?done=welcome"),
        Err(e) => PanelError::from(e).into_response(),
    }
}
