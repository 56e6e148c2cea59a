//! Registration: capacity under 200 concurrent registrations, the
//! waitlist's order and promotions, approval and invite modes, refusals,
//! overlaps, the participant list and check-in.

use std::sync::Arc;

use super::tests::{clones, field_of, kinds, soon, DAY, HOUR};
use super::*;
use crate::model::NotificationKind;
use crate::node::Viewer;
use crate::store::tables;
use crate::test_support::{fixture, member};
use crate::NodeError;

/// The waitlist of `event` in key (arrival) order: (arrival id, member).
fn waitlist(node: &Node, event: Id) -> Vec<(Id, Id)> {
    node.store
        .scan::<tables::EventWaitlist>((event,), false)
        .map(|row| row.map(|((_, arrival), member)| (arrival, member)))
        .collect::<NodeResult<_>>()
        .expect("waitlist")
}

fn registration(node: &Node, event: Id, member: &Viewer) -> Option<Registration> {
    node.store
        .load::<tables::EventRegistrations>((event, member.id().expect("id")))
        .expect("load")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_at_once_for_ten_seats_and_the_waitlist_keeps_the_order_of_the_writes() {
    let f = fixture();
    let node = f.node.clone();
    let alice = member(&node, "alice").await;
    let event = node
        .create_event(
            &alice,
            NewEvent {
                capacity: Some(10),
                ..soon("Ten seats", 2)
            },
        )
        .await
        .expect("event");
    let id = event.event.id;
    let people = clones(&node, &alice, "p", 200);

    let mut tasks = Vec::new();
    for viewer in &people {
        let viewer = viewer.clone();
        let node: Arc<Node> = node.clone();
        tasks.push(tokio::spawn(async move {
            node.register_for_event(&viewer, id, false).await
        }));
    }
    let (mut registered, mut waitlisted) = (0, 0);
    for task in tasks {
        match task.await.expect("task").expect("register").state {
            RegistrationState::Registered => registered += 1,
            RegistrationState::Waitlisted => waitlisted += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((registered, waitlisted), (10, 190));
    let view = node.event(&alice, id).expect("view");
    assert_eq!(view.registered_count, 10);
    assert_eq!(view.waitlisted_count, 190);
    assert_eq!(view.seats_left, Some(0));

    // The waitlist's order is the order of the writes: each entry's id was
    // made inside its write (ids only grow), every seat was taken by a
    // write before the first waitlisted one, and the time each registration
    // was stored never goes back along the list.
    let waiting = waitlist(&node, id);
    assert_eq!(waiting.len(), 190);
    let mut last_at = 0;
    for (arrival, member) in &waiting {
        let r = node
            .store
            .load::<tables::EventRegistrations>((id, *member))
            .expect("load")
            .expect("registration");
        assert_eq!(r.state, RegistrationState::Waitlisted);
        assert_eq!(r.arrival, Some(*arrival));
        assert!(r.at >= last_at);
        last_at = r.at;
    }
    let first_wait_at = node
        .store
        .load::<tables::EventRegistrations>((id, waiting[0].1))
        .expect("load")
        .expect("registration")
        .at;
    for p in &people {
        let r = registration(&node, id, p).expect("registration");
        if r.state == RegistrationState::Registered {
            assert!(r.at <= first_wait_at);
        }
    }

    // Three seats free: the first three waiting take them, each told.
    let holders: Vec<&Viewer> = people
        .iter()
        .filter(|p| {
            registration(&node, id, p).map(|r| r.state) == Some(RegistrationState::Registered)
        })
        .take(3)
        .collect();
    for h in &holders {
        assert!(node.unregister_from_event(h, id).await.expect("unregister"));
    }
    for (_, promoted) in &waiting[..3] {
        let viewer = people
            .iter()
            .find(|p| p.id() == Some(*promoted))
            .expect("person");
        assert_eq!(
            registration(&node, id, viewer).map(|r| r.state),
            Some(RegistrationState::Registered)
        );
        assert_eq!(kinds(&node, viewer), vec![NotificationKind::EventPromoted]);
    }
    let fourth = people
        .iter()
        .find(|p| p.id() == Some(waiting[3].1))
        .expect("person");
    assert!(kinds(&node, fourth).is_empty());
    assert_eq!(waitlist(&node, id), waiting[3..].to_vec());
    let view = node.event(&alice, id).expect("view");
    assert_eq!((view.registered_count, view.waitlisted_count), (10, 187));
}

#[tokio::test]
async fn registering_twice_changes_nothing_and_leaving_the_waitlist_keeps_the_order() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let event = node
        .create_event(
            &alice,
            NewEvent {
                capacity: Some(1),
                ..soon("One seat", 2)
            },
        )
        .await
        .expect("event");
    let id = event.event.id;
    let people = clones(node, &alice, "q", 4);
    for p in &people {
        node.register_for_event(p, id, true)
            .await
            .expect("register");
    }
    let again = node
        .register_for_event(&people[2], id, false)
        .await
        .expect("again");
    assert_eq!(again.state, RegistrationState::Waitlisted);
    assert!(!again.changed);
    assert!(registration(node, id, &people[2]).expect("r").listed);
    let order: Vec<Id> = waitlist(node, id).into_iter().map(|(_, m)| m).collect();
    let ids: Vec<Id> = people[1..].iter().filter_map(Viewer::id).collect();
    assert_eq!(order, ids, "first come, first served");

    // The second waiting leaves; then the seat frees: the first waiting
    // takes it.
    node.unregister_from_event(&people[2], id)
        .await
        .expect("leave");
    node.unregister_from_event(&people[0], id)
        .await
        .expect("leave");
    assert_eq!(
        registration(node, id, &people[1]).map(|r| r.state),
        Some(RegistrationState::Registered)
    );
    let view = node.event(&alice, id).expect("view");
    assert_eq!((view.registered_count, view.waitlisted_count), (1, 1));
    assert!(!node
        .unregister_from_event(&people[0], id)
        .await
        .expect("not registered"));

    // More seats: the waitlist moves up at once.
    node.update_event(
        &alice,
        id,
        EventUpdate {
            capacity: Some(Some(5)),
            ..EventUpdate::default()
        },
    )
    .await
    .expect("more seats");
    assert_eq!(
        registration(node, id, &people[3]).map(|r| r.state),
        Some(RegistrationState::Registered)
    );
    assert_eq!(
        kinds(node, &people[3]),
        vec![NotificationKind::EventPromoted]
    );
}

#[tokio::test]
async fn approval_events_hold_registrations_for_the_organisers() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let bob = member(node, "bob").await;
    let carol = member(node, "carol").await;
    let event = node
        .create_event(
            &alice,
            NewEvent {
                registration: Some("approval".into()),
                capacity: Some(1),
                ..soon("Curated", 2)
            },
        )
        .await
        .expect("event");
    let id = event.event.id;
    let outcome = node.register_for_event(&bob, id, false).await.expect("ask");
    assert_eq!(outcome.state, RegistrationState::Pending);
    node.register_for_event(&carol, id, false)
        .await
        .expect("ask");
    assert_eq!(
        kinds(node, &alice),
        vec![
            NotificationKind::EventRegistration,
            NotificationKind::EventRegistration
        ]
    );
    assert_eq!(node.event(&alice, id).expect("view").pending_count, 2);
    assert!(matches!(
        node.approve_registration(&carol, id, "bob").await,
        Err(NodeError::Forbidden(_))
    ));
    let state = node
        .approve_registration(&alice, id, "bob")
        .await
        .expect("approve");
    assert_eq!(state, RegistrationState::Registered);
    assert_eq!(kinds(node, &bob), vec![NotificationKind::EventApproved]);
    let e = node
        .approve_registration(&alice, id, "bob")
        .await
        .expect_err("twice");
    assert_eq!(field_of(e), "state");
    // The one seat is taken: the next approved waits.
    let state = node
        .approve_registration(&alice, id, "carol")
        .await
        .expect("approve");
    assert_eq!(state, RegistrationState::Waitlisted);
    let view = node.event(&alice, id).expect("view");
    assert_eq!(
        (
            view.registered_count,
            view.waitlisted_count,
            view.pending_count
        ),
        (1, 1, 0)
    );
    node.reject_registration(&alice, id, "bob")
        .await
        .expect("remove");
    assert_eq!(
        registration(node, id, &carol).map(|r| r.state),
        Some(RegistrationState::Registered)
    );
}

#[tokio::test]
async fn invite_events_take_the_invited_only() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let bob = member(node, "bob").await;
    let carol = member(node, "carol").await;
    let event = node
        .create_event(
            &alice,
            NewEvent {
                registration: Some("invite".into()),
                ..soon("By invitation", 2)
            },
        )
        .await
        .expect("event");
    let id = event.event.id;
    let e = node
        .register_for_event(&carol, id, false)
        .await
        .expect_err("not invited");
    assert_eq!(field_of(e), "registration");
    node.invite_to_event(&alice, id, "bob")
        .await
        .expect("invite");
    let outcome = node
        .register_for_event(&bob, id, false)
        .await
        .expect("invited");
    assert_eq!(outcome.state, RegistrationState::Registered);
}

#[tokio::test]
async fn cancelled_finished_and_closed_events_refuse_registrations_with_409() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let bob = member(node, "bob").await;
    let carol = member(node, "carol").await;
    let event = node
        .create_event(&alice, soon("Doomed", 2))
        .await
        .expect("event");
    let id = event.event.id;
    node.register_for_event(&bob, id, false)
        .await
        .expect("register");
    node.cancel_event(&alice, id).await.expect("cancel");
    assert_eq!(kinds(node, &bob), vec![NotificationKind::EventCancelled]);
    let e = node
        .register_for_event(&carol, id, false)
        .await
        .expect_err("cancelled");
    assert!(matches!(&e, NodeError::Conflict { message, .. } if message.contains("cancelled")));
    assert_eq!(field_of(e), "event");

    let start = crate::model::now_ms() - 3 * HOUR;
    let past = node
        .create_event(&alice, super::tests::new_event("Over", start, start + HOUR))
        .await
        .expect("past");
    let e = node
        .register_for_event(&carol, past.event.id, false)
        .await
        .expect_err("finished");
    assert!(matches!(&e, NodeError::Conflict { message, .. } if message.contains("finished")));

    let closed = node
        .create_event(
            &alice,
            NewEvent {
                registration_closes: Some(TimeInput::Ms(crate::model::now_ms() - 1)),
                registration_opens: Some(TimeInput::Ms(crate::model::now_ms() - DAY)),
                ..soon("Closed", 2)
            },
        )
        .await
        .expect("closed");
    let e = node
        .register_for_event(&carol, closed.event.id, false)
        .await
        .expect_err("closed");
    assert_eq!(field_of(e), "registration");
}

#[tokio::test]
async fn overlapping_registrations_warn_and_do_not_refuse() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let bob = member(node, "bob").await;
    let start = crate::model::now_ms() + 2 * DAY;
    let first = node
        .create_event(
            &alice,
            super::tests::new_event("First", start, start + 2 * HOUR),
        )
        .await
        .expect("first");
    let second = node
        .create_event(
            &alice,
            super::tests::new_event("Second", start + HOUR, start + 3 * HOUR),
        )
        .await
        .expect("second");
    let after = node
        .create_event(
            &alice,
            super::tests::new_event("After", start + 2 * HOUR, start + 4 * HOUR),
        )
        .await
        .expect("after");
    let o = node
        .register_for_event(&bob, first.event.id, false)
        .await
        .expect("first");
    assert!(o.overlaps.is_empty());
    let o = node
        .register_for_event(&bob, second.event.id, false)
        .await
        .expect("second");
    assert_eq!(o.state, RegistrationState::Registered);
    assert_eq!(o.overlaps.len(), 1);
    assert_eq!(o.overlaps[0].id, first.event.id);
    let o = node
        .register_for_event(&bob, after.event.id, false)
        .await
        .expect("after");
    // Ends meeting starts do not overlap; the second event does.
    let titles: Vec<&str> = o.overlaps.iter().map(|w| w.title.as_str()).collect();
    assert_eq!(titles, vec!["Second"]);
}

#[tokio::test]
async fn organisers_see_everyone_others_see_counts_and_listed_names_and_check_in_attests() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let bob = member(node, "bob").await;
    let carol = member(node, "carol").await;
    let event = node
        .create_event(&alice, soon("Meetup", 2))
        .await
        .expect("event");
    let id = event.event.id;
    node.register_for_event(&bob, id, true).await.expect("bob");
    node.register_for_event(&carol, id, false)
        .await
        .expect("carol");

    let all = node.event_participants(&alice, id).expect("organiser");
    assert!(all.organiser_view);
    assert_eq!(all.items.len(), 2);
    let public = node.event_participants(&carol, id).expect("participant");
    assert!(!public.organiser_view);
    assert_eq!(public.registered, 2);
    let names: Vec<&str> = public
        .items
        .iter()
        .map(|p| p.account.username.as_str())
        .collect();
    assert_eq!(names, vec!["bob"]);

    assert!(matches!(
        node.check_in(&carol, id, "bob").await,
        Err(NodeError::Forbidden(_))
    ));
    let at = node.check_in(&alice, id, "bob").await.expect("check in");
    assert_eq!(node.check_in(&alice, id, "bob").await.expect("again"), at);
    let view = node.event(&alice, id).expect("view");
    assert_eq!(view.attended_count, 1);
    let bob_member = bob.member().expect("bob").clone();
    let reputation = node.reputation(&bob_member).expect("reputation");
    assert_eq!(reputation.attestations.len(), 1);
    assert_eq!(reputation.attestations[0].claim, participants_claim(id));
    assert_eq!(
        reputation.attestations[0]
            .attester
            .as_ref()
            .map(|a| a.username.as_str()),
        Some("alice")
    );
}

fn participants_claim(id: Id) -> String {
    super::participants::attendance_claim(id)
}
