//! Public groups' events signed as gossip records in the writes that
//! federate them (and when they go live): created, changed, cancelled,
//! deleted; never a private
//! group's, a draft, or a member's own event.

use std::sync::Arc;

use protocol::envelope::{Envelope, Kind};

use super::tests::{soon, DAY};
use super::*;
use crate::gossip::{DeleteBody, EventBody, GossipIntent};
use crate::groups::{GroupFeatures, NewGroup};
use crate::model::now_ms;
use crate::node::Viewer;
use crate::test_support::member;
use crate::NodeConfig;

/// A node at `k.test` with gossip on.
fn gossiping() -> (Arc<Node>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = NodeConfig::new(dir.path(), "k.test");
    config.gossip = true;
    (Arc::new(Node::open(config).expect("open")), dir)
}

/// A group `name` with events on, public or private, owned by `owner`.
async fn group(node: &Node, owner: &Viewer, name: &str, visibility: &str) {
    node.create_group(
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

/// Every stored envelope of `kind`, oldest first, verified.
fn records(node: &Node, kind: Kind) -> Vec<Envelope> {
    node.envelopes_since(kind, 0, 1_000)
        .expect("envelopes")
        .into_iter()
        .map(|item| Envelope::verify(&item.bytes, now_ms()).expect("verifies"))
        .collect()
}

/// The envelope ids queued for broadcast.
fn broadcasts(node: &Node) -> Vec<[u8; 32]> {
    node.pending_gossip(1_000)
        .expect("outbox")
        .into_iter()
        .filter_map(|(_, intent)| match intent {
            GossipIntent::Broadcast { envelope } => Some(envelope),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_public_groups_event_is_signed_by_the_group_when_created_changed_cancelled_and_deleted() {
    let (node, _dir) = gossiping();
    let owner = member(&node, "owner").await;
    group(&node, &owner, "rustaceans", "public").await;
    let group_key = node
        .member_by_name("rustaceans")
        .expect("lookup")
        .expect("group")
        .keys
        .ed25519_public;
    let event = node
        .create_event(
            &owner,
            NewEvent {
                group: Some("rustaceans".into()),
                capacity: Some(10),
                ..soon("Rust meetup", 3)
            },
        )
        .await
        .expect("create")
        .event;
    let uri = node.urls().event("rustaceans", event.id);

    let created = records(&node, Kind::Event);
    assert_eq!(created.len(), 1, "one record for the new event");
    let first = &created[0];
    assert_eq!(first.author, group_key, "signed with the group's key");
    let body = EventBody::from_map(&first.body).expect("body");
    assert_eq!(body.actor, node.urls().actor("rustaceans"));
    assert_eq!(body.uri, uri);
    assert_eq!(body.organiser, node.urls().actor("owner"));
    assert_eq!(body.title, "Rust meetup");
    assert_eq!(body.status, EventStatus::Open);
    assert_eq!((body.capacity, body.remaining), (Some(10), Some(10)));
    assert_eq!(broadcasts(&node), vec![first.id], "queued for broadcast");

    node.go_live(&owner, event.id, "https://stream.example/rust")
        .await
        .expect("live");
    let live = records(&node, Kind::Event);
    assert_eq!(live.len(), 2, "going live is a new record");
    let live = EventBody::from_map(&live[1].body).expect("body");
    assert_eq!(
        live.online_url.as_deref(),
        Some("https://stream.example/rust")
    );

    node.cancel_event(&owner, event.id).await.expect("cancel");
    let after_cancel = records(&node, Kind::Event);
    assert_eq!(after_cancel.len(), 3);
    let cancelled = EventBody::from_map(&after_cancel[2].body).expect("body");
    assert_eq!(cancelled.status, EventStatus::Cancelled);
    assert!(
        after_cancel[2].created > after_cancel[1].created,
        "a later record of the same event is always newer"
    );

    node.delete_event(&owner, event.id).await.expect("delete");
    let deletes = records(&node, Kind::Delete);
    assert_eq!(deletes.len(), 1);
    assert_eq!(deletes[0].author, group_key);
    let delete = DeleteBody::from_map(&deletes[0].body).expect("body");
    assert_eq!(delete.uri.as_deref(), Some(uri.as_str()));
    assert_eq!(delete.actor, node.urls().actor("rustaceans"));
    assert!(deletes[0].created > after_cancel[2].created);
    assert_eq!(broadcasts(&node).len(), 4);
}

#[tokio::test]
async fn private_groups_drafts_and_members_own_events_are_not_gossiped() {
    let (node, _dir) = gossiping();
    let owner = member(&node, "owner").await;
    group(&node, &owner, "inner", "private").await;
    group(&node, &owner, "open", "public").await;
    node.create_event(
        &owner,
        NewEvent {
            group: Some("inner".into()),
            ..soon("Secret meetup", 2)
        },
    )
    .await
    .expect("private group's event");
    let draft = node
        .create_event(
            &owner,
            NewEvent {
                group: Some("open".into()),
                status: Some("draft".into()),
                ..soon("Not yet", 4)
            },
        )
        .await
        .expect("draft")
        .event;
    node.create_event(&owner, soon("My own", 5))
        .await
        .expect("own event");
    assert!(records(&node, Kind::Event).is_empty());
    node.delete_event(&owner, draft.id).await.expect("delete");
    assert!(records(&node, Kind::Delete).is_empty());
    assert!(broadcasts(&node).is_empty());

    // Published from draft: its first record then.
    let later = node
        .create_event(
            &owner,
            NewEvent {
                group: Some("open".into()),
                status: Some("draft".into()),
                ..soon("Soon public", 6)
            },
        )
        .await
        .expect("draft")
        .event;
    assert!(records(&node, Kind::Event).is_empty());
    node.update_event(
        &owner,
        later.id,
        EventUpdate {
            status: Some("open".into()),
            ..EventUpdate::default()
        },
    )
    .await
    .expect("publish");
    let published = records(&node, Kind::Event);
    assert_eq!(published.len(), 1);
    assert!(EventBody::from_map(&published[0].body).expect("body").start > now_ms() + 5 * DAY);
}

#[tokio::test]
async fn nothing_is_gossiped_when_gossip_is_off() {
    let f = crate::test_support::fixture();
    let owner = member(&f.node, "owner").await;
    group(&f.node, &owner, "rustaceans", "public").await;
    f.node
        .create_event(
            &owner,
            NewEvent {
                group: Some("rustaceans".into()),
                ..soon("Rust meetup", 3)
            },
        )
        .await
        .expect("create");
    assert!(records(&f.node, Kind::Event).is_empty());
}
