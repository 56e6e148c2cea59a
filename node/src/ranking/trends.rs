//! Trending tags, posts and links, computed from the existing timelines
//! (`LocalTimeline`, `RemoteTimeline`: public top-level posts of this node
//! and of the servers it knows) over the last [`TREND_DAYS`] days, at most
//! [`TREND_SCAN`] posts of each, recomputed every [`TRENDS_REFRESH`] by
//! [`run_trends_worker`] and kept for [`TRENDS_TTL`] (a request finding
//! none kept computes one). Nothing is written when a post is made: the
//! posting path is as fast as before, and a trend lags activity by at
//! most the refresh interval.
//!
//! Only public posts count: the timelines hold nothing else, and each
//! post is checked again (public, not in a private group, its author
//! neither suspended nor silenced). What moderators excluded is left out,
//! and an excluded post adds nothing to its tags and links.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::exclusions::TrendKind;
use super::formula::{self, DayCount, Explanation};
use super::links::shared_links;
use crate::error::NodeResult;
use crate::id::Id;
use crate::model::{now_ms, MemberStatus, Post, PostView, Visibility};
use crate::node::{Node, Viewer};
use crate::store::{tables, Table};

/// Days of history a trend looks at (Mastodon's `history` has 7).
pub const TREND_DAYS: usize = 7;
/// Most posts read from each timeline (newest first) per computation.
pub const TREND_SCAN: usize = 10_000;
/// How long a computation is reused.
pub const TRENDS_TTL: Duration = Duration::from_secs(300);
/// How often [`run_trends_worker`] recomputes: within [`TRENDS_TTL`], so
/// readers find a computation ready.
pub const TRENDS_REFRESH: Duration = Duration::from_secs(240);
/// Most items kept of each kind.
pub const MAX_TRENDS: usize = 100;
/// Most items a page of trends gives.
pub const MAX_TRENDS_PAGE: usize = 40;

const DAY_MS: i64 = 86_400_000;

/// One day of a tag's or link's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayUses {
    /// The day's first instant (UTC midnight), in seconds since the epoch.
    pub day: i64,
    /// Posts that used it that day.
    pub uses: u64,
    /// Distinct accounts among them.
    pub accounts: u64,
}

/// A trending tag.
#[derive(Debug, Clone, Serialize)]
pub struct TagTrend {
    /// The tag (its slug, without `#`).
    pub name: String,
    /// The last [`TREND_DAYS`] days, today first.
    pub history: Vec<DayUses>,
    /// Why it trends.
    pub explanation: Explanation,
}

/// A trending post.
#[derive(Debug, Clone, Serialize)]
pub struct PostTrend {
    /// The post.
    pub id: Id,
    /// Why it trends.
    pub explanation: Explanation,
}

/// A trending link.
#[derive(Debug, Clone, Serialize)]
pub struct LinkTrend {
    /// The URL.
    pub url: String,
    /// The last [`TREND_DAYS`] days, today first.
    pub history: Vec<DayUses>,
    /// The newest post that shared it.
    pub example_post: Id,
    /// Why it trends.
    pub explanation: Explanation,
}

/// One computation of every trend.
#[derive(Debug, Clone, Serialize)]
pub struct Trends {
    /// When it was computed (ms).
    pub computed_at: i64,
    /// Posts read.
    pub scanned_posts: usize,
    /// Tags, best first.
    pub tags: Vec<TagTrend>,
    /// Posts, best first.
    pub posts: Vec<PostTrend>,
    /// Links, best first.
    pub links: Vec<LinkTrend>,
}

/// The last computation, kept for [`TRENDS_TTL`].
#[derive(Debug, Default)]
pub(crate) struct TrendsCache {
    kept: Mutex<Option<(Instant, Arc<Trends>)>>,
}

impl TrendsCache {
    pub(crate) fn get(&self) -> Option<Arc<Trends>> {
        let kept = self.kept.lock().ok()?;
        kept.as_ref()
            .filter(|(made, _)| made.elapsed() < TRENDS_TTL)
            .map(|(_, t)| t.clone())
    }

    fn put(&self, trends: Arc<Trends>) {
        if let Ok(mut kept) = self.kept.lock() {
            *kept = Some((Instant::now(), trends));
        }
    }

    /// Drops the kept computation (an exclusion changed).
    pub(crate) fn clear(&self) {
        if let Ok(mut kept) = self.kept.lock() {
            *kept = None;
        }
    }
}

/// Counts per day of one tag or link, with the accounts seen each day.
#[derive(Default)]
struct Tally {
    days: [DayCount; TREND_DAYS],
    accounts: [HashSet<Id>; TREND_DAYS],
    newest_post: Option<Id>,
}

impl Tally {
    fn add(&mut self, day: usize, author: Id, post: Id) {
        self.days[day].uses += 1;
        if self.accounts[day].insert(author) {
            self.days[day].accounts += 1;
        }
        if self.newest_post.is_none_or(|p| post > p) {
            self.newest_post = Some(post);
        }
    }

    fn history(&self, today: i64) -> Vec<DayUses> {
        self.days
            .iter()
            .enumerate()
            .map(|(age, d)| DayUses {
                day: (today - age as i64) * (DAY_MS / 1_000),
                uses: d.uses,
                accounts: d.accounts,
            })
            .collect()
    }
}

/// What a computation gathers as it reads posts.
struct Gathered {
    today: i64,
    now: i64,
    excluded: HashSet<(TrendKind, String)>,
    tags: HashMap<String, Tally>,
    links: HashMap<String, Tally>,
    posts: Vec<PostTrend>,
    authors_ok: HashMap<Id, bool>,
    private_groups: HashMap<Id, bool>,
    scanned: usize,
}

/// Recomputes the trends every `every` ([`TRENDS_REFRESH`] unless
/// configured) on a blocking thread until `shutdown` turns true, so
/// requests read a kept computation instead of making one.
pub async fn run_trends_worker(
    node: Arc<Node>,
    every: Duration,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        if *shutdown.borrow() {
            break;
        }
        let n = node.clone();
        match tokio::task::spawn_blocking(move || n.refresh_trends()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "computing trends"),
            Err(e) => tracing::warn!(error = %e, "the trends computation ended badly"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = shutdown.changed() => {}
        }
    }
}

/// The window `[start, end)` of a page of `len` items.
fn page(len: usize, offset: usize, limit: usize) -> std::ops::Range<usize> {
    let start = offset.min(len);
    start..(start + limit.clamp(1, MAX_TRENDS_PAGE)).min(len)
}

impl Node {
    /// Every trend, computed at most every [`TRENDS_TTL`].
    pub fn trends(&self) -> NodeResult<Arc<Trends>> {
        if let Some(kept) = self.trends_cache.get() {
            return Ok(kept);
        }
        let trends = Arc::new(self.compute_trends(now_ms())?);
        self.trends_cache.put(trends.clone());
        Ok(trends)
    }

    /// Computes the trends now and keeps them (the worker's step).
    pub fn refresh_trends(&self) -> NodeResult<()> {
        let trends = Arc::new(self.compute_trends(now_ms())?);
        self.trends_cache.put(trends);
        Ok(())
    }

    /// Trending tags, best first, from `offset` (at most 40).
    pub fn trending_tags(&self, offset: usize, limit: usize) -> NodeResult<Vec<TagTrend>> {
        let t = self.trends()?;
        Ok(t.tags[page(t.tags.len(), offset, limit)].to_vec())
    }

    /// Trending links, best first, from `offset` (at most 40).
    pub fn trending_links(&self, offset: usize, limit: usize) -> NodeResult<Vec<LinkTrend>> {
        let t = self.trends()?;
        Ok(t.links[page(t.links.len(), offset, limit)].to_vec())
    }

    /// Trending posts the viewer may see (blocked and muted authors left
    /// out), best first, from `offset` in the trend list (at most 40).
    pub fn trending_posts(
        &self,
        viewer: &Viewer,
        offset: usize,
        limit: usize,
    ) -> NodeResult<Vec<(PostView, Explanation)>> {
        let t = self.trends()?;
        let mut out = Vec::new();
        for trend in &t.posts[page(t.posts.len(), offset, limit)] {
            let Ok(view) = self.post(viewer, trend.id) else {
                continue; // not visible to this viewer, or gone since
            };
            if let Some(me) = viewer.id() {
                if view.author.id != me && self.is_muting(me, view.author.id)? {
                    continue;
                }
            }
            out.push((view, trend.explanation.clone()));
        }
        Ok(out)
    }

    /// Computes every trend at `now` (ms), uncached: reads at most
    /// [`TREND_SCAN`] posts of each timeline, newest first, back to the
    /// first day of the window.
    pub fn compute_trends(&self, now: i64) -> NodeResult<Trends> {
        let span = tracing::info_span!("compute_trends");
        let _entered = span.enter();
        let today = now.div_euclid(DAY_MS);
        let mut g = Gathered {
            today,
            now,
            excluded: self
                .all_trend_exclusions()?
                .into_iter()
                .map(|e| (e.kind, e.value))
                .collect(),
            tags: HashMap::new(),
            links: HashMap::new(),
            posts: Vec::new(),
            authors_ok: HashMap::new(),
            private_groups: HashMap::new(),
            scanned: 0,
        };
        let oldest = (today - (TREND_DAYS as i64 - 1)) * DAY_MS;
        self.gather_timeline::<tables::LocalTimeline>(&mut g, oldest)?;
        self.gather_timeline::<tables::RemoteTimeline>(&mut g, oldest)?;
        let trends = finish(g);
        tracing::info!(
            posts = trends.scanned_posts,
            tags = trends.tags.len(),
            links = trends.links.len(),
            trending_posts = trends.posts.len(),
            "trends computed"
        );
        Ok(trends)
    }

    fn gather_timeline<T: Table<Key = Id>>(&self, g: &mut Gathered, oldest: i64) -> NodeResult<()> {
        for key in self.store.scan::<T>((), true).keys().take(TREND_SCAN) {
            let id = key?;
            if (id.timestamp_ms() as i64) < oldest {
                break;
            }
            g.scanned += 1;
            let Some(post) = self.store.load::<tables::Post>(id)? else {
                continue;
            };
            if self.counts_for_trends(g, &post)? {
                self.gather_post(g, &post)?;
            }
        }
        Ok(())
    }

    /// Whether a post counts: public, not excluded, not in a private
    /// group, by an active, unsilenced account.
    fn counts_for_trends(&self, g: &mut Gathered, post: &Post) -> NodeResult<bool> {
        if post.visibility != Visibility::Public
            || g.excluded.contains(&(TrendKind::Post, post.id.to_string()))
        {
            return Ok(false);
        }
        if let Some(group) = post.group {
            let private = match g.private_groups.get(&group) {
                Some(p) => *p,
                None => {
                    let p = self.group_is_private(group)?;
                    g.private_groups.insert(group, p);
                    p
                }
            };
            if private {
                return Ok(false);
            }
        }
        let ok = match g.authors_ok.get(&post.author_id) {
            Some(ok) => *ok,
            None => {
                let ok = self.member(post.author_id)?.is_some_and(|m| {
                    m.status == MemberStatus::Active && !m.silenced && m.deleted_at.is_none()
                });
                g.authors_ok.insert(post.author_id, ok);
                ok
            }
        };
        Ok(ok)
    }

    fn gather_post(&self, g: &mut Gathered, post: &Post) -> NodeResult<()> {
        let day = g.today - post.created_at.div_euclid(DAY_MS);
        let Ok(day) = usize::try_from(day) else {
            return Ok(()); // dated in the future
        };
        if day < TREND_DAYS {
            let mut seen = HashSet::new();
            for tag in &post.tags {
                if seen.insert(tag) && !g.excluded.contains(&(TrendKind::Tag, tag.clone())) {
                    g.tags
                        .entry(tag.clone())
                        .or_default()
                        .add(day, post.author_id, post.id);
                }
            }
            for link in shared_links(&post.html) {
                if !g.excluded.contains(&(TrendKind::Link, link.clone())) {
                    g.links
                        .entry(link)
                        .or_default()
                        .add(day, post.author_id, post.id);
                }
            }
        }
        let likes = self.store.counter::<tables::LikeCount>(post.id)?;
        let boosts = self.store.counter::<tables::BoostCount>(post.id)?;
        let replies = self.store.counter::<tables::ReplyCount>(post.id)?;
        let explanation = formula::post_trend(likes, boosts, replies, g.now - post.created_at);
        if explanation.score > 0.0 {
            g.posts.push(PostTrend {
                id: post.id,
                explanation,
            });
        }
        Ok(())
    }
}

/// Scores and orders what was gathered.
fn finish(g: Gathered) -> Trends {
    let today = g.today;
    let mut tags: Vec<TagTrend> = g
        .tags
        .into_iter()
        .map(|(name, tally)| TagTrend {
            explanation: formula::use_trend(&tally.days, "used"),
            history: tally.history(today),
            name,
        })
        .collect();
    tags.sort_by(|a, b| {
        b.explanation
            .score
            .total_cmp(&a.explanation.score)
            .then_with(|| a.name.cmp(&b.name))
    });
    tags.truncate(MAX_TRENDS);
    let mut links: Vec<LinkTrend> = g
        .links
        .into_iter()
        .filter_map(|(url, tally)| {
            Some(LinkTrend {
                explanation: formula::use_trend(&tally.days, "shared"),
                history: tally.history(today),
                example_post: tally.newest_post?,
                url,
            })
        })
        .collect();
    links.sort_by(|a, b| {
        b.explanation
            .score
            .total_cmp(&a.explanation.score)
            .then_with(|| a.url.cmp(&b.url))
    });
    links.truncate(MAX_TRENDS);
    let mut posts = g.posts;
    posts.sort_by(|a, b| {
        b.explanation
            .score
            .total_cmp(&a.explanation.score)
            .then_with(|| b.id.cmp(&a.id))
    });
    posts.truncate(MAX_TRENDS);
    Trends {
        computed_at: g.now,
        scanned_posts: g.scanned,
        tags,
        posts,
        links,
    }
}
