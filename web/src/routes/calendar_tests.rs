//! The calendar routes without a socket: who sees which calendar, their
//! media type, the member feed's secret URL and its revocation. With
//! `KODEON_CALENDAR_FIXTURES=DIR` set, one test also writes what the
//! routes answered to DIR for a third-party parser (tests/calendar/).

use axum::http::StatusCode;
use node::community_events::{EventUpdate, LocationInput, NewEvent, TimeInput};
use node::groups::{GroupFeatures, NewGroup};
use node::model::now_ms;
use node::{Id, Viewer};

use crate::routes::test_api::{Answer, TestApi};

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

impl Answer {
    /// Asserts a 200 calendar and returns its unfolded lines.
    #[track_caller]
    fn calendar(&self) -> Vec<String> {
        assert_eq!(self.status, StatusCode::OK, "{}", self.body);
        assert_eq!(self.content_type(), "text/calendar; charset=utf-8");
        assert!(
            self.body.starts_with("BEGIN:VCALENDAR\r\n"),
            "{}",
            self.body
        );
        self.body
            .replace("\r\n ", "")
            .split("\r\n")
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    }
}

fn app() -> TestApi {
    TestApi::new()
}

impl TestApi {
    /// An anonymous `GET uri`.
    async fn get(&self, uri: &str) -> Answer {
        self.request(None, "GET", uri).await
    }

    /// A group `name` of `owner`, with events, `visibility` public or
    /// private.
    async fn group(&self, owner: &Viewer, name: &str, visibility: &str) {
        self.node
            .create_group(
                owner,
                NewGroup {
                    name: name.into(),
                    visibility: Some(visibility.into()),
                    features: Some(GroupFeatures {
                        events: true,
                        ..GroupFeatures::default()
                    }),
                    ..NewGroup::default()
                },
            )
            .await
            .expect("group");
    }

    /// Creates `new` as `by`; its id.
    async fn event(&self, by: &Viewer, new: NewEvent) -> Id {
        self.node
            .create_event(by, new)
            .await
            .expect("event")
            .event
            .id
    }
}

/// An offline event `title` in `zone`, from `start` for two hours.
fn new_event(title: &str, zone: &str, start: TimeInput, end: TimeInput) -> NewEvent {
    NewEvent {
        title: title.into(),
        description: Some("Talks; food, drinks\nand **more**.".into()),
        start: Some(start),
        end: Some(end),
        timezone: zone.into(),
        location: Some(LocationInput {
            name: "Tech Hub".into(),
            address: "Jl. Sudirman 1".into(),
            locality: "Jakarta".into(),
            country: "ID".into(),
            lat: Some(-6.2),
            lon: Some(106.816666),
        }),
        category: Some("programming".into()),
        tags: vec!["rust".into()],
        ..NewEvent::default()
    }
}

/// An event `title` starting in `days` days, in Jakarta.
fn soon(title: &str, days: i64) -> NewEvent {
    let start = now_ms() + days * DAY;
    new_event(
        title,
        "Asia/Jakarta",
        TimeInput::Ms(start),
        TimeInput::Ms(start + 2 * HOUR),
    )
}

/// The values of the `name` lines (`NAME:` or `NAME;…:`) of `lines`.
fn values<'a>(lines: &'a [String], name: &str) -> Vec<&'a str> {
    lines
        .iter()
        .filter(|l| {
            l.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with(':') || rest.starts_with(';'))
        })
        .filter_map(|l| l.split_once(':').map(|(_, v)| v))
        .collect()
}

/// The `STATUS` of the event whose `SUMMARY` is `summary`.
fn status_of(lines: &[String], summary: &str) -> Option<String> {
    let start = lines
        .iter()
        .position(|l| *l == format!("SUMMARY:{summary}"))?;
    lines[start..]
        .iter()
        .take_while(|l| *l != "END:VEVENT")
        .find_map(|l| l.strip_prefix("STATUS:").map(str::to_string))
}

#[tokio::test]
async fn an_event_is_a_calendar_for_anyone_who_may_see_it() {
    let a = app();
    let alice = a.viewer("alice").await;
    let id = a
        .event(
            &alice,
            new_event(
                "Rust Jakarta",
                "Asia/Jakarta",
                TimeInput::Text("2030-03-01T19:00".into()),
                TimeInput::Text("2030-03-01T21:00".into()),
            ),
        )
        .await;
    let lines = a.get(&format!("/events/{id}.ics")).await.calendar();
    for want in [
        format!("UID:{id}@k.test"),
        "DTSTART;TZID=Asia/Jakarta:20300301T190000".into(),
        "DTEND;TZID=Asia/Jakarta:20300301T210000".into(),
        "SUMMARY:Rust Jakarta".into(),
        "DESCRIPTION:Talks\\; food\\, drinks\\nand **more**.".into(),
        "LOCATION:Tech Hub\\, Jl. Sudirman 1\\, Jakarta\\, ID".into(),
        "GEO:-6.200000;106.816666".into(),
        format!("URL:https://k.test/events/{id}"),
        "STATUS:CONFIRMED".into(),
        "SEQUENCE:0".into(),
        "ORGANIZER;CN=alice:https://k.test/@alice".into(),
        "CATEGORIES:programming,rust".into(),
        "TZID:Asia/Jakarta".into(),
    ] {
        assert!(lines.contains(&want), "{want} missing: {lines:#?}");
    }
    assert_eq!(
        values(&lines, "BEGIN"),
        ["VCALENDAR", "VTIMEZONE", "STANDARD", "VEVENT"]
    );

    // The event's page (the members' app) is no calendar.
    let page = a.get(&format!("/events/{id}")).await;
    assert_ne!(page.status, StatusCode::OK, "the page is for members");
    // An .ics name that names no event is no calendar.
    for uri in [
        "/events/.ics".to_string(),
        "/events/not-an-id.ics".to_string(),
        format!("/events/{}.ics", Id::from_bytes([7; 16])),
    ] {
        let answer = a.get(&uri).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(answer.json()["error"].is_string(), "{uri}");
    }

    // A draft is its organisers' only; a private group's events are its
    // members'.
    let mut draft = soon("Draft", 3);
    draft.status = Some("draft".into());
    let draft = a.event(&alice, draft).await;
    assert_eq!(
        a.get(&format!("/events/{draft}.ics")).await.status,
        StatusCode::NOT_FOUND
    );
    a.group(&alice, "secret", "private").await;
    let mut hidden = soon("Hidden", 3);
    hidden.group = Some("secret".into());
    let hidden = a.event(&alice, hidden).await;
    assert_eq!(
        a.get(&format!("/events/{hidden}.ics")).await.status,
        StatusCode::NOT_FOUND
    );

    // A public group's event names the group as its organiser.
    a.group(&alice, "rust", "public").await;
    let mut open = soon("Group meetup", 3);
    open.group = Some("rust".into());
    let open = a.event(&alice, open).await;
    let lines = a.get(&format!("/events/{open}.ics")).await.calendar();
    assert_eq!(values(&lines, "ORGANIZER"), ["https://k.test/@rust"]);
}

#[tokio::test]
async fn changes_raise_the_sequence_and_a_cancelled_event_says_so() {
    let a = app();
    let alice = a.viewer("alice").await;
    let id = a.event(&alice, soon("Moving", 5)).await;
    let uri = format!("/events/{id}.ics");
    assert_eq!(values(&a.get(&uri).await.calendar(), "SEQUENCE"), ["0"]);
    let later = now_ms() + 6 * DAY;
    a.node
        .update_event(
            &alice,
            id,
            EventUpdate {
                start: Some(TimeInput::Ms(later)),
                end: Some(TimeInput::Ms(later + HOUR)),
                ..EventUpdate::default()
            },
        )
        .await
        .expect("update");
    let lines = a.get(&uri).await.calendar();
    assert_eq!(values(&lines, "SEQUENCE"), ["1"]);
    assert_eq!(values(&lines, "UID"), [format!("{id}@k.test")]);
    a.node.cancel_event(&alice, id).await.expect("cancel");
    let lines = a.get(&uri).await.calendar();
    assert_eq!(values(&lines, "SEQUENCE"), ["2"]);
    assert_eq!(values(&lines, "STATUS"), ["CANCELLED"]);
}

#[tokio::test]
async fn a_public_group_and_the_node_have_feeds() {
    let a = app();
    let alice = a.viewer("alice").await;
    a.group(&alice, "rust", "public").await;
    a.group(&alice, "secret", "private").await;
    let mut in_group = soon("Group meetup", 2);
    in_group.group = Some("rust".into());
    a.event(&alice, in_group).await;
    let mut in_secret = soon("Secret meetup", 2);
    in_secret.group = Some("secret".into());
    a.event(&alice, in_secret).await;
    a.event(&alice, soon("Alice's own", 4)).await;
    let mut draft = soon("Draft", 4);
    draft.status = Some("draft".into());
    a.event(&alice, draft).await;

    let lines = a.get("/groups/rust/calendar.ics").await.calendar();
    assert_eq!(values(&lines, "SUMMARY"), ["Group meetup"]);
    assert_eq!(values(&lines, "X-WR-CALNAME"), ["rust events"]);
    assert_eq!(values(&lines, "REFRESH-INTERVAL"), ["PT60M"]);
    for uri in [
        "/groups/secret/calendar.ics",
        "/groups/nobody/calendar.ics",
        "/groups/alice/calendar.ics",
    ] {
        assert_eq!(a.get(uri).await.status, StatusCode::NOT_FOUND, "{uri}");
    }

    let lines = a.get("/events.ics").await.calendar();
    assert_eq!(values(&lines, "SUMMARY"), ["Group meetup", "Alice's own"]);
    // Both in Jakarta: its zone is written once.
    assert_eq!(values(&lines, "TZID"), ["Asia/Jakarta"]);
}

#[tokio::test]
async fn a_members_feed_is_at_a_secret_url_until_revoked() {
    let a = app();
    let alice = a.viewer("alice").await;
    let bob = a.viewer("bob").await;
    let carol = a.viewer("carol").await;
    let talk = a.event(&alice, soon("Registered talk", 2)).await;
    let mut small = soon("Waitlisted workshop", 3);
    small.capacity = Some(1);
    let workshop = a.event(&alice, small).await;
    a.event(&alice, soon("Not registered", 4)).await;
    a.node
        .register_for_event(&bob, talk, false)
        .await
        .expect("register");
    a.node
        .register_for_event(&carol, workshop, false)
        .await
        .expect("seat");
    a.node
        .register_for_event(&bob, workshop, false)
        .await
        .expect("waitlist");

    // Signed in, with a full login.
    assert_eq!(
        a.request(None, "GET", "/api/kodeon/v1/me/calendar")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let scoped = a.token("bob", &["read", "write"]).await;
    assert_eq!(
        a.request(Some(&scoped), "GET", "/api/kodeon/v1/me/calendar")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let token = a.token("bob", &[]).await;
    let answer = a
        .request(Some(&token), "GET", "/api/kodeon/v1/me/calendar")
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let url = answer.json()["url"].as_str().expect("url").to_string();
    assert!(
        url.starts_with("https://k.test/calendar/") && url.ends_with(".ics"),
        "{url}"
    );
    // The same URL every time; the store holds only its hash.
    let again = a
        .request(Some(&token), "GET", "/api/kodeon/v1/me/calendar")
        .await;
    assert_eq!(again.json()["url"], url.as_str());
    let secret = url
        .trim_start_matches("https://k.test/calendar/")
        .trim_end_matches(".ics");
    assert!(secret.len() >= 43, "{secret}");

    let path = url.trim_start_matches("https://k.test");
    let feed = a.get(path).await;
    let lines = feed.calendar();
    assert_eq!(
        values(&lines, "SUMMARY"),
        ["Registered talk", "Waitlisted workshop"]
    );
    assert_eq!(
        status_of(&lines, "Registered talk").as_deref(),
        Some("CONFIRMED")
    );
    assert_eq!(
        status_of(&lines, "Waitlisted workshop").as_deref(),
        Some("TENTATIVE")
    );
    assert_eq!(values(&lines, "X-WR-CALNAME"), ["bob's events"]);
    // Each member has their own.
    let carols = a.token("carol", &[]).await;
    let carol_url = a
        .request(Some(&carols), "GET", "/api/kodeon/v1/me/calendar")
        .await
        .json()["url"]
        .as_str()
        .expect("url")
        .to_string();
    assert_ne!(carol_url, url);
    let lines = a
        .get(carol_url.trim_start_matches("https://k.test"))
        .await
        .calendar();
    assert_eq!(values(&lines, "SUMMARY"), ["Waitlisted workshop"]);
    assert_eq!(
        status_of(&lines, "Waitlisted workshop").as_deref(),
        Some("CONFIRMED")
    );

    // A cancelled event stays in the feed, cancelled.
    a.node.cancel_event(&alice, talk).await.expect("cancel");
    let lines = a.get(path).await.calendar();
    assert_eq!(
        status_of(&lines, "Registered talk").as_deref(),
        Some("CANCELLED")
    );

    // Revoked: the old URL is gone, the next one is new.
    let revoked = a
        .request(Some(&token), "DELETE", "/api/kodeon/v1/me/calendar")
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    assert_eq!(a.get(path).await.status, StatusCode::NOT_FOUND);
    let fresh = a
        .request(Some(&token), "GET", "/api/kodeon/v1/me/calendar")
        .await
        .json()["url"]
        .as_str()
        .expect("url")
        .to_string();
    assert_ne!(fresh, url);
    a.get(fresh.trim_start_matches("https://k.test"))
        .await
        .calendar();
    assert_eq!(a.get(path).await.status, StatusCode::NOT_FOUND);

    for uri in [
        "/calendar/nothing.ics",
        "/calendar/.ics",
        "/calendar/x",
        &format!("/calendar/{secret}"),
    ] {
        assert_eq!(a.get(uri).await.status, StatusCode::NOT_FOUND, "{uri}");
    }
}

/// Writes the answers a third-party parser checks (tests/calendar/) to
/// `KODEON_CALENDAR_FIXTURES`, when it is set: one event in Jakarta, one
/// across Berlin's change to summer time before and after a change and a
/// cancellation, and a member's feed in two zones with a waitlisted event.
#[tokio::test]
async fn calendar_fixtures_for_a_third_party_parser() {
    let a = app();
    let alice = a.viewer("alice").await;
    let bob = a.viewer("bob").await;
    let mut files = Vec::new();

    let jakarta = new_event(
        "Rust Jakarta",
        "Asia/Jakarta",
        TimeInput::Text("2030-03-01T19:00".into()),
        TimeInput::Text("2030-03-01T21:00".into()),
    );
    let mut jakarta = jakarta;
    jakarta.description = Some(format!(
        "Back\\slash; semi, comma\nNew line — and a long line to fold: {}",
        "東京 café ".repeat(12)
    ));
    let id = a.event(&alice, jakarta).await;
    files.push(("jakarta.ics", a.get(&format!("/events/{id}.ics")).await));

    let mut berlin = new_event(
        "Berlin overnight",
        "Europe/Berlin",
        TimeInput::Text("2030-03-30T20:00".into()),
        TimeInput::Text("2030-03-31T12:00".into()),
    );
    berlin.location = None;
    berlin.format = Some("online".into());
    berlin.online_url = Some("https://meet.example/rust".into());
    let id = a.event(&alice, berlin).await;
    let uri = format!("/events/{id}.ics");
    files.push(("berlin.ics", a.get(&uri).await));
    a.node
        .update_event(
            &alice,
            id,
            EventUpdate {
                start: Some(TimeInput::Text("2030-03-30T21:00".into())),
                ..EventUpdate::default()
            },
        )
        .await
        .expect("update");
    files.push(("berlin-updated.ics", a.get(&uri).await));
    a.node.cancel_event(&alice, id).await.expect("cancel");
    files.push(("berlin-cancelled.ics", a.get(&uri).await));

    let talk = a.event(&alice, soon("Registered talk", 2)).await;
    let start = now_ms() + 3 * DAY;
    let mut workshop = new_event(
        "Waitlisted workshop",
        "America/New_York",
        TimeInput::Ms(start),
        TimeInput::Ms(start + 3 * HOUR),
    );
    workshop.capacity = Some(0);
    let workshop = a.event(&alice, workshop).await;
    a.node
        .register_for_event(&bob, talk, false)
        .await
        .expect("register");
    a.node
        .register_for_event(&bob, workshop, false)
        .await
        .expect("waitlist");
    let token = a.token("bob", &[]).await;
    let url = a
        .request(Some(&token), "GET", "/api/kodeon/v1/me/calendar")
        .await
        .json()["url"]
        .as_str()
        .expect("url")
        .to_string();
    files.push((
        "feed.ics",
        a.get(url.trim_start_matches("https://k.test")).await,
    ));

    for (name, answer) in &files {
        answer.calendar();
        for line in answer.body.split("\r\n") {
            assert!(line.len() <= 75, "{name}: {} octets: {line}", line.len());
        }
    }
    if let Some(dir) = std::env::var_os("KODEON_CALENDAR_FIXTURES") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("fixtures directory");
        for (name, answer) in &files {
            std::fs::write(dir.join(name), &answer.body).expect("fixture");
        }
    }
}
