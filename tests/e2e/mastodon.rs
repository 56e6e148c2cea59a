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

#[tokio::test]
async fn websocket_streaming_with_subscribe_messages() {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message;

    let node = TestNode::start().await;
    let (alice, bob) = (node.register("alice").await, node.register("bob").await);
    node.follow(&bob, &alice).await;
    let ws_url = format!(
        "{}/api/v1/streaming?stream=user&access_token={}",
        node.base.replace("http", "ws"),
        bob.token
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(ws_url)
        .await
        .expect("connect");
    // Also subscribe to a hashtag stream over the socket.
    socket
        .send(Message::text(
            json!({"type": "subscribe", "stream": "hashtag", "tag": "rust"}).to_string(),
        ))
        .await
        .expect("subscribe");
    tokio::time::sleep(Duration::from_millis(100)).await;
    let carol = node.register("carol").await;
    let followed = node.post_as(&alice, "for my followers", json!({})).await;
    let tagged = node.post_as(&carol, "about #rust", json!({})).await;
    let mut got = Vec::new();
    let done = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(Ok(msg)) = socket.next().await {
            let Message::Text(text) = msg else { continue };
            let v: serde_json::Value = serde_json::from_str(&text).expect("json");
            assert_eq!(v["event"], "update");
            let status: serde_json::Value =
                serde_json::from_str(v["payload"].as_str().expect("payload string"))
                    .expect("status");
            got.push((
                v["stream"][0].as_str().unwrap_or("").to_string(),
                status["id"].as_str().unwrap_or("").to_string(),
            ));
            if got.len() == 2 {
                return;
            }
        }
    })
    .await;
    assert!(done.is_ok(), "got only {got:?}");
    assert!(got.contains(&("user".to_string(), followed)), "{got:?}");
    assert!(got.contains(&("hashtag".to_string(), tagged)), "{got:?}");
}
