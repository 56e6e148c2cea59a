//! Conversations (direct-message threads).

use axum::extract::{OriginalUri, Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Router;

use super::entities::{Empty, Renderer};
use super::{record_id, render_page, PageParams, Token};
use crate::error::ApiResult;
use crate::state::AppState;

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/conversations", get(list))
        .route("/api/v1/conversations/{id}", delete(remove))
        .route("/api/v1/conversations/{id}/read", post(read))
}

/// GET /api/v1/conversations
async fn list(
    State(s): State<AppState>,
    t: Token,
    Query(p): Query<PageParams>,
    OriginalUri(uri): OriginalUri,
) -> ApiResult<Response> {
    let v = t.require("read:statuses")?;
    let page = s.node.conversations(v, &p.request(20)?)?;
    render_page(&s, &uri, page, |r, c| r.conversation(c))
}

/// POST /api/v1/conversations/{id}/read
async fn read(
    State(s): State<AppState>,
    t: Token,
    Path(raw): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let v = t.require("write:conversations")?;
    let c = s.node.mark_conversation_read(v, record_id(&raw)?).await?;
    Ok(axum::Json(Renderer::new(&s.node).conversation(&c)?))
}

/// DELETE /api/v1/conversations/{id}
async fn remove(
    State(s): State<AppState>,
    t: Token,
    Path(raw): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let v = t.require("write:conversations")?;
    s.node.remove_conversation(v, record_id(&raw)?).await?;
    Ok(axum::Json(Empty {}))
}
