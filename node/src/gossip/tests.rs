//! Node-level tests of gossip records: accept, de-duplicate, refuse, page.

use std::sync::Arc;

use identity::Ed25519Keypair;
use protocol::envelope::{Envelope, EnvelopeError, Kind};

use super::{Accepted, EnvelopeContext, PostBody, Refusal};
use crate::id::Id;
use crate::remote::{RemoteActor, RemotePost};
use crate::test_support::new_member;
use crate::{Node, NodeConfig, Viewer};

pub(super) struct Ctx<'a>(pub(super) &'a Node);

impl EnvelopeContext for Ctx<'_> {
    fn sanitize(&self, html: &str) -> String {
        html.replace("<script>", "")
    }
    fn plain_text(&self, html: &str, max_chars: usize) -> String {
        html.replace(['<', '>'], " ")
            .chars()
            .take(max_chars)
            .collect()
    }
    fn post_by_uri(&self, uri: &str) -> Option<Id> {
        self.0.post_id_by_uri(uri).ok().flatten()
    }
}

pub(super) struct Fixture {
    pub(super) node: Arc<Node>,
    _dir: tempfile::TempDir,
}

pub(super) fn open(gossip: bool) -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = NodeConfig::new(dir.path(), "k.test");
    config.gossip = gossip;
    Fixture {
        node: Arc::new(Node::open(config).expect("open")),
        _dir: dir,
    }
}

pub(super) fn remote_key() -> Ed25519Keypair {
    Ed25519Keypair::from_secret_bytes(&[9u8; 32])
}

pub(super) async fn remote_actor(node: &Node, ed25519: Option<identity::PublicKey>) {
    node.upsert_remote_actor(RemoteActor {
        name: "Ana".into(),
        url: "https://far.test/@ana".into(),
        ed25519,
        ed25519_proven: true,
        confirmed_handle: Some("ana@far.test".into()),
        ..RemoteActor::person("https://far.test/users/ana", "ana")
    })
    .await
    .expect("actor");
}

pub(super) fn body(n: u32) -> PostBody {
    PostBody {
        uri: format!("https://far.test/users/ana/statuses/{n}"),
        url: format!("https://far.test/@ana/{n}"),
        actor: "https://far.test/users/ana".into(),
        handle: "ana@far.test".into(),
        html: format!("<p>hello {n}</p><script>"),
        title: String::new(),
        summary: String::new(),
        sensitive: false,
        visibility: "public".into(),
        in_reply_to: None,
        tags: vec!["kodeon".into()],
        language: Some("en".into()),
        group: None,
    }
}

pub(super) fn envelope(key: &Ed25519Keypair, n: u32) -> Envelope {
    Envelope::sign(
        key,
        Kind::Post,
        crate::model::now_ms() - 1000 + i64::from(n),
        None,
        body(n).to_map(),
    )
    .expect("sign")
}

pub(super) async fn accept(node: &Node, items: &[&Envelope]) -> Vec<Result<Accepted, Refusal>> {
    let bytes: Vec<&[u8]> = items.iter().map(|e| e.bytes.as_slice()).collect();
    node.accept_envelopes(&bytes, &Ctx(node))
        .await
        .expect("accept")
}

#[tokio::test]
async fn accepted_post_is_stored_once_and_listed() {
    let f = open(false);
    remote_actor(&f.node, Some(remote_key().public())).await;
    let e = envelope(&remote_key(), 1);
    let out = accept(&f.node, &[&e, &e]).await;
    assert!(
        matches!(
            out[0],
            Ok(Accepted::Stored {
                seq: 1,
                post: Some(_)
            })
        ),
        "{out:?}"
    );
    // The same envelope twice in one batch is stored once.
    assert_eq!(out[1], Ok(Accepted::Duplicate));
    assert_eq!(accept(&f.node, &[&e]).await, vec![Ok(Accepted::Duplicate)]);
    let id = f
        .node
        .post_id_by_uri(&body(1).uri)
        .expect("lookup")
        .expect("stored");
    let post = f.node.post_record(id).expect("load").expect("post");
    assert_eq!(
        post.html, "<p>hello 1</p>",
        "HTML goes through the sanitiser"
    );
    assert!(f.node.has_envelope(&e.id).expect("has"));
    assert_eq!(f.node.envelope_seq().expect("seq"), 1);
}

#[tokio::test]
async fn same_post_by_activitypub_and_gossip_is_stored_once() {
    let f = open(false);
    remote_actor(&f.node, Some(remote_key().public())).await;
    let author = f
        .node
        .remote_member_by_uri("https://far.test/users/ana")
        .expect("lookup")
        .expect("actor");
    // ActivityPub first...
    let b = body(2);
    let ap = f
        .node
        .receive_post(
            &author,
            RemotePost {
                url: b.url.clone(),
                ..RemotePost::public(&b.uri, "<p>hello 2</p>", 1)
            },
        )
        .await
        .expect("receive");
    // ...then gossip: stored as an envelope, no second post.
    let e = envelope(&remote_key(), 2);
    let out = accept(&f.node, &[&e]).await;
    assert!(
        matches!(out[0], Ok(Accepted::Stored { post: None, .. })),
        "{out:?}"
    );
    assert_eq!(f.node.post_id_by_uri(&b.uri).expect("lookup"), Some(ap));
    // Gossip first, then ActivityPub: receive_post returns the same post.
    let e3 = envelope(&remote_key(), 3);
    let out = accept(&f.node, &[&e3]).await;
    let Ok(Accepted::Stored {
        post: Some(gossiped),
        ..
    }) = out[0]
    else {
        panic!("{out:?}");
    };
    let b3 = body(3);
    let again = f
        .node
        .receive_post(
            &author,
            RemotePost {
                url: b3.url,
                ..RemotePost::public(&b3.uri, "", 1)
            },
        )
        .await
        .expect("receive");
    assert_eq!(again, gossiped);
}

#[tokio::test]
async fn bad_records_are_refused() {
    let f = open(false);
    // Unknown author: the caller must resolve the actor first.
    let e = envelope(&remote_key(), 4);
    assert_eq!(
        accept(&f.node, &[&e]).await,
        vec![Err(Refusal::UnknownAuthor(
            "https://far.test/users/ana".into()
        ))]
    );
    remote_actor(&f.node, Some(remote_key().public())).await;
    // Signed by another key than the actor's known one.
    let thief = Ed25519Keypair::from_secret_bytes(&[3u8; 32]);
    let stolen = envelope(&thief, 5);
    // One bit flipped in the body.
    let mut flipped = e.bytes.clone();
    let at = flipped
        .windows(5)
        .position(|w| w == b"hello")
        .expect("content");
    flipped[at] ^= 0x01;
    // A replay under another id: same record, re-encoded.
    let replay = String::from_utf8_lossy(&e.bytes)
        .replacen(',', ", ", 1)
        .into_bytes();
    let items: Vec<&[u8]> = vec![&stolen.bytes, &flipped, &replay, &e.bytes];
    let out = f
        .node
        .accept_envelopes(&items, &Ctx(&f.node))
        .await
        .expect("accept");
    assert_eq!(out[0], Err(Refusal::WrongKey));
    assert_eq!(
        out[1],
        Err(Refusal::Invalid(EnvelopeError::BadSignature)),
        "a flipped bit breaks the signature"
    );
    assert_eq!(out[2], Err(Refusal::Invalid(EnvelopeError::NonCanonical)));
    assert!(matches!(out[3], Ok(Accepted::Stored { .. })));
    assert!(out[..3]
        .iter()
        .all(|o| o.as_ref().is_err_and(Refusal::is_invalid)));
    assert_eq!(f.node.envelope_seq().expect("seq"), 1, "only one stored");
    // A post id on another server than its actor's.
    let mut foreign = body(6);
    foreign.uri = "https://elsewhere.test/notes/6".into();
    let e6 = Envelope::sign(&remote_key(), Kind::Post, 1, None, foreign.to_map()).expect("sign");
    assert!(matches!(
        accept(&f.node, &[&e6]).await[0],
        Err(Refusal::BadBody(_))
    ));
    // A local author this node did not sign for.
    let mut local = body(7);
    local.actor = "https://k.test/users/alice".into();
    local.uri = "https://k.test/users/alice/statuses/7".into();
    let e7 = Envelope::sign(&remote_key(), Kind::Post, 1, None, local.to_map()).expect("sign");
    let out = accept(&f.node, &[&e7]).await;
    assert_eq!(out[0], Err(Refusal::LocalAuthor));
    assert!(!Refusal::LocalAuthor.is_invalid());
}

#[tokio::test]
async fn an_actor_without_ed25519_key_is_not_trusted() {
    let f = open(false);
    remote_actor(&f.node, None).await;
    let e = envelope(&remote_key(), 8);
    assert_eq!(accept(&f.node, &[&e]).await[0], Err(Refusal::NoAuthorKey));
}

#[tokio::test]
async fn cursors_page_by_kind_and_by_author() {
    let f = open(false);
    remote_actor(&f.node, Some(remote_key().public())).await;
    let all: Vec<Envelope> = (10..17).map(|n| envelope(&remote_key(), n)).collect();
    let refs: Vec<&Envelope> = all.iter().collect();
    accept(&f.node, &refs).await;
    let mut seen = Vec::new();
    let mut cursor = 0;
    loop {
        let page = f.node.envelopes_since(Kind::Post, cursor, 3).expect("page");
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 3);
        cursor = page.last().map(|i| i.cursor).unwrap_or(cursor);
        seen.extend(page.into_iter().map(|i| i.bytes));
    }
    let expected: Vec<Vec<u8>> = all.iter().map(|e| e.bytes.clone()).collect();
    assert_eq!(seen, expected, "every record once, in received order");
    assert!(f
        .node
        .envelopes_since(Kind::Follow, 0, 10)
        .expect("other kind")
        .is_empty());
    let by_author = f
        .node
        .envelopes_by_author(&remote_key().public(), all[4].created as u64, 100)
        .expect("author");
    assert_eq!(by_author.len(), 3, "created at or after the cursor");
    assert_eq!(by_author[0].bytes, all[4].bytes);
    f.node
        .set_sync_cursor("peer-1", Kind::Post, 7)
        .expect("set");
    assert_eq!(f.node.sync_cursor("peer-1", Kind::Post).expect("get"), 7);
    assert_eq!(f.node.sync_cursor("peer-2", Kind::Post).expect("get"), 0);
}

#[tokio::test]
async fn public_posts_write_a_gossip_intent_only_when_gossip_is_on() {
    for gossip in [false, true] {
        let f = open(gossip);
        let alice = f
            .node
            .register(new_member("alice"))
            .await
            .expect("register");
        let viewer = Viewer::Member(Box::new(alice.clone()));
        for visibility in ["public", "followers"] {
            f.node
                .create_post(
                    &viewer,
                    crate::posts::NewPost {
                        content: "hi".into(),
                        visibility: Some(visibility.into()),
                        ..Default::default()
                    },
                )
                .await
                .expect("post");
        }
        let pending = f.node.pending_gossip(10).expect("pending");
        assert_eq!(pending.len(), usize::from(gossip), "public posts only");
        if let Some((intent, _)) = pending.first() {
            let e = f
                .node
                .publish_envelope(*intent, &alice, Kind::Post, 5, body(1).to_map())
                .await
                .expect("publish");
            assert_eq!(e.author, alice.keys.ed25519_public, "signed by the member");
            assert!(f.node.pending_gossip(10).expect("pending").is_empty());
            assert_eq!(
                f.node.envelopes_since(Kind::Post, 0, 10).expect("since")[0].bytes,
                e.bytes
            );
        }
    }
}

#[tokio::test]
async fn a_gossiped_post_naming_a_group_here_is_in_it_when_its_author_is_a_member() {
    let f = open(false);
    remote_actor(&f.node, Some(remote_key().public())).await;
    let owner = crate::test_support::member(&f.node, "alice").await;
    f.node
        .create_group(
            &owner,
            crate::groups::NewGroup {
                name: "forum".into(),
                ..Default::default()
            },
        )
        .await
        .expect("group");
    let group_uri = f.node.urls().actor("forum");
    let signed = |n: u32| {
        let body = PostBody {
            group: Some(group_uri.clone()),
            ..body(n)
        };
        Envelope::sign(
            &remote_key(),
            Kind::Post,
            crate::model::now_ms() - 1000 + i64::from(n),
            None,
            body.to_map(),
        )
        .expect("sign")
    };
    let in_group = |id: Id| {
        f.node
            .post_record(id)
            .expect("read")
            .expect("post")
            .group
            .is_some()
    };
    // Not a member: an ordinary post.
    let out = accept(&f.node, &[&signed(40)]).await;
    let Ok(Accepted::Stored {
        post: Some(first), ..
    }) = out[0]
    else {
        panic!("{out:?}");
    };
    assert!(!in_group(first), "a non-member's post is not in the group");
    // A member (joined with a Follow, as over ActivityPub): in the group.
    let ana = f
        .node
        .remote_member_by_uri("https://far.test/users/ana")
        .expect("lookup")
        .expect("actor");
    let group = f.node.find_member("forum").expect("find").expect("group");
    f.node
        .receive_follow(&ana, group.id, "https://far.test/follows/1")
        .await
        .expect("join");
    let out = accept(&f.node, &[&signed(41)]).await;
    let Ok(Accepted::Stored {
        post: Some(second), ..
    }) = out[0]
    else {
        panic!("{out:?}");
    };
    assert!(in_group(second), "a member's post is in the group");
    let feed = f
        .node
        .group_posts(
            &owner,
            "forum",
            &crate::groups::GroupPostsRequest {
                sort: crate::groups::GroupPostSort::New,
                page: crate::feeds::PageRequest::first(10),
                cursor: None,
            },
        )
        .expect("feed");
    let ids: Vec<Id> = feed.items.iter().map(|p| p.id).collect();
    assert_eq!(ids, vec![second]);
}
