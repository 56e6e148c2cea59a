//! Storage: one small key-value engine interface, typed tables over it
//! (declared in [`tables`]), and [`Store`], which gives the domain atomic,
//! durable writes.
//!
//! **Architecture Invariant:** no sled type appears outside `sled_engine.rs`
//! and no fjall type outside `fjall_engine.rs`. Swapping in another backend
//! (PostgreSQL, an in-memory engine) means implementing [`KvEngine`] and
//! nothing else.

pub mod codec;
mod commit;
mod engine;
mod fjall_engine;
mod journal;
mod keys;
mod memory_engine;
mod migrate;
pub mod parts;
mod sled_engine;
mod table;
pub mod tables;
pub(crate) mod txn;

pub use engine::{Batch, KvEngine, KvIter};
pub use fjall_engine::FjallEngine;
pub use journal::{
    decode_batch, encode_batch, Capture, WritesHeld, JOURNAL_TAG, MAX_BATCH_BYTES,
    MAX_JOURNAL_BYTES,
};
use keys::Key;
pub use memory_engine::MemoryEngine;
pub use parts::{hash_of, StrStart};
pub use sled_engine::SledEngine;
pub use table::{Cut, KeyOf, Lenient, Rows, Table, ValueOf};
pub use tables::Space;
pub use txn::Txn;

use std::path::Path;
use std::sync::{Arc, Mutex};

use serde::de::DeserializeOwned;

use crate::config::StoreEngine;
use crate::error::NodeError;
use crate::events::Event;
use commit::GroupCommit;

/// Errors raised by a storage engine.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The engine reported an I/O or corruption error.
    #[error("storage engine: {0}")]
    Engine(String),
    /// A stored value could not be decoded (corruption or a missing migration).
    #[error("corrupt value under key {key}: {message}")]
    Corrupt {
        /// Hex of the key whose value failed to decode.
        key: String,
        /// The decoder's message.
        message: String,
    },
    /// The store is held by another process.
    #[error("the data directory is in use by another process: {0}")]
    Locked(String),
}

/// The node's store: typed reads, and writes that are atomic and durable.
///
/// Cloning `Store` is shallow: clones share the engine and the committer.
#[derive(Clone)]
pub struct Store {
    engine: Arc<dyn KvEngine>,
    /// Serialises read-check-write sections. Held only while a closure runs
    /// against memory (microseconds), never across the fsync.
    writer: Arc<Mutex<()>>,
    /// Async writers queue here, without blocking a runtime thread, before
    /// taking `writer`: a blocked `std` mutex would stall the tokio worker
    /// it runs on (two of them on a two-core machine), idling the CPU
    /// that signature checks and rendering need.
    admission: Arc<tokio::sync::Mutex<()>>,
    commit: Arc<GroupCommit>,
    /// Records applied batches while a backup runs (`journal.rs`).
    journal: Arc<journal::Journal>,
}

/// Opens (or creates) the key-value files of `engine` in `dir`, with a
/// cache of `cache_capacity_bytes`: the one place an engine is chosen.
pub(crate) fn open_engine(
    engine: StoreEngine,
    dir: &Path,
    cache_capacity_bytes: u64,
) -> Result<Arc<dyn KvEngine>, StoreError> {
    Ok(match engine {
        StoreEngine::Sled => Arc::new(SledEngine::open(dir, cache_capacity_bytes)?),
        StoreEngine::Fjall => Arc::new(FjallEngine::open(dir, cache_capacity_bytes)?),
    })
}

impl Store {
    /// Opens (or creates) a store of `engine` in `dir`, with a cache of
    /// `cache_capacity_bytes`, and runs pending migrations.
    pub fn open(
        engine: StoreEngine,
        dir: &Path,
        cache_capacity_bytes: u64,
    ) -> Result<Self, NodeError> {
        Self::with_engine(open_engine(engine, dir, cache_capacity_bytes)?)
    }

    /// Wraps an engine (sled, in-memory...) and runs pending migrations.
    pub fn with_engine(engine: Arc<dyn KvEngine>) -> Result<Self, NodeError> {
        let admission = Arc::new(tokio::sync::Mutex::new(()));
        let store = Store {
            commit: Arc::new(GroupCommit::start(engine.clone(), admission.clone())),
            engine,
            writer: Arc::new(Mutex::new(())),
            admission,
            journal: Default::default(),
        };
        migrate::run(&store)?;
        Ok(store)
    }

    /// Runs `f` as one atomic write and returns once it is durable on disk.
    ///
    /// `f` reads through the [`Txn`] (which sees its own staged writes) and
    /// stages puts and deletes; nothing is visible to others until `f`
    /// returns `Ok`, and nothing is written if it returns `Err`. Concurrent
    /// writers share one fsync (group commit). A write that stages nothing
    /// still returns only once every write applied before it is durable,
    /// since what `f` read may come from one of them.
    pub async fn write<T>(
        &self,
        f: impl FnOnce(&mut Txn<'_>) -> Result<T, NodeError>,
    ) -> Result<T, NodeError> {
        Ok(self.write_with_events(f).await?.0)
    }

    /// [`Store::write`], also returning the events the closure emitted.
    pub async fn write_with_events<T>(
        &self,
        f: impl FnOnce(&mut Txn<'_>) -> Result<T, NodeError>,
    ) -> Result<(T, Vec<Event>), NodeError> {
        let (out, seq, events) = {
            let _turn = self.admission.lock().await;
            self.write_unsynced(f)?
        };
        self.commit.wait_durable(seq).await?;
        Ok((out, events))
    }

    /// Applies `f` atomically without waiting for it to reach the disk (the
    /// next group commit makes it durable), from async code. Only for
    /// bookkeeping whose loss in a crash is harmless (de-duplication
    /// markers, contact times). Events are not supported here.
    pub async fn write_soon<T>(
        &self,
        f: impl FnOnce(&mut Txn<'_>) -> Result<T, NodeError>,
    ) -> Result<T, NodeError> {
        let _turn = self.admission.lock().await;
        let (out, _, events) = self.write_unsynced(f)?;
        debug_assert!(events.is_empty(), "write_soon does not publish events");
        Ok(out)
    }

    /// Like [`Store::write`] but for callers outside an async runtime
    /// (start-up, migrations, the offline admin CLI): blocks until durable.
    pub fn write_blocking<T>(
        &self,
        f: impl FnOnce(&mut Txn<'_>) -> Result<T, NodeError>,
    ) -> Result<T, NodeError> {
        let (out, _, _) = self.write_unsynced(f)?;
        self.engine.flush()?;
        self.engine.sync()?;
        Ok(out)
    }

    /// [`Store::write_soon`] for callers outside async code.
    pub fn write_eventually<T>(
        &self,
        f: impl FnOnce(&mut Txn<'_>) -> Result<T, NodeError>,
    ) -> Result<T, NodeError> {
        let (out, _, events) = self.write_unsynced(f)?;
        debug_assert!(
            events.is_empty(),
            "write_eventually does not publish events"
        );
        Ok(out)
    }

    fn write_unsynced<T>(
        &self,
        f: impl FnOnce(&mut Txn<'_>) -> Result<T, NodeError>,
    ) -> Result<(T, u64, Vec<Event>), NodeError> {
        let _guard = self
            .writer
            .lock()
            .map_err(|_| StoreError::Engine("writer lock poisoned".into()))?;
        let mut txn = Txn::new(self.engine.as_ref());
        let out = f(&mut txn)?;
        let (batch, events) = txn.into_parts();
        if batch.is_empty() {
            // Nothing to write, but what `f` read may come from a write
            // that is applied and not yet durable (a duplicate finding the
            // first copy): answer once that is on disk too.
            return Ok((out, self.commit.last_applied(), events));
        }
        let journalled = self.journal.prepare(&batch);
        self.engine.apply(batch)?;
        if let Some(encoded) = journalled {
            self.journal.record(encoded);
        }
        Ok((out, self.commit.applied(), events))
    }

    /// Reads and decodes one JSON value.
    fn get<T: DeserializeOwned>(&self, key: &Key) -> Result<Option<T>, NodeError> {
        match self.engine.get(key.as_bytes())? {
            Some(bytes) => Ok(Some(decode(key.as_bytes(), &bytes)?)),
            None => Ok(None),
        }
    }

    /// Runs `f` over a read-only view of the store (a [`Txn`] nothing is
    /// staged in), so helpers written for a write's reads serve reads too.
    pub fn read_view<T>(&self, f: impl FnOnce(&Txn<'_>) -> T) -> T {
        let txn = Txn::new(self.engine.as_ref());
        f(&txn)
    }

    /// Bytes used on disk by the engine.
    pub fn size_on_disk(&self) -> u64 {
        self.engine.size_on_disk()
    }

    /// Flushes everything to disk, durably (used at shutdown).
    pub fn flush(&self) -> Result<(), NodeError> {
        self.engine.flush()?;
        Ok(self.engine.sync()?)
    }
}

/// Decodes a stored JSON value, naming the key on failure.
fn decode<T: DeserializeOwned>(key: &[u8], bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
        key: hex(key),
        message: e.to_string(),
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Decodes a JSON value read from an index scan.
fn decode_value<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, NodeError> {
    Ok(decode(b"", bytes)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_with_nothing_to_write_waits_for_what_it_could_have_read() -> Result<(), NodeError> {
        let store = Store::with_engine(Arc::new(MemoryEngine::default()))?;
        let key = hash_of("first copy");
        let id = crate::id::Id::from_bytes([1; 16]);
        let (_, wrote, _) = store.write_unsynced(|txn| txn.store::<tables::PostByUri>(key, &id))?;
        assert!(wrote > 0);
        // A duplicate finds the first copy, which may not be durable yet:
        // it must wait for the same sequence, not answer at once (0).
        let (found, waits_for, _) =
            store.write_unsynced(|txn| txn.has::<tables::PostByUri>(key))?;
        assert!(found);
        assert_eq!(waits_for, wrote);
        Ok(())
    }
}
