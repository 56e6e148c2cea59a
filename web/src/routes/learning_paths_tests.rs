//! The learning paths routes without a socket: a path planned and saved,
//! its JSON fields, progress, 422s naming their fields, another member's
//! 404s, scopes.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::routes::test_api::TestApi;

/// The harness, with what these tests ask of it.
struct App(TestApi);

impl App {
    async fn token(&self, name: &str, scopes: &[&str]) -> String {
        self.0.token(name, scopes).await
    }

    /// `method uri` (under the API prefix) by the holder of `token`.
    async fn call(
        &self,
        token: &str,
        method: &str,
        uri: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.0.send(Some(token), method, uri, body).await
    }

    /// A published course by the holder of `token`: its id.
    async fn course(&self, token: &str, body: Value) -> String {
        let (status, v) = self.call(token, "POST", "/courses", Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
        v["course"]["id"].as_str().expect("id").to_string()
    }
}

fn app() -> App {
    App(TestApi::new())
}

#[tokio::test]
async fn a_path_is_planned_saved_followed_and_deleted() {
    let a = app();
    let bob = a.token("bob", &[]).await;
    let carol = a.token("carol", &[]).await;
    let dave = a.token("dave", &[]).await;
    let basics = a
        .course(
            &bob,
            json!({"title": "Rust I", "status": "published", "tags": ["rust"], "duration": 120, "level": "beginner"}),
        )
        .await;
    let advanced = a
        .course(
            &bob,
            json!({"title": "Rust II", "status": "published", "tags": ["async"], "duration": 240,
                   "prerequisites": [basics, "https://far.test/courses/ownership"]}),
        )
        .await;

    // Planning only: 200, nothing kept.
    let (status, plan) = a
        .call(
            &carol,
            "POST",
            "/learning-paths",
            Some(json!({"goal_skills": ["Rust", "cobol"], "goal_course": advanced})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    assert!(plan.get("id").is_none(), "{plan}");
    let steps = plan["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 3, "{plan}");
    assert_eq!(steps[0]["course"]["id"], basics.as_str());
    assert_eq!(steps[0]["course"]["kind"], "local");
    assert_eq!(
        steps[0]["course"]["url"],
        format!("https://k.test/courses/{basics}")
    );
    assert_eq!(steps[0]["course"]["title"], "Rust I");
    assert_eq!(steps[0]["course"]["minutes"], 120);
    assert_eq!(steps[0]["course"]["level"], "beginner");
    assert_eq!(
        steps[0]["reason"],
        "teaches the goal skill rust; prerequisite of Rust II"
    );
    assert_eq!(steps[0]["reasons"][0]["kind"], "goal_skill");
    assert_eq!(steps[0]["reasons"][1]["kind"], "prerequisite_of");
    assert_eq!(steps[0]["reasons"][1]["course"], advanced.as_str());
    assert_eq!(steps[1]["course"]["kind"], "remote");
    assert_eq!(
        steps[1]["course"]["url"],
        "https://far.test/courses/ownership"
    );
    assert_eq!(steps[2]["reasons"][0]["kind"], "goal_course");
    assert_eq!(steps[2]["position"], 3);
    assert_eq!(plan["total_minutes"], 360);
    assert_eq!(plan["uncovered_skills"], json!(["cobol"]));
    assert_eq!(plan["goal_skills"], json!(["rust", "cobol"]));
    assert_eq!(plan["skipped"], json!([]));
    let (_, list) = a.call(&carol, "GET", "/learning-paths", None).await;
    assert_eq!(list, json!([]));

    // Saved: 201 with its id.
    let (status, saved) = a
        .call(
            &carol,
            "POST",
            "/learning-paths",
            Some(json!({"goal_course": advanced, "save": true})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{saved}");
    let id = saved["id"].as_str().expect("id").to_string();

    let (status, enrolled) = a
        .call(&carol, "POST", &format!("/courses/{basics}/enrol"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{enrolled}");
    let (status, view) = a
        .call(&carol, "GET", &format!("/learning-paths/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["steps"][0]["state"], "in_progress");
    assert_eq!(view["steps"][0]["percent"], 0);
    assert_eq!(view["steps"][0]["enrolment"], "enrolled");
    assert_eq!(view["steps"][1]["state"], "not_started");
    assert_eq!(
        (&view["steps_done"], &view["steps_total"], &view["percent"]),
        (&json!(0), &json!(3), &json!(0))
    );
    let (_, list) = a.call(&carol, "GET", "/learning-paths", None).await;
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(list[0]["id"], id.as_str());
    assert_eq!(list[0]["title"], "Rust II");

    // Another member: 404 for reading and deleting; their list is empty.
    let (status, _) = a
        .call(&dave, "GET", &format!("/learning-paths/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = a
        .call(&dave, "DELETE", &format!("/learning-paths/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = a.call(&dave, "GET", "/learning-paths", None).await;
    assert_eq!(list, json!([]));

    let (status, _) = a
        .call(&carol, "DELETE", &format!("/learning-paths/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = a
        .call(&carol, "GET", &format!("/learning-paths/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_goals_are_422s_naming_their_field() {
    let a = app();
    let carol = a.token("carol", &[]).await;
    let many: Vec<String> = (0..21).map(|i| format!("skill{i}")).collect();
    for (body, field) in [
        (json!({}), "goal_skills"),
        (json!({"goal_skills": []}), "goal_skills"),
        (json!({"goal_skills": ["no spaces?"]}), "goal_skills"),
        (json!({"goal_skills": many}), "goal_skills"),
        (
            json!({"goal_course": "01JZZZZZZZZZZZZZZZZZZZZZZZ"}),
            "goal_course",
        ),
        (json!({"goal_course": "nonsense"}), "goal_course"),
    ] {
        let (status, err) = a
            .call(&carol, "POST", "/learning-paths", Some(body.clone()))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {err}");
        assert_eq!(err["field"], field, "{body}: {err}");
        let (_, list) = a.call(&carol, "GET", "/learning-paths", None).await;
        assert_eq!(list, json!([]), "nothing kept");
    }
}

#[tokio::test]
async fn reading_needs_read_and_planning_needs_write() {
    let a = app();
    let reader = a.token("carol", &["read"]).await;
    let (status, _) = a.call(&reader, "GET", "/learning-paths", None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = a
        .call(
            &reader,
            "POST",
            "/learning-paths",
            Some(json!({"goal_skills": ["rust"]})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let writer = a.token("carol", &["read", "write"]).await;
    let (status, plan) = a
        .call(
            &writer,
            "POST",
            "/learning-paths",
            Some(json!({"goal_skills": ["rust"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    assert_eq!(plan["uncovered_skills"], json!(["rust"]));
}
