//! Learners of other servers and what local courses tell other servers.
//!
//! A `Join` of a local course from an account of another server enrols
//! it under the very rules a member here meets ([`Node::enrol_in`]): open
//! and a seat free, `enrolled` with the instructors' `Accept` queued in
//! the same write; approval or a price, `pending` until an instructor
//! approves (the `Accept` is queued then) or turns it down (`Reject`);
//! invitation only without an invitation, full, archived, closed,
//! prerequisites missing, a `Reject` queued at once. `Leave` (or
//! `Undo(Join)`) un-enrols. The `Join`'s id is kept (`CourseJoins`) for
//! the answer to name.
//!
//! A course is published under one actor: its group's, else the member
//! who made it ([`Node::course_actor`]). Publishing queues the `Create`
//! of its object for that actor's followers on other servers, in the
//! publishing write; a change of a published or archived course (its
//! archiving included: the object says `courseStatus`) queues its
//! `Update`; deleting it, or taking it back to draft, queues its `Delete`.
//! Adding or removing a module or a lesson of such a course queues its
//! `Update` too (its counts changed); edits of a lesson's text do not.

use super::enrol::EnrolmentOutcome;
use super::model::{Course, CourseStatus};
use crate::certificates::ImportedCompletions;
use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::Member;
use crate::node::Node;
use crate::remote::Outgoing;
use crate::store::{tables, Txn};

impl Node {
    /// The account of another server `remote` asks to enrol in the local
    /// course `course` with its `Join` `activity_id`: enrolled or pending
    /// as a member here would be, with the instructors' `Accept` queued
    /// in the same write once it holds a seat (again, when it held one
    /// already: the first may have been lost); refused (the error is
    /// returned) with their `Reject` queued.
    pub async fn receive_course_join(
        &self,
        remote: &Member,
        course: Id,
        activity_id: &str,
    ) -> NodeResult<EnrolmentOutcome> {
        if remote.is_local() || remote.is_group() {
            return Err(NodeError::invalid("actor", "is not a remote person"));
        }
        let activity = activity_id.to_string();
        let completions = ImportedCompletions(&self.store);
        let answer = self
            .write(|txn| {
                let record = Self::course_in(txn, course)?;
                txn.store::<tables::CourseJoins>((course, remote.id), &activity)?;
                match self.enrol_in(txn, course, remote, &completions) {
                    Ok(outcome) => {
                        if outcome.state.holds_seat() {
                            self.answer_course_join(txn, &record, remote.id, true)?;
                        }
                        Ok(Ok(outcome))
                    }
                    Err(
                        refused @ (NodeError::Conflict { .. }
                        | NodeError::Forbidden(_)
                        | NodeError::NotFound(_)),
                    ) => {
                        self.answer_course_join(txn, &record, remote.id, false)?;
                        Ok(Err(refused))
                    }
                    Err(e) => Err(e),
                }
            })
            .await?;
        if let Err(refused) = &answer {
            tracing::info!(%course, account = %remote.username, reason = %refused, "a remote enrolment refused");
        }
        answer
    }

    /// The account of another server `remote` leaves the local course
    /// `course` (`Leave`, `Undo(Join)`): as a member here leaves. Whether
    /// it was enrolled (or waiting).
    pub async fn receive_course_leave(&self, remote: &Member, course: Id) -> NodeResult<bool> {
        if remote.is_local() {
            return Err(NodeError::invalid("actor", "is not a remote account"));
        }
        self.write(|txn| {
            txn.remove::<tables::CourseJoins>((course, remote.id));
            Self::leave_in(txn, course, remote.id)
        })
        .await
    }

    /// Queues, inside `txn`, the instructors' answer to `member`'s `Join`
    /// of `course` when `member` enrolled from another server (its `Join`
    /// is known); nothing for a member here.
    pub(crate) fn answer_course_join(
        &self,
        txn: &mut Txn<'_>,
        course: &Course,
        member: Id,
        accept: bool,
    ) -> NodeResult<()> {
        let Some(activity_id) = txn.load::<tables::CourseJoins>((course.id, member))? else {
            return Ok(());
        };
        if !accept {
            txn.remove::<tables::CourseJoins>((course.id, member));
        }
        self.federate(
            txn,
            Outgoing::CourseJoinAnswer {
                course: course.id,
                member,
                activity_id,
                accept,
            },
        )
    }

    /// The account a course is published under, which signs its
    /// activities and answers `Join`s: its group, else the member who
    /// made it.
    pub fn course_actor(course: &Course) -> Id {
        course.group.unwrap_or(course.creator)
    }

    /// Whose followers hear of `course`, or `None` when it is not for
    /// other servers (a draft, a private group's).
    fn course_audience(&self, txn: &Txn<'_>, course: &Course) -> NodeResult<Option<Id>> {
        if course.status == CourseStatus::Draft {
            return Ok(None);
        }
        match course.group {
            Some(group) => {
                let public = txn
                    .load::<tables::Group>(group)?
                    .is_some_and(|g| g.visibility == crate::groups::GroupVisibility::Public);
                Ok(public.then_some(group))
            }
            None => Ok(Some(course.creator)),
        }
    }

    /// Queues, inside `txn`, the `Create` (`created`) or `Update` of
    /// `course` for its actor's followers on other servers: not for a
    /// draft, nor a private group's course, nor when nobody elsewhere
    /// follows.
    pub(crate) fn federate_course(
        &self,
        txn: &mut Txn<'_>,
        course: &Course,
        created: bool,
    ) -> NodeResult<()> {
        let Some(audience) = self.course_audience(txn, course)? else {
            return Ok(());
        };
        if !self.has_remote_audience(txn, audience, &[], None)? {
            return Ok(());
        }
        self.federate(
            txn,
            Outgoing::Course {
                course: course.id,
                created,
            },
        )
    }

    /// The syllabus of `course` changed inside `txn` (a module or a lesson
    /// added or removed): it is stored as last changed now and, published
    /// or archived, its `Update` is queued, so that copies elsewhere keep
    /// their module and lesson counts.
    pub(crate) fn syllabus_changed(
        &self,
        txn: &mut Txn<'_>,
        course: &mut Course,
    ) -> NodeResult<()> {
        course.updated_at = crate::model::now_ms();
        txn.store::<tables::Course>(course.id, course)?;
        if course.status == CourseStatus::Draft {
            return Ok(());
        }
        self.federate_course(txn, course, false)
    }

    /// Queues, inside `txn`, the `Delete` of `course` (about to go, or
    /// back to draft) for those its `Create` reached.
    pub(crate) fn federate_course_deleted(
        &self,
        txn: &mut Txn<'_>,
        course: &Course,
    ) -> NodeResult<()> {
        let was_published = Course {
            status: CourseStatus::Published,
            ..course.clone()
        };
        let Some(audience) = self.course_audience(txn, &was_published)? else {
            return Ok(());
        };
        if !self.has_remote_audience(txn, audience, &[], None)? {
            return Ok(());
        }
        let Some(account) = txn.load::<tables::Member>(audience)? else {
            return Ok(());
        };
        let object = self.urls().course(&account.username, course.id);
        self.federate(
            txn,
            Outgoing::CourseDeleted {
                object,
                actor: audience,
            },
        )
    }
}
