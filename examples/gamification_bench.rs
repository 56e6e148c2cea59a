//! Gamification at scale. Prints its figures; asserts only that the
//! answers are right.
//!
//! ```text
//! cargo run --release --features bench-seed --example gamification_bench -- \
//!     [--members 100000] [--requests 2000] [--posts 10000] [--rounds 2]
//! ```
//!
//! Leaderboard: `--members` members (bulk writer) each with a score on
//! the all-time, month and week boards; then `--requests` pages of 20
//! (`Node::leaderboard`), one at a time after 100 of warm-up: first
//! pages, and pages deep in the board reached by cursor, for each period,
//! and first pages over HTTP on loopback (`GET /api/kodeon/v1/leaderboard`).
//! Then `--requests` single score changes (the delete-and-insert of the
//! rank key, one durable write each). Target: page p99 ≤ 5 ms.
//!
//! Posting: the throughput part of `examples/bench.rs` (10 authors with 100
//! followers each, 128 concurrent HTTP clients, every 201 durable),
//! `--posts` posts per run, with awards off (as before gamification) and
//! on (each post's points, history entry and three board moves in the
//! post's own write; daily caps off so every post is awarded), `--rounds`
//! times each, alternating. Target: within 10 %.

use std::sync::Arc;
use std::time::{Duration, Instant};

use node::gamification::Period;
use node::members::NewMember;
use node::model::Role;
use node::{Node, NodeConfig, Viewer};

#[path = "support/serve.rs"]
mod serve;

struct Args {
    members: usize,
    requests: usize,
    posts: usize,
    rounds: usize,
}

fn args() -> Args {
    let mut a = Args {
        members: 100_000,
        requests: 2_000,
        posts: 10_000,
        rounds: 2,
    };
    let argv: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i + 1 < argv.len() {
        let n = argv[i + 1].parse().unwrap_or(0);
        match argv[i].as_str() {
            "--members" => a.members = n,
            "--requests" => a.requests = n,
            "--posts" => a.posts = n,
            "--rounds" => a.rounds = n,
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

fn report(label: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "{label}: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms ({} requests)  [target p99 <= 5 ms]",
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3,
        times.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        times.len()
    );
}

fn open_node(dir: &std::path::Path) -> anyhow::Result<Arc<Node>> {
    let mut config = NodeConfig::new(dir, "bench.test");
    config.cache_capacity_bytes = 256 * 1024 * 1024;
    Ok(Arc::new(Node::open(config)?))
}

async fn serve(node: Arc<Node>) -> anyhow::Result<String> {
    let mut settings = web::WebSettings::default();
    settings.rate_limits.posts_per_minute_per_account = 0;
    serve::serve_router(web::router(node, settings)).await
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    kodeon::install_tls_provider();
    let a = args();
    leaderboard(&a).await?;
    posting(&a).await?;
    Ok(())
}

async fn leaderboard(a: &Args) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let node = open_node(dir.path())?;
    let started = Instant::now();
    let ids = node.bench_seed_members("player", a.members).await?;
    let scores: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (*id, ((i as i64 * 7_919) % 1_000_003) + 100))
        .collect();
    node.bench_seed_scores(&scores).await?;
    println!(
        "seeded {} members with scores on 3 boards in {:.1} s",
        a.members,
        started.elapsed().as_secs_f64()
    );
    let top = node.leaderboard(Period::All, None, None, 20, "en")?;
    anyhow::ensure!(top.entries.len() == 20, "a full first page");
    anyhow::ensure!(
        top.entries.windows(2).all(|w| w[0].points >= w[1].points),
        "rank order"
    );
    // Cursors deep in the board: walk 500 pages of 20 once.
    let mut cursors = Vec::new();
    let mut cursor = None;
    for _ in 0..500 {
        let page = node.leaderboard(Period::All, None, cursor.as_deref(), 20, "en")?;
        cursor = page.next.clone();
        if let Some(c) = &cursor {
            cursors.push(c.clone());
        }
    }
    anyhow::ensure!(cursors.len() == 500, "10,000 rows walked");
    for (label, period) in [
        ("all time", Period::All),
        ("this month", Period::Month),
        ("this week", Period::Week),
    ] {
        for _ in 0..100 {
            node.leaderboard(period, None, None, 20, "en")?;
        }
        let mut times = Vec::with_capacity(a.requests);
        for _ in 0..a.requests {
            let t = Instant::now();
            let page = node.leaderboard(period, None, None, 20, "en")?;
            times.push(t.elapsed());
            anyhow::ensure!(page.entries.len() == 20);
        }
        report(
            &format!(
                "leaderboard first page of 20, {label}, {} members, in process",
                a.members
            ),
            times,
        );
    }
    let mut times = Vec::with_capacity(a.requests);
    for i in 0..a.requests {
        let c = &cursors[i % cursors.len()];
        let t = Instant::now();
        let page = node.leaderboard(Period::All, None, Some(c), 20, "en")?;
        times.push(t.elapsed());
        anyhow::ensure!(page.entries.len() == 20);
    }
    report(
        "leaderboard page of 20 by cursor (ranks 21 to 10,000), all time, in process",
        times,
    );
    let base = serve(node.clone()).await?;
    let client = reqwest::Client::new();
    let url = format!("{base}/api/kodeon/v1/leaderboard?period=all&limit=20");
    for _ in 0..100 {
        client.get(&url).send().await?.error_for_status()?;
    }
    let mut times = Vec::with_capacity(a.requests);
    for _ in 0..a.requests {
        let t = Instant::now();
        let body = client
            .get(&url)
            .send()
            .await?
            .error_for_status()?
            .bytes()
            .await?;
        times.push(t.elapsed());
        anyhow::ensure!(!body.is_empty());
    }
    report(
        "leaderboard first page of 20 over HTTP (loopback, keep-alive)",
        times,
    );
    let mut times = Vec::with_capacity(a.requests);
    for i in 0..a.requests {
        let (id, _) = scores[(i * 4_999) % scores.len()];
        let t = Instant::now();
        node.bench_seed_scores(&[(id, 1_000)]).await?;
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "score change on 3 boards (one durable write): p50 {:.3} ms, p99 {:.3} ms",
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3
    );
    Ok(())
}

async fn register(node: &Node, name: &str) -> anyhow::Result<Viewer> {
    let m = node
        .create_member(
            NewMember {
                username: name.into(),
                email: format!("{name}@bench.test"),
                password: "benchmark-password".into(),
                ..NewMember::default()
            },
            Role::Member,
        )
        .await?;
    Ok(Viewer::Member(Box::new(m)))
}

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

async fn posting(a: &Args) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let node = open_node(dir.path())?;
    let admin = Viewer::Member(Box::new(
        node.create_member(
            NewMember {
                username: "root".into(),
                email: "root@bench.test".into(),
                password: "benchmark-password".into(),
                ..NewMember::default()
            },
            Role::Admin,
        )
        .await?,
    ));
    // No daily caps: every post is awarded in full.
    let mut settings = (*node.gamification_settings()).clone();
    for rule in settings.activities.values_mut() {
        rule.daily_cap = 0;
    }
    node.update_gamification_settings(&admin, serde_json::to_value(&settings)?)
        .await?;
    let authors = register_many(&node, "writer", 10).await?;
    let followers = register_many(&node, "fan", 100).await?;
    for f in &followers {
        for w in &authors {
            node.follow(f, &w.member()?.username).await?;
        }
    }
    let mut tokens = Vec::new();
    for w in &authors {
        let id = w.id().ok_or_else(|| anyhow::anyhow!("no id"))?;
        tokens.push(node.issue_token(id, "bench").await?.token);
    }
    let base = serve(node.clone()).await?;
    let client = reqwest::Client::new();
    let mut rates = [Vec::new(), Vec::new()];
    for round in 0..a.rounds * 2 {
        let on = round % 2 == 1;
        node.bench_set_awards(on);
        let before = node.leaderboard(Period::All, None, None, 1, "en")?;
        let concurrency = 128;
        let per_client = a.posts / concurrency;
        let started = Instant::now();
        let tasks: Vec<_> = (0..concurrency)
            .map(|c| {
                let (client, token) = (client.clone(), tokens[c % tokens.len()].clone());
                let url = format!("{base}/api/kodeon/v1/posts");
                tokio::spawn(async move {
                    for i in 0..per_client {
                        let body = serde_json::json!({"content": format!("post {i} from client {c} in round {round} #bench")});
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
        let rate = n as f64 / started.elapsed().as_secs_f64();
        let after = node.leaderboard(Period::All, None, None, 1, "en")?;
        let top = |p: &node::gamification::LeaderboardPage| {
            p.entries.first().map(|e| e.points).unwrap_or(0)
        };
        if on {
            anyhow::ensure!(top(&after) > top(&before), "awards on: points grew");
        } else {
            anyhow::ensure!(top(&after) == top(&before), "awards off: no points");
        }
        println!(
            "post creation over HTTP, awards {}: {n} posts at {rate:.0} posts/s",
            if on { "on " } else { "off" }
        );
        rates[usize::from(on)].push(rate);
    }
    let mean = |v: &Vec<f64>| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let (off, on) = (mean(&rates[0]), mean(&rates[1]));
    println!(
        "posting throughput: {off:.0} posts/s without awards, {on:.0} posts/s with ({:+.1} %)  [target within 10 %]",
        (on - off) / off * 100.0
    );
    Ok(())
}
