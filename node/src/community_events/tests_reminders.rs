//! Reminders: scheduled once per event and kind, sent once (also across
//! closing and reopening the node), moved with the event, dropped when it
//! is cancelled.

use std::sync::Arc;

use super::tests::{kinds, soon, DAY, HOUR};
use super::*;
use crate::model::NotificationKind;
use crate::node::Viewer;
use crate::test_support::{member, temp_node};
use crate::NodeConfig;

#[tokio::test]
async fn reminders_fire_once_even_across_a_restart() {
    let (node, dir) = temp_node();
    let alice = member(&node, "alice").await;
    let bob = member(&node, "bob").await;
    let carol = member(&node, "carol").await;
    let event = node
        .create_event(&alice, soon("Meetup", 3))
        .await
        .expect("event");
    let id = event.event.id;
    let start = event.event.start;
    assert_eq!(
        node.next_reminder_due().expect("due"),
        None,
        "nobody registered"
    );
    node.register_for_event(&bob, id, false).await.expect("bob");
    node.register_for_event(&carol, id, false)
        .await
        .expect("carol");
    assert_eq!(
        node.next_reminder_due().expect("due"),
        Some(start - DAY),
        "scheduled once, whoever registers"
    );
    assert_eq!(
        node.run_due_reminders(start - DAY - 1).await.expect("run"),
        0
    );
    assert_eq!(node.run_due_reminders(start - DAY).await.expect("run"), 1);
    assert_eq!(kinds(&node, &bob), vec![NotificationKind::EventReminder]);
    assert_eq!(kinds(&node, &carol), vec![NotificationKind::EventReminder]);
    assert_eq!(node.run_due_reminders(start - DAY).await.expect("run"), 0);
    assert_eq!(node.next_reminder_due().expect("due"), Some(start - HOUR));

    // Close the node and open it again on the same data directory.
    node.flush().expect("flush");
    drop(node);
    let node = Arc::new(Node::open(NodeConfig::new(dir.path(), "k.test")).expect("reopen"));
    let bob = Viewer::Member(Box::new(
        node.member(bob.id().expect("id"))
            .expect("load")
            .expect("bob"),
    ));
    assert_eq!(node.next_reminder_due().expect("due"), Some(start - HOUR));
    assert_eq!(node.run_due_reminders(start - DAY).await.expect("run"), 0);
    assert_eq!(node.run_due_reminders(start - HOUR).await.expect("run"), 1);
    assert_eq!(node.run_due_reminders(start).await.expect("run"), 0);
    assert_eq!(
        kinds(&node, &bob),
        vec![
            NotificationKind::EventReminder,
            NotificationKind::EventReminder
        ]
    );
    assert_eq!(node.next_reminder_due().expect("due"), None);

    // Once sent, a later registration schedules nothing already past.
    let dave = member(&node, "dave").await;
    node.register_for_event(&dave, id, false)
        .await
        .expect("dave");
    assert_eq!(node.next_reminder_due().expect("due"), None);
}

#[tokio::test]
async fn reminders_move_with_the_event_and_go_when_it_is_cancelled() {
    let (node, _dir) = temp_node();
    let alice = member(&node, "alice").await;
    let bob = member(&node, "bob").await;
    let event = node
        .create_event(&alice, soon("Meetup", 3))
        .await
        .expect("event");
    let id = event.event.id;
    node.register_for_event(&bob, id, false).await.expect("bob");
    let later = event.event.start + 2 * DAY;
    node.update_event(
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
    assert_eq!(node.next_reminder_due().expect("due"), Some(later - DAY));
    // Nothing is left at the old times.
    assert_eq!(
        node.run_due_reminders(event.event.start)
            .await
            .expect("run"),
        0
    );
    node.cancel_event(&alice, id).await.expect("cancel");
    assert_eq!(node.next_reminder_due().expect("due"), None);
    assert_eq!(node.run_due_reminders(later).await.expect("run"), 0);
    assert!(!kinds(&node, &bob).contains(&NotificationKind::EventReminder));
}
