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

pub(crate) use actors::actor_key;
pub use actors::RemoteActor;
pub(crate) use bookkeeping::InboundBook;
pub use delivery::{Delivery, DeliveryStats, InstanceState, NewDelivery};
pub use domains::{DomainBlock, DomainSeverity};
pub(crate) use inbound::post_uri_key;
pub use inbound::{FollowOutcome, RemotePost};
pub(crate) use intake::PostIntake;
pub use outbox::Outgoing;

#[cfg(test)]
mod tests;

/// The host part of a URL (with its port, if any), lower-cased; `None`
/// when `url` is not an absolute http(s) URL.
pub fn host_of(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = &rest[..end];
    let host = host.rsplit_once('@').map(|(_, h)| h).unwrap_or(host);
    if host.is_empty() {
        return None;
    }
    Some(host.to_ascii_lowercase())
}
