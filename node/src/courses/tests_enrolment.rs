//! Enrolment: capacity under 100 concurrent enrolments, approval and
//! price, invitations, the window and status, prerequisites.

use std::sync::Arc;

use super::tests::{clones, conflict_message, create, field_of, kinds, open_course};
use super::*;
use crate::model::NotificationKind;
use crate::test_support::{fixture, member};
use crate::NodeError;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_at_once_for_ten_seats_take_ten() {
    let f = fixture();
    let node = f.node.clone();
    let alice = member(&node, "alice").await;
    let id = create(
        &node,
        &alice,
        NewCourse {
            capacity: Some(10),
            ..open_course("Ten seats")
        },
    )
    .await;
    let people = clones(&node, &alice, "p", 100);
    let mut tasks = Vec::new();
    for viewer in &people {
        let viewer = viewer.clone();
        let node: Arc<Node> = node.clone();
        tasks.push(tokio::spawn(async move {
            node.enrol_in_course(&viewer, id).await
        }));
    }
    let (mut enrolled, mut full) = (0, 0);
    for task in tasks {
        match task.await.expect("task") {
            Ok(o) => {
                assert_eq!(o.state, EnrolmentState::Enrolled);
                enrolled += 1;
            }
            Err(e) => {
                assert_eq!(field_of(e), "capacity");
                full += 1;
            }
        }
    }
    assert_eq!((enrolled, full), (10, 90));
    let view = node.course(&alice, id).expect("view");
    assert_eq!(view.enrolled_count, 10);
    assert_eq!(view.seats_left, Some(0));
    assert_eq!(node.course_enrolments(&alice, id).expect("list").len(), 10);

    // A seat freed is a seat taken again.
    let seated = node
        .course_enrolments(&alice, id)
        .expect("list")
        .first()
        .map(|r| r.member.id)
        .expect("one");
    let leaver = people
        .iter()
        .find(|p| p.id() == Some(seated))
        .expect("leaver");
    assert!(node.leave_course(leaver, id).await.expect("leave"));
    let waiting = people
        .iter()
        .find(|p| {
            node.course(p, id)
                .expect("view")
                .viewer
                .is_some_and(|v| v.state.is_none())
        })
        .expect("someone without a seat");
    node.enrol_in_course(waiting, id)
        .await
        .expect("a free seat");
    assert_eq!(node.course(&alice, id).expect("view").enrolled_count, 10);
}

#[tokio::test]
async fn approval_and_price_wait_for_an_instructor() {
    let f = fixture();
    let (alice, bob, carol) = crate::test_support::alice_bob_carol(&f.node).await;
    let approval = create(
        &f.node,
        &alice,
        NewCourse {
            enrolment: Some("approval".into()),
            ..open_course("Approval")
        },
    )
    .await;
    let priced = create(
        &f.node,
        &alice,
        NewCourse {
            price: Some(PriceInput {
                amount: AmountInput::Text("49.99".into()),
                currency: "USD".into(),
            }),
            capacity: Some(1),
            ..open_course("Priced")
        },
    )
    .await;
    for id in [approval, priced] {
        let o = f.node.enrol_in_course(&bob, id).await.expect("enrol");
        assert_eq!(o.state, EnrolmentState::Pending);
        assert!(o.changed);
        let again = f.node.enrol_in_course(&bob, id).await.expect("again");
        assert!(!again.changed);
    }
    assert_eq!(
        kinds(&f.node, &alice),
        vec![NotificationKind::CourseEnrolmentRequest; 2]
    );
    assert_eq!(
        f.node.course(&alice, priced).expect("view").pending_count,
        1
    );
    let e = f
        .node
        .approve_enrolment(&carol, priced, bob.id().expect("id"))
        .await
        .expect_err("carol does not teach it");
    assert!(matches!(e, NodeError::Forbidden(_)));
    let state = f
        .node
        .approve_enrolment(&alice, priced, bob.id().expect("id"))
        .await
        .expect("approve");
    assert_eq!(state, EnrolmentState::Enrolled);
    assert_eq!(
        kinds(&f.node, &bob)[0],
        NotificationKind::CourseEnrolmentApproved
    );
    let view = f.node.course(&alice, priced).expect("view");
    assert_eq!((view.enrolled_count, view.pending_count), (1, 0));

    // The one seat is taken: approving carol is refused.
    f.node.enrol_in_course(&carol, priced).await.expect("enrol");
    let e = f
        .node
        .approve_enrolment(&alice, priced, carol.id().expect("id"))
        .await
        .expect_err("full");
    assert_eq!(field_of(e), "capacity");
    assert!(f
        .node
        .reject_enrolment(&alice, priced, carol.id().expect("id"))
        .await
        .expect("reject"));
    assert_eq!(
        kinds(&f.node, &carol)[0],
        NotificationKind::CourseEnrolmentRejected
    );
    assert_eq!(
        f.node.course(&alice, priced).expect("view").pending_count,
        0
    );

    // A request left waiting when the course is archived is not approved.
    f.node
        .enrol_in_course(&carol, approval)
        .await
        .expect("enrol");
    f.node
        .update_course(
            &alice,
            approval,
            CourseUpdate {
                status: Some("archived".into()),
                ..CourseUpdate::default()
            },
        )
        .await
        .expect("archive");
    let e = f
        .node
        .approve_enrolment(&alice, approval, carol.id().expect("id"))
        .await
        .expect_err("archived");
    assert_eq!(field_of(e), "course");
}

#[tokio::test]
async fn an_invite_course_takes_invited_members_only() {
    let f = fixture();
    let (alice, bob, carol) = crate::test_support::alice_bob_carol(&f.node).await;
    let id = create(
        &f.node,
        &alice,
        NewCourse {
            enrolment: Some("invite".into()),
            price: Some(PriceInput {
                amount: AmountInput::Number(5.0),
                currency: "EUR".into(),
            }),
            ..open_course("Invite only")
        },
    )
    .await;
    let e = f
        .node
        .enrol_in_course(&bob, id)
        .await
        .expect_err("not invited");
    assert_eq!(field_of(e), "enrolment");
    assert!(f
        .node
        .invite_to_course(&alice, id, "bob")
        .await
        .expect("invite"));
    assert!(!f
        .node
        .invite_to_course(&alice, id, "bob")
        .await
        .expect("twice"));
    assert_eq!(kinds(&f.node, &bob)[0], NotificationKind::CourseInvite);
    assert!(matches!(
        f.node.invite_to_course(&carol, id, "carol").await,
        Err(NodeError::Forbidden(_))
    ));
    // An invitation is the instructors' approval, price or not.
    let o = f.node.enrol_in_course(&bob, id).await.expect("invited");
    assert_eq!(o.state, EnrolmentState::Enrolled);
}

#[tokio::test]
async fn drafts_archives_closed_windows_and_instructors_take_no_enrolment() {
    let f = fixture();
    let (alice, bob, _) = crate::test_support::alice_bob_carol(&f.node).await;
    let draft = create(
        &f.node,
        &alice,
        NewCourse {
            status: None,
            ..open_course("Draft")
        },
    )
    .await;
    assert!(matches!(
        f.node.enrol_in_course(&bob, draft).await,
        Err(NodeError::NotFound("course"))
    ));
    let closed = create(
        &f.node,
        &alice,
        NewCourse {
            enrolment_closes: Some(crate::model::now_ms() - 1_000),
            enrolment_opens: Some(crate::model::now_ms() - 10_000),
            ..open_course("Closed")
        },
    )
    .await;
    assert_eq!(
        field_of(
            f.node
                .enrol_in_course(&bob, closed)
                .await
                .expect_err("closed")
        ),
        "enrolment"
    );
    let id = create(&f.node, &alice, open_course("Open")).await;
    assert_eq!(
        field_of(
            f.node
                .enrol_in_course(&alice, id)
                .await
                .expect_err("teaches")
        ),
        "course"
    );
    f.node.enrol_in_course(&bob, id).await.expect("enrol");
    let e = f
        .node
        .update_course(
            &alice,
            id,
            CourseUpdate {
                status: Some("draft".into()),
                ..CourseUpdate::default()
            },
        )
        .await
        .expect_err("enrolments");
    assert_eq!(field_of(e), "status");
    assert_eq!(
        field_of(
            f.node
                .delete_course(&alice, id)
                .await
                .expect_err("enrolled")
        ),
        "course"
    );
    f.node
        .update_course(
            &alice,
            id,
            CourseUpdate {
                status: Some("archived".into()),
                ..CourseUpdate::default()
            },
        )
        .await
        .expect("archive");
    let carol = member(&f.node, "dave").await;
    let (field, message) = conflict_message(
        f.node
            .enrol_in_course(&carol, id)
            .await
            .expect_err("archived"),
    );
    assert_eq!(
        (field.as_str(), message.as_str()),
        ("course", "the course is archived")
    );
}

/// A remote completion source that knows of one course.
struct Knows(&'static str);

impl RemoteCompletions for Knows {
    fn completed(&self, _member: &crate::model::Member, url: &str) -> bool {
        url == self.0
    }
}

#[tokio::test]
async fn enrolment_needs_every_prerequisite_completed_and_names_what_is_missing() {
    let f = fixture();
    let (alice, bob, _) = crate::test_support::alice_bob_carol(&f.node).await;
    let basics = create(&f.node, &alice, open_course("Basics")).await;
    let remote = "https://other.example/courses/7";
    let advanced = create(
        &f.node,
        &alice,
        NewCourse {
            prerequisites: vec![basics.to_string(), remote.into()],
            ..open_course("Advanced")
        },
    )
    .await;
    let (field, message) = conflict_message(
        f.node
            .enrol_in_course(&bob, advanced)
            .await
            .expect_err("missing"),
    );
    assert_eq!(field, "prerequisites");
    assert!(
        message.contains(&format!("\"Basics\" ({basics})")),
        "{message}"
    );
    assert!(message.contains(remote), "{message}");
    let view = f.node.course(&bob, advanced).expect("view");
    assert_eq!(
        view.viewer.expect("viewer").missing_prerequisites,
        vec![
            MissingPrerequisite::Course {
                id: basics,
                title: "Basics".into()
            },
            MissingPrerequisite::Remote { url: remote.into() }
        ]
    );

    // Complete Basics (a lesson, done).
    let module = f
        .node
        .add_module(&alice, basics, "Only")
        .await
        .expect("module");
    let lesson = f
        .node
        .add_lesson(&alice, module.id, super::tests::lesson("Only", 5))
        .await
        .expect("lesson");
    f.node.enrol_in_course(&bob, basics).await.expect("enrol");
    f.node
        .mark_lesson_done(&bob, lesson.id)
        .await
        .expect("done");
    // The remote one is still missing, until something vouches for it.
    let (_, message) = conflict_message(
        f.node
            .enrol_in_course(&bob, advanced)
            .await
            .expect_err("remote missing"),
    );
    assert!(
        !message.contains("Basics") && message.contains(remote),
        "{message}"
    );
    let o = f
        .node
        .enrol_in_course_with(&bob, advanced, &Knows(remote))
        .await
        .expect("all met");
    assert_eq!(o.state, EnrolmentState::Enrolled);
}
