//! Gamification settings in the panel (`/admin/gamification`): points and
//! daily caps per activity as numbers, levels and badge rules as JSON an
//! admin edits (the node checks them and names the field at fault).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use node::gamification::Activity;

use super::templates::Chrome;
use super::{chrome, field, render, see_other, AdminSession, PanelError, PanelForm, PanelQuery};
use crate::state::AppState;

/// One activity's row of the form.
pub struct ActivityRow {
    /// Activity name (`post`).
    pub name: &'static str,
    /// Whole points.
    pub points: u32,
    /// Daily cap (0: none).
    pub daily_cap: u32,
}

/// The settings page.
#[derive(Template)]
#[template(path = "admin/gamification.html")]
pub struct GamificationPage {
    pub chrome: Chrome,
    pub activities: Vec<ActivityRow>,
    /// Levels as pretty JSON.
    pub levels: String,
    /// Badge rules as pretty JSON.
    pub badges: String,
    /// Metric names badge rules may use.
    pub metrics: String,
}

/// GET /admin/gamification
pub async fn show(
    State(s): State<AppState>,
    session: AdminSession,
    Query(q): Query<PanelQuery>,
) -> Result<Response, PanelError> {
    let settings = s.node.gamification_settings();
    let activities = Activity::ALL
        .into_iter()
        .map(|a| {
            let rule = settings.rule(a);
            ActivityRow {
                name: a.name(),
                points: rule.map_or(0, |r| r.points),
                daily_cap: rule.map_or(0, |r| r.daily_cap),
            }
        })
        .collect();
    render(GamificationPage {
        chrome: chrome(&s, &session, "settings", q.done.as_deref()),
        activities,
        levels: serde_json::to_string_pretty(&settings.levels).unwrap_or_default(),
        badges: serde_json::to_string_pretty(&settings.badges).unwrap_or_default(),
        metrics: node::gamification::metric_names().join(", "),
    })
}

fn whole(form: &std::collections::HashMap<String, String>, name: &str) -> Result<u32, PanelError> {
    let text = field(form, name).trim();
    if text.is_empty() {
        return Ok(0);
    }
    text.parse().map_err(|_| {
        PanelError::Page(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("{name}: must be a whole number"),
        )
    })
}

/// POST /admin/gamification — every activity's points and cap, the levels
/// and badge rules as JSON; the node validates and names a bad field.
pub async fn save(
    State(s): State<AppState>,
    PanelForm { session, form }: PanelForm,
) -> Result<Response, PanelError> {
    let mut activities = serde_json::Map::new();
    for a in Activity::ALL {
        activities.insert(
            a.name().to_string(),
            serde_json::json!({
                "points": whole(&form, &format!("points.{}", a.name()))?,
                "daily_cap": whole(&form, &format!("cap.{}", a.name()))?,
            }),
        );
    }
    let json_of = |name: &str| -> Result<serde_json::Value, PanelError> {
        serde_json::from_str(field(&form, name)).map_err(|e| {
            PanelError::Page(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("{name}: not valid JSON ({e})"),
            )
        })
    };
    let value = serde_json::json!({
        "activities": activities,
        "levels": json_of("levels")?,
        "badges": json_of("badges")?,
    });
    s.node
        .update_gamification_settings(&session.viewer, value)
        .await?;
    Ok(see_other("/admin/gamification?done=settings"))
}
