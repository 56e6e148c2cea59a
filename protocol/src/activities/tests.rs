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
