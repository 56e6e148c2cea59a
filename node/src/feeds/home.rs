//! The home feed, fanned out on read: a k-way merge of the newest posts of
//! the viewer and everyone they follow.
//!
//! Writing a post then costs a handful of keys whatever the author's
//! follower count, and follows and unfollows show in the feed at once. The
//! merge reads each author's newest ids from the [`TimelineCache`] and falls
//! back to the store's `AuthorPosts` index past the cached window.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;

use super::page::{scan_entries, Page, PageRequest};
use super::timeline_cache::{Recent, RECENT_PER_AUTHOR};
use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::{Post, PostView};
use crate::node::{Node, Viewer};
use crate::store::{Key, KvIter, Space};

/// One author's post ids within the request's bounds, in page order.
struct AuthorStream<'a> {
    cached: Option<(Arc<Recent>, usize)>,
    store: Option<KvIter<'a>>,
}

impl Iterator for AuthorStream<'_> {
    type Item = NodeResult<Id>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some((recent, pos)) = &mut self.cached {
            if let Some(id) = recent.ids.get(*pos) {
                *pos += 1;
                return Some(Ok(*id));
            }
        }
        let item = self.store.as_mut()?.next()?;
        Some(item.map_err(NodeError::from).and_then(|(key, _)| {
            Key::trailing_id(&key).ok_or_else(|| NodeError::Internal("index key without id".into()))
        }))
    }
}

impl Node {
    /// The viewer's home feed: their own posts and the posts of everyone
    /// they follow that they may see, newest first. Replies to someone the
    /// viewer does not follow are left out, as Mastodon does.
    pub fn home_feed(&self, viewer: &Viewer, req: &PageRequest) -> NodeResult<Page<PostView>> {
        let me = viewer.member()?.id;
        let following = self.following_ids(me)?;
        let mut streams = Vec::with_capacity(following.len() + 1);
        streams.push(self.author_stream(me, req)?);
        for author in following.iter() {
            streams.push(self.author_stream(*author, req)?);
        }
        let ascending = req.ascending();
        let merged = merge(streams, ascending).map(|r| r.map(|id| (id, Vec::new())));
        let mut authors = super::Authors::new(self);
        scan_entries(merged, req, |post_id, _| {
            self.feed_item(viewer, &mut authors, post_id, &|_: &Node, post: &Post| {
                let follows = |id: Id| id == me || following.binary_search(&id).is_ok();
                // A reply to someone the viewer does not follow stays out.
                let reply_ok = post
                    .in_reply_to_author
                    .is_none_or(|other| other == post.author_id || follows(other));
                Ok(follows(post.author_id) && reply_ok)
            })
        })
    }

    /// Who `member` follows, sorted (cached).
    fn following_ids(&self, member: Id) -> NodeResult<Arc<Vec<Id>>> {
        match self.timelines.following(member) {
            Ok(ids) => Ok(ids),
            Err(ticket) => {
                let mut ids = Vec::new();
                for item in self
                    .store
                    .prefix(&Key::new(Space::Following).id(member), false)
                {
                    let (key, _) = item?;
                    ids.extend(Key::trailing_id(&key));
                }
                ids.sort();
                Ok(self.timelines.fill_following(member, ticket, ids))
            }
        }
    }

    /// `author`'s post ids within `req`'s bounds, in page order.
    fn author_stream(&self, author: Id, req: &PageRequest) -> NodeResult<AuthorStream<'_>> {
        let prefix = Key::new(Space::AuthorPosts).id(author);
        let lower = req.min_id.or(req.since_id);
        let bounded = |upper: Option<Id>| {
            let start = lower
                .map(|id| prefix.clone().id(id))
                .unwrap_or_else(|| prefix.clone());
            let end = upper
                .map(|id| prefix.clone().id(id))
                .unwrap_or_else(|| prefix.prefix_end());
            self.store.range(&start, &end, !req.ascending())
        };
        if req.ascending() {
            return Ok(AuthorStream {
                cached: None,
                store: Some(bounded(req.max_id)),
            });
        }
        let recent = self.recent_posts(author)?;
        let in_window: Vec<Id> = recent
            .ids
            .iter()
            .copied()
            .filter(|id| req.contains(*id))
            .collect();
        // Past the cached window, continue from the store below its oldest id.
        let store = if recent.complete {
            None
        } else {
            let oldest = recent.ids.last().copied();
            let upper = match (oldest, req.max_id) {
                (Some(o), Some(m)) => Some(o.min(m)),
                (o, m) => o.or(m),
            };
            Some(bounded(upper))
        };
        Ok(AuthorStream {
            cached: Some((
                Arc::new(Recent {
                    ids: in_window,
                    complete: recent.complete,
                }),
                0,
            )),
            store,
        })
    }

    /// `author`'s newest post ids (cached).
    fn recent_posts(&self, author: Id) -> NodeResult<Arc<Recent>> {
        match self.timelines.recent(author) {
            Ok(recent) => Ok(recent),
            Err(ticket) => {
                let mut ids = Vec::with_capacity(RECENT_PER_AUTHOR);
                let mut complete = true;
                for item in self
                    .store
                    .prefix(&Key::new(Space::AuthorPosts).id(author), true)
                {
                    if ids.len() == RECENT_PER_AUTHOR {
                        complete = false;
                        break;
                    }
                    let (key, _) = item?;
                    ids.extend(Key::trailing_id(&key));
                }
                Ok(self
                    .timelines
                    .fill_recent(author, ticket, Recent { ids, complete }))
            }
        }
    }
}

/// Merges streams that are each in page order into one in page order.
fn merge<'a>(
    mut streams: Vec<AuthorStream<'a>>,
    ascending: bool,
) -> impl Iterator<Item = NodeResult<Id>> + 'a {
    // Max-heap on the id (descending); Reverse for ascending pages.
    let mut heap: BinaryHeap<(Result<Id, Reverse<Id>>, usize)> = BinaryHeap::new();
    let mut error: Option<NodeError> = None;
    let key = move |id: Id| if ascending { Err(Reverse(id)) } else { Ok(id) };
    for (i, s) in streams.iter_mut().enumerate() {
        match s.next() {
            Some(Ok(id)) => heap.push((key(id), i)),
            Some(Err(e)) => error = Some(e),
            None => {}
        }
    }
    std::iter::from_fn(move || {
        if let Some(e) = error.take() {
            return Some(Err(e));
        }
        let (top, i) = heap.pop()?;
        let id = match top {
            Ok(id) | Err(Reverse(id)) => id,
        };
        match streams[i].next() {
            Some(Ok(next)) => heap.push((key(next), i)),
            Some(Err(e)) => error = Some(e),
            None => {}
        }
        Some(Ok(id))
    })
}
