//! The insights page: a date range form, charts of active members and
//! growth (server-rendered SVG from `charts.rs`), retention and top
//! tables, engagement figures, and the CSV of the same range.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use node::insights::AdminInsights;
use node::moderation::DailySeries;

use super::charts::bar_chart;
use super::templates::{Chart, Chrome, Figure};
use super::{chrome, render, AdminSession, PanelError};
use crate::routes::insights::{csv_response, RangeQuery};
use crate::state::AppState;

/// The insights page.
#[derive(Template)]
#[template(path = "admin/insights.html")]
pub struct InsightsPage {
    pub chrome: Chrome,
    pub from: String,
    pub to: String,
    pub csv_href: String,
    pub figures: Vec<Figure>,
    pub charts: Vec<Chart>,
    pub insights: AdminInsights,
    /// The retention table's rows.
    pub retention: Vec<RetentionRow>,
    /// Its columns after signup: `Week 0`, `Week 1`, ….
    pub retention_weeks: Vec<String>,
}

/// A signup cohort as the retention table shows it.
pub struct RetentionRow {
    /// The cohort's Monday.
    pub week: String,
    /// Members who signed up that week.
    pub size: i64,
    /// One cell per week after signup: active members and their share
    /// (empty for weeks not begun by the range's end).
    pub cells: Vec<String>,
}

fn series(days: &[u64], values: &[i64]) -> DailySeries {
    DailySeries {
        days: days.to_vec(),
        values: values.to_vec(),
    }
}

/// GET /admin/insights?from=&to= (admins).
pub async fn show(
    State(s): State<AppState>,
    session: AdminSession,
    Query(q): Query<RangeQuery>,
) -> Result<Response, PanelError> {
    let range = q.range()?;
    let i = s.node.admin_insights(&session.viewer, range)?;
    let days: Vec<u64> = range.days().collect();
    let charts = [
        (
            "Daily active members",
            &i.active.daily,
            "daily active members",
        ),
        (
            "Weekly active members",
            &i.active.weekly,
            "weekly active members",
        ),
        (
            "Monthly active members",
            &i.active.monthly,
            "monthly active members",
        ),
        ("Sign-ups", &i.growth.signups, "sign-ups"),
        ("Members", &i.growth.cumulative, "members"),
    ]
    .into_iter()
    .map(|(title, values, what)| Chart {
        title,
        svg: bar_chart(&series(&days, values), what),
    })
    .collect();
    let e = &i.engagement;
    let figures = [
        ("members now", i.growth.members_now.to_string()),
        ("active in the range", e.active_members.to_string()),
        ("posts", e.posts.to_string()),
        ("likes", e.likes.to_string()),
        ("boosts", e.boosts.to_string()),
        ("replies", e.replies.to_string()),
        (
            "interactions per active member",
            e.per_active_member.to_string(),
        ),
        ("interactions per post", e.per_post.to_string()),
    ]
    .into_iter()
    .map(|(label, value)| Figure { label, value })
    .collect();
    let widest = i
        .retention
        .iter()
        .map(|c| c.active.len())
        .max()
        .unwrap_or(0);
    let retention = i
        .retention
        .iter()
        .map(|c| RetentionRow {
            week: node::insights::format_day(c.week),
            size: c.size,
            cells: (0..widest)
                .map(|k| match (c.active.get(k), c.rates.get(k)) {
                    (Some(active), Some(rate)) if c.size > 0 => {
                        format!("{active} ({:.1} %)", rate * 100.0)
                    }
                    (Some(active), _) => active.to_string(),
                    _ => String::new(),
                })
                .collect(),
        })
        .collect();
    render(InsightsPage {
        chrome: chrome(&s, &session, "insights", None),
        csv_href: format!("/admin/insights.csv?from={}&to={}", i.from, i.to),
        from: i.from.clone(),
        to: i.to.clone(),
        figures,
        charts,
        retention,
        retention_weeks: (0..widest).map(|k| format!("Week {k}")).collect(),
        insights: i,
    })
}

/// GET /admin/insights.csv?from=&to= — the page's figures as a download.
pub async fn csv(
    State(s): State<AppState>,
    session: AdminSession,
    Query(q): Query<RangeQuery>,
) -> Result<Response, PanelError> {
    let i = s.node.admin_insights(&session.viewer, q.range()?)?;
    Ok(csv_response(&i).into_response())
}
