//! Gossip settings, parsed from the strings of the config file and flags.

use std::time::Duration;

use libp2p::{Multiaddr, PeerId};

use super::GossipError;

/// How the libp2p side runs. Gossip is on when `listen` is not empty.
#[derive(Debug, Clone)]
pub struct GossipConfig {
    /// Addresses to listen on (`/ip4/0.0.0.0/tcp/4001`).
    pub listen: Vec<Multiaddr>,
    /// Peers to dial and seed Kademlia with; each must end in `/p2p/PEER_ID`.
    pub bootstrap: Vec<Multiaddr>,
    /// Discover peers on the local network with mDNS.
    pub mdns: bool,
    /// Peers never to talk to.
    pub blocked_peers: Vec<PeerId>,
    /// Gossip messages accepted from one peer per second; more are ignored
    /// (not forwarded) and counted against it.
    pub max_messages_per_sec: u32,
    /// How often every connected peer is asked for what this node missed.
    pub sync_interval: Duration,
    /// How long a peer that sent an invalid record stays banned.
    pub ban_duration: Duration,
    /// Discover peers with Kademlia and connect to them (off: only
    /// bootstrap and mDNS peers, and those who dial in, are connected).
    pub kademlia: bool,
}

impl Default for GossipConfig {
    fn default() -> Self {
        GossipConfig {
            listen: Vec::new(),
            bootstrap: Vec::new(),
            mdns: false,
            blocked_peers: Vec::new(),
            max_messages_per_sec: 5_000,
            sync_interval: Duration::from_secs(60),
            ban_duration: Duration::from_secs(600),
            kademlia: true,
        }
    }
}

impl GossipConfig {
    /// Parses the textual settings (multiaddrs and base58 peer ids).
    pub fn parse(
        listen: &[String],
        bootstrap: &[String],
        mdns: bool,
        blocked_peers: &[String],
    ) -> Result<GossipConfig, GossipError> {
        let addr = |s: &String| {
            s.parse::<Multiaddr>()
                .map_err(|e| GossipError::BadAddress(format!("{s}: {e}")))
        };
        let bootstrap: Vec<Multiaddr> = bootstrap.iter().map(addr).collect::<Result<_, _>>()?;
        for b in &bootstrap {
            if peer_of(b).is_none() {
                return Err(GossipError::BadAddress(format!(
                    "{b}: a bootstrap address must end in /p2p/PEER_ID"
                )));
            }
        }
        Ok(GossipConfig {
            listen: listen.iter().map(addr).collect::<Result<_, _>>()?,
            bootstrap,
            mdns,
            blocked_peers: blocked_peers
                .iter()
                .map(|p| {
                    p.parse::<PeerId>()
                        .map_err(|e| GossipError::BadPeerId(format!("{p}: {e}")))
                })
                .collect::<Result<_, _>>()?,
            ..GossipConfig::default()
        })
    }

    /// Whether gossip runs at all.
    pub fn enabled(&self) -> bool {
        !self.listen.is_empty()
    }
}

/// The peer id at the end of a multiaddr (`.../p2p/PEER_ID`).
pub fn peer_of(addr: &Multiaddr) -> Option<PeerId> {
    addr.iter().find_map(|p| match p {
        libp2p::multiaddr::Protocol::P2p(id) => Some(id),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses_bootstrap_without_peer_id() {
        let peer = libp2p::identity::Keypair::generate_ed25519()
            .public()
            .to_peer_id();
        let ok = GossipConfig::parse(
            &["/ip4/127.0.0.1/tcp/0".into()],
            &[format!("/ip4/127.0.0.1/tcp/4001/p2p/{peer}")],
            false,
            &[peer.to_string()],
        )
        .expect("parse");
        assert!(ok.enabled());
        assert_eq!(ok.blocked_peers, vec![peer]);
        assert_eq!(ok.bootstrap.first().and_then(peer_of), Some(peer));
        assert!(matches!(
            GossipConfig::parse(&[], &["/ip4/127.0.0.1/tcp/4001".into()], false, &[]),
            Err(GossipError::BadAddress(_))
        ));
        assert!(matches!(
            GossipConfig::parse(&["nonsense".into()], &[], false, &[]),
            Err(GossipError::BadAddress(_))
        ));
        assert!(!GossipConfig::default().enabled());
    }
}
