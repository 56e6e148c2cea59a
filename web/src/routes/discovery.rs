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
        .route("/users/{username}", get(actor))
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

/// An actor document as `application/activity+json`.
pub fn actor_response(s: &AppState, username: &str) -> ApiResult<Response> {
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
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if accept.contains("text/html") && !protocol::activitystreams::wants_activity_json(accept) {
        return Ok(Redirect::to(&format!("/@{username}")).into_response());
    }
    actor_response(&s, &username)
}
