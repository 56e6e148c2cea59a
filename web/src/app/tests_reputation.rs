//! The reputation page and the profile page's summary (no socket).

use axum::http::StatusCode;
use node::model::Role;

use crate::app::tests::{app_with, session, viewer};
use crate::test_support::send;
use crate::WebSettings;

#[tokio::test]
async fn the_reputation_page_says_the_score_and_why() {
    let members = [
        ("root", Role::Admin),
        ("ann", Role::Member),
        ("carl", Role::Member),
    ];
    let a = app_with(&members, |_| {}, WebSettings::default()).await;
    a.node
        .attest(&viewer(&a, "root"), "ann", "rust", "")
        .await
        .expect("attest");
    a.node
        .attest(&viewer(&a, "ann"), "carl", "rust", "")
        .await
        .expect("attest");
    a.node
        .clone()
        .recompute_trust_now(&viewer(&a, "root"))
        .await
        .expect("run");
    let rep = a.node.explained_reputation("carl").expect("reputation");
    let page = send(&a.app, "GET", "/reputation/carl", None, "").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Reputation of carl"));
    assert!(
        page.body.contains(&format!("{:.0}", rep.score)),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("ann attested rust (skill)"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("root —attests rust→ ann —attests rust→ carl"),
        "{}",
        page.body
    );
    // The profile settings page shows the member's own, with the link.
    let (carl, _) = session(&a.app, "carl").await;
    let profile = send(&a.app, "GET", "/settings/profile", Some(&carl), "").await;
    assert_eq!(profile.status, StatusCode::OK);
    assert!(profile.body.contains("reputation-score"));
    assert!(profile.body.contains("href=\"/reputation/carl\""));
    assert!(profile.body.contains("Why"));
    let missing = send(&a.app, "GET", "/reputation/nobody", None, "").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}
