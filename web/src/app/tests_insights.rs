//! The members' app's insights pages through the router (no socket): a
//! member's own page and its menu link, a group's report for its
//! moderators only.

use axum::http::StatusCode;
use node::groups::NewGroup;

use super::tests::{app, post_as, session, viewer};
use crate::test_support::send;

#[tokio::test]
async fn a_member_sees_their_own_insights_from_the_menu() {
    let a = app().await;
    post_as(&a, "bob", "Bob's reachable post", "public").await;
    post_as(&a, "carol", "Carol's post", "public").await;
    let (bob, _) = session(&a.app, "bob").await;
    let home = send(&a.app, "GET", "/home", Some(&bob), "").await;
    assert!(home.body.contains(r#"<a href="/insights">Insights</a>"#));
    let r = send(&a.app, "GET", "/insights", Some(&bob), "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Bob&#39;s reachable post") || r.body.contains("Bob's reachable post"));
    assert!(!r.body.contains("Carol"), "only bob's own posts");
    assert!(r.body.contains("1 posts from"));
    let r = send(&a.app, "GET", "/insights?from=someday", Some(&bob), "").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = send(&a.app, "GET", "/insights", None, "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "visitors sign in first");
}

#[tokio::test]
async fn a_groups_report_page_is_for_its_moderators() {
    let a = app().await;
    a.node
        .create_group(
            &viewer(&a, "bob"),
            NewGroup {
                name: "makers".into(),
                ..NewGroup::default()
            },
        )
        .await
        .expect("group");
    let (bob, _) = session(&a.app, "bob").await;
    let (carol, _) = session(&a.app, "carol").await;
    let moderation = send(&a.app, "GET", "/g/makers/moderation", Some(&bob), "").await;
    assert!(moderation.body.contains(r#"href="/g/makers/report""#));
    let r = send(&a.app, "GET", "/g/makers/report", Some(&bob), "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("new members"));
    assert!(r.body.contains("events held"));
    let r = send(
        &a.app,
        "GET",
        "/g/makers/report?month=2024-02",
        Some(&bob),
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("makers: 2024-02"));
    let r = send(&a.app, "GET", "/g/makers/report", Some(&carol), "").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(
        &a.app,
        "GET",
        "/g/makers/report?month=02-2024",
        Some(&bob),
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}
