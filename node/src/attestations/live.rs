//! Every live attestation, for whatever computes over the attestation graph
//! (the trust engine): one range scan of the `Attestation` table, the one
//! source of attestation edges. Withdrawn and replaced attestations are not
//! in it (they are removed in the write that withdraws or replaces them).

use super::AttestationRecord;
use crate::error::NodeResult;
use crate::node::Node;
use crate::store::tables;

impl Node {
    /// Every live attestation, streamed in key order (by subject key, then
    /// attester key, then claim): each an edge attester → subject with its
    /// claim, kind ([`AttestationRecord::kind`]) and `created`. Nothing is
    /// collected; a record that does not decode is an error item.
    // Read by the trust engine, which computes over these edges.
    #[allow(dead_code)]
    pub(crate) fn live_attestations(
        &self,
    ) -> impl Iterator<Item = NodeResult<AttestationRecord>> + '_ {
        self.store.scan::<tables::Attestation>((), false).values()
    }
}
