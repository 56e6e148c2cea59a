//! The node's libp2p state.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use node::NodeError;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Routes under `/api/kodeon/v1`.
pub fn routes() -> Router<AppState> {
    Router::new().route("/p2p", get(p2p_info))
}

/// GET /api/kodeon/v1/p2p — `{"peer_id", "listen_addrs", "peers":
/// [{"peer_id", "addrs", "score"}], "records"}`; 404 when gossip is off.
async fn p2p_info(State(s): State<AppState>) -> ApiResult<Json<federation::gossip::P2pInfo>> {
    let gossip = s
        .gossip()
        .ok_or(NodeError::NotFound("p2p (gossip is off)"))?;
    let info = gossip
        .info()
        .await
        .map_err(|e| ApiError::from(NodeError::Internal(e.to_string())))?;
    Ok(Json(info))
}
