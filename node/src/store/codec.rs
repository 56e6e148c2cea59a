//! Value codecs: how a table's values become bytes and back.
//!
//! Each table names its codec in `tables.rs`, so switching one table to
//! another encoding (a compact binary one, say) is a one-line change there
//! plus a migration.

use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::id::Id;

/// Encodes and decodes one table's values.
pub trait Codec {
    /// The value as the code sees it.
    type Item;
    /// The stored bytes of `item`.
    fn encode(item: &Self::Item) -> Result<Vec<u8>, String>;
    /// Reads stored bytes back; the error is the decoder's message.
    fn decode(bytes: &[u8]) -> Result<Self::Item, String>;
}

/// A serde value stored as JSON (records: members, posts, settings...).
pub struct Json<T>(PhantomData<T>);

impl<T: Serialize + DeserializeOwned> Codec for Json<T> {
    type Item = T;
    fn encode(item: &T) -> Result<Vec<u8>, String> {
        serde_json::to_vec(item).map_err(|e| e.to_string())
    }
    fn decode(bytes: &[u8]) -> Result<T, String> {
        serde_json::from_slice(bytes).map_err(|e| e.to_string())
    }
}

/// Bytes stored as they are (canonical envelopes, hashes of secrets).
pub enum Raw {}

impl Codec for Raw {
    type Item = Vec<u8>;
    fn encode(item: &Vec<u8>) -> Result<Vec<u8>, String> {
        Ok(item.clone())
    }
    fn decode(bytes: &[u8]) -> Result<Vec<u8>, String> {
        Ok(bytes.to_vec())
    }
}

/// No value: the key is the whole entry (index entries). Written empty;
/// whatever is stored reads as `()`.
pub enum Unit {}

impl Codec for Unit {
    type Item = ();
    fn encode(_: &()) -> Result<Vec<u8>, String> {
        Ok(Vec::new())
    }
    fn decode(_: &[u8]) -> Result<(), String> {
        Ok(())
    }
}

/// A counter: an `i64` as 8 big-endian bytes, never below 0. A missing
/// counter, or one of another length, reads 0.
pub enum Counter {}

impl Codec for Counter {
    type Item = i64;
    fn encode(item: &i64) -> Result<Vec<u8>, String> {
        Ok(item.to_be_bytes().to_vec())
    }
    fn decode(bytes: &[u8]) -> Result<i64, String> {
        Ok(decode_counter(bytes))
    }
}

/// Decodes a counter stored as 8 big-endian bytes (anything else reads 0).
fn decode_counter(bytes: &[u8]) -> i64 {
    <[u8; 8]>::try_from(bytes)
        .map(i64::from_be_bytes)
        .unwrap_or(0)
}

/// An id stored as its 16 raw bytes (index entries pointing at a record).
pub enum IdBytes {}

impl Codec for IdBytes {
    type Item = Id;
    fn encode(item: &Id) -> Result<Vec<u8>, String> {
        Ok(item.to_bytes().to_vec())
    }
    fn decode(bytes: &[u8]) -> Result<Id, String> {
        Id::from_slice(bytes).ok_or_else(|| format!("an id is 16 bytes, not {}", bytes.len()))
    }
}

/// A 32-byte hash stored as its raw bytes.
pub enum HashBytes {}

impl Codec for HashBytes {
    type Item = [u8; 32];
    fn encode(item: &[u8; 32]) -> Result<Vec<u8>, String> {
        Ok(item.to_vec())
    }
    fn decode(bytes: &[u8]) -> Result<[u8; 32], String> {
        <[u8; 32]>::try_from(bytes).map_err(|_| format!("a hash is 32 bytes, not {}", bytes.len()))
    }
}

/// An optional id: nothing, or the id's 16 raw bytes.
pub enum IdOrEmpty {}

impl Codec for IdOrEmpty {
    type Item = Option<Id>;
    fn encode(item: &Option<Id>) -> Result<Vec<u8>, String> {
        Ok(item.map(|id| id.to_bytes().to_vec()).unwrap_or_default())
    }
    fn decode(bytes: &[u8]) -> Result<Option<Id>, String> {
        if bytes.is_empty() {
            return Ok(None);
        }
        IdBytes::decode(bytes).map(Some)
    }
}
