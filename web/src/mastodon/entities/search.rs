//! Search results (v2) and hashtags.

use serde::Serialize;

use super::{Account, Status, Unsupported};

/// Mastodon's Search (v2).
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    /// Accounts found.
    pub accounts: Vec<Account>,
    /// Statuses found.
    pub statuses: Vec<Status>,
    /// Hashtags found.
    pub hashtags: Vec<Hashtag>,
}

/// Mastodon's Tag, as search lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Hashtag {
    /// The tag, without `#`.
    pub name: String,
    /// The tag's page.
    pub url: String,
    /// No usage history: always empty.
    pub history: Vec<Unsupported>,
    /// Tags are not followed: always false.
    pub following: bool,
    /// Public posts with the tag.
    pub statuses_count: i64,
}
