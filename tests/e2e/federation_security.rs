//! The inbox never accepts a forged or spoofed activity: each refusal
//! answers with the right status and stores nothing. The remote side is a
//! fake server in this test, whose keys the test holds.

use std::time::{Duration, SystemTime};

use base64::Engine;
use identity::RsaKeypair;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::fake_remote::{post_to_inbox, Answer, FakeRemote, Signer};
use crate::harness::TestNode;

/// A fake server with two actors, mallory and eve.
async fn fake_server() -> FakeRemote {
    let fake = FakeRemote::start().await;
    fake.add_actor("mallory");
    fake.add_actor("eve");
    fake
}

/// Sends `body` to `node`'s shared inbox signed by actor `name` of `fake`
/// (a spoiled signature when `tampered`), dated `date`; the status.
async fn send_signed(
    node: &TestNode,
    body: &[u8],
    fake: &FakeRemote,
    name: &str,
    date: SystemTime,
    tampered: bool,
) -> StatusCode {
    let signer = Signer {
        key: &fake.key(name),
        key_id: &fake.key_id(name),
        date,
        tampered,
    };
    post_to_inbox(node, body, &signer).await.status()
}

fn create_note(actor: &str, note_id: &str, text: &str) -> Vec<u8> {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{note_id}/activity"),
        "type": "Create",
        "actor": actor,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": {
            "id": note_id,
            "type": "Note",
            "attributedTo": actor,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "content": format!("<p>{text}</p><script>alert(1)</script>"),
            "published": "2026-11-01T00:00:00Z",
        },
    })
    .to_string()
    .into_bytes()
}

/// Whether `text` appears in any post `handle` has on `node`.
async fn stored(node: &TestNode, handle: &str, text: &str) -> bool {
    let r = node.get(&format!("/members/{handle}/posts"), None).await;
    r.body["items"].as_array().is_some_and(|items| {
        items
            .iter()
            .any(|p| p["content"].as_str().unwrap_or_default().contains(text))
    })
}

#[tokio::test]
async fn the_inbox_refuses_forged_spoofed_replayed_oversized_and_blocked_activities() {
    let node = TestNode::start_federated().await;
    let fake = fake_server().await;
    let mallory = fake.actor("mallory");
    let handle = format!("mallory@{}", fake.domain);
    let now = SystemTime::now();
    let note = |n: &str| format!("{mallory}/statuses/{n}");

    // A genuine activity is accepted, stored once, and sanitised.
    let genuine = create_note(&mallory, &note("1"), "genuine");
    assert_eq!(
        send_signed(&node, &genuine, &fake, "mallory", now, false).await,
        StatusCode::ACCEPTED
    );
    assert_eq!(
        send_signed(&node, &genuine, &fake, "mallory", now, false).await,
        StatusCode::ACCEPTED
    );
    let r = node.get(&format!("/members/{handle}/posts"), None).await;
    let items = r.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1, "stored once: {}", r.body);
    assert!(!items[0]["content"]
        .as_str()
        .unwrap_or_default()
        .contains("script"));

    // A forged signature.
    let body = create_note(&mallory, &note("2"), "forged");
    assert_eq!(
        send_signed(&node, &body, &fake, "mallory", now, true).await,
        StatusCode::UNAUTHORIZED
    );
    // Signed with eve's key, claiming to be mallory.
    let body = create_note(&mallory, &note("3"), "impersonated");
    assert_eq!(
        send_signed(&node, &body, &fake, "eve", now, false).await,
        StatusCode::UNAUTHORIZED
    );
    // A post whose id lives on another server (spoofing its posts).
    let body = create_note(
        &mallory,
        "http://victim.example/users/v/statuses/9",
        "spoofed",
    );
    assert_eq!(
        send_signed(&node, &body, &fake, "mallory", now, false).await,
        StatusCode::FORBIDDEN
    );
    // A replayed request dated two hours ago.
    let body = create_note(&mallory, &note("4"), "replayed");
    let old = now - Duration::from_secs(2 * 3600);
    assert_eq!(
        send_signed(&node, &body, &fake, "mallory", old, false).await,
        StatusCode::UNAUTHORIZED
    );
    // A body over the 1 MiB limit.
    let big = create_note(&mallory, &note("5"), &"x".repeat(1_100_000));
    assert_eq!(
        send_signed(&node, &big, &fake, "mallory", now, false).await,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    // No signature at all.
    let r = reqwest::Client::new()
        .post(format!("{}/inbox", node.base))
        .body(create_note(&mallory, &note("6"), "unsigned"))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    for text in ["forged", "impersonated", "spoofed", "replayed", "unsigned"] {
        assert!(
            !stored(&node, &handle, text).await,
            "{text} must not be stored"
        );
    }
    let r = node.get("/search?q=spoofed", None).await;
    assert!(!r.body.to_string().contains("spoofed</p>"), "{}", r.body);

    // A blocked domain: refused before anything is stored.
    let admin = node.register_admin().await;
    node.block_domain(
        &admin,
        json!({"domain": fake.domain, "severity": "suspend"}),
    )
    .await;
    let body = create_note(&mallory, &note("7"), "after the block");
    assert_eq!(
        send_signed(&node, &body, &fake, "mallory", now, false).await,
        StatusCode::FORBIDDEN
    );
    assert!(!stored(&node, &handle, "after the block").await);
    let r: Value = node
        .get("/admin/domain-blocks", Some(&admin.token))
        .await
        .body;
    assert_eq!(r[0]["domain"], fake.domain.as_str());
}

#[tokio::test]
async fn a_signed_flag_from_another_server_lands_in_the_reports_queue() {
    let node = TestNode::start_federated().await;
    let fake = fake_server().await;
    let mallory = fake.actor("mallory");
    let bob = node.register("bob").await;
    let post = node.post_as(&bob, "a perfectly fine post", json!({})).await;
    let bob_uri = format!("http://{}/users/bob", node.domain());
    let flag = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{mallory}/flags/1"),
        "type": "Flag",
        "actor": mallory,
        "content": "<p>reported <b>from afar</b></p>",
        "object": [bob_uri, format!("{bob_uri}/statuses/{post}")],
    })
    .to_string()
    .into_bytes();
    assert_eq!(
        send_signed(&node, &flag, &fake, "mallory", SystemTime::now(), false).await,
        StatusCode::ACCEPTED
    );

    // A moderator sees it in the panel's queue, with its plain-text comment.
    node.register_admin().await;
    let panel = node.panel_login("admin").await;
    let page = reqwest::Client::new()
        .get(format!("{}/admin/reports", node.base))
        .header("cookie", format!("kodeon_admin={panel}"))
        .send()
        .await
        .expect("panel");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    assert!(html.contains("reported from afar"), "{html}");
    assert!(html.contains("<td>bob</td>"), "the target: {html}");
    assert!(html.contains("mallory"), "the reporter: {html}");
    assert!(!html.contains("No reports waiting"));
}

#[tokio::test]
async fn remote_attachments_are_linked_and_hidden_when_the_domain_s_media_is_rejected() {
    let node = TestNode::start_federated().await;
    let fake = fake_server().await;
    let mallory = fake.actor("mallory");
    let handle = format!("mallory@{}", fake.domain);
    let picture = format!("http://{}/media/cat.png", fake.domain);
    let note_id = format!("{mallory}/statuses/pic");
    let body = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{note_id}/activity"),
        "type": "Create",
        "actor": mallory,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": {
            "id": note_id, "type": "Note", "attributedTo": mallory,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "content": "<p>look at this cat</p>",
            "published": "2026-11-01T00:00:00Z",
            "attachment": [{"type": "Document", "mediaType": "image/png", "url": picture, "name": "a cat"}],
        },
    })
    .to_string()
    .into_bytes();
    assert_eq!(
        send_signed(&node, &body, &fake, "mallory", SystemTime::now(), false).await,
        StatusCode::ACCEPTED
    );
    let media = |r: &Value| r["items"][0]["remote_media"].clone();
    let r = node.get(&format!("/members/{handle}/posts"), None).await;
    assert_eq!(media(&r.body)[0]["url"], picture.as_str(), "{}", r.body);
    assert_eq!(media(&r.body)[0]["description"], "a cat");

    let admin = node.register_admin().await;
    node.block_domain(
        &admin,
        json!({"domain": fake.domain, "severity": "silence", "reject_media": true}),
    )
    .await;
    let r = node
        .get(&format!("/members/{handle}/posts"), Some(&admin.token))
        .await;
    assert!(
        r.body["items"][0]["content"]
            .as_str()
            .is_some_and(|c| c.contains("cat")),
        "{}",
        r.body
    );
    assert_eq!(media(&r.body), Value::Null, "media rejected: {}", r.body);
}

#[tokio::test]
async fn an_announced_create_of_a_page_is_fetched_from_its_origin_and_shared() {
    // As a Lemmy community (FEP-1b12) shares its members' posts: eve
    // announces Create(Page) by mallory; the node fetches the Page from
    // mallory's server instead of trusting the embedded copy.
    let node = TestNode::start_federated().await;
    let fake = fake_server().await;
    let mallory = fake.actor("mallory");
    let eve = fake.actor("eve");
    let page_path = "/users/mallory/statuses/page1";
    let page_id = format!("http://{}{page_path}", fake.domain);
    fake.serve(
        page_path,
        Answer::json(&json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": page_id, "type": "Page", "attributedTo": mallory,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "name": "Soldering for beginners",
            "content": "<p>the authentic body</p>",
            "published": "2026-11-01T00:00:00Z",
        })),
    );
    let announce = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{eve}/announces/1"),
        "type": "Announce",
        "actor": eve,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": {
            "id": format!("{page_id}/create"), "type": "Create", "actor": mallory,
            "object": {"id": page_id, "type": "Page", "attributedTo": mallory, "content": "<p>a forged body</p>"},
        },
    })
    .to_string()
    .into_bytes();
    assert_eq!(
        send_signed(&node, &announce, &fake, "eve", SystemTime::now(), false).await,
        StatusCode::ACCEPTED
    );
    let mallory_handle = format!("mallory@{}", fake.domain);
    assert!(stored(&node, &mallory_handle, "the authentic body").await);
    assert!(!stored(&node, &mallory_handle, "a forged body").await);
    // eve's share shows on her profile here, as a boost.
    let r = node
        .get(&format!("/members/eve@{}/posts", fake.domain), None)
        .await;
    assert!(
        r.body["items"][0]["boost"]["by"]["username"]
            .as_str()
            .is_some_and(|u| u.starts_with("eve@")),
        "{}",
        r.body
    );
}

/// GETs `path` from `node` with an RFC 9421 signature by `key` whose
/// `@target-uri` is the node's URL for `path` followed by `signed_suffix`
/// (Fedify signs its key fetches with the key id's `#fragment` there).
async fn get_signed_rfc9421(
    node: &TestNode,
    path: &str,
    signed_suffix: &str,
    key: &RsaKeypair,
    key_id: &str,
) -> StatusCode {
    let host = node.domain().to_string();
    let date = httpdate::fmt_http_date(SystemTime::now());
    let created = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .expect("time")
        .as_secs();
    let params = format!(
        "(\"@method\" \"@target-uri\" \"@authority\" \"host\" \"date\");alg=\"rsa-v1_5-sha256\";keyid=\"{key_id}\";created={created}"
    );
    let base = format!(
        "\"@method\": GET\n\"@target-uri\": http://{host}{path}{signed_suffix}\n\"@authority\": {host}\n\
         \"host\": {host}\n\"date\": {date}\n\"@signature-params\": {params}"
    );
    let sig = base64::engine::general_purpose::STANDARD.encode(key.sign_sha256(base.as_bytes()));
    reqwest::Client::new()
        .get(format!("{}{path}", node.base))
        .header("host", host)
        .header("date", date)
        .header("accept", "application/activity+json")
        .header("signature-input", format!("sig1={params}"))
        .header("signature", format!("sig1=:{sig}:"))
        .send()
        .await
        .expect("get")
        .status()
}

#[tokio::test]
async fn authorized_fetch_takes_rfc9421_gets_signed_with_a_key_id_fragment() {
    let node = TestNode::start_with(|c| {
        c.server.domain = "localhost:0".into();
        c.federation.authorized_fetch = true;
    })
    .await;
    node.register("alice").await;
    let fake = fake_server().await;
    let (key, key_id) = (fake.key("mallory"), fake.key_id("mallory"));
    let get =
        |suffix: &'static str| get_signed_rfc9421(&node, "/users/alice", suffix, &key, &key_id);
    assert_eq!(get("").await, StatusCode::OK, "plain @target-uri");
    // Fedify's way: the fragment of one of the node's key ids.
    assert_eq!(get("#main-key").await, StatusCode::OK, "#main-key");
    assert_eq!(get("#ed25519-key").await, StatusCode::OK, "#ed25519-key");
    // Anything else still fails, with 401 so that Fedify retries.
    assert_eq!(get("#other").await, StatusCode::UNAUTHORIZED, "#other");
    assert_eq!(get("/x").await, StatusCode::UNAUTHORIZED, "another path");
}
