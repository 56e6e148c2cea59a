//! Assessments: grading of each kind, the taker's view without answers,
//! attempt limits (also under concurrent submissions), the server's time
//! limit, the review queue, and completion only once every required
//! assessment is passed.

use std::sync::Arc;

use serde_json::{json, Value};

use super::assessments::grading::{grade, normalise, passes, score};
use super::tests::{clones, course_with_lessons, field_of, kinds};
use super::*;
use crate::model::NotificationKind;
use crate::node::Viewer;
use crate::store::tables;
use crate::test_support::{alice_bob_carol, fixture};
use crate::NodeError;

fn q(kind: &str, prompt: &str) -> QuestionInput {
    QuestionInput {
        kind: kind.into(),
        prompt: prompt.into(),
        ..QuestionInput::default()
    }
}

/// Four auto-graded questions, one point each: single (answer 1),
/// multiple (0 and 2), short ("Jakarta" or "DKI Jakarta"), numeric
/// (2.5 ± 0.01).
fn quiz(title: &str) -> AssessmentInput {
    AssessmentInput {
        title: title.into(),
        passing_score: Some(75),
        questions: vec![
            QuestionInput {
                choices: vec!["sintaks".into(), "kursus".into(), "modul".into()],
                answer: Some(json!(1)),
                ..q("single", "Which word means course?")
            },
            QuestionInput {
                choices: vec!["2".into(), "3".into(), "4".into()],
                answer: Some(json!([2, 0])),
                ..q("multiple", "Which are even?")
            },
            QuestionInput {
                answer: Some(json!("Jakarta")),
                accepted: vec!["DKI  Jakarta".into()],
                ..q("short", "Capital of Indonesia?")
            },
            QuestionInput {
                answer: Some(json!(2.5)),
                tolerance: Some(0.01),
                ..q("numeric", "Five halves?")
            },
        ],
        ..AssessmentInput::default()
    }
}

fn right() -> Vec<Option<Answer>> {
    vec![
        Some(Answer::Number(1.0)),
        Some(Answer::Choices(vec![0, 2])),
        Some(Answer::Text("  dki JAKARTA ".into())),
        Some(Answer::Number(2.509)),
    ]
}

fn wrong() -> Vec<Option<Answer>> {
    vec![
        Some(Answer::Number(0.0)),
        Some(Answer::Choices(vec![0])),
        None,
        Some(Answer::Number(3.2)),
    ]
}

/// The questions [`quiz`] stores.
fn quiz_questions() -> Vec<Question> {
    let q = |kind: QuestionKind| Question {
        prompt: "?".into(),
        points: 1,
        kind,
    };
    vec![
        q(QuestionKind::Single {
            choices: vec!["sintaks".into(), "kursus".into(), "modul".into()],
            answer: 1,
        }),
        q(QuestionKind::Multiple {
            choices: vec!["2".into(), "3".into(), "4".into()],
            answers: vec![0, 2],
        }),
        q(QuestionKind::Short {
            accepted: vec!["Jakarta".into(), "DKI  Jakarta".into()],
        }),
        q(QuestionKind::Numeric {
            answer: 2.5,
            tolerance: 0.01,
        }),
    ]
}

#[test]
fn each_kind_is_graded_with_its_rule() {
    let qs = quiz_questions();
    let mark = |i: usize, a: Answer| grade(&qs[i], Some(&a)).awarded;
    // Single: the index, as a number or a list of one.
    assert_eq!(mark(0, Answer::Number(1.0)), 1.0);
    assert_eq!(mark(0, Answer::Choices(vec![1])), 1.0);
    assert_eq!(mark(0, Answer::Number(2.0)), 0.0);
    assert_eq!(mark(0, Answer::Number(1.5)), 0.0);
    // Multiple: exactly the right set, in any order.
    assert_eq!(mark(1, Answer::Choices(vec![2, 0])), 1.0);
    assert_eq!(mark(1, Answer::Choices(vec![0, 2, 2])), 1.0);
    assert_eq!(mark(1, Answer::Choices(vec![0])), 0.0);
    assert_eq!(mark(1, Answer::Choices(vec![0, 1, 2])), 0.0);
    // Short: alternatives, case, whitespace, NFKC (full-width letters).
    assert_eq!(mark(2, Answer::Text("jakarta".into())), 1.0);
    assert_eq!(mark(2, Answer::Text("DKI\tJakarta".into())), 1.0);
    assert_eq!(mark(2, Answer::Text("ＪＡＫＡＲＴＡ".into())), 1.0);
    assert_eq!(mark(2, Answer::Text("Bandung".into())), 0.0);
    assert_eq!(mark(2, Answer::Text("   ".into())), 0.0);
    // Numeric: within the tolerance, text that reads as a number too.
    assert_eq!(mark(3, Answer::Number(2.51)), 1.0);
    assert_eq!(mark(3, Answer::Number(2.49)), 1.0);
    assert_eq!(mark(3, Answer::Text(" 2.505 ".into())), 1.0);
    assert_eq!(mark(3, Answer::Number(2.511)), 0.0);
    assert_eq!(mark(3, Answer::Text("pi".into())), 0.0);
    // Blank: nothing.
    assert_eq!(grade(&qs[3], None).awarded, 0.0);
    assert_eq!(normalise("ﬁle  Ａ"), "file a");

    let marks: Vec<Mark> = qs
        .iter()
        .zip(right())
        .map(|(q, a)| grade(q, a.as_ref()))
        .collect();
    assert_eq!(score(&marks), 100.0);
    assert!(passes(70.0, 70) && !passes(69.9, 70));
}

#[tokio::test]
async fn free_text_and_code_wait_for_review_with_their_rubric() {
    let f = fixture();
    let alice = crate::test_support::member(&f.node, "alice").await;
    let (course, _) = course_with_lessons(&f.node, &alice, "Q", 1, 0).await;
    let module = f.node.course(&alice, course).expect("view").outline[0].id;
    let input = AssessmentInput {
        title: "Essay".into(),
        questions: vec![
            QuestionInput {
                rubric: vec![
                    CriterionInput {
                        name: "Correct".into(),
                        points: 6,
                    },
                    CriterionInput {
                        name: "Clear".into(),
                        points: 4,
                    },
                ],
                ..q("text", "Explain ownership.")
            },
            QuestionInput {
                points: Some(5),
                language: Some("Rust".into()),
                ..q("code", "Write fizzbuzz.")
            },
        ],
        ..AssessmentInput::default()
    };
    let qs = f
        .node
        .add_assessment(&alice, module, input)
        .await
        .expect("assessment")
        .questions;
    assert_eq!((qs[0].points, qs[1].points), (10, 5));
    assert!(
        matches!(&qs[1].kind, QuestionKind::Code { language: Some(l), rubric } if l == "rust" && rubric.len() == 1)
    );
    let m = grade(&qs[0], Some(&Answer::Text("It moves.".into())));
    assert!(m.pending_review);
    assert_eq!(m.max, 10.0);
}

/// Every object key in `v`, recursively.
fn keys(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                out.push(k.clone());
                keys(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| keys(i, out)),
        _ => {}
    }
}

#[tokio::test]
async fn the_takers_view_holds_no_answer() {
    let f = fixture();
    let (alice, bob, _) = alice_bob_carol(&f.node).await;
    let (course, _) = course_with_lessons(&f.node, &alice, "Secret", 1, 1).await;
    let module = f.node.course(&alice, course).expect("view").outline[0].id;
    let mut input = quiz("Quiz");
    input.questions[2].answer = Some(json!("Xylophonic-Zebra"));
    input.questions[3].answer = Some(json!(271828.5));
    let a = f
        .node
        .add_assessment(&alice, module, input)
        .await
        .expect("assessment");
    f.node.enrol_in_course(&bob, course).await.expect("enrol");
    let view = f.node.assessment_for_taker(&bob, a.id).expect("view");
    let text = serde_json::to_string(&view).expect("json");
    assert!(!text.contains("Xylophonic"), "{text}");
    assert!(!text.contains("271828"), "{text}");
    let mut found = Vec::new();
    keys(&serde_json::to_value(&view).expect("json"), &mut found);
    for banned in ["answer", "answers", "accepted", "tolerance"] {
        assert!(!found.iter().any(|k| k == banned), "{banned} in {text}");
    }
    // The choices are there; the author's view has the answers.
    assert!(text.contains("kursus"));
    let author =
        serde_json::to_string(&f.node.assessment_for_author(&alice, a.id).expect("author"))
            .expect("json");
    assert!(author.contains("Xylophonic") && author.contains("271828"));
    assert!(matches!(
        f.node.assessment_for_author(&bob, a.id),
        Err(NodeError::Forbidden(_))
    ));
    // Starting an attempt shows the same view.
    let started = f.node.start_attempt(&bob, a.id).await.expect("start");
    let text = serde_json::to_string(&started).expect("json");
    assert!(!text.contains("Xylophonic") && !text.contains("271828"));
}

#[tokio::test]
async fn attempts_are_limited_and_graded_at_once() {
    let f = fixture();
    let (alice, bob, _) = alice_bob_carol(&f.node).await;
    let (course, _) = course_with_lessons(&f.node, &alice, "Limited", 1, 0).await;
    let module = f.node.course(&alice, course).expect("view").outline[0].id;
    let a = f
        .node
        .add_assessment(
            &alice,
            module,
            AssessmentInput {
                max_attempts: Some(2),
                ..quiz("Quiz")
            },
        )
        .await
        .expect("assessment");
    assert!(matches!(
        f.node.submit_assessment(&bob, a.id, right()).await,
        Err(NodeError::Forbidden(_))
    ));
    f.node.enrol_in_course(&bob, course).await.expect("enrol");
    let first = f
        .node
        .submit_assessment(&bob, a.id, wrong())
        .await
        .expect("first");
    assert_eq!(first.state, AttemptState::Graded);
    assert_eq!(first.score, Some(0.0));
    assert_eq!(first.passed, Some(false));
    assert_eq!(first.feedback.len(), 4);
    let second = f
        .node
        .submit_assessment(&bob, a.id, right())
        .await
        .expect("second");
    assert_eq!((second.score, second.passed), (Some(100.0), Some(true)));
    let e = f
        .node
        .submit_assessment(&bob, a.id, right())
        .await
        .expect_err("third");
    assert_eq!(field_of(e), "attempts");
    assert_eq!(f.node.my_attempts(&bob, a.id).expect("mine").len(), 2);
    let e = f
        .node
        .submit_attempt(&bob, first.attempt, right())
        .await
        .expect_err("submitted already");
    assert_eq!(field_of(e), "attempt");
    let too_many = vec![None; 5];
    assert_eq!(
        field_of(
            f.node
                .submit_assessment(&bob, a.id, too_many)
                .await
                .expect_err("more answers than questions")
        ),
        "answers"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_attempt_limit_holds_under_concurrent_submissions() {
    let f = fixture();
    let node = f.node.clone();
    let (alice, bob, _) = alice_bob_carol(&node).await;
    let (course, _) = course_with_lessons(&node, &alice, "Busy", 1, 0).await;
    let module = node.course(&alice, course).expect("view").outline[0].id;
    let a = node
        .add_assessment(
            &alice,
            module,
            AssessmentInput {
                max_attempts: Some(3),
                ..quiz("Quiz")
            },
        )
        .await
        .expect("assessment");
    node.enrol_in_course(&bob, course).await.expect("enrol");
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let node: Arc<Node> = node.clone();
        let bob = bob.clone();
        tasks.push(tokio::spawn(async move {
            node.submit_assessment(&bob, a.id, wrong()).await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.expect("task") {
            Ok(_) => ok += 1,
            Err(e) => assert_eq!(field_of(e), "attempts"),
        }
    }
    assert_eq!(ok, 3);
    assert_eq!(node.my_attempts(&bob, a.id).expect("mine").len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attempt_submitted_many_times_at_once_is_graded_once() {
    let f = fixture();
    let node = f.node.clone();
    let (alice, bob, _) = alice_bob_carol(&node).await;
    let (course, _) = course_with_lessons(&node, &alice, "Once", 1, 0).await;
    let module = node.course(&alice, course).expect("view").outline[0].id;
    let a = node
        .add_assessment(
            &alice,
            module,
            AssessmentInput {
                time_limit_secs: Some(600),
                ..quiz("Timed")
            },
        )
        .await
        .expect("assessment");
    node.enrol_in_course(&bob, course).await.expect("enrol");
    let started = node.start_attempt(&bob, a.id).await.expect("start");
    let mut tasks = Vec::new();
    for i in 0..10 {
        let node: Arc<Node> = node.clone();
        let bob = bob.clone();
        let answers = if i % 2 == 0 { right() } else { wrong() };
        tasks.push(tokio::spawn(async move {
            node.submit_attempt(&bob, started.attempt, answers).await
        }));
    }
    let mut graded = Vec::new();
    for t in tasks {
        match t.await.expect("task") {
            Ok(o) => graded.push(o),
            Err(e) => assert_eq!(field_of(e), "attempt"),
        }
    }
    assert_eq!(graded.len(), 1);
    let stored = node.my_attempts(&bob, a.id).expect("mine");
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].score, graded[0].score);
}

#[tokio::test]
async fn the_time_limit_is_the_servers_and_late_answers_are_refused() {
    let f = fixture();
    let (alice, bob, _) = alice_bob_carol(&f.node).await;
    let (course, _) = course_with_lessons(&f.node, &alice, "Timed", 1, 0).await;
    let module = f.node.course(&alice, course).expect("view").outline[0].id;
    let a = f
        .node
        .add_assessment(
            &alice,
            module,
            AssessmentInput {
                time_limit_secs: Some(60),
                max_attempts: Some(2),
                ..quiz("Timed quiz")
            },
        )
        .await
        .expect("assessment");
    f.node.enrol_in_course(&bob, course).await.expect("enrol");
    assert_eq!(
        field_of(f.node.assessment_for_taker(&bob, a.id).expect_err("timed")),
        "time_limit"
    );
    assert_eq!(
        field_of(
            f.node
                .submit_assessment(&bob, a.id, right())
                .await
                .expect_err("start first")
        ),
        "time_limit"
    );
    let started = f.node.start_attempt(&bob, a.id).await.expect("start");
    assert_eq!(
        started.deadline,
        Some(started.started_at + 60_000),
        "the deadline is the server's start plus the limit"
    );
    assert_eq!(started.attempts_left, Some(1));
    // Asking again returns the attempt running, without counting another.
    let again = f.node.start_attempt(&bob, a.id).await.expect("again");
    assert_eq!(again.attempt, started.attempt);
    assert_eq!(again.attempts_used, 1);

    // Its time runs out (the clock moved on: the record's deadline is
    // set back, as the passing of a minute would leave it).
    f.node
        .store
        .write_blocking(|txn| {
            let mut at = txn
                .load::<tables::Attempt>(started.attempt)?
                .expect("attempt");
            at.deadline = Some(crate::model::now_ms() - DEADLINE_GRACE_MS - 1);
            txn.store::<tables::Attempt>(at.id, &at)
        })
        .expect("rewind");
    let e = f
        .node
        .submit_attempt(&bob, started.attempt, right())
        .await
        .expect_err("late");
    assert_eq!(field_of(e), "deadline");
    let record = f
        .node
        .store
        .load::<tables::Attempt>(started.attempt)
        .expect("load")
        .expect("attempt");
    assert_eq!(record.state, AttemptState::Expired);
    assert_eq!(record.passed, Some(false));
    assert!(f
        .node
        .store
        .load::<tables::AssessmentPassed>((a.id, bob.id().expect("id")))
        .expect("load")
        .is_none());

    // The second (and last) attempt, in time, passes.
    let second = f.node.start_attempt(&bob, a.id).await.expect("start");
    assert_ne!(second.attempt, started.attempt);
    let outcome = f
        .node
        .submit_attempt(&bob, second.attempt, right())
        .await
        .expect("in time");
    assert_eq!(outcome.passed, Some(true));
    assert_eq!(
        field_of(
            f.node
                .start_attempt(&bob, a.id)
                .await
                .expect_err("none left")
        ),
        "attempts"
    );
}

/// One free-text question worth 10 (correct 6, clear 4), passing at 60.
fn essay() -> AssessmentInput {
    AssessmentInput {
        title: "Essay".into(),
        passing_score: Some(60),
        questions: vec![QuestionInput {
            rubric: vec![
                CriterionInput {
                    name: "Correct".into(),
                    points: 6,
                },
                CriterionInput {
                    name: "Clear".into(),
                    points: 4,
                },
            ],
            ..q("text", "Explain ownership.")
        }],
        ..AssessmentInput::default()
    }
}

#[tokio::test]
async fn free_text_is_reviewed_from_the_queue_with_the_rubric() {
    let f = fixture();
    let (alice, bob, carol) = alice_bob_carol(&f.node).await;
    let (course, _) = course_with_lessons(&f.node, &alice, "Essays", 1, 0).await;
    let module = f.node.course(&alice, course).expect("view").outline[0].id;
    let a = f
        .node
        .add_assessment(&alice, module, essay())
        .await
        .expect("assessment");
    f.node.enrol_in_course(&bob, course).await.expect("enrol");
    let outcome = f
        .node
        .submit_assessment(&bob, a.id, vec![Some(Answer::Text("Values move.".into()))])
        .await
        .expect("submit");
    assert_eq!(outcome.state, AttemptState::AwaitingReview);
    assert_eq!((outcome.score, outcome.passed), (None, None));
    assert_eq!(
        kinds(&f.node, &alice)[0],
        NotificationKind::CourseReviewRequested
    );
    let queue = f.node.review_queue(&alice, course).expect("queue");
    assert_eq!(queue.len(), 1);
    let waiting = |v: &Viewer| {
        f.node
            .course(v, course)
            .expect("view")
            .viewer
            .and_then(|v| v.reviews_waiting)
    };
    assert_eq!(waiting(&alice), Some(1));
    assert_eq!(waiting(&bob), None);
    assert_eq!(queue[0].member.username, "bob");
    assert!(matches!(
        f.node.review_queue(&carol, course),
        Err(NodeError::Forbidden(_))
    ));

    let e = f
        .node
        .review_attempt(
            &alice,
            outcome.attempt,
            Review {
                marks: vec![ReviewMark {
                    question: 0,
                    criteria: vec![7, 4],
                    comment: String::new(),
                }],
                feedback: String::new(),
            },
        )
        .await
        .expect_err("over the criterion's worth");
    assert_eq!(field_of(e), "marks.criteria");
    let e = f
        .node
        .review_attempt(&alice, outcome.attempt, Review::default())
        .await
        .expect_err("no mark");
    assert_eq!(field_of(e), "marks");
    let reviewed = f
        .node
        .review_attempt(
            &alice,
            outcome.attempt,
            Review {
                marks: vec![ReviewMark {
                    question: 0,
                    criteria: vec![5, 2],
                    comment: "Say what a borrow is.".into(),
                }],
                feedback: "Good start.".into(),
            },
        )
        .await
        .expect("review");
    assert_eq!(reviewed.state, AttemptState::Graded);
    assert_eq!(reviewed.score, Some(70.0));
    assert_eq!(reviewed.passed, Some(true));
    assert_eq!(reviewed.feedback[0].criteria, vec![5, 2]);
    assert!(f
        .node
        .review_queue(&alice, course)
        .expect("queue")
        .is_empty());
    assert_eq!(waiting(&alice), Some(0));
    assert_eq!(kinds(&f.node, &bob)[0], NotificationKind::CourseCompleted);
    assert!(kinds(&f.node, &bob).contains(&NotificationKind::CourseAttemptReviewed));
    assert_eq!(
        field_of(
            f.node
                .review_attempt(&alice, outcome.attempt, Review::default())
                .await
                .expect_err("reviewed already")
        ),
        "attempt"
    );
}

#[tokio::test]
async fn a_course_completes_only_once_every_required_assessment_is_passed() {
    let f = fixture();
    let (alice, bob, _) = alice_bob_carol(&f.node).await;
    let (course, lessons) = course_with_lessons(&f.node, &alice, "Full", 1, 1).await;
    let module = f.node.course(&alice, course).expect("view").outline[0].id;
    let required = f
        .node
        .add_assessment(&alice, module, quiz("Required"))
        .await
        .expect("required");
    let optional = f
        .node
        .add_assessment(
            &alice,
            module,
            AssessmentInput {
                required: Some(false),
                ..quiz("Optional")
            },
        )
        .await
        .expect("optional");
    // Made optional, then required again: the module's entry follows.
    for required in [false, true] {
        f.node
            .update_assessment(
                &alice,
                optional.id,
                AssessmentInput {
                    required: Some(required),
                    ..quiz("Optional")
                },
            )
            .await
            .expect("update");
    }
    f.node
        .update_assessment(
            &alice,
            optional.id,
            AssessmentInput {
                required: Some(false),
                ..quiz("Optional")
            },
        )
        .await
        .expect("update");
    f.node
        .reorder_assessments(&alice, module, vec![optional.id, required.id])
        .await
        .expect("reorder");
    let outline = f.node.course(&alice, course).expect("view").outline;
    assert_eq!(
        outline[0]
            .assessments
            .iter()
            .map(|a| (a.title.as_str(), a.required))
            .collect::<Vec<_>>(),
        vec![("Optional", false), ("Required", true)]
    );
    assert_eq!(
        field_of(
            f.node
                .reorder_assessments(&alice, module, vec![optional.id])
                .await
                .expect_err("one left out")
        ),
        "order"
    );
    f.node.enrol_in_course(&bob, course).await.expect("enrol");
    let p = f
        .node
        .mark_lesson_done(&bob, lessons[0][0])
        .await
        .expect("done");
    assert_eq!(p.percent, 100);
    assert!(p.completion.is_none(), "a required assessment is left");
    let failed = f
        .node
        .submit_assessment(&bob, required.id, wrong())
        .await
        .expect("fail");
    assert!(failed.completion.is_none());
    let optional_pass = f
        .node
        .submit_assessment(&bob, optional.id, right())
        .await
        .expect("optional");
    assert!(optional_pass.completion.is_none());
    // 3 of 4 right is 75, which passes at 75.
    let mut three = right();
    three[3] = Some(Answer::Number(9.0));
    let passed = f
        .node
        .submit_assessment(&bob, required.id, three)
        .await
        .expect("pass");
    assert_eq!(passed.passed, Some(true));
    let completion = passed.completion.expect("complete");
    assert_eq!(completion.score, Some(75.0));
    assert_eq!(completion.assessments_passed, 1);
    let p = f.node.course_progress(&bob, course).expect("progress");
    assert_eq!((p.assessments_passed, p.assessments_required), (1, 1));
    assert_eq!(p.completion, Some(completion));
}

#[tokio::test]
async fn authoring_errors_name_the_question_and_field() {
    let f = fixture();
    let alice = crate::test_support::member(&f.node, "alice").await;
    let (course, _) = course_with_lessons(&f.node, &alice, "Authoring", 1, 0).await;
    let module = f.node.course(&alice, course).expect("view").outline[0].id;
    let bad = |i: usize, change: fn(&mut QuestionInput)| {
        let mut input = quiz("Bad");
        change(&mut input.questions[i]);
        input
    };
    let cases: Vec<(&str, AssessmentInput)> = vec![
        ("questions[0].answer", bad(0, |q| q.answer = Some(json!(3)))),
        ("questions[0].choices", bad(0, |q| q.choices.truncate(1))),
        (
            "questions[1].answer",
            bad(1, |q| q.answer = Some(json!([]))),
        ),
        (
            "questions[2].answer",
            bad(2, |q| {
                q.answer = Some(json!("  "));
            }),
        ),
        (
            "questions[3].tolerance",
            bad(3, |q| q.tolerance = Some(-1.0)),
        ),
        ("questions[3].kind", bad(3, |q| q.kind = "essay".into())),
        (
            "passing_score",
            AssessmentInput {
                passing_score: Some(101),
                ..quiz("Bad")
            },
        ),
        (
            "time_limit_secs",
            AssessmentInput {
                time_limit_secs: Some(1),
                ..quiz("Bad")
            },
        ),
    ];
    for (field, input) in cases {
        let e = f
            .node
            .add_assessment(&alice, module, input)
            .await
            .expect_err(field);
        assert_eq!(field_of(e), field);
    }
    let mut many = quiz("Many");
    many.questions = vec![many.questions[0].clone(); MAX_QUESTIONS + 1];
    match f.node.add_assessment(&alice, module, many).await {
        Err(NodeError::TooLarge { field, .. }) => assert_eq!(field, "questions"),
        other => panic!("expected 413, got {other:?}"),
    }
    let people = clones(&f.node, &alice, "p", 1);
    let e = f
        .node
        .add_assessment(&people[0], module, quiz("Not theirs"))
        .await
        .expect_err("not an instructor");
    assert!(matches!(e, NodeError::Forbidden(_)));
}

#[tokio::test]
async fn the_api_shapes_of_an_assessment_and_of_answers_read() {
    let input: AssessmentInput = serde_json::from_value(json!({
        "title": "Basics quiz",
        "passing_score": 60,
        "max_attempts": 3,
        "questions": [
            {"kind": "single", "prompt": "Pick one", "choices": ["a", "b"], "answer": 1, "points": 2},
            {"kind": "multiple", "prompt": "Pick some", "choices": ["a", "b", "c"], "answer": [0, 2]},
            {"kind": "short", "prompt": "Say it", "answer": ["Jakarta", "DKI Jakarta"]},
            {"kind": "numeric", "prompt": "How much", "answer": 2.5, "tolerance": 0.1},
            {"kind": "text", "prompt": "Explain", "points": 4},
            {"kind": "code", "prompt": "Write it", "points": 3}
        ]
    }))
    .expect("the API's body");
    let answers: Vec<Option<Answer>> =
        serde_json::from_value(json!([1, [0, 2], "jakarta", 2.45, "text", null])).expect("answers");
    assert_eq!(
        answers,
        vec![
            Some(Answer::Number(1.0)),
            Some(Answer::Choices(vec![0, 2])),
            Some(Answer::Text("jakarta".into())),
            Some(Answer::Number(2.45)),
            Some(Answer::Text("text".into())),
            None,
        ]
    );
    let f = fixture();
    let (alice, bob, _) = alice_bob_carol(&f.node).await;
    let (course, _) = course_with_lessons(&f.node, &alice, "Shapes", 1, 0).await;
    let module = f.node.course(&alice, course).expect("view").outline[0].id;
    let a = f
        .node
        .add_assessment(&alice, module, input)
        .await
        .expect("assessment");
    assert_eq!(a.total_points(), 2 + 1 + 1 + 1 + 4 + 3);
    f.node.enrol_in_course(&bob, course).await.expect("enrol");
    let outcome = f
        .node
        .submit_assessment(&bob, a.id, answers)
        .await
        .expect("submit");
    assert_eq!(outcome.state, AttemptState::AwaitingReview);
    let awarded: Vec<f64> = outcome.feedback.iter().map(|m| m.awarded).collect();
    assert_eq!(awarded, vec![2.0, 1.0, 1.0, 1.0, 0.0, 0.0]);
    assert_eq!(
        outcome
            .feedback
            .iter()
            .map(|m| m.pending_review)
            .collect::<Vec<_>>(),
        vec![false, false, false, false, true, false],
        "a blank free answer needs no review"
    );
}
