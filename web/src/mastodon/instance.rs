//! Instance information, peers, custom emojis, default images.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use super::entities::{self, Unsupported};
use crate::error::ApiResult;
use crate::state::AppState;

/// A transparent 1×1 PNG, served as the default avatar and header.
const BLANK_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/instance", get(v1))
        .route("/api/v1/instance/", get(v1))
        .route("/api/v2/instance", get(v2))
        .route("/api/v2/instance/", get(v2))
        .route("/api/v1/instance/peers", get(peers))
        .route("/api/v1/instance/rules", get(rules))
        .route("/api/v1/custom_emojis", get(emojis))
        .route("/avatars/missing.png", get(blank))
        .route("/headers/missing.png", get(blank))
}

/// GET /api/v1/instance
async fn v1(State(s): State<AppState>) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(entities::instance_v1(&s.node)?))
}

/// GET /api/v2/instance
async fn v2(State(s): State<AppState>) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(entities::instance_v2(&s.node)?))
}

/// GET /api/v1/instance/peers — no federation yet, so no peers.
async fn peers() -> impl IntoResponse {
    axum::Json(Vec::<String>::new())
}

/// GET /api/v1/instance/rules
async fn rules(State(s): State<AppState>) -> impl IntoResponse {
    axum::Json(entities::rules(&s.node.settings().rules))
}

/// GET /api/v1/custom_emojis
async fn emojis() -> impl IntoResponse {
    axum::Json(Vec::<Unsupported>::new())
}

/// GET /avatars/missing.png, /headers/missing.png
async fn blank() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        BLANK_PNG,
    )
}
