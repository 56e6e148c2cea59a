//! Kodeon's performance benchmark. Prints its figures; asserts nothing.
//!
//! ```text
//! cargo build --release && cargo run --release --example bench -- [--posts 1000000] [--authors 1000]
//!     [--data-dir DIR] [--engine sled|fjall] [--feed-only | --throughput-only | --startup-only]
//!     [--crash-posts N]
//! ```
//!
//! 1. Start-up to ready on an empty store, and idle resident memory, of the
//!    release binary (`target/release/kodeon serve`); with `--data-dir` of
//!    a store seeded before, the same on that store (and the memory after
//!    reading from it), and the bytes it takes per post.
//! 2. Home-feed page latency (40 posts, over HTTP, keep-alive) for a member
//!    following `--authors` accounts with `--posts` posts stored.
//! 3. Durable post creation throughput over HTTP, each author having 100
//!    followers (every post fans out to 101 home feeds).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use node::members::NewMember;
use node::model::Role;
use node::posts::NewPost;
use node::{Node, NodeConfig, Viewer};
use tokio::net::TcpListener;

#[path = "support/serve.rs"]
mod serve;

struct Args {
    /// Seed into (or reuse) this directory instead of a temporary one.
    data_dir: Option<std::path::PathBuf>,
    /// Run only the home-feed part.
    feed_only: bool,
    /// Run only the start-up and memory part.
    startup_only: bool,
    /// The storage engine.
    engine: node::StoreEngine,
    posts: usize,
    authors: usize,
    feed_requests: usize,
    throughput_posts: usize,
    /// Posts written just before the crash of the start-up figures.
    crash_posts: usize,
}

fn args() -> Args {
    let mut a = Args {
        data_dir: None,
        feed_only: false,
        startup_only: false,
        engine: node::StoreEngine::default(),
        posts: 1_000_000,
        authors: 1_000,
        feed_requests: 2_000,
        throughput_posts: 20_000,
        crash_posts: 500,
    };
    let argv: Vec<String> = std::env::args().collect();
    a.feed_only = argv.iter().any(|x| x == "--feed-only");
    a.startup_only = argv.iter().any(|x| x == "--startup-only");
    let argv: Vec<String> = argv
        .into_iter()
        .filter(|x| {
            x != "--feed-only"
                && x != "--envelopes-only"
                && x != "--throughput-only"
                && x != "--startup-only"
        })
        .collect();
    let mut i = 1;
    while i + 1 < argv.len() {
        if argv[i] == "--data-dir" {
            a.data_dir = Some(argv[i + 1].clone().into());
            i += 2;
            continue;
        }
        if argv[i] == "--engine" {
            a.engine = node::StoreEngine::ALL
                .into_iter()
                .find(|e| e.name() == argv[i + 1])
                .unwrap_or_default();
            i += 2;
            continue;
        }
        let n: usize = argv[i + 1].parse().unwrap_or(0);
        match argv[i].as_str() {
            "--posts" => a.posts = n,
            "--authors" => a.authors = n,
            "--feed-requests" => a.feed_requests = n,
            "--throughput-posts" => a.throughput_posts = n,
            "--crash-posts" => a.crash_posts = n,
            _ => {}
        }
        i += 2;
    }
    a
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    kodeon::install_tls_provider();
    let a = args();
    println!("storage engine: {}", a.engine.name());
    if std::env::args().any(|x| x == "--envelopes-only") {
        return envelope_rate();
    }
    if std::env::args().any(|x| x == "--throughput-only") {
        return post_throughput(&a).await;
    }
    if !a.feed_only {
        let empty = tempfile::tempdir()?;
        startup_and_memory(
            &a,
            empty.path(),
            "empty store, first start incl. key generation",
            false,
        )
        .await?;
        if let Some(dir) = a.data_dir.as_ref().filter(|d| d.join("seeded").exists()) {
            startup_and_memory(&a, dir, "store seeded before", true).await?;
            store_bytes(&a, dir)?;
        }
        if a.startup_only {
            return Ok(());
        }
        envelope_rate()?;
    }
    home_feed(&a).await?;
    if !a.feed_only {
        post_throughput(&a).await?;
        streaming_latency(&a).await?;
    }
    Ok(())
}

/// A release binary serving a data directory, for the start-up figures.
struct Served {
    child: std::process::Child,
    base: String,
    /// Time from spawning to a healthy `/healthz`.
    ready: Duration,
}

/// Starts the release binary on the data dir `dir` and waits for a
/// healthy `/healthz`; `None` when it is not built or exits early.
async fn start_release_node(a: &Args, dir: &Path) -> anyhow::Result<Option<Served>> {
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/kodeon");
    if !bin.exists() {
        println!("startup: skipped (build it first: cargo build --release)");
        return Ok(None);
    }
    let port = TcpListener::bind("127.0.0.1:0").await?.local_addr()?.port();
    let started = Instant::now();
    let mut child = std::process::Command::new(&bin)
        .args(["serve", "--data-dir"])
        .arg(dir)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .env("KODEON_STORAGE__ENGINE", a.engine.name())
        // The crash figure writes 500 posts as one member.
        .env("KODEON_RATE_LIMITS__POSTS_PER_MINUTE_PER_ACCOUNT", "0")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let client = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/healthz");
    loop {
        if let Ok(r) = client.get(&url).send().await {
            if r.status().is_success() {
                break;
            }
        }
        if let Some(status) = child.try_wait()? {
            println!("startup: the node exited early ({status}); skipped");
            return Ok(None);
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            anyhow::bail!("node did not become ready within 60 s");
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    Ok(Some(Served {
        child,
        base: format!("http://127.0.0.1:{port}"),
        ready: started.elapsed(),
    }))
}

impl Drop for Served {
    /// A node left running (the benchmark failed) is killed, not orphaned.
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Served {
    /// Stops the node as an operator does (SIGTERM: it flushes and closes
    /// its store) and returns how long that took.
    fn stop(mut self) -> anyhow::Result<Duration> {
        let started = Instant::now();
        let pid = libc::pid_t::try_from(self.child.id())?;
        // SAFETY: kill(2) on our own child's pid, which it still is: the
        // child has not been waited for.
        if unsafe { libc::kill(pid, libc::SIGTERM) } != 0 {
            anyhow::bail!("SIGTERM: {}", std::io::Error::last_os_error());
        }
        let status = self.child.wait()?;
        anyhow::ensure!(status.success(), "the node stopped with {status}");
        Ok(started.elapsed())
    }

    /// Kills the node (SIGKILL), as a crash or power cut would end it.
    fn crash(mut self) -> anyhow::Result<()> {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }
}

/// Start-up to ready, idle resident memory after five seconds, and
/// resident memory after reading public timelines and profiles for a
/// while, of the release binary on the data dir `dir`. On a seeded store
/// (`restarts`), also start-up after a clean stop (SIGTERM) and after a
/// crash (SIGKILL).
async fn startup_and_memory(
    a: &Args,
    dir: &Path,
    what: &str,
    restarts: bool,
) -> anyhow::Result<()> {
    // A writer for the crash below, made before the first start.
    let crash_token = if restarts {
        Some(writer_token(a, dir).await?)
    } else {
        None
    };
    let Some(served) = start_release_node(a, dir).await? else {
        return Ok(());
    };
    tokio::time::sleep(Duration::from_secs(5)).await;
    let idle_kb = rss_kb(served.child.id())?;
    // Reading: the public timeline, paged 200 times, and authors' profiles.
    let client = reqwest::Client::new();
    let base = served.base.clone();
    let mut read = 0usize;
    let mut max_id: Option<String> = None;
    for i in 0..200 {
        let mut url = format!("{base}/api/v1/timelines/public?local=true&limit=40");
        if let Some(id) = &max_id {
            url.push_str(&format!("&max_id={id}"));
        }
        let page: serde_json::Value = client.get(&url).send().await?.json().await?;
        let items = page.as_array().cloned().unwrap_or_default();
        read += items.len();
        max_id = items
            .last()
            .and_then(|p| p["id"].as_str())
            .map(str::to_owned);
        let _ = client
            .get(format!("{base}/api/v1/accounts/lookup?acct=author{i}"))
            .send()
            .await?;
        if max_id.is_none() {
            break;
        }
    }
    let read_kb = rss_kb(served.child.id())?;
    let ready = served.ready;
    let stopped = served.stop()?;
    println!(
        "startup to ready ({what}): {:.0} ms  [target <= 1000 ms]",
        ready.as_secs_f64() * 1000.0
    );
    println!(
        "idle resident memory ({what}): {:.1} MB, after reading {read} posts {:.1} MB  [target <= 150 MB]",
        idle_kb as f64 / 1024.0,
        read_kb as f64 / 1024.0
    );
    println!(
        "clean stop (SIGTERM, store flushed and closed): {:.0} ms",
        stopped.as_secs_f64() * 1000.0
    );
    let Some(token) = crash_token else {
        return Ok(());
    };
    let Some(served) = start_release_node(a, dir).await? else {
        return Ok(());
    };
    println!(
        "startup to ready ({what}, after a clean stop): {:.0} ms  [target <= 1000 ms]",
        served.ready.as_secs_f64() * 1000.0
    );
    // Writes that are in the journal only when the node dies, 16 at a time.
    let started = Instant::now();
    let mut writers = tokio::task::JoinSet::new();
    for w in 0..16 {
        let (client, token, url) = (
            client.clone(),
            token.clone(),
            format!("{}/api/kodeon/v1/posts", served.base),
        );
        let n = a.crash_posts / 16 + usize::from(w < a.crash_posts % 16);
        writers.spawn(async move {
            for i in 0..n {
                let body =
                    serde_json::json!({"content": format!("written before a crash {w}-{i}")});
                let r = client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await?;
                anyhow::ensure!(r.status() == 201, "post failed: {}", r.status());
            }
            Ok(())
        });
    }
    while let Some(done) = writers.join_next().await {
        done??;
    }
    let journal = journal_bytes(dir, a.engine);
    eprintln!(
        "({} posts written in {:.1} s before the crash; journal {:.1} MB)",
        a.crash_posts,
        started.elapsed().as_secs_f64(),
        journal as f64 / 1e6
    );
    served.crash()?;
    let Some(served) = start_release_node(a, dir).await? else {
        return Ok(());
    };
    println!(
        "startup to ready ({what}, after a crash with {} posts in the journal, {:.1} MB): {:.0} ms",
        a.crash_posts,
        journal as f64 / 1e6,
        served.ready.as_secs_f64() * 1000.0
    );
    served.stop()?;
    Ok(())
}

/// A token of the member `crashtest` of the (stopped) store in `dir`,
/// registered on first use.
async fn writer_token(a: &Args, dir: &Path) -> anyhow::Result<String> {
    let node = open_node(a, dir)?;
    let member = match node.profile(&Viewer::Anonymous, "crashtest") {
        Ok(profile) => profile.id,
        Err(_) => register(&node, "crashtest")
            .await?
            .id()
            .ok_or_else(|| anyhow::anyhow!("no id"))?,
    };
    let token = node.issue_token(member, "bench").await?.token;
    node.flush()?;
    drop(node);
    Ok(token)
}

/// Bytes in fjall's journal files (`NNN.jnl`), 0 for sled.
fn journal_bytes(dir: &Path, engine: node::StoreEngine) -> u64 {
    std::fs::read_dir(dir.join(engine.dir_name()))
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".jnl"))
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}

/// VmRSS of process `pid`, in KiB.
fn rss_kb(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    Ok(status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

/// The store's size on disk (blocks allocated, as `du` counts them) per
/// post stored.
fn store_bytes(a: &Args, dir: &Path) -> anyhow::Result<()> {
    let bytes = serve::allocated(&dir.join(a.engine.dir_name()))?;
    let node = open_node(a, dir)?;
    let posts = node.stats()?.posts.max(1) as u64;
    println!(
        "store on disk: {:.0} MB for {posts} posts = {:.0} bytes per post  [target <= 2048]",
        bytes as f64 / 1e6,
        bytes as f64 / posts as f64
    );
    Ok(())
}

fn open_node(a: &Args, dir: &Path) -> anyhow::Result<Arc<Node>> {
    let mut config = NodeConfig::new(dir, "bench.test");
    config.engine = a.engine;
    config.cache_capacity_bytes = 256 * 1024 * 1024;
    Ok(Arc::new(Node::open(config)?))
}

async fn register(node: &Node, name: &str) -> anyhow::Result<Viewer> {
    let m = node
        .create_member(
            NewMember {
                username: name.into(),
                email: format!("{name}@bench.test"),
                password: "benchmark-password".into(),
                full_name: String::new(),
                ..NewMember::default()
            },
            Role::Member,
        )
        .await?;
    Ok(Viewer::Member(Box::new(m)))
}

/// Registers `n` members named `{prefix}{i}`, a few at a time.
async fn register_many(node: &Arc<Node>, prefix: &str, n: usize) -> anyhow::Result<Vec<Viewer>> {
    let mut out = Vec::with_capacity(n);
    for chunk in (0..n).collect::<Vec<_>>().chunks(8) {
        let tasks: Vec<_> = chunk
            .iter()
            .map(|i| {
                let (node, name) = (node.clone(), format!("{prefix}{i}"));
                tokio::spawn(async move { register(&node, &name).await })
            })
            .collect();
        for t in tasks {
            out.push(t.await??);
        }
    }
    Ok(out)
}

async fn serve(node: Arc<Node>) -> anyhow::Result<String> {
    let mut settings = web::WebSettings::default();
    settings.rate_limits.posts_per_minute_per_account = 0;
    serve::serve_router(web::router(node, settings)).await
}

/// Home-feed latency with `authors` followed accounts and `posts` posts.
async fn home_feed(a: &Args) -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let dir = a
        .data_dir
        .clone()
        .unwrap_or_else(|| tmp.path().to_path_buf());
    let node = open_node(a, &dir)?;
    if dir.join("seeded").exists() {
        let reader = node.profile(&Viewer::Anonymous, "reader")?.id;
        let seeded = node.stats()?.posts as usize;
        println!("seed: reusing {} ({seeded} posts)", dir.display());
        return measure_home(a, node, reader, seeded).await;
    }
    let t = Instant::now();
    let reader = register(&node, "reader").await?;
    let authors = register_many(&node, "author", a.authors).await?;
    for author in &authors {
        let name = &author.member()?.username;
        node.follow(&reader, name).await?;
    }
    println!(
        "seed: {} authors registered and followed in {:.1} s",
        a.authors,
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let workers = 64;
    let per_worker = a.posts / workers;
    let authors = Arc::new(authors);
    let tasks: Vec<_> = (0..workers)
        .map(|w| {
            let (node, authors) = (node.clone(), authors.clone());
            tokio::spawn(async move {
                for i in 0..per_worker {
                    let author = &authors[(w * per_worker + i) % authors.len()];
                    let content = format!("Post {i} from worker {w} about #rust and **Kodeon**: a short paragraph of text.");
                    node.create_post(author, NewPost { content, ..NewPost::default() }).await?;
                }
                Ok::<_, anyhow::Error>(())
            })
        })
        .collect();
    for task in tasks {
        task.await??;
    }
    let seeded = per_worker * workers;
    println!(
        "seed: {seeded} posts in {:.1} s ({:.0} posts/s in-process), store {:.0} MB",
        t.elapsed().as_secs_f64(),
        seeded as f64 / t.elapsed().as_secs_f64(),
        node.stats()?.storage_bytes as f64 / 1e6
    );

    std::fs::write(dir.join("seeded"), b"")?;
    let reader = reader.id().ok_or_else(|| anyhow::anyhow!("no id"))?;
    measure_home(a, node, reader, seeded).await
}

/// Times `GET /feeds/home?limit=40` for `reader` over HTTP.
async fn measure_home(
    a: &Args,
    node: Arc<Node>,
    reader: node::Id,
    seeded: usize,
) -> anyhow::Result<()> {
    let token = node.issue_token(reader, "bench").await?.token;
    let base = serve(node.clone()).await?;
    for (label, path, target) in [
        (
            "home feed over HTTP (Kodeon API",
            "/api/kodeon/v1/feeds/home?limit=40",
            5.0,
        ),
        (
            "home timeline over HTTP (Mastodon API, full entities",
            "/api/v1/timelines/home?limit=40",
            10.0,
        ),
    ] {
        let latencies =
            time_requests(a, &format!("{base}{path}"), Auth::Bearer(&token), seeded).await?;
        println!(
            "{label}, 40 posts, {} followed, {seeded} posts stored, {} requests): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms  [target p99 <= {target} ms]",
            a.authors,
            latencies.len(),
            percentile(&latencies, 0.50).as_secs_f64() * 1000.0,
            percentile(&latencies, 0.99).as_secs_f64() * 1000.0,
            percentile(&latencies, 1.0).as_secs_f64() * 1000.0,
        );
    }
    // The members' web app's home page, signed in with its session cookie.
    let reader_name = node.username_by_id(reader)?;
    let (session, _) = node
        .login_to_member_app(&reader_name, "benchmark-password")
        .await?;
    let cookie = format!("{}={}", web::app::SESSION_COOKIE, session.token);
    let url = format!("{base}/home");
    let latencies = time_requests(a, &url, Auth::Cookie(&cookie), seeded).await?;
    let page = reqwest::Client::new()
        .get(&url)
        .header(reqwest::header::COOKIE, &cookie)
        .send()
        .await?
        .bytes()
        .await?;
    println!(
        "members' web app home page over HTTP (HTML, 40 posts, {} followed, {seeded} posts stored, {} requests): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms  [target p99 <= 10 ms]; page weight {:.1} kB of HTML, the only other request /app.js {:.1} kB (cached a day), no images in these posts  [target <= 100 kB]",
        a.authors,
        latencies.len(),
        percentile(&latencies, 0.50).as_secs_f64() * 1000.0,
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0,
        percentile(&latencies, 1.0).as_secs_f64() * 1000.0,
        page.len() as f64 / 1000.0,
        web::app::SCRIPT.len() as f64 / 1000.0,
    );
    Ok(())
}

/// How a timed request authenticates.
#[derive(Clone, Copy)]
enum Auth<'a> {
    /// An API token (the answer is JSON: its items are counted).
    Bearer(&'a str),
    /// The members' web app's session cookie (the answer is a page: its
    /// post cards are counted).
    Cookie(&'a str),
}

/// Sequential keep-alive GETs of `url`; the first 100 warm up.
async fn time_requests(
    a: &Args,
    url: &str,
    auth: Auth<'_>,
    seeded: usize,
) -> anyhow::Result<Vec<Duration>> {
    let client = reqwest::Client::new();
    let mut latencies = Vec::with_capacity(a.feed_requests);
    for i in 0..a.feed_requests + 100 {
        let started = Instant::now();
        let request = match auth {
            Auth::Bearer(token) => client.get(url).bearer_auth(token),
            Auth::Cookie(cookie) => client.get(url).header(reqwest::header::COOKIE, cookie),
        };
        let response = request.send().await?;
        anyhow::ensure!(
            response.status().is_success(),
            "{url}: {}",
            response.status()
        );
        let body = response.bytes().await?;
        if i >= 100 {
            latencies.push(started.elapsed()); // the first 100 warm up
        }
        if i == 0 {
            let n = match auth {
                Auth::Bearer(_) => {
                    let v: serde_json::Value = serde_json::from_slice(&body)?;
                    let items = v.get("items").unwrap_or(&v);
                    items.as_array().map(Vec::len).unwrap_or(0)
                }
                Auth::Cookie(_) => String::from_utf8_lossy(&body)
                    .matches("<article class=\"post")
                    .count(),
            };
            anyhow::ensure!(n == 40.min(seeded), "{url} returned {n} items");
        }
    }
    latencies.sort();
    Ok(latencies)
}

/// Durable posts/s over HTTP, authors with 100 followers each.
async fn post_throughput(a: &Args) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let node = open_node(a, dir.path())?;
    let authors = register_many(&node, "writer", 10).await?;
    let followers = register_many(&node, "fan", 100).await?;
    for f in &followers {
        for w in &authors {
            node.follow(f, &w.member()?.username).await?;
        }
    }
    let mut tokens = Vec::new();
    for w in &authors {
        tokens.push(
            node.issue_token(w.id().ok_or_else(|| anyhow::anyhow!("no id"))?, "bench")
                .await?
                .token,
        );
    }
    let base = serve(node.clone()).await?;
    let client = reqwest::Client::new();
    let concurrency = 128;
    let per_client = a.throughput_posts / concurrency;
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|c| {
            let (client, token, url) = (client.clone(), tokens[c % tokens.len()].clone(), format!("{base}/api/kodeon/v1/posts"));
            tokio::spawn(async move {
                for i in 0..per_client {
                    let body = serde_json::json!({"content": format!("throughput post {i} from client {c} #bench")});
                    let r = client.post(&url).bearer_auth(&token).json(&body).send().await?;
                    anyhow::ensure!(r.status() == 201, "post failed: {}", r.status());
                }
                Ok(())
            })
        })
        .collect();
    for t in tasks {
        t.await??;
    }
    let n = per_client * concurrency;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "post creation over HTTP (100 followers each, {concurrency} concurrent clients, every 201 durable): {n} posts in {secs:.2} s = {:.0} posts/s  [target >= 2000/s]",
        n as f64 / secs
    );
    Ok(())
}

/// Time from a post's 201 to its `update` event on a follower's SSE stream.
async fn streaming_latency(a: &Args) -> anyhow::Result<()> {
    use futures_util::StreamExt;
    let dir = tempfile::tempdir()?;
    let node = open_node(a, dir.path())?;
    let author = register(&node, "streamer").await?;
    let reader = register(&node, "watcher").await?;
    node.follow(&reader, "streamer").await?;
    let author_token = node
        .issue_token(
            author.id().ok_or_else(|| anyhow::anyhow!("no id"))?,
            "bench",
        )
        .await?
        .token;
    let reader_token = node
        .issue_token(
            reader.id().ok_or_else(|| anyhow::anyhow!("no id"))?,
            "bench",
        )
        .await?
        .token;
    let base = serve(node.clone()).await?;
    let client = reqwest::Client::new();
    let stream = client
        .get(format!("{base}/api/v1/streaming/user"))
        .bearer_auth(&reader_token)
        .send()
        .await?;
    anyhow::ensure!(stream.status() == 200, "stream: {}", stream.status());
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(String, Instant)>();
    tokio::spawn(async move {
        let mut body = stream.bytes_stream();
        let mut buffer = String::new();
        while let Some(Ok(chunk)) = body.next().await {
            let now = Instant::now();
            buffer.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buffer.find("\n\n") {
                let frame: String = buffer.drain(..end + 2).collect();
                if frame.contains("event: update") {
                    if let Some(data) = frame.lines().find_map(|l| l.strip_prefix("data: ")) {
                        if let Ok(v) = serde_json::from_str::<serde_json::Value>(data) {
                            let _ = tx.send((v["id"].as_str().unwrap_or("").to_string(), now));
                        }
                    }
                }
            }
        }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut latencies = Vec::new();
    for i in 0..300 {
        let r = client
            .post(format!("{base}/api/v1/statuses"))
            .bearer_auth(&author_token)
            .form(&[("status", format!("stream {i}"))])
            .send()
            .await?;
        let accepted = Instant::now();
        let v: serde_json::Value = r.json().await?;
        let id = v["id"].as_str().unwrap_or("").to_string();
        loop {
            let (got, at) = tokio::time::timeout(Duration::from_secs(5), rx.recv())
                .await?
                .ok_or_else(|| anyhow::anyhow!("stream closed"))?;
            if got == id {
                latencies.push(at.saturating_duration_since(accepted));
                break;
            }
        }
    }
    latencies.sort();
    println!(
        "streaming: post accepted (201) -> update event on a follower's SSE stream, {} posts: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms  [target <= 50 ms]",
        latencies.len(),
        percentile(&latencies, 0.50).as_secs_f64() * 1000.0,
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0,
        percentile(&latencies, 1.0).as_secs_f64() * 1000.0,
    );
    Ok(())
}

/// Gossip envelope verification rate on one core, alone and batched.
fn envelope_rate() -> anyhow::Result<()> {
    use protocol::envelope::{verify_batch, Envelope, Kind};
    let key = identity::Ed25519Keypair::generate();
    let now = 1_795_000_000_000i64;
    let n = 20_000;
    let envelopes: Vec<Envelope> = (0..n)
        .map(|i| {
            let body =
                serde_json::json!({"content": format!("post {i} #kodeon"), "visibility": "public"});
            Envelope::sign(
                &key,
                Kind::Post,
                now + i,
                None,
                body.as_object().cloned().unwrap_or_default(),
            )
        })
        .collect::<Result<_, _>>()?;
    let started = Instant::now();
    for e in &envelopes {
        Envelope::verify(&e.bytes, now + n).map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let single = n as f64 / started.elapsed().as_secs_f64();
    let started = Instant::now();
    for chunk in envelopes.chunks(64) {
        let items: Vec<&[u8]> = chunk.iter().map(|e| e.bytes.as_slice()).collect();
        for r in verify_batch(&items, now + n) {
            r.map_err(|e| anyhow::anyhow!("{e}"))?;
        }
    }
    let batched = n as f64 / started.elapsed().as_secs_f64();
    println!(
        "envelope verification on one core (decode + canonical check + ed25519), {n} envelopes: {single:.0}/s one by one, {batched:.0}/s in batches of 64  [target >= 20000/s]"
    );
    Ok(())
}
