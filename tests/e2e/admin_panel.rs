//! The admin panel against running nodes: what only a live node shows
//! (gossip peers) and what must act on it at once (a peer block).

use std::time::Duration;

use reqwest::StatusCode;

use crate::harness::{csrf, TestNode};

use crate::gossip::peer_ids as peers;

/// A panel page fetched with an admin's session cookie.
async fn page(node: &TestNode, token: &str, path: &str) -> String {
    let r = reqwest::Client::new()
        .get(format!("{}{path}", node.base))
        .header("cookie", format!("kodeon_admin={token}"))
        .send()
        .await
        .expect("panel");
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.text().await.expect("html")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_panel_lists_gossip_peers_and_a_block_disconnects_one() {
    let b = TestNode::start_gossip(&[]).await;
    let b_addr = b.p2p_addr().await;
    let a = TestNode::start_gossip(std::slice::from_ref(&b_addr)).await;
    let a_peer = a.p2p().await["peer_id"]
        .as_str()
        .expect("peer id")
        .to_string();
    let mut connected = false;
    for _ in 0..100 {
        if peers(&b.p2p().await).contains(&a_peer) {
            connected = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(connected, "A never connected to B");

    b.register_admin().await;
    let admin_panel = b.panel_login("admin").await;
    let html = page(&b, &admin_panel, "/admin/federation").await;
    assert!(html.contains(&a_peer), "A listed among B's gossip peers");
    let dashboard = page(&b, &admin_panel, "/admin").await;
    assert!(
        dashboard.contains(r#"<span class="value">1</span><span class="label">gossip peers"#),
        "one gossip peer on the dashboard"
    );

    let r = reqwest::Client::new()
        .post(format!("{}/admin/federation/peers/block", b.base))
        .header("cookie", format!("kodeon_admin={admin_panel}"))
        .form(&[
            ("csrf", csrf(&html).as_str()),
            ("peer_id", a_peer.as_str()),
            ("reason", "test"),
        ])
        .send()
        .await
        .expect("block");
    assert!(
        r.status().is_success() || r.status().is_redirection(),
        "{}",
        r.status()
    );
    let mut gone = false;
    for _ in 0..100 {
        if !peers(&b.p2p().await).contains(&a_peer) {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(gone, "the blocked peer is disconnected");
    // A started again dials its bootstrap peer B at once; the block holds
    // (a quiet period: nothing to wait for when nothing must happen).
    let a = a.restart().await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(!peers(&b.p2p().await).contains(&a_peer), "and stays out");
    let html = page(&b, &admin_panel, "/admin/federation").await;
    assert!(html.contains("id=\"peer-blocks\""));
    assert!(
        html.split("id=\"peer-blocks\"")
            .nth(1)
            .is_some_and(|t| t.contains(&a_peer)),
        "the block is listed"
    );
    assert!(page(&b, &admin_panel, "/admin/audit")
        .await
        .contains("peer.block"));

    // Unblocked: A, started again (it dials its bootstrap peer B at
    // start), is let in.
    let r = reqwest::Client::new()
        .post(format!(
            "{}/admin/federation/peers/{a_peer}/unblock",
            b.base
        ))
        .header("cookie", format!("kodeon_admin={admin_panel}"))
        .form(&[("csrf", csrf(&html).as_str())])
        .send()
        .await
        .expect("unblock");
    assert!(
        r.status().is_success() || r.status().is_redirection(),
        "{}",
        r.status()
    );
    let a = a.restart().await;
    assert_eq!(a.p2p().await["peer_id"], a_peer.as_str(), "the same peer");
    let mut back = false;
    for _ in 0..300 {
        if peers(&b.p2p().await).contains(&a_peer) {
            back = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(back, "the unblocked peer connects again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deleting_a_member_tells_the_servers_that_follow_them() {
    let a = TestNode::start_federated().await;
    let b = TestNode::start_federated().await;
    let alice = a.register("alice").await;
    let bob = b.register("bob").await;
    let alice_at_a = format!("alice@{}", a.domain());
    let r = b
        .post(
            &format!("/members/{alice_at_a}/follow"),
            Some(&bob.token),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for _ in 0..200 {
        let r = a.get("/members/alice", None).await;
        if r.body["followers_count"] == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    a.post_as(&alice, "soon to be gone", serde_json::json!({}))
        .await;
    let on_b = |node: &TestNode, token: String| {
        let url = format!("{}/api/v1/timelines/home", node.base);
        async move {
            let r = reqwest::Client::new()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .expect("home");
            r.text().await.expect("body").contains("soon to be gone")
        }
    };
    let mut arrived = false;
    for _ in 0..200 {
        if on_b(&b, bob.token.clone()).await {
            arrived = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(arrived, "alice's post reached bob");

    a.register_admin().await;
    let admin_panel = a.panel_login("admin").await;
    let path = format!("/admin/members/{}", alice.id);
    let html = page(&a, &admin_panel, &path).await;
    let r = reqwest::Client::new()
        .post(format!("{}{path}/action", a.base))
        .header("cookie", format!("kodeon_admin={admin_panel}"))
        .form(&[
            ("csrf", csrf(&html).as_str()),
            ("action", "delete"),
            ("confirm", "yes"),
            ("reason", "spam"),
        ])
        .send()
        .await
        .expect("delete");
    assert!(
        r.status().is_success() || r.status().is_redirection(),
        "{}",
        r.status()
    );

    // A's actor document now says Gone, and B drops the account's posts.
    let r = reqwest::Client::new()
        .get(format!("{}/users/alice", a.base))
        .header("accept", "application/activity+json")
        .send()
        .await
        .expect("actor");
    assert_eq!(r.status(), StatusCode::GONE);
    let mut gone = false;
    for _ in 0..200 {
        if !on_b(&b, bob.token.clone()).await {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(gone, "B removed the deleted account's post");
    // B took the Delete of the actor itself (not only of each post).
    b.register_admin().await;
    let b_admin_panel = b.panel_login("admin").await;
    let mut logged = false;
    for _ in 0..100 {
        let audit = page(&b, &b_admin_panel, "/admin/audit").await;
        if audit.contains("remote_account.deleted") && audit.contains(&alice_at_a) {
            logged = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        logged,
        "B's audit log shows the remote account deleted by its server"
    );
}
