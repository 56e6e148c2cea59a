//! The ranking engine: no learned model, only formulas over counts and
//! times, each result with its explanation (the formula, the figures it
//! took, a sentence).
//!
//! - `formula.rs`: the formulas, pure: `hot` (every ranked feed: groups'
//!   `hot`), trending posts, tags and links, recommendations.
//! - `trends.rs`: trending tags, posts and links over the local and
//!   remote timelines' last seven days, computed within bounds by a
//!   background task every four minutes and kept (the posting path writes
//!   nothing).
//! - `home.rs`: the ranked home feed, a member's choice (each page of the
//!   newest-first feed ordered by `hot`).
//! - `links.rs`: the links a post's HTML shares.
//! - `exclusions.rs`: what moderators keep out of trends (audited).
//! - `recommend.rs`: people, groups, events and courses to recommend, with
//!   their reasons; dismissed suggestions.

#[cfg(feature = "bench-seed")]
mod bench_seed;
pub mod exclusions;
pub mod formula;
pub mod home;
pub mod links;
pub mod recommend;
pub mod trends;

#[cfg(test)]
mod tests;

#[cfg(feature = "bench-seed")]
pub use bench_seed::SeedPost;
pub use exclusions::{TrendExclusion, TrendKind};
pub use formula::{hot, hot_score, Explanation, HOT_FORMULA};
pub use recommend::{Found, Recommendation, RecommendationKind, MAX_RECOMMENDATIONS};
pub use trends::{
    run_trends_worker, DayUses, LinkTrend, PostTrend, TagTrend, Trends, TRENDS_REFRESH, TREND_DAYS,
};
