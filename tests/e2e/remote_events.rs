//! Events of other servers, as members here see them: a Mobilizon-shaped
//! event published to a follower, registered for with a `Join` its server
//! accepts, cancelled, deleted and looked up again by URL; a group's event
//! relayed by the group to its members here. (Seats of another Kodeon
//! node's event taken from here: `remote_events_seats.rs`.)

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::fake_remote::{Answer, FakeRemote};
use crate::harness::{eventually, TestNode};

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
    assert!(status.is_success(), "ignored: {status}");
    assert!(node.get("/events", None).await.ids().is_empty());
    // Nor one attributed to an account of another server.
    let mut theirs = event.clone();
    theirs["attributedTo"] = "https://elsewhere.example/@camille".into();
    let (status, _) = fake
        .send(&node, "camille", &by_camille(&fake, "Create", 8, &theirs))
        .await;
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
    // Camille's Create of an event attributed to the group is not hers:
    // ignored.
    let (status, _) = fake.send(&node, "camille", &create).await;
    assert!(status.is_success(), "{status}");
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
