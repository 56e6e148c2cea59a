//! Reports through the Kodeon API: `POST /api/kodeon/v1/reports`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::post;
use axum::Router;
use node::moderation::NewReport;
use node::Id;
use serde::Deserialize;

use crate::error::ApiResult;
use crate::extract::{Auth, Json};
use crate::state::AppState;

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/reports", post(create))
}

#[derive(Deserialize)]
struct ReportBody {
    account_id: Id,
    #[serde(default)]
    post_ids: Vec<Id>,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    forward: bool,
}

/// POST /api/kodeon/v1/reports — 201 with the stored report.
async fn create(
    State(s): State<AppState>,
    Auth(v): Auth,
    Json(b): Json<ReportBody>,
) -> ApiResult<impl IntoResponse> {
    let report = s
        .node
        .create_report(
            &v,
            NewReport {
                target_id: b.account_id,
                post_ids: b.post_ids,
                comment: b.comment,
                category: b.category,
                forward: b.forward,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, axum::Json(report)))
}
