//! Benchmark-only helpers (cargo feature `bench-seed`): many members on
//! the boards at once, and turning awards off to measure what they cost.
//! Never enable this feature in a node that serves anyone.

use std::sync::atomic::Ordering;

use crate::error::NodeResult;
use crate::id::Id;
use crate::model::now_ms;
use crate::node::Node;

use super::board;

/// Members per write.
const PER_WRITE: usize = 2_000;

impl Node {
    /// Puts each `(member, hundredths)` on the node's all-time, month and
    /// week boards, through the same board code awards use.
    pub async fn bench_seed_scores(&self, scores: &[(Id, i64)]) -> NodeResult<()> {
        let boards = board::boards_for(None, now_ms());
        for chunk in scores.chunks(PER_WRITE) {
            self.write(|txn| {
                for (member, hundredths) in chunk {
                    for b in &boards {
                        board::bump(txn, b, *member, *hundredths)?;
                    }
                }
                Ok(())
            })
            .await?;
        }
        Ok(())
    }

    /// Turns awards on or off (off: activities write no points, as before
    /// gamification existed), to compare posting throughput.
    pub fn bench_set_awards(&self, on: bool) {
        self.gamification.awards_off.store(!on, Ordering::Relaxed);
    }
}
