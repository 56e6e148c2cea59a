//! What the inbox answers when an activity names something that cannot be
//! had: a 5xx makes the sender retry for days, so an announced object that
//! is gone, refused (blocked domain, not an acceptable URL, too large,
//! malformed) or unreachable is accepted and ignored (202), and nothing of
//! it is stored.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::fake_remote::{Answer, FakeRemote};
use crate::harness::TestNode;

fn announce(actor: &str, n: usize, object: &str) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{actor}/announces/{n}"),
        "type": "Announce",
        "actor": actor,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": object,
    })
}

#[tokio::test]
async fn an_announced_object_that_cannot_be_had_is_accepted_and_ignored() {
    let node = TestNode::start_federated().await;
    let fake = FakeRemote::start().await;
    let mallory = fake.add_actor("mallory");
    let admin = node.register_admin().await;
    node.block_domain(
        &admin,
        json!({"domain": "blocked.example", "severity": "suspend"}),
    )
    .await;

    fake.serve("/notes/gone", Answer::status(410));
    fake.serve("/notes/broken", Answer::status(500));
    fake.serve(
        "/notes/huge",
        Answer {
            status: 200,
            headers: vec![("content-type".into(), "application/activity+json".into())],
            body: vec![b' '; 2 * 1024 * 1024],
        },
    );
    fake.serve(
        "/notes/garbled",
        Answer {
            status: 200,
            headers: vec![("content-type".into(), "application/activity+json".into())],
            body: b"{\"id\": ".to_vec(),
        },
    );
    fake.serve(
        "/notes/not-a-post",
        Answer::json(&json!({"id": fake.url("/notes/not-a-post"), "type": "Tombstone"})),
    );
    let cases = [
        ("missing (404)", fake.url("/notes/missing")),
        ("gone (410)", fake.url("/notes/gone")),
        ("its server fails (500)", fake.url("/notes/broken")),
        ("too large", fake.url("/notes/huge")),
        ("not JSON", fake.url("/notes/garbled")),
        ("not a post", fake.url("/notes/not-a-post")),
        ("unreachable", "http://127.0.0.1:1/notes/1".to_string()),
        (
            "on a blocked domain",
            "https://blocked.example/notes/1".into(),
        ),
        ("not an acceptable URL", "file:///etc/passwd".into()),
    ];
    for (n, (what, object)) in cases.iter().enumerate() {
        let (status, body) = fake
            .send(&node, "mallory", &announce(&mallory, n, object))
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{what}: {body}");
    }
    // Nothing was stored: mallory boosted nothing.
    let r = node
        .get(&format!("/members/mallory@{}/posts", fake.domain), None)
        .await;
    assert_eq!(r.body["items"], json!([]), "{}", r.body);
    // The blocked domain was never asked (it does not even resolve) and
    // the refused URL not fetched: only the fake server's own objects were.
    assert!(
        fake.fetched().iter().all(|p| !p.contains("etc")),
        "{:?}",
        fake.fetched()
    );
}

#[tokio::test]
async fn an_update_of_an_actor_whose_document_fails_is_accepted_and_ignored() {
    let node = TestNode::start_federated().await;
    let fake = FakeRemote::start().await;
    let mallory = fake.add_actor("mallory");
    // A first activity makes the node fetch and keep mallory's key.
    let follow = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{mallory}/likes/0"),
        "type": "Like",
        "actor": mallory,
        "object": "http://elsewhere.example/notes/1",
    });
    let (status, body) = fake.send(&node, "mallory", &follow).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    // Then the actor's server fails when the node refetches the document
    // an Update announces.
    fake.serve("/users/mallory", Answer::status(503));
    let update = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{mallory}#updates/1"),
        "type": "Update",
        "actor": mallory,
        "object": {"id": mallory, "type": "Person"},
    });
    let (status, body) = fake.send(&node, "mallory", &update).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
}

#[tokio::test]
async fn refusals_name_their_reason_and_stay_4xx() {
    let node = TestNode::start_federated().await;
    let fake = FakeRemote::start().await;
    let mallory = fake.add_actor("mallory");
    // An Announce of nothing is the sender's mistake: 400, saying so.
    let bad = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{mallory}/announces/x"),
        "type": "Announce",
        "actor": mallory,
    });
    let (status, body) = fake.send(&node, "mallory", &bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.contains("Announce of nothing")),
        "{body}"
    );
}
