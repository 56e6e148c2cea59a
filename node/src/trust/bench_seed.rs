//! Bulk seeding of a trust graph for the benchmark only (cargo feature
//! `bench-seed`): follows and attestations between seeded members, in
//! large writes. Attestations carry synthetic keys (`blake3` of the member
//! id, bound in `MemberByKey`) and no envelope: the benchmark measures the
//! trust computation, not signing.

use super::graph::EdgeKind;
use super::TrustedMark;
use crate::attestations::AttestationRecord;
use crate::error::NodeResult;
use crate::id::Id;
use crate::model::now_ms;
use crate::node::Node;
use crate::store::tables;

/// Rows per write.
const ROWS_PER_WRITE: usize = 20_000;

impl Node {
    /// Stores `edges` (indexes into `members`) as follows and attestations,
    /// and marks `seeds` trusted.
    pub async fn bench_seed_trust_graph(
        &self,
        members: &[Id],
        edges: &[(u32, u32, EdgeKind)],
        seeds: &[u32],
    ) -> NodeResult<()> {
        let key = |i: u32| *blake3::hash(&members[i as usize].to_bytes()).as_bytes();
        for chunk in members.chunks(ROWS_PER_WRITE) {
            self.write(|txn| {
                for id in chunk {
                    txn.store::<tables::MemberByKey>(blake3::hash(&id.to_bytes()).as_bytes(), id)?;
                }
                Ok(())
            })
            .await?;
        }
        let now = now_ms();
        for (c, chunk) in edges.chunks(ROWS_PER_WRITE).enumerate() {
            self.write(|txn| {
                for (j, &(from, to, kind)) in chunk.iter().enumerate() {
                    let (a, b) = (members[from as usize], members[to as usize]);
                    match kind {
                        EdgeKind::Follow => {
                            txn.store::<tables::Following>((a, b), &now)?;
                            txn.store::<tables::Followers>((b, a), &now)?;
                        }
                        EdgeKind::Attestation => {
                            let n = (c * ROWS_PER_WRITE + j) as u64;
                            let record = AttestationRecord {
                                envelope: *blake3::hash(&n.to_le_bytes()).as_bytes(),
                                attester: key(from),
                                subject: key(to),
                                claim: format!("skill-{}", n % 50),
                                comment: String::new(),
                                created: now,
                                kind: None,
                                group: None,
                            };
                            txn.store::<tables::Attestation>(
                                (&record.subject, &record.attester, &record.claim),
                                &record,
                            )?;
                        }
                    }
                }
                Ok(())
            })
            .await?;
        }
        let first = members.first().copied();
        self.write(|txn| {
            for &s in seeds {
                let mark = TrustedMark {
                    by: first.unwrap_or(members[s as usize]),
                    at: now,
                };
                txn.store::<tables::TrustedMembers>(members[s as usize], &mark)?;
            }
            Ok(())
        })
        .await
    }

    /// Computes trust from the store and stores it, as the worker does;
    /// the run's figures.
    pub async fn bench_recompute_trust(&self) -> NodeResult<super::TrustRun> {
        let computed = self.compute_trust()?;
        self.store_trust(computed).await
    }
}
