//! Conversations (direct-message threads).

use axum::extract::{OriginalUri, Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Router;
use node::conversations::ConversationView;
use node::NodeResult;
use serde_json::{json, Value};

use super::entities::Renderer;
use super::{paged, record_id, PageParams, Token};
use crate::error::ApiResult;
use crate::state::AppState;

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/conversations", get(list))
        .route("/api/v1/conversations/{id}", delete(remove))
        .route("/api/v1/conversations/{id}/read", post(read))
}

pub(super) fn render(r: &mut Renderer<'_>, c: &ConversationView) -> NodeResult<Value> {
    let accounts = c
        .participants
        .iter()
        .map(|m| r.account_by_id(m.id))
        .collect::<NodeResult<Vec<_>>>()?;
    Ok(json!({
        "id": c.id.to_string(),
        "unread": c.unread,
        "accounts": accounts,
        "last_status": r.status(&c.last_post)?,
    }))
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
    let mut r = Renderer::new(&s.node);
    let items = page
        .items
        .iter()
        .map(|c| render(&mut r, c))
        .collect::<NodeResult<Vec<_>>>()?;
    Ok(paged(
        r.base(),
        &uri,
        items,
        page.next_max_id,
        page.prev_min_id,
    ))
}

/// POST /api/v1/conversations/{id}/read
async fn read(
    State(s): State<AppState>,
    t: Token,
    Path(raw): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let v = t.require("write:conversations")?;
    let c = s.node.mark_conversation_read(v, record_id(&raw)?).await?;
    Ok(axum::Json(render(&mut Renderer::new(&s.node), &c)?))
}

/// DELETE /api/v1/conversations/{id}
async fn remove(
    State(s): State<AppState>,
    t: Token,
    Path(raw): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let v = t.require("write:conversations")?;
    s.node.remove_conversation(v, record_id(&raw)?).await?;
    Ok(axum::Json(json!({})))
}
