//! Events of other servers: stored and listed with local ones, replaced
//! by their organiser's updates (sequence, notifications), registered for
//! with a `Join` answered by the organiser only, refused by local-only
//! rules.

use super::tests::{field_of, kinds, soon, DAY, HOUR};
use super::*;
use crate::model::{now_ms, NotificationKind};
use crate::node::Viewer;
use crate::remote::{Outgoing, RemoteActor};
use crate::test_support::{fixture, member};
use crate::NodeError;

/// A remote person `name` on `host`, stored here.
async fn remote(node: &Node, name: &str, host: &str) -> Member {
    let id = format!("https://{host}/@{name}");
    node.upsert_remote_actor(RemoteActor {
        name: name.into(),
        shared_inbox: Some(format!("https://{host}/inbox")),
        public_key_pem: "-----BEGIN PUBLIC KEY-----\n...".into(),
        confirmed_handle: Some(format!("{name}@{host}")),
        ..RemoteActor::person(&id, name)
    })
    .await
    .expect("remote actor")
}

/// What the organiser `organiser` says of its event `n`, starting `start`.
fn said(organiser: &Member, n: u32, start: i64) -> RemoteEventInput {
    RemoteEventInput {
        title: "Apéro Mobilizon".into(),
        description: "Come along".into(),
        description_html: "<p>Come along</p>".into(),
        start,
        end: Some(start + 2 * HOUR),
        timezone: Some("Europe/Paris".into()),
        format: EventFormat::Offline,
        location: Some(Location {
            name: "Le Bar".into(),
            locality: "Lyon".into(),
            ..Location::default()
        }),
        online_url: None,
        capacity: Some(20),
        registration: RegistrationMode::Open,
        status: EventStatus::Open,
        category: Some("MEETING".into()),
        tags: vec!["apero".into(), "not a slug!".into()],
        organiser: organiser.id,
        remote: RemoteEvent {
            uri: format!("https://mobilizon.example/events/{n}"),
            url: format!("https://mobilizon.example/events/{n}"),
            group: None,
            participant_count: Some(5),
            remaining: Some(15),
            external_url: None,
        },
    }
}

/// The `Join`s (or `Leave`s) queued for other servers.
fn joins(node: &Node, leave: bool) -> Vec<(Id, Id, String)> {
    node.pending_outgoing(1_000)
        .expect("outbox")
        .into_iter()
        .filter_map(|(_, o)| match o {
            Outgoing::EventJoin {
                event,
                member,
                activity_id,
                leave: l,
            } if l == leave => Some((event, member, activity_id)),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_remote_event_lists_with_local_ones_and_its_join_is_answered_by_its_organiser() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let mo = remote(node, "mo", "mobilizon.example").await;
    let start = now_ms() + 3 * DAY;
    assert!(!node
        .wants_remote_event(mo.id, "https://mobilizon.example/events/1")
        .expect("wants"));
    let id = node
        .store_remote_event(&mo, said(&mo, 1, start))
        .await
        .expect("stored");
    assert!(node
        .wants_remote_event(mo.id, "https://mobilizon.example/events/1")
        .expect("wants"));
    node.create_event(&alice, soon("Local meetup", 5))
        .await
        .expect("local");

    let page = node
        .upcoming_events(&Viewer::Anonymous, &EventQuery::default())
        .expect("upcoming");
    let titles: Vec<&str> = page.items.iter().map(|v| v.event.title.as_str()).collect();
    assert_eq!(titles, vec!["Apéro Mobilizon", "Local meetup"]);
    let view = &page.items[0];
    assert_eq!(view.registered_count, 5, "the remote count as last seen");
    assert_eq!(view.seats_left, Some(15));
    assert_eq!(view.event.category.as_deref(), Some("meeting"));
    assert_eq!(view.event.tags, vec!["apero".to_string()]);
    assert!(!view.can_edit);
    let public: Vec<String> = node
        .public_calendar()
        .expect("calendar")
        .into_iter()
        .map(|v| v.event.title)
        .collect();
    assert_eq!(
        public,
        vec!["Local meetup".to_string()],
        "the node's own only"
    );

    // Registering: pending, and the Join queued in the same write.
    let outcome = node
        .register_for_event(&alice, id, false)
        .await
        .expect("register");
    assert_eq!(outcome.state, RegistrationState::Pending);
    let queued = joins(node, false);
    assert_eq!(queued.len(), 1);
    let (event, who, join_id) = queued[0].clone();
    assert_eq!((event, who), (id, alice.id().expect("id")));
    assert!(
        join_id.starts_with("https://k.test/users/alice/joins/"),
        "{join_id}"
    );

    // Somebody else's answer is refused; an answer to another Join changes
    // nothing; the organiser's Accept registers.
    let eve = remote(node, "eve", "mobilizon.example").await;
    let refused = node
        .receive_join_answer(&eve, "alice", id, &join_id, true)
        .await;
    assert!(
        matches!(refused, Err(NodeError::Forbidden(_))),
        "{refused:?}"
    );
    let stale = node
        .receive_join_answer(
            &mo,
            "alice",
            id,
            "https://k.test/users/alice/joins/x/y",
            true,
        )
        .await
        .expect("stale answer");
    assert!(!stale);
    assert!(node
        .receive_join_answer(&mo, "alice", id, &join_id, true)
        .await
        .expect("accept"));
    let seen = node.event(&alice, id).expect("event");
    assert_eq!(
        seen.viewer.map(|r| r.state),
        Some(RegistrationState::Registered)
    );
    assert_eq!(kinds(node, &alice), vec![NotificationKind::EventApproved]);

    // The organiser moves it (sequence, told), then cancels it (told).
    let mut moved = said(&mo, 1, start + HOUR);
    moved.remote.participant_count = Some(6);
    node.store_remote_event(&mo, moved.clone())
        .await
        .expect("update");
    let e = node.event_record(id).expect("load").expect("event");
    assert_eq!((e.start, e.sequence), (start + HOUR, 1));
    moved.status = EventStatus::Cancelled;
    node.store_remote_event(&mo, moved).await.expect("cancel");
    let e = node.event_record(id).expect("load").expect("event");
    assert_eq!((e.status, e.sequence), (EventStatus::Cancelled, 2));
    assert_eq!(
        kinds(node, &alice),
        vec![
            NotificationKind::EventCancelled,
            NotificationKind::EventChanged,
            NotificationKind::EventApproved
        ]
    );
    // Somebody else cannot change it.
    let hijack = node.store_remote_event(&eve, said(&eve, 1, start)).await;
    assert!(matches!(hijack, Err(NodeError::Forbidden(_))), "{hijack:?}");
}

#[tokio::test]
async fn local_only_rules_refuse_remote_events_and_leave_reject_and_delete_work() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let bob = member(node, "bob").await;
    let mo = remote(node, "mo", "mobilizon.example").await;
    let id = node
        .store_remote_event(&mo, said(&mo, 2, now_ms() + 2 * DAY))
        .await
        .expect("stored");

    // Organisers' actions are the other server's.
    let update = node.update_event(&alice, id, EventUpdate::default()).await;
    assert_eq!(field_of(update.expect_err("update")), "event");
    let cancel = node.cancel_event(&alice, id).await;
    assert_eq!(field_of(cancel.expect_err("cancel")), "event");
    let live = node.go_live(&alice, id, "https://stream.example/x").await;
    assert_eq!(field_of(live.expect_err("live")), "event");
    let delete = node.delete_event(&alice, id).await;
    assert_eq!(field_of(delete.expect_err("delete")), "event");
    let approve = node.approve_registration(&alice, id, "bob").await;
    assert_eq!(field_of(approve.expect_err("approve")), "event");
    let check_in = node.check_in(&alice, id, "bob").await;
    assert_eq!(field_of(check_in.expect_err("check in")), "event");

    // Alice registers and leaves: a Join, then a Leave naming it.
    node.register_for_event(&alice, id, false)
        .await
        .expect("register");
    assert!(node
        .unregister_from_event(&alice, id)
        .await
        .expect("unregister"));
    let joined = joins(node, false);
    let left = joins(node, true);
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].2, joined[0].2, "the Leave names the Join");
    assert!(node.event(&alice, id).expect("event").viewer.is_none());

    // Bob registers and is refused: removed, told.
    node.register_for_event(&bob, id, false)
        .await
        .expect("register");
    let bob_join = joins(node, false)
        .into_iter()
        .find(|(_, m, _)| Some(*m) == bob.id())
        .expect("bob's join")
        .2;
    assert!(node
        .receive_join_answer(&mo, "bob", id, &bob_join, false)
        .await
        .expect("reject"));
    assert!(node.event(&bob, id).expect("event").viewer.is_none());
    assert_eq!(kinds(node, &bob), vec![NotificationKind::EventRejected]);

    // Registered again and the event deleted: gone, and bob told.
    node.register_for_event(&bob, id, false)
        .await
        .expect("register");
    let eve = remote(node, "eve", "elsewhere.example").await;
    let refused = node
        .receive_remote_event_delete(&eve, "https://mobilizon.example/events/2")
        .await;
    assert!(
        matches!(refused, Err(NodeError::Forbidden(_))),
        "{refused:?}"
    );
    assert!(node
        .receive_remote_event_delete(&mo, "https://mobilizon.example/events/2")
        .await
        .expect("delete"));
    assert!(node.event_record(id).expect("load").is_none());
    assert!(node
        .remote_event_by_uri("https://mobilizon.example/events/2")
        .expect("index")
        .is_none());
    let mine = node.my_events(&bob, None, None, None).expect("mine");
    assert!(mine.items.is_empty(), "{:?}", mine.items);
}

#[tokio::test]
async fn what_another_server_says_is_bounded_and_checked() {
    let f = fixture();
    let node = &f.node;
    let mo = remote(node, "mo", "mobilizon.example").await;
    let start = now_ms() + DAY;
    let mut long = said(&mo, 3, start);
    long.title = "x".repeat(1_000);
    long.end = None;
    long.timezone = Some("Mars/Olympus".into());
    let id = node.store_remote_event(&mo, long).await.expect("stored");
    let e = node.event_record(id).expect("load").expect("event");
    assert_eq!(e.title.chars().count(), MAX_REMOTE_TITLE);
    assert_eq!(e.end, start + 2 * HOUR, "no end: two hours");
    assert_eq!(e.timezone, "UTC", "an unknown zone is not kept");

    let mut backwards = said(&mo, 4, start);
    backwards.end = Some(start - HOUR);
    let err = node.store_remote_event(&mo, backwards).await;
    assert_eq!(field_of(err.expect_err("end before start")), "endTime");
    let mut external = said(&mo, 5, start);
    external.remote.external_url = Some("https://tickets.example/5".into());
    let id = node
        .store_remote_event(&mo, external)
        .await
        .expect("stored");
    let alice = member(node, "alice").await;
    let err = node.register_for_event(&alice, id, false).await;
    assert_eq!(field_of(err.expect_err("external")), "registration");
}
