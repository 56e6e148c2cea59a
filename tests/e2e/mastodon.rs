//! The Mastodon API over a real socket: streaming reaches an open client.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::json;

use crate::harness::TestNode;

#[tokio::test]
async fn streaming_pushes_new_posts_to_followers() {
    let node = TestNode::start().await;
    let (alice, bob) = (node.register("alice").await, node.register("bob").await);
    node.follow(&bob, &alice).await;
    let stream = reqwest::Client::new()
        .get(format!("{}/api/v1/streaming/user", node.base))
        .bearer_auth(&bob.token)
        .send()
        .await
        .expect("stream");
    assert_eq!(stream.status(), 200);
    let mut body = stream.bytes_stream();
    // Give the subscription a moment to register, then post.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let id = node.post_as(&alice, "live!", json!({})).await;
    let mut seen = String::new();
    let found = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(Ok(chunk)) = body.next().await {
            seen.push_str(&String::from_utf8_lossy(&chunk));
            if seen.contains("event: update") && seen.contains(&id) {
                return true;
            }
        }
        false
    })
    .await
    .unwrap_or(false);
    assert!(found, "no update event; got: {seen}");
    // Mastodon home timeline shows it too.
    let home = node.get("/api/v1/timelines/home", Some(&bob.token)).await;
    assert_eq!(home.body[0]["id"], id.as_str());
    assert_eq!(home.body[0]["account"]["username"], "alice");
}
