//! Timelines: home, public (local), tag.

use axum::extract::{OriginalUri, Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use super::entities::Status;
use super::params::{flex_bool, from_query};
use super::{status_page, MaybeToken, PageParams, Token};
use crate::error::ApiResult;
use crate::state::AppState;

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/timelines/home", get(home))
        .route("/api/v1/timelines/public", get(public))
        .route("/api/v1/timelines/tag/{hashtag}", get(tag))
}

#[derive(Deserialize)]
struct TimelineQuery {
    #[serde(flatten)]
    page: PageParams,
    #[serde(default, deserialize_with = "flex_bool")]
    remote: Option<bool>,
    #[serde(default, deserialize_with = "flex_bool")]
    local: Option<bool>,
    #[serde(default, deserialize_with = "flex_bool")]
    only_media: Option<bool>,
}

fn query(uri: &axum::http::Uri) -> ApiResult<TimelineQuery> {
    from_query(uri)
}

/// GET /api/v1/timelines/home
async fn home(
    State(s): State<AppState>,
    t: Token,
    OriginalUri(uri): OriginalUri,
) -> ApiResult<Response> {
    let v = t.require("read:statuses")?;
    let q = query(&uri)?;
    status_page(&s, &uri, s.node.home_feed(v, &q.page.request(20)?)?)
}

/// GET /api/v1/timelines/public — public top-level posts: local and
/// remote, `local=true` for this node's, `remote=true` for other servers'
/// (ActivityPub and gossip). `only_media=true` is empty (remote media are
/// links only).
async fn public(
    State(s): State<AppState>,
    t: MaybeToken,
    OriginalUri(uri): OriginalUri,
) -> ApiResult<Response> {
    let v = t.viewer("read:statuses")?;
    let q = query(&uri)?;
    if q.only_media == Some(true) {
        return Ok(axum::Json(Vec::<Status>::new()).into_response());
    }
    let req = q.page.request(20)?;
    let page = if q.remote == Some(true) {
        s.node.remote_feed(&v, &req)?
    } else if q.local == Some(true) {
        s.node.local_feed(&v, &req)?
    } else {
        s.node.federated_feed(&v, &req)?
    };
    status_page(&s, &uri, page)
}

/// GET /api/v1/timelines/tag/{hashtag}
async fn tag(
    State(s): State<AppState>,
    t: MaybeToken,
    Path(tag): Path<String>,
    OriginalUri(uri): OriginalUri,
) -> ApiResult<Response> {
    let v = t.viewer("read:statuses")?;
    let q = query(&uri)?;
    if q.remote == Some(true) || q.only_media == Some(true) {
        return Ok(axum::Json(Vec::<Status>::new()).into_response());
    }
    status_page(&s, &uri, s.node.tag_feed(&v, &tag, &q.page.request(20)?)?)
}
