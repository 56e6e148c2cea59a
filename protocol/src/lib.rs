//! Kodeon's shared vocabulary and wire formats. No I/O.
//!
//! The names every layer must agree on and the ActivityStreams objects
//! served so far (actors, WebFinger), and the activities sent and received
//! ([`activities`]). The signed gossip envelope (libp2p
//! gossip issue) will live here too, verified with `identity`. Inbound
//! HTTP signatures (draft-cavage and RFC 9421) are checked in
//! [`http_signature`]. Calendars (RFC 5545) are written by [`icalendar`].

pub mod activities;
pub mod activitystreams;
pub mod credentials;
pub mod data_integrity;
pub mod envelope;
pub mod http_signature;
pub mod icalendar;
pub mod local_urls;
pub mod sign_in_ticket;
pub mod urls;

/// The software name reported to peers (NodeInfo `software.name`).
pub const SOFTWARE_NAME: &str = "kodeon";

/// This build's version.
pub const SOFTWARE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Path prefix of Kodeon's own JSON API.
pub const API_PREFIX: &str = "/api/kodeon/v1";

// Keep the dependency visible: wire formats will verify with it.
pub use identity;
