//! Courses across servers: what publishing tells other servers, learners
//! of other servers enrolling by `Join` under the local rules, studying
//! and receiving their certificate at home, courses of other servers
//! stored and enrolled in from here, and certificates offered by other
//! servers.

use super::tests::{conflict_message, course_with_lessons, create, kinds, open_course};
use super::*;
use crate::model::{Member, NotificationKind};
use crate::node::{Node, Viewer};
use crate::remote::{Outgoing, RemoteActor};
use crate::test_support::{fixture, member};
use crate::NodeError;
use identity::Ed25519Keypair;

/// A remote person `name` on `host`, stored here, with an ed25519 key
/// published (`key`) or not.
async fn remote(node: &Node, name: &str, host: &str, key: Option<&Ed25519Keypair>) -> Member {
    let id = format!("https://{host}/users/{name}");
    node.upsert_remote_actor(RemoteActor {
        name: name.into(),
        shared_inbox: Some(format!("https://{host}/inbox")),
        public_key_pem: "-----BEGIN PUBLIC KEY-----\n...".into(),
        confirmed_handle: Some(format!("{name}@{host}")),
        ed25519: key.map(Ed25519Keypair::public),
        ed25519_proven: key.is_some(),
        ..RemoteActor::person(&id, name)
    })
    .await
    .expect("remote actor")
}

/// The intents queued, oldest first.
fn queued(node: &Node) -> Vec<Outgoing> {
    node.pending_outgoing(1_000)
        .expect("outbox")
        .into_iter()
        .map(|(_, o)| o)
        .collect()
}

/// The answers (`accept`) queued for `member`'s `Join`s of `course`.
fn answers(node: &Node, course: Id, member: Id) -> Vec<(String, bool)> {
    queued(node)
        .into_iter()
        .filter_map(|o| match o {
            Outgoing::CourseJoinAnswer {
                course: c,
                member: m,
                activity_id,
                accept,
            } if c == course && m == member => Some((activity_id, accept)),
            _ => None,
        })
        .collect()
}

fn enrolment_of(node: &Node, course: Id, member: Id) -> Option<EnrolmentState> {
    node.store
        .load::<crate::store::tables::CourseEnrolments>((course, member))
        .expect("load")
        .map(|e| e.state)
}

#[tokio::test]
async fn publishing_changing_archiving_and_deleting_are_told_to_remote_followers_only() {
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    let alice_id = alice.member().expect("m").id;
    let quiet = create(&f.node, &alice, open_course("Nobody elsewhere follows")).await;
    assert!(
        !queued(&f.node)
            .iter()
            .any(|o| matches!(o, Outgoing::Course { course, .. } if *course == quiet)),
        "nothing queued without remote followers"
    );

    let far = remote(&f.node, "fan", "far.test", None).await;
    f.node
        .receive_follow(&far, alice_id, "https://far.test/follows/1")
        .await
        .expect("follow");
    let published = create(&f.node, &alice, open_course("Published at once")).await;
    let draft = create(
        &f.node,
        &alice,
        NewCourse {
            status: Some("draft".into()),
            ..open_course("Rust")
        },
    )
    .await;
    let told = |course: Id| -> Vec<bool> {
        queued(&f.node)
            .into_iter()
            .filter_map(|o| match o {
                Outgoing::Course { course: c, created } if c == course => Some(created),
                _ => None,
            })
            .collect()
    };
    assert_eq!(told(published), vec![true], "created published: its Create");
    assert!(told(draft).is_empty(), "a draft is nobody's business");
    f.node.publish_course(&alice, draft).await.expect("publish");
    assert_eq!(told(draft), vec![true], "publishing queues the Create");
    f.node
        .update_course(
            &alice,
            draft,
            CourseUpdate {
                title: Some("Rust, gently".into()),
                ..CourseUpdate::default()
            },
        )
        .await
        .expect("update");
    f.node
        .update_course(
            &alice,
            draft,
            CourseUpdate {
                status: Some("archived".into()),
                ..CourseUpdate::default()
            },
        )
        .await
        .expect("archive");
    assert_eq!(
        told(draft),
        vec![true, false, false],
        "changes queue Updates"
    );
    let module = f
        .node
        .add_module(&alice, published, "Basics")
        .await
        .expect("module");
    let lesson = f
        .node
        .add_lesson(&alice, module.id, super::tests::lesson("Loam", 5))
        .await
        .expect("lesson");
    f.node.remove_lesson(&alice, lesson.id).await.expect("gone");
    assert_eq!(
        told(published),
        vec![true, false, false, false],
        "its syllabus's counts changed: Updates"
    );
    f.node.delete_course(&alice, draft).await.expect("delete");
    let object = f.node.urls().course("alice", draft);
    assert!(queued(&f.node).iter().any(|o| matches!(
        o,
        Outgoing::CourseDeleted { object: ob, actor } if *ob == object && *actor == alice_id
    )));
}

#[tokio::test]
async fn a_remote_join_enrols_under_the_local_rules_and_is_answered_in_the_same_write() {
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    let open = create(&f.node, &alice, open_course("Open")).await;
    let rob = remote(&f.node, "rob", "far.test", None).await;

    let outcome = f
        .node
        .receive_course_join(&rob, open, "https://far.test/users/rob/course-joins/1/1")
        .await
        .expect("join");
    assert_eq!(outcome.state, EnrolmentState::Enrolled);
    assert_eq!(
        enrolment_of(&f.node, open, rob.id),
        Some(EnrolmentState::Enrolled)
    );
    assert_eq!(
        answers(&f.node, open, rob.id),
        vec![(
            "https://far.test/users/rob/course-joins/1/1".to_string(),
            true
        )]
    );
    // The same Join again (its Accept lost): answered again, no second seat.
    f.node
        .receive_course_join(&rob, open, "https://far.test/users/rob/course-joins/1/1")
        .await
        .expect("again");
    assert_eq!(answers(&f.node, open, rob.id).len(), 2);
    let view = f.node.course(&alice, open).expect("view");
    assert_eq!(view.enrolled_count, 1);

    // Approval: pending, the instructors told; approving queues the Accept.
    let approval = create(
        &f.node,
        &alice,
        NewCourse {
            enrolment: Some("approval".into()),
            ..open_course("Approval")
        },
    )
    .await;
    let outcome = f
        .node
        .receive_course_join(&rob, approval, "https://far.test/j/2")
        .await
        .expect("join");
    assert_eq!(outcome.state, EnrolmentState::Pending);
    assert!(answers(&f.node, approval, rob.id).is_empty());
    assert!(kinds(&f.node, &alice).contains(&NotificationKind::CourseEnrolmentRequest));
    f.node
        .approve_enrolment(&alice, approval, rob.id)
        .await
        .expect("approve");
    assert_eq!(
        answers(&f.node, approval, rob.id),
        vec![("https://far.test/j/2".to_string(), true)]
    );

    // Turned down: Reject queued.
    let sue = remote(&f.node, "sue", "far.test", None).await;
    f.node
        .receive_course_join(&sue, approval, "https://far.test/j/3")
        .await
        .expect("join");
    f.node
        .reject_enrolment(&alice, approval, sue.id)
        .await
        .expect("reject");
    assert_eq!(
        answers(&f.node, approval, sue.id),
        vec![("https://far.test/j/3".to_string(), false)]
    );
    assert_eq!(enrolment_of(&f.node, approval, sue.id), None);

    // Leave un-enrols and frees the seat.
    assert!(f
        .node
        .receive_course_leave(&rob, open)
        .await
        .expect("leave"));
    assert_eq!(enrolment_of(&f.node, open, rob.id), None);
    assert_eq!(f.node.course(&alice, open).expect("view").enrolled_count, 0);
}

#[tokio::test]
async fn a_remote_join_is_refused_with_a_reject_when_the_course_would_refuse_a_member() {
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    let rob = remote(&f.node, "rob", "far.test", None).await;
    let invite = create(
        &f.node,
        &alice,
        NewCourse {
            enrolment: Some("invite".into()),
            ..open_course("Invited only")
        },
    )
    .await;
    let full = create(
        &f.node,
        &alice,
        NewCourse {
            capacity: Some(1),
            ..open_course("Full")
        },
    )
    .await;
    let bob = member(&f.node, "bob").await;
    f.node.enrol_in_course(&bob, full).await.expect("bob");
    let archived = create(&f.node, &alice, open_course("Archived")).await;
    f.node
        .update_course(
            &alice,
            archived,
            CourseUpdate {
                status: Some("archived".into()),
                ..CourseUpdate::default()
            },
        )
        .await
        .expect("archive");
    let needs = create(
        &f.node,
        &alice,
        NewCourse {
            prerequisites: vec![full.to_string()],
            ..open_course("Needs Full")
        },
    )
    .await;
    for (course, field) in [
        (invite, "enrolment"),
        (full, "capacity"),
        (archived, "course"),
        (needs, "prerequisites"),
    ] {
        let err = f
            .node
            .receive_course_join(&rob, course, &format!("https://far.test/j/{course}"))
            .await
            .expect_err("refused");
        assert_eq!(conflict_message(err).0, field);
        assert_eq!(
            answers(&f.node, course, rob.id),
            vec![(format!("https://far.test/j/{course}"), false)],
            "{field}: a Reject is queued"
        );
        assert_eq!(enrolment_of(&f.node, course, rob.id), None);
    }
}

#[tokio::test]
async fn a_remote_learner_studies_completes_and_gets_a_certificate_offered_at_home() {
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    let (course, lessons) = course_with_lessons(&f.node, &alice, "Soil", 1, 2).await;
    f.node
        .update_course(
            &alice,
            course,
            CourseUpdate {
                certificate: Some(true),
                ..CourseUpdate::default()
            },
        )
        .await
        .expect("certificate");
    let key = Ed25519Keypair::generate();
    let rob = remote(&f.node, "rob", "far.test", Some(&key)).await;
    f.node
        .receive_course_join(&rob, course, "https://far.test/j/1")
        .await
        .expect("join");
    let as_rob = Viewer::Member(Box::new(rob.clone()));
    for lesson in &lessons[0] {
        f.node
            .mark_lesson_done(&as_rob, *lesson)
            .await
            .expect("done");
    }
    assert_eq!(
        f.node.course_progress(&as_rob, course).expect("p").percent,
        100
    );
    assert!(f.node.completion(course, rob.id).expect("c").is_some());
    let issued: Vec<Id> = queued(&f.node)
        .into_iter()
        .filter_map(|o| match o {
            Outgoing::CertificateOffer { certificate } => Some(certificate),
            _ => None,
        })
        .collect();
    assert_eq!(issued.len(), 1, "the certificate is offered at home");
    let certificate = f.node.certificate(issued[0]).expect("certificate");
    assert_eq!(certificate.member, rob.id);
    assert_eq!(
        certificate.credential["credentialSubject"]["id"],
        serde_json::json!(key.public().to_did_key()),
        "issued to the learner's own did:key"
    );

    // A learner of another server never teaches.
    let err = f.node.course_enrolments(&as_rob, course).expect_err("no");
    assert!(matches!(err, NodeError::Forbidden(_)), "{err:?}");

    // Without a published ed25519 key: completed, no certificate.
    let sue = remote(&f.node, "sue", "far.test", None).await;
    f.node
        .receive_course_join(&sue, course, "https://far.test/j/2")
        .await
        .expect("join");
    let as_sue = Viewer::Member(Box::new(sue.clone()));
    for lesson in &lessons[0] {
        f.node
            .mark_lesson_done(&as_sue, *lesson)
            .await
            .expect("done");
    }
    assert!(f.node.completion(course, sue.id).expect("c").is_some());
    let offers = queued(&f.node)
        .iter()
        .filter(|o| matches!(o, Outgoing::CertificateOffer { .. }))
        .count();
    assert_eq!(offers, 1, "no certificate without a did:key");
}

/// What `far.test`'s instructor `ann` says of her course `n`.
fn said(n: u32) -> RemoteCourseInput {
    RemoteCourseInput {
        title: "Compost".into(),
        summary: "Beginner · 2 h · taught by Ann".into(),
        description_html: "<p>Heaps.</p>".into(),
        level: Some(CourseLevel::Beginner),
        category: Some("gardening".into()),
        tags: vec!["soil".into(), "not a slug!".into()],
        duration_minutes: Some(120),
        modules: Some(2),
        lessons: Some(5),
        enrolment: EnrolmentMode::Open,
        capacity: Some(10),
        price: None,
        certificate: true,
        archived: false,
        prerequisites: vec!["https://far.test/courses/0".into(), "javascript:x".into()],
        instructors: vec!["https://far.test/users/ann".into()],
        uri: format!("https://far.test/users/ann/courses/{n}"),
        url: format!("https://far.test/courses/{n}"),
    }
}

#[tokio::test]
async fn a_remote_course_is_stored_from_its_own_actor_and_enrolled_in_by_join() {
    let f = fixture();
    let bob = member(&f.node, "bob").await;
    let ann = remote(&f.node, "ann", "far.test", None).await;
    let eve = remote(&f.node, "eve", "evil.test", None).await;
    let mallory = remote(&f.node, "mallory", "far.test", None).await;

    let err = f
        .node
        .store_remote_course(&eve, said(1))
        .await
        .expect_err("other host");
    assert!(matches!(err, NodeError::Forbidden(_)), "{err:?}");
    let id = f
        .node
        .store_remote_course(&ann, said(1))
        .await
        .expect("store");
    assert_eq!(
        f.node
            .remote_course_by_uri("https://far.test/courses/1")
            .expect("by page"),
        Some(id)
    );
    let err = f
        .node
        .store_remote_course(&mallory, said(1))
        .await
        .expect_err("another account");
    assert!(matches!(err, NodeError::Forbidden(_)), "{err:?}");
    // Another account of that server naming ann's course as its page
    // takes nothing of ann's course's index.
    let squatter = f
        .node
        .store_remote_course(
            &mallory,
            RemoteCourseInput {
                uri: "https://far.test/users/mallory/courses/9".into(),
                url: "https://far.test/users/ann/courses/1".into(),
                ..said(9)
            },
        )
        .await
        .expect("its own course");
    assert_ne!(squatter, id);
    assert_eq!(
        f.node
            .remote_course_by_uri("https://far.test/users/ann/courses/1")
            .expect("by id"),
        Some(id)
    );
    f.node
        .store_remote_course(&ann, said(1))
        .await
        .expect("ann still updates hers");
    let view = f.node.remote_course(&bob, id).expect("view");
    assert_eq!(view.course.tags, vec!["soil".to_string()]);
    assert_eq!(view.course.prerequisites.len(), 1, "only http(s) URLs kept");
    assert_eq!(view.course.remote.host, "far.test");
    assert_eq!(view.my_enrolment, None);

    let outcome = f.node.enrol_in_course(&bob, id).await.expect("enrol");
    assert_eq!(outcome.state, EnrolmentState::Pending);
    let joins: Vec<String> = queued(&f.node)
        .into_iter()
        .filter_map(|o| match o {
            Outgoing::CourseJoin {
                course,
                activity_id,
                leave: false,
                ..
            } if course == id => Some(activity_id),
            _ => None,
        })
        .collect();
    assert_eq!(joins.len(), 1, "the Join is queued with the enrolment");
    let again = f.node.enrol_in_course(&bob, id).await.expect("again");
    assert!(!again.changed);

    // Only the course's account answers, and only the Join it was sent.
    let err = f
        .node
        .receive_course_join_answer(&mallory, "bob", id, &joins[0], true)
        .await
        .expect_err("impostor");
    assert!(matches!(err, NodeError::Forbidden(_)), "{err:?}");
    assert!(!f
        .node
        .receive_course_join_answer(&ann, "bob", id, "https://k.test/other", true)
        .await
        .expect("other join"));
    assert_eq!(
        f.node.remote_course(&bob, id).expect("v").my_enrolment,
        Some(EnrolmentState::Pending)
    );
    assert!(f
        .node
        .receive_course_join_answer(&ann, "bob", id, &joins[0], true)
        .await
        .expect("accept"));
    assert_eq!(
        f.node.remote_course(&bob, id).expect("v").my_enrolment,
        Some(EnrolmentState::Enrolled)
    );
    assert!(kinds(&f.node, &bob).contains(&NotificationKind::CourseEnrolmentApproved));

    // Leaving queues the Leave named after the Join.
    assert!(f.node.leave_course(&bob, id).await.expect("leave"));
    assert!(queued(&f.node).iter().any(|o| matches!(
        o,
        Outgoing::CourseJoin { activity_id, leave: true, .. } if *activity_id == joins[0]
    )));

    // Enrol again; a Reject removes it and tells the member.
    f.node.enrol_in_course(&bob, id).await.expect("enrol");
    let join = f
        .node
        .store
        .load::<crate::store::tables::RemoteCourseEnrolments>((id, bob.member().expect("m").id))
        .expect("load")
        .expect("enrolment")
        .join;
    assert!(f
        .node
        .receive_course_join_answer(&ann, "bob", id, &join, false)
        .await
        .expect("reject"));
    assert_eq!(
        f.node.remote_course(&bob, id).expect("v").my_enrolment,
        None
    );
    assert!(kinds(&f.node, &bob).contains(&NotificationKind::CourseEnrolmentRejected));

    // Archived or invite-only: refused here before anything is sent.
    let mut archived = said(1);
    archived.archived = true;
    f.node
        .store_remote_course(&ann, archived)
        .await
        .expect("update");
    let err = f
        .node
        .enrol_in_course(&bob, id)
        .await
        .expect_err("archived");
    assert_eq!(conflict_message(err).0, "course");

    // Deleted by another account: refused; by its own: gone.
    let uri = "https://far.test/users/ann/courses/1";
    let err = f
        .node
        .receive_remote_course_delete(&mallory, uri)
        .await
        .expect_err("impostor");
    assert!(matches!(err, NodeError::Forbidden(_)), "{err:?}");
    assert!(f
        .node
        .receive_remote_course_delete(&ann, uri)
        .await
        .expect("delete"));
    assert!(matches!(
        f.node.remote_course(&bob, id),
        Err(NodeError::NotFound(_))
    ));
    assert_eq!(
        f.node
            .remote_course_by_uri("https://far.test/courses/1")
            .expect("x"),
        None
    );
}

#[tokio::test]
async fn a_certificate_offered_by_another_server_is_kept_only_from_its_issuer_s_server() {
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    let bob = member(&f.node, "bob").await;
    let carol = member(&f.node, "carol").await;
    let (course, lessons) = course_with_lessons(&f.node, &alice, "Soil", 1, 1).await;
    f.node
        .update_course(
            &alice,
            course,
            CourseUpdate {
                certificate: Some(true),
                ..CourseUpdate::default()
            },
        )
        .await
        .expect("certificate");
    f.node.enrol_in_course(&bob, course).await.expect("enrol");
    f.node
        .mark_lesson_done(&bob, lessons[0][0])
        .await
        .expect("done");
    let issued = f.node.my_certificates(&bob).expect("mine");
    let credential = issued[0].credential.clone();
    // The course page is on this node's host: a sender of that host plays
    // the course's server.
    let host = crate::remote::host_of(&f.node.urls().course_page(course)).expect("host");
    let teacher = remote(&f.node, "teacher", &host, None).await;
    let stranger = remote(&f.node, "stranger", "far.test", None).await;
    let bob_id = bob.member().expect("m").id;
    let node_key = f.node.node_did();

    let err = f
        .node
        .receive_certificate(&teacher, bob_id, "did:key:z6Mkother", credential.clone())
        .await
        .expect_err("another issuer");
    assert!(matches!(err, NodeError::Forbidden(_)), "{err:?}");
    let err = f
        .node
        .receive_certificate(&stranger, bob_id, &node_key, credential.clone())
        .await
        .expect_err("another server's course");
    assert!(matches!(err, NodeError::Forbidden(_)), "{err:?}");
    let err = f
        .node
        .receive_certificate(
            &teacher,
            carol.member().expect("m").id,
            &node_key,
            credential.clone(),
        )
        .await
        .expect_err("not carol's");
    assert!(matches!(err, NodeError::Invalid { .. }), "{err:?}");
    assert!(f
        .node
        .my_imported_certificates(&bob)
        .expect("none")
        .is_empty());

    // bob enrolled in the course as a course of that server.
    let stored = f
        .node
        .store_remote_course(
            &teacher,
            RemoteCourseInput {
                uri: format!("https://{host}/users/teacher/courses/{course}"),
                url: f.node.urls().course_page(course),
                ..said(1)
            },
        )
        .await
        .expect("stored");
    f.node.enrol_in_course(&bob, stored).await.expect("enrol");
    let join = f
        .node
        .store
        .load::<crate::store::tables::RemoteCourseEnrolments>((stored, bob_id))
        .expect("load")
        .expect("enrolment")
        .join;
    f.node
        .receive_course_join_answer(&teacher, "bob", stored, &join, true)
        .await
        .expect("accept");
    let kept = f
        .node
        .receive_certificate(&teacher, bob_id, &node_key, credential)
        .await
        .expect("kept");
    assert_eq!(
        f.node.remote_course(&bob, stored).expect("v").my_enrolment,
        Some(EnrolmentState::Completed),
        "the enrolment there is completed here too"
    );
    assert_eq!(kept.course_url, f.node.urls().course_page(course));
    assert_eq!(f.node.my_imported_certificates(&bob).expect("one").len(), 1);
    assert!(kinds(&f.node, &bob).contains(&NotificationKind::CertificateReceived));
}

#[tokio::test]
async fn a_remote_learner_takes_assessments_once_enrolled_only() {
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    let (course, _) = course_with_lessons(&f.node, &alice, "Quizzed", 1, 0).await;
    let module = f.node.course(&alice, course).expect("view").outline[0].id;
    let quiz = f
        .node
        .add_assessment(
            &alice,
            module,
            AssessmentInput {
                title: "Quiz".into(),
                passing_score: Some(50),
                questions: vec![QuestionInput {
                    kind: "single".into(),
                    prompt: "Which word means course?".into(),
                    choices: vec!["sintaks".into(), "kursus".into()],
                    answer: Some(serde_json::json!(1)),
                    ..QuestionInput::default()
                }],
                ..AssessmentInput::default()
            },
        )
        .await
        .expect("assessment");
    let rob = remote(&f.node, "rob", "far.test", None).await;
    let as_rob = Viewer::Member(Box::new(rob.clone()));
    let err = f
        .node
        .submit_assessment(&as_rob, quiz.id, vec![Some(Answer::Number(1.0))])
        .await
        .expect_err("not enrolled");
    assert!(matches!(err, NodeError::Forbidden(_)), "{err:?}");
    f.node
        .receive_course_join(&rob, course, "https://far.test/j/1")
        .await
        .expect("join");
    let attempt = f
        .node
        .submit_assessment(&as_rob, quiz.id, vec![Some(Answer::Number(1.0))])
        .await
        .expect("attempt");
    assert_eq!(attempt.passed, Some(true));
    assert_eq!(f.node.my_attempts(&as_rob, quiz.id).expect("mine").len(), 1);
    assert!(
        f.node.completion(course, rob.id).expect("c").is_some(),
        "the required assessment passed completes the course"
    );
    // Reviewing answers is the instructors' alone.
    let err = f.node.review_queue(&as_rob, course).expect_err("no");
    assert!(matches!(err, NodeError::Forbidden(_)), "{err:?}");
}
