//! Learning paths (`/api/kodeon/v1/learning-paths…`): a path planned
//! from a goal, saved if asked, the member's saved paths with their
//! progress, one of them, deleting one. Each handler parses, calls one
//! node method (node/src/learning_paths/), renders.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use node::learning_paths::LearningGoal;
use serde::Deserialize;

use crate::error::ApiResult;
use crate::extract::{parse_id, Auth, Json};
use crate::state::AppState;

/// Routes under `/api/kodeon/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/learning-paths", get(list).post(plan))
        .route("/learning-paths/{id}", get(show).delete(remove))
}

/// The body of `plan`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanBody {
    /// Skills to learn.
    #[serde(default)]
    goal_skills: Vec<String>,
    /// A course of this node to reach, by id.
    #[serde(default)]
    goal_course: Option<String>,
    /// Whether to keep the path.
    #[serde(default)]
    save: bool,
}

/// POST /api/kodeon/v1/learning-paths with `{"goal_skills": [...],
/// "goal_course": id, "save": bool}` → the ordered steps with their
/// reasons (200); with `"save": true`, kept, with its `id` (201). 422
/// naming `goal_skills` or `goal_course` for a bad goal.
async fn plan(
    State(s): State<AppState>,
    Auth(v): Auth,
    Json(body): Json<PlanBody>,
) -> ApiResult<impl IntoResponse> {
    let goal = LearningGoal {
        goal_skills: body.goal_skills,
        goal_course: body.goal_course,
    };
    if body.save {
        Ok((
            StatusCode::CREATED,
            axum::Json(s.node.save_learning_path(&v, &goal).await?),
        ))
    } else {
        Ok((
            StatusCode::OK,
            axum::Json(s.node.plan_learning_path(&v, &goal)?),
        ))
    }
}

/// GET /api/kodeon/v1/learning-paths (the member's saved paths, newest
/// first, with their progress)
async fn list(State(s): State<AppState>, Auth(v): Auth) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(s.node.learning_paths(&v)?))
}

/// GET /api/kodeon/v1/learning-paths/{id} (the owner's: each step's
/// state; 404 for anyone else)
async fn show(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(s.node.learning_path(&v, parse_id(&id)?)?))
}

/// DELETE /api/kodeon/v1/learning-paths/{id} (the owner's) → 204
async fn remove(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    s.node.delete_learning_path(&v, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
#[path = "learning_paths_tests.rs"]
mod tests;
