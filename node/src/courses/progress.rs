//! Lessons marked done and undone; a member's progress through a course:
//! per-module and per-course percentages read from stored counters, and
//! where to resume.

use serde::Serialize;

use super::model::{Completion, Course, EnrolmentState};
use super::query::percent_of as percent;
use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::{now_ms, Member};
use crate::node::{Node, Viewer};
use crate::store::{tables, Txn};

/// A member's progress through a course.
#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    /// The course.
    pub course: Id,
    /// The member.
    pub member: Id,
    /// Lessons done.
    pub lessons_done: u32,
    /// Lessons in the course.
    pub lessons_total: u32,
    /// Lessons done, percent (rounded down: 100 only when all are done).
    pub percent: u32,
    /// Each module, in order.
    pub modules: Vec<ModuleProgress>,
    /// The first lesson not done yet, in course order; `None` when every
    /// lesson is done.
    pub resume: Option<ResumeAt>,
    /// Required assessments passed.
    pub assessments_passed: u32,
    /// Required assessments in the course.
    pub assessments_required: u32,
    /// The completion, once the course is complete.
    pub completion: Option<Completion>,
}

/// Progress through one module.
#[derive(Debug, Clone, Serialize)]
pub struct ModuleProgress {
    /// The module.
    pub id: Id,
    /// Its title.
    pub title: String,
    /// Lessons done.
    pub done: u32,
    /// Lessons in it.
    pub total: u32,
    /// Lessons done, percent (rounded down).
    pub percent: u32,
}

/// Where to resume: the next lesson not done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResumeAt {
    /// Its module.
    pub module: Id,
    /// The lesson.
    pub lesson: Id,
    /// The lesson's title.
    pub title: String,
}

/// A count as `u32` (never negative here).
fn count(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

impl Node {
    /// `Forbidden` unless `member` holds a seat of `course` (enrolled or
    /// completed).
    pub(crate) fn require_seat(txn: &Txn<'_>, course: Id, member: Id) -> NodeResult<()> {
        match txn.load::<tables::CourseEnrolments>((course, member))? {
            Some(e) if e.state.holds_seat() => Ok(()),
            _ => Err(NodeError::Forbidden("enrol in the course first")),
        }
    }

    /// Marks a lesson done for the viewer (enrolled). When it was the last
    /// thing left, the course is complete (see [`Node::complete_if_done`]).
    /// Marking it twice changes nothing.
    pub async fn mark_lesson_done(&self, viewer: &Viewer, lesson: Id) -> NodeResult<Progress> {
        let me = viewer.member()?.clone();
        let course = self
            .write(|txn| {
                let l = txn
                    .load::<tables::Lesson>(lesson)?
                    .ok_or(NodeError::NotFound("lesson"))?;
                Self::require_seat(txn, l.course, me.id)?;
                if txn.has::<tables::LessonsDone>((lesson, me.id))? {
                    return Ok(l.course);
                }
                txn.store::<tables::LessonsDone>((lesson, me.id), &now_ms())?;
                txn.add::<tables::CourseLessonsDone>((l.course, me.id), 1)?;
                txn.add::<tables::ModuleLessonsDone>((l.module, me.id), 1)?;
                let course = Self::course_in(txn, l.course)?;
                self.complete_if_done(txn, &course, &me)?;
                Ok(l.course)
            })
            .await?;
        self.progress_of(course, me.id)
    }

    /// Marks a lesson not done for the viewer. A completion already
    /// recorded stays.
    pub async fn mark_lesson_undone(&self, viewer: &Viewer, lesson: Id) -> NodeResult<Progress> {
        let me = viewer.member()?.clone();
        let course = self
            .write(|txn| {
                let l = txn
                    .load::<tables::Lesson>(lesson)?
                    .ok_or(NodeError::NotFound("lesson"))?;
                Self::require_seat(txn, l.course, me.id)?;
                if txn.has::<tables::LessonsDone>((lesson, me.id))? {
                    txn.remove::<tables::LessonsDone>((lesson, me.id));
                    txn.add::<tables::CourseLessonsDone>((l.course, me.id), -1)?;
                    txn.add::<tables::ModuleLessonsDone>((l.module, me.id), -1)?;
                }
                Ok(l.course)
            })
            .await?;
        self.progress_of(course, me.id)
    }

    /// The viewer's progress through a course (enrolled, or completed).
    pub fn course_progress(&self, viewer: &Viewer, course: Id) -> NodeResult<Progress> {
        let me = viewer.member()?;
        if !self
            .store
            .has::<tables::CourseEnrolments>((course, me.id))?
        {
            return Err(NodeError::NotFound("enrolment"));
        }
        self.progress_of(course, me.id)
    }

    /// A member's progress, for the course's instructors.
    pub fn member_progress(&self, viewer: &Viewer, course: Id, member: Id) -> NodeResult<Progress> {
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
        self.progress_of(course, member)
    }

    /// Whether `member` teaches `course`, read from the store.
    pub(crate) fn teaches(&self, course: &Course, member: Id) -> NodeResult<bool> {
        if course.instructors.contains(&member) {
            return Ok(true);
        }
        match course.group {
            Some(group) => self.store.has::<tables::GroupRoles>((group, member)),
            None => Ok(false),
        }
    }

    /// `member`'s progress through `course`: counters for the figures, one
    /// read per module, point reads of the first unfinished module's
    /// lessons to find where to resume, one per required assessment for
    /// what is passed.
    pub(crate) fn progress_of(&self, course: Id, member: Id) -> NodeResult<Progress> {
        let c = self
            .store
            .load::<tables::Course>(course)?
            .ok_or(NodeError::NotFound("course"))?;
        let total = self.store.counter::<tables::CourseLessonCount>(course)?;
        let done = self
            .store
            .counter::<tables::CourseLessonsDone>((course, member))?;
        let mut modules = Vec::with_capacity(c.modules.len());
        let mut resume = None;
        let (mut passed, mut required) = (0u32, 0u32);
        for id in &c.modules {
            let Some(m) = self.store.load::<tables::CourseModule>(*id)? else {
                continue;
            };
            let module_done = self
                .store
                .counter::<tables::ModuleLessonsDone>((m.id, member))?;
            let module_total = i64::try_from(m.lessons.len()).unwrap_or(i64::MAX);
            if resume.is_none() && module_done < module_total {
                for lesson in &m.lessons {
                    if !self.store.has::<tables::LessonsDone>((lesson.id, member))? {
                        resume = Some(ResumeAt {
                            module: m.id,
                            lesson: lesson.id,
                            title: lesson.title.clone(),
                        });
                        break;
                    }
                }
            }
            for a in m.assessments.iter().filter(|a| a.required) {
                required += 1;
                if self.store.has::<tables::AssessmentPassed>((a.id, member))? {
                    passed += 1;
                }
            }
            modules.push(ModuleProgress {
                id: m.id,
                title: m.title,
                done: count(module_done),
                total: count(module_total),
                percent: percent(module_done, module_total),
            });
        }
        Ok(Progress {
            course,
            member,
            lessons_done: count(done),
            lessons_total: count(total),
            percent: percent(done, total),
            modules,
            resume,
            assessments_passed: passed,
            assessments_required: required,
            completion: self
                .store
                .load::<tables::CourseCompletion>((course, member))?,
        })
    }

    /// Whether every lesson is done and every required assessment
    /// passed by `member` in `course`, read in `txn` (staged writes
    /// included); with the required assessments' best scores.
    fn completion_state(
        txn: &Txn<'_>,
        course: &Course,
        member: Id,
    ) -> NodeResult<Option<(u32, Vec<f64>)>> {
        let total = txn.counter::<tables::CourseLessonCount>(course.id)?;
        let done = txn.counter::<tables::CourseLessonsDone>((course.id, member))?;
        if done < total {
            return Ok(None);
        }
        let mut scores = Vec::new();
        for id in &course.modules {
            let Some(m) = txn.load::<tables::CourseModule>(*id)? else {
                continue;
            };
            for a in m.assessments.iter().filter(|a| a.required) {
                match txn.load::<tables::AssessmentPassed>((a.id, member))? {
                    Some(score) => scores.push(score),
                    None => return Ok(None),
                }
            }
        }
        if total == 0 && scores.is_empty() {
            return Ok(None);
        }
        Ok(Some((count(done), scores)))
    }

    /// Records `member`'s completion of `course` inside `txn` when every
    /// lesson is done and every required assessment passed (and it is not
    /// recorded yet): the `CourseCompletion` a certificate will state, the
    /// enrolment marked completed, the member told (`course_completed`),
    /// the certificate issued when the course grants one
    /// ([`Node::issue_certificate`]), and
    /// [`crate::events::Event::CourseCompleted`] emitted once the
    /// write is durable. Returns the new completion.
    pub(crate) fn complete_if_done(
        &self,
        txn: &mut Txn<'_>,
        course: &Course,
        member: &Member,
    ) -> NodeResult<Option<Completion>> {
        if txn.has::<tables::CourseCompletion>((course.id, member.id))? {
            return Ok(None);
        }
        let Some((lessons, scores)) = Self::completion_state(txn, course, member.id)? else {
            return Ok(None);
        };
        let score = if scores.is_empty() {
            None
        } else {
            let n = u32::try_from(scores.len()).unwrap_or(u32::MAX);
            Some(scores.iter().sum::<f64>() / f64::from(n))
        };
        let now = now_ms();
        let completion = Completion {
            member: member.id,
            course: course.id,
            completed_at: now,
            score,
            lessons,
            assessments_passed: u32::try_from(scores.len()).unwrap_or(u32::MAX),
        };
        txn.store::<tables::CourseCompletion>((course.id, member.id), &completion)?;
        txn.store::<tables::MemberCompletions>((member.id, course.id), &())?;
        txn.add::<tables::CourseCompletedCount>(course.id, 1)?;
        self.points_for_course(txn, course, member.id)?;
        self.issue_certificate(txn, course, member, &completion)?;
        if let Some(mut e) = txn.load::<tables::CourseEnrolments>((course.id, member.id))? {
            e.state = EnrolmentState::Completed;
            e.at = now;
            txn.store::<tables::CourseEnrolments>((course.id, member.id), &e)?;
        }
        self.notify_course(
            txn,
            member.id,
            crate::model::NotificationKind::CourseCompleted,
            member.id,
            course.id,
        )?;
        txn.emit(crate::events::Event::CourseCompleted {
            course: course.id,
            member: member.id,
        });
        tracing::info!(course = %course.id, member = %member.username, "course completed");
        Ok(Some(completion))
    }
}
