//! Events of other servers, as members here see them: an event of another
//! Kodeon node looked up by URL and registered for by many members at
//! once over ActivityPub (seats and waitlist kept by its node, answers
//! arriving here), a Mobilizon-shaped event published to a follower,
//! registered for with a `Join` its server accepts, then cancelled, and a
//! group's event relayed by the group to its members here.

use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::fake_remote::{Answer, FakeRemote};
use crate::harness::{eventually, Member, TestNode};

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

/// The Mobilizon-shaped `Event` of `tests/vectors/`, moved onto `fake` and
/// attributed to its actor `camille`.
fn mobilizon_event(fake: &FakeRemote) -> Value {
    let text = include_str!("../../protocol/tests/vectors/mobilizon-event.json")
        .replace("https://mobilizon1.com/@camille", &fake.actor("camille"))
        .replace("https://mobilizon1.com", &fake.url(""));
    serde_json::from_str(&text).expect("event")
}

/// `activity` of `kind` (`Create`, `Update`) of `event` by camille.
fn by_camille(fake: &FakeRemote, kind: &str, n: u32, event: &Value) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": fake.url(&format!("/activities/{n}")),
        "type": kind,
        "actor": fake.actor("camille"),
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": event,
    })
}

#[tokio::test]
async fn a_mobilizon_event_reaches_a_follower_and_its_join_is_accepted() {
    let node = TestNode::start_federated().await;
    let fake = FakeRemote::start().await;
    let camille = fake.add_actor("camille");
    fake.add_actor("mallory");
    let alice = node.register("alice").await;
    let event = mobilizon_event(&fake);
    let uri = event["id"].as_str().expect("id").to_string();

    // Nobody here follows camille yet: her event is ignored.
    let (status, body) = fake
        .send(&node, "camille", &by_camille(&fake, "Create", 1, &event))
        .await;
    assert!(status.is_success(), "{status} {body}");
    assert!(node.get("/events", None).await.ids().is_empty());

    // alice follows camille (accepted as Mobilizon accepts).
    let handle = format!("camille@{}", fake.domain);
    let r = node
        .post(
            &format!("/members/{handle}/follow"),
            Some(&alice.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let follow = eventually("the Follow reaches camille", || async {
        fake.delivered().into_iter().find(|a| a["type"] == "Follow")
    })
    .await;
    let accept = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": fake.url("/accept/follow/1"),
        "type": "Accept",
        "actor": camille,
        "object": follow,
    });
    let (status, _) = fake.send(&node, "camille", &accept).await;
    assert!(status.is_success());

    // Someone else cannot publish an event attributed to camille.
    let forged = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": fake.url("/activities/forged"),
        "type": "Create",
        "actor": fake.actor("mallory"),
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": event,
    });
    let (status, _) = fake.send(&node, "mallory", &forged).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Nor may camille publish an event whose id is on another server.
    let mut foreign = event.clone();
    foreign["id"] = "https://elsewhere.example/events/1".into();
    let (status, _) = fake
        .send(&node, "camille", &by_camille(&fake, "Create", 9, &foreign))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Her Create now: parsed, stored, in the upcoming list.
    let (status, body) = fake
        .send(&node, "camille", &by_camille(&fake, "Create", 2, &event))
        .await;
    assert!(status.is_success(), "{status} {body}");
    let listed = node.get("/events", None).await;
    let item = listed.body["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["remote"]["uri"] == uri.as_str()))
        .cloned()
        .unwrap_or_else(|| panic!("listed: {}", listed.body));
    assert_eq!(item["title"], "Apéro du libre");
    assert_eq!(item["timezone"], "Europe/Paris");
    assert_eq!(item["format"], "hybrid");
    assert_eq!(item["location"]["locality"], "Nantes");
    assert_eq!(item["online_url"], "https://visio.example/apero");
    assert_eq!(item["registered_count"], 12);
    assert_eq!(item["seats_left"], 18);
    assert_eq!(item["organiser_account"]["username"], handle.as_str());
    assert!(
        !item["description_html"]
            .as_str()
            .unwrap_or("")
            .contains("script"),
        "{item}"
    );
    let id = item["id"].as_str().expect("id").to_string();
    // Organisers' actions are its server's.
    let r = node
        .post(
            &format!("/events/{id}/cancel"),
            Some(&alice.token),
            json!({}),
        )
        .await;
    r.assert_error(409, Some("event"));

    // alice registers: pending, and camille's server receives her Join.
    let r = node
        .post(
            &format!("/events/{id}/register"),
            Some(&alice.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["state"], "pending", "{}", r.body);
    let alice_uri = format!("http://{}/users/alice", node.domain());
    let join = eventually("the Join reaches camille's server", || async {
        fake.delivered()
            .into_iter()
            .find(|a| a["type"] == "Join" && a["object"] == uri.as_str())
    })
    .await;
    assert_eq!(join["actor"], alice_uri.as_str(), "{join}");

    // Mobilizon's Accept names the Join (its participant) embedded.
    let accept = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": fake.url("/accept/join/7"),
        "type": "Accept",
        "actor": camille,
        "to": [alice_uri],
        "object": {"type": "Join", "id": join["id"], "actor": alice_uri, "object": uri},
    });
    let (status, body) = fake
        .send(
            &node,
            "mallory",
            &json!({
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": fake.url("/accept/join/forged"),
                "type": "Accept",
                "actor": fake.actor("mallory"),
                "object": {"type": "Join", "id": join["id"], "actor": alice_uri, "object": uri},
            }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = fake.send(&node, "camille", &accept).await;
    assert!(status.is_success(), "{status} {body}");
    let e = node.get(&format!("/events/{id}"), Some(&alice.token)).await;
    assert_eq!(e.body["viewer"]["state"], "registered", "{}", e.body);
    let sequence = e.body["sequence"].as_i64().expect("sequence");
    // The members' app shows where the event lives and the registration.
    let http = crate::harness::browser();
    let cookie = node
        .form_sign_in(
            &http,
            "/login",
            "kodeon_app_form",
            "kodeon_session",
            "alice",
        )
        .await;
    let page = http
        .get(format!("{}/events/{id}", node.base))
        .header("cookie", format!("kodeon_session={cookie}"))
        .send()
        .await
        .expect("event page")
        .text()
        .await
        .expect("html");
    assert!(page.contains("Apéro du libre"), "{page}");
    assert!(page.contains(&format!("href=\"{uri}\"")), "{page}");
    assert!(page.contains("Your registration"), "{page}");

    // She cancels it (an Update): alice is told, calendars see a change.
    let mut cancelled = event.clone();
    cancelled["status"] = "CANCELLED".into();
    cancelled["ical:status"] = "CANCELLED".into();
    let (status, body) = fake
        .send(
            &node,
            "camille",
            &by_camille(&fake, "Update", 3, &cancelled),
        )
        .await;
    assert!(status.is_success(), "{status} {body}");
    let e = node.get(&format!("/events/{id}"), Some(&alice.token)).await;
    assert_eq!(e.body["status"], "cancelled", "{}", e.body);
    assert_eq!(
        e.body["sequence"].as_i64(),
        Some(sequence + 1),
        "{}",
        e.body
    );
    let n = node.get("/notifications", Some(&alice.token)).await;
    let kinds: Vec<&str> = n.body["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|i| i["kind"].as_str()).collect())
        .unwrap_or_default();
    assert!(kinds.contains(&"event_cancelled"), "{kinds:?}");
    assert!(kinds.contains(&"event_approved"), "{kinds:?}");

    // And deletes it: gone here too.
    let delete = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{uri}/delete"),
        "type": "Delete",
        "actor": camille,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": cancelled,
    });
    let (status, body) = fake.send(&node, "camille", &delete).await;
    assert!(status.is_success(), "{status} {body}");
    let r = node.get(&format!("/events/{id}"), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);

    // Looked up by its URL (its server serves it): stored again.
    let path = uri.strip_prefix(&fake.url("")).expect("on the fake server");
    fake.serve(path, Answer::json(&event));
    let r = node
        .post("/events/lookup", Some(&alice.token), json!({"url": uri}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["remote"]["uri"], uri.as_str(), "{}", r.body);
    assert_eq!(r.body["registered_count"], 12, "{}", r.body);
    assert_eq!(r.body["status"], "open", "{}", r.body);
    // A document whose id is on another server is not believed from it.
    fake.serve("/events/elsewhere", Answer::json(&foreign));
    let r = node
        .post(
            "/events/lookup",
            Some(&alice.token),
            json!({"url": fake.url("/events/elsewhere")}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}

#[tokio::test]
async fn a_groups_event_relayed_by_the_group_reaches_its_members_and_the_group_answers() {
    let node = TestNode::start_federated().await;
    let fake = FakeRemote::start().await;
    fake.add_actor("camille");
    let host = fake.url("");
    let group = fake.add_actor_at("apero", "/@apero", |id, pem| {
        json!({
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": id,
            "type": "Group",
            "preferredUsername": "apero",
            "name": "Apéro",
            "inbox": format!("{id}/inbox"),
            "outbox": format!("{id}/outbox"),
            "followers": format!("{id}/followers"),
            "endpoints": {"sharedInbox": format!("{host}/inbox")},
            "publicKey": {"id": format!("{id}#main-key"), "owner": id, "publicKeyPem": pem},
        })
    });
    let alice = node.register("alice").await;

    // alice joins the group (a Follow it accepts).
    let handle = format!("apero@{}", fake.domain);
    let r = node
        .post(
            &format!("/groups/{handle}/join"),
            Some(&alice.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let follow = eventually("the Follow reaches the group", || async {
        fake.delivered()
            .into_iter()
            .find(|a| a["type"] == "Follow" && a["object"] == group.as_str())
    })
    .await;
    let accept = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": fake.url("/accept/follow/group"),
        "type": "Accept",
        "actor": group,
        "object": follow,
    });
    let (status, body) = fake.send(&node, "apero", &accept).await;
    assert!(status.is_success(), "{status} {body}");

    // The group's event, organised by camille, served at its id.
    let mut event = mobilizon_event(&fake);
    event["attributedTo"] = group.clone().into();
    let uri = event["id"].as_str().expect("id").to_string();
    let path = uri.strip_prefix(&fake.url("")).expect("on the fake server");
    fake.serve(path, Answer::json(&event));
    let create = by_camille(&fake, "Create", 1, &event);
    // Camille's Create of an event attributed to the group is not hers.
    let (status, _) = fake.send(&node, "camille", &create).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(node.get("/events", None).await.ids().is_empty());
    // The group relays it: fetched from its id, stored.
    let announce = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": fake.url("/announces/1"),
        "type": "Announce",
        "actor": group,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": create,
    });
    let (status, body) = fake.send(&node, "apero", &announce).await;
    assert!(status.is_success(), "{status} {body}");
    let listed = node.get("/events", None).await;
    let item = listed.body["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["remote"]["uri"] == uri.as_str()))
        .cloned()
        .unwrap_or_else(|| panic!("listed: {}", listed.body));
    assert_eq!(item["group_account"]["username"], handle.as_str(), "{item}");
    assert_eq!(
        item["organiser_account"]["username"],
        format!("camille@{}", fake.domain).as_str(),
        "{item}"
    );
    let id = item["id"].as_str().expect("id").to_string();

    // alice registers; the group's Accept of her Join counts.
    let r = node
        .post(
            &format!("/events/{id}/register"),
            Some(&alice.token),
            json!({}),
        )
        .await;
    assert_eq!(r.body["state"], "pending", "{}", r.body);
    let join = eventually("the Join is sent", || async {
        fake.delivered()
            .into_iter()
            .find(|a| a["type"] == "Join" && a["object"] == uri.as_str())
    })
    .await;
    let accept = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": fake.url("/accept/join/group"),
        "type": "Accept",
        "actor": group,
        "object": join,
    });
    let (status, body) = fake.send(&node, "apero", &accept).await;
    assert!(status.is_success(), "{status} {body}");
    let e = node.get(&format!("/events/{id}"), Some(&alice.token)).await;
    assert_eq!(e.body["viewer"]["state"], "registered", "{}", e.body);
}
