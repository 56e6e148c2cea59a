//! Setup, registration, login and sessions.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use axum::{Extension, Router};
use node::members::NewMember;
use node::model::{MemberView, Session};
use node::Viewer;
use serde::{Deserialize, Serialize};

use crate::error::ApiResult;
use crate::extract::{parse_id, Auth, Json};
use crate::rate_limit::{Action, ClientIp};
use crate::state::AppState;

/// Routes under `/api/kodeon/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/setup", post(setup))
        .route("/auth/register", post(register))
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/auth/sessions", get(sessions))
        .route("/auth/sessions/{id}", delete(revoke))
}

/// A member and a fresh token.
#[derive(Serialize)]
struct SignedIn {
    member: MemberView,
    token: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetupBody {
    token: String,
    username: String,
    email: String,
    password: String,
}

/// POST /api/kodeon/v1/setup — creates the first admin with the setup token.
async fn setup(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(b): Json<SetupBody>,
) -> ApiResult<impl IntoResponse> {
    s.limiters.check(Action::Login, &ip.to_string())?;
    let new = NewMember {
        username: b.username,
        email: b.email,
        password: b.password,
        full_name: String::new(),
        ..NewMember::default()
    };
    let member = s.node.complete_setup(&b.token, new).await?;
    signed_in(&s, member, "setup").await
}

/// POST /api/kodeon/v1/auth/register
async fn register(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(new): Json<NewMember>,
) -> ApiResult<impl IntoResponse> {
    s.limiters.check(Action::Register, &ip.to_string())?;
    let member = s.node.register_from(new, Some(ip)).await?;
    signed_in(&s, member, "registration").await
}

async fn signed_in(
    s: &AppState,
    member: node::model::Member,
    label: &str,
) -> ApiResult<impl IntoResponse> {
    let issued = s.node.issue_token(member.id, label).await?;
    let viewer = Viewer::Member(Box::new(member));
    let view = s.node.me(&viewer)?;
    Ok((
        StatusCode::CREATED,
        axum::Json(SignedIn {
            member: view,
            token: issued.token,
        }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginBody {
    login: String,
    password: String,
    #[serde(default)]
    label: Option<String>,
}

/// POST /api/kodeon/v1/auth/login
async fn login(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(b): Json<LoginBody>,
) -> ApiResult<impl IntoResponse> {
    s.limiters.check(Action::Login, &ip.to_string())?;
    // Per account, the node's login policy applies (every way in).
    let label = b.label.unwrap_or_else(|| "login".into());
    let (issued, member) = s.node.login(&b.login, &b.password, &label).await?;
    let view = s.node.me(&Viewer::Member(Box::new(member)))?;
    Ok(axum::Json(SignedIn {
        member: view,
        token: issued.token,
    }))
}

/// POST /api/kodeon/v1/auth/logout — revokes the token used for this request.
async fn logout(
    State(s): State<AppState>,
    Auth(viewer): Auth,
    Extension(session): Extension<Session>,
) -> ApiResult<StatusCode> {
    s.node.revoke_session(&viewer, session.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// GET /api/kodeon/v1/auth/sessions
async fn sessions(State(s): State<AppState>, Auth(viewer): Auth) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(s.node.sessions(&viewer)?))
}

/// DELETE /api/kodeon/v1/auth/sessions/{id}
async fn revoke(
    State(s): State<AppState>,
    Auth(viewer): Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    s.node.revoke_session(&viewer, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
