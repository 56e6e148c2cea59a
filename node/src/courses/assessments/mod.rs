//! Assessments: questions of six kinds, attempts, grading and the
//! instructors' review queue.
//!
//! The stored [`Assessment`] holds the answers and is shown to the
//! course's instructors only; members taking it see an
//! [`AssessmentForTaker`], a separate type with no field for an answer.
//!
//! `model.rs`: the records and both views; `input.rs`: what authoring
//! takes, and its validation; `grading.rs`: pure grading (normalised
//! short answers, numeric tolerance); `author.rs`: add, change, reorder, remove;
//! `attempts.rs`: start, submit, the deadline and the attempt limit;
//! `review.rs`: the review queue and rubric grading.

mod attempts;
mod author;
pub(crate) mod grading;
mod input;
mod model;
mod review;

pub use attempts::{AttemptOutcome, AttemptStarted, DEADLINE_GRACE_MS, MAX_ANSWER_CHARS};
pub use input::{AssessmentInput, CriterionInput, QuestionInput, MAX_QUESTIONS};
pub use model::{
    Answer, Assessment, AssessmentForTaker, Attempt, AttemptState, Criterion, Mark, Question,
    QuestionForTaker, QuestionKind, TakerKind,
};
pub use review::{Review, ReviewItem, ReviewMark};
