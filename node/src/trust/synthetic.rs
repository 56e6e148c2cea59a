//! Synthetic trust graphs for the sybil measurement and the benchmark: a
//! preferential-attachment network of honest accounts (a few accounts
//! gather most edges, as in real communities) and a densely connected
//! sybil region. Deterministic for a given seed.

use super::graph::EdgeKind;

/// SplitMix64: a small, fast, deterministic generator.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u32) -> u32 {
        (((self.next_u64() >> 32) * u64::from(n)) >> 32) as u32
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

/// A directed edge.
pub type Edge = (u32, u32, EdgeKind);

/// Accounts `0..n`, each new one linking to `m` earlier accounts picked
/// in proportion to their degree (Barabási–Albert); each link is followed
/// back with probability `follow_back`; an edge is an attestation with
/// probability `attest`, else a follow. About `n × m × (1 + follow_back)`
/// edges.
pub fn preferential_attachment(
    n: u32,
    m: u32,
    follow_back: f64,
    attest: f64,
    rng: &mut Rng,
) -> Vec<Edge> {
    let mut edges =
        Vec::with_capacity((f64::from(n) * f64::from(m) * (1.0 + follow_back)) as usize);
    let mut ends: Vec<u32> = Vec::with_capacity((2 * n * m) as usize);
    let kind = |rng: &mut Rng| {
        if rng.chance(attest) {
            EdgeKind::Attestation
        } else {
            EdgeKind::Follow
        }
    };
    let start = (m + 1).min(n);
    for a in 0..start {
        for b in 0..start {
            if a != b {
                edges.push((a, b, kind(rng)));
                ends.push(a);
            }
        }
    }
    let mut picked = Vec::with_capacity(m as usize);
    for v in start..n {
        picked.clear();
        let mut tries = 0;
        while picked.len() < m as usize && tries < 20 * m {
            tries += 1;
            let t = ends[rng.below(ends.len() as u32) as usize];
            if !picked.contains(&t) {
                picked.push(t);
            }
        }
        for &t in &picked {
            edges.push((v, t, kind(rng)));
            ends.push(t);
            ends.push(v);
            if rng.chance(follow_back) {
                edges.push((t, v, kind(rng)));
            }
        }
    }
    edges
}

/// A sybil region of accounts `first..first + count`: each attests `per`
/// other sybils picked at random (sybils attest each other densely).
pub fn sybil_region(first: u32, count: u32, per: u32, rng: &mut Rng) -> Vec<Edge> {
    let mut edges = Vec::with_capacity((count * per) as usize);
    for i in 0..count {
        let mut made = 0;
        while made < per {
            let j = rng.below(count);
            if j != i {
                edges.push((first + i, first + j, EdgeKind::Attestation));
                made += 1;
            }
        }
    }
    edges
}
