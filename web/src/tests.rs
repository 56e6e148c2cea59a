//! Router tests without a socket (`Router::oneshot`): the error contract.

use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::http::{Request, StatusCode};
use axum::Router;
use node::{Node, NodeConfig};
use serde_json::Value;
use tower::ServiceExt;

use crate::{router, WebSettings};

fn app() -> (Router, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = Node::open(NodeConfig::new(dir.path(), "k.test")).expect("open");
    let settings = WebSettings {
        body_limit_bytes: 4096,
        ..WebSettings::default()
    };
    (router(Arc::new(node), settings), dir)
}

async fn call(app: &Router, method: &str, uri: &str, body: &str) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .expect("request");
    let res = app.clone().oneshot(req).await.expect("response");
    let status = res.status();
    let bytes = to_bytes(res.into_body(), 1 << 20).await.expect("body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn errors_have_one_shape_and_the_right_status() {
    let (app, _dir) = app();
    let (s, v) = call(&app, "POST", "/api/kodeon/v1/auth/register", "{not json").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(v["error"].as_str().is_some_and(|e| e.contains("malformed")));

    let (s, v) = call(
        &app,
        "POST",
        "/api/kodeon/v1/auth/register",
        r#"{"username": 5, "email": "a@b.io", "password": "password1"}"#,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["field"], "username");

    let (s, v) = call(
        &app,
        "POST",
        "/api/kodeon/v1/auth/register",
        r#"{"email": "a@b.io", "password": "password1"}"#,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["field"], "username");

    let big = format!(r#"{{"username": "{}"}}"#, "x".repeat(10_000));
    let (s, _) = call(&app, "POST", "/api/kodeon/v1/auth/register", &big).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);

    let (s, v) = call(&app, "GET", "/api/kodeon/v1/feeds/home", "").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(v["error"].is_string());

    let (s, v) = call(&app, "GET", "/api/kodeon/v1/feeds/local?limit=99", "").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["field"], "limit");

    let (s, _) = call(&app, "GET", "/api/kodeon/v1/posts/not-an-id", "").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = call(&app, "GET", "/nowhere", "").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn register_then_conflict_changes_nothing() {
    let (app, _dir) = app();
    let body = r#"{"username": "alice", "email": "alice@k.test", "password": "password123"}"#;
    let (s, v) = call(&app, "POST", "/api/kodeon/v1/auth/register", body).await;
    assert_eq!(s, StatusCode::CREATED);
    assert!(v["token"].as_str().is_some_and(|t| t.len() >= 40));
    let again = r#"{"username": "ALICE", "email": "other@k.test", "password": "password123"}"#;
    let (s, v) = call(&app, "POST", "/api/kodeon/v1/auth/register", again).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(v["field"], "username");
    let (_, node) = call(&app, "GET", "/api/kodeon/v1/node", "").await;
    assert_eq!(node["members"], 1);
}

#[tokio::test]
async fn a_panicking_handler_answers_500_and_the_router_goes_on() {
    let app: Router = Router::new()
        .route(
            "/boom",
            axum::routing::get(|| async {
                if std::hint::black_box(true) {
                    panic!("a bug in one handler");
                }
                "unreachable"
            }),
        )
        .route("/fine", axum::routing::get(|| async { "ok" }))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            super::panic_response,
        ));
    let (status, body) = call(&app, "GET", "/boom", "").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body["error"], "internal error");
    let res = app
        .clone()
        .oneshot(Request::get("/fine").body(Body::empty()).expect("request"))
        .await
        .expect("response");
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn metrics_are_served_only_to_the_bearer_of_the_metrics_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = Arc::new(Node::open(NodeConfig::new(dir.path(), "k.test")).expect("open"));
    let get = |app: Router, auth: Option<&'static str>| async move {
        let mut req = Request::get("/metrics");
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        app.oneshot(req.body(Body::empty()).expect("request"))
            .await
            .expect("response")
            .status()
    };
    // Off unless a token is configured.
    let off = router(node.clone(), WebSettings::default());
    assert_eq!(get(off, None).await, StatusCode::NOT_FOUND);
    let settings = WebSettings {
        metrics_token: Some("s3cret-scrape-token".into()),
        ..WebSettings::default()
    };
    let on = router(node, settings);
    assert_eq!(get(on.clone(), None).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        get(on.clone(), Some("Bearer wrong")).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        get(on, Some("Bearer s3cret-scrape-token")).await,
        StatusCode::OK
    );
}
