//! Federation: known servers, domain blocks, the delivery queue.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use node::remote::{DomainBlock, DomainSeverity};

use super::templates::{
    BlockRow, FederationPage, GivenUp, InstanceRow, PeerBlockRow, PeerRow, QueueRow,
};
use super::{
    chrome, field, render, see_other, when, AdminSession, PanelError, PanelForm, PanelQuery,
};
use crate::state::AppState;

/// Servers per page.
const SERVERS_PER_PAGE: usize = 50;

/// GET /admin/federation?after=DOMAIN
pub async fn show(
    State(s): State<AppState>,
    session: AdminSession,
    Query(q): Query<PanelQuery>,
) -> Result<Response, PanelError> {
    let v = &session.viewer;
    let stats = s.node.federation_overview(v)?;
    let instances = s.node.instances(v, q.after.as_deref(), SERVERS_PER_PAGE)?;
    let next_after = (instances.len() == SERVERS_PER_PAGE)
        .then(|| instances.last().map(|i| i.domain.clone()))
        .flatten();
    let instances = instances
        .into_iter()
        .map(|i| InstanceRow {
            state: if i.unreachable_since.is_some() {
                "unreachable".into()
            } else if i.failures_in_a_row > 0 {
                "failing".into()
            } else {
                "ok".into()
            },
            software: i.software.unwrap_or_default(),
            last_contact: i.last_contact.map(when).unwrap_or_else(|| "never".into()),
            failures: i.failures_in_a_row,
            last_error: i.last_error.unwrap_or_default(),
            delivered: i.delivered,
            received: i.received,
            dropped: i.dropped,
            given_up: i.last_dropped.map(|d| GivenUp {
                activity: d.activity_id,
                when: when(d.at),
                attempts: d.attempts,
                error: d.error,
            }),
            domain: i.domain,
        })
        .collect();
    let blocks = s
        .node
        .domain_blocks(v)?
        .into_iter()
        .map(|b| BlockRow {
            severity: format!("{:?}", b.severity).to_lowercase(),
            reject_media: b.reject_media,
            public_comment: b.public_comment,
            private_comment: b.private_comment,
            created: when(b.created_at),
            domain: b.domain,
        })
        .collect();
    let queue = s
        .node
        .delivery_queue(v, 50)?
        .into_iter()
        .map(|d| QueueRow {
            domain: d.domain,
            activity: d.activity_id,
            attempts: d.attempts,
            next_at: when(d.next_at),
            last_error: d.last_error.unwrap_or_default(),
        })
        .collect();
    let gossip = s.gossip();
    let info = match gossip {
        Some(g) => g.info().await.ok(),
        None => None,
    };
    let peers = info
        .as_ref()
        .map(|i| {
            i.peers
                .iter()
                .map(|p| PeerRow {
                    peer_id: p.peer_id.clone(),
                    addrs: p.addrs.join(", "),
                    score: format!("{:.1}", p.score),
                })
                .collect()
        })
        .unwrap_or_default();
    let peer_blocks = s
        .node
        .blocked_peers()?
        .into_iter()
        .map(|b| PeerBlockRow {
            peer_id: b.peer_id,
            reason: b.reason,
            created: when(b.created_at),
        })
        .collect();
    render(FederationPage {
        chrome: chrome(&s, &session, "federation", q.done.as_deref()),
        queued: stats.queued,
        pending: stats.pending_intents,
        instance_count: stats.instances,
        unreachable: stats.unreachable,
        instances,
        next_after,
        blocks,
        queue,
        federation_on: s.federation.is_some(),
        gossip_peer_id: info.as_ref().map(|i| i.peer_id.clone()),
        gossip_listen: info.map(|i| i.listen_addrs).unwrap_or_default(),
        peers,
        peer_blocks,
    })
}

/// POST /admin/federation/peers/block — `peer_id`, `reason`: stored by the
/// node (audited); the running gossip task hears of it from the node and
/// enforces it at once.
pub async fn block_peer(
    State(s): State<AppState>,
    PanelForm { session, form }: PanelForm,
) -> Result<Response, PanelError> {
    s.node
        .block_peer(
            &session.viewer,
            field(&form, "peer_id"),
            field(&form, "reason"),
        )
        .await?;
    Ok(see_other("/admin/federation?done=peer_blocked"))
}

/// POST /admin/federation/peers/{peer}/unblock
pub async fn unblock_peer(
    State(s): State<AppState>,
    Path(peer): Path<String>,
    PanelForm { session, .. }: PanelForm,
) -> Result<Response, PanelError> {
    s.node.unblock_peer(&session.viewer, &peer).await?;
    Ok(see_other("/admin/federation?done=peer_unblocked"))
}

/// POST /admin/federation/domain-blocks — `domain`, `severity` (silence or
/// suspend), `reject_media`, `public_comment`, `private_comment`.
pub async fn block(
    State(s): State<AppState>,
    PanelForm { session, form }: PanelForm,
) -> Result<Response, PanelError> {
    let severity = DomainSeverity::parse(field(&form, "severity")).ok_or_else(|| {
        PanelError::Page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "severity: must be silence or suspend".into(),
        )
    })?;
    s.node
        .block_domain(
            &session.viewer,
            DomainBlock {
                domain: field(&form, "domain").to_string(),
                severity,
                reject_media: field(&form, "reject_media") == "yes",
                public_comment: field(&form, "public_comment").to_string(),
                private_comment: field(&form, "private_comment").to_string(),
                created_at: 0,
            },
        )
        .await?;
    Ok(see_other("/admin/federation?done=blocked"))
}

/// POST /admin/federation/domain-blocks/{domain}/delete
pub async fn unblock(
    State(s): State<AppState>,
    Path(domain): Path<String>,
    PanelForm { session, .. }: PanelForm,
) -> Result<Response, PanelError> {
    s.node.unblock_domain(&session.viewer, &domain).await?;
    Ok(see_other("/admin/federation?done=unblocked"))
}

/// POST /admin/federation/instances/{domain}/retry
pub async fn retry(
    State(s): State<AppState>,
    Path(domain): Path<String>,
    PanelForm { session, .. }: PanelForm,
) -> Result<Response, PanelError> {
    s.node.retry_instance(&session.viewer, &domain).await?;
    Ok(see_other("/admin/federation?done=retry"))
}
