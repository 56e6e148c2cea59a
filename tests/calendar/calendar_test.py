"""Reads the node's iCalendar output with a third-party parser (icalendar
from PyPI) and checks what calendar programs would make of it.

Usage: calendar_test.py DIR, where DIR holds what the calendar routes
answered (written by the web crate's test
`calendar_fixtures_for_a_third_party_parser`; run.sh does both):

- jakarta.ics: 19:00 to 21:00 Asia/Jakarta on 2030-03-01, with text that
  needs escaping and folding;
- berlin.ics, berlin-updated.ics, berlin-cancelled.ics: 20:00 on
  2030-03-30 to 12:00 on 2030-03-31 Europe/Berlin (across the change to
  summer time), then moved to 21:00, then cancelled;
- feed.ics: a member's feed, one event in Jakarta they hold a seat for and
  one in New York they wait for.

Each instant is read twice: as icalendar resolves the TZID (the IANA
database) and through the VTIMEZONE we wrote, which must agree.
"""

import datetime as dt
import pathlib
import sys
import traceback
from zoneinfo import ZoneInfo

from icalendar import Calendar

UTC = dt.timezone.utc
DIR = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/calendar-fixtures")

passed = 0
failed = 0


def case(fn):
    """Runs one check function and counts it."""
    global passed, failed
    try:
        fn()
    except Exception:  # noqa: BLE001 - every failure is reported
        failed += 1
        print(f"FAIL {fn.__name__}")
        traceback.print_exc()
    else:
        passed += 1
        print(f"ok   {fn.__name__}")
    return fn


def load(name):
    """The calendar in DIR/name, after checking its lines."""
    raw = (DIR / name).read_bytes()
    assert raw.endswith(b"\r\n"), f"{name}: no final CRLF"
    lines = raw.split(b"\r\n")[:-1]
    for line in lines:
        assert len(line) <= 75, f"{name}: {len(line)} octets: {line!r}"
        assert b"\n" not in line and b"\r" not in line, f"{name}: bare line break"
    # Folded lines cut no UTF-8 character in two.
    raw.replace(b"\r\n ", b"").decode("utf-8")
    return Calendar.from_ical(raw)


def events(cal):
    return cal.walk("VEVENT")


def the_event(cal):
    found = events(cal)
    assert len(found) == 1, found
    return found[0]


def by_summary(cal, summary):
    for event in events(cal):
        if str(event["SUMMARY"]) == summary:
            return event
    raise AssertionError(f"no event {summary!r}")


def own_zone(cal, tzid):
    """The tzinfo built from the calendar's own VTIMEZONE named tzid (not
    looked up in the IANA database)."""
    for vtz in cal.walk("VTIMEZONE"):
        if str(vtz["TZID"]) == tzid:
            return vtz.to_tz(lookup_tzid=False)
    raise AssertionError(f"no VTIMEZONE {tzid}")


def instant(cal, event, key):
    """The UTC instant of event[key], checked to be the same through the
    IANA database and through our VTIMEZONE."""
    prop = event[key]
    tzid = str(prop.params["TZID"])
    value = prop.dt
    assert isinstance(value, dt.datetime) and value.tzinfo is not None, value
    by_database = value.astimezone(UTC)
    naive = value.replace(tzinfo=None)
    assert naive.replace(tzinfo=ZoneInfo(tzid)).astimezone(UTC) == by_database
    tz = own_zone(cal, tzid)
    localize = getattr(tz, "localize", None)
    ours = localize(naive) if localize else naive.replace(tzinfo=tz)
    by_vtimezone = ours.astimezone(UTC)
    assert by_vtimezone == by_database, (key, tzid, by_vtimezone, by_database)
    return by_database


def at(*args):
    return dt.datetime(*args, tzinfo=UTC)


@case
def jakarta_evening_is_noon_utc():
    cal = load("jakarta.ics")
    event = the_event(cal)
    assert str(event["DTSTART"].params["TZID"]) == "Asia/Jakarta"
    assert event["DTSTART"].dt.hour == 19
    assert instant(cal, event, "DTSTART") == at(2030, 3, 1, 12)
    assert instant(cal, event, "DTEND") == at(2030, 3, 1, 14)
    vtz = cal.walk("VTIMEZONE")
    assert len(vtz) == 1 and not vtz[0].walk("DAYLIGHT"), vtz
    assert len(vtz[0].walk("STANDARD")) == 1


@case
def jakarta_text_survives_escaping_and_folding():
    event = the_event(load("jakarta.ics"))
    description = str(event["DESCRIPTION"])
    want = (
        "Back\\slash; semi, comma\nNew line — and a long line to fold: "
        + "東京 café " * 12
    ).strip()
    assert description == want, repr(description)
    assert str(event["SUMMARY"]) == "Rust Jakarta"
    assert str(event["LOCATION"]) == "Tech Hub, Jl. Sudirman 1, Jakarta, ID"
    geo = event["GEO"]
    assert (round(geo.latitude, 6), round(geo.longitude, 6)) == (-6.2, 106.816666)
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("SEQUENCE") == 0
    assert str(event["UID"]).endswith("@k.test")
    assert str(event["URL"]).startswith("https://k.test/events/")
    assert str(event["ORGANIZER"]) == "https://k.test/@alice"
    assert str(event["ORGANIZER"].params["CN"]) == "alice"
    assert [str(c) for c in event["CATEGORIES"].cats] == ["programming", "rust"]


@case
def berlin_across_the_change_to_summer_time():
    cal = load("berlin.ics")
    event = the_event(cal)
    assert str(event["DTSTART"].params["TZID"]) == "Europe/Berlin"
    # 20:00 CET (+01:00) to 12:00 CEST (+02:00): 15 hours, not 16.
    start = instant(cal, event, "DTSTART")
    end = instant(cal, event, "DTEND")
    assert start == at(2030, 3, 30, 19), start
    assert end == at(2030, 3, 31, 10), end
    assert end - start == dt.timedelta(hours=15)
    vtz = cal.walk("VTIMEZONE")[0]
    assert vtz.walk("DAYLIGHT") and vtz.walk("STANDARD"), vtz.to_ical()
    assert event.decoded("SEQUENCE") == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["LOCATION"]) == "https://meet.example/rust"


@case
def an_update_raises_the_sequence():
    before = the_event(load("berlin.ics"))
    cal = load("berlin-updated.ics")
    after = the_event(cal)
    assert str(after["UID"]) == str(before["UID"])
    assert after.decoded("SEQUENCE") > before.decoded("SEQUENCE")
    assert after.decoded("SEQUENCE") == 1
    assert after.decoded("DTSTAMP") >= before.decoded("DTSTAMP")
    assert instant(cal, after, "DTSTART") == at(2030, 3, 30, 20)
    assert instant(cal, after, "DTEND") == at(2030, 3, 31, 10)
    assert str(after["STATUS"]) == "CONFIRMED"


@case
def a_cancellation_says_cancelled():
    updated = the_event(load("berlin-updated.ics"))
    cal = load("berlin-cancelled.ics")
    cancelled = the_event(cal)
    assert str(cancelled["UID"]) == str(updated["UID"])
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert cancelled.decoded("SEQUENCE") == 2


@case
def a_members_feed_in_two_zones():
    cal = load("feed.ics")
    assert str(cal["X-WR-CALNAME"]) == "bob's events"
    assert sorted(str(z["TZID"]) for z in cal.walk("VTIMEZONE")) == [
        "America/New_York",
        "Asia/Jakarta",
    ]
    seat = by_summary(cal, "Registered talk")
    waiting = by_summary(cal, "Waitlisted workshop")
    assert str(seat["STATUS"]) == "CONFIRMED"
    assert str(waiting["STATUS"]) == "TENTATIVE"
    for event in (seat, waiting):
        start = instant(cal, event, "DTSTART")
        end = instant(cal, event, "DTEND")
        assert end > start
        assert start > dt.datetime.now(UTC)


print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
