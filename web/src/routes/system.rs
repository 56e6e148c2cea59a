//! Health, metrics and node information.

use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use serde_json::json;

use crate::error::ApiResult;
use crate::state::AppState;

/// Routes at the root (not under the API prefix).
pub fn root_routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(crate::metrics::render))
}

/// Routes under `/api/kodeon/v1`.
pub fn routes() -> Router<AppState> {
    Router::new().route("/node", get(node_info))
}

/// GET /healthz — answers when the store reads.
async fn healthz(State(s): State<AppState>) -> ApiResult<impl IntoResponse> {
    s.node.stats()?;
    Ok(axum::Json(json!({"status": "ok"})))
}

/// GET /api/kodeon/v1/node
async fn node_info(State(s): State<AppState>) -> ApiResult<impl IntoResponse> {
    let stats = s.node.stats()?;
    let config = s.node.config();
    Ok(axum::Json(json!({
        "domain": config.domain,
        "did": s.node.node_did(),
        "version": env!("CARGO_PKG_VERSION"),
        "members": stats.members,
        "posts": stats.posts,
        "name": s.node.settings().name,
        "registrations_open": s.node.registration_mode() != node::RegistrationMode::Closed,
        "registration_mode": s.node.registration_mode(),
        "needs_setup": s.node.needs_setup()?,
    })))
}
