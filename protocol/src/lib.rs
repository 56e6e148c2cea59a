//! Kodeon's shared vocabulary and wire formats. No I/O.
//!
//! Today this holds the names every layer must agree on. The ActivityStreams
//! objects (issue: ActivityPub federation) and the signed gossip envelope
//! (issue: libp2p gossip) will live here, verified with `identity`.

/// The software name reported to peers (NodeInfo `software.name`).
pub const SOFTWARE_NAME: &str = "kodeon";

/// This build's version.
pub const SOFTWARE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Path prefix of Kodeon's own JSON API.
pub const API_PREFIX: &str = "/api/kodeon/v1";

// Keep the dependency visible: wire formats will verify with it.
pub use identity;
