//! What members and instructors see: one course with its outline, a
//! member's courses, a lesson, and a course's enrolments for its
//! instructors (the catalogue is `catalogue.rs`).

use serde::Serialize;

use super::model::{AssessmentEntry, Course, CourseStatus, EnrolmentState, Lesson, LessonEntry};
use super::prerequisites::MissingPrerequisite;
use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::{Member, MemberSummary};
use crate::node::{Node, Viewer};
use crate::store::tables;

/// Most index entries a list looks at.
pub const SCAN_BOUND: usize = 2_000;

/// A course as a viewer sees it.
#[derive(Debug, Clone, Serialize)]
pub struct CourseView {
    /// The course.
    pub course: Course,
    /// Its listed instructors.
    pub instructors: Vec<MemberSummary>,
    /// The group that owns it.
    pub group: Option<MemberSummary>,
    /// Its modules, lessons and assessments, in order (titles only).
    pub outline: Vec<ModuleOutline>,
    /// Members holding a seat.
    pub enrolled_count: i64,
    /// Enrolments waiting for approval.
    pub pending_count: i64,
    /// Members who completed it.
    pub completed_count: i64,
    /// Seats left, when limited.
    pub seats_left: Option<i64>,
    /// Lessons in it.
    pub lessons_total: i64,
    /// The lessons' estimated minutes, summed.
    pub lesson_minutes: u64,
    /// Number of ratings.
    pub rating_count: i64,
    /// Mean rating (1–5), once rated.
    pub rating_average: Option<f64>,
    /// The signed-in viewer's relation to it.
    pub viewer: Option<ViewerCourse>,
}

/// The signed-in viewer's relation to a course.
#[derive(Debug, Clone, Serialize)]
pub struct ViewerCourse {
    /// Their enrolment, if any.
    pub state: Option<EnrolmentState>,
    /// Whether they teach it.
    pub instructs: bool,
    /// Prerequisites they have not completed.
    pub missing_prerequisites: Vec<MissingPrerequisite>,
    /// Their rating, if they rated it.
    pub rating: Option<u8>,
    /// For its instructors: attempts waiting for their review.
    pub reviews_waiting: Option<i64>,
}

/// A module in a course's outline.
#[derive(Debug, Clone, Serialize)]
pub struct ModuleOutline {
    /// The module.
    pub id: Id,
    /// Its title.
    pub title: String,
    /// Its lessons, in order.
    pub lessons: Vec<LessonEntry>,
    /// Its assessments, in order.
    pub assessments: Vec<AssessmentEntry>,
}

/// A lesson as an enrolled member or an instructor reads it.
#[derive(Debug, Clone, Serialize)]
pub struct LessonView {
    /// The lesson.
    pub lesson: Lesson,
    /// Whether the viewer marked it done.
    pub done: bool,
}

/// An enrolment, for the course's instructors.
#[derive(Debug, Clone, Serialize)]
pub struct EnrolmentRow {
    /// The member.
    pub member: MemberSummary,
    /// Their enrolment's state.
    pub state: EnrolmentState,
    /// When it took that state (ms).
    pub at: i64,
    /// Lessons they did.
    pub lessons_done: i64,
    /// Lessons done, percent (rounded down).
    pub percent: u32,
}

/// A course in a member's list of their own.
#[derive(Debug, Clone, Serialize)]
pub struct MyCourse {
    /// The course.
    pub course: Course,
    /// Their enrolment's state.
    pub state: EnrolmentState,
    /// Lessons done, percent (rounded down).
    pub percent: u32,
}

/// `done` of `total`, percent, rounded down (0 of 0 is 0).
pub(crate) fn percent_of(done: i64, total: i64) -> u32 {
    if total <= 0 {
        return 0;
    }
    u32::try_from(done.clamp(0, total) * 100 / total).unwrap_or(0)
}

impl Node {
    /// One course as `viewer` sees it: a draft is its instructors' only
    /// (`NotFound` for anyone else).
    pub fn course(&self, viewer: &Viewer, id: Id) -> NodeResult<CourseView> {
        let course = self
            .store
            .load::<tables::Course>(id)?
            .ok_or(NodeError::NotFound("course"))?;
        let me = viewer.member().ok();
        let instructs = match me {
            Some(m) => self.teaches(&course, m.id)?,
            None => false,
        };
        if course.status == CourseStatus::Draft && !instructs {
            return Err(NodeError::NotFound("course"));
        }
        let mut outline = Vec::with_capacity(course.modules.len());
        let mut lesson_minutes = 0u64;
        for module in &course.modules {
            let Some(m) = self.store.load::<tables::CourseModule>(*module)? else {
                continue;
            };
            lesson_minutes += m.lessons.iter().map(|l| u64::from(l.minutes)).sum::<u64>();
            outline.push(ModuleOutline {
                id: m.id,
                title: m.title,
                lessons: m.lessons,
                assessments: m.assessments,
            });
        }
        let instructors = course
            .instructors
            .iter()
            .filter_map(|id| self.member(*id).transpose())
            .map(|m| m.map(|m| Self::summary(&m)))
            .collect::<NodeResult<Vec<_>>>()?;
        let group = match course.group {
            Some(g) => self.member(g)?.map(|m| Self::summary(&m)),
            None => None,
        };
        let enrolled_count = self.store.counter::<tables::CourseEnrolledCount>(id)?;
        let rating_count = self.store.counter::<tables::CourseRatingCount>(id)?;
        let rating_sum = self.store.counter::<tables::CourseRatingSum>(id)?;
        let viewer_part = match me {
            Some(m) => Some(self.viewer_course(&course, m, instructs)?),
            None => None,
        };
        Ok(CourseView {
            seats_left: course
                .capacity
                .map(|c| (i64::from(c) - enrolled_count).max(0)),
            instructors,
            group,
            outline,
            enrolled_count,
            pending_count: self.store.counter::<tables::CoursePendingCount>(id)?,
            completed_count: self.store.counter::<tables::CourseCompletedCount>(id)?,
            lessons_total: self.store.counter::<tables::CourseLessonCount>(id)?,
            lesson_minutes,
            rating_count,
            rating_average: (rating_count > 0).then(|| {
                let (sum, n) = (rating_sum as f64, rating_count as f64);
                sum / n
            }),
            viewer: viewer_part,
            course,
        })
    }

    /// What `member` has to do with `course`.
    fn viewer_course(
        &self,
        course: &Course,
        member: &Member,
        instructs: bool,
    ) -> NodeResult<ViewerCourse> {
        let missing = self.missing_prerequisites(
            course,
            member,
            &crate::certificates::ImportedCompletions(&self.store),
        )?;
        Ok(ViewerCourse {
            state: self
                .store
                .load::<tables::CourseEnrolments>((course.id, member.id))?
                .map(|e| e.state),
            instructs,
            missing_prerequisites: missing,
            rating: self
                .store
                .load::<tables::CourseRatings>((course.id, member.id))?,
            reviews_waiting: if instructs {
                Some(self.store.counter::<tables::CourseReviewCount>(course.id)?)
            } else {
                None
            },
        })
    }

    /// The viewer's enrolments (any state), newest course first, with
    /// their progress (at most [`SCAN_BOUND`]).
    pub fn my_courses(&self, viewer: &Viewer) -> NodeResult<Vec<MyCourse>> {
        let me = viewer.member()?.id;
        let mut out = Vec::new();
        for key in self
            .store
            .scan::<tables::MemberCourses>((me,), true)
            .keys()
            .take(SCAN_BOUND)
        {
            let (_, id) = key?;
            let (Some(course), Some(e)) = (
                self.store.load::<tables::Course>(id)?,
                self.store.load::<tables::CourseEnrolments>((id, me))?,
            ) else {
                continue;
            };
            let total = self.store.counter::<tables::CourseLessonCount>(id)?;
            let done = self.store.counter::<tables::CourseLessonsDone>((id, me))?;
            out.push(MyCourse {
                course,
                state: e.state,
                percent: percent_of(done, total),
            });
        }
        Ok(out)
    }

    /// The courses `member` is listed as teaching, newest first, as
    /// `viewer` may see them (drafts for their instructors only; at most
    /// [`SCAN_BOUND`]).
    pub fn courses_taught(&self, viewer: &Viewer, member: Id) -> NodeResult<Vec<Course>> {
        let me = viewer.id();
        let mut out = Vec::new();
        for key in self
            .store
            .scan::<tables::CoursesByInstructor>((member,), true)
            .keys()
            .take(SCAN_BOUND)
        {
            let (_, id) = key?;
            let Some(c) = self.store.load::<tables::Course>(id)? else {
                continue;
            };
            let visible = c.status != CourseStatus::Draft
                || match me {
                    Some(m) => self.teaches(&c, m)?,
                    None => false,
                };
            if visible {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// A lesson, for members holding a seat of its course and its
    /// instructors.
    pub fn lesson(&self, viewer: &Viewer, id: Id) -> NodeResult<LessonView> {
        let me = viewer.member()?;
        let lesson = self
            .store
            .load::<tables::Lesson>(id)?
            .ok_or(NodeError::NotFound("lesson"))?;
        let course = self
            .store
            .load::<tables::Course>(lesson.course)?
            .ok_or(NodeError::NotFound("course"))?;
        let seat = self
            .store
            .load::<tables::CourseEnrolments>((course.id, me.id))?
            .is_some_and(|e| e.state.holds_seat());
        if !seat && !self.teaches(&course, me.id)? {
            return Err(NodeError::Forbidden("enrol in the course first"));
        }
        Ok(LessonView {
            done: self.store.has::<tables::LessonsDone>((id, me.id))?,
            lesson,
        })
    }

    /// A course's enrolments with each member's progress, for its
    /// instructors (at most [`SCAN_BOUND`], in member id order).
    pub fn course_enrolments(&self, viewer: &Viewer, course: Id) -> NodeResult<Vec<EnrolmentRow>> {
        let me = viewer.member()?;
        let c = self
            .store
            .load::<tables::Course>(course)?
            .ok_or(NodeError::NotFound("course"))?;
        if !self.teaches(&c, me.id)? {
            return Err(NodeError::Forbidden(
                "only the course's instructors can do this",
            ));
        }
        let total = self.store.counter::<tables::CourseLessonCount>(course)?;
        let mut out = Vec::new();
        for row in self
            .store
            .scan::<tables::CourseEnrolments>((course,), false)
            .take(SCAN_BOUND)
        {
            let ((_, member), e) = row?;
            let Some(m) = self.member(member)? else {
                continue;
            };
            let done = self
                .store
                .counter::<tables::CourseLessonsDone>((course, member))?;
            out.push(EnrolmentRow {
                member: Self::summary(&m),
                state: e.state,
                at: e.at,
                lessons_done: done,
                percent: percent_of(done, total),
            });
        }
        Ok(out)
    }
}
