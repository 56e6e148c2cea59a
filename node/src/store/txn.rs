//! A write transaction: reads see staged writes; nothing lands until commit.

use std::collections::BTreeMap;

use serde::Serialize;

use super::engine::{Batch, KvEngine, KvIter};
use super::keys::Key;
use super::StoreError;
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

    /// Stages a JSON value.
    pub(super) fn put<T: Serialize>(&mut self, key: Key, value: &T) -> Result<(), NodeError> {
        let bytes =
            serde_json::to_vec(value).map_err(|e| StoreError::Engine(format!("encode: {e}")))?;
        self.staged.insert(key.into_bytes(), Some(bytes));
        Ok(())
    }

    /// Stages a delete.
    pub(super) fn delete(&mut self, key: Key) {
        self.staged.insert(key.into_bytes(), None);
    }

    /// Iterates committed keys with `prefix` (staged writes are not included).
    pub(super) fn prefix(&self, prefix: &Key, reverse: bool) -> KvIter<'a> {
        let end = prefix.prefix_end();
        self.engine
            .range(prefix.as_bytes(), end.as_bytes(), reverse)
    }
}
