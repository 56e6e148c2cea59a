//! Points, leaderboard and challenges in the members' app, through the
//! router: the profile's level and badges, the points page with its
//! history, the leaderboard's tabs, a challenge joined with the form.

use axum::http::StatusCode;
use node::gamification::NewChallenge;
use node::model::{Role, Visibility};
use node::posts::NewPost;

use super::tests::{app_with, session, viewer, App};
use crate::test_support::send;
use crate::WebSettings;

async fn app() -> App {
    let members = [("bob", Role::Member), ("mod", Role::Moderator)];
    app_with(&members, |_| {}, WebSettings::default()).await
}

async fn post(a: &App, name: &str, content: &str) {
    let v = serde_json::to_value(Visibility::Public).expect("json");
    a.node
        .create_post(
            &viewer(a, name),
            NewPost {
                content: content.into(),
                visibility: v.as_str().map(str::to_string),
                ..NewPost::default()
            },
        )
        .await
        .expect("post");
}

#[tokio::test]
async fn the_profile_shows_level_and_badges_and_the_points_page_the_history() {
    let a = app().await;
    post(&a, "bob", "hello").await;
    let profile = send(&a.app, "GET", "/@bob", None, "").await;
    assert_eq!(profile.status, StatusCode::OK);
    assert!(
        profile
            .body
            .contains("Level: <strong>Beginner</strong> · 10 points"),
        "{}",
        profile.body
    );
    assert!(profile.body.contains("Badges: Newcomer"));
    let (bob, _) = session(&a.app, "bob").await;
    let page = send(&a.app, "GET", "/points/bob", Some(&bob), "").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("post: 10 points"), "{}", page.body);
    assert!(page.body.contains("91 more for Intermediate"));
    let (moderator, _) = session(&a.app, "mod").await;
    let theirs = send(&a.app, "GET", "/points/bob", Some(&moderator), "").await;
    assert!(theirs.body.contains("post: 10 points"), "moderators see it");
}

#[tokio::test]
async fn the_leaderboard_has_period_tabs_and_a_group_filter() {
    let a = app().await;
    post(&a, "bob", "hello").await;
    let (bob, _) = session(&a.app, "bob").await;
    let page = send(&a.app, "GET", "/leaderboard?period=week", Some(&bob), "").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("href=\"/points/bob\""), "{}", page.body);
    assert!(page.body.contains("aria-current=\"page\">This week"));
    let bad = send(&a.app, "GET", "/leaderboard?period=year", Some(&bob), "").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    send(&a.app, "GET", "/leaderboard", None, "")
        .await
        .assert_to_sign_in();
}

#[tokio::test]
async fn a_challenge_is_joined_with_its_form_and_shows_progress() {
    let a = app().await;
    let c = a
        .node
        .create_challenge(
            &viewer(&a, "mod"),
            NewChallenge {
                title: "Say hello twice".into(),
                metric: "posts".into(),
                target: 2,
                ends_at: jiff::Timestamp::now()
                    .checked_add(jiff::SignedDuration::from_hours(48))
                    .expect("time")
                    .to_string(),
                reward_points: 5,
                ..NewChallenge::default()
            },
        )
        .await
        .expect("challenge");
    let (bob, csrf) = session(&a.app, "bob").await;
    let list = send(&a.app, "GET", "/challenges", Some(&bob), "").await;
    assert!(list.body.contains("Say hello twice"));
    let one = send(
        &a.app,
        "GET",
        &format!("/challenges/{}", c.id),
        Some(&bob),
        "",
    )
    .await;
    assert!(one
        .body
        .contains(&format!("action=\"/challenges/{}/join\"", c.id)));
    let forged = send(
        &a.app,
        "POST",
        &format!("/challenges/{}/join", c.id),
        Some(&bob),
        "csrf=nope",
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let joined = send(
        &a.app,
        "POST",
        &format!("/challenges/{}/join", c.id),
        Some(&bob),
        &format!("csrf={csrf}"),
    )
    .await;
    assert_eq!(joined.status, StatusCode::SEE_OTHER);
    post(&a, "bob", "hello").await;
    let one = send(
        &a.app,
        "GET",
        &format!("/challenges/{}", c.id),
        Some(&bob),
        "",
    )
    .await;
    assert!(
        one.body.contains("posts: 1 of 2 since joining"),
        "{}",
        one.body
    );
    assert!(!one.body.contains("/join\""), "no second join form");
}
