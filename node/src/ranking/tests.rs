//! Trends and recommendations on a real node: only public posts count,
//! exclusions are honoured and audited, suggestions leave out what the
//! member follows, blocks or dismissed, and every reason is true.

use super::*;
use crate::community_events::{LocationInput, NewEvent, TimeInput};
use crate::groups::NewGroup;
use crate::model::{now_ms, Bio, ProfileUpdate, Role, Skills, Visibility};
use crate::moderation::{AuditFilter, MemberAction};
use crate::node::{Node, Viewer};
use crate::posts::NewPost;
use crate::test_support::{fixture, member, new_member, publish};
use crate::{Id, NodeError, PageRequest};

async fn moderator(node: &Node) -> Viewer {
    let m = node
        .create_member(new_member("mod"), Role::Moderator)
        .await
        .expect("moderator");
    Viewer::Member(Box::new(m))
}

fn tags(node: &Node) -> Vec<String> {
    node.trends_cache.clear();
    node.trending_tags(0, 40)
        .expect("tags")
        .into_iter()
        .map(|t| t.name)
        .collect()
}

fn trending_ids(node: &Node, viewer: &Viewer) -> Vec<Id> {
    node.trends_cache.clear();
    node.trending_posts(viewer, 0, 40)
        .expect("posts")
        .into_iter()
        .map(|(p, _)| p.id)
        .collect()
}

#[tokio::test]
async fn trends_count_public_posts_only_with_their_history() {
    let f = fixture();
    let node = &f.node;
    let (alice, bob, carol) = crate::test_support::alice_bob_carol(node).await;
    publish(
        node,
        &alice,
        "hello #rust see https://blog.example/a",
        Visibility::Public,
    )
    .await;
    publish(node, &alice, "again #rust", Visibility::Public).await;
    publish(
        node,
        &bob,
        "me too #rust <https://blog.example/a>",
        Visibility::Public,
    )
    .await;
    publish(node, &carol, "#secret for followers", Visibility::Followers).await;
    publish(node, &carol, "#hidden to @alice", Visibility::Direct).await;
    publish(node, &carol, "#quiet and unlisted", Visibility::Unlisted).await;

    let found = tags(node);
    assert_eq!(
        found,
        vec!["rust".to_string()],
        "only the public tag trends"
    );
    let rust = &node.trending_tags(0, 1).expect("tags")[0];
    assert_eq!(rust.history.len(), TREND_DAYS);
    assert_eq!((rust.history[0].uses, rust.history[0].accounts), (3, 2));
    let midnight = now_ms().div_euclid(86_400_000) * 86_400;
    assert_eq!(rust.history[0].day, midnight);
    assert_eq!(rust.history[1].day, midnight - 86_400);
    assert_eq!(rust.explanation.figures["uses"], 3.0);
    assert_eq!(rust.explanation.figures["accounts_today"], 2.0);
    assert!(
        rust.explanation.words.contains("by 2 accounts today"),
        "{}",
        rust.explanation.words
    );

    let links = node.trending_links(0, 40).expect("links");
    assert_eq!(links.len(), 1, "{links:?}");
    assert_eq!(links[0].url, "https://blog.example/a");
    assert_eq!(links[0].history[0].accounts, 2);
    // Paging past the end is empty, not an error.
    assert!(node.trending_tags(5, 10).expect("page").is_empty());
}

#[tokio::test]
async fn trending_posts_rank_by_engagement_and_skip_what_the_viewer_cannot_see() {
    let f = fixture();
    let node = &f.node;
    let (alice, bob, carol) = crate::test_support::alice_bob_carol(node).await;
    let loved = publish(node, &alice, "loved", Visibility::Public).await;
    let liked = publish(node, &alice, "liked", Visibility::Public).await;
    let ignored = publish(node, &alice, "ignored", Visibility::Public).await;
    let private = publish(node, &alice, "for followers", Visibility::Followers).await;
    node.like(&bob, loved.id).await.expect("like");
    node.like(&carol, loved.id).await.expect("like");
    node.boost(&bob, loved.id).await.expect("boost");
    node.like(&bob, liked.id).await.expect("like");
    node.like(&alice, private.id).await.expect("own like");

    let ids = trending_ids(node, &bob);
    assert_eq!(ids, vec![loved.id, liked.id]);
    assert!(!ids.contains(&ignored.id) && !ids.contains(&private.id));
    let (_, why) = &node.trending_posts(&bob, 0, 1).expect("posts")[0];
    assert_eq!(why.figures["likes"], 2.0);
    assert_eq!(why.figures["boosts"], 1.0);
    assert!(
        why.words.starts_with("2 likes, 1 boost and 0 replies"),
        "{}",
        why.words
    );
    // Someone alice blocked does not see her posts trend.
    node.block(&alice, "carol").await.expect("block");
    assert!(trending_ids(node, &carol).is_empty());
}

#[tokio::test]
async fn moderators_exclude_tags_posts_and_links_and_it_is_audited() {
    let f = fixture();
    let node = &f.node;
    let (alice, bob, _) = crate::test_support::alice_bob_carol(node).await;
    let m = moderator(node).await;
    let post = publish(
        node,
        &alice,
        "#spam https://spam.example/x",
        Visibility::Public,
    )
    .await;
    publish(
        node,
        &bob,
        "#rust https://good.example/",
        Visibility::Public,
    )
    .await;
    node.like(&bob, post.id).await.expect("like");
    assert_eq!(tags(node), vec!["rust".to_string(), "spam".to_string()]);

    match node
        .exclude_from_trends(&alice, TrendKind::Tag, "rust", "")
        .await
    {
        Err(NodeError::Forbidden(_)) => {}
        other => panic!("a member excluded a tag: {other:?}"),
    }
    match node
        .exclude_from_trends(&m, TrendKind::Link, "ftp://x", "")
        .await
    {
        Err(NodeError::Invalid { field, .. }) => assert_eq!(field, "value"),
        other => panic!("{other:?}"),
    }
    node.exclude_from_trends(&m, TrendKind::Tag, "#Rust", "off topic")
        .await
        .expect("exclude tag");
    assert_eq!(tags(node), vec!["spam".to_string()]);
    // An excluded post trends no more, nor do its tags and links.
    node.exclude_from_trends(&m, TrendKind::Post, &post.id.to_string(), "spam")
        .await
        .expect("exclude post");
    assert!(tags(node).is_empty());
    assert!(trending_ids(node, &bob).is_empty());
    let links: Vec<String> = node
        .trending_links(0, 40)
        .expect("links")
        .into_iter()
        .map(|l| l.url)
        .collect();
    assert_eq!(links, vec!["https://good.example/".to_string()]);
    node.exclude_from_trends(&m, TrendKind::Link, "https://good.example/", "")
        .await
        .expect("exclude link");
    node.trends_cache.clear();
    assert!(node.trending_links(0, 40).expect("links").is_empty());

    let listed = node.trend_exclusions(&m).expect("list");
    assert_eq!(listed.len(), 3);
    node.include_in_trends(&m, TrendKind::Tag, "rust")
        .await
        .expect("include");
    assert_eq!(tags(node), vec!["rust".to_string()]);
    assert!(matches!(
        node.include_in_trends(&m, TrendKind::Tag, "rust").await,
        Err(NodeError::NotFound(_))
    ));
    let audit = node
        .audit_log(&m, AuditFilter::default(), &PageRequest::first(40))
        .expect("audit");
    let actions: Vec<&str> = audit.items.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions.iter().filter(|a| **a == "trends.exclude").count(),
        3,
        "{actions:?}"
    );
    assert!(actions.contains(&"trends.include"));
}

#[tokio::test]
async fn people_suggestions_give_true_reasons_and_leave_out_followed_blocked_dismissed() {
    let f = fixture();
    let node = &f.node;
    let (alice, bob, carol) = crate::test_support::alice_bob_carol(node).await;
    let dave = member(node, "dave").await;
    let erin = member(node, "erin").await;
    let frank = member(node, "frank").await;
    for (who, whom) in [
        (&alice, "bob"),
        (&alice, "carol"),
        (&bob, "dave"),
        (&carol, "dave"),
        (&bob, "erin"),
        (&bob, "frank"),
        (&alice, "erin"),
    ] {
        node.follow(who, whom).await.expect("follow");
    }
    let people = node
        .recommendations(&alice, RecommendationKind::People, 10)
        .expect("people");
    let names: Vec<&str> = people.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names[..2], ["dave", "frank"], "{names:?}");
    assert!(!names.contains(&"erin"), "already followed");
    assert!(!names.contains(&"bob") && !names.contains(&"alice"));
    let d = &people[0];
    assert_eq!(d.found.followed_by_count, 2);
    assert_eq!(
        d.found.followed_by,
        vec!["bob".to_string(), "carol".to_string()]
    );
    assert_eq!(
        d.reasons[0],
        "2 people you follow follow them: bob and carol"
    );
    assert_eq!(d.explanation.figures["followed_by_followed"], 2.0);
    // Each reason is true: bob and carol do follow dave.
    for via in ["bob", "carol"] {
        let v = node.member_by_name(via).expect("load").expect("member");
        assert!(node.is_following(v.id, d.id).expect("follows"));
    }
    assert_eq!(
        people[1].reasons[0],
        "1 person you follow follows them: bob"
    );

    node.block(&alice, "dave").await.expect("block");
    let frank_id = frank.id().expect("id");
    node.dismiss_suggestion(&alice, frank_id)
        .await
        .expect("dismiss");
    let names: Vec<String> = node
        .recommendations(&alice, RecommendationKind::People, 10)
        .expect("people")
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert!(
        !names.contains(&"dave".to_string()) && !names.contains(&"frank".to_string()),
        "{names:?}"
    );
    let _ = (dave, erin);
}

#[tokio::test]
async fn a_new_member_is_offered_active_people_and_suspended_ones_never() {
    let f = fixture();
    let node = &f.node;
    let (alice, bob, carol) = crate::test_support::alice_bob_carol(node).await;
    let m = moderator(node).await;
    publish(node, &bob, "hello", Visibility::Public).await;
    publish(node, &carol, "hi", Visibility::Public).await;
    node.follow(&carol, "bob").await.expect("follow");
    let people = node
        .recommendations(&alice, RecommendationKind::People, 10)
        .expect("people");
    let names: Vec<&str> = people.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, vec!["bob", "carol"]);
    assert_eq!(
        people[0].reasons,
        vec!["posted here recently; 1 follower".to_string()]
    );
    assert_eq!(people[0].found.popular_followers, Some(1));
    let bob_id = bob.id().expect("id");
    node.moderate_member(&m, bob_id, MemberAction::Suspend, "spam")
        .await
        .expect("suspend");
    let names: Vec<String> = node
        .recommendations(&alice, RecommendationKind::People, 10)
        .expect("people")
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(names, vec!["carol".to_string()]);
}

#[tokio::test]
async fn groups_events_and_courses_come_with_their_reasons() {
    let f = fixture();
    let node = &f.node;
    let (alice, bob, _) = crate::test_support::alice_bob_carol(node).await;
    node.update_profile(
        &alice,
        ProfileUpdate {
            bio: Some(Bio {
                location: "Paris".into(),
                ..Bio::default()
            }),
            skills: Some(Skills {
                areas: vec!["Rust".into()],
                ..Skills::default()
            }),
            ..ProfileUpdate::default()
        },
    )
    .await
    .expect("profile");
    let alice = Viewer::Member(Box::new(
        node.member_by_name("alice").expect("load").expect("alice"),
    ));
    node.follow(&alice, "bob").await.expect("follow");
    for (name, tags) in [
        ("rustaceans", vec!["rust".to_string()]),
        ("knitting", vec![]),
    ] {
        node.create_group(
            &bob,
            NewGroup {
                name: name.into(),
                tags,
                ..NewGroup::default()
            },
        )
        .await
        .expect("group");
    }
    node.create_group(
        &alice,
        NewGroup {
            name: "gardening".into(),
            ..NewGroup::default()
        },
    )
    .await
    .expect("own group");
    let groups = node
        .recommendations(&alice, RecommendationKind::Groups, 10)
        .expect("groups");
    let names: Vec<&str> = groups.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        vec!["rustaceans", "knitting"],
        "joined groups are left out"
    );
    assert_eq!(
        groups[0].reasons,
        vec![
            "1 person you follow is a member: bob".to_string(),
            "about your skills: rust".to_string()
        ]
    );
    assert_eq!(
        groups[1].reasons,
        vec!["1 person you follow is a member: bob".to_string()]
    );

    let start = now_ms() + 86_400_000;
    let event = node
        .create_event(
            &bob,
            NewEvent {
                title: "Rust meetup".into(),
                start: Some(TimeInput::Ms(start)),
                end: Some(TimeInput::Ms(start + 3_600_000)),
                timezone: "Europe/Paris".into(),
                tags: vec!["rust".into()],
                location: Some(LocationInput {
                    name: "Tech Hub".into(),
                    locality: "Paris".into(),
                    ..LocationInput::default()
                }),
                ..NewEvent::default()
            },
        )
        .await
        .expect("event");
    let events = node
        .recommendations(&alice, RecommendationKind::Events, 10)
        .expect("events");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].id, event.event.id);
    assert_eq!(
        events[0].reasons,
        vec![
            "organised by bob, whom you follow".to_string(),
            "about your skills: rust".to_string(),
            "near you: in paris, the place your profile names".to_string()
        ]
    );
    assert_eq!(events[0].explanation.figures["near"], 1.0);
    node.register_for_event(&alice, event.event.id, true)
        .await
        .expect("register");
    assert!(node
        .recommendations(&alice, RecommendationKind::Events, 10)
        .expect("events")
        .is_empty());
    assert!(matches!(
        node.recommendations(&Viewer::Anonymous, RecommendationKind::People, 10),
        Err(NodeError::Unauthorized(_))
    ));
    assert!(matches!(
        RecommendationKind::parse("films"),
        Err(NodeError::Invalid { field, .. }) if field == "kind"
    ));
    let _ = NewPost::default();
}

#[tokio::test]
async fn the_ranked_home_feed_is_a_members_choice_and_keeps_the_pages() {
    let f = fixture();
    let node = &f.node;
    let (alice, bob, carol) = crate::test_support::alice_bob_carol(node).await;
    node.follow(&alice, "bob").await.expect("follow");
    let older = publish(node, &bob, "older but liked", Visibility::Public).await;
    let newer = publish(node, &bob, "newer", Visibility::Public).await;
    node.like(&carol, older.id).await.expect("like");
    node.like(&alice, older.id).await.expect("like");
    let req = PageRequest::first(40);
    let ids = |v: &Viewer| crate::test_support::home_ids(node, v, &req);
    assert_eq!(
        ids(&alice),
        vec![newer.id, older.id],
        "newest first by default"
    );

    node.update_profile(
        &alice,
        ProfileUpdate {
            preferences: Some(crate::model::Preferences {
                home_order: crate::model::HomeOrder::Ranked,
                ..Default::default()
            }),
            ..ProfileUpdate::default()
        },
    )
    .await
    .expect("prefer ranked");
    let ranked = Viewer::Member(Box::new(
        node.member_by_name("alice").expect("load").expect("alice"),
    ));
    assert_eq!(
        ids(&ranked),
        vec![older.id, newer.id],
        "2 likes outrank a newer post"
    );
    let page = node.home_feed(&ranked, &req).expect("home");
    let why = home::explain(&page.items[0], now_ms());
    assert_eq!(why.figures["likes"], 2.0);
    // The pages are those of the newest-first feed: a page of one holds
    // the newest post, whatever its score.
    let first = node
        .home_feed(&ranked, &PageRequest::first(1))
        .expect("page");
    assert_eq!(first.items.len(), 1);
    assert_eq!(first.items[0].id, newer.id);
    // Others keep the newest-first order.
    node.follow(&carol, "bob").await.expect("follow");
    assert_eq!(ids(&carol), vec![newer.id, older.id]);
}

#[tokio::test]
async fn the_trends_worker_keeps_a_computation_ready_and_stops_when_told() {
    let f = fixture();
    let node = f.node.clone();
    let alice = member(&node, "alice").await;
    publish(&node, &alice, "#ready", Visibility::Public).await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(run_trends_worker(
        node.clone(),
        super::trends::TRENDS_REFRESH,
        stopped,
    ));
    let mut ready = None;
    for _ in 0..200 {
        if let Some(t) = node.trends_cache.get() {
            ready = Some(t);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let ready = ready.expect("the worker computed the trends");
    assert_eq!(ready.tags[0].name, "ready");
    stop.send(true).expect("stop");
    tokio::time::timeout(std::time::Duration::from_secs(5), worker)
        .await
        .expect("the worker stopped")
        .expect("no panic");
}
