//! Incoming `event` records: stored for a group's members here, newest
//! record wins, a `delete` removes the event, and only the group itself,
//! for an event on its own server, is believed.

use identity::Ed25519Keypair;
use protocol::envelope::{Envelope, Kind};

use super::tests::{open, Ctx};
use super::{Accepted, DeleteBody, EventBody, EventPlaceBody, Refusal};
use crate::community_events::{EventFormat, EventStatus, RegistrationMode};
use crate::model::{now_ms, Member};
use crate::remote::RemoteActor;
use crate::test_support::member;
use crate::{Id, Node};

const GROUP: &str = "https://far.test/groups/rust";
const URI: &str = "https://far.test/groups/rust/events/01J0000000000000000000000A";

fn group_key() -> Ed25519Keypair {
    Ed25519Keypair::from_secret_bytes(&[11u8; 32])
}

/// The group `rust` of far.test, whose actor document published `key`.
async fn remote_group(node: &Node, key: &Ed25519Keypair) -> Member {
    node.upsert_remote_actor(RemoteActor {
        name: "Rust".into(),
        actor_type: "Group".into(),
        ed25519: Some(key.public()),
        ed25519_proven: true,
        confirmed_handle: Some("rust@far.test".into()),
        ..RemoteActor::person(GROUP, "rust")
    })
    .await
    .expect("group")
}

/// bob, a member here of the group of far.test.
async fn member_of_group(node: &Node, group: &Member) {
    let bob = member(node, "bob").await;
    node.join_group(&bob, "rust@far.test").await.expect("join");
    node.receive_follow_accept(group, bob.id().expect("id"))
        .await
        .expect("accept");
}

fn body(title: &str, status: EventStatus) -> EventBody {
    let start = now_ms() + 3 * 86_400_000;
    EventBody {
        actor: GROUP.into(),
        uri: URI.into(),
        url: "https://far.test/events/01J0000000000000000000000A".into(),
        organiser: "https://far.test/users/ana".into(),
        title: title.into(),
        html: "<p>Bring <b>snacks</b></p><script>".into(),
        start,
        end: start + 7_200_000,
        timezone: "Europe/Paris".into(),
        format: EventFormat::Offline,
        location: Some(EventPlaceBody {
            name: "Le Bar".into(),
            address: String::new(),
            locality: "Lyon".into(),
            country: "France".into(),
            lat_e6: Some(45_764_043),
            lon_e6: Some(4_835_659),
        }),
        online_url: None,
        capacity: Some(30),
        registration: RegistrationMode::Open,
        status,
        category: Some("meeting".into()),
        tags: vec!["rust".into()],
        participant_count: 4,
        remaining: Some(26),
    }
}

fn signed(key: &Ed25519Keypair, kind: Kind, created: i64, body: &EventBody) -> Envelope {
    Envelope::sign(key, kind, created, None, body.to_map()).expect("sign")
}

async fn accept(node: &Node, e: &Envelope) -> Result<Accepted, Refusal> {
    node.accept_envelopes_as(&[e.bytes.as_slice()], Some(&[e.kind]), &Ctx(node))
        .await
        .expect("accept")
        .remove(0)
}

fn stored(node: &Node) -> Option<crate::community_events::CommunityEvent> {
    let id: Id = node.remote_event_by_uri(URI).expect("lookup")?;
    node.event_record(id).expect("read")
}

#[test]
fn an_event_body_round_trips_through_its_map() {
    let b = body("Meetup", EventStatus::Open);
    let map = b.to_map();
    assert_eq!(map["status"], "open");
    assert_eq!(map["format"], "offline");
    assert_eq!(map["location"]["lat_e6"], 45_764_043);
    assert_eq!(EventBody::from_map(&map).expect("read"), b);
    // Signable: canonical JSON refuses floats, the body has none.
    let e = signed(&group_key(), Kind::Event, now_ms(), &b);
    let back = Envelope::verify(&e.bytes, now_ms()).expect("verify");
    assert_eq!(EventBody::from_map(&back.body).expect("read"), b);
    let place = b.location.expect("place").to_location();
    assert_eq!((place.lat, place.lon), (Some(45.764043), Some(4.835659)));
}

#[tokio::test]
async fn a_groups_event_is_stored_for_its_members_and_the_newest_record_wins() {
    let f = open(false);
    let key = group_key();
    let group = remote_group(&f.node, &key).await;
    let now = now_ms();

    // Nobody here belongs to the group: stored for sync, nothing applied.
    let early = signed(
        &key,
        Kind::Event,
        now - 5_000,
        &body("Meetup", EventStatus::Open),
    );
    assert!(matches!(
        accept(&f.node, &early).await,
        Ok(Accepted::Stored { .. })
    ));
    assert!(stored(&f.node).is_none());

    member_of_group(&f.node, &group).await;
    let first = signed(
        &key,
        Kind::Event,
        now - 4_000,
        &body("Meetup", EventStatus::Open),
    );
    assert!(matches!(
        accept(&f.node, &first).await,
        Ok(Accepted::Stored { .. })
    ));
    let event = stored(&f.node).expect("stored for bob");
    assert_eq!(event.title, "Meetup");
    assert_eq!(event.organiser, group.id, "the group answers Joins");
    let remote = event.remote.as_ref().expect("remote part");
    assert_eq!(remote.group, Some(group.id));
    assert_eq!(remote.participant_count, Some(4));
    assert!(!event.description_html.contains("script"), "sanitised");
    assert_eq!(
        event.location.as_ref().map(|l| l.lat),
        Some(Some(45.764043))
    );

    let cancelled = signed(
        &key,
        Kind::Event,
        now - 2_000,
        &body("Meetup (called off)", EventStatus::Cancelled),
    );
    assert!(matches!(
        accept(&f.node, &cancelled).await,
        Ok(Accepted::Stored { .. })
    ));
    let event = stored(&f.node).expect("still there");
    assert_eq!(event.status, EventStatus::Cancelled);
    assert_eq!(event.title, "Meetup (called off)");

    // An older record (late, through sync) changes nothing.
    let stale = signed(
        &key,
        Kind::Event,
        now - 3_000,
        &body("Old title", EventStatus::Open),
    );
    assert!(matches!(
        accept(&f.node, &stale).await,
        Ok(Accepted::Stored { .. })
    ));
    let event = stored(&f.node).expect("still there");
    assert_eq!(event.status, EventStatus::Cancelled);
    assert_eq!(event.title, "Meetup (called off)");

    // The group deletes it: gone, and a late copy does not bring it back.
    let delete = DeleteBody {
        actor: GROUP.into(),
        uri: Some(URI.into()),
        attestation: None,
    };
    let del = Envelope::sign(&key, Kind::Delete, now - 1_000, None, delete.to_map()).expect("sign");
    assert!(matches!(
        accept(&f.node, &del).await,
        Ok(Accepted::Stored { .. })
    ));
    assert!(stored(&f.node).is_none(), "deleted");
    let late = signed(
        &key,
        Kind::Event,
        now - 500,
        &body("Back?", EventStatus::Open),
    );
    assert!(matches!(
        accept(&f.node, &late).await,
        Ok(Accepted::Stored { .. })
    ));
    assert!(stored(&f.node).is_none(), "a deleted event stays gone");
}

#[tokio::test]
async fn only_the_group_may_publish_its_event_on_its_own_server() {
    let f = open(false);
    let key = group_key();
    let group = remote_group(&f.node, &key).await;
    member_of_group(&f.node, &group).await;

    // Another key naming the group.
    let mallory = Ed25519Keypair::from_secret_bytes(&[7u8; 32]);
    let forged = signed(
        &mallory,
        Kind::Event,
        now_ms(),
        &body("Fake", EventStatus::Open),
    );
    assert!(accept(&f.node, &forged).await.is_err());
    // The group's key, an event id on another server.
    let mut elsewhere = body("Elsewhere", EventStatus::Open);
    elsewhere.uri = "https://other.test/events/1".into();
    let e = signed(&key, Kind::Event, now_ms(), &elsewhere);
    assert!(matches!(
        accept(&f.node, &e).await,
        Err(Refusal::BadBody(_))
    ));
    // A person (not a group) publishing an event record.
    let ana_key = Ed25519Keypair::from_secret_bytes(&[12u8; 32]);
    f.node
        .upsert_remote_actor(RemoteActor {
            ed25519: Some(ana_key.public()),
            ed25519_proven: true,
            ..RemoteActor::person("https://far.test/users/ana", "ana")
        })
        .await
        .expect("ana");
    let mut by_ana = body("Ana's", EventStatus::Open);
    by_ana.actor = "https://far.test/users/ana".into();
    let e = signed(&ana_key, Kind::Event, now_ms(), &by_ana);
    assert!(matches!(
        accept(&f.node, &e).await,
        Err(Refusal::BadBody(_))
    ));
    // A draft.
    let e = signed(
        &key,
        Kind::Event,
        now_ms(),
        &body("Draft", EventStatus::Draft),
    );
    assert!(matches!(
        accept(&f.node, &e).await,
        Err(Refusal::BadBody(_))
    ));
    assert!(stored(&f.node).is_none());
}
