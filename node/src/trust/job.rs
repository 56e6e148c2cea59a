//! Computing trust and storing it: on demand, and on a schedule by
//! [`run_trust_worker`].

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

use tracing::Instrument;

use super::build::{graph_from_store, StoreGraph};
use super::graph::EdgeWeights;
use super::pagerank::{median_positive, personalised_pagerank, ranks, TrustParams, TrustVector};
use super::{TrustRun, TrustScore};
use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::{now_ms, Role};
use crate::node::{Node, Viewer};
use crate::store::tables;

/// How often the worker looks whether the seeds changed (ms).
pub const LOOK_EVERY_MS: i64 = 60_000;
/// How often the worker reads the whole graph to see whether it changed
/// (ms): ten minutes.
pub const RECOMPUTE_EVERY_MS: i64 = 10 * 60_000;

/// A computed run, not yet stored.
pub(crate) struct Computed {
    pub graph: StoreGraph,
    pub vector: TrustVector,
    pub duration_ms: u64,
}

impl Node {
    /// Reads the graph and computes trust (CPU-bound: seconds at 100,000
    /// accounts; call it off the async runtime).
    pub(crate) fn compute_trust(&self) -> NodeResult<Computed> {
        let started = Instant::now();
        let graph = graph_from_store(&self.store, EdgeWeights::default())?;
        let vector = personalised_pagerank(&graph.graph, &graph.seeds, &TrustParams::default());
        Ok(Computed {
            graph,
            vector,
            duration_ms: started.elapsed().as_millis() as u64,
        })
    }

    /// Stores a computed run in one write, replacing the previous run
    /// whole; returns its figures.
    pub(crate) async fn store_trust(&self, computed: Computed) -> NodeResult<TrustRun> {
        let Computed {
            graph,
            vector,
            duration_ms,
        } = computed;
        let now = now_ms();
        let median = median_positive(&vector.trust);
        let rank = ranks(&vector.trust);
        let params = TrustParams::default();
        let run = TrustRun {
            computed_at: now,
            fingerprint: hex(&graph.fingerprint),
            accounts: graph.ids.len() as u32,
            edges: graph.graph.edges() as u64,
            seeds: graph.seeds.len() as u32,
            iterations: vector.iterations,
            residual: vector.residual,
            converged: vector.converged,
            median,
            duration_ms,
            seed_changes: graph.seed_changes,
            damping: params.damping,
            attestation_part: f64::from(EdgeWeights::default().attestations),
        };
        let seeds: HashSet<u32> = graph.seeds.iter().copied().collect();
        let candidates = reputation_candidates(&graph.ids, &vector.trust);
        let stored = run.clone();
        self.write(move |txn| {
            let kept: HashSet<Id> = graph.ids.iter().copied().collect();
            let stale: Vec<Id> = txn
                .scan::<tables::TrustScore>((), false)
                .keys()
                .filter_map(Result::ok)
                .filter(|id| !kept.contains(id))
                .collect();
            for id in stale {
                txn.remove::<tables::TrustScore>(id);
            }
            for (i, id) in graph.ids.iter().enumerate() {
                let u = i as u32;
                let trust = vector.trust[i];
                let factor = if seeds.is_empty() {
                    // No seed: trust is not established, nothing to
                    // weigh by.
                    1.0
                } else if median > 0.0 {
                    (trust / median).min(1.0)
                } else {
                    0.0
                };
                let score = TrustScore {
                    trust,
                    rank: rank[i],
                    factor,
                    attests: graph.graph.attests(u),
                    follows: graph.graph.follows(u),
                    seed: seeds.contains(&u),
                    computed_at: now,
                };
                txn.store::<tables::TrustScore>(*id, &score)?;
            }
            txn.store::<tables::TrustRunState>((), &stored)
        })
        .await?;
        tracing::info!(
            accounts = run.accounts,
            edges = run.edges,
            seeds = run.seeds,
            iterations = run.iterations,
            duration_ms = run.duration_ms,
            "trust computed"
        );
        self.check_reputation_badges(&candidates).await?;
        Ok(run)
    }

    /// Checks the reputation badge rules (`ahli`) of `members` against
    /// the reputation the new run gives them, a hundred members a write.
    async fn check_reputation_badges(&self, members: &[Id]) -> NodeResult<()> {
        let local: Vec<Id> = members
            .iter()
            .copied()
            .filter(|id| matches!(self.member(*id), Ok(Some(m)) if m.is_local()))
            .collect();
        for chunk in local.chunks(REPUTATION_CHECKS_PER_WRITE) {
            self.write(|txn| {
                let now = now_ms();
                for &member in chunk {
                    self.check_badges(
                        txn,
                        member,
                        &[crate::gamification::Metric::Reputation],
                        now,
                    )?;
                }
                Ok(())
            })
            .await?;
        }
        Ok(())
    }

    /// The last run's figures, if trust was ever computed.
    pub fn trust_run(&self) -> NodeResult<Option<TrustRun>> {
        self.store.load::<tables::TrustRunState>(())
    }

    /// The last run's figures, for moderators (`None` before the first).
    pub fn trust_overview(&self, viewer: &Viewer) -> NodeResult<Option<TrustRun>> {
        if !viewer.has_role(Role::Moderator) {
            return Err(NodeError::Forbidden("only moderators can see this"));
        }
        self.trust_run()
    }

    /// An account's trust as last computed, if it was reached.
    pub fn trust_score(&self, member: Id) -> NodeResult<Option<TrustScore>> {
        self.store.load::<tables::TrustScore>(member)
    }

    /// How much `member`'s actions count, in [0, 1]: `min(1, trust /
    /// median)` of the last run (see [`crate::trust`]); 0 for an account
    /// the last run did not include (joined since, or unreachable); 1
    /// before trust was ever computed with a seed (no run yet, or a run
    /// on a node without admins). One read (two for an account without a
    /// score).
    pub fn trust_factor(&self, member: Id) -> NodeResult<f64> {
        if let Some(score) = self.store.load::<tables::TrustScore>(member)? {
            return Ok(score.factor);
        }
        Ok(match self.trust_run()? {
            Some(run) if run.seeds > 0 => 0.0,
            _ => 1.0,
        })
    }

    /// Whether the seeds changed since the last run (or there was none).
    pub fn trust_is_stale(&self) -> NodeResult<bool> {
        let changes = self.store.counter::<tables::TrustSeedChanges>(())?;
        Ok(match self.trust_run()? {
            None => true,
            Some(run) => run.seed_changes != changes,
        })
    }

    /// Recomputes trust now and stores it (admins: the panel's "recompute
    /// now").
    pub async fn recompute_trust_now(self: Arc<Self>, viewer: &Viewer) -> NodeResult<TrustRun> {
        if !viewer.has_role(Role::Admin) {
            return Err(NodeError::Forbidden("only admins can recompute trust"));
        }
        let computed = self.clone().compute_off_runtime().await?;
        let run = self.store_trust(computed).await?;
        let who = viewer.member()?.username.clone();
        let detail = format!(
            "{} accounts, {} edges, {} seeds, {} ms",
            run.accounts, run.edges, run.seeds, run.duration_ms
        );
        self.write(|txn| self.audit(txn, Some(viewer), "trust.recompute", &who, &detail))
            .await?;
        Ok(run)
    }

    /// [`Node::compute_trust`] on a blocking thread.
    async fn compute_off_runtime(self: Arc<Self>) -> NodeResult<Computed> {
        tokio::task::spawn_blocking(move || self.compute_trust())
            .await
            .map_err(|e| NodeError::Internal(e.to_string()))?
    }

    /// One look of the worker: recomputes when the seeds changed or
    /// `full` (the ten-minute look) is set, and stores the result when the
    /// seeds changed or the graph's fingerprint did. Whether it stored.
    pub(crate) async fn trust_look(self: Arc<Self>, full: bool) -> NodeResult<bool> {
        let stale = self.trust_is_stale()?;
        if !stale && !full {
            return Ok(false);
        }
        let computed = self.clone().compute_off_runtime().await?;
        let unchanged = !stale
            && self
                .trust_run()?
                .is_some_and(|run| run.fingerprint == hex(&computed.graph.fingerprint));
        if unchanged {
            return Ok(false);
        }
        self.store_trust(computed).await?;
        Ok(true)
    }
}

/// Keeps trust current until `shutdown` turns true: looks every minute,
/// recomputes at once when an admin changed the seeds, and every ten
/// minutes when the graph changed.
#[tracing::instrument(name = "trust_worker", skip_all)]
pub async fn run_trust_worker(node: Arc<Node>, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let mut last_full: Option<Instant> = None;
    loop {
        if *shutdown.borrow() {
            break;
        }
        let full = last_full.is_none_or(|t| t.elapsed().as_millis() as i64 >= RECOMPUTE_EVERY_MS);
        let looked = node
            .clone()
            .trust_look(full)
            .instrument(tracing::info_span!("trust_look", full));
        match looked.await {
            Ok(stored) => {
                if stored {
                    tracing::debug!("trust stored");
                }
            }
            Err(e) => tracing::warn!(error = %e, "computing trust"),
        }
        if full {
            last_full = Some(Instant::now());
        }
        let wait = std::time::Duration::from_millis(LOOK_EVERY_MS as u64);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => {}
        }
    }
}

fn hex(bytes: &[u8; 32]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Most accounts whose reputation badges a run checks.
const REPUTATION_CHECKS: usize = 1_000;

/// Accounts whose reputation badges one write checks.
const REPUTATION_CHECKS_PER_WRITE: usize = 100;

/// The accounts whose reputation badges a run checks: the most trusted
/// [`REPUTATION_CHECKS`] among those holding at least the average trust.
/// A reputation (the trust attestations carry in, × 100 × accounts) is at
/// most 100 × accounts × the account's own trust (which includes all that
/// flows in), so an account below the average cannot reach 100, and
/// `ahli` (1000) needs ten times the average.
fn reputation_candidates(ids: &[Id], trust: &[f64]) -> Vec<Id> {
    let bar = 1.0 / ids.len().max(1) as f64;
    let mut candidates: Vec<(f64, Id)> = ids
        .iter()
        .zip(trust)
        .filter(|(_, t)| **t >= bar)
        .map(|(id, t)| (*t, *id))
        .collect();
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
    candidates.truncate(REPUTATION_CHECKS);
    candidates.into_iter().map(|(_, id)| id).collect()
}
