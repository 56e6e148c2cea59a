//! The admins' insights query at scale. Prints its figures; asserts
//! nothing.
//!
//! ```text
//! cargo run --release --features bench-seed --example insights_bench -- \
//!     [--members 10000] [--days 90] [--posts 20000] [--runs 10]
//! ```
//!
//! Seeds `--members` members whose sign-ups are spread over the last
//! `--days` days, with their active days (60 % a day in their first
//! week, 25 % after), and `--posts` public posts today, then times
//! `Node::admin_insights` over those days (one call per run, after a
//! warm-up).

use std::time::Instant;

use node::insights::DayRange;
use node::members::NewMember;
use node::model::{now_ms, Role};
use node::moderation::day_of;
use node::{Node, NodeConfig, Viewer};

struct Args {
    members: usize,
    days: u64,
    posts: usize,
    runs: usize,
}

fn args() -> Args {
    let mut a = Args {
        members: 10_000,
        days: 90,
        posts: 20_000,
        runs: 10,
    };
    let argv: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i + 1 < argv.len() {
        let value = &argv[i + 1];
        match argv[i].as_str() {
            "--members" => a.members = value.parse().unwrap_or(a.members),
            "--days" => a.days = value.parse().unwrap_or(a.days),
            "--posts" => a.posts = value.parse().unwrap_or(a.posts),
            "--runs" => a.runs = value.parse().unwrap_or(a.runs),
            other => eprintln!("ignoring {other}"),
        }
        i += 2;
    }
    a
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a = args();
    let dir = tempfile::tempdir()?;
    let node = Node::open(NodeConfig::new(dir.path(), "bench.test"))?;
    let today = day_of(now_ms());
    let started = Instant::now();
    let rows = node
        .bench_seed_insights("m", a.members, today, a.days)
        .await?;
    let authors = node.bench_seed_members("author", 1_000).await?;
    node.bench_seed_posts(&authors, a.posts).await?;
    let admin = node
        .create_member(
            NewMember {
                username: "benchadmin".into(),
                email: "benchadmin@bench.test".into(),
                password: "benchmark-password".into(),
                ..NewMember::default()
            },
            Role::Admin,
        )
        .await?;
    let admin = Viewer::Member(Box::new(admin));
    println!(
        "seeded {} members over {} days, {rows} active-day rows, {} posts in {:.1} s",
        a.members,
        a.days,
        a.posts,
        started.elapsed().as_secs_f64()
    );

    let range = DayRange::new(today + 1 - a.days, today)?;
    let warm = node.admin_insights(&admin, range)?;
    println!(
        "last day: {} daily, {} weekly, {} monthly active; {} cohorts; {} top posts",
        warm.active.daily.last().copied().unwrap_or(0),
        warm.active.weekly.last().copied().unwrap_or(0),
        warm.active.monthly.last().copied().unwrap_or(0),
        warm.retention.len(),
        warm.top_posts.len()
    );
    let mut times = Vec::with_capacity(a.runs);
    for _ in 0..a.runs.max(1) {
        let t = Instant::now();
        let got = node.admin_insights(&admin, range)?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(got);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "admin_insights over {} days: median {:.1} ms, min {:.1} ms, max {:.1} ms ({} runs)",
        a.days,
        times[times.len() / 2],
        times[0],
        times[times.len() - 1],
        times.len()
    );
    Ok(())
}
