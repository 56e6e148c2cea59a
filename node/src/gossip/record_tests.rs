//! Node-level tests of the record kinds besides posts: edits, deletes,
//! follows, profiles, attestations, and accounts followed by did:key.

use identity::Ed25519Keypair;
use protocol::envelope::{Envelope, Kind};
use serde_json::{Map, Value};

use super::tests::{accept, body, envelope, open, remote_actor, remote_key, Ctx};
use super::{
    Accepted, AttestationBody, DeleteBody, FollowBody, GossipIntent, ProfileBody, Refusal,
};
use crate::model::{now_ms, Member};
use crate::test_support::new_member;
use crate::{Node, PageRequest, Viewer};

fn signed(key: &Ed25519Keypair, kind: Kind, created: i64, body: Map<String, Value>) -> Envelope {
    Envelope::sign(key, kind, created, None, body).expect("sign")
}

async fn member(node: &Node, name: &str) -> Member {
    node.register(new_member(name)).await.expect("register")
}

fn viewer(m: &Member) -> Viewer {
    Viewer::Member(Box::new(m.clone()))
}

async fn accept_as(node: &Node, e: &Envelope, kind: Kind) -> Result<Accepted, Refusal> {
    node.accept_envelopes_as(&[e.bytes.as_slice()], Some(&[kind]), &Ctx(node))
        .await
        .expect("accept")
        .remove(0)
}

#[tokio::test]
async fn edits_and_deletes_apply_in_created_order_and_a_deleted_post_stays_gone() {
    let f = open(false);
    let key = remote_key();
    remote_actor(&f.node, Some(key.public())).await;
    let post = envelope(&key, 1);
    assert!(matches!(
        accept(&f.node, &[&post]).await[0],
        Ok(Accepted::Stored { .. })
    ));
    let uri = body(1).uri;
    let id = f.node.post_id_by_uri(&uri).expect("uri").expect("stored");

    let mut edited = body(1);
    edited.html = "<p>edited</p>".into();
    let newer = signed(&key, Kind::Edit, now_ms(), edited.to_map());
    let mut stale = body(1);
    stale.html = "<p>stale</p>".into();
    let older = signed(&key, Kind::Edit, now_ms() - 100_000, stale.to_map());
    assert!(matches!(
        accept(&f.node, &[&newer]).await[0],
        Ok(Accepted::Stored { .. })
    ));
    assert!(matches!(
        accept(&f.node, &[&older]).await[0],
        Ok(Accepted::Stored { .. })
    ));
    let post_now = f.node.post_record(id).expect("read").expect("post");
    assert_eq!(
        post_now.html, "<p>edited</p>",
        "the older edit changed nothing"
    );
    assert!(post_now.edited_at.is_some());

    // Another key may not edit or delete ana's post.
    let mallory = Ed25519Keypair::from_secret_bytes(&[7u8; 32]);
    let forged = signed(&mallory, Kind::Edit, now_ms(), edited.to_map());
    assert_eq!(accept(&f.node, &[&forged]).await[0], Err(Refusal::WrongKey));

    let delete = DeleteBody {
        actor: body(1).actor,
        uri: Some(uri.clone()),
        attestation: None,
    };
    let del = signed(&key, Kind::Delete, now_ms(), delete.to_map());
    assert!(matches!(
        accept(&f.node, &[&del]).await[0],
        Ok(Accepted::Stored { .. })
    ));
    assert!(f.node.post_record(id).expect("read").is_none(), "deleted");
    // A copy of the post signed again (another envelope) does not return.
    let again = signed(&key, Kind::Post, now_ms() - 50, body(1).to_map());
    assert!(matches!(
        accept(&f.node, &[&again]).await[0],
        Ok(Accepted::Stored { post: None, .. })
    ));
    assert!(f.node.post_id_by_uri(&uri).expect("uri").is_none());
}

#[tokio::test]
async fn an_edit_of_a_post_never_received_creates_it() {
    let f = open(false);
    let key = remote_key();
    remote_actor(&f.node, Some(key.public())).await;
    let e = signed(&key, Kind::Edit, now_ms(), body(5).to_map());
    let out = accept(&f.node, &[&e]).await;
    assert!(
        matches!(out[0], Ok(Accepted::Stored { post: Some(_), .. })),
        "{out:?}"
    );
}

#[tokio::test]
async fn a_record_on_another_kinds_topic_is_refused_as_invalid() {
    let f = open(false);
    let key = remote_key();
    remote_actor(&f.node, Some(key.public())).await;
    let post = envelope(&key, 1);
    let out = accept_as(&f.node, &post, Kind::Profile).await;
    assert_eq!(out, Err(Refusal::WrongTopic(Kind::Post)));
    assert!(out.is_err_and(|r| r.is_invalid()));
    assert!(matches!(
        accept_as(&f.node, &post, Kind::Post).await,
        Ok(Accepted::Stored { .. })
    ));
}

#[tokio::test]
async fn a_follow_record_of_a_local_member_answers_like_an_activitypub_follow() {
    let f = open(false);
    let key = remote_key();
    remote_actor(&f.node, Some(key.public())).await;
    let alice = member(&f.node, "alice").await;
    let follow = FollowBody {
        actor: body(1).actor,
        subject: alice.keys.ed25519_public.to_did_key(),
        subject_actor: f.node.urls().actor("alice"),
        activity: "https://far.test/follows/1".into(),
    };
    let t = now_ms();
    let followed = signed(&key, Kind::Follow, t - 2000, follow.to_map());
    let unfollowed = signed(&key, Kind::Unfollow, t - 1000, follow.to_map());
    assert!(matches!(
        accept(&f.node, &[&followed]).await[0],
        Ok(Accepted::Stored { .. })
    ));
    let followers = f
        .node
        .followers(&Viewer::Anonymous, "alice", &PageRequest::default())
        .expect("followers");
    assert_eq!(followers.items.len(), 1);
    assert_eq!(followers.items[0].username, "ana@far.test");
    assert_eq!(
        f.node
            .gossip_follower_count(&alice.keys.ed25519_public)
            .expect("count"),
        1
    );

    assert!(matches!(
        accept(&f.node, &[&unfollowed]).await[0],
        Ok(Accepted::Stored { .. })
    ));
    // A follow older than the unfollow, arriving late, changes nothing.
    let late = signed(&key, Kind::Follow, t - 1500, follow.to_map());
    accept(&f.node, &[&late]).await;
    let followers = f
        .node
        .followers(&Viewer::Anonymous, "alice", &PageRequest::default())
        .expect("followers");
    assert!(followers.items.is_empty());
    assert_eq!(
        f.node
            .gossip_follower_count(&alice.keys.ed25519_public)
            .expect("count"),
        0
    );
}

#[tokio::test]
async fn following_a_did_key_takes_its_records_without_its_server() {
    let f = open(true);
    let alice = member(&f.node, "alice").await;
    let zed = Ed25519Keypair::from_secret_bytes(&[42u8; 32]);
    let did = zed.public().to_did_key();
    let actor = "https://gone.test/users/zed";

    // Records of an unknown key naming an unknown actor wait for the actor.
    let mut post = body(1);
    post.actor = actor.into();
    post.uri = format!("{actor}/statuses/1");
    post.url = "https://gone.test/@zed/1".into();
    let early = signed(&zed, Kind::Post, now_ms() - 10, post.to_map());
    assert_eq!(
        accept(&f.node, &[&early]).await[0],
        Err(Refusal::UnknownAuthor(actor.into()))
    );

    let rel = f.node.follow(&viewer(&alice), &did).await.expect("follow");
    assert!(rel.following, "followed at once, by key");
    assert!(
        f.node
            .pending_gossip(10)
            .expect("pending")
            .iter()
            .any(|(_, i)| matches!(i, GossipIntent::Follow { .. })),
        "the follow is published"
    );
    let profile = ProfileBody {
        actor: actor.into(),
        handle: "zed@gone.test".into(),
        name: "Zed".into(),
        summary: "<p>hi</p><script>".into(),
        avatar: String::new(),
        url: "https://gone.test/@zed".into(),
        inbox: format!("{actor}/inbox"),
        shared_inbox: Some("https://elsewhere.test/inbox".into()),
        locked: false,
    };
    let p = signed(&zed, Kind::Profile, now_ms() - 20, profile.to_map());
    let out = f
        .node
        .accept_envelopes(&[p.bytes.as_slice(), early.bytes.as_slice()], &Ctx(&f.node))
        .await
        .expect("accept");
    assert!(out.iter().all(|o| o.is_ok()), "{out:?}");
    // A signed profile shows a handle but does not bind it: only WebFinger
    // on gone.test could say that zed@gone.test is this key's account.
    assert!(
        f.node.find_member("zed@gone.test").expect("find").is_none(),
        "a handle is not bound by a gossip record"
    );
    let z = f
        .node
        .find_member(&did)
        .expect("find")
        .expect("known by its did:key");
    assert_eq!(z.username, "zed@gone.test", "shown by its handle");
    assert_eq!(z.profile.full_name, "Zed");
    assert_eq!(z.profile.bio.about, "<p>hi</p>", "sanitised");
    let remote = z.remote.clone().expect("remote");
    assert!(remote.gossip_only);
    assert_eq!(
        remote.shared_inbox, None,
        "an inbox on another host is not taken"
    );
    assert_eq!(
        f.node.find_member(&did).expect("find").map(|m| m.id),
        Some(z.id)
    );
    let home = f
        .node
        .home_feed(&viewer(&alice), &PageRequest::default())
        .expect("home");
    assert_eq!(home.items.len(), 1, "zed's post is in alice's home feed");

    // An account no server vouched for does not become alice's follower
    // (followers-only posts would go to the inbox it claims).
    let follow = FollowBody {
        actor: actor.into(),
        subject: alice.keys.ed25519_public.to_did_key(),
        subject_actor: f.node.urls().actor("alice"),
        activity: format!("{actor}#follows/1"),
    };
    let fe = signed(&zed, Kind::Follow, now_ms(), follow.to_map());
    assert!(accept(&f.node, &[&fe]).await[0].is_ok());
    let followers = f
        .node
        .followers(&Viewer::Anonymous, "alice", &PageRequest::default())
        .expect("followers");
    assert!(followers.items.is_empty(), "{:?}", followers.items);

    // Once the server answers with another key, what that key said goes.
    let other = Ed25519Keypair::from_secret_bytes(&[43u8; 32]);
    f.node
        .upsert_remote_actor(crate::remote::RemoteActor {
            name: "Real Zed".into(),
            url: "https://gone.test/@zed".into(),
            ed25519: Some(other.public()),
            ed25519_proven: true,
            ..crate::remote::RemoteActor::person(actor, "zed")
        })
        .await
        .expect("upsert");
    let home = f
        .node
        .home_feed(&viewer(&alice), &PageRequest::default())
        .expect("home");
    assert!(home.items.is_empty(), "the impostor's post is dropped");
    let following = f
        .node
        .following(&Viewer::Anonymous, "alice", &PageRequest::default())
        .expect("following");
    assert!(
        following.items.is_empty(),
        "alice followed the key, not the actor that disowned it: {:?}",
        following.items
    );
    assert!(f.node.member_by_key(&zed.public()).expect("key").is_none());
    let mut later = body(2);
    later.actor = actor.into();
    later.uri = format!("{actor}/statuses/2");
    let e = signed(&zed, Kind::Post, now_ms(), later.to_map());
    assert_eq!(accept(&f.node, &[&e]).await[0], Err(Refusal::WrongKey));
}

#[tokio::test]
async fn attestations_are_signed_verifiable_replaced_and_withdrawn() {
    let f = open(true);
    let key = remote_key();
    remote_actor(&f.node, Some(key.public())).await;
    let alice = member(&f.node, "alice").await;
    let bob = member(&f.node, "bob").await;

    let err = f.node.attest(&viewer(&alice), "alice", "rust", "").await;
    assert!(err.is_err(), "no attesting about oneself");
    let err = f.node.attest(&viewer(&alice), "bob", "Rust!", "").await;
    assert!(matches!(err, Err(crate::NodeError::Invalid { ref field, .. }) if field == "claim"));

    let view = f
        .node
        .attest(&viewer(&alice), "bob", "rust", "wrote our parser")
        .await
        .expect("attest");
    let id = protocol::envelope::id_from_hex(&view.id).expect("hex id");
    let bytes = f.node.envelope_bytes(&id).expect("read").expect("stored");
    let verified = Envelope::verify(&bytes, now_ms()).expect("verifies offline");
    assert_eq!(verified.author, alice.keys.ed25519_public);
    assert_eq!(verified.kind, Kind::Attestation);
    assert!(f
        .node
        .pending_gossip(10)
        .expect("pending")
        .iter()
        .any(|(_, i)| matches!(i, GossipIntent::Broadcast { envelope } if *envelope == id)));

    // ana (remote) attests twice about bob; the newer replaces the older.
    let about_bob = |comment: &str| AttestationBody {
        actor: body(1).actor,
        subject: bob.keys.ed25519_public.to_did_key(),
        subject_actor: f.node.urls().actor("bob"),
        claim: "rust".into(),
        comment: comment.into(),
        kind: None,
        group: None,
    };
    let old = signed(
        &key,
        Kind::Attestation,
        now_ms() - 5000,
        about_bob("old").to_map(),
    );
    let new = signed(
        &key,
        Kind::Attestation,
        now_ms() - 1000,
        about_bob("new").to_map(),
    );
    let out = accept(&f.node, &[&new, &old]).await;
    assert!(out.iter().all(|o| o.is_ok()), "{out:?}");
    let rep = f.node.reputation_of("bob").expect("reputation");
    assert_eq!(rep.attestations.len(), 2);
    assert_eq!(rep.claims.len(), 1);
    assert_eq!(rep.claims[0].attesters, 2);
    assert!(
        (rep.score - 2.0).abs() < 1e-9,
        "two full-weight attesters: {}",
        rep.score
    );
    assert!(rep.attestations.iter().any(|a| a.comment == "new"));
    assert!(!rep.attestations.iter().any(|a| a.comment == "old"));
    // The same by did:key.
    let by_did = f
        .node
        .reputation_of(&bob.keys.ed25519_public.to_did_key())
        .expect("by did");
    assert_eq!(by_did.attestations.len(), 2);

    // Withdrawn by ana's signed delete; a delete by another key does nothing.
    let ana_id = rep
        .attestations
        .iter()
        .find(|a| a.comment == "new")
        .map(|a| a.id.clone())
        .expect("ana's");
    let withdraw = DeleteBody {
        actor: body(1).actor,
        uri: None,
        attestation: Some(ana_id.clone()),
    };
    let mallory = Ed25519Keypair::from_secret_bytes(&[7u8; 32]);
    let forged = signed(&mallory, Kind::Delete, now_ms(), withdraw.to_map());
    assert!(accept(&f.node, &[&forged]).await[0].is_err());
    assert_eq!(
        f.node.reputation_of("bob").expect("rep").attestations.len(),
        2
    );
    let real = signed(&key, Kind::Delete, now_ms(), withdraw.to_map());
    assert!(accept(&f.node, &[&real]).await[0].is_ok());
    assert_eq!(
        f.node.reputation_of("bob").expect("rep").attestations.len(),
        1
    );

    f.node
        .withdraw_attestation(&viewer(&alice), "bob", "rust")
        .await
        .expect("withdraw");
    assert!(f
        .node
        .reputation_of("bob")
        .expect("rep")
        .attestations
        .is_empty());
}

#[tokio::test]
async fn local_edits_deletes_profiles_and_follows_write_gossip_intents() {
    let f = open(true);
    let alice = member(&f.node, "alice").await;
    member(&f.node, "bob").await;
    let post = f
        .node
        .create_post(
            &viewer(&alice),
            crate::posts::NewPost {
                content: "hi".into(),
                ..Default::default()
            },
        )
        .await
        .expect("post");
    f.node
        .edit_post(
            &viewer(&alice),
            post.id,
            crate::posts::PostEdit {
                content: Some("hello".into()),
                ..Default::default()
            },
        )
        .await
        .expect("edit");
    f.node
        .delete_post(&viewer(&alice), post.id)
        .await
        .expect("delete");
    f.node
        .update_profile(
            &viewer(&alice),
            crate::model::ProfileUpdate {
                full_name: Some("Alice".into()),
                ..Default::default()
            },
        )
        .await
        .expect("profile");
    f.node.follow(&viewer(&alice), "bob").await.expect("follow");
    f.node
        .unfollow(&viewer(&alice), "bob")
        .await
        .expect("unfollow");
    let kinds: Vec<&'static str> = f
        .node
        .pending_gossip(20)
        .expect("pending")
        .iter()
        .map(|(_, i)| match i {
            GossipIntent::Post { .. } => "post",
            GossipIntent::Edit { .. } => "edit",
            GossipIntent::DeletePost { .. } => "delete",
            GossipIntent::Profile { .. } => "profile",
            GossipIntent::Follow { .. } => "follow",
            GossipIntent::Unfollow { .. } => "unfollow",
            GossipIntent::Broadcast { .. } => "broadcast",
        })
        .collect();
    assert_eq!(
        kinds,
        ["post", "edit", "delete", "profile", "follow", "unfollow"]
    );
}

#[tokio::test]
async fn records_of_an_unknown_author_are_parked_relayed_and_applied_once_followed() {
    let f = open(false);
    let alice = member(&f.node, "alice").await;
    let zed = Ed25519Keypair::from_secret_bytes(&[44u8; 32]);
    let mut post = body(1);
    post.actor = "https://down.test/users/zed".into();
    post.uri = "https://down.test/users/zed/statuses/1".into();
    let e = signed(&zed, Kind::Post, now_ms() - 10, post.to_map());
    let forged = {
        let mut bytes = e.bytes.clone();
        let at = bytes.len() - 5;
        bytes[at] ^= 1;
        bytes
    };
    let parked = f
        .node
        .park_envelopes(&[e.bytes.as_slice(), e.bytes.as_slice(), forged.as_slice()])
        .await
        .expect("park");
    assert_eq!(parked, 1, "once, and never what does not verify");
    // Served to peers that ask for this author, though not applied here.
    let served = f
        .node
        .envelopes_by_author(&zed.public(), 0, 10)
        .expect("by author");
    assert_eq!(served.len(), 1);
    assert_eq!(served[0].bytes, e.bytes);
    assert!(f.node.post_id_by_uri(&post.uri).expect("uri").is_none());

    f.node
        .follow(&viewer(&alice), &zed.public().to_did_key())
        .await
        .expect("follow");
    let items: Vec<Vec<u8>> = f
        .node
        .parked_by_author(&zed.public())
        .expect("parked")
        .into_iter()
        .map(|p| p.bytes)
        .collect();
    let refs: Vec<&[u8]> = items.iter().map(Vec::as_slice).collect();
    let out = f
        .node
        .accept_envelopes(&refs, &Ctx(&f.node))
        .await
        .expect("accept");
    assert!(
        matches!(out[0], Ok(Accepted::Stored { post: Some(_), .. })),
        "{out:?}"
    );
    f.node
        .unpark(&zed.public(), vec![e.id])
        .await
        .expect("unpark");
    assert!(f
        .node
        .parked_by_author(&zed.public())
        .expect("parked")
        .is_empty());
    assert_eq!(
        f.node
            .envelopes_by_author(&zed.public(), 0, 10)
            .expect("by author")
            .len(),
        1
    );
}

#[tokio::test]
async fn an_actor_document_with_the_same_key_confirms_a_key_only_account() {
    let f = open(false);
    let alice = member(&f.node, "alice").await;
    let zed = Ed25519Keypair::from_secret_bytes(&[45u8; 32]);
    let actor = "https://back.test/users/zed";
    f.node
        .follow(&viewer(&alice), &zed.public().to_did_key())
        .await
        .expect("follow");
    let mut post = body(1);
    post.actor = actor.into();
    post.uri = format!("{actor}/statuses/1");
    let e = signed(&zed, Kind::Post, now_ms() - 10, post.to_map());
    assert!(accept(&f.node, &[&e]).await[0].is_ok());
    let before = f
        .node
        .member_by_key(&zed.public())
        .expect("key")
        .expect("known");
    assert!(before.remote.as_ref().is_some_and(|r| r.gossip_only));

    let confirmed = f
        .node
        .upsert_remote_actor(crate::remote::RemoteActor {
            name: "Zed".into(),
            url: "https://back.test/@zed".into(),
            shared_inbox: Some("https://back.test/inbox".into()),
            ed25519: Some(zed.public()),
            ed25519_proven: true,
            ..crate::remote::RemoteActor::person(actor, "zed")
        })
        .await
        .expect("upsert");
    assert_eq!(confirmed.id, before.id, "the same account, now confirmed");
    assert!(confirmed.remote.as_ref().is_some_and(|r| !r.gossip_only));
    assert_eq!(confirmed.username, "zed@back.test");
    assert_eq!(
        f.node
            .find_member(&zed.public().to_did_key())
            .expect("find")
            .map(|m| m.id),
        Some(before.id)
    );
    let home = f
        .node
        .home_feed(&viewer(&alice), &PageRequest::default())
        .expect("home");
    assert_eq!(home.items.len(), 1, "what the key said stays");
    // alice now also asks the confirmed account over ActivityPub, so that
    // its followers-only posts can reach her once it accepts.
    let follows: Vec<_> = f
        .node
        .pending_outgoing(20)
        .expect("outbox")
        .into_iter()
        .filter(|(_, o)| {
            matches!(o, crate::remote::Outgoing::Follow { follower, followee, .. }
                if *follower == alice.id && *followee == before.id)
        })
        .collect();
    assert_eq!(follows.len(), 1, "one ActivityPub Follow queued");
}
