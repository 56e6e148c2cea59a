//! Learning paths: the planner's order (prerequisites first, local before
//! remote, shorter, older), its choice of the shortest cover, what it
//! skips, its bounds and its refusal of a damaged graph; then planning,
//! saving and progress through the node.

use super::planner;
use super::*;
use crate::courses::{
    CourseLevel, CourseStatus, DurationInput, EnrolmentState, LessonInput, NewCourse, Prerequisite,
};
use crate::id::Id;
use crate::model::{ProfileUpdate, Skills};
use crate::node::{Node, Viewer};
use crate::test_support::{fixture, member};
use crate::NodeError;

fn id(n: u8) -> Id {
    Id::from_bytes([n; 16])
}

/// A published course `n` of `minutes` teaching `skills`, requiring
/// `prerequisites`.
fn course(n: u8, minutes: u32, skills: &[&str], prerequisites: &[Prerequisite]) -> PlanCourse {
    PlanCourse {
        id: id(n),
        title: format!("Course {n}"),
        url: format!("https://k.test/courses/{}", id(n)),
        level: CourseLevel::Beginner,
        status: CourseStatus::Published,
        minutes,
        skills: skills.iter().map(|s| s.to_string()).collect(),
        prerequisites: prerequisites.to_vec(),
    }
}

fn local(n: u8) -> Prerequisite {
    Prerequisite::Course { id: id(n) }
}

fn remote(url: &str) -> Prerequisite {
    Prerequisite::Remote { url: url.into() }
}

fn catalogue(courses: Vec<PlanCourse>) -> Catalogue {
    let mut c = Catalogue::default();
    for course in courses {
        c.insert(course);
    }
    c
}

fn goal(skills: &[&str], course: Option<u8>) -> Goal {
    Goal {
        skills: skills.iter().map(|s| s.to_string()).collect(),
        course: course.map(id),
    }
}

/// The steps' courses: `L<n>` for local course `n`, the URL for a remote.
fn order_of(plan: &LearningPlan) -> Vec<String> {
    plan.steps
        .iter()
        .map(|s| match (&s.course.id, &s.course.url) {
            (Some(i), _) => format!("L{}", i.to_bytes()[0]),
            (None, Some(u)) => u.clone(),
            _ => "?".into(),
        })
        .collect()
}

#[test]
fn prerequisites_come_first_then_local_shorter_older() {
    // 4 needs 2 (60 min), 3 (30 min) and a remote course; 2 needs 1.
    let cat = catalogue(vec![
        course(1, 90, &[], &[]),
        course(2, 60, &[], &[local(1)]),
        course(3, 30, &[], &[]),
        course(
            4,
            100,
            &[],
            &[local(2), local(3), remote("https://far.test/c/9")],
        ),
        course(5, 10, &[], &[]),
    ]);
    let plan = planner::plan(&cat, &Standing::default(), &goal(&[], Some(4))).expect("plan");
    assert_eq!(
        order_of(&plan),
        ["L3", "L1", "L2", "https://far.test/c/9", "L4"]
    );
    assert_eq!(plan.total_minutes, 90 + 60 + 30 + 100);
    let last = &plan.steps[4];
    assert_eq!(last.reasons, vec![StepReason::GoalCourse]);
    assert_eq!(last.reason, "the goal course");
    let first = &plan.steps[1];
    assert_eq!(
        first.reasons,
        vec![StepReason::PrerequisiteOf {
            course: id(2),
            title: "Course 2".into()
        }]
    );
    assert_eq!(first.reason, "prerequisite of Course 2");
    assert_eq!(plan.steps[3].course.kind, StepKind::Remote);
    assert_eq!(plan.steps[3].course.minutes, None);
    assert_eq!(
        plan.steps.iter().map(|s| s.position).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5]
    );
}

#[test]
fn equal_courses_ready_together_go_older_first() {
    let cat = catalogue(vec![
        course(7, 30, &[], &[]),
        course(6, 30, &[], &[]),
        course(8, 5, &[], &[local(7), local(6)]),
    ]);
    let plan = planner::plan(&cat, &Standing::default(), &goal(&[], Some(8))).expect("plan");
    assert_eq!(order_of(&plan), ["L6", "L7", "L8"]);
}

#[test]
fn the_cover_takes_the_shorter_path_with_its_prerequisites() {
    // Rust: course 1 alone takes 600 min; course 2 (120) with its
    // prerequisite 3 (60) takes 180.
    let cat = catalogue(vec![
        course(1, 600, &["rust"], &[]),
        course(2, 120, &["rust"], &[local(3)]),
        course(3, 60, &[], &[]),
    ]);
    let plan = planner::plan(&cat, &Standing::default(), &goal(&["rust"], None)).expect("plan");
    assert_eq!(order_of(&plan), ["L3", "L2"]);
    assert_eq!(plan.total_minutes, 180);
    assert_eq!(
        plan.steps[1].reasons,
        vec![StepReason::GoalSkill {
            skill: "rust".into()
        }]
    );
    assert_eq!(plan.steps[1].reason, "teaches the goal skill rust");

    // Now the prerequisite is long: course 1 alone is shorter.
    let cat = catalogue(vec![
        course(1, 200, &["rust"], &[]),
        course(2, 120, &["rust"], &[local(3)]),
        course(3, 200, &[], &[]),
    ]);
    let plan = planner::plan(&cat, &Standing::default(), &goal(&["rust"], None)).expect("plan");
    assert_eq!(order_of(&plan), ["L1"]);
    assert_eq!(plan.total_minutes, 200);
}

#[test]
fn two_short_courses_beat_one_long_course_teaching_both() {
    let cat = catalogue(vec![
        course(1, 300, &["rust", "sql"], &[]),
        course(2, 100, &["rust"], &[]),
        course(3, 100, &["sql"], &[]),
    ]);
    let plan =
        planner::plan(&cat, &Standing::default(), &goal(&["rust", "sql"], None)).expect("plan");
    assert_eq!(order_of(&plan), ["L2", "L3"]);
    assert_eq!(plan.total_minutes, 200);
    assert!(plan.uncovered_skills.is_empty());
}

#[test]
fn among_equal_costs_a_course_without_remote_prerequisites_wins() {
    // Course 1 is older but needs a course elsewhere; 2 needs nothing.
    let cat = catalogue(vec![
        course(1, 100, &["go"], &[remote("https://far.test/c/1")]),
        course(2, 100, &["go"], &[]),
    ]);
    let plan = planner::plan(&cat, &Standing::default(), &goal(&["go"], None)).expect("plan");
    assert_eq!(order_of(&plan), ["L2"]);
}

#[test]
fn completed_courses_certificates_and_skills_had_are_skipped() {
    // 4 needs 3 (completed, which needed 1) and a remote course the
    // member holds a certificate of; 5 teaches rust, which the profile
    // lists; 6 teaches sql; nothing teaches cobol.
    let cat = catalogue(vec![
        course(1, 60, &[], &[]),
        course(3, 60, &[], &[local(1)]),
        course(4, 60, &[], &[local(3), remote("https://far.test/c/2")]),
        course(5, 60, &["rust"], &[]),
        course(6, 45, &["sql"], &[]),
    ]);
    let mut standing = Standing::default();
    standing.completed.insert(id(3));
    standing.certified.insert("https://far.test/c/2".into());
    standing.enrolments.insert(id(6), EnrolmentState::Enrolled);
    standing.skills.add(["Rust"], &SkillSource::Profile);
    let plan =
        planner::plan(&cat, &standing, &goal(&["rust", "sql", "cobol"], Some(4))).expect("plan");
    assert_eq!(order_of(&plan), ["L6", "L4"]);
    assert_eq!(plan.steps[0].enrolment, Some(EnrolmentState::Enrolled));
    assert_eq!(plan.steps[1].enrolment, None);
    let skipped: Vec<(Option<Id>, SkipReason)> = plan
        .skipped
        .iter()
        .map(|s| (s.course.id, s.why.clone()))
        .collect();
    assert!(skipped.contains(&(Some(id(3)), SkipReason::Completed)));
    assert!(skipped.contains(&(None, SkipReason::Certificate)));
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert!(plan.skipped.iter().all(|s| !s.reason.is_empty()));
    assert_eq!(
        plan.had_skills,
        vec![HadSkill {
            skill: "rust".into(),
            from: SkillSource::Profile
        }]
    );
    assert_eq!(plan.uncovered_skills, vec!["cobol".to_string()]);
    assert_eq!(plan.total_minutes, 105);
}

#[test]
fn a_completed_goal_course_leaves_nothing_to_take() {
    let cat = catalogue(vec![
        course(1, 60, &[], &[]),
        course(2, 60, &[], &[local(1)]),
    ]);
    let mut standing = Standing::default();
    standing.completed.insert(id(2));
    let plan = planner::plan(&cat, &standing, &goal(&[], Some(2))).expect("plan");
    assert!(plan.steps.is_empty());
    assert_eq!(plan.total_minutes, 0);
    assert_eq!(plan.skipped.len(), 1, "its prerequisites are not followed");
    assert_eq!(plan.skipped[0].course.id, Some(id(2)));
    assert_eq!(plan.skipped[0].reason, "you completed it");
}

#[test]
fn the_goal_course_also_counts_for_the_skills_it_teaches() {
    let cat = catalogue(vec![
        course(1, 60, &["rust"], &[]),
        course(2, 10, &["rust"], &[]),
    ]);
    let plan = planner::plan(&cat, &Standing::default(), &goal(&["rust"], Some(1))).expect("plan");
    assert_eq!(order_of(&plan), ["L1"]);
    assert_eq!(
        plan.steps[0].reasons,
        vec![
            StepReason::GoalCourse,
            StepReason::GoalSkill {
                skill: "rust".into()
            }
        ]
    );
    assert_eq!(
        plan.steps[0].reason,
        "the goal course; teaches the goal skill rust"
    );
}

#[test]
fn drafts_and_archived_courses_are_not_chosen_for_a_skill() {
    let mut draft = course(1, 5, &["rust"], &[]);
    draft.status = CourseStatus::Draft;
    let mut archived = course(2, 5, &["rust"], &[]);
    archived.status = CourseStatus::Archived;
    let cat = catalogue(vec![draft, archived, course(3, 500, &["rust"], &[])]);
    let plan = planner::plan(&cat, &Standing::default(), &goal(&["rust"], None)).expect("plan");
    assert_eq!(order_of(&plan), ["L3"]);
}

#[test]
fn a_prerequisite_not_in_the_catalogue_is_reported_unavailable() {
    let cat = catalogue(vec![course(2, 10, &[], &[local(1)])]);
    let plan = planner::plan(&cat, &Standing::default(), &goal(&[], Some(2))).expect("plan");
    assert_eq!(order_of(&plan), ["L2"]);
    assert_eq!(plan.skipped.len(), 1);
    assert_eq!(plan.skipped[0].why, SkipReason::Unavailable);
    assert_eq!(plan.skipped[0].course.id, Some(id(1)));
}

#[test]
fn a_damaged_graph_with_a_cycle_is_refused_not_walked_forever() {
    let cat = catalogue(vec![
        course(1, 10, &[], &[local(2)]),
        course(2, 10, &[], &[local(1)]),
    ]);
    assert_eq!(
        plan(&cat, &Standing::default(), &goal(&[], Some(1))).err(),
        Some(PlanError::Cycle)
    );
    // Through the cover too.
    let cat = catalogue(vec![
        course(1, 10, &["rust"], &[local(2)]),
        course(2, 10, &[], &[local(1)]),
    ]);
    assert_eq!(
        plan(&cat, &Standing::default(), &goal(&["rust"], None)).err(),
        Some(PlanError::Cycle)
    );
}

/// A chain of `n` courses, each requiring the one before; the last
/// teaches `skill`.
fn chain(n: u8, skill: &str) -> Catalogue {
    catalogue(
        (1..=n)
            .map(|i| {
                let prerequisites = if i > 1 { vec![local(i - 1)] } else { vec![] };
                let skills: &[&str] = if i == n { &[skill] } else { &[] };
                course(i, 10, skills, &prerequisites)
            })
            .collect(),
    )
}

#[test]
fn paths_are_bounded_in_steps() {
    let long = u8::try_from(MAX_STEPS + 1).expect("small");
    let cat = chain(long, "rust");
    assert_eq!(
        plan(&cat, &Standing::default(), &goal(&[], Some(long))).err(),
        Some(PlanError::TooManySteps {
            field: "goal_course"
        })
    );
    assert_eq!(
        plan(&cat, &Standing::default(), &goal(&["rust"], None)).err(),
        Some(PlanError::TooManySteps {
            field: "goal_skills"
        })
    );
    // Exactly MAX_STEPS fits.
    let fits = u8::try_from(MAX_STEPS).expect("small");
    let plan = planner::plan(
        &chain(fits, "rust"),
        &Standing::default(),
        &goal(&["rust"], None),
    )
    .expect("plan");
    assert_eq!(plan.steps.len(), MAX_STEPS);
    assert_eq!(order_of(&plan)[0], "L1");
}

// Through the node.

/// A published course by `by` with `tags`, `minutes`, `prerequisites`.
async fn create(
    node: &Node,
    by: &Viewer,
    title: &str,
    tags: &[&str],
    minutes: Option<u32>,
    prerequisites: &[Id],
) -> Id {
    node.create_course(
        by,
        NewCourse {
            title: title.into(),
            status: Some("published".into()),
            tags: tags.iter().map(|s| s.to_string()).collect(),
            duration: minutes.map(DurationInput::Minutes),
            prerequisites: prerequisites.iter().map(Id::to_string).collect(),
            ..NewCourse::default()
        },
    )
    .await
    .expect("course")
    .course
    .id
}

/// One lesson in course `course` (by its instructor `by`): its id.
async fn one_lesson(node: &Node, by: &Viewer, course: Id) -> Id {
    let module = node.add_module(by, course, "Only").await.expect("module");
    node.add_lesson(
        by,
        module.id,
        LessonInput {
            title: "Read".into(),
            body: "Text.".into(),
            minutes: 25,
        },
    )
    .await
    .expect("lesson")
    .id
}

fn field_of(e: NodeError) -> String {
    match e {
        NodeError::Invalid { field, .. } | NodeError::Conflict { field, .. } => field,
        other => panic!("expected a field error, got {other:?}"),
    }
}

fn ask(skills: &[&str], course: Option<Id>) -> LearningGoal {
    LearningGoal {
        goal_skills: skills.iter().map(|s| s.to_string()).collect(),
        goal_course: course.map(|c| c.to_string()),
    }
}

#[tokio::test]
async fn bad_goals_are_refused_naming_their_field() {
    let f = fixture();
    let bob = member(&f.node, "bob").await;
    let carol = member(&f.node, "carol").await;
    let node = &f.node;
    let e = |g: LearningGoal| field_of(node.plan_learning_path(&carol, &g).expect_err("refused"));
    assert_eq!(e(ask(&[], None)), "goal_skills");
    assert_eq!(e(ask(&["c++"], None)), "goal_skills");
    let many: Vec<String> = (0..=MAX_GOAL_SKILLS).map(|i| format!("s{i}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    assert_eq!(e(ask(&many, None)), "goal_skills");
    assert_eq!(e(ask(&[], Some(Id::from_bytes([3; 16])))), "goal_course");
    let bad = LearningGoal {
        goal_skills: vec![],
        goal_course: Some("not-an-id".into()),
    };
    assert_eq!(e(bad), "goal_course");
    // Someone else's draft is no course to carol.
    let draft = node
        .create_course(
            &bob,
            NewCourse {
                title: "Secret".into(),
                ..NewCourse::default()
            },
        )
        .await
        .expect("draft")
        .course
        .id;
    assert_eq!(e(ask(&[], Some(draft))), "goal_course");
    // Its instructor may plan towards it.
    assert!(node
        .plan_learning_path(&bob, &ask(&[], Some(draft)))
        .is_ok());
    // Duplicates and spellings collapse; the same skill twice is fine.
    let plan = node
        .plan_learning_path(&carol, &ask(&["#Rust", "rust", "Machine Learning"], None))
        .expect("plan");
    assert_eq!(plan.goal_skills, vec!["rust", "machine-learning"]);
}

#[tokio::test]
async fn the_node_plans_from_profile_completions_and_enrolments() {
    let f = fixture();
    let node = &f.node;
    let bob = member(node, "bob").await;
    let carol = member(node, "carol").await;
    let basics = create(node, &bob, "Basics", &["git"], Some(30), &[]).await;
    let lesson = one_lesson(node, &bob, basics).await;
    let rust1 = create(node, &bob, "Rust I", &["rust"], Some(120), &[basics]).await;
    let rust2 = create(node, &bob, "Rust II", &["async"], Some(240), &[rust1]).await;
    // No duration: its lesson counts (25 minutes).
    let sql = create(node, &bob, "SQL", &["sql"], None, &[]).await;
    one_lesson(node, &bob, sql).await;
    let _python = create(node, &bob, "Python", &["python"], Some(60), &[]).await;

    // Carol completes Basics, is enrolled in Rust I, lists Python.
    node.enrol_in_course(&carol, basics).await.expect("enrol");
    node.mark_lesson_done(&carol, lesson).await.expect("done");
    node.enrol_in_course(&carol, rust1).await.expect("enrol");
    node.update_profile(
        &carol,
        ProfileUpdate {
            skills: Some(Skills {
                languages: vec!["Python".into()],
                ..Skills::default()
            }),
            ..ProfileUpdate::default()
        },
    )
    .await
    .expect("profile");

    let plan = node
        .plan_learning_path(
            &carol,
            &ask(&["sql", "python", "git", "haskell"], Some(rust2)),
        )
        .expect("plan");
    let titles: Vec<&str> = plan.steps.iter().map(|s| s.course.title.as_str()).collect();
    assert_eq!(titles, ["SQL", "Rust I", "Rust II"]);
    assert_eq!(plan.steps[1].enrolment, Some(EnrolmentState::Enrolled));
    assert_eq!(plan.steps[1].reason, "prerequisite of Rust II");
    assert_eq!(plan.steps[0].course.minutes, Some(25));
    assert_eq!(plan.total_minutes, 25 + 120 + 240);
    assert_eq!(plan.skipped.len(), 1);
    assert_eq!(plan.skipped[0].course.id, Some(basics));
    assert_eq!(plan.skipped[0].why, SkipReason::Completed);
    let had: Vec<&str> = plan.had_skills.iter().map(|h| h.skill.as_str()).collect();
    assert_eq!(had, ["python", "git"]);
    assert_eq!(plan.had_skills[0].from, SkillSource::Profile);
    assert!(matches!(
        plan.had_skills[1].from,
        SkillSource::Course { id, .. } if id == basics
    ));
    assert_eq!(plan.uncovered_skills, vec!["haskell".to_string()]);
}

#[tokio::test]
async fn saved_paths_show_progress_to_their_owner_only() {
    let f = fixture();
    let node = &f.node;
    let bob = member(node, "bob").await;
    let carol = member(node, "carol").await;
    let dave = member(node, "dave").await;
    let first = create(node, &bob, "First", &[], Some(30), &[]).await;
    let lesson = one_lesson(node, &bob, first).await;
    let second_lesson_of_first = {
        let c = node.course(&bob, first).expect("course");
        node.add_lesson(
            &bob,
            c.outline[0].id,
            LessonInput {
                title: "More".into(),
                body: "Text.".into(),
                minutes: 5,
            },
        )
        .await
        .expect("lesson")
        .id
    };
    let goal_course = create(node, &bob, "Goal", &["rust"], Some(60), &[first]).await;

    let plan = node
        .save_learning_path(&carol, &ask(&["rust"], Some(goal_course)))
        .await
        .expect("saved");
    let id = plan.id.expect("an id");
    assert_eq!(plan.steps.len(), 2);

    let view = node.learning_path(&carol, id).expect("view");
    assert_eq!((view.steps_done, view.steps_total, view.percent), (0, 2, 0));
    assert!(view.steps.iter().all(|s| s.state == StepState::NotStarted));
    assert_eq!(view.title, "Goal · rust");

    node.enrol_in_course(&carol, first).await.expect("enrol");
    node.mark_lesson_done(&carol, lesson).await.expect("done");
    let view = node.learning_path(&carol, id).expect("view");
    assert_eq!(view.steps[0].state, StepState::InProgress);
    assert_eq!(view.steps[0].percent, 50);
    assert_eq!(view.steps_done, 0);

    node.mark_lesson_done(&carol, second_lesson_of_first)
        .await
        .expect("done");
    let view = node.learning_path(&carol, id).expect("view");
    assert_eq!(view.steps[0].state, StepState::Done);
    assert_eq!((view.steps_done, view.percent), (1, 50));

    let list = node.learning_paths(&carol).expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!((list[0].id, list[0].steps_done), (id, 1));
    assert!(list[0].steps.is_empty());

    // Nobody else sees or deletes it.
    assert!(matches!(
        node.learning_path(&dave, id),
        Err(NodeError::NotFound(_))
    ));
    assert!(matches!(
        node.delete_learning_path(&dave, id).await,
        Err(NodeError::NotFound(_))
    ));
    assert!(node.learning_paths(&dave).expect("list").is_empty());

    node.delete_learning_path(&carol, id).await.expect("delete");
    assert!(matches!(
        node.learning_path(&carol, id),
        Err(NodeError::NotFound(_))
    ));
    assert!(node.learning_paths(&carol).expect("list").is_empty());
    assert_eq!(
        node.store
            .counter::<crate::store::tables::LearningPathCount>(carol.member().expect("member").id)
            .expect("count"),
        0
    );
}

#[tokio::test]
async fn a_member_keeps_a_bounded_number_of_paths() {
    let f = fixture();
    let node = &f.node;
    let carol = member(node, "carol").await;
    let me = carol.member().expect("member").id;
    // Fill the counter as fifty saves would, then save once more.
    node.store
        .write_blocking(|txn| {
            txn.add::<crate::store::tables::LearningPathCount>(me, MAX_SAVED_PATHS)?;
            Ok(())
        })
        .expect("count");
    let e = node
        .save_learning_path(&carol, &ask(&["rust"], None))
        .await
        .expect_err("refused");
    assert_eq!(field_of(e), "save");
    assert!(node.learning_paths(&carol).expect("list").is_empty());
}

/// Copies of `template` under new ids, titles and tags (`tags(i)`),
/// written straight into the catalogue: creating a thousand courses one
/// write each would only slow the test.
fn copies(node: &Node, template: Id, n: usize, tags: impl Fn(usize) -> Vec<String>) -> Vec<Id> {
    let base = node
        .store
        .load::<crate::store::tables::Course>(template)
        .expect("load")
        .expect("course");
    let mut out = Vec::with_capacity(n);
    node.store
        .write_blocking(|txn| {
            for i in 0..n {
                let mut c = base.clone();
                c.id = node.ids.next();
                c.title = format!("Copy {i}");
                c.tags = tags(i);
                txn.store::<crate::store::tables::Course>(c.id, &c)?;
                txn.store::<crate::store::tables::CourseCatalogue>(c.id, &())?;
                out.push(c.id);
            }
            Ok(())
        })
        .expect("copies");
    out
}

#[tokio::test]
async fn the_catalogue_is_read_within_its_bound() {
    let f = fixture();
    let node = &f.node;
    let bob = member(node, "bob").await;
    let carol = member(node, "carol").await;
    // The only course teaching cobol is older than the newest
    // COURSES_CONSIDERED: it is not looked at.
    let oldest = create(node, &bob, "Old", &["cobol"], Some(10), &[]).await;
    copies(node, oldest, COURSES_CONSIDERED, |i| {
        vec![format!("t{}", i % 7)]
    });
    let plan = node
        .plan_learning_path(&carol, &ask(&["cobol", "t3"], None))
        .expect("plan");
    assert_eq!(plan.uncovered_skills, vec!["cobol".to_string()]);
    assert_eq!(plan.steps.len(), 1);
    // As the goal course, or a prerequisite, it is read all the same.
    let plan = node
        .plan_learning_path(&carol, &ask(&["cobol"], Some(oldest)))
        .expect("plan");
    assert_eq!(plan.steps.len(), 1);
    assert_eq!(plan.steps[0].course.id, Some(oldest));
    assert!(plan.uncovered_skills.is_empty());
}

/// Stores, for `viewer`, a certificate of `url` whose achievement is
/// tagged `tags`, as an import that verified would (the import's checks
/// are the certificates' tests); `revoked` as the status worker marks it.
fn hold_certificate(node: &Node, viewer: &Viewer, url: &str, tags: &[&str], revoked: bool) {
    let me = viewer.member().expect("member").id;
    let credential = serde_json::json!({
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "credentialSubject": {"achievement": {"id": url, "tag": tags}}
    });
    let cert = crate::certificates::ImportedCertificate {
        course_url: url.into(),
        name: "Elsewhere".into(),
        issuer: "did:key:z6Mk".into(),
        imported_at: 1,
        credential: credential.as_object().expect("object").clone(),
        status_checked_at: None,
        revoked_at: revoked.then_some(2),
    };
    node.store
        .write_blocking(|txn| {
            txn.store::<crate::store::tables::ImportedCertificates>((me, url), &cert)?;
            Ok(())
        })
        .expect("certificate");
}

#[tokio::test]
async fn imported_certificates_count_until_their_issuer_revokes_them() {
    let f = fixture();
    let node = &f.node;
    let bob = member(node, "bob").await;
    let carol = member(node, "carol").await;
    let dave = member(node, "dave").await;
    let far = "https://far.test/courses/ownership";
    let goal = create(node, &bob, "Rust II", &["async"], Some(60), &[]).await;
    node.update_course(
        &bob,
        goal,
        crate::courses::CourseUpdate {
            prerequisites: Some(vec![far.into()]),
            ..crate::courses::CourseUpdate::default()
        },
    )
    .await
    .expect("prerequisite");

    hold_certificate(node, &carol, far, &["level:beginner", "Ownership"], false);
    let plan = node
        .plan_learning_path(&carol, &ask(&["ownership"], Some(goal)))
        .expect("plan");
    let titles: Vec<&str> = plan.steps.iter().map(|s| s.course.title.as_str()).collect();
    assert_eq!(titles, ["Rust II"]);
    assert_eq!(plan.skipped.len(), 1);
    assert_eq!(plan.skipped[0].why, SkipReason::Certificate);
    assert_eq!(plan.skipped[0].course.url.as_deref(), Some(far));
    assert_eq!(
        plan.had_skills[0].from,
        SkillSource::Certificate { url: far.into() }
    );
    let saved = node
        .save_learning_path(&dave, &ask(&[], Some(goal)))
        .await
        .expect("saved");
    assert_eq!(saved.steps.len(), 2, "dave holds nothing");
    let id = saved.id.expect("id");
    assert_eq!(
        node.learning_path(&dave, id).expect("view").steps[0].state,
        StepState::NotStarted
    );

    // Revoked: the remote course is a step again, the skill is missing.
    hold_certificate(node, &carol, far, &["ownership"], true);
    let plan = node
        .plan_learning_path(&carol, &ask(&["ownership"], Some(goal)))
        .expect("plan");
    assert_eq!(plan.steps.len(), 2);
    assert_eq!(plan.steps[0].course.kind, StepKind::Remote);
    assert!(plan.skipped.is_empty());
    assert_eq!(plan.uncovered_skills, vec!["ownership".to_string()]);

    // A saved path's remote step is done while the certificate holds.
    hold_certificate(node, &dave, far, &[], false);
    let view = node.learning_path(&dave, id).expect("view");
    assert_eq!(view.steps[0].state, StepState::Done);
    assert_eq!((view.steps_done, view.percent), (1, 50));
    hold_certificate(node, &dave, far, &[], true);
    let view = node.learning_path(&dave, id).expect("view");
    assert_eq!(view.steps[0].state, StepState::NotStarted);
}
