//! An event told in a line of text: when (in its own time zone, with the
//! zone's name) and where. The members' app shows it, and the `Event`
//! object carries it as `summary`, which is what Mastodon shows of an
//! event besides its name and link.

use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};

use super::model::{CommunityEvent, EventFormat};

/// The zone named `name`, or UTC when the database has no such zone (the
/// node checked it when the event was made, so only a later database
/// could lack it).
pub fn zone(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap_or(TimeZone::UTC)
}

/// The instant `ms` in the zone `tz` (the epoch for an instant out of
/// range, which the node's checks keep out).
pub fn zoned(ms: i64, tz: &TimeZone) -> Zoned {
    Timestamp::from_millisecond(ms)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned(tz.clone())
}

/// From `start` to `end` in the zone `zone_name`, with its name: "Sat 15
/// Feb 2031, 19:00–21:00 (Asia/Jakarta)", or both days when it ends on
/// another day.
pub fn span_text(start: i64, end: i64, zone_name: &str) -> String {
    let tz = zone(zone_name);
    let (s, e) = (zoned(start, &tz), zoned(end, &tz));
    let day = |z: &Zoned| z.strftime("%a %-d %b %Y").to_string();
    let hm = |z: &Zoned| z.strftime("%H:%M").to_string();
    if s.date() == e.date() {
        format!("{}, {}–{} ({zone_name})", day(&s), hm(&s), hm(&e))
    } else {
        format!(
            "{}, {} – {}, {} ({zone_name})",
            day(&s),
            hm(&s),
            day(&e),
            hm(&e)
        )
    }
}

/// Where `event` happens, in words: the place's name, address, town and
/// country that are set, then "online" for online and hybrid events
/// ("Tech Hub, Jl. Sudirman 1, Jakarta, Indonesia · and online").
pub fn place_text(event: &CommunityEvent) -> String {
    let place = event
        .location
        .as_ref()
        .map(|l| {
            [&l.name, &l.address, &l.locality, &l.country]
                .into_iter()
                .map(|part| part.trim())
                .filter(|part| !part.is_empty())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    match (event.format, place.is_empty()) {
        (EventFormat::Online, _) => "Online".to_string(),
        (EventFormat::Hybrid, true) => "Online".to_string(),
        (EventFormat::Hybrid, false) => format!("{place} · and online"),
        (EventFormat::Offline, _) => place,
    }
}

/// When and where `event` happens, in one line: "Sat 15 Feb 2031,
/// 19:00–21:00 (Asia/Jakarta) · Tech Hub, Jakarta, Indonesia".
pub fn summary_text(event: &CommunityEvent) -> String {
    let when = span_text(event.start, event.end, &event.timezone);
    let place = place_text(event);
    if place.is_empty() {
        when
    } else {
        format!("{when} · {place}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_span_is_told_in_the_events_zone_with_its_name() {
        // 2031-02-15T12:00:00Z is 19:00 in Jakarta (UTC+7).
        let start = 1_928_923_200_000;
        let text = span_text(start, start + 2 * 3_600_000, "Asia/Jakarta");
        assert_eq!(text, "Sat 15 Feb 2031, 19:00–21:00 (Asia/Jakarta)");
        let text = span_text(start, start + 30 * 3_600_000, "Asia/Jakarta");
        assert_eq!(
            text,
            "Sat 15 Feb 2031, 19:00 – Mon 17 Feb 2031, 01:00 (Asia/Jakarta)"
        );
    }
}
