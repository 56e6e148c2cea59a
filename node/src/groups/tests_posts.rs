//! Posts in groups: the rules of posting, a private group's posts seen by
//! its members only on every read path, the home feed, the group's feed
//! and its sorts, pins, locks, removals, alerts and counters.

use super::*;
use crate::feeds::MemberPostsFilter;
use crate::model::{NotificationKind, Role};
use crate::moderation::AuditFilter;
use crate::posts::NewPost;
use crate::test_support::{fixture, member, new_member};
use crate::{NodeError, PageRequest};

fn page() -> PageRequest {
    PageRequest::first(40)
}

fn new_group(name: &str, visibility: &str) -> NewGroup {
    NewGroup {
        name: name.into(),
        category: Some("programming".into()),
        visibility: Some(visibility.into()),
        ..NewGroup::default()
    }
}

/// Creates `group` as `owner`, which must succeed.
async fn create(node: &Node, owner: &Viewer, group: NewGroup) {
    node.create_group(owner, group).await.expect("group");
}

fn in_group(group: &str, content: &str) -> NewPost {
    NewPost {
        content: content.into(),
        group: Some(group.into()),
        category: Some("programming".into()),
        tags: vec!["groupwork".into()],
        ..NewPost::default()
    }
}

fn reply(to: Id, content: &str) -> NewPost {
    NewPost {
        content: content.into(),
        in_reply_to: Some(to.to_string()),
        ..NewPost::default()
    }
}

fn forbidden(e: NodeError) -> &'static str {
    match e {
        NodeError::Forbidden(why) => why,
        other => panic!("expected 403, got {other:?}"),
    }
}

fn field_of(e: NodeError) -> String {
    match e {
        NodeError::Invalid { field, .. } | NodeError::Conflict { field, .. } => field,
        other => panic!("expected a field error, got {other:?}"),
    }
}

fn feed_ids(node: &Node, viewer: &Viewer, group: &str, sort: GroupPostSort) -> Vec<Id> {
    let req = GroupPostsRequest {
        sort,
        page: page(),
        cursor: None,
    };
    node.group_posts(viewer, group, &req)
        .expect("feed")
        .items
        .iter()
        .map(|p| p.id)
        .collect()
}

async fn moderator(node: &Node, name: &str) -> Viewer {
    Viewer::Member(Box::new(
        node.create_member(new_member(name), Role::Moderator)
            .await
            .expect("moderator"),
    ))
}

#[tokio::test]
async fn posting_follows_membership_bans_policy_and_locks() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let bob = member(node, "bob").await;
    let carol = member(node, "carol").await;
    create(node, &alice, new_group("rust", "public")).await;

    let err = node.create_post(&bob, in_group("rust", "hi")).await;
    assert_eq!(
        forbidden(err.expect_err("not a member")),
        "only the group's members can post in it"
    );
    node.join_group(&bob, "rust").await.expect("join");
    let first = node
        .create_post(&bob, in_group("rust", "first"))
        .await
        .expect("post");
    let shown = first.group.as_ref().expect("group shown");
    assert_eq!(shown.username, "rust");

    // Followers-only and direct are refused, naming the field.
    let err = node
        .create_post(
            &bob,
            NewPost {
                visibility: Some("followers".into()),
                ..in_group("rust", "x")
            },
        )
        .await
        .expect_err("followers");
    assert_eq!(field_of(err), "visibility");

    // A reply is in its thread's group; naming another is refused.
    node.join_group(&carol, "rust").await.expect("join");
    let answer = node
        .create_post(&carol, reply(first.id, "answer"))
        .await
        .expect("reply");
    assert_eq!(answer.group.as_ref().map(|g| g.id), Some(shown.id));
    create(node, &alice, new_group("go", "public")).await;
    let err = node
        .create_post(
            &carol,
            NewPost {
                group: Some("go".into()),
                ..reply(first.id, "x")
            },
        )
        .await
        .expect_err("other group");
    assert_eq!(field_of(err), "group");

    // A locked thread takes no replies, anywhere in it.
    node.lock_group_thread(&alice, "rust", answer.id)
        .await
        .expect("lock");
    let err = node.create_post(&carol, reply(answer.id, "more")).await;
    assert_eq!(forbidden(err.expect_err("locked")), "this thread is locked");
    assert!(node.post(&carol, first.id).expect("post").locked);
    node.unlock_group_thread(&alice, "rust", first.id)
        .await
        .expect("unlock");
    node.create_post(&carol, reply(answer.id, "more"))
        .await
        .expect("unlocked");

    // Banned: refused with the reason.
    node.ban_group_member(&alice, "rust", "carol", "spam")
        .await
        .expect("ban");
    let err = node.create_post(&carol, in_group("rust", "back")).await;
    assert_eq!(
        forbidden(err.expect_err("banned")),
        "banned from this group"
    );

    // Moderators-only posting: members may reply, not start threads.
    node.update_group(
        &alice,
        "rust",
        GroupUpdate {
            posting: Some("moderators".into()),
            ..GroupUpdate::default()
        },
    )
    .await
    .expect("update");
    let err = node.create_post(&bob, in_group("rust", "news")).await;
    assert_eq!(
        forbidden(err.expect_err("moderators only")),
        "only the group's owner and moderators can post in it"
    );
    node.create_post(&bob, reply(first.id, "still talking"))
        .await
        .expect("reply allowed");
    node.create_post(&alice, in_group("rust", "news"))
        .await
        .expect("owner posts");

    // The counter counts top-level posts; a deletion takes one off.
    assert_eq!(node.group(&bob, "rust").expect("group").posts_count, 2);
    node.delete_post(&bob, first.id).await.expect("delete");
    assert_eq!(node.group(&bob, "rust").expect("group").posts_count, 1);
}

#[tokio::test]
async fn a_private_groups_posts_reach_its_members_only_on_every_path() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let bob = member(node, "bob").await;
    let eve = member(node, "eve").await;
    let anon = Viewer::Anonymous;
    let modr = moderator(node, "mod").await;
    create(node, &alice, new_group("secret", "private")).await;
    node.join_group(&bob, "secret").await.expect("join");
    // Eve follows alice, and is mentioned; she is not a member.
    node.follow(&eve, "alice").await.expect("follow");
    let post = node
        .create_post(
            &alice,
            in_group("secret", "hush zebra words for @eve and @bob"),
        )
        .await
        .expect("post");
    let answer = node
        .create_post(&bob, reply(post.id, "zebra reply"))
        .await
        .expect("reply");

    // A member and a node moderator see it; the author does.
    for who in [&alice, &bob, &modr] {
        node.post(who, post.id).expect("visible");
    }
    assert_eq!(
        node.thread(&bob, post.id)
            .expect("thread")
            .descendants
            .len(),
        1
    );
    for who in [&eve, &anon] {
        assert!(node.post(who, post.id).is_err());
        assert!(node.post(who, answer.id).is_err());
        assert!(node.thread(who, post.id).is_err());
        let profile = node
            .member_posts(who, "alice", MemberPostsFilter::default(), &page())
            .expect("profile");
        assert!(profile.items.is_empty());
        assert!(node
            .local_feed(who, &page())
            .expect("local")
            .items
            .is_empty());
        assert!(node
            .tag_feed(who, "groupwork", &page())
            .expect("tag")
            .items
            .is_empty());
        assert!(node
            .category_feed(who, "programming", &page())
            .expect("category")
            .items
            .is_empty());
        assert!(node
            .search_posts(who, "zebra", 10)
            .expect("search")
            .is_empty());
        assert!(matches!(
            node.group_posts(who, "secret", &GroupPostsRequest::default()),
            Err(NodeError::Forbidden(_))
        ));
    }
    // Not even listed or indexed for members: the group's feed is where
    // its posts are read.
    assert!(node
        .search_posts(&bob, "zebra", 10)
        .expect("search")
        .is_empty());
    assert!(node
        .local_feed(&bob, &page())
        .expect("local")
        .items
        .is_empty());
    // Eve's home (she follows the author) and notifications stay clean.
    let home = node.home_feed(&eve, &page()).expect("home");
    assert!(home.items.is_empty());
    assert_eq!(node.unread_count(&eve).expect("unread").unread, 0);
    assert!(node
        .notifications(&eve, &[], &page())
        .expect("notes")
        .items
        .is_empty());
    // Bob, mentioned and a member, is told; and sees it at home.
    let notes = node.notifications(&bob, &[], &page()).expect("notes");
    assert!(notes
        .items
        .iter()
        .any(|n| n.kind == NotificationKind::Mentioned));
    assert!(crate::test_support::home_ids(node, &bob, &page()).contains(&post.id));
    // It cannot be boosted out of the group.
    assert!(matches!(
        node.boost(&bob, post.id).await,
        Err(NodeError::Forbidden(_))
    ));
    // It never federates nor gossips.
    assert_eq!(
        node.store.counter::<tables::OutboxLength>(()).expect("n"),
        0
    );
}

#[tokio::test]
async fn members_see_their_groups_posts_at_home_until_they_leave() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let bob = member(node, "bob").await;
    let carol = member(node, "carol").await;
    create(node, &alice, new_group("rust", "public")).await;
    node.join_group(&bob, "rust").await.expect("join");
    node.join_group(&carol, "rust").await.expect("join");
    let post = node
        .create_post(&carol, in_group("rust", "from carol"))
        .await
        .expect("post");
    let home = |v: &Viewer| crate::test_support::home_ids(node, v, &page());
    // Bob does not follow carol, but he is a member.
    assert_eq!(home(&bob), vec![post.id]);
    // Following the author too: still once.
    node.follow(&bob, "carol").await.expect("follow");
    assert_eq!(home(&bob), vec![post.id]);
    node.unfollow(&bob, "carol").await.expect("unfollow");
    let outsider = member(node, "dave").await;
    assert!(home(&outsider).is_empty());
    node.leave_group(&bob, "rust").await.expect("leave");
    assert!(home(&bob).is_empty());
    // The group's profile lists its posts (its timeline).
    let listed = node
        .member_posts(&outsider, "rust", MemberPostsFilter::default(), &page())
        .expect("group profile");
    assert_eq!(listed.items.len(), 1);
}

#[tokio::test]
async fn the_group_feed_sorts_new_hot_and_top_and_pages_them() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let bob = member(node, "bob").await;
    create(node, &alice, new_group("rust", "public")).await;
    node.join_group(&bob, "rust").await.expect("join");
    let mut ids = Vec::new();
    for i in 0..7 {
        let p = node
            .create_post(&alice, in_group("rust", &format!("post {i}")))
            .await
            .expect("post");
        ids.push(p.id);
    }
    // A reply does not enter the group's feed.
    node.create_post(&bob, reply(ids[0], "old but discussed"))
        .await
        .expect("reply");
    node.create_post(&bob, reply(ids[0], "and again"))
        .await
        .expect("reply");
    node.like(&bob, ids[1]).await.expect("like");
    node.like(&bob, ids[2]).await.expect("like");
    node.like(&alice, ids[2]).await.expect("like");

    let newest: Vec<Id> = ids.iter().rev().copied().collect();
    assert_eq!(feed_ids(node, &bob, "rust", GroupPostSort::New), newest);
    // Hot: all within the same hour, so reactions decide (replies double).
    let hot = feed_ids(node, &bob, "rust", GroupPostSort::Hot);
    assert_eq!(&hot[..3], &[ids[0], ids[2], ids[1]]);
    // Top of the day: likes and boosts.
    let top = feed_ids(node, &bob, "rust", GroupPostSort::Top(TopPeriod::Day));
    assert_eq!(&top[..2], &[ids[2], ids[1]]);

    // Paging hot by cursor gives every post once.
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let req = GroupPostsRequest {
            sort: GroupPostSort::Hot,
            page: PageRequest::first(3),
            cursor: cursor.clone(),
        };
        let page = node.group_posts(&bob, "rust", &req).expect("page");
        seen.extend(page.items.iter().map(|p| p.id));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, hot);
    // Paging new by max_id likewise.
    let walked = crate::test_support::walk_feed(2, |req| {
        let page = node.group_posts(
            &bob,
            "rust",
            &GroupPostsRequest {
                page: req.clone(),
                ..GroupPostsRequest::default()
            },
        )?;
        Ok(crate::Page {
            items: page.items,
            next_max_id: page.next_max_id,
            prev_min_id: page.prev_min_id,
        })
    });
    assert_eq!(walked, newest);

    // Pins come first in new and hot, once; at most MAX_PINS.
    node.pin_group_post(&alice, "rust", ids[3])
        .await
        .expect("pin");
    let new = feed_ids(node, &bob, "rust", GroupPostSort::New);
    assert_eq!(new[0], ids[3]);
    assert_eq!(new.len(), ids.len());
    assert!(node.post(&bob, ids[3]).expect("post").pinned);
    assert_eq!(feed_ids(node, &bob, "rust", GroupPostSort::Hot)[0], ids[3]);
    for id in &ids[4..] {
        node.pin_group_post(&alice, "rust", *id).await.expect("pin");
    }
    node.pin_group_post(&alice, "rust", ids[0])
        .await
        .expect("pin 5");
    let err = node
        .pin_group_post(&alice, "rust", ids[1])
        .await
        .expect_err("sixth");
    assert_eq!(field_of(err), "pins");
    let err = node.pin_group_post(&bob, "rust", ids[1]).await;
    assert!(matches!(err, Err(NodeError::Forbidden(_))));
    node.unpin_group_post(&alice, "rust", ids[3])
        .await
        .expect("unpin");
    assert!(!node.post(&bob, ids[3]).expect("post").pinned);

    let bad = GroupPostSort::parse(Some("best"), None).expect_err("sort");
    assert_eq!(field_of(bad), "sort");
    let bad = GroupPostSort::parse(Some("top"), Some("year")).expect_err("t");
    assert_eq!(field_of(bad), "t");
}

#[tokio::test]
async fn moderator_actions_are_logged_and_a_removal_is_told() {
    let f = fixture();
    let node = &f.node;
    let admin = Viewer::Member(Box::new(
        node.create_member(new_member("root"), Role::Admin)
            .await
            .expect("admin"),
    ));
    let alice = member(node, "alice").await;
    let bob = member(node, "bob").await;
    create(node, &alice, new_group("rust", "public")).await;
    node.join_group(&bob, "rust").await.expect("join");
    let post = node
        .create_post(&bob, in_group("rust", "off topic"))
        .await
        .expect("post");
    node.pin_group_post(&alice, "rust", post.id)
        .await
        .expect("pin");
    node.lock_group_thread(&alice, "rust", post.id)
        .await
        .expect("lock");
    let err = node.remove_group_post(&bob, "rust", post.id, "").await;
    assert!(matches!(err, Err(NodeError::Forbidden(_))));
    node.remove_group_post(&alice, "rust", post.id, "off topic")
        .await
        .expect("remove");
    assert!(node.post(&bob, post.id).is_err());
    assert_eq!(node.group(&bob, "rust").expect("group").posts_count, 0);
    assert!(feed_ids(node, &bob, "rust", GroupPostSort::New).is_empty());

    let log = node.group_modlog(&alice, "rust", &page()).expect("log");
    let actions: Vec<_> = log.items.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["post.remove", "post.lock", "post.pin", "group.create"]
    );
    assert_eq!(log.items[0].detail, "off topic");
    assert_eq!(log.items[0].target, post.id.to_string());
    let audit = node
        .audit_log(&admin, AuditFilter::All, &page())
        .expect("audit");
    assert_eq!(audit.items[0].action, "group.post.remove");

    let notes = node.notifications(&bob, &[], &page()).expect("notes");
    let removed = notes
        .items
        .iter()
        .find(|n| n.kind == NotificationKind::GroupPostRemoved)
        .expect("told");
    assert_eq!(
        removed.group.as_ref().map(|g| g.username.as_str()),
        Some("rust")
    );
}

#[tokio::test]
async fn members_who_ask_are_told_of_new_posts() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let bob = member(node, "bob").await;
    let carol = member(node, "carol").await;
    let dave = member(node, "dave").await;
    create(node, &alice, new_group("rust", "public")).await;
    for v in [&bob, &carol] {
        node.join_group(v, "rust").await.expect("join");
    }
    let err = node.set_group_post_alerts(&dave, "rust", true).await;
    assert!(matches!(err, Err(NodeError::Forbidden(_))));
    node.set_group_post_alerts(&bob, "rust", true)
        .await
        .expect("on");
    assert!(
        node.group(&bob, "rust")
            .expect("g")
            .viewer
            .expect("v")
            .post_alerts
    );
    let post = node
        .create_post(&alice, in_group("rust", "news"))
        .await
        .expect("post");
    let kinds = [NotificationKind::GroupPost];
    let told = node.notifications(&bob, &kinds, &page()).expect("notes");
    assert_eq!(told.items.len(), 1);
    assert_eq!(told.items[0].post.as_ref().map(|p| p.id), Some(post.id));
    assert!(node
        .notifications(&carol, &kinds, &page())
        .expect("notes")
        .items
        .is_empty());
    // Leaving ends the alerts.
    node.leave_group(&bob, "rust").await.expect("leave");
    node.join_group(&bob, "rust").await.expect("join");
    node.create_post(&alice, in_group("rust", "more news"))
        .await
        .expect("post");
    let told = node.notifications(&bob, &kinds, &page()).expect("notes");
    assert_eq!(told.items.len(), 1);
}
