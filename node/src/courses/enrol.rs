//! Enrolling in a course and leaving it; approvals and invitations.
//!
//! Every rule is checked inside the one write that enrols, and writes
//! are serialised: a seat is taken only while the stored count is below
//! the capacity, so it is never exceeded however many enrol at once.

use serde::Serialize;

use super::model::{Course, CourseStatus, Enrolment, EnrolmentMode, EnrolmentState};
use super::prerequisites::RemoteCompletions;
use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::{now_ms, Member, NotificationKind};
use crate::node::{Node, Viewer};
use crate::store::{tables, Txn};

/// The answer of an enrolment: `{"state": "enrolled" | "pending", ...}`.
#[derive(Debug, Clone, Serialize)]
pub struct EnrolmentOutcome {
    /// Where the enrolment stands.
    pub state: EnrolmentState,
    /// Whether this call changed anything (enrolling twice does not).
    pub changed: bool,
}

/// Why `course` takes no enrolment at `now`, as a 409, or `Ok`.
fn check_open(course: &Course, now: i64) -> NodeResult<()> {
    match course.status {
        CourseStatus::Draft => {
            return Err(NodeError::conflict(
                "course",
                "the course is not published yet",
            ))
        }
        CourseStatus::Archived => {
            return Err(NodeError::conflict("course", "the course is archived"))
        }
        CourseStatus::Published => {}
    }
    if course.enrolment_opens.is_some_and(|o| now < o) {
        return Err(NodeError::conflict(
            "enrolment",
            "enrolment has not opened yet",
        ));
    }
    if course.enrolment_closes.is_some_and(|c| now >= c) {
        return Err(NodeError::conflict("enrolment", "enrolment is closed"));
    }
    Ok(())
}

impl Node {
    /// Enrols the viewer in a course: `enrolled` while a seat is free
    /// (409 naming `capacity` when full); `pending` for an approval
    /// course or a priced one (its instructors are told,
    /// `course_enrolment_request`). An invite course takes only invited
    /// members; an invitation counts as the instructors' approval. Every
    /// local prerequisite must be completed here, and each remote one
    /// attested by a certificate the viewer imported
    /// ([`Node::import_certificate`]; see [`Node::enrol_in_course_with`]): a 409 naming
    /// `prerequisites` lists what is missing. Enrolling twice changes
    /// nothing. A course of another server takes the enrolment as
    /// `pending`, its `Join` queued, until its server answers (its rules
    /// are its server's; `remote_courses.rs`).
    pub async fn enrol_in_course(&self, viewer: &Viewer, id: Id) -> NodeResult<EnrolmentOutcome> {
        self.enrol_in_course_with(
            viewer,
            id,
            &crate::certificates::ImportedCompletions(&self.store),
        )
        .await
    }

    /// [`Node::enrol_in_course`], with `remote` answering whether the
    /// viewer completed the course's prerequisites of other servers.
    pub async fn enrol_in_course_with(
        &self,
        viewer: &Viewer,
        id: Id,
        remote: &dyn RemoteCompletions,
    ) -> NodeResult<EnrolmentOutcome> {
        let me = viewer.member()?.clone();
        if me.is_group() {
            return Err(NodeError::Forbidden("a group cannot enrol in courses"));
        }
        if self.is_remote_course(id)? {
            return self.enrol_in_remote_course(&me, id).await;
        }
        self.write(|txn| self.enrol_in(txn, id, &me, remote)).await
    }

    /// Enrols `me` (a member here, or an account of another server whose
    /// `Join` arrived) in the local course `id` inside `txn`, under every
    /// rule of [`Node::enrol_in_course`]. A refusal stages nothing.
    pub(crate) fn enrol_in(
        &self,
        txn: &mut Txn<'_>,
        id: Id,
        me: &Member,
        remote: &dyn RemoteCompletions,
    ) -> NodeResult<EnrolmentOutcome> {
        let course = Self::course_in(txn, id)?;
        if !Self::may_see_course(txn, &course, Some(me))? {
            return Err(NodeError::NotFound("course"));
        }
        let existing = txn.load::<tables::CourseEnrolments>((id, me.id))?;
        if let Some(e) = &existing {
            if e.state != EnrolmentState::Invited {
                return Ok(EnrolmentOutcome {
                    state: e.state,
                    changed: false,
                });
            }
        }
        if Self::instructs(txn, &course, me.id)? {
            return Err(NodeError::conflict(
                "course",
                "instructors teach this course and do not enrol in it",
            ));
        }
        let now = now_ms();
        check_open(&course, now)?;
        let missing = Self::missing_prerequisites_in(txn, &course, me, remote)?;
        if !missing.is_empty() {
            let names: Vec<String> = missing.iter().map(ToString::to_string).collect();
            return Err(NodeError::conflict(
                "prerequisites",
                format!("complete first: {}", names.join(", ")),
            ));
        }
        let invited_by = existing.as_ref().and_then(|e| e.invited_by);
        let needs_approval = course.enrolment == EnrolmentMode::Approval || course.price.is_some();
        let state = match course.enrolment {
            EnrolmentMode::Invite if existing.is_none() => {
                return Err(NodeError::conflict(
                    "enrolment",
                    "this course takes invited members only",
                ))
            }
            _ if needs_approval && existing.is_none() => {
                txn.add::<tables::CoursePendingCount>(id, 1)?;
                for teacher in Self::course_teachers(txn, &course)? {
                    self.notify_course(
                        txn,
                        teacher,
                        NotificationKind::CourseEnrolmentRequest,
                        me.id,
                        id,
                    )?;
                }
                EnrolmentState::Pending
            }
            _ => {
                Self::take_seat(txn, &course)?;
                Self::seated_state(txn, id, me.id)?
            }
        };
        txn.store::<tables::CourseEnrolments>(
            (id, me.id),
            &Enrolment {
                state,
                at: now,
                invited_by,
            },
        )?;
        txn.store::<tables::MemberCourses>((me.id, id), &())?;
        Ok(EnrolmentOutcome {
            state,
            changed: true,
        })
    }

    /// The state of a member taking a seat: `completed` when they
    /// completed the course before (and left it), else `enrolled`.
    fn seated_state(txn: &Txn<'_>, course: Id, member: Id) -> NodeResult<EnrolmentState> {
        Ok(if txn.has::<tables::CourseCompletion>((course, member))? {
            EnrolmentState::Completed
        } else {
            EnrolmentState::Enrolled
        })
    }

    /// Takes a seat of `course` inside `txn`: 409 naming `capacity` when
    /// every seat is taken.
    fn take_seat(txn: &mut Txn<'_>, course: &Course) -> NodeResult<()> {
        let taken = txn.counter::<tables::CourseEnrolledCount>(course.id)?;
        if course.capacity.is_some_and(|c| taken >= i64::from(c)) {
            return Err(NodeError::conflict("capacity", "the course is full"));
        }
        txn.add::<tables::CourseEnrolledCount>(course.id, 1)?;
        Ok(())
    }

    /// Leaves a course (any state): the seat is freed. Lessons done and
    /// attempts are kept, so enrolling again resumes; a completion stays.
    /// Not enrolled: nothing changes (`false`). Leaving a course of
    /// another server queues its `Leave`.
    pub async fn leave_course(&self, viewer: &Viewer, id: Id) -> NodeResult<bool> {
        let me = viewer.member()?.clone();
        if self.is_remote_course(id)? {
            return self.leave_remote_course(&me, id).await;
        }
        self.write(|txn| Self::leave_in(txn, id, me.id)).await
    }

    /// Removes `member`'s enrolment in the local course `id` inside `txn`,
    /// freeing its seat. Whether there was one.
    pub(crate) fn leave_in(txn: &mut Txn<'_>, id: Id, member: Id) -> NodeResult<bool> {
        let Some(e) = txn.load::<tables::CourseEnrolments>((id, member))? else {
            return Ok(false);
        };
        txn.remove::<tables::CourseEnrolments>((id, member));
        txn.remove::<tables::MemberCourses>((member, id));
        match e.state {
            EnrolmentState::Enrolled | EnrolmentState::Completed => {
                txn.add::<tables::CourseEnrolledCount>(id, -1)?;
            }
            EnrolmentState::Pending => {
                txn.add::<tables::CoursePendingCount>(id, -1)?;
            }
            EnrolmentState::Invited => {}
        }
        Ok(true)
    }

    /// Approves a pending enrolment (the course's instructors): the member
    /// takes a seat (409 naming `capacity` when full, `course` when it is
    /// no longer published) and is told (`course_enrolment_approved`).
    pub async fn approve_enrolment(
        &self,
        viewer: &Viewer,
        course: Id,
        member: Id,
    ) -> NodeResult<EnrolmentState> {
        let me = viewer.member()?.clone();
        self.write(|txn| {
            let c = Self::course_in(txn, course)?;
            Self::require_instructor(txn, &c, &me)?;
            let mut e = txn
                .load::<tables::CourseEnrolments>((course, member))?
                .ok_or(NodeError::NotFound("enrolment"))?;
            if e.state != EnrolmentState::Pending {
                return Ok(e.state);
            }
            if c.status != CourseStatus::Published {
                return Err(NodeError::conflict(
                    "course",
                    "the course is no longer published",
                ));
            }
            Self::take_seat(txn, &c)?;
            txn.add::<tables::CoursePendingCount>(course, -1)?;
            e.state = Self::seated_state(txn, course, member)?;
            e.at = now_ms();
            txn.store::<tables::CourseEnrolments>((course, member), &e)?;
            self.notify_course(
                txn,
                member,
                NotificationKind::CourseEnrolmentApproved,
                me.id,
                course,
            )?;
            self.answer_course_join(txn, &c, member, true)?;
            Ok(e.state)
        })
        .await
    }

    /// Turns down a pending enrolment (the course's instructors); the
    /// member is told (`course_enrolment_rejected`). Whether there was
    /// one.
    pub async fn reject_enrolment(
        &self,
        viewer: &Viewer,
        course: Id,
        member: Id,
    ) -> NodeResult<bool> {
        let me = viewer.member()?.clone();
        self.write(|txn| {
            let c = Self::course_in(txn, course)?;
            Self::require_instructor(txn, &c, &me)?;
            match txn.load::<tables::CourseEnrolments>((course, member))? {
                Some(e) if e.state == EnrolmentState::Pending => {}
                _ => return Ok(false),
            }
            txn.remove::<tables::CourseEnrolments>((course, member));
            txn.remove::<tables::MemberCourses>((member, course));
            txn.add::<tables::CoursePendingCount>(course, -1)?;
            self.notify_course(
                txn,
                member,
                NotificationKind::CourseEnrolmentRejected,
                me.id,
                course,
            )?;
            self.answer_course_join(txn, &c, member, false)?;
            Ok(true)
        })
        .await
    }

    /// Invites a member of this node by username to enrol (the course's
    /// instructors; the course must be published); they are told
    /// (`course_invite`). Already enrolled, waiting or invited: nothing
    /// changes (`false`).
    pub async fn invite_to_course(
        &self,
        viewer: &Viewer,
        course: Id,
        username: &str,
    ) -> NodeResult<bool> {
        let me = viewer.member()?.clone();
        let name = username.trim().trim_start_matches('@');
        let invitee = self
            .member_by_name(name)?
            .filter(|m| m.deleted_at.is_none() && m.is_local() && !m.is_group())
            .ok_or(NodeError::NotFound("member"))?;
        self.write(|txn| {
            let c = Self::course_in(txn, course)?;
            Self::require_instructor(txn, &c, &me)?;
            if c.status != CourseStatus::Published {
                return Err(NodeError::conflict(
                    "course",
                    "only a published course takes invitations",
                ));
            }
            if txn.has::<tables::CourseEnrolments>((course, invitee.id))? {
                return Ok(false);
            }
            txn.store::<tables::CourseEnrolments>(
                (course, invitee.id),
                &Enrolment {
                    state: EnrolmentState::Invited,
                    at: now_ms(),
                    invited_by: Some(me.id),
                },
            )?;
            txn.store::<tables::MemberCourses>((invitee.id, course), &())?;
            self.notify_course(
                txn,
                invitee.id,
                NotificationKind::CourseInvite,
                me.id,
                course,
            )?;
            Ok(true)
        })
        .await
    }
}
