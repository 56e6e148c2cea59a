use serde_json::json;

use crate::harness::TestNode;

#[tokio::test]
async fn follow_unfollow_counts_and_lists() {
    let node = TestNode::start().await;
    let (alice, bob) = (node.register("alice").await, node.register("bob").await);
    let r = node.follow(&bob, &alice).await;
    assert_eq!(r.body["following"], true);
    // Following twice changes nothing.
    node.follow(&bob, &alice).await;
    let a = node.get("/members/alice", None).await;
    assert_eq!(
        (
            a.body["followers_count"].as_i64(),
            a.body["following_count"].as_i64()
        ),
        (Some(1), Some(0))
    );
    let followers = node.get("/members/alice/followers", None).await;
    assert_eq!(followers.body["items"][0]["username"], "bob");
    let following = node.get("/members/bob/following", None).await;
    assert_eq!(following.body["items"][0]["username"], "alice");
    let r = node.delete("/members/alice/follow", Some(&bob.token)).await;
    assert_eq!(r.body["following"], false);
    assert_eq!(
        node.get("/members/alice", None).await.body["followers_count"],
        0
    );
    node.follow(&alice, &alice)
        .await
        .assert_error(422, Some("username"));
}

#[tokio::test]
async fn locked_accounts_approve_and_reject_requests() {
    let node = TestNode::start().await;
    let (alice, bob, carol) = (
        node.register("alice").await,
        node.register("bob").await,
        node.register("carol").await,
    );
    node.patch("/me", Some(&alice.token), json!({"locked": true}))
        .await;
    let r = node.follow(&bob, &alice).await;
    assert_eq!(
        (r.body["following"].as_bool(), r.body["requested"].as_bool()),
        (Some(false), Some(true))
    );
    node.follow(&carol, &alice).await;
    let requests = node.get("/follow-requests", Some(&alice.token)).await;
    assert_eq!(requests.body["items"].as_array().map(Vec::len), Some(2));
    let r = node
        .post(
            "/follow-requests/bob/approve",
            Some(&alice.token),
            json!({}),
        )
        .await;
    assert_eq!(r.body["followed_by"], true);
    let r = node
        .post(
            "/follow-requests/carol/reject",
            Some(&alice.token),
            json!({}),
        )
        .await;
    assert_eq!(r.body["followed_by"], false);
    assert_eq!(
        node.get("/members/alice", None).await.body["followers_count"],
        1
    );
    assert!(
        node.get("/follow-requests", Some(&alice.token)).await.body["items"]
            .as_array()
            .is_some_and(|a| a.is_empty())
    );
    node.post(
        "/follow-requests/carol/approve",
        Some(&alice.token),
        json!({}),
    )
    .await
    .assert_error(404, None);
    // Notifications: a follow_request for each, not "followed".
    let n = node
        .get("/notifications?types=follow_request", Some(&alice.token))
        .await;
    assert_eq!(n.body["items"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn blocks_cut_ties_both_ways_and_mutes_hide() {
    let node = TestNode::start().await;
    let (alice, bob, carol) = (
        node.register("alice").await,
        node.register("bob").await,
        node.register("carol").await,
    );
    node.follow(&bob, &alice).await;
    node.follow(&alice, &bob).await;
    let alice_post = node.post_as(&alice, "from alice", json!({})).await;
    let bob_post = node.post_as(&bob, "from bob", json!({})).await;
    let r = node
        .post("/members/bob/block", Some(&alice.token), json!({}))
        .await;
    assert_eq!(r.body["blocking"], true);
    assert_eq!(
        node.get("/members/alice", None).await.body["followers_count"],
        0
    );
    assert_eq!(
        node.get("/members/alice", None).await.body["following_count"],
        0
    );
    node.get(&format!("/posts/{alice_post}"), Some(&bob.token))
        .await
        .assert_error(404, None);
    node.get(&format!("/posts/{bob_post}"), Some(&alice.token))
        .await
        .assert_error(404, None);
    node.follow(&bob, &alice).await.assert_error(403, None);
    node.get("/members/alice", Some(&bob.token))
        .await
        .assert_error(404, None);
    assert_eq!(
        node.get("/me/blocks", Some(&alice.token)).await.body["items"][0]["username"],
        "bob"
    );
    // Mute: carol follows alice, mutes her; alice vanishes from carol's home.
    node.follow(&carol, &alice).await;
    assert_eq!(
        node.get("/feeds/home", Some(&carol.token)).await.ids(),
        vec![alice_post.clone()]
    );
    node.post("/members/alice/mute", Some(&carol.token), json!({}))
        .await;
    assert!(node
        .get("/feeds/home", Some(&carol.token))
        .await
        .ids()
        .is_empty());
    node.delete("/members/alice/mute", Some(&carol.token)).await;
    assert_eq!(
        node.get("/feeds/home", Some(&carol.token)).await.ids(),
        vec![alice_post]
    );
}
