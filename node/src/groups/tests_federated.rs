//! Groups across servers in the node: what a local group queues for its
//! members elsewhere, downvotes, and what a group of another server's
//! announces do here.

use super::*;
use crate::model::Visibility;
use crate::posts::NewPost;
use crate::remote::{GroupActivity, Outgoing, RemoteActor};
use crate::test_support::{member, temp_node};
use crate::PageRequest;

fn actor(name: &str, host: &str, kind: &str) -> RemoteActor {
    let id = format!("https://{host}/u/{name}");
    RemoteActor {
        shared_inbox: Some(format!("https://{host}/inbox")),
        public_key_pem: "-----BEGIN PUBLIC KEY-----\n...".into(),
        confirmed_handle: Some(format!("{name}@{host}")),
        actor_type: kind.into(),
        ..RemoteActor::person(&id, name)
    }
}

fn post_in(group: &str, content: &str) -> NewPost {
    NewPost {
        content: content.into(),
        group: Some(group.into()),
        ..Default::default()
    }
}

/// The group activities queued so far, in order.
fn queued(node: &Node) -> Vec<GroupActivity> {
    node.pending_outgoing(100)
        .expect("outbox")
        .into_iter()
        .filter_map(|(_, intent)| match intent {
            Outgoing::Group { activity, .. } => Some(activity),
            _ => None,
        })
        .collect()
}

fn feed(node: &Node, viewer: &Viewer, group: &str) -> Vec<Id> {
    node.group_posts(
        viewer,
        group,
        &GroupPostsRequest {
            sort: GroupPostSort::New,
            page: PageRequest::first(40),
            cursor: None,
        },
    )
    .expect("feed")
    .items
    .iter()
    .map(|p| p.id)
    .collect()
}

#[tokio::test]
async fn a_local_group_announces_to_members_elsewhere_and_counts_their_downvotes() {
    let (node, _dir) = temp_node();
    let alice = member(&node, "alice").await;
    node.create_group(
        &alice,
        NewGroup {
            name: "forum".into(),
            ..Default::default()
        },
    )
    .await
    .expect("group");
    // Nobody elsewhere yet: nothing to announce.
    let first = node
        .create_post(&alice, post_in("forum", "only us"))
        .await
        .expect("post");
    assert!(queued(&node).is_empty());
    let lemmy = node
        .upsert_remote_actor(actor("ann", "lemmy.test", "Person"))
        .await
        .expect("remote");
    let group = node.find_member("forum").expect("find").expect("group");
    node.receive_follow(&lemmy, group.id, "https://lemmy.test/follows/1")
        .await
        .expect("join");
    let second = node
        .create_post(&alice, post_in("forum", "now announced"))
        .await
        .expect("post");
    node.pin_group_post(&alice, "forum", second.id)
        .await
        .expect("pin");
    assert_eq!(
        queued(&node),
        vec![
            GroupActivity::Create { post: second.id },
            GroupActivity::Pin {
                moderator: alice.id().expect("id"),
                post: second.id,
                undone: false
            }
        ]
    );
    // A downvote from the member elsewhere: counted once, announced, and
    // taken back.
    assert!(node
        .receive_dislike(&lemmy, first.id, true)
        .await
        .expect("dislike"));
    assert!(!node
        .receive_dislike(&lemmy, first.id, true)
        .await
        .expect("again"));
    assert_eq!(node.post(&alice, first.id).expect("view").dislikes_count, 1);
    assert!(node
        .receive_dislike(&lemmy, first.id, false)
        .await
        .expect("undo"));
    assert_eq!(node.post(&alice, first.id).expect("view").dislikes_count, 0);
    let votes = queued(&node)
        .into_iter()
        .filter(|a| matches!(a, GroupActivity::Like { dislike: true, .. }))
        .count();
    assert_eq!(votes, 2, "the downvote and its undo are announced");
    // Members here have no downvote.
    let alice_member = node.find_member("alice").expect("find").expect("alice");
    assert!(node
        .receive_dislike(&alice_member, first.id, true)
        .await
        .is_err());
}

#[tokio::test]
async fn a_private_group_announces_nothing() {
    let (node, _dir) = temp_node();
    let alice = member(&node, "alice").await;
    node.create_group(
        &alice,
        NewGroup {
            name: "inner".into(),
            visibility: Some("private".into()),
            ..Default::default()
        },
    )
    .await
    .expect("group");
    let remote = node
        .upsert_remote_actor(actor("ann", "lemmy.test", "Person"))
        .await
        .expect("remote");
    let group = node.find_member("inner").expect("find").expect("group");
    node.receive_follow(&remote, group.id, "https://lemmy.test/follows/1")
        .await
        .expect("join");
    node.create_post(&alice, post_in("inner", "members only"))
        .await
        .expect("post");
    assert!(queued(&node).is_empty());
}

#[tokio::test]
async fn what_a_remote_group_announces_is_applied_to_its_copy_here() {
    let (node, _dir) = temp_node();
    let bob = member(&node, "bob").await;
    let community = node
        .upsert_remote_actor(actor("rust", "lemmy.test", "Group"))
        .await
        .expect("group");
    assert!(community.is_group(), "a Group actor is a group account");
    let author = node
        .upsert_remote_actor(actor("ann", "lemmy.test", "Person"))
        .await
        .expect("author");
    let shared = node
        .receive_post(
            &author,
            crate::remote::RemotePost::public("https://lemmy.test/post/1", "<p>hi</p>", 1),
        )
        .await
        .expect("post");
    // Nobody here belongs to it: its announces are not wanted.
    assert!(node.receive_group_share(&community, shared).await.is_err());
    // Bob joins (its Accept arrives) and it shares the post.
    let joined = node
        .join_group(&bob, "rust@lemmy.test")
        .await
        .expect("join");
    assert_eq!(joined.state, JoinState::Pending);
    node.receive_follow_accept(&community, bob.id().expect("id"))
        .await
        .expect("accept");
    assert!(node
        .receive_group_share(&community, shared)
        .await
        .expect("share"));
    // A group of another server joined from here is in the directory.
    let listed = node
        .groups_directory(
            &bob,
            Some("rust"),
            None,
            GroupSort::New,
            &PageRequest::first(10),
        )
        .expect("directory");
    assert_eq!(
        listed
            .items
            .iter()
            .map(|g| g.name.as_str())
            .collect::<Vec<_>>(),
        vec!["rust@lemmy.test"]
    );
    assert!(listed.items[0].url.is_some());
    assert_eq!(feed(&node, &bob, "rust@lemmy.test"), vec![shared]);
    let view = node.group(&bob, "rust@lemmy.test").expect("view");
    assert_eq!(view.posts_count, 1);
    assert_eq!(
        view.viewer.as_ref().map(|v| v.membership),
        Some(Membership::Member)
    );
    // Another group cannot take it, nor remove it.
    let other = node
        .upsert_remote_actor(actor("other", "lemmy.test", "Group"))
        .await
        .expect("other");
    assert!(!node
        .receive_group_removal(&other, "https://lemmy.test/post/1")
        .await
        .unwrap_or(false));
    // A lock refuses replies from here; an unlock allows them again.
    assert!(node
        .receive_group_lock(&community, "https://lemmy.test/post/1", true)
        .await
        .expect("lock"));
    let reply = |text: &str| NewPost {
        content: text.into(),
        in_reply_to: Some(shared.to_string()),
        ..Default::default()
    };
    let refused = node.create_post(&bob, reply("locked?")).await;
    assert!(
        matches!(refused, Err(crate::NodeError::Forbidden(_))),
        "{refused:?}"
    );
    node.receive_group_lock(&community, "https://lemmy.test/post/1", false)
        .await
        .expect("unlock");
    let answer = node
        .create_post(&bob, reply("open again"))
        .await
        .expect("reply");
    assert_eq!(
        node.post_record(answer.id)
            .expect("read")
            .and_then(|p| p.group),
        Some(community.id),
        "a reply is in its thread's group"
    );
    // A pin, then the removal: the copy goes.
    assert!(node
        .receive_group_pin(&community, "https://lemmy.test/post/1", true)
        .await
        .expect("pin"));
    assert!(node
        .receive_group_removal(&community, "https://lemmy.test/post/1")
        .await
        .expect("remove"));
    assert!(feed(&node, &bob, "rust@lemmy.test").is_empty());
    assert!(node.post_record(shared).expect("read").is_none());
    // A ban: out of the group, and no posting in it.
    node.receive_group_ban(&community, bob.id().expect("id"), true)
        .await
        .expect("ban");
    let view = node.group(&bob, "rust@lemmy.test").expect("view");
    assert_eq!(
        view.viewer.as_ref().map(|v| v.membership),
        Some(Membership::Banned)
    );
    let refused = node
        .create_post(&bob, post_in("rust@lemmy.test", "let me in"))
        .await;
    assert!(
        matches!(refused, Err(crate::NodeError::Forbidden(_))),
        "{refused:?}"
    );
    node.receive_group_ban(&community, bob.id().expect("id"), false)
        .await
        .expect("unban");
    let view = node.group(&bob, "rust@lemmy.test").expect("view");
    assert_eq!(
        view.viewer.as_ref().map(|v| v.membership),
        Some(Membership::None)
    );
}

#[tokio::test]
async fn a_followers_only_or_direct_post_from_elsewhere_is_never_the_groups() {
    let (node, _dir) = temp_node();
    let alice = member(&node, "alice").await;
    node.create_group(
        &alice,
        NewGroup {
            name: "forum".into(),
            ..Default::default()
        },
    )
    .await
    .expect("group");
    let group = node.find_member("forum").expect("find").expect("group");
    let carla = node
        .upsert_remote_actor(actor("carla", "mastodon.test", "Person"))
        .await
        .expect("remote");
    node.receive_follow(&carla, group.id, "https://mastodon.test/follows/1")
        .await
        .expect("join");
    let addressed = |n: u32, visibility: Visibility, in_reply_to: Option<Id>| {
        let uri = format!("https://mastodon.test/users/carla/statuses/{n}");
        crate::remote::RemotePost {
            visibility,
            in_reply_to,
            group: Some(group.id),
            ..crate::remote::RemotePost::public(&uri, "<p>@forum hi</p>", 1)
        }
    };
    let before = queued(&node).len();
    // Followers-only and direct: ordinary posts, neither in the group nor
    // announced by it.
    for (n, visibility) in [(1, Visibility::Followers), (2, Visibility::Direct)] {
        let id = node
            .receive_post(&carla, addressed(n, visibility, None))
            .await
            .expect("stored");
        let record = node.post_record(id).expect("read").expect("post");
        assert_eq!(record.group, None, "{visibility:?}");
    }
    assert_eq!(queued(&node).len(), before, "nothing announced");
    // Public: in the group, and announced.
    let public = node
        .receive_post(&carla, addressed(3, Visibility::Public, None))
        .await
        .expect("stored");
    assert_eq!(
        node.post_record(public)
            .expect("read")
            .and_then(|p| p.group),
        Some(group.id)
    );
    assert_eq!(
        queued(&node).last(),
        Some(&GroupActivity::Create { post: public })
    );
    // A direct reply in the group's thread is refused, as a group's
    // thread takes no followers-only or direct reply from here either.
    let refused = node
        .receive_post(&carla, addressed(4, Visibility::Direct, Some(public)))
        .await;
    assert!(
        matches!(refused, Err(crate::NodeError::Forbidden(_))),
        "{refused:?}"
    );
}
