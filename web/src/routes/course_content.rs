//! A course's content (`/api/kodeon/v1/courses/{id}/modules…`,
//! `/modules…`, `/lessons…`, `/assessments…`, `/attempts…`): modules,
//! lessons, assessments, attempts and the review queue. A module, a
//! lesson, an assessment and an attempt are each named by their own id;
//! the routes under `/courses/{id}/modules/{m}` take the same actions
//! and check that the module is the course's (404 otherwise).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, patch, post};
use axum::Router;
use node::courses::{Answer, AssessmentInput, LessonInput, Review};
use node::{Id, NodeError, Viewer};
use serde::Deserialize;

use crate::error::ApiResult;
use crate::extract::{parse_id, Auth, Json};
use crate::state::AppState;

/// Routes under `/api/kodeon/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/courses/{id}/modules", post(add_module).put(order_modules))
        .route(
            "/courses/{id}/modules/{m}/lessons",
            post(add_lesson_in_course),
        )
        .route(
            "/courses/{id}/modules/{m}/assessments",
            post(add_assessment_in_course),
        )
        .route("/courses/{id}/lessons/{l}/done", post(done_in_course))
        .route("/courses/{id}/reviews", get(review_queue))
        .route("/modules/{m}", patch(rename_module).delete(remove_module))
        .route("/modules/{m}/lessons", post(add_lesson).put(order_lessons))
        .route(
            "/modules/{m}/assessments",
            post(add_assessment).put(order_assessments),
        )
        .route(
            "/lessons/{l}",
            get(lesson).put(update_lesson).delete(remove_lesson),
        )
        .route("/lessons/{l}/done", post(done).delete(undone))
        .route(
            "/assessments/{a}",
            get(assessment)
                .put(update_assessment)
                .delete(remove_assessment),
        )
        .route("/assessments/{a}/key", get(assessment_key))
        .route("/assessments/{a}/attempts", post(submit).get(my_attempts))
        .route("/assessments/{a}/start", post(start))
        .route("/attempts/{t}/submit", post(submit_started))
        .route("/attempts/{t}/review", post(review))
}

/// `NotFound("module")` unless module `m` is one of course `id`'s (as
/// `viewer` may see the course).
fn require_module_of(s: &AppState, v: &Viewer, id: Id, m: Id) -> Result<(), NodeError> {
    let course = s.node.course(v, id)?;
    if course.outline.iter().any(|o| o.id == m) {
        Ok(())
    } else {
        Err(NodeError::NotFound("module"))
    }
}

/// The body of adding or renaming a module.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModuleBody {
    title: String,
}

/// A new order: every id of the list, once.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OrderBody {
    order: Vec<Id>,
}

/// Answers, one per question (`null` for one left blank).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswersBody {
    answers: Vec<Option<Answer>>,
}

/// POST /api/kodeon/v1/courses/{id}/modules with `{"title"}` (its
/// instructors) → 201 with the module
async fn add_module(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(id): Path<String>,
    Json(body): Json<ModuleBody>,
) -> ApiResult<impl IntoResponse> {
    let module = s.node.add_module(&v, parse_id(&id)?, &body.title).await?;
    Ok((StatusCode::CREATED, axum::Json(module)))
}

/// PUT /api/kodeon/v1/courses/{id}/modules with `{"order": [ids]}` (its
/// instructors) → 204
async fn order_modules(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(id): Path<String>,
    Json(body): Json<OrderBody>,
) -> ApiResult<StatusCode> {
    s.node
        .reorder_modules(&v, parse_id(&id)?, body.order)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// PATCH /api/kodeon/v1/modules/{m} with `{"title"}` (its instructors)
async fn rename_module(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(m): Path<String>,
    Json(body): Json<ModuleBody>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(
        s.node.rename_module(&v, parse_id(&m)?, &body.title).await?,
    ))
}

/// DELETE /api/kodeon/v1/modules/{m} (its instructors; with its lessons
/// and assessments) → 204
async fn remove_module(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(m): Path<String>,
) -> ApiResult<StatusCode> {
    s.node.remove_module(&v, parse_id(&m)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// POST /api/kodeon/v1/modules/{m}/lessons with `{"title", "body",
/// "minutes"}` (its instructors) → 201 with the lesson
async fn add_lesson(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(m): Path<String>,
    Json(new): Json<LessonInput>,
) -> ApiResult<impl IntoResponse> {
    let lesson = s.node.add_lesson(&v, parse_id(&m)?, new).await?;
    Ok((StatusCode::CREATED, axum::Json(lesson)))
}

/// POST /api/kodeon/v1/courses/{id}/modules/{m}/lessons: as
/// `POST /modules/{m}/lessons`, the module being the course's
async fn add_lesson_in_course(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path((id, m)): Path<(String, String)>,
    Json(new): Json<LessonInput>,
) -> ApiResult<impl IntoResponse> {
    let m = parse_id(&m)?;
    require_module_of(&s, &v, parse_id(&id)?, m)?;
    let lesson = s.node.add_lesson(&v, m, new).await?;
    Ok((StatusCode::CREATED, axum::Json(lesson)))
}

/// PUT /api/kodeon/v1/modules/{m}/lessons with `{"order": [ids]}` → 204
async fn order_lessons(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(m): Path<String>,
    Json(body): Json<OrderBody>,
) -> ApiResult<StatusCode> {
    s.node
        .reorder_lessons(&v, parse_id(&m)?, body.order)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// GET /api/kodeon/v1/lessons/{l} (members holding a seat, instructors)
/// → `{"lesson", "done"}`
async fn lesson(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(l): Path<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(s.node.lesson(&v, parse_id(&l)?)?))
}

/// PUT /api/kodeon/v1/lessons/{l} with `{"title", "body", "minutes"}`
/// (its instructors)
async fn update_lesson(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(l): Path<String>,
    Json(new): Json<LessonInput>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(
        s.node.update_lesson(&v, parse_id(&l)?, new).await?,
    ))
}

/// DELETE /api/kodeon/v1/lessons/{l} (its instructors) → 204
async fn remove_lesson(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(l): Path<String>,
) -> ApiResult<StatusCode> {
    s.node.remove_lesson(&v, parse_id(&l)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// POST /api/kodeon/v1/lessons/{l}/done (members holding a seat) → the
/// course's progress
async fn done(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(l): Path<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(
        s.node.mark_lesson_done(&v, parse_id(&l)?).await?,
    ))
}

/// POST /api/kodeon/v1/courses/{id}/lessons/{l}/done: as
/// `POST /lessons/{l}/done`, the lesson being the course's
async fn done_in_course(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path((id, l)): Path<(String, String)>,
) -> ApiResult<impl IntoResponse> {
    let (id, l) = (parse_id(&id)?, parse_id(&l)?);
    let course = s.node.course(&v, id)?;
    let ours = course
        .outline
        .iter()
        .any(|m| m.lessons.iter().any(|e| e.id == l));
    if !ours {
        return Err(NodeError::NotFound("lesson").into());
    }
    Ok(axum::Json(s.node.mark_lesson_done(&v, l).await?))
}

/// DELETE /api/kodeon/v1/lessons/{l}/done (members holding a seat) → the
/// course's progress
async fn undone(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(l): Path<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(
        s.node.mark_lesson_undone(&v, parse_id(&l)?).await?,
    ))
}

/// POST /api/kodeon/v1/modules/{m}/assessments with `{"title",
/// "passing_score", "max_attempts", "time_limit_secs", "required",
/// "instructions", "questions": [...]}` (its instructors) → 201 with the
/// assessment, answers included
async fn add_assessment(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(m): Path<String>,
    Json(new): Json<AssessmentInput>,
) -> ApiResult<impl IntoResponse> {
    let a = s.node.add_assessment(&v, parse_id(&m)?, new).await?;
    Ok((StatusCode::CREATED, axum::Json(a)))
}

/// POST /api/kodeon/v1/courses/{id}/modules/{m}/assessments: as
/// `POST /modules/{m}/assessments`, the module being the course's
async fn add_assessment_in_course(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path((id, m)): Path<(String, String)>,
    Json(new): Json<AssessmentInput>,
) -> ApiResult<impl IntoResponse> {
    let m = parse_id(&m)?;
    require_module_of(&s, &v, parse_id(&id)?, m)?;
    let a = s.node.add_assessment(&v, m, new).await?;
    Ok((StatusCode::CREATED, axum::Json(a)))
}

/// PUT /api/kodeon/v1/modules/{m}/assessments with `{"order": [ids]}` → 204
async fn order_assessments(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(m): Path<String>,
    Json(body): Json<OrderBody>,
) -> ApiResult<StatusCode> {
    s.node
        .reorder_assessments(&v, parse_id(&m)?, body.order)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// GET /api/kodeon/v1/assessments/{a}: the assessment as a member taking
/// it sees it, without its answers (a timed one: 409 naming
/// `time_limit`, its questions come with `start`)
async fn assessment(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(a): Path<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(s.node.assessment_for_taker(&v, parse_id(&a)?)?))
}

/// GET /api/kodeon/v1/assessments/{a}/key: the assessment with its
/// answers and rubrics (its instructors)
async fn assessment_key(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(a): Path<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(s.node.assessment_for_author(&v, parse_id(&a)?)?))
}

/// PUT /api/kodeon/v1/assessments/{a} with the body of adding one (its
/// instructors)
async fn update_assessment(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(a): Path<String>,
    Json(new): Json<AssessmentInput>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(
        s.node.update_assessment(&v, parse_id(&a)?, new).await?,
    ))
}

/// DELETE /api/kodeon/v1/assessments/{a} (its instructors) → 204
async fn remove_assessment(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(a): Path<String>,
) -> ApiResult<StatusCode> {
    s.node.remove_assessment(&v, parse_id(&a)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// POST /api/kodeon/v1/assessments/{a}/attempts with `{"answers": [...]}`
/// (an untimed assessment; members holding a seat) → 201 with
/// `{"attempt", "state", "score", "passed", "feedback", "completion"}`
async fn submit(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(a): Path<String>,
    Json(body): Json<AnswersBody>,
) -> ApiResult<impl IntoResponse> {
    let outcome = s
        .node
        .submit_assessment(&v, parse_id(&a)?, body.answers)
        .await?;
    Ok((StatusCode::CREATED, axum::Json(outcome)))
}

/// GET /api/kodeon/v1/assessments/{a}/attempts (the viewer's, oldest first)
async fn my_attempts(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(a): Path<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(s.node.my_attempts(&v, parse_id(&a)?)?))
}

/// POST /api/kodeon/v1/assessments/{a}/start (members holding a seat):
/// starts an attempt (the server's clock counts a timed one's time) and
/// answers with it and the questions; an attempt still running is
/// returned as it is
async fn start(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(a): Path<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(s.node.start_attempt(&v, parse_id(&a)?).await?))
}

/// POST /api/kodeon/v1/attempts/{t}/submit with `{"answers": [...]}` (the
/// member who started it) → the outcome; after the deadline a 409
/// naming `deadline`
async fn submit_started(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(t): Path<String>,
    Json(body): Json<AnswersBody>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(
        s.node
            .submit_attempt(&v, parse_id(&t)?, body.answers)
            .await?,
    ))
}

/// GET /api/kodeon/v1/courses/{id}/reviews (its instructors): attempts
/// waiting for review, oldest first
async fn review_queue(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(s.node.review_queue(&v, parse_id(&id)?)?))
}

/// POST /api/kodeon/v1/attempts/{t}/review with `{"marks": [{"question",
/// "criteria", "comment"}], "feedback"}` (the course's instructors) → the
/// outcome
async fn review(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(t): Path<String>,
    Json(body): Json<Review>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(
        s.node.review_attempt(&v, parse_id(&t)?, body).await?,
    ))
}
