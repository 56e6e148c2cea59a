//! The two places gamification reads trust and reputation.
//!
//! Both are stand-ins with simple documented rules until the node's trust
//! computation (`Node::trust_factor`, in `trust/`) is available; then the
//! body of [`Node::giver_weight`] becomes `self.trust_factor(giver)` and
//! [`reputation_metric`] reads the trust score, and nothing else in
//! `gamification/` changes.

use crate::error::NodeResult;
use crate::id::Id;
use crate::model::MemberStatus;
use crate::node::Node;
use crate::store::{tables, Txn};

/// How old a local account must be (ms) for its likes and shares to
/// count fully: seven days.
pub const SETTLED_AFTER_MS: i64 = 7 * 24 * 60 * 60 * 1000;

impl Node {
    /// The weight in [0, 1] of what `giver` gives (a like, a share): the
    /// points of the activity are multiplied by it.
    ///
    /// Until `trust_factor` exists: 1.0 for a local member whose account
    /// is older than seven days and neither limited (silenced) nor
    /// suspended; 0.5 for a newer local account or an account of another
    /// server; 0 for a limited or suspended account (or one not found).
    pub(crate) fn giver_weight(&self, txn: &Txn<'_>, giver: Id, now: i64) -> NodeResult<f64> {
        let Some(member) = txn.load::<tables::Member>(giver)? else {
            return Ok(0.0);
        };
        if member.status != MemberStatus::Active || member.silenced || member.deleted_at.is_some() {
            return Ok(0.0);
        }
        if member.remote.is_some() || now - member.created_at <= SETTLED_AFTER_MS {
            return Ok(0.5);
        }
        Ok(1.0)
    }
}

/// Most attestations read for one reputation figure.
const MAX_ATTESTATIONS_READ: usize = 10_000;

/// The `reputation` metric of badge rules (`ahli`: reputation ≥ 1000).
///
/// Until the trust computation exists: the number of distinct members
/// who attest something about `member`, times 100 (ten attesters make an
/// `ahli`), counting at most 10,000 attestations; `pending` is the
/// attester of one staged in this write (scans see committed ones only).
pub(crate) fn reputation_metric(
    txn: &Txn<'_>,
    member: Id,
    pending: Option<&[u8; 32]>,
) -> NodeResult<u64> {
    let Some(m) = txn.load::<tables::Member>(member)? else {
        return Ok(0);
    };
    let subject = *m.keys.ed25519_public.as_bytes();
    let mut attesters = std::collections::BTreeSet::new();
    for key in txn
        .scan::<tables::Attestation>((subject,), false)
        .keys()
        .take(MAX_ATTESTATIONS_READ)
    {
        let (_, attester, _) = key?;
        attesters.insert(attester);
    }
    if let Some(p) = pending {
        attesters.insert(*p);
    }
    Ok(attesters.len() as u64 * 100)
}
