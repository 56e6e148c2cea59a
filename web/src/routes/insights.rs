//! Community insights: the admins' figures as JSON and CSV, a member's
//! own, and a group's monthly report for its moderators.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use node::insights::{parse_month, DayRange};
use node::model::now_ms;
use node::moderation::day_of;
use serde::Deserialize;

use crate::error::ApiResult;
use crate::extract::Auth;
use crate::state::AppState;

/// Routes of the insights.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/insights", get(admin_json))
        .route("/admin/insights.csv", get(admin_csv))
        .route("/me/insights", get(mine))
        .route("/groups/{group}/report", get(group_report))
}

/// `?from=YYYY-MM-DD&to=YYYY-MM-DD` (absent: the 30 days up to today).
#[derive(Deserialize, Default)]
pub struct RangeQuery {
    /// The first day.
    #[serde(default)]
    pub from: Option<String>,
    /// The last day.
    #[serde(default)]
    pub to: Option<String>,
}

impl RangeQuery {
    /// The checked range (422 naming `from` or `to`).
    pub fn range(&self) -> node::NodeResult<DayRange> {
        DayRange::parse(self.from.as_deref(), self.to.as_deref(), day_of(now_ms()))
    }
}

/// `?month=YYYY-MM` (absent: this month).
#[derive(Deserialize)]
struct MonthQuery {
    #[serde(default)]
    month: Option<String>,
}

/// GET /api/kodeon/v1/admin/insights — the admins' figures over a range.
async fn admin_json(
    State(s): State<AppState>,
    Auth(v): Auth,
    Query(q): Query<RangeQuery>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(s.node.admin_insights(&v, q.range()?)?))
}

/// GET /api/kodeon/v1/admin/insights.csv — the same figures as a CSV
/// download (`metric,date,item,value`).
async fn admin_csv(
    State(s): State<AppState>,
    Auth(v): Auth,
    Query(q): Query<RangeQuery>,
) -> ApiResult<impl IntoResponse> {
    let insights = s.node.admin_insights(&v, q.range()?)?;
    Ok(csv_response(&insights))
}

/// The CSV of `insights` as an attachment.
pub fn csv_response(insights: &node::insights::AdminInsights) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}\"",
                    crate::insights_csv::file_name(insights)
                ),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        crate::insights_csv::render(insights),
    )
}

/// GET /api/kodeon/v1/me/insights — the viewer's own posts' reach and
/// courses over a range.
async fn mine(
    State(s): State<AppState>,
    Auth(v): Auth,
    Query(q): Query<RangeQuery>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(s.node.member_insights(&v, q.range()?)?))
}

/// GET /api/kodeon/v1/groups/{group}/report — a month of the group, for
/// its owner and moderators.
async fn group_report(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(group): Path<String>,
    Query(q): Query<MonthQuery>,
) -> ApiResult<impl IntoResponse> {
    let month = month_of(q.month.as_deref())?;
    Ok(axum::Json(s.node.group_report(&v, &group, month)?))
}

/// `YYYY-MM` checked (422 naming `month`), or this month.
pub fn month_of(text: Option<&str>) -> node::NodeResult<DayRange> {
    match text.filter(|t| !t.trim().is_empty()) {
        Some(t) => parse_month("month", t),
        None => {
            let today = node::insights::format_day(day_of(now_ms()));
            parse_month("month", today.get(..7).unwrap_or_default())
        }
    }
}

#[cfg(test)]
#[path = "insights_tests.rs"]
mod tests;
