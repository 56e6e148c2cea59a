//! The stored course, its modules and lessons, enrolments and
//! completions, and their enums.
//!
//! Records are JSON; fields added later need a default so that old
//! records still read.

use serde::{Deserialize, Serialize};

use crate::id::Id;

/// Who a course is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CourseLevel {
    /// No experience needed.
    Beginner,
    /// Some experience.
    Intermediate,
    /// Much experience.
    Advanced,
}

impl CourseLevel {
    /// Every level, from the first.
    pub const ALL: [CourseLevel; 3] = [
        CourseLevel::Beginner,
        CourseLevel::Intermediate,
        CourseLevel::Advanced,
    ];

    /// Its name, as the API writes it (and the catalogue's indexes key it).
    pub fn as_str(self) -> &'static str {
        match self {
            CourseLevel::Beginner => "beginner",
            CourseLevel::Intermediate => "intermediate",
            CourseLevel::Advanced => "advanced",
        }
    }
}

/// Where a course stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CourseStatus {
    /// Seen by its instructors only; no enrolments.
    Draft,
    /// In the catalogue; enrolments follow the mode and window.
    Published,
    /// Still readable by those enrolled; no new enrolments.
    Archived,
}

/// How one enrols.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnrolmentMode {
    /// Enrolling takes a seat at once (unless the course has a price).
    Open,
    /// An enrolment waits for an instructor's approval.
    Approval,
    /// Only members an instructor invited may enrol.
    Invite,
}

/// A price, recorded and shown; payment happens outside the node. A
/// priced course's enrolments wait for an instructor's approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Price {
    /// The amount as a decimal number ("49.99"), greater than zero.
    pub amount: String,
    /// ISO 4217 code ("USD", "IDR").
    pub currency: String,
}

/// A course that must be completed before enrolling in another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Prerequisite {
    /// A course of this node: completing it here counts.
    Course {
        /// Its id.
        id: Id,
    },
    /// A course of another server, by its URL: recorded; whether a member
    /// completed it is answered by a [`super::RemoteCompletions`].
    Remote {
        /// Its http(s) URL.
        url: String,
    },
}

/// A stored course (`tables::Course`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Course {
    /// Time-ordered id.
    pub id: Id,
    /// Title.
    pub title: String,
    /// Description as written (Markdown).
    #[serde(default)]
    pub description: String,
    /// Description rendered as the node renders posts (sanitised HTML).
    #[serde(default)]
    pub description_html: String,
    /// Who it is for.
    pub level: CourseLevel,
    /// How long it takes, in minutes, when known.
    #[serde(default)]
    pub duration_minutes: Option<u32>,
    /// How long it takes, as written ("8 hours", "8_jam"), when it was
    /// given as text.
    #[serde(default)]
    pub duration_text: Option<String>,
    /// Category slug.
    #[serde(default)]
    pub category: Option<String>,
    /// Tag slugs.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The member who made it.
    pub creator: Id,
    /// Local members who teach it (for a group's course, the group's
    /// owner and moderators teach it too).
    #[serde(default)]
    pub instructors: Vec<Id>,
    /// The local group that owns it.
    #[serde(default)]
    pub group: Option<Id>,
    /// What must be completed first, in order.
    #[serde(default)]
    pub prerequisites: Vec<Prerequisite>,
    /// Where it stands.
    pub status: CourseStatus,
    /// How one enrols.
    pub enrolment: EnrolmentMode,
    /// Enrolment opens (ms), if not at once.
    #[serde(default)]
    pub enrolment_opens: Option<i64>,
    /// Enrolment closes (ms), if ever.
    #[serde(default)]
    pub enrolment_closes: Option<i64>,
    /// Seats, if limited.
    #[serde(default)]
    pub capacity: Option<u32>,
    /// Its price, if any.
    #[serde(default)]
    pub price: Option<Price>,
    /// Whether completing it earns a certificate.
    #[serde(default)]
    pub certificate: bool,
    /// Its modules, in order.
    #[serde(default)]
    pub modules: Vec<Id>,
    /// Created (ms).
    pub created_at: i64,
    /// Last changed (ms).
    pub updated_at: i64,
}

/// A lesson as its module lists it: what an outline and progress need,
/// so neither reads a lesson's body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonEntry {
    /// The lesson.
    pub id: Id,
    /// Its title.
    pub title: String,
    /// Its estimated minutes.
    pub minutes: u32,
}

/// An assessment as its module lists it: what an outline, progress and
/// completion need, so none reads its questions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentEntry {
    /// The assessment.
    pub id: Id,
    /// Its title.
    pub title: String,
    /// Whether completing the course needs it passed.
    pub required: bool,
    /// Its number of questions.
    pub questions: u32,
}

/// A stored module (`tables::CourseModule`): a titled part of a course,
/// listing its lessons and assessments in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseModule {
    /// Time-ordered id.
    pub id: Id,
    /// Its course.
    pub course: Id,
    /// Title.
    pub title: String,
    /// Its lessons, in order.
    #[serde(default)]
    pub lessons: Vec<LessonEntry>,
    /// Its assessments, in order.
    #[serde(default)]
    pub assessments: Vec<AssessmentEntry>,
    /// Created (ms).
    pub created_at: i64,
    /// Last changed (ms).
    pub updated_at: i64,
}

/// A stored lesson (`tables::Lesson`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lesson {
    /// Time-ordered id.
    pub id: Id,
    /// Its course.
    pub course: Id,
    /// Its module.
    pub module: Id,
    /// Title.
    pub title: String,
    /// Body as written (Markdown).
    #[serde(default)]
    pub body: String,
    /// Body rendered as the node renders posts (sanitised HTML).
    #[serde(default)]
    pub body_html: String,
    /// Estimated minutes to study it.
    #[serde(default)]
    pub minutes: u32,
    /// Created (ms).
    pub created_at: i64,
    /// Last changed (ms).
    pub updated_at: i64,
}

/// Where a member's enrolment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnrolmentState {
    /// Waits for an instructor's approval (approval mode, or a price).
    Pending,
    /// Invited by an instructor; enrolling takes a seat whatever the mode.
    Invited,
    /// Holds a seat and studies.
    Enrolled,
    /// Completed the course (keeps the seat and the access).
    Completed,
}

impl EnrolmentState {
    /// Whether the member holds a seat (and may study).
    pub fn holds_seat(self) -> bool {
        matches!(self, EnrolmentState::Enrolled | EnrolmentState::Completed)
    }
}

/// A stored enrolment (`tables::CourseEnrolments`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolment {
    /// Its state.
    pub state: EnrolmentState,
    /// When it took that state (ms).
    pub at: i64,
    /// The instructor who invited the member, if invited.
    #[serde(default)]
    pub invited_by: Option<Id>,
}

/// A completed course (`tables::CourseCompletion`): what a certificate
/// states.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Completion {
    /// The member who completed it.
    pub member: Id,
    /// The course.
    pub course: Id,
    /// When (ms).
    pub completed_at: i64,
    /// The mean of the best scores (percent) of the course's required
    /// assessments; `None` when it has none.
    #[serde(default)]
    pub score: Option<f64>,
    /// Lessons done.
    pub lessons: u32,
    /// Required assessments passed.
    pub assessments_passed: u32,
}
