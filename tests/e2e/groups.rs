//! Groups across nodes over ActivityPub (FEP-1b12, as Lemmy does it):
//! a member of one node joins a group of another by following it, with
//! the group's rules (approval by a moderator, bans) applied there and
//! the answer (Accept or Reject) sent back.

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{eventually, Member, TestNode};

/// What `member` of `node` knows of the remote account `handle`.
async fn relationship(node: &TestNode, member: &Member, handle: &str) -> serde_json::Value {
    node.get(&format!("/members/{handle}"), Some(&member.token))
        .await
        .body["relationship"]
        .clone()
}

#[tokio::test]
async fn a_member_of_another_node_joins_a_group_by_approval_and_is_banned() {
    let a = TestNode::start_federated().await;
    let b = TestNode::start_federated().await;
    let alice = a.register("alice").await;
    let bob = b.register("bob").await;
    let r = a
        .post(
            "/groups",
            Some(&alice.token),
            json!({"name": "makers", "display_name": "Makers", "join_mode": "approval"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let handle = format!("makers@{}", a.domain());

    // Bob asks to join by following the group from his node.
    let r = b
        .post(
            &format!("/members/{handle}/follow"),
            Some(&bob.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["requested"], true, "{}", r.body);
    let requester = format!("bob@{}", b.domain());
    eventually("the join request reaches the group", || async {
        let notes = a.get("/notifications", Some(&alice.token)).await;
        notes
            .body
            .to_string()
            .contains("group_join_request")
            .then_some(())
    })
    .await;

    // Alice approves on her node: bob's node hears the Accept.
    let r = a
        .post(
            &format!("/groups/makers/members/{requester}/approve"),
            Some(&alice.token),
            json!({}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    eventually("bob's node sees the join accepted", || async {
        (relationship(&b, &bob, &handle).await["following"] == true).then_some(())
    })
    .await;
    let group = a.get("/groups/makers", Some(&alice.token)).await;
    assert_eq!(group.body["members_count"], 2, "{}", group.body);

    // A ban on alice's node: bob's node hears he is out.
    let r = a
        .post(
            &format!("/groups/makers/members/{requester}/ban"),
            Some(&alice.token),
            json!({"reason": "spam"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    eventually("bob's node sees he is out", || async {
        let rel = relationship(&b, &bob, &handle).await;
        (rel["following"] == false && rel["requested"] == false).then_some(())
    })
    .await;
    let group = a.get("/groups/makers", Some(&alice.token)).await;
    assert_eq!(group.body["members_count"], 1);

    // Following again is refused by the group.
    let r = b
        .post(
            &format!("/members/{handle}/follow"),
            Some(&bob.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    eventually("the banned member's new Follow is rejected", || async {
        let rel = relationship(&b, &bob, &handle).await;
        (rel["following"] == false && rel["requested"] == false).then_some(())
    })
    .await;
}
