//! Notifications.

use axum::extract::{OriginalUri, Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use node::model::NotificationKind;
use serde::Deserialize;

use super::entities::{notification_kinds, Empty, Notification, Renderer};
use super::params::{flex_list, from_query};
use super::{record_id, render_page, PageParams, Token};
use crate::error::ApiResult;
use crate::state::AppState;

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/notifications", get(list))
        .route("/api/v1/notifications/clear", post(clear))
        .route("/api/v1/notifications/{id}", get(show))
        .route("/api/v1/notifications/{id}/dismiss", post(dismiss))
}

const ALL: [NotificationKind; 6] = [
    NotificationKind::Followed,
    NotificationKind::FollowRequest,
    NotificationKind::Liked,
    NotificationKind::Replied,
    NotificationKind::Mentioned,
    NotificationKind::Boosted,
];

#[derive(Deserialize)]
struct ListQuery {
    #[serde(flatten)]
    page: PageParams,
    #[serde(default, deserialize_with = "flex_list")]
    types: Vec<String>,
    #[serde(default, deserialize_with = "flex_list")]
    exclude_types: Vec<String>,
}

/// GET /api/v1/notifications (types[], exclude_types[])
async fn list(
    State(s): State<AppState>,
    t: Token,
    OriginalUri(uri): OriginalUri,
) -> ApiResult<Response> {
    let v = t.require("read:notifications")?;
    let q: ListQuery = from_query(&uri)?;
    let mut kinds: Vec<NotificationKind> = if q.types.is_empty() {
        ALL.to_vec()
    } else {
        q.types
            .iter()
            .flat_map(|t| notification_kinds(t).iter().copied())
            .collect()
    };
    let excluded: Vec<NotificationKind> = q
        .exclude_types
        .iter()
        .flat_map(|t| notification_kinds(t).iter().copied())
        .collect();
    kinds.retain(|k| !excluded.contains(k));
    if kinds.is_empty() {
        return Ok(axum::Json(Vec::<Notification>::new()).into_response());
    }
    let page = s.node.notifications(v, &kinds, &q.page.request(15)?)?;
    render_page(&s, &uri, page, |r, n| r.notification(n))
}

/// GET /api/v1/notifications/{id}
async fn show(
    State(s): State<AppState>,
    t: Token,
    Path(raw): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let v = t.require("read:notifications")?;
    let n = s.node.notification(v, record_id(&raw)?)?;
    Ok(axum::Json(Renderer::new(&s.node).notification(&n)?))
}

/// POST /api/v1/notifications/{id}/dismiss
async fn dismiss(
    State(s): State<AppState>,
    t: Token,
    Path(raw): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let v = t.require("write:notifications")?;
    s.node.dismiss_notification(v, record_id(&raw)?).await?;
    Ok(axum::Json(Empty {}))
}

/// POST /api/v1/notifications/clear
async fn clear(State(s): State<AppState>, t: Token) -> ApiResult<impl IntoResponse> {
    let v = t.require("write:notifications")?;
    s.node.clear_notifications(v).await?;
    Ok(axum::Json(Empty {}))
}
