//! Remote handles and ids cannot be hijacked: a URL means the host a
//! request reaches, a handle binds to an actor only when WebFinger on the
//! handle's own domain says so, and an anonymous visitor makes the node
//! fetch nothing.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::fake_remote::{webfinger_answer, webfinger_user, Answer};
use crate::harness::{eventually, TestNode};

/// A hostile server: it answers WebFinger from a table, serves actor
/// documents by path, and counts what is delivered to it.
struct EvilServer {
    domain: String,
    /// `name` → the `href` WebFinger gives for `acct:name@domain`.
    fingers: Arc<Mutex<HashMap<String, String>>>,
    /// Path → document.
    docs: Arc<Mutex<HashMap<String, Value>>>,
    /// Requests received, by path.
    hits: Arc<Mutex<Vec<String>>>,
    deliveries: Arc<AtomicUsize>,
    _task: tokio::task::JoinHandle<()>,
}

impl EvilServer {
    async fn start() -> EvilServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let domain = format!("localhost:{}", listener.local_addr().expect("addr").port());
        let fingers: Arc<Mutex<HashMap<String, String>>> = Arc::default();
        let docs: Arc<Mutex<HashMap<String, Value>>> = Arc::default();
        let hits: Arc<Mutex<Vec<String>>> = Arc::default();
        let deliveries = Arc::new(AtomicUsize::new(0));
        let (f, d, h, n, dom) = (
            fingers.clone(),
            docs.clone(),
            hits.clone(),
            deliveries.clone(),
            domain.clone(),
        );
        let app = axum::Router::new().fallback(
            move |method: axum::http::Method, uri: axum::http::Uri| {
                let (f, d, h, n, dom) = (f.clone(), d.clone(), h.clone(), n.clone(), dom.clone());
                async move {
                    if let Ok(mut hits) = h.lock() {
                        hits.push(uri.to_string());
                    }
                    if method == axum::http::Method::POST {
                        n.fetch_add(1, Ordering::SeqCst);
                        return Answer::status(202).response();
                    }
                    if uri.path() == "/.well-known/webfinger" {
                        let name = webfinger_user(&uri);
                        let href = f.lock().ok().and_then(|m| m.get(&name).cloned());
                        if let Some(href) = href {
                            return webfinger_answer(&name, &dom, &href).response();
                        }
                    }
                    match d.lock().ok().and_then(|m| m.get(uri.path()).cloned()) {
                        Some(doc) => Answer::json(&doc),
                        None => Answer::status(404),
                    }
                    .response()
                }
            },
        );
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        EvilServer {
            domain,
            fingers,
            docs,
            hits,
            deliveries,
            _task: task,
        }
    }

    fn finger(&self, name: &str, href: &str) {
        if let Ok(mut m) = self.fingers.lock() {
            m.insert(name.into(), href.into());
        }
    }

    /// Serves an actor document with `id` (as written) at `path`.
    fn actor(&self, path: &str, id: &str, preferred: &str, inbox: &str) {
        let key = identity::RsaKeypair::generate().expect("key");
        let doc = json!({
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": id,
            "type": "Person",
            "preferredUsername": preferred,
            "inbox": inbox,
            "publicKey": {"id": format!("{id}#main-key"), "owner": id, "publicKeyPem": key.public_pem().expect("pem")},
        });
        if let Ok(mut m) = self.docs.lock() {
            m.insert(path.into(), doc);
        }
    }

    fn was_asked(&self) -> bool {
        self.hits.lock().map(|h| !h.is_empty()).unwrap_or(false)
    }
}

#[tokio::test]
async fn a_backslash_in_an_actor_id_cannot_hijack_another_servers_handle_or_its_dms() {
    let here = TestNode::start_federated().await;
    let victim = TestNode::start_federated().await;
    let evil = EvilServer::start().await;
    let alice = here.register("alice").await;
    let gargron = victim.register("gargron").await;
    let real = format!("http://{}/users/gargron", victim.domain());
    let handle = format!("gargron@{}", victim.domain());

    // evil's WebFinger names an id that a hand-written splitter reads as
    // being on the victim's host, while HTTP clients ask evil for it.
    let forged = format!("http://{}\\@{}/users/gargron", evil.domain, victim.domain());
    evil.finger("x", &forged);
    evil.actor(
        &format!("/@{}/users/gargron", victim.domain()),
        &forged,
        "gargron",
        &format!(
            "http://{}\\@{}/users/gargron/inbox",
            evil.domain,
            victim.domain()
        ),
    );

    // An anonymous lookup makes the node fetch nothing at all.
    let r = here.get(&format!("/members/x@{}", evil.domain), None).await;
    r.assert_error(404, None);
    assert!(
        !evil.was_asked(),
        "an anonymous visitor made the node fetch"
    );

    // Signed in, the lookup fails: the document is refused (its id is not
    // a canonical URL, and its real host is evil's).
    let r = here
        .get(&format!("/members/x@{}", evil.domain), Some(&alice.token))
        .await;
    r.assert_error(404, Some("username"));
    assert_eq!(
        r.body["error"], "member not found",
        "one error for every failure"
    );

    // The victim's handle still means the victim.
    let r = here
        .get(&format!("/members/{handle}"), Some(&alice.token))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["remote"]["uri"], real.as_str(), "{}", r.body);

    // A direct message to the handle reaches the victim, not evil.
    here.post_as(
        &alice,
        &format!("@{handle} only for you"),
        json!({"visibility": "direct"}),
    )
    .await;
    eventually("the direct message reaches the real gargron", || async {
        let r = victim.get("/notifications", Some(&gargron.token)).await;
        r.body["items"]
            .as_array()?
            .iter()
            .any(|n| {
                n["post"]["content"]
                    .as_str()
                    .is_some_and(|c| c.contains("only for you"))
            })
            .then_some(())
    })
    .await;
    assert_eq!(
        evil.deliveries.load(Ordering::SeqCst),
        0,
        "evil got a delivery"
    );
}

#[tokio::test]
async fn a_handle_binds_only_to_the_actor_its_own_webfinger_names_and_is_never_silently_rebound() {
    let here = TestNode::start_federated().await;
    let evil = EvilServer::start().await;
    let alice = here.register("alice").await;
    let d = evil.domain.clone();
    let boss = format!("http://{d}/users/boss");
    let fake = format!("http://{d}/users/fake");
    evil.actor("/users/boss", &boss, "boss", &format!("{boss}/inbox"));
    // A second actor on the same host claims the same preferredUsername.
    evil.actor("/users/fake", &fake, "boss", &format!("{fake}/inbox"));
    evil.finger("boss", &boss);
    evil.finger("alias", &fake);

    let r = here
        .get(&format!("/members/boss@{d}"), Some(&alice.token))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["remote"]["uri"], boss.as_str());

    // The impostor is fetched (through another handle that names it), but
    // WebFinger for boss@host names the first actor: the handle stays.
    let _ = here
        .get(&format!("/members/alias@{d}"), Some(&alice.token))
        .await;
    let r = here
        .get(&format!("/members/boss@{d}"), Some(&alice.token))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.body["remote"]["uri"],
        boss.as_str(),
        "rebound: {}",
        r.body
    );
}
