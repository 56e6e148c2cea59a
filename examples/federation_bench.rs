//! Federation benchmark. Prints its figures; asserts nothing.
//!
//! ```text
//! cargo run --release --example federation_bench -- [--activities 6000] [--servers 1000]
//!     [--authors 100] [--senders 256] [--engine sled|fjall]
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
    if activities == 0 {
        return fanout(arg("--servers", 1000)).await;
    }
    let servers = arg("--servers", 1000);
    ingest(activities).await?;
    fanout(servers).await?;
    Ok(())
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

/// A fake remote server: one actor (`/users/u`) with `key`, and a shared
/// inbox that counts what it receives.
async fn fake_server(key_pem: Arc<String>, received: Arc<AtomicUsize>) -> anyhow::Result<String> {
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
        .route(
            "/inbox",
            axum::routing::post(move |body: axum::body::Bytes| {
                let received = received.clone();
                async move {
                    if body.windows(8).any(|w| w == b"\"Create\"") {
                        received.fetch_add(1, Ordering::Relaxed);
                    }
                    axum::http::StatusCode::ACCEPTED
                }
            }),
        );
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
    let fake = fake_server(pem.clone(), Arc::new(AtomicUsize::new(0))).await?;
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

async fn fanout(servers: usize) -> anyhow::Result<()> {
    if servers == 0 {
        return Ok(());
    }
    println!("== fan-out: one post to followers on {servers} remote servers ==");
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
    let key = RsaKeypair::generate()?;
    let pem = Arc::new(key.public_pem()?);
    let received = Arc::new(AtomicUsize::new(0));
    let mut actors = Vec::new();
    for _ in 0..servers {
        let domain = fake_server(pem.clone(), received.clone()).await?;
        actors.push(format!("http://{domain}/users/u"));
    }
    let alice = format!("http://{}/users/alice", node.domain);
    let key_ids: Vec<String> = actors.iter().map(|a| format!("{a}#main-key")).collect();
    let follows: Vec<Vec<u8>> = actors
        .iter()
        .map(|a| {
            json!({"@context": "https://www.w3.org/ns/activitystreams", "id": format!("{a}#follows/1"),
                   "type": "Follow", "actor": a, "object": alice})
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
    // Let the Accepts drain before timing the post.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let started = Instant::now();
    let r = client
        .post(format!("{}/api/kodeon/v1/posts", node.base))
        .bearer_auth(&token)
        .json(&json!({"content": "Hello, fediverse"}))
        .send()
        .await?;
    anyhow::ensure!(r.status().is_success(), "post refused: {}", r.status());
    let deadline = Instant::now() + Duration::from_secs(120);
    while received.load(Ordering::Relaxed) < accepted && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    println!(
        "fan-out: {}/{accepted} servers received the post {:.2} s after it was accepted (target <= 10 s)",
        received.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
