//! Certificates: a member's list, the credential itself (downloadable
//! JSON), revocation, and the node's Bitstring Status Lists.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use node::certificates::{Certificate, ImportedCertificate};
use node::{Id, NodeError};
use serde::Serialize;

use crate::error::ApiResult;
use crate::extract::{parse_id, Auth, Json};
use crate::state::AppState;

/// Routes under `/api/kodeon/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/me/certificates", get(mine))
        .route("/me/certificates/imported", get(imported).post(import))
        .route("/certificates/{id}", get(credential))
        .route("/certificates/{id}/revoke", post(revoke))
}

/// Routes at the root: the status lists certificates point to.
pub fn root_routes() -> Router<AppState> {
    Router::new().route("/certificates/status/{n}", get(status_list))
}

/// A certificate as listed.
#[derive(Serialize)]
pub struct CertificateSummary {
    /// Its id.
    pub id: Id,
    /// The course's id.
    pub course: Id,
    /// The course's title.
    pub title: String,
    /// The holder's id.
    pub member: Id,
    /// When it was issued (RFC 3339).
    pub issued_at: String,
    /// When it was revoked (RFC 3339), if it was.
    pub revoked_at: Option<String>,
    /// Its public page (also the credential's id).
    pub url: String,
    /// The credential JSON.
    pub credential_url: String,
}

fn rfc3339(ms: i64) -> String {
    protocol::credentials::verify::Timestamp::from_millisecond(ms)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

fn summary(s: &AppState, c: &Certificate) -> CertificateSummary {
    let urls = s.node.urls();
    CertificateSummary {
        id: c.id,
        course: c.course,
        title: c.title().to_string(),
        member: c.member,
        issued_at: rfc3339(c.issued_at),
        revoked_at: c.revoked_at.map(rfc3339),
        url: urls.certificate_page(c.id),
        credential_url: urls.certificate_json(c.id),
    }
}

/// GET /api/kodeon/v1/me/certificates — the viewer's certificates, newest
/// first.
async fn mine(State(s): State<AppState>, Auth(v): Auth) -> ApiResult<impl IntoResponse> {
    let list: Vec<CertificateSummary> = s
        .node
        .my_certificates(&v)?
        .iter()
        .map(|c| summary(&s, c))
        .collect();
    Ok(axum::Json(list))
}

/// An imported certificate as listed (its credential left out).
#[derive(Serialize)]
pub struct ImportedSummary {
    /// The course's URL on its server.
    pub course_url: String,
    /// The course's name.
    pub name: String,
    /// The issuer's did:key.
    pub issuer: String,
    /// When it was handed over (RFC 3339).
    pub imported_at: String,
}

fn imported_summary(c: &ImportedCertificate) -> ImportedSummary {
    ImportedSummary {
        course_url: c.course_url.clone(),
        name: c.name.clone(),
        issuer: c.issuer.clone(),
        imported_at: rfc3339(c.imported_at),
    }
}

/// GET /api/kodeon/v1/me/certificates/imported — certificates of other
/// servers the viewer handed over.
async fn imported(State(s): State<AppState>, Auth(v): Auth) -> ApiResult<impl IntoResponse> {
    let list: Vec<ImportedSummary> = s
        .node
        .my_imported_certificates(&v)?
        .iter()
        .map(imported_summary)
        .collect();
    Ok(axum::Json(list))
}

/// POST /api/kodeon/v1/me/certificates/imported (body: an
/// `OpenBadgeCredential` issued to the viewer's did:key elsewhere) → 201;
/// 422 naming `credential` with what failed. Its course then counts as
/// completed for remote prerequisites.
async fn import(
    State(s): State<AppState>,
    Auth(v): Auth,
    Json(credential): Json<serde_json::Map<String, serde_json::Value>>,
) -> ApiResult<Response> {
    let kept = s.node.import_certificate(&v, credential).await?;
    Ok((StatusCode::CREATED, axum::Json(imported_summary(&kept))).into_response())
}

/// GET /api/kodeon/v1/certificates/{id} — the signed `OpenBadgeCredential`
/// as issued (public, like the page), offered as a file to save.
async fn credential(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let certificate = s.node.certificate(id)?;
    let mut response = axum::Json(certificate.credential).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"certificate-{id}.json\"")) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

/// POST /api/kodeon/v1/certificates/{id}/revoke — the course's instructors
/// or an admin revoke it; its status list bit is set. Answers the
/// certificate.
async fn revoke(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let certificate = s.node.revoke_certificate(&v, parse_id(&id)?).await?;
    Ok(axum::Json(summary(&s, &certificate)))
}

/// GET /certificates/status/{n} — status list `n`, a signed
/// `BitstringStatusListCredential` (revocation), never cached for long.
async fn status_list(State(s): State<AppState>, Path(n): Path<String>) -> ApiResult<Response> {
    let n: u64 = n.parse().map_err(|_| NodeError::NotFound("status list"))?;
    let list = s.node.certificate_status_list(n)?;
    let mut response = axum::Json(list).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    Ok(response)
}

#[cfg(test)]
#[path = "certificates_tests.rs"]
mod tests;
