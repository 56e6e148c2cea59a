//! Trends and recommendations in the members' app: the trends page says
//! why each item trends, the recommendations page and the home, groups,
//! events and courses pages list recommendations with their reasons.

use axum::http::StatusCode;
use node::model::Role;

use super::tests::{app_with, post_as, session, viewer};
use crate::test_support::send;
use crate::WebSettings;

#[tokio::test]
async fn trends_and_recommendations_show_their_reasons() {
    let members = [
        ("bob", Role::Member),
        ("carol", Role::Member),
        ("dave", Role::Member),
    ];
    let a = app_with(&members, |_| {}, WebSettings::default()).await;
    post_as(&a, "bob", "hello #rust", "public").await;
    post_as(&a, "dave", "secret #hidden", "followers").await;
    a.node
        .follow(&viewer(&a, "carol"), "bob")
        .await
        .expect("follow");
    a.node
        .follow(&viewer(&a, "bob"), "dave")
        .await
        .expect("follow");
    let (carol, _) = session(&a.app, "carol").await;

    let trends = send(&a.app, "GET", "/trends", Some(&carol), "").await;
    assert_eq!(trends.status, StatusCode::OK);
    assert!(
        trends.body.contains("href=\"/tags/rust\""),
        "{}",
        trends.body
    );
    assert!(
        trends
            .body
            .contains("Why: used in 1 post over the last 7 days"),
        "{}",
        trends.body
    );
    assert!(
        !trends.body.contains("#hidden"),
        "a followers-only tag trended"
    );

    let recs = send(&a.app, "GET", "/recommended?kind=people", Some(&carol), "").await;
    assert_eq!(recs.status, StatusCode::OK);
    assert!(recs.body.contains("href=\"/@dave\""), "{}", recs.body);
    assert!(
        recs.body.contains("1 person you follow follows them: bob"),
        "{}",
        recs.body
    );
    assert!(recs.body.contains("score 3 = 1 x 3"), "{}", recs.body);

    let home = send(&a.app, "GET", "/home", Some(&carol), "").await;
    assert!(home.body.contains("People to follow"), "{}", home.body);
    assert!(home.body.contains("1 person you follow follows them: bob"));
    for page in ["/groups", "/events", "/courses", "/recommended?kind=groups"] {
        let r = send(&a.app, "GET", page, Some(&carol), "").await;
        assert_eq!(r.status, StatusCode::OK, "{page}");
    }
    // Signed out: to the sign-in page.
    let r = send(&a.app, "GET", "/trends", None, "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_ranked_home_feed_is_chosen_in_the_profile_settings() {
    let members = [("bob", Role::Member), ("carol", Role::Member)];
    let a = app_with(&members, |_| {}, WebSettings::default()).await;
    a.node
        .follow(&viewer(&a, "carol"), "bob")
        .await
        .expect("follow");
    let liked = post_as(&a, "bob", "older and liked", "public").await;
    post_as(&a, "bob", "newer and quiet", "public").await;
    a.node
        .like(&viewer(&a, "carol"), liked)
        .await
        .expect("like");
    let (carol, csrf) = session(&a.app, "carol").await;
    let home = send(&a.app, "GET", "/home", Some(&carol), "").await;
    let order = |body: &str| body.find("older and liked") > body.find("newer and quiet");
    assert!(order(&home.body), "newest first by default");

    let form = send(&a.app, "GET", "/settings/profile", Some(&carol), "").await;
    assert!(form.body.contains("id=\"home_order-chronological\" name=\"home_order\" type=\"radio\" value=\"chronological\" checked"));
    let saved = send(
        &a.app,
        "POST",
        "/settings/profile",
        Some(&carol),
        &format!("csrf={csrf}&full_name=Carol&privacy=public&home_order=ranked"),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let me = a.node.find_member("carol").expect("find").expect("carol");
    assert_eq!(
        me.profile.preferences.home_order,
        node::model::HomeOrder::Ranked
    );
    let home = send(&a.app, "GET", "/home", Some(&carol), "").await;
    assert!(
        !order(&home.body),
        "the liked post comes first: {}",
        home.body
    );
}
