//! Studying a course in the members' app: the lesson reader
//! (`/lessons/{id}`: the lesson, the course's progress, mark done or not
//! done, the next lesson) and assessments (`/assessments/{id}`: the
//! member's attempts with their marks, and the form for a new one). The
//! form is built from [`node::courses::AssessmentForTaker`], which has
//! no field for an answer, so no answer reaches the page before the
//! member submits; the result is shown after, as marks, never as the
//! right answers. A timed assessment shows its questions only once
//! started (`/assessments/{id}/start`): the server counts its time.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use node::courses::{Answer, AssessmentForTaker, Attempt, AttemptState, TakerKind, MAX_QUESTIONS};
use node::{Id, NodeError};

use super::courses::{minutes_text, notice, path_id, DoneQuery};
use super::learner::{Studier, StudyForm};
use super::{field, render_with_status, AppError, Me};
use crate::public_pages::{site, Site};
use crate::state::AppState;

/// The lesson reader.
#[derive(Template)]
#[template(path = "app/courses/lesson.html")]
pub struct LessonPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    pub course_id: String,
    pub course_title: String,
    pub id: String,
    pub title: String,
    pub body_html: String,
    pub minutes: String,
    pub done: bool,
    /// Its place: "Lesson 2 of 5".
    pub position: String,
    /// The course's lessons done, percent (`None` for an instructor not
    /// enrolled).
    pub percent: Option<u32>,
    /// The next lesson in the course's order.
    pub next: Option<(String, String)>,
    /// The next lesson's id, for the done form.
    pub next_id: Option<String>,
    /// The previous one.
    pub previous: Option<(String, String)>,
    pub notice: Option<&'static str>,
}

/// GET /lessons/{id} — the lesson with the course's progress, its done
/// form and the previous and next lessons (members holding a seat and
/// instructors).
pub async fn lesson(
    State(s): State<AppState>,
    Path(id): Path<String>,
    session: Studier,
    Query(q): Query<DoneQuery>,
) -> Result<Response, AppError> {
    let id = path_id(&id, "lesson")?;
    let view = s.node.lesson(&session.viewer, id)?;
    let course = s.node.course(&session.viewer, view.lesson.course)?;
    let order: Vec<(Id, String)> = course
        .outline
        .iter()
        .flat_map(|m| m.lessons.iter().map(|l| (l.id, l.title.clone())))
        .collect();
    let at = order.iter().position(|(l, _)| *l == id);
    let link = |i: usize| {
        order
            .get(i)
            .map(|(l, t)| (format!("/lessons/{l}"), t.clone()))
    };
    let percent = s
        .node
        .course_progress(&session.viewer, course.course.id)
        .ok()
        .map(|p| p.percent);
    let Site {
        domain,
        members,
        posts,
    } = site(&s)?;
    render_with_status(
        LessonPage {
            domain,
            members,
            posts,
            me: Some(session.me),
            course_id: course.course.id.to_string(),
            course_title: course.course.title.clone(),
            id: id.to_string(),
            title: view.lesson.title.clone(),
            body_html: view.lesson.body_html.clone(),
            minutes: minutes_text(u64::from(view.lesson.minutes)),
            done: view.done,
            position: match at {
                Some(i) => format!("Lesson {} of {}", i + 1, order.len()),
                None => String::new(),
            },
            percent,
            next: at.and_then(|i| link(i + 1)),
            next_id: at
                .and_then(|i| order.get(i + 1))
                .map(|(l, _)| l.to_string()),
            previous: at.and_then(|i| i.checked_sub(1)).and_then(link),
            notice: q.done.as_deref().and_then(notice),
        },
        StatusCode::OK,
    )
}

/// POST /lessons/{id}/done — marks the lesson done; on to the next
/// lesson (`next`, a lesson id the form carries) or back to the lesson.
pub async fn done(
    State(s): State<AppState>,
    Path(id): Path<String>,
    StudyForm { session, form }: StudyForm,
) -> Result<Response, AppError> {
    let id = path_id(&id, "lesson")?;
    let progress = s.node.mark_lesson_done(&session.viewer, id).await?;
    let to = match field(&form, "next").parse::<Id>() {
        Ok(next) => format!("/lessons/{next}?done=done"),
        Err(_) if progress.completion.is_some() || progress.resume.is_none() => {
            format!("/courses/{}?done=done", progress.course)
        }
        Err(_) => format!("/lessons/{id}?done=done"),
    };
    Ok(Redirect::to(&to).into_response())
}

/// POST /lessons/{id}/undone — marks the lesson not done.
pub async fn undone(
    State(s): State<AppState>,
    Path(id): Path<String>,
    StudyForm { session, .. }: StudyForm,
) -> Result<Response, AppError> {
    let id = path_id(&id, "lesson")?;
    s.node.mark_lesson_undone(&session.viewer, id).await?;
    Ok(Redirect::to(&format!("/lessons/{id}?done=undone")).into_response())
}

/// A question as the form shows it.
pub struct QuestionField {
    /// Its index.
    pub index: usize,
    /// `single`, `multiple`, `short`, `numeric`, `text` or `code`.
    pub kind: &'static str,
    /// What is asked.
    pub prompt: String,
    /// Points.
    pub points: u32,
    /// Choices (single, multiple).
    pub choices: Vec<String>,
    /// The rubric, in words (text, code).
    pub rubric: Vec<String>,
}

/// The fields of the questions of `a`.
fn question_fields(a: &AssessmentForTaker) -> Vec<QuestionField> {
    a.questions
        .iter()
        .enumerate()
        .map(|(index, q)| {
            let (kind, choices, rubric) = match &q.kind {
                TakerKind::Single { choices } => ("single", choices.clone(), Vec::new()),
                TakerKind::Multiple { choices } => ("multiple", choices.clone(), Vec::new()),
                TakerKind::Short => ("short", Vec::new(), Vec::new()),
                TakerKind::Numeric => ("numeric", Vec::new(), Vec::new()),
                TakerKind::Text { rubric } => ("text", Vec::new(), rubric_words(rubric)),
                TakerKind::Code { rubric, .. } => ("code", Vec::new(), rubric_words(rubric)),
            };
            QuestionField {
                index,
                kind,
                prompt: q.prompt.clone(),
                points: q.points,
                choices,
                rubric,
            }
        })
        .collect()
}

/// A rubric in words.
fn rubric_words(rubric: &[node::courses::Criterion]) -> Vec<String> {
    rubric
        .iter()
        .map(|c| format!("{} ({} points)", c.name, c.points))
        .collect()
}

/// An attempt as the page shows it.
pub struct AttemptItem {
    /// "Attempt 2".
    pub label: String,
    /// Where it stands, in words.
    pub state: &'static str,
    /// "80%", when graded.
    pub score: Option<String>,
    /// Whether it passed, when graded.
    pub passed: Option<bool>,
    /// Each answer's mark: "Question 1: 1 of 1 point", and the
    /// reviewer's comment.
    pub marks: Vec<(String, String)>,
    /// The reviewer's feedback.
    pub feedback: String,
}

impl AttemptItem {
    /// The item of the `n`th attempt.
    fn of(n: usize, a: &Attempt) -> Self {
        AttemptItem {
            label: format!("Attempt {n}"),
            state: match a.state {
                AttemptState::InProgress => "in progress",
                AttemptState::AwaitingReview => "waiting for an instructor's review",
                AttemptState::Graded => "graded",
                AttemptState::Expired => "its time ran out",
            },
            score: a.score.map(|s| format!("{s:.0}%")),
            passed: a.passed,
            marks: a
                .marks
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    let text = if m.pending_review {
                        format!("Question {}: waiting for review", i + 1)
                    } else {
                        format!("Question {}: {} of {} points", i + 1, m.awarded, m.max)
                    };
                    (text, m.comment.clone())
                })
                .collect(),
            feedback: a.feedback.clone(),
        }
    }
}

/// An assessment's page.
#[derive(Template)]
#[template(path = "app/courses/assessment.html")]
pub struct AssessmentPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    pub id: String,
    pub course_id: Option<String>,
    pub title: String,
    pub instructions: String,
    pub passing_score: Option<u8>,
    pub time_limit: Option<String>,
    /// "2 of 3 attempts used".
    pub attempts_text: Option<String>,
    /// Whether another attempt may be made.
    pub can_attempt: bool,
    /// The questions to answer (empty for a timed one not started).
    pub questions: Vec<QuestionField>,
    /// Where the answers go.
    pub action: String,
    /// When a started attempt's time runs out (UTC, RFC 3339).
    pub deadline: Option<String>,
    /// Whether it is timed and not started.
    pub timed: bool,
    pub attempts: Vec<AttemptItem>,
    pub notice: Option<&'static str>,
    pub error: Option<String>,
}

/// Renders assessment `id`'s page: the member's attempts and, while
/// attempts remain, the form (for a timed one, its start button; with
/// `started`, the questions of the attempt just started).
async fn assessment_page(
    s: &AppState,
    session: Studier,
    id: Id,
    started: Option<node::courses::AttemptStarted>,
    done: Option<&str>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let attempts = s.node.my_attempts(&session.viewer, id)?;
    let (taker, timed) = match &started {
        Some(st) => (Some(st.assessment.clone()), false),
        None => match s.node.assessment_for_taker(&session.viewer, id) {
            Ok(a) => (Some(a), false),
            Err(NodeError::Conflict { field, .. }) if field == "time_limit" => (None, true),
            Err(e) => return Err(e.into()),
        },
    };
    let used = attempts.len();
    let max = taker.as_ref().and_then(|a| a.max_attempts);
    let can_attempt = max.is_none_or(|m| used < m as usize) || started.is_some();
    let (title, instructions, passing, limit, course_id) = match &taker {
        Some(a) => (
            a.title.clone(),
            a.instructions.clone(),
            Some(a.passing_score),
            a.time_limit_secs,
            Some(a.course.to_string()),
        ),
        None => (
            "Timed assessment".to_string(),
            String::new(),
            None,
            None,
            attempts.first().map(|a| a.course.to_string()),
        ),
    };
    let action = match &started {
        Some(st) => format!("/attempts/{}/submit", st.attempt),
        None => format!("/assessments/{id}"),
    };
    let Site {
        domain,
        members,
        posts,
    } = site(s)?;
    render_with_status(
        AssessmentPage {
            domain,
            members,
            posts,
            me: Some(session.me),
            id: id.to_string(),
            course_id,
            title,
            instructions,
            passing_score: passing,
            time_limit: limit.map(|secs| minutes_text(u64::from(secs).div_ceil(60))),
            attempts_text: max.map(|m| format!("{used} of {m} attempts used")),
            can_attempt,
            questions: if timed {
                Vec::new()
            } else {
                taker.as_ref().map(question_fields).unwrap_or_default()
            },
            action,
            deadline: started
                .as_ref()
                .and_then(|st| st.deadline)
                .map(super::events::iso),
            timed,
            attempts: attempts
                .iter()
                .enumerate()
                .map(|(i, a)| AttemptItem::of(i + 1, a))
                .collect(),
            notice: done.and_then(notice),
            error,
        },
        status,
    )
}

/// GET /assessments/{id} — the member's attempts and the form.
pub async fn assessment(
    State(s): State<AppState>,
    Path(id): Path<String>,
    session: Studier,
    Query(q): Query<DoneQuery>,
) -> Result<Response, AppError> {
    let id = path_id(&id, "assessment")?;
    assessment_page(
        &s,
        session,
        id,
        None,
        q.done.as_deref(),
        None,
        StatusCode::OK,
    )
    .await
}

/// The answers of a posted assessment form: `count` questions; `q{i}`
/// holds a single choice's index (`k{i}` = `single`) or a text; the
/// boxes `q{i}_{j}` ticked are a multiple answer's choices. Blank is
/// `None`. The node checks the rest.
fn answers_of(form: &HashMap<String, String>) -> Vec<Option<Answer>> {
    let count = field(form, "count")
        .parse::<usize>()
        .unwrap_or(0)
        .min(MAX_QUESTIONS);
    (0..count)
        .map(|i| {
            let kind = field(form, &format!("k{i}"));
            if kind == "multiple" {
                let prefix = format!("q{i}_");
                let mut ticked: Vec<u32> = form
                    .keys()
                    .filter_map(|k| k.strip_prefix(&prefix))
                    .filter_map(|j| j.parse().ok())
                    .collect();
                ticked.sort_unstable();
                return (!ticked.is_empty()).then_some(Answer::Choices(ticked));
            }
            let raw = form.get(&format!("q{i}")).map(String::as_str).unwrap_or("");
            if raw.trim().is_empty() {
                return None;
            }
            if kind == "single" {
                return raw
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .map(|j| Answer::Choices(vec![j]));
            }
            Some(Answer::Text(raw.to_string()))
        })
        .collect()
}

/// POST /assessments/{id} — submits the answers of an untimed assessment
/// (one attempt); back to the page with the result. A refusal (attempts
/// used up) stays on the page.
pub async fn submit(
    State(s): State<AppState>,
    Path(id): Path<String>,
    StudyForm { session, form }: StudyForm,
) -> Result<Response, AppError> {
    let id = path_id(&id, "assessment")?;
    match s
        .node
        .submit_assessment(&session.viewer, id, answers_of(&form))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/assessments/{id}?done=submitted")).into_response()),
        Err(e) => {
            let (status, message) = crate::admin::error_text(e);
            if status.is_server_error() || status == StatusCode::FORBIDDEN {
                return Err(AppError::Page(status, message));
            }
            assessment_page(&s, session, id, None, None, Some(message), status).await
        }
    }
}

/// POST /assessments/{id}/start — starts an attempt (the server starts
/// the clock of a timed one) and shows its questions.
pub async fn start(
    State(s): State<AppState>,
    Path(id): Path<String>,
    StudyForm { session, .. }: StudyForm,
) -> Result<Response, AppError> {
    let id = path_id(&id, "assessment")?;
    match s.node.start_attempt(&session.viewer, id).await {
        Ok(started) => {
            assessment_page(&s, session, id, Some(started), None, None, StatusCode::OK).await
        }
        Err(e) => {
            let (status, message) = crate::admin::error_text(e);
            if status == StatusCode::CONFLICT {
                assessment_page(&s, session, id, None, None, Some(message), status).await
            } else {
                Err(AppError::Page(status, message))
            }
        }
    }
}

/// POST /attempts/{id}/submit — the answers of a started attempt; back to
/// its assessment with the result (after its deadline, the refusal).
pub async fn submit_started(
    State(s): State<AppState>,
    Path(id): Path<String>,
    StudyForm { session, form }: StudyForm,
) -> Result<Response, AppError> {
    let attempt = path_id(&id, "attempt")?;
    let assessment = path_id(field(&form, "assessment"), "assessment")?;
    match s
        .node
        .submit_attempt(&session.viewer, attempt, answers_of(&form))
        .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/assessments/{assessment}?done=submitted")).into_response())
        }
        Err(e) => {
            let (status, message) = crate::admin::error_text(e);
            if status == StatusCode::CONFLICT || status == StatusCode::UNPROCESSABLE_ENTITY {
                assessment_page(&s, session, assessment, None, None, Some(message), status).await
            } else {
                Err(AppError::Page(status, message))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_answers_become_the_nodes_answers() {
        let form: HashMap<String, String> = [
            ("count", "5"),
            ("k0", "single"),
            ("q0", "1"),
            ("k1", "multiple"),
            ("q1_2", "on"),
            ("q1_0", "on"),
            ("k2", "short"),
            ("q2", " Future "),
            ("k3", "numeric"),
            ("q3", ""),
            ("k4", "single"),
            ("q4", "not a number"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(
            answers_of(&form),
            vec![
                Some(Answer::Choices(vec![1])),
                Some(Answer::Choices(vec![0, 2])),
                Some(Answer::Text(" Future ".into())),
                None,
                None,
            ]
        );
    }
}
