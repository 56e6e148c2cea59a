//! Challenges: who creates them, validation, joining, progress counted
//! after joining, completion with its reward once.

use super::tests::{hundredths, mine};
use super::*;
use crate::model::{now_ms, Role, Visibility};
use crate::node::Viewer;
use crate::test_support::{fixture, member, new_member, publish};
use crate::NodeError;

fn in_days(days: i64) -> String {
    jiff::Timestamp::from_millisecond(now_ms() + days * super::tests::DAY)
        .expect("time")
        .to_string()
}

fn three_posts() -> NewChallenge {
    NewChallenge {
        title: "Three posts".into(),
        description: "Write three posts this week".into(),
        metric: "posts".into(),
        target: 3,
        ends_at: in_days(7),
        reward_points: 40,
        reward_badge: Some("penulis_pekan".into()),
        ..NewChallenge::default()
    }
}

async fn moderator(node: &crate::Node) -> Viewer {
    Viewer::Member(Box::new(
        node.create_member(new_member("mod"), Role::Moderator)
            .await
            .expect("mod"),
    ))
}

#[tokio::test]
async fn only_moderators_create_the_nodes_challenges_and_bad_input_names_its_field() {
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    let m = moderator(&f.node).await;
    assert!(matches!(
        f.node.create_challenge(&alice, three_posts()).await,
        Err(NodeError::Forbidden(_))
    ));
    let field = |e: NodeError| match e {
        NodeError::Invalid { field, .. } => field,
        other => panic!("{other:?}"),
    };
    let mut bad = three_posts();
    bad.metric = "karma".into();
    assert_eq!(
        field(f.node.create_challenge(&m, bad).await.expect_err("metric")),
        "metric"
    );
    let mut bad = three_posts();
    bad.ends_at = in_days(-1);
    assert_eq!(
        field(f.node.create_challenge(&m, bad).await.expect_err("ends")),
        "ends_at"
    );
    let mut bad = three_posts();
    bad.ends_at = "next tuesday".into();
    assert_eq!(
        field(f.node.create_challenge(&m, bad).await.expect_err("date")),
        "ends_at"
    );
    let mut bad = three_posts();
    bad.target = 0;
    assert_eq!(
        field(f.node.create_challenge(&m, bad).await.expect_err("target")),
        "target"
    );
    let made = f
        .node
        .create_challenge(&m, three_posts())
        .await
        .expect("made");
    assert_eq!(made.status, "active");
    assert_eq!(made.participants, 0);
    let list = f.node.challenges(&alice, None, 10).expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].title, "Three posts");
}

#[tokio::test]
async fn a_challenge_counts_after_joining_and_rewards_once() {
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    let m = moderator(&f.node).await;
    publish(&f.node, &alice, "before", Visibility::Public).await;
    let c = f
        .node
        .create_challenge(&m, three_posts())
        .await
        .expect("made");
    let joined = f.node.join_challenge(&alice, c.id).await.expect("join");
    let me = joined.me.expect("joined");
    assert_eq!(me.progress, 0, "the post before joining does not count");
    assert_eq!(joined.participants, 1);
    f.node.join_challenge(&alice, c.id).await.expect("again");
    assert_eq!(f.node.challenge(&alice, c.id).expect("one").participants, 1);
    publish(&f.node, &alice, "one", Visibility::Public).await;
    publish(&f.node, &alice, "two", Visibility::Public).await;
    let halfway = f.node.challenge(&alice, c.id).expect("one");
    let p = halfway.me.expect("progress");
    assert_eq!(p.progress, 2);
    assert!(p.completed_at.is_none());
    assert_eq!(p.explain, "posts: 2 of 3 since joining (was 1 then, 3 now)");
    let before = hundredths(&f.node, &alice);
    publish(&f.node, &alice, "three", Visibility::Public).await;
    assert_eq!(hundredths(&f.node, &alice), before + 1000 + 4000);
    let done = f.node.challenge(&alice, c.id).expect("one");
    assert!(done.me.expect("progress").completed_at.is_some());
    assert_eq!(done.completed, 1);
    let view = mine(&f.node, &alice);
    assert!(view.badges.iter().any(|b| b.badge == "penulis_pekan"));
    assert!(view
        .history
        .iter()
        .any(|h| h.activity == "challenge" && h.reason.contains("Three posts")));
    let after = hundredths(&f.node, &alice);
    publish(&f.node, &alice, "four", Visibility::Public).await;
    assert_eq!(hundredths(&f.node, &alice), after + 1000, "rewarded once");
}

#[tokio::test]
async fn a_groups_challenges_are_made_by_its_moderators_and_joined_by_its_members() {
    use crate::groups::NewGroup;
    let f = fixture();
    let owner = member(&f.node, "owner").await;
    let bob = member(&f.node, "bob").await;
    let carol = member(&f.node, "carol").await;
    f.node
        .create_group(
            &owner,
            NewGroup {
                name: "rustaceans".into(),
                ..NewGroup::default()
            },
        )
        .await
        .expect("group");
    f.node.join_group(&bob, "rustaceans").await.expect("join");
    let mut new = three_posts();
    new.group = Some("rustaceans".into());
    assert!(matches!(
        f.node.create_challenge(&bob, new.clone()).await,
        Err(NodeError::Forbidden(_))
    ));
    let c = f.node.create_challenge(&owner, new).await.expect("made");
    assert_eq!(c.group.as_deref(), Some("rustaceans"));
    assert!(matches!(
        f.node.join_challenge(&carol, c.id).await,
        Err(NodeError::Forbidden(_))
    ));
    f.node
        .join_challenge(&bob, c.id)
        .await
        .expect("member joins");
    let listed = f
        .node
        .challenges(&bob, Some("rustaceans"), 10)
        .expect("list");
    assert_eq!(listed.len(), 1);
    assert!(listed[0].me.is_some());
}
