//! Moderators' gossip peer blocks, applied as they change: the node emits
//! [`Event::PeerBlocksChanged`] in the write that blocks or unblocks a
//! peer, and this task hands the swarm the whole stored list, so an event
//! missed (a lagging subscriber) is made good by the next one, and a
//! block made while gossip was down is applied at start.

use std::collections::HashSet;
use std::sync::Arc;

use libp2p::PeerId;
use node::events::Event;
use node::Node;
use tokio::sync::{broadcast, mpsc, watch};

use super::Command;

/// The moderators' blocked peers, as the node stores them (ids that do not
/// parse are skipped with a warning).
pub(crate) fn moderated_peers(node: &Node) -> node::NodeResult<HashSet<PeerId>> {
    let mut peers = HashSet::new();
    for block in node.blocked_peers()? {
        match block.peer_id.parse::<PeerId>() {
            Ok(peer) => {
                peers.insert(peer);
            }
            Err(_) => {
                tracing::warn!(peer = %block.peer_id, "ignoring a blocked peer id that does not parse")
            }
        }
    }
    Ok(peers)
}

/// Follows the node's peer blocks until `shutdown` turns true.
pub(crate) async fn run(
    node: Arc<Node>,
    commands: mpsc::Sender<Command>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut events = node.subscribe();
    // Once at start too: a block made between the swarm's first reading
    // and this subscription would otherwise wait for the next change.
    let mut changed = true;
    loop {
        if changed {
            match moderated_peers(&node) {
                Ok(peers) => {
                    if commands.send(Command::Moderated(peers)).await.is_err() {
                        break;
                    }
                }
                Err(e) => tracing::warn!(error = %e, "reading the blocked gossip peers failed"),
            }
        }
        changed = tokio::select! {
            _ = shutdown.changed() => break,
            event = events.recv() => match event {
                Ok(Event::PeerBlocksChanged) | Err(broadcast::error::RecvError::Lagged(_)) => true,
                Ok(_) => false,
                Err(broadcast::error::RecvError::Closed) => break,
            },
        };
        if *shutdown.borrow() {
            break;
        }
    }
}
