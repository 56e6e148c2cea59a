//! The iCalendar writer: escaping, folding, times in the event's zone and
//! the `VTIMEZONE`s that define them.

use jiff::tz::{offset, TimeZone};
use proptest::prelude::*;

use super::timezone::{observances, utc_offset};
use super::*;

/// ms of a wall-clock time in `zone`.
fn ms(zone: &str, wall: &str) -> i64 {
    let tz = TimeZone::get(zone).expect("zone");
    let dt: jiff::civil::DateTime = wall.parse().expect("datetime");
    dt.to_zoned(tz).expect("zoned").timestamp().as_millisecond()
}

fn event(zone: &str, start: &str, end: &str) -> CalendarEvent {
    CalendarEvent {
        uid: "01J@k.test".into(),
        start_ms: ms(zone, start),
        end_ms: ms(zone, end),
        timezone: zone.into(),
        summary: "Rust meetup".into(),
        description: String::new(),
        location: None,
        geo: None,
        url: Some("https://k.test/events/01J".into()),
        status: EventStatus::Confirmed,
        sequence: 0,
        organizer: None,
        categories: Vec::new(),
        created_ms: 0,
        modified_ms: 1_700_000_000_000,
    }
}

/// The unfolded content lines of `text`.
fn unfold(text: &str) -> Vec<String> {
    text.replace("\r\n ", "")
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// The text between `BEGIN:{what}` and its `END` (first one).
fn component(text: &str, what: &str) -> String {
    let begin = format!("BEGIN:{what}\r\n");
    let end = format!("END:{what}\r\n");
    let start = text.find(&begin).expect("begin") + begin.len();
    let stop = start + text[start..].find(&end).expect("end");
    text[start..stop].to_string()
}

#[test]
fn text_is_escaped_as_rfc_5545_says() {
    assert_eq!(
        escape_text("a\\b;c,d\ne\r\nf\rg"),
        "a\\\\b\\;c\\,d\\ne\\nf\\ng"
    );
    // Control characters TEXT cannot hold are dropped; a tab stays.
    assert_eq!(escape_text("x\u{0}y\u{7f}z\tw"), "xyz\tw");
    assert_eq!(
        escape_text("Caf\u{e9} 東京: 19:00"),
        "Caf\u{e9} 東京: 19:00"
    );
}

#[test]
fn parameters_are_quoted_and_cannot_break_out() {
    let mut out = Lines::default();
    out.line(
        "ORGANIZER",
        &[("CN", "Rust \"Jakarta\": meetups, talks")],
        "https://k.test/@rust\r\nX-EVIL:1",
    );
    assert_eq!(
        out.0,
        "ORGANIZER;CN=\"Rust 'Jakarta': meetups, talks\":https://k.test/@rustX-EVIL:1\r\n"
    );
    let mut plain = Lines::default();
    plain.line("DTSTART", &[("TZID", "Asia/Jakarta")], "20300301T190000");
    assert_eq!(plain.0, "DTSTART;TZID=Asia/Jakarta:20300301T190000\r\n");
}

#[test]
fn long_lines_fold_at_75_octets_on_character_boundaries() {
    let mut out = String::new();
    let line = format!("DESCRIPTION:{}", "é東a".repeat(40));
    fold(&line, &mut out);
    for l in out.split("\r\n").filter(|l| !l.is_empty()) {
        assert!(l.len() <= LINE_OCTETS, "{} octets: {l:?}", l.len());
    }
    assert_eq!(out.replace("\r\n ", ""), format!("{line}\r\n"));
    let mut short = String::new();
    fold("SUMMARY:x", &mut short);
    assert_eq!(short, "SUMMARY:x\r\n");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn folding_keeps_every_line_short_and_unfolds_to_the_original(s in "\\PC{0,300}") {
        let mut out = String::new();
        let line = format!("SUMMARY:{}", escape_text(&s));
        fold(&line, &mut out);
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            prop_assert!(l.len() <= LINE_OCTETS);
        }
        prop_assert_eq!(out.replace("\r\n ", ""), format!("{line}\r\n"));
    }
}

#[test]
fn an_event_is_written_in_its_zone_with_that_zone_defined() {
    let mut e = event("Asia/Jakarta", "2030-03-01T19:00", "2030-03-01T21:00");
    e.description = "Talks; food, drinks\nand more".into();
    e.location = Some("Tech Hub, Jl. Sudirman 1, Jakarta".into());
    e.geo = Some((-6.2, 106.816666));
    e.organizer = Some(Organizer {
        name: "Rust Jakarta".into(),
        uri: "https://k.test/@rust".into(),
    });
    e.categories = vec!["programming".into(), "rust".into()];
    e.sequence = 3;
    let text = Calendar {
        events: vec![e],
        ..Calendar::default()
    }
    .render();
    assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kodeon//"));
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    let lines = unfold(&text);
    for want in [
        "UID:01J@k.test",
        "DTSTAMP:20231114T221320Z",
        "DTSTART;TZID=Asia/Jakarta:20300301T190000",
        "DTEND;TZID=Asia/Jakarta:20300301T210000",
        "SUMMARY:Rust meetup",
        "DESCRIPTION:Talks\\; food\\, drinks\\nand more",
        "LOCATION:Tech Hub\\, Jl. Sudirman 1\\, Jakarta",
        "GEO:-6.200000;106.816666",
        "URL:https://k.test/events/01J",
        "STATUS:CONFIRMED",
        "SEQUENCE:3",
        "ORGANIZER;CN=Rust Jakarta:https://k.test/@rust",
        "CATEGORIES:programming,rust",
    ] {
        assert!(lines.iter().any(|l| l == want), "{want} missing in\n{text}");
    }
    // Jakarta has had WIB (+07:00) since 1964: one standard observance.
    let zone = component(&text, "VTIMEZONE");
    assert!(zone.starts_with("TZID:Asia/Jakarta\r\n"), "{zone}");
    assert!(!zone.contains("DAYLIGHT"), "{zone}");
    assert_eq!(zone.matches("BEGIN:STANDARD").count(), 1, "{zone}");
    assert!(
        zone.contains("TZOFFSETTO:+0700\r\nTZNAME:WIB\r\n"),
        "{zone}"
    );
    // A single event is no feed: no name, no refresh.
    assert!(!text.contains("X-WR-CALNAME") && !text.contains("REFRESH-INTERVAL"));
}

#[test]
fn a_zone_with_daylight_saving_gets_the_observances_around_its_events() {
    // Berlin moves to summer time on 2030-03-31 at 02:00 (01:00 UTC); an
    // event from the evening before to the next noon spans it.
    let e = event("Europe/Berlin", "2030-03-30T20:00", "2030-03-31T12:00");
    assert_eq!(e.start_ms, ms("UTC", "2030-03-30T19:00"));
    assert_eq!(e.end_ms, ms("UTC", "2030-03-31T10:00"));
    let tz = TimeZone::get("Europe/Berlin").expect("zone");
    let found = observances(&tz, e.start_ms, e.end_ms);
    let summary: Vec<_> = found
        .iter()
        .map(|o| (o.dst, o.from, o.to, o.name.as_str()))
        .collect();
    assert_eq!(
        summary,
        vec![
            (false, offset(2), offset(1), "CET"),
            (true, offset(1), offset(2), "CEST"),
            (false, offset(2), offset(1), "CET"),
        ]
    );
    let text = Calendar {
        name: Some("Rust, Berlin".into()),
        refresh_minutes: Some(60),
        events: vec![e],
    }
    .render();
    let zone = component(&text, "VTIMEZONE");
    let daylight = component(&zone, "DAYLIGHT");
    assert_eq!(
        daylight,
        "DTSTART:20300331T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n"
    );
    assert!(zone.contains("DTSTART:20301027T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"));
    let lines = unfold(&text);
    assert!(lines.contains(&"DTSTART;TZID=Europe/Berlin:20300330T200000".to_string()));
    assert!(lines.contains(&"DTEND;TZID=Europe/Berlin:20300331T120000".to_string()));
    assert!(lines.contains(&"X-WR-CALNAME:Rust\\, Berlin".to_string()));
    assert!(lines.contains(&"REFRESH-INTERVAL;VALUE=DURATION:PT60M".to_string()));
}

#[test]
fn zones_are_written_once_and_unknown_ones_fall_back_to_utc() {
    let a = event("Europe/Berlin", "2030-01-10T19:00", "2030-01-10T21:00");
    let b = event("Europe/Berlin", "2030-07-10T19:00", "2030-07-10T21:00");
    let mut c = event("UTC", "2030-02-01T08:00", "2030-02-01T09:00");
    c.timezone = "Mars/Olympus_Mons".into();
    let utc = event("UTC", "2030-02-01T08:00", "2030-02-01T09:00");
    let text = Calendar {
        events: vec![a, b, c, utc],
        ..Calendar::default()
    }
    .render();
    assert_eq!(text.matches("TZID:Europe/Berlin\r\n").count(), 1);
    // Berlin's zone covers January to July: winter, spring, autumn.
    let berlin = component(&text, "VTIMEZONE");
    assert_eq!(berlin.matches("BEGIN:DAYLIGHT").count(), 1, "{berlin}");
    assert_eq!(berlin.matches("BEGIN:STANDARD").count(), 2, "{berlin}");
    assert!(!text.contains("Mars/Olympus_Mons"));
    assert!(text.contains("DTSTART:20300201T080000Z\r\n"));
    // UTC never changed: one standard observance.
    assert!(text.contains(
        "TZID:UTC\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000\r\nTZNAME:UTC\r\nEND:STANDARD\r\n"
    ));
    assert!(text.contains("DTSTART;TZID=UTC:20300201T080000\r\n"));
}

#[test]
fn offsets_are_written_with_seconds_only_when_there_are_any() {
    assert_eq!(utc_offset(offset(7)), "+0700");
    assert_eq!(utc_offset(offset(0)), "+0000");
    let kolkata = jiff::tz::Offset::from_seconds(19_800).expect("offset");
    assert_eq!(utc_offset(kolkata), "+0530");
    let st_johns = jiff::tz::Offset::from_seconds(-12_600).expect("offset");
    assert_eq!(utc_offset(st_johns), "-0330");
    let lmt = jiff::tz::Offset::from_seconds(25_632).expect("offset");
    assert_eq!(utc_offset(lmt), "+070712");
}
