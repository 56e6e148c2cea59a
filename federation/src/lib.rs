//! Federation: ActivityPub (through `activitypub_federation`) and libp2p
//! gossip between Kodeon nodes.
//!
//! So far: discovery (WebFinger, NodeInfo, host-meta) and actor documents.
//! Inboxes, outboxes, signed delivery and gossip are still to come. The
//! crate sits above `node` (it calls node methods and will consume the
//! node's outbound queue) and below `web` (which mounts its routes).

pub mod discovery;
pub mod objects;
