//! Search, as both client APIs offer it (the Kodeon API's
//! `/api/kodeon/v1/search` and Mastodon's `/api/v2/search`): one use
//! case, here because it spans the node (what is known) and the network
//! (what may be resolved).
//!
//! Mastodon's rules (`SearchService`): a query that is an http(s) URL,
//! with `resolve`, finds only what the URL names
//! ([`Federation::resolve_url`]), listed under its own kind (a post's URL
//! searched for accounts finds nothing); any other query finds accounts by
//! name (a remote `name@domain` through WebFinger with `resolve`, a
//! `did:key`), hashtags by prefix and public posts by words. Only a
//! signed-in member who asks to resolve makes the node fetch anything;
//! others see what the node knows (a URL of its own, or of an account or
//! post stored here).

use node::model::{MemberView, PostView};
use node::{Node, NodeError, Viewer};
use protocol::urls::HttpUrl;

use crate::error::FederationError;
use crate::resolve::{known, Resolved};
use crate::service::{Federation, Handle};

/// Which kinds of results a search wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kinds {
    /// Accounts.
    pub accounts: bool,
    /// Posts.
    pub posts: bool,
    /// Hashtags.
    pub tags: bool,
}

impl Kinds {
    /// Every kind.
    pub const ALL: Kinds = Kinds {
        accounts: true,
        posts: true,
        tags: true,
    };
}

/// A search as a client asks it.
#[derive(Debug, Clone)]
pub struct SearchQuery {
    /// What was typed: words, a name, `#tag`, `name@domain`, a did:key or
    /// a URL.
    pub text: String,
    /// The kinds wanted.
    pub kinds: Kinds,
    /// Most results per kind (1–40).
    pub limit: usize,
    /// Whether to look up on other servers what this node does not know
    /// (honoured for signed-in viewers only).
    pub resolve: bool,
}

impl SearchQuery {
    /// Whether this search may make the node fetch from another server:
    /// it asks to resolve, and names a URL, a remote-looking handle or a
    /// did:key. Callers count these against the viewer's lookup budget.
    pub fn may_fetch(&self) -> bool {
        let text = self.text.trim();
        self.resolve
            && (text.starts_with("https://")
                || text.starts_with("http://")
                || text.trim_start_matches('@').contains('@')
                || text.starts_with("did:key:"))
    }
}

/// What a search found, as the viewer may see it.
#[derive(Debug, Default)]
pub struct SearchResults {
    /// Accounts, local and remote.
    pub accounts: Vec<MemberView>,
    /// Posts the viewer may see.
    pub posts: Vec<PostView>,
    /// Hashtags with their public post counts.
    pub tags: Vec<(String, i64)>,
}

/// Runs `query` for `viewer`. `federation` is `None` when the node does
/// not federate (nothing is resolved then). Whatever another server does
/// (fails, refuses, lies, is blocked) only means fewer results; the error
/// returned is this node's own failure.
pub async fn search(
    node: &Node,
    federation: Option<&Federation>,
    viewer: &Viewer,
    query: &SearchQuery,
) -> Result<SearchResults, FederationError> {
    let text = query.text.trim();
    let limit = query.limit.clamp(1, 40);
    let may_resolve = query.resolve && viewer.id().is_some();
    let resolver = federation.filter(|_| may_resolve);
    if text.starts_with("https://") || text.starts_with("http://") {
        return by_url(node, resolver, viewer, text, query.kinds).await;
    }
    let mut results = SearchResults::default();
    if query.kinds.accounts && !text.starts_with('#') {
        results.accounts = accounts(node, resolver, may_resolve, viewer, text, limit).await?;
    }
    if query.kinds.tags && !text.starts_with('@') {
        results.tags = node.search_tags(text, limit)?;
    }
    if query.kinds.posts && !text.starts_with('@') && !text.starts_with('#') {
        results.posts = node.search_posts(viewer, text, limit)?;
    }
    Ok(results)
}

/// What a URL names, in its kind's list if that kind is wanted.
async fn by_url(
    node: &Node,
    resolver: Option<&Federation>,
    viewer: &Viewer,
    url: &str,
    kinds: Kinds,
) -> Result<SearchResults, FederationError> {
    let found = match resolver {
        Some(federation) => match federation.resolve_url(url).await {
            Ok(found) => Some(found),
            Err(e) if e.is_ours() => return Err(e),
            Err(e) => {
                tracing::info!(%url, error = %e, "search: cannot resolve a URL");
                None
            }
        },
        None => match HttpUrl::parse(url) {
            Ok(parsed) => known(node, &parsed.without_fragment())?,
            Err(_) => None,
        },
    };
    let mut results = SearchResults::default();
    match found {
        Some(Resolved::Account(member)) if kinds.accounts => {
            results
                .accounts
                .extend(visible(node.profile(viewer, &member.username))?);
        }
        Some(Resolved::Post(id)) if kinds.posts => {
            results.posts.extend(visible(node.post(viewer, id))?);
        }
        _ => {}
    }
    Ok(results)
}

/// Accounts for a name: a remote handle resolved through WebFinger, a
/// did:key, then members whose name starts with it.
async fn accounts(
    node: &Node,
    resolver: Option<&Federation>,
    may_resolve: bool,
    viewer: &Viewer,
    text: &str,
    limit: usize,
) -> Result<Vec<MemberView>, FederationError> {
    let mut found: Vec<MemberView> = Vec::new();
    let handle = text.trim_start_matches('@');
    if let (Some(federation), Some(wanted)) = (resolver, Handle::parse(handle)) {
        if !wanted.domain.eq_ignore_ascii_case(&node.config().domain) {
            match federation.resolve_handle(handle).await {
                // Listed under the handle only if the handle is bound to
                // it (WebFinger on its domain confirmed it).
                Ok(_) => found.extend(visible(node.profile(viewer, handle))?),
                Err(e) if e.is_ours() => return Err(e),
                Err(e) => tracing::info!(%handle, error = %e, "search: cannot resolve a handle"),
            }
        }
    }
    // A did:key names an account even when no server vouches for it yet:
    // with resolve, a key-only account is made to follow.
    if handle.starts_with("did:key:") {
        if may_resolve {
            node.member_for_did(handle).await?;
        }
        found.extend(visible(node.profile(viewer, handle))?);
    }
    for member in node.search_members(viewer, text, limit)? {
        if !found.iter().any(|f| f.id == member.id) {
            found.push(member);
        }
    }
    found.truncate(limit);
    Ok(found)
}

/// A lookup's result, `None` when the viewer may not see it (or it is not
/// there); other errors stand.
fn visible<T>(result: Result<T, NodeError>) -> Result<Option<T>, NodeError> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(NodeError::NotFound(_) | NodeError::Forbidden(_)) => Ok(None),
        Err(e) => Err(e),
    }
}
