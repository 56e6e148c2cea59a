//! The gossip peer blocklist that moderators keep from the admin panel.
//! The node stores peer ids as text (it knows nothing of libp2p); the
//! gossip layer checks their form and enforces the list.

use serde::{Deserialize, Serialize};

use crate::error::{NodeError, NodeResult};
use crate::events::Event;
use crate::model::now_ms;
use crate::node::{Node, Viewer};
use crate::store::tables;
use crate::validate;

/// A blocked gossip peer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeerBlock {
    /// The libp2p peer id (base58 text).
    pub peer_id: String,
    /// Why (for moderators).
    pub reason: String,
    /// When (ms).
    pub created_at: i64,
}

/// Peer ids are base58 and no longer than this.
const MAX_PEER_ID_CHARS: usize = 128;

fn check_peer_id(peer_id: &str) -> NodeResult<&str> {
    let peer_id = peer_id.trim();
    let base58 = |c: char| c.is_ascii_alphanumeric() && !matches!(c, '0' | 'O' | 'I' | 'l');
    if peer_id.is_empty() || peer_id.len() > MAX_PEER_ID_CHARS || !peer_id.chars().all(base58) {
        return Err(NodeError::invalid("peer_id", "is not a libp2p peer id"));
    }
    Ok(peer_id)
}

impl Node {
    /// Blocks a gossip peer (moderators; audited). Blocking again updates
    /// the reason.
    pub async fn block_peer(
        &self,
        viewer: &Viewer,
        peer_id: &str,
        reason: &str,
    ) -> NodeResult<PeerBlock> {
        super::require_moderator(viewer)?;
        let peer_id = check_peer_id(peer_id)?;
        let reason = reason.trim();
        validate::max_chars("reason", reason, 500)?;
        let block = PeerBlock {
            peer_id: peer_id.to_string(),
            reason: reason.to_string(),
            created_at: now_ms(),
        };
        self.write(|txn| {
            txn.store::<tables::PeerBlock>(&block.peer_id, &block)?;
            txn.emit(Event::PeerBlocksChanged);
            self.audit(
                txn,
                Some(viewer),
                "peer.block",
                &block.peer_id,
                &block.reason,
            )
        })
        .await?;
        Ok(block)
    }

    /// Lifts a peer block (moderators; audited).
    pub async fn unblock_peer(&self, viewer: &Viewer, peer_id: &str) -> NodeResult<()> {
        super::require_moderator(viewer)?;
        let peer_id = check_peer_id(peer_id)?;
        self.write(|txn| {
            let key = peer_id;
            if !txn.has::<tables::PeerBlock>(key)? {
                return Err(NodeError::NotFound("peer block"));
            }
            txn.remove::<tables::PeerBlock>(key);
            txn.emit(Event::PeerBlocksChanged);
            self.audit(txn, Some(viewer), "peer.unblock", peer_id, "")
        })
        .await
    }

    /// Every blocked peer, by peer id (for the gossip layer at start and
    /// for the panel).
    pub fn blocked_peers(&self) -> NodeResult<Vec<PeerBlock>> {
        self.store
            .scan::<tables::PeerBlock>((), false)
            .values()
            .collect()
    }
}
