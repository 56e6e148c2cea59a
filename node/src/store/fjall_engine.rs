//! The fjall backend (an LSM tree). The only file that names fjall.

use std::path::Path;

use super::engine::{open_waiting_for_lock, Batch, KvEngine, KvIter};
use super::StoreError;

/// A [`KvEngine`] over one fjall keyspace.
///
/// One keyspace (Kodeon's keyspaces are a key prefix) so that a batch
/// touching a post, its indexes and its counters is one journal entry:
/// fjall writes a batch to its journal between a start and an end marker
/// with a checksum, and recovery drops a batch whose end is missing, so a
/// crash leaves all of it or none. Readers see a batch all at once (one
/// sequence number).
pub struct FjallEngine {
    db: fjall::Database,
    tree: fjall::Keyspace,
    /// The database's directory.
    dir: std::path::PathBuf,
}

/// The keyspace every key lives in.
const KEYSPACE: &str = "kodeon";

/// Size of a memtable before it is written out as a table. It bounds the
/// memory the newest writes hold and the journal replayed at start-up.
const MEMTABLE_BYTES: u64 = 16 * 1024 * 1024;

/// All journals together at most (fjall's minimum): past it the oldest
/// memtables are written out, so start-up never replays more than this.
const JOURNAL_BYTES: u64 = 64 * 1024 * 1024;

impl FjallEngine {
    /// Opens or creates the database in `dir` with a block cache of
    /// `cache_capacity_bytes`; if another handle holds it, waits up to
    /// [`LOCK_WAIT`](super::engine::LOCK_WAIT) for it to be released.
    pub fn open(dir: &Path, cache_capacity_bytes: u64) -> Result<Self, StoreError> {
        open_waiting_for_lock(|| Self::open_once(dir, cache_capacity_bytes))
    }

    fn open_once(dir: &Path, cache_capacity_bytes: u64) -> Result<Self, StoreError> {
        let db = fjall::Database::builder(dir)
            .cache_size(cache_capacity_bytes)
            .max_journaling_size(JOURNAL_BYTES)
            // Durability is group commit's: `flush` below syncs the journal
            // once for every writer waiting.
            .manual_journal_persist(true)
            .open()
            .map_err(|e| match e {
                fjall::Error::Locked => StoreError::Locked(dir.display().to_string()),
                other => StoreError::Engine(other.to_string()),
            })?;
        let tree = db
            .keyspace(KEYSPACE, || {
                fjall::KeyspaceCreateOptions::default()
                    .max_memtable_size(MEMTABLE_BYTES)
                    .manual_journal_persist(true)
            })
            .map_err(engine_err)?;
        Ok(FjallEngine {
            db,
            tree,
            dir: dir.to_owned(),
        })
    }
}

/// How long closing waits for the newest writes to be written out as a
/// table before it leaves them to the journal.
const CLOSE_FLUSH_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

impl Drop for FjallEngine {
    /// Writes the newest writes out as a table before closing, so that the
    /// next start replays no journal (40 MB of journal took ~2.5 s to
    /// replay on a store of a million posts). Best effort and bounded:
    /// what is not written out within [`CLOSE_FLUSH_WAIT`] (or at all, as
    /// when the directory is gone) stays in the synced journal and is
    /// replayed instead. fjall's own `rotate_memtable_and_wait` waits
    /// without end when a flush fails, so the wait is done here.
    fn drop(&mut self) {
        if let Err(e) = self.db.persist(fjall::PersistMode::SyncData) {
            tracing::warn!(error = %e, "store: could not sync the journal at close");
            return;
        }
        if !self.dir.is_dir() {
            return;
        }
        match self.tree.rotate_memtable() {
            Ok(true) => {
                let started = std::time::Instant::now();
                while self.tree.sealed_memtable_count() > 0 {
                    if started.elapsed() > CLOSE_FLUSH_WAIT {
                        tracing::warn!(
                            "store: the newest writes were not written out at close; \
                             the next start replays them from the journal"
                        );
                        return;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
            }
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(error = %e, "store: could not write the memtable out at close")
            }
        }
    }
}

fn engine_err(e: fjall::Error) -> StoreError {
    StoreError::Engine(e.to_string())
}

impl KvEngine for FjallEngine {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.tree.get(key).map_err(engine_err)?.map(|v| v.to_vec()))
    }

    fn contains(&self, key: &[u8]) -> Result<bool, StoreError> {
        self.tree.contains_key(key).map_err(engine_err)
    }

    fn range<'a>(&'a self, start: &[u8], end: &[u8], reverse: bool) -> KvIter<'a> {
        let iter = self.tree.range(start..end);
        let map = |guard: fjall::Guard| {
            guard
                .into_inner()
                .map(|(k, v)| (k.to_vec(), v.to_vec()))
                .map_err(engine_err)
        };
        if reverse {
            Box::new(iter.rev().map(map))
        } else {
            Box::new(iter.map(map))
        }
    }

    fn apply(&self, batch: Batch) -> Result<(), StoreError> {
        let mut fjall_batch = self.db.batch();
        for (key, value) in batch {
            match value {
                Some(v) => fjall_batch.insert(&self.tree, key, v),
                None => fjall_batch.remove(&self.tree, key),
            }
        }
        fjall_batch.commit().map_err(engine_err)
    }

    /// Writes the journal out and `fdatasync`s it, holding the journal's
    /// lock: a batch committed meanwhile would wait for the disk, so this
    /// runs under group commit's gate, where writers wait as parked tasks.
    /// A journal fjall seals is `fsync`ed and its directory entry synced
    /// when created, so syncing the active one covers every batch.
    fn flush(&self) -> Result<(), StoreError> {
        self.db
            .persist(fjall::PersistMode::SyncData)
            .map_err(engine_err)
    }

    fn size_on_disk(&self) -> u64 {
        self.db.disk_space().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(e: impl std::fmt::Display) -> StoreError {
        StoreError::Engine(e.to_string())
    }

    #[test]
    fn a_directory_held_by_an_open_database_is_refused_after_the_wait_and_free_once_closed(
    ) -> Result<(), StoreError> {
        let dir = tempfile::tempdir().map_err(err)?;
        let held = FjallEngine::open(dir.path(), 1 << 20)?;
        let started = std::time::Instant::now();
        let second = FjallEngine::open(dir.path(), 1 << 20);
        assert!(
            matches!(second, Err(StoreError::Locked(_))),
            "a second handle opened"
        );
        assert!(started.elapsed() >= super::super::engine::LOCK_WAIT);
        drop(held);
        let reopened = FjallEngine::open(dir.path(), 1 << 20)?;
        reopened.apply(vec![(b"k".to_vec(), Some(b"v".to_vec()))])?;
        assert_eq!(reopened.get(b"k")?, Some(b"v".to_vec()));
        Ok(())
    }

    #[test]
    fn what_was_flushed_is_there_after_reopening_and_ranges_run_both_ways() -> Result<(), StoreError>
    {
        let dir = tempfile::tempdir().map_err(err)?;
        {
            let engine = FjallEngine::open(dir.path(), 1 << 20)?;
            engine.apply(
                (0u8..10)
                    .map(|i| (vec![1, i], Some(vec![i])))
                    .chain([(vec![2, 0], Some(vec![9]))])
                    .collect(),
            )?;
            engine.apply(vec![(vec![1, 3], None)])?;
            engine.flush()?;
        }
        let engine = FjallEngine::open(dir.path(), 1 << 20)?;
        let forward: Vec<u8> = engine
            .range(&[1], &[2], false)
            .map(|kv| kv.map(|(k, _)| k[1]))
            .collect::<Result<_, _>>()?;
        assert_eq!(forward, vec![0, 1, 2, 4, 5, 6, 7, 8, 9]);
        let backward: Vec<u8> = engine
            .range(&[1, 2], &[1, 8], true)
            .map(|kv| kv.map(|(_, v)| v[0]))
            .collect::<Result<_, _>>()?;
        assert_eq!(backward, vec![7, 6, 5, 4, 2]);
        assert!(engine.contains(&[2, 0])?);
        assert!(!engine.contains(&[1, 3])?);
        Ok(())
    }

    #[test]
    fn what_a_clean_close_wrote_out_reads_back() -> Result<(), StoreError> {
        let dir = tempfile::tempdir().map_err(err)?;
        {
            let engine = FjallEngine::open(dir.path(), 1 << 20)?;
            for chunk in 0u32..20 {
                let batch = (0u32..500)
                    .map(|i| {
                        (
                            (chunk * 1000 + i).to_be_bytes().to_vec(),
                            Some(vec![7; 500]),
                        )
                    })
                    .collect();
                engine.apply(batch)?;
            }
            engine.flush()?;
        }
        let engine = FjallEngine::open(dir.path(), 1 << 20)?;
        assert_eq!(engine.range(&[], &[0xff], false).count(), 10_000);
        assert_eq!(engine.get(&19_499u32.to_be_bytes())?, Some(vec![7; 500]));
        Ok(())
    }

    /// The journal files under `dir`, newest last.
    fn journals(dir: &Path) -> Vec<std::path::PathBuf> {
        let mut found = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|x| x == "jnl") {
                    found.push(path);
                }
            }
        }
        found.sort_by_key(|p| {
            p.file_stem()
                .and_then(|s| s.to_str())
                .and_then(|s| s.parse::<u64>().ok())
        });
        found
    }

    #[test]
    fn a_batch_cut_short_by_a_crash_is_there_whole_or_not_at_all() -> Result<(), StoreError> {
        for cut in [1u64, 40, 400, 4_000] {
            let dir = tempfile::tempdir().map_err(err)?;
            {
                let engine = FjallEngine::open(dir.path(), 1 << 20)?;
                engine.apply(
                    (0u16..100)
                        .map(|i| (vec![1, (i >> 8) as u8, i as u8], Some(vec![1; 64])))
                        .collect(),
                )?;
                engine.flush()?;
                engine.apply(
                    (0u16..100)
                        .map(|i| (vec![2, (i >> 8) as u8, i as u8], Some(vec![2; 64])))
                        .collect(),
                )?;
                engine.flush()?;
            }
            let journal = journals(dir.path())
                .pop()
                .ok_or_else(|| err("no journal"))?;
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(&journal)
                .map_err(err)?;
            let len = file.metadata().map_err(err)?.len();
            file.set_len(len.saturating_sub(cut)).map_err(err)?;
            drop(file);
            let engine = FjallEngine::open(dir.path(), 1 << 20)?;
            let count = |prefix: u8| engine.range(&[prefix], &[prefix + 1], false).count();
            assert_eq!(count(1), 100, "the first batch, cut {cut}");
            let second = count(2);
            assert!(
                second == 0 || second == 100,
                "{second} keys of the torn batch, cut {cut}"
            );
        }
        Ok(())
    }
}
