//! Federation benchmark. Prints its figures; asserts nothing.
//!
//! ```text
//! cargo run --release --example federation_bench -- [--activities 6000] [--servers 1000]
//!     [--authors 100] [--senders 256] [--engine sled|fjall] [--group]
//! ```
//!
//! 1. Inbox ingest: signed `Create(Note)` activities from `--authors`
//!    remote actors (default 100, one fake server),
//!    each verified (HTTP signature, digest, date), checked, and durably
//!    stored, sent over loopback HTTP by `--senders` concurrent senders
//!    (default 256, one keep-alive connection each, one reqwest client).
//!    The senders' own RSA signatures are made before the timer starts
//!    (they would otherwise take most of the two cores): the timed window
//!    holds the HTTP requests and the node's work only, and the client side
//!    of HTTP shares the machine with the node. Beside it, the costs of
//!    its parts: RSA verification alone, and storing alone.
//! 2. Fan-out: one post by a member followed from `--servers` remote
//!    servers (each on its own loopback port), timed until every server's
//!    shared inbox has received it.
//!
//! With `--group`, the fan-out is a group's instead: an open public group
//! here joined by one remote member on each of the `--servers` servers
//! (each a signed `Follow` of the group to the node's inbox, as a remote
//! member joins), then one post in the group by its owner, timed until
//! every server's shared inbox has received the group's `Announce` of the
//! `Create`, and until it has the group's `Announce` of the bare `Note`
//! too (FEP-1b12; two requests per server). `--activities 0 --group`
//! gives that figure alone.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use base64::Engine;
use identity::{RsaKeypair, RsaVerifyingKey};
use serde_json::json;
use tokio::net::TcpListener;

#[path = "support/bench_config.rs"]
mod bench_config;
#[path = "support/cpu.rs"]
mod cpu;

/// Concurrent senders by default (`--senders`).
const SENDERS: usize = 256;

fn senders() -> usize {
    arg("--senders", SENDERS).max(1)
}

/// The storage engine of the nodes (`--engine`, default the node's).
fn engine() -> node::StoreEngine {
    let argv: Vec<String> = std::env::args().collect();
    argv.iter()
        .position(|a| a == "--engine")
        .and_then(|i| argv.get(i + 1))
        .and_then(|name| {
            node::StoreEngine::ALL
                .into_iter()
                .find(|e| e.name() == name)
        })
        .unwrap_or_default()
}

/// Whether the flag `name` was given.
fn flag(name: &str) -> bool {
    std::env::args().any(|a| a == name)
}

fn arg(name: &str, default: usize) -> usize {
    let argv: Vec<String> = std::env::args().collect();
    argv.iter()
        .position(|a| a == name)
        .and_then(|i| argv.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    kodeon::install_tls_provider();
    println!("storage engine: {}", engine().name());
    let activities = arg("--activities", 6000);
    let servers = arg("--servers", 1000);
    let group = flag("--group");
    if activities > 0 {
        ingest(activities).await?;
    }
    fanout(servers, group).await
}

/// A node served in this process on `localhost:PORT`.
struct Served {
    base: String,
    domain: String,
    _dir: tempfile::TempDir,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn start_node() -> anyhow::Result<Served> {
    let dir = tempfile::tempdir()?;
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let mut config = bench_config::bench_config(dir.path().to_path_buf(), port);
    config.storage.engine = Some(engine());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(kodeon::run(config, listener, async {
        let _ = stopped.await;
    }));
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    for _ in 0..500 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(Served {
        base,
        domain: format!("localhost:{port}"),
        _dir: dir,
        _stop: stop,
    })
}

/// What a fake server's inboxes have received, by kind (read from
/// the body's text: the activities the node sends are compact JSON).
#[derive(Default)]
struct Received {
    /// A `Create` not announced (a member's own post).
    creates: AtomicUsize,
    /// A group's `Announce` of a `Create`.
    announced_creates: AtomicUsize,
    /// A group's `Announce` of anything else (the bare `Note` of a thread).
    announced_objects: AtomicUsize,
    /// An `Accept` (of a `Follow`).
    accepts: AtomicUsize,
}

impl Received {
    /// Counts one request body.
    fn count(&self, body: &[u8]) {
        let has = |word: &[u8]| body.windows(word.len()).any(|w| w == word);
        let counter = match (has(b"\"Announce\""), has(b"\"Create\"")) {
            (true, true) => &self.announced_creates,
            (true, false) => &self.announced_objects,
            (false, true) => &self.creates,
            (false, false) if has(b"\"Accept\"") => &self.accepts,
            (false, false) => return,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Requests received of one kind (`kind` picks the counter).
    fn get(&self, kind: fn(&Self) -> &AtomicUsize) -> usize {
        kind(self).load(Ordering::Relaxed)
    }
}

/// How many of `servers` have received at least one request of `kind`.
fn servers_with(servers: &[Arc<Received>], kind: fn(&Received) -> &AtomicUsize) -> usize {
    servers.iter().filter(|r| r.get(kind) > 0).count()
}

/// A fake remote server: its actors (`/users/NAME`, all with `key`), and
/// inboxes (the shared one and each actor's) that count what they receive.
async fn fake_server(key_pem: Arc<String>, received: Arc<Received>) -> anyhow::Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let domain = format!("localhost:{}", listener.local_addr()?.port());
    let domain_for_docs = domain.clone();
    let actor_doc = move |name: &str| {
        let id = format!("http://{domain_for_docs}/users/{name}");
        json!({
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": id, "type": "Person", "preferredUsername": name,
            "inbox": format!("{id}/inbox"),
            "endpoints": {"sharedInbox": format!("http://{domain_for_docs}/inbox")},
            "publicKey": {"id": format!("{id}#main-key"), "owner": id, "publicKeyPem": *key_pem},
        })
        .to_string()
    };
    let inbox = axum::routing::post(move |body: axum::body::Bytes| {
        let received = received.clone();
        async move {
            received.count(&body);
            axum::http::StatusCode::ACCEPTED
        }
    });
    let app = axum::Router::new()
        .route(
            "/users/{name}",
            axum::routing::get(
                move |axum::extract::Path(name): axum::extract::Path<String>| {
                    let doc = actor_doc(&name);
                    async move { ([("content-type", "application/activity+json")], doc) }
                },
            ),
        )
        .route("/inbox", inbox.clone())
        .route("/users/{name}/inbox", inbox);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(domain)
}

/// A signed request, ready to send.
struct Signed {
    body: Vec<u8>,
    headers: Vec<(&'static str, String)>,
}

fn sign(key: &RsaKeypair, key_id: &str, host: &str, body: Vec<u8>) -> Signed {
    let date = httpdate::fmt_http_date(SystemTime::now());
    let digest = protocol::http_signature::digest_header(&body);
    let signing =
        format!("(request-target): post /inbox\nhost: {host}\ndate: {date}\ndigest: {digest}");
    let sig = base64::engine::general_purpose::STANDARD.encode(key.sign_sha256(signing.as_bytes()));
    Signed {
        body,
        headers: vec![
            ("host", host.to_string()),
            ("date", date),
            ("digest", digest),
            ("content-type", "application/activity+json".into()),
            (
                "signature",
                format!("keyId=\"{key_id}\",algorithm=\"rsa-sha256\",headers=\"(request-target) host date digest\",signature=\"{sig}\""),
            ),
        ],
    }
}

/// Signs `bodies` on every core.
fn sign_all(key: &RsaKeypair, key_ids: &[String], host: &str, bodies: Vec<Vec<u8>>) -> Vec<Signed> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let chunk = bodies.len().div_ceil(threads).max(1);
    let indexed: Vec<(usize, Vec<u8>)> = bodies.into_iter().enumerate().collect();
    let mut out: Vec<(usize, Signed)> = std::thread::scope(|s| {
        let handles: Vec<_> = indexed
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|(i, b)| {
                            (*i, sign(key, &key_ids[*i % key_ids.len()], host, b.clone()))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, s)| s).collect()
}

/// Sends every request with [`senders`] concurrent senders; returns the
/// number answered 202 and the elapsed time.
async fn send_all(base: &str, requests: Vec<Signed>) -> (usize, Duration) {
    let client = reqwest::Client::new();
    let queue = Arc::new(std::sync::Mutex::new(requests));
    let accepted = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..senders() {
        let (client, queue, accepted) = (client.clone(), queue.clone(), accepted.clone());
        let url = format!("{base}/inbox");
        tasks.push(tokio::spawn(async move {
            while let Some(req) = queue.lock().ok().and_then(|mut q| q.pop()) {
                let mut builder = client.post(&url).body(req.body);
                for (k, v) in req.headers {
                    builder = builder.header(k, v);
                }
                if let Ok(r) = builder.send().await {
                    if r.status() == reqwest::StatusCode::ACCEPTED {
                        accepted.fetch_add(1, Ordering::Relaxed);
                    } else if accepted.load(Ordering::Relaxed) == 0 {
                        eprintln!(
                            "refused: {} {}",
                            r.status(),
                            r.text().await.unwrap_or_default()
                        );
                    }
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    (accepted.load(Ordering::Relaxed), started.elapsed())
}

fn create_note(actor: &str, n: usize) -> Vec<u8> {
    let id = format!("{actor}/statuses/{n}");
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{id}/activity"), "type": "Create", "actor": actor,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": {
            "id": id, "type": "Note", "attributedTo": actor,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "content": format!("<p>Benchmark note number {n} with a <a href=\"https://example.org\">link</a> #bench</p>"),
            "published": "2026-11-01T00:00:00Z",
            "tag": [{"type": "Hashtag", "name": "#bench", "href": "https://example.org/tags/bench"}],
        },
    })
    .to_string()
    .into_bytes()
}

async fn ingest(n: usize) -> anyhow::Result<()> {
    println!(
        "== inbox ingest: {n} signed Create(Note) activities, {} senders ==",
        senders()
    );
    let node = start_node().await?;
    let key = RsaKeypair::generate()?;
    let pem = Arc::new(key.public_pem()?);
    let fake = fake_server(pem.clone(), Arc::new(Received::default())).await?;
    let authors = arg("--authors", 100).max(1);
    let actors: Vec<String> = (0..authors)
        .map(|i| format!("http://{fake}/users/u{i}"))
        .collect();
    let key_ids: Vec<String> = actors.iter().map(|a| format!("{a}#main-key")).collect();

    // The crypto ceiling: RSA-2048 verification alone, one core.
    let verifier = RsaVerifyingKey::from_public_pem(&pem)?;
    let msg = b"(request-target): post /inbox\nhost: x\ndate: y\ndigest: z";
    let sig = key.sign_sha256(msg);
    let started = Instant::now();
    let rounds = 2000;
    for _ in 0..rounds {
        verifier.verify_sha256(msg, &sig)?;
    }
    let per_verify = started.elapsed() / rounds;
    println!(
        "RSA-2048 verification alone: {:.3} ms each = {:.0}/s per core",
        per_verify.as_secs_f64() * 1000.0,
        1.0 / per_verify.as_secs_f64()
    );

    let started = Instant::now();
    let bodies: Vec<Vec<u8>> = (0..n + authors)
        .map(|i| create_note(&actors[i % authors], i))
        .collect();
    let mut signed = sign_all(&key, &key_ids, &node.domain, bodies);
    println!(
        "(signed {} requests in {:.1} s)",
        signed.len(),
        started.elapsed().as_secs_f64()
    );
    // Warm-up: one activity per author, so that its actor is fetched.
    let warm: Vec<Signed> = signed.drain(..authors).collect();
    let (ok, _) = send_all(&node.base, warm).await;
    anyhow::ensure!(ok == authors, "warm-up activities were refused");
    let cpu_before = cpu::process_cpu();
    let (accepted, elapsed) = send_all(&node.base, signed).await;
    let cpu = cpu::process_cpu()
        .zip(cpu_before)
        .map(|(after, before)| after.saturating_sub(before));
    let rate = accepted as f64 / elapsed.as_secs_f64();
    println!(
        "ingest: {accepted}/{n} accepted in {:.2} s = {rate:.0} activities/s (target >= 3,000/s)",
        elapsed.as_secs_f64()
    );
    if let Some(cpu) = cpu.filter(|_| accepted > 0) {
        println!(
            "  CPU used by the process (node and senders) meanwhile: {:.2} s, {:.2} cores on average, {:.0} us per activity",
            cpu.as_secs_f64(),
            cpu.as_secs_f64() / elapsed.as_secs_f64(),
            cpu.as_secs_f64() * 1e6 / accepted as f64
        );
    }
    let crypto_share = per_verify.as_secs_f64() * rate / 2.0;
    println!(
        "verification takes {:.0}% of the two cores at this rate; the crypto ceiling is ~{:.0}/s on two cores",
        crypto_share * 100.0,
        2.0 / per_verify.as_secs_f64()
    );
    store_alone(n, &pem, false).await?;
    store_alone(n, &pem, true).await?;
    let r: serde_json::Value =
        reqwest::get(format!("{}/api/kodeon/v1/members/u0@{fake}", node.base))
            .await?
            .json()
            .await?;
    println!(
        "stored posts of one remote actor (u0): {}",
        r["posts_count"]
    );
    Ok(())
}

/// The storing part alone: `n` remote posts written through
/// `Node::receive_post` (plus the inbox's two bookkeeping writes) by
/// `SENDERS` concurrent tasks, no HTTP and no signatures.
async fn store_alone(n: usize, pem: &str, bookkeeping: bool) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut config = node::NodeConfig::new(dir.path(), "bench.test");
    config.engine = engine();
    let node = Arc::new(node::Node::open(config)?);
    let mut authors = Vec::new();
    for i in 0..100 {
        let id = format!("https://far.example/users/u{i}");
        authors.push(
            node.upsert_remote_actor(node::remote::RemoteActor {
                shared_inbox: Some("https://far.example/inbox".into()),
                public_key_pem: pem.to_string(),
                ..node::remote::RemoteActor::person(&id, &format!("u{i}"))
            })
            .await?,
        );
    }
    let authors = Arc::new(authors);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..SENDERS {
        let (node, authors, next) = (node.clone(), authors.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    return Ok::<_, node::NodeError>(());
                }
                let author = &authors[i % authors.len()];
                let uri = format!("https://far.example/users/u{}/statuses/{i}", i % 100);
                node.receive_post(
                    author,
                    node::remote::RemotePost {
                        tags: vec!["bench".into()],
                        ..node::remote::RemotePost::public(
                            &uri,
                            &format!("<p>Benchmark note number {i} #bench</p>"),
                            node::model::now_ms(),
                        )
                    },
                )
                .await?;
                if bookkeeping {
                    node.mark_activity_seen(&format!("{uri}/activity")).await?;
                    node.note_inbound("far.example").await?;
                }
            }
        }));
    }
    for t in tasks {
        t.await??;
    }
    let elapsed = started.elapsed();
    println!(
        "storing alone (receive_post{}, {SENDERS} tasks, no HTTP): {n} in {:.2} s = {:.0}/s",
        if bookkeeping { " + bookkeeping" } else { "" },
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64()
    );
    Ok(())
}

/// Fan-out of one post to followers on `servers` remote servers: a
/// member's own post, or with `group` a post in a group they joined.
async fn fanout(servers: usize, group: bool) -> anyhow::Result<()> {
    if servers == 0 {
        return Ok(());
    }
    if group {
        println!("== group fan-out: one group post to members on {servers} remote servers ==");
    } else {
        println!("== fan-out: one post to followers on {servers} remote servers ==");
    }
    let node = start_node().await?;
    let client = reqwest::Client::new();
    let r: serde_json::Value = client
        .post(format!("{}/api/kodeon/v1/auth/register", node.base))
        .json(
            &json!({"username": "alice", "email": "alice@example.org", "password": "password123"}),
        )
        .send()
        .await?
        .json()
        .await?;
    let token = r["token"].as_str().unwrap_or_default().to_string();
    // What the remote accounts follow: alice, or the group she owns.
    let followed = if group {
        let r = client
            .post(format!("{}/api/kodeon/v1/groups", node.base))
            .bearer_auth(&token)
            .json(&json!({"name": "fanout", "display_name": "Fan-out",
                          "visibility": "public", "join_mode": "open"}))
            .send()
            .await?;
        anyhow::ensure!(r.status().is_success(), "group refused: {}", r.status());
        format!("http://{}/users/fanout", node.domain)
    } else {
        format!("http://{}/users/alice", node.domain)
    };
    let key = RsaKeypair::generate()?;
    let pem = Arc::new(key.public_pem()?);
    let mut inboxes = Vec::new();
    let mut actors = Vec::new();
    for _ in 0..servers {
        let received = Arc::new(Received::default());
        let domain = fake_server(pem.clone(), received.clone()).await?;
        inboxes.push(received);
        actors.push(format!("http://{domain}/users/u"));
    }
    let key_ids: Vec<String> = actors.iter().map(|a| format!("{a}#main-key")).collect();
    let follows: Vec<Vec<u8>> = actors
        .iter()
        .map(|a| {
            json!({"@context": "https://www.w3.org/ns/activitystreams", "id": format!("{a}#follows/1"),
                   "type": "Follow", "actor": a, "object": followed})
            .to_string()
            .into_bytes()
        })
        .collect();
    let signed = sign_all(&key, &key_ids, &node.domain, follows);
    let (accepted, elapsed) = send_all(&node.base, signed).await;
    println!(
        "{accepted} remote follows accepted in {:.1} s",
        elapsed.as_secs_f64()
    );
    // Let the Accepts (to each follower's own inbox) drain before timing
    // the post.
    let deadline = Instant::now() + Duration::from_secs(60);
    while servers_with(&inboxes, |r| &r.accepts) < accepted && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    if group {
        let r: serde_json::Value = client
            .get(format!("{}/api/kodeon/v1/groups/fanout", node.base))
            .bearer_auth(&token)
            .send()
            .await?
            .json()
            .await?;
        println!(
            "the group counts {} members ({} Accepts received)",
            r["members_count"],
            servers_with(&inboxes, |r| &r.accepts)
        );
    }
    let body = if group {
        json!({"content": "Hello, group", "group": "fanout"})
    } else {
        json!({"content": "Hello, fediverse"})
    };
    let cpu_before = cpu::process_cpu();
    let started = Instant::now();
    let r = client
        .post(format!("{}/api/kodeon/v1/posts", node.base))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await?;
    anyhow::ensure!(r.status().is_success(), "post refused: {}", r.status());
    let posted = started.elapsed();
    if !group {
        let deadline = Instant::now() + Duration::from_secs(120);
        while servers_with(&inboxes, |r| &r.creates) < accepted && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        println!(
            "fan-out: {}/{accepted} servers received the post {:.2} s after it was accepted (target <= 10 s)",
            servers_with(&inboxes, |r| &r.creates),
            started.elapsed().as_secs_f64()
        );
        return Ok(());
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    let (mut announced, mut both) = (None, None);
    while both.is_none() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
        let creates = servers_with(&inboxes, |r| &r.announced_creates);
        if announced.is_none() && creates >= accepted {
            announced = Some(started.elapsed());
        }
        if creates >= accepted && servers_with(&inboxes, |r| &r.announced_objects) >= accepted {
            both = Some(started.elapsed());
        }
    }
    let cpu = cpu::process_cpu()
        .zip(cpu_before)
        .map(|(after, before)| after.saturating_sub(before));
    let total = |kind: fn(&Received) -> &AtomicUsize| -> usize {
        inboxes.iter().map(|r| r.get(kind)).sum()
    };
    let secs = |d: Option<Duration>| {
        d.map_or_else(
            || "not within 120 s".to_string(),
            |d| format!("{:.2} s", d.as_secs_f64()),
        )
    };
    println!(
        "group fan-out: {}/{accepted} servers received the group's Announce of the Create {} after the post was accepted (target <= 10 s; the post took {:.0} ms)",
        servers_with(&inboxes, |r| &r.announced_creates),
        secs(announced),
        posted.as_secs_f64() * 1000.0
    );
    println!(
        "  and its Announce of the Note too: {}/{accepted} servers, {}; {} requests in all ({} + {}), {} plain Creates",
        servers_with(&inboxes, |r| &r.announced_objects),
        secs(both),
        total(|r| &r.announced_creates) + total(|r| &r.announced_objects),
        total(|r| &r.announced_creates),
        total(|r| &r.announced_objects),
        total(|r| &r.creates)
    );
    if let (Some(cpu), Some(both)) = (cpu, both) {
        println!(
            "  CPU used by the process (node and fake servers) meanwhile: {:.2} s, {:.2} cores on average",
            cpu.as_secs_f64(),
            cpu.as_secs_f64() / both.as_secs_f64()
        );
    }
    Ok(())
}
