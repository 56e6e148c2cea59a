//! The key-value engine interface every backend implements.

use super::StoreError;

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
