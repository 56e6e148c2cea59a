//! The courses routes without a socket: a course taught and completed
//! end to end, statuses, JSON shapes, scopes.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::routes::test_api::TestApi;

fn app() -> TestApi {
    TestApi::new()
}

/// The `"id"` of a JSON object (a course view's is under `course`).
fn id_of(v: &Value) -> String {
    v.get("course")
        .and_then(|c| c.get("id"))
        .or_else(|| v.get("id"))
        .and_then(Value::as_str)
        .expect("an id")
        .to_string()
}

/// A course with two modules, a prerequisite, an auto-graded quiz and a
/// reviewed assignment: a member is refused until they complete the
/// prerequisite, fails the quiz once, passes it, has the assignment
/// reviewed and completes the course, then rates it.
#[tokio::test]
async fn a_member_fails_once_passes_and_completes_a_course() {
    let app = app();
    let ana = app.token("ana", &[]).await;
    let bo = app.token("bo", &[]).await;
    const C: StatusCode = StatusCode::CREATED;
    const OK: StatusCode = StatusCode::OK;

    // The prerequisite: one lesson.
    let basics = app
        .expect(
            &ana,
            "POST",
            "/courses",
            Some(json!({"title": "Rust basics", "level": "beginner", "category": "programming"})),
            C,
        )
        .await;
    let basics = id_of(&basics);
    let m = app
        .expect(
            &ana,
            "POST",
            &format!("/courses/{basics}/modules"),
            Some(json!({"title": "Start"})),
            C,
        )
        .await;
    let intro = app
        .expect(
            &ana,
            "POST",
            &format!("/modules/{}/lessons", id_of(&m)),
            Some(json!({"title": "Hello", "body": "Say *hello*.", "minutes": 5})),
            C,
        )
        .await;
    app.expect(
        &ana,
        "POST",
        &format!("/courses/{basics}/publish"),
        None,
        OK,
    )
    .await;

    // The course, with the contract's body.
    let course = app
        .expect(
            &ana,
            "POST",
            "/courses",
            Some(json!({
                "title": "Async Rust", "description": "Futures and **tasks**.",
                "level": "intermediate", "category": "programming", "tags": ["rust", "async"],
                "prerequisites": [basics], "enrolment": "open", "capacity": 30,
                "certificate": true
            })),
            C,
        )
        .await;
    assert_eq!(course["course"]["status"], "draft");
    assert_eq!(course["course"]["prerequisites"][0]["id"], basics.as_str());
    let course = id_of(&course);
    let m1 = id_of(
        &app.expect(
            &ana,
            "POST",
            &format!("/courses/{course}/modules"),
            Some(json!({"title": "Futures"})),
            C,
        )
        .await,
    );
    let m2 = id_of(
        &app.expect(
            &ana,
            "POST",
            &format!("/courses/{course}/modules"),
            Some(json!({"title": "Tasks"})),
            C,
        )
        .await,
    );
    let mut lessons = Vec::new();
    for (module, title) in [(&m1, "Poll"), (&m1, "Wakers"), (&m2, "Spawning")] {
        let l = app
            .expect(
                &ana,
                "POST",
                &format!("/courses/{course}/modules/{module}/lessons"),
                Some(json!({"title": title, "body": "Read this.", "minutes": 10})),
                C,
            )
            .await;
        lessons.push(id_of(&l));
    }
    let quiz = app
        .expect(
            &ana,
            "POST",
            &format!("/courses/{course}/modules/{m1}/assessments"),
            Some(json!({
                "title": "Futures quiz", "passing_score": 70, "max_attempts": 3,
                "questions": [
                    {"kind": "single", "prompt": "A future does nothing until", "choices": ["polled", "dropped"], "answer": 0, "points": 1},
                    {"kind": "multiple", "prompt": "Executors", "choices": ["tokio", "serde", "smol"], "answer": [0, 2], "points": 1},
                    {"kind": "short", "prompt": "The trait", "answer": "Future", "points": 1},
                    {"kind": "numeric", "prompt": "Size of () in bytes", "answer": 0, "tolerance": 0, "points": 1}
                ]
            })),
            C,
        )
        .await;
    assert_eq!(quiz["questions"][0]["answer"], 0, "the author sees answers");
    let quiz = id_of(&quiz);
    let assignment = app
        .expect(
            &ana,
            "POST",
            &format!("/courses/{course}/modules/{m2}/assessments"),
            Some(json!({
                "title": "Write an executor", "passing_score": 50,
                "questions": [{"kind": "code", "prompt": "A block_on", "points": 10}]
            })),
            C,
        )
        .await;
    let assignment = id_of(&assignment);
    let view = app
        .expect(
            &ana,
            "POST",
            &format!("/courses/{course}/publish"),
            None,
            OK,
        )
        .await;
    assert_eq!(view["course"]["status"], "published");
    assert_eq!(view["outline"].as_array().map(Vec::len), Some(2));

    // The catalogue filters.
    let (_, found, _) = app
        .call(
            None,
            "GET",
            "/courses?q=futures&level=intermediate&category=programming",
            None,
        )
        .await;
    let found: Vec<&str> = found
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(found, vec![course.as_str()]);
    let (_, none, _) = app.call(None, "GET", "/courses?level=advanced", None).await;
    assert_eq!(none, json!([]));

    // Prerequisite first: a 409 naming it, then completing it.
    let (status, err, _) = app
        .call(Some(&bo), "POST", &format!("/courses/{course}/enrol"), None)
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(err["field"], "prerequisites");
    let e = app
        .expect(&bo, "POST", &format!("/courses/{basics}/enrol"), None, OK)
        .await;
    assert_eq!(e["state"], "enrolled");
    let p = app
        .expect(
            &bo,
            "POST",
            &format!("/lessons/{}/done", id_of(&intro)),
            None,
            OK,
        )
        .await;
    assert!(p["completion"].is_object(), "{p}");
    let e = app
        .expect(&bo, "POST", &format!("/courses/{course}/enrol"), None, OK)
        .await;
    assert_eq!(e["state"], "enrolled");

    // The quiz as a taker sees it: no answers.
    let (status, taker, text) = app
        .call(Some(&bo), "GET", &format!("/assessments/{quiz}"), None)
        .await;
    assert_eq!(status, OK);
    assert_eq!(taker["questions"][0]["choices"][1], "dropped");
    assert!(!text.contains("\"answer"), "{text}");
    assert!(!text.contains("accepted"), "{text}");
    let (status, _, _) = app
        .call(Some(&bo), "GET", &format!("/assessments/{quiz}/key"), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Fails once, then passes.
    let fail = app
        .expect(
            &bo,
            "POST",
            &format!("/assessments/{quiz}/attempts"),
            Some(json!({"answers": [1, [0], "Stream", 3]})),
            C,
        )
        .await;
    assert_eq!(fail["passed"], false);
    assert_eq!(fail["score"], 0.0);
    assert_eq!(fail["feedback"].as_array().map(Vec::len), Some(4));
    let pass = app
        .expect(
            &bo,
            "POST",
            &format!("/assessments/{quiz}/attempts"),
            Some(json!({"answers": [0, [0, 2], " future ", 0]})),
            C,
        )
        .await;
    assert_eq!(pass["passed"], true, "{pass}");
    assert_eq!(pass["score"], 100.0);
    let attempts = app
        .expect(
            &bo,
            "GET",
            &format!("/assessments/{quiz}/attempts"),
            None,
            OK,
        )
        .await;
    assert_eq!(attempts.as_array().map(Vec::len), Some(2));

    // Lessons, by both routes; undone and done again.
    app.expect(
        &bo,
        "POST",
        &format!("/courses/{course}/lessons/{}/done", lessons[0]),
        None,
        OK,
    )
    .await;
    app.expect(
        &bo,
        "POST",
        &format!("/lessons/{}/done", lessons[1]),
        None,
        OK,
    )
    .await;
    let p = app
        .expect(
            &bo,
            "DELETE",
            &format!("/lessons/{}/done", lessons[1]),
            None,
            OK,
        )
        .await;
    assert_eq!(p["lessons_done"], 1);
    app.expect(
        &bo,
        "POST",
        &format!("/lessons/{}/done", lessons[1]),
        None,
        OK,
    )
    .await;
    let p = app
        .expect(
            &bo,
            "POST",
            &format!("/lessons/{}/done", lessons[2]),
            None,
            OK,
        )
        .await;
    assert_eq!(p["percent"], 100);
    assert!(
        p["completion"].is_null(),
        "the assignment is not reviewed yet"
    );
    let read = app
        .expect(&bo, "GET", &format!("/lessons/{}", lessons[0]), None, OK)
        .await;
    assert_eq!(read["done"], true);

    // The assignment waits for a review.
    let sent = app
        .expect(
            &bo,
            "POST",
            &format!("/assessments/{assignment}/attempts"),
            Some(json!({"answers": ["fn block_on() {}"]})),
            C,
        )
        .await;
    assert_eq!(sent["state"], "awaiting_review");
    assert!(sent["passed"].is_null());
    let (status, _, _) = app
        .call(
            Some(&bo),
            "GET",
            &format!("/courses/{course}/reviews"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let queue = app
        .expect(&ana, "GET", &format!("/courses/{course}/reviews"), None, OK)
        .await;
    assert_eq!(queue.as_array().map(Vec::len), Some(1));
    assert_eq!(queue[0]["member"]["username"], "bo");
    let attempt = queue[0]["attempt"]["id"].as_str().expect("attempt id");
    let reviewed = app
        .expect(
            &ana,
            "POST",
            &format!("/attempts/{attempt}/review"),
            Some(json!({"marks": [{"question": 0, "criteria": [8], "comment": "Works."}], "feedback": "Good."})),
            OK,
        )
        .await;
    assert_eq!(reviewed["passed"], true);
    assert_eq!(reviewed["score"], 80.0);

    // Complete: progress, the instructors' view, my courses, a rating.
    let p = app
        .expect(&bo, "GET", &format!("/courses/{course}/progress"), None, OK)
        .await;
    assert!(p["completion"].is_object(), "{p}");
    assert_eq!(p["assessments_passed"], 2);
    let rows = app
        .expect(
            &ana,
            "GET",
            &format!("/courses/{course}/enrolments"),
            None,
            OK,
        )
        .await;
    assert_eq!(rows[0]["state"], "completed");
    let theirs = app
        .expect(
            &ana,
            "GET",
            &format!("/courses/{course}/enrolments/bo/progress"),
            None,
            OK,
        )
        .await;
    assert_eq!(theirs["percent"], 100);
    let mine = app.expect(&bo, "GET", "/me/courses", None, OK).await;
    assert_eq!(mine.as_array().map(Vec::len), Some(2));
    let done = app.expect(&bo, "GET", "/me/completions", None, OK).await;
    assert_eq!(done.as_array().map(Vec::len), Some(2));
    let taught = app.expect(&ana, "GET", "/me/teaching", None, OK).await;
    assert_eq!(taught.as_array().map(Vec::len), Some(2));
    app.expect(
        &bo,
        "POST",
        &format!("/courses/{course}/rate"),
        Some(json!({"rating": 5})),
        StatusCode::NO_CONTENT,
    )
    .await;
    let (status, err, _) = app
        .call(
            Some(&bo),
            "POST",
            &format!("/courses/{course}/rate"),
            Some(json!({"rating": 4})),
        )
        .await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::CONFLICT, Some("rating"))
    );
    let view = app
        .expect(&bo, "GET", &format!("/courses/{course}"), None, OK)
        .await;
    assert_eq!(view["rating_count"], 1);
    assert_eq!(view["viewer"]["state"], "completed");
}

#[tokio::test]
async fn errors_name_the_field_and_map_to_their_status() {
    let app = app();
    let ana = app.token("ana", &[]).await;
    let bo = app.token("bo", &[]).await;

    let (status, err, _) = app
        .call(
            Some(&ana),
            "POST",
            "/courses",
            Some(json!({"title": "X", "level": "expert"})),
        )
        .await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("level"))
    );
    let (status, err, _) = app
        .call(
            Some(&ana),
            "POST",
            "/courses",
            Some(json!({"title": "X", "colour": "red"})),
        )
        .await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("colour"))
    );
    let (status, err, _) = app
        .call(Some(&ana), "POST", "/courses", Some(json!({"title": "  "})))
        .await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("title"))
    );
    let (status, err, _) = app.call(None, "GET", "/courses?level=expert", None).await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("level"))
    );
    let (status, _, _) = app
        .call(None, "POST", "/courses", Some(json!({"title": "X"})))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (_, course, _) = app
        .call(
            Some(&ana),
            "POST",
            "/courses",
            Some(json!({"title": "Draft one"})),
        )
        .await;
    let course = id_of(&course);
    // A draft is its instructors' only: hidden from others, enrolling
    // in it included.
    let (status, _, _) = app
        .call(Some(&bo), "GET", &format!("/courses/{course}"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = app
        .call(Some(&bo), "POST", &format!("/courses/{course}/enrol"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // An archived course takes no enrolment: a conflict naming it.
    let (_, old, _) = app
        .call(
            Some(&ana),
            "POST",
            "/courses",
            Some(json!({"title": "Old one", "status": "published"})),
        )
        .await;
    let old = id_of(&old);
    let (status, _, text) = app
        .call(
            Some(&ana),
            "PATCH",
            &format!("/courses/{old}"),
            Some(json!({"status": "archived"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let (status, err, _) = app
        .call(Some(&bo), "POST", &format!("/courses/{old}/enrol"), None)
        .await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::CONFLICT, Some("course"))
    );
    let (status, _, _) = app
        .call(
            Some(&bo),
            "PATCH",
            &format!("/courses/{course}"),
            Some(json!({"title": "Mine"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = app
        .call(
            Some(&bo),
            "POST",
            &format!("/courses/{course}/modules"),
            Some(json!({"title": "M"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = app
        .call(
            Some(&ana),
            "GET",
            "/courses/01ARZ3NDEKTSV4RRFFQ69G5FAV",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = app.call(Some(&ana), "GET", "/courses/nope", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A module of another course is not found under this one.
    let (_, other, _) = app
        .call(
            Some(&ana),
            "POST",
            "/courses",
            Some(json!({"title": "Other"})),
        )
        .await;
    let other = id_of(&other);
    let (_, m, _) = app
        .call(
            Some(&ana),
            "POST",
            &format!("/courses/{other}/modules"),
            Some(json!({"title": "M"})),
        )
        .await;
    let (status, _, _) = app
        .call(
            Some(&ana),
            "POST",
            &format!("/courses/{course}/modules/{}/lessons", id_of(&m)),
            Some(json!({"title": "L"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A bad question names its path.
    let (status, err, _) = app
        .call(
            Some(&ana),
            "POST",
            &format!("/modules/{}/assessments", id_of(&m)),
            Some(json!({"title": "Q", "questions": [
                {"kind": "single", "prompt": "?", "choices": ["a", "b"], "answer": 0},
                {"kind": "single", "prompt": "?", "choices": ["a", "b"], "answer": 5}
            ]})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        err["field"]
            .as_str()
            .is_some_and(|f| f.starts_with("questions[1]")),
        "{err}"
    );

    // A prerequisite cycle is refused.
    let (status, _, text) = app
        .call(
            Some(&ana),
            "PATCH",
            &format!("/courses/{other}"),
            Some(json!({"prerequisites": [course]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let (status, err, _) = app
        .call(
            Some(&ana),
            "PATCH",
            &format!("/courses/{course}"),
            Some(json!({"prerequisites": [other]})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(err["field"], "prerequisites");
    let message = err["error"].as_str().unwrap_or("");
    assert!(
        message.contains("cycle")
            && message.contains("\"Draft one\"")
            && message.contains("\"Other\""),
        "the cycle is named: {err}"
    );

    // Deleting: the instructors only.
    let (status, _, _) = app
        .call(Some(&bo), "DELETE", &format!("/courses/{other}"), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, text) = app
        .call(Some(&ana), "DELETE", &format!("/courses/{other}"), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{text}");
}

#[tokio::test]
async fn reads_and_writes_need_their_scopes_and_approvals_work() {
    let app = app();
    let ana = app.token("ana", &[]).await;
    let reader = app.token("ana", &["read"]).await;
    let (status, _, _) = app
        .call(
            Some(&reader),
            "POST",
            "/courses",
            Some(json!({"title": "X"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = app.call(Some(&reader), "GET", "/me/teaching", None).await;
    assert_eq!(status, StatusCode::OK);

    let (_, course, _) = app
        .call(
            Some(&ana),
            "POST",
            "/courses",
            Some(json!({"title": "By approval", "enrolment": "approval", "status": "published"})),
        )
        .await;
    let course = id_of(&course);
    let bo = app.token("bo", &[]).await;
    let cy = app.token("cy", &[]).await;
    let (_, e, _) = app
        .call(Some(&bo), "POST", &format!("/courses/{course}/enrol"), None)
        .await;
    assert_eq!(e["state"], "pending");
    let (_, e, _) = app
        .call(Some(&cy), "POST", &format!("/courses/{course}/enrol"), None)
        .await;
    assert_eq!(e["state"], "pending");
    let (status, _, _) = app
        .call(
            Some(&bo),
            "POST",
            &format!("/courses/{course}/enrolments/cy/approve"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = app
        .call(
            Some(&ana),
            "POST",
            &format!("/courses/{course}/enrolments/bo/approve"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, _) = app
        .call(
            Some(&ana),
            "POST",
            &format!("/courses/{course}/enrolments/cy/reject"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, _) = app
        .call(
            Some(&ana),
            "POST",
            &format!("/courses/{course}/enrolments/nobody/approve"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = app
        .call(
            Some(&ana),
            "POST",
            &format!("/courses/{course}/enrolments/bo/frobnicate"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, rows, _) = app
        .call(
            Some(&ana),
            "GET",
            &format!("/courses/{course}/enrolments"),
            None,
        )
        .await;
    let states: Vec<(&str, &str)> = rows
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| Some((r["member"]["username"].as_str()?, r["state"].as_str()?)))
        .collect();
    assert_eq!(states, vec![("bo", "enrolled")]);
    let (status, _, _) = app
        .call(
            Some(&bo),
            "POST",
            &format!("/courses/{course}/unenrol"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, _) = app
        .call(
            Some(&bo),
            "GET",
            &format!("/courses/{course}/progress"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// A timed assessment: its questions come only with a started attempt,
/// whose answers go to the attempt; never its answers.
#[tokio::test]
async fn a_timed_assessment_is_started_then_submitted() {
    let app = app();
    let ana = app.token("ana", &[]).await;
    let bo = app.token("bo", &[]).await;
    let (_, course, _) = app
        .call(
            Some(&ana),
            "POST",
            "/courses",
            Some(json!({"title": "Timed", "status": "published"})),
        )
        .await;
    let course = id_of(&course);
    let (_, m, _) = app
        .call(
            Some(&ana),
            "POST",
            &format!("/courses/{course}/modules"),
            Some(json!({"title": "M"})),
        )
        .await;
    let a = app
        .expect(
            &ana,
            "POST",
            &format!("/modules/{}/assessments", id_of(&m)),
            Some(json!({"title": "Sprint", "time_limit_secs": 60, "max_attempts": 1,
                "questions": [{"kind": "numeric", "prompt": "6 x 7", "answer": 4242, "points": 1}]})),
            StatusCode::CREATED,
        )
        .await;
    let a = id_of(&a);
    app.expect(
        &bo,
        "POST",
        &format!("/courses/{course}/enrol"),
        None,
        StatusCode::OK,
    )
    .await;
    let (status, err, _) = app
        .call(Some(&bo), "GET", &format!("/assessments/{a}"), None)
        .await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::CONFLICT, Some("time_limit"))
    );
    let (status, err, _) = app
        .call(
            Some(&bo),
            "POST",
            &format!("/assessments/{a}/attempts"),
            Some(json!({"answers": [4242]})),
        )
        .await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::CONFLICT, Some("time_limit"))
    );
    let (status, started, text) = app
        .call(Some(&bo), "POST", &format!("/assessments/{a}/start"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(
        !text.contains("4242"),
        "no answer with the questions: {text}"
    );
    let deadline = started["deadline"].as_i64().expect("a deadline");
    let began = started["started_at"].as_i64().expect("a start");
    assert_eq!(deadline - began, 60_000);
    assert_eq!(started["attempts_left"], 0);
    let attempt = started["attempt"].as_str().expect("attempt").to_string();
    let done = app
        .expect(
            &bo,
            "POST",
            &format!("/attempts/{attempt}/submit"),
            Some(json!({"answers": ["4242"]})),
            StatusCode::OK,
        )
        .await;
    assert_eq!(done["passed"], true);
    let (status, err, _) = app
        .call(
            Some(&bo),
            "POST",
            &format!("/attempts/{attempt}/submit"),
            Some(json!({"answers": ["1"]})),
        )
        .await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::CONFLICT, Some("attempt"))
    );
    let (status, err, _) = app
        .call(Some(&bo), "POST", &format!("/assessments/{a}/start"), None)
        .await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::CONFLICT, Some("attempts"))
    );
}
