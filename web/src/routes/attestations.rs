//! Reputation attestations and the signed records behind them.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::Router;
use node::attestations::AttestationKind;
use node::NodeError;
use serde::Deserialize;

use crate::error::ApiResult;
use crate::extract::{Auth, Json, MaybeAuth};
use crate::state::AppState;

/// The attestation objects other servers fetch by their ids (served to
/// signed fetches only when authorized fetch is on).
pub fn document_routes() -> Router<AppState> {
    Router::new().route("/attestations/{id}", get(object))
}

/// GET /attestations/{id} — an attestation's ActivityPub object
/// (`kd:Attestation`) with its issuer's FEP-8b32 proof.
async fn object(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult<Response> {
    let id = protocol::envelope::id_from_hex(&id).ok_or(NodeError::NotFound("attestation"))?;
    let object = federation::attestation_objects::published_object(&s.node, &id)?;
    Ok(super::discovery::activity_json(object))
}

/// Routes under `/api/kodeon/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/members/{username}/attestations",
            get(reputation).post(attest),
        )
        .route("/members/{username}/attestations/{claim}", delete(withdraw))
        .route("/envelopes/{id}", get(envelope))
}

#[derive(Deserialize)]
struct NewAttestation {
    claim: String,
    #[serde(default)]
    comment: String,
    /// `skill` (the default), `mentored` or `contribution`.
    #[serde(default)]
    kind: Option<String>,
    /// A `contribution`'s group.
    #[serde(default)]
    group: Option<String>,
}

/// GET /api/kodeon/v1/members/{username}/attestations — the reputation of
/// a member (username, `name@host` or did:key) with its attestations.
async fn reputation(
    State(s): State<AppState>,
    MaybeAuth(v): MaybeAuth,
    Path(name): Path<String>,
) -> ApiResult<impl IntoResponse> {
    super::members::resolve_remote(&s, &v, &name).await?;
    Ok(axum::Json(s.node.reputation_of(&name)?))
}

/// POST /api/kodeon/v1/members/{username}/attestations `{"claim",
/// "comment", "kind", "group"}` — the viewer attests (`kind`: `skill`, the
/// default, `mentored` or `contribution`, which names its `group`); 201
/// with the signed attestation.
async fn attest(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(name): Path<String>,
    Json(body): Json<NewAttestation>,
) -> ApiResult<Response> {
    super::members::resolve_remote(&s, &v, &name).await?;
    let kind = match body.kind.as_deref() {
        None | Some("") => AttestationKind::Skill,
        Some(k) => AttestationKind::parse(k).ok_or_else(|| {
            NodeError::invalid(
                "kind",
                "must be skill, attended, certificate, mentored or contribution",
            )
        })?,
    };
    let new = node::attestations::NewAttestation {
        subject: name,
        kind,
        claim: body.claim,
        comment: body.comment,
        group: body.group,
    };
    let view = s.node.attest_kind(&v, new).await?;
    Ok((StatusCode::CREATED, axum::Json(view)).into_response())
}

/// DELETE /api/kodeon/v1/members/{username}/attestations/{claim} — the
/// viewer withdraws their attestation; 204.
async fn withdraw(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path((name, claim)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    s.node.withdraw_attestation(&v, &name, &claim).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// GET /api/kodeon/v1/envelopes/{id} — a stored gossip record's canonical
/// bytes (`application/json`), verifiable offline with nothing else.
async fn envelope(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult<Response> {
    let id = protocol::envelope::id_from_hex(&id)
        .ok_or_else(|| NodeError::invalid("id", "must be 64 hex digits"))?;
    let bytes = s
        .node
        .envelope_bytes(&id)?
        .ok_or(NodeError::NotFound("envelope"))?;
    Ok(([(header::CONTENT_TYPE, "application/json")], bytes).into_response())
}

#[cfg(test)]
#[path = "attestations_tests.rs"]
mod tests;
