//! The instructors' review queue (`/courses/{id}/reviews`): attempts
//! with free text or code, each answer waiting shown with its question's
//! rubric, points per criterion, a comment and overall feedback; one
//! form per attempt, one call to [`node::Node::review_attempt`].

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use node::courses::{Answer, QuestionKind, Review, ReviewItem, ReviewMark};
use node::{Id, NodeError};

use super::courses::{notice, path_id, DoneQuery};
use super::{field, render_with_status, AppError, AppForm, Me, MemberSession};
use crate::public_pages::{site, Site};
use crate::state::AppState;

/// A criterion to award points for.
pub struct CriterionField {
    /// Its index in the rubric.
    pub index: usize,
    /// What is judged.
    pub name: String,
    /// Most points.
    pub points: u32,
}

/// An answer waiting for review.
pub struct AnswerToReview {
    /// Its question's index.
    pub question: usize,
    /// What was asked.
    pub prompt: String,
    /// What the member answered.
    pub answer: String,
    /// Whether it is code.
    pub code: bool,
    /// The rubric.
    pub criteria: Vec<CriterionField>,
}

/// An attempt in the queue.
pub struct QueueItem {
    /// The attempt.
    pub id: String,
    /// Who took it.
    pub username: String,
    /// The assessment's title.
    pub assessment: String,
    /// The answers waiting.
    pub answers: Vec<AnswerToReview>,
    /// The questions waiting, for the form ("0,2").
    pub waiting: String,
}

impl QueueItem {
    /// The item of `r`.
    fn of(r: &ReviewItem) -> Self {
        let answers: Vec<AnswerToReview> = r
            .attempt
            .marks
            .iter()
            .enumerate()
            .filter(|(_, m)| m.pending_review)
            .filter_map(|(i, _)| {
                let q = r.assessment.questions.get(i)?;
                let (rubric, code) = match &q.kind {
                    QuestionKind::Text { rubric } => (rubric, false),
                    QuestionKind::Code { rubric, .. } => (rubric, true),
                    _ => return None,
                };
                let answer = match r.attempt.answers.get(i).cloned().flatten() {
                    Some(Answer::Text(t)) => t,
                    Some(Answer::Number(n)) => n.to_string(),
                    Some(Answer::Choices(c)) => format!("{c:?}"),
                    None => String::new(),
                };
                Some(AnswerToReview {
                    question: i,
                    prompt: q.prompt.clone(),
                    answer,
                    code,
                    criteria: rubric
                        .iter()
                        .enumerate()
                        .map(|(index, c)| CriterionField {
                            index,
                            name: c.name.clone(),
                            points: c.points,
                        })
                        .collect(),
                })
            })
            .collect();
        QueueItem {
            id: r.attempt.id.to_string(),
            username: r.member.username.clone(),
            assessment: r.assessment.title.clone(),
            waiting: answers
                .iter()
                .map(|a| a.question.to_string())
                .collect::<Vec<_>>()
                .join(","),
            answers,
        }
    }
}

/// The review queue.
#[derive(Template)]
#[template(path = "app/courses/reviews.html")]
pub struct ReviewsPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    pub course_id: String,
    pub course_title: String,
    pub items: Vec<QueueItem>,
    pub notice: Option<&'static str>,
    /// An error on one attempt's form: (attempt id, message).
    pub error: Option<(String, String)>,
}

/// Renders course `id`'s queue.
fn queue_page(
    s: &AppState,
    session: MemberSession,
    id: Id,
    done: Option<&str>,
    error: Option<(String, String)>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let items = s.node.review_queue(&session.viewer, id)?;
    let course = s.node.course(&session.viewer, id)?;
    let Site {
        domain,
        members,
        posts,
    } = site(s)?;
    render_with_status(
        ReviewsPage {
            domain,
            members,
            posts,
            me: Some(session.me),
            course_id: id.to_string(),
            course_title: course.course.title,
            items: items.iter().map(QueueItem::of).collect(),
            notice: done.and_then(notice),
            error,
        },
        status,
    )
}

/// GET /courses/{id}/reviews — the attempts waiting for review (its
/// instructors).
pub async fn page(
    State(s): State<AppState>,
    Path(id): Path<String>,
    session: MemberSession,
    Query(q): Query<DoneQuery>,
) -> Result<Response, AppError> {
    let id = path_id(&id, "course")?;
    queue_page(&s, session, id, q.done.as_deref(), None, StatusCode::OK)
}

/// The review of a posted form: for each question of `waiting`, the
/// points of `q{i}_c{j}` for each criterion `j` of `criteria{i}` and the
/// comment `q{i}_comment`; `feedback`.
fn review_of(form: &HashMap<String, String>) -> Result<Review, NodeError> {
    let mut marks = Vec::new();
    for q in field(form, "waiting").split(',').filter(|q| !q.is_empty()) {
        let question: usize = q
            .parse()
            .map_err(|_| NodeError::invalid("marks.question", "no such question"))?;
        let count: usize = field(form, &format!("criteria{question}"))
            .parse()
            .unwrap_or(0)
            .min(100);
        let criteria = (0..count)
            .map(|j| {
                field(form, &format!("q{question}_c{j}"))
                    .parse::<u32>()
                    .map_err(|_| {
                        NodeError::invalid(
                            "marks.criteria",
                            format!(
                                "give the points of every criterion of question {}",
                                question + 1
                            ),
                        )
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        marks.push(ReviewMark {
            question,
            criteria,
            comment: field(form, &format!("q{question}_comment")).into(),
        });
    }
    Ok(Review {
        marks,
        feedback: field(form, "feedback").into(),
    })
}

/// POST /courses/{id}/reviews/{attempt} — grades the attempt; back to
/// the queue. A refusal (points over a criterion's worth, say) stays on
/// its form.
pub async fn review(
    State(s): State<AppState>,
    Path((id, attempt)): Path<(String, String)>,
    AppForm { session, form, .. }: AppForm,
) -> Result<Response, AppError> {
    let id = path_id(&id, "course")?;
    let attempt = path_id(&attempt, "attempt")?;
    let done = match review_of(&form) {
        Ok(review) => {
            s.node
                .review_attempt(&session.viewer, attempt, review)
                .await
        }
        Err(e) => Err(e),
    };
    match done {
        Ok(_) => Ok(Redirect::to(&format!("/courses/{id}/reviews?done=reviewed")).into_response()),
        Err(e) => {
            let (status, message) = crate::admin::error_text(e);
            if status == StatusCode::CONFLICT || status == StatusCode::UNPROCESSABLE_ENTITY {
                let error = Some((attempt.to_string(), message));
                queue_page(&s, session, id, None, error, status)
            } else {
                Err(AppError::Page(status, message))
            }
        }
    }
}
