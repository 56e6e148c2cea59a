//! Rankings of group feeds (`hot`, `top`) kept for a few seconds, so that
//! a busy group's feed is ranked once per [`RANK_TTL`] instead of on every
//! request (ranking reads up to three counters of each of the window's
//! posts). A feed's order may then lag reactions and new posts by that
//! much, as Lemmy's, which recomputes its ranks on a schedule.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::GroupPostSort;
use crate::id::Id;

/// How long a ranking is reused.
pub const RANK_TTL: Duration = Duration::from_secs(10);

/// The most rankings kept (each at most `RANK_WINDOW` ids, 16 kB): the
/// oldest goes first.
const MAX_RANKINGS: usize = 256;

/// A ranking: the clock its scores used, the newest post of its window,
/// and the ids in ranked order.
#[derive(Debug, Clone)]
pub(crate) struct Ranking {
    /// The clock the scores used (ms).
    pub at: i64,
    /// The newest post of the window.
    pub top: Id,
    /// The window's posts, best first.
    pub ids: Arc<Vec<Id>>,
}

/// The rankings kept, by group and order.
#[derive(Debug, Default)]
pub(crate) struct RankCache {
    entries: Mutex<HashMap<(Id, GroupPostSort), (Instant, Ranking)>>,
}

impl RankCache {
    /// The ranking of `group` in `sort` made less than [`RANK_TTL`] ago,
    /// if any; with `pinned`, only the one with that clock and window (a
    /// later page of a feed goes on with its first page's ranking).
    pub(crate) fn get(
        &self,
        group: Id,
        sort: GroupPostSort,
        pinned: Option<(i64, Id)>,
    ) -> Option<Ranking> {
        let entries = self.entries.lock().ok()?;
        let (made, ranking) = entries.get(&(group, sort))?;
        let fresh = made.elapsed() < RANK_TTL;
        let matches = pinned.is_none_or(|(at, top)| ranking.at == at && ranking.top == top);
        (fresh && matches).then(|| ranking.clone())
    }

    /// Keeps `ranking` of `group` in `sort`.
    pub(crate) fn put(&self, group: Id, sort: GroupPostSort, ranking: Ranking) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= MAX_RANKINGS && !entries.contains_key(&(group, sort)) {
            entries.retain(|_, (made, _)| made.elapsed() < RANK_TTL);
            if entries.len() >= MAX_RANKINGS {
                if let Some(oldest) = entries
                    .iter()
                    .min_by_key(|(_, (made, _))| *made)
                    .map(|(key, _)| *key)
                {
                    entries.remove(&oldest);
                }
            }
        }
        entries.insert((group, sort), (Instant::now(), ranking));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::groups::TopPeriod;

    fn ranking(at: i64, top: Id) -> Ranking {
        Ranking {
            at,
            top,
            ids: Arc::new(vec![top]),
        }
    }

    #[test]
    fn a_ranking_serves_its_group_and_order_and_later_pages_of_its_own() {
        let cache = RankCache::default();
        let (g, other) = (Id::from_bytes([1; 16]), Id::from_bytes([2; 16]));
        let top = Id::from_bytes([3; 16]);
        cache.put(g, GroupPostSort::Hot, ranking(1_000, top));
        assert_eq!(
            cache.get(g, GroupPostSort::Hot, None).map(|r| r.at),
            Some(1_000)
        );
        // A later page of the same ranking, and of another one.
        assert!(cache
            .get(g, GroupPostSort::Hot, Some((1_000, top)))
            .is_some());
        assert!(cache.get(g, GroupPostSort::Hot, Some((999, top))).is_none());
        // Another order, another group.
        assert!(cache
            .get(g, GroupPostSort::Top(TopPeriod::All), None)
            .is_none());
        assert!(cache.get(other, GroupPostSort::Hot, None).is_none());
    }

    #[test]
    fn the_cache_holds_a_bounded_number_of_rankings() {
        let cache = RankCache::default();
        for n in 0..(MAX_RANKINGS + 10) {
            let mut bytes = [0u8; 16];
            bytes[..8].copy_from_slice(&(n as u64).to_be_bytes());
            cache.put(
                Id::from_bytes(bytes),
                GroupPostSort::Hot,
                ranking(0, Id::from_bytes(bytes)),
            );
        }
        assert_eq!(cache.entries.lock().expect("lock").len(), MAX_RANKINGS);
    }
}
