//! Gamification (`/api/kodeon/v1/members/{user}/points`, `/leaderboard`,
//! `/challenges…`, `/admin/gamification`, `/admin/linked-accounts`).
//! Each handler parses, calls one node method (node/src/gamification/),
//! renders.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use node::gamification::{NewChallenge, Period};
use serde::Deserialize;

use crate::error::ApiResult;
use crate::extract::{parse_id, Auth, Json, MaybeAuth};
use crate::state::AppState;

/// Routes under `/api/kodeon/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/members/{username}/points", get(points))
        .route("/leaderboard", get(leaderboard))
        .route("/challenges", get(list).post(create))
        .route("/challenges/{id}", get(show))
        .route("/challenges/{id}/join", post(join))
        .route("/admin/gamification", get(settings).put(update_settings))
        .route("/admin/linked-accounts", post(link_accounts))
}

/// Query of `points`.
#[derive(Debug, Deserialize)]
struct PointsQuery {
    /// Language of labels (`id`, `en`...).
    #[serde(default)]
    lang: Option<String>,
    /// History entries older than this entry id.
    #[serde(default)]
    before: Option<String>,
    /// History entries per page (1–100, default 40).
    #[serde(default)]
    limit: Option<usize>,
}

fn lang(q: Option<&str>) -> &str {
    match q {
        Some(l) if !l.is_empty() && l.len() <= 8 => l,
        _ => "en",
    }
}

/// GET /api/kodeon/v1/members/{user}/points?lang=&before=&limit= →
/// `{"points","points_exact","level","badges","achievements","history",...}`
/// (the history is the member's and moderators' only).
async fn points(
    State(s): State<AppState>,
    MaybeAuth(v): MaybeAuth,
    Path(username): Path<String>,
    Query(q): Query<PointsQuery>,
) -> ApiResult<impl IntoResponse> {
    let before = match q.before.as_deref().filter(|b| !b.is_empty()) {
        Some(b) => Some(
            b.parse::<node::Id>()
                .map_err(|_| node::NodeError::invalid("before", "is not a history entry id"))?,
        ),
        None => None,
    };
    Ok(axum::Json(s.node.member_points(
        &v,
        &username,
        lang(q.lang.as_deref()),
        before,
        q.limit.unwrap_or(40),
    )?))
}

/// Query of `leaderboard`.
#[derive(Debug, Deserialize)]
struct BoardQuery {
    /// `all` (default), `month` or `week`.
    #[serde(default)]
    period: Option<String>,
    /// A group's username.
    #[serde(default)]
    group: Option<String>,
    /// The `next` of the previous page.
    #[serde(default)]
    cursor: Option<String>,
    /// Rows (1–100, default 20).
    #[serde(default)]
    limit: Option<usize>,
    /// Language of level labels.
    #[serde(default)]
    lang: Option<String>,
}

/// GET /api/kodeon/v1/leaderboard?period=all|month|week&group=&cursor=&limit=
/// → `{"period","period_start","group","entries":[{"rank","member","points",...}],"next"}`;
/// 422 naming `period`, `group` or `cursor`.
async fn leaderboard(
    State(s): State<AppState>,
    MaybeAuth(_): MaybeAuth,
    Query(q): Query<BoardQuery>,
) -> ApiResult<impl IntoResponse> {
    let period = Period::parse(q.period.as_deref().unwrap_or(""))?;
    Ok(axum::Json(s.node.leaderboard(
        period,
        q.group.as_deref(),
        q.cursor.as_deref(),
        q.limit.unwrap_or(20),
        lang(q.lang.as_deref()),
    )?))
}

/// Query of `list`.
#[derive(Debug, Deserialize)]
struct ListQuery {
    /// A group's username.
    #[serde(default)]
    group: Option<String>,
    /// How many (1–100, default 40).
    #[serde(default)]
    limit: Option<usize>,
}

/// GET /api/kodeon/v1/challenges?group= (newest first, with the viewer's
/// progress in each they joined)
async fn list(
    State(s): State<AppState>,
    MaybeAuth(v): MaybeAuth,
    Query(q): Query<ListQuery>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(s.node.challenges(
        &v,
        q.group.as_deref(),
        q.limit.unwrap_or(40),
    )?))
}

/// POST /api/kodeon/v1/challenges with `{"title","description","metric",
/// "target","starts_at","ends_at","reward_points","reward_badge","group"}`
/// → 201 (moderators; a group's owner and moderators for its own); 422
/// naming the field.
async fn create(
    State(s): State<AppState>,
    Auth(v): Auth,
    Json(new): Json<NewChallenge>,
) -> ApiResult<impl IntoResponse> {
    Ok((
        StatusCode::CREATED,
        axum::Json(s.node.create_challenge(&v, new).await?),
    ))
}

/// GET /api/kodeon/v1/challenges/{id}
async fn show(
    State(s): State<AppState>,
    MaybeAuth(v): MaybeAuth,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(s.node.challenge(&v, parse_id(&id)?)?))
}

/// POST /api/kodeon/v1/challenges/{id}/join → the challenge with the
/// viewer's progress (again: unchanged); 409 once it has ended.
async fn join(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(s.node.join_challenge(&v, parse_id(&id)?).await?))
}

/// GET /api/kodeon/v1/admin/gamification (admins: the settings in force)
async fn settings(State(s): State<AppState>, Auth(v): Auth) -> ApiResult<impl IntoResponse> {
    if !v.has_role(node::model::Role::Admin) {
        return Err(node::NodeError::Forbidden("admins only").into());
    }
    Ok(axum::Json((*s.node.gamification_settings()).clone()))
}

/// PUT /api/kodeon/v1/admin/gamification with the whole settings object
/// (`activities`, `levels`, `badges`) → the settings saved; 422 naming
/// the bad field (`badges[2].when.foo`).
async fn update_settings(
    State(s): State<AppState>,
    Auth(v): Auth,
    Json(value): Json<serde_json::Value>,
) -> ApiResult<impl IntoResponse> {
    let saved = s.node.update_gamification_settings(&v, value).await?;
    Ok(axum::Json((*saved).clone()))
}

/// Body of `link_accounts`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LinkBody {
    /// One account's username.
    a: String,
    /// The other's.
    b: String,
    /// `true` to link (default), `false` to unlink.
    #[serde(default = "yes")]
    linked: bool,
}

fn yes() -> bool {
    true
}

/// POST /api/kodeon/v1/admin/linked-accounts with `{"a","b","linked"}`
/// (moderators: accounts controlled together earn no points from each
/// other) → 204
async fn link_accounts(
    State(s): State<AppState>,
    Auth(v): Auth,
    Json(body): Json<LinkBody>,
) -> ApiResult<StatusCode> {
    s.node
        .flag_linked_accounts(&v, &body.a, &body.b, body.linked)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
#[path = "gamification_tests.rs"]
mod tests;
