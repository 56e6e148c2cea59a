//! libp2p gossip between Kodeon nodes on loopback, in a line A – B – C
//! (A and C know only B): public posts reach the far end through B, a node
//! that was stopped catches up through sync, and tampered envelopes are
//! rejected, not forwarded, and cost their sender its connection.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::harness::TestNode;

/// Polls `check` until it returns `Some` (`secs` at most).
async fn within<T, F, Fut>(secs: u64, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The remote public timeline's statuses (Mastodon API).
async fn remote_timeline(node: &TestNode) -> Vec<Value> {
    let r = node
        .get("/api/v1/timelines/public?remote=true&limit=40", None)
        .await;
    r.body.as_array().cloned().unwrap_or_default()
}

/// The remote status on `node` whose content contains `needle`.
async fn remote_status(node: &TestNode, needle: &str) -> Option<Value> {
    remote_timeline(node)
        .await
        .into_iter()
        .find(|s| s["content"].as_str().unwrap_or_default().contains(needle))
}

fn peer_ids(p2p: &Value) -> Vec<String> {
    p2p["peers"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p["peer_id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Starts B, then A and C bootstrapping to B; waits for both links.
async fn line() -> (TestNode, TestNode, TestNode) {
    let b = TestNode::start_gossip(&[]).await;
    let b_addr = b.p2p_addr().await;
    let a = TestNode::start_gossip(std::slice::from_ref(&b_addr)).await;
    let c = TestNode::start_gossip(std::slice::from_ref(&b_addr)).await;
    within(10, "B connected to A and C", || async {
        (peer_ids(&b.p2p().await).len() == 2).then_some(())
    })
    .await;
    (a, b, c)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_post_on_a_reaches_c_through_b() {
    let (a, b, c) = line().await;
    let a_info = a.p2p().await;
    let a_peer = a_info["peer_id"].as_str().expect("peer id").to_string();
    assert!(
        a_info["listen_addrs"][0]
            .as_str()
            .is_some_and(|s| s.starts_with("/ip4/127.0.0.1/tcp/") && s.ends_with(&a_peer)),
        "{a_info}"
    );
    let alice = a.register("alice").await;
    a.post_as(&alice, "Halo from A over gossip #kodeon", json!({}))
        .await;
    // Followers-only posts are never gossiped.
    a.post_as(
        &alice,
        "secret for followers",
        json!({"visibility": "followers"}),
    )
    .await;

    let on_c = within(20, "the post on C", || remote_status(&c, "Halo from A")).await;
    assert_eq!(
        on_c["account"]["acct"],
        format!("alice@{}", a.domain()),
        "{on_c}"
    );
    assert!(remote_status(&b, "Halo from A").await.is_some());
    // A and C are not connected: the record went through B.
    let c_peers = peer_ids(&c.p2p().await);
    assert!(!c_peers.contains(&a_peer), "{c_peers:?}");
    assert_eq!(c_peers.len(), 1);
    // Stored once on C, and the followers-only post never left A.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let all = remote_timeline(&c).await;
    let copies = all
        .iter()
        .filter(|s| {
            s["content"]
                .as_str()
                .unwrap_or_default()
                .contains("Halo from A")
        })
        .count();
    assert_eq!(copies, 1);
    assert!(remote_status(&c, "secret for followers").await.is_none());
    assert!(remote_status(&b, "secret for followers").await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_node_stopped_while_posting_catches_up_by_sync() {
    let (a, b, mut c) = line().await;
    let alice = a.register("alice").await;
    a.post_as(&alice, "before the outage", json!({})).await;
    within(20, "the first post on C", || {
        remote_status(&c, "before the outage")
    })
    .await;

    c.stop().await;
    for i in 0..3 {
        a.post_as(&alice, &format!("while C was away {i}"), json!({}))
            .await;
    }
    within(20, "the posts on B", || async {
        let n = remote_timeline(&b)
            .await
            .iter()
            .filter(|s| {
                s["content"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("while C was away")
            })
            .count();
        (n == 3).then_some(())
    })
    .await;

    let c = c.restart().await;
    within(20, "C caught up", || async {
        let n = remote_timeline(&c)
            .await
            .iter()
            .filter(|s| {
                s["content"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("while C was away")
            })
            .count();
        (n == 3).then_some(())
    })
    .await;
    let before = remote_timeline(&c)
        .await
        .iter()
        .filter(|s| {
            s["content"]
                .as_str()
                .unwrap_or_default()
                .contains("before the outage")
        })
        .count();
    assert_eq!(before, 1, "records synced again are stored once");
}
