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
struct SearchQuery {
    q: Option<String>,
    limit: Option<usize>,
}

/// GET /api/kodeon/v1/search?q= — members (name prefix), tags (prefix) and
/// public posts containing every word.
async fn search(
    State(s): State<AppState>,
    MaybeAuth(v): MaybeAuth,
    Query(q): Query<SearchQuery>,
) -> ApiResult<impl axum::response::IntoResponse> {
    let text = q.q.unwrap_or_default();
    let limit = q.limit.unwrap_or(20).clamp(1, 40);
    let members = s.node.search_members(&v, &text, limit)?;
    let tags: Vec<_> = s
        .node
        .search_tags(&text, limit)?
        .into_iter()
        .map(|(name, posts)| serde_json::json!({"name": name, "posts": posts}))
        .collect();
    let posts = s.node.search_posts(&v, &text, limit)?;
    Ok(axum::Json(
        serde_json::json!({"members": members, "tags": tags, "posts": posts}),
    ))
}
