//! The members' web app at the node's root: `/login`, `/signup`,
//! `/logout`, `/home`, `/compose`, the post actions under `/posts/`, the
//! profile actions under `/members/`, `/notifications` and the answers to
//! follow requests under `/follow-requests/`, `/settings` (sessions,
//! password, `/settings/profile` with the avatar, and the data exports
//! under `/settings/export/`), `/search`, the direct messages under
//! `/messages`, and groups (`/groups`, the directory and the create form;
//! `/g/{name}`, a group's pages and forms), events (`/events`, the list,
//! the member's, the archive and a month's calendar; `/events/new`;
//! `/events/{id}`, an event's page, forms and participants), courses
//! (`/courses`, the catalogue; `/courses/new`; `/courses/{id}`, a
//! course's page, `/courses/{id}/edit`, its editor, `/courses/{id}/reviews`,
//! its review queue; `/lessons/{id}`, the lesson reader;
//! `/assessments/{id}`, an assessment's form and results), learning paths
//! (`/paths`, the goal form, the planned steps and the saved paths;
//! `/paths/{id}`, a saved path's progress), `/trends` and `/recommended`
//! (`discover.rs`); `/confirm-email`,
//! `/paths/{id}`, a saved path's progress), points, leaderboards and
//! challenges (`/points/{user}`, `/leaderboard`, `/challenges`); `/confirm-email`,
//! `/forgot-password` and `/reset-password/` for e-mailed links
//! (`email.rs`).
//! Server-rendered with askama (templates in `web/templates/app/`, built on
//! the public pages' `base.html`), no JavaScript.
//!
//! - Sessions are members' app node sessions (made only by
//!   [`node::Node::login_to_member_app`], which checks the password through the
//!   one login policy) in an `HttpOnly`, `SameSite=Lax` cookie (`Secure`
//!   unless the node runs in dev mode). An API token is no app cookie, and
//!   an app cookie is no bearer token.
//! - Every form carries [`node::Node::form_token`] of the session; POST
//!   handlers take the form as an [`AppForm`], which checks it before they
//!   run (403, nothing changed). Sign-in and sign-up bind theirs to a
//!   random pre-session cookie, as the admin panel's login does.
//! - Handlers parse, call the node, render.

mod assessment_editor;
mod auth;
mod certificates;
mod course_reviews;
mod course_study;
mod courses;
mod courses_editor;
mod discover;
mod email;
mod event_page;
mod events;
mod events_form;
mod export;
mod feed;
mod feeds;
pub(crate) mod gamification;
mod groups;
mod groups_moderation;
mod groups_settings;
mod insights;
mod learner;
mod learning_paths;
mod live;
mod messages;
mod profile;
mod reputation;
mod search;
mod settings;
mod social;
pub(crate) mod templates;
mod upload;

pub use learner::LEARNER_COOKIE;
pub use live::SCRIPT;

use std::collections::HashMap;

use askama::Template;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use node::{Id, NodeError, Viewer};

use crate::admin::cookie;
use crate::state::AppState;

/// The members' session cookie.
pub const SESSION_COOKIE: &str = "kodeon_session";
/// The pre-session cookie that the sign-in and sign-up forms are bound to.
pub const FORM_COOKIE: &str = "kodeon_app_form";

/// Routes at the node's root.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/signup", get(auth::signup_form).post(auth::signup))
        .route("/logout", post(auth::logout))
        .route(
            "/confirm-email",
            get(email::confirm_form).post(email::resend),
        )
        .route("/confirm-email/{token}", get(email::confirm))
        .route(
            "/forgot-password",
            get(email::forgot_form).post(email::forgot),
        )
        .route(
            "/reset-password/{token}",
            get(email::reset_form).post(email::reset),
        )
        .route("/home", get(feed::home))
        .route(
            "/compose",
            post(feed::compose).layer(axum::extract::DefaultBodyLimit::max(
                node::media::MAX_UPLOAD_BYTES + 64 * 1024,
            )),
        )
        .route("/compose/preview", post(live::preview))
        .route("/posts/{id}/edit", get(feed::edit_form).post(feed::edit))
        .route("/posts/{id}/{action}", post(feed::act))
        .route("/local", get(feeds::local))
        .route("/federated", get(feeds::federated))
        .route("/categories/{category}", get(feeds::category))
        .route("/live", get(live::events))
        .route("/app.js", get(live::script))
        .route("/members/{name}/{action}", post(social::member_action))
        .route("/notifications", get(social::notifications))
        .route("/notifications/read", post(social::mark_read))
        .route(
            "/follow-requests/{name}/{answer}",
            post(social::answer_request),
        )
        .route("/settings", get(settings::page))
        .route("/settings/sessions/{id}/revoke", post(settings::revoke))
        .route("/settings/password", post(settings::password))
        .route("/search", get(search::page))
        .route("/messages", get(messages::list).post(messages::send))
        .route("/messages/{id}", get(messages::conversation))
        .route(
            "/settings/sessions/revoke-others",
            post(settings::revoke_others),
        )
        .route("/settings/profile", get(profile::page).post(profile::save))
        .route(
            "/settings/avatar",
            post(profile::avatar).layer(axum::extract::DefaultBodyLimit::max(
                node::media::MAX_UPLOAD_BYTES + 64 * 1024,
            )),
        )
        .route(
            "/groups",
            get(groups::directory).post(groups_settings::create),
        )
        .route("/groups/new", get(groups_settings::new_form))
        .route("/g/{name}", get(groups::page))
        .route("/g/{name}/join", post(groups::join))
        .route("/g/{name}/leave", post(groups::leave))
        .route("/g/{name}/cancel", post(groups::cancel))
        .route("/g/{name}/members", get(groups::members))
        .route(
            "/g/{name}/settings",
            get(groups_settings::page).post(groups_settings::save),
        )
        .route("/g/{name}/delete", post(groups_settings::delete))
        .route("/g/{name}/moderation", get(groups_moderation::page))
        .route(
            "/g/{name}/members/{user}/{action}",
            post(groups_moderation::member_action),
        )
        .route("/g/{name}/ban", post(groups_moderation::ban))
        .route("/g/{name}/unban", post(groups_moderation::unban))
        .route("/g/{name}/invite", post(groups_moderation::invite))
        .route(
            "/g/{name}/posts/{id}/remove",
            post(groups_moderation::remove_post),
        )
        .route("/events", get(events::list).post(events_form::create))
        .route("/events/new", get(events_form::new_form))
        .route("/events/{id}", get(event_page::page_or_ics))
        .route(
            "/events/{id}/edit",
            get(events_form::edit_form).post(events_form::save),
        )
        .route("/events/{id}/register", post(event_page::register))
        .route("/events/{id}/unregister", post(event_page::unregister))
        .route("/events/{id}/cancel", post(event_page::cancel))
        .route("/events/{id}/live", post(event_page::live))
        .route("/events/{id}/participants", get(event_page::participants))
        .route(
            "/events/{id}/participants/{user}/{action}",
            post(event_page::participant_action),
        )
        .route("/courses", get(courses::list).post(courses_editor::create))
        .route("/courses/new", get(courses_editor::new_form))
        .route("/courses/{id}", get(courses::page))
        .route(
            "/courses/{id}/edit",
            get(courses_editor::edit_form).post(courses_editor::save),
        )
        .route("/courses/{id}/publish", post(courses_editor::publish))
        .route("/courses/{id}/modules", post(courses_editor::add_module))
        .route(
            "/courses/{id}/modules/{m}/lessons",
            post(courses_editor::add_lesson),
        )
        .route(
            "/courses/{id}/modules/{m}/assessments",
            post(courses_editor::add_assessment),
        )
        .route("/courses/{id}/enrol", post(courses::enrol))
        .route("/courses/{id}/leave", post(courses::leave))
        .route("/courses/{id}/rate", post(courses::rate))
        .route("/courses/{id}/invite", post(courses::invite))
        .route(
            "/courses/{id}/enrolments/{user}/{action}",
            post(courses::enrolment_action),
        )
        .route("/courses/{id}/reviews", get(course_reviews::page))
        .route(
            "/courses/{id}/reviews/{attempt}",
            post(course_reviews::review),
        )
        .route(
            "/courses/{id}/remove/{what}/{item}",
            post(courses_editor::remove),
        )
        .route(
            "/assessments/{id}/edit",
            get(assessment_editor::edit).post(assessment_editor::save),
        )
        .route("/lessons/{id}", get(course_study::lesson))
        .route(
            "/lessons/{id}/edit",
            get(courses_editor::edit_lesson_form).post(courses_editor::save_lesson),
        )
        .route("/lessons/{id}/done", post(course_study::done))
        .route("/lessons/{id}/undone", post(course_study::undone))
        .route(
            "/assessments/{id}",
            get(course_study::assessment).post(course_study::submit),
        )
        .route("/assessments/{id}/start", post(course_study::start))
        .route("/attempts/{id}/submit", post(course_study::submit_started))
        .route(
            "/sign-in-elsewhere",
            get(learner::confirm).post(learner::go),
        )
        .route("/auth/kodeon", get(learner::sign_in))
        .route("/auth/kodeon/sign-out", post(learner::sign_out))
        .route("/certificates", get(certificates::page))
        .route("/reputation/{name}", get(reputation::page))
        .route("/insights", get(insights::page))
        .route("/g/{name}/report", get(insights::group_report))
        .route("/points/{user}", get(gamification::points))
        .route("/leaderboard", get(gamification::leaderboard))
        .route("/challenges", get(gamification::challenges))
        .route("/challenges/{id}", get(gamification::challenge))
        .route("/challenges/{id}/join", post(gamification::join))
        .route(
            "/paths",
            get(learning_paths::page).post(learning_paths::save),
        )
        .route("/paths/{id}", get(learning_paths::path))
        .route("/paths/{id}/delete", post(learning_paths::delete))
        .route("/trends", get(discover::trends))
        .route("/recommended", get(discover::recommended_page))
        .route("/settings/export/member.json", get(export::member))
        .route("/settings/export/outbox.json", get(export::outbox))
}

/// The signed-in member as every page's header shows them.
#[derive(Debug, Clone)]
pub struct Me {
    /// Their id.
    pub id: Id,
    /// Their username.
    pub username: String,
    /// The form token of their session, for every form.
    pub csrf: String,
    /// Their unread notifications, for the header's link.
    pub unread: i64,
    /// Whether they are a member of another server signed in for the
    /// study pages only (a learner session): the header says so.
    pub learner: bool,
}

/// A signed-in member, from the app's session cookie.
pub struct MemberSession {
    /// Who is acting.
    pub viewer: Viewer,
    /// The session token (the form token is derived from it).
    pub token: String,
    /// The id of this session.
    pub session_id: Id,
    /// This session as the node holds it.
    pub record: node::model::Session,
    /// What pages show of them.
    pub me: Me,
}

impl MemberSession {
    /// The session of the request's cookie, if it is a live app session.
    fn from_headers(headers: &HeaderMap, s: &AppState) -> Option<Self> {
        let token = cookie(headers, SESSION_COOKIE)?;
        let (viewer, session) = s.node.authenticate_member_app(&token).ok()?;
        let member = viewer.member().ok()?;
        let me = Me {
            id: member.id,
            username: member.username.clone(),
            csrf: s.node.form_token(&token),
            // A stored counter; the header shows 0 rather than fail a page.
            unread: s.node.unread_count(&viewer).map_or(0, |u| u.unread),
            learner: false,
        };
        Some(MemberSession {
            viewer,
            token,
            session_id: session.id,
            record: session,
            me,
        })
    }
}

impl FromRequestParts<AppState> for MemberSession {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, AppError> {
        MemberSession::from_headers(&parts.headers, s).ok_or(AppError::SignIn)
    }
}

/// The member's session if there is one (public pages show their
/// signed-in variant with it).
pub struct MaybeMember(pub Option<MemberSession>);

impl FromRequestParts<AppState> for MaybeMember {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        s: &AppState,
    ) -> Result<Self, std::convert::Infallible> {
        Ok(MaybeMember(MemberSession::from_headers(&parts.headers, s)))
    }
}

/// A form posted by a signed-in member, its form token checked before the
/// handler runs: without a session, to the sign-in page; without this
/// session's token, 403.
///
/// URL-encoded forms and `multipart/form-data` forms (those with a file)
/// are both read; a multipart form must carry `csrf` as its first field,
/// so that no file is read, let alone processed, before the token is
/// checked. The body limit is the route's.
pub struct AppForm {
    /// Who posted it.
    pub session: MemberSession,
    /// Its fields.
    pub form: HashMap<String, String>,
    /// A file chosen in a multipart form (the first non-empty one), if any.
    pub file: Option<FormFile>,
}

/// A file sent with a multipart form.
pub struct FormFile {
    /// The form field it came in.
    pub field: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// The most text a multipart form's fields may hold in all (its files
/// are bounded by the route's body limit).
const MAX_FORM_TEXT: usize = 256 * 1024;

impl FromRequest<AppState> for AppForm {
    type Rejection = Response;

    async fn from_request(req: Request, s: &AppState) -> Result<Self, Response> {
        let multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if multipart {
            let upload = upload::AppUpload::from_request(req, s).await?;
            return upload
                .into_form(node::media::MAX_UPLOAD_BYTES, MAX_FORM_TEXT)
                .await
                .map_err(|e| {
                    let (status, message) = e.status_and_message();
                    AppError::Page(status, format!("The form {message}")).into_response()
                });
        }
        let (mut parts, body) = req.into_parts();
        let session = MemberSession::from_request_parts(&mut parts, s)
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
        Ok(AppForm {
            session,
            form,
            file: None,
        })
    }
}

/// Why an app request could not be served.
#[derive(Debug)]
pub enum AppError {
    /// Not signed in: to the sign-in page.
    SignIn,
    /// A page with a status and a message.
    Page(StatusCode, String),
}

impl AppError {
    /// 403 for a form without a valid token.
    pub fn forged() -> Self {
        AppError::Page(
            StatusCode::FORBIDDEN,
            "This form has expired or did not come from this site. Go back, reload and try again."
                .into(),
        )
    }
}

impl From<NodeError> for AppError {
    fn from(e: NodeError) -> Self {
        let (status, message) = crate::admin::error_text(e);
        AppError::Page(status, message)
    }
}

impl From<crate::error::ApiError> for AppError {
    fn from(e: crate::error::ApiError) -> Self {
        AppError::Page(e.status, e.message)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::SignIn => Redirect::to("/login").into_response(),
            AppError::Page(status, message) => {
                let page = templates::MessagePage {
                    title: status.canonical_reason().unwrap_or("Error").to_string(),
                    message,
                };
                let mut response = match render(page) {
                    Ok(r) => r,
                    Err(_) => "error".into_response(),
                };
                *response.status_mut() = status;
                response
            }
        }
    }
}

/// Renders a template as a page that no cache keeps and no frame shows.
pub fn render(t: impl Template) -> Result<Response, AppError> {
    let html = t.render().map_err(|e| {
        tracing::error!(error = %e, "app template failed");
        AppError::Page(StatusCode::INTERNAL_SERVER_ERROR, "Template error".into())
    })?;
    let mut response = Html(html).into_response();
    private(&mut response);
    Ok(response)
}

/// Renders a template as [`render`] does, answered with `status` (a form
/// shown again with its errors, say).
pub fn render_with_status(t: impl Template, status: StatusCode) -> Result<Response, AppError> {
    render(t).map(|response| (status, response).into_response())
}

/// Marks a page shown to a signed-in member as private: not cached, not
/// framed, forms posting only here.
pub fn private(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self' https: data:; form-action 'self'; frame-ancestors 'none'",
        ),
    );
}

/// A `Set-Cookie` value for the app, scoped to the whole site.
fn set_cookie(s: &AppState, name: &str, value: &str, max_age_secs: i64) -> HeaderValue {
    crate::admin::scoped_cookie(s, "/", name, value, max_age_secs)
}

/// A form field, trimmed ("" when absent).
fn field<'a>(form: &'a HashMap<String, String>, name: &str) -> &'a str {
    crate::admin::field(form, name)
}

/// Puts `message` in `errors` next to `field` (the node's name for it)
/// when the form shows that field (`shown`), else above the form
/// (`form`), naming the field.
fn place_error(
    errors: &mut HashMap<String, String>,
    shown: &[&str],
    field: String,
    message: String,
) {
    if shown.contains(&field.as_str()) {
        errors.insert(field, message);
    } else {
        errors.insert("form".into(), format!("{field}: {message}"));
    }
}

/// Where a form goes back to: its `back` field when it is a path on this
/// site, else `/home`.
fn back(form: &HashMap<String, String>) -> String {
    let to = field(form, "back");
    if local_path(to) {
        to.to_string()
    } else {
        "/home".into()
    }
}

/// Whether `to` is a path on this site that a `Location` header can carry
/// as it is (visible ASCII, no scheme-relative `//`, no backslash).
pub(crate) fn local_path(to: &str) -> bool {
    to.starts_with('/')
        && !to.starts_with("//")
        && !to.contains('\\')
        && to.chars().all(|c| c.is_ascii_graphic())
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_compose;
#[cfg(test)]
mod tests_courses;
#[cfg(test)]
mod tests_discover;
#[cfg(test)]
mod tests_events;
#[cfg(test)]
mod tests_gamification;
#[cfg(test)]
mod tests_groups;
#[cfg(test)]
mod tests_insights;
#[cfg(test)]
mod tests_learner;
#[cfg(test)]
mod tests_paths;
#[cfg(test)]
mod tests_search;
#[cfg(test)]
mod tests_settings;
