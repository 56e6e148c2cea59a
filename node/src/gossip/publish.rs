//! Outgoing gossip: intents written with local actions, turned into signed,
//! stored envelopes by the federation layer.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use protocol::envelope::{Envelope, Kind};

use crate::error::{NodeError, NodeResult};
use crate::events::Event;
use crate::id::Id;
use crate::model::Member;
use crate::node::Node;
use crate::store::{Key, Space, Txn};

/// A record to publish over gossip, recorded in the action's own write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum GossipIntent {
    /// A local public post was created.
    Post {
        /// The post.
        post: Id,
    },
}

impl Node {
    /// Records a gossip intent in `txn`; the federation layer is woken
    /// (`FederationQueued`) once it is durable.
    pub(crate) fn queue_gossip(&self, txn: &mut Txn<'_>, intent: GossipIntent) -> NodeResult<()> {
        txn.put(Key::new(Space::GossipOutbox).id(self.ids.next()), &intent)?;
        txn.emit(Event::FederationQueued);
        Ok(())
    }

    /// The oldest gossip intents not yet published (at most `limit`).
    pub fn pending_gossip(&self, limit: usize) -> NodeResult<Vec<(Id, GossipIntent)>> {
        let mut out = Vec::new();
        for item in self
            .store
            .prefix(&Key::new(Space::GossipOutbox), false)
            .take(limit)
        {
            let (key, value) = item?;
            let Some(id) = Key::trailing_id(&key) else {
                continue;
            };
            match crate::store::decode_value::<GossipIntent>(&value) {
                Ok(intent) => out.push((id, intent)),
                Err(e) => tracing::warn!(intent = %id, error = %e, "unreadable gossip intent"),
            }
        }
        Ok(out)
    }

    /// Drops an intent that has nothing to publish (its post is gone).
    pub async fn drop_gossip_intent(&self, intent: Id) -> NodeResult<()> {
        self.write(move |txn| {
            txn.delete(Key::new(Space::GossipOutbox).id(intent));
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
        if !author.is_local() {
            return Err(NodeError::Forbidden("not a local member"));
        }
        let key = author.keys.ed25519(&self.sealer, &author.id.to_bytes())?;
        let envelope = Envelope::sign(&key, kind, created, None, body)
            .map_err(|e| NodeError::invalid("envelope", e.to_string()))?;
        let stored = envelope.clone();
        self.write(move |txn| {
            txn.delete(Key::new(Space::GossipOutbox).id(intent));
            self.store_envelope(txn, &stored)?;
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
