//! The trust graph: accounts as dense `u32` indexes, their attestations and
//! follows as weighted edges in compressed sparse rows (CSR).
//!
//! Pure: no store, no I/O. [`GraphBuilder`] takes raw edges in any order;
//! [`GraphBuilder::build`] drops self-loops, sorts the edges by source
//! (counting sort), merges repeated (source, target) pairs and gives each
//! edge its share of the source's outgoing weight (see [`EdgeWeights`]).
//! Memory: 4 bytes per account for offsets plus 8 bytes per distinct edge,
//! and the builder's 9 bytes per raw edge until `build` returns.

/// What an edge says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum EdgeKind {
    /// A signed attestation (any kind: skill, attended, certificate...).
    Attestation = 0,
    /// A follow.
    Follow = 1,
}

impl EdgeKind {
    /// The word the API uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Attestation => "attestation",
            Self::Follow => "follow",
        }
    }
}

/// How an account's outgoing weight is split between what it attests and
/// whom it follows.
///
/// An account that both attests and follows gives `attestations` (0.8 by
/// default) of its weight to its attestations, shared equally among them,
/// and the rest (0.2) to its follows, shared equally among them. An
/// account that does only one of the two gives that kind all of its
/// weight, so no weight is dropped. An attestation is a statement about a
/// quality, signed and revocable; a follow is interest, cheap and often
/// reciprocal: hence the 4 : 1 split.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EdgeWeights {
    /// The attestations' part of an account's weight when it also follows
    /// (0 < x ≤ 1).
    pub attestations: f32,
}

impl Default for EdgeWeights {
    fn default() -> Self {
        EdgeWeights { attestations: 0.8 }
    }
}

impl EdgeWeights {
    /// The share one edge of `kind` gets of its source's weight, when the
    /// source has `attests` attestation edges and `follows` follow edges.
    pub fn share(&self, kind: EdgeKind, attests: u32, follows: u32) -> f32 {
        let (part, count) = match kind {
            EdgeKind::Attestation if follows == 0 => (1.0, attests),
            EdgeKind::Attestation => (self.attestations, attests),
            EdgeKind::Follow if attests == 0 => (1.0, follows),
            EdgeKind::Follow => (1.0 - self.attestations, follows),
        };
        if count == 0 {
            0.0
        } else {
            part / count as f32
        }
    }
}

/// Collects edges between `accounts` indexes.
#[derive(Debug, Default)]
pub struct GraphBuilder {
    accounts: u32,
    from: Vec<u32>,
    to: Vec<u32>,
    kind: Vec<EdgeKind>,
}

impl GraphBuilder {
    /// A builder for `accounts` accounts (indexes `0..accounts`).
    pub fn new(accounts: u32) -> Self {
        GraphBuilder {
            accounts,
            ..GraphBuilder::default()
        }
    }

    /// Reserves room for `edges` more edges.
    pub fn reserve(&mut self, edges: usize) {
        self.from.reserve(edges);
        self.to.reserve(edges);
        self.kind.reserve(edges);
    }

    /// Adds an edge; an index out of range or a self-loop is ignored.
    pub fn add(&mut self, from: u32, to: u32, kind: EdgeKind) {
        if from == to || from >= self.accounts || to >= self.accounts {
            return;
        }
        self.from.push(from);
        self.to.push(to);
        self.kind.push(kind);
    }

    /// Raw edges added so far (before merging).
    pub fn len(&self) -> usize {
        self.from.len()
    }

    /// Whether no edge was added.
    pub fn is_empty(&self) -> bool {
        self.from.is_empty()
    }

    /// The graph, each edge weighted by `weights`.
    pub fn build(self, weights: EdgeWeights) -> TrustGraph {
        let n = self.accounts as usize;
        let mut attests = vec![0u32; n];
        let mut follows = vec![0u32; n];
        let mut offsets = vec![0u32; n + 1];
        for (i, &f) in self.from.iter().enumerate() {
            offsets[f as usize + 1] += 1;
            match self.kind[i] {
                EdgeKind::Attestation => attests[f as usize] += 1,
                EdgeKind::Follow => follows[f as usize] += 1,
            }
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let total = self.from.len();
        let mut targets = vec![0u32; total];
        let mut shares = vec![0f32; total];
        let mut next: Vec<u32> = offsets[..n].to_vec();
        for i in 0..total {
            let f = self.from[i] as usize;
            let slot = next[f] as usize;
            next[f] += 1;
            targets[slot] = self.to[i];
            shares[slot] = weights.share(self.kind[i], attests[f], follows[f]);
        }
        drop(next);
        drop(self.from);
        drop(self.to);
        drop(self.kind);
        // Sort each row by target and merge repeated targets, compacting
        // in place.
        let mut write = 0usize;
        let mut row: Vec<(u32, f32)> = Vec::new();
        let mut new_offsets = vec![0u32; n + 1];
        for u in 0..n {
            let (start, end) = (offsets[u] as usize, offsets[u + 1] as usize);
            row.clear();
            row.extend((start..end).map(|i| (targets[i], shares[i])));
            row.sort_unstable_by_key(|&(t, _)| t);
            let mut last: Option<u32> = None;
            for &(t, w) in &row {
                if last == Some(t) {
                    shares[write - 1] += w;
                } else {
                    targets[write] = t;
                    shares[write] = w;
                    write += 1;
                    last = Some(t);
                }
            }
            new_offsets[u + 1] = write as u32;
        }
        targets.truncate(write);
        shares.truncate(write);
        targets.shrink_to_fit();
        shares.shrink_to_fit();
        TrustGraph {
            offsets: new_offsets,
            targets,
            shares,
            attests,
            follows,
        }
    }
}

/// Accounts and their weighted outgoing edges, in CSR form.
#[derive(Debug, Clone)]
pub struct TrustGraph {
    /// Row `u` is `offsets[u]..offsets[u + 1]` of `targets` and `shares`.
    offsets: Vec<u32>,
    targets: Vec<u32>,
    /// Each edge's share of its source's weight; a row sums to 1 (or the
    /// row is empty: a dangling account).
    shares: Vec<f32>,
    /// Attestation edges each account made (before merging).
    attests: Vec<u32>,
    /// Follow edges each account made (before merging).
    follows: Vec<u32>,
}

impl TrustGraph {
    /// Number of accounts.
    pub fn accounts(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Number of distinct edges.
    pub fn edges(&self) -> usize {
        self.targets.len()
    }

    /// The targets of `u` and each one's share of `u`'s weight.
    pub fn out(&self, u: u32) -> impl Iterator<Item = (u32, f32)> + '_ {
        let (s, e) = (
            self.offsets[u as usize] as usize,
            self.offsets[u as usize + 1] as usize,
        );
        self.targets[s..e]
            .iter()
            .copied()
            .zip(self.shares[s..e].iter().copied())
    }

    /// Attestation edges `u` made.
    pub fn attests(&self, u: u32) -> u32 {
        self.attests[u as usize]
    }

    /// Follow edges `u` made.
    pub fn follows(&self, u: u32) -> u32 {
        self.follows[u as usize]
    }

    /// Whether `u` has no outgoing edge.
    pub fn is_dangling(&self, u: u32) -> bool {
        self.offsets[u as usize] == self.offsets[u as usize + 1]
    }

    /// blake3 over the rows and weights: equal graphs give equal
    /// fingerprints, so an unchanged graph need not be stored again.
    pub fn fingerprint(&self, seeds: &[u32]) -> [u8; 32] {
        let mut h = blake3::Hasher::new();
        hash_words(&mut h, self.offsets.iter().copied());
        hash_words(&mut h, self.targets.iter().copied());
        hash_words(&mut h, self.shares.iter().map(|w| w.to_bits()));
        hash_words(&mut h, seeds.iter().copied());
        *h.finalize().as_bytes()
    }

    /// Bytes held by the arrays (for the benchmark's report).
    pub fn heap_bytes(&self) -> usize {
        4 * (self.offsets.len()
            + self.targets.len()
            + self.shares.len()
            + self.attests.len()
            + self.follows.len())
    }
}

/// Feeds `words` to `h` through a buffer, with their count first.
fn hash_words(h: &mut blake3::Hasher, words: impl ExactSizeIterator<Item = u32>) {
    h.update(&(words.len() as u64).to_le_bytes());
    let mut buf = Vec::with_capacity(16 * 1024);
    for w in words {
        buf.extend_from_slice(&w.to_le_bytes());
        if buf.len() >= 16 * 1024 {
            h.update(&buf);
            buf.clear();
        }
    }
    h.update(&buf);
}
