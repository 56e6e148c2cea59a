//! Settings, audit log, reports, member moderation and dashboard figures.

use crate::model::{MemberStatus, Role};
use crate::moderation::{
    AuditFilter, MemberAction, NewReport, NodeSettings, ReportAction, ReportState,
};
use crate::posts::NewPost;
use crate::test_support::{new_member, temp_node};
use crate::{Node, NodeConfig, NodeError, PageRequest, RegistrationMode, Viewer};

async fn with_role(node: &Node, name: &str, role: Role) -> Viewer {
    let m = node
        .create_member(new_member(name), role)
        .await
        .expect("create");
    Viewer::Member(Box::new(m))
}

fn public(text: &str) -> NewPost {
    NewPost {
        content: text.into(),
        ..NewPost::default()
    }
}

#[tokio::test]
async fn settings_need_an_admin_apply_at_once_survive_a_restart_and_are_audited() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let node = Node::open(NodeConfig::new(dir.path(), "k.test")).expect("open");
        let admin = with_role(&node, "root", Role::Admin).await;
        let moderator = with_role(&node, "mod", Role::Moderator).await;
        assert_eq!(
            node.settings().name,
            "k.test",
            "config gives the first values"
        );
        let wanted = NodeSettings {
            name: "Makers".into(),
            description: "A place for makers".into(),
            rules: vec!["Be kind".into(), "  ".into(), "No spam".into()],
            registration: RegistrationMode::Closed,
            ..node.settings()
        };
        assert!(matches!(
            node.update_settings(&moderator, wanted.clone()).await,
            Err(NodeError::Forbidden(_))
        ));
        let bad = NodeSettings {
            contact_email: "not-an-address".into(),
            ..wanted.clone()
        };
        match node.update_settings(&admin, bad).await {
            Err(NodeError::Invalid { field, .. }) => assert_eq!(field, "contact_email"),
            other => panic!("expected invalid contact_email, got {other:?}"),
        }
        assert_eq!(
            node.settings().name,
            "k.test",
            "a refused change changes nothing"
        );
        let saved = node.update_settings(&admin, wanted).await.expect("save");
        assert_eq!(
            saved.rules,
            vec!["Be kind", "No spam"],
            "blank rules dropped"
        );
        assert!(matches!(
            node.register(new_member("late")).await,
            Err(NodeError::Forbidden(_))
        ));
        let log = node
            .audit_log(&admin, AuditFilter::All, &PageRequest::default())
            .expect("log");
        assert_eq!(log.items.len(), 1);
        assert_eq!(log.items[0].action, "settings.update");
        assert_eq!(log.items[0].actor, "root");
        assert!(log.items[0].detail.contains("registration"));
        node.flush().expect("flush");
    }
    let node = Node::open(NodeConfig::new(dir.path(), "k.test")).expect("reopen");
    assert_eq!(node.settings().name, "Makers");
    assert_eq!(node.registration_mode(), RegistrationMode::Closed);
}

#[tokio::test]
async fn a_report_resolved_with_suspend_hides_the_account_and_leaves_the_queue() {
    let (node, _dir) = temp_node();
    let admin = with_role(&node, "root", Role::Admin).await;
    let alice = with_role(&node, "alice", Role::Member).await;
    let spammer = with_role(&node, "spammer", Role::Member).await;
    let post = node
        .create_post(&spammer, public("buy now"))
        .await
        .expect("post");
    let spammer_id = spammer.id().expect("id");

    match node
        .create_report(
            &alice,
            NewReport {
                target_id: spammer_id,
                post_ids: vec![alice.id().expect("id")],
                comment: "spam".into(),
                category: None,
                forward: false,
            },
        )
        .await
    {
        Err(NodeError::Invalid { field, .. }) => assert_eq!(field, "status_ids"),
        other => panic!("a post by someone else must be refused: {other:?}"),
    }
    let report = node
        .create_report(
            &alice,
            NewReport {
                target_id: spammer_id,
                post_ids: vec![post.id],
                comment: "spam".into(),
                category: Some("spam".into()),
                forward: false,
            },
        )
        .await
        .expect("report");
    assert_eq!(node.open_report_count().expect("count"), 1);
    assert!(matches!(
        node.reports(&alice, true, &PageRequest::default()),
        Err(NodeError::Forbidden(_))
    ));
    let open = node
        .reports(&admin, true, &PageRequest::default())
        .expect("queue");
    assert_eq!(open.items.len(), 1);

    let resolved = node
        .resolve_report(&admin, report.id, ReportAction::Suspend, "clear spam")
        .await
        .expect("resolve");
    assert_eq!(resolved.state, ReportState::Resolved);
    assert_eq!(resolved.notes.len(), 1);
    assert_eq!(node.open_report_count().expect("count"), 0);
    assert!(node
        .reports(&admin, true, &PageRequest::default())
        .expect("queue")
        .items
        .is_empty());
    assert!(matches!(
        node.post(&Viewer::Anonymous, post.id),
        Err(NodeError::NotFound(_))
    ));
    assert!(matches!(
        node.resolve_report(&admin, report.id, ReportAction::Dismiss, "")
            .await,
        Err(NodeError::Conflict { .. })
    ));
    let log = node
        .audit_log(&admin, AuditFilter::All, &PageRequest::default())
        .expect("log");
    let actions: Vec<_> = log.items.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["report.resolve", "member.suspend"]);
}

#[tokio::test]
async fn moderators_act_below_their_role_and_silence_keeps_posts_from_public_listings() {
    let (node, _dir) = temp_node();
    let admin = with_role(&node, "root", Role::Admin).await;
    let moderator = with_role(&node, "mod", Role::Moderator).await;
    let loud = with_role(&node, "loud", Role::Member).await;
    let fan = with_role(&node, "fan", Role::Member).await;
    node.follow(&fan, "loud").await.expect("follow");
    node.create_post(&loud, public("hello everyone"))
        .await
        .expect("post");

    assert!(matches!(
        node.moderate_member(
            &moderator,
            admin.id().expect("id"),
            MemberAction::Suspend,
            ""
        )
        .await,
        Err(NodeError::Forbidden(_))
    ));
    assert!(matches!(
        node.moderate_member(
            &moderator,
            loud.id().expect("id"),
            MemberAction::SetRole(Role::Admin),
            ""
        )
        .await,
        Err(NodeError::Forbidden(_))
    ));
    node.moderate_member(
        &moderator,
        loud.id().expect("id"),
        MemberAction::Silence,
        "noise",
    )
    .await
    .expect("silence");
    let anonymous = node
        .local_feed(&Viewer::Anonymous, &PageRequest::default())
        .expect("feed");
    assert!(
        anonymous.items.is_empty(),
        "silenced posts leave public listings"
    );
    let follower = node
        .local_feed(&fan, &PageRequest::default())
        .expect("feed");
    assert_eq!(follower.items.len(), 1, "followers still see them");

    let reset = node
        .moderate_member(
            &admin,
            loud.id().expect("id"),
            MemberAction::ResetPassword,
            "",
        )
        .await
        .expect("reset");
    let password = reset.temporary_password.expect("a new password");
    node.verify_login("loud", &password)
        .await
        .expect("new password works");
    assert!(node.verify_login("loud", "password123").await.is_err());

    node.moderate_member(&admin, loud.id().expect("id"), MemberAction::Delete, "")
        .await
        .expect("delete");
    let gone = node
        .admin_member(&admin, loud.id().expect("id"))
        .expect("member");
    assert_eq!(gone.status, MemberStatus::Suspended);
    assert!(gone.deleted_at.is_some());
    assert!(node
        .local_feed(&fan, &PageRequest::default())
        .expect("feed")
        .items
        .is_empty());
    assert_eq!(
        node.stats().expect("stats").posts,
        0,
        "their posts are deleted"
    );
}

#[tokio::test]
async fn the_dashboard_counts_registrations_posts_and_distinct_active_members() {
    let (node, _dir) = temp_node();
    let admin = with_role(&node, "root", Role::Admin).await;
    let alice = with_role(&node, "alice", Role::Member).await;
    for i in 0..3 {
        node.create_post(&alice, public(&format!("post {i}")))
            .await
            .expect("post");
    }
    node.create_post(&admin, public("from the admin"))
        .await
        .expect("post");
    assert!(matches!(
        node.dashboard(&alice),
        Err(NodeError::Forbidden(_))
    ));
    let d = node.dashboard(&admin).expect("dashboard");
    assert_eq!(d.members, 2);
    assert_eq!(d.posts, 4);
    assert_eq!(d.registrations.values.len(), crate::moderation::CHART_DAYS);
    assert_eq!(d.registrations.values.last(), Some(&2));
    assert_eq!(d.posts_per_day.values.last(), Some(&4));
    assert_eq!(
        d.active_7d, 2,
        "each member counted once however often they post"
    );
    assert_eq!(d.active_30d, 2);
}

#[tokio::test]
async fn command_line_actions_are_audited_as_the_operator_not_as_automatic() {
    let (node, _dir) = temp_node();
    let admin = with_role(&node, "root", Role::Admin).await;
    with_role(&node, "alice", Role::Member).await;
    node.run_admin(crate::admin::AdminCommand::Suspend {
        username: "alice".into(),
        undo: false,
    })
    .await
    .expect("suspend");
    let all = node
        .audit_log(&admin, AuditFilter::All, &PageRequest::default())
        .expect("log");
    assert_eq!(all.items.len(), 1);
    assert_eq!(all.items[0].action, "member.suspend");
    assert_eq!(all.items[0].target, "alice");
    assert_eq!(all.items[0].actor, super::audit::OPERATOR);
    assert!(node
        .audit_log(&admin, AuditFilter::Automatic, &PageRequest::default())
        .expect("log")
        .items
        .is_empty());
}

#[tokio::test]
async fn moderators_keep_a_gossip_peer_blocklist() {
    let (node, _dir) = temp_node();
    let moderator = with_role(&node, "mod", Role::Moderator).await;
    let member = with_role(&node, "alice", Role::Member).await;
    let peer = "12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo";
    assert!(matches!(
        node.block_peer(&member, peer, "spam").await,
        Err(NodeError::Forbidden(_))
    ));
    match node.block_peer(&moderator, "not/a peer", "").await {
        Err(NodeError::Invalid { field, .. }) => assert_eq!(field, "peer_id"),
        other => panic!("expected invalid peer_id, got {other:?}"),
    }
    node.block_peer(&moderator, peer, "floods invalid records")
        .await
        .expect("block");
    let blocked = node.blocked_peers().expect("list");
    assert_eq!(blocked.len(), 1);
    assert_eq!(blocked[0].peer_id, peer);
    node.unblock_peer(&moderator, peer).await.expect("unblock");
    assert!(node.blocked_peers().expect("list").is_empty());
    assert!(matches!(
        node.unblock_peer(&moderator, peer).await,
        Err(NodeError::NotFound(_))
    ));
}
