//! The members' app's course pages through the router (no socket): the
//! editor's forms with their errors, the catalogue and course page, the
//! lesson reader, an assessment taken (its page holds no answer), the
//! review queue, and the form tokens of the course forms.

use axum::http::StatusCode;
use node::model::Role;
use node::Id;

use super::tests::{app_with, session, viewer, App};
use crate::test_support::{send, Reply};
use crate::WebSettings;

/// A node with bob (who teaches) and carol (who learns).
async fn app() -> App {
    let members = [("bob", Role::Member), ("carol", Role::Member)];
    app_with(&members, |_| {}, WebSettings::default()).await
}

async fn post(a: &App, cookie: &str, uri: &str, form: &str) -> Reply {
    send(&a.app, "POST", uri, Some(cookie), form).await
}

async fn get(a: &App, cookie: &str, uri: &str) -> Reply {
    send(&a.app, "GET", uri, Some(cookie), "").await
}

/// The id in a `Location` such as `/courses/ID/edit?done=created`.
fn course_of(r: &Reply) -> Id {
    let to = r.location();
    to.trim_start_matches("/courses/")
        .split('/')
        .next()
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("a course in {to:?}"))
}

/// Creates, through the editor's forms, a course by bob with one module:
/// two lessons, a quiz (one right choice, a number with a secret answer)
/// and a reviewed question; publishes it. Its id and the module's.
async fn taught_course(a: &App, bob: &str, csrf: &str) -> (Id, Id) {
    let r = post(
        a,
        bob,
        "/courses",
        &format!(
            "csrf={csrf}&title=Ferris+101&description=Meet+**Ferris**.&level=beginner\
             &duration=2+hours&category=programming&tags=rust+crabs&prerequisites=\
             &enrolment=open&capacity=20&certificate=yes"
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.location().ends_with("/edit?done=created"));
    let id = course_of(&r);
    let r = post(
        a,
        bob,
        &format!("/courses/{id}/modules"),
        &format!("csrf={csrf}&module_title=Shells"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let module = a
        .node
        .course(&viewer(a, "bob"), id)
        .expect("course")
        .outline[0]
        .id;
    for (title, body) in [
        ("Claws", "Crabs+have+**claws**."),
        ("Moulting", "Shells+grow."),
    ] {
        let r = post(
            a,
            bob,
            &format!("/courses/{id}/modules/{module}/lessons"),
            &format!("csrf={csrf}&title={title}&minutes=15&body={body}"),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let r = post(
        a,
        bob,
        &format!("/courses/{id}/modules/{module}/assessments"),
        &format!(
            "csrf={csrf}&title=Shell+quiz&passing_score=100&max_attempts=3\
             &kind0=single&prompt0=Ferris+is+a&choices0=crab%0Aprawn&answer0=1&points0=1\
             &kind1=numeric&prompt1=Legs&answer1=424242&tolerance1=&points1=1\
             &kind2=short&prompt2=&answer2=\
             &kind3=single&prompt3=&answer3="
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = post(
        a,
        bob,
        &format!("/courses/{id}/modules/{module}/assessments"),
        &format!(
            "csrf={csrf}&title=Essay&passing_score=50\
             &kind0=text&prompt0=Why+crabs&answer0=&points0=10"
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = post(
        a,
        bob,
        &format!("/courses/{id}/publish"),
        &format!("csrf={csrf}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), format!("/courses/{id}?done=published"));
    (id, module)
}

#[tokio::test]
async fn the_editor_builds_a_course_and_errors_stay_on_its_forms() {
    let a = app().await;
    let (bob, csrf) = session(&a.app, "bob").await;
    let page = get(&a, &bob, "/courses/new").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("<label for=\"title\">Title</label>"));
    assert!(page.body.contains("<label for=\"capacity\">"));

    // An empty title and a capacity that is no number: 422 next to the
    // field, with what was typed kept.
    let r = post(
        &a,
        &bob,
        "/courses",
        &format!("csrf={csrf}&title=+&description=Kept+text&level=beginner&enrolment=open"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"title-error\""), "{}", r.body);
    assert!(r.body.contains("Kept text"));
    let r = post(
        &a,
        &bob,
        "/courses",
        &format!("csrf={csrf}&title=Crabs&level=beginner&enrolment=open&capacity=lots"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"capacity-error\""), "{}", r.body);
    assert!(r.body.contains("value=\"Crabs\""));
    // A form without its token changes nothing.
    let r = post(&a, &bob, "/courses", "title=Forged&level=beginner").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let (id, module) = taught_course(&a, &bob, &csrf).await;
    let view = a.node.course(&viewer(&a, "bob"), id).expect("course");
    assert_eq!(view.course.title, "Ferris 101");
    assert_eq!(view.course.capacity, Some(20));
    assert!(view.course.certificate);
    assert_eq!(view.outline[0].lessons.len(), 2);
    assert_eq!(view.outline[0].assessments.len(), 2);
    assert_eq!(
        view.outline[0].assessments[0].questions, 2,
        "empty slots skipped"
    );

    // A lesson without minutes, and a question whose right choice does
    // not exist: errors on their forms, typed values kept.
    let r = post(
        &a,
        &bob,
        &format!("/courses/{id}/modules/{module}/lessons"),
        &format!("csrf={csrf}&title=Pincers&minutes=soon&body="),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("minutes: must be a whole number"),
        "{}",
        r.body
    );
    assert!(r.body.contains("value=\"Pincers\""));
    let r = post(
        &a,
        &bob,
        &format!("/courses/{id}/modules/{module}/assessments"),
        &format!(
            "csrf={csrf}&title=Broken&kind0=short&prompt0=&kind1=single&prompt1=Pick\
             &choices1=a%0Ab&answer1=7"
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("question 2 ("),
        "the slot is named: {}",
        r.body
    );
    assert!(r.body.contains("value=\"Broken\""));

    // The edit form shows the course; saving changes it.
    let edit = get(&a, &bob, &format!("/courses/{id}/edit")).await;
    assert_eq!(edit.status, StatusCode::OK);
    assert!(edit.body.contains("value=\"Ferris 101\""));
    assert!(edit.body.contains("Claws (15 min)"));
    let r = post(
        &a,
        &bob,
        &format!("/courses/{id}/edit"),
        &format!(
            "csrf={csrf}&title=Ferris+102&description=&level=advanced&duration=&category=\
             &tags=&prerequisites=&enrolment=approval&capacity="
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let c = a
        .node
        .course(&viewer(&a, "bob"), id)
        .expect("course")
        .course;
    assert_eq!(
        (c.title.as_str(), c.capacity, c.certificate),
        ("Ferris 102", None, false)
    );
    // A lesson is edited through its form (an error stays on it), and
    // removed from the editor; only what the course holds is removed.
    let outline = a
        .node
        .course(&viewer(&a, "bob"), id)
        .expect("course")
        .outline;
    let claws = outline[0].lessons[0].id;
    let form = get(&a, &bob, &format!("/lessons/{claws}/edit")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(
        form.body.contains("Crabs have **claws**."),
        "the Markdown as written"
    );
    let r = post(
        &a,
        &bob,
        &format!("/lessons/{claws}/edit"),
        &format!("csrf={csrf}&title=&minutes=20&body=Kept+body"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("Kept body") && r.body.contains("role=\"alert\""));
    let r = post(
        &a,
        &bob,
        &format!("/lessons/{claws}/edit"),
        &format!("csrf={csrf}&title=Big+claws&minutes=20&body=Pinch."),
    )
    .await;
    assert_eq!(r.location(), format!("/courses/{id}/edit?done=saved"));
    let lesson = a
        .node
        .lesson(&viewer(&a, "bob"), claws)
        .expect("lesson")
        .lesson;
    assert_eq!((lesson.title.as_str(), lesson.minutes), ("Big claws", 20));
    let moulting = outline[0].lessons[1].id;
    let r = post(
        &a,
        &bob,
        &format!("/courses/{id}/remove/lesson/{moulting}"),
        &format!("csrf={csrf}"),
    )
    .await;
    assert_eq!(r.location(), format!("/courses/{id}/edit?done=removed"));
    let r = post(
        &a,
        &bob,
        &format!("/courses/{id}/remove/assessment/{claws}"),
        &format!("csrf={csrf}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "a lesson is no assessment");
    let outline = a
        .node
        .course(&viewer(&a, "bob"), id)
        .expect("course")
        .outline;
    assert_eq!(outline[0].lessons.len(), 1);
    assert_eq!(outline[0].assessments.len(), 2);

    // The editor is its instructors' only.
    let (carol, carol_csrf) = session(&a.app, "carol").await;
    let r = get(&a, &carol, &format!("/courses/{id}/edit")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = post(
        &a,
        &carol,
        &format!("/courses/{id}/remove/lesson/{claws}"),
        &format!("csrf={carol_csrf}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_member_enrols_studies_takes_the_quiz_and_is_reviewed() {
    let a = app().await;
    let (bob, bob_csrf) = session(&a.app, "bob").await;
    let (id, _) = taught_course(&a, &bob, &bob_csrf).await;
    let (carol, csrf) = session(&a.app, "carol").await;

    // The catalogue, its filters and the nav.
    let list = get(
        &a,
        &carol,
        "/courses?q=ferris&level=beginner&category=programming",
    )
    .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(
        list.body.contains("<a href=\"/courses\">Courses</a>"),
        "the nav links the courses"
    );
    assert!(list
        .body
        .contains(&format!("<a href=\"/courses/{id}\">Ferris 101</a>")));
    let none = get(&a, &carol, "/courses?level=advanced").await;
    assert!(!none.body.contains("Ferris 101"));
    assert!(none.body.contains("No course matches."));
    let bad = get(&a, &carol, "/courses?level=expert").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"level-error\""));

    // The course page before enrolling: syllabus, instructor, the button.
    let page = get(&a, &carol, &format!("/courses/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("<strong>Ferris</strong>"),
        "the description as HTML"
    );
    assert!(page.body.contains("href=\"/@bob\">@bob</a>"));
    assert!(page.body.contains("Claws"));
    assert!(page.body.contains(">Enrol</button>"));
    assert!(
        !page.body.contains("Edit the course"),
        "carol does not teach it"
    );
    let r = post(
        &a,
        &carol,
        &format!("/courses/{id}/enrol"),
        &format!("csrf={csrf}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), format!("/courses/{id}?done=enrolled"));
    let page = get(&a, &carol, &format!("/courses/{id}?done=enrolled")).await;
    assert!(page.body.contains("0% of lessons done"));
    assert!(page
        .body
        .contains("<progress id=\"course-progress\" max=\"100\" value=\"0\">"));
    assert!(page.body.contains("Resume: Claws"));

    // The lesson reader: marking done goes on to the next lesson.
    let lessons = a
        .node
        .course(&viewer(&a, "carol"), id)
        .expect("course")
        .outline[0]
        .lessons
        .clone();
    let (first, second) = (lessons[0].id, lessons[1].id);
    let lesson = get(&a, &carol, &format!("/lessons/{first}")).await;
    assert_eq!(lesson.status, StatusCode::OK, "{}", lesson.body);
    assert!(lesson.body.contains("<strong>claws</strong>"));
    assert!(lesson.body.contains("Lesson 1 of 2"));
    assert!(lesson.body.contains("Next: Moulting"));
    let r = post(
        &a,
        &carol,
        &format!("/lessons/{first}/done"),
        &format!("csrf={csrf}&next={second}"),
    )
    .await;
    assert_eq!(r.location(), format!("/lessons/{second}?done=done"));
    let page = get(&a, &carol, &format!("/courses/{id}")).await;
    assert!(
        page.body
            .contains("Claws</a> <span class=\"meta\">15 min · done</span>"),
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains("Moulting</a> <span class=\"meta\">15 min</span>"));
    assert!(page.body.contains("Resume: Moulting"));
    let lesson = get(&a, &carol, &format!("/lessons/{second}")).await;
    assert!(
        lesson.body.contains("Course: 50% of lessons done"),
        "{}",
        lesson.body
    );
    let r = post(
        &a,
        &carol,
        &format!("/lessons/{second}/done"),
        &format!("csrf={csrf}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // Bob, who is not enrolled, reads it; the done form is not his.
    let lesson = get(&a, &bob, &format!("/lessons/{first}")).await;
    assert_eq!(lesson.status, StatusCode::OK);
    assert!(!lesson.body.contains("Mark as done"));

    // The quiz: its page holds no answer; a fail, then a pass.
    let course = a.node.course(&viewer(&a, "carol"), id).expect("course");
    let quiz = course.outline[0].assessments[0].id;
    let essay = course.outline[0].assessments[1].id;
    let page = get(&a, &carol, &format!("/assessments/{quiz}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Ferris is a"));
    assert!(page.body.contains("<label for=\"q0-1\">prawn</label>"));
    assert!(!page.body.contains("424242"), "no answer in the page");
    assert!(
        !page.body.contains("\"answer"),
        "no answer field in the page"
    );
    let r = post(
        &a,
        &carol,
        &format!("/assessments/{quiz}"),
        &format!("csrf={csrf}&count=2&k0=single&q0=1&k1=numeric&q1=8"),
    )
    .await;
    assert_eq!(r.location(), format!("/assessments/{quiz}?done=submitted"));
    let page = get(&a, &carol, &format!("/assessments/{quiz}?done=submitted")).await;
    assert!(page.body.contains("not passed"), "{}", page.body);
    assert!(page.body.contains("1 of 3 attempts used"));
    assert!(
        !page.body.contains("424242"),
        "no answer after a fail either"
    );
    let r = post(
        &a,
        &carol,
        &format!("/assessments/{quiz}"),
        &format!("csrf={csrf}&count=2&k0=single&q0=0&k1=numeric&q1=424242"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = get(&a, &carol, &format!("/assessments/{quiz}")).await;
    assert!(
        page.body
            .contains("Score 100%: <span class=\"passed\">passed</span>"),
        "{}",
        page.body
    );

    // The essay waits for bob's review.
    let r = post(
        &a,
        &carol,
        &format!("/assessments/{essay}"),
        &format!("csrf={csrf}&count=1&k0=text&q0=Because+shells."),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = get(&a, &carol, &format!("/assessments/{essay}")).await;
    assert!(
        page.body.contains("waiting for an instructor&#39;s review")
            || page.body.contains("waiting for an instructor's review"),
        "{}",
        page.body
    );
    let r = get(&a, &carol, &format!("/courses/{id}/reviews")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let queue = get(&a, &bob, &format!("/courses/{id}/reviews")).await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
    assert!(queue.body.contains("Because shells."));
    assert!(queue.body.contains("@carol: Essay"));
    let attempt = a.node.review_queue(&viewer(&a, "bob"), id).expect("queue")[0]
        .attempt
        .id;
    // Points over the criterion's worth stay on the form.
    let r = post(
        &a,
        &bob,
        &format!("/courses/{id}/reviews/{attempt}"),
        &format!("csrf={bob_csrf}&waiting=0&criteria0=1&q0_c0=11&q0_comment=&feedback="),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("role=\"alert\""));
    let r = post(
        &a,
        &bob,
        &format!("/courses/{id}/reviews/{attempt}"),
        &format!(
            "csrf={bob_csrf}&waiting=0&criteria0=1&q0_c0=7&q0_comment=Nice&feedback=Well+done"
        ),
    )
    .await;
    assert_eq!(r.location(), format!("/courses/{id}/reviews?done=reviewed"));
    let page = get(&a, &carol, &format!("/assessments/{essay}")).await;
    assert!(page.body.contains("Feedback: Well done"), "{}", page.body);

    // Complete: the course page says so and offers a rating.
    let page = get(&a, &carol, &format!("/courses/{id}")).await;
    assert!(
        page.body
            .contains("<strong>Your enrolment</strong>: completed."),
        "{}",
        page.body
    );
    assert!(page.body.contains("<label for=\"rating\">"));
    let r = post(
        &a,
        &carol,
        &format!("/courses/{id}/rate"),
        &format!("csrf={csrf}&rating=5"),
    )
    .await;
    assert_eq!(r.location(), format!("/courses/{id}?done=rated"));
    let page = get(&a, &bob, &format!("/courses/{id}")).await;
    assert!(page.body.contains("Rated 5.0 of 5 by 1 member"));
    assert!(page.body.contains("@carol</a>: completed"));

    // Anonymous: to the sign-in page.
    for uri in [
        "/courses",
        &format!("/courses/{id}"),
        &format!("/lessons/{first}"),
    ] {
        send(&a.app, "GET", uri, None, "").await.assert_to_sign_in();
    }
}

#[tokio::test]
async fn a_timed_assessment_shows_its_questions_once_started() {
    let a = app().await;
    let bob = viewer(&a, "bob");
    let course = a
        .node
        .create_course(
            &bob,
            node::courses::NewCourse {
                title: "Timed".into(),
                status: Some("published".into()),
                ..Default::default()
            },
        )
        .await
        .expect("course")
        .course
        .id;
    let module = a
        .node
        .add_module(&bob, course, "M")
        .await
        .expect("module")
        .id;
    let quiz = a
        .node
        .add_assessment(
            &bob,
            module,
            node::courses::AssessmentInput {
                title: "Sprint".into(),
                time_limit_secs: Some(120),
                questions: vec![node::courses::QuestionInput {
                    kind: "short".into(),
                    prompt: "The crab's name".into(),
                    answer: Some(serde_json::json!("zyxwvu-secret")),
                    ..Default::default()
                }],
                ..Default::default()
            },
        )
        .await
        .expect("assessment")
        .id;
    let (carol, csrf) = session(&a.app, "carol").await;
    let r = post(
        &a,
        &carol,
        &format!("/courses/{course}/enrol"),
        &format!("csrf={csrf}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    let page = get(&a, &carol, &format!("/assessments/{quiz}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(">Start</button>"));
    assert!(
        !page.body.contains("The crab"),
        "no question before the start"
    );
    let started = post(
        &a,
        &carol,
        &format!("/assessments/{quiz}/start"),
        &format!("csrf={csrf}"),
    )
    .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    assert!(
        started.body.contains("The crab&#39;s name") || started.body.contains("The crab's name")
    );
    assert!(started.body.contains("Answer before <time datetime="));
    assert!(
        !started.body.contains("zyxwvu-secret"),
        "no answer in the page"
    );
    let attempt = a
        .node
        .my_attempts(&viewer(&a, "carol"), quiz)
        .expect("attempts")[0]
        .id;
    assert!(started
        .body
        .contains(&format!("action=\"/attempts/{attempt}/submit\"")));
    let r = post(
        &a,
        &carol,
        &format!("/attempts/{attempt}/submit"),
        &format!("csrf={csrf}&assessment={quiz}&count=1&k0=short&q0=ZYXWVU-secret"),
    )
    .await;
    assert_eq!(r.location(), format!("/assessments/{quiz}?done=submitted"));
    let page = get(&a, &carol, &format!("/assessments/{quiz}")).await;
    assert!(
        page.body.contains("<span class=\"passed\">passed</span>"),
        "{}",
        page.body
    );
}

/// An instructor edits an assessment: the form shows its questions with
/// their answers; a change is saved, a reviewed question keeps its
/// rubric, a refused change names the question's slot and keeps what was
/// typed; a learner gets no form.
#[tokio::test]
async fn an_instructor_edits_an_existing_assessment() {
    let a = app().await;
    let (bob, csrf) = session(&a.app, "bob").await;
    let (carol, _) = session(&a.app, "carol").await;
    let (course, _) = taught_course(&a, &bob, &csrf).await;
    let outline = a
        .node
        .course(&viewer(&a, "bob"), course)
        .expect("course")
        .outline;
    let quiz = outline[0].assessments[0].id;
    let essay = outline[0].assessments[1].id;

    let editor = get(&a, &bob, &format!("/courses/{course}/edit")).await;
    assert!(editor.body.contains(&format!("/assessments/{quiz}/edit")));
    let form = get(&a, &bob, &format!("/assessments/{quiz}/edit")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("Ferris is a"), "{}", form.body);
    assert!(
        form.body.contains("value=\"424242\""),
        "the answer is there for its author"
    );
    assert!(form.body.contains("crab\nprawn"));
    assert_eq!(
        get(&a, &carol, &format!("/assessments/{quiz}/edit"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // The number question becomes a short answer; a third question is added.
    let r = post(
        &a,
        &bob,
        &format!("/assessments/{quiz}/edit"),
        &format!(
            "csrf={csrf}&slots=4&title=Shell+quiz+II&passing_score=50&max_attempts=5\
             &time_limit_minutes=10\
             &kind0=single&prompt0=Ferris+is+a&choices0=crab%0Aprawn&answer0=1&points0=1\
             &kind1=short&prompt1=Its+colour&answer1=orange+%7C+red&points1=2\
             &kind2=multiple&prompt2=Crabs&choices2=walk%0Afly%0Aswim&answer2=1+3&points2=1\
             &kind3=single&prompt3=&answer3="
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), format!("/courses/{course}/edit?done=saved"));
    let saved = a
        .node
        .assessment_for_author(&viewer(&a, "bob"), quiz)
        .expect("quiz");
    assert_eq!(saved.title, "Shell quiz II");
    assert_eq!((saved.passing_score, saved.max_attempts), (50, Some(5)));
    assert_eq!(saved.time_limit_secs, Some(600));
    assert_eq!(saved.questions.len(), 3);
    assert!(matches!(
        &saved.questions[1].kind,
        node::courses::QuestionKind::Short { accepted } if accepted == &["orange", "red"]
    ));

    // A refused change names the slot and keeps the typed values.
    let r = post(
        &a,
        &bob,
        &format!("/assessments/{quiz}/edit"),
        &format!(
            "csrf={csrf}&slots=4&title=Broken&passing_score=50\
             &kind0=single&prompt0=Ferris+is+a&choices0=crab%0Aprawn&answer0=1\
             &kind2=numeric&prompt2=Legs&answer2=many"
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("questions: question 3 (answer)"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("questions: questions"), "named once");
    assert!(r.body.contains("value=\"Broken\""));
    let unchanged = a
        .node
        .assessment_for_author(&viewer(&a, "bob"), quiz)
        .expect("quiz");
    assert_eq!(unchanged.title, "Shell quiz II");

    // The essay's rubric stays while it stays free text.
    let before = a
        .node
        .assessment_for_author(&viewer(&a, "bob"), essay)
        .expect("essay");
    let r = post(
        &a,
        &bob,
        &format!("/assessments/{essay}/edit"),
        &format!(
            "csrf={csrf}&slots=4&title=Essay&passing_score=60\
             &kind0=text&prompt0=Why+crabs%3F&answer0=&points0=1"
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let after = a
        .node
        .assessment_for_author(&viewer(&a, "bob"), essay)
        .expect("essay");
    assert_eq!(after.questions[0].prompt, "Why crabs?");
    assert_eq!(after.questions[0].kind, before.questions[0].kind);
    assert_eq!(after.questions[0].points, before.questions[0].points);
}
