//! The federation bookkeeping of the node: intents written with actions,
//! the delivery queue and its back-off, domain blocks.

use crate::store::tables;

use crate::members::NewMember;
use crate::model::now_ms;
use crate::posts::NewPost;
use crate::remote::{DomainBlock, DomainSeverity, NewDelivery, Outgoing, RemoteActor};
use crate::test_support::{member, temp_node};
use crate::{Node, Viewer};

fn remote_actor(name: &str, host: &str) -> RemoteActor {
    let id = format!("https://{host}/users/{name}");
    RemoteActor {
        name: name.into(),
        shared_inbox: Some(format!("https://{host}/inbox")),
        followers: Some(format!("{id}/followers")),
        public_key_pem: "-----BEGIN PUBLIC KEY-----\n...".into(),
        confirmed_handle: Some(format!("{name}@{host}")),
        ..RemoteActor::person(&id, name)
    }
}

#[tokio::test]
async fn a_post_and_a_remote_follow_write_their_intents_atomically() {
    let (node, _dir) = temp_node();
    let alice = member(&node, "alice").await;
    let bob = node
        .upsert_remote_actor(remote_actor("bob", "remote.example"))
        .await
        .expect("remote");
    assert_eq!(bob.username, "bob@remote.example");
    assert!(!bob.is_local());
    assert_eq!(bob.did(), "", "no ed25519 key published");
    node.follow(&alice, "bob@remote.example")
        .await
        .expect("follow");
    let intents = |node: &Node| -> Vec<Outgoing> {
        node.pending_outgoing(10)
            .expect("outbox")
            .into_iter()
            .map(|(_, i)| i)
            .collect()
    };
    let new_post = |content: &str| NewPost {
        content: content.into(),
        ..NewPost::default()
    };
    // No remote follower yet: a post stays local, with no federation work.
    node.create_post(&alice, new_post("local"))
        .await
        .expect("post");
    let queued = intents(&node);
    assert_eq!(queued.len(), 1, "{queued:?}");
    assert!(matches!(queued[0], Outgoing::Follow { .. }), "{queued:?}");
    // bob follows alice: he gets an Accept, and her next post is for him.
    node.receive_follow(&bob, alice.id().expect("id"), "https://remote.example/f/1")
        .await
        .expect("remote follow");
    node.create_post(&alice, new_post("hi"))
        .await
        .expect("post");
    let queued = intents(&node);
    assert!(matches!(queued[1], Outgoing::Accept { .. }), "{queued:?}");
    assert!(matches!(queued[2], Outgoing::Create { .. }), "{queued:?}");
    // Until the Accept arrives the follow is a request.
    let rel = node
        .relationship(alice.id().expect("id"), bob.id)
        .expect("rel");
    assert!(rel.requested && !rel.following);
    assert!(node
        .receive_follow_accept(&bob, alice.id().expect("id"))
        .await
        .expect("accept"));
    let rel = node
        .relationship(alice.id().expect("id"), bob.id)
        .expect("rel");
    assert!(rel.following);
}

#[tokio::test]
async fn deliveries_wait_for_their_time_retry_later_and_record_the_server() {
    let (node, _dir) = temp_node();
    let (id, _) = {
        let x = node
            .upsert_remote_actor(remote_actor("x", "a.example"))
            .await
            .expect("remote");
        let alice = member(&node, "alice").await;
        node.receive_follow(&x, alice.id().expect("id"), "https://a.example/f/1")
            .await
            .expect("remote follow");
        node.pending_outgoing(1).expect("outbox").remove(0)
    };
    let new = |inbox: &str| NewDelivery {
        inbox: inbox.into(),
        signer: None,
        activity_id: "https://k.test/a/1".into(),
        body: "{}".into(),
    };
    node.expand_outgoing(
        id,
        vec![
            new("https://a.example/inbox"),
            new("https://b.example/inbox"),
        ],
    )
    .await
    .expect("expand");
    assert!(
        node.pending_outgoing(10).expect("outbox").is_empty(),
        "the intent is gone"
    );
    let due = node.due_deliveries(now_ms(), 10).expect("due");
    assert_eq!(due.len(), 2);
    assert_eq!(node.delivery_stats().expect("stats").queued, 2);

    node.delivery_succeeded(&due[0]).await.expect("ok");
    let later = now_ms() + 60_000;
    node.delivery_failed(&due[1], "HTTP 503", Some(later))
        .await
        .expect("failed");
    assert!(
        node.due_deliveries(now_ms(), 10).expect("due").is_empty(),
        "not due yet"
    );
    let waiting = node.due_deliveries(later, 10).expect("due");
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].attempts, 1);
    let stats = node.delivery_stats().expect("stats");
    assert_eq!(stats.queued, 1);
    assert_eq!(
        stats.instances, 2,
        "two servers known, counted as they appear"
    );
    assert_eq!(stats.unreachable, 0);
    let b = node
        .instance(&due[1].domain)
        .expect("state")
        .expect("known");
    assert_eq!(b.failures_in_a_row, 1);
    assert_eq!(b.last_error.as_deref(), Some("HTTP 503"));
    // "Retry now" makes it due at once; giving up empties the queue.
    assert_eq!(
        node.retry_domain_now(&due[1].domain).await.expect("retry"),
        1
    );
    let again = node.due_deliveries(now_ms(), 10).expect("due");
    assert_eq!(again.len(), 1);
    node.delivery_failed(&again[0], "gone", None)
        .await
        .expect("drop");
    assert_eq!(node.delivery_stats().expect("stats").queued, 0);
    assert_eq!(
        node.instance(&due[1].domain)
            .expect("state")
            .expect("known")
            .dropped,
        1
    );
}

#[tokio::test]
async fn domain_blocks_cover_subdomains_and_need_a_moderator() {
    let (node, _dir) = temp_node();
    let alice = member(&node, "alice").await;
    let block = DomainBlock {
        domain: "Evil.Example".into(),
        severity: DomainSeverity::Suspend,
        reject_media: false,
        public_comment: String::new(),
        private_comment: String::new(),
        created_at: 0,
    };
    assert!(
        node.block_domain(&alice, block.clone()).await.is_err(),
        "members may not"
    );
    let admin = node
        .member_by_id(alice.id().expect("id"))
        .expect("load")
        .map(|mut m| {
            m.role = crate::model::Role::Admin;
            Viewer::Member(Box::new(m))
        })
        .expect("member");
    node.block_domain(&admin, block).await.expect("block");
    assert!(node.is_domain_suspended("evil.example").expect("check"));
    assert!(node
        .is_domain_suspended("media.evil.example")
        .expect("check"));
    assert!(!node.is_domain_suspended("notevil.example").expect("check"));
    assert!(!node.is_domain_suspended("example").expect("check"));
    node.unblock_domain(&admin, "evil.example")
        .await
        .expect("unblock");
    assert!(!node.is_domain_suspended("evil.example").expect("check"));
}

#[test]
fn host_of_keeps_the_port_refuses_userinfo_and_reads_the_host_requests_reach() {
    use crate::remote::host_of;
    assert_eq!(
        host_of("https://Example.org/users/a").as_deref(),
        Some("example.org")
    );
    assert_eq!(
        host_of("http://localhost:8080/x").as_deref(),
        Some("localhost:8080")
    );
    assert_eq!(host_of("https://u@evil.example#x"), None);
    // `\` is a path separator to every HTTP client: the host is `evil`.
    assert_eq!(
        host_of("http://evil:8080\\@victim.example/users/gargron").as_deref(),
        Some("evil:8080")
    );
    assert_eq!(host_of("ftp://x"), None);
    assert_eq!(host_of("https://"), None);
}

#[tokio::test]
async fn a_remote_account_deleting_itself_is_logged_as_an_automatic_action() {
    let (node, _dir) = temp_node();
    let admin = node
        .create_member(
            NewMember {
                username: "root".into(),
                email: "root@k.test".into(),
                password: "password123".into(),
                ..NewMember::default()
            },
            crate::model::Role::Admin,
        )
        .await
        .expect("admin");
    let admin = Viewer::Member(Box::new(admin));
    let gone = node
        .upsert_remote_actor(remote_actor("leaver", "far.example"))
        .await
        .expect("actor");
    node.receive_actor_delete(&gone).await.expect("delete");
    let log = node
        .audit_log(
            &admin,
            crate::moderation::AuditFilter::Automatic,
            &crate::PageRequest::default(),
        )
        .expect("log");
    assert_eq!(log.items.len(), 1);
    assert_eq!(log.items[0].action, "remote_account.deleted");
    assert_eq!(log.items[0].actor, "system");
    assert!(log.items[0].target.starts_with("leaver@far.example"));
}

#[tokio::test]
async fn two_fetches_of_a_new_actor_at_once_make_one_account() {
    let (node, _dir) = temp_node();
    let (first, second) = tokio::join!(
        node.upsert_remote_actor(remote_actor("twin", "remote.example")),
        node.upsert_remote_actor(remote_actor("twin", "remote.example")),
    );
    let (first, second) = (first.expect("first"), second.expect("second"));
    assert_eq!(first.id, second.id, "one account, not twins");
    let known = node
        .find_member("twin@remote.example")
        .expect("find")
        .expect("known");
    assert_eq!(known.id, first.id);
}

fn remote_post(uri: &str) -> crate::remote::RemotePost {
    crate::remote::RemotePost {
        tags: vec!["intake".into()],
        ..crate::remote::RemotePost::public(uri, "<p>hello</p>", now_ms())
    }
}

#[tokio::test]
async fn remote_posts_received_at_once_are_stored_once_each_and_all_answered() {
    let (node, _dir) = temp_node();
    let author = node
        .upsert_remote_actor(remote_actor("busy", "remote.example"))
        .await
        .expect("author");
    // 60 requests at once for 20 posts: each uri three times.
    let tasks: Vec<_> = (0..60)
        .map(|i| {
            let (node, author) = (node.clone(), author.clone());
            let uri = format!("https://remote.example/notes/{}", i % 20);
            tokio::spawn(async move {
                let id = node.receive_post(&author, remote_post(&uri)).await;
                (uri, id)
            })
        })
        .collect();
    let mut ids: std::collections::HashMap<String, crate::Id> = Default::default();
    for task in tasks {
        let (uri, id) = task.await.expect("task");
        let id = id.expect("stored");
        let first = *ids.entry(uri.clone()).or_insert(id);
        assert_eq!(first, id, "every copy of {uri} answers the same post");
        assert_eq!(node.post_id_by_uri(&uri).expect("read"), Some(id));
        let post = node.post_record(id).expect("read").expect("stored");
        assert_eq!(post.remote.map(|r| r.uri), Some(uri));
    }
    assert_eq!(ids.len(), 20);
    let counted = node
        .store
        .counter::<tables::PostCount>(author.id)
        .expect("counter");
    assert_eq!(counted, 20, "each post counted once");
    // A later copy is a duplicate too.
    let again = node
        .receive_post(&author, remote_post("https://remote.example/notes/7"))
        .await
        .expect("again");
    assert_eq!(Some(&again), ids.get("https://remote.example/notes/7"));
}

#[tokio::test]
async fn a_handle_binds_only_when_confirmed_and_moves_only_when_confirmed_again() {
    let (node, _dir) = temp_node();
    let first = node
        .upsert_remote_actor(remote_actor("boss", "h.example"))
        .await
        .expect("first");
    assert_eq!(
        node.find_member("boss@h.example")
            .expect("find")
            .map(|m| m.id),
        Some(first.id)
    );
    // Another actor on the same host claims the name, unconfirmed.
    let mut impostor = remote_actor("boss", "h.example");
    impostor.actor_id = "https://h.example/users/other".into();
    impostor.inbox = "https://h.example/users/other/inbox".into();
    impostor.key_id = "https://h.example/users/other#main-key".into();
    impostor.confirmed_handle = None;
    let second = node
        .upsert_remote_actor(impostor.clone())
        .await
        .expect("second");
    assert_ne!(second.id, first.id);
    assert!(!second.remote.as_ref().expect("remote").handle_confirmed);
    assert_eq!(
        node.find_member("BOSS@h.example")
            .expect("find")
            .map(|m| m.id),
        Some(first.id),
        "an unconfirmed document never takes a handle"
    );
    // The first is refreshed while WebFinger is down: it keeps its handle.
    let mut refresh = remote_actor("boss", "h.example");
    refresh.confirmed_handle = None;
    let again = node.upsert_remote_actor(refresh).await.expect("refresh");
    assert!(again.remote.as_ref().expect("remote").handle_confirmed);
    assert_eq!(
        node.find_member("boss@h.example")
            .expect("find")
            .map(|m| m.id),
        Some(first.id)
    );
    // WebFinger on h.example now names the other actor: the handle moves.
    impostor.confirmed_handle = Some("boss@h.example".into());
    node.upsert_remote_actor(impostor).await.expect("moved");
    assert_eq!(
        node.find_member("boss@h.example")
            .expect("find")
            .map(|m| m.id),
        Some(second.id)
    );
    let old = node.member_by_id(first.id).expect("load").expect("kept");
    assert!(!old.remote.expect("remote").handle_confirmed);
    // A confirmed handle must be a handle on a normalised domain.
    let mut odd = remote_actor("x", "h.example");
    odd.confirmed_handle = Some("x@H.Example".into());
    assert!(node.upsert_remote_actor(odd).await.is_err());
}

#[tokio::test]
async fn an_ed25519_key_belongs_to_the_first_identity_that_proved_it() {
    let (node, _dir) = temp_node();
    let alice = member(&node, "alice").await;
    let alice_key = alice.member().expect("member").keys.ed25519_public;

    // A remote actor copies a local member's key (even claiming a proof).
    let mut copycat = remote_actor("copycat", "evil.example");
    copycat.ed25519 = Some(alice_key);
    copycat.ed25519_proven = true;
    let copycat = node.upsert_remote_actor(copycat).await.expect("stored");
    assert!(!copycat.remote.as_ref().expect("remote").has_ed25519);
    assert_eq!(copycat.did(), "", "the impostor shows no did");
    assert_ne!(copycat.keys.ed25519_public, alice_key);
    assert_eq!(
        node.member_by_key(&alice_key).expect("key").map(|m| m.id),
        alice.id()
    );
    let rep = node
        .reputation_of("copycat@evil.example")
        .expect("reputation");
    assert_eq!(rep.did, "");
    assert!(node
        .attest(&alice, "copycat@evil.example", "rust", "")
        .await
        .is_err());

    // A fresh key named without a proof is not bound either.
    let key = identity::Ed25519Keypair::generate().public();
    let mut unproven = remote_actor("ann", "a.example");
    unproven.ed25519 = Some(key);
    let ann = node
        .upsert_remote_actor(unproven.clone())
        .await
        .expect("ann");
    assert!(!ann.remote.as_ref().expect("remote").has_ed25519);
    assert!(node.member_by_key(&key).expect("key").is_none());
    // With its proof it is.
    unproven.ed25519_proven = true;
    let ann = node
        .upsert_remote_actor(unproven)
        .await
        .expect("ann proven");
    assert!(ann.remote.as_ref().expect("remote").has_ed25519);
    assert_eq!(ann.did(), key.to_did_key());
    // A second actor that proves the same key (a copied document) is refused.
    let mut twin = remote_actor("twin", "b.example");
    twin.ed25519 = Some(key);
    twin.ed25519_proven = true;
    let twin = node.upsert_remote_actor(twin).await.expect("twin");
    assert!(!twin.remote.as_ref().expect("remote").has_ed25519);
    assert_eq!(
        node.member_by_key(&key).expect("key").map(|m| m.id),
        Some(ann.id)
    );
}
