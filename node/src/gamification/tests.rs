//! Points for the seed's activities, trust weighting, reversals, caps,
//! linked accounts, levels, badges, history, leaderboards and settings.

use std::net::IpAddr;

use super::*;
use crate::model::{now_ms, Role, Visibility};
use crate::node::Viewer;
use crate::posts::NewPost;
use crate::store::tables;
use crate::test_support::{fixture, member, new_member, publish};
use crate::{Id, Node, NodeError};

pub(super) const DAY: i64 = 86_400_000;

/// A member's all-time points in hundredths.
pub(super) fn hundredths(node: &Node, viewer: &Viewer) -> i64 {
    node.store
        .counter::<tables::LeaderboardScore>((board::ALL, viewer.id().expect("member")))
        .expect("score")
}

/// The viewer's own points view.
pub(super) fn mine(node: &Node, viewer: &Viewer) -> MemberPoints {
    let name = &viewer.member().expect("member").username;
    node.member_points(viewer, name, "en", None, 100)
        .expect("points")
}

pub(super) fn reply(to: Id, content: &str) -> NewPost {
    NewPost {
        content: content.into(),
        in_reply_to: Some(to.to_string()),
        ..NewPost::default()
    }
}

pub(super) async fn set(node: &Node, admin: &Viewer, f: impl FnOnce(&mut GamificationSettings)) {
    let mut s = (*node.gamification_settings()).clone();
    f(&mut s);
    let value = serde_json::to_value(&s).expect("json");
    node.update_gamification_settings(admin, value)
        .await
        .expect("settings");
}

pub(super) async fn admin(node: &Node) -> Viewer {
    let m = node
        .create_member(new_member("root"), Role::Admin)
        .await
        .expect("admin");
    Viewer::Member(Box::new(m))
}

fn field_of(e: NodeError) -> String {
    match e {
        NodeError::Invalid { field, .. } => field,
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[tokio::test]
async fn posts_and_replies_earn_the_seed_points_and_replying_to_oneself_earns_nothing() {
    let f = fixture();
    let (alice, bob) = (member(&f.node, "alice").await, member(&f.node, "bob").await);
    let post = publish(&f.node, &alice, "hello", Visibility::Public).await;
    assert_eq!(hundredths(&f.node, &alice), 1000);
    f.node
        .create_post(&bob, reply(post.id, "hi alice"))
        .await
        .expect("reply");
    assert_eq!(hundredths(&f.node, &bob), 200);
    f.node
        .create_post(&alice, reply(post.id, "thanks"))
        .await
        .expect("own reply");
    assert_eq!(hundredths(&f.node, &alice), 1000);
    let history = mine(&f.node, &alice).history;
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].points, "0");
    assert!(
        history[0].reason.contains("oneself"),
        "{}",
        history[0].reason
    );
    assert_eq!(history[1].activity, "post");
    assert_eq!(history[1].points, "10");
    assert_eq!(history[1].object, post.id);
}

#[tokio::test]
async fn likes_and_shares_are_weighted_by_the_givers_trust() {
    let f = fixture();
    let root = admin(&f.node).await;
    let alice = member(&f.node, "alice").await;
    let bob = member(&f.node, "bob").await;
    let carol = member(&f.node, "carol").await;
    f.node.follow(&root, "carol").await.expect("follow");
    f.node.follow(&root, "alice").await.expect("follow");
    let post = publish(&f.node, &alice, "hello", Visibility::Public).await;
    // Before trust is computed from a seed, every giver counts fully.
    f.node.like(&bob, post.id).await.expect("like");
    assert_eq!(hundredths(&f.node, &alice), 1000 + 100);
    f.node
        .clone()
        .recompute_trust_now(&root)
        .await
        .expect("trust");
    let carol_weight = f
        .node
        .trust_factor(carol.id().expect("id"))
        .expect("factor");
    assert!(carol_weight > 0.0 && carol_weight <= 1.0, "{carol_weight}");
    assert_eq!(
        f.node.trust_factor(bob.id().expect("id")).expect("factor"),
        0.0,
        "no trust reaches bob from the seeds"
    );
    f.node.boost(&bob, post.id).await.expect("boost");
    assert_eq!(
        hundredths(&f.node, &alice),
        1000 + 100,
        "bob's share weighs 0"
    );
    f.node.boost(&carol, post.id).await.expect("boost");
    let carol_share = (500.0 * carol_weight).round() as i64;
    assert_eq!(hundredths(&f.node, &alice), 1000 + 100 + carol_share);
    let view = mine(&f.node, &alice);
    let bob_share = view
        .history
        .iter()
        .find(|h| h.activity == "share" && h.reason.contains("@bob"))
        .expect("bob's share");
    assert_eq!(bob_share.points, "0");
    assert!(
        bob_share.reason.contains("trust weight 0.00"),
        "{}",
        bob_share.reason
    );
    // A suspended giver weighs nothing.
    f.node
        .store
        .write_blocking(|txn| {
            let id = carol.id().expect("id");
            let mut m = txn.load::<tables::Member>(id)?.expect("stored");
            m.silenced = true;
            txn.store::<tables::Member>(id, &m)
        })
        .expect("limit");
    let second = publish(&f.node, &alice, "again", Visibility::Public).await;
    let before = hundredths(&f.node, &alice);
    f.node.like(&carol, second.id).await.expect("like");
    assert_eq!(hundredths(&f.node, &alice), before);
}

#[tokio::test]
async fn liking_ones_own_post_earns_nothing_and_says_why() {
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    let post = publish(&f.node, &alice, "hello", Visibility::Public).await;
    f.node.like(&alice, post.id).await.expect("like");
    f.node.boost(&alice, post.id).await.expect("boost");
    assert_eq!(hundredths(&f.node, &alice), 1000);
    let history = mine(&f.node, &alice).history;
    assert!(history
        .iter()
        .filter(|h| h.activity == "like" || h.activity == "share")
        .all(|h| h.points == "0" && h.reason.contains("oneself")));
    assert_eq!(history.len(), 3);
}

#[tokio::test]
async fn removing_a_like_or_the_post_reverses_its_points_and_the_history_shows_both() {
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    let carol = member(&f.node, "carol").await;
    let post = publish(&f.node, &alice, "hello", Visibility::Public).await;
    f.node.like(&carol, post.id).await.expect("like");
    assert_eq!(hundredths(&f.node, &alice), 1100);
    f.node.unlike(&carol, post.id).await.expect("unlike");
    assert_eq!(hundredths(&f.node, &alice), 1000);
    f.node.like(&carol, post.id).await.expect("like again");
    f.node.boost(&carol, post.id).await.expect("boost");
    assert_eq!(hundredths(&f.node, &alice), 1600);
    f.node.delete_post(&alice, post.id).await.expect("delete");
    assert_eq!(hundredths(&f.node, &alice), 0);
    let view = mine(&f.node, &alice);
    let reversals: Vec<_> = view
        .history
        .iter()
        .filter(|h| h.points.starts_with('-'))
        .collect();
    assert_eq!(reversals.len(), 4, "unlike, then post, like and boost");
    assert!(reversals
        .iter()
        .any(|h| h.reason.contains("the like was withdrawn")));
    assert_eq!(
        reversals
            .iter()
            .filter(|h| h.reason.contains("the post was deleted"))
            .count(),
        3
    );
    assert_eq!(view.history.len(), 8);
    let board = f
        .node
        .leaderboard(Period::All, None, None, 10, "en")
        .expect("board");
    assert!(board.entries.is_empty(), "no points, no row");
    let week = f
        .node
        .leaderboard(Period::Week, None, None, 10, "en")
        .expect("board");
    assert!(week.entries.is_empty());
}

#[tokio::test]
async fn daily_caps_stop_points_but_not_the_count() {
    let f = fixture();
    let root = admin(&f.node).await;
    set(&f.node, &root, |s| {
        s.activities.insert(
            "post".into(),
            ActivityRule {
                points: 10,
                daily_cap: 3,
            },
        );
    })
    .await;
    let alice = member(&f.node, "alice").await;
    for i in 0..5 {
        publish(&f.node, &alice, &format!("post {i}"), Visibility::Public).await;
    }
    assert_eq!(hundredths(&f.node, &alice), 3000);
    let view = mine(&f.node, &alice);
    let capped: Vec<_> = view
        .history
        .iter()
        .filter(|h| h.reason.contains("daily cap of 3"))
        .collect();
    assert_eq!(capped.len(), 2);
    let posts = view
        .achievements
        .iter()
        .find(|a| a.badge == "kontributor")
        .expect("kontributor");
    assert_eq!(posts.progress[0].value, 5, "capped posts still count");
}

async fn register_from(node: &Node, name: &str, ip: &str) -> Viewer {
    let ip: IpAddr = ip.parse().expect("ip");
    let m = node
        .register_from(new_member(name), Some(ip))
        .await
        .expect("register");
    Viewer::Member(Box::new(m))
}

#[tokio::test]
async fn accounts_registered_from_one_address_the_same_day_earn_nothing_from_each_other() {
    let f = fixture();
    let alice = register_from(&f.node, "alice", "192.0.2.7").await;
    let sock = register_from(&f.node, "sock", "192.0.2.7").await;
    let bob = register_from(&f.node, "bob", "198.51.100.1").await;
    let post = publish(&f.node, &alice, "hello", Visibility::Public).await;
    f.node.like(&sock, post.id).await.expect("like");
    f.node.boost(&sock, post.id).await.expect("boost");
    f.node
        .create_post(&sock, reply(post.id, "great"))
        .await
        .expect("reply");
    assert_eq!(hundredths(&f.node, &alice), 1000);
    assert_eq!(hundredths(&f.node, &sock), 0);
    f.node.like(&bob, post.id).await.expect("like");
    assert_eq!(hundredths(&f.node, &alice), 1100);
    let history = mine(&f.node, &alice).history;
    assert!(history
        .iter()
        .any(|h| h.reason.contains("registered from the same address")));
    // Only a keyed hash is stored, the same for both.
    let mark = |v: &Viewer| {
        f.node
            .store
            .load::<tables::RegistrationMark>(v.id().expect("id"))
            .expect("load")
    };
    let m = mark(&alice).expect("marked");
    assert_eq!(Some(m), mark(&sock));
    assert_ne!(Some(m), mark(&bob));
    assert!(!m.windows(4).any(|w| w == [192, 0, 2, 7]));
    assert!(!m.windows(9).any(|w| w == b"192.0.2.7"));
}

#[tokio::test]
async fn accounts_a_moderator_links_earn_nothing_from_each_other() {
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    let bob = member(&f.node, "bob").await;
    let moderator = Viewer::Member(Box::new(
        f.node
            .create_member(new_member("mod"), Role::Moderator)
            .await
            .expect("mod"),
    ));
    assert!(matches!(
        f.node
            .flag_linked_accounts(&bob, "alice", "bob", true)
            .await,
        Err(NodeError::Forbidden(_))
    ));
    f.node
        .flag_linked_accounts(&moderator, "alice", "bob", true)
        .await
        .expect("flag");
    let post = publish(&f.node, &alice, "hello", Visibility::Public).await;
    f.node.like(&bob, post.id).await.expect("like");
    assert_eq!(hundredths(&f.node, &alice), 1000);
    f.node
        .flag_linked_accounts(&moderator, "alice", "bob", false)
        .await
        .expect("unflag");
    f.node.unlike(&bob, post.id).await.expect("unlike");
    f.node.like(&bob, post.id).await.expect("like");
    assert_eq!(hundredths(&f.node, &alice), 1100);
}

#[test]
fn levels_hold_at_their_boundaries() {
    let s = GamificationSettings::default();
    let name = |p| s.level_for(p).map(|l| l.name.as_str());
    for (points, level) in [
        (0, "pemula"),
        (100, "pemula"),
        (101, "menengah"),
        (500, "menengah"),
        (501, "ahli"),
        (1000, "ahli"),
        (1001, "master"),
        (50_000, "master"),
    ] {
        assert_eq!(name(points), Some(level), "{points}");
    }
    let menengah = s.level_for(101).expect("level");
    assert_eq!(menengah.label("id"), "Menengah");
    assert_eq!(menengah.label("en"), "Intermediate");
    assert_eq!(menengah.label("fr"), "Intermediate");
    assert_eq!(menengah.benefits, vec!["posting_dasar", "grup_premium"]);
}

#[tokio::test]
async fn a_members_level_follows_their_points_and_explains_itself() {
    let f = fixture();
    let root = admin(&f.node).await;
    set(&f.node, &root, |s| {
        s.activities.insert(
            "post".into(),
            ActivityRule {
                points: 101,
                daily_cap: 0,
            },
        );
    })
    .await;
    let alice = member(&f.node, "alice").await;
    assert_eq!(mine(&f.node, &alice).level.expect("level").name, "pemula");
    publish(&f.node, &alice, "one", Visibility::Public).await;
    let level = mine(&f.node, &alice).level.expect("level");
    assert_eq!(level.name, "menengah");
    assert_eq!(level.next.as_ref().map(|n| n.points_needed), Some(400));
    assert_eq!(
        level.explain,
        "101 points: Intermediate (101–500); 400 more for Expert"
    );
    let in_indonesian = f
        .node
        .member_points(&alice, "alice", "id", None, 10)
        .expect("points");
    assert_eq!(in_indonesian.level.expect("level").label, "Menengah");
}

#[tokio::test]
async fn pendatang_baru_on_registration_and_kontributor_at_ten_posts_once() {
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    let view = mine(&f.node, &alice);
    assert_eq!(
        view.badges
            .iter()
            .map(|b| b.badge.as_str())
            .collect::<Vec<_>>(),
        vec!["pendatang_baru"]
    );
    for i in 0..9 {
        publish(&f.node, &alice, &format!("post {i}"), Visibility::Public).await;
    }
    let nine = mine(&f.node, &alice);
    assert!(!nine.badges.iter().any(|b| b.badge == "kontributor"));
    let k = nine
        .achievements
        .iter()
        .find(|a| a.badge == "kontributor")
        .expect("achievement");
    assert!(!k.earned);
    assert_eq!(k.progress[0].value, 9);
    assert_eq!(k.progress[0].at_least, 10);
    publish(&f.node, &alice, "tenth", Visibility::Public).await;
    let ten = mine(&f.node, &alice);
    let badge = ten
        .badges
        .iter()
        .find(|b| b.badge == "kontributor")
        .expect("kontributor")
        .clone();
    assert_eq!(badge.reason, "posts 10 ≥ 10");
    assert_eq!(badge.label, "Contributor");
    publish(&f.node, &alice, "eleventh", Visibility::Public).await;
    let after = mine(&f.node, &alice);
    let again = after
        .badges
        .iter()
        .find(|b| b.badge == "kontributor")
        .expect("kept");
    assert_eq!(again.earned_at, badge.earned_at, "awarded once");
    assert_eq!(after.badges.len(), 2);
}

#[tokio::test]
async fn the_history_is_for_the_member_and_moderators() {
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    let bob = member(&f.node, "bob").await;
    publish(&f.node, &alice, "hello", Visibility::Public).await;
    let seen_by_bob = f
        .node
        .member_points(&bob, "alice", "en", None, 10)
        .expect("points");
    assert_eq!(seen_by_bob.points, 10);
    assert!(seen_by_bob.history.is_empty());
    assert!(seen_by_bob.history_hidden);
    let anonymous = f
        .node
        .member_points(&Viewer::Anonymous, "alice", "en", None, 10)
        .expect("points");
    assert!(anonymous.history_hidden);
    let own = mine(&f.node, &alice);
    assert_eq!(own.history.len(), 1);
    assert_eq!(own.history[0].reason, "post: 10 points");
}

#[tokio::test]
async fn history_pages_newest_first() {
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    for i in 0..5 {
        publish(&f.node, &alice, &format!("post {i}"), Visibility::Public).await;
    }
    let first = f
        .node
        .member_points(&alice, "alice", "en", None, 2)
        .expect("page");
    assert_eq!(first.history.len(), 2);
    let next = first.history_next.expect("more");
    let second = f
        .node
        .member_points(&alice, "alice", "en", Some(next), 2)
        .expect("page");
    assert_eq!(second.history.len(), 2);
    assert!(second.history[0].id < first.history[1].id);
    let third = f
        .node
        .member_points(&alice, "alice", "en", second.history_next, 2)
        .expect("page");
    assert_eq!(third.history.len(), 1);
    assert!(third.history_next.is_none());
}

#[tokio::test]
async fn organising_and_attending_events_earn_points_and_unregistering_reverses_them() {
    use crate::community_events::{NewEvent, TimeInput};
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    let bob = member(&f.node, "bob").await;
    let start = now_ms() + DAY;
    let event = f
        .node
        .create_event(
            &alice,
            NewEvent {
                title: "Meetup".into(),
                start: Some(TimeInput::Ms(start)),
                end: Some(TimeInput::Ms(start + 3_600_000)),
                timezone: "UTC".into(),
                format: Some("online".into()),
                online_url: Some("https://meet.example/room".into()),
                ..NewEvent::default()
            },
        )
        .await
        .expect("event")
        .event
        .id;
    assert_eq!(hundredths(&f.node, &alice), 5000);
    f.node
        .register_for_event(&bob, event, false)
        .await
        .expect("register");
    f.node
        .check_in(&alice, event, "bob")
        .await
        .expect("check in");
    assert_eq!(hundredths(&f.node, &bob), 2000);
    f.node
        .unregister_from_event(&bob, event)
        .await
        .expect("unregister");
    assert_eq!(hundredths(&f.node, &bob), 0);
    assert!(mine(&f.node, &bob)
        .history
        .iter()
        .any(|h| h.points == "-20" && h.reason.contains("registration was removed")));
    f.node.delete_event(&alice, event).await.expect("delete");
    assert_eq!(hundredths(&f.node, &alice), 0);
}

#[tokio::test]
async fn completing_a_course_earns_points() {
    use crate::courses::{LessonInput, NewCourse};
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    let bob = member(&f.node, "bob").await;
    let course = f
        .node
        .create_course(
            &alice,
            NewCourse {
                title: "Rust".into(),
                status: Some("published".into()),
                ..NewCourse::default()
            },
        )
        .await
        .expect("course")
        .course
        .id;
    let module = f
        .node
        .add_module(&alice, course, "One")
        .await
        .expect("module");
    let lesson = f
        .node
        .add_lesson(
            &alice,
            module.id,
            LessonInput {
                title: "Hello".into(),
                body: "Read".into(),
                minutes: 5,
            },
        )
        .await
        .expect("lesson");
    f.node.enrol_in_course(&bob, course).await.expect("enrol");
    f.node
        .mark_lesson_done(&bob, lesson.id)
        .await
        .expect("done");
    assert_eq!(hundredths(&f.node, &bob), 10_000);
    let view = mine(&f.node, &bob);
    assert!(view.badges.iter().any(|b| b.badge == "pembelajar"));
}

#[tokio::test]
async fn leaderboards_rank_page_and_split_by_period_and_group() {
    use crate::groups::NewGroup;
    let f = fixture();
    let mut people = Vec::new();
    for (i, name) in ["ann", "ben", "cat", "dan"].iter().enumerate() {
        let v = member(&f.node, name).await;
        for p in 0..=i {
            publish(&f.node, &v, &format!("{name} {p}"), Visibility::Public).await;
        }
        people.push(v);
    }
    let page = f
        .node
        .leaderboard(Period::All, None, None, 3, "en")
        .expect("board");
    let names: Vec<_> = page.entries.iter().map(|e| e.member.as_str()).collect();
    assert_eq!(names, vec!["dan", "cat", "ben"]);
    assert_eq!(page.entries[0].points, 40);
    assert_eq!(page.entries[0].rank, 1);
    let rest = f
        .node
        .leaderboard(Period::All, None, page.next.as_deref(), 3, "en")
        .expect("next");
    assert_eq!(rest.entries.len(), 1);
    assert_eq!(rest.entries[0].member, "ann");
    assert_eq!(rest.entries[0].rank, 4);
    assert!(rest.next.is_none());
    for period in [Period::Month, Period::Week] {
        let b = f
            .node
            .leaderboard(period, None, None, 10, "en")
            .expect("board");
        assert_eq!(b.entries.len(), 4);
        assert!(b.period_start.is_some());
    }
    // Points of an earlier week stay on that week's board.
    let ann = people[0].id().expect("id");
    let last_week = now_ms() - 8 * DAY;
    f.node
        .store
        .write_blocking(|txn| {
            for b in board::boards_for(None, last_week) {
                if b != board::ALL {
                    board::bump(txn, &b, ann, 99_900)?;
                }
            }
            Ok(())
        })
        .expect("old points");
    let week = f
        .node
        .leaderboard(Period::Week, None, None, 10, "en")
        .expect("week");
    assert_eq!(week.entries[0].member, "dan");
    assert!(
        board::board_name(Period::Week, None, last_week)
            != board::board_name(Period::Week, None, now_ms())
    );
    // A group's board counts what happens in the group.
    let group = f
        .node
        .create_group(
            &people[0],
            NewGroup {
                name: "rustaceans".into(),
                ..NewGroup::default()
            },
        )
        .await
        .expect("group");
    f.node
        .create_post(
            &people[0],
            NewPost {
                content: "in the group".into(),
                group: Some(group.name.clone()),
                ..NewPost::default()
            },
        )
        .await
        .expect("group post");
    let g = f
        .node
        .leaderboard(Period::All, Some("rustaceans"), None, 10, "en")
        .expect("group board");
    assert_eq!(g.group.as_deref(), Some("rustaceans"));
    assert_eq!(g.entries.len(), 1);
    assert_eq!(g.entries[0].member, "ann");
    assert_eq!(g.entries[0].points, 10);
    assert!(matches!(
        f.node.leaderboard(Period::All, Some("ann"), None, 10, "en"),
        Err(NodeError::Invalid { .. })
    ));
    assert!(matches!(
        f.node
            .leaderboard(Period::All, None, Some("nonsense"), 10, "en"),
        Err(NodeError::Invalid { .. })
    ));
}

#[tokio::test]
async fn settings_are_validated_naming_the_field_and_only_admins_change_them() {
    let f = fixture();
    let root = admin(&f.node).await;
    let alice = member(&f.node, "alice").await;
    let mut value = serde_json::to_value(GamificationSettings::default()).expect("json");
    assert!(matches!(
        f.node
            .update_gamification_settings(&alice, value.clone())
            .await,
        Err(NodeError::Forbidden(_))
    ));
    value["badges"][1]["when"] = serde_json::json!({"postz": {"at_least": 10}});
    let e = f
        .node
        .update_gamification_settings(&root, value.clone())
        .await
        .expect_err("bad metric");
    assert_eq!(field_of(e), "badges[1].when.postz");
    value["badges"][1]["when"] = serde_json::json!({"posts": {"at_least": 0}});
    let e = f
        .node
        .update_gamification_settings(&root, value.clone())
        .await
        .expect_err("zero");
    assert_eq!(field_of(e), "badges[1].when.posts.at_least");
    let mut value = serde_json::to_value(GamificationSettings::default()).expect("json");
    value["levels"][2]["min_points"] = serde_json::json!(50);
    let e = f
        .node
        .update_gamification_settings(&root, value)
        .await
        .expect_err("order");
    assert_eq!(field_of(e), "levels[2].min_points");
    let mut value = serde_json::to_value(GamificationSettings::default()).expect("json");
    value["activities"]["dance"] = serde_json::json!({"points": 1, "daily_cap": 0});
    let e = f
        .node
        .update_gamification_settings(&root, value)
        .await
        .expect_err("activity");
    assert_eq!(field_of(e), "activities.dance");
    let mut value = serde_json::to_value(GamificationSettings::default()).expect("json");
    value["badges"]
        .as_array_mut()
        .expect("list")
        .push(serde_json::json!({"badge": "penulis", "when": {"posts": {"at_least": 1}}}));
    let saved = f
        .node
        .update_gamification_settings(&root, value)
        .await
        .expect("saved");
    assert!(saved.badges.iter().any(|b| b.badge == "penulis"));
    publish(&f.node, &alice, "first", Visibility::Public).await;
    assert!(mine(&f.node, &alice)
        .badges
        .iter()
        .any(|b| b.badge == "penulis"));
}

#[tokio::test]
async fn settings_survive_a_restart() {
    let (node, dir) = crate::test_support::temp_node();
    let root = admin(&node).await;
    set(&node, &root, |s| {
        if let Some(r) = s.activities.get_mut("post") {
            r.points = 7;
        }
    })
    .await;
    drop(node);
    let node = Node::open(crate::NodeConfig::new(dir.path(), "k.test")).expect("reopen");
    assert_eq!(
        node.gamification_settings()
            .rule(Activity::Post)
            .map(|r| r.points),
        Some(7)
    );
}

#[tokio::test]
async fn ahli_comes_with_a_reputation_of_1000_from_trusted_attesters() {
    let f = fixture();
    let root = admin(&f.node).await;
    let alice = member(&f.node, "alice").await;
    for i in 0..10 {
        let attester = member(&f.node, &format!("a{i}")).await;
        f.node
            .attest(&attester, "alice", "rust", "")
            .await
            .expect("attest");
    }
    for i in 0..20 {
        member(&f.node, &format!("idle{i}")).await;
    }
    let has_ahli = || {
        mine(&f.node, &alice)
            .badges
            .iter()
            .any(|b| b.badge == "ahli")
    };
    f.node
        .clone()
        .recompute_trust_now(&root)
        .await
        .expect("trust");
    assert!(!has_ahli(), "ten attesters no trust reaches carry nothing");
    let before = f.node.explained_reputation("alice").expect("reputation");
    assert_eq!(before.score, 0.0);
    // The seed attests: 0.85 × its trust × 100 × 32 accounts.
    f.node
        .attest(&root, "alice", "rust", "")
        .await
        .expect("attest");
    f.node
        .clone()
        .recompute_trust_now(&root)
        .await
        .expect("trust");
    let score = f
        .node
        .explained_reputation("alice")
        .expect("reputation")
        .score;
    assert!(score >= 1000.0, "{score}");
    let view = mine(&f.node, &alice);
    let ahli = view
        .badges
        .iter()
        .find(|b| b.badge == "ahli")
        .expect("ahli after the trust run");
    assert_eq!(ahli.reason, format!("reputation {} ≥ 1000", score as u64));
}
