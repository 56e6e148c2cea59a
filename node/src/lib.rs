//! Kodeon's engine: storage, domain services and feeds.
//!
//! Everything a member can do is a method on [`Node`], testable without
//! HTTP. **Architecture Invariant:** `node` knows nothing about HTTP,
//! JSON-LD, ActivityPub or libp2p; those layers call these methods.

pub mod admin;
pub mod apps;
pub mod attestations;
pub mod backup;
#[cfg(feature = "bench-seed")]
mod bench_seed;
pub mod certificates;
pub mod community_events;
pub mod config;
pub mod conversations;
pub mod courses;
mod data_dir;
pub mod error;
pub mod events;
pub mod feeds;
pub mod gamification;
pub mod gossip;
pub mod groups;
pub mod id;
pub mod insights;
pub mod learning_paths;
pub mod mail;
pub mod markers;
pub mod media;
pub mod members;
pub mod model;
pub mod moderation;
mod node;
pub mod notifications;
pub mod posts;
pub mod ranking;
pub mod remote;
pub mod social;
pub mod store;
pub mod trust;
mod validate;

#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;

pub use config::{ContentLimits, NodeConfig, RegistrationMode, StoreEngine};
pub use error::{NodeError, NodeResult};
pub use feeds::{Page, PageRequest};
pub use id::Id;
pub use node::{Node, NodeStats, Viewer};
