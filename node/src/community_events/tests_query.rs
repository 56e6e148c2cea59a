//! Lists: upcoming with filters (near a point within a radius, online
//! only, category, group, time window), paging, a member's events, the
//! archive of past ones.

use super::tests::{group, new_event, soon, DAY, HOUR};
use super::*;
use crate::model::now_ms;
use crate::node::Viewer;
use crate::test_support::{fixture, member};
use crate::NodeError;

/// An event `days` from now at (lat, lon).
fn at(title: &str, days: i64, lat: f64, lon: f64) -> NewEvent {
    let start = now_ms() + days * DAY;
    NewEvent {
        location: Some(LocationInput {
            name: title.into(),
            lat: Some(lat),
            lon: Some(lon),
            ..LocationInput::default()
        }),
        ..new_event(title, start, start + HOUR)
    }
}

fn titles(page: &EventPage) -> Vec<&str> {
    page.items.iter().map(|e| e.event.title.as_str()).collect()
}

#[tokio::test]
async fn upcoming_events_filter_by_distance_format_category_group_and_time() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    group(node, &alice, "makers", true).await;
    node.create_event(&alice, at("Paris", 1, 48.8566, 2.3522))
        .await
        .expect("paris");
    node.create_event(&alice, at("Lyon", 2, 45.7640, 4.8357))
        .await
        .expect("lyon");
    node.create_event(&alice, at("Berlin", 3, 52.5200, 13.4050))
        .await
        .expect("berlin");
    node.create_event(
        &alice,
        NewEvent {
            format: Some("online".into()),
            location: None,
            online_url: Some("https://meet.example/x".into()),
            category: Some("Rust".into()),
            group: Some("makers".into()),
            ..soon("Online", 4)
        },
    )
    .await
    .expect("online");
    let anyone = Viewer::Anonymous;
    let query = |f: fn(&mut EventQuery)| {
        let mut q = EventQuery::default();
        f(&mut q);
        node.upcoming_events(&anyone, &q).expect("upcoming")
    };

    assert_eq!(
        titles(&query(|_| {})),
        vec!["Paris", "Lyon", "Berlin", "Online"]
    );
    // Lyon is ~392 km from Paris, Berlin ~878 km.
    assert_eq!(
        titles(&query(|q| q.near = Some((48.85, 2.35)))),
        vec!["Paris"]
    );
    assert_eq!(
        titles(&query(|q| {
            q.near = Some((48.85, 2.35));
            q.radius_km = Some(500.0);
        })),
        vec!["Paris", "Lyon"]
    );
    assert_eq!(
        titles(&query(|q| {
            q.near = Some((48.85, 2.35));
            q.radius_km = Some(1000.0);
        })),
        vec!["Paris", "Lyon", "Berlin"]
    );
    assert_eq!(titles(&query(|q| q.online = true)), vec!["Online"]);
    assert_eq!(
        titles(&query(|q| q.category = Some("rust".into()))),
        vec!["Online"]
    );
    assert_eq!(
        titles(&query(|q| q.group = Some("makers".into()))),
        vec!["Online"]
    );
    assert_eq!(
        titles(&query(|q| q.to = Some(now_ms() + 2 * DAY + 2 * HOUR))),
        vec!["Paris", "Lyon"]
    );
    assert_eq!(
        titles(&query(|q| q.organiser = Some("alice".into()))),
        vec!["Paris", "Lyon", "Berlin", "Online"]
    );

    // Pages of two, with the cursor.
    let first = query(|q| q.limit = Some(2));
    assert_eq!(titles(&first), vec!["Paris", "Lyon"]);
    let mut q = EventQuery {
        limit: Some(2),
        after: first.next,
        ..EventQuery::default()
    };
    let second = node.upcoming_events(&anyone, &q).expect("page 2");
    assert_eq!(titles(&second), vec!["Berlin", "Online"]);
    q.after = second.next;
    assert!(node
        .upcoming_events(&anyone, &q)
        .expect("page 3")
        .items
        .is_empty());

    let bad = EventQuery {
        near: Some((95.0, 0.0)),
        ..EventQuery::default()
    };
    assert!(matches!(
        node.upcoming_events(&anyone, &bad),
        Err(NodeError::Invalid { field, .. }) if field == "near"
    ));
    let bad = EventQuery {
        near: Some((0.0, 0.0)),
        radius_km: Some(-1.0),
        ..EventQuery::default()
    };
    assert!(matches!(
        node.upcoming_events(&anyone, &bad),
        Err(NodeError::Invalid { field, .. }) if field == "radius_km"
    ));
}

#[tokio::test]
async fn a_members_events_and_the_archive_of_past_ones() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let bob = member(node, "bob").await;
    let start = now_ms() - 3 * HOUR;
    let past = node
        .create_event(&alice, new_event("Last week", start, start + HOUR))
        .await
        .expect("past");
    let running_start = now_ms() - HOUR;
    let running = node
        .create_event(
            &alice,
            new_event("Running", running_start, running_start + 3 * HOUR),
        )
        .await
        .expect("running");
    let next = node
        .create_event(&alice, soon("Next", 1))
        .await
        .expect("next");
    let skipped = node
        .create_event(&alice, soon("Skipped", 2))
        .await
        .expect("skipped");
    node.register_for_event(&bob, next.event.id, false)
        .await
        .expect("register");
    node.register_for_event(&bob, running.event.id, false)
        .await
        .expect("register");
    let _ = skipped;

    let mine = node.my_events(&bob, None, None, None).expect("mine");
    assert_eq!(titles(&mine), vec!["Running", "Next"]);
    assert_eq!(
        mine.items[1].viewer.as_ref().map(|r| r.state),
        Some(RegistrationState::Registered)
    );
    let upcoming = node
        .upcoming_events(&bob, &EventQuery::default())
        .expect("upcoming");
    assert_eq!(titles(&upcoming), vec!["Running", "Next", "Skipped"]);
    let archive = node.past_events(&bob, None, None).expect("past");
    assert_eq!(titles(&archive), vec!["Last week"]);
    assert_eq!(archive.items[0].event.id, past.event.id);
}

#[test]
fn haversine_matches_known_distances() {
    let paris = (48.8566, 2.3522);
    let london = (51.5074, -0.1278);
    let d = super::query::haversine_km(paris, london);
    assert!((d - 343.5).abs() < 2.0, "{d}");
    assert!(super::query::haversine_km(paris, paris).abs() < 1e-9);
}
