//! Notifications and their read state.

use axum::extract::{OriginalUri, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use node::model::NotificationKind;
use node::Id;
use serde::Deserialize;

use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Json, PageQuery};
use crate::pages::page_response;
use crate::state::AppState;

/// Routes under `/api/kodeon/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(list))
        .route("/notifications/unread", get(unread))
        .route("/notifications/read", post(mark_read))
}

#[derive(Deserialize)]
struct ListQuery {
    #[serde(flatten)]
    page: PageQuery,
    types: Option<String>,
}

/// GET /api/kodeon/v1/notifications
async fn list(
    State(s): State<AppState>,
    Auth(v): Auth,
    Query(q): Query<ListQuery>,
    OriginalUri(uri): OriginalUri,
) -> ApiResult<Response> {
    let mut kinds = Vec::new();
    for t in q
        .types
        .as_deref()
        .unwrap_or("")
        .split(',')
        .filter(|t| !t.is_empty())
    {
        kinds.push(NotificationKind::parse(t).ok_or_else(|| {
            ApiError::field(
                StatusCode::BAD_REQUEST,
                "types",
                format!("types: unknown notification type {t:?}"),
            )
        })?);
    }
    Ok(page_response(
        &uri,
        s.node.notifications(&v, &kinds, &q.page.to_request()?)?,
    ))
}

/// GET /api/kodeon/v1/notifications/unread
async fn unread(State(s): State<AppState>, Auth(v): Auth) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(s.node.unread_count(&v)?))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct MarkBody {
    #[serde(default)]
    ids: Vec<Id>,
}

/// POST /api/kodeon/v1/notifications/read
async fn mark_read(
    State(s): State<AppState>,
    Auth(v): Auth,
    Json(b): Json<MarkBody>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(
        s.node.mark_notifications_read(&v, &b.ids).await?,
    ))
}
