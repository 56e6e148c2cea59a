//! Taking an assessment: its questions without answers, attempts started
//! and submitted, graded at once where a machine can.
//!
//! An attempt's start is the server's clock in the write that starts it,
//! and its deadline is checked in the write that takes the answers: a
//! late submission is refused (409 naming `deadline`) and the attempt is
//! recorded as expired (scored 0, counted). Attempts are counted when
//! they start, inside that write, so the limit holds however many start
//! at once.

use serde::Serialize;

use super::grading::{grade, passes, score};
use super::model::{Answer, Assessment, AssessmentForTaker, Attempt, AttemptState, Mark};
use super::MAX_QUESTIONS;
use crate::courses::model::Completion;
use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::{now_ms, Member, NotificationKind};
use crate::node::{Node, Viewer};
use crate::store::{tables, Txn};

/// How late after its deadline an attempt's answers are still taken (ms):
/// the time a request takes on the way.
pub const DEADLINE_GRACE_MS: i64 = 2_000;
/// Longest answer, in characters (code included).
pub const MAX_ANSWER_CHARS: usize = 50_000;

/// An attempt just started (or the one already running).
#[derive(Debug, Clone, Serialize)]
pub struct AttemptStarted {
    /// The attempt.
    pub attempt: Id,
    /// When it started (ms, the server's clock).
    pub started_at: i64,
    /// When its time runs out (ms), if timed.
    pub deadline: Option<i64>,
    /// Attempts started so far, this one included.
    pub attempts_used: i64,
    /// Attempts left after this one, if limited.
    pub attempts_left: Option<i64>,
    /// The assessment, without its answers.
    pub assessment: AssessmentForTaker,
}

/// The result of a submission: `{"score", "passed", "feedback"}`.
#[derive(Debug, Clone, Serialize)]
pub struct AttemptOutcome {
    /// The attempt.
    pub attempt: Id,
    /// Where it stands (`awaiting_review` when an instructor grades part
    /// of it).
    pub state: AttemptState,
    /// Percent of the points, once graded.
    pub score: Option<f64>,
    /// Whether it passed, once graded.
    pub passed: Option<bool>,
    /// Each answer's mark, in question order (never the right answers).
    pub feedback: Vec<Mark>,
    /// The course's completion, when this attempt completed it.
    pub completion: Option<Completion>,
}

impl AttemptOutcome {
    fn of(attempt: &Attempt, completion: Option<Completion>) -> Self {
        AttemptOutcome {
            attempt: attempt.id,
            state: attempt.state,
            score: attempt.score,
            passed: attempt.passed,
            feedback: attempt.marks.clone(),
            completion,
        }
    }
}

/// Checks the size of `answers` before any write.
fn check_answers(answers: &[Option<Answer>]) -> NodeResult<()> {
    if answers.len() > MAX_QUESTIONS {
        return Err(NodeError::too_large(
            "answers",
            format!("at most {MAX_QUESTIONS} answers"),
        ));
    }
    for (i, a) in answers.iter().enumerate() {
        match a {
            Some(Answer::Text(t)) => {
                crate::validate::max_chars(&format!("answers[{i}]"), t, MAX_ANSWER_CHARS)?
            }
            Some(Answer::Choices(c)) if c.len() > 100 => {
                return Err(NodeError::too_large(
                    &format!("answers[{i}]"),
                    "at most 100 choices",
                ))
            }
            _ => {}
        }
    }
    Ok(())
}

/// No more answers than `a` has questions (422 naming `answers`).
fn check_count(a: &Assessment, answers: &[Option<Answer>]) -> NodeResult<()> {
    if answers.len() > a.questions.len() {
        return Err(NodeError::invalid(
            "answers",
            format!("the assessment has {} questions", a.questions.len()),
        ));
    }
    Ok(())
}

impl Node {
    /// An assessment as a member taking it sees it (no answers), for
    /// members holding a seat of its course and its instructors. A timed
    /// one shows its questions to members only through
    /// [`Node::start_attempt`], which starts the clock.
    pub fn assessment_for_taker(&self, viewer: &Viewer, id: Id) -> NodeResult<AssessmentForTaker> {
        let me = viewer.member()?;
        let a = self
            .store
            .load::<tables::Assessment>(id)?
            .ok_or(NodeError::NotFound("assessment"))?;
        let course = self
            .store
            .load::<tables::Course>(a.course)?
            .ok_or(NodeError::NotFound("course"))?;
        if self.teaches(&course, me.id)? {
            return Ok(a.for_taker());
        }
        let seat = self
            .store
            .load::<tables::CourseEnrolments>((a.course, me.id))?
            .is_some_and(|e| e.state.holds_seat());
        if !seat {
            return Err(NodeError::Forbidden("enrol in the course first"));
        }
        if a.time_limit_secs.is_some() {
            return Err(NodeError::conflict(
                "time_limit",
                "a timed assessment shows its questions when an attempt starts",
            ));
        }
        Ok(a.for_taker())
    }

    /// Starts an attempt at an assessment (members holding a seat): the
    /// server records the start, and the deadline when it is timed. An
    /// attempt still running is returned as it is; one whose time ran out
    /// is closed as expired first. Refused (409 naming `attempts`) when
    /// the attempts allowed are used up.
    pub async fn start_attempt(
        &self,
        viewer: &Viewer,
        assessment: Id,
    ) -> NodeResult<AttemptStarted> {
        let me = viewer.member()?.clone();
        self.write(|txn| {
            let a = Self::assessment_in(txn, assessment)?;
            Self::require_seat(txn, a.course, me.id)?;
            let attempt = self.open_attempt(txn, &a, me.id, now_ms())?;
            let used = txn.counter::<tables::AttemptCount>((assessment, me.id))?;
            Ok(AttemptStarted {
                attempt: attempt.id,
                started_at: attempt.started_at,
                deadline: attempt.deadline,
                attempts_used: used,
                attempts_left: a.max_attempts.map(|m| (i64::from(m) - used).max(0)),
                assessment: a.for_taker(),
            })
        })
        .await
    }

    /// Takes the answers of a started attempt and grades them: choices,
    /// short answers and numbers at once; free text and code go to the
    /// course's review queue (its instructors are told). After the
    /// deadline (and [`DEADLINE_GRACE_MS`]) the answers are refused (409
    /// naming `deadline`) and the attempt is recorded as expired. A pass
    /// may complete the course.
    pub async fn submit_attempt(
        &self,
        viewer: &Viewer,
        attempt: Id,
        answers: Vec<Option<Answer>>,
    ) -> NodeResult<AttemptOutcome> {
        let me = viewer.member()?.clone();
        check_answers(&answers)?;
        let outcome = self
            .write(|txn| {
                let mut record = txn
                    .load::<tables::Attempt>(attempt)?
                    .filter(|r| r.member == me.id)
                    .ok_or(NodeError::NotFound("attempt"))?;
                if record.state != AttemptState::InProgress {
                    return Err(NodeError::conflict(
                        "attempt",
                        "this attempt was submitted already",
                    ));
                }
                let a = Self::assessment_in(txn, record.assessment)?;
                Self::require_seat(txn, a.course, me.id)?;
                let now = now_ms();
                if record
                    .deadline
                    .is_some_and(|d| now > d.saturating_add(DEADLINE_GRACE_MS))
                {
                    Self::expire(txn, &a, &mut record)?;
                    return Ok(AttemptOutcome::of(&record, None));
                }
                self.grade_attempt(txn, &a, &mut record, answers, &me, now)
            })
            .await?;
        if outcome.state == AttemptState::Expired {
            return Err(NodeError::conflict(
                "deadline",
                "the time limit passed before the answers came; the attempt counts as failed",
            ));
        }
        Ok(outcome)
    }

    /// Starts an attempt and submits `answers` in one write (untimed
    /// assessments: a timed one is a 409 naming `time_limit`, since its
    /// time counts from a start the member saw). Reuses an attempt
    /// already running.
    pub async fn submit_assessment(
        &self,
        viewer: &Viewer,
        assessment: Id,
        answers: Vec<Option<Answer>>,
    ) -> NodeResult<AttemptOutcome> {
        let me = viewer.member()?.clone();
        check_answers(&answers)?;
        self.write(|txn| {
            let a = Self::assessment_in(txn, assessment)?;
            if a.time_limit_secs.is_some() {
                return Err(NodeError::conflict(
                    "time_limit",
                    "a timed assessment is taken by starting an attempt first",
                ));
            }
            Self::require_seat(txn, a.course, me.id)?;
            check_count(&a, &answers)?;
            let now = now_ms();
            let mut record = self.open_attempt(txn, &a, me.id, now)?;
            self.grade_attempt(txn, &a, &mut record, answers, &me, now)
        })
        .await
    }

    /// The viewer's attempts at an assessment, oldest first (their
    /// answers and marks; never the right answers).
    pub fn my_attempts(&self, viewer: &Viewer, assessment: Id) -> NodeResult<Vec<Attempt>> {
        let me = viewer.member()?.id;
        let mut out = Vec::new();
        for key in self
            .store
            .scan::<tables::MemberAttempts>((assessment, me), false)
            .keys()
            .take(1_000)
        {
            let (_, _, id) = key?;
            if let Some(a) = self.store.load::<tables::Attempt>(id)? {
                out.push(a);
            }
        }
        Ok(out)
    }

    /// The attempt of `member` at `a` still running, or a new one: an
    /// attempt whose time ran out is closed as expired first; a new one is
    /// counted, and refused when none is left.
    fn open_attempt(
        &self,
        txn: &mut Txn<'_>,
        a: &Assessment,
        member: Id,
        now: i64,
    ) -> NodeResult<Attempt> {
        let last = txn
            .scan::<tables::MemberAttempts>((a.id, member), true)
            .keys()
            .next()
            .transpose()?;
        if let Some((_, _, last)) = last {
            if let Some(mut running) = txn
                .load::<tables::Attempt>(last)?
                .filter(|r| r.state == AttemptState::InProgress)
            {
                if running
                    .deadline
                    .is_some_and(|d| now > d.saturating_add(DEADLINE_GRACE_MS))
                {
                    Self::expire(txn, a, &mut running)?;
                } else {
                    return Ok(running);
                }
            }
        }
        let used = txn.counter::<tables::AttemptCount>((a.id, member))?;
        if let Some(max) = a.max_attempts {
            if used >= i64::from(max) {
                return Err(NodeError::conflict(
                    "attempts",
                    format!("no attempts left: {max} allowed"),
                ));
            }
        }
        let attempt = Attempt {
            id: self.ids.next(),
            assessment: a.id,
            course: a.course,
            member,
            started_at: now,
            deadline: a
                .time_limit_secs
                .map(|s| now.saturating_add(i64::from(s) * 1_000)),
            submitted_at: None,
            state: AttemptState::InProgress,
            answers: Vec::new(),
            marks: Vec::new(),
            score: None,
            passed: None,
            feedback: String::new(),
            reviewed_by: None,
        };
        txn.store::<tables::Attempt>(attempt.id, &attempt)?;
        txn.store::<tables::MemberAttempts>((a.id, member, attempt.id), &())?;
        txn.add::<tables::AttemptCount>((a.id, member), 1)?;
        Ok(attempt)
    }

    /// Closes `record` as expired: scored 0, failed.
    fn expire(txn: &mut Txn<'_>, a: &Assessment, record: &mut Attempt) -> NodeResult<()> {
        record.state = AttemptState::Expired;
        record.marks = a.questions.iter().map(|q| grade(q, None)).collect();
        record.score = Some(0.0);
        record.passed = Some(false);
        txn.store::<tables::Attempt>(record.id, record)
    }

    /// Grades `answers` into `record` inside `txn` and stores it: at once,
    /// or into the review queue when some need an instructor.
    fn grade_attempt(
        &self,
        txn: &mut Txn<'_>,
        a: &Assessment,
        record: &mut Attempt,
        answers: Vec<Option<Answer>>,
        me: &Member,
        now: i64,
    ) -> NodeResult<AttemptOutcome> {
        check_count(a, &answers)?;
        record.marks = a
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| grade(q, answers.get(i).and_then(Option::as_ref)))
            .collect();
        record.answers = answers;
        record.submitted_at = Some(now);
        let mut completion = None;
        if record.marks.iter().any(|m| m.pending_review) {
            record.state = AttemptState::AwaitingReview;
            txn.store::<tables::ReviewQueue>((a.course, record.id), &())?;
            txn.add::<tables::CourseReviewCount>(a.course, 1)?;
            let course = Self::course_in(txn, a.course)?;
            for teacher in Self::course_teachers(txn, &course)? {
                self.notify_course(
                    txn,
                    teacher,
                    NotificationKind::CourseReviewRequested,
                    me.id,
                    a.course,
                )?;
            }
        } else {
            completion = self.finish_grading(txn, a, record, me)?;
        }
        txn.store::<tables::Attempt>(record.id, record)?;
        Ok(AttemptOutcome::of(record, completion))
    }

    /// Scores a fully marked `record`: its score and pass; a pass is kept
    /// (the best score) and may complete the course. Does not store the
    /// attempt.
    pub(crate) fn finish_grading(
        &self,
        txn: &mut Txn<'_>,
        a: &Assessment,
        record: &mut Attempt,
        member: &Member,
    ) -> NodeResult<Option<Completion>> {
        let s = score(&record.marks);
        let passed = passes(s, a.passing_score);
        record.state = AttemptState::Graded;
        record.score = Some(s);
        record.passed = Some(passed);
        if !passed {
            return Ok(None);
        }
        let best = txn
            .load::<tables::AssessmentPassed>((a.id, member.id))?
            .map_or(s, |b| b.max(s));
        txn.store::<tables::AssessmentPassed>((a.id, member.id), &best)?;
        let course = Self::course_in(txn, a.course)?;
        self.complete_if_done(txn, &course, member)
    }
}
