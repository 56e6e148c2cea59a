//! The sled backend: the embedded default. The only file that names sled.

use std::path::Path;

use super::engine::{Batch, KvEngine, KvIter};
use super::StoreError;

/// A [`KvEngine`] over one sled tree.
///
/// One tree (keyspaces are a key prefix) so that a batch touching a post,
/// its indexes and its counters is a single atomic `apply_batch`.
pub struct SledEngine {
    db: sled::Db,
    tree: sled::Tree,
}

impl SledEngine {
    /// Opens or creates the database in `dir`.
    pub fn open(dir: &Path, cache_capacity_bytes: u64) -> Result<Self, StoreError> {
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
        Ok(SledEngine { db, tree })
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

    fn size_on_disk(&self) -> u64 {
        self.db.size_on_disk().unwrap_or(0)
    }
}
