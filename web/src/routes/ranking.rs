//! Trends and recommendations (`/api/kodeon/v1/trends/…`,
//! `/recommendations`), and the moderators' exclusions from trends
//! (`/admin/trends/exclusions`). Every item carries its explanation: the
//! formula, its figures and a sentence (`node::ranking`).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use node::model::PostView;
use node::ranking::{Explanation, RecommendationKind, TrendKind};
use node::NodeError;
use serde::{Deserialize, Serialize};

use crate::error::ApiResult;
use crate::extract::{Auth, Json, MaybeAuth};
use crate::state::AppState;

/// Routes under `/api/kodeon/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/trends/tags", get(tags))
        .route("/trends/posts", get(posts))
        .route("/trends/links", get(links))
        .route("/recommendations", get(recommendations))
        .route(
            "/admin/trends/exclusions",
            get(exclusions).post(exclude).delete(include),
        )
}

/// `offset`, `limit` (and `kind` for recommendations), as text so that a
/// bad number is a 422 naming its field.
#[derive(Deserialize, Default)]
struct Params {
    offset: Option<String>,
    limit: Option<String>,
    kind: Option<String>,
}

impl Params {
    fn number(field: &str, raw: &Option<String>, default: usize) -> ApiResult<usize> {
        match raw {
            None => Ok(default),
            Some(raw) => Ok(raw
                .trim()
                .parse::<usize>()
                .map_err(|_| NodeError::invalid(field, "must be a whole number"))?),
        }
    }

    /// (offset, limit), limit 20 by default, at most 40.
    fn window(&self) -> ApiResult<(usize, usize)> {
        Ok((
            Self::number("offset", &self.offset, 0)?,
            Self::number("limit", &self.limit, 20)?.clamp(1, 40),
        ))
    }
}

/// GET /api/kodeon/v1/trends/tags?offset=&limit= → `[{"name", "url",
/// "history": [{"day", "uses", "accounts"}], "explanation"}]`
async fn tags(
    State(s): State<AppState>,
    MaybeAuth(_): MaybeAuth,
    Query(p): Query<Params>,
) -> ApiResult<impl IntoResponse> {
    #[derive(Serialize)]
    struct Item {
        url: String,
        #[serde(flatten)]
        trend: node::ranking::TagTrend,
    }
    let (offset, limit) = p.window()?;
    let items: Vec<Item> = s
        .node
        .trending_tags(offset, limit)?
        .into_iter()
        .map(|trend| Item {
            url: s.node.urls().tag(&trend.name),
            trend,
        })
        .collect();
    Ok(axum::Json(items))
}

/// A trending post with why.
#[derive(Serialize)]
struct PostItem {
    post: PostView,
    explanation: Explanation,
}

/// GET /api/kodeon/v1/trends/posts?offset=&limit= → `[{"post",
/// "explanation"}]` (the posts the viewer may see)
async fn posts(
    State(s): State<AppState>,
    MaybeAuth(v): MaybeAuth,
    Query(p): Query<Params>,
) -> ApiResult<impl IntoResponse> {
    let (offset, limit) = p.window()?;
    let items: Vec<PostItem> = s
        .node
        .trending_posts(&v, offset, limit)?
        .into_iter()
        .map(|(post, explanation)| PostItem { post, explanation })
        .collect();
    Ok(axum::Json(items))
}

/// GET /api/kodeon/v1/trends/links?offset=&limit= → `[{"url", "history",
/// "example_post", "explanation"}]`
async fn links(
    State(s): State<AppState>,
    MaybeAuth(_): MaybeAuth,
    Query(p): Query<Params>,
) -> ApiResult<impl IntoResponse> {
    let (offset, limit) = p.window()?;
    Ok(axum::Json(s.node.trending_links(offset, limit)?))
}

/// GET /api/kodeon/v1/recommendations?kind=people|groups|events|courses&limit=
/// → `[{"kind", "id", "name", "title", "reasons": [...], "found": {...},
/// "explanation"}]` (signed in; 422 naming `kind`)
async fn recommendations(
    State(s): State<AppState>,
    Auth(v): Auth,
    Query(p): Query<Params>,
) -> ApiResult<impl IntoResponse> {
    let kind = RecommendationKind::parse(p.kind.as_deref().unwrap_or("people"))?;
    let (_, limit) = p.window()?;
    Ok(axum::Json(s.node.recommendations(&v, kind, limit)?))
}

/// GET /api/kodeon/v1/admin/trends/exclusions (moderators)
async fn exclusions(State(s): State<AppState>, Auth(v): Auth) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(s.node.trend_exclusions(&v)?))
}

/// The body of `POST /admin/trends/exclusions`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewExclusion {
    kind: String,
    value: String,
    #[serde(default)]
    reason: String,
}

/// POST /api/kodeon/v1/admin/trends/exclusions with `{"kind": "tag" |
/// "post" | "link", "value", "reason"}` (moderators; audited) → 201
async fn exclude(
    State(s): State<AppState>,
    Auth(v): Auth,
    Json(body): Json<NewExclusion>,
) -> ApiResult<impl IntoResponse> {
    let kind = TrendKind::parse(&body.kind)?;
    let made = s
        .node
        .exclude_from_trends(&v, kind, &body.value, &body.reason)
        .await?;
    Ok((StatusCode::CREATED, axum::Json(made)))
}

/// Which exclusion to lift.
#[derive(Deserialize)]
struct Lift {
    kind: Option<String>,
    value: Option<String>,
}

/// DELETE /api/kodeon/v1/admin/trends/exclusions?kind=&value= (moderators;
/// audited) → 204; 404 if it was not excluded
async fn include(
    State(s): State<AppState>,
    Auth(v): Auth,
    Query(q): Query<Lift>,
) -> ApiResult<StatusCode> {
    let kind = TrendKind::parse(q.kind.as_deref().unwrap_or_default())?;
    let value = q
        .value
        .ok_or_else(|| NodeError::invalid("value", "is required"))?;
    s.node.include_in_trends(&v, kind, &value).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
#[path = "ranking_tests.rs"]
mod tests;
