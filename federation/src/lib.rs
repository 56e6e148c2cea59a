//! Federation: ActivityPub (fetches signed through
//! `activitypub_federation`, deliveries signed in [`signing`]) and libp2p
//! gossip between Kodeon nodes ([`gossip`]).
//!
//! The crate sits above `node` and below `web`: the web layer hands it
//! inbox requests ([`Federation::receive`]) and serves the documents it
//! renders; the node records what must be federated as intents in the same
//! atomic write as each action, and [`Federation::run_delivery`] turns
//! them into signed deliveries from a persistent queue.

pub mod activities;
pub mod actors;
mod attestation_inbound;
pub mod attestation_objects;
pub mod certificate_status;
pub mod client;
pub mod course_inbound;
pub mod course_objects;
pub mod delivery;
pub mod discovery;
pub mod error;
pub mod event_inbound;
pub mod event_objects;
pub mod gossip;
mod group_activities;
mod group_inbox;
pub mod inbox;
pub mod links;
pub mod notes;
pub mod objects;
pub mod resolve;
pub mod sanitize;
pub mod search;
pub mod service;
pub mod sign_in;
pub mod signing;
pub mod uris;

pub use error::FederationError;
pub use inbox::{InboxRequest, Received};
pub use resolve::Resolved;
pub use search::{Kinds, SearchQuery, SearchResults};
pub use service::{Federation, FederationSettings};
