//! Points, leaderboards and challenges in the members' app:
//! `/points/{user}` (level with its explanation, badges, achievements
//! with progress, and to the member their history with each reason),
//! `/leaderboard` (period tabs, a group filter, pages by cursor),
//! `/challenges` (the list), `/challenges/{id}` (one, with the member's
//! progress and a join form) and its join action.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Redirect, Response};
use node::gamification::{
    Achievement, BadgeView, ChallengeView, HistoryView, LeaderboardRow, LevelView, Period,
};
use serde::Deserialize;

use super::{render, AppError, AppForm, Me, MemberSession};
use crate::public_pages::{site, Site};
use crate::state::AppState;

/// The language of labels: the first tag of `Accept-Language` (its
/// primary subtag), else English.
pub(crate) fn lang_of(headers: &HeaderMap) -> String {
    headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split([',', ';', '-']).next())
        .map(|l| l.trim().to_ascii_lowercase())
        .filter(|l| !l.is_empty() && l.len() <= 8 && l.bytes().all(|b| b.is_ascii_lowercase()))
        .unwrap_or_else(|| "en".to_string())
}

/// A member's level and badges as their profile shows them.
pub struct Standing {
    /// Level label in the reader's language.
    pub level: String,
    /// Points, rounded.
    pub points: i64,
    /// Badge labels.
    pub badges: Vec<String>,
}

/// The standing of `username` (`None` when it cannot be read: a remote
/// account, say).
pub(crate) fn standing(s: &AppState, username: &str, lang: &str) -> Option<Standing> {
    let p = s
        .node
        .member_points(&node::Viewer::Anonymous, username, lang, None, 1)
        .ok()?;
    Some(Standing {
        level: p.level.map(|l| l.label).unwrap_or_default(),
        points: p.points,
        badges: p.badges.into_iter().map(|b| b.label).collect(),
    })
}

/// `/points/{user}`.
#[derive(Template)]
#[template(path = "app/gamification/points.html")]
pub struct PointsPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    pub username: String,
    pub points: i64,
    pub points_exact: String,
    pub level: Option<LevelView>,
    pub badges: Vec<BadgeView>,
    pub achievements: Vec<Achievement>,
    pub history: Vec<HistoryView>,
    pub history_hidden: bool,
    pub older: Option<String>,
}

impl PointsPage {
    /// A time in words.
    pub fn when(&self, ms: &i64) -> String {
        crate::admin::when(*ms)
    }
}

/// Query of the points page.
#[derive(Debug, Default, Deserialize)]
pub struct PointsQuery {
    before: Option<String>,
}

/// GET /points/{user}
pub async fn points(
    State(s): State<AppState>,
    session: MemberSession,
    Path(user): Path<String>,
    Query(q): Query<PointsQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let before = q.before.as_deref().and_then(|b| b.parse::<node::Id>().ok());
    let p = s
        .node
        .member_points(&session.viewer, &user, &lang_of(&headers), before, 40)?;
    let Site {
        domain,
        members,
        posts,
    } = site(&s)?;
    render(PointsPage {
        domain,
        members,
        posts,
        me: Some(session.me),
        username: p.member,
        points: p.points,
        points_exact: p.points_exact,
        level: p.level,
        badges: p.badges,
        achievements: p.achievements,
        history: p.history,
        history_hidden: p.history_hidden,
        older: p.history_next.map(|id| id.to_string()),
    })
}

/// `/leaderboard`.
#[derive(Template)]
#[template(path = "app/gamification/leaderboard.html")]
pub struct LeaderboardPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    /// `all`, `month` or `week`.
    pub period: &'static str,
    pub period_start: Option<String>,
    /// The group filter as typed.
    pub group: String,
    pub rows: Vec<LeaderboardRow>,
    pub next: Option<String>,
}

/// Query of the leaderboard page.
#[derive(Debug, Default, Deserialize)]
pub struct BoardQuery {
    period: Option<String>,
    group: Option<String>,
    cursor: Option<String>,
}

/// GET /leaderboard?period=&group=&cursor=
pub async fn leaderboard(
    State(s): State<AppState>,
    session: MemberSession,
    Query(q): Query<BoardQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let period = Period::parse(q.period.as_deref().unwrap_or(""))?;
    let group = q.group.unwrap_or_default().trim().to_string();
    let page = s.node.leaderboard(
        period,
        Some(group.as_str()).filter(|g| !g.is_empty()),
        q.cursor.as_deref(),
        50,
        &lang_of(&headers),
    )?;
    let Site {
        domain,
        members,
        posts,
    } = site(&s)?;
    render(LeaderboardPage {
        domain,
        members,
        posts,
        me: Some(session.me),
        period: period.name(),
        period_start: page.period_start,
        group,
        rows: page.entries,
        next: page.next,
    })
}

/// `/challenges`.
#[derive(Template)]
#[template(path = "app/gamification/challenges.html")]
pub struct ChallengesPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    pub items: Vec<ChallengeView>,
}

impl ChallengesPage {
    /// A time in words.
    pub fn when(&self, ms: &i64) -> String {
        crate::admin::when(*ms)
    }
}

/// GET /challenges
pub async fn challenges(
    State(s): State<AppState>,
    session: MemberSession,
) -> Result<Response, AppError> {
    let items = s.node.challenges(&session.viewer, None, 100)?;
    let Site {
        domain,
        members,
        posts,
    } = site(&s)?;
    render(ChallengesPage {
        domain,
        members,
        posts,
        me: Some(session.me),
        items,
    })
}

/// `/challenges/{id}`.
#[derive(Template)]
#[template(path = "app/gamification/challenge.html")]
pub struct ChallengePage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    pub c: ChallengeView,
}

impl ChallengePage {
    /// A time in words.
    pub fn when(&self, ms: &i64) -> String {
        crate::admin::when(*ms)
    }
}

/// GET /challenges/{id}
pub async fn challenge(
    State(s): State<AppState>,
    session: MemberSession,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = super::courses::path_id(&id, "challenge")?;
    let c = s.node.challenge(&session.viewer, id)?;
    let Site {
        domain,
        members,
        posts,
    } = site(&s)?;
    render(ChallengePage {
        domain,
        members,
        posts,
        me: Some(session.me),
        c,
    })
}

/// POST /challenges/{id}/join
pub async fn join(
    State(s): State<AppState>,
    Path(id): Path<String>,
    AppForm { session, .. }: AppForm,
) -> Result<Redirect, AppError> {
    let id = super::courses::path_id(&id, "challenge")?;
    s.node.join_challenge(&session.viewer, id).await?;
    Ok(Redirect::to(&format!("/challenges/{id}")))
}
