//! The members' app's learning paths through the router (no socket): a
//! path planned from the form with its reasons, saved, its progress page,
//! errors next to their fields, another member's 404, deletion and the
//! form token.

use axum::http::StatusCode;
use node::courses::{DurationInput, NewCourse};
use node::model::Role;
use node::Id;

use super::tests::{app_with, session, viewer, App};
use crate::test_support::{send, Reply};
use crate::WebSettings;

async fn app() -> App {
    let members = [
        ("bob", Role::Member),
        ("carol", Role::Member),
        ("dave", Role::Member),
    ];
    app_with(&members, |_| {}, WebSettings::default()).await
}

async fn get(a: &App, cookie: &str, uri: &str) -> Reply {
    send(&a.app, "GET", uri, Some(cookie), "").await
}

async fn post(a: &App, cookie: &str, uri: &str, form: &str) -> Reply {
    send(&a.app, "POST", uri, Some(cookie), form).await
}

/// A published course by bob.
async fn course(a: &App, title: &str, tags: &[&str], minutes: u32, prerequisites: &[Id]) -> Id {
    a.node
        .create_course(
            &viewer(a, "bob"),
            NewCourse {
                title: title.into(),
                status: Some("published".into()),
                tags: tags.iter().map(|t| t.to_string()).collect(),
                duration: Some(DurationInput::Minutes(minutes)),
                prerequisites: prerequisites.iter().map(Id::to_string).collect(),
                ..NewCourse::default()
            },
        )
        .await
        .expect("course")
        .course
        .id
}

#[tokio::test]
async fn a_path_is_planned_saved_and_followed_in_the_app() {
    let a = app().await;
    let basics = course(&a, "Rust Basics", &["rust"], 90, &[]).await;
    let web = course(&a, "Web with Axum", &["axum"], 120, &[basics]).await;
    let (carol, csrf) = session(&a.app, "carol").await;

    // The catalogue links here; the course page offers a path to it.
    let list = get(&a, &carol, "/courses").await;
    assert!(list.body.contains("href=\"/paths\""), "{}", list.body);
    let page = get(&a, &carol, &format!("/courses/{web}")).await;
    assert!(
        page.body.contains(&format!("/paths?goal_course={web}")),
        "{}",
        page.body
    );

    let empty = get(&a, &carol, "/paths").await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
    assert!(empty.body.contains("<label for=\"goal_skills\">"));
    assert!(empty
        .body
        .contains(&format!("<option value=\"{web}\">Web with Axum</option>")));
    assert!(empty.body.contains("No saved path yet."));

    let planned = get(
        &a,
        &carol,
        &format!("/paths?goal_skills=axum%2C+cobol&goal_course={web}"),
    )
    .await;
    assert_eq!(planned.status, StatusCode::OK, "{}", planned.body);
    let body = &planned.body;
    let first = body.find("Rust Basics").expect("the prerequisite");
    let second = body.rfind("Web with Axum").expect("the goal");
    assert!(first < second, "prerequisite first");
    assert!(
        body.contains("Why: prerequisite of Web with Axum"),
        "{body}"
    );
    assert!(body.contains("Why: the goal course; teaches the goal skill axum"));
    assert!(body.contains("No course here teaches: cobol."));
    assert!(body.contains("3 h 30 min"));
    assert!(body.contains("Save this path"));
    assert!(
        body.contains(&format!(
            "<option value=\"{web}\" selected>Web with Axum</option>"
        )),
        "the goal stays chosen"
    );
    assert!(body.contains(&format!("name=\"csrf\" value=\"{csrf}\"")));

    // Saving without the form token changes nothing.
    let forged = post(
        &a,
        &carol,
        "/paths",
        &format!("goal_skills=axum&goal_course={web}"),
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(a
        .node
        .learning_paths(&viewer(&a, "carol"))
        .expect("paths")
        .is_empty());

    let saved = post(
        &a,
        &carol,
        "/paths",
        &format!("csrf={csrf}&goal_skills=axum&goal_course={web}"),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let to = saved.location();
    assert!(to.ends_with("?done=saved"), "{to}");
    let path = to.trim_end_matches("?done=saved").to_string();

    a.node
        .enrol_in_course(&viewer(&a, "carol"), basics)
        .await
        .expect("enrol");
    let page = get(&a, &carol, &path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("0 of 2 courses done"), "{}", page.body);
    assert!(page.body.contains("in progress, 0% of lessons done"));
    assert!(page.body.contains("not started"));
    assert!(page.body.contains("Why: prerequisite of Web with Axum"));

    let list = get(&a, &carol, "/paths").await;
    assert!(
        list.body.contains(&format!("href=\"{path}\"")),
        "{}",
        list.body
    );
    assert!(list.body.contains("0 of 2 courses done"));

    // Someone else's path is not found.
    let (dave, dave_csrf) = session(&a.app, "dave").await;
    assert_eq!(get(&a, &dave, &path).await.status, StatusCode::NOT_FOUND);
    let r = post(
        &a,
        &dave,
        &format!("{path}/delete"),
        &format!("csrf={dave_csrf}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let r = post(
        &a,
        &carol,
        &format!("{path}/delete"),
        &format!("csrf={csrf}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/paths?done=deleted");
    assert_eq!(get(&a, &carol, &path).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_bad_goal_shows_its_error_next_to_its_field() {
    let a = app().await;
    let (carol, csrf) = session(&a.app, "carol").await;
    let r = get(&a, &carol, "/paths?goal_skills=c%2B%2B").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"goal_skills-error\""), "{}", r.body);
    assert!(r.body.contains("value=\"c++\""), "what was typed stays");

    let r = post(
        &a,
        &carol,
        "/paths",
        &format!("csrf={csrf}&goal_skills=&goal_course=01JZZZZZZZZZZZZZZZZZZZZZZZ"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"goal_course-error\""), "{}", r.body);
    assert!(a
        .node
        .learning_paths(&viewer(&a, "carol"))
        .expect("paths")
        .is_empty());
}
