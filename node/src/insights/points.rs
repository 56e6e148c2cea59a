//! The extension point for points and level over time in a member's
//! insights: the gamification ledger (`gamification/`) answers it.
//!
//! Until that ledger exists [`Node::points_over_time`] answers `None`, and
//! the member's insights say `"points": null`. Wiring it: read the
//! member's ledger entries in the range and fill a [`PointsOverTime`]
//! (points at the end of each day and the level they reach), keeping the
//! signature, so neither the route nor the page changes.

use serde::Serialize;

use super::dates::DayRange;
use crate::error::NodeResult;
use crate::id::Id;
use crate::node::Node;

/// A member's points at the end of each day of a range, and their level.
#[derive(Debug, Clone, Serialize)]
pub struct PointsOverTime {
    /// Points at the end of each day (same days as the insights' `days`).
    pub points: Vec<i64>,
    /// The level those points reach, each day.
    pub levels: Vec<String>,
}

impl Node {
    /// `member`'s points and level over `range`, from the gamification
    /// ledger; `None` while the node keeps no ledger.
    pub fn points_over_time(
        &self,
        _member: Id,
        _range: DayRange,
    ) -> NodeResult<Option<PointsOverTime>> {
        Ok(None)
    }
}
