//! A fake ActivityPub server for tests that need a remote side the test
//! controls: actors whose keys the test holds (served with WebFinger, as
//! real servers do), any other answer by path (documents, redirects,
//! errors, or one answer for browsers and another for ActivityPub
//! clients), and an inbox that records what it is sent and answers with a
//! status the test chooses.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use base64::Engine;
use identity::RsaKeypair;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::harness::TestNode;

/// One answer: status, headers, body.
#[derive(Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    /// An ActivityPub document.
    pub fn json(doc: &Value) -> Answer {
        Answer {
            status: 200,
            headers: vec![("content-type".into(), "application/activity+json".into())],
            body: doc.to_string().into_bytes(),
        }
    }

    /// A bare status with a plain-text body.
    pub fn status(status: u16) -> Answer {
        Answer {
            status,
            headers: vec![("content-type".into(), "text/plain".into())],
            body: Vec::new(),
        }
    }

    /// A redirect to `location`.
    pub fn redirect(status: u16, location: &str) -> Answer {
        Answer {
            status,
            headers: vec![("location".into(), location.into())],
            body: Vec::new(),
        }
    }

    /// A web page.
    pub fn html(page: &str) -> Answer {
        Answer {
            status: 200,
            headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
            body: page.as_bytes().to_vec(),
        }
    }

    /// The HTTP response.
    pub fn response(&self) -> axum::response::Response {
        use axum::response::IntoResponse;
        let mut r = (
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK),
            self.body.clone(),
        )
            .into_response();
        for (k, v) in &self.headers {
            if let (Ok(k), Ok(v)) = (
                axum::http::HeaderName::from_bytes(k.as_bytes()),
                axum::http::HeaderValue::from_str(v),
            ) {
                r.headers_mut().insert(k, v);
            }
        }
        r
    }
}

/// A request the fake server received.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

#[derive(Default)]
struct State {
    keys: HashMap<String, Arc<RsaKeypair>>,
    /// Ids of actors served elsewhere than `/users/NAME`.
    ids: HashMap<String, String>,
    answers: HashMap<String, Answer>,
    /// Path → (answer for browsers, answer for an ActivityPub `Accept`).
    negotiated: HashMap<String, (Answer, Answer)>,
    received: Vec<Received>,
    inbox_status: u16,
}

/// The fake server.
pub struct FakeRemote {
    /// Its host with port (`localhost:PORT`, or `127.0.0.1:PORT`).
    pub domain: String,
    state: Arc<Mutex<State>>,
    _task: tokio::task::JoinHandle<()>,
}

impl FakeRemote {
    /// Starts a server known as `localhost:PORT`.
    pub async fn start() -> FakeRemote {
        Self::start_as(|port| format!("localhost:{port}")).await
    }

    /// Starts a server whose host is `name(port)` (it listens on
    /// 127.0.0.1 whatever the name).
    pub async fn start_as(name: impl FnOnce(u16) -> String) -> FakeRemote {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let domain = name(listener.local_addr().expect("addr").port());
        let state = Arc::new(Mutex::new(State {
            inbox_status: 202,
            ..State::default()
        }));
        let shared = state.clone();
        let host = domain.clone();
        let app = axum::Router::new().fallback(
            move |method: axum::http::Method,
                  uri: axum::http::Uri,
                  headers: axum::http::HeaderMap,
                  body: axum::body::Bytes| {
                let state = shared.clone();
                let host = host.clone();
                async move { answer(&state, &host, method, uri, headers, body) }
            },
        );
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeRemote {
            domain,
            state,
            _task: task,
        }
    }

    /// `http://DOMAIN{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.domain)
    }

    /// The id of actor `name`: `/users/NAME`, or where
    /// [`Self::add_actor_at`] put it.
    pub fn actor(&self, name: &str) -> String {
        self.state
            .lock()
            .ok()
            .and_then(|s| s.ids.get(name).cloned())
            .unwrap_or_else(|| self.url(&format!("/users/{name}")))
    }

    /// Adds actor `name` (a new key), served at `/users/NAME` and named by
    /// WebFinger; returns its id.
    pub fn add_actor(&self, name: &str) -> String {
        let key = Arc::new(RsaKeypair::generate().expect("key"));
        if let Ok(mut s) = self.state.lock() {
            s.keys.insert(name.to_string(), key);
        }
        self.actor(name)
    }

    /// Adds actor `name` (a new key) served at `path` (as Lemmy serves a
    /// community at `/c/NAME` and a person at `/u/NAME`) and named by
    /// WebFinger; its document is `document(id, public key PEM)`. Returns
    /// its id.
    pub fn add_actor_at(
        &self,
        name: &str,
        path: &str,
        document: impl FnOnce(&str, &str) -> Value,
    ) -> String {
        let key = Arc::new(RsaKeypair::generate().expect("key"));
        let id = self.url(path);
        let doc = document(&id, &key.public_pem().expect("pem"));
        if let Ok(mut s) = self.state.lock() {
            s.keys.insert(name.to_string(), key);
            s.ids.insert(name.to_string(), id.clone());
            s.answers.insert(path.to_string(), Answer::json(&doc));
        }
        id
    }

    /// The activities POSTed to the server so far (to any inbox), read
    /// as JSON.
    pub fn delivered(&self) -> Vec<Value> {
        self.received()
            .into_iter()
            .filter(|r| r.method == "POST")
            .filter_map(|r| serde_json::from_slice(&r.body).ok())
            .collect()
    }

    /// Answers `path` (without query) with `answer` from now on.
    pub fn serve(&self, path: &str, answer: Answer) {
        if let Ok(mut s) = self.state.lock() {
            s.answers.insert(path.to_string(), answer);
        }
    }

    /// Answers `path` by content negotiation, as Mastodon's profile and
    /// post pages do: `activity` to a request whose `Accept` names an
    /// ActivityPub type (`application/activity+json`, `application/ld+json`),
    /// `browser` to any other.
    pub fn serve_negotiated(&self, path: &str, browser: Answer, activity: Answer) {
        if let Ok(mut s) = self.state.lock() {
            s.negotiated.insert(path.to_string(), (browser, activity));
        }
    }

    /// The key of actor `name` (added with [`Self::add_actor`]).
    pub fn key(&self, name: &str) -> Arc<RsaKeypair> {
        self.state
            .lock()
            .ok()
            .and_then(|s| s.keys.get(name).cloned())
            .expect("a known actor")
    }

    /// The key id of actor `name` (`ACTOR#main-key`).
    pub fn key_id(&self, name: &str) -> String {
        format!("{}#main-key", self.actor(name))
    }

    /// The actor document of `name` (added with [`Self::add_actor`]), as
    /// `/users/NAME` serves it.
    pub fn actor_document(&self, name: &str) -> Value {
        actor_doc(&self.domain, name, &self.key(name))
    }

    /// The status the inbox answers deliveries with.
    pub fn set_inbox_status(&self, status: u16) {
        if let Ok(mut s) = self.state.lock() {
            s.inbox_status = status;
        }
    }

    /// Every request received so far.
    pub fn received(&self) -> Vec<Received> {
        self.state
            .lock()
            .map(|s| s.received.clone())
            .unwrap_or_default()
    }

    /// Paths of the GETs received so far.
    pub fn fetched(&self) -> Vec<String> {
        self.received()
            .into_iter()
            .filter(|r| r.method == "GET")
            .map(|r| r.path)
            .collect()
    }

    /// POSTs `activity` to `node`'s shared inbox, signed (draft-cavage,
    /// as Mastodon signs) by actor `name`; the status and body.
    pub async fn send(&self, node: &TestNode, name: &str, activity: &Value) -> (StatusCode, Value) {
        let signer = Signer {
            key: &self.key(name),
            key_id: &self.key_id(name),
            date: SystemTime::now(),
            tampered: false,
        };
        let r = post_to_inbox(node, &activity.to_string().into_bytes(), &signer).await;
        let status = r.status();
        let text = r.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

/// Who signs a request, and how.
pub struct Signer<'a> {
    /// The actor's key.
    pub key: &'a RsaKeypair,
    /// Its id (`ACTOR#main-key`).
    pub key_id: &'a str,
    /// The `Date` signed and sent.
    pub date: SystemTime,
    /// Whether to spoil the signature (flip bits of it).
    pub tampered: bool,
}

/// POSTs `body` to `node`'s shared inbox, signed as Mastodon signs
/// (draft-cavage HTTP Signatures over `(request-target) host date
/// digest`) by `signer`.
pub async fn post_to_inbox(node: &TestNode, body: &[u8], signer: &Signer<'_>) -> reqwest::Response {
    let date = httpdate::fmt_http_date(signer.date);
    let digest = protocol::http_signature::digest_header(body);
    let host = node.domain().to_string();
    let signing =
        format!("(request-target): post /inbox\nhost: {host}\ndate: {date}\ndigest: {digest}");
    let mut sig = signer.key.sign_sha256(signing.as_bytes());
    if signer.tampered {
        sig[10] ^= 0x55;
    }
    let sig = base64::engine::general_purpose::STANDARD.encode(sig);
    let header = format!(
        "keyId=\"{}\",algorithm=\"rsa-sha256\",headers=\"(request-target) host date digest\",signature=\"{sig}\"",
        signer.key_id
    );
    reqwest::Client::new()
        .post(format!("{}/inbox", node.base))
        .header("host", host)
        .header("date", date)
        .header("digest", digest)
        .header("signature", header)
        .header("content-type", "application/activity+json")
        .body(body.to_vec())
        .send()
        .await
        .expect("send")
}

/// The user a WebFinger request asks about: `name` of
/// `?resource=acct:name@host` (empty when there is none).
pub fn webfinger_user(uri: &axum::http::Uri) -> String {
    let resource = reqwest::Url::parse(&format!("http://x{uri}"))
        .ok()
        .and_then(|u| {
            u.query_pairs()
                .find(|(k, _)| k == "resource")
                .map(|(_, v)| v.into_owned())
        })
        .unwrap_or_default();
    resource
        .trim_start_matches("acct:")
        .split('@')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// A WebFinger answer naming `href` as the actor of `acct:name@host`.
pub fn webfinger_answer(name: &str, host: &str, href: &str) -> Answer {
    Answer {
        status: 200,
        headers: vec![("content-type".into(), "application/jrd+json".into())],
        body: json!({
            "subject": format!("acct:{name}@{host}"),
            "links": [{"rel": "self", "type": "application/activity+json", "href": href}],
        })
        .to_string()
        .into_bytes(),
    }
}

fn answer(
    state: &Mutex<State>,
    host: &str,
    method: axum::http::Method,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let Ok(mut s) = state.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let path = uri.path().to_string();
    s.received.push(Received {
        method: method.to_string(),
        path: path.clone(),
        headers: headers
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
            .collect(),
        body: body.to_vec(),
    });
    let reply = Answer::response;
    if let Some(a) = s.answers.get(&path) {
        return reply(a);
    }
    if let Some((browser, activity)) = s.negotiated.get(&path) {
        let accept = headers
            .get("accept")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let wants_activity =
            accept.contains("application/activity+json") || accept.contains("application/ld+json");
        return reply(if wants_activity { activity } else { browser });
    }
    if method == axum::http::Method::POST {
        return reply(&Answer::status(s.inbox_status));
    }
    if let Some(name) = path.strip_prefix("/users/") {
        if let Some(key) = s.keys.get(name) {
            return reply(&Answer::json(&actor_doc(host, name, key)));
        }
    }
    if path == "/.well-known/webfinger" {
        let name = webfinger_user(&uri);
        if s.keys.contains_key(&name) {
            let href = s
                .ids
                .get(&name)
                .cloned()
                .unwrap_or_else(|| format!("http://{host}/users/{name}"));
            return reply(&webfinger_answer(&name, host, &href));
        }
    }
    reply(&Answer::status(404))
}

/// The actor document of `name` on `host`.
fn actor_doc(host: &str, name: &str, key: &RsaKeypair) -> Value {
    let id = format!("http://{host}/users/{name}");
    json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": id,
        "type": "Person",
        "preferredUsername": name,
        "name": format!("{name} of {host}"),
        "url": format!("http://{host}/@{name}"),
        "inbox": format!("{id}/inbox"),
        "followers": format!("{id}/followers"),
        "endpoints": {"sharedInbox": format!("http://{host}/inbox")},
        "publicKey": {"id": format!("{id}#main-key"), "owner": id, "publicKeyPem": key.public_pem().expect("pem")},
    })
}
