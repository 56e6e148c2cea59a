//! Domain events, broadcast after the write that caused them is durable.
//! Streaming (and later federation) subscribe; nobody is told about a
//! change that could still be lost.

use std::sync::Arc;

use tokio::sync::broadcast;

use crate::id::Id;
use crate::model::Post;

/// Something that happened on the node.
#[derive(Debug, Clone)]
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
    /// A post (or a boost) was deleted.
    PostDeleted {
        /// The post, or the boost's own id.
        id: Id,
        /// Who could see it, taken before the delete: by the time
        /// subscribers hear of it the record is gone.
        seen_by: Deleted,
    },
    /// Federation work was queued (an intent or deliveries).
    FederationQueued,
    /// An e-mail was queued ([`crate::mail`]): the mail worker wakes.
    MailQueued,
    /// A member got a notification.
    Notified {
        /// Who.
        recipient: Id,
        /// The notification.
        id: Id,
    },
    /// A session ended: its token was revoked (logout, revocation by the
    /// member or their app) or every session of the member ended
    /// (suspension, deletion, password reset, rejection). Streams opened
    /// with it close at once.
    SessionEnded {
        /// The session's id ([`crate::model::Session::id`]).
        session: Id,
        /// Its member.
        member: Id,
    },
    /// A moderator blocked or unblocked a gossip peer: gossip reads the
    /// list again ([`crate::Node::blocked_peers`]).
    PeerBlocksChanged,
    /// A member completed a course: its `CourseCompletion` record is
    /// stored (what a certificate will state).
    CourseCompleted {
        /// The course.
        course: Id,
        /// The member.
        member: Id,
    },
}

/// What a deleted post was, as far as visibility goes: decided with
/// [`crate::Node::could_have_seen`], which applies `can_view` to it.
#[derive(Debug, Clone)]
pub struct Deleted {
    /// The post as it was before the delete; for a boost, the boosted post
    /// (a boost is seen by whoever sees the post and the booster). `None`
    /// when it is unknown (a boost whose post was gone already): then only
    /// the booster hears of the delete.
    pub post: Option<Arc<Post>>,
    /// For a boost: who boosted.
    pub booster: Option<Id>,
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
