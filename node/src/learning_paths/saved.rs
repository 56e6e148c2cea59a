//! Saved paths: a member keeps a planned path (`LearningPath`, listed in
//! `MemberLearningPaths`, counted in `LearningPathCount`) and sees their
//! progress along it, read from their completions, enrolments and
//! certificates each time, never stored. Only the owner sees a path (404
//! for anyone else).

use serde::{Deserialize, Serialize};

use super::plan::LearningGoal;
use super::planner::{LearningPlan, PlanStep, StepCourse, StepKind};
use crate::courses::EnrolmentState;
use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::now_ms;
use crate::node::{Node, Viewer};
use crate::store::tables;

/// Most paths a member may keep.
pub const MAX_SAVED_PATHS: i64 = 50;

/// A stored path (`tables::LearningPath`): the goal and the steps as
/// planned when it was saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedPath {
    /// Its id.
    pub id: Id,
    /// Its owner.
    pub member: Id,
    /// The goal's skills.
    #[serde(default)]
    pub goal_skills: Vec<String>,
    /// The goal course.
    #[serde(default)]
    pub goal_course: Option<Id>,
    /// The steps, in order.
    #[serde(default)]
    pub steps: Vec<PlanStep>,
    /// Goal skills no course taught when it was planned.
    #[serde(default)]
    pub uncovered_skills: Vec<String>,
    /// The steps' minutes, summed.
    #[serde(default)]
    pub total_minutes: u64,
    /// Saved (ms).
    pub created_at: i64,
}

impl SavedPath {
    /// Its name in words: the goal course's title, then the skills.
    pub fn title(&self) -> String {
        let course = self.goal_course.and_then(|id| {
            self.steps
                .iter()
                .find(|s| s.course.id == Some(id))
                .map(|s| s.course.title.clone())
        });
        match (course, self.goal_skills.is_empty()) {
            (Some(t), true) => t,
            (Some(t), false) => format!("{t} · {}", self.goal_skills.join(", ")),
            (None, _) => self.goal_skills.join(", "),
        }
    }
}

/// Where the member stands on one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    /// Completed here, or certified elsewhere (a certificate its issuer
    /// has not revoked).
    Done,
    /// Enrolled (holds a seat) and studying.
    InProgress,
    /// Neither (an enrolment waiting for approval or an invitation
    /// included: see `enrolment`).
    NotStarted,
}

/// A step of a saved path with the member's progress on it.
#[derive(Debug, Clone, Serialize)]
pub struct StepProgress {
    /// Its place, from 1.
    pub position: u32,
    /// Its course.
    pub course: StepCourse,
    /// Why it is there, in words.
    pub reason: String,
    /// Why it is there.
    pub reasons: Vec<super::StepReason>,
    /// Where the member stands.
    pub state: StepState,
    /// Lessons done, percent, while in progress (100 when done).
    pub percent: u32,
    /// Their enrolment now, if any.
    pub enrolment: Option<EnrolmentState>,
}

/// A saved path with the member's progress along it.
#[derive(Debug, Clone, Serialize)]
pub struct SavedPathView {
    /// Its id.
    pub id: Id,
    /// Its name in words.
    pub title: String,
    /// The goal's skills.
    pub goal_skills: Vec<String>,
    /// The goal course.
    pub goal_course: Option<Id>,
    /// Goal skills no course taught when it was planned.
    pub uncovered_skills: Vec<String>,
    /// The steps' minutes, summed.
    pub total_minutes: u64,
    /// Saved (ms).
    pub created_at: i64,
    /// Steps done.
    pub steps_done: u32,
    /// Steps in it.
    pub steps_total: u32,
    /// Steps done, percent (rounded down; 100 for a path of no step).
    pub percent: u32,
    /// The steps with their progress (empty in a list of paths).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<StepProgress>,
}

impl Node {
    /// Plans a path to `goal` for the viewer and keeps it: the plan with
    /// its `id`. 409 naming `save` beyond [`MAX_SAVED_PATHS`] (checked in
    /// the write).
    pub async fn save_learning_path(
        &self,
        viewer: &Viewer,
        goal: &LearningGoal,
    ) -> NodeResult<LearningPlan> {
        let me = viewer.member()?.id;
        let mut plan = self.plan_learning_path(viewer, goal)?;
        let id = self.ids.next();
        let saved = SavedPath {
            id,
            member: me,
            goal_skills: plan.goal_skills.clone(),
            goal_course: plan.goal_course,
            steps: plan.steps.clone(),
            uncovered_skills: plan.uncovered_skills.clone(),
            total_minutes: plan.total_minutes,
            created_at: now_ms(),
        };
        self.write(|txn| {
            if txn.counter::<tables::LearningPathCount>(me)? >= MAX_SAVED_PATHS {
                return Err(NodeError::conflict(
                    "save",
                    format!("you keep {MAX_SAVED_PATHS} paths already: delete one first"),
                ));
            }
            txn.store::<tables::LearningPath>(id, &saved)?;
            txn.store::<tables::MemberLearningPaths>((me, id), &())?;
            txn.add::<tables::LearningPathCount>(me, 1)?;
            Ok(())
        })
        .await?;
        plan.id = Some(id);
        Ok(plan)
    }

    /// The viewer's saved paths, newest first, each with its progress
    /// (without its steps).
    pub fn learning_paths(&self, viewer: &Viewer) -> NodeResult<Vec<SavedPathView>> {
        let me = viewer.member()?.id;
        let mut out = Vec::new();
        for key in self
            .store
            .scan::<tables::MemberLearningPaths>((me,), true)
            .keys()
            .take(MAX_SAVED_PATHS as usize)
        {
            let (_, id) = key?;
            if let Some(path) = self.store.load::<tables::LearningPath>(id)? {
                let mut view = self.path_progress(path)?;
                view.steps.clear();
                out.push(view);
            }
        }
        Ok(out)
    }

    /// One of the viewer's saved paths with each step's progress (404 for
    /// anyone else's).
    pub fn learning_path(&self, viewer: &Viewer, id: Id) -> NodeResult<SavedPathView> {
        let me = viewer.member()?.id;
        let path = self
            .store
            .load::<tables::LearningPath>(id)?
            .filter(|p| p.member == me)
            .ok_or(NodeError::NotFound("learning path"))?;
        self.path_progress(path)
    }

    /// Deletes one of the viewer's saved paths (404 for anyone else's).
    pub async fn delete_learning_path(&self, viewer: &Viewer, id: Id) -> NodeResult<()> {
        let me = viewer.member()?.id;
        self.write(|txn| {
            txn.load::<tables::LearningPath>(id)?
                .filter(|p| p.member == me)
                .ok_or(NodeError::NotFound("learning path"))?;
            txn.remove::<tables::LearningPath>(id);
            txn.remove::<tables::MemberLearningPaths>((me, id));
            txn.add::<tables::LearningPathCount>(me, -1)?;
            Ok(())
        })
        .await
    }

    /// `path` with the owner's progress on each step, as the store says
    /// now.
    fn path_progress(&self, path: SavedPath) -> NodeResult<SavedPathView> {
        let member = path.member;
        let mut steps = Vec::with_capacity(path.steps.len());
        for step in &path.steps {
            let (state, percent, enrolment) = self.step_state(member, &step.course)?;
            steps.push(StepProgress {
                position: step.position,
                course: step.course.clone(),
                reason: step.reason.clone(),
                reasons: step.reasons.clone(),
                state,
                percent,
                enrolment,
            });
        }
        let total = u32::try_from(steps.len()).unwrap_or(u32::MAX);
        let done = u32::try_from(steps.iter().filter(|s| s.state == StepState::Done).count())
            .unwrap_or(u32::MAX);
        Ok(SavedPathView {
            id: path.id,
            title: path.title(),
            goal_skills: path.goal_skills,
            goal_course: path.goal_course,
            uncovered_skills: path.uncovered_skills,
            total_minutes: path.total_minutes,
            created_at: path.created_at,
            steps_done: done,
            steps_total: total,
            percent: (done * 100).checked_div(total).unwrap_or(100),
            steps,
        })
    }

    /// Where `member` stands on `course`: done (a completion here, a
    /// certificate from elsewhere), in progress (a seat, with lessons
    /// done in percent), or not started.
    fn step_state(
        &self,
        member: Id,
        course: &StepCourse,
    ) -> NodeResult<(StepState, u32, Option<EnrolmentState>)> {
        match (course.kind, course.id, course.url.as_deref()) {
            (StepKind::Local, Some(id), _) => {
                let enrolment = self
                    .store
                    .load::<tables::CourseEnrolments>((id, member))?
                    .map(|e| e.state);
                if self.store.has::<tables::CourseCompletion>((id, member))? {
                    return Ok((StepState::Done, 100, enrolment));
                }
                match enrolment {
                    Some(EnrolmentState::Enrolled) => {
                        let total = self.store.counter::<tables::CourseLessonCount>(id)?;
                        let done = self
                            .store
                            .counter::<tables::CourseLessonsDone>((id, member))?;
                        Ok((
                            StepState::InProgress,
                            crate::courses::percent_of(done, total),
                            enrolment,
                        ))
                    }
                    _ => Ok((StepState::NotStarted, 0, enrolment)),
                }
            }
            (StepKind::Remote, _, Some(url)) => {
                let certified = self
                    .store
                    .load::<tables::ImportedCertificates>((member, url))?
                    .is_some_and(|c| c.revoked_at.is_none());
                Ok(if certified {
                    (StepState::Done, 100, None)
                } else {
                    (StepState::NotStarted, 0, None)
                })
            }
            _ => Ok((StepState::NotStarted, 0, None)),
        }
    }
}
