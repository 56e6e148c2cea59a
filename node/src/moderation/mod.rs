//! Running the node: settings an admin changes live, the audit log,
//! reports and the moderation of members, and the dashboard's figures.

mod audit;
mod members;
mod peers;
mod reports;
mod settings;
mod stats;

pub use audit::{AuditEntry, AuditFilter};
pub use members::{MemberAction, MemberCounts, ModerationOutcome};
pub use peers::PeerBlock;
pub(crate) use reports::require_moderator;
pub use reports::{NewReport, Report, ReportAction, ReportNote, ReportState, MAX_REPORTED_POSTS};
pub use settings::{NodeSettings, MAX_RULES};
pub use stats::{day_of, DailyMetric, DailySeries, Dashboard, CHART_DAYS};

#[cfg(test)]
mod tests;
