//! Reading the shapes other servers send, writing the shapes they
//! expect, and the origin checks.

use serde_json::json;

use super::*;
use crate::activitystreams::PUBLIC;

fn parse(value: serde_json::Value) -> InboundActivity {
    let body = serde_json::to_vec(&value).expect("json");
    InboundActivity::parse(&body).expect("an activity")
}

#[test]
fn mastodon_follow_names_its_object_by_id() {
    let a = parse(json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": "https://mastodon.example/1b2c",
        "type": "Follow",
        "actor": "https://mastodon.example/users/bob",
        "object": "https://kodeon.example/users/alice",
    }));
    let InboundActivity::Follow(follow) = &a else {
        panic!("{a:?}")
    };
    assert_eq!(a.id(), Some("https://mastodon.example/1b2c"));
    assert_eq!(a.actor_id(), Some("https://mastodon.example/users/bob"));
    assert_eq!(
        follow.object.as_ref().and_then(ObjectRef::id),
        Some("https://kodeon.example/users/alice")
    );
    assert_eq!(a.check_id_origin(), Ok(()));
}

#[test]
fn lemmy_announce_embeds_the_create_and_its_post() {
    let a = parse(json!({
        "id": "https://lemmy.example/activities/announce/create/9",
        "type": "Announce",
        "actor": "https://lemmy.example/c/rust",
        "to": "https://www.w3.org/ns/activitystreams#Public",
        "cc": ["https://lemmy.example/c/rust/followers"],
        "object": {
            "id": "https://lemmy.example/activities/create/9",
            "type": "Create",
            "actor": "https://lemmy.example/u/carol",
            "to": ["https://lemmy.example/c/rust", PUBLIC],
            "object": {
                "id": "https://lemmy.example/post/9",
                "type": "Page",
                "attributedTo": "https://lemmy.example/u/carol",
                "name": "A title",
            },
        },
    }));
    let InboundActivity::Announce(announce) = &a else {
        panic!("{a:?}")
    };
    assert_eq!(announce.to.ids(), [PUBLIC.to_string()]);
    assert_eq!(announce.shared_post(), Some("https://lemmy.example/post/9"));
}

#[test]
fn announced_likes_are_not_posts() {
    let a = parse(json!({
        "type": "Announce",
        "actor": "https://lemmy.example/c/rust",
        "object": {"type": "Like", "actor": "https://x.example/u/d", "object": "https://lemmy.example/post/9"},
    }));
    let InboundActivity::Announce(announce) = a else {
        panic!("{a:?}")
    };
    assert_eq!(announce.shared_post(), None);
}

#[test]
fn audiences_read_strings_objects_and_lists() {
    let a = parse(json!({
        "type": "Create",
        "actor": "https://a.example/u",
        "to": PUBLIC,
        "cc": [{"id": "https://a.example/u/followers"}, 3, ["nested"]],
        "object": {"id": "https://a.example/n/1", "type": ["Note", "Thing"], "to": {"id": PUBLIC}},
    }));
    let InboundActivity::Create(create) = a else {
        panic!("{a:?}")
    };
    assert_eq!(create.to.ids(), [PUBLIC.to_string()]);
    assert_eq!(
        create.cc.as_ref().map(Audience::ids),
        Some(&["https://a.example/u/followers".to_string()][..])
    );
    let note = create.embedded().expect("embedded");
    assert!(note.is_post());
    assert_eq!(note.kind.as_str(), "Note");
    assert_eq!(note.to.ids(), [PUBLIC.to_string()]);
}

#[test]
fn type_lists_pick_the_first_type() {
    let a = parse(json!({
        "type": ["Like", "Thing"],
        "actor": {"id": "https://a.example/u", "type": "Person"},
        "object": ["https://b.example/p/1", "https://b.example/p/2"],
    }));
    let InboundActivity::Like(like) = a else {
        panic!("{a:?}")
    };
    assert_eq!(like.actor_id(), Some("https://a.example/u"));
    assert_eq!(
        like.object.as_ref().and_then(ObjectRef::id),
        Some("https://b.example/p/1")
    );
}

#[test]
fn unknown_types_are_kept_to_be_ignored() {
    let a = parse(json!({
        "id": "https://a.example/r/1",
        "type": "EmojiReact",
        "actor": "https://a.example/u",
        "object": {"whatever": [1, {"deep": true}]},
    }));
    assert!(matches!(a, InboundActivity::Unsupported(_)), "{a:?}");
    assert_eq!(a.id(), Some("https://a.example/r/1"));
    assert_eq!(a.actor_id(), Some("https://a.example/u"));
    let no_type = parse(json!({"actor": "https://a.example/u", "type": 7}));
    assert!(matches!(no_type, InboundActivity::Unsupported(_)));
}

#[test]
fn deletes_name_a_tombstone_or_an_id() {
    let a = parse(json!({
        "type": "Delete",
        "actor": "https://a.example/u",
        "to": [PUBLIC],
        "object": {"id": "https://a.example/n/1", "type": "Tombstone"},
    }));
    let InboundActivity::Delete(delete) = a else {
        panic!("{a:?}")
    };
    assert_eq!(delete.object_id(), Some("https://a.example/n/1"));
    assert_eq!(delete.check_object_origin("https://a.example/u"), Ok(()));
    assert!(matches!(
        delete.check_object_origin("https://b.example/u"),
        Err(OriginError::Foreign { .. })
    ));
}

#[test]
fn what_is_not_json_or_not_an_object_is_refused() {
    assert!(InboundActivity::parse(b"{").is_err());
    // A list reads as an activity with nothing in it: no actor.
    assert!(InboundActivity::parse(b"[1]").map_or(true, |a| a.actor_id().is_none()));
    assert!(InboundActivity::parse(b"\"Follow\"").is_err());
}

#[test]
fn lenient_properties_of_posts() {
    let object: PostObject = serde_json::from_value(json!({
        "id": "https://a.example/n/1",
        "type": "Note",
        "content": {"not": "a string"},
        "sensitive": "yes",
        "tag": {"type": "Hashtag", "name": "#rust"},
        "attachment": [
            {"url": "https://a.example/1.png", "mediaType": "image/png"},
            {"url": {"type": "Link", "href": "https://a.example/2.png"}},
            {"url": [{"href": "https://a.example/3.png"}]},
            "https://a.example/4.png",
        ],
        "inReplyTo": null,
    }))
    .expect("a post");
    assert_eq!(object.content, None);
    assert_eq!(object.sensitive, None);
    assert_eq!(object.tag.0.len(), 1);
    let urls: Vec<_> = object.attachment.iter().map(|a| a.url.as_deref()).collect();
    assert_eq!(
        urls,
        [
            Some("https://a.example/1.png"),
            Some("https://a.example/2.png"),
            None
        ]
    );
    // The first language as written (not as sorted).
    let map: PostObject =
        serde_json::from_str(r#"{"contentMap": {"fr": "x", "en": "y"}}"#).expect("a post");
    assert_eq!(map.language.as_deref(), Some("fr"));
    assert_eq!(object.in_reply_to, None);
}

#[test]
fn origin_checks() {
    let actor = "https://a.example/users/u";
    let post = |id: &str, author: &str| PostObject {
        id: Some(id.into()),
        attributed_to: Some(ObjectRef::Id(author.into())),
        ..PostObject::default()
    };
    assert_eq!(
        post("https://a.example/n/1", actor).check_author(actor),
        Ok(())
    );
    assert_eq!(
        post("https://a.example/n/1", "https://a.example/users/v").check_author(actor),
        Err(OriginError::NotTheAuthor)
    );
    assert!(post("https://b.example/n/1", actor)
        .check_author(actor)
        .is_err());
    // Ports count: another port is another server.
    assert!(check_same_origin("https://a.example:8443/x", actor).is_err());
    assert!(check_same_origin("", actor).is_err());

    let spoofed = parse(json!({"id": "https://b.example/1", "type": "Like", "actor": actor}));
    assert!(spoofed.check_id_origin().is_err());
    let no_id = parse(json!({"type": "Like", "actor": actor}));
    assert_eq!(no_id.check_id_origin(), Ok(()));

    let undo = |inner_actor: &str| {
        let InboundActivity::Undo(undo) = parse(json!({
            "type": "Undo", "actor": actor,
            "object": {"type": "Follow", "actor": inner_actor, "object": "https://k.example/users/a"},
        })) else {
            panic!("an undo")
        };
        undo
    };
    assert_eq!(undo(actor).check_undone_actor(actor), Ok(()));
    assert_eq!(
        undo("https://a.example/users/v").check_undone_actor(actor),
        Err(OriginError::NotTheActor)
    );

    let update = |object: &str| {
        let InboundActivity::Update(update) = parse(
            json!({"type": "Update", "actor": actor, "object": {"id": object, "type": "Note"}}),
        ) else {
            panic!("an update")
        };
        update
    };
    assert_eq!(
        update("https://a.example/n/1").check_object_origin(actor),
        Ok(())
    );
    assert!(update("https://b.example/n/1")
        .check_object_origin(actor)
        .is_err());
}

#[test]
fn accepts_name_the_follower_of_an_embedded_follow() {
    let a = parse(json!({
        "type": "Accept",
        "actor": "https://a.example/u",
        "object": {"id": "https://k.example/follows/1", "type": "Follow",
                   "actor": "https://k.example/users/alice", "object": "https://a.example/u"},
    }));
    let InboundActivity::Accept(accept) = a else {
        panic!("{a:?}")
    };
    assert_eq!(accept.follower(), Some("https://k.example/users/alice"));
    assert_eq!(accept.follow_id(), Some("https://k.example/follows/1"));
    let by_id = parse(json!({"type": "Reject", "actor": "https://a.example/u",
                             "object": "https://k.example/follows/1"}));
    let InboundActivity::Reject(reject) = by_id else {
        panic!("a reject")
    };
    assert_eq!(reject.follower(), None);
    assert_eq!(reject.follow_id(), Some("https://k.example/follows/1"));
}

fn to(v: &impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(v).expect("json")
}

/// What is sent is what Mastodon, Fedify and GoToSocial have been reading.
#[test]
fn sent_activities_keep_their_shape() {
    let actor = "https://k.example/users/alice";
    let like = Like::new("https://k.example/likes/1", actor, "https://a.example/n/1");
    assert_eq!(
        to(&like.clone().with_context()),
        json!({"@context": CONTEXT, "id": "https://k.example/likes/1", "type": "Like",
               "actor": actor, "object": "https://a.example/n/1"})
    );
    assert_eq!(
        to(&Undo::new("https://k.example/likes/1#undo", actor, like).with_context()),
        json!({"@context": CONTEXT, "id": "https://k.example/likes/1#undo", "type": "Undo",
               "actor": actor,
               "object": {"id": "https://k.example/likes/1", "type": "Like",
                          "actor": actor, "object": "https://a.example/n/1"}})
    );
    let follow = Follow::new("https://k.example/f/1", "https://a.example/u", actor);
    assert_eq!(
        to(&FollowAnswer::new(false, "https://k.example/r/1", actor, follow).with_context()),
        json!({"@context": CONTEXT, "id": "https://k.example/r/1", "type": "Reject",
               "actor": actor,
               "object": {"id": "https://k.example/f/1", "type": "Follow",
                          "actor": "https://a.example/u", "object": actor}})
    );
    let delete = Delete::new(
        "https://k.example/n/1#delete",
        actor,
        vec![PUBLIC.into()],
        ObjectRef::Object(Tombstone::new("https://k.example/n/1")),
    );
    assert_eq!(
        to(&delete.with_context()),
        json!({"@context": CONTEXT, "id": "https://k.example/n/1#delete", "type": "Delete",
               "actor": actor, "to": [PUBLIC],
               "object": {"id": "https://k.example/n/1", "type": "Tombstone"}})
    );
    let announce = Announce::new(
        "https://k.example/b/1",
        actor,
        "2024-01-01T00:00:00Z".into(),
        vec![PUBLIC.into()],
        vec![],
        "https://a.example/n/1",
    );
    assert_eq!(
        to(&announce),
        json!({"id": "https://k.example/b/1", "type": "Announce", "actor": actor,
               "published": "2024-01-01T00:00:00Z", "to": [PUBLIC], "cc": [],
               "object": "https://a.example/n/1"})
    );
}

#[test]
fn actor_documents_as_mastodon_serves_them() {
    let actor: ActorDocument = serde_json::from_value(json!({
        "id": "https://a.example/users/u",
        "type": "Person",
        "preferredUsername": "u",
        "inbox": "https://a.example/users/u/inbox",
        "endpoints": {"sharedInbox": "https://a.example/inbox"},
        "publicKey": {"id": "https://a.example/users/u#main-key",
                      "owner": "https://a.example/users/u", "publicKeyPem": "PEM"},
        "icon": {"type": "Image", "mediaType": "image/png", "url": "https://a.example/a.png"},
        "manuallyApprovesFollowers": null,
        "attachment": [{"type": "PropertyValue", "name": "x", "value": "y"}],
    }))
    .expect("an actor");
    assert_eq!(actor.kind.as_str(), "Person");
    assert_eq!(actor.shared_inbox(), Some("https://a.example/inbox"));
    assert_eq!(
        actor.key().and_then(|k| k.public_key_pem.as_deref()),
        Some("PEM")
    );
    assert_eq!(actor.icon_url(), Some("https://a.example/a.png"));
    assert_eq!(actor.manually_approves_followers, None);
}

#[test]
fn references_of_another_shape_read_as_absent() {
    let a = parse(json!({"type": "Like", "actor": 7, "object": []}));
    assert_eq!(a.actor_id(), None);
    let InboundActivity::Like(like) = a else {
        panic!("a like")
    };
    assert_eq!(like.object, None);
    for kind in ["Undo", "Create", "Update", "Delete", "Accept", "Announce"] {
        let a = parse(json!({"type": kind, "actor": "https://a.example/u", "object": 7}));
        assert_eq!(a.actor_id(), Some("https://a.example/u"), "{kind}");
    }
    let InboundActivity::Undo(undo) = parse(json!({"type": "Undo", "object": [true]})) else {
        panic!("an undo")
    };
    assert_eq!(undo.undone(), None);
}

#[test]
fn lemmy_follow_of_a_group_names_it_by_id() {
    let a = parse(json!({
        "actor": "https://lemmy.example/u/ferris",
        "object": "https://kodeon.example/users/makers",
        "type": "Follow",
        "id": "https://lemmy.example/activities/follow/4f1d",
    }));
    let InboundActivity::Follow(follow) = &a else {
        panic!("{a:?}")
    };
    assert_eq!(
        follow.object.as_ref().and_then(ObjectRef::id),
        Some("https://kodeon.example/users/makers")
    );
    assert_eq!(a.check_id_origin(), Ok(()));
}

#[test]
fn lemmy_ban_from_a_group_is_told_from_a_personal_block() {
    // A moderator's ban from their community: a Block with a target.
    let a = parse(json!({
        "actor": "https://lemmy.example/u/moderator",
        "to": [PUBLIC],
        "object": "https://kodeon.example/users/alice",
        "cc": ["https://lemmy.example/c/rust"],
        "target": "https://lemmy.example/c/rust",
        "type": "Block",
        "id": "https://lemmy.example/activities/block/77",
    }));
    let InboundActivity::Block(ban) = &a else {
        panic!("{a:?}")
    };
    assert!(ban.is_group_ban());
    assert_eq!(
        ban.target.as_ref().and_then(ObjectRef::id),
        Some("https://lemmy.example/c/rust")
    );
    // Mastodon's personal block has no target.
    let b = parse(json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": "https://mastodon.example/users/bob#blocks/1",
        "type": "Block",
        "actor": "https://mastodon.example/users/bob",
        "object": "https://kodeon.example/users/alice",
    }));
    let InboundActivity::Block(block) = &b else {
        panic!("{b:?}")
    };
    assert!(!block.is_group_ban());
    // What Kodeon sends is a personal block.
    let ours = Block::new(
        "https://kodeon.example/users/alice#blocks/bob",
        "https://kodeon.example/users/alice",
        "https://mastodon.example/users/bob",
    );
    assert!(!ours.is_group_ban());
    assert!(serde_json::to_value(&ours)
        .expect("json")
        .get("target")
        .is_none());
}

#[test]
fn lemmy_removal_by_a_moderator_and_a_dislike_are_read() {
    // A moderator removes a comment: a Delete with the reason as summary.
    let a = parse(json!({
        "actor": "https://lemmy.example/u/moderator",
        "to": [PUBLIC],
        "object": "https://other.example/comment/5",
        "cc": ["https://lemmy.example/c/rust"],
        "type": "Delete",
        "summary": "off topic",
        "id": "https://lemmy.example/activities/delete/12",
    }));
    assert!(matches!(a, InboundActivity::Delete(_)), "{a:?}");
    // A downvote: read as one, with the post it is of.
    let d = parse(json!({
        "actor": "https://lemmy.example/u/ferris",
        "object": "https://kodeon.example/users/alice/statuses/01J",
        "type": "Dislike",
        "id": "https://lemmy.example/activities/dislike/3",
        "audience": "https://lemmy.example/c/rust",
    }));
    let InboundActivity::Dislike(dislike) = d else {
        panic!("{d:?}");
    };
    assert_eq!(
        dislike.object.as_ref().and_then(ObjectRef::id),
        Some("https://kodeon.example/users/alice/statuses/01J")
    );
}

// Lemmy 0.19's documented examples (`crates/apub/assets/lemmy/`), as a
// community announces them.

/// `announce` of Lemmy's `community/announce_*` shape: the community
/// `http://enterprise.lemmy.ml/c/main` shares `inner`.
fn lemmy_announce(inner: serde_json::Value) -> Announce {
    let a = parse(json!({
        "actor": "http://enterprise.lemmy.ml/c/main",
        "to": [PUBLIC],
        "object": inner,
        "cc": ["http://enterprise.lemmy.ml/c/main/followers"],
        "type": "Announce",
        "id": "http://enterprise.lemmy.ml/activities/announce/8030b171-803a-4108-94b1-342688f375cf",
    }));
    assert_eq!(a.check_id_origin(), Ok(()));
    let InboundActivity::Announce(announce) = a else {
        panic!("{a:?}")
    };
    announce
}

/// The announced activity (embedded).
fn inner_of(announce: &Announce) -> &InnerActivity {
    announce
        .object
        .as_ref()
        .and_then(ObjectRef::object)
        .expect("an embedded activity")
}

#[test]
fn lemmy_example_announce_create_page() {
    let announce = lemmy_announce(json!({
        "actor": "http://enterprise.lemmy.ml/u/lemmy_beta",
        "to": [PUBLIC],
        "object": {
            "type": "Page",
            "id": "http://enterprise.lemmy.ml/post/7",
            "attributedTo": "http://enterprise.lemmy.ml/u/lemmy_beta",
            "to": ["http://enterprise.lemmy.ml/c/main", PUBLIC],
            "name": "post 4",
            "mediaType": "text/html",
            "commentsEnabled": true,
            "sensitive": false,
            "stickied": false,
            "published": "2021-11-01T12:11:22.871846Z"
        },
        "cc": ["http://enterprise.lemmy.ml/c/main"],
        "type": "Create",
        "id": "http://enterprise.lemmy.ml/activities/create/2807c9ec-3ad8-4859-a9e0-28b59b6e499f"
    }));
    assert_eq!(announce.to.ids(), [PUBLIC.to_string()]);
    assert_eq!(
        announce.cc.ids(),
        ["http://enterprise.lemmy.ml/c/main/followers".to_string()]
    );
    let inner = inner_of(&announce);
    assert_eq!(inner.kind.as_str(), "Create");
    assert_eq!(
        inner.actor_id(),
        Some("http://enterprise.lemmy.ml/u/lemmy_beta")
    );
    assert_eq!(inner.object_id(), Some("http://enterprise.lemmy.ml/post/7"));
    assert_eq!(
        inner.nested().map(|n| n.kind.as_str()),
        Some("Page"),
        "the page is read one level deep"
    );
    assert_eq!(inner.target_id(), None);
    assert_eq!(
        announce.shared_post(),
        Some("http://enterprise.lemmy.ml/post/7")
    );
}

#[test]
fn lemmy_examples_of_announced_moderation() {
    // `deletion/delete_page.json`: a post deleted.
    let delete = lemmy_announce(json!({
        "actor": "http://ds9.lemmy.ml/u/lemmy_alpha",
        "to": [PUBLIC],
        "object": "http://ds9.lemmy.ml/post/1",
        "cc": ["http://enterprise.lemmy.ml/c/main"],
        "audience": "http://enterprise.lemmy.ml/u/main",
        "type": "Delete",
        "id": "http://ds9.lemmy.ml/activities/delete/f2abee48-c7bb-41d5-9e27-8775ff32db12"
    }));
    // `community/lock_page.json`: a thread locked.
    let lock = lemmy_announce(json!({
        "id": "http://lemmy-alpha:8541/activities/lock/cb48761d-9e8c-42ce-aacb-b4bbe6408db2",
        "actor": "http://lemmy-alpha:8541/u/lemmy_alpha",
        "to": [PUBLIC],
        "object": "http://lemmy-alpha:8541/post/2",
        "cc": ["http://lemmy-alpha:8541/c/main"],
        "type": "Lock",
        "audience": "http://lemmy-alpha:8541/c/main"
    }));
    // `community/add_featured_post.json`: a post pinned.
    let add = lemmy_announce(json!({
        "cc": ["https://ds9.lemmy.ml/c/main"],
        "id": "https://ds9.lemmy.ml/activities/add/47d911f5-52c5-4659-b2fd-0e58c451a427",
        "to": [PUBLIC],
        "type": "Add",
        "actor": "https://ds9.lemmy.ml/u/lemmy_alpha",
        "object": "https://ds9.lemmy.ml/post/2",
        "target": "https://ds9.lemmy.ml/c/main/featured",
        "audience": "https://ds9.lemmy.ml/c/main"
    }));
    // `block/block_user.json`: a ban from the community.
    let block = lemmy_announce(json!({
        "actor": "http://enterprise.lemmy.ml/u/lemmy_beta",
        "to": [PUBLIC],
        "object": "http://ds9.lemmy.ml/u/lemmy_alpha",
        "cc": ["http://enterprise.lemmy.ml/c/main"],
        "audience": "http://enterprise.lemmy.ml/u/main",
        "target": "http://enterprise.lemmy.ml/c/main",
        "type": "Block",
        "removeData": true,
        "summary": "spam post",
        "expires": "2021-11-01T12:23:50.151874Z",
        "id": "http://enterprise.lemmy.ml/activities/block/5d42fffb-0903-4625-86d4-0b39bb344fc2"
    }));
    // `voting/like_note.json`: a vote.
    let like = lemmy_announce(json!({
        "actor": "http://ds9.lemmy.ml/u/lemmy_alpha",
        "object": "http://ds9.lemmy.ml/comment/1",
        "audience": "https://enterprise.lemmy.ml/c/tenforward",
        "type": "Like",
        "id": "http://ds9.lemmy.ml/activities/like/fd61d070-7382-46a9-b2b7-6bb253732877"
    }));
    let cases = [
        (&delete, "Delete", "http://ds9.lemmy.ml/post/1", None),
        (&lock, "Lock", "http://lemmy-alpha:8541/post/2", None),
        (
            &add,
            "Add",
            "https://ds9.lemmy.ml/post/2",
            Some("https://ds9.lemmy.ml/c/main/featured"),
        ),
        (
            &block,
            "Block",
            "http://ds9.lemmy.ml/u/lemmy_alpha",
            Some("http://enterprise.lemmy.ml/c/main"),
        ),
        (&like, "Like", "http://ds9.lemmy.ml/comment/1", None),
    ];
    for (announce, kind, object, target) in cases {
        let inner = inner_of(announce);
        assert_eq!(inner.kind.as_str(), kind);
        assert_eq!(inner.object_id(), Some(object), "{kind}");
        assert_eq!(inner.target_id(), target, "{kind}");
        assert_eq!(inner.nested(), None, "{kind}: its object is named by id");
        // None of these shares a post.
        assert_eq!(announce.shared_post(), None, "{kind}");
    }
}

#[test]
fn lemmy_examples_of_announced_undos_nest_the_undone_activity() {
    // `block/undo_block_user.json`: the ban lifted.
    let unban = lemmy_announce(json!({
        "actor": "http://enterprise.lemmy.ml/u/lemmy_beta",
        "to": [PUBLIC],
        "object": {
            "actor": "http://enterprise.lemmy.ml/u/lemmy_beta",
            "to": [PUBLIC],
            "object": "http://ds9.lemmy.ml/u/lemmy_alpha",
            "cc": ["http://enterprise.lemmy.ml/c/main"],
            "audience": "http://enterprise.lemmy.ml/u/main",
            "target": "http://enterprise.lemmy.ml/c/main",
            "type": "Block",
            "removeData": true,
            "summary": "spam post",
            "expires": "2021-11-01T12:23:50.151874Z",
            "id": "http://enterprise.lemmy.ml/activities/block/726f43ab-bd0e-4ab3-89c8-627e976f553c"
        },
        "cc": ["http://enterprise.lemmy.ml/c/main"],
        "audience": "http://enterprise.lemmy.ml/u/main",
        "type": "Undo",
        "id": "http://enterprise.lemmy.ml/activities/undo/06a20ffb-3e32-42fb-8f4c-674b36d7c557"
    }));
    let undo = inner_of(&unban);
    assert_eq!(undo.kind.as_str(), "Undo");
    assert_eq!(
        undo.object_id(),
        Some("http://enterprise.lemmy.ml/activities/block/726f43ab-bd0e-4ab3-89c8-627e976f553c")
    );
    let block = undo.nested().expect("the undone Block");
    assert_eq!(block.kind.as_str(), "Block");
    assert_eq!(block.object_id(), Some("http://ds9.lemmy.ml/u/lemmy_alpha"));
    assert_eq!(block.target_id(), Some("http://enterprise.lemmy.ml/c/main"));
    assert_eq!(
        block.actor_id(),
        Some("http://enterprise.lemmy.ml/u/lemmy_beta")
    );

    // `community/undo_lock_page.json`: the thread unlocked.
    let unlock = lemmy_announce(json!({
        "id": "http://lemmy-alpha:8541/activities/undo/d6066719-d277-4964-9190-4d6faffac286",
        "actor": "http://lemmy-alpha:8541/u/lemmy_alpha",
        "to": [PUBLIC],
        "object": {
            "actor": "http://lemmy-alpha:8541/u/lemmy_alpha",
            "to": [PUBLIC],
            "object": "http://lemmy-alpha:8541/post/2",
            "cc": ["http://lemmy-alpha:8541/c/main"],
            "type": "Lock",
            "id": "http://lemmy-alpha:8541/activities/lock/08b6fd3e-9ef3-4358-a987-8bb641f3e2c3",
            "audience": "http://lemmy-alpha:8541/c/main"
        },
        "cc": ["http://lemmy-alpha:8541/c/main"],
        "type": "Undo",
        "audience": "http://lemmy-alpha:8541/c/main"
    }));
    let lock = inner_of(&unlock).nested().expect("the undone Lock");
    assert_eq!(lock.kind.as_str(), "Lock");
    assert_eq!(lock.object_id(), Some("http://lemmy-alpha:8541/post/2"));
    assert_eq!(lock.target_id(), None);
}

#[test]
fn lemmy_example_undo_block_on_its_own() {
    // `block/undo_block_user.json` sent to the banned user's server.
    let a = parse(json!({
        "actor": "http://enterprise.lemmy.ml/u/lemmy_beta",
        "to": [PUBLIC],
        "object": {
            "actor": "http://enterprise.lemmy.ml/u/lemmy_beta",
            "to": [PUBLIC],
            "object": "http://ds9.lemmy.ml/u/lemmy_alpha",
            "cc": ["http://enterprise.lemmy.ml/c/main"],
            "target": "http://enterprise.lemmy.ml/c/main",
            "type": "Block",
            "id": "http://enterprise.lemmy.ml/activities/block/726f43ab-bd0e-4ab3-89c8-627e976f553c"
        },
        "cc": ["http://enterprise.lemmy.ml/c/main"],
        "type": "Undo",
        "id": "http://enterprise.lemmy.ml/activities/undo/06a20ffb-3e32-42fb-8f4c-674b36d7c557"
    }));
    let InboundActivity::Undo(undo) = &a else {
        panic!("{a:?}")
    };
    let block = undo.undone().expect("the undone Block");
    assert_eq!(block.kind.as_str(), "Block");
    assert_eq!(block.object_id(), Some("http://ds9.lemmy.ml/u/lemmy_alpha"));
    assert_eq!(block.target_id(), Some("http://enterprise.lemmy.ml/c/main"));
    assert_eq!(
        undo.check_undone_actor("http://enterprise.lemmy.ml/u/lemmy_beta"),
        Ok(())
    );
    assert_eq!(a.check_id_origin(), Ok(()));
}

#[test]
fn lemmy_example_page_and_create_page_name_their_community() {
    // `objects/page.json`.
    let page: PostObject = serde_json::from_value(json!({
        "id": "https://enterprise.lemmy.ml/post/55143",
        "type": "Page",
        "attributedTo": "https://enterprise.lemmy.ml/u/picard",
        "to": ["https://enterprise.lemmy.ml/c/tenforward", PUBLIC],
        "audience": "https://enterprise.lemmy.ml/c/tenforward",
        "name": "Post title",
        "content": "<p>This is a post in the /c/tenforward community</p>\n",
        "mediaType": "text/html",
        "source": {"content": "This is a post in the /c/tenforward community", "mediaType": "text/markdown"},
        "attachment": [{"type": "Link", "href": "https://enterprise.lemmy.ml/pictrs/image/eOtYb9iEiB.png"}],
        "image": {"type": "Image", "url": "https://enterprise.lemmy.ml/pictrs/image/eOtYb9iEiB.png"},
        "sensitive": false,
        "language": {"identifier": "fr", "name": "Français"},
        "published": "2021-02-26T12:35:34.292626Z"
    }))
    .expect("a page");
    assert!(page.is_post());
    assert_eq!(
        page.audience.as_ref().and_then(ObjectRef::id),
        Some("https://enterprise.lemmy.ml/c/tenforward")
    );
    assert_eq!(page.name.as_deref(), Some("Post title"));
    assert_eq!(page.author(), Some("https://enterprise.lemmy.ml/u/picard"));
    assert_eq!(
        page.check_author("https://enterprise.lemmy.ml/u/picard"),
        Ok(())
    );

    // `create_or_update/create_page.json`: sent to the community.
    let a = parse(json!({
        "actor": "http://ds9.lemmy.ml/u/lemmy_alpha",
        "to": [PUBLIC],
        "object": {
            "type": "Page",
            "id": "http://ds9.lemmy.ml/post/1",
            "attributedTo": "http://ds9.lemmy.ml/u/lemmy_alpha",
            "to": ["http://enterprise.lemmy.ml/c/main", PUBLIC],
            "audience": "https://enterprise.lemmy.ml/c/main",
            "name": "test post",
            "content": "<p>test body</p>\n",
            "mediaType": "text/html",
            "source": {"content": "test body", "mediaType": "text/markdown"},
            "attachment": [{"type": "Link", "href": "https://lemmy.ml/pictrs/image/xl8W7FZfk9.jpg"}],
            "sensitive": false,
            "language": {"identifier": "ko", "name": "한국어"},
            "published": "2021-10-29T15:10:51.557399Z"
        },
        "cc": ["http://enterprise.lemmy.ml/c/main"],
        "audience": "https://enterprise.lemmy.ml/c/main",
        "type": "Create",
        "id": "http://ds9.lemmy.ml/activities/create/eee6a57a-622f-464d-b560-73ae1fcd3ddf"
    }));
    let InboundActivity::Create(create) = &a else {
        panic!("{a:?}")
    };
    let page = create.embedded().expect("the page");
    assert_eq!(
        page.audience.as_ref().and_then(ObjectRef::id),
        Some("https://enterprise.lemmy.ml/c/main")
    );
    assert_eq!(
        page.to.ids(),
        [
            "http://enterprise.lemmy.ml/c/main".to_string(),
            PUBLIC.to_string()
        ]
    );
    assert_eq!(
        create.check_object_origin("http://ds9.lemmy.ml/u/lemmy_alpha"),
        Ok(())
    );
    assert_eq!(a.check_id_origin(), Ok(()));
}

#[test]
fn lemmy_examples_follow_dislike_and_group() {
    // `following/follow.json`.
    let a = parse(json!({
        "actor": "http://ds9.lemmy.ml/u/lemmy_alpha",
        "to": ["http://enterprise.lemmy.ml/c/main"],
        "object": "http://enterprise.lemmy.ml/c/main",
        "type": "Follow",
        "id": "http://ds9.lemmy.ml/activities/follow/6abcd50b-b8ca-4952-86b0-a6dd8cc12866"
    }));
    let InboundActivity::Follow(follow) = &a else {
        panic!("{a:?}")
    };
    assert_eq!(
        follow.object.as_ref().and_then(ObjectRef::id),
        Some("http://enterprise.lemmy.ml/c/main")
    );
    // `voting/dislike_page.json`: a downvote.
    let d = parse(json!({
        "actor": "http://enterprise.lemmy.ml/u/lemmy_beta",
        "object": "http://ds9.lemmy.ml/post/1",
        "audience": "https://enterprise.lemmy.ml/c/tenforward",
        "type": "Dislike",
        "id": "http://enterprise.lemmy.ml/activities/dislike/64d40d40-a829-43a5-8247-1fb595b3ca1c"
    }));
    assert!(matches!(d, InboundActivity::Dislike(_)), "{d:?}");
    assert_eq!(
        d.actor_id(),
        Some("http://enterprise.lemmy.ml/u/lemmy_beta")
    );
    // `objects/group.json` (key shortened): an actor with its inboxes
    // and key.
    let group: ActorDocument = serde_json::from_value(json!({
        "id": "https://enterprise.lemmy.ml/c/tenforward",
        "type": "Group",
        "preferredUsername": "tenforward",
        "name": "Ten Forward",
        "summary": "<p>Lounge and recreation facility</p>\n",
        "source": {"content": "Lounge and recreation facility", "mediaType": "text/markdown"},
        "sensitive": false,
        "icon": {"type": "Image", "url": "https://enterprise.lemmy.ml/pictrs/image/waqyZwLAy4.webp"},
        "image": {"type": "Image", "url": "https://enterprise.lemmy.ml/pictrs/image/Wt8zoMcCmE.jpg"},
        "inbox": "https://enterprise.lemmy.ml/c/tenforward/inbox",
        "followers": "https://enterprise.lemmy.ml/c/tenforward/followers",
        "attributedTo": "https://enterprise.lemmy.ml/c/tenforward/moderators",
        "featured": "https://enterprise.lemmy.ml/c/tenforward//featured",
        "postingRestrictedToMods": false,
        "endpoints": {"sharedInbox": "https://enterprise.lemmy.ml/inbox"},
        "outbox": "https://enterprise.lemmy.ml/c/tenforward/outbox",
        "publicKey": {
            "id": "https://enterprise.lemmy.ml/c/tenforward#main-key",
            "owner": "https://enterprise.lemmy.ml/c/tenforward",
            "publicKeyPem": "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n"
        },
        "language": [{"identifier": "fr", "name": "Français"}],
        "published": "2019-06-02T16:43:50.799554Z",
        "updated": "2021-03-10T17:18:10.498868Z"
    }))
    .expect("a group");
    assert_eq!(group.kind.as_str(), "Group");
    assert_eq!(
        group.inbox.as_deref(),
        Some("https://enterprise.lemmy.ml/c/tenforward/inbox")
    );
    assert_eq!(
        group.shared_inbox(),
        Some("https://enterprise.lemmy.ml/inbox")
    );
    assert_eq!(
        group.key().and_then(|k| k.owner.as_deref()),
        Some("https://enterprise.lemmy.ml/c/tenforward")
    );
    assert_eq!(
        group.followers.as_ref().and_then(ObjectRef::id),
        Some("https://enterprise.lemmy.ml/c/tenforward/followers")
    );
}

/// An `Event` shaped as Mobilizon's event converter writes one (its
/// properties and their value forms), in `tests/vectors/`.
const MOBILIZON_EVENT: &str = include_str!("../../tests/vectors/mobilizon-event.json");

#[test]
fn a_mobilizon_event_reads_with_its_place_capacity_status_and_online_address() {
    let event: EventObject = serde_json::from_str(MOBILIZON_EVENT).expect("event");
    assert_eq!(event.kind.as_str(), "Event");
    assert_eq!(
        event.id.as_deref(),
        Some("https://mobilizon1.com/events/8cf76e9f-c426-4912-9cd6-c7030b969611")
    );
    assert_eq!(event.name.as_deref(), Some("Apéro du libre"));
    assert_eq!(
        event.start_time.as_deref(),
        Some("2030-06-12T19:00:00+02:00")
    );
    assert_eq!(event.timezone.as_deref(), Some("Europe/Paris"));
    assert_eq!(event.join_mode.as_deref(), Some("free"));
    assert_eq!(
        event.external_participation_url, None,
        "null reads as absent"
    );
    assert_eq!(event.maximum_attendee_capacity, Some(30));
    assert_eq!(event.remaining_attendee_capacity, Some(18));
    assert_eq!(event.participant_count, Some(12));
    assert_eq!(event.is_online, Some(false));
    assert_eq!(event.status(), Some("CONFIRMED"));
    assert_eq!(event.owner(), Some("https://mobilizon1.com/@camille"));
    assert_eq!(event.online_address(), Some("https://visio.example/apero"));
    assert!(event.is_public());
    let place = event
        .location
        .as_ref()
        .and_then(ObjectRef::object)
        .expect("a place");
    assert_eq!(place.name.as_deref(), Some("La Cantine"));
    assert_eq!(place.latitude, Some(47.2115));
    let address = place
        .address
        .as_ref()
        .and_then(ObjectRef::object)
        .expect("an address");
    assert_eq!(address.address_locality.as_deref(), Some("Nantes"));
    assert_eq!(
        event.tag.iter().next().and_then(|t| t.name.as_deref()),
        Some("#libre")
    );
}

#[test]
fn an_event_of_odd_shapes_reads_them_as_absent() {
    let event: EventObject = serde_json::from_value(serde_json::json!({
        "type": ["Event"],
        "id": "https://m.example/events/1",
        "maximumAttendeeCapacity": -3,
        "remainingAttendeeCapacity": "ten",
        "participantCount": 1.5,
        "location": "https://m.example/address/1",
        "ical:status": "CANCELLED",
        "attachment": {"type": "Link", "name": "Website", "href": "https://v.example/x"},
        "attributedTo": ["https://m.example/@g", "https://m.example/@h"],
        "actor": 7,
    }))
    .expect("event");
    assert_eq!(event.maximum_attendee_capacity, None);
    assert_eq!(event.remaining_attendee_capacity, None);
    assert_eq!(event.participant_count, None);
    assert!(event
        .location
        .as_ref()
        .and_then(ObjectRef::object)
        .is_none());
    assert_eq!(event.status(), Some("CANCELLED"));
    assert_eq!(event.online_address(), Some("https://v.example/x"));
    assert_eq!(event.owner(), Some("https://m.example/@g"));
    assert_eq!(event.organiser(), None);
    assert!(!event.is_public());
}

#[test]
fn a_create_of_a_mobilizon_event_reads_as_a_create_whose_object_is_an_event() {
    let event: serde_json::Value = serde_json::from_str(MOBILIZON_EVENT).expect("json");
    let create = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": "https://mobilizon1.com/events/8cf76e9f-c426-4912-9cd6-c7030b969611/activity",
        "type": "Create",
        "actor": "https://mobilizon1.com/@camille",
        "to": [PUBLIC],
        "object": event,
    });
    let InboundActivity::Create(read) = parse(create.clone()) else {
        panic!("not a Create");
    };
    assert_eq!(read.embedded().map(|o| o.kind.as_str()), Some("Event"));
    let as_event: CreateOrUpdate<EventObject> = serde_json::from_value(create).expect("create");
    let object = as_event
        .object
        .as_ref()
        .and_then(ObjectRef::object)
        .expect("event");
    assert_eq!(object.participant_count, Some(12));
}
