//! Prometheus metrics: request counts and latencies, node gauges.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use axum::http::StatusCode;

use crate::error::ApiError;
use crate::state::AppState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

/// The node's metrics registry.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    members: Gauge,
    posts: Gauge,
    storage: Gauge,
    federation: FederationGauges,
    /// The bearer token a scraper must send; `None`: /metrics is off.
    token: Option<String>,
}

/// Federation figures, read from the node and the delivery worker when
/// /metrics is scraped.
#[derive(Default)]
struct FederationGauges {
    queued: Gauge,
    pending_intents: Gauge,
    instances: Gauge,
    unreachable: Gauge,
    delivered: Gauge,
    failed: Gauge,
    dropped: Gauge,
    received: Gauge,
}

impl FederationGauges {
    fn register(&self, registry: &mut Registry) {
        let entries: [(&str, &str, &Gauge); 8] = [
            (
                "federation_delivery_queue",
                "Deliveries waiting in the persistent queue",
                &self.queued,
            ),
            (
                "federation_pending_intents",
                "Federation intents not yet expanded into deliveries",
                &self.pending_intents,
            ),
            (
                "federation_instances",
                "Remote servers known",
                &self.instances,
            ),
            (
                "federation_instances_unreachable",
                "Remote servers marked unreachable",
                &self.unreachable,
            ),
            (
                "federation_delivered",
                "Deliveries that succeeded since start",
                &self.delivered,
            ),
            (
                "federation_delivery_failures",
                "Delivery attempts that failed since start",
                &self.failed,
            ),
            (
                "federation_deliveries_dropped",
                "Deliveries given up since start",
                &self.dropped,
            ),
            (
                "federation_activities_received",
                "Activities accepted by the inboxes since start",
                &self.received,
            ),
        ];
        for (name, help, gauge) in entries {
            registry.register(name, help, gauge.clone());
        }
    }
}

fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.0, 14))
}

impl Metrics {
    /// The registry, served at /metrics to whoever sends `token` as a
    /// bearer token (the figures count logins and moderators' actions, so
    /// they are not public); with no token, /metrics answers 404.
    pub fn with_token(token: Option<String>) -> Metrics {
        Metrics {
            token: token.filter(|t| !t.is_empty()),
            ..Metrics::default()
        }
    }

    /// Whether `headers` carry the scrape token.
    fn authorized(&self, headers: &axum::http::HeaderMap) -> Result<(), ApiError> {
        let Some(expected) = &self.token else {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "metrics are off: set [server] metrics_token and scrape with it as a bearer token",
            ));
        };
        let given = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        // blake3::Hash compares in constant time.
        if blake3::hash(given.as_bytes()) == blake3::hash(expected.as_bytes()) {
            Ok(())
        } else {
            Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "send the metrics token as 'Authorization: Bearer TOKEN'",
            ))
        }
    }
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("kodeon");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        let (members, posts, storage) = (Gauge::default(), Gauge::default(), Gauge::default());
        registry.register(
            "http_requests",
            "HTTP requests by route and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency",
            latency.clone(),
        );
        registry.register("members", "Members of this node", members.clone());
        registry.register("posts", "Posts stored on this node", posts.clone());
        registry.register(
            "storage_bytes",
            "Bytes used by the store on disk",
            storage.clone(),
        );
        let federation = FederationGauges::default();
        federation.register(&mut registry);
        Metrics {
            registry,
            requests,
            latency,
            members,
            posts,
            storage,
            federation,
            token: None,
        }
    }
}

/// Middleware: counts and times every request under its route pattern.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let started = Instant::now();
    let response = next.run(req).await;
    let m = &state.metrics;
    m.requests
        .get_or_create(&RequestLabels {
            method,
            route: route.clone(),
            status: response.status().as_u16(),
        })
        .inc();
    m.latency
        .get_or_create(&RouteLabels { route })
        .observe(started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`: Prometheus text format, for the bearer of the
/// configured metrics token only.
pub async fn render(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    let m = &state.metrics;
    if let Err(e) = m.authorized(&headers) {
        return e.into_response();
    }
    if let Ok(stats) = state.node.stats() {
        m.members.set(stats.members);
        m.posts.set(stats.posts);
        m.storage
            .set(i64::try_from(stats.storage_bytes).unwrap_or(i64::MAX));
    }
    if let Ok(q) = state.node.delivery_stats() {
        let f = &m.federation;
        f.queued.set(q.queued);
        f.pending_intents.set(q.pending_intents as i64);
        f.instances.set(q.instances as i64);
        f.unreachable.set(q.unreachable as i64);
    }
    if let Some(federation) = &state.federation {
        let (f, t) = (&m.federation, federation.metrics());
        let as_i64 = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        f.delivered.set(as_i64(t.delivered.get()));
        f.failed.set(as_i64(t.failed.get()));
        f.dropped.set(as_i64(t.dropped.get()));
        f.received.set(as_i64(t.received.get()));
    }
    let mut text = String::new();
    if encode(&mut text, &m.registry).is_err() {
        return axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
        .into_response()
}
