//! The members' app's event pages through the router (no socket): the
//! list, calendar, event and participants pages, the create and edit
//! forms, registering onto the waitlist, cancelling a registration,
//! check-in, cancelling an event, and the form tokens of every event
//! form.

use axum::http::StatusCode;
use node::community_events::{LocationInput, NewEvent, RegistrationState, TimeInput};
use node::groups::{GroupFeatures, NewGroup};
use node::model::Role;
use node::Id;

use super::tests::{app_with, session, viewer, App};
use crate::test_support::{send, Reply};
use crate::WebSettings;

/// 2031-02-15T19:00 in Asia/Jakarta (UTC+7), in ms.
const START_MS: i64 = 1_928_923_200_000;

/// A node with bob, carol and dave.
async fn app() -> App {
    let members = [
        ("bob", Role::Member),
        ("carol", Role::Member),
        ("dave", Role::Member),
    ];
    app_with(&members, |_| {}, WebSettings::default()).await
}

/// Creates a meetup organised by `owner` through the node: Saturday 15
/// February 2031, 19:00–21:00 in Jakarta, at a place with coordinates,
/// with `capacity` seats.
async fn event(a: &App, owner: &str, capacity: Option<i64>) -> Id {
    a.node
        .create_event(
            &viewer(a, owner),
            NewEvent {
                title: "Rust meetup".into(),
                description: Some("Talks about **Rust**.".into()),
                start: Some(TimeInput::Text("2031-02-15T19:00".into())),
                end: Some(TimeInput::Text("2031-02-15T21:00".into())),
                timezone: "Asia/Jakarta".into(),
                format: Some("hybrid".into()),
                location: Some(LocationInput {
                    name: "Tech Hub".into(),
                    locality: "Jakarta".into(),
                    lat: Some(-6.2),
                    lon: Some(106.8),
                    ..LocationInput::default()
                }),
                online_url: Some("https://meet.example/rust".into()),
                capacity,
                category: Some("programming".into()),
                ..NewEvent::default()
            },
        )
        .await
        .expect("event")
        .event
        .id
}

/// Where `who` stands with the event `id`, as the node sees it.
fn state(a: &App, who: &str, id: Id) -> Option<RegistrationState> {
    a.node
        .event(&viewer(a, who), id)
        .expect("event")
        .viewer
        .map(|v| v.state)
}

async fn post(a: &App, cookie: &str, uri: &str, form: &str) -> Reply {
    send(&a.app, "POST", uri, Some(cookie), form).await
}

async fn get(a: &App, cookie: &str, uri: &str) -> Reply {
    send(&a.app, "GET", uri, Some(cookie), "").await
}

/// A complete create form with `csrf`, `extra` appended (later fields win).
fn create_form(csrf: &str, extra: &str) -> String {
    format!(
        "csrf={csrf}&title=Hack+night&description=Bring+a+**laptop**.&type=hackathon\
         &timezone=Asia%2FJakarta&start=2031-03-01T18%3A00&end=2031-03-01T23%3A30\
         &format=offline&location_name=Tech+Hub&location_address=Jl.+Sudirman+1\
         &location_locality=Jakarta&location_country=Indonesia&location_lat=-6.2\
         &location_lon=106.8&online_url=&capacity=30&registration=open\
         &registration_opens=&registration_closes=&status=open&category=programming\
         &tags=rust+hack&group={extra}"
    )
}

#[tokio::test]
async fn the_pages_render_for_a_member_and_send_others_to_sign_in() {
    let a = app().await;
    let id = event(&a, "bob", Some(10)).await;
    let (cookie, _) = session(&a.app, "carol").await;

    let list = get(&a, &cookie, "/events").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(
        list.body.contains("<a href=\"/events\">Events</a>"),
        "the nav links the events"
    );
    assert!(list
        .body
        .contains(&format!("<a href=\"/events/{id}\">Rust meetup</a>")));
    assert!(
        list.body
            .contains("Sat 15 Feb 2031, 19:00–21:00 (Asia/Jakarta)"),
        "{}",
        list.body
    );
    assert!(list.body.contains("datetime=\"2031-02-15T12:00:00Z\""));
    assert!(list.body.contains("10 of 10 seats left"));
    assert!(list.body.contains("<label for=\"radius_km\">"));

    let page = get(&a, &cookie, &format!("/events/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("<h1>Rust meetup</h1>"));
    assert!(
        page.body.contains("<strong>Rust</strong>"),
        "the description as HTML"
    );
    assert!(
        page.body
            .contains("https://www.openstreetmap.org/?mlat=-6.2&#38;mlon=106.8"),
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains(&format!("href=\"/events/{id}.ics\">Add to calendar</a>")));
    assert!(page.body.contains("https://meet.example/rust"));
    assert!(page.body.contains("Show my name to other participants"));
    assert!(
        !page.body.contains("Edit the event"),
        "carol does not organise it"
    );

    for uri in [
        "/events?tab=mine".to_string(),
        "/events?tab=past".to_string(),
        "/events/new".to_string(),
        format!("/events/{id}/participants"),
    ] {
        let r = get(&a, &cookie, &uri).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.body);
    }
    // The month's calendar puts it on its day.
    let cal = get(&a, &cookie, "/events?view=calendar&month=2031-02").await;
    assert_eq!(cal.status, StatusCode::OK, "{}", cal.body);
    assert!(cal.body.contains("February 2031"));
    assert!(
        cal.body
            .contains("<time datetime=\"2031-02-15\">15</time><ul><li>19:00 <a"),
        "{}",
        cal.body
    );

    // Its edit form is for its organisers.
    let r = get(&a, &cookie, &format!("/events/{id}/edit")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let (bob, _) = session(&a.app, "bob").await;
    let r = get(&a, &bob, &format!("/events/{id}/edit")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("value=\"2031-02-15T19:00\""),
        "the start in its zone"
    );
    assert!(r.body.contains("value=\"Asia/Jakarta\""));

    // Anonymous: to the sign-in page, from every page and form.
    for uri in ["/events", "/events/new", &format!("/events/{id}")] {
        send(&a.app, "GET", uri, None, "").await.assert_to_sign_in();
    }
    send(&a.app, "POST", &format!("/events/{id}/register"), None, "")
        .await
        .assert_to_sign_in();
    assert_eq!(list.body.matches("Rust meetup").count(), 1);
}

#[tokio::test]
async fn an_event_is_created_through_the_form_and_errors_stay_on_it() {
    let a = app().await;
    let (cookie, csrf) = session(&a.app, "bob").await;
    let page = get(&a, &cookie, "/events/new").await;
    assert!(page.body.contains("<label for=\"start\">"));
    assert!(page.body.contains("type=\"datetime-local\""));
    assert!(page.body.contains("<datalist id=\"zones\">"));

    // An unknown zone: 422 next to it, everything typed kept.
    let r = post(
        &a,
        &cookie,
        "/events",
        &create_form(&csrf, "&timezone=Mars%2FOlympus"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"timezone-error\""), "{}", r.body);
    assert!(r.body.contains("aria-describedby=\"timezone-error\""));
    assert!(r.body.contains("value=\"Mars/Olympus\""));
    assert!(r.body.contains("value=\"Hack night\""));
    assert!(r.body.contains("value=\"2031-03-01T18:00\""));
    assert!(r.body.contains("Bring a **laptop**."));
    // The end before the start: next to the end.
    let r = post(
        &a,
        &cookie,
        "/events",
        &create_form(&csrf, "&end=2031-03-01T17%3A00"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"end-error\""), "{}", r.body);
    // Seats that are no number, a negative capacity: next to the seats.
    let r = post(
        &a,
        &cookie,
        "/events",
        &create_form(&csrf, "&capacity=lots"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"capacity-error\""), "{}", r.body);
    assert!(r.body.contains("value=\"lots\""));
    let r = post(&a, &cookie, "/events", &create_form(&csrf, "&capacity=-1")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"capacity-error\""), "{}", r.body);
    // A latitude out of range: next to it.
    let r = post(
        &a,
        &cookie,
        "/events",
        &create_form(&csrf, "&location_lat=95"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"location_lat-error\""), "{}", r.body);
    assert!(a
        .node
        .my_events(&viewer(&a, "bob"), None, None, None)
        .expect("mine")
        .items
        .is_empty());

    let r = post(&a, &cookie, "/events", &create_form(&csrf, "")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let to = r.location().to_string();
    let id: Id = to
        .trim_start_matches("/events/")
        .trim_end_matches("?done=created")
        .parse()
        .expect("the event's page");
    let view = a.node.event(&viewer(&a, "bob"), id).expect("created");
    // 18:00 in Jakarta is 11:00 UTC.
    assert_eq!(view.event.start, START_MS + 14 * 86_400_000 - 3_600_000);
    assert_eq!(view.event.timezone, "Asia/Jakarta");
    assert_eq!(view.event.capacity, Some(30));
    assert_eq!(view.event.tags, ["rust", "hack"]);
    assert!(view.can_edit);
    let page = get(&a, &cookie, &to).await;
    assert!(page.body.contains("The event is created."));
    assert!(
        page.body
            .contains("Sat 1 Mar 2031, 18:00–23:30 (Asia/Jakarta)"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Edit the event"));

    // The edit form: a bad field keeps what was typed; a good one saves.
    let edit = format!("/events/{id}/edit");
    let form = create_form(&csrf, "&title=Hack+night+II&online_url=not+a+url");
    let r = post(&a, &cookie, &edit, &form).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"online_url-error\""), "{}", r.body);
    assert!(r.body.contains("value=\"Hack night II\""));
    let r = post(
        &a,
        &cookie,
        &edit,
        &create_form(&csrf, "&title=Hack+night+II&start=2031-03-01T19%3A00"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), format!("/events/{id}?done=saved"));
    let view = a.node.event(&viewer(&a, "bob"), id).expect("saved");
    assert_eq!(view.event.title, "Hack night II");
    assert_eq!(view.event.start, START_MS + 14 * 86_400_000);
}

#[tokio::test]
async fn a_group_the_member_moderates_can_organise_the_event() {
    let a = app().await;
    a.node
        .create_group(
            &viewer(&a, "bob"),
            NewGroup {
                name: "rustaceans".into(),
                display_name: Some("Rust friends".into()),
                features: Some(GroupFeatures {
                    events: true,
                    ..GroupFeatures::default()
                }),
                ..NewGroup::default()
            },
        )
        .await
        .expect("group");
    let (cookie, csrf) = session(&a.app, "bob").await;
    let page = get(&a, &cookie, "/events/new").await;
    assert!(
        page.body
            .contains("<option value=\"rustaceans\">Rust friends (@rustaceans)</option>"),
        "{}",
        page.body
    );
    let (carol, _) = session(&a.app, "carol").await;
    let page = get(&a, &carol, "/events/new").await;
    assert!(
        !page.body.contains("rustaceans"),
        "carol moderates no group"
    );

    let r = post(&a, &cookie, "/events", &create_form(&csrf, "rustaceans")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = get(&a, &cookie, r.location()).await;
    assert!(
        page.body
            .contains("Organised by the group <a href=\"/g/rustaceans\">Rust friends</a>"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn registering_when_full_waits_and_a_cancelled_seat_goes_to_the_waitlist() {
    let a = app().await;
    let id = event(&a, "bob", Some(1)).await;
    let (carol, carol_csrf) = session(&a.app, "carol").await;
    let (dave, dave_csrf) = session(&a.app, "dave").await;
    let register = format!("/events/{id}/register");

    let r = post(
        &a,
        &carol,
        &register,
        &format!("csrf={carol_csrf}&listed=true"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), format!("/events/{id}?done=registered"));
    assert_eq!(state(&a, "carol", id), Some(RegistrationState::Registered));
    let page = get(&a, &carol, r.location()).await;
    assert!(page.body.contains("You are registered"));
    assert!(page.body.contains("Registered: you have a seat"));
    assert!(page.body.contains("Cancel my registration"));

    let r = post(&a, &dave, &register, &format!("csrf={dave_csrf}")).await;
    assert_eq!(r.location(), format!("/events/{id}?done=waitlisted"));
    assert_eq!(state(&a, "dave", id), Some(RegistrationState::Waitlisted));
    let page = get(&a, &dave, r.location()).await;
    assert!(page.body.contains("On the waitlist"), "{}", page.body);
    assert!(
        page.body.contains("Full (1 seats), 1 on the waitlist"),
        "{}",
        page.body
    );
    // The member's tab lists it with their state.
    let mine = get(&a, &dave, "/events?tab=mine").await;
    assert!(mine.body.contains("You: waitlisted"), "{}", mine.body);

    // Others see carol, who chose to be listed, and not dave.
    let list = get(&a, &dave, &format!("/events/{id}/participants")).await;
    assert!(list.body.contains("href=\"/@carol\""));
    assert!(!list.body.contains("href=\"/@dave\""));
    assert!(!list.body.contains("Check in"));

    let r = post(
        &a,
        &carol,
        &format!("/events/{id}/unregister"),
        &format!("csrf={carol_csrf}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), format!("/events/{id}?done=unregistered"));
    assert_eq!(state(&a, "carol", id), None);
    assert_eq!(state(&a, "dave", id), Some(RegistrationState::Registered));
}

#[tokio::test]
async fn organisers_check_in_and_a_cancelled_event_says_so() {
    let a = app().await;
    let id = event(&a, "bob", None).await;
    let (bob, bob_csrf) = session(&a.app, "bob").await;
    let (carol, carol_csrf) = session(&a.app, "carol").await;
    let r = post(
        &a,
        &carol,
        &format!("/events/{id}/register"),
        &format!("csrf={carol_csrf}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    let list = get(&a, &bob, &format!("/events/{id}/participants")).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("@carol"), "organisers see everyone");
    assert!(list
        .body
        .contains(&format!("/events/{id}/participants/carol/checkin")));
    // Carol cannot check herself in.
    let r = post(
        &a,
        &carol,
        &format!("/events/{id}/participants/carol/checkin"),
        &format!("csrf={carol_csrf}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = post(
        &a,
        &bob,
        &format!("/events/{id}/participants/carol/checkin"),
        &format!("csrf={bob_csrf}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        r.location(),
        format!("/events/{id}/participants?done=checkedin")
    );
    let list = get(&a, &bob, r.location()).await;
    assert!(list.body.contains("checked in at"), "{}", list.body);
    assert!(list.body.contains("1 checked in"));

    // Going live: a bad link stays by its field.
    let r = post(
        &a,
        &bob,
        &format!("/events/{id}/live"),
        &format!("csrf={bob_csrf}&stream_url=nope"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"live-error\""));
    let r = post(
        &a,
        &bob,
        &format!("/events/{id}/live"),
        &format!("csrf={bob_csrf}&stream_url=https%3A%2F%2Fstream.example%2Fr"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = get(&a, &carol, &format!("/events/{id}")).await;
    assert!(page.body.contains("https://stream.example/r"));

    // Cancelling needs its box ticked.
    let cancel = format!("/events/{id}/cancel");
    let r = post(&a, &bob, &cancel, &format!("csrf={bob_csrf}")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"cancel-error\""));
    let r = post(
        &a,
        &carol,
        &cancel,
        &format!("csrf={carol_csrf}&confirm=yes"),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "only organisers cancel");
    let r = post(&a, &bob, &cancel, &format!("csrf={bob_csrf}&confirm=yes")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = get(&a, &carol, &format!("/events/{id}")).await;
    assert!(
        page.body
            .contains("class=\"cancelled\" role=\"status\">Cancelled"),
        "{}",
        page.body
    );
    assert!(!page.body.contains(">Register</button>"));
    // Registering for it now: the node's 409 with its reason.
    let (dave, dave_csrf) = session(&a.app, "dave").await;
    let r = post(
        &a,
        &dave,
        &format!("/events/{id}/register"),
        &format!("csrf={dave_csrf}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("the event is cancelled"), "{}", r.body);
}

#[tokio::test]
async fn every_event_form_needs_its_token() {
    let a = app().await;
    let id = event(&a, "bob", None).await;
    let (bob, bob_csrf) = session(&a.app, "bob").await;
    let (carol, _) = session(&a.app, "carol").await;
    for (who, uri, form) in [
        (&bob, "/events".to_string(), create_form("forged", "")),
        (
            &bob,
            format!("/events/{id}/edit"),
            create_form("forged", ""),
        ),
        (
            &carol,
            format!("/events/{id}/register"),
            "csrf=forged".into(),
        ),
        (&carol, format!("/events/{id}/unregister"), String::new()),
        (&bob, format!("/events/{id}/cancel"), "confirm=yes".into()),
        (
            &bob,
            format!("/events/{id}/live"),
            "stream_url=https%3A%2F%2Fs.example".into(),
        ),
        (
            &bob,
            format!("/events/{id}/participants/carol/checkin"),
            "csrf=x".into(),
        ),
    ] {
        let r = post(&a, who, &uri, &form).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri}: {}", r.body);
    }
    // Bob's token is no token for carol's session.
    let r = post(
        &a,
        &carol,
        &format!("/events/{id}/register"),
        &format!("csrf={bob_csrf}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(state(&a, "carol", id), None);
    let view = a.node.event(&viewer(&a, "bob"), id).expect("event");
    assert_eq!(view.event.title, "Rust meetup");
    assert!(view.event.stream_url.is_none());
    assert_eq!(view.event.status, node::community_events::EventStatus::Open);
}
