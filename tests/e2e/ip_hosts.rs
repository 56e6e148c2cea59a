//! Nodes whose domain is an IP address (`127.0.0.1:PORT`, the default a
//! plain start derives from its listen address) federate all the way:
//! WebFinger, signed deliveries both ways, follows accepted. And a
//! delivery a server refuses for good is given up at once, logged and
//! shown in the admin panel with its reason, instead of being counted as
//! delivered.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::fake_remote::FakeRemote;
use crate::harness::{eventually, follow_across, Member, TestNode};

/// A federating node known by its IP address and port.
async fn ip_node() -> TestNode {
    let node = TestNode::start_with(|c| c.federation.retry_base_ms = 200).await;
    assert!(
        node.domain().starts_with("127.0.0.1:"),
        "an IP-literal domain: {}",
        node.domain()
    );
    node
}

#[tokio::test]
async fn nodes_known_by_ip_address_follow_each_other_and_deliver_posts() {
    let a = ip_node().await;
    let b = ip_node().await;
    let alice = a.register("alice").await;
    let bob = b.register("bob").await;

    // bob@B follows alice@A: WebFinger on an IP host, Follow signed and
    // delivered to A, Accept signed and delivered back to B.
    follow_across(&b, &bob, &a, &alice).await;

    // A post of alice's reaches bob's home feed.
    a.post_as(&alice, "hello from an IP address", json!({}))
        .await;
    eventually("the post arrives", || async {
        let r = b.get("/feeds/home", Some(&bob.token)).await;
        r.body["items"]
            .as_array()?
            .iter()
            .any(|p| {
                p["content"]
                    .as_str()
                    .is_some_and(|c| c.contains("hello from an IP address"))
            })
            .then_some(())
    })
    .await;

    // And the other way: alice follows bob back.
    follow_across(&a, &alice, &b, &bob).await;
}

#[tokio::test]
async fn a_delivery_refused_for_good_is_given_up_and_shown_with_its_reason() {
    let node = TestNode::start_federated().await;
    let fake = FakeRemote::start().await;
    fake.add_actor("mallory");
    fake.set_inbox_status(400);
    let alice = node.register("alice").await;
    node.register_admin().await;
    // alice follows mallory: the Follow is refused by mallory's server.
    let r = node
        .follow(
            &alice,
            &Member {
                username: format!("mallory@{}", fake.domain),
                ..alice.clone()
            },
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let follow = eventually("the Follow reaches the inbox", || async {
        fake.received().into_iter().find(|r| r.method == "POST")
    })
    .await;
    // Signed as Mastodon signs, over the body it carries.
    let signature = follow.headers.get("signature").cloned().unwrap_or_default();
    assert!(
        signature.contains("headers=\"(request-target) host date digest\""),
        "{signature}"
    );
    let body: serde_json::Value = serde_json::from_slice(&follow.body).expect("JSON body");
    assert_eq!(body["type"], "Follow", "{body}");
    // Given up at once (a 400 will not change), and not counted delivered.
    let panel = node.panel_login("admin").await;
    let html = eventually("the panel shows the refusal", || async {
        let html = reqwest::Client::new()
            .get(format!("{}/admin/federation", node.base))
            .header("cookie", format!("kodeon_admin={panel}"))
            .send()
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        html.contains("HTTP 400").then_some(html)
    })
    .await;
    assert!(
        html.contains("0 / 0 / 1"),
        "none delivered, one dropped: {html}"
    );
    assert!(html.contains("Last given up"), "{html}");
    tokio::time::sleep(Duration::from_millis(600)).await;
    let posts = fake
        .received()
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, 1, "not retried");
}
