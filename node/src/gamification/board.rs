//! Leaderboards: each board is a range of `Leaderboard (board, u64::MAX −
//! score, member)` keys, so the top is the start of the range, and
//! `LeaderboardScore (board, member)` holds the score that key was
//! written with. A change deletes the old key and writes the new one:
//! O(log n) in the store. A page is a range scan from a cursor: O(page).
//!
//! Boards: `all`; `m<days>` and `w<days>` for the month and the ISO week
//! (Monday) starting that many days after 1970-01-01 (UTC); and the same
//! three for a group, prefixed `g<group id>:`.

use serde::{Deserialize, Serialize};

use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::store::{tables, Txn};

/// The all-time board (its scores are members' totals).
pub(crate) const ALL: &str = "all";

const DAY_MS: i64 = 86_400_000;

/// Which board of a group or of the node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    /// Since the beginning.
    #[default]
    All,
    /// This calendar month (UTC).
    Month,
    /// This ISO week (UTC, from Monday).
    Week,
}

impl Period {
    /// `all`, `month` or `week`.
    pub fn parse(text: &str) -> NodeResult<Period> {
        match text {
            "" | "all" => Ok(Period::All),
            "month" => Ok(Period::Month),
            "week" => Ok(Period::Week),
            _ => Err(NodeError::invalid("period", "must be all, month or week")),
        }
    }

    /// The name the API uses.
    pub fn name(self) -> &'static str {
        match self {
            Period::All => "all",
            Period::Month => "month",
            Period::Week => "week",
        }
    }
}

/// Days since 1970-01-01 of the UTC day holding `ms`.
pub(crate) fn day_of(ms: i64) -> i64 {
    ms.div_euclid(DAY_MS)
}

/// (year, month, day) of a day number (Howard Hinnant's `civil_from_days`).
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The first day of the month holding day `days`.
pub(crate) fn month_start(days: i64) -> i64 {
    let (_, _, d) = civil(days);
    days - (d - 1)
}

/// The Monday of the ISO week holding day `days` (1970-01-01 was a Thursday).
pub(crate) fn week_start(days: i64) -> i64 {
    days - (days + 3).rem_euclid(7)
}

/// `YYYY-MM-DD` of a day number.
pub(crate) fn date_text(days: i64) -> String {
    let (y, m, d) = civil(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The name of the board of `period` holding `ms`, for `group` or the node.
pub(crate) fn board_name(period: Period, group: Option<Id>, ms: i64) -> String {
    let base = match period {
        Period::All => ALL.to_string(),
        Period::Month => format!("m{}", month_start(day_of(ms))),
        Period::Week => format!("w{}", week_start(day_of(ms))),
    };
    match group {
        Some(g) => format!("g{g}:{base}"),
        None => base,
    }
}

/// The boards an award at `ms` counts on.
pub(crate) fn boards_for(group: Option<Id>, ms: i64) -> Vec<String> {
    let mut boards = Vec::with_capacity(6);
    for g in [None, group] {
        if g.is_none() && !boards.is_empty() {
            break;
        }
        for p in [Period::All, Period::Month, Period::Week] {
            boards.push(board_name(p, g, ms));
        }
    }
    boards
}

fn inverted(score: i64) -> u64 {
    u64::MAX - u64::try_from(score).unwrap_or(0)
}

/// Adds `delta` hundredths to `member`'s score on `board`, moving its
/// rank key; a score of 0 leaves the board. Returns the new score.
pub(crate) fn bump(txn: &mut Txn<'_>, board: &str, member: Id, delta: i64) -> NodeResult<i64> {
    let old = txn.counter::<tables::LeaderboardScore>((board, member))?;
    let new = (old + delta).max(0);
    if new == old {
        return Ok(old);
    }
    if old > 0 {
        txn.remove::<tables::Leaderboard>((board, inverted(old), member));
    }
    if new > 0 {
        txn.store::<tables::Leaderboard>((board, inverted(new), member), &())?;
        txn.store::<tables::LeaderboardScore>((board, member), &new)?;
    } else {
        txn.remove::<tables::LeaderboardScore>((board, member));
    }
    Ok(new)
}

/// A position in a board: the score, member and rank of the last row shown.
pub(crate) fn cursor_text(score: i64, member: Id, rank: u64) -> String {
    format!("{score}.{member}.{rank}")
}

/// Reads a cursor made by [`cursor_text`].
pub(crate) fn parse_cursor(text: &str) -> NodeResult<(i64, Id, u64)> {
    let bad = || NodeError::invalid("cursor", "is not a leaderboard cursor");
    let mut parts = text.splitn(3, '.');
    let score: i64 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    let member: Id = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    let rank: u64 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    if score < 0 {
        return Err(bad());
    }
    Ok((score, member, rank))
}

/// The key a page after `cursor` starts past.
pub(crate) fn after_key(score: i64, member: Id) -> (u64, Id) {
    (inverted(score), member)
}

/// Score in hundredths from a rank key's inverted score.
pub(crate) fn score_of(inverted_score: u64) -> i64 {
    i64::try_from(u64::MAX - inverted_score).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_start_on_the_first_and_on_monday() {
        // 2026-12-07 is a Monday.
        let monday = 20_794;
        assert_eq!(date_text(monday), "2026-12-07");
        assert_eq!(week_start(monday), monday);
        assert_eq!(week_start(monday + 6), monday);
        assert_eq!(week_start(monday + 7), monday + 7);
        assert_eq!(date_text(month_start(monday)), "2026-12-01");
        assert_eq!(date_text(month_start(monday - 7)), "2026-11-01");
        assert_eq!(date_text(month_start(0)), "1970-01-01");
        assert_eq!(date_text(month_start(59)), "1970-03-01");
    }

    #[test]
    fn cursors_round_trip_and_refuse_garbage() {
        let id = Id::from_bytes([7; 16]);
        assert_eq!(
            parse_cursor(&cursor_text(1234, id, 3)).ok(),
            Some((1234, id, 3))
        );
        assert!(parse_cursor("12").is_err());
        assert!(parse_cursor("-1.x").is_err());
    }
}
