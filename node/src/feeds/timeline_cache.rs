//! In-memory cache for home feeds (fan-out on read): who each member
//! follows, and each author's newest post ids.
//!
//! Correctness never depends on the cache: entries are filled from the
//! store, and every write that changes a follow list or an author's posts
//! calls [`TimelineCache::forget_following`] / [`TimelineCache::note_post`]
//! after it commits. Each key carries a version bumped by those calls; a
//! fill that started before a bump is discarded, so a fill racing a write
//! cannot install a stale list.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::id::Id;

/// Newest post ids kept per author.
pub const RECENT_PER_AUTHOR: usize = 64;
/// Entries kept per map before it is cleared (bounds memory).
const MAX_ENTRIES: usize = 100_000;

/// An author's newest post ids, newest first.
#[derive(Debug)]
pub struct Recent {
    /// Ids, newest first, at most [`RECENT_PER_AUTHOR`].
    pub ids: Vec<Id>,
    /// Whether `ids` holds every post of the author.
    pub complete: bool,
}

#[derive(Default)]
struct State {
    following: HashMap<Id, Arc<Vec<Id>>>,
    recent: HashMap<Id, Arc<Recent>>,
    versions: HashMap<Id, u64>,
}

/// The cache. One per node.
#[derive(Default)]
pub struct TimelineCache {
    state: Mutex<State>,
}

/// A version read before filling an entry from the store.
#[derive(Debug, Clone, Copy)]
pub struct Ticket(u64);

impl TimelineCache {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The cached following list of `member`, or a ticket to fill it.
    pub fn following(&self, member: Id) -> Result<Arc<Vec<Id>>, Ticket> {
        let state = self.lock();
        state
            .following
            .get(&member)
            .cloned()
            .ok_or_else(|| Ticket(state.versions.get(&member).copied().unwrap_or(0)))
    }

    /// Stores a following list read from the store, unless a write bumped
    /// the member's version since `ticket` was taken.
    pub fn fill_following(&self, member: Id, ticket: Ticket, ids: Vec<Id>) -> Arc<Vec<Id>> {
        let ids = Arc::new(ids);
        let mut state = self.lock();
        if state.versions.get(&member).copied().unwrap_or(0) == ticket.0 {
            if state.following.len() >= MAX_ENTRIES {
                state.following.clear();
            }
            state.following.insert(member, ids.clone());
        }
        ids
    }

    /// Drops `member`'s following list (after a follow, unfollow or block).
    pub fn forget_following(&self, member: Id) {
        let mut state = self.lock();
        state.following.remove(&member);
        *state.versions.entry(member).or_default() += 1;
    }

    /// The cached newest posts of `author`, or a ticket to fill them.
    pub fn recent(&self, author: Id) -> Result<Arc<Recent>, Ticket> {
        let state = self.lock();
        state
            .recent
            .get(&author)
            .cloned()
            .ok_or_else(|| Ticket(state.versions.get(&author).copied().unwrap_or(0)))
    }

    /// Stores an author's newest posts read from the store (see `fill_following`).
    pub fn fill_recent(&self, author: Id, ticket: Ticket, recent: Recent) -> Arc<Recent> {
        let recent = Arc::new(recent);
        let mut state = self.lock();
        if state.versions.get(&author).copied().unwrap_or(0) == ticket.0 {
            if state.recent.len() >= MAX_ENTRIES {
                state.recent.clear();
            }
            state.recent.insert(author, recent.clone());
        }
        recent
    }

    /// Records a new post by `author` (after it committed).
    pub fn note_post(&self, author: Id, post: Id) {
        let mut state = self.lock();
        *state.versions.entry(author).or_default() += 1;
        if let Some(old) = state.recent.get(&author) {
            let mut ids = Vec::with_capacity(RECENT_PER_AUTHOR);
            ids.push(post);
            ids.extend(old.ids.iter().copied().filter(|id| *id != post));
            let complete = old.complete && ids.len() <= RECENT_PER_AUTHOR;
            ids.truncate(RECENT_PER_AUTHOR);
            state
                .recent
                .insert(author, Arc::new(Recent { ids, complete }));
        }
    }

    /// Drops an author's recent posts (after a delete).
    pub fn forget_recent(&self, author: Id) {
        let mut state = self.lock();
        state.recent.remove(&author);
        *state.versions.entry(author).or_default() += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::IdGenerator;

    #[test]
    fn a_fill_racing_a_write_is_discarded() {
        let ids = IdGenerator::default();
        let (alice, p1, p2) = (ids.next(), ids.next(), ids.next());
        let cache = TimelineCache::default();
        let ticket = cache.recent(alice).expect_err("empty");
        cache.note_post(alice, p2); // a post commits while the fill reads
        cache.fill_recent(
            alice,
            ticket,
            Recent {
                ids: vec![p1],
                complete: true,
            },
        );
        assert!(
            cache.recent(alice).is_err(),
            "stale fill must not be cached"
        );
        let ticket = cache.recent(alice).expect_err("empty");
        cache.fill_recent(
            alice,
            ticket,
            Recent {
                ids: vec![p2, p1],
                complete: true,
            },
        );
        let p3 = ids.next();
        cache.note_post(alice, p3);
        assert_eq!(cache.recent(alice).expect("cached").ids, vec![p3, p2, p1]);
    }
}
