//! Trust at scale: personalised PageRank over 100,000 members and about
//! 1,000,000 attestations and follows. Prints its figures; asserts only
//! that the answers are sane.
//!
//! ```text
//! cargo run --release --features bench-seed --example trust_bench -- \
//!     [--members 100000] [--links 5] [--engine fjall|sled]
//! ```
//!
//! The graph: preferential attachment (each member links to `--links`
//! earlier members picked by degree, every link followed back, 30 % of
//! edges attestations): about `members × links × 2` edges; 10 seeds.
//!
//! Core only: the graph built from the edge list (`GraphBuilder`) and
//! trust computed (`personalised_pagerank`). From the store: the same
//! members and edges written to a node (bulk writer), then trust read from
//! the tables (`Member`, `MemberByKey`, `Following`, `Attestation`),
//! computed, and stored (`TrustScore` per member, one write), as the
//! trust worker does. Targets: ≤ 10 s and ≤ 500 MB peak memory (VmHWM).

use std::sync::Arc;
use std::time::Instant;

use node::trust::graph::{EdgeWeights, GraphBuilder};
use node::trust::pagerank::{personalised_pagerank, TrustParams};
use node::trust::synthetic::{preferential_attachment, Rng};
use node::{Node, NodeConfig, StoreEngine};

/// This process's peak resident memory (VmHWM), in MB.
fn peak_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// The machine's load averages.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut members: u32 = 100_000;
    let mut links: u32 = 5;
    let mut engine = StoreEngine::default();
    let argv: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i + 1 < argv.len() {
        let value = &argv[i + 1];
        match argv[i].as_str() {
            "--members" => members = value.parse().unwrap_or(members),
            "--links" => links = value.parse().unwrap_or(links),
            "--engine" => {
                engine = StoreEngine::ALL
                    .into_iter()
                    .find(|e| e.name() == value)
                    .unwrap_or_default()
            }
            other => eprintln!("ignoring {other}"),
        }
        i += 2;
    }
    let members = members.max(100);
    println!(
        "trust_bench: {members} members, {links} links each; {} cores; load {}; engine {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load(),
        engine.name()
    );
    let mut rng = Rng::new(2026);
    let edges = preferential_attachment(members, links, 1.0, 0.3, &mut rng);
    let seeds: Vec<u32> = (0..10).map(|k| k * (members / 10)).collect();
    println!("generated {} edges; peak {:.0} MB", edges.len(), peak_mb());

    // Core only.
    let started = Instant::now();
    let mut builder = GraphBuilder::new(members);
    builder.reserve(edges.len());
    for &(f, t, k) in &edges {
        builder.add(f, t, k);
    }
    let graph = builder.build(EdgeWeights::default());
    let built = started.elapsed();
    let vector = personalised_pagerank(&graph, &seeds, &TrustParams::default());
    let total = started.elapsed();
    let sum: f64 = vector.trust.iter().sum();
    assert!((sum - 1.0).abs() < 1e-6, "trust sums to {sum}");
    println!(
        "core only: build {:.0} ms, PageRank {:.0} ms ({} iterations, residual {:.1e}, converged {}), \
         total {:.0} ms; graph {:.1} MB; peak {:.0} MB",
        built.as_secs_f64() * 1000.0,
        (total - built).as_secs_f64() * 1000.0,
        vector.iterations,
        vector.residual,
        vector.converged,
        total.as_secs_f64() * 1000.0,
        graph.heap_bytes() as f64 / 1e6,
        peak_mb()
    );
    drop(vector);
    drop(graph);

    // From the store.
    let dir = tempfile::tempdir()?;
    let mut config = NodeConfig::new(dir.path(), "bench.test");
    config.engine = engine;
    let node = Arc::new(Node::open(config)?);
    let seeding = Instant::now();
    let ids = node.bench_seed_members("m", members as usize).await?;
    node.bench_seed_trust_graph(&ids, &edges, &seeds).await?;
    drop(edges);
    println!(
        "seeded the store in {:.1} s; peak {:.0} MB",
        seeding.elapsed().as_secs_f64(),
        peak_mb()
    );
    let started = Instant::now();
    let run = node.bench_recompute_trust().await?;
    let total = started.elapsed();
    assert_eq!(run.accounts, members);
    assert!(run.converged);
    println!(
        "from the store: read + compute {} ms, stored {} scores in {:.0} ms, total {:.0} ms \
         ({} edges, {} seeds, {} iterations); peak {:.0} MB",
        run.duration_ms,
        run.accounts,
        total.as_secs_f64() * 1000.0 - run.duration_ms as f64,
        total.as_secs_f64() * 1000.0,
        run.edges,
        run.seeds,
        run.iterations,
        peak_mb()
    );
    let factor_started = Instant::now();
    let mut factors = 0.0;
    for id in ids.iter().take(10_000) {
        factors += node.trust_factor(*id)?;
    }
    println!(
        "trust_factor: {:.1} µs per read (mean factor {:.2} over 10,000)",
        factor_started.elapsed().as_secs_f64() * 1e6 / 10_000.0,
        factors / 10_000.0
    );
    Ok(())
}
