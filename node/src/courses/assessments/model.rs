//! The stored assessment (answers included), the view of it for those who
//! take it (no answers: another type, with no field to hold them), and
//! attempts.

use serde::{Deserialize, Serialize};

use crate::id::Id;

/// A criterion of a rubric: what an instructor awards points for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    /// What is judged ("correctness", "clarity").
    pub name: String,
    /// Points it is worth.
    pub points: u32,
}

/// A question's kind, with what grading it needs (the answers, for the
/// kinds graded at once).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QuestionKind {
    /// One choice is right.
    Single {
        /// The choices, in order.
        choices: Vec<String>,
        /// The right one's index.
        answer: u32,
    },
    /// Exactly these choices are right (all or nothing).
    Multiple {
        /// The choices, in order.
        choices: Vec<String>,
        /// The right ones' indexes, ascending.
        answers: Vec<u32>,
    },
    /// A short text compared after normalisation (Unicode NFKC, case,
    /// whitespace) with each accepted alternative.
    Short {
        /// Accepted answers, as written by the author.
        accepted: Vec<String>,
    },
    /// A number within `tolerance` of `answer`.
    Numeric {
        /// The right number.
        answer: f64,
        /// How far from it still counts (≥ 0).
        tolerance: f64,
    },
    /// Free text, reviewed by an instructor with a rubric.
    Text {
        /// The rubric.
        rubric: Vec<Criterion>,
    },
    /// Code, reviewed by an instructor with a rubric.
    Code {
        /// The language expected, if any.
        #[serde(default)]
        language: Option<String>,
        /// The rubric.
        rubric: Vec<Criterion>,
    },
}

impl QuestionKind {
    /// Whether an instructor grades it (free text and code).
    pub fn is_reviewed(&self) -> bool {
        matches!(self, QuestionKind::Text { .. } | QuestionKind::Code { .. })
    }
}

/// A question as its author wrote it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// What is asked (plain text).
    pub prompt: String,
    /// Points it is worth (for reviewed kinds, its rubric's sum).
    pub points: u32,
    /// Its kind and answers.
    #[serde(flatten)]
    pub kind: QuestionKind,
}

/// A stored assessment (`tables::Assessment`), answers included: shown
/// to the course's instructors only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    /// Time-ordered id.
    pub id: Id,
    /// Its course.
    pub course: Id,
    /// Its module.
    pub module: Id,
    /// Title.
    pub title: String,
    /// Instructions shown before the questions (plain text).
    #[serde(default)]
    pub instructions: String,
    /// The questions, in order.
    pub questions: Vec<Question>,
    /// The score (percent of the points) that passes.
    pub passing_score: u8,
    /// Most attempts a member may start, if limited.
    #[serde(default)]
    pub max_attempts: Option<u32>,
    /// Seconds an attempt may take, if limited (counted by the server
    /// from the attempt's start).
    #[serde(default)]
    pub time_limit_secs: Option<u32>,
    /// Whether completing the course needs it passed.
    pub required: bool,
    /// Created (ms).
    pub created_at: i64,
    /// Last changed (ms).
    pub updated_at: i64,
}

impl Assessment {
    /// Points of every question.
    pub fn total_points(&self) -> u32 {
        self.questions.iter().map(|q| q.points).sum()
    }

    /// What a member taking it sees: everything but the answers.
    pub fn for_taker(&self) -> AssessmentForTaker {
        AssessmentForTaker {
            id: self.id,
            course: self.course,
            module: self.module,
            title: self.title.clone(),
            instructions: self.instructions.clone(),
            passing_score: self.passing_score,
            max_attempts: self.max_attempts,
            time_limit_secs: self.time_limit_secs,
            required: self.required,
            total_points: self.total_points(),
            questions: self
                .questions
                .iter()
                .map(|q| QuestionForTaker {
                    prompt: q.prompt.clone(),
                    points: q.points,
                    kind: match &q.kind {
                        QuestionKind::Single { choices, .. } => TakerKind::Single {
                            choices: choices.clone(),
                        },
                        QuestionKind::Multiple { choices, .. } => TakerKind::Multiple {
                            choices: choices.clone(),
                        },
                        QuestionKind::Short { .. } => TakerKind::Short,
                        QuestionKind::Numeric { .. } => TakerKind::Numeric,
                        QuestionKind::Text { rubric } => TakerKind::Text {
                            rubric: rubric.clone(),
                        },
                        QuestionKind::Code { language, rubric } => TakerKind::Code {
                            language: language.clone(),
                            rubric: rubric.clone(),
                        },
                    },
                })
                .collect(),
        }
    }
}

/// An assessment as a member taking it sees it. It has no field for an
/// answer: nothing of the answers can reach a member through it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssessmentForTaker {
    /// The assessment.
    pub id: Id,
    /// Its course.
    pub course: Id,
    /// Its module.
    pub module: Id,
    /// Title.
    pub title: String,
    /// Instructions.
    pub instructions: String,
    /// The score (percent) that passes.
    pub passing_score: u8,
    /// Most attempts, if limited.
    pub max_attempts: Option<u32>,
    /// Seconds an attempt may take, if limited.
    pub time_limit_secs: Option<u32>,
    /// Whether completing the course needs it passed.
    pub required: bool,
    /// Points of every question.
    pub total_points: u32,
    /// The questions, in order.
    pub questions: Vec<QuestionForTaker>,
}

/// A question as a member taking it sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionForTaker {
    /// What is asked.
    pub prompt: String,
    /// Points it is worth.
    pub points: u32,
    /// Its kind, and the choices when it has some.
    #[serde(flatten)]
    pub kind: TakerKind,
}

/// A question's kind as a member taking it sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TakerKind {
    /// Pick one (answer: its index).
    Single {
        /// The choices.
        choices: Vec<String>,
    },
    /// Pick every right one (answer: their indexes).
    Multiple {
        /// The choices.
        choices: Vec<String>,
    },
    /// A short text.
    Short,
    /// A number.
    Numeric,
    /// Free text, reviewed with this rubric.
    Text {
        /// The rubric.
        rubric: Vec<Criterion>,
    },
    /// Code, reviewed with this rubric.
    Code {
        /// The language expected, if any.
        language: Option<String>,
        /// The rubric.
        rubric: Vec<Criterion>,
    },
}

/// An answer as given: choice indexes, a number (also a single choice's
/// index) or text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    /// Choice indexes (multiple answer; one for a single choice).
    Choices(Vec<u32>),
    /// A number (numeric; a single choice's index).
    Number(f64),
    /// Text (short answer, free text, code).
    Text(String),
}

/// Where an attempt stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptState {
    /// Started, answers not taken yet.
    InProgress,
    /// Submitted; some answers wait for an instructor's review.
    AwaitingReview,
    /// Graded: `score` and `passed` are set.
    Graded,
    /// Its time ran out before answers came: scored 0, failed.
    Expired,
}

/// The grade of one answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mark {
    /// Points awarded.
    pub awarded: f64,
    /// Points it was worth.
    pub max: f64,
    /// Waiting for an instructor.
    #[serde(default)]
    pub pending_review: bool,
    /// Points per rubric criterion, once reviewed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub criteria: Vec<u32>,
    /// The reviewer's comment on it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
}

/// A stored attempt (`tables::Attempt`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    /// Time-ordered id, made in the write that started it.
    pub id: Id,
    /// The assessment.
    pub assessment: Id,
    /// Its course.
    pub course: Id,
    /// Who takes it.
    pub member: Id,
    /// When it started (the server's clock, ms).
    pub started_at: i64,
    /// When its time runs out (ms), if the assessment is timed.
    #[serde(default)]
    pub deadline: Option<i64>,
    /// When the answers came (ms).
    #[serde(default)]
    pub submitted_at: Option<i64>,
    /// Where it stands.
    pub state: AttemptState,
    /// The answers, one per question (`None`: left blank).
    #[serde(default)]
    pub answers: Vec<Option<Answer>>,
    /// Their grades, one per question.
    #[serde(default)]
    pub marks: Vec<Mark>,
    /// The score, percent of the points, once graded.
    #[serde(default)]
    pub score: Option<f64>,
    /// Whether it passed, once graded.
    #[serde(default)]
    pub passed: Option<bool>,
    /// The reviewer's overall feedback.
    #[serde(default)]
    pub feedback: String,
    /// The instructor who reviewed it.
    #[serde(default)]
    pub reviewed_by: Option<Id>,
}
