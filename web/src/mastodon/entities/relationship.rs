//! Relationship: how the viewer and an account are related.

use node::Id;
use serde::Serialize;

/// Mastodon's Relationship.
#[derive(Debug, Clone, Serialize)]
pub struct Relationship {
    /// The other account's id.
    pub id: String,
    /// The viewer follows them.
    pub following: bool,
    /// Boosts shown (whenever followed).
    pub showing_reblogs: bool,
    /// Always false.
    pub notifying: bool,
    /// Always null.
    pub languages: Option<Vec<String>>,
    /// They follow the viewer.
    pub followed_by: bool,
    /// The viewer blocks them.
    pub blocking: bool,
    /// They block the viewer.
    pub blocked_by: bool,
    /// The viewer mutes them.
    pub muting: bool,
    /// Same as `muting`.
    pub muting_notifications: bool,
    /// The viewer asked to follow them.
    pub requested: bool,
    /// Always false.
    pub requested_by: bool,
    /// Always false.
    pub domain_blocking: bool,
    /// Always false.
    pub endorsed: bool,
    /// Always empty.
    pub note: String,
}

/// A Relationship with the account `id`.
pub fn relationship(id: Id, r: &node::model::Relationship) -> Relationship {
    Relationship {
        id: id.to_string(),
        following: r.following,
        showing_reblogs: r.following,
        notifying: false,
        languages: None,
        followed_by: r.followed_by,
        blocking: r.blocking,
        blocked_by: r.blocked_by,
        muting: r.muting,
        muting_notifications: r.muting,
        requested: r.requested,
        requested_by: false,
        domain_blocking: false,
        endorsed: false,
        note: String::new(),
    }
}
