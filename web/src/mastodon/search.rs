//! Search v2: accounts, hashtags and statuses, or what a URL names
//! (`federation::search` holds the rules).

use axum::extract::{Query, State};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use federation::{Kinds, SearchQuery};
use serde::Deserialize;

use super::entities::{Hashtag, Renderer, SearchResults};
use super::MaybeToken;
use crate::error::ApiResult;
use crate::state::AppState;

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v2/search", get(search))
}

#[derive(Deserialize)]
struct SearchParams {
    q: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    limit: Option<String>,
    resolve: Option<String>,
}

/// GET /api/v2/search?q=&type=&resolve=&limit=
///
/// `resolve=true` (signed-in only, as on Mastodon) looks up what this
/// node does not know yet: `name@host` through WebFinger, and an account
/// or a post by its URL (its id, or a page that redirects to it, answers
/// it by content negotiation or links it). A URL's result is listed only
/// under its own `type`.
async fn search(
    State(s): State<AppState>,
    t: MaybeToken,
    Query(p): Query<SearchParams>,
) -> ApiResult<impl IntoResponse> {
    let v = t.viewer("read:search")?;
    let wants = |k: &str| p.kind.as_deref().is_none_or(|x| x == k);
    let query = SearchQuery {
        text: p.q.unwrap_or_default(),
        kinds: Kinds {
            accounts: wants("accounts"),
            posts: wants("statuses"),
            tags: wants("hashtags"),
        },
        limit: p
            .limit
            .and_then(|l| l.parse::<usize>().ok())
            .unwrap_or(20)
            .clamp(1, 40),
        resolve: matches!(p.resolve.as_deref(), Some("true" | "1")),
    };
    if query.may_fetch() {
        crate::rate_limit::check_remote_lookup(&s.limiters, &v)?;
    }
    let found = federation::search::search(&s.node, s.federation.as_deref(), &v, &query).await?;
    let mut r = Renderer::new(&s.node);
    let accounts = found.accounts.iter().map(|m| r.account(m)).collect();
    let hashtags = found
        .tags
        .into_iter()
        .map(|(name, count)| Hashtag {
            url: r.urls().tag(&name),
            name,
            history: Vec::new(),
            following: false,
            statuses_count: count,
        })
        .collect();
    let statuses = r.statuses(&found.posts)?;
    Ok(axum::Json(SearchResults {
        accounts,
        statuses,
        hashtags,
    }))
}
