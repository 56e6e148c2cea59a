//! Shared state handed to every handler.

use std::sync::Arc;

use node::Node;

use crate::metrics::Metrics;
use crate::rate_limit::Limiters;

/// What handlers share. Cloning is shallow.
#[derive(Clone)]
pub struct AppState {
    /// The engine.
    pub node: Arc<Node>,
    /// Rate limiters.
    pub limiters: Arc<Limiters>,
    /// Request metrics.
    pub metrics: Arc<Metrics>,
    /// Open streaming connections, counted against their limits.
    pub streams: Arc<crate::mastodon::StreamSlots>,
    /// ActivityPub federation (absent in tests of the web layer alone).
    pub federation: Option<Arc<federation::Federation>>,
    /// What sends e-mail, when the node sends any.
    pub mailer: Option<Arc<dyn crate::mail::Mailer>>,
}

impl AppState {
    /// The running libp2p gossip task, if gossip is on.
    pub fn gossip(&self) -> Option<&federation::gossip::Gossip> {
        self.federation.as_ref().and_then(|f| f.gossip())
    }
}
