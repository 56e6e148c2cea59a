//! Courses (`/api/kodeon/v1/courses…`, `/me/courses`): the catalogue,
//! creating and changing a course, enrolment with its approvals and
//! invitations, progress and ratings. Modules, lessons, assessments and
//! attempts are in `course_content.rs`. Each handler parses, calls one
//! node method (node/src/courses/), renders.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use node::courses::{CourseLevel, CourseQuery, CourseUpdate, NewCourse};
use node::{Id, Node, NodeError};
use serde::Deserialize;

use crate::error::ApiResult;
use crate::extract::{parse_id, Auth, Json, MaybeAuth};
use crate::rate_limit::Action;
use crate::state::AppState;

/// Routes under `/api/kodeon/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/courses", get(catalogue).post(create))
        .route("/courses/lookup", post(lookup))
        .route("/courses/{id}", get(show).patch(update).delete(remove))
        .route("/courses/{id}/publish", post(publish))
        .route("/courses/{id}/enrol", post(enrol))
        .route("/courses/{id}/unenrol", post(unenrol))
        .route("/courses/{id}/progress", get(progress))
        .route("/courses/{id}/rate", post(rate))
        .route("/courses/{id}/enrolments", get(enrolments))
        .route(
            "/courses/{id}/enrolments/{user}/progress",
            get(member_progress),
        )
        .route(
            "/courses/{id}/enrolments/{user}/{action}",
            post(enrolment_action),
        )
        .route("/me/courses", get(mine))
        .route("/me/teaching", get(teaching))
        .route("/me/completions", get(completions))
        .merge(super::course_content::routes())
}

/// A level by its name (422 naming `level` otherwise).
pub(crate) fn level_of(raw: &str) -> Result<CourseLevel, NodeError> {
    serde_json::from_value(serde_json::Value::String(raw.trim().to_string()))
        .map_err(|_| NodeError::invalid("level", "must be beginner, intermediate or advanced"))
}

/// A local member's id by username (404 naming the member otherwise).
pub(crate) fn member_id(node: &Node, username: &str) -> Result<Id, NodeError> {
    node.find_member(username)?
        .map(|m| m.id)
        .ok_or(NodeError::NotFound("member"))
}

/// The catalogue's query.
#[derive(Debug, Default, Deserialize)]
struct CatalogueQuery {
    q: Option<String>,
    level: Option<String>,
    category: Option<String>,
    limit: Option<usize>,
}

/// GET /api/kodeon/v1/courses?q=&level=&category=&limit= (published and
/// archived courses, newest first; drafts are listed by /me/teaching;
/// `q`: whole words, from the catalogue's word index)
async fn catalogue(
    State(s): State<AppState>,
    Query(q): Query<CatalogueQuery>,
) -> ApiResult<impl IntoResponse> {
    let query = CourseQuery {
        q: q.q.filter(|q| !q.trim().is_empty()),
        level: q
            .level
            .as_deref()
            .filter(|l| !l.is_empty())
            .map(level_of)
            .transpose()?,
        category: q.category.filter(|c| !c.is_empty()),
        limit: q.limit,
    };
    Ok(axum::Json(s.node.courses(&query)?))
}

/// POST /api/kodeon/v1/courses (limited as posting is) → 201 with the
/// course as its creator sees it
async fn create(
    State(s): State<AppState>,
    Auth(v): Auth,
    Json(new): Json<NewCourse>,
) -> ApiResult<impl IntoResponse> {
    if let Some(id) = v.id() {
        s.limiters.check(Action::Post, &id.to_string())?;
    }
    Ok((
        StatusCode::CREATED,
        axum::Json(s.node.create_course(&v, new).await?),
    ))
}

/// GET /api/kodeon/v1/courses/{id} (a draft: its instructors only)
async fn show(
    State(s): State<AppState>,
    MaybeAuth(v): MaybeAuth,
    Path(id): Path<String>,
) -> ApiResult<axum::response::Response> {
    let id = parse_id(&id)?;
    if s.node.is_remote_course(id)? {
        return Ok(axum::Json(s.node.remote_course(&v, id)?).into_response());
    }
    Ok(axum::Json(s.node.course(&v, id)?).into_response())
}

/// The body of `lookup`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LookupBody {
    /// The course's ActivityPub id or page (on this node or another).
    url: String,
}

/// POST /api/kodeon/v1/courses/lookup with `{"url"}` → the course
/// (signed-in members, within their remote-lookup budget): one of this
/// node's, or one of another Kodeon node, fetched and stored so that it
/// takes enrolments (shown with its `remote` part); 422 naming `url` when
/// it is no http(s) URL, 404 when it names no public course.
async fn lookup(
    State(s): State<AppState>,
    Auth(v): Auth,
    Json(body): Json<LookupBody>,
) -> ApiResult<axum::response::Response> {
    if protocol::urls::HttpUrl::parse(body.url.trim()).is_err() {
        return Err(NodeError::invalid("url", "must be an http(s) URL").into());
    }
    let Some(federation) = &s.federation else {
        return Err(NodeError::NotFound("course").into());
    };
    crate::rate_limit::check_remote_lookup(&s.limiters, &v)?;
    let id = federation.lookup_course(&body.url).await?;
    if s.node.is_remote_course(id)? {
        return Ok(axum::Json(s.node.remote_course(&v, id)?).into_response());
    }
    Ok(axum::Json(s.node.course(&v, id)?).into_response())
}

/// PATCH /api/kodeon/v1/courses/{id} (its instructors)
async fn update(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(id): Path<String>,
    Json(change): Json<CourseUpdate>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(
        s.node.update_course(&v, parse_id(&id)?, change).await?,
    ))
}

/// DELETE /api/kodeon/v1/courses/{id} (its instructors) → 204
async fn remove(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    s.node.delete_course(&v, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// POST /api/kodeon/v1/courses/{id}/publish (its instructors)
async fn publish(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(s.node.publish_course(&v, parse_id(&id)?).await?))
}

/// POST /api/kodeon/v1/courses/{id}/enrol → `{"state": "enrolled" |
/// "pending", "changed"}`
async fn enrol(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(
        s.node.enrol_in_course(&v, parse_id(&id)?).await?,
    ))
}

/// POST /api/kodeon/v1/courses/{id}/unenrol → 204 (a seat freed)
async fn unenrol(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    s.node.leave_course(&v, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// GET /api/kodeon/v1/courses/{id}/progress (the viewer's)
async fn progress(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(s.node.course_progress(&v, parse_id(&id)?)?))
}

/// The body of `rate`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RateBody {
    /// 1 to 5.
    rating: u8,
}

/// POST /api/kodeon/v1/courses/{id}/rate with `{"rating": 1..5}` (once,
/// after completing it) → 204
async fn rate(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(id): Path<String>,
    Json(body): Json<RateBody>,
) -> ApiResult<StatusCode> {
    s.node.rate_course(&v, parse_id(&id)?, body.rating).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// GET /api/kodeon/v1/courses/{id}/enrolments (its instructors: every
/// enrolment with its progress)
async fn enrolments(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(s.node.course_enrolments(&v, parse_id(&id)?)?))
}

/// GET /api/kodeon/v1/courses/{id}/enrolments/{user}/progress (its
/// instructors)
async fn member_progress(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path((id, user)): Path<(String, String)>,
) -> ApiResult<impl IntoResponse> {
    let id = parse_id(&id)?;
    let member = member_id(&s.node, &user)?;
    Ok(axum::Json(s.node.member_progress(&v, id, member)?))
}

/// POST /api/kodeon/v1/courses/{id}/enrolments/{user}/approve|reject|invite
/// (its instructors) → 204
async fn enrolment_action(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path((id, user, action)): Path<(String, String, String)>,
) -> ApiResult<StatusCode> {
    let id = parse_id(&id)?;
    match action.as_str() {
        "approve" => {
            let member = member_id(&s.node, &user)?;
            s.node.approve_enrolment(&v, id, member).await?;
        }
        "reject" => {
            let member = member_id(&s.node, &user)?;
            s.node.reject_enrolment(&v, id, member).await?;
        }
        "invite" => {
            s.node.invite_to_course(&v, id, &user).await?;
        }
        _ => return Err(NodeError::NotFound("route").into()),
    }
    Ok(StatusCode::NO_CONTENT)
}

/// GET /api/kodeon/v1/me/courses (the member's enrolments, any state,
/// with their progress)
async fn mine(State(s): State<AppState>, Auth(v): Auth) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(s.node.my_courses(&v)?))
}

/// GET /api/kodeon/v1/me/teaching (the courses the member is listed as
/// teaching, drafts included)
async fn teaching(State(s): State<AppState>, Auth(v): Auth) -> ApiResult<impl IntoResponse> {
    let me = v.member()?.id;
    Ok(axum::Json(s.node.courses_taught(&v, me)?))
}

/// GET /api/kodeon/v1/me/completions (the courses the member completed)
async fn completions(State(s): State<AppState>, Auth(v): Auth) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(s.node.my_completions(&v)?))
}

#[cfg(test)]
#[path = "courses_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "courses_remote_tests.rs"]
mod remote_tests;
