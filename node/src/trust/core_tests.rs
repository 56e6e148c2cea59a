//! The pure core: convergence, seeds, sharing, and the sybil measurement.

use super::graph::{EdgeKind, EdgeWeights, GraphBuilder, TrustGraph};
use super::pagerank::{median_positive, personalised_pagerank, ranks, TrustParams};
use super::synthetic::{preferential_attachment, sybil_region, Rng};

fn graph(n: u32, edges: &[(u32, u32, EdgeKind)]) -> TrustGraph {
    let mut b = GraphBuilder::new(n);
    for &(f, t, k) in edges {
        b.add(f, t, k);
    }
    b.build(EdgeWeights::default())
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

#[test]
fn a_seed_and_its_one_follow_reach_the_closed_form() {
    // A follows B, B is dangling: t(A) = 1/(1+d), t(B) = d/(1+d).
    let g = graph(2, &[(0, 1, EdgeKind::Follow)]);
    let p = TrustParams::default();
    let v = personalised_pagerank(&g, &[0], &p);
    assert!(v.converged, "residual {}", v.residual);
    assert!(v.iterations > 1 && v.iterations < p.max_iterations);
    assert!(close(v.trust[0], 1.0 / 1.85), "{:?}", v.trust);
    assert!(close(v.trust[1], 0.85 / 1.85), "{:?}", v.trust);
}

#[test]
fn trust_sums_to_one_and_converges_on_a_random_graph() {
    let mut rng = Rng::new(7);
    let edges = preferential_attachment(2_000, 3, 0.5, 0.3, &mut rng);
    let g = graph(2_000, &edges);
    let v = personalised_pagerank(&g, &[0, 1, 2], &TrustParams::default());
    assert!(v.converged);
    let sum: f64 = v.trust.iter().sum();
    assert!(close(sum, 1.0), "sum {sum}");
    assert!(v.trust.iter().all(|&t| t >= 0.0));
}

#[test]
fn the_step_bound_stops_an_iteration_that_has_not_converged() {
    let mut rng = Rng::new(3);
    let edges = preferential_attachment(500, 3, 0.5, 0.3, &mut rng);
    let g = graph(500, &edges);
    let p = TrustParams {
        max_iterations: 3,
        ..TrustParams::default()
    };
    let v = personalised_pagerank(&g, &[0], &p);
    assert_eq!(v.iterations, 3);
    assert!(!v.converged);
}

#[test]
fn without_seeds_nobody_is_trusted_and_unreached_accounts_hold_nothing() {
    let g = graph(
        4,
        &[(0, 1, EdgeKind::Follow), (2, 3, EdgeKind::Attestation)],
    );
    let none = personalised_pagerank(&g, &[], &TrustParams::default());
    assert!(none.trust.iter().all(|&t| t == 0.0));
    // 2 attests 3, but no seed reaches 2: its attestation passes nothing.
    let v = personalised_pagerank(&g, &[0], &TrustParams::default());
    assert_eq!(v.trust[2], 0.0);
    assert_eq!(v.trust[3], 0.0);
    assert!(v.trust[1] > 0.0);
}

#[test]
fn an_account_shares_its_weight_attestations_first() {
    // The seed attests 1 and 2 and follows 3: 0.4, 0.4 and 0.2 of its weight.
    let g = graph(
        4,
        &[
            (0, 1, EdgeKind::Attestation),
            (0, 2, EdgeKind::Attestation),
            (0, 3, EdgeKind::Follow),
        ],
    );
    let shares: Vec<(u32, f32)> = g.out(0).collect();
    let targets: Vec<u32> = shares.iter().map(|s| s.0).collect();
    assert_eq!(targets, vec![1, 2, 3]);
    for (got, want) in shares.iter().zip([0.4, 0.4, 0.2]) {
        assert!((got.1 - want).abs() < 1e-6, "{shares:?}");
    }
    let v = personalised_pagerank(&g, &[0], &TrustParams::default());
    assert!(close(v.trust[1], v.trust[2]));
    assert!(close(v.trust[1], 2.0 * v.trust[3]), "{:?}", v.trust);
    // An account that only follows gives its follows all of its weight.
    let w = EdgeWeights::default();
    assert_eq!(w.share(EdgeKind::Follow, 0, 4), 0.25);
    assert_eq!(w.share(EdgeKind::Attestation, 2, 0), 0.5);
}

#[test]
fn repeated_edges_merge_and_self_loops_are_dropped() {
    let g = graph(
        3,
        &[
            (0, 1, EdgeKind::Attestation),
            (0, 1, EdgeKind::Attestation),
            (0, 0, EdgeKind::Follow),
            (0, 2, EdgeKind::Attestation),
            (0, 9, EdgeKind::Follow),
        ],
    );
    assert_eq!(g.edges(), 2);
    let shares: Vec<(u32, f32)> = g.out(0).collect();
    assert!((shares[0].1 - 2.0 / 3.0).abs() < 1e-6, "{shares:?}");
    assert_eq!(g.attests(0), 3);
    assert!(g.is_dangling(1));
}

#[test]
fn a_trusted_attester_lifts_more_than_a_barely_trusted_one() {
    // 0 (seed) attests 1; 1 attests 3; 0 also reaches 2 only through 4
    // follows of the seed's many; 2 attests 4.
    let mut edges = vec![(0, 1, EdgeKind::Attestation), (1, 3, EdgeKind::Attestation)];
    for t in 5..25 {
        edges.push((0, t, EdgeKind::Follow));
    }
    edges.push((5, 2, EdgeKind::Follow));
    edges.push((2, 4, EdgeKind::Attestation));
    let g = graph(25, &edges);
    let v = personalised_pagerank(&g, &[0], &TrustParams::default());
    assert!(v.trust[1] > 10.0 * v.trust[2], "{:?}", &v.trust[..5]);
    assert!(v.trust[3] > 10.0 * v.trust[4], "{:?}", &v.trust[..5]);
}

#[test]
fn ranks_and_the_median_of_reached_accounts() {
    let trust = [0.5, 0.0, 0.2, 0.3];
    assert_eq!(ranks(&trust), vec![1, 4, 3, 2]);
    assert_eq!(median_positive(&trust), 0.3);
    assert_eq!(median_positive(&[0.0, 0.0]), 0.0);
}

#[test]
fn fingerprints_change_with_the_graph_and_the_seeds() {
    let a = graph(3, &[(0, 1, EdgeKind::Follow)]);
    let b = graph(3, &[(0, 2, EdgeKind::Follow)]);
    assert_eq!(a.fingerprint(&[0]), a.clone().fingerprint(&[0]));
    assert_ne!(a.fingerprint(&[0]), b.fingerprint(&[0]));
    assert_ne!(a.fingerprint(&[0]), a.fingerprint(&[1]));
}

/// 10,000 honest accounts (preferential attachment, half the links
/// followed back, 30 % attestations), 1,000 sybils attesting 20 others
/// each, 5 attack edges from random honest accounts into the sybils, 10
/// seeds among the honest accounts.
#[test]
fn sybils_attached_by_five_edges_stay_out_of_the_top_and_hold_little() {
    const HONEST: u32 = 10_000;
    const SYBILS: u32 = 1_000;
    let started = std::time::Instant::now();
    let mut rng = Rng::new(2026);
    let mut edges = preferential_attachment(HONEST, 3, 0.5, 0.3, &mut rng);
    edges.extend(sybil_region(HONEST, SYBILS, 20, &mut rng));
    for _ in 0..5 {
        let honest = rng.below(HONEST);
        let sybil = HONEST + rng.below(SYBILS);
        edges.push((honest, sybil, EdgeKind::Attestation));
    }
    let g = graph(HONEST + SYBILS, &edges);
    let mut seeds: Vec<u32> = (0..5).collect();
    seeds.extend((0..5).map(|_| rng.below(HONEST)));
    let v = personalised_pagerank(&g, &seeds, &TrustParams::default());
    assert!(v.converged);
    let sybil_total: f64 = v.trust[HONEST as usize..].iter().sum();
    let rank = ranks(&v.trust);
    let in_top: usize = rank[HONEST as usize..]
        .iter()
        .filter(|&&r| r <= 100)
        .count();
    let best_sybil = rank[HONEST as usize..].iter().min().copied().unwrap_or(0);
    println!(
        "sybil measurement: {} accounts, {} edges, {} iterations; sybils hold {:.4} % of trust, \
         {in_top} of the top 100, best sybil rank {best_sybil}; {:?}",
        HONEST + SYBILS,
        g.edges(),
        v.iterations,
        100.0 * sybil_total,
        started.elapsed()
    );
    assert!(in_top < 1, "sybils in the top 100: {in_top}");
    assert!(sybil_total < 0.05, "sybil share {sybil_total}");
}
