//! Trends and follow suggestions: `/api/v1/trends/tags|statuses|links`
//! (and `/api/v1/trends`, Mastodon's older name for the tags),
//! `/api/v2/suggestions`, `/api/v1/suggestions` and
//! `/api/v1/follow_suggestions` (accounts only), and dismissing a
//! suggestion. The node's ranking engine (`node::ranking`) decides;
//! these handlers render its results as Mastodon 4.3 does.

use axum::extract::{OriginalUri, Path, State};
use axum::response::IntoResponse;
use axum::routing::{delete, get};
use axum::Router;
use node::ranking::{Recommendation, RecommendationKind};
use node::NodeError;
use serde::Deserialize;

use super::entities::{Empty, Renderer, Suggestion, TrendLink, TrendTag};
use super::params::{flex_string, from_query};
use super::{record_id, MaybeToken, Token};
use crate::error::ApiResult;
use crate::state::AppState;

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/trends", get(tags))
        .route("/api/v1/trends/tags", get(tags))
        .route("/api/v1/trends/statuses", get(statuses))
        .route("/api/v1/trends/links", get(links))
        .route("/api/v2/suggestions", get(suggestions_v2))
        .route("/api/v2/suggestions/{id}", delete(dismiss))
        .route("/api/v1/suggestions", get(suggestions_v1))
        .route("/api/v1/suggestions/{id}", delete(dismiss))
        .route("/api/v1/follow_suggestions", get(suggestions_v1))
}

/// `limit` and `offset`, as strings or numbers.
#[derive(Deserialize, Default)]
struct Window {
    #[serde(default, deserialize_with = "flex_string")]
    limit: Option<String>,
    #[serde(default, deserialize_with = "flex_string")]
    offset: Option<String>,
}

impl Window {
    /// (offset, limit): `limit` defaults to `default` and is clamped to
    /// 1..=`max`; a value that is not a number is a 422 naming it.
    fn read(uri: &axum::http::Uri, default: usize, max: usize) -> ApiResult<(usize, usize)> {
        let w: Window = from_query(uri)?;
        let number = |field: &str, raw: Option<String>, default: usize| match raw {
            None => Ok(default),
            Some(raw) => raw
                .trim()
                .parse::<usize>()
                .map_err(|_| NodeError::invalid(field, "must be a whole number")),
        };
        let limit = number("limit", w.limit, default)?.clamp(1, max);
        let offset = number("offset", w.offset, 0)?;
        Ok((offset, limit))
    }
}

/// GET /api/v1/trends/tags (and /api/v1/trends): tags used by the most
/// accounts lately, each with seven days of history. `limit` 10 (≤ 20),
/// `offset`.
async fn tags(
    State(s): State<AppState>,
    t: MaybeToken,
    OriginalUri(uri): OriginalUri,
) -> ApiResult<impl IntoResponse> {
    t.viewer("read")?;
    let (offset, limit) = Window::read(&uri, 10, 20)?;
    let urls = s.node.urls();
    let tags: Vec<TrendTag> = s
        .node
        .trending_tags(offset, limit)?
        .iter()
        .map(|tag| TrendTag::of(tag, urls.tag(&tag.name)))
        .collect();
    Ok(axum::Json(tags))
}

/// GET /api/v1/trends/statuses: public posts with the most recent
/// engagement, as the viewer may see them. `limit` 20 (≤ 40), `offset`.
async fn statuses(
    State(s): State<AppState>,
    t: MaybeToken,
    OriginalUri(uri): OriginalUri,
) -> ApiResult<impl IntoResponse> {
    let v = t.viewer("read:statuses")?;
    let (offset, limit) = Window::read(&uri, 20, 40)?;
    let posts: Vec<_> = s
        .node
        .trending_posts(&v, offset, limit)?
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    let mut r = Renderer::new(&s.node);
    Ok(axum::Json(r.statuses(&posts)?))
}

/// GET /api/v1/trends/links: links shared by the most accounts lately,
/// as preview cards with seven days of history. `limit` 10 (≤ 20),
/// `offset`.
async fn links(
    State(s): State<AppState>,
    t: MaybeToken,
    OriginalUri(uri): OriginalUri,
) -> ApiResult<impl IntoResponse> {
    t.viewer("read")?;
    let (offset, limit) = Window::read(&uri, 10, 20)?;
    let links: Vec<TrendLink> = s
        .node
        .trending_links(offset, limit)?
        .iter()
        .map(TrendLink::of)
        .collect();
    Ok(axum::Json(links))
}

/// The Mastodon sources of a people recommendation.
fn sources(rec: &Recommendation) -> (&'static str, Vec<&'static str>) {
    if rec.found.popular_followers.is_some() {
        return ("global", vec!["most_followed"]);
    }
    let mut sources = Vec::new();
    if rec.found.followed_by_count > 0 || !rec.found.groups.is_empty() {
        sources.push("friends_of_friends");
    }
    if !rec.found.skills.is_empty() {
        sources.push("similar_to_recently_followed");
    }
    ("past_interactions", sources)
}

/// The viewer's people recommendations (`limit` 40, ≤ 40).
fn people(s: &AppState, t: &Token, uri: &axum::http::Uri) -> ApiResult<Vec<Recommendation>> {
    let v = t.require("read")?;
    let (_, limit) = Window::read(uri, 40, 40)?;
    Ok(s.node
        .recommendations(v, RecommendationKind::People, limit)?)
}

/// GET /api/v2/suggestions: accounts to follow, each with why
/// (`source`, `sources`).
async fn suggestions_v2(
    State(s): State<AppState>,
    t: Token,
    OriginalUri(uri): OriginalUri,
) -> ApiResult<impl IntoResponse> {
    let recs = people(&s, &t, &uri)?;
    let mut r = Renderer::new(&s.node);
    let mut out = Vec::with_capacity(recs.len());
    for rec in &recs {
        let (source, sources) = sources(rec);
        out.push(Suggestion {
            source,
            sources,
            account: r.account_by_id(rec.id)?,
        });
    }
    Ok(axum::Json(out))
}

/// GET /api/v1/suggestions and /api/v1/follow_suggestions: the same
/// accounts, as a list of accounts.
async fn suggestions_v1(
    State(s): State<AppState>,
    t: Token,
    OriginalUri(uri): OriginalUri,
) -> ApiResult<impl IntoResponse> {
    let recs = people(&s, &t, &uri)?;
    let mut r = Renderer::new(&s.node);
    let accounts = recs
        .iter()
        .map(|rec| r.account_by_id(rec.id))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(axum::Json(accounts))
}

/// DELETE /api/v2/suggestions/{account_id} (and v1): stop suggesting
/// the account; kept.
async fn dismiss(
    State(s): State<AppState>,
    t: Token,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let v = t.require("read")?;
    s.node.dismiss_suggestion(v, record_id(&id)?).await?;
    Ok(axum::Json(Empty {}))
}
