//! Discovery and actor documents: WebFinger, NodeInfo, host-meta,
//! `/users/NAME` (ActivityPub JSON; browsers go to the profile page).

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Routes at the root.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/.well-known/webfinger", get(webfinger))
        .route("/.well-known/nodeinfo", get(nodeinfo_links))
        .route("/nodeinfo/2.1", get(nodeinfo))
        .route("/.well-known/host-meta", get(host_meta))
}

/// Actor, collection and object documents: with `federation.authorized_fetch`
/// on, their JSON is only served to signed requests (see
/// [`super::inbox::signed_fetch`], layered on by the router).
pub fn document_routes() -> Router<AppState> {
    Router::new()
        .route("/users/{username}", get(actor))
        .route("/users/{username}/outbox", get(outbox))
        .route("/users/{username}/followers", get(followers))
        .route("/users/{username}/following", get(following))
        .route("/users/{username}/moderators", get(moderators))
        .route("/users/{username}/collections/featured", get(featured))
        .route("/users/{username}/statuses/{id}", get(object))
        .route("/users/{username}/statuses/{id}/replies", get(replies))
        .route("/users/{username}/events/{id}", get(event_object))
        .route("/users/{username}/courses/{id}", get(course_object))
}

/// GET /users/{username}/courses/{id} — the course object (an `Article`
/// with Kodeon's terms; browsers get the course's page).
async fn course_object(
    State(s): State<AppState>,
    Path((username, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    if is_browser(&headers) {
        return Ok(Redirect::to(&format!("/courses/{id}")).into_response());
    }
    let id = id
        .parse()
        .map_err(|_| ApiError::new(StatusCode::NOT_FOUND, "course not found"))?;
    Ok(activity_json(federation::course_objects::public_course(
        &s.node, &username, id,
    )?))
}

/// GET /users/{username}/events/{id} — the `Event` object (browsers get
/// the event's page).
async fn event_object(
    State(s): State<AppState>,
    Path((username, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    if is_browser(&headers) {
        return Ok(Redirect::to(&format!("/events/{id}")).into_response());
    }
    let id = id
        .parse()
        .map_err(|_| ApiError::new(StatusCode::NOT_FOUND, "event not found"))?;
    Ok(activity_json(federation::event_objects::public_event(
        &s.node, &username, id,
    )?))
}

#[derive(Deserialize)]
struct WebfingerQuery {
    resource: Option<String>,
}

/// GET /.well-known/webfinger?resource=acct:NAME@DOMAIN
async fn webfinger(
    State(s): State<AppState>,
    Query(q): Query<WebfingerQuery>,
) -> ApiResult<Response> {
    let resource = q.resource.filter(|r| !r.is_empty()).ok_or_else(|| {
        ApiError::field(StatusCode::BAD_REQUEST, "resource", "resource is required")
    })?;
    let jrd =
        federation::discovery::webfinger(&s.node, &resource).map_err(|e| {
            match ApiError::from(e) {
                e if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
                    e.with_status(StatusCode::BAD_REQUEST)
                }
                e => e,
            }
        })?;
    Ok((
        [(header::CONTENT_TYPE, "application/jrd+json; charset=utf-8")],
        axum::Json(jrd),
    )
        .into_response())
}

/// GET /.well-known/nodeinfo
async fn nodeinfo_links(State(s): State<AppState>) -> impl IntoResponse {
    axum::Json(federation::discovery::nodeinfo_links(&s.node))
}

/// GET /nodeinfo/2.1
async fn nodeinfo(State(s): State<AppState>) -> ApiResult<Response> {
    let doc = federation::discovery::nodeinfo(&s.node)?;
    let ct = "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/2.1#\"";
    Ok(([(header::CONTENT_TYPE, ct)], axum::Json(doc)).into_response())
}

/// GET /.well-known/host-meta
async fn host_meta(State(s): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/xrd+xml; charset=utf-8")],
        federation::discovery::host_meta(&s.node),
    )
}

/// Whether the request asks for ActivityPub JSON (content negotiation).
pub fn wants_activity_json(headers: &HeaderMap) -> bool {
    protocol::activitystreams::wants_activity_json(accept(headers))
}

/// Whether the request comes from a browser that did not ask for JSON.
fn is_browser(headers: &HeaderMap) -> bool {
    accept(headers).contains("text/html") && !wants_activity_json(headers)
}

fn accept(headers: &HeaderMap) -> &str {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// An actor document as `application/activity+json`.
pub fn actor_response(s: &AppState, username: &str) -> ApiResult<Response> {
    // A deleted account is gone for good (as Mastodon answers), not merely
    // unknown.
    if s.node
        .find_member(username)?
        .is_some_and(|m| m.is_local() && m.deleted_at.is_some())
    {
        return Ok(StatusCode::GONE.into_response());
    }
    let actor = federation::discovery::person(&s.node, username)?;
    Ok((
        [(header::CONTENT_TYPE, "application/activity+json")],
        axum::Json(actor),
    )
        .into_response())
}

/// GET /users/{username} — ActivityPub JSON, or the profile page for browsers.
async fn actor(
    State(s): State<AppState>,
    Path(username): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    if is_browser(&headers) {
        return Ok(Redirect::to(&format!("/@{username}")).into_response());
    }
    actor_response(&s, &username)
}

pub(crate) fn activity_json(value: impl serde::Serialize) -> Response {
    (
        [(header::CONTENT_TYPE, "application/activity+json")],
        axum::Json(value),
    )
        .into_response()
}

#[derive(Deserialize)]
struct OutboxQuery {
    page: Option<String>,
    max_id: Option<String>,
}

/// GET /users/{username}/outbox (`?page=true[&max_id=]` for items)
async fn outbox(
    State(s): State<AppState>,
    Path(username): Path<String>,
    Query(q): Query<OutboxQuery>,
) -> ApiResult<Response> {
    let page = match q.page.as_deref() {
        Some("true") => Some(match q.max_id.as_deref() {
            None | Some("") => None,
            Some(m) => Some(m.parse().map_err(|_| {
                ApiError::field(StatusCode::BAD_REQUEST, "max_id", "max_id is not an id")
            })?),
        }),
        _ => None,
    };
    Ok(activity_json(federation::objects::outbox(
        &s.node, &username, page,
    )?))
}

#[derive(Deserialize)]
struct RepliesQuery {
    page: Option<String>,
    min_id: Option<String>,
}

/// GET /users/{username}/statuses/{id}/replies[?page=true&min_id=]
async fn replies(
    State(s): State<AppState>,
    Path((username, raw)): Path<(String, String)>,
    Query(q): Query<RepliesQuery>,
) -> ApiResult<Response> {
    let id = raw
        .parse()
        .map_err(|_| ApiError::new(StatusCode::NOT_FOUND, "no such post"))?;
    let page = match q.page.as_deref() {
        Some("true") => Some(match q.min_id.as_deref() {
            None | Some("") => None,
            Some(m) => Some(m.parse().map_err(|_| {
                ApiError::field(StatusCode::BAD_REQUEST, "min_id", "min_id is not an id")
            })?),
        }),
        _ => None,
    };
    Ok(activity_json(federation::objects::replies(
        &s.node, &username, id, page,
    )?))
}

/// GET /users/{username}/followers
async fn followers(State(s): State<AppState>, Path(username): Path<String>) -> ApiResult<Response> {
    Ok(activity_json(federation::objects::follow_collection(
        &s.node,
        &username,
        "followers",
    )?))
}

/// GET /users/{username}/following
async fn following(State(s): State<AppState>, Path(username): Path<String>) -> ApiResult<Response> {
    Ok(activity_json(federation::objects::follow_collection(
        &s.node,
        &username,
        "following",
    )?))
}

/// GET /users/{name}/moderators — a group's owner and moderators.
async fn moderators(State(s): State<AppState>, Path(name): Path<String>) -> ApiResult<Response> {
    Ok(activity_json(federation::objects::moderators_collection(
        &s.node, &name,
    )?))
}

/// GET /users/{username}/collections/featured — pinned posts.
async fn featured(State(s): State<AppState>, Path(username): Path<String>) -> ApiResult<Response> {
    Ok(activity_json(federation::objects::featured_collection(
        &s.node, &username,
    )?))
}

/// A public or unlisted post as an ActivityPub object.
pub fn object_response(s: &AppState, username: &str, id: &str) -> ApiResult<Response> {
    let id = id
        .parse()
        .map_err(|_| ApiError::new(StatusCode::NOT_FOUND, "post not found"))?;
    Ok(activity_json(federation::objects::public_note(
        &s.node, username, id,
    )?))
}

/// GET /users/{username}/statuses/{id} — the object (browsers get the page).
async fn object(
    State(s): State<AppState>,
    Path((username, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    if is_browser(&headers) {
        return Ok(Redirect::to(&format!("/@{username}/{id}")).into_response());
    }
    object_response(&s, &username, &id)
}
