//! Reports: `POST /api/v1/reports`.

use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::post;
use axum::Router;
use node::moderation::NewReport;
use serde::Deserialize;

use super::entities::{self, Renderer};
use super::params::{flex_bool, flex_list, flex_string, Params};
use super::{record_id, Token};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/reports", post(create))
}

#[derive(Deserialize)]
struct ReportParams {
    #[serde(default, deserialize_with = "flex_string")]
    account_id: Option<String>,
    #[serde(default, deserialize_with = "flex_list")]
    status_ids: Vec<String>,
    #[serde(default, deserialize_with = "flex_string")]
    comment: Option<String>,
    #[serde(default, deserialize_with = "flex_bool")]
    forward: Option<bool>,
    #[serde(default, deserialize_with = "flex_string")]
    category: Option<String>,
}

/// POST /api/v1/reports
async fn create(
    State(s): State<AppState>,
    t: Token,
    Params(p): Params<ReportParams>,
) -> ApiResult<impl IntoResponse> {
    let v = t.require("write:reports")?;
    let account = p.account_id.as_deref().ok_or_else(|| {
        ApiError::field(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "account_id",
            "is required",
        )
    })?;
    let target_id = record_id(account)?;
    let post_ids = p
        .status_ids
        .iter()
        .map(|id| record_id(id))
        .collect::<Result<Vec<_>, _>>()?;
    let report = s
        .node
        .create_report(
            v,
            NewReport {
                target_id,
                post_ids,
                comment: p.comment.unwrap_or_default(),
                category: p.category,
                forward: p.forward.unwrap_or(false),
            },
        )
        .await?;
    let name = s.node.username_by_id(report.target_id)?;
    let target = s.node.profile(v, &name)?;
    Ok(axum::Json(entities::report(
        &report,
        Renderer::new(&s.node).account(&target),
    )))
}
