//! Sign in, sign up and sign out.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use node::members::NewMember;
use node::{NodeError, RegistrationMode};

use super::templates::{LoginPage, SignupErrors, SignupPage};
use super::{
    field, render, set_cookie, AppError, AppForm, MaybeMember, FORM_COOKIE, SESSION_COOKIE,
};
use crate::admin::auth::{pre_session_named, pre_session_ok_named};
use crate::public_pages::{site, Site};
use crate::rate_limit::{Action, ClientIp};
use crate::state::AppState;

/// Members' sessions last thirty days.
const SESSION_SECS: i64 = 30 * 24 * 3600;

/// What the sign-in form shows besides its fields.
#[derive(Default)]
struct LoginState {
    login: String,
    login_error: Option<String>,
    password_error: Option<String>,
    error: Option<String>,
    /// Where to go once signed in (a path here; empty: `/home`).
    next: String,
}

/// What `/login` may be asked to go back to.
#[derive(serde::Deserialize, Default)]
pub struct LoginQuery {
    /// A path on this site.
    #[serde(default)]
    next: String,
}

/// `next` when it is a path on this site, else empty.
fn local_next(next: &str) -> String {
    if super::local_path(next) {
        next.to_string()
    } else {
        String::new()
    }
}

fn login_page(
    s: &AppState,
    headers: &HeaderMap,
    state: LoginState,
    status: StatusCode,
) -> Response {
    let (pre, fresh) = pre_session_named(headers, FORM_COOKIE);
    let page = site(s).map_err(AppError::from).and_then(|site| {
        let Site {
            domain,
            members,
            posts,
        } = site;
        render(LoginPage {
            domain,
            members,
            posts,
            me: None,
            csrf: s.node.form_token(&pre),
            login: state.login,
            login_error: state.login_error,
            password_error: state.password_error,
            error: state.error,
            next: state.next,
        })
    });
    crate::admin::with_form_cookie(
        page,
        fresh.then(|| set_cookie(s, FORM_COOKIE, &pre, 3600)),
        status,
    )
}

/// The registration mode as the sign-up page names it.
fn mode_word(mode: RegistrationMode) -> &'static str {
    match mode {
        RegistrationMode::Open => "open",
        RegistrationMode::Approval => "approval",
        RegistrationMode::Invite => "invite",
        RegistrationMode::Closed => "closed",
    }
}

/// What the sign-up form shows besides its fields.
#[derive(Default)]
struct SignupState {
    username: String,
    email: String,
    invite_code: String,
    reason: String,
    errors: SignupErrors,
    pending: bool,
}

fn signup_page(
    s: &AppState,
    headers: &HeaderMap,
    state: SignupState,
    status: StatusCode,
) -> Response {
    let (pre, fresh) = pre_session_named(headers, FORM_COOKIE);
    let page = site(s).map_err(AppError::from).and_then(|site| {
        let Site {
            domain,
            members,
            posts,
        } = site;
        render(SignupPage {
            domain,
            members,
            posts,
            me: None,
            csrf: s.node.form_token(&pre),
            mode: mode_word(s.node.registration_mode()),
            username: state.username,
            email: state.email,
            invite_code: state.invite_code,
            reason: state.reason,
            errors: state.errors,
            pending: state.pending,
        })
    });
    crate::admin::with_form_cookie(
        page,
        fresh.then(|| set_cookie(s, FORM_COOKIE, &pre, 3600)),
        status,
    )
}

/// Whether a sign-in or sign-up form carries the token of this browser's
/// pre-session cookie.
fn pre_session_ok(s: &AppState, headers: &HeaderMap, form: &HashMap<String, String>) -> bool {
    pre_session_ok_named(s, headers, form, FORM_COOKIE)
}

/// Signs the member in with a fresh app session: the cookie, then `to`
/// (a path here; `/home` when empty).
fn signed_in(s: &AppState, token: &str, to: &str) -> Response {
    let to = if to.is_empty() { "/home" } else { to };
    let mut response = Redirect::to(to).into_response();
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        set_cookie(s, SESSION_COOKIE, token, SESSION_SECS),
    );
    headers.append(header::SET_COOKIE, set_cookie(s, FORM_COOKIE, "", 0));
    response
}

/// GET /login — the form (a signed-in member goes home); `?next=PATH`,
/// a path here, is where the member goes once signed in.
pub async fn login_form(
    State(s): State<AppState>,
    MaybeMember(session): MaybeMember,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    let next = local_next(&q.next);
    if session.is_some() {
        let to = if next.is_empty() { "/home" } else { &next };
        return Redirect::to(to).into_response();
    }
    let state = LoginState {
        next,
        ..LoginState::default()
    };
    login_page(&s, &headers, state, StatusCode::OK)
}

/// POST /login — limited per IP here and per account by the node's one
/// login policy, as every other way in.
pub async fn login(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !pre_session_ok(&s, &headers, &form) {
        return AppError::forged().into_response();
    }
    let login = field(&form, "login").to_string();
    let next = local_next(field(&form, "next"));
    if let Err(limited) = s.limiters.check(Action::Login, &ip.to_string()) {
        let state = LoginState {
            login,
            next,
            error: Some(limited.message),
            ..LoginState::default()
        };
        return login_page(&s, &headers, state, StatusCode::TOO_MANY_REQUESTS);
    }
    let password = form.get("password").map(String::as_str).unwrap_or("");
    match s.node.login_to_member_app(&login, password).await {
        Ok((issued, _)) => signed_in(&s, &issued.token, &next),
        Err(NodeError::Unauthorized(message)) => {
            let state = LoginState {
                login,
                next,
                password_error: Some(format!("{message}; check both and try again")),
                ..LoginState::default()
            };
            login_page(&s, &headers, state, StatusCode::UNAUTHORIZED)
        }
        Err(e) => {
            let (status, message) = crate::admin::error_text(e);
            let state = LoginState {
                login,
                next,
                error: Some(message),
                ..LoginState::default()
            };
            login_page(&s, &headers, state, status)
        }
    }
}

/// GET /signup — the form the registration mode calls for.
pub async fn signup_form(
    State(s): State<AppState>,
    MaybeMember(session): MaybeMember,
    headers: HeaderMap,
) -> Response {
    if session.is_some() {
        return Redirect::to("/home").into_response();
    }
    signup_page(&s, &headers, SignupState::default(), StatusCode::OK)
}

/// POST /signup — registers through the node (which follows the mode),
/// limited per IP as the API's registration; then signs in, unless the
/// account awaits approval or its e-mail address must be confirmed first.
pub async fn signup(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !pre_session_ok(&s, &headers, &form) {
        return AppError::forged().into_response();
    }
    let optional = |name: &str| Some(field(&form, name).to_string()).filter(|v| !v.is_empty());
    let new = NewMember {
        username: field(&form, "username").to_string(),
        email: field(&form, "email").to_string(),
        password: form.get("password").cloned().unwrap_or_default(),
        invite_code: optional("invite_code"),
        reason: optional("reason"),
        ..NewMember::default()
    };
    let mut state = SignupState {
        username: new.username.clone(),
        email: new.email.clone(),
        invite_code: new.invite_code.clone().unwrap_or_default(),
        reason: new.reason.clone().unwrap_or_default(),
        ..SignupState::default()
    };
    if let Err(limited) = s.limiters.check(Action::Register, &ip.to_string()) {
        state.errors.general = Some(limited.message);
        return signup_page(&s, &headers, state, StatusCode::TOO_MANY_REQUESTS);
    }
    let password = new.password.clone();
    match s.node.register_from(new, Some(ip)).await {
        Ok(member) if member.email_unconfirmed => {
            Redirect::to("/confirm-email?sent=1").into_response()
        }
        Ok(member) => match s
            .node
            .login_to_member_app(&member.username, &password)
            .await
        {
            Ok((issued, _)) => signed_in(&s, &issued.token, ""),
            Err(NodeError::Forbidden(_)) => {
                state.pending = true;
                signup_page(&s, &headers, state, StatusCode::OK)
            }
            Err(e) => AppError::from(e).into_response(),
        },
        Err(e) => {
            let api = crate::error::ApiError::from(e);
            let status = api.status;
            let message = Some(api.message);
            let slot = match api.field.as_deref() {
                Some("username") => &mut state.errors.username,
                Some("email") => &mut state.errors.email,
                Some("password") => &mut state.errors.password,
                Some("invite_code") => &mut state.errors.invite_code,
                Some("reason") => &mut state.errors.reason,
                _ => &mut state.errors.general,
            };
            *slot = message;
            signup_page(&s, &headers, state, status)
        }
    }
}

/// POST /logout — ends this session and clears the cookie.
pub async fn logout(State(s): State<AppState>, AppForm { session, .. }: AppForm) -> Response {
    if let Ok((viewer, current)) = s.node.authenticate_member_app(&session.token) {
        if let Err(e) = s.node.revoke_session(&viewer, current.id).await {
            return AppError::from(e).into_response();
        }
    }
    let mut response = Redirect::to("/").into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, set_cookie(&s, SESSION_COOKIE, "", 0));
    response
}
