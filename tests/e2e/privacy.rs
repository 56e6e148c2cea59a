use serde_json::json;

use crate::harness::TestNode;

#[tokio::test]
async fn followers_only_and_direct_posts_reach_only_their_audience() {
    let node = TestNode::start().await;
    let (alice, bob, carol, dave) = (
        node.register("alice").await,
        node.register("bob").await,
        node.register("carol").await,
        node.register("dave").await,
    );
    node.follow(&bob, &alice).await;
    node.follow(&dave, &alice).await;
    let fo = node
        .post_as(
            &alice,
            "followers only #secret",
            json!({"visibility": "followers"}),
        )
        .await;
    let dm = node
        .post_as(&alice, "psst @carol", json!({"visibility": "direct"}))
        .await;
    let root = node.post_as(&alice, "public root", json!({})).await;
    let fo_reply = node
        .post_as(
            &alice,
            "followers reply",
            json!({"visibility": "followers", "in_reply_to": root}),
        )
        .await;

    // Bob (follower) sees the followers-only post, not the DM.
    assert_eq!(
        node.get(&format!("/posts/{fo}"), Some(&bob.token))
            .await
            .status,
        200
    );
    node.get(&format!("/posts/{dm}"), Some(&bob.token))
        .await
        .assert_error(404, None);
    // Carol (not a follower, mentioned in the DM) sees only the DM.
    node.get(&format!("/posts/{fo}"), Some(&carol.token))
        .await
        .assert_error(404, None);
    assert_eq!(
        node.get(&format!("/posts/{dm}"), Some(&carol.token))
            .await
            .status,
        200
    );
    // Dave follows but is not mentioned: no DM.
    node.get(&format!("/posts/{dm}"), Some(&dave.token))
        .await
        .assert_error(404, None);
    // Anonymous: neither; and nowhere in feeds, threads, tag pages, profiles.
    for id in [&fo, &dm] {
        node.get(&format!("/posts/{id}"), None)
            .await
            .assert_error(404, None);
    }
    for (path, token) in [
        ("/feeds/local".to_string(), None),
        ("/feeds/tags/secret".to_string(), None),
        ("/members/alice/posts".to_string(), None),
        (
            "/members/alice/posts".to_string(),
            Some(carol.token.as_str()),
        ),
        ("/feeds/home".to_string(), Some(carol.token.as_str())),
    ] {
        let ids = node.get(&path, token).await.ids();
        assert!(!ids.contains(&fo), "{path} leaks the followers-only post");
        if token != Some(carol.token.as_str()) {
            assert!(!ids.contains(&dm), "{path} leaks the DM");
        }
    }
    let thread = node.get(&format!("/posts/{root}/thread"), None).await;
    assert!(
        thread.body["descendants"]
            .as_array()
            .is_some_and(|d| d.is_empty()),
        "thread leaks: {}",
        thread.body
    );
    let thread = node
        .get(&format!("/posts/{root}/thread"), Some(&bob.token))
        .await;
    assert_eq!(thread.body["descendants"][0]["id"], fo_reply.as_str());
    // Likes on invisible posts are 404 and change nothing.
    node.post(&format!("/posts/{fo}/like"), Some(&carol.token), json!({}))
        .await
        .assert_error(404, None);
    assert_eq!(
        node.get(&format!("/posts/{fo}"), Some(&alice.token))
            .await
            .body["likes_count"],
        0
    );
    // A reply cannot widen the audience.
    let r = node
        .post(
            "/posts",
            Some(&bob.token),
            json!({"content": "x", "in_reply_to": fo, "visibility": "public"}),
        )
        .await;
    r.assert_error(422, Some("visibility"));
}

#[tokio::test]
async fn profile_privacy_hides_what_it_says() {
    let node = TestNode::start().await;
    let (alice, bob, carol) = (
        node.register("alice").await,
        node.register("bob").await,
        node.register("carol").await,
    );
    node.patch(
        "/me",
        Some(&alice.token),
        json!({"bio": {"about": "hidden bio"}, "preferences": {"privacy": "followers"}}),
    )
    .await;
    node.follow(&bob, &alice).await;
    assert!(node.get("/members/alice", None).await.body["details"].is_null());
    assert!(node.get("/members/alice", Some(&carol.token)).await.body["details"].is_null());
    assert_eq!(
        node.get("/members/alice", Some(&bob.token)).await.body["details"]["bio"]["about"],
        "hidden bio"
    );
    node.get("/members/alice/followers", Some(&carol.token))
        .await
        .assert_error(403, None);
    node.get("/members/alice/following", None)
        .await
        .assert_error(403, None);
    assert_eq!(
        node.get("/members/alice/followers", Some(&bob.token))
            .await
            .status,
        200
    );
    // "members": hidden from anonymous visitors only.
    node.patch(
        "/me",
        Some(&alice.token),
        json!({"preferences": {"privacy": "members"}}),
    )
    .await;
    assert!(node.get("/members/alice", None).await.body["details"].is_null());
    assert_eq!(
        node.get("/members/alice", Some(&carol.token)).await.body["details"]["bio"]["about"],
        "hidden bio"
    );
}
