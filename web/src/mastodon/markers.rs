//! Markers: read positions shared between apps.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use super::entities::Markers;
use super::params::{flex_list, from_query, Params};
use super::Token;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/markers", get(show).post(update))
}

#[derive(Deserialize)]
struct ShowQuery {
    #[serde(default, deserialize_with = "flex_list")]
    timeline: Vec<String>,
}

/// GET /api/v1/markers?timeline[]=home&timeline[]=notifications
async fn show(
    State(s): State<AppState>,
    t: Token,
    uri: axum::http::Uri,
) -> ApiResult<impl IntoResponse> {
    let v = t.require("read:statuses")?;
    let q: ShowQuery = from_query(&uri)?;
    Ok(axum::Json(Markers::of(&s.node.markers(v, &q.timeline)?)))
}

#[derive(Deserialize)]
struct Position {
    last_read_id: Option<String>,
}

#[derive(Deserialize)]
struct UpdateParams {
    home: Option<Position>,
    notifications: Option<Position>,
}

/// POST /api/v1/markers (home[last_read_id]=..., notifications[last_read_id]=...)
async fn update(
    State(s): State<AppState>,
    t: Token,
    Params(p): Params<UpdateParams>,
) -> ApiResult<impl IntoResponse> {
    let v = t.require("write:statuses")?;
    let mut out = Vec::new();
    for (name, pos) in [("home", p.home), ("notifications", p.notifications)] {
        let Some(id) = pos.and_then(|p| p.last_read_id) else {
            continue;
        };
        let id = id.parse().map_err(|_| {
            ApiError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                name,
                format!("{name}[last_read_id] is not an id"),
            )
        })?;
        out.push((name.to_string(), s.node.set_marker(v, name, id).await?));
    }
    Ok(axum::Json(Markers::of(&out)))
}
