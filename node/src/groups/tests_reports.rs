//! A group's moderators read the open reports of the group's posts and
//! the group's bans; nobody else does.

use super::*;
use crate::model::Role;
use crate::moderation::{NewReport, ReportAction};
use crate::posts::NewPost;
use crate::test_support::{fixture, member, new_member};
use crate::{NodeError, PageRequest};

fn page() -> PageRequest {
    PageRequest::first(40)
}

fn group(name: &str) -> NewGroup {
    NewGroup {
        name: name.into(),
        category: Some("programming".into()),
        ..NewGroup::default()
    }
}

fn post(group: Option<&str>, title: &str, content: &str) -> NewPost {
    NewPost {
        title: Some(title.into()),
        content: content.into(),
        group: group.map(Into::into),
        category: Some("programming".into()),
        ..NewPost::default()
    }
}

/// Files a report by `reporter` about `target`'s posts `posts`.
async fn report(
    node: &Node,
    reporter: &Viewer,
    target: &Viewer,
    posts: &[Id],
    comment: &str,
) -> Id {
    node.create_report(
        reporter,
        NewReport {
            target_id: target.id().expect("id"),
            post_ids: posts.to_vec(),
            comment: comment.into(),
            category: Some("spam".into()),
            forward: false,
        },
    )
    .await
    .expect("report")
    .id
}

fn comments(node: &Node, viewer: &Viewer, group: &str) -> Vec<String> {
    node.group_reports(viewer, group, &page())
        .expect("reports")
        .items
        .into_iter()
        .map(|r| r.comment)
        .collect()
}

fn is_forbidden(e: NodeError) -> bool {
    matches!(e, NodeError::Forbidden(_))
}

#[tokio::test]
async fn reports_of_a_groups_posts_are_for_its_moderators() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let bob = member(node, "bob").await;
    let carol = member(node, "carol").await;
    let dave = member(node, "dave").await;
    node.create_group(&alice, group("rust"))
        .await
        .expect("group");
    node.create_group(&alice, group("golang"))
        .await
        .expect("group");
    for who in [&bob, &carol, &dave] {
        node.join_group(who, "rust").await.expect("join");
    }
    node.join_group(&bob, "golang").await.expect("join");
    node.set_group_role(&alice, "rust", "dave", "moderator")
        .await
        .expect("role");

    let in_rust = node
        .create_post(&bob, post(Some("rust"), "Buy now", "cheap pills"))
        .await
        .expect("post");
    let elsewhere = node
        .create_post(&bob, post(None, "Outside", "not in a group"))
        .await
        .expect("post");
    let in_golang = node
        .create_post(&bob, post(Some("golang"), "Go spam", "in another group"))
        .await
        .expect("post");
    report(node, &carol, &bob, &[elsewhere.id], "outside").await;
    report(node, &carol, &bob, &[in_golang.id], "other group").await;
    let both = report(node, &carol, &bob, &[in_rust.id, elsewhere.id], "spam here").await;

    // The owner and a moderator see the one report naming a rust post,
    // with the rust post only.
    for moderator in [&alice, &dave] {
        let page = node
            .group_reports(moderator, "rust", &page())
            .expect("reports");
        assert_eq!(page.items.len(), 1);
        let item = &page.items[0];
        assert_eq!(item.id, both);
        assert_eq!(item.comment, "spam here");
        assert_eq!(item.category, "spam");
        assert_eq!(
            item.reporter.as_ref().map(|r| r.username.as_str()),
            Some("carol")
        );
        assert_eq!(item.origin_domain, None);
        assert_eq!(item.account.username, "bob");
        assert_eq!(item.posts.len(), 1);
        assert_eq!(item.posts[0].id, in_rust.id);
        assert_eq!(item.posts[0].excerpt, "Buy now");
    }
    assert_eq!(comments(node, &alice, "golang"), vec!["other group"]);

    // A plain member, a stranger and the signed-out are refused.
    let eve = member(node, "eve").await;
    for who in [&carol, &eve] {
        let e = node.group_reports(who, "rust", &page()).expect_err("403");
        assert!(is_forbidden(e));
    }
    assert!(node
        .group_reports(&Viewer::Anonymous, "rust", &page())
        .is_err());
    // The node's moderators read reports in the admin panel, not here.
    let admin = Viewer::Member(Box::new(
        node.create_member(new_member("mod"), Role::Moderator)
            .await
            .expect("moderator"),
    ));
    let e = node
        .group_reports(&admin, "rust", &page())
        .expect_err("403");
    assert!(is_forbidden(e));

    // Newest first; a report resolved by the node's moderators is gone.
    let later = report(node, &dave, &bob, &[in_rust.id], "again").await;
    assert_eq!(comments(node, &alice, "rust"), vec!["again", "spam here"]);
    node.resolve_report(&admin, later, ReportAction::Dismiss, "")
        .await
        .expect("resolve");
    assert_eq!(comments(node, &alice, "rust"), vec!["spam here"]);

    // Removing the post from the group takes the report off the list (the
    // report stays open for the node's moderators).
    node.remove_group_post(&dave, "rust", in_rust.id, "spam")
        .await
        .expect("remove");
    assert!(comments(node, &alice, "rust").is_empty());
    let open = node.reports(&admin, true, &page()).expect("open");
    assert!(open.items.iter().any(|r| r.id == both));
}

#[tokio::test]
async fn a_groups_bans_are_listed_for_its_moderators() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let bob = member(node, "bob").await;
    let carol = member(node, "carol").await;
    node.create_group(&alice, group("rust"))
        .await
        .expect("group");
    node.join_group(&bob, "rust").await.expect("join");
    node.join_group(&carol, "rust").await.expect("join");
    assert!(node
        .group_bans(&alice, "rust", &page())
        .expect("bans")
        .items
        .is_empty());
    node.ban_group_member(&alice, "rust", "bob", "spam, again")
        .await
        .expect("ban");

    let bans = node.group_bans(&alice, "rust", &page()).expect("bans");
    assert_eq!(bans.items.len(), 1);
    let ban = &bans.items[0];
    assert_eq!(ban.account.username, "bob");
    assert_eq!(ban.by.as_ref().map(|m| m.username.as_str()), Some("alice"));
    assert_eq!(ban.reason, "spam, again");
    assert!(ban.at > 0);

    let e = node
        .group_bans(&carol, "rust", &page())
        .expect_err("a plain member");
    assert!(is_forbidden(e));
    let e = node
        .group_bans(&alice, "nosuchgroup", &page())
        .expect_err("no group");
    assert!(matches!(e, NodeError::NotFound("group")));

    node.unban_group_member(&alice, "rust", "bob")
        .await
        .expect("unban");
    assert!(node
        .group_bans(&alice, "rust", &page())
        .expect("bans")
        .items
        .is_empty());
}
