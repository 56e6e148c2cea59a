//! Feeds: home, local, tag, category, bookmarks, likes.

use axum::extract::{OriginalUri, Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use crate::error::ApiResult;
use crate::extract::{Auth, MaybeAuth, PageQuery};
use crate::pages::page_response;
use crate::state::AppState;

/// Routes under `/api/kodeon/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/feeds/home", get(home))
        .route("/feeds/local", get(local))
        .route("/feeds/tags/{tag}", get(tag))
        .route("/feeds/categories/{category}", get(category))
        .route("/me/bookmarks", get(bookmarks))
        .route("/me/likes", get(likes))
        .route("/search", get(search))
}

/// GET /api/kodeon/v1/feeds/home
async fn home(
    State(s): State<AppState>,
    Auth(v): Auth,
    Query(q): Query<PageQuery>,
    OriginalUri(uri): OriginalUri,
) -> ApiResult<Response> {
    Ok(page_response(&uri, s.node.home_feed(&v, &q.to_request()?)?))
}

/// GET /api/kodeon/v1/feeds/local
async fn local(
    State(s): State<AppState>,
    MaybeAuth(v): MaybeAuth,
    Query(q): Query<PageQuery>,
    OriginalUri(uri): OriginalUri,
) -> ApiResult<Response> {
    Ok(page_response(
        &uri,
        s.node.local_feed(&v, &q.to_request()?)?,
    ))
}

/// GET /api/kodeon/v1/feeds/tags/{tag}
async fn tag(
    State(s): State<AppState>,
    MaybeAuth(v): MaybeAuth,
    Path(tag): Path<String>,
    Query(q): Query<PageQuery>,
    OriginalUri(uri): OriginalUri,
) -> ApiResult<Response> {
    Ok(page_response(
        &uri,
        s.node.tag_feed(&v, &tag, &q.to_request()?)?,
    ))
}

/// GET /api/kodeon/v1/feeds/categories/{category}
async fn category(
    State(s): State<AppState>,
    MaybeAuth(v): MaybeAuth,
    Path(category): Path<String>,
    Query(q): Query<PageQuery>,
    OriginalUri(uri): OriginalUri,
) -> ApiResult<Response> {
    Ok(page_response(
        &uri,
        s.node.category_feed(&v, &category, &q.to_request()?)?,
    ))
}

/// GET /api/kodeon/v1/me/bookmarks
async fn bookmarks(
    State(s): State<AppState>,
    Auth(v): Auth,
    Query(q): Query<PageQuery>,
    OriginalUri(uri): OriginalUri,
) -> ApiResult<Response> {
    Ok(page_response(&uri, s.node.bookmarks(&v, &q.to_request()?)?))
}

/// GET /api/kodeon/v1/me/likes
async fn likes(
    State(s): State<AppState>,
    Auth(v): Auth,
    Query(q): Query<PageQuery>,
    OriginalUri(uri): OriginalUri,
) -> ApiResult<Response> {
    Ok(page_response(
        &uri,
        s.node.liked_posts(&v, &q.to_request()?)?,
    ))
}

#[derive(serde::Deserialize)]
struct SearchParams {
    q: Option<String>,
    limit: Option<usize>,
    resolve: Option<String>,
}

/// GET /api/kodeon/v1/search?q=&limit=&resolve= — members (name prefix),
/// tags (prefix) and public posts containing every word; or, for a URL,
/// the account or post it names (`federation::search` holds the rules).
/// With `resolve=true`, a signed-in member makes the node look up what it
/// does not know yet (`name@host` through WebFinger, a URL by fetching it).
async fn search(
    State(s): State<AppState>,
    MaybeAuth(v): MaybeAuth,
    Query(p): Query<SearchParams>,
) -> ApiResult<impl axum::response::IntoResponse> {
    let query = federation::SearchQuery {
        text: p.q.unwrap_or_default(),
        kinds: federation::Kinds::ALL,
        limit: p.limit.unwrap_or(20).clamp(1, 40),
        resolve: matches!(p.resolve.as_deref(), Some("true" | "1")),
    };
    let found = federation::search::search(&s.node, s.federation.as_deref(), &v, &query).await?;
    let tags: Vec<_> = found
        .tags
        .into_iter()
        .map(|(name, posts)| serde_json::json!({"name": name, "posts": posts}))
        .collect();
    Ok(axum::Json(
        serde_json::json!({"members": found.accounts, "tags": tags, "posts": found.posts}),
    ))
}
