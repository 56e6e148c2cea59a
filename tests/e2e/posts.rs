use serde_json::json;

use crate::harness::TestNode;

#[tokio::test]
async fn create_edit_delete_with_markdown_tags_and_counters() {
    let node = TestNode::start().await;
    let alice = node.register("alice").await;
    let r = node
        .post(
            "/posts",
            Some(&alice.token),
            json!({"title": "Hello", "content": "**bold** <script>alert(1)</script> #Rust", "post_type": "tutorial", "category": "web", "tags": ["kodeon"]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.body["id"].as_str().expect("id").to_string();
    let html = r.body["content"].as_str().expect("content");
    assert!(html.contains("<strong>bold</strong>"));
    assert!(!html.contains("<script"));
    assert_eq!(r.body["tags"], json!(["kodeon", "rust"]));
    assert_eq!(r.body["post_type"], "tutorial");
    assert_eq!(
        node.get("/me", Some(&alice.token)).await.body["posts_count"],
        1
    );
    assert_eq!(
        node.get("/feeds/tags/rust", None).await.ids(),
        vec![id.clone()]
    );
    assert_eq!(
        node.get("/feeds/categories/web", None).await.ids(),
        vec![id.clone()]
    );

    let e = node
        .patch(
            &format!("/posts/{id}"),
            Some(&alice.token),
            json!({"content": "edited #go", "tags": []}),
        )
        .await;
    assert_eq!(e.status, 200, "{}", e.body);
    assert!(e.body["edited_at"].is_string());
    assert!(node.get("/feeds/tags/rust", None).await.ids().is_empty());
    assert_eq!(
        node.get("/feeds/tags/go", None).await.ids(),
        vec![id.clone()]
    );

    assert_eq!(
        node.delete(&format!("/posts/{id}"), Some(&alice.token))
            .await
            .status,
        204
    );
    node.get(&format!("/posts/{id}"), Some(&alice.token))
        .await
        .assert_error(404, None);
    assert!(node.get("/feeds/local", None).await.ids().is_empty());
    assert!(node.get("/feeds/tags/go", None).await.ids().is_empty());
    assert_eq!(
        node.get("/me", Some(&alice.token)).await.body["posts_count"],
        0
    );
    assert_eq!(node.get("/node", None).await.body["posts"], 0);
}

#[tokio::test]
async fn threads_nest_replies_to_replies() {
    let node = TestNode::start().await;
    let (alice, bob) = (node.register("alice").await, node.register("bob").await);
    let root = node.post_as(&alice, "root", json!({})).await;
    let r1 = node
        .post_as(&bob, "reply 1", json!({"in_reply_to": root}))
        .await;
    let r2 = node
        .post_as(&alice, "reply to reply", json!({"in_reply_to": r1}))
        .await;
    let r3 = node
        .post_as(&bob, "reply 2", json!({"in_reply_to": root}))
        .await;
    let t = node.get(&format!("/posts/{root}/thread"), None).await;
    let d: Vec<(String, i64)> = t.body["descendants"]
        .as_array()
        .expect("descendants")
        .iter()
        .map(|e| {
            (
                e["id"].as_str().unwrap_or("").to_string(),
                e["depth"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(d, vec![(r1.clone(), 1), (r2.clone(), 2), (r3, 1)]);
    let t2 = node.get(&format!("/posts/{r2}/thread"), None).await;
    let ancestors: Vec<&str> = t2.body["ancestors"]
        .as_array()
        .expect("a")
        .iter()
        .filter_map(|p| p["id"].as_str())
        .collect();
    assert_eq!(ancestors, vec![root.as_str(), r1.as_str()]);
    assert_eq!(
        node.get(&format!("/posts/{root}"), None).await.body["replies_count"],
        2
    );
    assert_eq!(
        node.get(&format!("/posts/{r2}"), None).await.body["thread_root"],
        root.as_str()
    );
    // Replies are not listed in the local feed.
    assert_eq!(node.get("/feeds/local", None).await.ids(), vec![root]);
}

#[tokio::test]
async fn likes_bookmarks_and_notifications() {
    let node = TestNode::start().await;
    let (alice, bob) = (node.register("alice").await, node.register("bob").await);
    node.follow(&bob, &alice).await;
    let post = node.post_as(&alice, "like me", json!({})).await;
    for _ in 0..2 {
        let r = node
            .post(&format!("/posts/{post}/like"), Some(&bob.token), json!({}))
            .await;
        assert_eq!(
            (r.body["likes_count"].as_i64(), r.body["liked"].as_bool()),
            (Some(1), Some(true))
        );
    }
    node.post(
        &format!("/posts/{post}/bookmark"),
        Some(&bob.token),
        json!({}),
    )
    .await;
    assert_eq!(
        node.get("/me/bookmarks", Some(&bob.token)).await.ids(),
        vec![post.clone()]
    );
    assert_eq!(
        node.get("/me/likes", Some(&bob.token)).await.ids(),
        vec![post.clone()]
    );
    node.post_as(&bob, "hey @alice", json!({})).await;
    node.post_as(&bob, "reply", json!({"in_reply_to": post}))
        .await;

    let n = node.get("/notifications", Some(&alice.token)).await;
    let kinds: Vec<&str> = n.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["kind"].as_str())
        .collect();
    assert_eq!(kinds, vec!["replied", "mentioned", "liked", "followed"]);
    assert_eq!(
        node.get("/notifications/unread", Some(&alice.token))
            .await
            .body["unread"],
        4
    );
    let first = n.body["items"][0]["id"].as_str().expect("id").to_string();
    let r = node
        .post(
            "/notifications/read",
            Some(&alice.token),
            json!({"ids": [first]}),
        )
        .await;
    assert_eq!(r.body["unread"], 3);
    let liked = node
        .get("/notifications?types=liked", Some(&alice.token))
        .await;
    assert_eq!(liked.body["items"][0]["actor"]["username"], "bob");
    assert_eq!(
        node.post("/notifications/read", Some(&alice.token), json!({}))
            .await
            .body["unread"],
        0
    );

    let r = node
        .delete(&format!("/posts/{post}/like"), Some(&bob.token))
        .await;
    assert_eq!(r.body["likes_count"], 0);
    assert_eq!(
        node.delete(&format!("/posts/{post}/bookmark"), Some(&bob.token))
            .await
            .status,
        204
    );
    assert!(node
        .get("/me/bookmarks", Some(&bob.token))
        .await
        .ids()
        .is_empty());
}
