use serde_json::json;

use crate::harness::TestNode;

#[tokio::test]
async fn bad_input_is_rejected_with_the_field_and_stores_nothing() {
    let node = TestNode::start().await;
    let (alice, bob) = (node.register("alice").await, node.register("bob").await);
    let t = Some(alice.token.as_str());
    node.post_raw("/posts", t, "application/json", b"{not json".to_vec())
        .await
        .assert_error(400, None);
    node.post("/posts", t, json!({"content": "x", "tags": "notalist"}))
        .await
        .assert_error(422, Some("tags"));
    node.post(
        "/posts",
        t,
        json!({"content": "x", "visibility": "everyone"}),
    )
    .await
    .assert_error(422, Some("visibility"));
    node.post("/posts", t, json!({"content": "   "}))
        .await
        .assert_error(422, Some("content"));
    node.post("/posts", t, json!({"content": "x".repeat(10_001)}))
        .await
        .assert_error(413, Some("content"));
    node.post("/posts", t, json!({"content": "x", "post_type": "rant"}))
        .await
        .assert_error(422, Some("post_type"));
    node.post(
        "/posts",
        t,
        json!({"content": "x", "in_reply_to": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}),
    )
    .await
    .assert_error(422, Some("in_reply_to"));
    node.post("/posts", t, json!({"content": "x", "visibility": "direct"}))
        .await
        .assert_error(422, Some("visibility"));
    let huge = vec![b'x'; 2 * 1024 * 1024];
    let r = node.post_raw("/posts", t, "application/json", huge).await;
    assert_eq!(r.status, 413);
    node.post("/posts", None, json!({"content": "x"}))
        .await
        .assert_error(401, None);
    node.post("/posts", Some("forged-token"), json!({"content": "x"}))
        .await
        .assert_error(401, None);
    // Nothing was stored.
    assert_eq!(node.get("/node", None).await.body["posts"], 0);
    assert!(node.get("/feeds/local", None).await.ids().is_empty());

    // Registration input.
    let reg = |u: &str, e: &str, p: &str| json!({"username": u, "email": e, "password": p});
    node.post(
        "/auth/register",
        None,
        reg("carol", "not-an-email", "long enough pass"),
    )
    .await
    .assert_error(422, Some("email"));
    node.post(
        "/auth/register",
        None,
        reg("carol", "carol@example.test", "short"),
    )
    .await
    .assert_error(422, Some("password"));
    node.post(
        "/auth/register",
        None,
        reg("bad name!", "carol@example.test", "long enough pass"),
    )
    .await
    .assert_error(422, Some("username"));
    node.post("/auth/register", None, json!({"username": "carol"}))
        .await
        .assert_error(422, None);
    assert_eq!(node.get("/node", None).await.body["members"], 2);

    // Someone else's post: 403, unchanged.
    let post = node.post_as(&alice, "mine", json!({})).await;
    node.patch(
        &format!("/posts/{post}"),
        Some(&bob.token),
        json!({"content": "hijack"}),
    )
    .await
    .assert_error(403, None);
    node.delete(&format!("/posts/{post}"), Some(&bob.token))
        .await
        .assert_error(403, None);
    assert!(
        node.get(&format!("/posts/{post}"), None).await.body["content"]
            .as_str()
            .is_some_and(|c| c.contains("mine"))
    );
}

#[tokio::test]
async fn posting_is_rate_limited_per_account() {
    let node = TestNode::start_with(|c| c.rate_limits.posts_per_minute_per_account = 3).await;
    let (alice, bob) = (node.register("alice").await, node.register("bob").await);
    for i in 0..3 {
        node.post_as(&alice, &format!("p{i}"), json!({})).await;
    }
    let r = node
        .post(
            "/posts",
            Some(&alice.token),
            json!({"content": "one too many"}),
        )
        .await;
    r.assert_error(429, None);
    assert!(r.headers.get("retry-after").is_some());
    // Per account: bob is not affected; nothing extra stored.
    node.post_as(&bob, "bob is fine", json!({})).await;
    assert_eq!(node.get("/node", None).await.body["posts"], 4);
}
