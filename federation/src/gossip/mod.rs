//! libp2p gossip between Kodeon nodes: public records travel as signed
//! envelopes ([`protocol::envelope`]) over gossipsub, and a node that was
//! away catches up with the sync protocol ([`codec`]).
//!
//! One task owns the `Swarm` ([`swarm`]); everyone else holds a cloneable
//! [`Gossip`] handle that sends it commands with `oneshot` replies. Beside
//! it run the ingest task (batches incoming envelopes through
//! [`node::Node::accept_envelopes`], resolving unknown authors over
//! ActivityPub, and reports each gossipsub validation result) and the
//! publisher (turns the node's gossip intents into signed envelopes and
//! broadcasts them). Nothing is forwarded before this node verified it.

pub mod behaviour;
pub mod codec;
pub mod config;
mod ingest;
mod peer_blocks;
mod publisher;
mod swarm;

use std::sync::Arc;

use libp2p::PeerId;
use protocol::envelope::Kind;
use serde::Serialize;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

use crate::service::Federation;

pub use config::GossipConfig;
pub use ingest::{ingest, WireContext};

/// What can go wrong on the gossip side.
#[derive(Debug, thiserror::Error)]
pub enum GossipError {
    /// A multiaddr that does not parse or lacks a needed part.
    #[error("bad multiaddr {0}")]
    BadAddress(String),
    /// A peer id that does not parse.
    #[error("bad peer id {0}")]
    BadPeerId(String),
    /// Building the swarm failed.
    #[error("p2p setup: {0}")]
    Setup(String),
    /// Listening failed.
    #[error("p2p listen: {0}")]
    Listen(String),
    /// The node refused an operation.
    #[error(transparent)]
    Node(#[from] node::NodeError),
    /// The swarm task has stopped.
    #[error("the p2p task has stopped")]
    Stopped,
}

/// A connected peer, as `GET /api/kodeon/v1/p2p` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct PeerInfo {
    /// Its peer id.
    pub peer_id: String,
    /// Addresses it is connected on.
    pub addrs: Vec<String>,
    /// Its gossipsub score (higher is better; negative is trouble).
    pub score: f64,
}

/// The node's p2p state.
#[derive(Debug, Clone, Serialize)]
pub struct P2pInfo {
    /// This node's peer id.
    pub peer_id: String,
    /// Full listen multiaddrs, each ending in `/p2p/PEER_ID`.
    pub listen_addrs: Vec<String>,
    /// Connected peers.
    pub peers: Vec<PeerInfo>,
    /// Envelopes stored here (own and received): the last sequence number.
    pub records: u64,
}

/// Commands for the swarm task.
pub(crate) enum Command {
    Info(oneshot::Sender<P2pInfo>),
    /// The moderators' whole block list, as stored now.
    Moderated(std::collections::HashSet<PeerId>),
    Publish {
        kind: Kind,
        bytes: Vec<u8>,
    },
    Validated(Vec<ingest::Verdict>),
    SyncPage {
        peer: PeerId,
        kind: Kind,
        last: Option<u64>,
        more: bool,
    },
    /// Ask peers (one, or every connected one) for an author's records
    /// created at or after `since`.
    SyncAuthor {
        did: String,
        peer: Option<PeerId>,
        since: u64,
    },
}

/// A cloneable handle to the gossip task.
#[derive(Clone)]
pub struct Gossip {
    commands: mpsc::Sender<Command>,
    peer_id: PeerId,
}

impl Gossip {
    /// This node's peer id.
    pub fn peer_id(&self) -> PeerId {
        self.peer_id
    }

    /// Peer id, listen addresses and connected peers.
    pub async fn info(&self) -> Result<P2pInfo, GossipError> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(Command::Info(tx))
            .await
            .map_err(|_| GossipError::Stopped)?;
        rx.await.map_err(|_| GossipError::Stopped)
    }

    /// Broadcasts bytes on a kind's topic as they are, unchecked: for tests
    /// and benchmarks (the node publishes its own records by itself).
    pub async fn publish_raw(&self, kind: Kind, bytes: Vec<u8>) -> Result<(), GossipError> {
        self.commands
            .send(Command::Publish { kind, bytes })
            .await
            .map_err(|_| GossipError::Stopped)
    }
}

/// Starts gossip for `federation`'s node: builds the swarm with the node's
/// ed25519 key as libp2p identity, listens, dials the bootstrap peers, and
/// spawns the swarm, ingest and publisher tasks, which stop when `shutdown`
/// turns true. Returns once the listen addresses are known.
pub async fn start(
    federation: Arc<Federation>,
    config: GossipConfig,
    shutdown: watch::Receiver<bool>,
) -> Result<(Gossip, JoinHandle<()>), GossipError> {
    swarm::start(federation, config, shutdown).await
}
