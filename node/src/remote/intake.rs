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
use crate::store::Txn;

use super::inbound::post_uri_key;

/// A remote post waiting to be stored.
struct Queued {
    post: Post,
    /// Whether it goes into the listed feeds (its server is not silenced).
    listed: bool,
    /// Where its outcome goes: the stored id (an earlier copy's, for a
    /// duplicate uri), or the error that stopped the write.
    done: oneshot::Sender<Result<Id, String>>,
}

/// What one write did with one queued post.
struct Written {
    done: oneshot::Sender<Result<Id, String>>,
    id: Id,
    /// Set for a post stored by this write (not a duplicate).
    fresh_author: Option<Id>,
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
    /// Stores `post` (once per uri: a post whose uri is stored already
    /// gets the first copy's id), together with whatever other remote
    /// posts are waiting; returns once it is durable.
    pub(crate) async fn store_remote_post(&self, post: Post, listed: bool) -> NodeResult<Id> {
        let (done, outcome) = oneshot::channel();
        self.post_intake.push(Queued { post, listed, done })?;
        let written = self.write(|txn| self.store_queued(txn)).await;
        match written {
            Ok(written) => {
                for w in written {
                    if let Some(author) = w.fresh_author {
                        self.timelines.note_post(author, w.id);
                    }
                    let _ = w.done.send(Ok(w.id));
                }
            }
            // The posts taken by this write were dropped with it: their
            // senders learn of the failure (and send again later).
            Err(e) => return Err(e),
        }
        match outcome.await {
            Ok(Ok(id)) => Ok(id),
            Ok(Err(message)) => Err(NodeError::Internal(message)),
            Err(_) => Err(NodeError::Internal(
                "the write that held this post failed".into(),
            )),
        }
    }

    /// Stages every queued post (inside the writer's turn).
    fn store_queued(&self, txn: &mut Txn<'_>) -> NodeResult<Vec<Written>> {
        let queued = self.post_intake.take();
        let mut written = Vec::with_capacity(queued.len());
        for q in queued {
            let uri_key = match &q.post.remote {
                Some(r) => post_uri_key(&r.uri),
                None => {
                    let _ = q
                        .done
                        .send(Err("a remote post without its uri".to_string()));
                    continue;
                }
            };
            if let Some(existing) = txn.get::<Id>(&uri_key)? {
                written.push(Written {
                    done: q.done,
                    id: existing,
                    fresh_author: None,
                });
                continue;
            }
            txn.put(uri_key, &q.post.id)?;
            self.insert_post_with(txn, &q.post, q.listed)?;
            written.push(Written {
                done: q.done,
                id: q.post.id,
                fresh_author: Some(q.post.author_id),
            });
        }
        Ok(written)
    }
}
