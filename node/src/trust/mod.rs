//! Trust: who this node believes, computed locally over the graph of
//! signed attestations and follows, persisted, and explained.
//!
//! # The computation
//! Personalised PageRank in EigenTrust's form ([`pagerank`]) over a compact
//! graph ([`graph`]): every active person account known here (members and
//! remote accounts; groups, suspended and deleted accounts are left out)
//! is a vertex; each attestation (any kind: `skill`, `attended:`,
//! `certificate:`…, read from the same `Attestation` table) and each
//! follow is an edge from the one who makes it. The walk restarts at the
//! **seeds**: the node's admins and the members an admin marks trusted
//! ([`Node::set_trusted`]). An account passes on only the trust it holds,
//! shared across its edges: attestations get 0.8 of it and follows 0.2
//! when it makes both ([`graph::EdgeWeights`]); trust of accounts with no
//! edge goes back to the seeds. A sybil ring that only attests itself
//! holds what flows in through its few edges from the honest region, and
//! no more.
//!
//! # Persisted results and the schedule
//! `TrustScore` (per account: trust, rank, trust factor, edge counts,
//! computed-at) and `TrustRunState` (the run's figures) are written in one
//! write, replacing the previous run whole. [`run_trust_worker`] looks
//! every minute: it recomputes when the seeds changed since the last run
//! (a trusted mark bumps `TrustSeedChanges`), and otherwise every ten
//! minutes, storing only when the graph's fingerprint changed. Admins can
//! recompute at once ([`Node::recompute_trust_now`]).
//!
//! # Trust factor
//! [`Node::trust_factor`] = `min(1, trust / median)`, where `median` is the
//! median trust of the accounts the run reached (trust > 0): half of the
//! reached accounts, the seeds among them, count fully; an account no
//! trusted path reaches counts 0, and so does one that joined after the
//! last run, until the next. Before trust is established (no run yet, or
//! the last run had no seed: a node without admins) every account counts
//! 1, since nothing is known to weigh by.
//!
//! # Reputation
//! See [`explain`]: per-claim scores are the trust that flowed to the
//! member through attestations of that claim, on a scale where 100 is the
//! trust an average account holds.

mod build;
pub mod explain;
pub mod graph;
mod job;
pub mod pagerank;
mod seeds;
pub mod synthetic;

#[cfg(feature = "bench-seed")]
mod bench_seed;

#[cfg(test)]
mod core_tests;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::id::Id;

pub use explain::{ExplainedReputation, Explanation, PathStep};
pub use job::run_trust_worker;
pub use seeds::TrustStanding;

/// One account's trust as last computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrustScore {
    /// Share of the node's trust (all accounts sum to 1).
    pub trust: f64,
    /// 1 = most trusted.
    pub rank: u32,
    /// `min(1, trust / median)` (see the module's doc).
    pub factor: f64,
    /// Attestations this account made (its edges' share depends on them).
    pub attests: u32,
    /// Follows this account made.
    pub follows: u32,
    /// Whether it is a seed (an admin, or marked trusted).
    pub seed: bool,
    /// When it was computed (ms).
    pub computed_at: i64,
}

/// An admin's mark that a member is trusted (a seed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustedMark {
    /// The admin who marked them.
    pub by: Id,
    /// When (ms).
    pub at: i64,
}

/// The last trust computation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrustRun {
    /// When it ran (ms).
    pub computed_at: i64,
    /// blake3 of the graph, the accounts and the seeds, hex.
    pub fingerprint: String,
    /// Accounts in the graph.
    pub accounts: u32,
    /// Distinct edges.
    pub edges: u64,
    /// Seeds (admins and trusted members).
    pub seeds: u32,
    /// Steps of the iteration.
    pub iterations: u32,
    /// Its last L1 change.
    pub residual: f64,
    /// Whether it converged (else it stopped at the step bound).
    pub converged: bool,
    /// Median trust of the accounts reached (the factor's reference).
    pub median: f64,
    /// How long it took, graph reading included (ms).
    pub duration_ms: u64,
    /// `TrustSeedChanges` when the graph was read.
    pub seed_changes: i64,
    /// The damping used.
    pub damping: f64,
    /// The attestations' part of an account's weight.
    pub attestation_part: f64,
}
