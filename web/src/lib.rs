//! Kodeon's HTTP layer: axum routers over [`node::Node`] methods.
//!
//! **Architecture Invariant:** handlers parse, call one node method, render.
//! No business rule lives here; rate limits and body limits are transport
//! policy and do.

pub mod admin;
pub mod app;
pub mod error;
pub mod extract;
pub mod insights_csv;
pub mod mail;
pub mod mastodon;
pub mod metrics;
pub mod pages;
pub mod public_pages;
pub mod rate_limit;
pub mod remote_groups;
pub mod route_scopes;
pub mod routes;
pub mod state;

#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::Router;
use node::Node;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

use crate::error::ApiError;
use crate::state::AppState;

/// HTTP-level settings (the binary maps its config file onto this).
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// Largest accepted request body.
    pub body_limit_bytes: usize,
    /// Rate limits (0 = unlimited).
    pub rate_limits: RateLimits,
    /// The bearer token that may scrape `/metrics` (`None`: it is off).
    pub metrics_token: Option<String>,
    /// Open streams allowed (0 = unlimited).
    pub streams: StreamLimits,
    /// What sends e-mail (the admin panel's test message); `None` when the
    /// node sends none. The queue's worker is [`mail::run_mail_worker`].
    pub mailer: Option<Arc<dyn mail::Mailer>>,
}

/// How many streaming connections (SSE and WebSocket) may be open at once;
/// past a limit a new one is a 429. 0 disables a limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamLimits {
    /// Streams open from one client IP.
    pub per_ip: usize,
    /// Streams open on the node.
    pub total: usize,
    /// Reverse proxies' addresses, which every client comes from: not
    /// limited per IP (only in all).
    pub proxies: Vec<std::net::IpAddr>,
}

/// Rate limits, per client IP or per account. 0 disables a limit.
#[derive(Debug, Clone)]
pub struct RateLimits {
    /// Registrations per IP per hour.
    pub register_per_hour_per_ip: u32,
    /// Login attempts per minute, per IP and (separately) per account.
    pub login_per_minute_per_ip: u32,
    /// Posts (and comments) per account per minute.
    pub posts_per_minute_per_account: u32,
    /// Media uploads (attachments and avatars) per account per minute.
    pub media_uploads_per_minute_per_account: u32,
    /// Lookups per account per minute that make the node fetch from other
    /// servers (search with `resolve`, remote handles not known yet).
    pub remote_lookups_per_minute_per_account: u32,
}

impl Default for WebSettings {
    fn default() -> Self {
        WebSettings {
            body_limit_bytes: 1024 * 1024,
            metrics_token: None,
            rate_limits: RateLimits {
                register_per_hour_per_ip: 20,
                login_per_minute_per_ip: 30,
                posts_per_minute_per_account: 300,
                media_uploads_per_minute_per_account: 30,
                remote_lookups_per_minute_per_account: 30,
            },
            streams: StreamLimits {
                per_ip: 16,
                total: 4096,
                proxies: vec![
                    std::net::IpAddr::from([127, 0, 0, 1]),
                    std::net::IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1]),
                ],
            },
            mailer: None,
        }
    }
}

/// Builds the node's HTTP router. Serve it with
/// `axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>())`
/// so that per-IP limits see the client address.
pub fn router(node: Arc<Node>, settings: WebSettings) -> Router {
    router_with_federation(node, settings, None)
}

/// [`router`] with ActivityPub inboxes served by `federation`.
pub fn router_with_federation(
    node: Arc<Node>,
    settings: WebSettings,
    federation: Option<Arc<federation::Federation>>,
) -> Router {
    let state = AppState {
        node,
        limiters: Arc::new(rate_limit::Limiters::new(&settings.rate_limits)),
        metrics: Arc::new(metrics::Metrics::with_token(settings.metrics_token.clone())),
        streams: Arc::new(mastodon::StreamSlots::new(settings.streams)),
        federation,
        mailer: settings.mailer.clone(),
    };
    let api = Router::new()
        .merge(routes::auth::routes())
        .merge(routes::members::routes())
        .merge(routes::groups::routes())
        .merge(routes::events::routes())
        .merge(routes::courses::routes())
        .merge(routes::learning_paths::routes())
        .merge(routes::ranking::routes())
        .merge(routes::gamification::routes())
        .merge(routes::posts::routes())
        .merge(routes::feeds::routes())
        .merge(routes::notifications::routes())
        .merge(routes::system::routes())
        .merge(routes::federation_admin::routes())
        .merge(routes::insights::routes())
        .merge(routes::reports::routes())
        .merge(routes::p2p::routes())
        .merge(routes::attestations::routes())
        .merge(routes::trust::routes())
        .merge(routes::calendar::routes())
        .merge(routes::certificates::routes())
        .merge(routes::sign_in_tickets::routes());
    Router::new()
        .nest("/api/kodeon/v1", api)
        .merge(routes::system::root_routes())
        .merge(routes::calendar::root_routes())
        .merge(routes::certificates::root_routes())
        .merge(public_pages::certificate::routes())
        .merge(mastodon::routes())
        .merge(
            public_pages::routes()
                .merge(routes::discovery::document_routes())
                .merge(routes::attestations::document_routes())
                .route_layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    routes::inbox::signed_fetch,
                )),
        )
        .merge(routes::discovery::routes())
        .merge(routes::inbox::routes())
        .merge(admin::routes())
        .merge(app::routes())
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "no such route") })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(DefaultBodyLimit::max(settings.body_limit_bytes))
        .layer(TraceLayer::new_for_http())
        .layer(CatchPanicLayer::custom(panic_response))
        .with_state(state)
}

/// A handler that panicked answers 500 and the node goes on (the panic
/// ends that request only). The detail goes to the log, not the client.
fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = detail, "a request handler panicked");
    axum::response::IntoResponse::into_response(ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal error",
    ))
}
