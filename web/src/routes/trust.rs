//! Reputation with its explanation, and the admins' trust controls.

use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::json;

use crate::error::ApiResult;
use crate::extract::{parse_id, Auth, Json, MaybeAuth};
use crate::state::AppState;

/// Routes under `/api/kodeon/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/members/{username}/reputation", get(reputation))
        .route(
            "/admin/members/{id}/trusted",
            get(standing).post(mark).delete(unmark),
        )
        .route("/admin/trust", get(last_run))
        .route("/admin/trust/recompute", post(recompute))
}

/// A reason for the audit log.
#[derive(Deserialize, Default)]
struct Reason {
    #[serde(default)]
    reason: String,
}

/// GET /api/kodeon/v1/members/{username}/reputation — `{"score", "claims":
/// {claim: score}, "explain": [...]}`: the score, per-claim scores and why
/// (the formula, the member's trust, the top attesters, paths from a
/// seed).
async fn reputation(
    State(s): State<AppState>,
    MaybeAuth(v): MaybeAuth,
    Path(name): Path<String>,
) -> ApiResult<impl IntoResponse> {
    super::members::resolve_remote(&s, &v, &name).await?;
    Ok(axum::Json(s.node.explained_reputation(&name)?))
}

/// GET /api/kodeon/v1/admin/members/{id}/trusted — whether the member is
/// marked trusted, an admin, and their trust as last computed.
async fn standing(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(s.node.trust_standing(&v, parse_id(&id)?)?))
}

/// POST /api/kodeon/v1/admin/members/{id}/trusted `{"reason"}` — marks
/// the member trusted (a seed of trust); admins; audited.
async fn mark(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(id): Path<String>,
    Json(body): Json<Reason>,
) -> ApiResult<impl IntoResponse> {
    let m = s
        .node
        .set_trusted(&v, parse_id(&id)?, true, &body.reason)
        .await?;
    Ok(axum::Json(json!({"member": m.username, "trusted": true})))
}

/// DELETE /api/kodeon/v1/admin/members/{id}/trusted?reason= — removes the
/// mark; admins; audited.
async fn unmark(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(id): Path<String>,
    Query(q): Query<Reason>,
) -> ApiResult<impl IntoResponse> {
    let m = s
        .node
        .set_trusted(&v, parse_id(&id)?, false, &q.reason)
        .await?;
    Ok(axum::Json(json!({"member": m.username, "trusted": false})))
}

/// GET /api/kodeon/v1/admin/trust — the last computation's figures (null
/// before the first).
async fn last_run(State(s): State<AppState>, Auth(v): Auth) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(s.node.trust_overview(&v)?))
}

/// POST /api/kodeon/v1/admin/trust/recompute — recomputes trust now;
/// admins; the run's figures.
async fn recompute(State(s): State<AppState>, Auth(v): Auth) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(s.node.clone().recompute_trust_now(&v).await?))
}

#[cfg(test)]
#[path = "trust_tests.rs"]
mod tests;
