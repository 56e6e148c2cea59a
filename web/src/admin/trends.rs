//! Trends in the admin panel (`/admin/trends`): what trends now and why,
//! each with a button that keeps it out, and the exclusions with a button
//! that lifts each. The node checks the role and writes the audit entry.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use node::ranking::TrendKind;

use super::templates::Chrome;
use super::{
    chrome, field, render, see_other, when, AdminSession, PanelError, PanelForm, PanelQuery,
};
use crate::state::AppState;

/// Items of each kind shown.
const SHOWN: usize = 20;

/// A trending item and why.
pub struct TrendRow {
    /// `tag`, `post` or `link`.
    pub kind: &'static str,
    /// The tag, post id or URL (what an exclusion names).
    pub value: String,
    /// What the page shows of it.
    pub label: String,
    /// Why it trends.
    pub why: String,
}

/// An exclusion.
pub struct ExclusionRow {
    pub kind: &'static str,
    pub value: String,
    pub reason: String,
    pub created: String,
}

/// The trends page.
#[derive(Template)]
#[template(path = "admin/trends.html")]
pub struct TrendsPage {
    pub chrome: Chrome,
    pub trending: Vec<TrendRow>,
    pub exclusions: Vec<ExclusionRow>,
}

/// GET /admin/trends
pub async fn show(
    State(s): State<AppState>,
    session: AdminSession,
    Query(q): Query<PanelQuery>,
) -> Result<Response, PanelError> {
    let v = &session.viewer;
    let exclusions = s
        .node
        .trend_exclusions(v)?
        .into_iter()
        .map(|e| ExclusionRow {
            kind: e.kind.as_str(),
            value: e.value,
            reason: e.reason,
            created: when(e.created_at),
        })
        .collect();
    let mut trending: Vec<TrendRow> = s
        .node
        .trending_tags(0, SHOWN)?
        .into_iter()
        .map(|t| TrendRow {
            kind: "tag",
            label: format!("#{}", t.name),
            value: t.name,
            why: t.explanation.words,
        })
        .collect();
    for (p, why) in s.node.trending_posts(v, 0, SHOWN)? {
        let text: String = p.source.chars().take(80).collect();
        trending.push(TrendRow {
            kind: "post",
            value: p.id.to_string(),
            label: format!("@{}: {text}", p.author.username),
            why: why.words,
        });
    }
    for l in s.node.trending_links(0, SHOWN)? {
        trending.push(TrendRow {
            kind: "link",
            label: l.url.clone(),
            value: l.url,
            why: l.explanation.words,
        });
    }
    render(TrendsPage {
        chrome: chrome(&s, &session, "trends", q.done.as_deref()),
        trending,
        exclusions,
    })
}

/// POST /admin/trends/exclude — `kind` (tag, post, link), `value`,
/// `reason` (audited).
pub async fn exclude(
    State(s): State<AppState>,
    PanelForm { session, form }: PanelForm,
) -> Result<Response, PanelError> {
    let kind = TrendKind::parse(field(&form, "kind"))?;
    s.node
        .exclude_from_trends(
            &session.viewer,
            kind,
            field(&form, "value"),
            field(&form, "reason"),
        )
        .await?;
    Ok(see_other("/admin/trends?done=trend_excluded"))
}

/// POST /admin/trends/include — `kind`, `value` (audited).
pub async fn include(
    State(s): State<AppState>,
    PanelForm { session, form }: PanelForm,
) -> Result<Response, PanelError> {
    let kind = TrendKind::parse(field(&form, "kind"))?;
    s.node
        .include_in_trends(&session.viewer, kind, field(&form, "value"))
        .await?;
    Ok(see_other("/admin/trends?done=trend_included"))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use axum::http::StatusCode;
    use node::members::NewMember;
    use node::model::{Role, Visibility};
    use node::posts::NewPost;
    use node::{Node, NodeConfig, Viewer};

    use crate::test_support::send;
    use crate::{router, WebSettings};

    #[tokio::test]
    async fn moderators_see_why_things_trend_and_exclude_them_with_the_form() {
        let dir = tempfile::tempdir().expect("tempdir");
        let node = Arc::new(Node::open(NodeConfig::new(dir.path(), "k.test")).expect("open"));
        let mut made = Vec::new();
        for (name, role) in [("moddy", Role::Moderator), ("ann", Role::Member)] {
            let m = node
                .create_member(
                    NewMember {
                        username: name.into(),
                        email: format!("{name}@k.test"),
                        password: "password123".into(),
                        ..NewMember::default()
                    },
                    role,
                )
                .await
                .expect("member");
            made.push(m);
        }
        let ann = Viewer::Member(Box::new(made[1].clone()));
        node.create_post(
            &ann,
            NewPost {
                content: "#gardening tips".into(),
                visibility: Some(
                    serde_json::to_value(Visibility::Public)
                        .expect("v")
                        .as_str()
                        .unwrap_or("public")
                        .into(),
                ),
                ..NewPost::default()
            },
        )
        .await
        .expect("post");
        let app = router(node.clone(), WebSettings::default());
        let (session, _) = node
            .login_to_panel("moddy", "password123")
            .await
            .expect("panel login");
        let cookie = format!("kodeon_admin={}", session.token);
        let csrf = node.form_token(&session.token);
        let page = send(&app, "GET", "/admin/trends", Some(&cookie), "").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("#gardening"), "{}", page.body);
        assert!(
            page.body.contains("used in 1 post over the last 7 days"),
            "{}",
            page.body
        );
        // Without the session's form token nothing changes.
        let r = send(
            &app,
            "POST",
            "/admin/trends/exclude",
            Some(&cookie),
            "kind=tag&value=gardening",
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let form = format!("csrf={csrf}&kind=tag&value=gardening&reason=off+topic");
        let r = send(&app, "POST", "/admin/trends/exclude", Some(&cookie), &form).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(node.trending_tags(0, 10).expect("tags").is_empty());
        let page = send(
            &app,
            "GET",
            "/admin/trends?done=trend_excluded",
            Some(&cookie),
            "",
        )
        .await;
        assert!(page.body.contains("It is kept out of trends."));
        assert!(
            page.body.contains("<code>gardening</code>"),
            "{}",
            page.body
        );
        let audit = send(&app, "GET", "/admin/audit", Some(&cookie), "").await;
        assert!(audit.body.contains("trends.exclude"), "{}", audit.body);
        let form = format!("csrf={csrf}&kind=tag&value=gardening");
        let r = send(&app, "POST", "/admin/trends/include", Some(&cookie), &form).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(node.trending_tags(0, 10).expect("tags").len(), 1);
    }
}
