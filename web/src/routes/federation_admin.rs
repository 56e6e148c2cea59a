//! Federation administration for moderators: domain blocks, known
//! servers with their delivery state, and the delivery queue.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use axum::Router;
use node::remote::{DomainBlock, DomainSeverity};
use serde::Deserialize;
use serde_json::json;

use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Json};
use crate::state::AppState;

/// Routes under `/api/kodeon/v1/admin`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/domain-blocks", get(list_blocks).post(add_block))
        .route("/admin/domain-blocks/{domain}", delete(remove_block))
        .route("/admin/instances", get(instances))
        .route("/admin/instances/{domain}/retry", post(retry))
        .route("/admin/federation", get(overview))
}

/// The body of `POST /admin/domain-blocks`.
#[derive(Deserialize)]
struct NewBlock {
    domain: String,
    #[serde(default)]
    severity: Option<String>,
    #[serde(default)]
    reject_media: bool,
    #[serde(default)]
    public_comment: String,
    #[serde(default)]
    private_comment: String,
}

/// GET /api/kodeon/v1/admin/domain-blocks
async fn list_blocks(State(s): State<AppState>, Auth(v): Auth) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(s.node.domain_blocks(&v)?))
}

/// POST /api/kodeon/v1/admin/domain-blocks
async fn add_block(
    State(s): State<AppState>,
    Auth(v): Auth,
    Json(body): Json<NewBlock>,
) -> ApiResult<impl IntoResponse> {
    let severity = match body.severity.as_deref() {
        None => DomainSeverity::Suspend,
        Some(raw) => DomainSeverity::parse(raw).ok_or_else(|| {
            ApiError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "severity",
                "must be silence or suspend",
            )
        })?,
    };
    let block = s
        .node
        .block_domain(
            &v,
            DomainBlock {
                domain: body.domain,
                severity,
                reject_media: body.reject_media,
                public_comment: body.public_comment,
                private_comment: body.private_comment,
                created_at: 0,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, axum::Json(block)))
}

/// DELETE /api/kodeon/v1/admin/domain-blocks/{domain}
async fn remove_block(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(domain): Path<String>,
) -> ApiResult<impl IntoResponse> {
    s.node.unblock_domain(&v, &domain).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct InstancesQuery {
    after: Option<String>,
    limit: Option<usize>,
}

/// GET /api/kodeon/v1/admin/instances?after=DOMAIN&limit=N
async fn instances(
    State(s): State<AppState>,
    Auth(v): Auth,
    Query(q): Query<InstancesQuery>,
) -> ApiResult<impl IntoResponse> {
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    Ok(axum::Json(s.node.instances(
        &v,
        q.after.as_deref(),
        limit,
    )?))
}

/// POST /api/kodeon/v1/admin/instances/{domain}/retry — deliver now.
async fn retry(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(domain): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let moved = s.node.retry_instance(&v, &domain).await?;
    Ok(axum::Json(json!({"rescheduled": moved})))
}

/// GET /api/kodeon/v1/admin/federation — queue depth and traffic.
async fn overview(State(s): State<AppState>, Auth(v): Auth) -> ApiResult<impl IntoResponse> {
    let stats = s.node.federation_overview(&v)?;
    let traffic = s.federation.as_ref().map(|f| {
        let m = f.metrics();
        json!({
            "delivered": m.delivered.get(),
            "failed_attempts": m.failed.get(),
            "dropped": m.dropped.get(),
            "received": m.received.get(),
        })
    });
    Ok(axum::Json(
        json!({"queue": stats, "traffic_since_start": traffic}),
    ))
}
