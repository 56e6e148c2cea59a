//! Time-ordered ids (ULIDs): sorting by id is sorting by creation time.

use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use ulid::{Generator, Ulid};

/// A ULID. Its 16 big-endian bytes sort in creation order, so range scans
/// over keys ending in an `Id` are chronological. Printed as 26 Crockford
/// base32 characters (what clients see).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Id(Ulid);

impl Id {
    /// The 16-byte big-endian form used in keys.
    pub fn to_bytes(self) -> [u8; 16] {
        self.0.to_bytes()
    }

    /// Builds an id from its 16-byte form.
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Id(Ulid::from_bytes(bytes))
    }

    /// Builds an id from a 16-byte slice.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        <[u8; 16]>::try_from(bytes).ok().map(Self::from_bytes)
    }

    /// Milliseconds since the Unix epoch encoded in the id.
    pub fn timestamp_ms(self) -> u64 {
        self.0.timestamp_ms()
    }

    /// The smallest id of a millisecond: a cursor for "at or after `ms`".
    pub fn floor_of_ms(ms: u64) -> Self {
        Id(Ulid::from_parts(ms, 0))
    }

    /// The smallest id greater than this one: an exclusive upper bound
    /// (`max_id`) that still admits this id.
    pub fn successor(self) -> Self {
        Id(Ulid(self.0 .0.saturating_add(1)))
    }

    /// The smallest possible id.
    pub const MIN: Id = Id(Ulid(0));
    /// The largest possible id.
    pub const MAX: Id = Id(Ulid(u128::MAX));
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for Id {
    type Err = ulid::DecodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ulid::from_string(s).map(Id)
    }
}

/// Hands out strictly increasing ids, even within one millisecond.
#[derive(Default)]
pub struct IdGenerator {
    inner: Mutex<Generator>,
}

impl IdGenerator {
    /// The next id: greater than every id this generator returned before.
    pub fn next(&self) -> Id {
        let mut generator = match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        // `generate` only fails when 2^80 ids were made in one millisecond.
        match generator.generate() {
            Ok(ulid) => Id(ulid),
            Err(_) => Id(Ulid::new()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_strictly_increasing_and_roundtrip() {
        let generator = IdGenerator::default();
        let ids: Vec<Id> = (0..1000).map(|_| generator.next()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        assert!(ids.windows(2).all(|w| w[0].to_bytes() < w[1].to_bytes()));
        let text = ids[0].to_string();
        assert_eq!(text.len(), 26);
        assert_eq!(text.parse::<Id>().ok(), Some(ids[0]));
    }
}
