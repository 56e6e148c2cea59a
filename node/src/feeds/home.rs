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
use crate::model::PostView;
use crate::node::{Node, Viewer};
use crate::store::{tables, Cut, Rows};

/// One author's post ids within the request's bounds, newest first: the
/// cached window, then (only if a page reaches past it) the store.
struct AuthorStream<'a> {
    node: &'a Node,
    author: Id,
    recent: Arc<Recent>,
    pos: usize,
    max_id: Option<Id>,
    lower: Option<Id>,
    /// Opened lazily: most pages never reach past the cached window.
    store: Option<Rows<'a, tables::AuthorPosts>>,
    done: bool,
}

impl<'a> AuthorStream<'a> {
    /// The store iterator past the cached window (within the request's bounds).
    fn store_iter(&self) -> Rows<'a, tables::AuthorPosts> {
        let node: &'a Node = self.node;
        let oldest_cached = self.recent.ids.last().copied();
        let upper = match (oldest_cached, self.max_id) {
            (Some(o), Some(m)) => Some(o.min(m)),
            (o, m) => o.or(m),
        };
        let author = self.author;
        let start = match self.lower {
            Some(id) => Cut::at_id(&author, id),
            None => Cut::at((author,)),
        };
        let end = match upper {
            Some(id) => Cut::at_id(&author, id),
            None => Cut::past((author,)),
        };
        node.store.range(start, end, true)
    }
}

impl<'a> Iterator for AuthorStream<'a> {
    type Item = NodeResult<Id>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        while let Some(id) = self.recent.ids.get(self.pos).copied() {
            self.pos += 1;
            if self.max_id.is_some_and(|max| id >= max) {
                continue;
            }
            if self.lower.is_some_and(|low| id <= low) {
                self.done = true; // everything further is older still
                return None;
            }
            return Some(Ok(id));
        }
        if self.recent.complete {
            self.done = true;
            return None;
        }
        if self.store.is_none() {
            self.store = Some(self.store_iter());
        }
        let item = self.store.as_mut()?.next()?;
        Some(item.map(|((_, id), _)| id))
    }
}

/// One author's ids in ascending order (`min_id` pages), straight from the store.
struct AscendingStream<'a>(Rows<'a, tables::AuthorPosts>);

impl Iterator for AscendingStream<'_> {
    type Item = NodeResult<Id>;

    fn next(&mut self) -> Option<Self::Item> {
        let item = self.0.next()?;
        Some(item.map(|((_, id), _)| id))
    }
}

impl Node {
    /// The viewer's home feed: their own posts and the posts of everyone
    /// they follow that they may see, newest first (or, for a member who
    /// chose the ranked order, each page's posts by the `hot` formula: the
    /// pages and their cursors stay those of the newest-first feed).
    /// Replies to someone the viewer does not follow are left out, as
    /// Mastodon does.
    pub fn home_feed(&self, viewer: &Viewer, req: &PageRequest) -> NodeResult<Page<PostView>> {
        let me = viewer.member()?.id;
        let following = self.following_ids(me)?;
        let authors = std::iter::once(me).chain(following.iter().copied());
        let merged: Box<dyn Iterator<Item = NodeResult<Id>>> = if req.ascending() {
            let streams: Vec<_> = authors
                .map(|a| AscendingStream(self.ascending_ids(a, req)))
                .collect();
            Box::new(merge(streams, true))
        } else {
            let streams = authors
                .map(|a| self.author_stream(a, req))
                .collect::<NodeResult<Vec<_>>>()?;
            Box::new(merge(streams, false))
        };
        let mut cards = super::Authors::new(self);
        let mut page = scan_entries(merged.map(|r| r.map(|id| (id, ()))), req, |post_id, _| {
            self.feed_item(viewer, &mut cards, post_id, &|_: &Node,
                                                          entry: &super::FeedEntry<
                '_,
            >| {
                let follows = |id: Id| id == me || following.binary_search(&id).is_ok();
                if entry.boost {
                    return Ok(follows(entry.by));
                }
                // A reply to someone the viewer does not follow stays out.
                let post = entry.post;
                let reply_ok = post
                    .in_reply_to_author
                    .is_none_or(|other| other == post.author_id || follows(other));
                // A group's posts are its members' (they follow the group).
                Ok((follows(post.author_id) || post.group.is_some_and(follows)) && reply_ok)
            })
        })?;
        // A member who chose the ranked order gets each page ranked.
        if viewer.member()?.profile.preferences.home_order == crate::model::HomeOrder::Ranked {
            crate::ranking::home::rank_page(&mut page.items, crate::model::now_ms());
        }
        Ok(page)
    }

    /// Whether a post the viewer can see belongs in their home feed (used
    /// to push new posts to open apps).
    pub fn in_home(&self, viewer: &Viewer, post: &PostView) -> NodeResult<bool> {
        let me = viewer.member()?.id;
        let following = self.following_ids(me)?;
        let follows = |id: Id| id == me || following.binary_search(&id).is_ok();
        if let Some(boost) = &post.boost {
            return Ok(follows(boost.by.id));
        }
        let reply_ok = post
            .in_reply_to_author
            .is_none_or(|other| other == post.author.id || follows(other));
        let in_group =
            post.in_reply_to.is_none() && post.group.as_ref().is_some_and(|g| follows(g.id));
        Ok((follows(post.author.id) || in_group) && reply_ok)
    }

    /// Who `member` follows, sorted (cached).
    fn following_ids(&self, member: Id) -> NodeResult<Arc<Vec<Id>>> {
        match self.timelines.following(member) {
            Ok(ids) => Ok(ids),
            Err(ticket) => {
                let mut ids = Vec::new();
                for key in self
                    .store
                    .scan::<tables::Following>((member,), false)
                    .keys()
                {
                    ids.push(key?.1);
                }
                ids.sort();
                Ok(self.timelines.fill_following(member, ticket, ids))
            }
        }
    }

    /// `author`'s post ids within `req`'s bounds, newest first.
    fn author_stream(&self, author: Id, req: &PageRequest) -> NodeResult<AuthorStream<'_>> {
        Ok(AuthorStream {
            node: self,
            author,
            recent: self.recent_posts(author)?,
            pos: 0,
            max_id: req.max_id,
            lower: req.since_id,
            store: None,
            done: false,
        })
    }

    /// `author`'s post ids after `req.min_id`, oldest first.
    fn ascending_ids(&self, author: Id, req: &PageRequest) -> Rows<'_, tables::AuthorPosts> {
        let start = match req.min_id {
            Some(id) => Cut::at_id(&author, id),
            None => Cut::at((author,)),
        };
        let end = match req.max_id {
            Some(id) => Cut::at_id(&author, id),
            None => Cut::past((author,)),
        };
        self.store.range(start, end, false)
    }

    /// `author`'s newest post ids (cached).
    fn recent_posts(&self, author: Id) -> NodeResult<Arc<Recent>> {
        match self.timelines.recent(author) {
            Ok(recent) => Ok(recent),
            Err(ticket) => {
                let mut ids = Vec::with_capacity(RECENT_PER_AUTHOR);
                let mut complete = true;
                for key in self
                    .store
                    .scan::<tables::AuthorPosts>((author,), true)
                    .keys()
                {
                    if ids.len() == RECENT_PER_AUTHOR {
                        complete = false;
                        break;
                    }
                    ids.push(key?.1);
                }
                Ok(self
                    .timelines
                    .fill_recent(author, ticket, Recent { ids, complete }))
            }
        }
    }
}

/// Merges streams that are each in page order into one in page order.
fn merge<'a, S: Iterator<Item = NodeResult<Id>> + 'a>(
    mut streams: Vec<S>,
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
    // A group post is in its author's and its group's streams: the same
    // id, adjacent in the merge, is given once.
    let mut last: Option<Id> = None;
    std::iter::from_fn(move || loop {
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
        if last == Some(id) {
            continue;
        }
        last = Some(id);
        return Some(Ok(id));
    })
}
