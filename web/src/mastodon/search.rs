//! Search v2: accounts (username prefix), hashtags (prefix), statuses (URL or words).

use axum::extract::{Query, State};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};

use super::entities::Renderer;
use super::MaybeToken;
use crate::error::ApiResult;
use crate::state::AppState;

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v2/search", get(search))
}

#[derive(Deserialize)]
struct SearchQuery {
    q: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    limit: Option<String>,
}

/// GET /api/v2/search?q=&type=
///
/// Statuses: by their URL, or public posts containing every word of `q`.
async fn search(
    State(s): State<AppState>,
    t: MaybeToken,
    Query(q): Query<SearchQuery>,
) -> ApiResult<impl IntoResponse> {
    let v = t.viewer("read:search")?;
    let text = q.q.unwrap_or_default();
    let limit = q
        .limit
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(20)
        .clamp(1, 40);
    let wants = |k: &str| q.kind.as_deref().is_none_or(|x| x == k);
    let mut r = Renderer::new(&s.node);
    let accounts: Vec<Value> = if wants("accounts") && !text.starts_with('#') {
        s.node
            .search_members(&v, &text, limit)?
            .iter()
            .map(|m| r.account(m))
            .collect()
    } else {
        Vec::new()
    };
    let hashtags: Vec<Value> = if wants("hashtags") && !text.starts_with('@') {
        s.node
            .search_tags(&text, limit)?
            .into_iter()
            .map(|(name, count)| json!({"name": name, "url": format!("{}/tags/{}", r.base(), name), "history": [], "following": false, "statuses_count": count}))
            .collect()
    } else {
        Vec::new()
    };
    let mut statuses = Vec::new();
    if wants("statuses") {
        // A post's URL finds that post; words find public posts containing them all.
        let prefix = format!("{}/@", r.base());
        let by_url = text
            .strip_prefix(&prefix)
            .and_then(|rest| rest.split('/').nth(1))
            .and_then(|i| i.parse().ok())
            .and_then(|id| s.node.post(&v, id).ok());
        let found = match by_url {
            Some(post) => vec![post],
            None if !text.starts_with('@') && !text.starts_with('#') => {
                s.node.search_posts(&v, &text, limit)?
            }
            None => Vec::new(),
        };
        statuses = r.statuses(&found)?;
    }
    Ok(axum::Json(
        json!({"accounts": accounts, "statuses": statuses, "hashtags": hashtags}),
    ))
}
