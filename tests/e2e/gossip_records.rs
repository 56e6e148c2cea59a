//! Gossip records besides new posts, through a line A – B – C: edits,
//! deletes, profile changes and attestations reach the far end, and a
//! member follows someone by did:key while that person's node is down.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::gossip::{line, peer_ids, remote_status, within};
use crate::harness::TestNode;

/// The remote account `acct` as the Mastodon API of `node` shows it.
async fn account(node: &TestNode, acct: &str) -> Value {
    node.get(&format!("/api/v1/accounts/lookup?acct={acct}"), None)
        .await
        .body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn edits_deletes_profiles_and_attestations_travel_the_line() {
    let (a, _b, c) = line().await;
    let alice = a.register("alice").await;
    let carol = c.register("carol").await;
    let post = a.post_as(&alice, "first draft from A", json!({})).await;
    within(20, "the post on C", || {
        remote_status(&c, "first draft from A")
    })
    .await;

    let r = a
        .patch(
            &format!("/posts/{post}"),
            Some(&alice.token),
            json!({"content": "final text from A"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    within(40, "the edit on C", || {
        remote_status(&c, "final text from A")
    })
    .await;
    assert!(remote_status(&c, "first draft").await.is_none());

    let r = a
        .patch(
            "/me",
            Some(&alice.token),
            json!({"full_name": "Alice of A"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let acct = format!("alice@{}", a.domain());
    within(40, "the new name on C", || async {
        (account(&c, &acct).await["display_name"] == "Alice of A").then_some(())
    })
    .await;

    // alice (on A) vouches for carol (on C): the attestation is carol's on C.
    let r = a
        .post(
            &format!("/members/carol@{}/attestations", c.domain()),
            Some(&alice.token),
            json!({"claim": "rust", "comment": "reviewed my parser"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_str().expect("id").to_string();
    let rep = within(40, "the attestation on C", || async {
        let r = c.get("/members/carol/attestations", None).await;
        (r.body["attestations"].as_array().map(Vec::len) == Some(1)).then_some(r.body)
    })
    .await;
    assert_eq!(rep["attestations"][0]["id"], id.as_str());
    assert_eq!(rep["attestations"][0]["claim"], "rust");
    assert_eq!(rep["score"], 1.0, "{rep}");
    // Anyone can fetch the signed record from C and check it offline.
    let bytes = reqwest::get(format!("{}/api/kodeon/v1/envelopes/{id}", c.base))
        .await
        .expect("get")
        .bytes()
        .await
        .expect("bytes");
    let envelope = protocol::envelope::Envelope::verify(&bytes, node::model::now_ms())
        .expect("the envelope verifies with nothing else");
    assert_eq!(envelope.kind, protocol::envelope::Kind::Attestation);
    assert_eq!(envelope.body["comment"], "reviewed my parser");
    let _ = carol;

    let r = a
        .delete(&format!("/posts/{post}"), Some(&alice.token))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    within(40, "the delete on C", || async {
        remote_status(&c, "final text from A")
            .await
            .is_none()
            .then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_member_follows_a_did_key_while_its_node_is_down() {
    let b = TestNode::start_gossip(&[]).await;
    let b_addr = b.p2p_addr().await;
    let mut a = TestNode::start_gossip(std::slice::from_ref(&b_addr)).await;
    // A name no other test uses: once A is down, its port may serve another
    // test's node, which must not have an account of that name.
    let alice = a.register("alice_keyonly").await;
    let did = a.get("/members/alice_keyonly", None).await.body["did"]
        .as_str()
        .expect("did")
        .to_string();
    assert!(did.starts_with("did:key:z6Mk"), "{did}");
    within(10, "A and B connected", || async {
        (peer_ids(&b.p2p().await).len() == 1).then_some(())
    })
    .await;
    a.post_as(&alice, "written before A went down", json!({}))
        .await;
    within(20, "the post on B", || {
        remote_status(&b, "written before A went down")
    })
    .await;
    a.stop().await;

    // C has never heard of alice, and her node is down.
    let c = TestNode::start_gossip(std::slice::from_ref(&b_addr)).await;
    let carol = c.register("carol").await;
    let r = c
        .post(
            &format!("/members/{did}/follow"),
            Some(&carol.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["following"], true, "{}", r.body);
    let home = within(30, "alice's post in carol's home feed", || async {
        let r = c.get("/api/v1/timelines/home", Some(&carol.token)).await;
        let items = r.body.as_array().cloned().unwrap_or_default();
        // (Her signed profile may be applied just after the post.)
        items.into_iter().find(|s| {
            s["content"]
                .as_str()
                .unwrap_or_default()
                .contains("written before A went down")
                && s["account"]["acct"]
                    .as_str()
                    .is_some_and(|a| a.starts_with("alice_keyonly@"))
        })
    })
    .await;
    // Her signed profile told C who she is.
    assert_eq!(
        home["account"]["acct"],
        format!("alice_keyonly@{}", a.domain()),
        "{home}"
    );
    let profile = c.get(&format!("/members/{did}"), None).await;
    assert_eq!(profile.status, StatusCode::OK, "{}", profile.body);
    assert_eq!(profile.body["did"], did.as_str());
    // Mastodon apps find her by did:key too.
    let found = c
        .get(
            &format!("/api/v2/search?q={did}&resolve=true&type=accounts"),
            Some(&carol.token),
        )
        .await;
    assert_eq!(
        found.body["accounts"][0]["acct"],
        format!("alice_keyonly@{}", a.domain()),
        "{}",
        found.body
    );
}

#[tokio::test]
async fn attestation_requests_are_checked_field_by_field() {
    let node = TestNode::start().await;
    let ana = node.register("ana").await;
    node.register("ben").await;
    let r = node
        .post("/members/ben/attestations", None, json!({"claim": "rust"}))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    for (body, status, field) in [
        (json!({"claim": "Not A Tag"}), 422, "claim"),
        (json!({"claim": ""}), 422, "claim"),
        (
            json!({"claim": "rust", "comment": "x".repeat(501)}),
            413,
            "comment",
        ),
    ] {
        let r = node
            .post("/members/ben/attestations", Some(&ana.token), body)
            .await;
        r.assert_error(status, Some(field));
    }
    let r = node
        .post(
            "/members/ana/attestations",
            Some(&ana.token),
            json!({"claim": "rust"}),
        )
        .await;
    r.assert_error(422, Some("subject"));
    let r = node
        .post(
            "/members/nobody/attestations",
            Some(&ana.token),
            json!({"claim": "rust"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    // Nothing was stored by the refused requests.
    let rep = node.get("/members/ben/attestations", None).await;
    assert_eq!(rep.body["attestations"], json!([]), "{}", rep.body);
    assert_eq!(rep.body["score"], 0.0);

    let r = node
        .post(
            "/members/ben/attestations",
            Some(&ana.token),
            json!({"claim": "mentoring"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["weight"], 1.0);
    let rep = node.get("/members/ben/attestations", None).await;
    assert_eq!(rep.body["claims"][0]["claim"], "mentoring", "{}", rep.body);
    assert!(rep.body["formula"]
        .as_str()
        .is_some_and(|f| f.contains("weight")));

    node.get("/envelopes/xyz", None)
        .await
        .assert_error(422, Some("id"));
    let r = node
        .get(&format!("/envelopes/{}", "0".repeat(64)), None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = node
        .delete("/members/ben/attestations/mentoring", Some(&ana.token))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = node
        .delete("/members/ben/attestations/mentoring", Some(&ana.token))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}
