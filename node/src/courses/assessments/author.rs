//! Adding, changing, reordering and removing assessments (a course's
//! instructors), and the author's view of one, answers included.

use super::input::{self, AssessmentInput};
use super::model::{Assessment, AttemptState};
use crate::courses::input::MAX_ASSESSMENTS;
use crate::courses::model::AssessmentEntry;
use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::now_ms;
use crate::node::{Node, Viewer};
use crate::store::{tables, Txn};

/// How `a`'s module lists it.
fn entry_of(a: &Assessment) -> AssessmentEntry {
    AssessmentEntry {
        id: a.id,
        title: a.title.clone(),
        required: a.required,
        questions: u32::try_from(a.questions.len()).unwrap_or(u32::MAX),
    }
}

impl Node {
    /// The assessment `id` inside a write, or `NotFound("assessment")`.
    pub(crate) fn assessment_in(txn: &Txn<'_>, id: Id) -> NodeResult<Assessment> {
        txn.load::<tables::Assessment>(id)?
            .ok_or(NodeError::NotFound("assessment"))
    }

    /// Adds an assessment at the end of a module (at most
    /// [`MAX_ASSESSMENTS`]). Every field is checked first.
    pub async fn add_assessment(
        &self,
        viewer: &Viewer,
        module: Id,
        new: AssessmentInput,
    ) -> NodeResult<Assessment> {
        let me = viewer.member()?.clone();
        let checked = input::check(&new)?;
        self.write(|txn| {
            let (mut m, c) = Self::module_for_instructor(txn, module, &me)?;
            if m.assessments.len() >= MAX_ASSESSMENTS {
                return Err(NodeError::too_large(
                    "assessments",
                    format!("a module has at most {MAX_ASSESSMENTS} assessments"),
                ));
            }
            let now = now_ms();
            let assessment = Assessment {
                id: self.ids.next(),
                course: c.id,
                module,
                title: checked.title,
                instructions: checked.instructions,
                questions: checked.questions,
                passing_score: checked.passing_score,
                max_attempts: checked.max_attempts,
                time_limit_secs: checked.time_limit_secs,
                required: checked.required,
                created_at: now,
                updated_at: now,
            };
            m.assessments.push(entry_of(&assessment));
            m.updated_at = now;
            txn.store::<tables::CourseModule>(module, &m)?;
            txn.store::<tables::Assessment>(assessment.id, &assessment)?;
            Ok(assessment)
        })
        .await
    }

    /// Replaces an assessment's fields and questions. Attempts already
    /// graded keep their marks; attempts in progress are graded against
    /// the new questions.
    pub async fn update_assessment(
        &self,
        viewer: &Viewer,
        id: Id,
        new: AssessmentInput,
    ) -> NodeResult<Assessment> {
        let me = viewer.member()?.clone();
        let checked = input::check(&new)?;
        self.write(|txn| {
            let mut a = Self::assessment_in(txn, id)?;
            let c = Self::course_in(txn, a.course)?;
            Self::require_instructor(txn, &c, &me)?;
            a.title = checked.title;
            a.instructions = checked.instructions;
            a.questions = checked.questions;
            a.passing_score = checked.passing_score;
            a.max_attempts = checked.max_attempts;
            a.time_limit_secs = checked.time_limit_secs;
            a.required = checked.required;
            a.updated_at = now_ms();
            txn.store::<tables::Assessment>(id, &a)?;
            let mut m = Self::module_in(txn, a.module)?;
            for entry in m.assessments.iter_mut().filter(|e| e.id == id) {
                *entry = entry_of(&a);
            }
            txn.store::<tables::CourseModule>(m.id, &m)?;
            Ok(a)
        })
        .await
    }

    /// Puts a module's assessments in `order` (each of them, once).
    pub async fn reorder_assessments(
        &self,
        viewer: &Viewer,
        module: Id,
        order: Vec<Id>,
    ) -> NodeResult<()> {
        let me = viewer.member()?.clone();
        self.write(|txn| {
            let (mut m, _) = Self::module_for_instructor(txn, module, &me)?;
            let ids: Vec<Id> = m.assessments.iter().map(|e| e.id).collect();
            crate::courses::syllabus::same_items(&ids, &order)?;
            m.assessments
                .sort_by_key(|e| order.iter().position(|id| *id == e.id));
            m.updated_at = now_ms();
            txn.store::<tables::CourseModule>(module, &m)
        })
        .await
    }

    /// Removes an assessment with its attempts and passes.
    pub async fn remove_assessment(&self, viewer: &Viewer, id: Id) -> NodeResult<()> {
        let me = viewer.member()?.clone();
        self.write(|txn| {
            let a = Self::assessment_in(txn, id)?;
            let c = Self::course_in(txn, a.course)?;
            Self::require_instructor(txn, &c, &me)?;
            let mut m = Self::module_in(txn, a.module)?;
            m.assessments.retain(|e| e.id != id);
            m.updated_at = now_ms();
            txn.store::<tables::CourseModule>(m.id, &m)?;
            Self::drop_assessment_records(txn, c.id, id)
        })
        .await
    }

    /// An assessment with its answers, for the course's instructors.
    pub fn assessment_for_author(&self, viewer: &Viewer, id: Id) -> NodeResult<Assessment> {
        let me = viewer.member()?;
        let a = self
            .store
            .load::<tables::Assessment>(id)?
            .ok_or(NodeError::NotFound("assessment"))?;
        let c = self
            .store
            .load::<tables::Course>(a.course)?
            .ok_or(NodeError::NotFound("course"))?;
        if !self.teaches(&c, me.id)? {
            return Err(NodeError::Forbidden(
                "only the course's instructors see the answers",
            ));
        }
        Ok(a)
    }

    /// Removes `assessment` of `course` with its attempts, the review
    /// queue's entries, attempt counters and passes, inside `txn`.
    pub(crate) fn drop_assessment_records(
        txn: &mut Txn<'_>,
        course: Id,
        assessment: Id,
    ) -> NodeResult<()> {
        let attempts: Vec<(Id, Id, Id)> = txn
            .scan::<tables::MemberAttempts>((assessment,), false)
            .keys()
            .collect::<NodeResult<_>>()?;
        for (a, m, attempt) in attempts {
            if let Some(record) = txn.load::<tables::Attempt>(attempt)? {
                if record.state == AttemptState::AwaitingReview {
                    txn.remove::<tables::ReviewQueue>((course, attempt));
                    txn.add::<tables::CourseReviewCount>(course, -1)?;
                }
            }
            txn.remove::<tables::Attempt>(attempt);
            txn.remove::<tables::MemberAttempts>((a, m, attempt));
        }
        let counts: Vec<(Id, Id)> = txn
            .scan::<tables::AttemptCount>((assessment,), false)
            .keys()
            .collect::<NodeResult<_>>()?;
        for key in counts {
            txn.remove::<tables::AttemptCount>(key);
        }
        let passes: Vec<(Id, Id)> = txn
            .scan::<tables::AssessmentPassed>((assessment,), false)
            .keys()
            .collect::<NodeResult<_>>()?;
        for key in passes {
            txn.remove::<tables::AssessmentPassed>(key);
        }
        txn.remove::<tables::Assessment>(assessment);
        Ok(())
    }
}
