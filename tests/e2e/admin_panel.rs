//! The admin panel against running nodes: what only a live node shows
//! (gossip peers) and what must act on it at once (a peer block).

use std::time::Duration;

use reqwest::StatusCode;

use crate::harness::TestNode;

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

/// The form token in a panel page.
fn csrf(html: &str) -> String {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a form token")
        .to_string()
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

    let admin = b.register("admin").await;
    crate::accounts::admin(
        &b.dir,
        &["promote", "--username", "admin", "--role", "admin"],
    )
    .await;
    let html = page(&b, &admin.token, "/admin/federation").await;
    assert!(html.contains(&a_peer), "A listed among B's gossip peers");
    let dashboard = page(&b, &admin.token, "/admin").await;
    assert!(
        dashboard.contains(r#"<span class="value">1</span><span class="label">gossip peers"#),
        "one gossip peer on the dashboard"
    );

    let r = reqwest::Client::new()
        .post(format!("{}/admin/federation/peers/block", b.base))
        .header("cookie", format!("kodeon_admin={}", admin.token))
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
    // A keeps its bootstrap address and redials; the block holds.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(!peers(&b.p2p().await).contains(&a_peer), "and stays out");
    let html = page(&b, &admin.token, "/admin/federation").await;
    assert!(html.contains("id=\"peer-blocks\""));
    assert!(
        html.split("id=\"peer-blocks\"")
            .nth(1)
            .is_some_and(|t| t.contains(&a_peer)),
        "the block is listed"
    );
    assert!(page(&b, &admin.token, "/admin/audit")
        .await
        .contains("peer.block"));
}
