//! libp2p gossip between Kodeon nodes on loopback, in a line A – B – C
//! (A and C know only B): public posts reach the far end through B, a node
//! that was stopped catches up through sync, and tampered envelopes are
//! rejected, not forwarded, and cost their sender its connection.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::harness::TestNode;

/// Polls `check` until it returns `Some` (`secs` at most).
pub(crate) async fn within<T, F, Fut>(secs: u64, what: &str, mut check: F) -> T
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

/// How many remote statuses on `node` contain `needle`.
async fn remote_count(node: &TestNode, needle: &str) -> usize {
    remote_timeline(node)
        .await
        .iter()
        .filter(|s| s["content"].as_str().unwrap_or_default().contains(needle))
        .count()
}

/// The remote status on `node` whose content contains `needle`.
pub(crate) async fn remote_status(node: &TestNode, needle: &str) -> Option<Value> {
    remote_timeline(node)
        .await
        .into_iter()
        .find(|s| s["content"].as_str().unwrap_or_default().contains(needle))
}

pub(crate) fn peer_ids(p2p: &Value) -> Vec<String> {
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
pub(crate) async fn line() -> (TestNode, TestNode, TestNode) {
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
        (remote_count(&b, "while C was away").await == 3).then_some(())
    })
    .await;

    let c = c.restart().await;
    within(20, "C caught up", || async {
        (remote_count(&c, "while C was away").await == 3).then_some(())
    })
    .await;
    assert_eq!(
        remote_count(&c, "before the outage").await,
        1,
        "records synced again are stored once"
    );
}

/// A bare libp2p peer with Kodeon's behaviour, driven by the test itself.
type RawSwarm = libp2p::Swarm<federation::gossip::behaviour::Behaviour>;

/// Connects a new raw peer (fresh key) to `addr` and waits until that
/// node has told it about its subscription to the post topic.
async fn raw_peer(addr: &str) -> (RawSwarm, libp2p::PeerId) {
    use federation::gossip::behaviour::{topic, Behaviour, BehaviourEvent};
    use libp2p::futures::StreamExt;
    use libp2p::swarm::SwarmEvent;
    use protocol::envelope::Kind;

    let key = libp2p::identity::Keypair::generate_ed25519();
    let behaviour = Behaviour::new(&key, false, false).expect("behaviour");
    let mut swarm = libp2p::SwarmBuilder::with_existing_identity(key)
        .with_tokio()
        .with_tcp(
            libp2p::tcp::Config::default(),
            libp2p::noise::Config::new,
            libp2p::yamux::Config::default,
        )
        .expect("tcp")
        .with_behaviour(|_| behaviour)
        .expect("behaviour")
        .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(60)))
        .build();
    let target: libp2p::Multiaddr = addr.parse().expect("multiaddr");
    let peer = federation::gossip::config::peer_of(&target).expect("peer id");
    swarm.dial(target).expect("dial");
    let post_topic = topic(Kind::Post).hash();
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let SwarmEvent::Behaviour(BehaviourEvent::Gossipsub(
                libp2p::gossipsub::Event::Subscribed { peer_id, topic },
            )) = swarm.select_next_some().await
            {
                if peer_id == peer && topic == post_topic {
                    return;
                }
            }
        }
    })
    .await
    .expect("the node's subscription");
    (swarm, peer)
}

/// Publishes `bytes` from a fresh raw peer to `addr`, and asserts the
/// node hangs up on it (it bans peers that send invalid records).
async fn inject_and_expect_ban(node: &TestNode, addr: &str, bytes: Vec<u8>, what: &str) {
    use federation::gossip::behaviour::topic;
    use libp2p::futures::StreamExt;
    use libp2p::swarm::SwarmEvent;
    use protocol::envelope::Kind;

    let (mut swarm, peer) = raw_peer(addr).await;
    let me = swarm.local_peer_id().to_string();
    swarm
        .behaviour_mut()
        .gossipsub
        .publish(topic(Kind::Post), bytes)
        .expect("publish");
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let SwarmEvent::ConnectionClosed { peer_id, .. } = swarm.select_next_some().await {
                if peer_id == peer {
                    return;
                }
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("the node kept talking to the sender of {what}"));
    within(
        5,
        &format!("{what}: the node forgets its sender"),
        || async { (!peer_ids(&node.p2p().await).contains(&me)).then_some(()) },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tampered_envelopes_are_rejected_and_not_forwarded() {
    use libp2p::futures::StreamExt;
    use std::sync::{Arc, Mutex};

    let (a, b, c) = line().await;
    let b_addr = b.p2p_addr().await;
    // A watcher beside C: records every message B forwards to it.
    let (mut watcher, _) = raw_peer(&b_addr).await;
    let heard: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
    let log = heard.clone();
    let watching = tokio::spawn(async move {
        loop {
            if let libp2p::swarm::SwarmEvent::Behaviour(
                federation::gossip::behaviour::BehaviourEvent::Gossipsub(
                    libp2p::gossipsub::Event::Message { message, .. },
                ),
            ) = watcher.select_next_some().await
            {
                if let Ok(mut l) = log.lock() {
                    l.push(message.data);
                }
            }
        }
    });

    let alice = a.register("alice").await;
    a.post_as(&alice, "genuine words", json!({})).await;
    let genuine: Vec<u8> = within(20, "the genuine record at the watcher", || {
        let heard = heard.clone();
        async move {
            heard
                .lock()
                .ok()?
                .iter()
                .find(|m| String::from_utf8_lossy(m).contains("genuine words"))
                .cloned()
        }
    })
    .await;
    within(20, "the genuine post on C", || {
        remote_status(&c, "genuine words")
    })
    .await;

    // 1. One bit flipped in the body: "genuine" becomes "geouine".
    let mut flipped = genuine.clone();
    let at = flipped
        .windows(7)
        .position(|w| w == b"genuine")
        .expect("content")
        + 2;
    flipped[at] ^= 0x01;
    assert_eq!(flipped[at], b'o');
    inject_and_expect_ban(&b, &b_addr, flipped, "a flipped bit").await;

    // 2. A wrong key: alice's actor and a new post id, signed by someone else.
    let value: Value = serde_json::from_slice(&genuine).expect("json");
    let mut body = value["body"].as_object().cloned().expect("body");
    let uri = body["uri"]
        .as_str()
        .expect("uri")
        .replace("statuses/", "statuses/F");
    body.insert("uri".into(), json!(uri));
    body.insert("html".into(), json!("<p>forged words</p>"));
    let thief = identity::Ed25519Keypair::generate();
    let forged = protocol::envelope::Envelope::sign(
        &thief,
        protocol::envelope::Kind::Post,
        value["created"].as_i64().expect("created"),
        None,
        body,
    )
    .expect("sign");
    inject_and_expect_ban(&b, &b_addr, forged.bytes, "a wrong key").await;

    // 3. A replay under another id: the same record, re-encoded.
    let replay = String::from_utf8_lossy(&genuine)
        .replacen(',', ", ", 1)
        .into_bytes();
    assert_ne!(replay, genuine);
    inject_and_expect_ban(&b, &b_addr, replay, "a replay with another id").await;

    // Nothing but the genuine record was forwarded or stored.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let heard = heard.lock().map(|h| h.clone()).unwrap_or_default();
    // (alice's profile record went first, on its own topic.)
    let posts: Vec<Vec<u8>> = heard
        .into_iter()
        .filter(|m| String::from_utf8_lossy(m).contains(r#""kind":"post""#))
        .collect();
    assert_eq!(posts, vec![genuine], "B forwarded only the genuine record");
    for node in [&b, &c] {
        let timeline = remote_timeline(node).await;
        let texts: Vec<&str> = timeline
            .iter()
            .filter_map(|s| s["content"].as_str())
            .collect();
        assert_eq!(texts.len(), 1, "{texts:?}");
        assert!(texts[0].contains("genuine words"), "{texts:?}");
    }
    // The honest peers are still connected to B.
    assert_eq!(peer_ids(&b.p2p().await).len(), 3, "A, C and the watcher");
    watching.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_post_by_gossip_and_activitypub_is_stored_once() {
    let b = TestNode::start_gossip(&[]).await;
    let a = TestNode::start_gossip(&[b.p2p_addr().await]).await;
    within(10, "A and B connected", || async {
        (peer_ids(&b.p2p().await).len() == 1).then_some(())
    })
    .await;
    let alice = a.register("alice").await;
    let bob = b.register("bob").await;
    // bob@B follows alice@A over ActivityPub.
    let alice_remote = crate::harness::Member {
        username: format!("alice@{}", a.domain()),
        ..alice.clone()
    };
    let r = b.follow(&bob, &alice_remote).await;
    assert!(r.status.is_success(), "{}", r.body);
    within(30, "the follow accepted", || async {
        let r = a.get("/members/alice", None).await;
        (r.body["followers_count"] == 1).then_some(())
    })
    .await;
    let records_before = b.p2p().await["records"].as_u64().unwrap_or_default();

    a.post_as(&alice, "both ways at once", json!({})).await;
    // It arrives by gossip (an envelope is stored on B)...
    within(20, "the envelope on B", || async {
        (b.p2p().await["records"].as_u64().unwrap_or_default() > records_before).then_some(())
    })
    .await;
    // ...and by ActivityPub (B's inbox accepted the Create).
    within(20, "the Create in B's inbox", || async {
        let text = b.metrics().await;
        text.lines()
            .filter(|l| !l.starts_with('#') && l.contains("federation_activities_received"))
            .filter_map(|l| l.split_whitespace().last()?.parse::<f64>().ok())
            .any(|n| n >= 1.0)
            .then_some(())
    })
    .await;
    let count = |items: Vec<Value>| {
        items
            .iter()
            .filter(|s| {
                s["content"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("both ways at once")
            })
            .count()
    };
    assert_eq!(
        count(remote_timeline(&b).await),
        1,
        "one post in the timeline"
    );
    let home = b
        .get("/api/v1/timelines/home?limit=40", Some(&bob.token))
        .await;
    assert_eq!(
        count(home.body.as_array().cloned().unwrap_or_default()),
        1,
        "one post in bob's home feed: {}",
        home.body
    );
}
