//! Cursor pagination over index keys that end in an id (Mastodon's
//! `max_id` / `since_id` / `min_id`), never offsets.

use serde::Serialize;

use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::store::parts::{IdTail, KeyArg};
use crate::store::{Cut, Store, Table, ValueOf};

/// Default page size.
pub const DEFAULT_LIMIT: usize = 20;
/// Largest page size.
pub const MAX_LIMIT: usize = 40;

/// A page request. All cursors are exclusive.
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    /// Items older than this id.
    pub max_id: Option<Id>,
    /// Items newer than this id (the newest `limit` of them).
    pub since_id: Option<Id>,
    /// Items newer than this id (the oldest `limit` of them: "the page
    /// right after this one").
    pub min_id: Option<Id>,
    /// Page size (1–40, default 20).
    pub limit: Option<usize>,
}

impl PageRequest {
    /// The effective page size, or an error naming `limit`.
    pub fn limit(&self) -> NodeResult<usize> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(_) => Err(NodeError::invalid(
                "limit",
                format!("must be between 1 and {MAX_LIMIT}"),
            )),
        }
    }

    /// Whether the page is read oldest first (`min_id` given).
    pub fn ascending(&self) -> bool {
        self.min_id.is_some()
    }

    /// Whether `id` lies strictly within the request's bounds.
    pub fn contains(&self, id: Id) -> bool {
        self.max_id.is_none_or(|max| id < max)
            && self.min_id.or(self.since_id).is_none_or(|min| id > min)
    }

    /// The newest page.
    pub fn first(limit: usize) -> Self {
        PageRequest {
            limit: Some(limit),
            ..Self::default()
        }
    }
}

/// One page, newest first, with the cursors for the neighbouring pages.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    /// The items, newest first.
    pub items: Vec<T>,
    /// Pass as `max_id` for the next (older) page; absent at the end.
    pub next_max_id: Option<Id>,
    /// Pass as `min_id` for the previous (newer) page.
    pub prev_min_id: Option<Id>,
}

impl<T> Page<T> {
    /// A page with nothing on it (and no further pages).
    pub fn empty() -> Page<T> {
        Page {
            items: Vec::new(),
            next_max_id: None,
            prev_min_id: None,
        }
    }

    /// Maps the items, keeping the cursors.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_max_id: self.next_max_id,
            prev_min_id: self.prev_min_id,
        }
    }
}

/// Scans the entries of table `T` under `head` (keys `head ++ id`),
/// newest first, passing each id and value to `accept`, which returns the
/// item to keep or `None` to skip it (filtered out by visibility,
/// deleted...).
pub fn scan<T, H, V>(
    store: &Store,
    head: H,
    req: &PageRequest,
    accept: impl FnMut(Id, ValueOf<T>) -> NodeResult<Option<V>>,
) -> NodeResult<Page<V>>
where
    T: Table,
    T::Key: IdTail,
    H: KeyArg<<T::Key as IdTail>::Head>,
{
    scan_entries(entries::<T, H>(store, &head, req), req, accept)
}

/// [`scan`] over the union of two tables keyed by id whose entries are
/// disjoint (the federated feed: the local and the remote timelines),
/// merged in id order, so that no third index has to be written with
/// every post.
pub fn scan_merged<A, B, V>(
    store: &Store,
    req: &PageRequest,
    accept: impl FnMut(Id, ValueOf<A>) -> NodeResult<Option<V>>,
) -> NodeResult<Page<V>>
where
    A: Table<Key = Id>,
    B: Table<Key = Id, Value = A::Value>,
{
    let merged = Merged {
        a: entries::<A, ()>(store, &(), req).peekable(),
        b: entries::<B, ()>(store, &(), req).peekable(),
        descending: !req.ascending(),
    };
    scan_entries(merged, req, accept)
}

/// The `(id, value)` entries of `T` under `head` within the request's
/// bounds, in the order it asks for.
fn entries<'a, T, H>(
    store: &'a Store,
    head: &H,
    req: &PageRequest,
) -> impl Iterator<Item = NodeResult<(Id, ValueOf<T>)>> + 'a
where
    T: Table,
    T::Key: IdTail,
    H: KeyArg<<T::Key as IdTail>::Head>,
{
    let lower = req.min_id.or(req.since_id);
    let start = match lower {
        Some(id) => Cut::<T>::at_id(head, id),
        None => Cut::at_id(head, Id::MIN),
    };
    let end = match req.max_id {
        Some(id) => Cut::at_id(head, id),
        None => Cut::past_head(head),
    };
    store
        .range(start, end, !req.ascending())
        .map(|entry| entry.map(|(key, value)| (T::Key::tail(&key), value)))
}

/// Two ordered entry streams merged into one (errors pass through first).
struct Merged<A: Iterator, B: Iterator> {
    a: std::iter::Peekable<A>,
    b: std::iter::Peekable<B>,
    descending: bool,
}

impl<A, B, V> Iterator for Merged<A, B>
where
    A: Iterator<Item = NodeResult<(Id, V)>>,
    B: Iterator<Item = NodeResult<(Id, V)>>,
{
    type Item = NodeResult<(Id, V)>;

    fn next(&mut self) -> Option<Self::Item> {
        let take_a = match (self.a.peek(), self.b.peek()) {
            (None, None) => return None,
            (Some(_), None) | (Some(Err(_)), _) => true,
            (None, Some(_)) | (_, Some(Err(_))) => false,
            (Some(Ok((x, _))), Some(Ok((y, _)))) => (x > y) == self.descending,
        };
        if take_a {
            self.a.next()
        } else {
            self.b.next()
        }
    }
}

/// Pages through `entries`, which must be ordered as the request asks
/// (newest first; oldest first when `min_id` is set) and lie within its
/// bounds (the lower bound itself may appear and is skipped).
///
/// At most `limit * 10 + 100` entries are examined, so one request never
/// costs more than that whatever the filters drop; the cursors then let the
/// caller continue from where the scan stopped.
pub fn scan_entries<V, T>(
    entries: impl Iterator<Item = NodeResult<(Id, V)>>,
    req: &PageRequest,
    mut accept: impl FnMut(Id, V) -> NodeResult<Option<T>>,
) -> NodeResult<Page<T>> {
    let limit = req.limit()?;
    let budget = limit * 10 + 100;
    let ascending = req.ascending();
    let lower = req.min_id.or(req.since_id);
    let mut items = Vec::new();
    let mut first_seen: Option<Id> = None;
    let mut last_seen: Option<Id> = None;
    let mut exhausted = true;
    for (examined, entry) in entries.enumerate() {
        let (id, value) = entry?;
        if Some(id) == lower {
            continue;
        }
        if examined >= budget || items.len() >= limit {
            exhausted = false;
            break;
        }
        first_seen.get_or_insert(id);
        last_seen = Some(id);
        if let Some(item) = accept(id, value)? {
            items.push(item);
        }
    }
    if ascending {
        items.reverse();
        // An ascending scan runs from the page's oldest end to its newest.
        return Ok(Page {
            next_max_id: first_seen,
            prev_min_id: last_seen,
            items,
        });
    }
    Ok(Page {
        next_max_id: if exhausted { None } else { last_seen },
        prev_min_id: first_seen.or(req.since_id),
        items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{tables, MemoryEngine};
    use std::sync::Arc;

    /// Local posts at ms 1, 4, 5 and remote ones at 2, 3, 6.
    fn two_timelines() -> Store {
        let store = Store::with_engine(Arc::new(MemoryEngine::default())).expect("open");
        store
            .write_blocking(|txn| {
                for m in [1, 4, 5] {
                    txn.store::<tables::LocalTimeline>(Id::floor_of_ms(m), &())?;
                }
                for m in [2, 3, 6] {
                    txn.store::<tables::RemoteTimeline>(Id::floor_of_ms(m), &())?;
                }
                Ok(())
            })
            .expect("write");
        store
    }

    fn merged_ms(store: &Store, req: &PageRequest) -> (Vec<u64>, Option<Id>) {
        let page =
            scan_merged::<tables::LocalTimeline, tables::RemoteTimeline, _>(store, req, |id, _| {
                Ok(Some(id.timestamp_ms()))
            })
            .expect("scan");
        (page.items, page.next_max_id)
    }

    #[test]
    fn merged_timelines_page_in_id_order_both_ways() {
        let store = two_timelines();
        let (newest, next) = merged_ms(&store, &PageRequest::first(4));
        assert_eq!(newest, vec![6, 5, 4, 3]);
        let older = PageRequest {
            max_id: next,
            limit: Some(4),
            ..PageRequest::default()
        };
        assert_eq!(merged_ms(&store, &older).0, vec![2, 1]);
        // min_id reads oldest first and returns the page newest first.
        let after = PageRequest {
            min_id: Some(Id::floor_of_ms(2)),
            limit: Some(3),
            ..PageRequest::default()
        };
        assert_eq!(merged_ms(&store, &after).0, vec![5, 4, 3]);
    }
}
