//! The node-wide memory budget of image processing.
//!
//! Each upload reserves its estimated peak ([`Plan::memory`](super::process::Plan))
//! before it is decoded and keeps the reservation until processing has
//! finished, so however many uploads arrive at once, the images being
//! processed together fit in [`TOTAL_BYTES`]: two of the largest images
//! accepted (128 MiB each), or many small ones. Others wait their turn, in
//! arrival order (tokio's semaphore is fair), holding only their upload
//! (at most 10 MiB, and per-account uploads are rate limited in `web`).

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::{NodeError, NodeResult};

/// Memory all image processing of the node may use at once: 256 MiB.
pub const TOTAL_BYTES: u64 = 2 * super::process::MAX_DECODE_MEMORY;
/// Reservations are counted in MiB.
const UNIT: u64 = 1024 * 1024;

/// A byte budget shared by the node's image decodes.
pub struct DecodeBudget {
    permits: Arc<Semaphore>,
    units: u32,
}

impl Default for DecodeBudget {
    fn default() -> Self {
        DecodeBudget::new(TOTAL_BYTES)
    }
}

impl DecodeBudget {
    /// A budget of `total_bytes` (rounded down to MiB, at least one).
    pub fn new(total_bytes: u64) -> Self {
        let units = u32::try_from((total_bytes / UNIT).max(1)).unwrap_or(u32::MAX);
        DecodeBudget {
            permits: Arc::new(Semaphore::new(units as usize)),
            units,
        }
    }

    /// Waits until `bytes` fit in the budget. The reservation lasts as long
    /// as the permit: move it into the blocking task that does the work, so
    /// that it is released when the work ends, not when a cancelled request
    /// stops waiting for it. A request larger than the whole budget takes
    /// all of it (callers refuse such images before).
    pub async fn reserve(&self, bytes: u64) -> NodeResult<OwnedSemaphorePermit> {
        let units = bytes.div_ceil(UNIT).clamp(1, u64::from(self.units));
        let units = u32::try_from(units).unwrap_or(self.units);
        self.permits
            .clone()
            .acquire_many_owned(units)
            .await
            .map_err(|_| NodeError::Internal("the media budget is closed".into()))
    }

    /// Bytes reserved at the moment.
    pub fn reserved_bytes(&self) -> u64 {
        u64::from(self.units).saturating_sub(self.permits.available_permits() as u64) * UNIT
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Reservations beyond the budget wait until earlier ones end.
    #[tokio::test]
    async fn reservations_beyond_the_budget_wait() {
        let budget = Arc::new(DecodeBudget::new(256 * UNIT));
        let first = budget.reserve(128 * UNIT).await.expect("first");
        let second = budget.reserve(100 * UNIT).await.expect("second");
        assert_eq!(budget.reserved_bytes(), 228 * UNIT);
        // A third large one does not fit now.
        let waiting = {
            let budget = budget.clone();
            tokio::spawn(async move { budget.reserve(128 * UNIT).await.map(|_| ()) })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiting.is_finished(), "went past the budget");
        assert!(budget.reserved_bytes() <= 256 * UNIT);
        drop(first);
        tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .expect("still waiting after a release")
            .expect("task")
            .expect("reserve");
        drop(second);
        assert_eq!(budget.reserved_bytes(), 0);
    }
}
