//! Node-level tests of the social core, without HTTP.

use crate::members::NewMember;
use crate::model::{Preferences, Privacy, ProfileUpdate, Visibility};
use crate::posts::NewPost;
use crate::test_support::{alice_bob_carol, fixture, home_ids, member, post, publish, walk_feed};
use crate::{Node, NodeConfig, NodeError, PageRequest, Viewer};

#[tokio::test]
async fn followers_only_posts_reach_followers_and_nobody_else() {
    let f = fixture();
    let (alice, bob, carol) = alice_bob_carol(&f.node).await;
    f.node.follow(&bob, "alice").await.expect("follow");
    let p = publish(&f.node, &alice, "for followers", Visibility::Followers).await;

    assert_eq!(
        f.node
            .home_feed(&bob, &PageRequest::default())
            .expect("home")
            .items
            .len(),
        1
    );
    assert!(home_ids(&f.node, &carol, &PageRequest::default()).is_empty());
    assert!(matches!(
        f.node.post(&carol, p.id),
        Err(NodeError::NotFound(_))
    ));
    assert!(matches!(
        f.node.post(&Viewer::Anonymous, p.id),
        Err(NodeError::NotFound(_))
    ));
    assert!(f
        .node
        .local_feed(&Viewer::Anonymous, &PageRequest::default())
        .expect("local")
        .items
        .is_empty());
    assert!(f
        .node
        .member_posts(&carol, "alice", Default::default(), &PageRequest::default())
        .expect("posts")
        .items
        .is_empty());
}

#[tokio::test]
async fn cursors_page_through_without_gaps_or_repeats() {
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    let mut ids = Vec::new();
    for i in 0..7 {
        ids.push(
            publish(&f.node, &alice, &format!("post {i}"), Visibility::Public)
                .await
                .id,
        );
    }
    ids.reverse(); // newest first
    let seen = walk_feed(3, |req| f.node.local_feed(&alice, req));
    assert_eq!(seen, ids);
    // min_id: the page just newer than the 5th newest, oldest-adjacent first.
    let prev = f
        .node
        .local_feed(
            &alice,
            &PageRequest {
                min_id: Some(ids[4]),
                ..PageRequest::first(2)
            },
        )
        .expect("prev");
    assert_eq!(
        prev.items.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![ids[2], ids[3]]
    );
    let since = f
        .node
        .local_feed(
            &alice,
            &PageRequest {
                since_id: Some(ids[4]),
                ..PageRequest::first(2)
            },
        )
        .expect("since");
    assert_eq!(
        since.items.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![ids[0], ids[1]]
    );
}

#[tokio::test]
async fn concurrent_writes_are_all_durable_and_counted() {
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    let mut tasks = Vec::new();
    for i in 0..50 {
        let (node, alice) = (f.node.clone(), alice.clone());
        tasks.push(tokio::spawn(async move {
            node.create_post(&alice, post(&format!("p{i}"), Visibility::Public))
                .await
        }));
    }
    for t in tasks {
        t.await.expect("join").expect("post");
    }
    assert_eq!(f.node.me(&alice).expect("me").posts_count, 50);
    assert_eq!(f.node.stats().expect("stats").posts, 50);
}

#[tokio::test]
async fn privacy_followers_hides_details_from_strangers() {
    let f = fixture();
    let (alice, bob) = (member(&f.node, "alice").await, member(&f.node, "bob").await);
    let update = ProfileUpdate {
        preferences: Some(Preferences {
            privacy: Privacy::Followers,
            ..Preferences::default()
        }),
        ..ProfileUpdate::default()
    };
    f.node.update_profile(&alice, update).await.expect("update");
    assert!(f
        .node
        .profile(&bob, "alice")
        .expect("profile")
        .details
        .is_none());
    assert!(f
        .node
        .followers(&bob, "alice", &PageRequest::default())
        .is_err());
    f.node.follow(&bob, "alice").await.expect("follow");
    assert!(f
        .node
        .profile(&bob, "alice")
        .expect("profile")
        .details
        .is_some());
}

/// Concurrent partial updates (as Mastodon apps send: the note alone, the
/// language alone) each change only their field: none overwrites what
/// another wrote meanwhile, because each is applied inside its write.
#[tokio::test]
async fn partial_profile_updates_do_not_overwrite_each_other() {
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let (node, alice) = (f.node.clone(), alice.clone());
        tasks.push(tokio::spawn(async move {
            let update = match i % 3 {
                0 => ProfileUpdate {
                    about: Some(format!("about {i}")),
                    ..ProfileUpdate::default()
                },
                1 => ProfileUpdate {
                    language: Some("fr".into()),
                    ..ProfileUpdate::default()
                },
                _ => ProfileUpdate {
                    full_name: Some("Alice".into()),
                    ..ProfileUpdate::default()
                },
            };
            node.update_profile(&alice, update).await
        }));
    }
    for t in tasks {
        t.await.expect("join").expect("update");
    }
    let me = f.node.profile(&alice, "alice").expect("profile");
    assert_eq!(me.full_name, "Alice");
    let details = me.details.expect("own details");
    assert!(details.bio.about.starts_with("about "), "{:?}", details.bio);
    let private = me.private.expect("own private part");
    assert_eq!(private.preferences.language, "fr");
    // A too long note is refused, naming the field, and changes nothing.
    let long = ProfileUpdate {
        about: Some("x".repeat(100_000)),
        ..ProfileUpdate::default()
    };
    let err = f
        .node
        .update_profile(&alice, long)
        .await
        .expect_err("too long");
    assert!(err.to_string().contains("bio.about"), "{err}");
    let after = f.node.profile(&alice, "alice").expect("profile");
    assert!(after
        .details
        .expect("details")
        .bio
        .about
        .starts_with("about "));
}

#[tokio::test]
async fn failed_validation_writes_nothing() {
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    let bad = NewPost {
        content: "x".into(),
        tags: vec!["not a slug".into()],
        ..NewPost::default()
    };
    assert!(
        matches!(f.node.create_post(&alice, bad).await, Err(NodeError::Invalid { field, .. }) if field == "tags")
    );
    assert_eq!(f.node.stats().expect("stats").posts, 0);
}

#[tokio::test]
async fn home_feed_follows_the_graph_and_pages_past_the_cache() {
    let f = fixture();
    let (alice, bob, carol) = alice_bob_carol(&f.node).await;
    let mut alice_posts = Vec::new();
    for i in 0..150 {
        alice_posts.push(
            publish(&f.node, &alice, &format!("a{i}"), Visibility::Public)
                .await
                .id,
        );
    }
    let carol_post = publish(&f.node, &carol, "carol says hi", Visibility::Public).await;
    // A reply by alice to carol, whom bob does not follow, stays out of bob's home.
    let reply = NewPost {
        in_reply_to: Some(carol_post.id.to_string()),
        ..post("reply to carol", Visibility::Public)
    };
    let reply = f.node.create_post(&alice, reply).await.expect("reply");
    assert!(home_ids(&f.node, &bob, &PageRequest::default()).is_empty());

    // Following shows alice's history at once, newest first, across the
    // 64-post cache window and into the store.
    f.node.follow(&bob, "alice").await.expect("follow");
    let seen = walk_feed(40, |req| f.node.home_feed(&bob, req));
    alice_posts.reverse();
    assert!(!seen.contains(&reply.id));
    assert_eq!(seen, alice_posts);

    // A new post appears on top (cache updated after the write).
    let fresh = publish(&f.node, &alice, "fresh", Visibility::Public).await;
    assert_eq!(home_ids(&f.node, &bob, &PageRequest::first(1))[0], fresh.id);
    // Deleting it takes it out.
    f.node.delete_post(&alice, fresh.id).await.expect("delete");
    assert_eq!(
        home_ids(&f.node, &bob, &PageRequest::first(1))[0],
        alice_posts[0]
    );
    // Following carol too lets the reply in; min_id pages back up.
    f.node.follow(&bob, "carol").await.expect("follow");
    let top = f
        .node
        .home_feed(&bob, &PageRequest::first(2))
        .expect("home");
    assert_eq!(top.items[0].id, reply.id);
    assert_eq!(
        home_ids(
            &f.node,
            &bob,
            &PageRequest {
                min_id: Some(alice_posts[3]),
                ..PageRequest::first(2)
            }
        ),
        vec![alice_posts[1], alice_posts[2]]
    );
    // Unfollowing removes alice's posts at once.
    f.node.unfollow(&bob, "alice").await.expect("unfollow");
    assert_eq!(
        home_ids(&f.node, &bob, &PageRequest::first(40)),
        vec![carol_post.id]
    );
}

#[tokio::test]
async fn boosts_reach_the_boosters_followers_and_vanish_with_the_post() {
    let f = fixture();
    let (alice, bob, carol) = alice_bob_carol(&f.node).await;
    f.node.follow(&carol, "bob").await.expect("follow");
    let p = publish(&f.node, &alice, "worth sharing", Visibility::Public).await;
    let private = publish(&f.node, &alice, "not for sharing", Visibility::Followers).await;
    f.node.follow(&bob, "alice").await.expect("follow");
    assert!(matches!(
        f.node.boost(&bob, private.id).await,
        Err(NodeError::Forbidden(_))
    ));

    let boosted = f.node.boost(&bob, p.id).await.expect("boost");
    let info = boosted.boost.clone().expect("boost info");
    assert_eq!(
        (info.by.username.as_str(), boosted.id, boosted.boosts_count),
        ("bob", p.id, 1)
    );
    // Boosting again changes nothing.
    assert_eq!(
        f.node
            .boost(&bob, p.id)
            .await
            .expect("again")
            .boost
            .map(|b| b.id),
        Some(info.id)
    );
    // Carol follows bob, not alice: she sees the boost in her home feed.
    let home = f
        .node
        .home_feed(&carol, &PageRequest::default())
        .expect("home");
    assert_eq!(home.items.len(), 1);
    assert_eq!(home.items[0].boost.as_ref().map(|b| b.id), Some(info.id));
    assert_eq!(f.node.post(&carol, info.id).expect("by boost id").id, p.id);
    // Alice was notified; bob's profile lists the boost.
    let n = f
        .node
        .notifications(
            &alice,
            &[crate::model::NotificationKind::Boosted],
            &PageRequest::default(),
        )
        .expect("n");
    assert_eq!(n.items.len(), 1);
    assert!(f
        .node
        .member_posts(&carol, "bob", Default::default(), &PageRequest::default())
        .expect("posts")
        .items[0]
        .boost
        .is_some());
    // Deleting the post removes the boost everywhere.
    f.node.delete_post(&alice, p.id).await.expect("delete");
    assert!(home_ids(&f.node, &carol, &PageRequest::default()).is_empty());
    assert!(f.node.post(&carol, info.id).is_err());
    // Unboost of a live post.
    let q = publish(&f.node, &alice, "again", Visibility::Public).await;
    f.node.boost(&bob, q.id).await.expect("boost");
    let after = f.node.unboost(&bob, q.id).await.expect("unboost");
    assert_eq!((after.boosts_count, after.boosted), (0, false));
    assert!(home_ids(&f.node, &carol, &PageRequest::default()).is_empty());
}

#[tokio::test]
async fn full_text_search_finds_public_posts_with_every_word() {
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    let a = f
        .node
        .create_post(
            &alice,
            post("Learning Rust with Kodeon", Visibility::Public),
        )
        .await
        .expect("post");
    let b = publish(&f.node, &alice, "Rust is fast", Visibility::Public).await;
    publish(&f.node, &alice, "secret rust notes", Visibility::Followers).await;
    let ids = |q: &str| {
        f.node
            .search_posts(&Viewer::Anonymous, q, 20)
            .expect("search")
            .iter()
            .map(|p| p.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(ids("rust"), vec![b.id, a.id]);
    assert_eq!(ids("KODEON rust"), vec![a.id]);
    assert!(
        ids("notes").is_empty(),
        "followers-only posts are not indexed"
    );
    // Edits and deletes keep the index true.
    f.node
        .edit_post(
            &alice,
            b.id,
            crate::posts::PostEdit {
                content: Some("Go is fast".into()),
                ..Default::default()
            },
        )
        .await
        .expect("edit");
    assert_eq!(ids("rust"), vec![a.id]);
    f.node.delete_post(&alice, a.id).await.expect("delete");
    assert!(ids("rust").is_empty());
}

#[tokio::test]
async fn the_setup_token_creates_one_admin_however_many_use_it_at_once() {
    let f = fixture();
    let token = f
        .node
        .fresh_setup_token()
        .expect("a new node has one")
        .to_string();
    let attempts = (0..4).map(|i| {
        let node = f.node.clone();
        let token = token.clone();
        tokio::spawn(async move {
            node.complete_setup(
                &token,
                NewMember {
                    username: format!("admin{i}"),
                    email: format!("admin{i}@k.test"),
                    password: "password123".into(),
                    ..NewMember::default()
                },
            )
            .await
        })
    });
    let mut created = 0;
    for attempt in attempts {
        match attempt.await.expect("task") {
            Ok(m) => {
                assert_eq!(m.role, crate::model::Role::Admin);
                created += 1;
            }
            Err(NodeError::Forbidden(_)) => {}
            Err(e) => panic!("unexpected: {e}"),
        }
    }
    assert_eq!(created, 1, "one token, one admin");
    assert!(!f.node.needs_setup().expect("setup"));
}

#[tokio::test]
async fn failed_passwords_are_limited_per_account_whatever_name_or_address_is_typed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = NodeConfig::new(dir.path(), "k.test");
    config.login_failures_per_hour = 5;
    let node = Node::open(config).expect("open");
    member(&node, "alice").await;
    // Wrong passwords by username and by e-mail count for the same account.
    for i in 0..5 {
        let login = if i % 2 == 0 { "alice" } else { "ALICE@k.test" };
        assert!(matches!(
            node.verify_login(login, "wrong").await,
            Err(NodeError::Unauthorized(_))
        ));
    }
    // Now even the right password is refused, by either name.
    for login in ["alice", "alice@k.test"] {
        assert!(matches!(
            node.verify_login(login, "password123").await,
            Err(NodeError::RateLimited { .. })
        ));
    }
    // Another account is not affected.
    member(&node, "bob").await;
    assert!(node.verify_login("bob", "password123").await.is_ok());
}

#[tokio::test]
async fn a_blocked_member_sees_empty_follower_and_following_lists_of_the_blocker() {
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    let bob = member(&f.node, "bob").await;
    let carol = member(&f.node, "carol").await;
    f.node.follow(&carol, "alice").await.expect("follow");
    f.node.follow(&alice, "carol").await.expect("follow");
    let page = PageRequest::default();
    assert_eq!(
        f.node
            .followers(&bob, "alice", &page)
            .expect("list")
            .items
            .len(),
        1
    );
    f.node.block(&alice, "bob").await.expect("block");
    assert!(f
        .node
        .followers(&bob, "alice", &page)
        .expect("list")
        .items
        .is_empty());
    assert!(f
        .node
        .following(&bob, "alice", &page)
        .expect("list")
        .items
        .is_empty());
    // Others still see them.
    assert_eq!(
        f.node
            .followers(&carol, "alice", &page)
            .expect("list")
            .items
            .len(),
        1
    );
    assert_eq!(
        f.node
            .following(&Viewer::Anonymous, "alice", &page)
            .expect("list")
            .items
            .len(),
        1
    );
}
