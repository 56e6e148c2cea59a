//! Trends and recommendations in the members' app: `/trends` (tags,
//! posts and links, each with why it trends) and `/recommended?kind=`
//! (people, groups, events or courses, each with its reasons and score),
//! and the short list of people to follow the home page shows. The node's
//! ranking engine decides; these pages only render it.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use node::ranking::{Recommendation, RecommendationKind};
use node::Viewer;
use serde::Deserialize;

use super::{render, AppError, Me, MemberSession};
use crate::public_pages::{member_card, site, Card, Site};
use crate::state::AppState;

/// Items per list on the trends page.
const TRENDS_SHOWN: usize = 20;

/// A trending tag or link as the page lists it.
pub struct TrendItem {
    /// The tag (`#rust`) or the URL.
    pub label: String,
    /// Where it leads.
    pub href: String,
    /// Why it trends, in words.
    pub why: String,
    /// Its score.
    pub score: String,
}

/// A trending post as the page shows it.
pub struct PostItem {
    /// The post's card.
    pub card: Card,
    /// Why it trends, in words.
    pub why: String,
}

/// A recommendation as the pages list it.
pub struct RecItem {
    /// Its name or title.
    pub title: String,
    /// Its page.
    pub href: String,
    /// Why.
    pub reasons: Vec<String>,
    /// The score and how it adds up.
    pub score: String,
}

/// The trends page.
#[derive(Template)]
#[template(path = "app/trends.html")]
pub struct TrendsPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    pub tags: Vec<TrendItem>,
    pub trending: Vec<PostItem>,
    pub links: Vec<TrendItem>,
}

/// The recommendations page.
#[derive(Template)]
#[template(path = "app/recommended.html")]
pub struct RecommendedPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    /// The kind shown (`people`...).
    pub kind: &'static str,
    /// The kinds, for the tabs: (value, label).
    pub kinds: [(&'static str, &'static str); 4],
    pub items: Vec<RecItem>,
}

/// The kinds, as the tabs name them.
const KINDS: [(&str, &str); 4] = [
    ("people", "People"),
    ("groups", "Groups"),
    ("events", "Events"),
    ("courses", "Courses"),
];

/// A recommendation as a list item.
pub(super) fn rec_item(r: &Recommendation) -> RecItem {
    let href = match r.kind {
        RecommendationKind::People => format!("/@{}", r.name),
        RecommendationKind::Groups => format!("/g/{}", r.name),
        RecommendationKind::Events => format!("/events/{}", r.id),
        RecommendationKind::Courses => format!("/courses/{}", r.id),
    };
    let title = if r.title.is_empty() {
        r.name.clone()
    } else {
        r.title.clone()
    };
    RecItem {
        title,
        href,
        reasons: r.reasons.clone(),
        score: r.explanation.words.clone(),
    }
}

/// The first `n` recommendations of `kind` for `viewer`, as list items
/// (none when they cannot be read: a list beside a page never fails it).
pub(super) fn recommended(
    s: &AppState,
    viewer: &Viewer,
    kind: RecommendationKind,
    n: usize,
) -> Vec<RecItem> {
    match s.node.recommendations(viewer, kind, n) {
        Ok(recs) => recs.iter().map(rec_item).collect(),
        Err(e) => {
            tracing::warn!(error = %e, "recommendations failed");
            Vec::new()
        }
    }
}

/// GET /trends — tags, posts and links trending here and on the servers
/// this node knows, each with why.
pub async fn trends(
    State(s): State<AppState>,
    session: MemberSession,
) -> Result<Response, AppError> {
    let Site {
        domain,
        members,
        posts,
    } = site(&s)?;
    let urls = s.node.urls();
    let tags = s
        .node
        .trending_tags(0, TRENDS_SHOWN)?
        .into_iter()
        .map(|t| TrendItem {
            label: format!("#{}", t.name),
            href: format!("/tags/{}", t.name),
            why: t.explanation.words,
            score: format!("{:.2}", t.explanation.score),
        })
        .collect();
    let links = s
        .node
        .trending_links(0, TRENDS_SHOWN)?
        .into_iter()
        .map(|l| TrendItem {
            label: l.url.clone(),
            href: l.url,
            why: l.explanation.words,
            score: format!("{:.2}", l.explanation.score),
        })
        .collect();
    let trending = s
        .node
        .trending_posts(&session.viewer, 0, TRENDS_SHOWN)?
        .into_iter()
        .map(|(p, why)| PostItem {
            card: member_card(urls, &p, &session.me, "/trends"),
            why: why.words,
        })
        .collect();
    render(TrendsPage {
        domain,
        members,
        posts,
        me: Some(session.me),
        tags,
        trending,
        links,
    })
}

/// The query of `/recommended`.
#[derive(Debug, Default, Deserialize)]
pub struct KindQuery {
    kind: Option<String>,
}

/// GET /recommended?kind=people|groups|events|courses — recommendations
/// with their reasons (an unknown kind shows people).
pub async fn recommended_page(
    State(s): State<AppState>,
    session: MemberSession,
    Query(q): Query<KindQuery>,
) -> Result<Response, AppError> {
    let kind = q
        .kind
        .as_deref()
        .and_then(|k| RecommendationKind::parse(k).ok())
        .unwrap_or(RecommendationKind::People);
    let name = match kind {
        RecommendationKind::People => "people",
        RecommendationKind::Groups => "groups",
        RecommendationKind::Events => "events",
        RecommendationKind::Courses => "courses",
    };
    let Site {
        domain,
        members,
        posts,
    } = site(&s)?;
    let items = s
        .node
        .recommendations(&session.viewer, kind, node::ranking::MAX_RECOMMENDATIONS)?
        .iter()
        .map(rec_item)
        .collect();
    render(RecommendedPage {
        domain,
        members,
        posts,
        me: Some(session.me),
        kind: name,
        kinds: KINDS,
        items,
    })
}
