//! Accounts and posts that live on other servers, and the durable work
//! that federating the node's own actions implies.
//!
//! The node stays protocol-agnostic: remote accounts are [`Member`]s with
//! [`RemoteAccount`] details, remote posts are [`Post`]s with a
//! [`RemotePostRef`], so follows, feeds, threads, likes and notifications
//! work the same for both. What must be sent elsewhere is recorded as an
//! [`Outgoing`] intent in the same atomic write as the action; the
//! federation layer turns intents into signed deliveries
//! ([`Delivery`]) and reports back.
//!
//! [`Member`]: crate::model::Member
//! [`RemoteAccount`]: crate::model::RemoteAccount
//! [`Post`]: crate::model::Post
//! [`RemotePostRef`]: crate::model::RemotePostRef

mod actors;
mod bookkeeping;
mod delivery;
mod domains;
mod inbound;
mod intake;
mod outbox;

pub use actors::RemoteActor;
pub(crate) use bookkeeping::InboundBook;
pub use delivery::{Delivery, DeliveryStats, DroppedDelivery, InstanceState, NewDelivery};
pub use domains::{DomainBlock, DomainSeverity};
pub use inbound::{FollowOutcome, RemotePost};
pub(crate) use intake::PostIntake;
pub use outbox::{GroupActivity, Outgoing};

#[cfg(test)]
mod tests;

/// The authority (`host[:port]`, lower-case, IDNA) a request to `url`
/// would reach, read by the WHATWG parser every HTTP client here uses;
/// `None` when `url` is not an http(s) URL with a host and without
/// credentials. Every host check goes through here, so a check and the
/// request it guards never disagree about the host.
pub fn host_of(url: &str) -> Option<String> {
    protocol::urls::authority_of(url)
}
