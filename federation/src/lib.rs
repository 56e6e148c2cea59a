//! Federation: ActivityPub (through `activitypub_federation`) and libp2p
//! gossip between Kodeon nodes.
//!
//! This crate is a skeleton until the federation and gossip issues land.
//! Its place in the dependency graph is fixed already: it sits above `node`
//! (it consumes the node's outbound queue and calls node methods for
//! inbound activities) and below `web` (which mounts its inbox routes).

pub use node;
pub use protocol;
