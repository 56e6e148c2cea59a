//! Editing an assessment: `/assessments/{id}/edit`, its instructors'
//! form with every question in a slot (and spare slots to add some), one
//! call of [`node::Node::update_assessment`]. A reviewed question keeps
//! its rubric (which the form does not show) while its kind is unchanged.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use node::courses::{Assessment, CriterionInput, QuestionKind, MAX_QUESTIONS};
use node::Id;

use super::courses::path_id;
use super::courses_editor::{assessment_input, slot_error, taught, KINDS, QUESTION_SLOTS};
use super::{field, render_with_status, AppError, AppForm, Me, MemberSession};
use crate::public_pages::{site, Site};
use crate::state::AppState;

/// Empty slots offered after an assessment's questions.
const SPARE_SLOTS: usize = 2;

/// The edit form of an assessment.
#[derive(Template)]
#[template(path = "app/courses/assessment_edit.html")]
pub struct AssessmentEditPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    pub id: String,
    pub course_id: String,
    /// The fields' values: the assessment's, or as typed.
    pub values: HashMap<String, String>,
    pub kinds: [(&'static str, &'static str); 6],
    pub slots: Vec<usize>,
    /// The node's refusal, if the form was refused.
    pub error: Option<String>,
}

impl AssessmentEditPage {
    /// The value of field `name`.
    pub fn value(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }

    /// The value of question slot `k`'s field `name`.
    pub fn slot(&self, name: &str, k: &usize) -> &str {
        self.value(&format!("{name}{k}"))
    }

    /// Whether slot `k`'s kind is `kind`.
    pub fn slot_is(&self, k: &usize, kind: &str) -> bool {
        self.slot("kind", k) == kind
    }
}

/// How many slots the form shows for `questions` questions.
fn slot_count(questions: usize) -> usize {
    (questions + SPARE_SLOTS).clamp(QUESTION_SLOTS, MAX_QUESTIONS)
}

/// `a`'s fields as the form writes them (choices one a line, a right
/// choice by its number from 1, accepted answers separated by `|`).
fn values_of(a: &Assessment) -> HashMap<String, String> {
    let mut v = HashMap::new();
    v.insert("title".into(), a.title.clone());
    v.insert("instructions".into(), a.instructions.clone());
    v.insert("passing_score".into(), a.passing_score.to_string());
    if let Some(n) = a.max_attempts {
        v.insert("max_attempts".into(), n.to_string());
    }
    if let Some(secs) = a.time_limit_secs {
        v.insert("time_limit_minutes".into(), secs.div_ceil(60).to_string());
    }
    if !a.required {
        v.insert("optional".into(), "yes".into());
    }
    v.insert("slots".into(), slot_count(a.questions.len()).to_string());
    for (k, q) in a.questions.iter().enumerate() {
        let mut put = |name: &str, value: String| v.insert(format!("{name}{k}"), value);
        put("prompt", q.prompt.clone());
        put("points", q.points.to_string());
        let (kind, choices, answer, tolerance) = match &q.kind {
            QuestionKind::Single { choices, answer } => {
                ("single", choices.join("\n"), (answer + 1).to_string(), None)
            }
            QuestionKind::Multiple { choices, answers } => {
                let numbers: Vec<String> = answers.iter().map(|n| (n + 1).to_string()).collect();
                ("multiple", choices.join("\n"), numbers.join(" "), None)
            }
            QuestionKind::Short { accepted } => {
                ("short", String::new(), accepted.join(" | "), None)
            }
            QuestionKind::Numeric { answer, tolerance } => (
                "numeric",
                String::new(),
                answer.to_string(),
                Some(tolerance.to_string()),
            ),
            QuestionKind::Text { .. } => ("text", String::new(), String::new(), None),
            QuestionKind::Code { .. } => ("code", String::new(), String::new(), None),
        };
        put("kind", kind.into());
        put("choices", choices);
        put("answer", answer);
        if let Some(t) = tolerance {
            put("tolerance", t);
        }
    }
    v
}

/// The rubric and language of `question` when it is reviewed and of
/// `kind` still.
fn kept_rubric(
    question: &QuestionKind,
    kind: &str,
) -> Option<(Vec<CriterionInput>, Option<String>)> {
    let (rubric, language) = match (question, kind) {
        (QuestionKind::Text { rubric }, "text") => (rubric, None),
        (QuestionKind::Code { rubric, language }, "code") => (rubric, language.clone()),
        _ => return None,
    };
    let rubric = rubric
        .iter()
        .map(|c| CriterionInput {
            name: c.name.clone(),
            points: c.points,
        })
        .collect();
    Some((rubric, language))
}

/// Renders the form of assessment `id` (of `course`) with `values`.
fn edit_form(
    s: &AppState,
    session: MemberSession,
    id: Id,
    course: Id,
    values: HashMap<String, String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let Site {
        domain,
        members,
        posts,
    } = site(s)?;
    let count = values
        .get("slots")
        .and_then(|n| n.parse().ok())
        .unwrap_or(QUESTION_SLOTS)
        .clamp(QUESTION_SLOTS, MAX_QUESTIONS);
    render_with_status(
        AssessmentEditPage {
            domain,
            members,
            posts,
            me: Some(session.me),
            id: id.to_string(),
            course_id: course.to_string(),
            values,
            kinds: KINDS,
            slots: (0..count).collect(),
            error,
        },
        status,
    )
}

/// The assessment `id` for its course's instructors (403 for anyone else).
fn authored(s: &AppState, session: &MemberSession, id: &str) -> Result<Assessment, AppError> {
    let id = path_id(id, "assessment")?;
    let a = s.node.assessment_for_author(&session.viewer, id)?;
    taught(s, session, a.course)?;
    Ok(a)
}

/// GET /assessments/{id}/edit — the assessment's form, answers included
/// (its course's instructors).
pub async fn edit(
    State(s): State<AppState>,
    Path(id): Path<String>,
    session: MemberSession,
) -> Result<Response, AppError> {
    let a = authored(&s, &session, &id)?;
    let values = values_of(&a);
    edit_form(&s, session, a.id, a.course, values, None, StatusCode::OK)
}

/// POST /assessments/{id}/edit — saves it; back to the course's editor.
pub async fn save(
    State(s): State<AppState>,
    Path(id): Path<String>,
    AppForm { session, form, .. }: AppForm,
) -> Result<Response, AppError> {
    let a = authored(&s, &session, &id)?;
    let count = field(&form, "slots")
        .parse()
        .unwrap_or(QUESTION_SLOTS)
        .clamp(QUESTION_SLOTS, MAX_QUESTIONS);
    let mut slots = Vec::new();
    let saved = async {
        let (mut input, used) = assessment_input(&form, count)?;
        for (question, k) in input.questions.iter_mut().zip(&used) {
            let kept = a
                .questions
                .get(*k)
                .and_then(|old| kept_rubric(&old.kind, &question.kind));
            if let Some((rubric, language)) = kept {
                question.rubric = rubric;
                question.language = language;
                question.points = None;
            }
        }
        slots = used;
        s.node.update_assessment(&session.viewer, a.id, input).await
    }
    .await;
    match saved {
        Ok(_) => {
            Ok(Redirect::to(&format!("/courses/{}/edit?done=saved", a.course)).into_response())
        }
        Err(e) => {
            let (status, message) = crate::admin::error_text(slot_error(e, &slots));
            if status.is_server_error() || status == StatusCode::FORBIDDEN {
                return Err(AppError::Page(status, message));
            }
            edit_form(&s, session, a.id, a.course, form, Some(message), status)
        }
    }
}
