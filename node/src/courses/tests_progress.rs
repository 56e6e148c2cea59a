//! Progress: lessons done and undone, percentages from counters, where to
//! resume, completion when every lesson is done, ratings after it.

use super::tests::{course_with_lessons, field_of, kinds};
use super::*;
use crate::events::Event;
use crate::model::NotificationKind;
use crate::test_support::{alice_bob_carol, fixture};
use crate::NodeError;

#[tokio::test]
async fn percentages_per_module_and_course_and_resume_at_the_next_lesson() {
    let f = fixture();
    let (alice, bob, _) = alice_bob_carol(&f.node).await;
    let (id, lessons) = course_with_lessons(&f.node, &alice, "Web", 2, 2).await;
    assert!(matches!(
        f.node.mark_lesson_done(&bob, lessons[0][0]).await,
        Err(NodeError::Forbidden(_))
    ));
    f.node.enrol_in_course(&bob, id).await.expect("enrol");
    let p = f.node.course_progress(&bob, id).expect("progress");
    assert_eq!((p.lessons_done, p.lessons_total, p.percent), (0, 4, 0));
    assert_eq!(p.resume.as_ref().map(|r| r.lesson), Some(lessons[0][0]));

    let p = f
        .node
        .mark_lesson_done(&bob, lessons[0][0])
        .await
        .expect("done");
    assert_eq!(p.percent, 25);
    assert_eq!(
        p.modules.iter().map(|m| m.percent).collect::<Vec<_>>(),
        vec![50, 0]
    );
    assert_eq!(p.resume.as_ref().map(|r| r.lesson), Some(lessons[0][1]));

    // Out of order: the first lesson left is still the resume point.
    let p = f
        .node
        .mark_lesson_done(&bob, lessons[1][1])
        .await
        .expect("done");
    assert_eq!(p.percent, 50);
    assert_eq!(p.resume.as_ref().map(|r| r.lesson), Some(lessons[0][1]));
    // Twice changes nothing.
    let again = f
        .node
        .mark_lesson_done(&bob, lessons[1][1])
        .await
        .expect("again");
    assert_eq!(again.lessons_done, 2);

    let p = f
        .node
        .mark_lesson_undone(&bob, lessons[0][0])
        .await
        .expect("undone");
    assert_eq!((p.lessons_done, p.percent), (1, 25));
    assert_eq!(
        p.modules.iter().map(|m| m.percent).collect::<Vec<_>>(),
        vec![0, 50]
    );
    assert_eq!(p.resume.as_ref().map(|r| r.lesson), Some(lessons[0][0]));

    // The instructor sees the same figures.
    let rows = f.node.course_enrolments(&alice, id).expect("rows");
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].lessons_done, rows[0].percent), (1, 25));
    let seen = f
        .node
        .member_progress(&alice, id, bob.id().expect("id"))
        .expect("progress");
    assert_eq!(seen.percent, 25);

    // Removing a lesson someone did takes it out of their counters.
    f.node
        .remove_lesson(&alice, lessons[1][1])
        .await
        .expect("remove");
    let p = f.node.course_progress(&bob, id).expect("progress");
    assert_eq!((p.lessons_done, p.lessons_total, p.percent), (0, 3, 0));
}

#[tokio::test]
async fn the_last_lesson_completes_the_course_once_and_says_so() {
    let f = fixture();
    let (alice, bob, _) = alice_bob_carol(&f.node).await;
    let (id, lessons) = course_with_lessons(&f.node, &alice, "Short", 1, 2).await;
    f.node.enrol_in_course(&bob, id).await.expect("enrol");
    let mut events = f.node.subscribe();
    let p = f
        .node
        .mark_lesson_done(&bob, lessons[0][0])
        .await
        .expect("done");
    assert!(p.completion.is_none());
    let p = f
        .node
        .mark_lesson_done(&bob, lessons[0][1])
        .await
        .expect("done");
    let completion = p.completion.expect("complete");
    assert_eq!(completion.member, bob.id().expect("id"));
    assert_eq!(completion.course, id);
    assert_eq!((completion.lessons, completion.score), (2, None));
    assert!(p.resume.is_none());
    assert_eq!(kinds(&f.node, &bob)[0], NotificationKind::CourseCompleted);
    let mut told = false;
    while let Ok(e) = events.try_recv() {
        if let Event::CourseCompleted { course, member } = e {
            assert_eq!((course, Some(member)), (id, bob.id()));
            told = true;
        }
    }
    assert!(told, "CourseCompleted was not emitted");

    let view = f.node.course(&bob, id).expect("view");
    assert_eq!(view.completed_count, 1);
    assert_eq!(
        view.viewer.and_then(|v| v.state),
        Some(EnrolmentState::Completed)
    );
    assert_eq!(f.node.my_completions(&bob).expect("mine").len(), 1);

    // Undone and done again: still one completion, recorded once.
    f.node
        .mark_lesson_undone(&bob, lessons[0][1])
        .await
        .expect("undone");
    f.node
        .mark_lesson_done(&bob, lessons[0][1])
        .await
        .expect("done");
    assert_eq!(f.node.course(&bob, id).expect("view").completed_count, 1);
    assert_eq!(
        f.node.completion(id, bob.id().expect("id")).expect("load"),
        Some(completion)
    );

    // Left and enrolled again: completed still, and listed so.
    assert!(f.node.leave_course(&bob, id).await.expect("leave"));
    assert!(f.node.my_courses(&bob).expect("mine").is_empty());
    let o = f.node.enrol_in_course(&bob, id).await.expect("again");
    assert_eq!(o.state, EnrolmentState::Completed);
    let mine = f.node.my_courses(&bob).expect("mine");
    assert_eq!(mine.len(), 1);
    assert_eq!((mine[0].course.id, mine[0].percent), (id, 100));
    assert_eq!(f.node.course(&alice, id).expect("view").enrolled_count, 1);
    let taught = f
        .node
        .courses_taught(&bob, alice.id().expect("id"))
        .expect("taught");
    assert_eq!(taught.iter().map(|c| c.id).collect::<Vec<_>>(), vec![id]);
}

#[tokio::test]
async fn a_course_is_rated_once_and_only_after_completing_it() {
    let f = fixture();
    let (alice, bob, carol) = alice_bob_carol(&f.node).await;
    let (id, lessons) = course_with_lessons(&f.node, &alice, "Rated", 1, 1).await;
    for m in [&bob, &carol] {
        f.node.enrol_in_course(m, id).await.expect("enrol");
    }
    assert_eq!(
        field_of(f.node.rate_course(&bob, id, 5).await.expect_err("not yet")),
        "rating"
    );
    for m in [&bob, &carol] {
        f.node
            .mark_lesson_done(m, lessons[0][0])
            .await
            .expect("done");
    }
    assert_eq!(
        field_of(f.node.rate_course(&bob, id, 6).await.expect_err("six")),
        "rating"
    );
    f.node.rate_course(&bob, id, 5).await.expect("rate");
    assert_eq!(
        field_of(f.node.rate_course(&bob, id, 1).await.expect_err("twice")),
        "rating"
    );
    f.node.rate_course(&carol, id, 2).await.expect("rate");
    let view = f.node.course(&bob, id).expect("view");
    assert_eq!(view.rating_count, 2);
    assert_eq!(view.rating_average, Some(3.5));
    assert_eq!(view.viewer.and_then(|v| v.rating), Some(5));
}
