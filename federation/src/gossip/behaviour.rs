//! The libp2p behaviour: gossipsub (one topic per record kind, content
//! message ids, strict signing, application validation, peer scoring),
//! identify, ping, Kademlia, optional mDNS, the sync protocol and a peer
//! block list.

use std::time::Duration;

use libp2p::swarm::behaviour::toggle::Toggle;
use libp2p::swarm::NetworkBehaviour;
use libp2p::{allow_block_list, gossipsub, identify, identity, kad, mdns, ping, StreamProtocol};
use protocol::envelope::Kind;

use super::codec::{self, SyncBehaviour};
use super::GossipError;

/// Largest gossip message, in bytes (js-libp2p sends up to 4 MiB; the
/// rust default of 64 KiB would break a connection on one large message).
pub const MAX_TRANSMIT_SIZE: usize = 1024 * 1024;
/// The identify protocol version string.
pub const IDENTIFY_PROTOCOL: &str = "/kodeon/1.0.0";
/// The Kademlia protocol name (a private DHT, not the IPFS one).
pub const KAD_PROTOCOL: StreamProtocol = StreamProtocol::new("/kodeon/kad/1.0.0");

/// Every kind, in the order sync walks them: profiles first, so that the
/// authors of what follows are known.
pub const KINDS: [Kind; 8] = [
    Kind::Profile,
    Kind::Post,
    Kind::Edit,
    Kind::Delete,
    Kind::Follow,
    Kind::Unfollow,
    Kind::Attestation,
    Kind::Event,
];

/// The gossipsub topic of a kind: `kodeon/1/<kind>` (an `IdentTopic`, so
/// js-libp2p peers name it the same way).
pub fn topic(kind: Kind) -> gossipsub::IdentTopic {
    let name = match kind {
        Kind::Post => "post",
        Kind::Edit => "edit",
        Kind::Delete => "delete",
        Kind::Follow => "follow",
        Kind::Unfollow => "unfollow",
        Kind::Attestation => "attestation",
        Kind::Profile => "profile",
        Kind::Event => "event",
    };
    gossipsub::IdentTopic::new(format!("kodeon/1/{name}"))
}

/// The kind whose topic has this hash.
pub fn kind_of_topic(hash: &gossipsub::TopicHash) -> Option<Kind> {
    KINDS.into_iter().find(|k| &topic(*k).hash() == hash)
}

/// The gossipsub message id: blake3 of the data, which is the envelope's
/// id, so one record is one message whoever republishes it.
pub fn message_id(message: &gossipsub::Message) -> gossipsub::MessageId {
    gossipsub::MessageId::from(blake3::hash(&message.data).as_bytes().to_vec())
}

/// The node's behaviours.
#[derive(NetworkBehaviour)]
pub struct Behaviour {
    /// Blocked peers (from config, and banned ones).
    pub blocked: allow_block_list::Behaviour<allow_block_list::BlockedPeers>,
    /// Record broadcast.
    pub gossipsub: gossipsub::Behaviour,
    /// Required by js-libp2p's gossipsub; feeds Kademlia with addresses.
    pub identify: identify::Behaviour,
    /// Liveness.
    pub ping: ping::Behaviour,
    /// Peer discovery (off unless configured).
    pub kad: Toggle<kad::Behaviour<kad::store::MemoryStore>>,
    /// Local-network discovery (off unless configured).
    pub mdns: Toggle<mdns::tokio::Behaviour>,
    /// Catch-up sync.
    pub sync: SyncBehaviour,
}

impl Behaviour {
    /// Builds the behaviours for `key`.
    pub fn new(
        key: &identity::Keypair,
        mdns_on: bool,
        kademlia: bool,
    ) -> Result<Behaviour, GossipError> {
        let peer_id = key.public().to_peer_id();
        let config = gossipsub::ConfigBuilder::default()
            .validation_mode(gossipsub::ValidationMode::Strict)
            .validate_messages()
            .message_id_fn(message_id)
            .max_transmit_size(MAX_TRANSMIT_SIZE)
            .heartbeat_interval(Duration::from_millis(700))
            // A message waits in the cache until ingest reports on it; under
            // load that can take seconds, and a message that leaves the cache
            // first is not forwarded (12 heartbeats, 8.4 s; default 5).
            .history_length(12)
            .build()
            .map_err(|e| GossipError::Setup(format!("gossipsub config: {e}")))?;
        let mut gossipsub =
            gossipsub::Behaviour::new(gossipsub::MessageAuthenticity::Signed(key.clone()), config)
                .map_err(|e| GossipError::Setup(format!("gossipsub: {e}")))?;
        let (params, thresholds) = score_params();
        gossipsub
            .with_peer_score(params, thresholds)
            .map_err(|e| GossipError::Setup(format!("peer score: {e}")))?;
        for kind in KINDS {
            gossipsub
                .subscribe(&topic(kind))
                .map_err(|e| GossipError::Setup(format!("subscribe: {e}")))?;
        }
        let identify = identify::Behaviour::new(identify::Config::new(
            IDENTIFY_PROTOCOL.to_string(),
            key.public(),
        ));
        let kad = kademlia.then(|| {
            let mut kad = kad::Behaviour::with_config(
                peer_id,
                kad::store::MemoryStore::new(peer_id),
                kad::Config::new(KAD_PROTOCOL),
            );
            kad.set_mode(Some(kad::Mode::Server));
            kad
        });
        let mdns = if mdns_on {
            Some(
                mdns::tokio::Behaviour::new(mdns::Config::default(), peer_id)
                    .map_err(|e| GossipError::Setup(format!("mdns: {e}")))?,
            )
        } else {
            None
        };
        Ok(Behaviour {
            blocked: Default::default(),
            gossipsub,
            identify,
            ping: ping::Behaviour::new(ping::Config::new()),
            kad: Toggle::from(kad),
            mdns: Toggle::from(mdns),
            sync: codec::behaviour(),
        })
    }
}

/// Peer scoring: an invalid record costs a peer far more than the graylist
/// threshold; quiet peers are not punished for delivering little (records
/// are rare), so the mesh-delivery penalties are off.
fn score_params() -> (gossipsub::PeerScoreParams, gossipsub::PeerScoreThresholds) {
    let mut params = gossipsub::PeerScoreParams::default();
    for kind in KINDS {
        let t = gossipsub::TopicScoreParams {
            topic_weight: 1.0,
            mesh_message_deliveries_weight: 0.0,
            mesh_failure_penalty_weight: 0.0,
            invalid_message_deliveries_weight: -100.0,
            invalid_message_deliveries_decay: 0.9,
            ..Default::default()
        };
        params.topics.insert(topic(kind).hash(), t);
    }
    // Test and small deployments run several nodes on one address.
    params.ip_colocation_factor_threshold = 50.0;
    (params, gossipsub::PeerScoreThresholds::default())
}
