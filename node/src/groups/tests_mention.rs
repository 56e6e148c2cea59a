//! Posting in a group by mentioning it: a member's public or unlisted
//! top-level post that mentions a group is posted in it; a mention the
//! group would refuse leaves an ordinary post, never an error.

use super::*;
use crate::model::{PostView, Visibility};
use crate::posts::NewPost;
use crate::test_support::{fixture, home_ids, member};
use crate::{NodeError, PageRequest};

fn page() -> PageRequest {
    PageRequest::first(40)
}

/// A post of `content` and nothing else.
fn said(content: &str) -> NewPost {
    NewPost {
        content: content.into(),
        ..NewPost::default()
    }
}

/// `content` with the visibility `visibility`.
fn said_to(visibility: &str, content: &str) -> NewPost {
    NewPost {
        visibility: Some(visibility.into()),
        ..said(content)
    }
}

/// Creates the group `name` as `owner`, with `tweak` applied, which must
/// succeed.
async fn create(node: &Node, owner: &Viewer, name: &str, tweak: impl FnOnce(&mut NewGroup)) {
    let mut group = NewGroup {
        name: name.into(),
        category: Some("programming".into()),
        ..NewGroup::default()
    };
    tweak(&mut group);
    node.create_group(owner, group).await.expect("group");
}

/// The handle of the group a post is in, if any.
fn group_of(post: &PostView) -> Option<&str> {
    post.group.as_ref().map(|g| g.username.as_str())
}

fn feed_ids(node: &Node, viewer: &Viewer, group: &str) -> Vec<Id> {
    let req = GroupPostsRequest {
        page: page(),
        ..GroupPostsRequest::default()
    };
    node.group_posts(viewer, group, &req)
        .expect("feed")
        .items
        .iter()
        .map(|p| p.id)
        .collect()
}

#[tokio::test]
async fn a_members_mention_posts_in_the_first_group_mentioned() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let bob = member(node, "bob").await;
    let carol = member(node, "carol").await;
    create(node, &alice, "rust", |_| {}).await;
    create(node, &alice, "go", |_| {}).await;
    for group in ["rust", "go"] {
        node.join_group(&bob, group).await.expect("join");
    }
    node.join_group(&carol, "rust").await.expect("join");

    let post = node
        .create_post(&bob, said("hello @rust, a question"))
        .await
        .expect("post");
    assert_eq!(group_of(&post), Some("rust"));
    assert!(post.mentions.iter().any(|m| m.username == "rust"));
    assert_eq!(feed_ids(node, &alice, "rust"), vec![post.id]);
    // Carol does not follow bob; she is a member, so it is in her home.
    assert_eq!(home_ids(node, &carol, &page()), vec![post.id]);

    // Unlisted is posted in the group too; the first group named decides.
    let both = node
        .create_post(&bob, said_to("unlisted", "@go and @rust, both"))
        .await
        .expect("post");
    assert_eq!(group_of(&both), Some("go"));
    assert_eq!(feed_ids(node, &alice, "go"), vec![both.id]);
    assert_eq!(feed_ids(node, &alice, "rust"), vec![post.id]);

    // A group named outright wins over a group mentioned.
    let named = node
        .create_post(
            &bob,
            NewPost {
                group: Some("rust".into()),
                ..said("see also @go")
            },
        )
        .await
        .expect("post");
    assert_eq!(group_of(&named), Some("rust"));

    // A reply stays in its thread (here, no group), whatever it mentions.
    let plain = node
        .create_post(&alice, said("an ordinary post"))
        .await
        .expect("post");
    let answer = node
        .create_post(
            &bob,
            NewPost {
                in_reply_to: Some(plain.id.to_string()),
                ..said("ask @go")
            },
        )
        .await
        .expect("reply");
    assert_eq!(group_of(&answer), None);
    assert_eq!(feed_ids(node, &alice, "go"), vec![both.id]);
}

#[tokio::test]
async fn a_mention_the_group_would_refuse_leaves_an_ordinary_post() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let bob = member(node, "bob").await;
    let carol = member(node, "carol").await;
    create(node, &alice, "rust", |_| {}).await;

    // Not a member: naming the group is refused, mentioning it is not.
    let named = node
        .create_post(
            &carol,
            NewPost {
                group: Some("rust".into()),
                ..said("hi")
            },
        )
        .await;
    assert!(matches!(named, Err(NodeError::Forbidden(_))), "{named:?}");
    let post = node
        .create_post(&carol, said("hi @rust"))
        .await
        .expect("ordinary post");
    assert_eq!(group_of(&post), None);
    assert!(post.mentions.iter().any(|m| m.username == "rust"));
    assert!(feed_ids(node, &alice, "rust").is_empty());
    let profile = node
        .member_posts(
            &alice,
            "carol",
            crate::feeds::MemberPostsFilter::default(),
            &page(),
        )
        .expect("profile");
    assert_eq!(
        profile.items.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![post.id]
    );

    // Banned.
    node.join_group(&bob, "rust").await.expect("join");
    node.ban_group_member(&alice, "rust", "bob", "spam")
        .await
        .expect("ban");
    let post = node
        .create_post(&bob, said("still here @rust"))
        .await
        .expect("ordinary post");
    assert_eq!(group_of(&post), None);
    assert!(feed_ids(node, &alice, "rust").is_empty());

    // Only moderators start threads: a member's mention is ordinary, the
    // owner's is posted in the group.
    create(node, &alice, "news", |g| {
        g.posting = Some("moderators".into())
    })
    .await;
    node.join_group(&carol, "news").await.expect("join");
    let post = node
        .create_post(&carol, said("@news tip"))
        .await
        .expect("ordinary post");
    assert_eq!(group_of(&post), None);
    let owners = node
        .create_post(&alice, said("@news today"))
        .await
        .expect("post");
    assert_eq!(group_of(&owners), Some("news"));
    assert_eq!(feed_ids(node, &alice, "news"), vec![owners.id]);

    // A group without discussions takes no posts by mention.
    create(node, &alice, "quiet", |g| {
        g.features = Some(GroupFeatures {
            discussion: false,
            ..GroupFeatures::default()
        })
    })
    .await;
    let post = node
        .create_post(&alice, said("@quiet hello"))
        .await
        .expect("ordinary post");
    assert_eq!(group_of(&post), None);
}

#[tokio::test]
async fn a_followers_only_or_direct_mention_stays_where_its_author_put_it() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let bob = member(node, "bob").await;
    create(node, &alice, "rust", |_| {}).await;
    node.join_group(&bob, "rust").await.expect("join");

    // Naming the group with followers-only is a 422 on `visibility`.
    let named = node
        .create_post(
            &bob,
            NewPost {
                group: Some("rust".into()),
                ..said_to("followers", "x")
            },
        )
        .await;
    assert!(
        matches!(&named, Err(NodeError::Invalid { field, .. }) if field == "visibility"),
        "{named:?}"
    );
    // Mentioning it keeps the post for the author's followers.
    for visibility in ["followers", "direct"] {
        let post = node
            .create_post(&bob, said_to(visibility, "for @rust only"))
            .await
            .expect("post");
        assert_eq!(group_of(&post), None);
        assert_ne!(post.visibility, Visibility::Public);
    }
    assert!(feed_ids(node, &alice, "rust").is_empty());
}

#[tokio::test]
async fn a_mention_of_a_private_group_keeps_the_post_for_its_members() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let bob = member(node, "bob").await;
    let eve = member(node, "eve").await;
    create(node, &alice, "secret", |g| {
        g.visibility = Some("private".into())
    })
    .await;
    node.join_group(&bob, "secret").await.expect("join");
    node.follow(&eve, "bob").await.expect("follow");

    let post = node
        .create_post(&bob, said("@secret hush"))
        .await
        .expect("post");
    assert_eq!(group_of(&post), Some("secret"));
    node.post(&alice, post.id).expect("a member sees it");
    assert!(node.post(&eve, post.id).is_err());
    assert!(home_ids(node, &eve, &page()).is_empty());
}
