//! Points and level over time in a member's insights, read from the
//! gamification ledger (`gamification/`): the points at the end of each
//! day are today's total less every ledger entry made after that day.

use serde::Serialize;

use super::dates::{DayRange, DAY_MS};
use crate::error::NodeResult;
use crate::id::Id;
use crate::node::Node;
use crate::store::tables;

/// Most ledger entries read back from now to the range's first day.
const MAX_ENTRIES_READ: usize = 100_000;

/// A member's points at the end of each day of a range, and their level.
#[derive(Debug, Clone, Serialize)]
pub struct PointsOverTime {
    /// Points at the end of each day (same days as the insights' `days`).
    pub points: Vec<i64>,
    /// The level those points reach, each day (its stable name).
    pub levels: Vec<String>,
    /// Whether the ledger had more entries after the range than were read
    /// (the earliest days are then approximate).
    pub truncated: bool,
}

impl Node {
    /// `member`'s points and level at the end of each day of `range`,
    /// from the ledger: the all-time total less the entries (awards,
    /// reversals) made after each day, read newest first, at most
    /// 100,000 entries.
    pub fn points_over_time(
        &self,
        member: Id,
        range: DayRange,
    ) -> NodeResult<Option<PointsOverTime>> {
        let total: i64 = self
            .store
            .counter::<tables::LeaderboardScore>((crate::gamification::ALL_BOARD, member))?;
        // Sum of entries per day, for days from the range's first on.
        let first_ms = range.start_ms();
        let mut after: Vec<i64> = vec![0; range.len()];
        let mut later = 0i64; // entries after the range
        let mut read = 0usize;
        let mut truncated = false;
        for entry in self
            .store
            .scan::<tables::PointsHistory>((member,), true)
            .values()
        {
            let entry = entry?;
            read += 1;
            if read > MAX_ENTRIES_READ {
                truncated = true;
                break;
            }
            if entry.at < first_ms {
                break;
            }
            let day = (entry.at / DAY_MS) as u64;
            if day > range.to {
                later += entry.hundredths;
            } else {
                after[(day - range.from) as usize] += entry.hundredths;
            }
        }
        let settings = self.gamification_settings();
        let mut points = vec![0i64; range.len()];
        let mut running = total - later;
        for i in (0..range.len()).rev() {
            points[i] = (running.max(0)) / 100;
            running -= after[i];
        }
        let levels = points
            .iter()
            .map(|p| {
                settings
                    .level_for(u64::try_from(*p).unwrap_or(0))
                    .map(|l| l.name.clone())
                    .unwrap_or_default()
            })
            .collect();
        Ok(Some(PointsOverTime {
            points,
            levels,
            truncated,
        }))
    }
}
