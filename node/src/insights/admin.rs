//! The admins' community insights over a range of days
//! (`GET /api/kodeon/v1/admin/insights`).

use serde::Serialize;

use super::active::active_days_by_member;
use super::aggregate::{cumulative, ratio, retention, rolling_active, top_by, CohortRow};
use super::dates::{format_day, DayRange};
use super::{Interaction, TOP_N};
use crate::community_events::EventStatus;
use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::{now_ms, AccountKind, Post, Role};
use crate::moderation::{day_of, DailyMetric};
use crate::node::{Node, Viewer};
use crate::store::{tables, Cut};

/// Active-day rows read at most (member × day).
pub const ACTIVE_ROWS_BOUND: usize = 4_000_000;
/// Accounts made in the range looked at for the signup cohorts.
pub const COHORT_BOUND: usize = 100_000;
/// Public top-level posts of the range looked at for the top posts.
pub const POSTS_BOUND: usize = 20_000;
/// Groups, events or courses looked at for their tops.
pub const ITEMS_BOUND: usize = 2_000;
/// Entries read per group, event or course (posts, enrolments).
pub const PER_ITEM_BOUND: usize = 10_000;

/// Members active per day: distinct members active that day (`daily`),
/// in the 7 days ending that day (`weekly`) and in the 30 days ending
/// that day (`monthly`).
#[derive(Debug, Clone, Serialize)]
pub struct ActiveSeries {
    /// Daily active members.
    pub daily: Vec<i64>,
    /// Weekly active members.
    pub weekly: Vec<i64>,
    /// Monthly active members.
    pub monthly: Vec<i64>,
    /// Distinct members active on some day of the range.
    pub distinct_in_range: i64,
}

/// Sign-ups per day and members in all at the end of each day.
#[derive(Debug, Clone, Serialize)]
pub struct Growth {
    /// Local accounts made each day.
    pub signups: Vec<i64>,
    /// Local members at the end of each day: members now, less the
    /// sign-ups since (accounts deleted since are not added back).
    pub cumulative: Vec<i64>,
    /// Local members now.
    pub members_now: i64,
}

/// A top post: a public top-level post of the range and what ranks it.
#[derive(Debug, Clone, Serialize)]
pub struct TopPost {
    /// The post.
    pub id: Id,
    /// Its author's username.
    pub author: String,
    /// Its title or first words.
    pub excerpt: String,
    /// When it was posted (`YYYY-MM-DD`).
    pub date: String,
    /// Likes it has.
    pub likes: i64,
    /// Boosts it has.
    pub boosts: i64,
    /// Direct replies it has.
    pub replies: i64,
    /// `likes + boosts + replies`, what ranks it.
    pub score: i64,
}

/// A top group: ranked by its top-level posts in the range.
#[derive(Debug, Clone, Serialize)]
pub struct TopGroup {
    /// The group's account.
    pub id: Id,
    /// Its handle.
    pub name: String,
    /// Top-level posts in the group in the range, what ranks it.
    pub posts: i64,
    /// Members it has now.
    pub members: i64,
}

/// A top event: one starting in the range, ranked by members holding a
/// seat.
#[derive(Debug, Clone, Serialize)]
pub struct TopEvent {
    /// The event.
    pub id: Id,
    /// Its title.
    pub title: String,
    /// Its start (`YYYY-MM-DD`, UTC).
    pub date: String,
    /// Members holding a seat, what ranks it.
    pub registered: i64,
    /// Members checked in.
    pub attended: i64,
}

/// A top course: ranked by the members who enrolled in it or completed
/// it in the range (an enrolment's latest state change falls in it).
#[derive(Debug, Clone, Serialize)]
pub struct TopCourse {
    /// The course.
    pub id: Id,
    /// Its title.
    pub title: String,
    /// Members whose enrolment became `enrolled` or `completed` in the
    /// range, what ranks it.
    pub learners: i64,
    /// Of them, completions.
    pub completed: i64,
    /// Members holding a seat now.
    pub enrolled_now: i64,
}

/// Interactions given by local members in the range and what they are
/// divided by.
#[derive(Debug, Clone, Serialize)]
pub struct Engagement {
    /// Likes given.
    pub likes: i64,
    /// Boosts given.
    pub boosts: i64,
    /// Replies written.
    pub replies: i64,
    /// `likes + boosts + replies`.
    pub interactions: i64,
    /// Local posts written (replies included).
    pub posts: i64,
    /// Distinct members active in the range.
    pub active_members: i64,
    /// `interactions / active_members`.
    pub per_active_member: f64,
    /// `interactions / posts`.
    pub per_post: f64,
}

/// Everything the admin panel's insights page charts, for one range.
#[derive(Debug, Clone, Serialize)]
pub struct AdminInsights {
    /// The first day (`YYYY-MM-DD`).
    pub from: String,
    /// The last day (`YYYY-MM-DD`).
    pub to: String,
    /// Each day of the range (`YYYY-MM-DD`): the x axis of every series.
    pub days: Vec<String>,
    /// Active members.
    pub active: ActiveSeries,
    /// Sign-ups and members.
    pub growth: Growth,
    /// Retention by signup week.
    pub retention: Vec<CohortRow>,
    /// Top posts.
    pub top_posts: Vec<TopPost>,
    /// Top groups.
    pub top_groups: Vec<TopGroup>,
    /// Top events.
    pub top_events: Vec<TopEvent>,
    /// Top courses.
    pub top_courses: Vec<TopCourse>,
    /// Engagement rates.
    pub engagement: Engagement,
    /// How each figure is made, in words.
    pub explain: Vec<String>,
    /// Figures a read bound cut short (empty: none).
    pub truncated: Vec<String>,
}

fn explanations() -> Vec<String> {
    [
        "active: a local member who posted, replied, liked, boosted, signed in or used a session that day (UTC days); page views are not tracked",
        "active.daily/weekly/monthly: distinct active members on the day, in the 7 days and in the 30 days ending that day",
        "growth.signups: local accounts made per day; growth.cumulative: members now less the sign-ups since that day",
        "retention: members who signed up in the range, by signup week (Monday to Sunday); active[k] is how many of them were active in week k after, rates[k] that share of the cohort",
        "top_posts: public top-level posts made in the range, by likes + boosts + replies they have now",
        "top_groups: groups by their top-level posts in the range; top_events: events starting in the range by members holding a seat; top_courses: courses by members who enrolled or completed in the range",
        "engagement: likes, boosts and replies given by local members in the range, per distinct active member and per local post",
    ]
    .into_iter()
    .map(String::from)
    .collect()
}

/// A post's title or first words, on one line, at most 80 characters.
pub(crate) fn excerpt(post: &Post) -> String {
    let text = if post.title.trim().is_empty() {
        &post.source
    } else {
        &post.title
    };
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let cut: String = line.chars().take(80).collect();
    if cut.len() < line.len() {
        format!("{cut}…")
    } else {
        cut
    }
}

/// Admins only.
fn require_admin(viewer: &Viewer) -> NodeResult<()> {
    if viewer.has_role(Role::Admin) {
        Ok(())
    } else {
        Err(NodeError::Forbidden("only admins can see the insights"))
    }
}

impl Node {
    /// The community insights over `range` (admins).
    #[tracing::instrument(skip(self, viewer), fields(from = range.from, to = range.to))]
    pub fn admin_insights(&self, viewer: &Viewer, range: DayRange) -> NodeResult<AdminInsights> {
        require_admin(viewer)?;
        let mut truncated = Vec::new();

        // Active members: rows from 29 days before the range, so the
        // first days' monthly windows are whole.
        let (by_member, cut) = active_days_by_member(
            &self.store,
            range.from.saturating_sub(29),
            range.to,
            ACTIVE_ROWS_BOUND,
        )?;
        if cut {
            truncated.push("active".to_string());
        }
        let lists = || by_member.values().map(Vec::as_slice);
        let active = ActiveSeries {
            daily: rolling_active(lists(), range.from, range.to, 1),
            weekly: rolling_active(lists(), range.from, range.to, 7),
            monthly: rolling_active(lists(), range.from, range.to, 30),
            distinct_in_range: lists()
                .filter(|days| days.iter().any(|d| *d >= range.from))
                .count() as i64,
        };

        let growth = self.growth(range)?;
        let retention = self.retention_rows(range, &by_member, &mut truncated)?;
        let top_posts = self.top_posts(range, &mut truncated)?;
        let top_groups = self.top_groups(range, &mut truncated)?;
        let top_events = self.top_events(range, &mut truncated)?;
        let top_courses = self.top_courses(range, &mut truncated)?;

        let sum = |kind: Interaction| -> NodeResult<i64> {
            let mut total = 0;
            for day in range.days() {
                total += self
                    .store
                    .counter::<tables::InteractionsOnDay>((kind as u8, day))?;
            }
            Ok(total)
        };
        let (likes, boosts, replies) = (
            sum(Interaction::Like)?,
            sum(Interaction::Boost)?,
            sum(Interaction::Reply)?,
        );
        let mut posts = 0;
        for day in range.days() {
            posts += self
                .store
                .counter::<tables::DailyStat>((DailyMetric::Posts as u8, day))?;
        }
        let interactions = likes + boosts + replies;
        let engagement = Engagement {
            likes,
            boosts,
            replies,
            interactions,
            posts,
            active_members: active.distinct_in_range,
            per_active_member: ratio(interactions, active.distinct_in_range),
            per_post: ratio(interactions, posts),
        };

        Ok(AdminInsights {
            from: format_day(range.from),
            to: format_day(range.to),
            days: range.days().map(format_day).collect(),
            active,
            growth,
            retention,
            top_posts,
            top_groups,
            top_events,
            top_courses,
            engagement,
            explain: explanations(),
            truncated,
        })
    }

    /// Sign-ups per day and the members at the end of each day.
    fn growth(&self, range: DayRange) -> NodeResult<Growth> {
        let registrations = |day: u64| {
            self.store
                .counter::<tables::DailyStat>((DailyMetric::Registrations as u8, day))
        };
        let signups = range
            .days()
            .map(&registrations)
            .collect::<Result<Vec<_>, _>>()?;
        let members_now = self.store.counter::<tables::MemberTotal>(())?;
        let today = day_of(now_ms());
        let mut since = 0;
        for day in range.to + 1..=today {
            since += registrations(day)?;
        }
        let in_range: i64 = signups.iter().sum();
        let start = (members_now - since - in_range).max(0);
        Ok(Growth {
            cumulative: cumulative(start, &signups),
            signups,
            members_now,
        })
    }

    /// Signup cohorts: local people whose account was made in the range
    /// (their ids are ULIDs, so a range of ids is a range of times).
    fn retention_rows(
        &self,
        range: DayRange,
        by_member: &std::collections::HashMap<Id, Vec<u64>>,
        truncated: &mut Vec<String>,
    ) -> NodeResult<Vec<CohortRow>> {
        let rows = self.store.range::<tables::Member>(
            Cut::key(Id::floor_of_ms(range.start_ms() as u64)),
            Cut::key(Id::floor_of_ms(range.end_ms() as u64)),
            false,
        );
        let mut cohort: Vec<(u64, Id)> = Vec::new();
        for (n, row) in rows.each_value().enumerate() {
            if n >= COHORT_BOUND {
                truncated.push("retention".to_string());
                break;
            }
            let (id, member) = row?;
            let Ok(member) = member else { continue };
            if member.is_local() && member.kind != AccountKind::Group {
                cohort.push((day_of(member.created_at), id));
            }
        }
        let empty: Vec<u64> = Vec::new();
        Ok(retention(
            cohort.iter().map(|(signup, id)| {
                (
                    *signup,
                    by_member.get(id).map_or(empty.as_slice(), Vec::as_slice),
                )
            }),
            range.from,
            range.to,
        ))
    }

    fn top_posts(&self, range: DayRange, truncated: &mut Vec<String>) -> NodeResult<Vec<TopPost>> {
        let mut scored: Vec<(Id, i64, i64, i64)> = Vec::new();
        let ids = self.store.range::<tables::LocalTimeline>(
            Cut::key(Id::floor_of_ms(range.start_ms() as u64)),
            Cut::key(Id::floor_of_ms(range.end_ms() as u64)),
            false,
        );
        for (n, id) in ids.keys().enumerate() {
            if n >= POSTS_BOUND {
                truncated.push("top_posts".to_string());
                break;
            }
            let id = id?;
            scored.push((
                id,
                self.store.counter::<tables::LikeCount>(id)?,
                self.store.counter::<tables::BoostCount>(id)?,
                self.store.counter::<tables::ReplyCount>(id)?,
            ));
        }
        let mut out = Vec::new();
        for (id, likes, boosts, replies) in top_by(scored, TOP_N, |s| s.1 + s.2 + s.3) {
            let Some(post) = self.store.load::<tables::Post>(id)? else {
                continue;
            };
            let author = self
                .store
                .load::<tables::Member>(post.author_id)?
                .map(|m| m.username)
                .unwrap_or_default();
            out.push(TopPost {
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
        Ok(out)
    }

    /// Top-level posts of `group` in `range` (at most [`PER_ITEM_BOUND`]).
    pub(crate) fn group_posts_in(&self, group: Id, range: DayRange) -> NodeResult<Vec<Id>> {
        self.store
            .range::<tables::AuthorPosts>(
                Cut::key((group, Id::floor_of_ms(range.start_ms() as u64))),
                Cut::key((group, Id::floor_of_ms(range.end_ms() as u64))),
                false,
            )
            .keys()
            .take(PER_ITEM_BOUND)
            .map(|k| k.map(|(_, post)| post))
            .collect()
    }

    fn top_groups(
        &self,
        range: DayRange,
        truncated: &mut Vec<String>,
    ) -> NodeResult<Vec<TopGroup>> {
        let mut groups = Vec::new();
        for (n, id) in self
            .store
            .scan::<tables::GroupDirectory>((), false)
            .keys()
            .enumerate()
        {
            if n >= ITEMS_BOUND {
                truncated.push("top_groups".to_string());
                break;
            }
            let id = id?;
            let posts = self.group_posts_in(id, range)?.len() as i64;
            if posts > 0 {
                groups.push((id, posts));
            }
        }
        let mut out = Vec::new();
        for (id, posts) in top_by(groups, TOP_N, |g| g.1) {
            let Some(account) = self.store.load::<tables::Member>(id)? else {
                continue;
            };
            out.push(TopGroup {
                id,
                name: account.username,
                posts,
                members: self.store.counter::<tables::FollowerCount>(id)?,
            });
        }
        Ok(out)
    }

    fn top_events(
        &self,
        range: DayRange,
        truncated: &mut Vec<String>,
    ) -> NodeResult<Vec<TopEvent>> {
        let mut events = Vec::new();
        let rows = self.store.range::<tables::EventsByStart>(
            Cut::key((range.start_ms() as u64, Id::MIN)),
            Cut::key((range.end_ms() as u64, Id::MIN)),
            false,
        );
        for (n, key) in rows.keys().enumerate() {
            if n >= ITEMS_BOUND {
                truncated.push("top_events".to_string());
                break;
            }
            let (_, id) = key?;
            events.push((id, self.store.counter::<tables::EventRegisteredCount>(id)?));
        }
        let mut out = Vec::new();
        for (id, registered) in top_by(events, usize::MAX, |e| e.1) {
            if out.len() == TOP_N {
                break;
            }
            let Some(event) = self.store.load::<tables::CommunityEvent>(id)? else {
                continue;
            };
            if matches!(event.status, EventStatus::Draft | EventStatus::Cancelled)
                || event.remote.is_some()
            {
                continue;
            }
            out.push(TopEvent {
                id,
                title: event.title,
                date: format_day(day_of(event.start)),
                registered,
                attended: self.store.counter::<tables::EventAttendedCount>(id)?,
            });
        }
        Ok(out)
    }

    fn top_courses(
        &self,
        range: DayRange,
        truncated: &mut Vec<String>,
    ) -> NodeResult<Vec<TopCourse>> {
        use crate::courses::EnrolmentState;
        let mut courses = Vec::new();
        for (n, id) in self
            .store
            .scan::<tables::CourseCatalogue>((), false)
            .keys()
            .enumerate()
        {
            if n >= ITEMS_BOUND {
                truncated.push("top_courses".to_string());
                break;
            }
            let id = id?;
            let (mut learners, mut completed) = (0, 0);
            for row in self
                .store
                .scan::<tables::CourseEnrolments>((id,), false)
                .values()
                .take(PER_ITEM_BOUND)
            {
                let enrolment = row?;
                if range.holds_ms(enrolment.at) && enrolment.state.holds_seat() {
                    learners += 1;
                    if enrolment.state == EnrolmentState::Completed {
                        completed += 1;
                    }
                }
            }
            if learners > 0 {
                courses.push((id, learners, completed));
            }
        }
        let mut out = Vec::new();
        for (id, learners, completed) in top_by(courses, TOP_N, |c| c.1) {
            let Some(course) = self.store.load::<tables::Course>(id)? else {
                continue;
            };
            out.push(TopCourse {
                id,
                title: course.title,
                learners,
                completed,
                enrolled_now: self.store.counter::<tables::CourseEnrolledCount>(id)?,
            });
        }
        Ok(out)
    }
}
