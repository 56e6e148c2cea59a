//! "Sign in with your node" in the members' app.
//!
//! - Home side: `/sign-in-elsewhere?to=URL` asks a signed-in member to
//!   confirm, and its form mints a ticket for the origin of `to`
//!   ([`node::Node::mint_sign_in_ticket`]) and sends the browser there
//!   (303 to `{origin}/auth/kodeon?ticket=…&next={path of to}`).
//! - Hosting side: `/auth/kodeon` takes a ticket
//!   ([`federation::Federation::accept_sign_in_ticket`]) and sets the
//!   learner cookie, `kodeon_learner` (`HttpOnly`, `SameSite=Lax`,
//!   `Secure` unless in dev mode, a day), then goes to `next` when it is a
//!   path of the study pages, else `/courses`; `/auth/kodeon/sign-out`
//!   ends the session.
//! - [`Studier`] is who a study page serves: a members' app session, or
//!   else a learner session (the remote account). Only the study pages
//!   take it; every other page and the API read the members' session
//!   alone, so a learner session never posts, follows or messages.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{FromRequest, FromRequestParts, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use federation::sign_in::SignInError;
use node::{NodeError, Viewer};
use serde::Deserialize;

use super::{field, render, set_cookie, AppError, AppForm, Me, MemberSession};
use crate::admin::cookie;
use crate::public_pages::{site, Site};
use crate::rate_limit::{Action, ClientIp};
use crate::state::AppState;

/// The learner session's cookie.
pub const LEARNER_COOKIE: &str = "kodeon_learner";

/// Learner sessions' cookies last as long as the session: a day.
const LEARNER_SECS: i64 = node::members::learner_sessions::LEARNER_SESSION_MS / 1000;

/// The study pages a sign-in may go on to: these paths, and what is
/// under the prefixes.
const STUDY_PAGES: [&str; 2] = ["/courses", "/certificates"];
const STUDY_PREFIXES: [&str; 4] = ["/courses/", "/lessons/", "/assessments/", "/certificates/"];

/// Who a study page serves: a member of this node (their app session) or
/// a member of another server (their learner session).
pub struct Studier {
    /// Who is acting.
    pub viewer: Viewer,
    /// What pages show of them (`learner` set for a learner session).
    pub me: Me,
    /// The session's token (the form token is derived from it).
    pub token: String,
}

impl Studier {
    fn from_headers(headers: &HeaderMap, s: &AppState) -> Option<Self> {
        if let Some(member) = MemberSession::from_headers(headers, s) {
            return Some(member.into());
        }
        let token = cookie(headers, LEARNER_COOKIE)?;
        let (viewer, _) = s.node.authenticate_learner(&token).ok()?;
        let member = viewer.member().ok()?;
        let me = Me {
            id: member.id,
            username: member.username.clone(),
            csrf: s.node.form_token(&token),
            unread: 0,
            learner: true,
        };
        Some(Studier { viewer, me, token })
    }
}

impl From<MemberSession> for Studier {
    fn from(session: MemberSession) -> Self {
        Studier {
            viewer: session.viewer,
            me: session.me,
            token: session.token,
        }
    }
}

impl FromRequestParts<AppState> for Studier {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, AppError> {
        Studier::from_headers(&parts.headers, s).ok_or(AppError::SignIn)
    }
}

/// A form posted on a study page by a [`Studier`], its form token checked
/// before the handler runs (403 without it). URL-encoded only.
pub struct StudyForm {
    /// Who posted it.
    pub session: Studier,
    /// Its fields.
    pub form: HashMap<String, String>,
}

impl FromRequest<AppState> for StudyForm {
    type Rejection = Response;

    async fn from_request(req: Request, s: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let session = Studier::from_request_parts(&mut parts, s)
            .await
            .map_err(IntoResponse::into_response)?;
        let req = Request::from_parts(parts, body);
        let Form(form) = Form::<HashMap<String, String>>::from_request(req, s)
            .await
            .map_err(IntoResponse::into_response)?;
        let given = form.get("csrf").map(String::as_str).unwrap_or("");
        if !s.node.check_form_token(&session.token, given) {
            return Err(AppError::forged().into_response());
        }
        Ok(StudyForm { session, form })
    }
}

/// `/sign-in-elsewhere`'s query.
#[derive(Deserialize)]
pub struct ElsewhereQuery {
    /// The page of the other node to study on.
    #[serde(default)]
    to: String,
}

/// The confirmation page.
#[derive(Template)]
#[template(path = "app/sign_in_elsewhere.html")]
pub struct ElsewherePage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    /// The other node's host, as the member reads it.
    pub host: String,
    /// The page asked for, carried by the form.
    pub to: String,
    /// `name@domain`.
    pub handle: String,
}

/// The origin, host and path (with query) of `to`, an http(s) URL of
/// another node; 422 naming `to` otherwise.
fn target(to: &str) -> Result<(String, String, String), AppError> {
    let url = protocol::urls::HttpUrl::parse(to.trim()).map_err(|e| {
        AppError::Page(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("to: the address of the other server's page {e}"),
        )
    })?;
    let u = url.as_url();
    let path = match u.query() {
        Some(q) => format!("{}?{q}", u.path()),
        None => u.path().to_string(),
    };
    Ok((
        format!("{}://{}", url.scheme(), url.authority()),
        url.authority(),
        path,
    ))
}

/// GET /sign-in-elsewhere?to=URL — "Sign in to HOST as you@here?", with
/// the form that does it. Not signed in: the sign-in page, then back.
pub async fn confirm(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ElsewhereQuery>,
) -> Result<Response, AppError> {
    let Some(session) = MemberSession::from_headers(&headers, &s) else {
        let back = form_urlencoded::Serializer::new(String::new())
            .append_pair("to", &q.to)
            .finish();
        let next = form_urlencoded::Serializer::new(String::new())
            .append_pair("next", &format!("/sign-in-elsewhere?{back}"))
            .finish();
        return Ok(Redirect::to(&format!("/login?{next}")).into_response());
    };
    let (_, host, _) = target(&q.to)?;
    let Site {
        domain,
        members,
        posts,
    } = site(&s)?;
    let handle = format!("{}@{}", session.me.username, domain);
    render(ElsewherePage {
        domain,
        members,
        posts,
        me: Some(session.me),
        host,
        to: q.to,
        handle,
    })
}

/// POST /sign-in-elsewhere — mints a ticket for the origin of `to` and
/// sends the browser there (303).
pub async fn go(
    State(s): State<AppState>,
    AppForm { session, form, .. }: AppForm,
) -> Result<Response, AppError> {
    let (origin, _, path) = target(field(&form, "to"))?;
    let minted = s
        .node
        .mint_sign_in_ticket(&session.viewer, &origin, &path)?;
    Ok(Redirect::to(&minted.sign_in_url).into_response())
}

/// `/auth/kodeon`'s query.
#[derive(Deserialize)]
pub struct TicketQuery {
    #[serde(default)]
    ticket: String,
    #[serde(default)]
    next: String,
}

/// Where a sign-in goes on to: `next` when it is a path of the study
/// pages on this site (never another site: no open redirect), else
/// `/courses`.
pub fn study_next(next: &str) -> &str {
    let path = next.split(['?', '#']).next().unwrap_or_default();
    let study = STUDY_PAGES.contains(&path)
        || STUDY_PREFIXES
            .iter()
            .any(|p| path.len() > p.len() && path.starts_with(p));
    if super::local_path(next) && study {
        next
    } else {
        "/courses"
    }
}

/// The page of a refused ticket: 400 for a malformed one or one for
/// another server, 401 for the rest (expired, replayed, bad signature,
/// unknown or local actor), each saying what failed.
fn refusal(e: SignInError) -> AppError {
    let (status, why) = match e {
        SignInError::Ticket(t) => (
            StatusCode::BAD_REQUEST,
            format!("The ticket is malformed: {t}."),
        ),
        SignInError::UnknownActor(f) => {
            tracing::info!(error = %f, "a sign-in ticket's actor could not be had");
            (
                StatusCode::UNAUTHORIZED,
                "Unknown actor: the account that signed the ticket could not be found on its server.".into(),
            )
        }
        SignInError::Node(NodeError::Invalid { message, .. }) => (
            StatusCode::BAD_REQUEST,
            format!("Sign-in refused: {message}."),
        ),
        SignInError::Node(NodeError::Unauthorized(why)) => {
            (StatusCode::UNAUTHORIZED, format!("Sign-in refused: {why}."))
        }
        SignInError::Node(e) => return e.into(),
    };
    AppError::Page(status, why)
}

/// GET /auth/kodeon?ticket=…&next=/path — a member of another Kodeon node
/// signs in with a ticket their node signed; a learner session, then
/// `next` (a study page) or `/courses`. Limited per IP as the sign-in
/// form is (a ticket may make this node fetch its actor).
pub async fn sign_in(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    Query(q): Query<TicketQuery>,
) -> Result<Response, AppError> {
    if let Err(limited) = s.limiters.check(Action::Login, &ip.to_string()) {
        return Err(AppError::Page(
            StatusCode::TOO_MANY_REQUESTS,
            limited.message,
        ));
    }
    let Some(federation) = s.federation.as_ref() else {
        return Err(AppError::Page(
            StatusCode::SERVICE_UNAVAILABLE,
            "This server does not federate: nobody can sign in with another server here.".into(),
        ));
    };
    let signed_in = federation
        .accept_sign_in_ticket(&q.ticket)
        .await
        .map_err(refusal)?;
    let mut response = Redirect::to(study_next(&q.next)).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&s, LEARNER_COOKIE, &signed_in.token, LEARNER_SECS),
    );
    Ok(response)
}

/// POST /auth/kodeon/sign-out — ends the learner session (its form token
/// checked) and clears its cookie.
pub async fn sign_out(
    State(s): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let Some(token) = cookie(&headers, LEARNER_COOKIE) else {
        return Ok(Redirect::to("/courses").into_response());
    };
    if !s.node.check_form_token(&token, field(&form, "csrf")) {
        return Err(AppError::forged());
    }
    s.node.end_learner_session(&token).await?;
    let mut response = Redirect::to("/courses").into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, set_cookie(&s, LEARNER_COOKIE, "", 0));
    Ok(response)
}
