//! Admin panel page times at scale. Prints its figures; asserts nothing.
//!
//! ```text
//! cargo run --release --features bench-seed --example admin_bench -- \
//!     [--members 100000] [--posts 1000000] [--requests 50] [--data-dir DIR]
//! ```
//!
//! Seeds `--members` members and `--posts` public posts (spread over the
//! first 10,000 members) with the benchmark-only bulk writer, then some
//! reports, moderation actions and domain blocks through the real methods,
//! and times every panel page over HTTP on loopback (keep-alive, one
//! request at a time, after a warm-up). Target: every page ≤ 50 ms.
//! With `--data-dir`, a store seeded by an earlier run is reused.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use node::members::NewMember;
use node::model::Role;
use node::moderation::{MemberAction, NewReport};
use node::remote::{DomainBlock, DomainSeverity};
use node::{Node, NodeConfig, Viewer};

#[path = "support/serve.rs"]
mod serve;

struct Args {
    members: usize,
    posts: usize,
    requests: usize,
    data_dir: Option<std::path::PathBuf>,
}

fn args() -> Args {
    let mut a = Args {
        members: 100_000,
        posts: 1_000_000,
        requests: 50,
        data_dir: None,
    };
    let argv: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i + 1 < argv.len() {
        let value = &argv[i + 1];
        match argv[i].as_str() {
            "--members" => a.members = value.parse().unwrap_or(a.members),
            "--posts" => a.posts = value.parse().unwrap_or(a.posts),
            "--requests" => a.requests = value.parse().unwrap_or(a.requests),
            "--data-dir" => a.data_dir = Some(value.into()),
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
    let temp = tempfile::tempdir()?;
    let dir = a
        .data_dir
        .clone()
        .unwrap_or_else(|| temp.path().to_path_buf());
    let node = open_node(&dir)?;
    let admin = match node.stats()?.members {
        0 => seed(&node, &a).await?,
        n => {
            println!("reusing a store with {n} members");
            let m = node
                .verify_login("benchadmin", "benchmark-password")
                .await?;
            Viewer::Member(Box::new(m))
        }
    };
    let stats = node.stats()?;
    println!(
        "store: {} members, {} posts, {:.0} MiB on disk",
        stats.members,
        stats.posts,
        stats.storage_bytes as f64 / 1048576.0
    );

    let admin_id = admin.id().ok_or_else(|| anyhow::anyhow!("no admin"))?;
    let token = node.issue_token(admin_id, "bench").await?.token;
    let base = serve(node.clone()).await?;
    let client = reqwest::Client::new();
    let some_member = node
        .admin_members(&admin, Some("m42"), &node::PageRequest::first(1))?
        .items
        .first()
        .map(|m| m.id.to_string())
        .unwrap_or_default();
    let some_report = node
        .reports(&admin, true, &node::PageRequest::first(1))?
        .items
        .first()
        .map(|r| r.id.to_string())
        .unwrap_or_default();
    let pages = [
        "/admin".to_string(),
        "/admin/members".to_string(),
        "/admin/members?q=m42".to_string(),
        format!("/admin/members/{some_member}"),
        "/admin/reports".to_string(),
        format!("/admin/reports/{some_report}"),
        "/admin/federation".to_string(),
        "/admin/settings".to_string(),
        "/admin/audit".to_string(),
        "/".to_string(),
        "/@m1".to_string(),
    ];
    println!(
        "{:<34} {:>8} {:>8} {:>8}   (target: every page <= 50 ms)",
        "page", "p50 ms", "p99 ms", "max ms"
    );
    let mut worst = Duration::ZERO;
    for page in &pages {
        let url = format!("{base}{page}");
        let get = || {
            client
                .get(&url)
                .header("cookie", format!("kodeon_admin={token}"))
                .send()
        };
        for _ in 0..3 {
            let r = get().await?;
            anyhow::ensure!(r.status().is_success(), "{page}: {}", r.status());
            r.bytes().await?;
        }
        let mut times = Vec::with_capacity(a.requests);
        for _ in 0..a.requests {
            let started = Instant::now();
            let r = get().await?;
            anyhow::ensure!(r.status().is_success(), "{page}: {}", r.status());
            r.bytes().await?;
            times.push(started.elapsed());
        }
        times.sort();
        let p = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
        let max = times[times.len() - 1];
        worst = worst.max(p(0.99));
        println!(
            "{:<34} {:>8.2} {:>8.2} {:>8.2}",
            page,
            p(0.5).as_secs_f64() * 1e3,
            p(0.99).as_secs_f64() * 1e3,
            max.as_secs_f64() * 1e3
        );
    }
    println!(
        "slowest page p99: {:.2} ms  [target <= 50 ms]",
        worst.as_secs_f64() * 1e3
    );
    Ok(())
}

async fn seed(node: &Arc<Node>, a: &Args) -> anyhow::Result<Viewer> {
    let started = Instant::now();
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
    let ids = node.bench_seed_members("m", a.members).await?;
    println!(
        "seeded {} members in {:.1} s",
        ids.len(),
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let authors = &ids[..ids.len().min(10_000)];
    node.bench_seed_posts(authors, a.posts).await?;
    println!(
        "seeded {} posts in {:.1} s",
        a.posts,
        started.elapsed().as_secs_f64()
    );
    // Reports, moderation and blocks through the real methods.
    if ids.len() >= 200 {
        let reporter = node.verify_login("m0", "benchmark-password").await?;
        let reporter = Viewer::Member(Box::new(reporter));
        for target in &ids[100..200] {
            node.create_report(
                &reporter,
                NewReport {
                    target_id: *target,
                    post_ids: Vec::new(),
                    comment: "benchmark report".into(),
                    category: Some("spam".into()),
                    forward: false,
                },
            )
            .await?;
        }
        for target in &ids[200..250.min(ids.len())] {
            node.moderate_member(&admin, *target, MemberAction::Silence, "benchmark")
                .await?;
        }
    }
    for i in 0..20 {
        node.block_domain(
            &admin,
            DomainBlock {
                domain: format!("spam{i}.example"),
                severity: DomainSeverity::Suspend,
                reject_media: false,
                public_comment: "spam".into(),
                private_comment: String::new(),
                created_at: 0,
            },
        )
        .await?;
    }
    node.flush()?;
    Ok(admin)
}

fn open_node(dir: &Path) -> anyhow::Result<Arc<Node>> {
    let mut config = NodeConfig::new(dir, "bench.test");
    config.cache_capacity_bytes = 256 * 1024 * 1024;
    Ok(Arc::new(Node::open(config)?))
}

async fn serve(node: Arc<Node>) -> anyhow::Result<String> {
    serve::serve_router(web::router(node, web::WebSettings::default())).await
}
