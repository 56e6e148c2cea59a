//! Instance information, peers, custom emojis, default images.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use node::RegistrationMode;
use serde_json::{json, Value};

use crate::error::ApiResult;
use crate::state::AppState;

/// The version string clients parse as Mastodon-compatible.
pub fn version() -> String {
    format!("4.2.0 (compatible; Kodeon {})", protocol::SOFTWARE_VERSION)
}

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

fn configuration(state: &AppState) -> Value {
    let limits = state.node.limits();
    json!({
        "accounts": {"max_featured_tags": 0, "max_pinned_statuses": 0},
        "statuses": {"max_characters": limits.post_chars, "max_media_attachments": node::media::MAX_PER_POST, "characters_reserved_per_url": 23},
        "media_attachments": {"supported_mime_types": ["image/jpeg", "image/png", "image/webp", "image/gif"], "image_size_limit": node::media::MAX_UPLOAD_BYTES, "image_matrix_limit": 8192 * 8192, "video_size_limit": 0, "video_frame_rate_limit": 0, "video_matrix_limit": 0},
        "polls": {"max_options": 0, "max_characters_per_option": 0, "min_expiration": 0, "max_expiration": 0},
        "translation": {"enabled": false},
    })
}

fn streaming_url(state: &AppState) -> String {
    state.node.urls().base().replacen("http", "ws", 1)
}

/// GET /api/v1/instance
async fn v1(State(s): State<AppState>) -> ApiResult<impl IntoResponse> {
    let stats = s.node.stats()?;
    let config = s.node.config();
    let settings = s.node.settings();
    let registration = settings.registration;
    let mut configuration = configuration(&s);
    configuration["urls"] = json!({"streaming_api": streaming_url(&s)});
    Ok(axum::Json(json!({
        "uri": config.domain,
        "title": settings.name,
        "short_description": settings.description,
        "description": settings.description,
        "email": settings.contact_email,
        "version": version(),
        "urls": {"streaming_api": streaming_url(&s)},
        "stats": {"user_count": stats.members, "status_count": stats.posts, "domain_count": 0},
        "thumbnail": null,
        "languages": ["en"],
        "registrations": registration != RegistrationMode::Closed,
        "approval_required": registration == RegistrationMode::Approval,
        "invites_enabled": registration == RegistrationMode::Invite,
        "configuration": configuration,
        "contact_account": null,
        "rules": rules_json(&settings.rules),
    })))
}

/// GET /api/v2/instance
async fn v2(State(s): State<AppState>) -> ApiResult<impl IntoResponse> {
    let config = s.node.config();
    let settings = s.node.settings();
    let registration = settings.registration;
    let mut configuration = configuration(&s);
    configuration["urls"] = json!({"streaming": streaming_url(&s)});
    Ok(axum::Json(json!({
        "domain": config.domain,
        "title": settings.name,
        "version": version(),
        "source_url": "",
        "description": settings.description,
        "usage": {"users": {"active_month": s.node.active_members(30)?}},
        "thumbnail": {"url": s.node.urls().missing_header()},
        "languages": ["en"],
        "configuration": configuration,
        "registrations": {
            "enabled": registration != RegistrationMode::Closed,
            "approval_required": registration == RegistrationMode::Approval,
            "message": null,
        },
        "contact": {"email": settings.contact_email, "account": null},
        "rules": rules_json(&settings.rules),
    })))
}

/// GET /api/v1/instance/peers — no federation yet, so no peers.
async fn peers() -> impl IntoResponse {
    axum::Json(Vec::<String>::new())
}

/// GET /api/v1/instance/rules
async fn rules(State(s): State<AppState>) -> impl IntoResponse {
    axum::Json(rules_json(&s.node.settings().rules))
}

/// Mastodon's rule entities: ids are the rule's position, from 1.
fn rules_json(rules: &[String]) -> Value {
    Value::Array(
        rules
            .iter()
            .enumerate()
            .map(|(i, text)| json!({"id": (i + 1).to_string(), "text": text, "hint": ""}))
            .collect(),
    )
}

/// GET /api/v1/custom_emojis
async fn emojis() -> impl IntoResponse {
    axum::Json(Vec::<Value>::new())
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
