//! The dashboard: figures and 30-day charts.

use axum::extract::{Query, State};
use axum::response::Response;

use super::charts::bar_chart;
use super::templates::{Chart, DashboardPage, Figure};
use super::{chrome, human_bytes, render, AdminSession, PanelError, PanelQuery};
use crate::state::AppState;

/// GET /admin
pub async fn show(
    State(s): State<AppState>,
    session: AdminSession,
    Query(q): Query<PanelQuery>,
) -> Result<Response, PanelError> {
    let d = s.node.dashboard(&session.viewer)?;
    let fed = s.node.federation_overview(&session.viewer)?;
    let gossip_peers = match s.gossip() {
        Some(g) => match g.info().await {
            Ok(info) => info.peers.len().to_string(),
            Err(_) => "stopped".to_string(),
        },
        None => "off".to_string(),
    };
    let failed_deliveries = s
        .federation
        .as_ref()
        .map(|f| f.metrics().failed.get().to_string())
        .unwrap_or_else(|| "off".to_string());
    let figures = [
        ("members", d.members.to_string()),
        ("posts", d.posts.to_string()),
        ("active in 7 days", d.active_7d.to_string()),
        ("active in 30 days", d.active_30d.to_string()),
        ("open reports", d.open_reports.to_string()),
        ("federated servers", fed.instances.to_string()),
        ("unreachable servers", fed.unreachable.to_string()),
        ("deliveries queued", fed.queued.to_string()),
        ("failed delivery attempts since start", failed_deliveries),
        ("gossip peers", gossip_peers),
        ("storage", human_bytes(d.storage_bytes)),
    ]
    .into_iter()
    .map(|(label, value)| Figure { label, value })
    .collect();
    let charts = [
        ("Registrations", &d.registrations, "registrations"),
        ("Posts", &d.posts_per_day, "posts"),
        (
            "Activities received",
            &d.federation_in,
            "activities received",
        ),
        (
            "Activities delivered",
            &d.federation_out,
            "activities delivered",
        ),
    ]
    .into_iter()
    .map(|(title, series, what)| Chart {
        title,
        svg: bar_chart(series, what),
    })
    .collect();
    render(DashboardPage {
        chrome: chrome(&s, &session, "dashboard", q.done.as_deref()),
        figures,
        charts,
    })
}
