//! Domain events, broadcast after the write that caused them is durable.
//! Streaming (and later federation) subscribe; nobody is told about a
//! change that could still be lost.

use tokio::sync::broadcast;

use crate::id::Id;

/// Something that happened on the node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A post (or comment) was published.
    PostCreated {
        /// The post.
        id: Id,
        /// Its author.
        author: Id,
    },
    /// A post was edited.
    PostEdited {
        /// The post.
        id: Id,
    },
    /// A post was deleted.
    PostDeleted {
        /// The post.
        id: Id,
    },
    /// Federation work was queued (an intent or deliveries).
    FederationQueued,
    /// A member got a notification.
    Notified {
        /// Who.
        recipient: Id,
        /// The notification.
        id: Id,
    },
}

/// The broadcast channel. Slow subscribers miss events (`Lagged`) rather
/// than slowing writers down.
pub struct EventBus {
    sender: broadcast::Sender<Event>,
}

impl Default for EventBus {
    fn default() -> Self {
        EventBus {
            sender: broadcast::channel(4096).0,
        }
    }
}

impl EventBus {
    /// A new subscription, receiving events from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.sender.subscribe()
    }

    /// Publishes events (no subscriber: nothing happens).
    pub fn publish(&self, events: Vec<Event>) {
        for event in events {
            let _ = self.sender.send(event);
        }
    }
}
