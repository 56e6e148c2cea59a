//! Feeds: home, local, tag, category, bookmarks, likes.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::Router;

use crate::error::ApiResult;
use crate::extract::MaybeAuth;
use crate::pages::page_handlers;
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

page_handlers! {
    /// GET /api/kodeon/v1/feeds/home
    home: Auth => home_feed();
    /// GET /api/kodeon/v1/feeds/local
    local: MaybeAuth => local_feed();
    /// GET /api/kodeon/v1/feeds/tags/{tag}
    tag: MaybeAuth => tag_feed(tag);
    /// GET /api/kodeon/v1/feeds/categories/{category}
    category: MaybeAuth => category_feed(category);
    /// GET /api/kodeon/v1/me/bookmarks
    bookmarks: Auth => bookmarks();
    /// GET /api/kodeon/v1/me/likes
    likes: Auth => liked_posts();
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
    if query.may_fetch() {
        crate::rate_limit::check_remote_lookup(&s.limiters, &v)?;
    }
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
