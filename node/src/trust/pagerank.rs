//! Personalised PageRank (EigenTrust's form): the trust of every account
//! as the long-run share of time a random walker spends there, when the
//! walker starts at the seeds, follows an edge with probability `damping`
//! (picking it by its share, see [`super::graph::EdgeWeights`]) and
//! otherwise jumps back to a seed.
//!
//! ```text
//! t' = (1 − d)·s + d·(Σ_u t[u]·share(u→v) + dangling·s)
//! ```
//!
//! where `s` is uniform over the seeds, `d` the damping, and `dangling` the
//! trust of accounts with no outgoing edge, which also goes back to the
//! seeds (not to everyone, as in plain PageRank: a sybil cluster cannot
//! collect it). Trust sums to 1 at every step. An account reached by no
//! path from a seed has 0; an account's edges pass on only what it holds,
//! so attestations from low-trust accounts weigh little by construction.
//! Iterates until the L1 change of a step is below `tolerance`, or
//! `max_iterations`.

use super::graph::TrustGraph;

/// The knobs of [`personalised_pagerank`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrustParams {
    /// Probability of following an edge rather than jumping to a seed
    /// (0.85).
    pub damping: f64,
    /// Stop once a step changes the vector by less than this (L1, 1e-9).
    pub tolerance: f64,
    /// Stop after this many steps whatever the change (200).
    pub max_iterations: u32,
}

impl Default for TrustParams {
    fn default() -> Self {
        TrustParams {
            damping: 0.85,
            tolerance: 1e-9,
            max_iterations: 200,
        }
    }
}

/// What [`personalised_pagerank`] computed.
#[derive(Debug, Clone)]
pub struct TrustVector {
    /// Trust per account; sums to 1 (or all 0 without seeds).
    pub trust: Vec<f64>,
    /// Steps taken.
    pub iterations: u32,
    /// L1 change of the last step.
    pub residual: f64,
    /// Whether the residual fell below the tolerance.
    pub converged: bool,
}

/// Computes trust over `graph` from `seeds` (indexes; repeats and indexes
/// out of range are ignored). Without seeds every account has 0: trust
/// here always starts from someone the node's admins vouch for.
pub fn personalised_pagerank(
    graph: &TrustGraph,
    seeds: &[u32],
    params: &TrustParams,
) -> TrustVector {
    let n = graph.accounts();
    let mut seed_list: Vec<u32> = seeds
        .iter()
        .copied()
        .filter(|&s| (s as usize) < n)
        .collect();
    seed_list.sort_unstable();
    seed_list.dedup();
    if seed_list.is_empty() {
        return TrustVector {
            trust: vec![0.0; n],
            iterations: 0,
            residual: 0.0,
            converged: true,
        };
    }
    let d = params.damping.clamp(0.0, 1.0);
    let per_seed = 1.0 / seed_list.len() as f64;
    let mut trust = vec![0.0f64; n];
    for &s in &seed_list {
        trust[s as usize] = per_seed;
    }
    let mut next = vec![0.0f64; n];
    let mut iterations = 0;
    let mut residual = f64::INFINITY;
    while iterations < params.max_iterations {
        iterations += 1;
        next.iter_mut().for_each(|x| *x = 0.0);
        let mut dangling = 0.0f64;
        for u in 0..n as u32 {
            let t = trust[u as usize];
            if t == 0.0 {
                continue;
            }
            if graph.is_dangling(u) {
                dangling += t;
                continue;
            }
            let mut passed = 0.0f64;
            for (v, share) in graph.out(u) {
                let flow = t * f64::from(share);
                next[v as usize] += d * flow;
                passed += flow;
            }
            // Rounding of the f32 shares: what a row does not pass on goes
            // back to the seeds, so the total stays 1.
            dangling += (t - passed).max(0.0);
        }
        let back = ((1.0 - d) + d * dangling) * per_seed;
        for &s in &seed_list {
            next[s as usize] += back;
        }
        // Renormalise away floating-point drift.
        let sum: f64 = next.iter().sum();
        if sum > 0.0 {
            next.iter_mut().for_each(|x| *x /= sum);
        }
        residual = trust.iter().zip(&next).map(|(a, b)| (a - b).abs()).sum();
        std::mem::swap(&mut trust, &mut next);
        if residual < params.tolerance {
            break;
        }
    }
    TrustVector {
        trust,
        iterations,
        residual,
        converged: residual < params.tolerance,
    }
}

/// The median of the positive values of `trust` (0 when none is).
pub fn median_positive(trust: &[f64]) -> f64 {
    let mut positive: Vec<f64> = trust.iter().copied().filter(|&t| t > 0.0).collect();
    if positive.is_empty() {
        return 0.0;
    }
    let mid = positive.len() / 2;
    let (_, m, _) = positive.select_nth_unstable_by(mid, f64::total_cmp);
    *m
}

/// Ranks (1 = most trusted) for every account, ties broken by index.
pub fn ranks(trust: &[f64]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..trust.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| {
        trust[b as usize]
            .total_cmp(&trust[a as usize])
            .then(a.cmp(&b))
    });
    let mut rank = vec![0u32; trust.len()];
    for (i, &u) in order.iter().enumerate() {
        rank[u as usize] = i as u32 + 1;
    }
    rank
}
