//! Reputation with its explanation: the score, the per-claim scores, the
//! attesters who contributed most, and paths from a seed to the member.
//!
//! # Scale
//! An attestation passes on `damping × trust(attester) × share`, where
//! `share` is the attestation's part of the attester's weight
//! ([`super::graph::EdgeWeights`]). A claim's score is the sum of what its
//! attestations passed on, times `100 × accounts`: **100 is the trust an
//! average account holds** (trust sums to 1 over the accounts), so the
//! `ahli` badge's "reputation ≥ 1000" means attestations carrying ten
//! times the average account's trust. The score is the sum of the claims'
//! scores. Follows add to trust (and pass it on) but to no claim.
//! Everything is read from the last run's stored trust: the reputation
//! moves when trust is recomputed.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use super::graph::{EdgeKind, EdgeWeights};
use super::pagerank::TrustParams;
use super::TrustScore;
use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::Member;
use crate::node::Node;
use crate::store::tables;

/// Most attestations about one member read.
const MAX_ATTESTATIONS: usize = 1_000;
/// Most incoming edges of each kind read at each step of a path.
const MAX_IN_EDGES: usize = 200;
/// Most attesters named.
const TOP_ATTESTERS: usize = 10;
/// Most paths traced.
const TOP_PATHS: usize = 3;
/// Longest path traced back (edges).
const MAX_PATH_EDGES: usize = 6;

/// The attestation kinds read from a claim's prefix (`attended:<event>`);
/// a claim without one of these prefixes is a `skill`.
const KINDS: [&str; 4] = ["attended", "certificate", "mentored", "contribution"];

/// The formula, in words.
pub const FORMULA: &str = "Trust is personalised PageRank from the node's seeds (its admins and \
the members they mark trusted), damping 0.85: each account passes on the trust it holds, 80 % \
shared across its attestations and 20 % across its follows (all of it to one kind if it makes \
only that kind), and the rest returns to the seeds. A claim's score is the trust its \
attestations passed on (damping x attester's trust x the attestation's share) x 100 x the \
number of accounts, so 100 is what an average account holds; the score is the sum over claims.";

/// A member's reputation: `{"score", "claims", "explain"}`.
#[derive(Debug, Clone, Serialize)]
pub struct ExplainedReputation {
    /// Sum of the claims' scores.
    pub score: f64,
    /// Score per claim.
    pub claims: BTreeMap<String, f64>,
    /// Why: the formula, the member's trust, the top attesters, paths.
    pub explain: Vec<Explanation>,
}

/// One part of an explanation.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Explanation {
    /// The formula in words.
    Formula {
        /// The text.
        text: String,
    },
    /// Trust was never computed on this node, or this account was not in
    /// the last run.
    NotComputed {
        /// Why.
        text: String,
    },
    /// The member's own trust.
    Trust {
        /// The member.
        account: String,
        /// Their share of the node's trust.
        trust: f64,
        /// 1 = most trusted.
        rank: u32,
        /// Accounts ranked.
        of: u32,
        /// Their trust factor (see `Node::trust_factor`).
        factor: f64,
        /// Whether they are a seed.
        seed: bool,
        /// When it was computed (ms).
        computed_at: i64,
    },
    /// An attester and what their attestation contributed.
    Attester {
        /// The attester (username, `name@host` for another server's).
        account: String,
        /// Their did:key.
        did: String,
        /// Their trust.
        trust: f64,
        /// Always `attestation`.
        edge: &'static str,
        /// `skill`, `attended`, `certificate`, `mentored` or `contribution`.
        attestation_kind: String,
        /// The claim.
        claim: String,
        /// The attestation's part of the attester's weight.
        share: f64,
        /// What it added to the claim's score.
        contribution: f64,
    },
    /// How trust reached the member: from a seed, along the largest
    /// contribution at each step (traced back from the member).
    Path {
        /// Whether the trace reached a seed (else it stopped at its bound
        /// or at an account with no trusted incoming edge).
        reaches_seed: bool,
        /// Seed first, the member last.
        steps: Vec<PathStep>,
    },
}

/// One account on a path.
#[derive(Debug, Clone, Serialize)]
pub struct PathStep {
    /// The account.
    pub account: String,
    /// Its trust.
    pub trust: f64,
    /// The edge from the previous step to this one (`attestation` or
    /// `follow`); none for the first step.
    pub edge: Option<&'static str>,
    /// The claim, for an attestation.
    pub claim: Option<String>,
    /// What that edge passed on, on the score's scale.
    pub flow: Option<f64>,
}

/// An edge into an account, with what it passed on.
#[derive(Debug, Clone)]
struct InEdge {
    from: Id,
    from_trust: TrustScore,
    kind: EdgeKind,
    claim: Option<String>,
    share: f64,
    flow: f64,
}

/// The attestation kind of a claim.
pub fn attestation_kind(claim: &str) -> &'static str {
    claim
        .split_once(':')
        .and_then(|(prefix, _)| KINDS.iter().find(|k| **k == prefix).copied())
        .unwrap_or("skill")
}

impl Node {
    /// The reputation of the member named `username` (or did:key), with
    /// its explanation.
    pub fn explained_reputation(&self, username: &str) -> NodeResult<ExplainedReputation> {
        let member = self
            .member_by_name(username)?
            .filter(|m| m.deleted_at.is_none())
            .ok_or(NodeError::NotFound("member"))?;
        self.explain_reputation(&member)
    }

    /// [`Node::explained_reputation`] of a member already loaded.
    pub fn explain_reputation(&self, member: &Member) -> NodeResult<ExplainedReputation> {
        let mut explain = vec![Explanation::Formula {
            text: FORMULA.to_string(),
        }];
        let empty = |explain: Vec<Explanation>| ExplainedReputation {
            score: 0.0,
            claims: BTreeMap::new(),
            explain,
        };
        let Some(run) = self.trust_run()? else {
            explain.push(Explanation::NotComputed {
                text: "trust has not been computed on this node yet".into(),
            });
            return Ok(empty(explain));
        };
        let scale = 100.0 * f64::from(run.accounts);
        match self.trust_score(member.id)? {
            Some(own) => explain.push(Explanation::Trust {
                account: member.username.clone(),
                trust: own.trust,
                rank: own.rank,
                of: run.accounts,
                factor: own.factor,
                seed: own.seed,
                computed_at: own.computed_at,
            }),
            None => explain.push(Explanation::NotComputed {
                text: format!(
                    "{} was not in the last trust computation (joined since, suspended, or a group)",
                    member.username
                ),
            }),
        }
        let attested = self.attestations_into(member, MAX_ATTESTATIONS, scale)?;
        let mut claims: BTreeMap<String, f64> = BTreeMap::new();
        for e in &attested {
            if let Some(claim) = &e.claim {
                *claims.entry(claim.clone()).or_default() += e.flow;
            }
        }
        let score = claims.values().sum();
        let mut top = attested.clone();
        top.sort_by(|a, b| b.flow.total_cmp(&a.flow));
        for e in top.iter().take(TOP_ATTESTERS).filter(|e| e.flow > 0.0) {
            let attester = self.member(e.from)?;
            let claim = e.claim.clone().unwrap_or_default();
            explain.push(Explanation::Attester {
                account: attester
                    .as_ref()
                    .map(|m| m.username.clone())
                    .unwrap_or_default(),
                did: attester.as_ref().map(Member::did).unwrap_or_default(),
                trust: e.from_trust.trust,
                edge: EdgeKind::Attestation.as_str(),
                attestation_kind: attestation_kind(&claim).to_string(),
                claim,
                share: e.share,
                contribution: e.flow,
            });
        }
        for path in self.trust_paths(member, scale)? {
            explain.push(path);
        }
        Ok(ExplainedReputation {
            score,
            claims,
            explain,
        })
    }

    /// The reputation score alone, as [`Node::explain_reputation`] counts
    /// it (0 before trust was computed): what badge rules read.
    pub(crate) fn reputation_score(&self, member: &Member) -> NodeResult<f64> {
        let Some(run) = self.trust_run()? else {
            return Ok(0.0);
        };
        let scale = 100.0 * f64::from(run.accounts);
        let attested = self.attestations_into(member, MAX_ATTESTATIONS, scale)?;
        Ok(attested
            .iter()
            .filter(|e| e.claim.is_some())
            .map(|e| e.flow)
            .sum())
    }

    /// Attestations about `member`, each with what it passed on.
    fn attestations_into(
        &self,
        member: &Member,
        limit: usize,
        scale: f64,
    ) -> NodeResult<Vec<InEdge>> {
        if member.remote.as_ref().is_some_and(|r| !r.has_ed25519) {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        let prefix = member.keys.ed25519_public.as_bytes();
        for record in self
            .store
            .scan::<tables::Attestation>((prefix,), false)
            .values()
            .take(limit)
        {
            let record = record?;
            let Some(from) = self.store.load::<tables::MemberByKey>(&record.attester)? else {
                continue;
            };
            if let Some(edge) =
                self.in_edge(from, EdgeKind::Attestation, Some(record.claim), scale)?
            {
                out.push(edge);
            }
        }
        Ok(out)
    }

    /// Follows of `member`, each with what it passed on.
    fn follows_into(&self, member: Id, limit: usize, scale: f64) -> NodeResult<Vec<InEdge>> {
        let mut out = Vec::new();
        for key in self
            .store
            .scan::<tables::Followers>((member,), false)
            .keys()
            .take(limit)
        {
            let (_, follower) = key?;
            if let Some(edge) = self.in_edge(follower, EdgeKind::Follow, None, scale)? {
                out.push(edge);
            }
        }
        Ok(out)
    }

    fn in_edge(
        &self,
        from: Id,
        kind: EdgeKind,
        claim: Option<String>,
        scale: f64,
    ) -> NodeResult<Option<InEdge>> {
        let Some(from_trust) = self.trust_score(from)? else {
            return Ok(None);
        };
        let share = f64::from(
            EdgeWeights::default().share(
                kind,
                from_trust
                    .attests
                    .max(u32::from(kind == EdgeKind::Attestation)),
                from_trust.follows.max(u32::from(kind == EdgeKind::Follow)),
            ),
        );
        let flow = TrustParams::default().damping * from_trust.trust * share * scale;
        Ok(Some(InEdge {
            from,
            from_trust,
            kind,
            claim,
            share,
            flow,
        }))
    }

    /// Up to three paths from a seed to `member`, traced back along the
    /// largest contribution at each step.
    fn trust_paths(&self, member: &Member, scale: f64) -> NodeResult<Vec<Explanation>> {
        let Some(own) = self.trust_score(member.id)? else {
            return Ok(Vec::new());
        };
        let me = PathStep {
            account: member.username.clone(),
            trust: own.trust,
            edge: None,
            claim: None,
            flow: None,
        };
        if own.seed {
            return Ok(vec![Explanation::Path {
                reaches_seed: true,
                steps: vec![me],
            }]);
        }
        let mut first = self.strongest_into(member, scale)?;
        first.retain(|e| e.flow > 0.0);
        let mut seen_first = HashSet::new();
        first.retain(|e| seen_first.insert(e.from));
        let mut paths = Vec::new();
        for start in first.into_iter().take(TOP_PATHS) {
            let mut visited: HashSet<Id> = HashSet::from([member.id]);
            // Edges from the member backwards: (edge into the account
            // after it, its source).
            let mut chain = vec![start];
            let mut reaches_seed = false;
            while let Some(last) = chain.last() {
                if last.from_trust.seed {
                    reaches_seed = true;
                    break;
                }
                if chain.len() >= MAX_PATH_EDGES || !visited.insert(last.from) {
                    break;
                }
                let Some(account) = self.member(last.from)? else {
                    break;
                };
                let next = self
                    .strongest_into(&account, scale)?
                    .into_iter()
                    .find(|e| e.flow > 0.0 && !visited.contains(&e.from));
                match next {
                    Some(e) => chain.push(e),
                    None => break,
                }
            }
            // chain[i] is the edge into the account chain[i - 1] came
            // from (chain[0] into the member); read it seed first.
            let mut steps = Vec::with_capacity(chain.len() + 1);
            let mut rev = chain.iter().rev();
            if let Some(head) = rev.next() {
                let name = self
                    .member(head.from)?
                    .map(|m| m.username)
                    .unwrap_or_default();
                steps.push(PathStep {
                    account: name,
                    trust: head.from_trust.trust,
                    edge: None,
                    claim: None,
                    flow: None,
                });
                let mut into = head;
                for e in rev {
                    let name = self.member(e.from)?.map(|m| m.username).unwrap_or_default();
                    steps.push(PathStep {
                        account: name,
                        trust: e.from_trust.trust,
                        edge: Some(into.kind.as_str()),
                        claim: into.claim.clone(),
                        flow: Some(into.flow),
                    });
                    into = e;
                }
                steps.push(PathStep {
                    edge: Some(into.kind.as_str()),
                    claim: into.claim.clone(),
                    flow: Some(into.flow),
                    ..me.clone()
                });
            }
            paths.push(Explanation::Path {
                reaches_seed,
                steps,
            });
        }
        Ok(paths)
    }

    /// The edges into `account`, largest contribution first.
    fn strongest_into(&self, account: &Member, scale: f64) -> NodeResult<Vec<InEdge>> {
        let mut edges = self.attestations_into(account, MAX_IN_EDGES, scale)?;
        edges.extend(self.follows_into(account.id, MAX_IN_EDGES, scale)?);
        edges.sort_by(|a, b| b.flow.total_cmp(&a.flow));
        Ok(edges)
    }
}
