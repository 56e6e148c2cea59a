//! `VTIMEZONE` components from the IANA database (RFC 5545 §3.6.5).
//!
//! A zone is written as the observances (`STANDARD` or `DAYLIGHT`) that
//! cover a span of time: the one in effect at its start, every transition
//! within it, and the first one after it (so a zone with daylight saving
//! shows both kinds even for a single evening). Each observance is one
//! transition, with no `RRULE`: its `DTSTART` is the local time when it
//! begins, read in the offset before it (`TZOFFSETFROM`), as the RFC
//! wants. A zone that never changed offset (UTC, `Etc/GMT-7`) is one
//! `STANDARD` from 1970.

use jiff::tz::{Offset, TimeZone};
use jiff::{SignedDuration, Timestamp};

use super::{basic, Lines};

/// Most observances one zone writes (a span of years has two a year).
const MAX_OBSERVANCES: usize = 64;

/// One observance: a transition and what it changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Observance {
    /// When it begins (UTC).
    pub(crate) onset: Timestamp,
    /// The offset before it.
    pub(crate) from: Offset,
    /// The offset from it on.
    pub(crate) to: Offset,
    /// Its abbreviation ("CEST"), possibly empty.
    pub(crate) name: String,
    /// Daylight saving time.
    pub(crate) dst: bool,
}

/// The observances of `tz` that cover `from_ms` to `to_ms`, oldest first.
pub(crate) fn observances(tz: &TimeZone, from_ms: i64, to_ms: i64) -> Vec<Observance> {
    let from = Timestamp::from_millisecond(from_ms).unwrap_or(Timestamp::UNIX_EPOCH);
    let to = Timestamp::from_millisecond(to_ms.max(from_ms)).unwrap_or(from);
    let before =
        |t: Timestamp| tz.to_offset(t.checked_sub(SignedDuration::from_nanos(1)).unwrap_or(t));
    let observance = |t: jiff::tz::TimeZoneTransition<'_>| Observance {
        onset: t.timestamp(),
        from: before(t.timestamp()),
        to: t.offset(),
        name: t.abbreviation().to_string(),
        dst: t.dst().is_dst(),
    };
    let mut out = Vec::new();
    // The transition in effect at `from` (one exactly at `from` included).
    let just_after = from
        .checked_add(SignedDuration::from_nanos(1))
        .unwrap_or(from);
    if let Some(t) = tz.preceding(just_after).next() {
        out.push(observance(t));
    }
    for t in tz.following(from) {
        if out.len() >= MAX_OBSERVANCES {
            break;
        }
        let past_end = t.timestamp() > to;
        if out.last().is_none_or(|o| o.onset < t.timestamp()) {
            out.push(observance(t));
        }
        if past_end {
            break;
        }
    }
    out
}

/// Writes the `VTIMEZONE` of `tz`, named `name`, covering `from_ms` to
/// `to_ms`.
pub(super) fn write_vtimezone(
    out: &mut Lines,
    name: &str,
    tz: &TimeZone,
    from_ms: i64,
    to_ms: i64,
) {
    out.line("BEGIN", &[], "VTIMEZONE");
    out.line("TZID", &[], name);
    let found = observances(tz, from_ms, to_ms);
    if found.is_empty() {
        // Never changed: one standard observance, from the epoch.
        let at = Timestamp::from_millisecond(from_ms).unwrap_or(Timestamp::UNIX_EPOCH);
        let info = tz.to_offset_info(at);
        write_observance(
            out,
            &Observance {
                onset: Timestamp::UNIX_EPOCH,
                from: info.offset(),
                to: info.offset(),
                name: info.abbreviation().to_string(),
                dst: false,
            },
        );
    }
    for o in &found {
        write_observance(out, o);
    }
    out.line("END", &[], "VTIMEZONE");
}

fn write_observance(out: &mut Lines, o: &Observance) {
    let kind = if o.dst { "DAYLIGHT" } else { "STANDARD" };
    out.line("BEGIN", &[], kind);
    out.line("DTSTART", &[], &basic(o.from.to_datetime(o.onset)));
    out.line("TZOFFSETFROM", &[], &utc_offset(o.from));
    out.line("TZOFFSETTO", &[], &utc_offset(o.to));
    if !o.name.is_empty() {
        out.text("TZNAME", &o.name);
    }
    out.line("END", &[], kind);
}

/// A UTC-OFFSET value (RFC 5545 §3.3.14): `+0700`, `-0330`, with seconds
/// when there are any (`+070712`, Jakarta's local mean time of old).
pub(crate) fn utc_offset(offset: Offset) -> String {
    let total = offset.seconds();
    let sign = if total < 0 { '-' } else { '+' };
    let abs = total.unsigned_abs();
    let (h, m, s) = (abs / 3600, abs / 60 % 60, abs % 60);
    if s == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{s:02}")
    }
}
