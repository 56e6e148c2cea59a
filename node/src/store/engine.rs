//! The key-value engine interface every backend implements.

use super::StoreError;

/// How long opening a store waits for another handle to release it (a
/// node being restarted in the same process, an admin command racing a
/// start).
pub(super) const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Calls `open` until it succeeds, fails otherwise than with
/// [`StoreError::Locked`], or [`LOCK_WAIT`] has passed.
pub(super) fn open_waiting_for_lock<T>(
    mut open: impl FnMut() -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let started = std::time::Instant::now();
    loop {
        match open() {
            Err(StoreError::Locked(_)) if started.elapsed() < LOCK_WAIT => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

/// A set of puts (`Some`) and deletes (`None`) applied atomically.
pub type Batch = Vec<(Vec<u8>, Option<Vec<u8>>)>;

/// An iterator over `(key, value)` pairs.
pub type KvIter<'a> = Box<dyn Iterator<Item = Result<(Vec<u8>, Vec<u8>), StoreError>> + 'a>;

/// A sorted key-value engine: the only thing a storage backend provides.
///
/// Keys sort bytewise. `apply` must be atomic (all or nothing, also across a
/// crash); `flush` followed by `sync` must make everything applied before
/// the flush durable, power loss included.
pub trait KvEngine: Send + Sync {
    /// Reads one value.
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;
    /// Whether a key exists (a backend may answer without copying the value).
    fn contains(&self, key: &[u8]) -> Result<bool, StoreError> {
        Ok(self.get(key)?.is_some())
    }
    /// Iterates `[start, end)` in ascending or descending key order.
    fn range<'a>(&'a self, start: &[u8], end: &[u8], reverse: bool) -> KvIter<'a>;
    /// Applies a batch atomically.
    fn apply(&self, batch: Batch) -> Result<(), StoreError>;
    /// Writes every applied batch to the files (it may hold locks that
    /// stall writers, so it should do no more than that).
    fn flush(&self) -> Result<(), StoreError>;
    /// Makes what the last `flush` wrote survive a power loss: the device's
    /// cache flushed and the file's size recorded (`fdatasync`). Runs
    /// without stalling writers. A backend whose `flush` already does so
    /// needs nothing here.
    fn sync(&self) -> Result<(), StoreError> {
        Ok(())
    }
    /// Approximate bytes used on disk.
    fn size_on_disk(&self) -> u64;
}

/// What every engine must do, checked on each one.
#[cfg(test)]
mod conformance {
    use std::path::Path;

    use super::super::{FjallEngine, MemoryEngine, SledEngine, StoreError};
    use super::KvEngine;

    type Opener = fn(&Path) -> Result<Box<dyn KvEngine>, StoreError>;

    /// Each engine with a function that opens it in a directory (the
    /// memory engine ignores it, and forgets what it held when dropped).
    fn engines() -> [(&'static str, Opener, bool); 3] {
        [
            (
                "sled",
                |dir| Ok(Box::new(SledEngine::open(dir, 1 << 20)?)),
                true,
            ),
            (
                "fjall",
                |dir| Ok(Box::new(FjallEngine::open(dir, 1 << 20)?)),
                true,
            ),
            ("memory", |_| Ok(Box::new(MemoryEngine::default())), false),
        ]
    }

    fn err(e: impl std::fmt::Display) -> StoreError {
        StoreError::Engine(e.to_string())
    }

    fn keys(engine: &dyn KvEngine, start: &[u8], end: &[u8], reverse: bool) -> Vec<Vec<u8>> {
        engine
            .range(start, end, reverse)
            .map(|kv| kv.map(|(k, _)| k))
            .collect::<Result<_, _>>()
            .unwrap_or_default()
    }

    #[test]
    fn batches_apply_whole_ranges_run_both_ways_and_flushed_writes_outlive_the_handle(
    ) -> Result<(), StoreError> {
        for (name, open, persistent) in engines() {
            let dir = tempfile::tempdir().map_err(err)?;
            {
                let engine = open(dir.path())?;
                let batch = (0u8..20)
                    .map(|i| (vec![7, i], Some(vec![i; 3])))
                    .chain([(vec![6], Some(vec![0])), (vec![8], Some(vec![0]))])
                    .collect();
                engine.apply(batch)?;
                engine.apply(vec![(vec![7, 5], None), (vec![7, 6], Some(vec![60]))])?;
                assert_eq!(engine.get(&[7, 6])?, Some(vec![60]), "{name}");
                assert_eq!(engine.get(&[7, 5])?, None, "{name}");
                assert!(engine.contains(&[7, 4])?, "{name}");
                assert!(!engine.contains(&[7, 5])?, "{name}");
                let forward = keys(engine.as_ref(), &[7], &[8], false);
                assert_eq!(forward.len(), 19, "{name}");
                assert_eq!(forward.first(), Some(&vec![7, 0]), "{name}");
                let backward = keys(engine.as_ref(), &[7, 2], &[7, 9], true);
                let expected: Vec<Vec<u8>> =
                    [8u8, 7, 6, 4, 3, 2].iter().map(|i| vec![7, *i]).collect();
                assert_eq!(backward, expected, "{name}");
                // A reverse scan stopped early, as feeds read.
                let newest: Vec<_> = engine.range(&[7], &[8], true).take(2).collect();
                assert_eq!(newest.len(), 2, "{name}");
                engine.flush()?;
                engine.sync()?;
            }
            if persistent {
                let engine = open(dir.path())?;
                assert_eq!(keys(engine.as_ref(), &[7], &[8], false).len(), 19, "{name}");
                assert_eq!(engine.get(&[7, 6])?, Some(vec![60]), "{name}");
                assert_eq!(engine.get(&[8])?, Some(vec![0]), "{name}");
            }
        }
        Ok(())
    }
}
