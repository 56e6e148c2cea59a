//! Report: what a member reported.

use serde::Serialize;

use super::{date, Account};

/// Mastodon's Report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Report id.
    pub id: String,
    /// Whether moderators acted on it.
    pub action_taken: bool,
    /// When it was resolved.
    pub action_taken_at: Option<String>,
    /// `spam`, `legal`, `violation` or `other`.
    pub category: String,
    /// What the reporter wrote.
    pub comment: String,
    /// Whether it is forwarded to the account's server.
    pub forwarded: bool,
    /// When it was filed.
    pub created_at: String,
    /// The reported statuses.
    pub status_ids: Vec<String>,
    /// No rules cited: always empty.
    pub rule_ids: Vec<String>,
    /// The reported account.
    pub target_account: Account,
}

/// The Report of `r` about `target_account`.
pub fn report(r: &node::moderation::Report, target_account: Account) -> Report {
    Report {
        id: r.id.to_string(),
        action_taken: r.action.is_some(),
        action_taken_at: r.resolved_at.map(date),
        category: r.category.clone(),
        comment: r.comment.clone(),
        forwarded: r.forward,
        created_at: date(r.created_at),
        status_ids: r.post_ids.iter().map(|id| id.to_string()).collect(),
        rule_ids: Vec::new(),
        target_account,
    }
}
