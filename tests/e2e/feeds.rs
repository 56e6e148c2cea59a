use serde_json::json;

use crate::harness::TestNode;

#[tokio::test]
async fn home_and_local_feeds_newest_first() {
    let node = TestNode::start().await;
    let (alice, bob, carol) = (
        node.register("alice").await,
        node.register("bob").await,
        node.register("carol").await,
    );
    let a1 = node.post_as(&alice, "a1", json!({})).await;
    let c1 = node.post_as(&carol, "c1", json!({})).await;
    let unlisted = node
        .post_as(&alice, "quiet", json!({"visibility": "unlisted"}))
        .await;
    node.follow(&bob, &alice).await;
    let b1 = node.post_as(&bob, "b1", json!({})).await;
    // Home: own posts and followed, newest first, history included.
    assert_eq!(
        node.get("/feeds/home", Some(&bob.token)).await.ids(),
        vec![b1.clone(), unlisted.clone(), a1.clone()]
    );
    // Local: public top-level only.
    assert_eq!(
        node.get("/feeds/local", None).await.ids(),
        vec![b1.clone(), c1, a1.clone()]
    );
    // Unfollow: gone from home.
    node.delete("/members/alice/follow", Some(&bob.token)).await;
    assert_eq!(
        node.get("/feeds/home", Some(&bob.token)).await.ids(),
        vec![b1]
    );
    // Member posts, with and without replies.
    node.post_as(&alice, "reply", json!({"in_reply_to": a1}))
        .await;
    assert_eq!(node.get("/members/alice/posts", None).await.ids().len(), 3);
    assert_eq!(
        node.get("/members/alice/posts?exclude_replies=true", None)
            .await
            .ids(),
        vec![unlisted, a1]
    );
}

#[tokio::test]
async fn cursor_pagination_and_link_headers() {
    let node = TestNode::start().await;
    let alice = node.register("alice").await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(node.post_as(&alice, &format!("p{i}"), json!({})).await);
    }
    ids.reverse();
    let p1 = node.get("/feeds/local?limit=2", None).await;
    assert_eq!(p1.ids(), ids[0..2]);
    let link = p1
        .headers
        .get("link")
        .and_then(|l| l.to_str().ok())
        .expect("link")
        .to_string();
    assert!(
        link.contains("rel=\"next\"") && link.contains(&format!("max_id={}", ids[1])),
        "{link}"
    );
    let next = p1.body["next_max_id"].as_str().expect("next").to_string();
    let p2 = node
        .get(&format!("/feeds/local?limit=2&max_id={next}"), None)
        .await;
    assert_eq!(p2.ids(), ids[2..4]);
    let p3 = node
        .get(
            &format!(
                "/feeds/local?limit=2&max_id={}",
                p2.body["next_max_id"].as_str().expect("n")
            ),
            None,
        )
        .await;
    assert_eq!(p3.ids(), ids[4..5]);
    assert!(p3.body["next_max_id"].is_null());
    // min_id: the page just newer; since_id: the newest newer ones.
    assert_eq!(
        node.get(&format!("/feeds/local?limit=2&min_id={}", ids[4]), None)
            .await
            .ids(),
        ids[2..4]
    );
    assert_eq!(
        node.get(&format!("/feeds/local?limit=2&since_id={}", ids[4]), None)
            .await
            .ids(),
        ids[0..2]
    );
    node.get("/feeds/local?limit=0", None)
        .await
        .assert_error(400, Some("limit"));
    node.get("/feeds/local?limit=abc", None)
        .await
        .assert_error(400, Some("limit"));
    node.get("/feeds/local?max_id=zzz", None)
        .await
        .assert_error(400, Some("max_id"));
}

#[tokio::test]
async fn search_finds_members_tags_and_public_posts() {
    let node = TestNode::start().await;
    let alice = node.register("alice").await;
    let public = node
        .post_as(&alice, "Kodeon speaks #ActivityPub", json!({}))
        .await;
    node.post_as(&alice, "kodeon secrets", json!({"visibility": "followers"}))
        .await;
    let r = node.get("/search?q=kodeon", None).await;
    assert_eq!(r.status, 200);
    let ids: Vec<&str> = r.body["posts"]
        .as_array()
        .expect("posts")
        .iter()
        .filter_map(|p| p["id"].as_str())
        .collect();
    assert_eq!(ids, vec![public.as_str()]);
    let r = node.get("/search?q=ali", None).await;
    assert_eq!(r.body["members"][0]["username"], "alice");
    let r = node.get("/search?q=activ", None).await;
    assert_eq!(r.body["tags"][0]["name"], "activitypub");
}
