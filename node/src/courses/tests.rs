//! Courses: validation errors name their fields, drafts are their
//! instructors', who may teach (members, a group's owner and moderators),
//! the syllabus and its bounds, and the prerequisite graph's cycles.

use super::*;
use crate::groups::NewGroup;
use crate::model::NotificationKind;
use crate::node::Viewer;
use crate::store::tables;
use crate::test_support::{fixture, member};
use crate::{NodeError, PageRequest};

/// `n` members named `{prefix}{i}`, made by copying `template`'s record
/// (keys included) under new ids and names: registering people one by one
/// costs an RSA key each, and enrolments need only accounts.
pub(super) fn clones(node: &Node, template: &Viewer, prefix: &str, n: usize) -> Vec<Viewer> {
    let base = template.member().expect("member").clone();
    let mut out = Vec::with_capacity(n);
    node.store
        .write_blocking(|txn| {
            for i in 0..n {
                let mut m = base.clone();
                m.id = node.ids.next();
                m.username = format!("{prefix}{i}");
                m.email = format!("{prefix}{i}@k.test");
                txn.store::<tables::Member>(m.id, &m)?;
                txn.store::<tables::MemberByName>(m.username.to_lowercase().as_str(), &m.id)?;
                out.push(Viewer::Member(Box::new(m)));
            }
            Ok(())
        })
        .expect("clones");
    out
}

/// The field a 422 or 409 names.
pub(super) fn field_of(e: NodeError) -> String {
    match e {
        NodeError::Invalid { field, .. } | NodeError::Conflict { field, .. } => field,
        other => panic!("expected a field error, got {other:?}"),
    }
}

/// The kinds of `viewer`'s notifications, newest first.
pub(super) fn kinds(node: &Node, viewer: &Viewer) -> Vec<NotificationKind> {
    node.notifications(viewer, &[], &PageRequest::first(40))
        .expect("notifications")
        .items
        .iter()
        .map(|n| n.kind)
        .collect()
}

/// A published, open course titled `title`.
pub(super) fn open_course(title: &str) -> NewCourse {
    NewCourse {
        title: title.into(),
        description: Some("Learn **KODEON**.".into()),
        status: Some("published".into()),
        ..NewCourse::default()
    }
}

/// Creates `new` as `by`; its id.
pub(super) async fn create(node: &Node, by: &Viewer, new: NewCourse) -> Id {
    node.create_course(by, new).await.expect("course").course.id
}

/// A lesson titled `title` of `minutes`.
pub(super) fn lesson(title: &str, minutes: u32) -> LessonInput {
    LessonInput {
        title: title.into(),
        body: format!("# {title}\n\nRead this."),
        minutes,
    }
}

/// A course of `modules` modules of `lessons` lessons each, published,
/// taught by `by`: its id, and its lesson ids in course order.
pub(super) async fn course_with_lessons(
    node: &Node,
    by: &Viewer,
    title: &str,
    modules: usize,
    lessons: usize,
) -> (Id, Vec<Vec<Id>>) {
    let id = create(node, by, open_course(title)).await;
    let mut out = Vec::new();
    for m in 0..modules {
        let module = node
            .add_module(by, id, &format!("Module {m}"))
            .await
            .expect("module");
        let mut ids = Vec::new();
        for l in 0..lessons {
            let lesson = node
                .add_lesson(by, module.id, lesson(&format!("Lesson {m}.{l}"), 10))
                .await
                .expect("lesson");
            ids.push(lesson.id);
        }
        out.push(ids);
    }
    (id, out)
}

pub(super) fn conflict_message(e: NodeError) -> (String, String) {
    match e {
        NodeError::Conflict { field, message } => (field, message),
        other => panic!("expected a conflict, got {other:?}"),
    }
}

#[tokio::test]
async fn a_course_is_created_with_its_fields_and_its_description_rendered() {
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    let _bob = member(&f.node, "bob").await;
    let view = f
        .node
        .create_course(
            &alice,
            NewCourse {
                level: Some("advanced".into()),
                duration: Some(DurationInput::Text("20_jam".into())),
                category: Some("Programming".into()),
                tags: vec!["KODEON".into(), "ai".into(), "kodeon".into()],
                instructors: vec!["bob".into()],
                capacity: Some(30),
                price: Some(PriceInput {
                    amount: AmountInput::Number(49.99),
                    currency: "usd".into(),
                }),
                certificate: true,
                ..open_course("KODEON AI")
            },
        )
        .await
        .expect("course");
    let c = &view.course;
    assert_eq!(c.level, CourseLevel::Advanced);
    assert_eq!(c.duration_minutes, Some(1200));
    assert_eq!(c.duration_text.as_deref(), Some("20_jam"));
    assert_eq!(c.category.as_deref(), Some("programming"));
    assert_eq!(c.tags, vec!["kodeon".to_string(), "ai".to_string()]);
    assert_eq!(c.instructors.len(), 2);
    assert!(c.description_html.contains("<strong>KODEON</strong>"));
    assert_eq!(
        c.price
            .as_ref()
            .map(|p| (p.amount.as_str(), p.currency.as_str())),
        Some(("49.99", "USD"))
    );
    assert!(c.certificate);
    assert_eq!(view.seats_left, Some(30));
    assert_eq!(view.instructors.len(), 2);
    assert!(view.viewer.as_ref().is_some_and(|v| v.instructs));
}

#[tokio::test]
async fn validation_errors_name_their_fields() {
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    let cases: Vec<(&str, NewCourse)> = vec![
        (
            "title",
            NewCourse {
                title: " ".into(),
                ..open_course("x")
            },
        ),
        (
            "level",
            NewCourse {
                level: Some("expert".into()),
                ..open_course("x")
            },
        ),
        (
            "capacity",
            NewCourse {
                capacity: Some(0),
                ..open_course("x")
            },
        ),
        (
            "enrolment",
            NewCourse {
                enrolment: Some("lottery".into()),
                ..open_course("x")
            },
        ),
        (
            "instructors",
            NewCourse {
                instructors: vec!["nobody".into()],
                ..open_course("x")
            },
        ),
        (
            "prerequisites",
            NewCourse {
                prerequisites: vec!["not a course".into()],
                ..open_course("x")
            },
        ),
        (
            "status",
            NewCourse {
                status: Some("archived".into()),
                ..open_course("x")
            },
        ),
        (
            "price.currency",
            NewCourse {
                price: Some(PriceInput {
                    amount: AmountInput::Text("10".into()),
                    currency: "rupiah".into(),
                }),
                ..open_course("x")
            },
        ),
    ];
    for (field, new) in cases {
        let e = f.node.create_course(&alice, new).await.expect_err(field);
        assert_eq!(field_of(e), field);
    }
    let long = NewCourse {
        title: "x".repeat(TITLE_CHARS + 1),
        ..open_course("x")
    };
    match f.node.create_course(&alice, long).await {
        Err(NodeError::TooLarge { field, .. }) => assert_eq!(field, "title"),
        other => panic!("expected 413, got {other:?}"),
    }
}

#[tokio::test]
async fn a_draft_is_seen_by_its_instructors_only_and_taught_by_them_only() {
    let f = fixture();
    let (alice, bob) = (member(&f.node, "alice").await, member(&f.node, "bob").await);
    let id = create(
        &f.node,
        &alice,
        NewCourse {
            status: None,
            ..open_course("Draft")
        },
    )
    .await;
    assert!(f.node.course(&alice, id).is_ok());
    assert!(matches!(
        f.node.course(&bob, id),
        Err(NodeError::NotFound("course"))
    ));
    assert!(matches!(
        f.node.course(&Viewer::Anonymous, id),
        Err(NodeError::NotFound("course"))
    ));
    let query = CourseQuery::default();
    assert!(f.node.courses(&query).expect("list").is_empty());
    let alice_id = alice.id().expect("member");
    assert!(f
        .node
        .courses_taught(&bob, alice_id)
        .expect("list")
        .is_empty());
    assert_eq!(
        f.node.courses_taught(&alice, alice_id).expect("list").len(),
        1
    );
    let e = f
        .node
        .update_course(
            &bob,
            id,
            CourseUpdate {
                title: Some("Mine now".into()),
                ..CourseUpdate::default()
            },
        )
        .await
        .expect_err("not an instructor");
    assert!(matches!(e, NodeError::Forbidden(_)));
    assert!(matches!(
        f.node.add_module(&bob, id, "Intruder").await,
        Err(NodeError::Forbidden(_))
    ));

    f.node.publish_course(&alice, id).await.expect("publish");
    assert_eq!(
        f.node.course(&bob, id).expect("published").course.status,
        CourseStatus::Published
    );
    assert_eq!(f.node.courses(&query).expect("list").len(), 1);
}

#[tokio::test]
async fn a_groups_owner_and_moderators_teach_its_courses() {
    let f = fixture();
    let (alice, bob) = (member(&f.node, "alice").await, member(&f.node, "bob").await);
    f.node
        .create_group(
            &alice,
            NewGroup {
                name: "rustaceans".into(),
                ..NewGroup::default()
            },
        )
        .await
        .expect("group");
    let e = f
        .node
        .create_course(
            &bob,
            NewCourse {
                group: Some("rustaceans".into()),
                ..open_course("Not bob's")
            },
        )
        .await
        .expect_err("bob has no role");
    assert!(matches!(e, NodeError::Forbidden(_)));
    let view = f
        .node
        .create_course(
            &alice,
            NewCourse {
                group: Some("rustaceans".into()),
                ..open_course("Group course")
            },
        )
        .await
        .expect("course");
    assert!(view.course.group.is_some());
    assert!(view.course.instructors.is_empty());
    let module = f
        .node
        .add_module(&alice, view.course.id, "Basics")
        .await
        .expect("the owner teaches it");
    assert!(matches!(
        f.node.rename_module(&bob, module.id, "Bob's").await,
        Err(NodeError::Forbidden(_))
    ));
}

#[tokio::test]
async fn modules_and_lessons_are_added_reordered_and_removed_within_bounds() {
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    let (id, lessons) = course_with_lessons(&f.node, &alice, "Web", 2, 3).await;
    let view = f.node.course(&alice, id).expect("view");
    assert_eq!(view.outline.len(), 2);
    assert_eq!(view.lessons_total, 6);
    assert_eq!(view.lesson_minutes, 60);
    let modules: Vec<Id> = view.outline.iter().map(|m| m.id).collect();

    let reversed: Vec<Id> = modules.iter().rev().copied().collect();
    f.node
        .reorder_modules(&alice, id, reversed.clone())
        .await
        .expect("reorder");
    assert_eq!(
        f.node.course(&alice, id).expect("view").course.modules,
        reversed
    );
    let e = f
        .node
        .reorder_modules(&alice, id, vec![modules[0]])
        .await
        .expect_err("a module left out");
    assert_eq!(field_of(e), "order");

    let mut order = lessons[0].clone();
    order.rotate_left(1);
    f.node
        .reorder_lessons(&alice, modules[0], order.clone())
        .await
        .expect("reorder lessons");
    let outline = f.node.course(&alice, id).expect("view").outline;
    let first = outline.iter().find(|m| m.id == modules[0]).expect("module");
    assert_eq!(
        first.lessons.iter().map(|l| l.id).collect::<Vec<_>>(),
        order
    );

    // A changed lesson changes the outline, which reads no lesson.
    f.node
        .update_lesson(&alice, lessons[0][1], lesson("Renamed", 25))
        .await
        .expect("update");
    let view = f.node.course(&alice, id).expect("view");
    let entry = view
        .outline
        .iter()
        .flat_map(|m| &m.lessons)
        .find(|l| l.id == lessons[0][1])
        .expect("entry");
    assert_eq!((entry.title.as_str(), entry.minutes), ("Renamed", 25));
    assert_eq!(view.lesson_minutes, 75);

    f.node
        .remove_lesson(&alice, lessons[0][0])
        .await
        .expect("remove lesson");
    assert_eq!(f.node.course(&alice, id).expect("view").lessons_total, 5);
    f.node
        .remove_module(&alice, modules[1])
        .await
        .expect("remove module");
    let view = f.node.course(&alice, id).expect("view");
    assert_eq!(view.outline.len(), 1);
    assert_eq!(view.lessons_total, 2);
    assert!(f
        .node
        .store
        .load::<tables::Lesson>(lessons[1][0])
        .expect("load")
        .is_none());

    let e = f
        .node
        .add_lesson(
            &alice,
            modules[0],
            LessonInput {
                body: "x".repeat(LESSON_CHARS + 1),
                ..lesson("Too long", 5)
            },
        )
        .await
        .expect_err("too long");
    assert!(matches!(e, NodeError::TooLarge { ref field, .. } if field == "body"));
    let e = f
        .node
        .add_lesson(
            &alice,
            modules[0],
            lesson("Too slow", MAX_LESSON_MINUTES + 1),
        )
        .await
        .expect_err("too many minutes");
    assert_eq!(field_of(e), "minutes");
}

#[tokio::test]
async fn a_course_has_at_most_fifty_modules() {
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    let id = create(&f.node, &alice, open_course("Big")).await;
    for i in 0..MAX_MODULES {
        f.node
            .add_module(&alice, id, &format!("M{i}"))
            .await
            .expect("module");
    }
    match f.node.add_module(&alice, id, "One more").await {
        Err(NodeError::TooLarge { field, message }) => {
            assert_eq!(field, "modules");
            assert!(message.contains("50"), "{message}");
        }
        other => panic!("expected 413, got {other:?}"),
    }
}

#[tokio::test]
async fn a_prerequisite_cycle_is_refused_naming_it_in_order() {
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    let a = create(&f.node, &alice, open_course("Basics")).await;
    let b = create(
        &f.node,
        &alice,
        NewCourse {
            prerequisites: vec![a.to_string()],
            ..open_course("Web")
        },
    )
    .await;
    let c = create(
        &f.node,
        &alice,
        NewCourse {
            prerequisites: vec![b.to_string(), "https://other.example/courses/1".into()],
            ..open_course("AI")
        },
    )
    .await;
    // Basics requiring AI closes Basics → AI → Web → Basics.
    let e = f
        .node
        .update_course(
            &alice,
            a,
            CourseUpdate {
                prerequisites: Some(vec![c.to_string()]),
                ..CourseUpdate::default()
            },
        )
        .await
        .expect_err("cycle");
    let (field, message) = conflict_message(e);
    assert_eq!(field, "prerequisites");
    let expected = format!("\"Basics\" ({a}) → \"AI\" ({c}) → \"Web\" ({b}) → \"Basics\" ({a})");
    assert!(message.ends_with(&expected), "{message}");
    // Nothing changed.
    let basics = f.node.course(&alice, a).expect("view").course;
    assert!(basics.prerequisites.is_empty());
    assert!(!f
        .node
        .store
        .has::<tables::CourseRequiredBy>((c, a))
        .expect("has"));

    // A course requiring itself is the shortest cycle.
    let e = f
        .node
        .update_course(
            &alice,
            b,
            CourseUpdate {
                prerequisites: Some(vec![b.to_string()]),
                ..CourseUpdate::default()
            },
        )
        .await
        .expect_err("self");
    let (_, message) = conflict_message(e);
    assert!(
        message.ends_with(&format!("\"Web\" ({b}) → \"Web\" ({b})")),
        "{message}"
    );

    // A diamond is not a cycle.
    f.node
        .update_course(
            &alice,
            c,
            CourseUpdate {
                prerequisites: Some(vec![a.to_string(), b.to_string()]),
                ..CourseUpdate::default()
            },
        )
        .await
        .expect("diamond");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_changes_at_once_cannot_close_a_cycle() {
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    let a = create(&f.node, &alice, open_course("A")).await;
    let b = create(&f.node, &alice, open_course("B")).await;
    let requires = |course: Id, other: Id| {
        let node = f.node.clone();
        let alice = alice.clone();
        tokio::spawn(async move {
            node.update_course(
                &alice,
                course,
                CourseUpdate {
                    prerequisites: Some(vec![other.to_string()]),
                    ..CourseUpdate::default()
                },
            )
            .await
        })
    };
    let (x, y) = (requires(a, b), requires(b, a));
    let results = [x.await.expect("task"), y.await.expect("task")];
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
}

#[tokio::test]
async fn a_draft_of_someone_else_is_no_prerequisite_and_deleting_a_course_frees_its_dependents() {
    let f = fixture();
    let (alice, bob) = (member(&f.node, "alice").await, member(&f.node, "bob").await);
    let hidden = create(
        &f.node,
        &alice,
        NewCourse {
            status: None,
            ..open_course("Hidden")
        },
    )
    .await;
    let e = f
        .node
        .create_course(
            &bob,
            NewCourse {
                prerequisites: vec![hidden.to_string()],
                ..open_course("Bob's")
            },
        )
        .await
        .expect_err("cannot name a draft it cannot see");
    assert_eq!(field_of(e), "prerequisites");

    let basics = create(&f.node, &alice, open_course("Basics")).await;
    let bobs = create(
        &f.node,
        &bob,
        NewCourse {
            prerequisites: vec![basics.to_string()],
            ..open_course("Bob's")
        },
    )
    .await;
    f.node.delete_course(&alice, basics).await.expect("delete");
    assert!(f
        .node
        .course(&bob, bobs)
        .expect("view")
        .course
        .prerequisites
        .is_empty());
    assert!(f
        .node
        .store
        .load::<tables::Course>(basics)
        .expect("load")
        .is_none());
    assert!(!f
        .node
        .store
        .has::<tables::CourseRequiredBy>((basics, bobs))
        .expect("has"));
    let people = clones(&f.node, &bob, "p", 1);
    assert!(matches!(
        f.node.course(&people[0], basics),
        Err(NodeError::NotFound("course"))
    ));
}
