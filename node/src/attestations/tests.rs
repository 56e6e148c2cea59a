//! Attestation kinds: who may give which, withdrawal of each, the gossip
//! round trip between two nodes, records older than kinds, attestations
//! received over ActivityPub, and the scan of live edges.

use std::sync::Arc;

use protocol::envelope::{id_from_hex, Envelope, Kind};

use super::{AttestationKind, AttestationRecord, NewAttestation, ReceivedAttestation};
use crate::community_events::{LocationInput, NewEvent, TimeInput};
use crate::courses::{LessonInput, NewCourse};
use crate::gossip::{Accepted, EnvelopeContext, GossipIntent};
use crate::groups::NewGroup;
use crate::id::Id;
use crate::model::{now_ms, Member};
use crate::remote::{Outgoing, RemoteActor};
use crate::store::tables;
use crate::test_support::member;
use crate::{Node, NodeConfig, NodeError, Viewer};

struct Ctx;

impl EnvelopeContext for Ctx {
    fn sanitize(&self, html: &str) -> String {
        html.to_string()
    }
    fn plain_text(&self, html: &str, max_chars: usize) -> String {
        html.chars().take(max_chars).collect()
    }
    fn post_by_uri(&self, _uri: &str) -> Option<Id> {
        None
    }
}

fn open(domain: &str) -> (Arc<Node>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = NodeConfig::new(dir.path(), domain);
    config.gossip = true;
    (Arc::new(Node::open(config).expect("open")), dir)
}

fn new(subject: &str, kind: AttestationKind, claim: &str) -> NewAttestation {
    NewAttestation {
        subject: subject.into(),
        kind,
        claim: claim.into(),
        comment: String::new(),
        group: None,
    }
}

fn field_of(e: &NodeError) -> &str {
    match e {
        NodeError::Invalid { field, .. } => field,
        _ => "",
    }
}

fn of(viewer: &Viewer) -> Member {
    viewer.member().expect("member").clone()
}

fn kinds_about(node: &Node, name: &str) -> Vec<(AttestationKind, String)> {
    let mut out: Vec<_> = node
        .reputation_of(name)
        .expect("reputation")
        .attestations
        .into_iter()
        .map(|a| (a.kind, a.claim))
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn each_kind_has_its_issuers_and_nobody_attests_about_themselves() {
    let (node, _dir) = open("k.test");
    let alice = member(&node, "alice").await;
    let bob = member(&node, "bob").await;
    member(&node, "carol").await;

    // skill, the default; a skill claim may not borrow another kind's prefix.
    let skill = node.attest(&alice, "bob", "rust", "").await.expect("skill");
    assert_eq!(skill.kind, AttestationKind::Skill);
    let e = node
        .attest(&alice, "bob", "mentored:rust", "")
        .await
        .expect_err("a prefix");
    assert_eq!(field_of(&e), "claim");
    let e = node
        .attest_kind(&alice, new("alice", AttestationKind::Mentored, "rust"))
        .await
        .expect_err("self");
    assert_eq!(field_of(&e), "subject");

    // mentored: the mentee says so; the kind's prefix is written for them.
    let mentored = node
        .attest_kind(&bob, new("alice", AttestationKind::Mentored, "rust"))
        .await
        .expect("mentored");
    assert_eq!(mentored.kind, AttestationKind::Mentored);
    assert_eq!(mentored.claim, "mentored:rust");

    // attended and certificate come from check-in and completion only.
    for kind in [AttestationKind::Attended, AttestationKind::Certificate] {
        let e = node
            .attest_kind(&alice, new("bob", kind, "x"))
            .await
            .expect_err("not by hand");
        assert_eq!(field_of(&e), "kind");
    }

    // contribution: a group's owner or moderator, about one of its members.
    node.create_group(
        &alice,
        NewGroup {
            name: "rustaceans".into(),
            ..NewGroup::default()
        },
    )
    .await
    .expect("group");
    node.join_group(&bob, "rustaceans").await.expect("join");
    let e = node
        .attest_kind(&alice, new("bob", AttestationKind::Contribution, "docs"))
        .await
        .expect_err("no group");
    assert_eq!(field_of(&e), "group");
    let in_group = |subject: &str| NewAttestation {
        group: Some("rustaceans".into()),
        ..new(subject, AttestationKind::Contribution, "docs")
    };
    let e = node
        .attest_kind(&bob, in_group("alice"))
        .await
        .expect_err("a plain member");
    assert!(matches!(e, NodeError::Forbidden(_)), "{e:?}");
    let e = node
        .attest_kind(&alice, in_group("carol"))
        .await
        .expect_err("not a member");
    assert_eq!(field_of(&e), "subject");
    let contribution = node
        .attest_kind(&alice, in_group("bob"))
        .await
        .expect("contribution");
    assert_eq!(contribution.claim, "contribution:rustaceans:docs");
    assert_eq!(
        contribution.group.as_deref(),
        Some(node.urls().actor("rustaceans").as_str())
    );
    let e = node
        .attest_kind(
            &alice,
            NewAttestation {
                group: Some("rustaceans".into()),
                ..new("bob", AttestationKind::Skill, "go")
            },
        )
        .await
        .expect_err("a skill in a group");
    assert_eq!(field_of(&e), "group");

    assert_eq!(
        kinds_about(&node, "bob"),
        vec![
            (AttestationKind::Skill, "rust".to_string()),
            (
                AttestationKind::Contribution,
                "contribution:rustaceans:docs".to_string()
            ),
        ]
    );
    // The kind is in the signed record.
    let id = id_from_hex(&contribution.id).expect("hex");
    let bytes = node.envelope_bytes(&id).expect("read").expect("stored");
    let envelope = Envelope::verify(&bytes, now_ms()).expect("verifies");
    assert_eq!(envelope.body["kind"], "contribution");
    assert_eq!(envelope.author, of(&alice).keys.ed25519_public);
}

#[tokio::test]
async fn every_kind_is_withdrawn_by_a_signed_delete() {
    let (node, _dir) = open("k.test");
    let alice = member(&node, "alice").await;
    let bob = member(&node, "bob").await;

    // mentored and skill, withdrawn by their attesters.
    node.attest_kind(&bob, new("alice", AttestationKind::Mentored, "rust"))
        .await
        .expect("mentored");
    node.withdraw_attestation(&bob, "alice", "mentored:rust")
        .await
        .expect("withdrawn");
    assert!(kinds_about(&node, "alice").is_empty());

    // attended: signed by the organiser at check-in, withdrawn by them.
    let start = now_ms() + 86_400_000;
    let event = node
        .create_event(
            &alice,
            NewEvent {
                title: "Meetup".into(),
                start: Some(TimeInput::Ms(start)),
                end: Some(TimeInput::Ms(start + 3_600_000)),
                timezone: "Europe/Paris".into(),
                location: Some(LocationInput {
                    name: "Hub".into(),
                    locality: "Paris".into(),
                    country: "FR".into(),
                    ..LocationInput::default()
                }),
                ..NewEvent::default()
            },
        )
        .await
        .expect("event")
        .event
        .id;
    node.register_for_event(&bob, event, true)
        .await
        .expect("register");
    node.check_in(&alice, event, "bob").await.expect("check in");
    let claim = crate::community_events::attendance_claim(event);
    assert_eq!(
        kinds_about(&node, "bob"),
        vec![(AttestationKind::Attended, claim.clone())]
    );
    node.withdraw_attestation(&alice, "bob", &claim)
        .await
        .expect("withdrawn");
    assert!(kinds_about(&node, "bob").is_empty());

    // certificate: the node signs it when the course is completed, and
    // withdraws it when the certificate is revoked.
    let course = node
        .create_course(
            &alice,
            NewCourse {
                title: "Soil".into(),
                status: Some("published".into()),
                certificate: true,
                ..NewCourse::default()
            },
        )
        .await
        .expect("course")
        .course
        .id;
    let module = node
        .add_module(&alice, course, "Basics")
        .await
        .expect("module");
    let lesson = node
        .add_lesson(
            &alice,
            module.id,
            LessonInput {
                title: "Loam".into(),
                body: "Sand.".into(),
                minutes: 5,
            },
        )
        .await
        .expect("lesson");
    node.enrol_in_course(&bob, course).await.expect("enrol");
    node.mark_lesson_done(&bob, lesson.id).await.expect("done");
    let rep = node.reputation_of("bob").expect("reputation");
    assert_eq!(rep.attestations.len(), 1);
    let cert = &rep.attestations[0];
    assert_eq!(cert.kind, AttestationKind::Certificate);
    assert_eq!(cert.attester_did, node.node_did());
    assert_eq!(cert.claim, super::node_issued::certificate_claim(course));
    let signed = node
        .envelope_bytes(&id_from_hex(&cert.id).expect("hex"))
        .expect("read")
        .expect("stored");
    let envelope = Envelope::verify(&signed, now_ms()).expect("verifies offline");
    assert_eq!(envelope.author, node.node_keys().ed25519_public);
    let certificate = node.my_certificates(&bob).expect("mine")[0].id;
    node.revoke_certificate(&alice, certificate)
        .await
        .expect("revoke");
    assert!(kinds_about(&node, "bob").is_empty());
    // The withdrawal is a delete signed by the node, queued for gossip.
    let deletes: Vec<Envelope> = node
        .pending_gossip(50)
        .expect("pending")
        .into_iter()
        .filter_map(|(_, i)| match i {
            GossipIntent::Broadcast { envelope } => node.envelope_bytes(&envelope).ok().flatten(),
            _ => None,
        })
        .filter_map(|b| Envelope::verify(&b, now_ms()).ok())
        .filter(|e| e.kind == Kind::Delete)
        .collect();
    assert!(deletes
        .iter()
        .any(|d| d.author == node.node_keys().ed25519_public
            && d.body["attestation"] == cert.id.as_str()));
}

#[tokio::test]
async fn kinds_travel_over_gossip_and_older_records_read_by_their_claim() {
    let (here, _d1) = open("here.test");
    let (there, _d2) = open("there.test");
    let alice = member(&here, "alice").await;
    let bob = member(&there, "bob").await;
    let alice_m = of(&alice);
    // There knows alice's key from her actor document.
    there
        .upsert_remote_actor(RemoteActor {
            ed25519: Some(alice_m.keys.ed25519_public),
            ed25519_proven: true,
            ..RemoteActor::person("https://here.test/users/alice", "alice")
        })
        .await
        .expect("alice there");
    let bob_did = of(&bob).did();
    let view = here
        .attest_kind(
            &alice,
            new(&bob_did, AttestationKind::Mentored, "gardening"),
        )
        .await
        .expect("attest");
    let bytes = here
        .envelope_bytes(&id_from_hex(&view.id).expect("hex"))
        .expect("read")
        .expect("stored");
    let out = there
        .accept_envelopes(&[bytes.as_slice()], &Ctx)
        .await
        .expect("accept");
    assert!(matches!(out[0], Ok(Accepted::Stored { .. })), "{out:?}");
    assert_eq!(
        kinds_about(&there, "bob"),
        vec![(AttestationKind::Mentored, "mentored:gardening".to_string())]
    );

    // A record whose kind disagrees with its claim is refused.
    let key = alice_m
        .keys
        .ed25519(&here.sealer, &alice_m.id.to_bytes())
        .expect("key");
    let mut body = crate::gossip::AttestationBody {
        actor: "https://here.test/users/alice".into(),
        subject: bob_did.clone(),
        subject_actor: String::new(),
        claim: "rust".into(),
        comment: String::new(),
        kind: Some("certificate".into()),
        group: None,
    };
    let bad = Envelope::sign(&key, Kind::Attestation, now_ms(), None, body.to_map()).expect("sign");
    let out = there
        .accept_envelopes(&[bad.bytes.as_slice()], &Ctx)
        .await
        .expect("accept");
    assert!(out[0].is_err(), "{out:?}");

    // Records older than kinds: no kind, read by their claim.
    body.kind = None;
    body.claim = "attended:01jevent".into();
    let old = Envelope::sign(&key, Kind::Attestation, now_ms(), None, body.to_map()).expect("sign");
    there
        .accept_envelopes(&[old.bytes.as_slice()], &Ctx)
        .await
        .expect("accept");
    let stored = there
        .attestation_by_id(&old.id)
        .expect("read")
        .expect("stored");
    assert_eq!(stored.kind, None);
    assert_eq!(stored.kind(), AttestationKind::Attended);
    let (zero, one, two) = (vec![0u8; 32], vec![1u8; 32], vec![2u8; 32]);
    let legacy: AttestationRecord = serde_json::from_value(serde_json::json!({
        "envelope": zero, "attester": one, "subject": two,
        "claim": "rust", "comment": "", "created": 1,
    }))
    .expect("an old record reads");
    assert_eq!(legacy.kind(), AttestationKind::Skill);

    // Every live edge, in one scan.
    let edges: Vec<AttestationRecord> = there
        .live_attestations()
        .collect::<Result<_, _>>()
        .expect("scan");
    assert_eq!(edges.len(), 2);
    assert!(edges
        .iter()
        .all(|e| e.attester == *alice_m.keys.ed25519_public.as_bytes()));
}

#[tokio::test]
async fn an_attestation_with_a_remote_audience_is_queued_for_activitypub() {
    let (node, _dir) = open("k.test");
    let alice = member(&node, "alice").await;
    let ana = node
        .upsert_remote_actor(RemoteActor {
            ed25519: Some(identity::Ed25519Keypair::generate().public()),
            ed25519_proven: true,
            ..RemoteActor::person("https://far.test/users/ana", "ana")
        })
        .await
        .expect("ana");
    let view = node
        .attest(&alice, &ana.did(), "rust", "")
        .await
        .expect("attest");
    let record = id_from_hex(&view.id).expect("hex");
    let queued = |node: &Node| {
        node.pending_outgoing(50)
            .expect("outbox")
            .into_iter()
            .map(|(_, o)| o)
            .collect::<Vec<_>>()
    };
    assert!(queued(&node).iter().any(|o| matches!(o,
        Outgoing::Attestation { attestation, sender } if *attestation == record && *sender == of(&alice).id)));
    node.withdraw_attestation(&alice, &ana.did(), "rust")
        .await
        .expect("withdraw");
    assert!(queued(&node).iter().any(|o| matches!(o,
        Outgoing::AttestationWithdrawn { object, subject, .. }
            if object.ends_with(&view.id) && *subject == Some(ana.id))));
    // Between members here alone, nothing goes to ActivityPub.
    member(&node, "bob").await;
    let before = queued(&node).len();
    node.attest(&alice, "bob", "rust", "")
        .await
        .expect("attest");
    assert_eq!(queued(&node).len(), before);
}

fn received(object_id: &str, subject: &Member, claim: &str) -> ReceivedAttestation {
    ReceivedAttestation {
        object_id: object_id.into(),
        subject_did: subject.did(),
        subject_actor: Some("https://k.test/users/bob".into()),
        claim: claim.into(),
        kind: Some("skill".into()),
        comment: "good".into(),
        group: None,
        created: now_ms(),
        object: serde_json::Map::new(),
    }
}

#[tokio::test]
async fn attestations_received_over_activitypub_are_stored_checked_and_withdrawn() {
    let (node, _dir) = open("k.test");
    let bob = of(&member(&node, "bob").await);
    let carol = of(&member(&node, "carol").await);
    let ana = node
        .upsert_remote_actor(RemoteActor {
            ed25519: Some(identity::Ed25519Keypair::generate().public()),
            ed25519_proven: true,
            ..RemoteActor::person("https://far.test/users/ana", "ana")
        })
        .await
        .expect("ana");
    let zed = node
        .upsert_remote_actor(RemoteActor {
            ed25519: Some(identity::Ed25519Keypair::generate().public()),
            ed25519_proven: true,
            ..RemoteActor::person("https://other.test/users/zed", "zed")
        })
        .await
        .expect("zed");
    let id = "https://far.test/attestations/1";
    assert!(node
        .receive_attestation(&ana, ana.keys.ed25519_public, received(id, &bob, "rust"))
        .await
        .expect("stored"));
    let view = &node.reputation_of("bob").expect("rep").attestations[0];
    assert_eq!(view.attester.as_ref().map(|a| a.id), Some(ana.id));
    assert_eq!(view.kind, AttestationKind::Skill);
    assert!(node
        .attestation_object(&crate::store::hash_of(id))
        .expect("read")
        .is_some());

    // The did:key must be the named member's; kinds must fit claims;
    // nobody attests about themselves.
    let mut wrong = received("https://far.test/attestations/2", &carol, "go");
    wrong.subject_actor = Some("https://k.test/users/bob".into());
    let e = node
        .receive_attestation(&ana, ana.keys.ed25519_public, wrong)
        .await
        .expect_err("mismatch");
    assert_eq!(field_of(&e), "subject");
    let mut kind = received("https://far.test/attestations/3", &bob, "go");
    kind.kind = Some("certificate".into());
    let e = node
        .receive_attestation(&ana, ana.keys.ed25519_public, kind)
        .await
        .expect_err("kind");
    assert_eq!(field_of(&e), "kind");
    let mut own = received("https://far.test/attestations/4", &ana, "go");
    own.subject_actor = None;
    let e = node
        .receive_attestation(&ana, ana.keys.ed25519_public, own)
        .await
        .expect_err("self");
    assert_eq!(field_of(&e), "subject");

    // Another server's account cannot withdraw it; its issuer can.
    assert!(!node
        .receive_attestation_delete(&zed, id)
        .await
        .expect("delete"));
    assert_eq!(
        node.reputation_of("bob").expect("rep").attestations.len(),
        1
    );
    assert!(node
        .receive_attestation_delete(&ana, id)
        .await
        .expect("delete"));
    assert!(node
        .reputation_of("bob")
        .expect("rep")
        .attestations
        .is_empty());
    assert!(node
        .store
        .load::<tables::AttestationObject>(&crate::store::hash_of(id))
        .expect("read")
        .is_none());
}

#[tokio::test]
async fn a_key_named_without_proof_is_bound_by_a_verified_attestation_unless_taken() {
    let (node, _dir) = open("k.test");
    let bob = of(&member(&node, "bob").await);
    let key = identity::Ed25519Keypair::generate().public();
    // The document names the key but proves nothing: not bound yet.
    let fedi = node
        .upsert_remote_actor(RemoteActor {
            ed25519: Some(key),
            ed25519_proven: false,
            ..RemoteActor::person("https://fedify.test/users/fedi", "fedi")
        })
        .await
        .expect("fedi");
    assert!(!fedi.remote.as_ref().is_some_and(|r| r.has_ed25519));
    assert!(node.member_by_key(&key).expect("read").is_none());
    // An attestation that key signed, naming fedi as its issuer, binds it.
    assert!(node
        .receive_attestation(
            &fedi,
            key,
            received("https://fedify.test/attestations/1", &bob, "rust")
        )
        .await
        .expect("stored"));
    assert_eq!(
        node.member_by_key(&key).expect("read").map(|m| m.id),
        Some(fedi.id)
    );
    let view = &node.reputation_of("bob").expect("rep").attestations[0];
    assert_eq!(view.attester.as_ref().map(|a| a.id), Some(fedi.id));
    // Once bound, only that key speaks for fedi.
    let fedi = node.member_by_id(fedi.id).expect("read").expect("fedi");
    let other = identity::Ed25519Keypair::generate().public();
    let e = node
        .receive_attestation(
            &fedi,
            other,
            received("https://fedify.test/attestations/2", &bob, "go"),
        )
        .await
        .expect_err("another key");
    assert!(matches!(e, NodeError::Forbidden(_)), "{e:?}");
    // A key another identity holds is not taken.
    let zed = node
        .upsert_remote_actor(RemoteActor {
            ed25519: Some(identity::Ed25519Keypair::generate().public()),
            ed25519_proven: false,
            ..RemoteActor::person("https://other.test/users/zed", "zed")
        })
        .await
        .expect("zed");
    let e = node
        .receive_attestation(
            &zed,
            key,
            received("https://other.test/attestations/1", &bob, "go"),
        )
        .await
        .expect_err("fedi's key");
    assert!(matches!(e, NodeError::Forbidden(_)), "{e:?}");
}
