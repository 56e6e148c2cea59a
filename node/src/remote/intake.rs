//! Inbound remote posts, written together.
//!
//! Under load many inbox requests store a post at the same time, and each
//! store used to be its own write: its own turn at the store's writer lock,
//! its own sled batch. A turn is handed from task to task through the
//! admission queue, and a woken task waits behind every other runnable
//! task for a runtime thread, so the lock sat idle between turns while
//! hundreds of requests queued for it.
//!
//! Now each request queues its prepared post here, then takes its turn;
//! whoever has the turn writes *every* post queued by then, in one write,
//! and tells each one's request the outcome once the write is durable. A
//! request whose post was written by an earlier turn finds the queue empty
//! (its turn costs nothing) and waits for that outcome. Nothing is acked
//! before it is on disk; a post alone on a quiet node is written at once.

use std::sync::Mutex;

use tokio::sync::oneshot;

use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::Post;
use crate::node::Node;
use crate::store::parts::Hash;
use crate::store::{tables, Txn};

/// A remote post waiting to be stored.
struct Queued {
    post: Post,
    /// Its key in the uri index.
    uri_key: Hash,
    /// Whether it goes into the listed feeds (its server is not silenced).
    listed: bool,
    /// Where its stored id goes (an earlier copy's, for a duplicate uri),
    /// or why it was refused (a group's rules); dropped unsent if the write
    /// that took it failed.
    done: oneshot::Sender<NodeResult<Id>>,
}

/// What one write did with one queued post.
struct Written {
    done: oneshot::Sender<NodeResult<Id>>,
    id: NodeResult<Id>,
    /// Set for a post stored by this write (not a duplicate).
    fresh_author: Option<Id>,
    /// The group whose timeline a thread's first post stored by this
    /// write entered.
    fresh_group: Option<Id>,
}

/// The queue of remote posts waiting to be stored.
#[derive(Default)]
pub(crate) struct PostIntake {
    queue: Mutex<Vec<Queued>>,
}

impl PostIntake {
    fn push(&self, queued: Queued) -> NodeResult<()> {
        self.queue
            .lock()
            .map_err(|_| NodeError::Internal("post intake lock poisoned".into()))?
            .push(queued);
        Ok(())
    }

    fn take(&self) -> Vec<Queued> {
        self.queue
            .lock()
            .map(|mut q| std::mem::take(&mut *q))
            .unwrap_or_default()
    }
}

impl Node {
    /// Stores `post`, whose uri index key is `uri_key` (once per uri: a
    /// post whose uri is stored already gets the first copy's id), together
    /// with whatever other remote posts are waiting; returns once it is
    /// durable.
    pub(crate) async fn store_remote_post(
        &self,
        post: Post,
        uri_key: Hash,
        listed: bool,
    ) -> NodeResult<Id> {
        let (done, outcome) = oneshot::channel();
        self.post_intake.push(Queued {
            post,
            uri_key,
            listed,
            done,
        })?;
        // On failure the posts this write took are dropped with it: their
        // requests see the sender gone (and their servers send again).
        let written = self.write(|txn| self.store_queued(txn)).await?;
        for w in written {
            if let (Some(author), Ok(id)) = (w.fresh_author, &w.id) {
                self.timelines.note_post(author, *id);
                if let Some(group) = w.fresh_group {
                    self.timelines.note_post(group, *id);
                }
            }
            let _ = w.done.send(w.id);
        }
        outcome
            .await
            .map_err(|_| NodeError::Internal("the write that held this post failed".into()))?
    }

    /// Stages every queued post (inside the writer's turn).
    fn store_queued(&self, txn: &mut Txn<'_>) -> NodeResult<Vec<Written>> {
        let queued = self.post_intake.take();
        let mut written = Vec::with_capacity(queued.len());
        for mut q in queued {
            if let Some(existing) = txn.load::<tables::PostByUri>(q.uri_key)? {
                written.push(Written {
                    done: q.done,
                    id: Ok(existing),
                    fresh_author: None,
                    fresh_group: None,
                });
                continue;
            }
            if let Err(refused) = self.admit_to_group(txn, &mut q.post) {
                written.push(Written {
                    done: q.done,
                    id: Err(refused),
                    fresh_author: None,
                    fresh_group: None,
                });
                continue;
            }
            txn.store::<tables::PostByUri>(q.uri_key, &q.post.id)?;
            self.insert_post_with(txn, &q.post, q.listed)?;
            written.push(Written {
                done: q.done,
                id: Ok(q.post.id),
                fresh_author: Some(q.post.author_id),
                fresh_group: q.post.group.filter(|_| q.post.in_reply_to.is_none()),
            });
        }
        Ok(written)
    }
}
