//! Outgoing gossip: intents written with local actions, turned into signed,
//! stored envelopes by the federation layer.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use protocol::envelope::{Envelope, Kind};

use crate::error::NodeResult;
use crate::events::Event;
use crate::id::Id;
use crate::model::Member;
use crate::node::Node;
use crate::store::{tables, Txn};

/// A record to publish over gossip, recorded in the action's own write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum GossipIntent {
    /// A local public post was created.
    Post {
        /// The post.
        post: Id,
    },
    /// A local public post was edited (if it is no longer public, its
    /// deletion is published instead).
    Edit {
        /// The post.
        post: Id,
    },
    /// A local public post was deleted (or left public view).
    DeletePost {
        /// Its author.
        author: Id,
        /// The post (gone from the store).
        post: Id,
    },
    /// A local member's profile changed (or is published for the first
    /// time, before their first record).
    Profile {
        /// The member.
        member: Id,
    },
    /// A local member followed someone.
    Follow {
        /// The follower.
        follower: Id,
        /// Whom.
        followee: Id,
    },
    /// A local member stopped following someone.
    Unfollow {
        /// The follower.
        follower: Id,
        /// Whom.
        followee: Id,
    },
    /// An envelope signed and stored already (attestations and their
    /// withdrawal) waits to be broadcast.
    Broadcast {
        /// The envelope's id.
        envelope: [u8; 32],
    },
}

impl Node {
    /// Records a gossip intent in `txn`; the federation layer is woken
    /// (`FederationQueued`) once it is durable.
    pub(crate) fn queue_gossip(&self, txn: &mut Txn<'_>, intent: GossipIntent) -> NodeResult<()> {
        txn.store::<tables::GossipOutbox>(self.ids.next(), &intent)?;
        txn.emit(Event::FederationQueued);
        Ok(())
    }

    /// Queues `intent` in `txn` when gossip is on (a no-op otherwise).
    pub(crate) fn gossip_if_on(&self, txn: &mut Txn<'_>, intent: GossipIntent) -> NodeResult<()> {
        if self.config.gossip {
            self.queue_gossip(txn, intent)?;
        }
        Ok(())
    }

    /// Queues the broadcast of an envelope just stored in `txn`.
    pub(crate) fn queue_broadcast(&self, txn: &mut Txn<'_>, envelope: &Envelope) -> NodeResult<()> {
        self.gossip_if_on(
            txn,
            GossipIntent::Broadcast {
                envelope: envelope.id,
            },
        )
    }

    /// Whether a local member's profile has been published over gossip.
    pub fn profile_published(&self, member: Id) -> NodeResult<bool> {
        self.store.has::<tables::ProfileEnvelope>(member)
    }

    /// The oldest gossip intents not yet published (at most `limit`).
    pub fn pending_gossip(&self, limit: usize) -> NodeResult<Vec<(Id, GossipIntent)>> {
        let mut out = Vec::new();
        for item in self
            .store
            .scan::<tables::GossipOutbox>((), false)
            .each_value()
            .take(limit)
        {
            let (id, intent) = item?;
            match intent {
                Ok(intent) => out.push((id, intent)),
                Err(e) => tracing::warn!(intent = %id, error = %e, "unreadable gossip intent"),
            }
        }
        Ok(out)
    }

    /// Drops an intent that has nothing to publish (its post is gone).
    pub async fn drop_gossip_intent(&self, intent: Id) -> NodeResult<()> {
        self.write(move |txn| {
            txn.remove::<tables::GossipOutbox>(intent);
            Ok(())
        })
        .await
    }

    /// Signs `body` as a record of `kind` by local member `author` (with the
    /// member's own ed25519 key), then, in one write, stores the envelope
    /// with its sync indexes and removes `intent`. Returns the envelope to
    /// broadcast.
    pub async fn publish_envelope(
        &self,
        intent: Id,
        author: &Member,
        kind: Kind,
        created: i64,
        body: Map<String, Value>,
    ) -> NodeResult<Envelope> {
        self.sign_and_store(Some(intent), author, kind, created, body)
            .await
    }

    /// Signs and stores a profile record for local member `author` outside
    /// any intent (their first, published before their first record).
    pub async fn publish_profile_now(
        &self,
        author: &Member,
        created: i64,
        body: Map<String, Value>,
    ) -> NodeResult<Envelope> {
        self.sign_and_store(None, author, Kind::Profile, created, body)
            .await
    }

    async fn sign_and_store(
        &self,
        intent: Option<Id>,
        author: &Member,
        kind: Kind,
        created: i64,
        body: Map<String, Value>,
    ) -> NodeResult<Envelope> {
        let envelope = self.sign_as(author, kind, created, body)?;
        let stored = envelope.clone();
        let member = author.id;
        self.write(move |txn| {
            if let Some(intent) = intent {
                txn.remove::<tables::GossipOutbox>(intent);
            }
            self.store_envelope(txn, &stored)?;
            if kind == Kind::Profile {
                txn.store::<tables::ProfileEnvelope>(member, &stored.created)?;
            }
            Ok(())
        })
        .await?;
        Ok(envelope)
    }

    /// The node's own ed25519 key pair (its libp2p identity).
    pub fn node_ed25519(&self) -> NodeResult<identity::Ed25519Keypair> {
        Ok(self.node_keys().ed25519(&self.sealer, b"node")?)
    }
}
