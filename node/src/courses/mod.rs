//! Courses: members and groups teach, members enrol, study lessons, take
//! assessments and complete courses.
//!
//! A course is a [`Course`] (`tables::Course`) listing its modules in
//! order; a module ([`CourseModule`]) lists its lessons ([`Lesson`]) and
//! assessments ([`Assessment`]) in order, each a record of its own, so a
//! lesson's body is read only when it is shown: the module's entries
//! carry what outlines, progress and completion need (titles, minutes,
//! whether an assessment is required), kept in step by the writes that
//! change a lesson or an assessment. Instructors are local
//! members listed on the course; for a group's course, the group's owner
//! and moderators (`GroupRoles`, read in the write) teach it too.
//!
//! Prerequisites are edges from a course to the courses to complete
//! first: local ones by id (reverse edges in `CourseRequiredBy`), remote
//! ones by URL, recorded only; a [`RemoteCompletions`] answers whether a
//! member completed one.
//!
//! An enrolment is `CourseEnrolments (course, member)` with its
//! [`EnrolmentState`], a member's are `MemberCourses (member, course)`.
//! Progress is `LessonsDone (lesson, member)` with two stored counters,
//! per course and per module (`CourseLessonsDone`, `ModuleLessonsDone`),
//! beside the course's `CourseLessonCount`: percentages are read, never
//! counted. A completion is `CourseCompletion (course, member)`, the
//! record a certificate states, kept even if the course is deleted.
//!
//! **Invariants:**
//! - every enrolment rule (status, window, mode, price, capacity,
//!   prerequisites completed here) is checked inside the write that
//!   enrols, and writes are serialised: capacity is never exceeded
//!   however many enrol at once;
//! - a change of prerequisites is checked for cycles inside the write
//!   that makes it, so two changes at once cannot close a cycle;
//! - the answers of an assessment are in [`Assessment`] only: what a
//!   member taking it sees is [`AssessmentForTaker`], a type with no
//!   field for them; an attempt's deadline is the server's clock at its
//!   start, checked in the write that takes the answers.
//!
//! `model.rs`: the course records; `input.rs`: what creating and changing
//! take, and their validation; `create.rs`: create, update, delete;
//! `prerequisites.rs`: the graph's checks; `syllabus.rs`: modules and
//! lessons; `enrol.rs`: enrol, leave, approve, reject, invite;
//! `progress.rs`: lessons done, percentages, resume; `completion.rs`:
//! completing a course, ratings; `catalogue.rs`: the catalogue and its
//! indexes (by newest, level and category); `query.rs`: what members and
//! instructors see; `assessments/`: questions, grading, attempts and the
//! review queue; `remote.rs`: learners of other servers (`Join`,
//! `Leave`, the instructors' answers) and what local courses tell other
//! servers; `remote_courses.rs`: courses of other servers, and members'
//! enrolments in them.

mod assessments;
mod catalogue;
mod completion;
mod create;
mod enrol;
mod input;
mod model;
mod prerequisites;
mod progress;
mod query;
mod remote;
mod remote_courses;
mod syllabus;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_assessments;
#[cfg(test)]
mod tests_catalogue;
#[cfg(test)]
mod tests_enrolment;
#[cfg(test)]
mod tests_federation;
#[cfg(test)]
mod tests_learners;
#[cfg(test)]
mod tests_progress;

pub use assessments::{
    Answer, Assessment, AssessmentForTaker, AssessmentInput, Attempt, AttemptOutcome,
    AttemptStarted, AttemptState, Criterion, CriterionInput, Mark, Question, QuestionForTaker,
    QuestionInput, QuestionKind, Review, ReviewItem, ReviewMark, TakerKind, DEADLINE_GRACE_MS,
    MAX_ANSWER_CHARS, MAX_QUESTIONS,
};
pub(crate) use catalogue::index_listing;
pub use catalogue::{CourseQuery, MAX_QUERY_WORDS, WORD_SCAN_BUDGET};
pub use enrol::EnrolmentOutcome;
pub use input::{
    AmountInput, CourseUpdate, DurationInput, LessonInput, NewCourse, PriceInput, LESSON_CHARS,
    MAX_ASSESSMENTS, MAX_CAPACITY, MAX_INSTRUCTORS, MAX_LESSONS, MAX_LESSON_MINUTES, MAX_MODULES,
    MAX_PREREQUISITES, TITLE_CHARS,
};
pub use model::{
    AssessmentEntry, Completion, Course, CourseLevel, CourseModule, CourseStatus, Enrolment,
    EnrolmentMode, EnrolmentState, Lesson, LessonEntry, Prerequisite, Price,
};
pub use prerequisites::{MissingPrerequisite, NoRemoteCompletions, RemoteCompletions};
pub use progress::{ModuleProgress, Progress, ResumeAt};
pub(crate) use query::percent_of;
pub use query::{
    CourseView, EnrolmentRow, LessonView, ModuleOutline, MyCourse, ViewerCourse, SCAN_BOUND,
};
pub use remote_courses::{
    RemoteCourse, RemoteCourseInput, RemoteCoursePlace, RemoteCourseView, RemoteEnrolment,
    MAX_REMOTE_COURSE_LIST, MAX_REMOTE_COURSE_TITLE,
};

use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::Member;
use crate::node::Node;
use crate::store::{tables, Txn};

impl Node {
    /// The course `id` inside a write, or `NotFound("course")`.
    pub(crate) fn course_in(txn: &Txn<'_>, id: Id) -> NodeResult<Course> {
        txn.load::<tables::Course>(id)?
            .ok_or(NodeError::NotFound("course"))
    }

    /// Whether `member` teaches `course`: listed as an instructor, or the
    /// owner or a moderator of the group that owns it. Read in `txn`, so a
    /// role taken away a moment ago counts.
    pub(crate) fn instructs(txn: &Txn<'_>, course: &Course, member: Id) -> NodeResult<bool> {
        if course.instructors.contains(&member) {
            return Ok(true);
        }
        match course.group {
            Some(group) => Ok(txn.has::<tables::GroupRoles>((group, member))?),
            None => Ok(false),
        }
    }

    /// `Forbidden` unless `member` teaches `course`.
    pub(crate) fn require_instructor(
        txn: &Txn<'_>,
        course: &Course,
        member: &Member,
    ) -> NodeResult<()> {
        // Accounts of other servers learn here; they never teach.
        if member.is_local() && Self::instructs(txn, course, member.id)? {
            Ok(())
        } else {
            Err(NodeError::Forbidden(
                "only the course's instructors can do this",
            ))
        }
    }

    /// Whether `member` (or an anonymous visitor) may know `course`
    /// exists: a draft is its instructors' only.
    pub(crate) fn may_see_course(
        txn: &Txn<'_>,
        course: &Course,
        member: Option<&Member>,
    ) -> NodeResult<bool> {
        if course.status != CourseStatus::Draft {
            return Ok(true);
        }
        match member {
            Some(m) => Self::instructs(txn, course, m.id),
            None => Ok(false),
        }
    }

    /// The instructors to tell of something: those listed and, for a
    /// group's course, the group's owner and moderators.
    pub(crate) fn course_teachers(txn: &Txn<'_>, course: &Course) -> NodeResult<Vec<Id>> {
        let mut out = course.instructors.clone();
        if let Some(group) = course.group {
            for key in txn.scan::<tables::GroupRoles>((group,), false).keys() {
                let (_, m) = key?;
                if !out.contains(&m) {
                    out.push(m);
                }
            }
        }
        Ok(out)
    }
}
