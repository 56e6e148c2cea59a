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
    let figures = vec![
        Figure {
            label: "members",
            value: d.members.to_string(),
        },
        Figure {
            label: "posts",
            value: d.posts.to_string(),
        },
        Figure {
            label: "active in 7 days",
            value: d.active_7d.to_string(),
        },
        Figure {
            label: "active in 30 days",
            value: d.active_30d.to_string(),
        },
        Figure {
            label: "open reports",
            value: d.open_reports.to_string(),
        },
        Figure {
            label: "federated servers",
            value: fed.instances.to_string(),
        },
        Figure {
            label: "unreachable servers",
            value: fed.unreachable.to_string(),
        },
        Figure {
            label: "deliveries queued",
            value: fed.queued.to_string(),
        },
        Figure {
            label: "failed delivery attempts since start",
            value: s
                .federation
                .as_ref()
                .map(|f| f.metrics().failed.get().to_string())
                .unwrap_or_else(|| "off".to_string()),
        },
        Figure {
            label: "gossip peers",
            value: gossip_peers,
        },
        Figure {
            label: "storage",
            value: human_bytes(d.storage_bytes),
        },
    ];
    let charts = vec![
        Chart {
            title: "Registrations",
            svg: bar_chart(&d.registrations, "registrations"),
        },
        Chart {
            title: "Posts",
            svg: bar_chart(&d.posts_per_day, "posts"),
        },
        Chart {
            title: "Activities received",
            svg: bar_chart(&d.federation_in, "activities received"),
        },
        Chart {
            title: "Activities delivered",
            svg: bar_chart(&d.federation_out, "activities delivered"),
        },
    ];
    render(DashboardPage {
        chrome: chrome(&s, &session, "dashboard", q.done.as_deref()),
        figures,
        charts,
    })
}
