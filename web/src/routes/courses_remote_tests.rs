//! Courses across servers through the routes: a course of another server
//! shown with its `remote` part and enrolled in (`pending` until its
//! server answers), the lookup's bad input, the course object served to
//! other servers, and the node's key on its instance actor.

use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::http::{Request, StatusCode};
use axum::Router;
use node::courses::{EnrolmentMode, RemoteCourseInput};
use node::members::NewMember;
use node::remote::RemoteActor;
use node::{Node, NodeConfig, Viewer};
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::{router, WebSettings};

struct App {
    router: Router,
    node: Arc<Node>,
    _dir: tempfile::TempDir,
}

fn app() -> App {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = Arc::new(Node::open(NodeConfig::new(dir.path(), "k.test")).expect("open"));
    App {
        router: router(node.clone(), WebSettings::default()),
        node,
        _dir: dir,
    }
}

impl App {
    /// Registers `name`; the member and a full-login token.
    async fn member(&self, name: &str) -> (node::model::Member, String) {
        let member = self
            .node
            .register(NewMember {
                username: name.into(),
                email: format!("{name}@k.test"),
                password: "password123".into(),
                ..NewMember::default()
            })
            .await
            .expect("register");
        let token = self
            .node
            .issue_scoped_token(member.id, "test", None, Vec::new())
            .await
            .expect("token")
            .token;
        (member, token)
    }

    /// `method path` with an optional token, `Accept` and JSON body.
    async fn call(
        &self,
        token: Option<&str>,
        method: &str,
        path: &str,
        accept: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        if let Some(a) = accept {
            req = req.header("accept", a);
        }
        let body = match body {
            Some(b) => {
                req = req.header("content-type", "application/json");
                Body::from(b.to_string())
            }
            None => Body::empty(),
        };
        let res = self
            .router
            .clone()
            .oneshot(req.body(body).expect("request"))
            .await
            .expect("response");
        let status = res.status();
        let bytes = to_bytes(res.into_body(), 1 << 20).await.expect("body");
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }
}

#[tokio::test]
async fn a_course_of_another_server_shows_its_remote_part_and_enrolment_waits_for_its_answer() {
    let app = app();
    let (_, token) = app.member("bob").await;
    let ann = app
        .node
        .upsert_remote_actor(RemoteActor::person("https://far.test/users/ann", "ann"))
        .await
        .expect("ann");
    let id = app
        .node
        .store_remote_course(
            &ann,
            RemoteCourseInput {
                title: "Compost".into(),
                summary: "Course, beginner".into(),
                description_html: "<p>Heaps.</p>".into(),
                level: None,
                category: None,
                tags: Vec::new(),
                duration_minutes: Some(90),
                modules: Some(1),
                lessons: Some(3),
                enrolment: EnrolmentMode::Open,
                capacity: None,
                price: None,
                certificate: true,
                archived: false,
                prerequisites: Vec::new(),
                instructors: Vec::new(),
                uri: "https://far.test/users/ann/courses/1".into(),
                url: "https://far.test/courses/1".into(),
            },
        )
        .await
        .expect("stored");
    let path = format!("/api/kodeon/v1/courses/{id}");
    let (status, body) = app.call(Some(&token), "GET", &path, None, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["title"], "Compost");
    assert_eq!(body["remote"]["host"], "far.test");
    assert_eq!(body["remote"]["url"], "https://far.test/courses/1");
    assert_eq!(body["my_enrolment"], Value::Null);

    let (status, body) = app
        .call(Some(&token), "POST", &format!("{path}/enrol"), None, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "pending");
    let (_, body) = app.call(Some(&token), "GET", &path, None, None).await;
    assert_eq!(body["my_enrolment"], "pending");
}

#[tokio::test]
async fn a_lookup_takes_an_http_url_from_a_signed_in_member_only() {
    let app = app();
    let (_, token) = app.member("bob").await;
    let (status, _) = app
        .call(
            None,
            "POST",
            "/api/kodeon/v1/courses/lookup",
            None,
            Some(json!({"url": "https://far.test/courses/1"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = app
        .call(
            Some(&token),
            "POST",
            "/api/kodeon/v1/courses/lookup",
            None,
            Some(json!({"url": "not a url"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("url"), "{body}");
}

#[tokio::test]
async fn the_course_object_is_served_to_other_servers_and_the_instance_actor_publishes_the_node_key(
) {
    let app = app();
    let (ann, _) = app.member("ann").await;
    let view = app
        .node
        .create_course(
            &Viewer::Member(Box::new(ann)),
            node::courses::NewCourse {
                title: "Soil".into(),
                status: Some("published".into()),
                ..node::courses::NewCourse::default()
            },
        )
        .await
        .expect("course");
    let id = view.course.id;
    let (status, object) = app
        .call(
            None,
            "GET",
            &format!("/users/ann/courses/{id}"),
            Some("application/activity+json"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{object}");
    assert_eq!(object["type"], "Article");
    assert_eq!(object["name"], "Soil");
    assert_eq!(object["enrolmentMode"], "open");
    let (status, _) = app
        .call(
            None,
            "GET",
            &format!("/users/someone/courses/{id}"),
            Some("application/activity+json"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "only under its own actor");

    let (status, actor) = app
        .call(
            None,
            "GET",
            "/actor",
            Some("application/activity+json"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let key = actor["assertionMethod"][0]["publicKeyMultibase"]
        .as_str()
        .expect("key");
    assert_eq!(key, app.node.node_keys().ed25519_public.to_multikey());
}
