//! An in-memory engine for unit tests: same semantics, no disk.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::RwLock;

use super::engine::{Batch, KvEngine, KvIter};
use super::StoreError;

/// A [`KvEngine`] over a `BTreeMap`. `flush` does nothing.
#[derive(Default)]
pub struct MemoryEngine {
    map: RwLock<BTreeMap<Vec<u8>, Vec<u8>>>,
}

fn poisoned() -> StoreError {
    StoreError::Engine("memory engine lock poisoned".into())
}

impl KvEngine for MemoryEngine {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.map.read().map_err(|_| poisoned())?.get(key).cloned())
    }

    fn range<'a>(&'a self, start: &[u8], end: &[u8], reverse: bool) -> KvIter<'a> {
        let map = match self.map.read() {
            Ok(map) => map,
            Err(_) => return Box::new(std::iter::once(Err(poisoned()))),
        };
        let bounds = (
            Bound::Included(start.to_vec()),
            Bound::Excluded(end.to_vec()),
        );
        let mut items: Vec<_> = map
            .range(bounds)
            .map(|(k, v)| Ok((k.clone(), v.clone())))
            .collect();
        if reverse {
            items.reverse();
        }
        Box::new(items.into_iter())
    }

    fn apply(&self, batch: Batch) -> Result<(), StoreError> {
        let mut map = self.map.write().map_err(|_| poisoned())?;
        for (key, value) in batch {
            match value {
                Some(v) => map.insert(key, v),
                None => map.remove(&key),
            };
        }
        Ok(())
    }

    fn flush(&self) -> Result<(), StoreError> {
        Ok(())
    }

    fn size_on_disk(&self) -> u64 {
        0
    }
}
