//! The panel's gamification form: shown to admins with the settings in
//! force, saved, and a bad badge rule named.

use std::sync::Arc;

use axum::http::StatusCode;
use node::members::NewMember;
use node::model::Role;
use node::{Node, NodeConfig};

use crate::test_support::send;
use crate::{router, WebSettings};

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn admins_edit_points_caps_levels_and_badge_rules() {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = Arc::new(Node::open(NodeConfig::new(dir.path(), "k.test")).expect("open"));
    node.create_member(
        NewMember {
            username: "root".into(),
            email: "root@k.test".into(),
            password: "password123".into(),
            ..NewMember::default()
        },
        Role::Admin,
    )
    .await
    .expect("admin");
    let token = node
        .login_to_panel("root", "password123")
        .await
        .expect("login")
        .0
        .token;
    let app = router(node.clone(), WebSettings::default());
    let cookie = format!("kodeon_admin={token}");
    let page = send(&app, "GET", "/admin/gamification", Some(&cookie), "").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("name=\"points.post\""), "{}", page.body);
    assert!(page.body.contains("kontributor"));
    let csrf = node.form_token(&token);
    let settings = node.gamification_settings();
    let levels = serde_json::to_string(&settings.levels).expect("json");
    let mut form = format!("csrf={csrf}");
    for a in node::gamification::Activity::ALL {
        let rule = settings.rule(a);
        let points = if a.name() == "post" {
            15
        } else {
            rule.map_or(0, |r| r.points)
        };
        form.push_str(&format!(
            "&points.{0}={points}&cap.{0}={1}",
            a.name(),
            rule.map_or(0, |r| r.daily_cap)
        ));
    }
    let bad = format!(
        "{form}&levels={}&badges={}",
        encode(&levels),
        encode(r#"[{"badge":"x","when":{"karma":{"at_least":1}}}]"#)
    );
    let refused = send(&app, "POST", "/admin/gamification", Some(&cookie), &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("badges[0].when.karma"),
        "{}",
        refused.body
    );
    let good = format!(
        "{form}&levels={}&badges={}",
        encode(&levels),
        encode(r#"[{"badge":"penulis","when":{"posts":{"at_least":1}}}]"#)
    );
    let saved = send(&app, "POST", "/admin/gamification", Some(&cookie), &good).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let now = node.gamification_settings();
    assert_eq!(
        now.rule(node::gamification::Activity::Post)
            .map(|r| r.points),
        Some(15)
    );
    assert_eq!(now.badges.len(), 1);
}
