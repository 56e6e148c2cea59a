//! Groups at scale. Prints its figures; asserts nothing.
//!
//! ```text
//! cargo run --release --features bench-seed --example groups_bench -- \
//!     [--members 10000] [--concurrency 64] [--engine fjall|sled]
//! ```
//!
//! Seeds `--members` members with the benchmark-only bulk writer, makes
//! an open group, then has every member join it over HTTP on loopback
//! (`POST /api/kodeon/v1/groups/{group}/join`, `--concurrency` clients at
//! once, keep-alive): each 200 is a durable join, every rule (bans, the
//! member limit, the join mode) checked inside its write. Target: joins
//! ≥ 1,000/s. Then checks that the group counts every member, has
//! `--posts` posts written in the group by its members (in-process, 64 at
//! once; a tenth of them liked), and times its feed over HTTP, signed in
//! as a member: `sort=new`, `hot` and `top&t=all`, 40 posts a page, one
//! request at a time after a warm-up. Target: `hot` p99 ≤ 5 ms with
//! 100,000 posts and 10,000 members.

use std::sync::Arc;
use std::time::Instant;

use node::groups::NewGroup;
use node::posts::NewPost;
use node::{Node, NodeConfig, StoreEngine, Viewer};

#[path = "support/serve.rs"]
mod serve;

struct Args {
    members: usize,
    concurrency: usize,
    posts: usize,
    requests: usize,
    engine: StoreEngine,
}

fn args() -> Args {
    let mut a = Args {
        members: 10_000,
        concurrency: 64,
        posts: 100_000,
        requests: 1_000,
        engine: StoreEngine::default(),
    };
    let argv: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i + 1 < argv.len() {
        let value = &argv[i + 1];
        match argv[i].as_str() {
            "--members" => a.members = value.parse().unwrap_or(a.members),
            "--concurrency" => a.concurrency = value.parse().unwrap_or(a.concurrency),
            "--posts" => a.posts = value.parse().unwrap_or(a.posts),
            "--requests" => a.requests = value.parse().unwrap_or(a.requests),
            "--engine" => {
                a.engine = StoreEngine::ALL
                    .into_iter()
                    .find(|e| e.name() == value)
                    .unwrap_or_default()
            }
            other => eprintln!("ignoring {other}"),
        }
        i += 2;
    }
    a
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    kodeon::install_tls_provider();
    let a = args();
    let dir = tempfile::tempdir()?;
    let mut config = NodeConfig::new(dir.path(), "bench.test");
    config.engine = a.engine;
    let node = Arc::new(Node::open(config)?);
    println!("storage engine: {}", a.engine.name());

    let t = Instant::now();
    let ids = node.bench_seed_members("m", a.members).await?;
    let owner = node.verify_login("m0", "benchmark-password").await?;
    let owner = Viewer::Member(Box::new(owner));
    node.create_group(
        &owner,
        NewGroup {
            name: "benchers".into(),
            ..NewGroup::default()
        },
    )
    .await?;
    let mut tokens = Vec::with_capacity(ids.len() - 1);
    for id in &ids[1..] {
        tokens.push(node.issue_token(*id, "bench").await?.token);
    }
    println!(
        "seed: {} members, a group, {} tokens in {:.1} s",
        a.members,
        tokens.len(),
        t.elapsed().as_secs_f64()
    );

    let mut settings = web::WebSettings::default();
    settings.rate_limits.posts_per_minute_per_account = 0;
    let base = serve::serve_router(web::router(node.clone(), settings)).await?;
    let url = format!("{base}/api/kodeon/v1/groups/benchers/join");
    let tokens = Arc::new(tokens);
    let started = Instant::now();
    let tasks: Vec<_> = (0..a.concurrency)
        .map(|w| {
            let (tokens, url) = (tokens.clone(), url.clone());
            let concurrency = a.concurrency;
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                let mut i = w;
                while i < tokens.len() {
                    let r = client.post(&url).bearer_auth(&tokens[i]).send().await?;
                    anyhow::ensure!(r.status().is_success(), "join: {}", r.status());
                    r.bytes().await?;
                    i += concurrency;
                }
                Ok::<_, anyhow::Error>(())
            })
        })
        .collect();
    for task in tasks {
        task.await??;
    }
    let elapsed = started.elapsed();
    let group = node.group(&owner, "benchers")?;
    println!(
        "joins over HTTP, durable, {} clients: {} joins in {:.2} s = {:.0} joins/s  [target >= 1,000/s]; the group counts {} members",
        a.concurrency,
        tokens.len(),
        elapsed.as_secs_f64(),
        tokens.len() as f64 / elapsed.as_secs_f64(),
        group.members_count
    );
    anyhow::ensure!(
        group.members_count == a.members as i64,
        "the group counts {} members, not {}",
        group.members_count,
        a.members
    );
    group_feed(&a, &node, &base, &ids).await
}

/// Seeds `--posts` group posts by the members and times the group feed.
async fn group_feed(
    a: &Args,
    node: &Arc<Node>,
    base: &str,
    ids: &[node::Id],
) -> anyhow::Result<()> {
    let t = Instant::now();
    let workers = 64.min(a.posts.max(1));
    let per_worker = a.posts / workers;
    let authors: Vec<Viewer> = {
        let mut v = Vec::new();
        for n in 0..100.min(ids.len()) {
            let m = node
                .verify_login(&format!("m{n}"), "benchmark-password")
                .await?;
            v.push(Viewer::Member(Box::new(m)));
        }
        v
    };
    let authors = Arc::new(authors);
    let tasks: Vec<_> = (0..workers)
        .map(|w| {
            let (node, authors) = (node.clone(), authors.clone());
            tokio::spawn(async move {
                for i in 0..per_worker {
                    let author = &authors[(w * per_worker + i) % authors.len()];
                    let post = node
                        .create_post(
                            author,
                            NewPost {
                                content: format!("Group post {i} of worker {w}: a short paragraph about soldering."),
                                group: Some("benchers".into()),
                                ..NewPost::default()
                            },
                        )
                        .await?;
                    if i % 10 == 0 {
                        let liker = &authors[(w + i + 1) % authors.len()];
                        node.like(liker, post.id).await?;
                    }
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
        "seed: {seeded} group posts in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let reader = node.issue_token(ids[ids.len() - 1], "bench").await?.token;
    let client = reqwest::Client::new();
    for sort in ["new", "hot", "top&t=all"] {
        let url = format!("{base}/api/kodeon/v1/groups/benchers/posts?sort={sort}&limit=40");
        let mut times = Vec::with_capacity(a.requests);
        for i in 0..a.requests + 50 {
            let started = Instant::now();
            let r = client.get(&url).bearer_auth(&reader).send().await?;
            anyhow::ensure!(r.status().is_success(), "{url}: {}", r.status());
            let body = r.bytes().await?;
            if i >= 50 {
                times.push(started.elapsed());
            }
            if i == 0 {
                let v: serde_json::Value = serde_json::from_slice(&body)?;
                let n = v["items"].as_array().map(Vec::len).unwrap_or(0);
                anyhow::ensure!(n == 40.min(seeded), "{url} returned {n} posts");
            }
        }
        times.sort();
        let at = |p: f64| {
            times[((times.len() as f64 * p) as usize).min(times.len() - 1)].as_secs_f64() * 1000.0
        };
        println!(
            "group feed sort={sort} over HTTP, 40 posts, {seeded} posts in the group, {} members, {} requests: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms  [target hot p99 <= 5 ms]",
            a.members,
            times.len(),
            at(0.50),
            at(0.99),
            at(1.0)
        );
    }
    Ok(())
}
