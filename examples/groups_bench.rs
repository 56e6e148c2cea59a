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
//! ≥ 1,000/s. Then checks that the group counts every member.

use std::sync::Arc;
use std::time::Instant;

use node::groups::NewGroup;
use node::{Node, NodeConfig, StoreEngine, Viewer};

#[path = "support/serve.rs"]
mod serve;

struct Args {
    members: usize,
    concurrency: usize,
    engine: StoreEngine,
}

fn args() -> Args {
    let mut a = Args {
        members: 10_000,
        concurrency: 64,
        engine: StoreEngine::default(),
    };
    let argv: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i + 1 < argv.len() {
        let value = &argv[i + 1];
        match argv[i].as_str() {
            "--members" => a.members = value.parse().unwrap_or(a.members),
            "--concurrency" => a.concurrency = value.parse().unwrap_or(a.concurrency),
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
    Ok(())
}
