//! Seats of another node's event, taken from here: 200 members of one
//! node register at once over ActivityPub for an event with 10 seats on
//! another; that node keeps the seats and the waitlist in arrival order,
//! its `Accept`s make exactly those members registered here, and
//! cancellations here promote the first waiting there.

use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::harness::{Member, TestNode};

/// Polls `check` until it returns `Some`, for at most `secs` seconds.
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
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Milliseconds since the epoch, `days` from now.
fn in_days(days: i64) -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis();
    i64::try_from(now).expect("ms") + days * 86_400_000
}

/// `n` members `{prefix}{i}` of `node`, registered a few at a time.
async fn members(node: &TestNode, prefix: &str, n: usize) -> Vec<Member> {
    let mut out: Vec<(usize, Member)> = stream::iter(0..n)
        .map(|i| async move { (i, node.register(&format!("{prefix}{i}")).await) })
        .buffer_unordered(8)
        .collect()
        .await;
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, m)| m).collect()
}

/// The state of `member`'s registration for `event` as `node` shows it.
async fn state(node: &TestNode, member: &Member, event: &str) -> Option<String> {
    let r = node
        .get(&format!("/events/{event}"), Some(&member.token))
        .await;
    r.body["viewer"]["state"].as_str().map(str::to_string)
}

/// The participants of `event` as its organiser sees them: the usernames
/// (remote handles) registered and waiting, the waitlist in its order
/// with when each joined it.
async fn participants(
    node: &TestNode,
    organiser: &Member,
    event: &str,
) -> (Vec<String>, Vec<(String, i64)>) {
    let r = node
        .get(
            &format!("/events/{event}/participants"),
            Some(&organiser.token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let items = r.body["items"].as_array().cloned().unwrap_or_default();
    let name = |p: &Value| p["account"]["username"].as_str().unwrap_or("").to_string();
    let registered = items
        .iter()
        .filter(|p| p["state"] == "registered")
        .map(name)
        .collect();
    let waiting = items
        .iter()
        .filter(|p| p["state"] == "waitlisted")
        .map(|p| (name(p), p["since"].as_i64().unwrap_or(0)))
        .collect();
    (registered, waiting)
}

/// The members of `of` (on `node`) whose handle on the other node is in
/// `handles`.
fn named<'a>(of: &'a [Member], handles: &[String], node: &TestNode) -> Vec<&'a Member> {
    of.iter()
        .filter(|m| handles.contains(&format!("{}@{}", m.username, node.domain())))
        .collect()
}

#[tokio::test]
async fn two_hundred_members_of_another_node_register_for_ten_seats_over_activitypub() {
    let a = TestNode::start_federated().await;
    let b = TestNode::start_federated().await;
    let alice = a.register("alice").await;
    let start = in_days(4);
    let r = a
        .post(
            "/events",
            Some(&alice.token),
            json!({
                "title": "Ten seats", "type": "workshop", "start": start,
                "end": start + 3_600_000, "timezone": "Asia/Jakarta", "format": "offline",
                "location": {"name": "Hall B", "locality": "Jakarta", "country": "ID"},
                "capacity": 10, "registration": "open",
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let on_a = r.body["id"].as_str().expect("id").to_string();
    let uri = format!("http://{}/users/alice/events/{on_a}", a.domain());

    let crowd = members(&b, "m", 200).await;

    // A member of B looks the event up by its URL: stored on B.
    let r = b
        .post("/events/lookup", Some(&crowd[0].token), json!({"url": uri}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["title"], "Ten seats", "{}", r.body);
    assert_eq!(r.body["remote"]["uri"], uri.as_str(), "{}", r.body);
    assert_eq!(r.body["can_edit"], false, "{}", r.body);
    let on_b = r.body["id"].as_str().expect("id").to_string();
    let bad = b
        .post(
            "/events/lookup",
            Some(&crowd[0].token),
            json!({"url": "not a url"}),
        )
        .await;
    bad.assert_error(422, Some("url"));
    let listed = b.get("/events", None).await;
    assert!(listed.ids().contains(&on_b), "{}", listed.body);

    // 200 register at once on B: each pending, each a Join to A.
    let states: Vec<Value> = stream::iter(crowd.iter())
        .map(|m| {
            let b = &b;
            let path = format!("/events/{on_b}/register");
            async move { b.post(&path, Some(&m.token), json!({})).await.body }
        })
        .buffer_unordered(50)
        .collect()
        .await;
    assert!(
        states.iter().all(|s| s["state"] == "pending"),
        "{:?}",
        states.iter().find(|s| s["state"] != "pending")
    );

    // A: exactly 10 seats taken, 190 waiting in the order they came.
    let (registered, waiting) = within(45, "A takes all 200 Joins", || async {
        let (registered, waiting) = participants(&a, &alice, &on_a).await;
        (registered.len() + waiting.len() == 200).then_some((registered, waiting))
    })
    .await;
    assert_eq!(registered.len(), 10);
    assert_eq!(waiting.len(), 190);
    assert!(
        waiting.windows(2).all(|w| w[0].1 <= w[1].1),
        "the waitlist is in arrival order"
    );
    let e = a.get(&format!("/events/{on_a}"), None).await;
    assert_eq!(e.body["registered_count"], 10, "{}", e.body);
    assert_eq!(e.body["waitlisted_count"], 190, "{}", e.body);

    // B: exactly those 10 registered once their Accepts arrive.
    let seated = named(&crowd, &registered, &b);
    assert_eq!(seated.len(), 10);
    within(20, "the 10 Accepts reach B", || async {
        for m in &seated {
            if state(&b, m, &on_b).await.as_deref() != Some("registered") {
                return None;
            }
        }
        Some(())
    })
    .await;
    let mut registered_on_b = 0;
    for m in &crowd {
        match state(&b, m, &on_b).await.as_deref() {
            Some("registered") => registered_on_b += 1,
            Some("pending") => {}
            other => panic!("{}: {other:?}", m.username),
        }
    }
    assert_eq!(registered_on_b, 10);

    // 3 seated members cancel on B: A promotes the first 3 waiting, whose
    // Accepts make them registered on B.
    for m in &seated[..3] {
        let r = b
            .post(
                &format!("/events/{on_b}/unregister"),
                Some(&m.token),
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        assert_eq!(state(&b, m, &on_b).await, None);
    }
    let first_three: Vec<String> = waiting[..3].iter().map(|(n, _)| n.clone()).collect();
    let (now_registered, now_waiting) = within(20, "A promotes 3", || async {
        let (r, w) = participants(&a, &alice, &on_a).await;
        (w.len() == 187).then_some((r, w))
    })
    .await;
    assert_eq!(now_registered.len(), 10);
    for name in &first_three {
        assert!(now_registered.contains(name), "{name} promoted");
    }
    assert_eq!(
        now_waiting.first().map(|(n, _)| n.clone()),
        waiting.get(3).map(|(n, _)| n.clone())
    );
    let promoted = named(&crowd, &first_three, &b);
    assert_eq!(promoted.len(), 3);
    within(20, "the promoted are registered on B", || async {
        for m in &promoted {
            if state(&b, m, &on_b).await.as_deref() != Some("registered") {
                return None;
            }
        }
        Some(())
    })
    .await;
    let r = b.get("/notifications", Some(&promoted[0].token)).await;
    assert!(
        r.body["items"]
            .as_array()
            .is_some_and(|n| n.iter().any(|n| n["kind"] == "event_approved")),
        "{}",
        r.body
    );
}
