//! A write transaction: reads see staged writes; nothing lands until commit.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::engine::{Batch, KvEngine, KvIter};
use super::keys::Key;
use super::{decode, StoreError};
use crate::error::NodeError;
use crate::events::Event;

/// Staged writes over a read view of the engine. Built by [`super::Store::write`].
pub struct Txn<'a> {
    engine: &'a dyn KvEngine,
    staged: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    events: Vec<Event>,
}

impl<'a> Txn<'a> {
    pub(super) fn new(engine: &'a dyn KvEngine) -> Self {
        Txn {
            engine,
            staged: BTreeMap::new(),
            events: Vec::new(),
        }
    }

    pub(super) fn into_parts(self) -> (Batch, Vec<Event>) {
        (self.staged.into_iter().collect(), self.events)
    }

    /// Records an event to publish once this write is durable.
    pub fn emit(&mut self, event: Event) {
        self.events.push(event);
    }

    pub(super) fn raw(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        match self.staged.get(key) {
            Some(staged) => Ok(staged.clone()),
            None => self.engine.get(key),
        }
    }

    pub(super) fn contains_bytes(&self, key: &[u8]) -> Result<bool, NodeError> {
        Ok(match self.staged.get(key) {
            Some(staged) => staged.is_some(),
            None => self.engine.contains(key)?,
        })
    }

    pub(super) fn stage(&mut self, key: Vec<u8>, value: Option<Vec<u8>>) {
        self.staged.insert(key, value);
    }

    pub(super) fn engine(&self) -> &'a dyn KvEngine {
        self.engine
    }

    /// Reads raw bytes (staged writes included).
    pub fn get_raw(&self, key: &Key) -> Result<Option<Vec<u8>>, NodeError> {
        Ok(self.raw(key.as_bytes())?)
    }

    /// Reads and decodes a value (staged writes included).
    pub fn get<T: DeserializeOwned>(&self, key: &Key) -> Result<Option<T>, NodeError> {
        match self.raw(key.as_bytes())? {
            Some(bytes) => Ok(Some(decode(key.as_bytes(), &bytes)?)),
            None => Ok(None),
        }
    }

    /// Whether a key exists (staged writes included).
    pub fn contains(&self, key: &Key) -> Result<bool, NodeError> {
        Ok(match self.staged.get(key.as_bytes()) {
            Some(staged) => staged.is_some(),
            None => self.engine.contains(key.as_bytes())?,
        })
    }

    /// Stages a JSON value.
    pub fn put<T: Serialize>(&mut self, key: Key, value: &T) -> Result<(), NodeError> {
        let bytes =
            serde_json::to_vec(value).map_err(|e| StoreError::Engine(format!("encode: {e}")))?;
        self.staged.insert(key.into_bytes(), Some(bytes));
        Ok(())
    }

    /// Stages a raw value (index entries, hashes).
    pub fn put_raw(&mut self, key: Key, value: Vec<u8>) {
        self.staged.insert(key.into_bytes(), Some(value));
    }

    /// Stages a delete.
    pub fn delete(&mut self, key: Key) {
        self.staged.insert(key.into_bytes(), None);
    }

    /// Adds `delta` to a counter and returns the new value.
    pub fn add_raw(&mut self, key: Key, delta: i64) -> Result<i64, NodeError> {
        let current = self
            .raw(key.as_bytes())?
            .map(|v| decode_counter(&v))
            .unwrap_or(0);
        let next = (current + delta).max(0);
        self.staged
            .insert(key.into_bytes(), Some(next.to_be_bytes().to_vec()));
        Ok(next)
    }

    /// Iterates committed keys with `prefix` (staged writes are not included).
    pub fn prefix(&self, prefix: &Key, reverse: bool) -> KvIter<'a> {
        let end = prefix.prefix_end();
        self.engine
            .range(prefix.as_bytes(), end.as_bytes(), reverse)
    }
}

/// Decodes a counter stored as 8 big-endian bytes (anything else reads 0).
pub(crate) fn decode_counter(bytes: &[u8]) -> i64 {
    <[u8; 8]>::try_from(bytes)
        .map(i64::from_be_bytes)
        .unwrap_or(0)
}
