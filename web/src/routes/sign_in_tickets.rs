//! "Sign in with your node": tickets a member takes to another Kodeon
//! node to study there as themselves (`node::members::sign_in_tickets`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde::{Deserialize, Serialize};

use crate::error::ApiResult;
use crate::extract::{Auth, Json};
use crate::state::AppState;

/// Routes under `/api/kodeon/v1`.
pub fn routes() -> Router<AppState> {
    Router::new().route("/me/sign-in-tickets", post(mint))
}

/// What the member asks for.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TicketRequest {
    /// The other node's origin (`https://host[:port]`).
    audience: String,
    /// Where to go there after signing in (a path; `/courses` otherwise).
    #[serde(default)]
    next: String,
}

/// A minted ticket.
#[derive(Serialize)]
struct TicketAnswer {
    ticket: String,
    /// RFC 3339.
    expires_at: String,
    audience: String,
    sign_in_url: String,
}

/// POST /api/kodeon/v1/me/sign-in-tickets `{"audience", "next"?}` — a
/// ticket, signed with the member's own key, to sign in at `audience`;
/// 201 `{"ticket", "expires_at", "audience", "sign_in_url"}`. A full
/// login only (`route_scopes.rs`): the ticket is a credential.
async fn mint(
    State(s): State<AppState>,
    Auth(v): Auth,
    Json(body): Json<TicketRequest>,
) -> ApiResult<Response> {
    let minted = s.node.mint_sign_in_ticket(&v, &body.audience, &body.next)?;
    let expires_at = protocol::credentials::verify::Timestamp::from_millisecond(minted.expires_at)
        .map(|t| t.to_string())
        .unwrap_or_default();
    let answer = TicketAnswer {
        ticket: minted.ticket,
        expires_at,
        audience: minted.audience,
        sign_in_url: minted.sign_in_url,
    };
    Ok((StatusCode::CREATED, axum::Json(answer)).into_response())
}
