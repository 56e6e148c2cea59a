//! The task that owns the `Swarm`: listens, dials, answers sync requests,
//! hands gossip messages to the ingest task and reports its verdicts,
//! rate-limits and bans peers, and runs sync on connection and on a timer.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use libp2p::futures::StreamExt;
use libp2p::gossipsub::{self, MessageAcceptance};
use libp2p::multiaddr::Protocol;
use libp2p::request_response::{self, OutboundRequestId};
use libp2p::swarm::SwarmEvent;
use libp2p::{identify, identity, mdns, noise, tcp, yamux, Multiaddr, PeerId, Swarm};
use node::gossip::Refusal;
use node::Node;
use protocol::envelope::Kind;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tracing::Instrument;

use super::behaviour::{kind_of_topic, topic, Behaviour, BehaviourEvent, KINDS};
use super::codec::{SyncEntry, SyncRequest, SyncResponse, MAX_BATCH, MAX_RESPONSE_BYTES};
use super::config::{peer_of, GossipConfig};
use super::ingest::{self, Incoming};
use super::{Command, Gossip, GossipError, P2pInfo, PeerInfo};
use crate::service::Federation;

/// How long a connection may stay idle (well above libp2p's 10 s default,
/// which drops quiet peers).
const IDLE_TIMEOUT: Duration = Duration::from_secs(600);
/// Gossip messages the ingest channel holds.
const INGEST_QUEUE: usize = 4096;
/// Messages waiting for room in the ingest channel at which the swarm
/// stops reading from peers (backpressure: their messages wait in their
/// send queues and TCP buffers, not here) ...
const BACKLOG_HIGH: usize = 4096;
/// ... and at which it reads again.
const BACKLOG_LOW: usize = 1024;

/// The kind sync asks for after `kind`, if any.
fn next_kind(kind: Kind) -> Option<Kind> {
    let at = KINDS.iter().position(|k| *k == kind)?;
    KINDS.get(at + 1).copied()
}

/// Everything the swarm loop keeps besides the swarm.
struct State {
    federation: Arc<Federation>,
    node: Arc<Node>,
    config: GossipConfig,
    peer_id: PeerId,
    listen_addrs: Vec<Multiaddr>,
    connected: HashMap<PeerId, Vec<Multiaddr>>,
    ingest: mpsc::Sender<Incoming>,
    /// Received messages the ingest channel had no room for, oldest first:
    /// kept, never dropped, and handed on as room frees.
    backlog: VecDeque<Incoming>,
    /// Whether the swarm is not polled because the backlog is full.
    paused: bool,
    commands: mpsc::Sender<Command>,
    rate: HashMap<PeerId, (Instant, u32)>,
    syncing: HashSet<PeerId>,
    requests: HashMap<OutboundRequestId, (PeerId, Kind)>,
    /// Per-author catch-up requests in flight: the author's did:key.
    author_requests: HashMap<OutboundRequestId, (PeerId, String)>,
    banned: HashMap<PeerId, Instant>,
    /// Peers blocked by moderators (stored by the node; kept until lifted).
    moderated: HashSet<PeerId>,
}

pub(super) async fn start(
    federation: Arc<Federation>,
    config: GossipConfig,
    shutdown: watch::Receiver<bool>,
) -> Result<(Gossip, JoinHandle<()>), GossipError> {
    let node = federation.node().clone();
    let mut secret = *node.node_ed25519()?.secret_bytes();
    let key = identity::Keypair::ed25519_from_bytes(&mut secret)
        .map_err(|e| GossipError::Setup(format!("node key: {e}")))?;
    let peer_id = key.public().to_peer_id();
    let behaviour = Behaviour::new(&key, config.mdns, config.kademlia)?;
    let mut swarm = libp2p::SwarmBuilder::with_existing_identity(key)
        .with_tokio()
        .with_tcp(
            tcp::Config::default().nodelay(true),
            noise::Config::new,
            yamux::Config::default,
        )
        .map_err(|e| GossipError::Setup(format!("transport: {e}")))?
        .with_behaviour(|_| behaviour)
        .map_err(|e| GossipError::Setup(format!("behaviour: {e}")))?
        .with_swarm_config(|c| c.with_idle_connection_timeout(IDLE_TIMEOUT))
        .build();
    for peer in &config.blocked_peers {
        swarm.behaviour_mut().blocked.block_peer(*peer);
    }
    // And the moderators' block list, kept by the node.
    let moderated = super::peer_blocks::moderated_peers(&node)?;
    for peer in &moderated {
        swarm.behaviour_mut().blocked.block_peer(*peer);
    }
    for addr in &config.listen {
        swarm
            .listen_on(addr.clone())
            .map_err(|e| GossipError::Listen(format!("{addr}: {e}")))?;
    }
    let mut listen_addrs = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while listen_addrs.len() < config.listen.len() {
        match tokio::time::timeout_at(deadline, swarm.select_next_some()).await {
            Ok(SwarmEvent::NewListenAddr { address, .. }) => {
                let full = address.with(Protocol::P2p(peer_id));
                tracing::info!(addr = %full, "p2p listening on {full}");
                listen_addrs.push(full);
            }
            Ok(SwarmEvent::ListenerError { error, .. }) => {
                return Err(GossipError::Listen(error.to_string()))
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    if listen_addrs.is_empty() {
        return Err(GossipError::Listen("no listen address came up".into()));
    }
    for addr in &config.bootstrap {
        if let Some(peer) = peer_of(addr) {
            let bare: Multiaddr = addr
                .iter()
                .filter(|p| !matches!(p, Protocol::P2p(_)))
                .collect();
            if let Some(kad) = swarm.behaviour_mut().kad.as_mut() {
                kad.add_address(&peer, bare);
            }
        }
        if let Err(e) = swarm.dial(addr.clone()) {
            tracing::warn!(%addr, error = %e, "could not dial a bootstrap peer");
        }
    }
    if let Some(kad) = swarm.behaviour_mut().kad.as_mut() {
        if !config.bootstrap.is_empty() {
            let _ = kad.bootstrap();
        }
    }

    let (commands_tx, commands_rx) = mpsc::channel(1024);
    let (ingest_tx, ingest_rx) = mpsc::channel(INGEST_QUEUE);
    let state = State {
        federation: federation.clone(),
        node,
        config,
        peer_id,
        listen_addrs,
        connected: HashMap::new(),
        ingest: ingest_tx,
        backlog: VecDeque::new(),
        paused: false,
        commands: commands_tx.clone(),
        rate: HashMap::new(),
        syncing: HashSet::new(),
        requests: HashMap::new(),
        author_requests: HashMap::new(),
        banned: HashMap::new(),
        moderated,
    };
    let span = tracing::info_span!("p2p", peer = %peer_id);
    let ingest_task = tokio::spawn(
        ingest::run(federation.clone(), ingest_rx, commands_tx.clone()).instrument(span.clone()),
    );
    let peer_blocks = tokio::spawn(
        super::peer_blocks::run(
            federation.node().clone(),
            commands_tx.clone(),
            shutdown.clone(),
        )
        .instrument(span.clone()),
    );
    let publisher = tokio::spawn(
        super::publisher::run(federation, commands_tx.clone(), shutdown.clone())
            .instrument(span.clone()),
    );
    let main = tokio::spawn(run(swarm, state, commands_rx, shutdown).instrument(span));
    let all = tokio::spawn(async move {
        let _ = main.await;
        let _ = publisher.await;
        let _ = peer_blocks.await;
        let _ = ingest_task.await;
    });
    Ok((
        Gossip {
            commands: commands_tx,
            peer_id,
        },
        all,
    ))
}

async fn run(
    mut swarm: Swarm<Behaviour>,
    mut state: State,
    mut commands: mpsc::Receiver<Command>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(state.config.sync_interval);
    tick.tick().await;
    let ingest = state.ingest.clone();
    loop {
        tokio::select! {
            _ = shutdown.changed() => {
                if *shutdown.borrow() {
                    break;
                }
            }
            Some(command) = commands.recv() => state.command(&mut swarm, command),
            event = swarm.select_next_some(), if !state.paused => state.event(&mut swarm, event),
            permit = ingest.reserve(), if !state.backlog.is_empty() => {
                state.drain_backlog(&mut swarm, permit)
            }
            _ = tick.tick() => state.periodic(&mut swarm),
        }
    }
    tracing::info!("p2p stopped");
}

impl State {
    fn command(&mut self, swarm: &mut Swarm<Behaviour>, command: Command) {
        match command {
            Command::Info(reply) => {
                let gossipsub = &swarm.behaviour().gossipsub;
                let peers = self
                    .connected
                    .iter()
                    .map(|(peer, addrs)| PeerInfo {
                        peer_id: peer.to_string(),
                        addrs: addrs.iter().map(Multiaddr::to_string).collect(),
                        score: gossipsub.peer_score(peer).unwrap_or(0.0),
                    })
                    .collect();
                let _ = reply.send(P2pInfo {
                    peer_id: self.peer_id.to_string(),
                    listen_addrs: self.listen_addrs.iter().map(Multiaddr::to_string).collect(),
                    peers,
                    records: self.node.envelope_seq().unwrap_or_default(),
                });
            }
            Command::Moderated(peers) => {
                for peer in peers.difference(&self.moderated) {
                    tracing::info!(%peer, "a moderator blocked a gossip peer");
                    swarm.behaviour_mut().blocked.block_peer(*peer);
                    let _ = swarm.disconnect_peer_id(*peer);
                }
                for peer in self.moderated.difference(&peers) {
                    tracing::info!(%peer, "a moderator unblocked a gossip peer");
                    if !self.config.blocked_peers.contains(peer) && !self.banned.contains_key(peer)
                    {
                        swarm.behaviour_mut().blocked.unblock_peer(*peer);
                    }
                }
                self.moderated = peers;
            }
            Command::Publish { kind, bytes } => {
                match swarm.behaviour_mut().gossipsub.publish(topic(kind), bytes) {
                    Ok(_) => {}
                    // Nobody to tell yet: peers catch up through sync.
                    Err(gossipsub::PublishError::NoPeersSubscribedToTopic) => {
                        tracing::debug!("no gossip peer yet; sync will carry the record")
                    }
                    Err(gossipsub::PublishError::Duplicate) => {}
                    Err(e) => tracing::warn!(error = %e, "gossip publish failed"),
                }
            }
            Command::Validated(verdicts) => {
                for v in verdicts {
                    let reject = matches!(v.acceptance, MessageAcceptance::Reject);
                    swarm
                        .behaviour_mut()
                        .gossipsub
                        .report_message_validation_result(&v.message_id, &v.source, v.acceptance);
                    if reject {
                        self.penalise(swarm, v.source, "sent an invalid record");
                    }
                }
            }
            Command::SyncPage {
                peer,
                kind,
                last,
                more,
            } => {
                if let Some(last) = last {
                    if let Err(e) = self.node.set_sync_cursor(&peer.to_string(), kind, last) {
                        tracing::warn!(error = %e, "could not store a sync cursor");
                    }
                }
                if !self.connected.contains_key(&peer) {
                    self.syncing.remove(&peer);
                } else if more && last.is_some() {
                    self.request_page(swarm, peer, kind);
                } else {
                    match next_kind(kind) {
                        Some(next) => self.request_page(swarm, peer, next),
                        None => {
                            self.syncing.remove(&peer);
                        }
                    }
                }
            }
            Command::SyncAuthor { did, peer, since } => {
                let peers: Vec<PeerId> = match peer {
                    Some(peer) => vec![peer],
                    None => self.connected.keys().copied().collect(),
                };
                for peer in peers.into_iter().filter(|p| self.connected.contains_key(p)) {
                    let id = swarm.behaviour_mut().sync.send_request(
                        &peer,
                        SyncRequest::Author {
                            author: did.clone(),
                            since,
                            limit: MAX_BATCH as u32,
                        },
                    );
                    self.author_requests.insert(id, (peer, did.clone()));
                }
            }
        }
    }

    fn event(&mut self, swarm: &mut Swarm<Behaviour>, event: SwarmEvent<BehaviourEvent>) {
        match event {
            SwarmEvent::NewListenAddr { address, .. } => {
                let full = address.with(Protocol::P2p(self.peer_id));
                tracing::info!(addr = %full, "p2p listening on {full}");
                self.listen_addrs.push(full);
            }
            SwarmEvent::ConnectionEstablished {
                peer_id,
                endpoint,
                num_established,
                ..
            } => {
                let addrs = self.connected.entry(peer_id).or_default();
                let addr = endpoint.get_remote_address().clone();
                if !addrs.contains(&addr) {
                    addrs.push(addr);
                }
                if num_established.get() == 1 {
                    tracing::info!(peer = %peer_id, "p2p peer connected");
                    self.start_sync(swarm, peer_id);
                }
            }
            SwarmEvent::ConnectionClosed {
                peer_id,
                num_established,
                endpoint,
                ..
            } => {
                if num_established == 0 {
                    self.connected.remove(&peer_id);
                    self.syncing.remove(&peer_id);
                    tracing::info!(peer = %peer_id, "p2p peer disconnected");
                } else if let Some(addrs) = self.connected.get_mut(&peer_id) {
                    addrs.retain(|a| a != endpoint.get_remote_address());
                }
            }
            SwarmEvent::Behaviour(BehaviourEvent::Gossipsub(gossipsub::Event::Message {
                propagation_source,
                message_id,
                message,
            })) => self.on_message(swarm, propagation_source, message_id, message),
            SwarmEvent::Behaviour(BehaviourEvent::Identify(identify::Event::Received {
                peer_id,
                info,
                ..
            })) => {
                if let Some(kad) = swarm.behaviour_mut().kad.as_mut() {
                    for addr in info.listen_addrs {
                        kad.add_address(&peer_id, addr);
                    }
                }
            }
            SwarmEvent::Behaviour(BehaviourEvent::Mdns(mdns::Event::Discovered(found))) => {
                for (peer, addr) in found {
                    if let Some(kad) = swarm.behaviour_mut().kad.as_mut() {
                        kad.add_address(&peer, addr.clone());
                    }
                    if !self.connected.contains_key(&peer) {
                        let _ = swarm.dial(addr.with(Protocol::P2p(peer)));
                    }
                }
            }
            SwarmEvent::Behaviour(BehaviourEvent::Kad(libp2p::kad::Event::RoutingUpdated {
                peer,
                ..
            })) if !self.connected.contains_key(&peer) && !self.banned.contains_key(&peer) => {
                // Discovered through the DHT: connect, so gossip reaches it.
                let _ = swarm.dial(peer);
            }
            SwarmEvent::Behaviour(BehaviourEvent::Sync(event)) => self.on_sync(swarm, event),
            _ => {}
        }
    }

    fn on_message(
        &mut self,
        swarm: &mut Swarm<Behaviour>,
        source: PeerId,
        message_id: gossipsub::MessageId,
        message: gossipsub::Message,
    ) {
        let now = Instant::now();
        let window = self.rate.entry(source).or_insert((now, 0));
        if now.duration_since(window.0) >= Duration::from_secs(1) {
            *window = (now, 0);
        }
        window.1 += 1;
        let over_limit = window.1 > self.config.max_messages_per_sec;
        let topic_kind = kind_of_topic(&message.topic);
        let gossipsub = &mut swarm.behaviour_mut().gossipsub;
        if over_limit {
            tracing::debug!(peer = %source, "gossip rate limit exceeded");
            gossipsub.report_message_validation_result(
                &message_id,
                &source,
                MessageAcceptance::Ignore,
            );
            return;
        }
        let Some(kind) = topic_kind else {
            gossipsub.report_message_validation_result(
                &message_id,
                &source,
                MessageAcceptance::Reject,
            );
            return;
        };
        let incoming = Incoming {
            message_id,
            source,
            kind,
            bytes: message.data,
        };
        if !self.backlog.is_empty() {
            self.backlog.push_back(incoming);
        } else {
            match self.ingest.try_send(incoming) {
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Full(incoming)) => self.backlog.push_back(incoming),
                // The ingest task has stopped: shutting down.
                Err(mpsc::error::TrySendError::Closed(incoming)) => {
                    gossipsub.report_message_validation_result(
                        &incoming.message_id,
                        &incoming.source,
                        MessageAcceptance::Ignore,
                    );
                }
            }
        }
        if self.backlog.len() >= BACKLOG_HIGH && !self.paused {
            tracing::debug!(
                backlog = self.backlog.len(),
                "gossip ingest is behind; not reading from peers for now"
            );
            self.paused = true;
        }
    }

    /// Hands backlogged messages to the ingest task as room frees (one
    /// reserved slot, then as many as fit), and reads from peers again once
    /// the backlog is short.
    fn drain_backlog(
        &mut self,
        swarm: &mut Swarm<Behaviour>,
        permit: Result<mpsc::Permit<'_, Incoming>, mpsc::error::SendError<()>>,
    ) {
        match permit {
            Ok(permit) => {
                if let Some(first) = self.backlog.pop_front() {
                    permit.send(first);
                }
                while let Some(next) = self.backlog.pop_front() {
                    if let Err(e) = self.ingest.try_send(next) {
                        match e {
                            mpsc::error::TrySendError::Full(next)
                            | mpsc::error::TrySendError::Closed(next) => {
                                self.backlog.push_front(next);
                            }
                        }
                        break;
                    }
                }
            }
            // The ingest task has stopped: shutting down.
            Err(_) => {
                for m in self.backlog.drain(..) {
                    swarm
                        .behaviour_mut()
                        .gossipsub
                        .report_message_validation_result(
                            &m.message_id,
                            &m.source,
                            MessageAcceptance::Ignore,
                        );
                }
            }
        }
        if self.paused && self.backlog.len() <= BACKLOG_LOW {
            self.paused = false;
        }
    }

    fn on_sync(
        &mut self,
        swarm: &mut Swarm<Behaviour>,
        event: request_response::Event<SyncRequest, SyncResponse>,
    ) {
        match event {
            request_response::Event::Message { peer, message, .. } => match message {
                request_response::Message::Request {
                    request, channel, ..
                } => {
                    let response = self.answer(&request);
                    tracing::debug!(%peer, entries = response.entries.len(), "sync request answered");
                    let _ = swarm.behaviour_mut().sync.send_response(channel, response);
                }
                request_response::Message::Response {
                    request_id,
                    response,
                } => {
                    if let Some((peer, did)) = self.author_requests.remove(&request_id) {
                        self.spawn_author_ingest(peer, did, response);
                        return;
                    }
                    let Some((peer, kind)) = self.requests.remove(&request_id) else {
                        return;
                    };
                    self.spawn_sync_ingest(peer, kind, response);
                }
            },
            request_response::Event::OutboundFailure {
                peer,
                request_id,
                error,
                ..
            } => {
                self.author_requests.remove(&request_id);
                if self.requests.remove(&request_id).is_some() {
                    self.syncing.remove(&peer);
                }
                tracing::debug!(%peer, %error, "sync request failed");
            }
            _ => {}
        }
    }

    /// Serves a page from the store.
    fn answer(&self, request: &SyncRequest) -> SyncResponse {
        let (items, limit) = match request {
            SyncRequest::Kind { kind, after, limit } => {
                let limit = (*limit as usize).clamp(1, MAX_BATCH);
                (self.node.envelopes_since(*kind, *after, limit), limit)
            }
            SyncRequest::Author {
                author,
                since,
                limit,
            } => {
                let limit = (*limit as usize).clamp(1, MAX_BATCH);
                match ::identity::PublicKey::from_did_key(author) {
                    Ok(key) => (self.node.envelopes_by_author(&key, *since, limit), limit),
                    Err(_) => return SyncResponse::default(),
                }
            }
        };
        let items = match items {
            Ok(items) => items,
            Err(e) => {
                tracing::warn!(error = %e, "reading envelopes for sync failed");
                return SyncResponse::default();
            }
        };
        let full = items.len() == limit;
        let mut size = 0u64;
        let mut entries = Vec::with_capacity(items.len());
        let mut cut = false;
        for item in items {
            size += item.bytes.len() as u64 + 32;
            if size > MAX_RESPONSE_BYTES / 2 {
                cut = true;
                break;
            }
            entries.push(SyncEntry {
                cursor: item.cursor,
                envelope: String::from_utf8_lossy(&item.bytes).into_owned(),
            });
        }
        SyncResponse {
            more: full || cut,
            entries,
        }
    }

    fn start_sync(&mut self, swarm: &mut Swarm<Behaviour>, peer: PeerId) {
        if self.syncing.insert(peer) {
            self.request_page(swarm, peer, KINDS[0]);
        }
    }

    fn request_page(&mut self, swarm: &mut Swarm<Behaviour>, peer: PeerId, kind: Kind) {
        let after = self
            .node
            .sync_cursor(&peer.to_string(), kind)
            .unwrap_or_default();
        let id = swarm.behaviour_mut().sync.send_request(
            &peer,
            SyncRequest::Kind {
                kind,
                after,
                limit: MAX_BATCH as u32,
            },
        );
        self.requests.insert(id, (peer, kind));
    }

    /// Verifies and stores a sync page off the swarm task, then reports
    /// back so the cursor moves and the next page is asked for.
    fn spawn_sync_ingest(&self, peer: PeerId, kind: Kind, response: SyncResponse) {
        let federation = self.federation.clone();
        let commands = self.commands.clone();
        tokio::spawn(async move {
            let last = response.entries.last().map(|e| e.cursor);
            let items = response.envelopes();
            let mut stored = 0usize;
            if !items.is_empty() {
                match ingest::ingest(&federation, &items).await {
                    Ok(outcomes) => {
                        stored = outcomes.iter().filter(|o| o.is_ok()).count();
                        if outcomes
                            .iter()
                            .any(|o| matches!(o, Err(Refusal::Invalid(_))))
                        {
                            tracing::warn!(%peer, "sync page held invalid records");
                        }
                    }
                    Err(e) => {
                        tracing::warn!(%peer, error = %e, "storing a sync page failed");
                        let _ = commands
                            .send(Command::SyncPage {
                                peer,
                                kind,
                                last: None,
                                more: false,
                            })
                            .await;
                        return;
                    }
                }
            }
            tracing::debug!(%peer, received = items.len(), stored, "sync page");
            let _ = commands
                .send(Command::SyncPage {
                    peer,
                    kind,
                    last,
                    more: response.more,
                })
                .await;
        });
    }

    /// Verifies and stores a page of one author's records, asking the same
    /// peer for the next page while there is more.
    fn spawn_author_ingest(&self, peer: PeerId, did: String, response: SyncResponse) {
        let federation = self.federation.clone();
        let commands = self.commands.clone();
        tokio::spawn(async move {
            let last = response.entries.last().map(|e| e.cursor);
            let items = response.envelopes();
            if items.is_empty() {
                return;
            }
            match ingest::ingest(&federation, &items).await {
                Ok(outcomes) => {
                    let stored = outcomes.iter().filter(|o| o.is_ok()).count();
                    tracing::debug!(%peer, %did, received = items.len(), stored, "author sync page");
                }
                Err(e) => {
                    tracing::warn!(%peer, error = %e, "storing an author sync page failed");
                    return;
                }
            }
            // Pages overlap by the last millisecond (receivers de-duplicate);
            // a page that brings nothing newer ends the walk.
            if let (true, Some(last)) = (response.more, last) {
                let first = response.entries.first().map(|e| e.cursor);
                if first != Some(last) {
                    let _ = commands
                        .send(Command::SyncAuthor {
                            did,
                            peer: Some(peer),
                            since: last,
                        })
                        .await;
                }
            }
        });
    }

    /// Bans a peer for `ban_duration`: its connections are closed and new
    /// ones refused. Gossipsub's score has already recorded the offence.
    fn penalise(&mut self, swarm: &mut Swarm<Behaviour>, peer: PeerId, why: &str) {
        if self.banned.contains_key(&peer) {
            return;
        }
        tracing::warn!(%peer, "banning a peer: {why}");
        self.banned.insert(peer, Instant::now());
        swarm.behaviour_mut().blocked.block_peer(peer);
        let _ = swarm.disconnect_peer_id(peer);
    }

    fn periodic(&mut self, swarm: &mut Swarm<Behaviour>) {
        let peers: Vec<PeerId> = self.connected.keys().copied().collect();
        for peer in peers {
            self.start_sync(swarm, peer);
        }
        let expired: Vec<PeerId> = self
            .banned
            .iter()
            .filter(|(_, at)| at.elapsed() >= self.config.ban_duration)
            .map(|(p, _)| *p)
            .collect();
        for peer in expired {
            self.banned.remove(&peer);
            if !self.config.blocked_peers.contains(&peer) && !self.moderated.contains(&peer) {
                swarm.behaviour_mut().blocked.unblock_peer(peer);
            }
        }
        self.rate
            .retain(|_, (at, _)| at.elapsed() < Duration::from_secs(10));
    }
}
