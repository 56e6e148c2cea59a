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
    resolve: Option<String>,
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
    // `resolve=true` (signed-in only, as on Mastodon) looks up what this
    // node does not know yet: `name@host` through WebFinger, a post's URL
    // on another server by fetching it.
    let resolve = matches!(q.resolve.as_deref(), Some("true" | "1")) && v.id().is_some();
    let mut r = Renderer::new(&s.node);
    let mut accounts: Vec<Value> = Vec::new();
    if wants("accounts") && !text.starts_with('#') {
        let handle = text.trim().trim_start_matches('@');
        let remote = handle
            .split_once('@')
            .is_some_and(|(name, host)| !name.is_empty() && host != s.node.config().domain);
        if resolve
            && remote
            && crate::routes::members::resolve_remote(&s, &v, handle)
                .await
                .is_ok()
        {
            if let Ok(found) = s.node.profile(&v, handle) {
                accounts.push(r.account(&found));
            }
        }
        // A did:key names an account even when no server vouches for it
        // yet: with resolve, a key-only account is made to follow.
        if handle.starts_with("did:key:") {
            if resolve {
                s.node.member_for_did(handle).await?;
            }
            if let Ok(found) = s.node.profile(&v, handle) {
                accounts.push(r.account(&found));
            }
        }
        for m in s.node.search_members(&v, &text, limit)? {
            let rendered = r.account(&m);
            if !accounts.iter().any(|a| a["id"] == rendered["id"]) {
                accounts.push(rendered);
            }
        }
    }
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
        let is_url = text.starts_with("https://") || text.starts_with("http://");
        let by_url = match (by_url, &s.federation) {
            (None, Some(federation)) if resolve && is_url => {
                match federation.fetch_post(text.trim(), 1).await {
                    Ok(id) => s.node.post(&v, id).ok(),
                    Err(e) => {
                        tracing::info!(url = %text, error = %e, "search: cannot resolve a post");
                        None
                    }
                }
            }
            (found, _) => found,
        };
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
