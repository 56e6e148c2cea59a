//! Read markers: where a member stopped reading a timeline (Mastodon's
//! markers), so several apps stay in step.

use crate::store::tables;
use serde::{Deserialize, Serialize};

use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::now_ms;
use crate::node::{Node, Viewer};

/// Timelines that have markers.
pub const TIMELINES: [&str; 2] = ["home", "notifications"];

/// A read position.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Marker {
    /// Last item read.
    pub last_read_id: Id,
    /// Incremented on each change.
    pub version: u64,
    /// When (ms).
    pub updated_at: i64,
}

impl Node {
    /// The viewer's markers for `timelines` (unknown names are skipped).
    pub fn markers(
        &self,
        viewer: &Viewer,
        timelines: &[String],
    ) -> NodeResult<Vec<(String, Marker)>> {
        let me = viewer.member()?.id;
        let mut out = Vec::new();
        for t in timelines.iter().filter(|t| TIMELINES.contains(&t.as_str())) {
            if let Some(m) = self.store.load::<tables::Marker>((me, t))? {
                out.push((t.clone(), m));
            }
        }
        Ok(out)
    }

    /// Sets the viewer's marker on `timeline`.
    pub async fn set_marker(
        &self,
        viewer: &Viewer,
        timeline: &str,
        last_read_id: Id,
    ) -> NodeResult<Marker> {
        let me = viewer.member()?.id;
        if !TIMELINES.contains(&timeline) {
            return Err(NodeError::invalid(
                "timeline",
                "must be home or notifications",
            ));
        }
        self.write(|txn| {
            let key = (me, timeline);
            let version = txn
                .load::<tables::Marker>(key)?
                .map(|m| m.version + 1)
                .unwrap_or(0);
            let marker = Marker {
                last_read_id,
                version,
                updated_at: now_ms(),
            };
            txn.store::<tables::Marker>(key, &marker)?;
            Ok(marker)
        })
        .await
    }
}
