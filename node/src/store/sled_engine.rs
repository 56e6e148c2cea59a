//! The sled backend: the embedded default. The only file that names sled.

use std::path::Path;

use super::engine::{open_waiting_for_lock, Batch, KvEngine, KvIter};
use super::StoreError;

/// A [`KvEngine`] over one sled tree.
///
/// One tree (keyspaces are a key prefix) so that a batch touching a post,
/// its indexes and its counters is a single atomic `apply_batch`.
pub struct SledEngine {
    db: sled::Db,
    tree: sled::Tree,
    /// sled's log, opened again to `fdatasync` it: sled 0.34 makes its
    /// writes durable with `sync_file_range`, which reaches the device but
    /// neither flushes its cache nor records a grown file's size, so a
    /// power loss could still take acknowledged writes. `fdatasync` acts on
    /// the file, not the descriptor, so this one covers sled's writes.
    log: std::fs::File,
}

/// The file sled 0.34 keeps its log and pages in, inside its directory.
const SLED_LOG_FILE: &str = "db";

impl SledEngine {
    /// Opens or creates the database in `dir`; if another handle holds it,
    /// waits up to [`LOCK_WAIT`](super::engine::LOCK_WAIT) for it to be released.
    pub fn open(dir: &Path, cache_capacity_bytes: u64) -> Result<Self, StoreError> {
        open_waiting_for_lock(|| Self::open_once(dir, cache_capacity_bytes))
    }

    fn open_once(dir: &Path, cache_capacity_bytes: u64) -> Result<Self, StoreError> {
        let db = sled::Config::new()
            .path(dir)
            .cache_capacity(cache_capacity_bytes)
            // We fsync ourselves through group commit; sled's own periodic
            // flush stays as a backstop.
            .flush_every_ms(Some(1000))
            .open()
            .map_err(|e| match e {
                sled::Error::Io(io) if io.kind() == std::io::ErrorKind::WouldBlock => {
                    StoreError::Locked(dir.display().to_string())
                }
                sled::Error::Io(io) if io.to_string().contains("lock") => {
                    StoreError::Locked(dir.display().to_string())
                }
                other => StoreError::Engine(other.to_string()),
            })?;
        let tree = db
            .open_tree("kodeon")
            .map_err(|e| StoreError::Engine(e.to_string()))?;
        let log_path = dir.join(SLED_LOG_FILE);
        let log = std::fs::File::open(&log_path)
            .map_err(|e| StoreError::Engine(format!("{}: {e}", log_path.display())))?;
        Ok(SledEngine { db, tree, log })
    }
}

fn engine_err(e: sled::Error) -> StoreError {
    StoreError::Engine(e.to_string())
}

impl KvEngine for SledEngine {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.tree.get(key).map_err(engine_err)?.map(|v| v.to_vec()))
    }

    fn contains(&self, key: &[u8]) -> Result<bool, StoreError> {
        self.tree.contains_key(key).map_err(engine_err)
    }

    fn range<'a>(&'a self, start: &[u8], end: &[u8], reverse: bool) -> KvIter<'a> {
        let iter = self.tree.range(start.to_vec()..end.to_vec());
        let map = |r: Result<(sled::IVec, sled::IVec), sled::Error>| {
            r.map(|(k, v)| (k.to_vec(), v.to_vec())).map_err(engine_err)
        };
        if reverse {
            Box::new(iter.rev().map(map))
        } else {
            Box::new(iter.map(map))
        }
    }

    fn apply(&self, batch: Batch) -> Result<(), StoreError> {
        let mut sled_batch = sled::Batch::default();
        for (key, value) in batch {
            match value {
                Some(v) => sled_batch.insert(key, v),
                None => sled_batch.remove(key),
            }
        }
        self.tree.apply_batch(sled_batch).map_err(engine_err)
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.db.flush().map(|_| ()).map_err(engine_err)
    }

    fn sync(&self) -> Result<(), StoreError> {
        self.log
            .sync_data()
            .map_err(|e| StoreError::Engine(format!("fdatasync: {e}")))
    }

    fn size_on_disk(&self) -> u64 {
        self.db.size_on_disk().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_held_by_an_open_database_is_refused_after_the_wait_and_free_once_closed(
    ) -> Result<(), StoreError> {
        let dir = tempfile::tempdir().map_err(|e| StoreError::Engine(e.to_string()))?;
        let held = SledEngine::open(dir.path(), 1 << 20)?;
        let started = std::time::Instant::now();
        let second = SledEngine::open(dir.path(), 1 << 20);
        assert!(
            matches!(second, Err(StoreError::Locked(_))),
            "a second handle opened"
        );
        assert!(started.elapsed() >= super::super::engine::LOCK_WAIT);
        drop(held);
        let reopened = SledEngine::open(dir.path(), 1 << 20)?;
        reopened.apply(vec![(b"k".to_vec(), Some(b"v".to_vec()))])?;
        assert_eq!(reopened.get(b"k")?, Some(b"v".to_vec()));
        Ok(())
    }
}
