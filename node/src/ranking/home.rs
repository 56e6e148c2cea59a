//! The ranked home feed, a member's choice (`Preferences::home_order`):
//! each page holds the same posts as the newest-first feed, with the same
//! cursors (so apps page through it as they page through any timeline),
//! ordered by [`hot`](super::formula::hot) from the counts each post
//! carries. Nothing more is read.

use crate::model::PostView;

use super::formula::{hot, Explanation};

/// `items` ordered by the hot formula at `now` (ms), best first; equal
/// scores stay newest first.
pub fn rank_page(items: &mut [PostView], now: i64) {
    items.sort_by(|a, b| {
        explain(b, now)
            .score
            .total_cmp(&explain(a, now).score)
            .then(b.id.cmp(&a.id))
    });
}

/// Why a post stands where it does in a ranked home feed.
pub fn explain(post: &PostView, now: i64) -> Explanation {
    hot(
        post.likes_count,
        post.boosts_count,
        post.replies_count,
        now - post.created_at,
    )
}
