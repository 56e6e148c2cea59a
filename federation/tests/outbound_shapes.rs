//! What the node sends keeps its shape: every kind of outgoing activity
//! is rendered and compared, property by property, with the shapes
//! Mastodon, Fedify and GoToSocial have been reading
//! (`outbound_shapes.json`). Strings are masked (ids and dates change
//! from run to run) except `type`, `@context` and the public collection;
//! which properties exist, their nesting, and list lengths are compared
//! (not the order of properties, which JSON does not give a meaning).
//!
//! After an intended change of shape, rewrite the file with
//! `KODEON_WRITE_SHAPES=1 cargo test -p kodeon-federation --test
//! outbound_shapes`, and review the diff.

use std::collections::BTreeMap;

mod common;

use identity::RsaKeypair;
use kodeon_federation::activities::render;
use node::model::Visibility;
use node::remote::{Outgoing, RemoteActor, RemotePost};
use node::{Node, NodeConfig};
use serde_json::{json, Value};

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// `value` with every string masked but types, contexts and `Public`.
fn shape(value: &Value, key: &str) -> Value {
    match value {
        Value::String(s) if key == "type" || key == "@context" || s == PUBLIC => json!(s),
        Value::String(_) => json!("…"),
        Value::Array(items) => Value::Array(items.iter().map(|v| shape(v, key)).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), shape(v, k))).collect())
        }
        other => other.clone(),
    }
}

fn remote_actor(id: &str, pem: &str) -> RemoteActor {
    RemoteActor {
        name: "Bob".into(),
        followers: Some(format!("{id}/followers")),
        public_key_pem: pem.into(),
        ..RemoteActor::person(id, "bob")
    }
}

#[tokio::test]
async fn outgoing_activities_keep_their_shape() {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = Node::open(NodeConfig::new(dir.path(), "kodeon.test")).expect("open");
    let alice = common::register_alice(&node).await;
    let pem = RsaKeypair::generate()
        .expect("rsa")
        .public_pem()
        .expect("pem");
    let bob_uri = "https://remote.example/users/bob";
    let bob = node
        .upsert_remote_actor(remote_actor(bob_uri, &pem))
        .await
        .expect("remote actor");
    node.receive_follow(&bob, alice.id, "https://remote.example/follows/1")
        .await
        .expect("follow");
    let post = common::post_as(&node, &alice, "Hello #fediverse @bob@remote.example").await;
    let bobs = node
        .receive_post(
            &bob,
            RemotePost::public(
                "https://remote.example/notes/1",
                "<p>hello</p>",
                node::model::now_ms(),
            ),
        )
        .await
        .expect("remote post");
    let follow_id = "https://kodeon.test/users/alice#follows/1".to_string();
    let intents = [
        ("Create", Outgoing::Create { post: post.id }),
        ("Update", Outgoing::Update { post: post.id }),
        (
            "Delete",
            Outgoing::Delete {
                post: post.id,
                author: alice.id,
                visibility: Visibility::Public,
                mentions: Vec::new(),
                in_reply_to_author: None,
                group: None,
            },
        ),
        (
            "Like",
            Outgoing::Like {
                member: alice.id,
                post: bobs,
            },
        ),
        (
            "Unlike",
            Outgoing::Unlike {
                member: alice.id,
                post: bobs,
            },
        ),
        (
            "Announce",
            Outgoing::Announce {
                member: alice.id,
                post: bobs,
                boost: post.id,
            },
        ),
        (
            "UndoAnnounce",
            Outgoing::UndoAnnounce {
                member: alice.id,
                post: bobs,
                boost: post.id,
            },
        ),
        (
            "Follow",
            Outgoing::Follow {
                follower: alice.id,
                followee: bob.id,
                activity_id: follow_id.clone(),
            },
        ),
        (
            "UndoFollow",
            Outgoing::UndoFollow {
                follower: alice.id,
                followee: bob.id,
                activity_id: follow_id.clone(),
            },
        ),
        (
            "Accept",
            Outgoing::Accept {
                follower: bob.id,
                followee: alice.id,
                activity_id: "https://remote.example/follows/1".into(),
            },
        ),
        (
            "Reject",
            Outgoing::Reject {
                follower: bob.id,
                followee: alice.id,
                activity_id: "https://remote.example/follows/1".into(),
            },
        ),
        (
            "Block",
            Outgoing::Block {
                blocker: alice.id,
                blocked: bob.id,
            },
        ),
        (
            "Unblock",
            Outgoing::Unblock {
                blocker: alice.id,
                blocked: bob.id,
            },
        ),
        (
            "UpdateProfile",
            Outgoing::UpdateProfile { member: alice.id },
        ),
        ("DeleteActor", Outgoing::DeleteActor { member: alice.id }),
    ];
    let mut shapes = BTreeMap::new();
    for (name, intent) in &intents {
        let rendered = render(&node, intent)
            .expect("render")
            .unwrap_or_else(|| panic!("{name}: nothing to send"));
        assert_eq!(
            rendered.body["id"].as_str(),
            Some(rendered.id.as_str()),
            "{name}"
        );
        shapes.insert(name.to_string(), shape(&rendered.body, ""));
    }
    let got = serde_json::to_string_pretty(&shapes).expect("json") + "\n";
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/outbound_shapes.json");
    if std::env::var_os("KODEON_WRITE_SHAPES").is_some() {
        std::fs::write(path, &got).expect("write");
    }
    let want = std::fs::read_to_string(path).expect("outbound_shapes.json");
    // Compared as JSON: the order of properties is not significant.
    let parse = |s: &str| serde_json::from_str::<Value>(s).expect("json");
    assert_eq!(
        parse(&got),
        parse(&want),
        "the shape of an outgoing activity changed:\n{got}"
    );
}
