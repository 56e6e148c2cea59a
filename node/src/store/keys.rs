//! Raw keys, private to `store/`: for migrations, which read and rewrite
//! keyspaces as an older layout left them, and for tests of the store
//! itself. Everything else names a table (`tables.rs`), whose keys
//! `parts.rs` encodes in this same layout:
//!
//! one [`Space`] byte, then components in order:
//! - ids: 16 raw bytes (ULIDs: big-endian, so byte order = time order);
//! - strings: UTF-8 bytes then a `0x00` terminator (callers never pass NUL:
//!   usernames, tags and categories are validated slugs);
//! - integers: 8 bytes big-endian.
//!
//! Because every component is self-delimiting, a key built from a prefix of
//! the components is a byte prefix of the longer key: prefix scans work.

use super::tables::Space;
use crate::id::Id;

/// A typed, self-delimiting key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Key(Vec<u8>);

impl Key {
    /// Starts a key in `space`.
    pub(super) fn new(space: Space) -> Self {
        let mut bytes = Vec::with_capacity(34);
        bytes.push(space as u8);
        Key(bytes)
    }

    /// Appends an id (16 bytes).
    pub(super) fn id(mut self, id: Id) -> Self {
        self.0.extend_from_slice(&id.to_bytes());
        self
    }

    /// Appends a string and its terminator. NUL bytes are dropped, which
    /// validated slugs never contain.
    pub(super) fn str(mut self, s: &str) -> Self {
        self.0.extend(s.bytes().filter(|b| *b != 0));
        self.0.push(0);
        self
    }

    /// The encoded bytes.
    pub(super) fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The encoded bytes, without copying them.
    pub(super) fn into_bytes(self) -> Vec<u8> {
        self.0
    }

    /// The smallest key greater than every key with this prefix.
    pub(super) fn prefix_end(&self) -> Key {
        let mut end = self.0.clone();
        while let Some(last) = end.pop() {
            if last < 0xff {
                end.push(last + 1);
                return Key(end);
            }
        }
        Key(vec![0xff; 40])
    }

    /// Reads the id stored in the last 16 bytes of a raw key.
    pub(super) fn trailing_id(raw: &[u8]) -> Option<Id> {
        let start = raw.len().checked_sub(16)?;
        Id::from_slice(&raw[start..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_space_then_components() {
        let id = Id::from_bytes([7u8; 16]);
        let key = Key::new(Space::TagTimeline).str("rust").id(id);
        let mut expected = vec![0x0f];
        expected.extend_from_slice(b"rust\0");
        expected.extend_from_slice(&[7u8; 16]);
        assert_eq!(key.as_bytes(), expected.as_slice());
        assert_eq!(Key::trailing_id(key.as_bytes()), Some(id));
    }

    #[test]
    fn string_terminator_keeps_prefixes_apart() {
        // "rust" must not be a prefix of "rustacean".
        let a = Key::new(Space::TagTimeline).str("rust");
        let b = Key::new(Space::TagTimeline)
            .str("rustacean")
            .id(Id::from_bytes([0; 16]));
        assert!(!b.as_bytes().starts_with(a.as_bytes()));
    }

    #[test]
    fn prefix_end_bounds_the_prefix() {
        let p = Key::new(Space::AuthorPosts).id(Id::from_bytes([1; 16]));
        let inside = p.clone().id(Id::from_bytes([0xff; 16]));
        assert!(inside < p.prefix_end());
        assert!(p.clone() < p.prefix_end());
    }
}
