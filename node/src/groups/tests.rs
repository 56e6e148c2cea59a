//! Groups: creation in the shared namespace, joining under each join
//! mode, the member limit under concurrent joins, leaving, requests,
//! bans, roles, the logs, private member lists and the counters.

use std::sync::Arc;

use super::*;
use crate::moderation::AuditFilter;
use crate::test_support::{fixture, member, new_member};
use crate::{NodeError, Page, PageRequest};

fn new_group(name: &str) -> NewGroup {
    NewGroup {
        name: name.into(),
        display_name: Some(format!("The {name} group")),
        description: Some("We talk about **Rust**.".into()),
        category: Some("Programming".into()),
        ..NewGroup::default()
    }
}

fn with_mode(name: &str, mode: &str) -> NewGroup {
    NewGroup {
        join_mode: Some(mode.into()),
        ..new_group(name)
    }
}

/// Creates `group` as `owner`, which must succeed.
async fn create(node: &Node, owner: &Viewer, group: NewGroup) {
    node.create_group(owner, group).await.expect("create");
}

fn page() -> PageRequest {
    PageRequest::first(40)
}

fn member_names(node: &Node, viewer: &Viewer, group: &str) -> Vec<String> {
    let mut names: Vec<String> = node
        .group_members(viewer, group, None, &page())
        .expect("members")
        .items
        .into_iter()
        .map(|m| m.account.username)
        .collect();
    names.sort();
    names
}

fn field_of(e: NodeError) -> String {
    match e {
        NodeError::Invalid { field, .. } | NodeError::Conflict { field, .. } => field,
        other => panic!("expected a field error, got {other:?}"),
    }
}

fn count(node: &Node, viewer: &Viewer, group: &str) -> i64 {
    node.group(viewer, group).expect("group").members_count
}

#[tokio::test]
async fn a_group_is_made_with_its_owner_as_first_member() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let before = node.stats().expect("stats").members;
    let g = node
        .create_group(&alice, new_group("rustaceans"))
        .await
        .expect("create");
    assert_eq!(g.name, "rustaceans");
    assert_eq!(g.display_name, "The rustaceans group");
    assert!(g.description_html.contains("<strong>Rust</strong>"));
    assert_eq!(g.category.as_deref(), Some("programming"));
    assert_eq!(g.visibility, GroupVisibility::Public);
    assert_eq!(g.join_mode, JoinMode::Open);
    assert_eq!(g.members_count, 1);
    let state = g.viewer.expect("viewer state");
    assert_eq!(state.membership, Membership::Member);
    assert_eq!(state.role, Some(GroupMemberRole::Owner));
    assert_eq!(g.owner.expect("owner").username, "alice");
    // The node's member total counts people only.
    assert_eq!(node.stats().expect("stats").members, before);
    // Anyone sees the group, without a viewer state.
    let anon = node.group(&Viewer::Anonymous, "RUSTACEANS").expect("seen");
    assert!(anon.viewer.is_none());
    assert_eq!(anon.members_count, 1);
    // Its own domain's handle names it too.
    assert!(node.group(&alice, "rustaceans@k.test").is_ok());
    assert!(matches!(
        node.group(&alice, "rustaceans@elsewhere.test"),
        Err(NodeError::NotFound(_))
    ));
}

#[tokio::test]
async fn groups_and_members_share_one_namespace_both_ways() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    // A member's name cannot name a group...
    let e = node
        .create_group(&alice, new_group("Alice"))
        .await
        .expect_err("taken");
    assert!(matches!(&e, NodeError::Conflict { .. }));
    assert_eq!(field_of(e), "name");
    // ...a group's name cannot be registered...
    create(node, &alice, new_group("rust")).await;
    let e = node.register(new_member("RUST")).await.expect_err("taken");
    assert_eq!(field_of(e), "username");
    // ...and two groups cannot share one.
    let e = node
        .create_group(&alice, new_group("rust"))
        .await
        .expect_err("taken");
    assert_eq!(field_of(e), "name");
    // People search lists people, not groups.
    let found = node.search_members(&alice, "rus", 10).expect("search");
    assert!(found.is_empty());
}

#[tokio::test]
async fn a_group_account_never_signs_in() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    create(node, &alice, new_group("rust")).await;
    for password in ["", "password123"] {
        let e = node
            .login("rust", password, "test")
            .await
            .expect_err("no login");
        assert!(matches!(e, NodeError::Unauthorized(_)), "{e:?}");
    }
    // Not even after an admin gives the account a password.
    node.reset_password("rust", "password123")
        .await
        .expect("reset");
    for e in [
        node.login("rust", "password123", "t")
            .await
            .expect_err("api"),
        node.login_to_member_app("rust", "password123")
            .await
            .expect_err("app"),
        node.login_to_panel("rust", "password123")
            .await
            .expect_err("panel"),
    ] {
        assert!(matches!(e, NodeError::Unauthorized(_)), "{e:?}");
    }
}

#[tokio::test]
async fn bad_values_are_refused_naming_their_field() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let cases: Vec<(NewGroup, &str)> = vec![
        (new_group("no spaces"), "name"),
        (
            NewGroup {
                display_name: Some("x".repeat(101)),
                ..new_group("a")
            },
            "display_name",
        ),
        (
            NewGroup {
                visibility: Some("secret".into()),
                ..new_group("a")
            },
            "visibility",
        ),
        (with_mode("a", "sometimes"), "join_mode"),
        (
            NewGroup {
                posting: Some("everyone".into()),
                ..new_group("a")
            },
            "posting",
        ),
        (
            NewGroup {
                member_limit: Some(0),
                ..new_group("a")
            },
            "member_limit",
        ),
        (
            NewGroup {
                member_limit: Some(1_000_001),
                ..new_group("a")
            },
            "member_limit",
        ),
        (
            NewGroup {
                category: Some("no spaces".into()),
                ..new_group("a")
            },
            "category",
        ),
        (
            NewGroup {
                tags: vec!["a b".into()],
                ..new_group("a")
            },
            "tags",
        ),
        (
            NewGroup {
                rules: vec!["be kind".into(); 21],
                ..new_group("a")
            },
            "rules",
        ),
        (
            NewGroup {
                rules: vec!["x".repeat(501)],
                ..new_group("a")
            },
            "rules",
        ),
        (
            NewGroup {
                description: Some("x".repeat(10_001)),
                ..new_group("a")
            },
            "description",
        ),
        (
            NewGroup {
                banner_url: Some("javascript:alert(1)".into()),
                ..new_group("a")
            },
            "banner_url",
        ),
    ];
    for (new, field) in cases {
        let e = node.create_group(&alice, new).await.expect_err(field);
        assert_eq!(field_of(e), field);
    }
    create(node, &alice, new_group("a")).await;
    let e = node
        .update_group(
            &alice,
            "a",
            GroupUpdate {
                join_mode: Some("never".into()),
                ..GroupUpdate::default()
            },
        )
        .await
        .expect_err("bad mode");
    assert_eq!(field_of(e), "join_mode");
    let e = node
        .create_group(&Viewer::Anonymous, new_group("b"))
        .await
        .expect_err("anonymous");
    assert!(matches!(e, NodeError::Unauthorized(_)));
}

#[tokio::test]
async fn joining_follows_the_join_mode() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let bob = member(node, "bob").await;
    let carol = member(node, "carol").await;
    create(node, &alice, with_mode("open", "open")).await;
    create(node, &alice, with_mode("asked", "approval")).await;
    create(node, &alice, with_mode("closed", "invite")).await;

    // Open: a member at once, and again changes nothing.
    for _ in 0..2 {
        let joined = node.join_group(&bob, "open").await.expect("join");
        assert_eq!(joined.state, JoinState::Member);
    }
    assert_eq!(count(node, &bob, "open"), 2);

    // Approval: pending until answered.
    let asked = node.join_group(&bob, "asked").await.expect("ask");
    assert_eq!(asked.state, JoinState::Pending);
    assert_eq!(
        node.join_group(&bob, "asked").await.expect("again").state,
        JoinState::Pending
    );
    let g = node.group(&bob, "asked").expect("group");
    assert_eq!(g.members_count, 1);
    assert_eq!(g.viewer.expect("state").membership, Membership::Pending);

    // Invite: refused without an invitation; an invitation is used once.
    let e = node
        .join_group(&carol, "closed")
        .await
        .expect_err("no invite");
    assert!(matches!(e, NodeError::Forbidden(_)));
    node.invite_to_group(&alice, "closed", "carol")
        .await
        .expect("invite");
    let g = node.group(&carol, "closed").expect("group");
    assert_eq!(g.viewer.expect("state").membership, Membership::Invited);
    assert_eq!(
        node.join_group(&carol, "closed").await.expect("join").state,
        JoinState::Member
    );
    node.leave_group(&carol, "closed").await.expect("leave");
    let e = node
        .join_group(&carol, "closed")
        .await
        .expect_err("invitation used");
    assert!(matches!(e, NodeError::Forbidden(_)));
    // A plain member cannot invite.
    node.join_group(&bob, "open").await.expect("member");
    let e = node
        .invite_to_group(&bob, "open", "carol")
        .await
        .expect_err("not a moderator");
    assert!(matches!(e, NodeError::Forbidden(_)));
    // An invitation lets one skip the approval too.
    node.invite_to_group(&alice, "asked", "carol")
        .await
        .expect("invite");
    assert_eq!(
        node.join_group(&carol, "asked").await.expect("join").state,
        JoinState::Member
    );
}

#[tokio::test]
async fn following_a_group_is_joining_it_under_its_rules() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let bob = member(node, "bob").await;
    create(node, &alice, with_mode("asked", "approval")).await;
    let rel = node.follow(&bob, "asked").await.expect("follow");
    assert!(rel.requested && !rel.following);
    node.approve_group_member(&alice, "asked", "bob")
        .await
        .expect("approve");
    assert!(
        node.relationship(
            bob.id().expect("id"),
            node.group(&bob, "asked").expect("g").id
        )
        .expect("rel")
        .following
    );
    node.ban_group_member(&alice, "asked", "bob", "spam")
        .await
        .expect("ban");
    let e = node.follow(&bob, "asked").await.expect_err("banned");
    assert!(matches!(e, NodeError::Forbidden("banned from this group")));
    // The owner cannot leave by unfollowing either, nor by blocking.
    let e = node.unfollow(&alice, "asked").await.expect_err("owner");
    assert_eq!(field_of(e), "group");
    let e = node.block(&alice, "asked").await.expect_err("block");
    assert_eq!(field_of(e), "username");
    assert_eq!(count(node, &alice, "asked"), 1);
}

#[tokio::test]
async fn a_node_admin_may_delete_any_group() {
    let f = fixture();
    let node = &f.node;
    let admin = Viewer::Member(Box::new(
        node.create_member(new_member("root"), crate::model::Role::Admin)
            .await
            .expect("admin"),
    ));
    let alice = member(node, "alice").await;
    create(node, &alice, new_group("rust")).await;
    node.delete_group(&admin, "rust").await.expect("delete");
    assert!(node.group(&alice, "rust").is_err());
    let audit = node
        .audit_log(&admin, AuditFilter::All, &page())
        .expect("audit");
    assert_eq!(audit.items[0].action, "group.delete");
    assert_eq!(audit.items[0].actor, "root");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_member_limit_holds_under_concurrent_joins() {
    let f = fixture();
    let node = f.node.clone();
    let owner = member(&node, "owner").await;
    node.create_group(
        &owner,
        NewGroup {
            member_limit: Some(5),
            ..new_group("small")
        },
    )
    .await
    .expect("group");
    let mut joiners = Vec::new();
    for i in 0..12 {
        joiners.push(member(&node, &format!("m{i}")).await);
    }
    let mut tasks = Vec::new();
    for viewer in joiners {
        let node: Arc<Node> = node.clone();
        tasks.push(tokio::spawn(async move {
            node.join_group(&viewer, "small").await
        }));
    }
    let (mut joined, mut full) = (0, 0);
    for task in tasks {
        match task.await.expect("task") {
            Ok(outcome) => {
                assert_eq!(outcome.state, JoinState::Member);
                joined += 1;
            }
            Err(e) => {
                assert!(matches!(&e, NodeError::Conflict { .. }), "{e:?}");
                assert_eq!(field_of(e), "member_limit");
                full += 1;
            }
        }
    }
    // The owner is the first of the five.
    assert_eq!((joined, full), (4, 8));
    assert_eq!(count(&node, &owner, "small"), 5);
    assert_eq!(member_names(&node, &owner, "small").len(), 5);
}

#[tokio::test]
async fn the_owner_cannot_leave_and_members_come_and_go() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let bob = member(node, "bob").await;
    create(node, &alice, new_group("rust")).await;
    let e = node.leave_group(&alice, "rust").await.expect_err("owner");
    assert!(matches!(&e, NodeError::Conflict { .. }));
    node.join_group(&bob, "rust").await.expect("join");
    assert_eq!(count(node, &bob, "rust"), 2);
    let bob_id = bob.id().expect("id");
    assert_eq!(
        node.store
            .counter::<tables::FollowingCount>(bob_id)
            .expect("n"),
        1
    );
    node.leave_group(&bob, "rust").await.expect("leave");
    node.leave_group(&bob, "rust").await.expect("leave again");
    assert_eq!(count(node, &bob, "rust"), 1);
    assert_eq!(
        node.store
            .counter::<tables::FollowingCount>(bob_id)
            .expect("n"),
        0
    );
    let g = node.group(&bob, "rust").expect("group");
    assert_eq!(g.viewer.expect("state").membership, Membership::None);
}

#[tokio::test]
async fn requests_are_answered_by_moderators_and_notified() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let bob = member(node, "bob").await;
    let carol = member(node, "carol").await;
    let dave = member(node, "dave").await;
    node.create_group(
        &alice,
        NewGroup {
            member_limit: Some(3),
            ..with_mode("asked", "approval")
        },
    )
    .await
    .expect("group");
    node.join_group(&dave, "asked").await.expect("dave asks");
    node.approve_group_member(&alice, "asked", "dave")
        .await
        .expect("approve");
    node.set_group_role(&alice, "asked", "dave", "moderator")
        .await
        .expect("promote");
    node.join_group(&bob, "asked").await.expect("bob asks");
    node.join_group(&carol, "asked").await.expect("carol asks");

    // The owner and the moderator are told of each request.
    for (moderator, asked) in [
        (&alice, &["bob", "carol", "dave"][..]),
        (&dave, &["bob", "carol"]),
    ] {
        let kinds = [crate::model::NotificationKind::GroupJoinRequest];
        let told = node
            .notifications(moderator, &kinds, &page())
            .expect("notifications");
        let mut who: Vec<_> = told
            .items
            .iter()
            .map(|n| n.actor.username.clone())
            .collect();
        who.sort();
        assert_eq!(who, asked);
        assert!(told
            .items
            .iter()
            .all(|n| n.group.as_ref().is_some_and(|g| g.username == "asked")));
    }
    let waiting = node
        .group_join_requests(&dave, "asked", &page())
        .expect("requests");
    assert_eq!(waiting.items.len(), 2);
    let e = node
        .group_join_requests(&bob, "asked", &page())
        .expect_err("not a moderator");
    assert!(matches!(e, NodeError::Forbidden(_)));
    let e = node
        .approve_group_member(&bob, "asked", "carol")
        .await
        .expect_err("not a moderator");
    assert!(matches!(e, NodeError::Forbidden(_)));

    node.approve_group_member(&dave, "asked", "bob")
        .await
        .expect("approve");
    let kinds = [crate::model::NotificationKind::GroupJoinApproved];
    let told = node.notifications(&bob, &kinds, &page()).expect("told");
    assert_eq!(told.items.len(), 1);
    assert_eq!(told.items[0].actor.username, "asked");
    // Full now (alice, dave, bob): the next approval is refused.
    let e = node
        .approve_group_member(&alice, "asked", "carol")
        .await
        .expect_err("full");
    assert_eq!(field_of(e), "member_limit");
    node.reject_group_member(&alice, "asked", "carol")
        .await
        .expect("reject");
    let e = node
        .reject_group_member(&alice, "asked", "carol")
        .await
        .expect_err("answered");
    assert!(matches!(e, NodeError::NotFound(_)));
    assert_eq!(
        member_names(node, &alice, "asked"),
        ["alice", "bob", "dave"]
    );
    let g = node.group(&carol, "asked").expect("group");
    assert_eq!(g.viewer.expect("state").membership, Membership::None);
}

#[tokio::test]
async fn a_ban_ends_membership_until_lifted() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let bob = member(node, "bob").await;
    let carol = member(node, "carol").await;
    let dave = member(node, "dave").await;
    create(node, &alice, new_group("rust")).await;
    for v in [&bob, &carol, &dave] {
        node.join_group(v, "rust").await.expect("join");
    }
    node.set_group_role(&alice, "rust", "carol", "moderator")
        .await
        .expect("promote");
    assert_eq!(count(node, &bob, "rust"), 4);

    node.ban_group_member(&carol, "rust", "bob", "spam")
        .await
        .expect("ban");
    assert_eq!(count(node, &bob, "rust"), 3);
    let g = node.group(&bob, "rust").expect("group");
    assert_eq!(g.viewer.expect("state").membership, Membership::Banned);
    let e = node.join_group(&bob, "rust").await.expect_err("banned");
    assert!(matches!(e, NodeError::Forbidden("banned from this group")));

    // Nobody bans the owner; only the owner bans a moderator.
    let e = node
        .ban_group_member(&carol, "rust", "alice", "")
        .await
        .expect_err("owner");
    assert!(matches!(e, NodeError::Forbidden(_)));
    node.set_group_role(&alice, "rust", "dave", "moderator")
        .await
        .expect("promote");
    let e = node
        .ban_group_member(&carol, "rust", "dave", "")
        .await
        .expect_err("moderator");
    assert!(matches!(e, NodeError::Forbidden(_)));
    node.ban_group_member(&alice, "rust", "dave", "")
        .await
        .expect("owner bans a moderator");
    assert_eq!(count(node, &alice, "rust"), 2);
    // The ban took the role: rejoined after an unban, dave is a member.
    node.unban_group_member(&alice, "rust", "dave")
        .await
        .expect("unban");
    node.join_group(&dave, "rust").await.expect("rejoin");
    let g = node.group(&dave, "rust").expect("group");
    assert_eq!(g.viewer.expect("state").role, Some(GroupMemberRole::Member));
    assert_eq!(count(node, &alice, "rust"), 3);
    let e = node
        .unban_group_member(&alice, "rust", "dave")
        .await
        .expect_err("not banned");
    assert!(matches!(e, NodeError::NotFound(_)));
    // A plain member bans nobody.
    let e = node
        .ban_group_member(&dave, "rust", "carol", "")
        .await
        .expect_err("member");
    assert!(matches!(e, NodeError::Forbidden(_)));
}

#[tokio::test]
async fn roles_change_only_as_the_rules_say() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let bob = member(node, "bob").await;
    let carol = member(node, "carol").await;
    let dave = member(node, "dave").await;
    create(node, &alice, new_group("rust")).await;
    node.join_group(&bob, "rust").await.expect("join");
    node.join_group(&carol, "rust").await.expect("join");

    // Only members can be promoted; a plain member promotes nobody.
    let e = node
        .set_group_role(&alice, "rust", "dave", "moderator")
        .await
        .expect_err("not a member");
    assert_eq!(field_of(e), "username");
    let e = node
        .set_group_role(&bob, "rust", "carol", "moderator")
        .await
        .expect_err("plain member");
    assert!(matches!(e, NodeError::Forbidden(_)));
    let e = node
        .set_group_role(&alice, "rust", "bob", "owner")
        .await
        .expect_err("bad role");
    assert_eq!(field_of(e), "role");

    node.set_group_role(&alice, "rust", "bob", "moderator")
        .await
        .expect("promote");
    // A moderator promotes and demotes, but never touches the owner.
    node.set_group_role(&bob, "rust", "carol", "moderator")
        .await
        .expect("promote");
    node.set_group_role(&bob, "rust", "carol", "member")
        .await
        .expect("demote");
    let e = node
        .set_group_role(&bob, "rust", "alice", "member")
        .await
        .expect_err("owner");
    assert!(matches!(e, NodeError::Forbidden(_)));
    let e = node
        .set_group_role(&alice, "rust", "alice", "member")
        .await
        .expect_err("owner");
    assert!(matches!(e, NodeError::Forbidden(_)));

    let moderators = node
        .group_members(&dave, "rust", Some(GroupMemberRole::Moderator), &page())
        .expect("moderators");
    let names: Vec<_> = moderators
        .items
        .iter()
        .map(|m| m.account.username.as_str())
        .collect();
    assert_eq!(names, ["bob"]);
    let plain = node
        .group_members(&dave, "rust", Some(GroupMemberRole::Member), &page())
        .expect("members");
    let names: Vec<_> = plain
        .items
        .iter()
        .map(|m| m.account.username.as_str())
        .collect();
    assert_eq!(names, ["carol"]);
    // A moderator who leaves is no longer one.
    node.leave_group(&bob, "rust").await.expect("leave");
    node.join_group(&bob, "rust").await.expect("rejoin");
    let g = node.group(&bob, "rust").expect("group");
    assert_eq!(g.viewer.expect("state").role, Some(GroupMemberRole::Member));
}

#[tokio::test]
async fn actions_are_in_the_group_log_and_the_audit_log() {
    let f = fixture();
    let node = &f.node;
    let admin = Viewer::Member(Box::new(
        node.create_member(new_member("root"), crate::model::Role::Admin)
            .await
            .expect("admin"),
    ));
    let alice = member(node, "alice").await;
    let bob = member(node, "bob").await;
    create(node, &alice, with_mode("rust", "approval")).await;
    node.join_group(&bob, "rust").await.expect("ask");
    node.approve_group_member(&alice, "rust", "bob")
        .await
        .expect("approve");
    node.set_group_role(&alice, "rust", "bob", "moderator")
        .await
        .expect("role");
    node.update_group(
        &bob,
        "rust",
        GroupUpdate {
            description: Some("New words".into()),
            member_limit: Some(Some(50)),
            ..GroupUpdate::default()
        },
    )
    .await
    .expect("update");
    node.ban_group_member(&alice, "rust", "bob", "gone rogue")
        .await
        .expect("ban");
    node.unban_group_member(&alice, "rust", "bob")
        .await
        .expect("unban");

    let log = node.group_modlog(&alice, "rust", &page()).expect("log");
    let actions: Vec<_> = log.items.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "member.unban",
            "member.ban",
            "group.update",
            "member.role",
            "member.approve",
            "group.create"
        ]
    );
    let ban = &log.items[1];
    assert_eq!((ban.actor.as_str(), ban.target.as_str()), ("alice", "bob"));
    assert_eq!(ban.detail, "gone rogue");
    assert_eq!(log.items[2].detail, "description, member_limit");
    assert_eq!(log.items[3].detail, "moderator");
    // Bob, banned and unbanned, is no moderator now: the log is closed to him.
    let e = node
        .group_modlog(&bob, "rust", &page())
        .expect_err("closed");
    assert!(matches!(e, NodeError::Forbidden(_)));
    // The node's moderators read it.
    assert!(node.group_modlog(&admin, "rust", &page()).is_ok());

    let audit = node
        .audit_log(&admin, AuditFilter::All, &page())
        .expect("audit");
    let audited: Vec<_> = audit
        .items
        .iter()
        .filter(|e| e.action.starts_with("group."))
        .map(|e| (e.action.as_str(), e.target.as_str()))
        .collect();
    assert_eq!(
        audited,
        [
            ("group.member.unban", "bob in rust"),
            ("group.member.ban", "bob in rust"),
            ("group.update", "rust"),
            ("group.member.role", "bob in rust"),
            ("group.member.approve", "bob in rust"),
            ("group.create", "rust"),
        ]
    );
    let g = node.group(&alice, "rust").expect("group");
    assert_eq!(g.member_limit, Some(50));
    assert_eq!(g.description_html, "<p>New words</p>\n");
}

#[tokio::test]
async fn a_private_groups_members_are_for_its_members() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let bob = member(node, "bob").await;
    let carol = member(node, "carol").await;
    node.create_group(
        &alice,
        NewGroup {
            visibility: Some("private".into()),
            ..new_group("secret")
        },
    )
    .await
    .expect("group");
    node.join_group(&bob, "secret").await.expect("join");
    // The group itself is visible to anyone...
    let g = node.group(&Viewer::Anonymous, "secret").expect("group");
    assert_eq!(g.visibility, GroupVisibility::Private);
    assert_eq!(g.members_count, 2);
    // ...its members only to members.
    assert_eq!(member_names(node, &bob, "secret"), ["alice", "bob"]);
    for outsider in [&carol, &Viewer::Anonymous] {
        let e = node
            .group_members(outsider, "secret", None, &page())
            .expect_err("private");
        assert!(matches!(e, NodeError::Forbidden(_)));
    }
}

#[tokio::test]
async fn a_deleted_group_is_gone_and_its_name_stays_taken() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let bob = member(node, "bob").await;
    create(node, &alice, new_group("rust")).await;
    node.join_group(&bob, "rust").await.expect("join");
    let e = node.delete_group(&bob, "rust").await.expect_err("member");
    assert!(matches!(e, NodeError::Forbidden(_)));
    node.delete_group(&alice, "rust").await.expect("delete");
    assert!(matches!(
        node.group(&alice, "rust"),
        Err(NodeError::NotFound(_))
    ));
    assert!(matches!(
        node.join_group(&bob, "rust").await,
        Err(NodeError::NotFound(_))
    ));
    let bob_id = bob.id().expect("id");
    assert_eq!(
        node.store
            .counter::<tables::FollowingCount>(bob_id)
            .expect("n"),
        0
    );
    let listed = node
        .groups_directory(&bob, None, None, GroupSort::New, &page())
        .expect("directory");
    assert!(listed.items.is_empty());
    let e = node
        .create_group(&alice, new_group("rust"))
        .await
        .expect_err("taken");
    assert_eq!(field_of(e), "name");
}

#[tokio::test]
async fn the_directory_searches_filters_and_sorts() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let bob = member(node, "bob").await;
    let carol = member(node, "carol").await;
    create(node, &alice, new_group("rust")).await;
    node.create_group(
        &alice,
        NewGroup {
            category: Some("gardening".into()),
            display_name: Some("Green thumbs".into()),
            ..new_group("plants")
        },
    )
    .await
    .expect("2");
    create(node, &alice, new_group("go")).await;
    for v in [&bob, &carol] {
        node.join_group(v, "rust").await.expect("join");
    }
    node.join_group(&bob, "plants").await.expect("join");

    let names =
        |page: Page<GroupView>| -> Vec<String> { page.items.into_iter().map(|g| g.name).collect() };
    let newest = node
        .groups_directory(&Viewer::Anonymous, None, None, GroupSort::New, &page())
        .expect("new");
    assert_eq!(names(newest), ["go", "plants", "rust"]);
    let biggest = node
        .groups_directory(&Viewer::Anonymous, None, None, GroupSort::Members, &page())
        .expect("members");
    assert_eq!(names(biggest), ["rust", "plants", "go"]);
    let green = node
        .groups_directory(&bob, Some("GREEN"), None, GroupSort::New, &page())
        .expect("q");
    assert_eq!(names(green), ["plants"]);
    let programming = node
        .groups_directory(&bob, None, Some("programming"), GroupSort::Members, &page())
        .expect("category");
    assert_eq!(names(programming), ["rust", "go"]);
    // A category change moves the group in the index.
    node.update_group(
        &alice,
        "go",
        GroupUpdate {
            category: Some(String::new()),
            ..GroupUpdate::default()
        },
    )
    .await
    .expect("update");
    let programming = node
        .groups_directory(&bob, None, Some("programming"), GroupSort::New, &page())
        .expect("category");
    assert_eq!(names(programming), ["rust"]);
    let e = GroupSort::parse("popular").expect_err("bad sort");
    assert_eq!(field_of(e), "sort");
}

#[tokio::test]
async fn settings_changes_are_for_the_owner_and_moderators() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let bob = member(node, "bob").await;
    create(node, &alice, new_group("rust")).await;
    node.join_group(&bob, "rust").await.expect("join");
    let change = GroupUpdate {
        join_mode: Some("approval".into()),
        display_name: Some("Rust, approved".into()),
        ..GroupUpdate::default()
    };
    let e = node
        .update_group(&bob, "rust", change.clone())
        .await
        .expect_err("member");
    assert!(matches!(e, NodeError::Forbidden(_)));
    let g = node
        .update_group(&alice, "rust", change)
        .await
        .expect("owner");
    assert_eq!(g.join_mode, JoinMode::Approval);
    assert_eq!(g.display_name, "Rust, approved");
    // The account follows: its display name, and follows need approval.
    let account = node.named_member("rust").expect("account");
    assert!(account.locked);
    assert_eq!(account.profile.full_name, "Rust, approved");
    // `null` removes the limit; absence keeps it.
    let g = node
        .update_group(
            &alice,
            "rust",
            GroupUpdate {
                member_limit: Some(Some(10)),
                ..GroupUpdate::default()
            },
        )
        .await
        .expect("limit");
    assert_eq!(g.member_limit, Some(10));
    let g = node
        .update_group(&alice, "rust", GroupUpdate::default())
        .await
        .expect("nothing");
    assert_eq!(g.member_limit, Some(10));
    let g = node
        .update_group(
            &alice,
            "rust",
            GroupUpdate {
                member_limit: Some(None),
                ..GroupUpdate::default()
            },
        )
        .await
        .expect("no limit");
    assert_eq!(g.member_limit, None);
    // A limit set later holds for the next join.
    node.update_group(
        &alice,
        "rust",
        GroupUpdate {
            member_limit: Some(Some(2)),
            join_mode: Some("open".into()),
            ..GroupUpdate::default()
        },
    )
    .await
    .expect("limit");
    let carol = member(node, "carol").await;
    let e = node.join_group(&carol, "rust").await.expect_err("full");
    assert_eq!(field_of(e), "member_limit");
    let parsed: GroupUpdate = serde_json::from_str(r#"{"member_limit": null}"#).expect("json");
    assert_eq!(parsed.member_limit, Some(None));
    let parsed: GroupUpdate = serde_json::from_str("{}").expect("json");
    assert_eq!(parsed.member_limit, None);
}

/// An account of another server, `name` at remote.example.
async fn remote_person(node: &crate::Node, name: &str) -> crate::model::Member {
    let id = format!("https://remote.example/users/{name}");
    node.upsert_remote_actor(crate::remote::RemoteActor {
        shared_inbox: Some("https://remote.example/inbox".into()),
        confirmed_handle: Some(format!("{name}@remote.example")),
        ..crate::remote::RemoteActor::person(&id, name)
    })
    .await
    .expect("remote")
}

/// The answers to Follows queued for other servers: (accepted, follower).
fn answers(node: &crate::Node) -> Vec<(bool, Id)> {
    use crate::remote::Outgoing;
    node.pending_outgoing(100)
        .expect("outbox")
        .into_iter()
        .filter_map(|(_, intent)| match intent {
            Outgoing::Accept { follower, .. } => Some((true, follower)),
            Outgoing::Reject { follower, .. } => Some((false, follower)),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_remote_follow_joins_a_group_under_its_rules() {
    use crate::remote::FollowOutcome;
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let open = node
        .create_group(&alice, new_group("rust"))
        .await
        .expect("group");
    let bob = remote_person(node, "bob").await;
    // An open group: a member at once, and an Accept for bob's server.
    let outcome = node
        .receive_follow(&bob, open.id, "https://remote.example/f/1")
        .await
        .expect("follow");
    assert_eq!(outcome, FollowOutcome::Accepted);
    assert_eq!(count(node, &alice, "rust"), 2);
    assert_eq!(answers(node), vec![(true, bob.id)]);

    // Banned: out, and told so; a new Follow is rejected.
    node.ban_group_member(&alice, "rust", "bob@remote.example", "spam")
        .await
        .expect("ban");
    assert_eq!(count(node, &alice, "rust"), 1);
    assert_eq!(answers(node).last(), Some(&(false, bob.id)));
    let outcome = node
        .receive_follow(&bob, open.id, "https://remote.example/f/2")
        .await
        .expect("follow");
    assert_eq!(outcome, FollowOutcome::Rejected);
    assert_eq!(count(node, &alice, "rust"), 1);

    // An approval group: a request the moderators answer; the answer is sent.
    let approval = node
        .create_group(&alice, with_mode("makers", "approval"))
        .await
        .expect("group");
    let carol = remote_person(node, "carol").await;
    let before = answers(node).len();
    let outcome = node
        .receive_follow(&carol, approval.id, "https://remote.example/f/3")
        .await
        .expect("follow");
    assert_eq!(outcome, FollowOutcome::Pending);
    assert_eq!(
        answers(node).len(),
        before,
        "no answer before the moderators'"
    );
    let requests = node
        .group_join_requests(&alice, "makers", &page())
        .expect("requests");
    assert_eq!(requests.items.len(), 1);
    node.approve_group_member(&alice, "makers", "carol@remote.example")
        .await
        .expect("approve");
    assert_eq!(answers(node).last(), Some(&(true, carol.id)));
    assert_eq!(count(node, &alice, "makers"), 2);

    // Invite-only without an invitation: rejected.
    let invite = node
        .create_group(&alice, with_mode("secret", "invite"))
        .await
        .expect("group");
    let dave = remote_person(node, "dave").await;
    let outcome = node
        .receive_follow(&dave, invite.id, "https://remote.example/f/4")
        .await
        .expect("follow");
    assert_eq!(outcome, FollowOutcome::Rejected);
    assert_eq!(answers(node).last(), Some(&(false, dave.id)));
    assert_eq!(count(node, &alice, "secret"), 1);
}

#[tokio::test]
async fn a_remote_follow_of_a_full_group_is_rejected() {
    use crate::remote::FollowOutcome;
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let g = node
        .create_group(
            &alice,
            NewGroup {
                member_limit: Some(2),
                ..new_group("small")
            },
        )
        .await
        .expect("group");
    let bob = remote_person(node, "bob").await;
    let carol = remote_person(node, "carol").await;
    let first = node
        .receive_follow(&bob, g.id, "https://remote.example/f/1")
        .await
        .expect("follow");
    let second = node
        .receive_follow(&carol, g.id, "https://remote.example/f/2")
        .await
        .expect("follow");
    assert_eq!(
        (first, second),
        (FollowOutcome::Accepted, FollowOutcome::Rejected)
    );
    assert_eq!(count(node, &alice, "small"), 2);
    assert_eq!(answers(node), vec![(true, bob.id), (false, carol.id)]);
}
