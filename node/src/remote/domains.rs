//! Domain blocks: servers whose content the node silences or refuses.

use serde::{Deserialize, Serialize};

use crate::error::{NodeError, NodeResult};
use crate::model::now_ms;
use crate::node::{Node, Viewer};
use crate::store::tables;

/// How hard a domain is blocked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DomainSeverity {
    /// Its posts reach only the members who follow its accounts; they stay
    /// out of public timelines.
    Silence,
    /// Nothing is accepted from it and nothing is sent to it.
    Suspend,
}

impl DomainSeverity {
    /// Parses `silence` or `suspend`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "silence" => Some(Self::Silence),
            "suspend" => Some(Self::Suspend),
            _ => None,
        }
    }
}

/// A domain block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DomainBlock {
    /// The blocked domain (its subdomains are blocked too).
    pub domain: String,
    /// Silence or suspend.
    pub severity: DomainSeverity,
    /// Media from it is not shown.
    pub reject_media: bool,
    /// Reason shown to the public.
    pub public_comment: String,
    /// Reason for moderators only.
    pub private_comment: String,
    /// When (ms).
    pub created_at: i64,
}

impl Node {
    /// Blocks a domain (admins and moderators). Blocking again updates it.
    pub async fn block_domain(
        &self,
        viewer: &Viewer,
        block: DomainBlock,
    ) -> NodeResult<DomainBlock> {
        super::delivery::require_moderator(viewer)?;
        let domain = normalise_domain(&block.domain)?;
        let block = DomainBlock {
            domain: domain.clone(),
            created_at: now_ms(),
            ..block
        };
        let stored = block.clone();
        let detail = format!(
            "{:?}{}",
            block.severity,
            if block.reject_media {
                ", reject media"
            } else {
                ""
            }
        )
        .to_lowercase();
        self.write(move |txn| {
            txn.store::<tables::DomainBlock>(&domain, &stored)?;
            self.audit(txn, Some(viewer), "domain.block", &domain, &detail)
        })
        .await?;
        tracing::info!(domain = %block.domain, severity = ?block.severity, "domain blocked");
        Ok(block)
    }

    /// Lifts a domain block.
    pub async fn unblock_domain(&self, viewer: &Viewer, domain: &str) -> NodeResult<()> {
        super::delivery::require_moderator(viewer)?;
        let domain = normalise_domain(domain)?;
        self.write(move |txn| {
            let key = &domain;
            if !txn.has::<tables::DomainBlock>(key)? {
                return Err(NodeError::NotFound("domain block"));
            }
            txn.remove::<tables::DomainBlock>(key);
            self.audit(txn, Some(viewer), "domain.unblock", &domain, "")
        })
        .await
    }

    /// Moderators: all domain blocks, by domain.
    pub fn domain_blocks(&self, viewer: &Viewer) -> NodeResult<Vec<DomainBlock>> {
        super::delivery::require_moderator(viewer)?;
        self.store
            .scan::<tables::DomainBlock>((), false)
            .values()
            .collect()
    }

    /// The block that applies to `host` (itself or a parent domain).
    pub fn domain_block_for(&self, host: &str) -> NodeResult<Option<DomainBlock>> {
        let host = host.to_ascii_lowercase();
        let bare = host.rsplit_once(':').map(|(h, _)| h).unwrap_or(&host);
        let mut candidates = vec![host.clone()];
        let mut rest = bare;
        loop {
            candidates.push(rest.to_string());
            match rest.split_once('.') {
                Some((_, parent)) if parent.contains('.') || parent == "localhost" => rest = parent,
                _ => break,
            }
        }
        for candidate in candidates {
            if let Some(block) = self.store.load::<tables::DomainBlock>(&candidate)? {
                return Ok(Some(block));
            }
        }
        Ok(None)
    }

    /// Whether `host` is suspended (nothing in, nothing out).
    pub fn is_domain_suspended(&self, host: &str) -> NodeResult<bool> {
        Ok(matches!(
            self.domain_block_for(host)?,
            Some(DomainBlock {
                severity: DomainSeverity::Suspend,
                ..
            })
        ))
    }
}

fn normalise_domain(domain: &str) -> NodeResult<String> {
    // The same normal form as the hosts that blocks are checked against
    // (lower-case, IDNA), so that `bücher.example` blocks its punycode.
    protocol::urls::normalise_host(domain)
        .filter(|d| d.len() <= 253)
        .ok_or_else(|| NodeError::invalid("domain", "is not a domain name"))
}
