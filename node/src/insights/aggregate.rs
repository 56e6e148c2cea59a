//! The insights' arithmetic: pure functions over day numbers and counts,
//! each stated in its doc comment as the API explains it.

use serde::Serialize;

/// Distinct members active in the `window` days ending on each day of
/// `from..=to` (1: daily, 7: weekly, 30: monthly active members).
///
/// Each item of `members` is one member's active days, ascending; days
/// before `from` count for the windows they reach into, so the caller
/// passes days from `from - (window - 1)` on. A member adds one to every
/// day whose window holds one of their days: overlapping spans are merged
/// first, so nobody is counted twice for a day.
pub fn rolling_active<'a>(
    members: impl IntoIterator<Item = &'a [u64]>,
    from: u64,
    to: u64,
    window: u64,
) -> Vec<i64> {
    let len = (to.saturating_sub(from) + 1) as usize;
    let mut diff = vec![0i64; len + 1];
    let window = window.max(1);
    for days in members {
        // The last day already covered by this member's earlier spans.
        let mut covered: Option<u64> = None;
        for &day in days {
            let reach = day + window - 1;
            let start = match covered {
                Some(c) if c >= day => c + 1,
                _ => day,
            }
            .max(from);
            let end = reach.min(to);
            if start <= end {
                diff[(start - from) as usize] += 1;
                diff[(end - from) as usize + 1] -= 1;
            }
            covered = Some(covered.map_or(reach, |c| c.max(reach)));
        }
    }
    let mut out = Vec::with_capacity(len);
    let mut running = 0;
    for d in diff.iter().take(len) {
        running += d;
        out.push(running);
    }
    out
}

/// Monday of the week of `day` (day 0, 1970-01-01, was a Thursday).
pub fn week_start(day: u64) -> u64 {
    day - (day + 3) % 7
}

/// One signup cohort: members whose account was made in the week starting
/// `week`, and how many of them were active in each week after.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CohortRow {
    /// The cohort's Monday (days since the epoch).
    pub week: u64,
    /// Members who signed up that week (within the range asked for).
    pub size: i64,
    /// `active[k]`: cohort members active in week `k` after signing up
    /// (week 0 is the signup week), for each week that has begun by the
    /// range's end.
    pub active: Vec<i64>,
    /// `active[k] / size`, rounded to four places.
    pub rates: Vec<f64>,
}

/// Retention by signup week over `from..=to`: `members` are each member's
/// signup day and active days (ascending). A member whose signup day is
/// outside the range is left out; active days outside it are ignored.
pub fn retention<'a>(
    members: impl IntoIterator<Item = (u64, &'a [u64])>,
    from: u64,
    to: u64,
) -> Vec<CohortRow> {
    let first = week_start(from);
    let weeks = ((week_start(to) - first) / 7 + 1) as usize;
    let mut rows: Vec<CohortRow> = (0..weeks)
        .map(|w| {
            let week = first + 7 * w as u64;
            let after = ((week_start(to) - week) / 7 + 1) as usize;
            CohortRow {
                week,
                size: 0,
                active: vec![0; after],
                rates: Vec::new(),
            }
        })
        .collect();
    for (signup, days) in members {
        if signup < from || signup > to {
            continue;
        }
        let cohort = ((week_start(signup) - first) / 7) as usize;
        let Some(row) = rows.get_mut(cohort) else {
            continue;
        };
        row.size += 1;
        let mut last_week = None;
        for &day in days {
            if day < row.week || day > to {
                continue;
            }
            let k = ((day - row.week) / 7) as usize;
            if last_week != Some(k) {
                if let Some(n) = row.active.get_mut(k) {
                    *n += 1;
                }
                last_week = Some(k);
            }
        }
    }
    for row in &mut rows {
        row.rates = row.active.iter().map(|&a| ratio(a, row.size)).collect();
    }
    rows
}

/// Running totals: `start` plus each day's count, day by day.
pub fn cumulative(start: i64, per_day: &[i64]) -> Vec<i64> {
    let mut total = start;
    per_day
        .iter()
        .map(|n| {
            total += n;
            total
        })
        .collect()
}

/// `n / d` rounded to four places (0 when `d` is 0).
pub fn ratio(n: i64, d: i64) -> f64 {
    if d <= 0 {
        return 0.0;
    }
    (n as f64 / d as f64 * 10_000.0).round() / 10_000.0
}

/// The `n` largest items by `score`, ties to the later in `items` (which
/// callers pass oldest first, so the newest wins a tie).
pub fn top_by<T>(mut items: Vec<T>, n: usize, score: impl Fn(&T) -> i64) -> Vec<T> {
    let len = items.len();
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| score(&items[b]).cmp(&score(&items[a])).then(b.cmp(&a)));
    order.truncate(n);
    let mut picked: Vec<Option<T>> = items.drain(..).map(Some).collect();
    order
        .into_iter()
        .filter_map(|i| picked.get_mut(i).and_then(Option::take))
        .collect()
}
