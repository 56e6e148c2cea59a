//! The review queue: attempts with free text or code, graded by one of
//! the course's instructors with each question's rubric, and feedback.

use serde::{Deserialize, Serialize};

use super::attempts::AttemptOutcome;
use super::model::{Assessment, Attempt, AttemptState, QuestionKind};
use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::{MemberSummary, NotificationKind};
use crate::node::{Node, Viewer};
use crate::store::tables;
use crate::validate;

/// Most attempts the queue lists at once.
const QUEUE_BOUND: usize = 200;
/// Longest feedback or comment, in characters.
const FEEDBACK_CHARS: usize = 5_000;

/// An attempt waiting for review, with what reviewing it needs.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewItem {
    /// The attempt (the member's answers, the marks given so far).
    pub attempt: Attempt,
    /// Who took it.
    pub member: MemberSummary,
    /// The assessment, answers and rubrics included.
    pub assessment: Assessment,
}

/// The grade of one reviewed answer.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewMark {
    /// The question's index.
    pub question: usize,
    /// Points per rubric criterion, in the rubric's order.
    pub criteria: Vec<u32>,
    /// A comment on the answer.
    #[serde(default)]
    pub comment: String,
}

/// A review: a mark for each answer waiting for one, and feedback.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// The marks.
    pub marks: Vec<ReviewMark>,
    /// Overall feedback.
    #[serde(default)]
    pub feedback: String,
}

impl Node {
    /// The attempts of a course waiting for review, oldest first (its
    /// instructors; at most 200).
    pub fn review_queue(&self, viewer: &Viewer, course: Id) -> NodeResult<Vec<ReviewItem>> {
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
        let mut out = Vec::new();
        for key in self
            .store
            .scan::<tables::ReviewQueue>((course,), false)
            .keys()
            .take(QUEUE_BOUND)
        {
            let (_, id) = key?;
            let Some(attempt) = self.store.load::<tables::Attempt>(id)? else {
                continue;
            };
            let (Some(member), Some(assessment)) = (
                self.member(attempt.member)?,
                self.store.load::<tables::Assessment>(attempt.assessment)?,
            ) else {
                continue;
            };
            out.push(ReviewItem {
                member: Self::summary(&member),
                assessment,
                attempt,
            });
        }
        Ok(out)
    }

    /// Grades the answers of an attempt waiting for review (the course's
    /// instructors): every answer waiting needs a mark, with points for
    /// each criterion of its rubric (at most the criterion's worth). The
    /// attempt is scored, leaves the queue, and its member is told
    /// (`course_attempt_reviewed`); a pass may complete the course.
    pub async fn review_attempt(
        &self,
        viewer: &Viewer,
        attempt: Id,
        review: Review,
    ) -> NodeResult<AttemptOutcome> {
        let me = viewer.member()?.clone();
        let feedback = review.feedback.trim().to_string();
        validate::max_chars("feedback", &feedback, FEEDBACK_CHARS)?;
        for m in &review.marks {
            validate::max_chars("marks.comment", &m.comment, FEEDBACK_CHARS)?;
        }
        self.write(|txn| {
            let mut record = txn
                .load::<tables::Attempt>(attempt)?
                .ok_or(NodeError::NotFound("attempt"))?;
            let course = Self::course_in(txn, record.course)?;
            Self::require_instructor(txn, &course, &me)?;
            if record.state != AttemptState::AwaitingReview {
                return Err(NodeError::conflict(
                    "attempt",
                    "this attempt is not waiting for a review",
                ));
            }
            let a = Self::assessment_in(txn, record.assessment)?;
            for m in &review.marks {
                let (Some(question), Some(mark)) =
                    (a.questions.get(m.question), record.marks.get_mut(m.question))
                else {
                    return Err(NodeError::invalid("marks.question", "no such question"));
                };
                let rubric = match &question.kind {
                    QuestionKind::Text { rubric } | QuestionKind::Code { rubric, .. } => rubric,
                    _ => {
                        return Err(NodeError::invalid(
                            "marks.question",
                            format!("question {} is graded automatically", m.question),
                        ))
                    }
                };
                if m.criteria.len() != rubric.len()
                    || m.criteria.iter().zip(rubric).any(|(p, c)| *p > c.points)
                {
                    return Err(NodeError::invalid(
                        "marks.criteria",
                        format!(
                            "question {} needs points for each of its {} criteria, each at most its worth",
                            m.question,
                            rubric.len()
                        ),
                    ));
                }
                mark.awarded = f64::from(m.criteria.iter().sum::<u32>());
                mark.criteria = m.criteria.clone();
                mark.comment = m.comment.trim().to_string();
                mark.pending_review = false;
            }
            if let Some(i) = record.marks.iter().position(|m| m.pending_review) {
                return Err(NodeError::invalid(
                    "marks",
                    format!("question {i} still needs a mark"),
                ));
            }
            record.feedback = feedback;
            record.reviewed_by = Some(me.id);
            let member = txn
                .load::<tables::Member>(record.member)?
                .ok_or(NodeError::NotFound("member"))?;
            self.notify_course(
                txn,
                record.member,
                NotificationKind::CourseAttemptReviewed,
                me.id,
                course.id,
            )?;
            let completion = self.finish_grading(txn, &a, &mut record, &member)?;
            txn.store::<tables::Attempt>(attempt, &record)?;
            txn.remove::<tables::ReviewQueue>((course.id, attempt));
            txn.add::<tables::CourseReviewCount>(course.id, -1)?;
            Ok(AttemptOutcome {
                attempt: record.id,
                state: record.state,
                score: record.score,
                passed: record.passed,
                feedback: record.marks.clone(),
                completion,
            })
        })
        .await
    }
}
