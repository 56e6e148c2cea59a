//! The public feeds as a signed-in member reads them: this node's posts,
//! every server's, and a category's, each with the member's action forms.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use node::{Page, PageRequest};
use serde::Deserialize;

use super::templates::FeedPage;
use super::{render, AppError, MemberSession};
use crate::public_pages::{member_card, site, Site};
use crate::state::AppState;

/// Posts per page.
const PAGE: usize = 20;

/// The cursor of a feed page.
#[derive(Debug, Default, Deserialize)]
pub struct FeedQuery {
    /// Older-than cursor.
    max_id: Option<String>,
}

impl FeedQuery {
    /// The page of `size` posts this cursor asks for.
    pub(super) fn request(&self, size: usize) -> PageRequest {
        PageRequest {
            max_id: self.max_id.as_deref().and_then(|m| m.parse().ok()),
            ..PageRequest::first(size)
        }
    }

    /// The page's own path with its cursor, for the forms to come back to.
    pub(super) fn here(&self, path: &str) -> String {
        match &self.max_id {
            Some(m) if m.parse::<node::Id>().is_ok() => format!("{path}?max_id={m}"),
            _ => path.to_string(),
        }
    }
}

/// What a feed page says about itself.
struct About {
    heading: String,
    about: &'static str,
    empty: &'static str,
}

fn feed_page(
    s: &AppState,
    session: MemberSession,
    query: &FeedQuery,
    path: String,
    about: About,
    page: Page<node::model::PostView>,
) -> Result<Response, AppError> {
    let Site {
        domain,
        members,
        posts,
    } = site(s)?;
    let urls = s.node.urls();
    let here = query.here(&path);
    let feed = page
        .items
        .iter()
        .map(|p| member_card(urls, p, &session.me, &here))
        .collect();
    render(FeedPage {
        domain,
        members,
        posts,
        me: Some(session.me),
        heading: about.heading,
        about: about.about,
        empty: about.empty,
        feed,
        path,
        next: page.next_max_id,
    })
}

/// GET /local — public posts of this node's members, newest first.
pub async fn local(
    State(s): State<AppState>,
    session: MemberSession,
    Query(query): Query<FeedQuery>,
) -> Result<Response, AppError> {
    let page = s.node.local_feed(&session.viewer, &query.request(PAGE))?;
    let about = About {
        heading: "Local".into(),
        about: "Public posts of the people on this node.",
        empty: "No public posts on this node yet.",
    };
    feed_page(&s, session, &query, "/local".into(), about, page)
}

/// GET /federated — public posts of this node and of the servers it
/// hears from, newest first.
pub async fn federated(
    State(s): State<AppState>,
    session: MemberSession,
    Query(query): Query<FeedQuery>,
) -> Result<Response, AppError> {
    let page = s
        .node
        .federated_feed(&session.viewer, &query.request(PAGE))?;
    let about = About {
        heading: "Federated".into(),
        about: "Public posts from this node and the servers it hears from.",
        empty: "Nothing here yet. Follow people on other servers to hear from them.",
    };
    feed_page(&s, session, &query, "/federated".into(), about, page)
}

/// GET /categories/{category} — public posts of a category.
pub async fn category(
    State(s): State<AppState>,
    session: MemberSession,
    Path(category): Path<String>,
    Query(query): Query<FeedQuery>,
) -> Result<Response, AppError> {
    let page = s
        .node
        .category_feed(&session.viewer, &category, &query.request(PAGE))?;
    let slug = category.to_lowercase();
    let about = About {
        heading: format!("Category: {slug}"),
        about: "Public posts filed in this category.",
        empty: "No public posts in this category yet.",
    };
    let path = format!("/categories/{slug}");
    let path = if super::local_path(&path) {
        path
    } else {
        "/home".into()
    };
    feed_page(&s, session, &query, path, about, page)
}
