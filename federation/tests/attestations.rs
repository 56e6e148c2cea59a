//! Attestations over ActivityPub: what a member's attestation is sent as
//! (a `Create` of a `kd:Attestation` whose FEP-8b32 proof verifies with the
//! member's published key), and what the inbox does with one received: a
//! good proof stored, a bad proof or an id on another server refused, a
//! `Delete` of its id withdrawing it.

use std::sync::Arc;

use federation::{Federation, FederationSettings, InboxRequest, Received};
use identity::{Ed25519Keypair, RsaKeypair};
use kodeon_federation as federation;
use node::attestations::AttestationKind;
use node::remote::{Outgoing, RemoteActor};
use node::{Node, NodeConfig, Viewer};
use protocol::activities::{AttestationObject, ATTESTATION_TYPE};
use protocol::data_integrity::{attach_proof, verify_proof, ProofError};
use serde_json::{json, Map, Value};

#[allow(dead_code)]
mod common;

/// Where the remote actor lives (nothing listens there).
const REMOTE: &str = "http://127.0.0.1:9";

struct Harness {
    federation: Arc<Federation>,
    node: Arc<Node>,
    rsa: RsaKeypair,
    ed: Ed25519Keypair,
    actor: String,
    _dir: tempfile::TempDir,
}

async fn harness() -> Harness {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = Arc::new(Node::open(NodeConfig::new(dir.path(), "kodeon.test")).expect("open"));
    common::register_alice(&node).await;
    let settings = FederationSettings {
        allow_private: true,
        ..FederationSettings::default()
    };
    let federation = Federation::new(node.clone(), settings)
        .await
        .expect("federation");
    let rsa = RsaKeypair::generate().expect("rsa");
    let ed = Ed25519Keypair::generate();
    let actor = format!("{REMOTE}/users/ana");
    node.upsert_remote_actor(RemoteActor {
        public_key_pem: rsa.public_pem().expect("pem"),
        ed25519: Some(ed.public()),
        ed25519_proven: true,
        ..RemoteActor::person(&actor, "ana")
    })
    .await
    .expect("ana");
    Harness {
        federation,
        node,
        rsa,
        ed,
        actor,
        _dir: dir,
    }
}

/// `body` POSTed to alice's inbox, signed by `actor`'s RSA key as
/// Mastodon signs.
fn signed_post(h: &Harness, body: Vec<u8>) -> InboxRequest {
    use base64::Engine as _;
    let path = "/users/alice/inbox";
    let date = time::OffsetDateTime::now_utc()
        .format(time::macros::format_description!(
            "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
        ))
        .expect("date");
    let digest = protocol::http_signature::digest_header(&body);
    let signing_string =
        format!("(request-target): post {path}\nhost: kodeon.test\ndate: {date}\ndigest: {digest}");
    let signature = base64::engine::general_purpose::STANDARD
        .encode(h.rsa.sign_sha256(signing_string.as_bytes()));
    InboxRequest {
        method: "POST".into(),
        scheme: "https".into(),
        authority: "kodeon.test".into(),
        path_and_query: path.into(),
        headers: vec![
            ("host".into(), "kodeon.test".into()),
            ("date".into(), date),
            ("digest".into(), digest),
            ("content-type".into(), "application/activity+json".into()),
            (
                "signature".into(),
                format!(
                    r#"keyId="{}#main-key",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="{signature}""#,
                    h.actor
                ),
            ),
        ],
        body: body.into(),
    }
}

/// Ana's attestation `n` of `claim` about alice, signed by `key`.
fn attestation(h: &Harness, n: u32, claim: &str, key: &Ed25519Keypair) -> Map<String, Value> {
    let alice = h.node.find_member("alice").expect("read").expect("alice");
    let mut object = AttestationObject {
        id: format!("{}/attestations/{n}", REMOTE),
        issuer: h.actor.clone(),
        about: Some(format!("{}/users/alice", h.node.config().base_url())),
        subject_key: alice.did(),
        kind: Some("mentored".into()),
        claim: claim.into(),
        comment: "patient".into(),
        group: None,
        published: "2026-12-07T10:00:00Z".into(),
    }
    .to_map();
    attach_proof(
        &mut object,
        &format!("{}#ed25519-key", h.actor),
        "2026-12-07T10:00:00Z",
        |bytes| Ok::<_, ProofError>(key.sign(bytes)),
    )
    .expect("proof");
    object
}

fn create(h: &Harness, n: u32, object: Map<String, Value>) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/activities/{n}", REMOTE),
        "type": "Create",
        "actor": h.actor,
        "to": [format!("{}/users/alice", h.node.config().base_url())],
        "object": object,
    }))
    .expect("json")
}

fn claims_about_alice(h: &Harness) -> Vec<(AttestationKind, String)> {
    h.node
        .reputation_of("alice")
        .expect("reputation")
        .attestations
        .into_iter()
        .map(|a| (a.kind, a.claim))
        .collect()
}

#[tokio::test]
async fn a_received_attestation_with_a_good_proof_is_stored_and_withdrawn_by_delete() {
    let h = harness().await;
    let object = attestation(&h, 1, "mentored:rust", &h.ed);
    let out = h
        .federation
        .receive(signed_post(&h, create(&h, 1, object)))
        .await
        .expect("accepted");
    assert_eq!(out, Received::Applied);
    assert_eq!(
        claims_about_alice(&h),
        vec![(AttestationKind::Mentored, "mentored:rust".to_string())]
    );
    // The object is kept with its proof, which still verifies offline.
    let id = format!("{REMOTE}/attestations/1");
    let kept = h
        .node
        .attestation_object(&node::store::hash_of(&id))
        .expect("read")
        .expect("kept");
    verify_proof(&kept, |_| Some(h.ed.public())).expect("verifies");

    let delete = serde_json::to_vec(&json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{REMOTE}/activities/1/delete"),
        "type": "Delete",
        "actor": h.actor,
        "object": {"id": id, "type": "Tombstone"},
    }))
    .expect("json");
    let out = h
        .federation
        .receive(signed_post(&h, delete))
        .await
        .expect("delete");
    assert_eq!(out, Received::Applied);
    assert!(claims_about_alice(&h).is_empty());
}

#[tokio::test]
async fn a_bad_proof_or_an_id_of_another_server_is_refused() {
    let h = harness().await;
    // Signed by another key than the one ana's document publishes.
    let forged = attestation(&h, 2, "mentored:rust", &Ed25519Keypair::generate());
    let e = h
        .federation
        .receive(signed_post(&h, create(&h, 2, forged)))
        .await
        .expect_err("a bad proof");
    assert_eq!(e.status(), 401, "{e}");
    // Changed after signing.
    let mut changed = attestation(&h, 3, "mentored:rust", &h.ed);
    changed.insert("claim".into(), "mentored:go".into());
    let e = h
        .federation
        .receive(signed_post(&h, create(&h, 3, changed)))
        .await
        .expect_err("changed");
    assert_eq!(e.status(), 401, "{e}");
    // Without a proof.
    let mut bare = attestation(&h, 4, "mentored:rust", &h.ed);
    bare.remove("proof");
    assert!(h
        .federation
        .receive(signed_post(&h, create(&h, 4, bare)))
        .await
        .is_err());
    // An id (or issuer) on another server than the sender's.
    let mut foreign =
        AttestationObject::read(&attestation(&h, 5, "mentored:rust", &h.ed)).expect("read");
    foreign.id = "http://127.0.0.2:9/attestations/5".into();
    let mut foreign = foreign.to_map();
    attach_proof(
        &mut foreign,
        &format!("{}#ed25519-key", h.actor),
        "2026-12-07T10:00:00Z",
        |bytes| Ok::<_, ProofError>(h.ed.sign(bytes)),
    )
    .expect("proof");
    let e = h
        .federation
        .receive(signed_post(&h, create(&h, 5, foreign)))
        .await
        .expect_err("foreign id");
    assert_eq!(e.status(), 403, "{e}");
    assert!(claims_about_alice(&h).is_empty(), "nothing was stored");
}

#[tokio::test]
async fn a_member_s_attestation_is_sent_as_an_object_its_key_proves() {
    let h = harness().await;
    let alice = h.node.find_member("alice").expect("read").expect("alice");
    let ana_did = h.ed.public().to_did_key();
    let view = h
        .node
        .attest(
            &Viewer::Member(Box::new(alice.clone())),
            &ana_did,
            "rust",
            "",
        )
        .await
        .expect("attest");
    let intent = h
        .node
        .pending_outgoing(50)
        .expect("outbox")
        .into_iter()
        .map(|(_, o)| o)
        .find(|o| matches!(o, Outgoing::Attestation { .. }))
        .expect("queued");
    let rendered = federation::activities::render(&h.node, &intent)
        .expect("render")
        .expect("something to send");
    assert_eq!(rendered.body["type"], "Create");
    assert_eq!(rendered.inboxes, vec![format!("{REMOTE}/users/ana/inbox")]);
    let Value::Object(object) = rendered.body["object"].clone() else {
        panic!("an embedded object");
    };
    assert_eq!(object["type"], json!([ATTESTATION_TYPE, "Object"]));
    assert!(object["id"]
        .as_str()
        .unwrap_or_default()
        .ends_with(&view.id));
    let context = object["@context"].to_string();
    assert!(context.contains("https://w3id.org/security/data-integrity/v2"));
    let alice_actor = format!("{}/users/alice", h.node.config().base_url());
    let proof = verify_proof(&object, |method| {
        (method == format!("{alice_actor}#ed25519-key")).then_some(alice.keys.ed25519_public)
    })
    .expect("alice's key proves it");
    assert_eq!(proof.purpose, "assertionMethod");
    let read = AttestationObject::read(&object).expect("reads back");
    assert_eq!(read.claim, "rust");
    assert_eq!(read.kind.as_deref(), Some("skill"));
    assert_eq!(read.issuer, alice_actor);
}

#[tokio::test]
async fn the_node_s_certificate_attestation_is_proved_by_the_node_s_key() {
    let h = harness().await;
    let alice = Viewer::Member(Box::new(
        h.node.find_member("alice").expect("read").expect("alice"),
    ));
    let bob = Viewer::Member(Box::new(
        h.node
            .register(node::members::NewMember {
                username: "bob".into(),
                email: "bob@kodeon.test".into(),
                password: "password123".into(),
                ..node::members::NewMember::default()
            })
            .await
            .expect("bob"),
    ));
    let course = h
        .node
        .create_course(
            &alice,
            node::courses::NewCourse {
                title: "Soil".into(),
                status: Some("published".into()),
                certificate: true,
                ..node::courses::NewCourse::default()
            },
        )
        .await
        .expect("course")
        .course
        .id;
    let module = h
        .node
        .add_module(&alice, course, "Basics")
        .await
        .expect("module");
    let lesson = h
        .node
        .add_lesson(
            &alice,
            module.id,
            node::courses::LessonInput {
                title: "Loam".into(),
                body: "Sand.".into(),
                minutes: 5,
            },
        )
        .await
        .expect("lesson");
    h.node.enrol_in_course(&bob, course).await.expect("enrol");
    h.node
        .mark_lesson_done(&bob, lesson.id)
        .await
        .expect("done");
    let view = h
        .node
        .reputation_of("bob")
        .expect("reputation")
        .attestations
        .into_iter()
        .find(|a| a.kind == AttestationKind::Certificate)
        .expect("the node's attestation");
    let record = h
        .node
        .attestation_by_id(&protocol::envelope::id_from_hex(&view.id).expect("hex"))
        .expect("read")
        .expect("stored");
    let object = federation::attestation_objects::attestation_object(&h.node, &record)
        .expect("render")
        .expect("the node's own");
    let node_actor = h.node.urls().node_actor();
    assert_eq!(object["attributedTo"], node_actor.as_str());
    assert_eq!(object["attestationKind"], "certificate");
    verify_proof(&object, |method| {
        (method == format!("{node_actor}#ed25519-key")).then_some(h.node.node_keys().ed25519_public)
    })
    .expect("the node's key proves it");
    // The same bytes each time it is served.
    let again = federation::attestation_objects::attestation_object(&h.node, &record)
        .expect("render")
        .expect("again");
    assert_eq!(object, again);
}
