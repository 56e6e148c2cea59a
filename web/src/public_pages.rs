//! Public HTML pages at Mastodon's URLs: `/`, `/@username`,
//! `/@username/:id`, `/tags/:tag`. Everything is rendered as an anonymous
//! visitor sees it, through the same node methods as the API, so private
//! content cannot appear here. Templates (`web/templates/`) are compiled
//! and escape by default; post bodies are already-sanitised HTML.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use node::model::{MemberSummary, PostView, Visibility};
use node::{Id, NodeError, Page, PageRequest, Viewer};
use protocol::local_urls::LocalUrls;
use serde::Deserialize;

use crate::app::{MaybeMember, Me};
use crate::routes::discovery;
use crate::state::AppState;
pub(crate) use display::{readable_time, Origin};

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/{handle}", get(profile))
        .route("/{handle}/{id}", get(post))
        .route("/tags/{tag}", get(tag))
        .route("/favicon.ico", get(favicon_ico))
        .route("/favicon.svg", get(favicon_svg))
        .route("/robots.txt", get(robots))
}

/// The node's icon, a "K" in the admin panel's accent colour
/// (`web/templates/favicon.svg`); the `.ico` is the same mark drawn at
/// 32×32 as a PNG inside an ICO container, which every browser reads
/// (`public_pages/tests.rs` draws it again and compares, and rewrites the
/// file when `KODEON_WRITE_FAVICON=1`).
const FAVICON_SVG: &str = include_str!("../templates/favicon.svg");
const FAVICON_ICO: &[u8] = include_bytes!("../templates/favicon.ico");

/// Icons change rarely and their URLs carry no version: a month.
const ICON_CACHE: &str = "public, max-age=2592000";

/// GET /favicon.ico — what browsers ask for when a page names no icon.
async fn favicon_ico() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/x-icon"),
            (header::CACHE_CONTROL, ICON_CACHE),
        ],
        FAVICON_ICO,
    )
        .into_response()
}

/// GET /favicon.svg — the icon the public pages and the admin panel link.
async fn favicon_svg() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, ICON_CACHE),
        ],
        FAVICON_SVG,
    )
        .into_response()
}

/// What crawlers may read: the public pages, not the admin panel, OAuth
/// or the APIs (whose answers depend on who asks).
const ROBOTS_TXT: &str = "\
# Kodeon: the public pages (/, /@name, /@name/ID, /tags/TAG) may be crawled.
User-agent: *
Disallow: /admin
Disallow: /oauth
Disallow: /api/
Allow: /
";

/// GET /robots.txt
async fn robots() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        ROBOTS_TXT,
    )
        .into_response()
}

/// What a post card shows.
pub(crate) struct Card {
    pub(crate) id: Id,
    pub(crate) author: MemberSummary,
    /// The author's page on their server (none for a member here).
    pub(crate) author_origin: Option<Origin>,
    /// When (RFC 3339, for `datetime`).
    pub(crate) created: String,
    /// When, as people read it.
    pub(crate) created_text: String,
    /// The post's page on its server (none for a post of this node).
    pub(crate) origin: Option<Origin>,
    pub(crate) title: String,
    pub(crate) spoiler_text: String,
    pub(crate) content: String,
    pub(crate) media: Vec<CardMedia>,
    pub(crate) tags: Vec<String>,
    pub(crate) replies: i64,
    pub(crate) likes: i64,
    pub(crate) visibility: &'static str,
    /// Who boosted it into this feed (a boost's card), if anyone.
    pub(crate) boosted_by: Option<MemberSummary>,
    /// The group it is posted in: its handle and the name shown.
    pub(crate) group: Option<(String, String)>,
    /// The forms a signed-in member sees (none for a visitor).
    pub(crate) actions: Option<Actions>,
}

/// What a signed-in member can do to a post, with the state of each.
pub(crate) struct Actions {
    pub(crate) csrf: String,
    pub(crate) back: String,
    pub(crate) liked: bool,
    pub(crate) boosted: bool,
    pub(crate) bookmarked: bool,
    pub(crate) own: bool,
}

pub(crate) struct CardMedia {
    pub(crate) url: String,
    pub(crate) preview_url: String,
    pub(crate) description: String,
}

/// A visibility as a card shows it.
fn visibility_word(v: Visibility) -> &'static str {
    match v {
        Visibility::Public => "public",
        Visibility::Unlisted => "unlisted",
        Visibility::Followers => "followers only",
        Visibility::Direct => "mentioned people only",
    }
}

fn card(urls: &LocalUrls, p: &PostView) -> Card {
    Card {
        id: p.id,
        author: p.author.clone(),
        author_origin: p.author.remote.as_ref().and_then(|r| Origin::of(&r.url)),
        created: node::model::rfc3339::format(p.created_at),
        created_text: readable_time(p.created_at),
        origin: p.remote.as_ref().and_then(|r| Origin::of(&r.url)),
        title: p.title.clone(),
        spoiler_text: p.spoiler_text.clone(),
        content: p.content.clone(),
        media: p
            .media
            .iter()
            .map(|m| CardMedia {
                url: urls.media(&m.file_name()),
                preview_url: urls.media(&m.preview_file_name()),
                description: m.description.clone(),
            })
            .collect(),
        tags: p.tags.clone(),
        replies: p.replies_count,
        likes: p.likes_count,
        visibility: visibility_word(p.visibility),
        boosted_by: p.boost.as_ref().map(|b| b.by.clone()),
        group: p
            .group
            .as_ref()
            .map(|g| (g.username.clone(), display_name(&g.full_name, &g.username))),
        actions: None,
    }
}

/// A card as the signed-in member `me` sees it (the post fetched as
/// them), with their action forms going back to `back`.
pub(crate) fn member_card(urls: &LocalUrls, p: &PostView, me: &Me, back: &str) -> Card {
    Card {
        actions: Some(Actions {
            csrf: me.csrf.clone(),
            back: back.to_string(),
            liked: p.liked,
            boosted: p.boosted,
            bookmarked: p.bookmarked,
            own: p.author.id == me.id,
        }),
        ..card(urls, p)
    }
}

/// Node-wide figures every page shows.
pub(crate) struct Site {
    /// The node's domain.
    pub(crate) domain: String,
    /// Members.
    pub(crate) members: i64,
    /// Posts.
    pub(crate) posts: i64,
}

/// The figures of the site header.
pub(crate) fn site(s: &AppState) -> node::NodeResult<Site> {
    let stats = s.node.stats()?;
    Ok(Site {
        domain: s.node.config().domain.clone(),
        members: stats.members,
        posts: stats.posts,
    })
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    domain: String,
    members: i64,
    posts: i64,
    me: Option<Me>,
    name: String,
    description: String,
    rules: Vec<String>,
    contact_email: String,
    feed: Vec<Card>,
    next: Option<Id>,
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    domain: String,
    members: i64,
    posts: i64,
    me: Option<Me>,
    username: String,
    /// The full handle, `name@domain`.
    handle: String,
    /// The profile on the member's own server (another server's member).
    origin: Option<Origin>,
    actor_url: String,
    display_name: String,
    about: String,
    avatar: String,
    url: String,
    did: String,
    followers: i64,
    following: i64,
    post_count: i64,
    feed: Vec<Card>,
    next: Option<Id>,
    /// The signed-in member's relationship and forms (none for a visitor
    /// or on their own profile).
    relation: Option<Relation>,
    /// Level and badges (a member of this node).
    standing: Option<crate::app::gamification::Standing>,
}

/// How the signed-in member relates to a profile's member, for its forms.
pub(crate) struct Relation {
    /// The signed-in member's form token.
    pub(crate) csrf: String,
    /// Follows of this member need their approval.
    pub(crate) locked: bool,
    /// The relationship, as the node tells it.
    pub(crate) rel: node::model::Relationship,
}

#[derive(Template)]
#[template(path = "post.html")]
struct PostPage {
    domain: String,
    members: i64,
    posts: i64,
    me: Option<Me>,
    title: String,
    summary: String,
    url: String,
    object_url: String,
    ancestors: Vec<Card>,
    post: Card,
    replies: Vec<(u32, Card)>,
    /// The reply form (signed in only).
    compose: Option<crate::app::templates::Compose>,
    visibilities: [(&'static str, &'static str); 4],
}

#[derive(Template)]
#[template(path = "tag.html")]
struct TagPage {
    domain: String,
    members: i64,
    posts: i64,
    me: Option<Me>,
    tag: String,
    feed: Vec<Card>,
    next: Option<Id>,
}

/// A page that could not be shown: 404 for anything missing or private.
struct PageError(StatusCode, &'static str);

impl PageError {
    /// What a missing (or hidden) page answers.
    const NOT_FOUND: PageError = PageError(StatusCode::NOT_FOUND, "Not found");
}

impl From<NodeError> for PageError {
    fn from(e: NodeError) -> Self {
        match e {
            NodeError::NotFound(_) | NodeError::Forbidden(_) | NodeError::Invalid { .. } => {
                PageError::NOT_FOUND
            }
            other => {
                tracing::error!(error = %other, "public page failed");
                PageError(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong")
            }
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let body = format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{0}</title></head><body><main><h1>{0}</h1><p><a href=\"/\">Home</a></p></main></body></html>",
            self.1
        );
        (self.0, Html(body)).into_response()
    }
}

fn render(t: impl Template) -> Result<Response, PageError> {
    t.render()
        .map(|html| Html(html).into_response())
        .map_err(|e| {
            tracing::error!(error = %e, "template failed");
            PageError(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong")
        })
}

/// Renders a page, for a member when `signed_in`: their page carries
/// their form token, so no cache may keep it.
fn render_for(signed_in: bool, t: impl Template) -> Result<Response, PageError> {
    let mut response = render(t)?;
    if signed_in {
        crate::app::private(&mut response);
    }
    Ok(response)
}

#[derive(Deserialize)]
struct PageQuery {
    max_id: Option<String>,
}

fn page_request(q: &PageQuery) -> PageRequest {
    PageRequest {
        max_id: q.max_id.as_deref().and_then(|m| m.parse().ok()),
        ..PageRequest::first(20)
    }
}

fn cards(urls: &LocalUrls, page: &Page<PostView>) -> Vec<Card> {
    page.items.iter().map(|p| card(urls, p)).collect()
}

/// Content negotiation: federation asks for ActivityPub JSON at a page's
/// URL too. When `headers` ask for it, the JSON `answer` gives (anything
/// it cannot give is not found).
fn activity_json(
    headers: &axum::http::HeaderMap,
    answer: impl FnOnce() -> crate::error::ApiResult<Response>,
) -> Option<Result<Response, PageError>> {
    discovery::wants_activity_json(headers).then(|| answer().map_err(|_| PageError::NOT_FOUND))
}

/// The name a member is shown by: their full name, else their username.
fn display_name(full_name: &str, username: &str) -> String {
    if full_name.is_empty() {
        username.to_string()
    } else {
        full_name.to_string()
    }
}

/// The `@name` of a handle segment (anything else is not ours).
fn username(handle: &str) -> Result<&str, PageError> {
    handle.strip_prefix('@').ok_or(PageError::NOT_FOUND)
}

/// GET / — the node's home page: about, figures, latest public posts.
async fn home(
    State(s): State<AppState>,
    MaybeMember(session): MaybeMember,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let Site {
        domain,
        members,
        posts,
    } = site(&s)?;
    let page = s.node.local_feed(&Viewer::Anonymous, &page_request(&q))?;
    let urls = s.node.urls();
    let settings = s.node.settings();
    let me = session.map(|m| m.me);
    render_for(
        me.is_some(),
        HomePage {
            domain,
            members,
            posts,
            me,
            name: settings.name,
            description: settings.description,
            rules: settings.rules,
            contact_email: settings.contact_email,
            feed: cards(urls, &page),
            next: page.next_max_id,
        },
    )
}

/// GET /@{username} — a member's public profile and posts; for a
/// signed-in member, also how they relate to them, with the follow, block
/// and mute forms. `/@name@domain`, a member of another server known here,
/// is shown to signed-in members only (with a link to their own server):
/// for visitors and crawlers this node's pages are its own members'.
async fn profile(
    State(s): State<AppState>,
    MaybeMember(session): MaybeMember,
    Path(handle): Path<String>,
    Query(q): Query<PageQuery>,
    headers: axum::http::HeaderMap,
) -> Result<Response, PageError> {
    let name = username(&handle)?;
    if let Some(json) = activity_json(&headers, || discovery::actor_response(&s, name)) {
        return json;
    }
    let Site {
        domain,
        members,
        posts,
    } = site(&s)?;
    let m = s.node.profile(&Viewer::Anonymous, name)?;
    if m.remote.is_some() && session.is_none() {
        return Err(PageError::NOT_FOUND);
    }
    let page = s.node.member_posts(
        &Viewer::Anonymous,
        name,
        Default::default(),
        &page_request(&q),
    )?;
    let urls = s.node.urls();
    let relation = match &session {
        Some(session) if session.me.id != m.id => s
            .node
            .relationships(&session.viewer, &[m.id])?
            .into_iter()
            .next()
            .map(|(_, rel)| Relation {
                csrf: session.me.csrf.clone(),
                locked: m.locked,
                rel,
            }),
        _ => None,
    };
    let handle = match &m.remote {
        Some(_) => m.username.clone(),
        None => format!("{}@{domain}", m.username),
    };
    let me = session.map(|m| m.me);
    let standing = match &m.remote {
        None => crate::app::gamification::standing(
            &s,
            &m.username,
            &crate::app::gamification::lang_of(&headers),
        ),
        Some(_) => None,
    };
    render_for(
        me.is_some(),
        ProfilePage {
            standing,
            handle,
            relation,
            domain,
            members,
            posts,
            me,
            display_name: display_name(&m.full_name, &m.username),
            about: m
                .details
                .as_ref()
                .map(|d| d.bio.about.clone())
                .unwrap_or_default(),
            avatar: m.avatar_url.clone(),
            url: match &m.remote {
                Some(r) => r.url.clone(),
                None => urls.profile_page(&m.username),
            },
            actor_url: match &m.remote {
                Some(r) => r.uri.clone(),
                None => federation::discovery::actor_id(&s.node, &m.username),
            },
            origin: m.remote.as_ref().and_then(|r| Origin::of(&r.url)),
            did: m.did.clone(),
            followers: m.followers_count,
            following: m.following_count,
            post_count: m.posts_count,
            username: m.username,
            feed: cards(urls, &page),
            next: page.next_max_id,
        },
    )
}

/// GET /@{username}/{id} — a post with its thread: as a visitor sees it,
/// or, with a member's session, as they see it, with action forms and a
/// reply form.
async fn post(
    State(s): State<AppState>,
    MaybeMember(session): MaybeMember,
    Path((handle, raw)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
) -> Result<Response, PageError> {
    let name = username(&handle)?;
    if let Some(json) = activity_json(&headers, || discovery::object_response(&s, name, &raw)) {
        return json;
    }
    let id: Id = raw.parse().map_err(|_| PageError::NOT_FOUND)?;
    let viewer = session.as_ref().map_or(&Viewer::Anonymous, |m| &m.viewer);
    let thread = s.node.thread(viewer, id)?;
    if !thread.post.author.username.eq_ignore_ascii_case(name) {
        return Err(PageError::NOT_FOUND);
    }
    let Site {
        domain,
        members,
        posts,
    } = site(&s)?;
    let urls = s.node.urls();
    let p = &thread.post;
    let who = display_name(&p.author.full_name, &p.author.username);
    let title = if p.title.is_empty() {
        format!("{who} (@{})", p.author.username)
    } else {
        p.title.clone()
    };
    let summary: String = p.source.chars().take(200).collect();
    let url = urls.post_page(&p.author.username, p.id);
    let me = session.map(|m| m.me);
    let back = format!("/@{}/{}", p.author.username, p.id);
    let show = |v: &PostView| match &me {
        Some(me) => member_card(urls, v, me, &back),
        None => card(urls, v),
    };
    let compose = me.as_ref().map(|_| crate::app::templates::Compose {
        visibility: node_visibility(p.visibility).into(),
        in_reply_to: p.id.to_string(),
        back: back.clone(),
        ..Default::default()
    });
    let page = PostPage {
        domain,
        members,
        posts,
        title,
        summary,
        object_url: federation::objects::object_id(&s.node, &p.author.username, p.id),
        ancestors: thread.ancestors.iter().map(show).collect(),
        post: show(p),
        replies: thread
            .descendants
            .iter()
            .map(|d| (d.depth.min(3), show(&d.post)))
            .collect(),
        compose,
        visibilities: crate::app::templates::VISIBILITIES,
        me,
        url,
    };
    render_for(page.me.is_some(), page)
}

/// A visibility as the compose form names it.
fn node_visibility(v: Visibility) -> &'static str {
    match v {
        Visibility::Public => "public",
        Visibility::Unlisted => "unlisted",
        Visibility::Followers => "followers",
        Visibility::Direct => "direct",
    }
}

/// GET /tags/{tag} — public posts with a tag (for a signed-in member, as
/// they see them, with their action forms).
async fn tag(
    State(s): State<AppState>,
    MaybeMember(session): MaybeMember,
    Path(tag): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let Site {
        domain,
        members,
        posts,
    } = site(&s)?;
    let viewer = session.as_ref().map_or(&Viewer::Anonymous, |m| &m.viewer);
    let page = s.node.tag_feed(viewer, &tag, &page_request(&q))?;
    let urls = s.node.urls();
    let me = session.map(|m| m.me);
    let feed = match &me {
        Some(me) => {
            let back = format!("/tags/{}", tag.to_lowercase());
            let back = if crate::app::local_path(&back) {
                back
            } else {
                "/home".into()
            };
            page.items
                .iter()
                .map(|p| member_card(urls, p, me, &back))
                .collect()
        }
        None => cards(urls, &page),
    };
    render_for(
        me.is_some(),
        TagPage {
            domain,
            members,
            posts,
            me,
            tag: tag.to_lowercase(),
            feed,
            next: page.next_max_id,
        },
    )
}

pub mod certificate;
mod display;
#[cfg(test)]
mod tests;
