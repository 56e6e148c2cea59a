//! A group's monthly report for its owner and moderators
//! (`GET /api/kodeon/v1/groups/{group}/report?month=YYYY-MM`).

use std::collections::HashSet;

use serde::Serialize;

use super::admin::{excerpt, TopPost, PER_ITEM_BOUND};
use super::aggregate::top_by;
use super::dates::{format_day, DayRange};
use super::TOP_N;
use crate::community_events::EventStatus;
use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::moderation::day_of;
use crate::node::{Node, Viewer};
use crate::store::{tables, Cut};

/// Members of a group looked at for the month's new members.
pub const MEMBERS_BOUND: usize = 100_000;
/// Replies read per post.
pub const REPLIES_PER_POST: usize = 1_000;

/// An event of the group held in the month.
#[derive(Debug, Clone, Serialize)]
pub struct HeldEvent {
    /// The event.
    pub id: Id,
    /// Its title.
    pub title: String,
    /// Its start (`YYYY-MM-DD`, UTC).
    pub date: String,
    /// Members holding a seat.
    pub registered: i64,
    /// Members checked in.
    pub attended: i64,
}

/// What a group's moderators see of one month.
#[derive(Debug, Clone, Serialize)]
pub struct GroupReport {
    /// The group's handle.
    pub group: String,
    /// The month (`YYYY-MM`).
    pub month: String,
    /// Its first day (`YYYY-MM-DD`).
    pub from: String,
    /// Its last day (`YYYY-MM-DD`).
    pub to: String,
    /// Members who joined in the month and are still members.
    pub new_members: i64,
    /// Members now.
    pub members: i64,
    /// Top-level posts in the group in the month.
    pub posts: i64,
    /// Direct replies written in the month to the group's posts of this
    /// month and the month before.
    pub replies: i64,
    /// Distinct authors of those posts and replies.
    pub active_members: i64,
    /// The month's posts by likes + boosts + replies.
    pub top_posts: Vec<TopPost>,
    /// The group's events that started in the month (not drafts, not
    /// cancelled).
    pub events: Vec<HeldEvent>,
    /// How each figure is made, in words.
    pub explain: Vec<String>,
    /// Figures a read bound cut short (empty: none).
    pub truncated: Vec<String>,
}

impl Node {
    /// The report of `month` of the local group `name`, for its owner and
    /// moderators (`Forbidden` to anyone else).
    #[tracing::instrument(skip(self, viewer))]
    pub fn group_report(
        &self,
        viewer: &Viewer,
        name: &str,
        month: DayRange,
    ) -> NodeResult<GroupReport> {
        let me = viewer.member()?.id;
        let group = self.local_group(name)?;
        let gid = group.account.id;
        if self.store.load::<tables::GroupRoles>((gid, me))?.is_none() {
            return Err(NodeError::Forbidden(
                "only the group's owner and moderators can see its report",
            ));
        }
        let mut truncated = Vec::new();

        let mut new_members = 0;
        for (n, row) in self
            .store
            .scan::<tables::Followers>((gid,), false)
            .values()
            .enumerate()
        {
            if n >= MEMBERS_BOUND {
                truncated.push("new_members".to_string());
                break;
            }
            if month.holds_ms(row?) {
                new_members += 1;
            }
        }

        let posts = self.group_posts_in(gid, month)?;
        let mut authors: HashSet<Id> = HashSet::new();
        let mut scored = Vec::with_capacity(posts.len());
        for &id in &posts {
            if let Some(post) = self.store.load::<tables::Post>(id)? {
                authors.insert(post.author_id);
            }
            scored.push((
                id,
                self.store.counter::<tables::LikeCount>(id)?,
                self.store.counter::<tables::BoostCount>(id)?,
                self.store.counter::<tables::ReplyCount>(id)?,
            ));
        }
        // Threads stay alive a while: replies in this month to last
        // month's posts count too.
        let earlier = DayRange {
            from: month.from.saturating_sub(31),
            to: month.from.saturating_sub(1),
        };
        let mut threads = self.group_posts_in(gid, earlier)?;
        threads.extend(posts.iter().copied());
        let mut replies = 0;
        for root in threads {
            let rows = self.store.range::<tables::Replies>(
                Cut::key((root, Id::floor_of_ms(month.start_ms() as u64))),
                Cut::key((root, Id::floor_of_ms(month.end_ms() as u64))),
                false,
            );
            for key in rows.keys().take(REPLIES_PER_POST) {
                let (_, reply) = key?;
                replies += 1;
                if let Some(post) = self.store.load::<tables::Post>(reply)? {
                    authors.insert(post.author_id);
                }
            }
        }

        let mut top_posts = Vec::new();
        for (id, likes, boosts, replies) in top_by(scored, TOP_N, |s| s.1 + s.2 + s.3) {
            let Some(post) = self.store.load::<tables::Post>(id)? else {
                continue;
            };
            let author = self
                .store
                .load::<tables::Member>(post.author_id)?
                .map(|m| m.username)
                .unwrap_or_default();
            top_posts.push(TopPost {
                id,
                author,
                excerpt: excerpt(&post),
                date: format_day(day_of(id.timestamp_ms() as i64)),
                likes,
                boosts,
                replies,
                score: likes + boosts + replies,
            });
        }

        let mut events = Vec::new();
        for key in self
            .store
            .scan::<tables::EventsByGroup>((gid,), false)
            .keys()
            .take(PER_ITEM_BOUND)
        {
            let (_, id) = key?;
            let Some(event) = self.store.load::<tables::CommunityEvent>(id)? else {
                continue;
            };
            if !month.holds_ms(event.start)
                || matches!(event.status, EventStatus::Draft | EventStatus::Cancelled)
            {
                continue;
            }
            events.push(HeldEvent {
                id,
                title: event.title,
                date: format_day(day_of(event.start)),
                registered: self.store.counter::<tables::EventRegisteredCount>(id)?,
                attended: self.store.counter::<tables::EventAttendedCount>(id)?,
            });
        }
        events.sort_by(|a, b| a.date.cmp(&b.date));

        let from = format_day(month.from);
        Ok(GroupReport {
            group: group.account.username.clone(),
            month: from.get(..7).unwrap_or_default().to_string(),
            from,
            to: format_day(month.to),
            new_members,
            members: self.store.counter::<tables::FollowerCount>(gid)?,
            posts: posts.len() as i64,
            replies,
            active_members: authors.len() as i64,
            top_posts,
            events,
            explain: vec![
                "new_members: members who joined in the month and are still members".into(),
                "posts: top-level posts in the group in the month; replies: direct replies written in the month to the group's posts of this month and the month before".into(),
                "active_members: distinct authors of those posts and replies".into(),
                "top_posts: the month's posts by likes + boosts + replies they have now".into(),
                "events: the group's events that started in the month, with seats taken and check-ins".into(),
            ],
            truncated,
        })
    }
}
