//! `/search`: people, tags and posts, and people or posts of other
//! servers by handle or URL, through `federation::search` as the client
//! APIs search (the same visibility, limits and remote lookup budget).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use federation::{Kinds, SearchQuery};
use node::model::MemberView;
use serde::Deserialize;

use super::{render_with_status, AppError, Me, MemberSession};
use crate::error::ApiError;
use crate::public_pages::{member_card, site, Card, Origin, Site};
use crate::state::AppState;

/// Results per kind, as the Mastodon API gives by default.
const PER_KIND: usize = 20;

/// The parameters of `/search`.
#[derive(Debug, Default, Deserialize)]
pub struct SearchParams {
    /// What was typed.
    q: Option<String>,
}

/// A person found.
pub struct Person {
    /// The name they are shown by.
    pub name: String,
    /// Their full handle, `name@domain`.
    pub handle: String,
    /// Their page in this app.
    pub link: String,
    /// Their page on their own server (another server's member).
    pub origin: Option<Origin>,
}

/// A tag found, with its public post count.
pub struct TagItem {
    /// The tag, without `#`.
    pub name: String,
    /// Public posts with it.
    pub count: i64,
}

/// The search page: the form, and the results once something was asked.
#[derive(Template)]
#[template(path = "app/search.html")]
pub struct SearchPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    /// The query, kept in the form.
    pub q: String,
    /// Why the search could not run.
    pub error: Option<String>,
    /// Whether there was a query (results, or "nothing found", show).
    pub searched: bool,
    pub people: Vec<Person>,
    pub tags: Vec<TagItem>,
    pub feed: Vec<Card>,
}

/// A member as the results list them.
fn person(m: &MemberView, domain: &str) -> Person {
    Person {
        name: if m.full_name.is_empty() {
            m.username.clone()
        } else {
            m.full_name.clone()
        },
        handle: match &m.remote {
            Some(_) => m.username.clone(),
            None => format!("{}@{domain}", m.username),
        },
        link: format!("/@{}", m.username),
        origin: m.remote.as_ref().and_then(|r| Origin::of(&r.url)),
    }
}

/// What the form says when a search failed: the wait when the lookup
/// budget is spent, else the error's own message.
fn error_text(e: &ApiError) -> String {
    if e.status == StatusCode::TOO_MANY_REQUESTS {
        let wait = e.retry_after.unwrap_or(60);
        format!(
            "You have looked up many people and posts on other servers just now. Wait {wait} second{} and try again.",
            if wait == 1 { "" } else { "s" }
        )
    } else {
        e.message.clone()
    }
}

/// GET /search?q= — people, tags and posts for `q`, as the signed-in
/// member may see them. A handle (`@name@domain`, `name@domain`) or an
/// http(s) URL of another server's account or post is looked up there
/// (WebFinger, fetch), counted against the member's remote lookup budget
/// as the API's `resolve=true` is (429: the form says to wait). Without
/// `q`, just the form.
pub async fn page(
    State(s): State<AppState>,
    session: MemberSession,
    Query(params): Query<SearchParams>,
) -> Result<Response, AppError> {
    let Site {
        domain,
        members,
        posts,
    } = site(&s)?;
    let q = params.q.unwrap_or_default().trim().to_string();
    let mut page = SearchPage {
        domain,
        members,
        posts,
        me: None,
        searched: !q.is_empty(),
        q,
        error: None,
        people: Vec::new(),
        tags: Vec::new(),
        feed: Vec::new(),
    };
    let mut status = StatusCode::OK;
    if page.searched {
        let query = SearchQuery {
            text: page.q.clone(),
            kinds: Kinds::ALL,
            limit: PER_KIND,
            resolve: true,
        };
        let found = if query.may_fetch() {
            crate::rate_limit::check_remote_lookup(&s.limiters, &session.viewer)
        } else {
            Ok(())
        };
        let found = match found {
            Ok(()) => federation::search::search(
                &s.node,
                s.federation.as_deref(),
                &session.viewer,
                &query,
            )
            .await
            .map_err(ApiError::from),
            Err(e) => Err(e),
        };
        match found {
            Ok(found) => {
                let back = format!(
                    "/search?q={}",
                    form_urlencoded::byte_serialize(page.q.as_bytes()).collect::<String>()
                );
                let urls = s.node.urls();
                page.people = found
                    .accounts
                    .iter()
                    .map(|m| person(m, &page.domain))
                    .collect();
                page.tags = found
                    .tags
                    .into_iter()
                    .map(|(name, count)| TagItem { name, count })
                    .collect();
                page.feed = found
                    .posts
                    .iter()
                    .map(|p| member_card(urls, p, &session.me, &back))
                    .collect();
            }
            Err(e) => {
                status = e.status;
                page.error = Some(error_text(&e));
            }
        }
    }
    page.me = Some(session.me);
    render_with_status(page, status)
}
