//! The harness of the Kodeon API's route tests: a node in a temporary
//! directory behind the whole router, members with tokens, and requests
//! answered as status, headers and body.

use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use node::members::NewMember;
use node::model::Member;
use node::{Id, Node, NodeConfig, Viewer};
use serde_json::Value;
use tower::ServiceExt;

use crate::{router, WebSettings};

/// Where the Kodeon API's routes are.
const API: &str = "/api/kodeon/v1";

/// A node on `k.test` and its router.
pub(super) struct TestApi {
    pub(super) router: Router,
    pub(super) node: Arc<Node>,
    _dir: tempfile::TempDir,
}

/// An answer to a request.
pub(super) struct Answer {
    pub(super) status: StatusCode,
    pub(super) headers: HeaderMap,
    pub(super) body: String,
}

impl Answer {
    /// The body as JSON (null if it is not).
    pub(super) fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// The `Content-Type` header ("" without one).
    pub(super) fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

impl TestApi {
    /// A node in a fresh temporary directory.
    pub(super) fn new() -> TestApi {
        let dir = tempfile::tempdir().expect("tempdir");
        let node = Arc::new(Node::open(NodeConfig::new(dir.path(), "k.test")).expect("open"));
        TestApi {
            router: router(node.clone(), WebSettings::default()),
            node,
            _dir: dir,
        }
    }

    /// The member `name`, registered on first use.
    pub(super) async fn member(&self, name: &str) -> Member {
        if let Some(m) = self.node.find_member(name).expect("find") {
            return m;
        }
        self.node
            .register(NewMember {
                username: name.into(),
                email: format!("{name}@k.test"),
                password: "password123".into(),
                ..NewMember::default()
            })
            .await
            .expect("register")
    }

    /// The member `name` as a viewer, registered on first use.
    pub(super) async fn viewer(&self, name: &str) -> Viewer {
        Viewer::Member(Box::new(self.member(name).await))
    }

    /// A token of the member `id` with `scopes` (empty: a full login).
    pub(super) async fn token_of(&self, id: Id, scopes: &[&str]) -> String {
        let scopes = scopes.iter().map(|s| s.to_string()).collect();
        self.node
            .issue_scoped_token(id, "test", None, scopes)
            .await
            .expect("token")
            .token
    }

    /// A token of the member `name` (registered on first use) with
    /// `scopes` (empty: a full login).
    pub(super) async fn token(&self, name: &str, scopes: &[&str]) -> String {
        let id = self.member(name).await.id;
        self.token_of(id, scopes).await
    }

    /// A bodiless `method uri` (a full path) by the holder of `token`.
    pub(super) async fn request(&self, token: Option<&str>, method: &str, uri: &str) -> Answer {
        self.request_json(token, method, uri, None).await
    }

    /// `method uri` (a full path) by the holder of `token`, with a JSON
    /// body if given.
    pub(super) async fn request_json(
        &self,
        token: Option<&str>,
        method: &str,
        uri: &str,
        body: Option<Value>,
    ) -> Answer {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let body = match body {
            Some(b) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Body::from(b.to_string())
            }
            None => Body::empty(),
        };
        self.exchange(req.body(body).expect("request")).await
    }

    /// Sends `req` through the router.
    pub(super) async fn exchange(&self, req: Request<Body>) -> Answer {
        let res = self.router.clone().oneshot(req).await.expect("response");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = to_bytes(res.into_body(), 1 << 22).await.expect("body");
        Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// `method` on the Kodeon API's `uri` (under `/api/kodeon/v1`): the
    /// status, the body as JSON (null if it is not) and as text.
    pub(super) async fn call(
        &self,
        token: Option<&str>,
        method: &str,
        uri: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value, String) {
        let answer = self
            .request_json(token, method, &format!("{API}{uri}"), body)
            .await;
        (answer.status, answer.json(), answer.body)
    }

    /// As [`TestApi::call`], without the text.
    pub(super) async fn send(
        &self,
        token: Option<&str>,
        method: &str,
        uri: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let (status, value, _) = self.call(token, method, uri, body).await;
        (status, value)
    }

    /// A bodiless `method` on the Kodeon API's `uri` by the holder of
    /// `token`.
    pub(super) async fn by(&self, token: &str, method: &str, uri: &str) -> (StatusCode, Value) {
        self.send(Some(token), method, uri, None).await
    }

    /// As [`TestApi::call`] by the holder of `token`, asserting `status`;
    /// the body.
    pub(super) async fn expect(
        &self,
        token: &str,
        method: &str,
        uri: &str,
        body: Option<Value>,
        status: StatusCode,
    ) -> Value {
        let (got, value, text) = self.call(Some(token), method, uri, body).await;
        assert_eq!(got, status, "{method} {uri}: {text}");
        value
    }
}
