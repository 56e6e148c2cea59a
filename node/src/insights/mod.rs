//! Community insights: what the node already stores, counted for admins
//! (active members, retention, growth, tops, engagement), for each member
//! (their posts' reach, their courses) and for each group's moderators (a
//! monthly report).
//!
//! Nothing here tracks page views. "Active" means a local member posted,
//! replied, liked, boosted, signed in or used a session that day: the
//! write that records it (`active.rs`) piggy-backs on the dashboard's
//! last-active bookkeeping (`moderation/stats.rs`) and costs at most two
//! rows and one counter per member per day. Reads are range scans over
//! the days asked for, each with a bound; a figure cut short by a bound
//! says so in `truncated`. The arithmetic is in `aggregate.rs`, pure
//! functions over plain numbers, so it is tested without a store.

pub(crate) mod active;
mod admin;
pub mod aggregate;
#[cfg(feature = "bench-seed")]
mod bench_seed;
mod dates;
mod group;
mod member;
mod points;
#[cfg(test)]
mod tests;

pub use active::Interaction;
pub use admin::{
    ActiveSeries, AdminInsights, Engagement, Growth, TopCourse, TopEvent, TopGroup, TopPost,
};
pub use aggregate::CohortRow;
pub use dates::{format_day, parse_day, parse_month, DayRange, MAX_RANGE_DAYS};
pub use group::GroupReport;
pub use member::{MemberCourseInsight, MemberInsights, MemberPostReach};
pub use points::PointsOverTime;

pub(crate) use active::backfill_active_days;
pub(crate) use active::record_active_day;

/// How many entries of a top list are returned.
pub const TOP_N: usize = 10;
