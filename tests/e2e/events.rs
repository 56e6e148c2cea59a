//! Events over the Kodeon API: creating with its validation, the
//! upcoming list and its filters, registration with its waitlist,
//! participants and check-in, going live and cancelling.

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{Member, TestNode};

/// Milliseconds since the epoch, `days` from now.
fn in_days(days: i64) -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis();
    i64::try_from(now).expect("ms") + days * 86_400_000
}

/// Creates a meetup in Jakarta `days` from now with `capacity` seats.
async fn meetup(
    node: &TestNode,
    organiser: &Member,
    title: &str,
    days: i64,
    capacity: i64,
) -> String {
    let start = in_days(days);
    let r = node
        .post(
            "/events",
            Some(&organiser.token),
            json!({
                "title": title,
                "description": "Bring a **laptop**.",
                "type": "meetup",
                "start": start,
                "end": start + 2 * 3_600_000,
                "timezone": "Asia/Jakarta",
                "format": "hybrid",
                "location": {"name": "Hall A", "address": "Jl. Sudirman 1", "locality": "Jakarta",
                             "country": "ID", "lat": -6.2, "lon": 106.8},
                "online_url": "https://meet.example/rust",
                "capacity": capacity,
                "registration": "open",
                "tags": ["rust"],
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["id"].as_str().expect("an id").to_string()
}

#[tokio::test]
async fn bad_events_are_refused_naming_the_field() {
    let node = TestNode::start().await;
    let alice = node.register("alice").await;
    let start = in_days(3);
    let base = json!({
        "title": "Meetup", "type": "meetup", "start": start, "end": start + 3_600_000,
        "timezone": "Asia/Jakarta", "format": "online", "online_url": "https://meet.example/x",
    });
    for (change, field) in [
        (json!({"end": start - 1}), "end"),
        (json!({"timezone": "Mars/Olympus"}), "timezone"),
        (json!({"capacity": -1}), "capacity"),
    ] {
        let mut body = base.clone();
        for (k, v) in change.as_object().expect("object") {
            body[k] = v.clone();
        }
        let r = node.post("/events", Some(&alice.token), body).await;
        r.assert_error(422, Some(field));
    }
    let r = node.get("/events", None).await;
    assert_eq!(r.body["items"], json!([]), "nothing was stored: {}", r.body);
    let r = node.get("/events?near=north", None).await;
    r.assert_error(422, Some("near"));
}

#[tokio::test]
async fn members_register_wait_and_are_promoted_checked_in_and_told_of_changes() {
    let node = TestNode::start().await;
    let alice = node.register("alice").await;
    let bob = node.register("bob").await;
    let carol = node.register("carol").await;
    let id = meetup(&node, &alice, "Rust meetup", 3, 1).await;
    let r = node.get(&format!("/events/{id}"), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["timezone"], "Asia/Jakarta");
    assert_eq!(r.body["seats_left"], 1, "{}", r.body);

    // Upcoming, near Jakarta but not near Berlin.
    let near = node.get("/events?near=-6.2,106.8&radius_km=50", None).await;
    assert_eq!(near.body["items"][0]["id"], id.as_str(), "{}", near.body);
    let far = node.get("/events?near=52.5,13.4&radius_km=50", None).await;
    assert_eq!(far.body["items"], json!([]), "{}", far.body);

    // One seat: bob registers, carol waits.
    let r = node
        .post(
            &format!("/events/{id}/register"),
            Some(&bob.token),
            json!({"listed": true}),
        )
        .await;
    assert_eq!(r.body["state"], "registered", "{}", r.body);
    let r = node
        .post(
            &format!("/events/{id}/register"),
            Some(&carol.token),
            json!({}),
        )
        .await;
    assert_eq!(r.body["state"], "waitlisted", "{}", r.body);
    // The organiser sees both; carol sees the counts and bob (listed).
    let all = node
        .get(&format!("/events/{id}/participants"), Some(&alice.token))
        .await;
    assert_eq!(all.body["registered"], 1, "{}", all.body);
    assert_eq!(all.body["waitlisted"], 1, "{}", all.body);
    // Bob leaves: carol is promoted and told.
    let r = node
        .post(
            &format!("/events/{id}/unregister"),
            Some(&bob.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let e = node.get(&format!("/events/{id}"), Some(&carol.token)).await;
    assert_eq!(e.body["viewer"]["state"], "registered", "{}", e.body);
    let notes = node.get("/notifications", Some(&carol.token)).await;
    assert!(
        notes.body.to_string().contains("event_promoted"),
        "{}",
        notes.body
    );
    // Check-in by the organiser; not by carol herself.
    let r = node
        .post(
            &format!("/events/{id}/participants/carol/checkin"),
            Some(&carol.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = node
        .post(
            &format!("/events/{id}/participants/carol/checkin"),
            Some(&alice.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    // Live, then cancelled: registering is refused with the reason.
    let r = node
        .post(
            &format!("/events/{id}/live"),
            Some(&alice.token),
            json!({"stream_url": "https://stream.example/rust"}),
        )
        .await;
    assert_eq!(
        r.body["stream_url"], "https://stream.example/rust",
        "{}",
        r.body
    );
    let r = node
        .post(
            &format!("/events/{id}/cancel"),
            Some(&alice.token),
            json!({}),
        )
        .await;
    assert_eq!(r.body["status"], "cancelled", "{}", r.body);
    let r = node
        .post(
            &format!("/events/{id}/register"),
            Some(&bob.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.to_string().contains("cancelled"), "{}", r.body);
    let notes = node.get("/notifications", Some(&carol.token)).await;
    assert!(
        notes.body.to_string().contains("event_cancelled"),
        "{}",
        notes.body
    );
    // Carol's events list it; only organisers edit and delete.
    let mine = node.get("/me/events?from=0", Some(&carol.token)).await;
    assert_eq!(mine.body["items"][0]["id"], id.as_str(), "{}", mine.body);
    let r = node
        .patch(
            &format!("/events/{id}"),
            Some(&bob.token),
            json!({"title": "Mine now"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = node
        .delete(&format!("/events/{id}"), Some(&alice.token))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = node.get(&format!("/events/{id}"), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}

/// The Accepts or Rejects (`kind`) of Joins the fake server received.
fn answers(fake: &crate::fake_remote::FakeRemote, kind: &str) -> Vec<serde_json::Value> {
    fake.delivered()
        .into_iter()
        .filter(|a| a["type"] == kind && a["object"]["type"] == "Join")
        .collect()
}

#[tokio::test]
async fn participants_of_another_server_join_wait_and_are_accepted_as_mobilizon_does() {
    let node = TestNode::start_federated().await;
    let fake = crate::fake_remote::FakeRemote::start().await;
    let ana = fake.add_actor("ana");
    let ben = fake.add_actor("ben");
    let alice = node.register("alice").await;
    let id = meetup(&node, &alice, "Hybrid meetup", 5, 1).await;

    // The event as an ActivityPub `Event` with Mobilizon's properties.
    let event_uri = format!("http://{}/users/alice/events/{id}", node.domain());
    let doc = reqwest::Client::new()
        .get(format!("{}/users/alice/events/{id}", node.base))
        .header("accept", "application/activity+json")
        .send()
        .await
        .expect("event");
    assert_eq!(doc.status(), StatusCode::OK);
    let doc: serde_json::Value = doc.json().await.expect("json");
    assert_eq!(doc["type"], "Event", "{doc}");
    assert_eq!(doc["id"], event_uri.as_str(), "{doc}");
    assert_eq!(doc["timezone"], "Asia/Jakarta", "{doc}");
    assert_eq!(doc["joinMode"], "free", "{doc}");
    assert_eq!(doc["maximumAttendeeCapacity"], 1, "{doc}");
    assert_eq!(doc["remainingAttendeeCapacity"], 1, "{doc}");
    assert_eq!(doc["location"]["type"], "Place", "{doc}");
    assert_eq!(doc["location"]["address"]["type"], "PostalAddress", "{doc}");
    assert_eq!(doc["location"]["latitude"], -6.2, "{doc}");
    // What Mastodon shows of an `Event` besides its name and link.
    let summary = doc["summary"].as_str().unwrap_or_default();
    assert!(summary.contains("(Asia/Jakarta)"), "{doc}");
    assert!(
        summary.ends_with("Hall A, Jl. Sudirman 1, Jakarta, ID · and online"),
        "{doc}"
    );
    assert_eq!(
        doc["attachment"][0]["href"], "https://meet.example/rust",
        "{doc}"
    );

    // Ana joins (Mobilizon's `Join`): a seat, and the Accept of her Join.
    let join = |who: &str, n: u32| {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": fake.url(&format!("/join/{n}")),
            "type": "Join",
            "actor": fake.actor(who),
            "object": event_uri,
        })
    };
    let (status, body) = fake.send(&node, "ana", &join("ana", 1)).await;
    assert!(status.is_success(), "{status} {body}");
    crate::harness::eventually("ana's Join is accepted", || async {
        answers(&fake, "Accept")
            .into_iter()
            .find(|a| a["object"]["actor"] == ana.as_str())
            .map(|a| assert_eq!(a["object"]["id"], fake.url("/join/1").as_str(), "{a}"))
    })
    .await;
    // Ben joins a full event: he waits, no answer yet.
    let (status, _) = fake.send(&node, "ben", &join("ben", 2)).await;
    assert!(status.is_success());
    let e = node.get(&format!("/events/{id}"), None).await;
    assert_eq!(e.body["registered_count"], 1, "{}", e.body);
    assert_eq!(e.body["waitlisted_count"], 1, "{}", e.body);
    // Ana leaves: Ben gets her seat, and the Accept of his Join.
    let leave = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": fake.url("/leave/1"),
        "type": "Leave",
        "actor": ana,
        "object": event_uri,
    });
    let (status, _) = fake.send(&node, "ana", &leave).await;
    assert!(status.is_success());
    crate::harness::eventually("ben is promoted and accepted", || async {
        answers(&fake, "Accept")
            .into_iter()
            .any(|a| a["object"]["actor"] == ben.as_str())
            .then_some(())
    })
    .await;
    let e = node.get(&format!("/events/{id}"), None).await;
    assert_eq!(e.body["registered_count"], 1, "{}", e.body);
    assert_eq!(e.body["waitlisted_count"], 0, "{}", e.body);
    // Cancelled: a new Join is answered with a Reject.
    let r = node
        .post(
            &format!("/events/{id}/cancel"),
            Some(&alice.token),
            json!({}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    let (status, _) = fake.send(&node, "ana", &join("ana", 3)).await;
    assert!(status.is_success());
    crate::harness::eventually("a Join of a cancelled event is rejected", || async {
        answers(&fake, "Reject")
            .into_iter()
            .any(|a| a["object"]["id"] == fake.url("/join/3").as_str())
            .then_some(())
    })
    .await;
}

#[tokio::test]
async fn followers_on_other_servers_hear_of_an_event_its_changes_and_its_cancellation() {
    let node = TestNode::start_federated().await;
    let fake = crate::fake_remote::FakeRemote::start().await;
    let ana = fake.add_actor("ana");
    let alice = node.register("alice").await;
    let alice_uri = format!("http://{}/users/alice", node.domain());
    let follow = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": fake.url("/follow/1"),
        "type": "Follow",
        "actor": ana,
        "object": alice_uri,
    });
    let (status, body) = fake.send(&node, "ana", &follow).await;
    assert!(status.is_success(), "{status} {body}");
    let id = meetup(&node, &alice, "Announced meetup", 4, 10).await;
    let of_kind = |kind: &str| {
        fake.delivered()
            .into_iter()
            .filter(|a| a["type"] == kind && a["object"]["type"] == "Event")
            .collect::<Vec<_>>()
    };
    let created = crate::harness::eventually("the Create(Event) arrives", || async {
        of_kind("Create").into_iter().next()
    })
    .await;
    assert_eq!(created["actor"], alice_uri.as_str(), "{created}");
    assert_eq!(created["object"]["name"], "Announced meetup", "{created}");
    assert_eq!(created["object"]["timezone"], "Asia/Jakarta", "{created}");
    assert!(
        created["object"]["id"]
            .as_str()
            .is_some_and(|i| i.ends_with(&format!("/events/{id}"))),
        "{created}"
    );
    let r = node
        .post(
            &format!("/events/{id}/cancel"),
            Some(&alice.token),
            json!({}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    crate::harness::eventually("the cancellation arrives as an Update", || async {
        of_kind("Update")
            .into_iter()
            .any(|u| u["object"]["status"] == "CANCELLED")
            .then_some(())
    })
    .await;
}
