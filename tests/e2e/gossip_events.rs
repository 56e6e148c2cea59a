//! A public group's event travels between two Kodeon nodes as a gossip
//! record; registering for it goes over ActivityPub.
//!
//! How the test knows gossip carried the event: bob (on B) joins the group
//! of A, then B is stopped and the event is created on A. A's one
//! ActivityPub delivery of the `Create` to B fails (B is down, which A's
//! `kodeon_federation_delivery_failures` shows) and A retries failed deliveries
//! only after ten minutes (`retry_base_ms`), far beyond the test. When B
//! starts again it dials A and sync hands it the group's signed `event`
//! record: the event appearing on B can only have come that way. Later
//! changes (the cancellation) go both ways at once, as every change does;
//! the test checks only that B shows them.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::gossip::{peer_ids, within};
use crate::harness::TestNode;

/// The sum of the metric `name` in a Prometheus text page.
fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| l.split(['{', ' ']).next() == Some(name))
        .filter_map(|l| l.split_whitespace().last()?.parse::<f64>().ok())
        .sum()
}

/// The event of another server `uri` as `node` lists it, if it does.
async fn listed(node: &TestNode, uri: &str) -> Option<Value> {
    let r = node.get("/events", None).await;
    r.body["items"]
        .as_array()?
        .iter()
        .find(|i| i["remote"]["uri"] == uri)
        .cloned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_groups_event_reaches_a_member_elsewhere_by_gossip_and_the_join_by_activitypub() {
    // A retries a failed delivery only after ten minutes.
    let a = TestNode::start_with(|c| {
        c.server.domain = "localhost:0".into();
        c.federation.retry_base_ms = 600_000;
        c.p2p.listen = vec!["/ip4/127.0.0.1/tcp/0".into()];
        c.p2p.sync_interval_secs = 1;
        c.p2p.kademlia = false;
    })
    .await;
    let mut b = TestNode::start_gossip(&[a.p2p_addr().await]).await;
    within(10, "A and B connected", || async {
        (peer_ids(&a.p2p().await).len() == 1).then_some(())
    })
    .await;
    let alice = a.register("alice").await;
    let bob = b.register("bob").await;
    let r = a
        .post(
            "/groups",
            Some(&alice.token),
            json!({"name": "makers", "visibility": "public", "features": {"discussion": true, "events": true}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let handle = format!("makers@{}", a.domain());

    // bob joins the open group from B over ActivityPub.
    let r = b
        .post(
            &format!("/members/{handle}/follow"),
            Some(&bob.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    within(30, "bob's node sees him in the group", || async {
        let g = b.get(&format!("/groups/{handle}"), Some(&bob.token)).await;
        (g.body["viewer"]["membership"] == "member").then_some(())
    })
    .await;

    // B is down while the event is created.
    b.stop().await;
    let failures_before = metric(&a.metrics().await, "kodeon_federation_delivery_failures");
    let start = node::model::now_ms() + 3 * 86_400_000;
    let r = a
        .post(
            "/events",
            Some(&alice.token),
            json!({
                "title": "Soldering night",
                "description": "Bring a **multimeter**.",
                "start": start,
                "end": start + 2 * 3_600_000,
                "timezone": "Europe/Paris",
                "format": "offline",
                "location": {"name": "Fablab", "address": "1 rue du Port", "locality": "Nantes",
                             "country": "FR", "lat": 47.2115, "lon": -1.5476},
                "capacity": 12,
                "group": "makers",
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id_on_a = r.body["id"].as_str().expect("id").to_string();
    let uri = format!("http://{}/users/makers/events/{id_on_a}", a.domain());
    within(20, "A's delivery of the Create to B failed", || async {
        let failures = metric(&a.metrics().await, "kodeon_federation_delivery_failures");
        (failures > failures_before).then_some(())
    })
    .await;

    // B comes back: sync brings the group's record.
    let b = b.restart().await;
    let item = within(30, "the event on B, from gossip", || listed(&b, &uri)).await;
    assert_eq!(item["title"], "Soldering night", "{item}");
    assert_eq!(item["status"], "open", "{item}");
    assert_eq!(item["group_account"]["username"], handle.as_str(), "{item}");
    assert_eq!(item["location"]["locality"], "Nantes", "{item}");
    assert!(
        item["description_html"]
            .as_str()
            .is_some_and(|h| h.contains("<strong>multimeter</strong>")),
        "{item}"
    );
    let id_on_b = item["id"].as_str().expect("id").to_string();

    // bob registers: the Join goes to A, A's group accepts.
    let r = b
        .post(
            &format!("/events/{id_on_b}/register"),
            Some(&bob.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["state"], "pending", "{}", r.body);
    within(30, "bob registered on A", || async {
        let p = a
            .get(
                &format!("/events/{id_on_a}/participants"),
                Some(&alice.token),
            )
            .await;
        (p.body["registered"] == 1).then_some(())
    })
    .await;
    within(30, "the Accept on B", || async {
        let e = b.get(&format!("/events/{id_on_b}"), Some(&bob.token)).await;
        (e.body["viewer"]["state"] == "registered").then_some(())
    })
    .await;

    // A cancels: B shows it cancelled.
    let r = a
        .post(
            &format!("/events/{id_on_a}/cancel"),
            Some(&alice.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    within(30, "the cancellation on B", || async {
        let e = b.get(&format!("/events/{id_on_b}"), Some(&bob.token)).await;
        (e.body["status"] == "cancelled").then_some(())
    })
    .await;
}
