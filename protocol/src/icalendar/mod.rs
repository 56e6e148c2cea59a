//! iCalendar (RFC 5545): calendars of events, as calendar programs import
//! and subscribe to them. No I/O: a [`Calendar`] of [`CalendarEvent`]s
//! becomes text ([`Calendar::render`]).
//!
//! Each event is written in its own IANA time zone (`DTSTART;TZID=…`),
//! and the calendar carries a `VTIMEZONE` for every zone its events use,
//! built from the IANA database jiff bundles ([`timezone`]): the
//! observances in effect from the first event's start to the last one's
//! end, so a program without that zone (or with an older copy of it) still
//! places the events at the right instants. An unknown zone name falls
//! back to UTC times (`…Z`), which every program reads.
//!
//! Written here rather than with a crate: the maintained `icalendar`
//! crate cannot write a `VTIMEZONE` (its generic component is not public
//! and every component it writes gets a `UID` and `DTSTAMP`, which a
//! `VTIMEZONE` must not have), and `ics` folds continuation lines one
//! octet past RFC 5545's 75. What this needs is small: content lines,
//! TEXT escaping (§3.3.11), parameter quoting (§3.2) and folding at 75
//! octets on character boundaries (§3.1).

#[cfg(test)]
mod tests;
mod timezone;

use std::collections::BTreeMap;

use jiff::tz::TimeZone;
use jiff::Timestamp;

/// The calendar's `PRODID`.
const PRODID: &str = concat!("-//Kodeon//Kodeon ", env!("CARGO_PKG_VERSION"), "//EN");
/// Longest content line, in octets, without its CRLF (RFC 5545 §3.1).
pub const LINE_OCTETS: usize = 75;

/// Where an event stands, for a calendar (`STATUS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventStatus {
    /// Not settled (a draft; a place on a waitlist).
    Tentative,
    /// Happening.
    Confirmed,
    /// Called off: calendars strike it through or remove it.
    Cancelled,
}

impl EventStatus {
    fn as_str(self) -> &'static str {
        match self {
            EventStatus::Tentative => "TENTATIVE",
            EventStatus::Confirmed => "CONFIRMED",
            EventStatus::Cancelled => "CANCELLED",
        }
    }
}

/// Who organises an event (`ORGANIZER;CN=name:uri`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organizer {
    /// The name shown.
    pub name: String,
    /// Their address (RFC 5545 wants a URI: a profile page here).
    pub uri: String,
}

/// One event as a calendar shows it (a `VEVENT`).
#[derive(Debug, Clone, PartialEq)]
pub struct CalendarEvent {
    /// Stable across versions of the event (`UID`): updates replace it.
    pub uid: String,
    /// Start (ms since the epoch, UTC).
    pub start_ms: i64,
    /// End (ms since the epoch, UTC).
    pub end_ms: i64,
    /// The IANA zone its times are shown in (`TZID`).
    pub timezone: String,
    /// Title (`SUMMARY`).
    pub summary: String,
    /// Plain text (`DESCRIPTION`); empty for none.
    pub description: String,
    /// The place, as one line (`LOCATION`).
    pub location: Option<String>,
    /// Latitude and longitude in degrees (`GEO`).
    pub geo: Option<(f64, f64)>,
    /// Its page (`URL`).
    pub url: Option<String>,
    /// `STATUS`.
    pub status: EventStatus,
    /// Revision (`SEQUENCE`): a calendar applies a higher one over a lower.
    pub sequence: u32,
    /// `ORGANIZER`.
    pub organizer: Option<Organizer>,
    /// `CATEGORIES` (its category and tags).
    pub categories: Vec<String>,
    /// Made (ms; `CREATED`).
    pub created_ms: i64,
    /// Last changed (ms; `LAST-MODIFIED`, and `DTSTAMP`: without a
    /// `METHOD`, RFC 5545 §3.8.7.2 makes them the same).
    pub modified_ms: i64,
}

/// A calendar: one event to import, or a feed to subscribe to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Calendar {
    /// The name programs show for a subscribed feed (`NAME` of RFC 7986
    /// and the widely read `X-WR-CALNAME`); none for a single event.
    pub name: Option<String>,
    /// How often a subscriber should fetch it again, in minutes
    /// (`REFRESH-INTERVAL` and `X-PUBLISHED-TTL`); none for a single event.
    pub refresh_minutes: Option<u32>,
    /// The events, in the order written.
    pub events: Vec<CalendarEvent>,
}

impl Calendar {
    /// The calendar as iCalendar text: CRLF line ends, lines folded at 75
    /// octets.
    pub fn render(&self) -> String {
        let mut out = Lines::default();
        out.line("BEGIN", &[], "VCALENDAR");
        out.line("VERSION", &[], "2.0");
        out.line("PRODID", &[], PRODID);
        out.line("CALSCALE", &[], "GREGORIAN");
        if let Some(name) = &self.name {
            out.text("NAME", name);
            out.text("X-WR-CALNAME", name);
        }
        if let Some(minutes) = self.refresh_minutes {
            let duration = format!("PT{}M", minutes.max(1));
            out.line("REFRESH-INTERVAL", &[("VALUE", "DURATION")], &duration);
            out.line("X-PUBLISHED-TTL", &[], &duration);
        }

        // Each zone once, covering all of its events.
        let mut zones: BTreeMap<&str, (TimeZone, i64, i64)> = BTreeMap::new();
        for e in &self.events {
            if let Some((_, from, to)) = zones.get_mut(e.timezone.as_str()) {
                *from = (*from).min(e.start_ms);
                *to = (*to).max(e.end_ms);
            } else if let Ok(tz) = TimeZone::get(&e.timezone) {
                zones.insert(&e.timezone, (tz, e.start_ms, e.end_ms));
            }
        }
        for (name, (tz, from, to)) in &zones {
            timezone::write_vtimezone(&mut out, name, tz, *from, *to);
        }
        for e in &self.events {
            let tz = zones.get(e.timezone.as_str()).map(|(tz, _, _)| tz);
            write_event(&mut out, e, tz);
        }
        out.line("END", &[], "VCALENDAR");
        out.0
    }
}

/// One `VEVENT`; its times in `tz` (named `event.timezone`) when known,
/// else in UTC.
fn write_event(out: &mut Lines, e: &CalendarEvent, tz: Option<&TimeZone>) {
    out.line("BEGIN", &[], "VEVENT");
    out.line("UID", &[], &e.uid);
    out.line("DTSTAMP", &[], &utc(e.modified_ms));
    out.line("CREATED", &[], &utc(e.created_ms));
    out.line("LAST-MODIFIED", &[], &utc(e.modified_ms));
    out.line("SEQUENCE", &[], &e.sequence.to_string());
    for (name, ms) in [("DTSTART", e.start_ms), ("DTEND", e.end_ms)] {
        match tz {
            Some(tz) => out.line(name, &[("TZID", e.timezone.as_str())], &local(tz, ms)),
            None => out.line(name, &[], &utc(ms)),
        }
    }
    out.text("SUMMARY", &e.summary);
    if !e.description.is_empty() {
        out.text("DESCRIPTION", &e.description);
    }
    if let Some(location) = e.location.as_deref().filter(|l| !l.is_empty()) {
        out.text("LOCATION", location);
    }
    if let Some((lat, lon)) = e.geo.filter(|(a, o)| a.is_finite() && o.is_finite()) {
        out.line("GEO", &[], &format!("{lat:.6};{lon:.6}"));
    }
    if let Some(url) = &e.url {
        out.line("URL", &[], url);
    }
    out.line("STATUS", &[], e.status.as_str());
    if let Some(o) = &e.organizer {
        out.line("ORGANIZER", &[("CN", o.name.as_str())], &o.uri);
    }
    let categories: Vec<String> = e
        .categories
        .iter()
        .filter(|c| !c.is_empty())
        .map(|c| escape_text(c))
        .collect();
    if !categories.is_empty() {
        out.line("CATEGORIES", &[], &categories.join(","));
    }
    out.line("TRANSP", &[], "OPAQUE");
    out.line("END", &[], "VEVENT");
}

/// `ms` as a UTC DATE-TIME (`20300301T120000Z`). Out of range (not an
/// event time the node accepts) reads as the epoch.
fn utc(ms: i64) -> String {
    let ts = Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH);
    format!("{}Z", basic(ts.to_zoned(TimeZone::UTC).datetime()))
}

/// `ms` as a local DATE-TIME in `tz` (`20300301T190000`, for `TZID=`).
fn local(tz: &TimeZone, ms: i64) -> String {
    let ts = Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH);
    basic(tz.to_datetime(ts))
}

/// A civil date-time in iCalendar's basic form, to the second.
fn basic(dt: jiff::civil::DateTime) -> String {
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

/// Escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma
/// and line breaks (CRLF, CR or LF become `\n`); other control characters,
/// which TEXT may not hold, are dropped (a tab is kept).
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("\\n");
                }
            }
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value (RFC 5545 §3.2): no control characters and no
/// double quote (which it cannot hold: one becomes `'`), quoted when it
/// holds `:`, `;` or `,`.
fn param_value(value: &str) -> String {
    let clean: String = value
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if c == '"' { '\'' } else { c })
        .collect();
    if clean.contains([':', ';', ',']) {
        format!("\"{clean}\"")
    } else {
        clean
    }
}

/// A value that is not TEXT (dates, numbers, URIs): control characters
/// dropped, so that no value can break a line.
fn plain_value(value: &str) -> String {
    value.chars().filter(|c| !c.is_control()).collect()
}

/// Folds one content line (RFC 5545 §3.1): at most 75 octets a line, CRLF
/// and a space before each continuation, never inside a UTF-8 character.
pub fn fold(line: &str, out: &mut String) {
    let mut rest = line;
    let mut room = LINE_OCTETS;
    loop {
        if rest.len() <= room {
            out.push_str(rest);
            out.push_str("\r\n");
            return;
        }
        let mut cut = room;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let (head, tail) = rest.split_at(cut);
        out.push_str(head);
        out.push_str("\r\n ");
        rest = tail;
        // The space that starts a continuation is one of its 75 octets.
        room = LINE_OCTETS - 1;
    }
}

/// Calendar text being written, one folded content line at a time.
#[derive(Default)]
pub(crate) struct Lines(String);

impl Lines {
    /// `NAME;PARAM=value:value`, the value written as it is (control
    /// characters dropped).
    pub(crate) fn line(&mut self, name: &str, params: &[(&str, &str)], value: &str) {
        let mut line = String::from(name);
        for (key, v) in params {
            line.push(';');
            line.push_str(key);
            line.push('=');
            line.push_str(&param_value(v));
        }
        line.push(':');
        line.push_str(&plain_value(value));
        fold(&line, &mut self.0);
    }

    /// `NAME:text`, the value escaped as TEXT.
    pub(crate) fn text(&mut self, name: &str, text: &str) {
        let mut line = String::from(name);
        line.push(':');
        line.push_str(&escape_text(text));
        fold(&line, &mut self.0);
    }
}
