use std::process::Command;

use serde_json::json;

use crate::harness::{assert_ran, TestNode, PASSWORD};

#[tokio::test]
async fn everything_survives_a_restart() {
    let node = TestNode::start().await;
    let (alice, bob) = (node.register("alice").await, node.register("bob").await);
    node.follow(&bob, &alice).await;
    let post = node
        .post_as(&alice, "durable #persist", json!({"title": "Kept"}))
        .await;
    let reply = node
        .post_as(&bob, "reply", json!({"in_reply_to": post}))
        .await;
    node.post(&format!("/posts/{post}/like"), Some(&bob.token), json!({}))
        .await;
    let did = node.get("/node", None).await.body["did"].clone();

    let node = node.restart().await;
    assert_eq!(
        node.get("/node", None).await.body["did"],
        did,
        "node identity is kept"
    );
    assert_eq!(
        node.get("/me", Some(&alice.token)).await.status,
        200,
        "tokens survive"
    );
    let login = node.login("bob", PASSWORD).await;
    assert_eq!(login.status, 200);
    let p = node.get(&format!("/posts/{post}"), None).await;
    assert_eq!(
        (
            p.body["title"].as_str(),
            p.body["likes_count"].as_i64(),
            p.body["replies_count"].as_i64()
        ),
        (Some("Kept"), Some(1), Some(1))
    );
    assert_eq!(
        node.get("/feeds/home", Some(&bob.token)).await.ids(),
        vec![reply, post.clone()]
    );
    assert_eq!(
        node.get("/feeds/tags/persist", None).await.ids(),
        vec![post]
    );
    assert_eq!(
        node.get("/members/alice", None).await.body["followers_count"],
        1
    );
    let n = node.get("/notifications", Some(&alice.token)).await;
    assert_eq!(n.body["items"].as_array().map(Vec::len), Some(3));
    assert_eq!(node.get("/node", None).await.body["members"], 2);
}

#[tokio::test]
async fn offline_admin_suspension_hides_a_member() {
    let mut node = TestNode::start().await;
    let (alice, bob) = (node.register("alice").await, node.register("bob").await);
    let post = node.post_as(&bob, "spam", json!({})).await;
    node.stop().await;
    let out = Command::new(env!("CARGO_BIN_EXE_kodeon"))
        .args(["admin", "suspend", "--data-dir"])
        .arg(&node.dir)
        .args(["--username", "bob"])
        .output()
        .expect("run kodeon admin");
    assert_ran(&out, "kodeon admin");
    let node = node.restart().await;
    // Suspension revoked every session.
    node.get("/me", Some(&bob.token))
        .await
        .assert_error(401, None);
    assert!(node
        .get("/feeds/local", Some(&alice.token))
        .await
        .ids()
        .is_empty());
    node.get(&format!("/posts/{post}"), None)
        .await
        .assert_error(404, None);
    node.get("/members/bob", None).await.assert_error(404, None);
    let login = node.login("bob", PASSWORD).await;
    login.assert_error(403, None);
}
