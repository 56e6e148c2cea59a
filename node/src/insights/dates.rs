//! Dates of the insights' API: days since the epoch (UTC), written
//! `YYYY-MM-DD`, and the ranges the routes accept.

use crate::error::{NodeError, NodeResult};

/// The longest range (in days, both ends included) a query may ask for.
pub const MAX_RANGE_DAYS: u64 = 366;

/// The Julian day number of 1970-01-01.
const EPOCH_JULIAN: i32 = 2_440_588;

/// Milliseconds in a day.
pub(crate) const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// `day` (days since the epoch) as `YYYY-MM-DD`.
pub fn format_day(day: u64) -> String {
    let julian = i32::try_from(day).unwrap_or(0).saturating_add(EPOCH_JULIAN);
    match time::Date::from_julian_day(julian) {
        Ok(d) => format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()),
        Err(_) => String::from("invalid"),
    }
}

fn date_of(field: &str, year: &str, month: &str, day: &str) -> NodeResult<time::Date> {
    let bad = || NodeError::invalid(field, "must be a date written YYYY-MM-DD");
    if year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return Err(bad());
    }
    let y: i32 = year.parse().map_err(|_| bad())?;
    let m: u8 = month.parse().map_err(|_| bad())?;
    let d: u8 = day.parse().map_err(|_| bad())?;
    let month = time::Month::try_from(m).map_err(|_| bad())?;
    time::Date::from_calendar_date(y, month, d).map_err(|_| bad())
}

fn day_number(field: &str, date: time::Date) -> NodeResult<u64> {
    u64::try_from(date.to_julian_day() - EPOCH_JULIAN)
        .map_err(|_| NodeError::invalid(field, "must be on or after 1970-01-01"))
}

/// Parses `YYYY-MM-DD` into days since the epoch; errors name `field`.
pub fn parse_day(field: &str, text: &str) -> NodeResult<u64> {
    let mut parts = text.trim().split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(NodeError::invalid(
            field,
            "must be a date written YYYY-MM-DD",
        ));
    };
    day_number(field, date_of(field, y, m, d)?)
}

/// Parses `YYYY-MM` into the days of that month; errors name `field`.
pub fn parse_month(field: &str, text: &str) -> NodeResult<DayRange> {
    let mut parts = text.trim().split('-');
    let (Some(y), Some(m), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(NodeError::invalid(field, "must be a month written YYYY-MM"));
    };
    let first = date_of(field, y, m, "01")
        .map_err(|_| NodeError::invalid(field, "must be a month written YYYY-MM"))?;
    let from = day_number(field, first)?;
    let days = u64::from(first.month().length(first.year()));
    Ok(DayRange {
        from,
        to: from + days - 1,
    })
}

/// Days `from` to `to`, both included (days since the epoch, UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRange {
    /// The first day.
    pub from: u64,
    /// The last day.
    pub to: u64,
}

impl DayRange {
    /// The range `from`..=`to` as the routes write it, checked: both
    /// dates valid, `from` not after `to`, at most [`MAX_RANGE_DAYS`].
    /// Either may be absent: `to` defaults to `today`, `from` to 29 days
    /// before `to`.
    pub fn parse(from: Option<&str>, to: Option<&str>, today: u64) -> NodeResult<DayRange> {
        let to = match to.filter(|t| !t.trim().is_empty()) {
            Some(t) => parse_day("to", t)?,
            None => today,
        };
        let from = match from.filter(|t| !t.trim().is_empty()) {
            Some(f) => parse_day("from", f)?,
            None => to.saturating_sub(29),
        };
        DayRange::new(from, to)
    }

    /// Checks a range of day numbers.
    pub fn new(from: u64, to: u64) -> NodeResult<DayRange> {
        if from > to {
            return Err(NodeError::invalid("from", "must not be after `to`"));
        }
        if to - from + 1 > MAX_RANGE_DAYS {
            return Err(NodeError::invalid(
                "to",
                format!("the range may span at most {MAX_RANGE_DAYS} days"),
            ));
        }
        Ok(DayRange { from, to })
    }

    /// Days in the range.
    pub fn len(&self) -> usize {
        (self.to - self.from + 1) as usize
    }

    /// Never: a range holds at least one day.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The range's days, in order.
    pub fn days(&self) -> impl Iterator<Item = u64> {
        self.from..=self.to
    }

    /// The first millisecond of the range.
    pub fn start_ms(&self) -> i64 {
        self.from as i64 * DAY_MS
    }

    /// The first millisecond after the range.
    pub fn end_ms(&self) -> i64 {
        (self.to as i64 + 1) * DAY_MS
    }

    /// Whether `ms` falls in the range.
    pub fn holds_ms(&self, ms: i64) -> bool {
        ms >= self.start_ms() && ms < self.end_ms()
    }
}
