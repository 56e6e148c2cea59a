//! The two places gamification reads the trust engine ([`crate::trust`]):
//! how much a giver's like or share counts, and the `reputation` metric
//! of badge rules.

use crate::error::NodeResult;
use crate::id::Id;
use crate::model::{Member, MemberStatus};
use crate::node::Node;
use crate::store::{tables, Txn};

impl Node {
    /// The weight in [0, 1] of what `giver` gives (a like, a share): the
    /// points of the activity are multiplied by it.
    ///
    /// 0 for a limited (silenced), suspended or deleted account, or one
    /// not found; otherwise the giver's [`Node::trust_factor`]:
    /// `min(1, trust / median trust)` of the last trust computation, so an
    /// account the seeds' trust does not reach (a sybil ring, an account
    /// newer than the last run) gives nothing, and an ordinary trusted
    /// member gives in full.
    pub(crate) fn giver_weight(&self, giver: Option<&Member>) -> NodeResult<f64> {
        let Some(member) = giver else {
            return Ok(0.0);
        };
        if member.status != MemberStatus::Active || member.silenced || member.deleted_at.is_some() {
            return Ok(0.0);
        }
        self.trust_factor(member.id)
    }

    /// The `reputation` metric of badge rules (`ahli`: reputation ≥ 1000):
    /// the member's reputation score as `GET
    /// /api/kodeon/v1/members/{user}/reputation` explains it (the trust
    /// their attestations carried in, on the scale where an average
    /// account holds 100), rounded down. Attestations staged in the
    /// current write count from the next check.
    pub(crate) fn reputation_metric(&self, txn: &Txn<'_>, member: Id) -> NodeResult<u64> {
        let Some(m) = txn.load::<tables::Member>(member)? else {
            return Ok(0);
        };
        let score = self.reputation_score(&m)?;
        Ok(if score.is_finite() && score > 0.0 {
            score as u64
        } else {
            0
        })
    }
}
