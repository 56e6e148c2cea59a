//! "Sign in with your node" in the app, through the router (no socket):
//! the home side's confirmation page and redirect, the sign-in page's
//! way back, and a learner session on the study pages (and nowhere
//! else). The ticket's acceptance over the network is in
//! `tests/e2e/node_sign_in.rs`.

use axum::http::StatusCode;
use node::courses::{AssessmentInput, LessonInput, NewCourse, QuestionInput};
use node::model::{Member, Role};
use node::remote::RemoteActor;
use node::{Id, Viewer};
use protocol::identity::Ed25519Keypair;
use protocol::sign_in_ticket::{SignedTicket, TicketClaims};

use super::learner::study_next;
use super::tests::{app_with, session, sign_in, viewer, App};
use crate::test_support::send;
use crate::WebSettings;

async fn app() -> App {
    app_with(&[("bob", Role::Member)], |_| {}, WebSettings::default()).await
}

/// A published course of bob's with two lessons and a one-question quiz
/// (the second choice is right): its id, the lessons' and the quiz's.
async fn course(a: &App) -> (Id, Vec<Id>, Id) {
    let bob = viewer(a, "bob");
    let course = a
        .node
        .create_course(
            &bob,
            NewCourse {
                title: "Ferris 101".into(),
                status: Some("published".into()),
                ..NewCourse::default()
            },
        )
        .await
        .expect("course")
        .course
        .id;
    let module = a
        .node
        .add_module(&bob, course, "Start")
        .await
        .expect("module")
        .id;
    let mut lessons = Vec::new();
    for title in ["Claws", "Shells"] {
        let lesson = a
            .node
            .add_lesson(
                &bob,
                module,
                LessonInput {
                    title: title.into(),
                    body: "Read this.".into(),
                    minutes: 5,
                },
            )
            .await
            .expect("lesson");
        lessons.push(lesson.id);
    }
    let quiz = a
        .node
        .add_assessment(
            &bob,
            module,
            AssessmentInput {
                title: "Quiz".into(),
                questions: vec![QuestionInput {
                    kind: "single".into(),
                    prompt: "Which walks sideways?".into(),
                    choices: vec!["Dogs".into(), "Crabs".into()],
                    answer: Some(serde_json::json!(1)),
                    ..QuestionInput::default()
                }],
                ..AssessmentInput::default()
            },
        )
        .await
        .expect("quiz")
        .id;
    (course, lessons, quiz)
}

/// ana of home.test, signed in here with a learner session: her account
/// and the session's cookie header.
async fn learner(a: &App) -> (Member, String) {
    let key = Ed25519Keypair::from_secret_bytes(&[5u8; 32]);
    let ana = a
        .node
        .upsert_remote_actor(RemoteActor {
            ed25519: Some(key.public()),
            ed25519_proven: true,
            confirmed_handle: Some("ana@home.test".into()),
            ..RemoteActor::person("https://home.test/users/ana", "ana")
        })
        .await
        .expect("actor");
    let now = node::model::now_ms() / 1000;
    let claims = TicketClaims::new(
        "https://home.test/users/ana",
        "http://k.test",
        now,
        60,
        [1; 16],
    );
    let ticket = SignedTicket::parse(&claims.sign(&key).expect("sign")).expect("parse");
    let signed_in = a
        .node
        .open_learner_session(&ticket, &ana)
        .await
        .expect("session");
    (
        ana,
        format!("{}={}", super::LEARNER_COOKIE, signed_in.token),
    )
}

#[tokio::test]
async fn a_learner_session_opens_the_study_pages_and_nothing_else() {
    let a = app().await;
    let (course, lessons, quiz) = course(&a).await;
    let (ana, cookie) = learner(&a).await;

    let page = send(
        &a.app,
        "GET",
        &format!("/courses/{course}"),
        Some(&cookie),
        "",
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page
        .body
        .contains("Signed in as ana@home.test (from another server)"));
    assert!(page.body.contains("/auth/kodeon/sign-out"));
    assert!(!page.body.contains("/app.js"), "no members' script");
    let csrf = page.csrf();

    let r = send(
        &a.app,
        "POST",
        &format!("/courses/{course}/enrol"),
        Some(&cookie),
        &format!("csrf={csrf}"),
    )
    .await;
    assert_eq!(r.location(), format!("/courses/{course}?done=enrolled"));
    let r = send(
        &a.app,
        "POST",
        &format!("/lessons/{}/done", lessons[0]),
        Some(&cookie),
        &format!("csrf={csrf}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let ana_viewer = Viewer::Member(Box::new(ana));
    assert_eq!(
        a.node
            .course_progress(&ana_viewer, course)
            .expect("progress")
            .percent,
        50
    );
    let lesson = send(
        &a.app,
        "GET",
        &format!("/lessons/{}", lessons[1]),
        Some(&cookie),
        "",
    )
    .await;
    assert_eq!(lesson.status, StatusCode::OK);
    assert!(lesson.body.contains("Shells"));
    let form = send(
        &a.app,
        "GET",
        &format!("/assessments/{quiz}"),
        Some(&cookie),
        "",
    )
    .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("Which walks sideways?"));
    let r = send(
        &a.app,
        "POST",
        &format!("/assessments/{quiz}"),
        Some(&cookie),
        &format!("csrf={}&count=1&k0=single&q0=1", form.csrf()),
    )
    .await;
    assert_eq!(r.location(), format!("/assessments/{quiz}?done=submitted"));
    let attempts = a.node.my_attempts(&ana_viewer, quiz).expect("attempts");
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].passed, Some(true));
    let catalogue = send(&a.app, "GET", "/courses", Some(&cookie), "").await;
    assert_eq!(catalogue.status, StatusCode::OK, "{}", catalogue.body);
    assert!(catalogue.body.contains("Ferris 101"));
    let certificates = send(&a.app, "GET", "/certificates", Some(&cookie), "").await;
    assert_eq!(certificates.status, StatusCode::OK);
    assert!(certificates.body.contains("Your certificates"));

    // Without the session's form token: refused, nothing marked.
    let r = send(
        &a.app,
        "POST",
        &format!("/lessons/{}/done", lessons[1]),
        Some(&cookie),
        "csrf=forged",
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Everything else takes the members' session only.
    for path in [
        "/home",
        "/settings",
        "/messages",
        "/courses/new",
        "/sign-in-elsewhere?to=https://x.test/",
    ] {
        let r = send(&a.app, "GET", path, Some(&cookie), "").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        assert!(r.location().starts_with("/login"), "{path}");
    }
    let r = send(
        &a.app,
        "POST",
        &format!("/courses/{course}/leave"),
        Some(&cookie),
        &format!("csrf={csrf}"),
    )
    .await;
    r.assert_to_sign_in();

    // Sign-out ends it.
    let r = send(
        &a.app,
        "POST",
        "/auth/kodeon/sign-out",
        Some(&cookie),
        &format!("csrf={csrf}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.cookie(super::LEARNER_COOKIE).as_deref(), Some(""));
    send(
        &a.app,
        "GET",
        &format!("/courses/{course}"),
        Some(&cookie),
        "",
    )
    .await
    .assert_to_sign_in();
}

#[tokio::test]
async fn a_member_confirms_and_is_sent_to_the_other_node_with_a_ticket() {
    let a = app().await;
    // Not signed in: the sign-in page, which comes back here.
    let r = send(
        &a.app,
        "GET",
        "/sign-in-elsewhere?to=https://host.test/lessons/1",
        None,
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let login = r.location().to_string();
    assert_eq!(
        login,
        "/login?next=%2Fsign-in-elsewhere%3Fto%3Dhttps%253A%252F%252Fhost.test%252Flessons%252F1"
    );
    let form = send(&a.app, "GET", &login, None, "").await;
    assert!(form.body.contains(
        "name=\"next\" value=\"/sign-in-elsewhere?to=https%3A%2F%2Fhost.test%2Flessons%2F1\""
    ));

    let (cookie, _) = session(&a.app, "bob").await;
    let page = send(
        &a.app,
        "GET",
        "/sign-in-elsewhere?to=https://host.test/lessons/1",
        Some(&cookie),
        "",
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Sign in to host.test as bob@k.test?"));
    let r = send(
        &a.app,
        "POST",
        "/sign-in-elsewhere",
        Some(&cookie),
        &format!(
            "csrf={}&to=https%3A%2F%2Fhost.test%2Flessons%2F1",
            page.csrf()
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let to = r.location();
    assert!(
        to.starts_with("https://host.test/auth/kodeon?ticket="),
        "{to}"
    );
    assert!(to.ends_with("&next=%2Flessons%2F1"), "{to}");
    // Not a URL: 422 naming `to`.
    let r = send(
        &a.app,
        "POST",
        "/sign-in-elsewhere",
        Some(&cookie),
        &format!("csrf={}&to=nowhere", page.csrf()),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("to:"));
}

#[tokio::test]
async fn signing_in_goes_back_to_a_local_next_only() {
    let a = app().await;
    let (_, cookie, csrf) = super::tests::form_page(&a.app, "/login?next=/courses").await;
    let r = send(
        &a.app,
        "POST",
        "/login",
        Some(&cookie),
        &format!("csrf={csrf}&login=bob&password=password123&next=%2Fcourses"),
    )
    .await;
    assert_eq!(r.location(), "/courses");
    let (_, cookie, csrf) = super::tests::form_page(&a.app, "/login").await;
    let r = send(
        &a.app,
        "POST",
        "/login",
        Some(&cookie),
        &format!("csrf={csrf}&login=bob&password=password123&next=https%3A%2F%2Fevil.test%2F"),
    )
    .await;
    assert_eq!(r.location(), "/home");
    assert_eq!(
        sign_in(&a.app, "bob", "password123").await.location(),
        "/home"
    );
}

#[tokio::test]
async fn without_federation_no_ticket_is_taken() {
    let a = app().await;
    let r = send(
        &a.app,
        "GET",
        "/auth/kodeon?ticket=x.y&next=/courses",
        None,
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.cookie(super::LEARNER_COOKIE).is_none());
}

#[test]
fn only_study_paths_are_followed_after_signing_in() {
    for ok in [
        "/courses",
        "/courses/01H",
        "/lessons/1",
        "/assessments/2?x=1",
        "/certificates",
    ] {
        assert_eq!(study_next(ok), ok);
    }
    for bad in [
        "https://evil.test/courses",
        "//evil.test/courses",
        "/\\evil.test",
        "/home",
        "/coursesX",
        "/lessons",
        "",
        "/courses/\n",
    ] {
        assert_eq!(study_next(bad), "/courses", "{bad:?}");
    }
}
