//! Typed tables: a keyspace bound to its key and value types, and the
//! reads and writes that name a table instead of building keys.
//!
//! `store.load::<tables::Post>(id)` encodes the key as the table says and
//! decodes the value with the table's codec; a key or value of the wrong
//! type does not compile. Tables are declared in `tables.rs`.

use std::marker::PhantomData;

use super::codec::{Codec, Counter};
use super::engine::KvIter;
use super::parts::{IdTail, KeyArg, KeyKind, PrefixArg};
use super::tables::Space;
use super::txn::Txn;
use super::{hex, Store, StoreError};
use crate::error::NodeError;
use crate::id::Id;

/// A keyspace with typed keys and values.
pub trait Table: 'static {
    /// The keyspace byte that starts every key of the table.
    const SPACE: Space;
    /// Fixed bytes after the space byte, for tables that share a space
    /// (`Meta` entries, counter kinds); empty otherwise.
    const HEAD: &'static [u8] = &[];
    /// The key's components.
    type Key: KeyKind;
    /// How values are stored.
    type Value: Codec;
}

/// A table's decoded key.
pub type KeyOf<T> = <<T as Table>::Key as KeyKind>::Owned;
/// A table's decoded value.
pub type ValueOf<T> = <<T as Table>::Value as Codec>::Item;

fn head<T: Table>() -> Vec<u8> {
    let mut bytes = Vec::with_capacity(1 + T::HEAD.len() + 40);
    bytes.push(T::SPACE as u8);
    bytes.extend_from_slice(T::HEAD);
    bytes
}

/// The stored bytes of `key` in table `T`.
pub(super) fn key_bytes<T: Table>(key: &impl KeyArg<T::Key>) -> Vec<u8> {
    let mut bytes = head::<T>();
    key.put(&mut bytes);
    bytes
}

fn prefix_bytes<T: Table>(prefix: &impl PrefixArg<T::Key>) -> Vec<u8> {
    let mut bytes = head::<T>();
    prefix.put(&mut bytes);
    bytes
}

/// The smallest byte string greater than every string starting with `prefix`.
pub(super) fn prefix_end(prefix: &[u8]) -> Vec<u8> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return end;
        }
    }
    vec![0xff; 40]
}

fn decode_key<T: Table>(raw: &[u8]) -> Result<KeyOf<T>, StoreError> {
    let head_len = 1 + T::HEAD.len();
    raw.get(head_len..)
        .and_then(T::Key::decode)
        .ok_or_else(|| StoreError::Corrupt {
            key: hex(raw),
            message: format!("not a key of {:?}", T::SPACE),
        })
}

fn decode_value<T: Table>(key: &[u8], bytes: &[u8]) -> Result<ValueOf<T>, StoreError> {
    T::Value::decode(bytes).map_err(|message| StoreError::Corrupt {
        key: hex(key),
        message,
    })
}

fn encode_value<T: Table>(value: &ValueOf<T>) -> Result<Vec<u8>, StoreError> {
    T::Value::encode(value).map_err(|e| StoreError::Engine(format!("encode: {e}")))
}

/// An entry of table `T` whose value is decoded on its own: the key, and
/// the value or the error it failed with ([`Rows::each_value`]).
pub type Lenient<T> = (KeyOf<T>, Result<ValueOf<T>, NodeError>);

/// A position in table `T`, a bound of [`Store::range`].
pub struct Cut<T> {
    bytes: Vec<u8>,
    table: PhantomData<fn() -> T>,
}

impl<T> Clone for Cut<T> {
    fn clone(&self) -> Self {
        Cut {
            bytes: self.bytes.clone(),
            table: PhantomData,
        }
    }
}

impl<T: Table> Cut<T> {
    fn new(bytes: Vec<u8>) -> Self {
        Cut {
            bytes,
            table: PhantomData,
        }
    }

    /// Before every key of the table.
    pub fn start() -> Self {
        Self::new(head::<T>())
    }

    /// After every key of the table.
    pub fn end() -> Self {
        Self::new(prefix_end(&head::<T>()))
    }

    /// At `key`: before it as a lower bound (inclusive), before it as an
    /// upper bound (exclusive).
    pub fn key(key: impl KeyArg<T::Key>) -> Self {
        Self::new(key_bytes::<T>(&key))
    }

    /// After `key` (and after every key that `key` is a prefix of).
    pub fn after(key: impl KeyArg<T::Key>) -> Self {
        Self::new(prefix_end(&key_bytes::<T>(&key)))
    }

    /// Before the first key starting with `prefix`.
    pub fn at(prefix: impl PrefixArg<T::Key>) -> Self {
        Self::new(prefix_bytes::<T>(&prefix))
    }

    /// After the last key starting with `prefix`.
    pub fn past(prefix: impl PrefixArg<T::Key>) -> Self {
        Self::new(prefix_end(&prefix_bytes::<T>(&prefix)))
    }

    /// At the key made of `head` followed by `id` (tables paged by id).
    pub fn at_id(head: &impl KeyArg<<T::Key as IdTail>::Head>, id: Id) -> Self
    where
        T::Key: IdTail,
    {
        let mut bytes = self::head::<T>();
        head.put(&mut bytes);
        bytes.extend_from_slice(&id.to_bytes());
        Self::new(bytes)
    }

    /// After the last key starting with `head` (tables paged by id).
    pub fn past_head(head: &impl KeyArg<<T::Key as IdTail>::Head>) -> Self
    where
        T::Key: IdTail,
    {
        let mut bytes = self::head::<T>();
        head.put(&mut bytes);
        Self::new(prefix_end(&bytes))
    }
}

/// Decoded entries of table `T`, in key order (or reverse key order).
pub struct Rows<'a, T> {
    inner: KvIter<'a>,
    table: PhantomData<fn() -> T>,
}

impl<'a, T: Table> Rows<'a, T> {
    fn new(inner: KvIter<'a>) -> Self {
        Rows {
            inner,
            table: PhantomData,
        }
    }

    /// The keys only (values are not decoded).
    pub fn keys(self) -> impl Iterator<Item = Result<KeyOf<T>, NodeError>> + 'a {
        self.inner.map(|entry| Ok(decode_key::<T>(&entry?.0)?))
    }

    /// Keys with their values decoded one by one: a value that does not
    /// decode comes back as its error beside its key, so a caller can skip
    /// one unreadable record (and say which) instead of failing the scan.
    pub fn each_value(self) -> impl Iterator<Item = Result<Lenient<T>, NodeError>> + 'a {
        self.inner.map(|entry| {
            let (key, value) = entry?;
            let value = decode_value::<T>(&key, &value).map_err(NodeError::from);
            Ok((decode_key::<T>(&key)?, value))
        })
    }

    /// The values only (keys are not decoded).
    pub fn values(self) -> impl Iterator<Item = Result<ValueOf<T>, NodeError>> + 'a {
        self.inner.map(|entry| {
            let (key, value) = entry?;
            Ok(decode_value::<T>(&key, &value)?)
        })
    }
}

impl<T: Table> Iterator for Rows<'_, T> {
    type Item = Result<(KeyOf<T>, ValueOf<T>), NodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        let entry = self.inner.next()?;
        Some((|| {
            let (key, value) = entry?;
            Ok((decode_key::<T>(&key)?, decode_value::<T>(&key, &value)?))
        })())
    }
}

impl Store {
    /// Reads the value under `key` in table `T`.
    pub fn load<T: Table>(
        &self,
        key: impl KeyArg<T::Key>,
    ) -> Result<Option<ValueOf<T>>, NodeError> {
        let key = key_bytes::<T>(&key);
        match self.engine.get(&key)? {
            Some(bytes) => Ok(Some(decode_value::<T>(&key, &bytes)?)),
            None => Ok(None),
        }
    }

    /// Whether `key` is in table `T`.
    pub fn has<T: Table>(&self, key: impl KeyArg<T::Key>) -> Result<bool, NodeError> {
        Ok(self.engine.contains(&key_bytes::<T>(&key))?)
    }

    /// Reads a counter (missing = 0).
    pub fn counter<T: Table<Value = Counter>>(
        &self,
        key: impl KeyArg<T::Key>,
    ) -> Result<i64, NodeError> {
        Ok(self.load::<T>(key)?.unwrap_or(0))
    }

    /// The entries of `T` whose key starts with `prefix`.
    pub fn scan<T: Table>(&self, prefix: impl PrefixArg<T::Key>, reverse: bool) -> Rows<'_, T> {
        let start = prefix_bytes::<T>(&prefix);
        let end = prefix_end(&start);
        Rows::new(self.engine.range(&start, &end, reverse))
    }

    /// The entries of `T` in `[from, to)`.
    pub fn range<T: Table>(&self, from: Cut<T>, to: Cut<T>, reverse: bool) -> Rows<'_, T> {
        Rows::new(self.engine.range(&from.bytes, &to.bytes, reverse))
    }
}

impl<'a> Txn<'a> {
    /// Reads the value under `key` in table `T` (staged writes included).
    pub fn load<T: Table>(
        &self,
        key: impl KeyArg<T::Key>,
    ) -> Result<Option<ValueOf<T>>, NodeError> {
        let key = key_bytes::<T>(&key);
        match self.raw(&key)? {
            Some(bytes) => Ok(Some(decode_value::<T>(&key, &bytes)?)),
            None => Ok(None),
        }
    }

    /// Whether `key` is in table `T` (staged writes included).
    pub fn has<T: Table>(&self, key: impl KeyArg<T::Key>) -> Result<bool, NodeError> {
        self.contains_bytes(&key_bytes::<T>(&key))
    }

    /// Reads a counter (missing = 0; staged writes included).
    pub fn counter<T: Table<Value = Counter>>(
        &self,
        key: impl KeyArg<T::Key>,
    ) -> Result<i64, NodeError> {
        Ok(self.load::<T>(key)?.unwrap_or(0))
    }

    /// Stages `value` under `key` in table `T`.
    pub fn store<T: Table>(
        &mut self,
        key: impl KeyArg<T::Key>,
        value: &ValueOf<T>,
    ) -> Result<(), NodeError> {
        let bytes = encode_value::<T>(value)?;
        self.stage(key_bytes::<T>(&key), Some(bytes));
        Ok(())
    }

    /// Stages the removal of `key` from table `T`.
    pub fn remove<T: Table>(&mut self, key: impl KeyArg<T::Key>) {
        self.stage(key_bytes::<T>(&key), None);
    }

    /// Adds `delta` to a counter (never below 0) and returns the new value.
    pub fn add<T: Table<Value = Counter>>(
        &mut self,
        key: impl KeyArg<T::Key>,
        delta: i64,
    ) -> Result<i64, NodeError> {
        let key = key_bytes::<T>(&key);
        let current = self
            .raw(&key)?
            .map(|v| Counter::decode(&v).unwrap_or(0))
            .unwrap_or(0);
        let next = (current + delta).max(0);
        self.stage(key, Some(next.to_be_bytes().to_vec()));
        Ok(next)
    }

    /// The committed entries of `T` whose key starts with `prefix` (staged
    /// writes are not included).
    pub fn scan<T: Table>(&self, prefix: impl PrefixArg<T::Key>, reverse: bool) -> Rows<'a, T> {
        let start = prefix_bytes::<T>(&prefix);
        let end = prefix_end(&start);
        Rows::new(self.engine().range(&start, &end, reverse))
    }
    /// The committed entries of `T` in `[from, to)` (staged writes are
    /// not included).
    pub fn range<T: Table>(&self, from: Cut<T>, to: Cut<T>, reverse: bool) -> Rows<'a, T> {
        Rows::new(self.engine().range(&from.bytes, &to.bytes, reverse))
    }
}
