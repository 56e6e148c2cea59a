//! Posts in a group: the group's feed (`new`, `hot`, `top`), pinned posts,
//! locked threads, removal by the group's moderators, and new-post alerts.
//!
//! A group's top-level posts sit in the group's own `AuthorPosts` index
//! (`(group, post)`, written with the post), which is the group's
//! timeline: the `new` sort pages it by id, and the home feed, which
//! merges the `AuthorPosts` of every account the viewer follows, shows a
//! member the posts of their groups with no index of its own. `hot` and
//! `top` rank a bounded window of that index at read time.
//!
//! Every moderator action is written with its entries in the group's
//! moderation log and the node's audit log, in the write that does it.

use serde::{Deserialize, Serialize};

use super::LoadedGroup;
use crate::error::{NodeError, NodeResult};
use crate::feeds::{Authors, Page, PageRequest};
use crate::id::Id;
use crate::model::{now_ms, NotificationKind, Post, PostView};
use crate::node::{Node, Viewer};
use crate::ranking::hot_score;
use crate::remote::GroupActivity;
use crate::store::{tables, Txn};

/// Most top-level posts a `hot` or `top` ranking reads: the newest this
/// many of the group (of the period, for `top`). A post older than the
/// window is not ranked.
pub const RANK_WINDOW: usize = 1_000;
/// Most pinned posts per group (409 naming `pins` beyond).
pub const MAX_PINS: usize = 5;
/// Most members told of one new post (in the write that posts it; the
/// first this many by member id).
pub const ALERT_FANOUT: usize = 1_000;

/// A locked thread (`tables::LockedThreads`, keyed by its root): it takes
/// no more replies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadLock {
    /// The moderator who locked it.
    pub by: Id,
    /// When (ms).
    pub at: i64,
}

/// The period of a `top` ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TopPeriod {
    /// The last 24 hours.
    Day,
    /// The last 7 days.
    Week,
    /// The last 30 days.
    Month,
    /// Any time (within [`RANK_WINDOW`]).
    All,
}

impl TopPeriod {
    /// The period's length in ms (`None`: unbounded).
    fn span_ms(self) -> Option<i64> {
        const DAY: i64 = 24 * 60 * 60 * 1000;
        match self {
            TopPeriod::Day => Some(DAY),
            TopPeriod::Week => Some(7 * DAY),
            TopPeriod::Month => Some(30 * DAY),
            TopPeriod::All => None,
        }
    }
}

/// The order of a group's feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum GroupPostSort {
    /// Newest first, paged by id (`max_id`, `min_id`, `since_id`);
    /// pinned posts first on the first page.
    #[default]
    New,
    /// By a time-decayed score, `(likes + boosts + 2·replies + 1) /
    /// (age in hours + 2)^1.5`, over the newest [`RANK_WINDOW`] posts;
    /// pinned posts first on the first page.
    Hot,
    /// By likes + boosts over the period's posts (newest first on a tie).
    Top(TopPeriod),
}

impl GroupPostSort {
    /// Parses `sort` (`new`, `hot`, `top`; 422 naming `sort`) and, for
    /// `top`, `t` (`day` by default, `week`, `month`, `all`; 422 naming
    /// `t`).
    pub fn parse(sort: Option<&str>, t: Option<&str>) -> NodeResult<GroupPostSort> {
        match sort.unwrap_or("") {
            "" | "new" => Ok(GroupPostSort::New),
            "hot" => Ok(GroupPostSort::Hot),
            "top" => Ok(GroupPostSort::Top(match t.unwrap_or("") {
                "" | "day" => TopPeriod::Day,
                "week" => TopPeriod::Week,
                "month" => TopPeriod::Month,
                "all" => TopPeriod::All,
                _ => return Err(NodeError::invalid("t", "must be day, week, month or all")),
            })),
            _ => Err(NodeError::invalid("sort", "must be new, hot or top")),
        }
    }
}

/// A request for a page of a group's feed.
#[derive(Debug, Clone, Default)]
pub struct GroupPostsRequest {
    /// The order.
    pub sort: GroupPostSort,
    /// Id cursors and the page size (`new` uses the cursors; the ranked
    /// sorts use `limit` only).
    pub page: PageRequest,
    /// For `hot` and `top`: the `next` of the previous page.
    pub cursor: Option<String>,
}

/// A page of a group's feed. `new` pages by id, as every feed does;
/// `hot` and `top` by the opaque `next`, which pins the ranking's clock
/// and window (its newest post) and holds the rank reached, so that the
/// next page continues the same ranking (only likes, boosts and replies
/// arriving meanwhile can move a post across a page boundary).
#[derive(Debug, Clone, Serialize)]
pub struct GroupPostsPage {
    /// The posts.
    pub items: Vec<PostView>,
    /// `new`: pass as `max_id` for the next page; absent at the end.
    pub next_max_id: Option<Id>,
    /// `new`: pass as `min_id` for newer posts.
    pub prev_min_id: Option<Id>,
    /// `hot`, `top`: pass as `cursor` for the next page; absent at the end.
    pub next: Option<String>,
}

/// What a moderator action on a post changed, for the logs: the action,
/// the post, the detail; `None` when it changed nothing.
type PostAction = Option<(&'static str, Id, String)>;

/// What a group announces for the logged post `action` by `moderator` on
/// `post` (pins and locks; `None` for anything else).
fn announced(action: &str, moderator: Id, post: Id) -> Option<GroupActivity> {
    let (lock, undone) = match action {
        "post.pin" => (false, false),
        "post.unpin" => (false, true),
        "post.lock" => (true, false),
        "post.unlock" => (true, true),
        _ => return None,
    };
    Some(if lock {
        GroupActivity::Lock {
            moderator,
            post,
            undone,
        }
    } else {
        GroupActivity::Pin {
            moderator,
            post,
            undone,
        }
    })
}

/// Where a ranked feed stands: the clock its scores use, the newest post
/// of its window, and how many ranked posts earlier pages went through.
struct RankCursor {
    at: i64,
    top: Id,
    offset: usize,
}

impl RankCursor {
    fn encode(&self) -> String {
        format!("{}.{}.{}", self.at, self.top, self.offset)
    }

    fn decode(raw: &str) -> NodeResult<RankCursor> {
        let bad = || NodeError::invalid("cursor", "is not a cursor of this feed");
        let mut parts = raw.split('.');
        let (Some(at), Some(top), Some(offset), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        Ok(RankCursor {
            at: at.parse().map_err(|_| bad())?,
            top: top.parse().map_err(|_| bad())?,
            offset: offset.parse().map_err(|_| bad())?,
        })
    }
}

impl Node {
    /// The top-level posts of the group `name` the viewer may see, in the
    /// order asked for. A private group's feed is for its members and the
    /// node's moderators (403 for others). A group of another server
    /// (`name@host`) shows what it has announced here.
    pub fn group_posts(
        &self,
        viewer: &Viewer,
        name: &str,
        req: &GroupPostsRequest,
    ) -> NodeResult<GroupPostsPage> {
        let gid = match self.remote_group_named(name)? {
            Some(remote) => remote.id,
            None => {
                let group = self.local_group(name)?;
                if !self.can_read_group(viewer, &group)? {
                    return Err(NodeError::Forbidden(
                        "this group's posts are for its members",
                    ));
                }
                group.id()
            }
        };
        let mut authors = Authors::new(self);
        let first_page = req.page.max_id.is_none()
            && req.page.min_id.is_none()
            && req.page.since_id.is_none()
            && req.cursor.is_none();
        let pins = match req.sort {
            GroupPostSort::Top(_) => Vec::new(),
            _ => self.group_pins(gid)?,
        };
        let mut items = Vec::new();
        if first_page {
            for id in &pins {
                if let Some(view) = self.feed_item(viewer, &mut authors, *id, &|_, _| Ok(true))? {
                    items.push(view);
                }
            }
        }
        if req.sort == GroupPostSort::New {
            if req.cursor.is_some() {
                return Err(NodeError::invalid(
                    "cursor",
                    "is for hot and top; new pages by max_id",
                ));
            }
            let page: Page<PostView> = crate::feeds::scan::<tables::AuthorPosts, _, _>(
                &self.store,
                gid,
                &req.page,
                |id, _| {
                    if pins.contains(&id) {
                        return Ok(None);
                    }
                    self.feed_item(viewer, &mut authors, id, &|_, _| Ok(true))
                },
            )?;
            items.extend(page.items);
            return Ok(GroupPostsPage {
                items,
                next_max_id: page.next_max_id,
                prev_min_id: page.prev_min_id,
                next: None,
            });
        }
        let given = req.cursor.as_deref().map(RankCursor::decode).transpose()?;
        let kept = self
            .group_rankings
            .get(gid, req.sort, given.as_ref().map(|c| (c.at, c.top)));
        let (ranking, offset) = match (kept, given) {
            (Some(ranking), given) => (ranking, given.map_or(0, |c| c.offset)),
            (None, given) => {
                let cursor = given.unwrap_or(RankCursor {
                    at: now_ms(),
                    top: Id::MAX,
                    offset: 0,
                });
                let ranking = self.rank_group_posts(gid, req.sort, &cursor)?;
                self.group_rankings.put(gid, req.sort, ranking.clone());
                (ranking, cursor.offset)
            }
        };
        let ranked = &ranking.ids;
        let limit = req.page.limit()?;
        let budget = limit * 10 + 100;
        let mut pos = offset.min(ranked.len());
        let start = pos;
        let mut ranked_items = Vec::new();
        while pos < ranked.len() && ranked_items.len() < limit && pos - start < budget {
            let id = ranked[pos];
            pos += 1;
            // `hot` shows the pins first (read now, not when ranked).
            if req.sort == GroupPostSort::Hot && pins.contains(&id) {
                continue;
            }
            if let Some(view) = self.feed_item(viewer, &mut authors, id, &|_, _| Ok(true))? {
                ranked_items.push(view);
            }
        }
        items.extend(ranked_items);
        let next = (pos < ranked.len()).then(|| {
            RankCursor {
                at: ranking.at,
                top: ranking.top,
                offset: pos,
            }
            .encode()
        });
        Ok(GroupPostsPage {
            items,
            next_max_id: None,
            prev_min_id: None,
            next,
        })
    }

    /// The group's pinned posts, most recently pinned first.
    fn group_pins(&self, gid: Id) -> NodeResult<Vec<Id>> {
        let mut pins = Vec::new();
        for entry in self.store.scan::<tables::GroupPins>((gid,), false) {
            let ((_, post), at) = entry?;
            pins.push((at, post));
        }
        pins.sort_by(|a, b| b.cmp(a));
        Ok(pins.into_iter().map(|(_, post)| post).collect())
    }

    /// The window's posts in ranked order, with the clock and the newest
    /// post of the window (see [`RankCache`](super::rank_cache)).
    fn rank_group_posts(
        &self,
        gid: Id,
        sort: GroupPostSort,
        cursor: &RankCursor,
    ) -> NodeResult<super::rank_cache::Ranking> {
        let oldest_ms = match sort {
            GroupPostSort::Top(period) => period.span_ms().map(|span| cursor.at - span),
            _ => None,
        };
        let mut scored = Vec::new();
        let mut top = None;
        for key in self.store.scan::<tables::AuthorPosts>((gid,), true).keys() {
            let (_, id) = key?;
            if id > cursor.top {
                continue; // newer than the window the first page ranked
            }
            let created = i64::try_from(id.timestamp_ms()).unwrap_or(i64::MAX);
            if oldest_ms.is_some_and(|oldest| created < oldest) || scored.len() >= RANK_WINDOW {
                break;
            }
            top.get_or_insert(id);
            let likes = self.store.counter::<tables::LikeCount>(id)?;
            let boosts = self.store.counter::<tables::BoostCount>(id)?;
            let score = match sort {
                GroupPostSort::Top(_) => (likes + boosts) as f64,
                _ => {
                    let replies = self.store.counter::<tables::ReplyCount>(id)?;
                    hot_score(likes, boosts, replies, cursor.at - created)
                }
            };
            scored.push((score, id));
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)));
        Ok(super::rank_cache::Ranking {
            at: cursor.at,
            top: top.unwrap_or(cursor.top),
            ids: std::sync::Arc::new(scored.into_iter().map(|(_, id)| id).collect()),
        })
    }

    /// Writes what a post in group `gid` adds besides the post itself, in
    /// the write that posts it: a top-level post enters the group's
    /// timeline (its `AuthorPosts`) and post counter, and the members who
    /// asked are told (at most [`ALERT_FANOUT`] of them).
    pub(crate) fn insert_group_entries(
        &self,
        txn: &mut Txn<'_>,
        post: &Post,
        gid: Id,
    ) -> NodeResult<()> {
        if post.in_reply_to.is_some() {
            return Ok(());
        }
        txn.store::<tables::AuthorPosts>((gid, post.id), &None)?;
        txn.add::<tables::PostCount>(gid, 1)?;
        let alerted: Vec<Id> = txn
            .scan::<tables::GroupPostAlerts>((gid,), false)
            .keys()
            .take(ALERT_FANOUT)
            .map(|key| key.map(|(_, member)| member))
            .collect::<Result<_, _>>()?;
        for member in alerted {
            // A mention already tells them.
            if post.mentions.contains(&member) || !txn.has::<tables::Following>((member, gid))? {
                continue;
            }
            self.notify_about(
                txn,
                member,
                NotificationKind::GroupPost,
                post.author_id,
                Some(post.id),
                Some(gid),
            )?;
        }
        Ok(())
    }

    /// Removes what [`Node::insert_group_entries`] and the group's
    /// moderators added for a post, in the write that deletes it.
    pub(crate) fn remove_group_entries(&self, txn: &mut Txn<'_>, post: &Post) -> NodeResult<()> {
        let Some(gid) = post.group else {
            return Ok(());
        };
        if post.in_reply_to.is_none() {
            if txn.has::<tables::AuthorPosts>((gid, post.id))? {
                txn.remove::<tables::AuthorPosts>((gid, post.id));
                txn.add::<tables::PostCount>(gid, -1)?;
            }
            txn.remove::<tables::GroupPins>((gid, post.id));
            txn.remove::<tables::LockedThreads>(post.id);
        }
        Ok(())
    }

    /// The post `id` if it is in group `gid` (read inside a write), or
    /// `NotFound("post")`.
    fn group_post_in(txn: &Txn<'_>, gid: Id, id: Id) -> NodeResult<Post> {
        match txn.load::<tables::Post>(id)? {
            Some(post) if post.group == Some(gid) => Ok(post),
            _ => Err(NodeError::NotFound("post")),
        }
    }

    /// Pins the top-level post `id` of the group `name` (its owner and
    /// moderators): it comes first in the `new` and `hot` feeds. At most
    /// [`MAX_PINS`] (409 naming `pins`); pinning twice changes nothing.
    pub async fn pin_group_post(&self, viewer: &Viewer, name: &str, id: Id) -> NodeResult<()> {
        self.group_post_action(viewer, name, |txn, group| {
            let gid = group.id();
            let post = Self::group_post_in(txn, gid, id)?;
            if post.in_reply_to.is_some() {
                return Err(NodeError::invalid(
                    "post",
                    "only a thread's first post can be pinned",
                ));
            }
            if txn.has::<tables::GroupPins>((gid, id))? {
                return Ok(None);
            }
            let pinned = txn.scan::<tables::GroupPins>((gid,), false).keys().count();
            if pinned >= MAX_PINS {
                return Err(NodeError::conflict(
                    "pins",
                    format!("at most {MAX_PINS} posts can be pinned"),
                ));
            }
            txn.store::<tables::GroupPins>((gid, id), &now_ms())?;
            Ok(Some(("post.pin", id, String::new())))
        })
        .await
    }

    /// Unpins the post `id` of the group `name` (its owner and moderators).
    pub async fn unpin_group_post(&self, viewer: &Viewer, name: &str, id: Id) -> NodeResult<()> {
        self.group_post_action(viewer, name, |txn, group| {
            let gid = group.id();
            Self::group_post_in(txn, gid, id)?;
            if !txn.has::<tables::GroupPins>((gid, id))? {
                return Ok(None);
            }
            txn.remove::<tables::GroupPins>((gid, id));
            Ok(Some(("post.unpin", id, String::new())))
        })
        .await
    }

    /// Locks the thread of the post `id` of the group `name` (its owner
    /// and moderators): the lock is on the thread's root, and no one may
    /// reply anywhere in it (403) until it is unlocked.
    pub async fn lock_group_thread(&self, viewer: &Viewer, name: &str, id: Id) -> NodeResult<()> {
        let me = viewer.member()?.id;
        self.group_post_action(viewer, name, |txn, group| {
            let root = Self::group_post_in(txn, group.id(), id)?.thread_root;
            if txn.has::<tables::LockedThreads>(root)? {
                return Ok(None);
            }
            let lock = ThreadLock {
                by: me,
                at: now_ms(),
            };
            txn.store::<tables::LockedThreads>(root, &lock)?;
            Ok(Some(("post.lock", root, String::new())))
        })
        .await
    }

    /// Unlocks the thread of the post `id` of the group `name` (its owner
    /// and moderators).
    pub async fn unlock_group_thread(&self, viewer: &Viewer, name: &str, id: Id) -> NodeResult<()> {
        self.group_post_action(viewer, name, |txn, group| {
            let root = Self::group_post_in(txn, group.id(), id)?.thread_root;
            if !txn.has::<tables::LockedThreads>(root)? {
                return Ok(None);
            }
            txn.remove::<tables::LockedThreads>(root);
            Ok(Some(("post.unlock", root, String::new())))
        })
        .await
    }

    /// Runs a moderator action on a post of the group `name` in one write:
    /// the viewer's role checked, `act` done, and, when it changed
    /// something (`Some((action, post, detail))`), the logs written and
    /// the action announced to the group's members elsewhere.
    async fn group_post_action(
        &self,
        viewer: &Viewer,
        name: &str,
        act: impl FnOnce(&mut Txn<'_>, &LoadedGroup) -> NodeResult<PostAction>,
    ) -> NodeResult<()> {
        let me = viewer.member()?.clone();
        let group = self.local_group(name)?;
        self.write(|txn| {
            Self::require_group_moderator(txn, group.id(), &me)?;
            if let Some((action, post, detail)) = act(txn, &group)? {
                if let Some(activity) = announced(action, me.id, post) {
                    self.announce_for_group(txn, group.id(), activity)?;
                }
                self.group_log(
                    txn,
                    viewer,
                    &group.account,
                    action,
                    &post.to_string(),
                    &detail,
                )?;
            }
            Ok(())
        })
        .await
    }

    /// Removes the post `id` from the group `name` (its owner and
    /// moderators), with an optional reason: the post is deleted as its
    /// author would delete it (indexes, counters, replies' counts and
    /// federation follow), the logs say who and why, and the author is
    /// told (by the group: the moderator's name stays in the logs).
    pub async fn remove_group_post(
        &self,
        viewer: &Viewer,
        name: &str,
        id: Id,
        reason: &str,
    ) -> NodeResult<()> {
        let reason = Self::checked_reason(reason)?;
        let me = viewer.member()?.clone();
        let group = self.local_group(name)?;
        let gid = group.id();
        let post = match self.store.load::<tables::Post>(id)? {
            Some(post) if post.group == Some(gid) => post,
            _ => return Err(NodeError::NotFound("post")),
        };
        let author = post.author_id;
        self.erase_post(viewer, post, |txn| {
            Self::require_group_moderator(txn, gid, &me)?;
            self.group_log(
                txn,
                viewer,
                &group.account,
                "post.remove",
                &id.to_string(),
                reason,
            )?;
            self.notify_about(
                txn,
                author,
                NotificationKind::GroupPostRemoved,
                gid,
                None,
                Some(gid),
            )
        })
        .await
    }

    /// Whether the viewer, a member of the group `name`, is told of each
    /// new top-level post in it (a `group_post` notification). Members
    /// only (403); leaving the group ends it.
    pub async fn set_group_post_alerts(
        &self,
        viewer: &Viewer,
        name: &str,
        on: bool,
    ) -> NodeResult<()> {
        let me = viewer.member()?.id;
        let gid = self.local_group(name)?.id();
        self.write(|txn| {
            if !txn.has::<tables::Following>((me, gid))? {
                return Err(NodeError::Forbidden(
                    "only the group's members can be told of its posts",
                ));
            }
            if on {
                txn.store::<tables::GroupPostAlerts>((gid, me), &())
            } else {
                txn.remove::<tables::GroupPostAlerts>((gid, me));
                Ok(())
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_bad_ones_name_the_field() {
        let c = RankCursor {
            at: 1_764_000_000_000,
            top: Id::floor_of_ms(1_764_000_000_000),
            offset: 40,
        };
        let back = RankCursor::decode(&c.encode()).expect("decode");
        assert_eq!((back.at, back.top, back.offset), (c.at, c.top, c.offset));
        for bad in ["", "1.2", "x.y.z", "1.2.3.4"] {
            match RankCursor::decode(bad) {
                Err(NodeError::Invalid { field, .. }) => assert_eq!(field, "cursor"),
                _ => panic!("{bad} decoded"),
            }
        }
    }
}
