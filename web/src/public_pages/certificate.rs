//! `/certificates/{id}`: a certificate shown to anyone, with the node's
//! own verification of it (proofs, dates, status list) beside it.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde_json::Value;

use super::{readable_time, render, site, PageError, Site};
use crate::state::AppState;

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/certificates/{id}", get(page))
}

/// One check as shown.
struct CheckLine {
    what: String,
    ok: bool,
    detail: String,
}

#[derive(Template)]
#[template(path = "certificate.html")]
struct CertificatePage {
    domain: String,
    members: i64,
    posts: i64,
    me: Option<crate::app::Me>,
    id: String,
    title: String,
    subject_name: String,
    subject_did: String,
    issuer_name: String,
    issuer_url: String,
    issuer_did: String,
    description: String,
    tags: Vec<String>,
    course_url: String,
    valid_from: String,
    valid: bool,
    checks: Vec<CheckLine>,
    status_ok: bool,
    status: String,
    status_url: String,
    json_url: String,
}

fn text(v: &Value, path: &[&str]) -> String {
    let mut at = v;
    for p in path {
        match at.get(p) {
            Some(next) => at = next,
            None => return String::new(),
        }
    }
    at.as_str().unwrap_or("").to_string()
}

/// GET /certificates/{id} — the certificate and whether it verifies.
async fn page(State(s): State<AppState>, Path(id): Path<String>) -> Result<Response, PageError> {
    let id = id.parse().map_err(|_| PageError::NOT_FOUND)?;
    let (certificate, check) = s.node.check_certificate(id)?;
    let Site {
        domain,
        members,
        posts,
    } = site(&s)?;
    let c = Value::Object(certificate.credential.clone());
    let urls = s.node.urls();
    let (status_ok, status) = match &check.status {
        Ok(false) => (true, "not revoked".to_string()),
        Ok(true) => (false, "revoked by its issuer".to_string()),
        Err(e) => (false, e.clone()),
    };
    let tags = c["credentialSubject"]["achievement"]["tag"]
        .as_array()
        .map(|t| {
            t.iter()
                .filter_map(Value::as_str)
                .map(|t| match t.strip_prefix("level:") {
                    Some(level) => format!("Level: {level}"),
                    None => t.to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    render(CertificatePage {
        domain,
        members,
        posts,
        me: None,
        id: certificate.id.to_string(),
        title: certificate.title().to_string(),
        subject_name: text(&c, &["credentialSubject", "name"]),
        subject_did: text(&c, &["credentialSubject", "id"]),
        issuer_name: text(&c, &["issuer", "name"]),
        issuer_url: text(&c, &["issuer", "url"]),
        issuer_did: text(&c, &["issuer", "id"]),
        description: text(&c, &["credentialSubject", "achievement", "description"]),
        tags,
        course_url: text(&c, &["credentialSubject", "achievement", "id"]),
        valid_from: readable_time(certificate.issued_at),
        valid: check.valid(),
        checks: check
            .report
            .checks
            .iter()
            .map(|k| CheckLine {
                what: k.what.clone(),
                ok: k.ok,
                detail: k.detail.clone(),
            })
            .collect(),
        status_ok,
        status,
        status_url: text(&c, &["credentialStatus", "statusListCredential"]),
        json_url: urls.certificate_json(certificate.id),
    })
}
