//! The catalogue: filters find matches however old, the indexes follow
//! every change of a course, drafts stay out, words are looked for
//! within their bound.

use super::tests::{create, open_course};
use super::*;
use crate::model::now_ms;
use crate::store::tables;
use crate::test_support::{fixture, member};

/// `n` published courses, newer than any made before, written in one
/// write with their catalogue entries (as `create_course` writes them);
/// each `beginner`, in category `filler`, titled "Filler {i}".
fn newer_courses(node: &Node, creator: Id, n: usize) {
    node.store
        .write_blocking(|txn| {
            for i in 0..n {
                let course = Course {
                    id: node.ids.next(),
                    title: format!("Filler {i}"),
                    description: String::new(),
                    description_html: String::new(),
                    level: CourseLevel::Beginner,
                    duration_minutes: None,
                    duration_text: None,
                    category: Some("filler".into()),
                    tags: Vec::new(),
                    creator,
                    instructors: vec![creator],
                    group: None,
                    prerequisites: Vec::new(),
                    status: CourseStatus::Published,
                    enrolment: EnrolmentMode::Open,
                    enrolment_opens: None,
                    enrolment_closes: None,
                    capacity: None,
                    price: None,
                    certificate: false,
                    modules: Vec::new(),
                    created_at: now_ms(),
                    updated_at: now_ms(),
                };
                txn.store::<tables::Course>(course.id, &course)?;
                index_listing(txn, None, Some(&course))?;
            }
            Ok(())
        })
        .expect("courses");
}

fn titles(node: &Node, query: CourseQuery) -> Vec<String> {
    node.courses(&query)
        .expect("catalogue")
        .into_iter()
        .map(|c| c.title)
        .collect()
}

#[tokio::test]
async fn filters_find_a_course_older_than_thousands_of_others() {
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    create(
        &f.node,
        &alice,
        NewCourse {
            level: Some("advanced".into()),
            category: Some("compilers".into()),
            ..open_course("Old compilers")
        },
    )
    .await;
    newer_courses(&f.node, alice.id().expect("member"), SCAN_BOUND + 500);

    let level = CourseQuery {
        level: Some(CourseLevel::Advanced),
        ..CourseQuery::default()
    };
    assert_eq!(titles(&f.node, level), ["Old compilers"]);
    let category = CourseQuery {
        category: Some("compilers".into()),
        ..CourseQuery::default()
    };
    assert_eq!(titles(&f.node, category), ["Old compilers"]);
    let both = CourseQuery {
        level: Some(CourseLevel::Advanced),
        category: Some("compilers".into()),
        ..CourseQuery::default()
    };
    assert_eq!(titles(&f.node, both), ["Old compilers"]);
    let wrong_level = CourseQuery {
        level: Some(CourseLevel::Beginner),
        category: Some("compilers".into()),
        ..CourseQuery::default()
    };
    assert!(titles(&f.node, wrong_level).is_empty());
    // Words come from their own index: found however old.
    let words = CourseQuery {
        q: Some("compilers".into()),
        ..CourseQuery::default()
    };
    assert_eq!(titles(&f.node, words), ["Old compilers"]);
    // A word many newer courses hold, with one only the old one holds.
    let shared = CourseQuery {
        q: Some("filler".into()),
        limit: Some(3),
        ..CourseQuery::default()
    };
    assert_eq!(titles(&f.node, shared).len(), 3);
    let both_words = CourseQuery {
        q: Some("old filler".into()),
        ..CourseQuery::default()
    };
    assert!(titles(&f.node, both_words).is_empty());
    // With a filter as well, the words and the filter are intersected.
    let words_in_level = CourseQuery {
        q: Some("OLD".into()),
        level: Some(CourseLevel::Advanced),
        ..CourseQuery::default()
    };
    assert_eq!(titles(&f.node, words_in_level), ["Old compilers"]);

    let page = f
        .node
        .courses(&CourseQuery {
            limit: Some(100),
            ..CourseQuery::default()
        })
        .expect("catalogue");
    assert_eq!(page.len(), 100);
    assert!(page.windows(2).all(|w| w[0].id > w[1].id), "newest first");
}

#[tokio::test]
async fn a_category_merges_its_levels_newest_first() {
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    for (title, level) in [
        ("A", "advanced"),
        ("B", "beginner"),
        ("C", "intermediate"),
        ("D", "beginner"),
        ("E", "advanced"),
    ] {
        create(
            &f.node,
            &alice,
            NewCourse {
                level: Some(level.into()),
                category: Some("art".into()),
                ..open_course(title)
            },
        )
        .await;
    }
    let art = CourseQuery {
        category: Some("art".into()),
        ..CourseQuery::default()
    };
    assert_eq!(titles(&f.node, art), ["E", "D", "C", "B", "A"]);
    let two = CourseQuery {
        category: Some("art".into()),
        limit: Some(2),
        ..CourseQuery::default()
    };
    assert_eq!(titles(&f.node, two), ["E", "D"]);
}

#[tokio::test]
async fn the_indexes_follow_publishing_changes_and_deletion() {
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    let id = create(
        &f.node,
        &alice,
        NewCourse {
            status: None,
            level: Some("beginner".into()),
            category: Some("music".into()),
            ..open_course("Guitar")
        },
    )
    .await;
    let music = || CourseQuery {
        category: Some("music".into()),
        ..CourseQuery::default()
    };
    assert!(titles(&f.node, CourseQuery::default()).is_empty(), "draft");
    assert!(titles(&f.node, music()).is_empty(), "draft");
    let taught = f
        .node
        .courses_taught(&alice, alice.id().expect("member"))
        .expect("taught");
    assert_eq!(taught.len(), 1, "a draft is among the courses one teaches");

    f.node.publish_course(&alice, id).await.expect("publish");
    assert_eq!(titles(&f.node, music()), ["Guitar"]);

    f.node
        .update_course(
            &alice,
            id,
            CourseUpdate {
                level: Some("advanced".into()),
                category: Some(Some("strings".into())),
                status: Some("archived".into()),
                ..CourseUpdate::default()
            },
        )
        .await
        .expect("update");
    assert!(titles(&f.node, music()).is_empty(), "moved out of music");
    let beginner = CourseQuery {
        level: Some(CourseLevel::Beginner),
        ..CourseQuery::default()
    };
    assert!(titles(&f.node, beginner).is_empty(), "no longer beginner");
    let strings = CourseQuery {
        category: Some("strings".into()),
        level: Some(CourseLevel::Advanced),
        ..CourseQuery::default()
    };
    assert_eq!(titles(&f.node, strings), ["Guitar"], "archived is listed");

    f.node
        .update_course(
            &alice,
            id,
            CourseUpdate {
                category: Some(None),
                ..CourseUpdate::default()
            },
        )
        .await
        .expect("no category");
    let strings = CourseQuery {
        category: Some("strings".into()),
        ..CourseQuery::default()
    };
    assert!(titles(&f.node, strings).is_empty());
    assert_eq!(titles(&f.node, CourseQuery::default()), ["Guitar"]);

    f.node.delete_course(&alice, id).await.expect("delete");
    assert!(titles(&f.node, CourseQuery::default()).is_empty());
    let advanced = CourseQuery {
        level: Some(CourseLevel::Advanced),
        ..CourseQuery::default()
    };
    assert!(titles(&f.node, advanced).is_empty());
    assert_eq!(
        f.node
            .store
            .scan::<tables::CoursesByLevel>((), false)
            .keys()
            .count(),
        0,
        "no entry is left behind"
    );
}

#[tokio::test]
async fn words_match_title_description_and_tags_in_any_case() {
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    create(
        &f.node,
        &alice,
        NewCourse {
            description: Some("Borrowing and LIFETIMES.".into()),
            tags: vec!["systems".into()],
            ..open_course("Rust in depth")
        },
    )
    .await;
    create(&f.node, &alice, open_course("Gardening")).await;
    let q = |words: &str| CourseQuery {
        q: Some(words.into()),
        ..CourseQuery::default()
    };
    assert_eq!(titles(&f.node, q("rust lifetimes")), ["Rust in depth"]);
    assert_eq!(titles(&f.node, q("SYSTEMS")), ["Rust in depth"]);
    assert!(titles(&f.node, q("rust gardening")).is_empty());
    // Whole words: part of one finds nothing; nor does a query with no word.
    assert!(titles(&f.node, q("rus")).is_empty());
    assert!(titles(&f.node, q("!")).is_empty());
    // A change of words moves the course's entries.
    let rust = f.node.courses(&q("rust")).expect("catalogue").remove(0).id;
    f.node
        .update_course(
            &alice,
            rust,
            crate::courses::CourseUpdate {
                title: Some("Ferris in depth".into()),
                ..crate::courses::CourseUpdate::default()
            },
        )
        .await
        .expect("update");
    assert!(titles(&f.node, q("rust")).is_empty());
    assert_eq!(titles(&f.node, q("ferris")), ["Ferris in depth"]);
}
