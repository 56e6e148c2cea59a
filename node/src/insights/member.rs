//! A member's own insights (`GET /api/kodeon/v1/me/insights`): their posts'
//! reach and their courses over a range of days.

use serde::Serialize;

use super::admin::excerpt;
use super::dates::{format_day, DayRange};
use super::points::PointsOverTime;
use crate::courses::EnrolmentState;
use crate::error::NodeResult;
use crate::id::Id;
use crate::moderation::day_of;
use crate::node::{Node, Viewer};
use crate::store::{tables, Cut};

/// Posts listed at most (the newest of the range); the totals count
/// these.
pub const MEMBER_POSTS_BOUND: usize = 2_000;
/// Courses listed at most.
pub const MEMBER_COURSES_BOUND: usize = 500;

/// One of the member's posts and what reached it.
#[derive(Debug, Clone, Serialize)]
pub struct MemberPostReach {
    /// The post.
    pub id: Id,
    /// Its title or first words.
    pub excerpt: String,
    /// When it was posted (`YYYY-MM-DD`).
    pub date: String,
    /// Whether it is a reply.
    pub reply: bool,
    /// Likes it has.
    pub likes: i64,
    /// Boosts it has.
    pub boosts: i64,
    /// Direct replies it has.
    pub replies: i64,
}

/// One of the member's courses.
#[derive(Debug, Clone, Serialize)]
pub struct MemberCourseInsight {
    /// The course.
    pub id: Id,
    /// Its title.
    pub title: String,
    /// `pending`, `invited`, `enrolled` or `completed`.
    pub state: EnrolmentState,
    /// Lessons done.
    pub lessons_done: i64,
    /// Lessons in the course.
    pub lessons: i64,
    /// `lessons_done / lessons` in percent, rounded (100 once completed).
    pub progress_percent: i64,
    /// When it was completed (`YYYY-MM-DD`), if it was.
    pub completed_on: Option<String>,
}

impl MemberCourseInsight {
    /// The enrolment's state in words.
    pub fn state_label(&self) -> &'static str {
        match self.state {
            EnrolmentState::Pending => "waiting for approval",
            EnrolmentState::Invited => "invited",
            EnrolmentState::Enrolled => "enrolled",
            EnrolmentState::Completed => "completed",
        }
    }
}

/// What a member sees of their own activity over a range.
#[derive(Debug, Clone, Serialize)]
pub struct MemberInsights {
    /// The first day (`YYYY-MM-DD`).
    pub from: String,
    /// The last day (`YYYY-MM-DD`).
    pub to: String,
    /// Posts (replies included) written in the range, newest first.
    pub posts: Vec<MemberPostReach>,
    /// Posts written in the range.
    pub post_count: i64,
    /// Likes those posts have.
    pub likes: i64,
    /// Boosts those posts have.
    pub boosts: i64,
    /// Direct replies those posts have.
    pub replies: i64,
    /// Whether there were more posts than listed (and counted).
    pub posts_truncated: bool,
    /// Every course the member enrolled in (any state).
    pub courses: Vec<MemberCourseInsight>,
    /// Courses enrolled in (holding a seat, completed included).
    pub courses_enrolled: i64,
    /// Courses completed.
    pub courses_completed: i64,
    /// Points and level over the range, from the gamification ledger
    /// ([`Node::points_over_time`]).
    pub points: Option<PointsOverTime>,
    /// How each figure is made, in words.
    pub explain: Vec<String>,
}

impl Node {
    /// The viewer's own insights over `range`: only ever their own.
    pub fn member_insights(&self, viewer: &Viewer, range: DayRange) -> NodeResult<MemberInsights> {
        let me = viewer.member()?.id;
        let mut posts = Vec::new();
        let mut posts_truncated = false;
        let rows = self.store.range::<tables::AuthorPosts>(
            Cut::key((me, Id::floor_of_ms(range.start_ms() as u64))),
            Cut::key((me, Id::floor_of_ms(range.end_ms() as u64))),
            true,
        );
        for row in rows {
            let ((_, id), boosted) = row?;
            if boosted.is_some() {
                continue;
            }
            if posts.len() >= MEMBER_POSTS_BOUND {
                posts_truncated = true;
                break;
            }
            let Some(post) = self.store.load::<tables::Post>(id)? else {
                continue;
            };
            posts.push(MemberPostReach {
                id,
                excerpt: excerpt(&post),
                date: format_day(day_of(id.timestamp_ms() as i64)),
                reply: post.in_reply_to.is_some(),
                likes: self.store.counter::<tables::LikeCount>(id)?,
                boosts: self.store.counter::<tables::BoostCount>(id)?,
                replies: self.store.counter::<tables::ReplyCount>(id)?,
            });
        }

        let mut courses = Vec::new();
        for key in self
            .store
            .scan::<tables::MemberCourses>((me,), false)
            .keys()
            .take(MEMBER_COURSES_BOUND)
        {
            let (_, course_id) = key?;
            let (Some(course), Some(enrolment)) = (
                self.store.load::<tables::Course>(course_id)?,
                self.store
                    .load::<tables::CourseEnrolments>((course_id, me))?,
            ) else {
                continue;
            };
            let lessons = self.store.counter::<tables::CourseLessonCount>(course_id)?;
            let lessons_done = self
                .store
                .counter::<tables::CourseLessonsDone>((course_id, me))?;
            let completion = self
                .store
                .load::<tables::CourseCompletion>((course_id, me))?;
            let progress_percent = if completion.is_some() {
                100
            } else if lessons > 0 {
                (lessons_done * 100 + lessons / 2) / lessons
            } else {
                0
            };
            courses.push(MemberCourseInsight {
                id: course_id,
                title: course.title,
                state: enrolment.state,
                lessons_done,
                lessons,
                progress_percent,
                completed_on: completion.map(|c| format_day(day_of(c.completed_at))),
            });
        }

        Ok(MemberInsights {
            from: format_day(range.from),
            to: format_day(range.to),
            post_count: posts.len() as i64,
            likes: posts.iter().map(|p| p.likes).sum(),
            boosts: posts.iter().map(|p| p.boosts).sum(),
            replies: posts.iter().map(|p| p.replies).sum(),
            posts,
            posts_truncated,
            courses_enrolled: courses.iter().filter(|c| c.state.holds_seat()).count() as i64,
            courses_completed: courses
                .iter()
                .filter(|c| c.state == EnrolmentState::Completed)
                .count() as i64,
            courses,
            points: self.points_over_time(me, range)?,
            explain: vec![
                "posts: your posts and replies written in the range, with the likes, boosts and direct replies each has now".into(),
                "courses: every course you enrolled in; progress is lessons done over lessons in the course".into(),
                "points: your points at the end of each day (today's total less the ledger entries made after that day) and the level they reach".into(),
            ],
        })
    }
}
