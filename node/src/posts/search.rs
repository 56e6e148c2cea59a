//! Full-text search over public posts: a word index kept in the same
//! atomic write as the post (`Words (word, post id)`), read newest first
//! and intersected for several words. Results pass `can_view` like every
//! other read.

use crate::error::NodeResult;
use crate::id::Id;
use crate::model::{Post, PostView, Visibility};
use crate::node::{Node, Viewer};
use crate::store::{tables, Txn};

/// Most distinct words indexed per post.
const MAX_WORDS: usize = 200;
/// Most words read from a query.
const MAX_QUERY_WORDS: usize = 5;
/// Most index entries examined per query word (bounds a request's cost).
const SCAN_BUDGET: usize = 20_000;

/// The distinct, lower-cased words of a text (letters and digits, 2–40 chars).
pub(crate) fn words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in text.split(|c: char| !c.is_alphanumeric()) {
        let n = w.chars().count();
        if !(2..=40).contains(&n) {
            continue;
        }
        let w = w.to_lowercase();
        if !out.contains(&w) {
            out.push(w);
            if out.len() == MAX_WORDS {
                break;
            }
        }
    }
    out
}

fn indexable(post: &Post) -> Vec<String> {
    if post.visibility != Visibility::Public {
        return Vec::new();
    }
    words(&format!(
        "{} {} {}",
        post.title,
        post.source,
        post.tags.join(" ")
    ))
}

impl Node {
    /// Stages (or removes) a post's word-index entries (public posts
    /// outside private groups only).
    pub(crate) fn index_words(
        &self,
        txn: &mut Txn<'_>,
        post: &Post,
        add: bool,
    ) -> crate::error::NodeResult<()> {
        // A private group's posts are for its members: never in search.
        if Self::members_only(txn, post)? {
            return Ok(());
        }
        for w in indexable(post) {
            let key = (&w, post.id);
            if add {
                txn.store::<tables::Words>(key, &())?;
            } else {
                txn.remove::<tables::Words>(key);
            }
        }
        Ok(())
    }

    /// Public posts containing every word of `query`, newest first.
    pub fn search_posts(
        &self,
        viewer: &Viewer,
        query: &str,
        limit: usize,
    ) -> NodeResult<Vec<PostView>> {
        let terms: Vec<String> = words(query).into_iter().take(MAX_QUERY_WORDS).collect();
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let mut lists: Vec<_> = terms
            .iter()
            .map(|t| {
                self.store
                    .scan::<tables::Words>((t,), true)
                    .keys()
                    .map(|key| key.map(|(_, post)| post))
                    .take(SCAN_BUDGET)
                    .peekable()
            })
            .collect();
        let mut out = Vec::new();
        // Intersect lists that are all in descending id order.
        'outer: loop {
            let mut candidate: Option<Id> = None;
            for list in lists.iter_mut() {
                let Some(item) = list.peek() else {
                    break 'outer;
                };
                let id = item.as_ref().ok().copied();
                let Some(id) = id else {
                    list.next().transpose()?;
                    continue 'outer;
                };
                candidate = Some(candidate.map_or(id, |c: Id| c.min(id)));
            }
            let Some(target) = candidate else { break };
            let mut all = true;
            for list in lists.iter_mut() {
                while let Some(Ok(id)) = list.peek() {
                    if *id <= target {
                        break;
                    }
                    list.next();
                }
                match list.peek() {
                    Some(Ok(id)) if *id == target => {}
                    _ => all = false,
                }
            }
            if all {
                if let Ok(view) = self.post(viewer, target) {
                    out.push(view);
                    if out.len() >= limit {
                        break;
                    }
                }
                for list in lists.iter_mut() {
                    list.next();
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_distinct_lowercase_and_bounded() {
        assert_eq!(
            words("Rust, rust! KODEON a 2026 — ünïcode"),
            vec!["rust", "kodeon", "2026", "ünïcode"]
        );
        assert!(words(&"x".repeat(50)).is_empty());
    }
}
