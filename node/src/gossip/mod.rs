//! Gossip records on the node's side: signed envelopes
//! ([`protocol::envelope`]) for public posts, their edits and deletions,
//! follows and unfollows, profiles, attestations and public groups' events
//! (`event.rs`; signed in `community_events/gossip.rs`), stored by id with the
//! indexes sync needs, and accepted from other nodes after verification.
//!
//! The node knows nothing of libp2p. Outgoing records follow the same
//! pattern as ActivityPub intents: each action writes a [`GossipIntent`] in
//! its own atomic write (when
//! [`NodeConfig::gossip`](crate::NodeConfig::gossip) is on), so a crash
//! loses nothing; the federation layer renders the body, has the node sign
//! it with the author's key ([`Node::publish_envelope`](crate::Node::publish_envelope)), which stores the
//! envelope and drops the intent in one write, then broadcasts it. Anything
//! not heard live is fetched by sync from the stores
//! ([`Node::envelopes_since`](crate::Node::envelopes_since), [`Node::envelopes_by_author`](crate::Node::envelopes_by_author)).
//!
//! Incoming envelopes go through [`Node::accept_envelopes`](crate::Node::accept_envelopes): verified (in a
//! batch), checked against the author's key (`authors.rs`), new posts
//! de-duplicated by envelope id and by the post's ActivityPub id (the join
//! key with ActivityPub: whichever arrives second is recognised) and stored
//! in one write for the whole batch; the other kinds are applied one by one
//! (`apply.rs`). Records whose author nobody vouches for yet are parked
//! (`parked.rs`). Attestations live in [`crate::attestations`].

mod accept;
pub(crate) mod apply;
mod authors;
mod body;
mod event;
mod parked;
mod publish;
mod store;

#[cfg(test)]
mod event_tests;
#[cfg(test)]
mod record_tests;
#[cfg(test)]
mod tests;

pub use accept::{Accepted, EnvelopeContext, Refusal};
pub use body::{
    AttestationBody, DeleteBody, EventBody, EventPlaceBody, FollowBody, PostBody, ProfileBody,
};
pub use publish::GossipIntent;
pub use store::{kind_byte, kind_from_byte, SyncItem};
