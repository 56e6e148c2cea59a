//! Time-ordered ids (ULIDs): sorting by id is sorting by creation time.

use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use ulid::Ulid;

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

/// Largest random step between two ids of the same millisecond (2^40).
const MAX_STEP: u128 = 1 << 40;

/// Hands out strictly increasing ids, even within one millisecond.
///
/// An id is `(ms << 80) | random`. The first id of a millisecond has 80
/// random bits; each further id of the same millisecond (or of an earlier
/// one, if the clock steps back) is the previous one plus a random step in
/// `1..=2^40` drawn from a CSPRNG (`rand::thread_rng`, ChaCha seeded from the
/// OS). A carry out of the random part moves the id into the next
/// millisecond, so order is kept in every case.
///
/// The step is random because anyone can mint ids (registering an OAuth app
/// returns one): with `+1` steps, as `ulid::Generator` does, an id minted
/// right after someone else's upload or post named theirs exactly. Now
/// knowing one id leaves 2^40 candidates for the next.
#[derive(Default)]
pub struct IdGenerator {
    last: Mutex<u128>,
}

impl IdGenerator {
    /// The next id: greater than every id this generator returned before.
    pub fn next(&self) -> Id {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0);
        let mut last = match self.last.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        *last = next_after(*last, now, &mut rand::thread_rng());
        Id(Ulid(*last))
    }
}

/// The id that follows `last` at `now_ms`: a fresh random one in a later
/// millisecond, `last` plus a random step otherwise.
fn next_after(last: u128, now_ms: u128, rng: &mut impl rand::Rng) -> u128 {
    // A ULID's timestamp has 48 bits; past them (year 10889) only steps remain.
    let now_ms = now_ms & ((1 << 48) - 1);
    if now_ms > last >> 80 {
        let random: u128 = rng.gen::<u128>() & ((1 << 80) - 1);
        return (now_ms << 80) | random;
    }
    let step = rng.gen_range(1..=MAX_STEP);
    // Saturating: 2^128 ids cannot be exhausted in practice.
    last.saturating_add(step)
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

    /// Ids of one millisecond do not name each other: the steps between
    /// consecutive ids are large and never repeat (with `+1` steps every
    /// difference within a millisecond was 1). The clock is held still so
    /// the check does not depend on how fast the machine mints ids.
    #[test]
    fn consecutive_ids_are_not_predictable_from_each_other() {
        let mut rng = rand::thread_rng();
        let ms = 1_700_000_000_000u128;
        let mut last = 0u128;
        let ids: Vec<u128> = (0..1000)
            .map(|_| {
                last = next_after(last, ms, &mut rng);
                last
            })
            .collect();
        assert!(
            ids.iter().skip(1).all(|id| id >> 80 == ms),
            "left the millisecond"
        );
        let diffs: Vec<u128> = ids.windows(2).map(|w| w[1] - w[0]).collect();
        // P(a step <= 2^8) over 999 draws in 1..=2^40 is about 2e-7.
        assert!(diffs.iter().all(|d| *d > 1 << 8), "a step of at most 2^8");
        assert!(diffs.iter().all(|d| *d <= MAX_STEP), "a step above 2^40");
        let distinct: std::collections::HashSet<_> = diffs.iter().collect();
        assert_eq!(distinct.len(), diffs.len(), "two equal steps");
    }

    #[test]
    fn steps_stay_ordered_when_the_clock_goes_back_or_the_random_part_overflows() {
        let mut rng = rand::thread_rng();
        let ms = 1_700_000_000_000u128;
        // The clock went back: still after the last id.
        let last = (ms << 80) | 5;
        let next = next_after(last, ms - 10, &mut rng);
        assert!(next > last && next - last <= MAX_STEP);
        // The random part is full: the carry moves to the next millisecond.
        let full = (ms << 80) | ((1 << 80) - 1);
        let next = next_after(full, ms, &mut rng);
        assert!(next > full);
        assert_eq!(next >> 80, ms + 1);
        // A later millisecond starts with fresh random bits.
        let fresh = next_after(next, ms + 2, &mut rng);
        assert_eq!(fresh >> 80, ms + 2);
    }
}
