//! The reputation route and the admins' trust controls without a socket.

use axum::http::StatusCode;
use node::members::NewMember;
use node::model::Role;
use serde_json::json;

use crate::routes::test_api::TestApi;

/// The harness with `root` (admin), ann and carl; root attests ann `rust`
/// and ann attests carl `rust`. Returns root's full token.
async fn community(t: &TestApi) -> String {
    let root = t
        .node
        .create_member(
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
    let root_token = t.token_of(root.id, &[]).await;
    let ann = t.token("ann", &[]).await;
    t.member("carl").await;
    t.expect(
        &root_token,
        "POST",
        "/members/ann/attestations",
        Some(json!({"claim": "rust"})),
        StatusCode::CREATED,
    )
    .await;
    t.expect(
        &ann,
        "POST",
        "/members/carl/attestations",
        Some(json!({"claim": "rust"})),
        StatusCode::CREATED,
    )
    .await;
    root_token
}

#[tokio::test]
async fn reputation_answers_score_claims_and_explain_naming_the_attester() {
    let t = TestApi::new();
    let root = community(&t).await;
    let ann = t.token("ann", &["read:accounts"]).await;
    // Before any run: a zero score that says why.
    let before = t
        .expect(
            &ann,
            "GET",
            "/members/carl/reputation",
            None,
            StatusCode::OK,
        )
        .await;
    assert_eq!(before["score"], 0.0);
    assert!(before["explain"]
        .as_array()
        .expect("explain")
        .iter()
        .any(|e| e["kind"] == "not_computed"));
    let run = t
        .expect(
            &root,
            "POST",
            "/admin/trust/recompute",
            None,
            StatusCode::OK,
        )
        .await;
    assert_eq!(run["accounts"], 3);
    let rep = t
        .expect(
            &ann,
            "GET",
            "/members/carl/reputation",
            None,
            StatusCode::OK,
        )
        .await;
    let mut keys: Vec<&String> = rep.as_object().expect("object").keys().collect();
    keys.sort();
    assert_eq!(keys, vec!["claims", "explain", "score"]);
    let score = rep["score"].as_f64().expect("score");
    assert!(score > 0.0);
    assert_eq!(rep["claims"]["rust"].as_f64(), Some(score));
    let explain = rep["explain"].as_array().expect("explain");
    let attester = explain
        .iter()
        .find(|e| e["kind"] == "attester")
        .expect("an attester");
    assert_eq!(attester["account"], "ann");
    assert_eq!(attester["claim"], "rust");
    assert_eq!(attester["edge"], "attestation");
    let path = explain
        .iter()
        .find(|e| e["kind"] == "path")
        .expect("a path");
    let names: Vec<&str> = path["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .filter_map(|s| s["account"].as_str())
        .collect();
    assert_eq!(names, vec!["root", "ann", "carl"]);
    // Anyone may read it; an unknown member is a 404.
    let (status, _) = t.send(None, "GET", "/members/carl/reputation", None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = t.by(&ann, "GET", "/members/nobody/reputation").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The attestations route still answers, with its weights.
    let list = t
        .expect(
            &ann,
            "GET",
            "/members/carl/attestations",
            None,
            StatusCode::OK,
        )
        .await;
    assert_eq!(list["attestations"][0]["claim"], "rust");
}

#[tokio::test]
async fn an_admin_marks_and_unmarks_a_member_trusted() {
    let t = TestApi::new();
    let root = community(&t).await;
    let carl = t.member("carl").await.id;
    let ann = t.token("ann", &[]).await;
    let uri = format!("/admin/members/{carl}/trusted");
    // Not an admin: refused.
    let (status, _) = t.send(Some(&ann), "POST", &uri, Some(json!({}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let marked = t
        .expect(
            &root,
            "POST",
            &uri,
            Some(json!({"reason": "organiser"})),
            StatusCode::OK,
        )
        .await;
    assert_eq!(marked, json!({"member": "carl", "trusted": true}));
    let (status, _) = t.send(Some(&root), "POST", &uri, Some(json!({}))).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let standing = t.expect(&root, "GET", &uri, None, StatusCode::OK).await;
    assert!(standing["trusted"]["at"].as_i64().is_some());
    assert_eq!(standing["admin"], false);
    // The next computation makes carl a seed.
    t.expect(
        &root,
        "POST",
        "/admin/trust/recompute",
        None,
        StatusCode::OK,
    )
    .await;
    let standing = t.expect(&root, "GET", &uri, None, StatusCode::OK).await;
    assert_eq!(standing["score"]["seed"], true);
    let run = t
        .expect(&root, "GET", "/admin/trust", None, StatusCode::OK)
        .await;
    assert_eq!(run["seeds"], 2);
    let unmarked = t
        .expect(
            &root,
            "DELETE",
            &format!("{uri}?reason=left"),
            None,
            StatusCode::OK,
        )
        .await;
    assert_eq!(unmarked["trusted"], false);
    let standing = t.expect(&root, "GET", &uri, None, StatusCode::OK).await;
    assert!(standing["trusted"].is_null());
    // A malformed id is a 404; a member's token cannot recompute.
    let (status, _) = t.by(&root, "POST", "/admin/members/nope/trusted").await;
    assert!(
        status == StatusCode::NOT_FOUND || status.is_client_error(),
        "{status}"
    );
    let (status, _) = t.by(&ann, "POST", "/admin/trust/recompute").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // An OAuth token without admin scopes cannot reach the admin routes.
    let scoped = t
        .token_of(
            t.node.find_member("root").expect("find").expect("root").id,
            &["read", "write"],
        )
        .await;
    let (status, _) = t.by(&scoped, "GET", "/admin/trust").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
