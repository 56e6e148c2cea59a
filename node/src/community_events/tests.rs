//! Events: validation errors name their fields, local times are read in
//! the event's zone, who may organise (members, a group's owner and
//! moderators), what a change does to `sequence` and who is told.

use super::*;
use crate::groups::{GroupFeatures, NewGroup};
use crate::model::{now_ms, NotificationKind};
use crate::node::Viewer;
use crate::store::tables;
use crate::test_support::{fixture, member};
use crate::{NodeError, PageRequest};

pub(super) const HOUR: i64 = 3_600_000;
pub(super) const DAY: i64 = 24 * HOUR;

/// An open offline meetup in Paris from `start` to `end` (ms).
pub(super) fn new_event(title: &str, start: i64, end: i64) -> NewEvent {
    NewEvent {
        title: title.into(),
        description: Some("Bring **snacks**.".into()),
        start: Some(TimeInput::Ms(start)),
        end: Some(TimeInput::Ms(end)),
        timezone: "Europe/Paris".into(),
        location: Some(LocationInput {
            name: "Tech Hub".into(),
            locality: "Paris".into(),
            country: "FR".into(),
            lat: Some(48.8566),
            lon: Some(2.3522),
            ..LocationInput::default()
        }),
        ..NewEvent::default()
    }
}

/// An event starting in `days` days, lasting two hours.
pub(super) fn soon(title: &str, days: i64) -> NewEvent {
    let start = now_ms() + days * DAY;
    new_event(title, start, start + 2 * HOUR)
}

/// `n` members named `{prefix}{i}`, made by copying `template`'s record
/// (keys included) under new ids and names: registering people one by one
/// costs an RSA key each, and registrations need only accounts.
pub(super) fn clones(node: &Node, template: &Viewer, prefix: &str, n: usize) -> Vec<Viewer> {
    let base = template.member().expect("member").clone();
    let mut out = Vec::with_capacity(n);
    node.store
        .write_blocking(|txn| {
            for i in 0..n {
                let mut m = base.clone();
                m.id = node.ids.next();
                m.username = format!("{prefix}{i}");
                m.email = format!("{prefix}{i}@k.test");
                txn.store::<tables::Member>(m.id, &m)?;
                txn.store::<tables::MemberByName>(m.username.to_lowercase().as_str(), &m.id)?;
                out.push(Viewer::Member(Box::new(m)));
            }
            Ok(())
        })
        .expect("clones");
    out
}

/// The field a 422 or 409 names.
pub(super) fn field_of(e: NodeError) -> String {
    match e {
        NodeError::Invalid { field, .. } | NodeError::Conflict { field, .. } => field,
        other => panic!("expected a field error, got {other:?}"),
    }
}

/// The kinds of `viewer`'s notifications, newest first.
pub(super) fn kinds(node: &Node, viewer: &Viewer) -> Vec<NotificationKind> {
    node.notifications(viewer, &[], &PageRequest::first(40))
        .expect("notifications")
        .items
        .iter()
        .map(|n| n.kind)
        .collect()
}

/// A group `name` owned by `owner`, with events turned on or off.
pub(super) async fn group(node: &Node, owner: &Viewer, name: &str, events: bool) {
    node.create_group(
        owner,
        NewGroup {
            name: name.into(),
            features: Some(GroupFeatures {
                events,
                ..GroupFeatures::default()
            }),
            ..NewGroup::default()
        },
    )
    .await
    .expect("group");
}

#[tokio::test]
async fn validation_errors_name_their_fields() {
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    let start = now_ms() + DAY;
    let ok = || new_event("Meetup", start, start + HOUR);
    let cases: Vec<(&str, NewEvent)> = vec![
        (
            "title",
            NewEvent {
                title: "  ".into(),
                ..ok()
            },
        ),
        ("end", new_event("Backwards", start, start - HOUR)),
        ("end", new_event("Too long", start, start + 40 * DAY)),
        (
            "start",
            NewEvent {
                start: None,
                ..ok()
            },
        ),
        (
            "start",
            NewEvent {
                start: Some(TimeInput::Text("next tuesday".into())),
                ..ok()
            },
        ),
        (
            "timezone",
            NewEvent {
                timezone: "Mars/Olympus_Mons".into(),
                ..ok()
            },
        ),
        (
            "timezone",
            NewEvent {
                timezone: String::new(),
                ..ok()
            },
        ),
        (
            "capacity",
            NewEvent {
                capacity: Some(-1),
                ..ok()
            },
        ),
        (
            "type",
            NewEvent {
                kind: Some("party".into()),
                ..ok()
            },
        ),
        (
            "format",
            NewEvent {
                format: Some("telepathy".into()),
                ..ok()
            },
        ),
        (
            "registration",
            NewEvent {
                registration: Some("lottery".into()),
                ..ok()
            },
        ),
        (
            "online_url",
            NewEvent {
                online_url: Some("javascript:alert(1)".into()),
                ..ok()
            },
        ),
        (
            "location",
            NewEvent {
                location: None,
                ..ok()
            },
        ),
        (
            "location.lat",
            NewEvent {
                location: Some(LocationInput {
                    name: "Pole".into(),
                    lat: Some(91.0),
                    lon: Some(0.0),
                    ..LocationInput::default()
                }),
                ..ok()
            },
        ),
        (
            "location.lon",
            NewEvent {
                location: Some(LocationInput {
                    name: "Half".into(),
                    lat: Some(1.0),
                    ..LocationInput::default()
                }),
                ..ok()
            },
        ),
        (
            "sponsors",
            NewEvent {
                sponsors: vec![LinkInput {
                    name: "Corp".into(),
                    url: "ftp://corp.example".into(),
                }],
                ..ok()
            },
        ),
        (
            "speakers",
            NewEvent {
                speakers: vec![SpeakerInput {
                    member: Some("nobody_here".into()),
                    name: None,
                }],
                ..ok()
            },
        ),
        (
            "registration_closes",
            NewEvent {
                registration_opens: Some(TimeInput::Ms(start - HOUR)),
                registration_closes: Some(TimeInput::Ms(start - 2 * HOUR)),
                ..ok()
            },
        ),
        (
            "status",
            NewEvent {
                status: Some("cancelled".into()),
                ..ok()
            },
        ),
    ];
    for (field, new) in cases {
        let e = f.node.create_event(&alice, new).await.expect_err(field);
        assert!(matches!(e, NodeError::Invalid { .. }), "{field}: {e:?}");
        assert_eq!(field_of(e), field);
    }
    // Nothing was stored.
    assert_eq!(
        f.node
            .store
            .scan::<tables::CommunityEvent>((), false)
            .count(),
        0
    );

    let event = f.node.create_event(&alice, ok()).await.expect("valid");
    let e = f
        .node
        .go_live(&alice, event.event.id, "not a url")
        .await
        .expect_err("bad stream");
    assert_eq!(field_of(e), "stream_url");
    let e = f
        .node
        .update_event(
            &alice,
            event.event.id,
            EventUpdate {
                end: Some(TimeInput::Ms(start - 1)),
                ..EventUpdate::default()
            },
        )
        .await
        .expect_err("end before start");
    assert_eq!(field_of(e), "end");
}

#[tokio::test]
async fn a_local_time_is_read_in_the_events_zone_and_rfc3339_keeps_its_offset() {
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    let new = NewEvent {
        start: Some(TimeInput::Text("2031-02-15T19:00".into())),
        end: Some(TimeInput::Text("2031-02-15T22:00:00+07:00".into())),
        timezone: "Asia/Jakarta".into(),
        speakers: vec![
            SpeakerInput {
                member: Some("alice".into()),
                name: None,
            },
            SpeakerInput {
                member: None,
                name: Some("Jane Coder".into()),
            },
        ],
        materials: vec![LinkInput {
            name: "Slides".into(),
            url: "https://example.com/slides.pdf".into(),
        }],
        ..soon("Monthly Web Developer Meetup", 1)
    };
    let view = f.node.create_event(&alice, new).await.expect("event");
    // 19:00 in Jakarta (UTC+7) is 12:00 UTC.
    let expected: jiff::Timestamp = "2031-02-15T12:00:00Z".parse().expect("ts");
    assert_eq!(view.event.start, expected.as_millisecond());
    assert_eq!(view.event.end - view.event.start, 3 * HOUR);
    assert_eq!(view.event.timezone, "Asia/Jakarta");
    assert!(view
        .event
        .description_html
        .contains("<strong>snacks</strong>"));
    assert_eq!(view.event.speakers[0].member, alice.id());
    assert_eq!(view.event.speakers[1].name, "Jane Coder");
    assert_eq!(view.event.sequence, 0);
    assert!(view.can_edit);
}

#[tokio::test]
async fn a_groups_owner_and_moderators_co_organise_and_plain_members_cannot() {
    let f = fixture();
    let node = &f.node;
    let owner = member(node, "owner").await;
    let modo = member(node, "modo").await;
    let plain = member(node, "plain").await;
    group(node, &owner, "rustaceans", true).await;
    group(node, &owner, "quiet", false).await;
    node.join_group(&modo, "rustaceans").await.expect("join");
    node.join_group(&plain, "rustaceans").await.expect("join");
    node.set_group_role(&owner, "rustaceans", "modo", "moderator")
        .await
        .expect("role");

    let for_group = |name: &str| NewEvent {
        group: Some(name.into()),
        ..soon("Group meetup", 3)
    };
    let e = node
        .create_event(&plain, for_group("rustaceans"))
        .await
        .expect_err("plain member");
    assert!(matches!(e, NodeError::Forbidden(_)), "{e:?}");
    let e = node
        .create_event(&owner, for_group("quiet"))
        .await
        .expect_err("events off");
    assert_eq!(field_of(e), "group");

    let event = node
        .create_event(&modo, for_group("rustaceans"))
        .await
        .expect("moderator organises");
    let id = event.event.id;
    // The group's members are told; its organiser is not told of their own.
    assert_eq!(
        kinds(node, &plain).first(),
        Some(&NotificationKind::GroupEvent)
    );
    assert!(!kinds(node, &modo).contains(&NotificationKind::GroupEvent));
    let retitle = |t: &str| EventUpdate {
        title: Some(t.into()),
        ..EventUpdate::default()
    };
    node.update_event(&owner, id, retitle("By the owner"))
        .await
        .expect("owner edits");
    let e = node
        .update_event(&plain, id, retitle("By a member"))
        .await
        .expect_err("plain edits");
    assert!(matches!(e, NodeError::Forbidden(_)), "{e:?}");
    assert!(!node.event(&plain, id).expect("view").can_edit);
    assert!(node.event(&modo, id).expect("view").can_edit);

    // A moderator no longer: no longer an organiser.
    node.set_group_role(&owner, "rustaceans", "modo", "member")
        .await
        .expect("role");
    let e = node
        .update_event(&modo, id, retitle("By a former moderator"))
        .await
        .expect_err("former moderator");
    assert!(matches!(e, NodeError::Forbidden(_)), "{e:?}");
    assert!(matches!(
        node.cancel_event(&plain, id).await,
        Err(NodeError::Forbidden(_))
    ));
    assert!(matches!(
        node.delete_event(&plain, id).await,
        Err(NodeError::Forbidden(_))
    ));
    node.delete_event(&owner, id).await.expect("owner deletes");
    assert!(matches!(
        node.event(&owner, id),
        Err(NodeError::NotFound(_))
    ));
}

#[tokio::test]
async fn moving_an_event_bumps_its_sequence_and_tells_those_registered() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let bob = member(node, "bob").await;
    let event = node
        .create_event(&alice, soon("Meetup", 3))
        .await
        .expect("event");
    let id = event.event.id;
    node.register_for_event(&bob, id, false)
        .await
        .expect("register");

    let renamed = node
        .update_event(
            &alice,
            id,
            EventUpdate {
                title: Some("Renamed".into()),
                ..EventUpdate::default()
            },
        )
        .await
        .expect("rename");
    assert_eq!(
        renamed.event.sequence, 0,
        "a title is not a calendar change"
    );
    assert!(kinds(node, &bob).is_empty());

    let later = event.event.start + DAY;
    let moved = node
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
        .expect("move");
    assert_eq!(moved.event.sequence, 1);
    assert_eq!(kinds(node, &bob), vec![NotificationKind::EventChanged]);
    // Bob's registration moved with it.
    let mine = node.my_events(&bob, None, None, None).expect("mine");
    assert_eq!(mine.items.len(), 1);
    assert_eq!(mine.items[0].event.start, later);

    let placed = node
        .update_event(
            &alice,
            id,
            EventUpdate {
                format: Some("online".into()),
                location: Some(None),
                online_url: Some(Some("https://meet.example/room".into())),
                ..EventUpdate::default()
            },
        )
        .await
        .expect("go online");
    assert_eq!(placed.event.sequence, 2);
    assert_eq!(
        kinds(node, &bob),
        vec![
            NotificationKind::EventChanged,
            NotificationKind::EventChanged
        ]
    );

    let cancelled = node.cancel_event(&alice, id).await.expect("cancel");
    assert_eq!(cancelled.event.sequence, 3);
    assert_eq!(cancelled.event.status, EventStatus::Cancelled);
    assert_eq!(kinds(node, &bob)[0], NotificationKind::EventCancelled);
    let again = node.cancel_event(&alice, id).await.expect("cancel twice");
    assert_eq!(again.event.sequence, 3, "cancelling twice changes nothing");
}

#[tokio::test]
async fn a_draft_is_seen_by_its_organisers_only() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let bob = member(node, "bob").await;
    let draft = node
        .create_event(
            &alice,
            NewEvent {
                status: Some("draft".into()),
                ..soon("Secret plans", 2)
            },
        )
        .await
        .expect("draft");
    let id = draft.event.id;
    assert!(matches!(node.event(&bob, id), Err(NodeError::NotFound(_))));
    assert!(matches!(
        node.event(&Viewer::Anonymous, id),
        Err(NodeError::NotFound(_))
    ));
    assert!(node.event(&alice, id).is_ok());
    let e = node
        .register_for_event(&alice, id, false)
        .await
        .expect_err("draft");
    assert_eq!(field_of(e), "event");
    let upcoming = node
        .upcoming_events(&alice, &EventQuery::default())
        .expect("upcoming");
    assert!(upcoming.items.is_empty());
    node.update_event(
        &alice,
        id,
        EventUpdate {
            status: Some("open".into()),
            ..EventUpdate::default()
        },
    )
    .await
    .expect("publish");
    assert!(node.event(&bob, id).is_ok());
}
