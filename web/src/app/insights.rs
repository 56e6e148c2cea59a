//! `/insights`: a member's own figures over a range (their posts' reach,
//! their courses), and `/g/{name}/report`: a group's month for its
//! owner and moderators. Each page is one node call.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use node::insights::{GroupReport, MemberInsights};
use serde::Deserialize;

use super::{render, AppError, Me, MemberSession};
use crate::public_pages::{site, Site};
use crate::routes::insights::{month_of, RangeQuery};
use crate::state::AppState;

/// The member's insights page.
#[derive(Template)]
#[template(path = "app/insights.html")]
pub struct InsightsPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    /// The viewer's username (their posts' pages are under it).
    pub username: String,
    pub insights: MemberInsights,
}

/// GET /insights?from=&to= — the viewer's own insights.
pub async fn page(
    State(s): State<AppState>,
    session: MemberSession,
    Query(q): Query<RangeQuery>,
) -> Result<Response, AppError> {
    let insights = s.node.member_insights(&session.viewer, q.range()?)?;
    let Site {
        domain,
        members,
        posts,
    } = site(&s)?;
    render(InsightsPage {
        domain,
        members,
        posts,
        username: session.me.username.clone(),
        me: Some(session.me),
        insights,
    })
}

/// `?month=YYYY-MM`.
#[derive(Deserialize)]
pub struct MonthQuery {
    #[serde(default)]
    month: Option<String>,
}

/// A group's monthly report page.
#[derive(Template)]
#[template(path = "app/groups/report.html")]
pub struct ReportPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    pub report: GroupReport,
}

/// GET /g/{name}/report?month= — the group's month (owner and
/// moderators; 403 for anyone else).
pub async fn group_report(
    State(s): State<AppState>,
    Path(name): Path<String>,
    session: MemberSession,
    Query(q): Query<MonthQuery>,
) -> Result<Response, AppError> {
    let month = month_of(q.month.as_deref())?;
    let report = s.node.group_report(&session.viewer, &name, month)?;
    let Site {
        domain,
        members,
        posts,
    } = site(&s)?;
    render(ReportPage {
        domain,
        members,
        posts,
        me: Some(session.me),
        report,
    })
}
