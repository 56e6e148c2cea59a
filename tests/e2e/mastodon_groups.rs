//! Groups with Mastodon: the fake remote plays a Mastodon 4.3 server, its
//! users sending activities shaped as Mastodon's serializers write them
//! (`app/serializers/activitypub/`: `FollowSerializer`,
//! `UndoFollowSerializer`, `ActivitySerializer` with `NoteSerializer`),
//! with this test's hosts and ids. Mastodon has no groups of its own: its
//! users join a group by following it, post in it by mentioning it (the
//! group in `cc` and a `Mention` tag, no `audience`), and reply in its
//! threads; they hear back in the forms Mastodon applies (the `Accept` or
//! `Reject` of their `Follow`, and the group's `Announce` of the bare
//! `Note`, as Mastodon ignores an announced `Create`).

use std::sync::atomic::{AtomicU64, Ordering};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::fake_remote::FakeRemote;
use crate::harness::{eventually, Member, TestNode};
use crate::lemmy_groups::{actor_of, authored, find, group_feed, now_rfc3339};

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// The `@context` Mastodon 4.3 gives a `Create` of a status (the
/// `NoteSerializer`'s context extensions).
fn status_context() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        {
            "ostatus": "http://ostatus.org#",
            "atomUri": "ostatus:atomUri",
            "inReplyToAtomUri": "ostatus:inReplyToAtomUri",
            "conversation": "ostatus:conversation",
            "sensitive": "as:sensitive",
            "toot": "http://joinmastodon.org/ns#",
            "votersCount": "toot:votersCount"
        }
    ])
}

/// A fresh number: Mastodon's ids (statuses, follows) are numbers.
fn next_number() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(113_450_000_000_000_001);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Now as Mastodon writes `published` (`Time#iso8601`: whole seconds).
fn now_iso8601() -> String {
    let t = now_rfc3339();
    match t.split_once('.') {
        Some((seconds, _)) => format!("{seconds}Z"),
        None => t,
    }
}

/// Whom a status mentions: the actor id, `@name@host`, and the profile
/// page the text links.
struct Mentioned {
    id: String,
    acct: String,
    page: String,
}

impl Mentioned {
    /// The member or group `name` of `node`, whose actor id is `id`.
    fn on(node: &TestNode, name: &str, id: &str) -> Mentioned {
        Mentioned {
            id: id.to_string(),
            acct: format!("@{name}@{}", node.domain()),
            page: id.replace(&format!("/users/{name}"), &format!("/@{name}")),
        }
    }

    /// The mention as Mastodon's formatter renders it in `content`.
    fn html(&self) -> String {
        let name = self.acct.trim_start_matches('@');
        let name = name.split('@').next().unwrap_or(name);
        format!(
            "<span class=\"h-card\" translate=\"no\"><a href=\"{}\" class=\"u-url mention\">@<span>{name}</span></a></span>",
            self.page
        )
    }
}

/// A Mastodon 4.3 server: the fake server with Mastodon's paths.
struct Mastodon {
    fake: FakeRemote,
}

impl Mastodon {
    async fn start() -> Mastodon {
        Mastodon {
            fake: FakeRemote::start().await,
        }
    }

    /// `http://HOST{path}`.
    fn url(&self, path: &str) -> String {
        self.fake.url(path)
    }

    /// Adds the user `name` (`/users/NAME`, as the `ActorSerializer`
    /// writes a person); returns its id.
    fn add_user(&self, name: &str) -> String {
        let host = self.url("");
        self.fake
            .add_actor_at(name, &format!("/users/{name}"), |id, pem| {
                json!({
                    "@context": [
                        "https://www.w3.org/ns/activitystreams",
                        "https://w3id.org/security/v1",
                        {
                            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
                            "toot": "http://joinmastodon.org/ns#",
                            "featured": {"@id": "toot:featured", "@type": "@id"},
                            "featuredTags": {"@id": "toot:featuredTags", "@type": "@id"},
                            "alsoKnownAs": {"@id": "as:alsoKnownAs", "@type": "@id"},
                            "movedTo": {"@id": "as:movedTo", "@type": "@id"},
                            "schema": "http://schema.org#",
                            "PropertyValue": "schema:PropertyValue",
                            "value": "schema:value",
                            "discoverable": "toot:discoverable",
                            "suspended": "toot:suspended",
                            "memorial": "toot:memorial",
                            "indexable": "toot:indexable"
                        }
                    ],
                    "id": id,
                    "type": "Person",
                    "following": format!("{id}/following"),
                    "followers": format!("{id}/followers"),
                    "inbox": format!("{id}/inbox"),
                    "outbox": format!("{id}/outbox"),
                    "featured": format!("{id}/collections/featured"),
                    "featuredTags": format!("{id}/collections/tags"),
                    "preferredUsername": name,
                    "name": format!("{name} on Mastodon"),
                    "summary": "<p>Toots here.</p>",
                    "url": format!("{host}/@{name}"),
                    "manuallyApprovesFollowers": false,
                    "discoverable": true,
                    "indexable": false,
                    "published": "2022-11-01T00:00:00Z",
                    "memorial": false,
                    "publicKey": {"id": format!("{id}#main-key"), "owner": id, "publicKeyPem": pem},
                    "tag": [],
                    "attachment": [],
                    "endpoints": {"sharedInbox": format!("{host}/inbox")},
                })
            })
    }

    /// `actor`'s `Follow` of `object`, as `FollowSerializer` writes a
    /// follow request (its id a UUID under the server's root).
    fn follow(&self, actor: &str, object: &str) -> Value {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": self.url(&format!(
                "/0f6c3e1a-9d2b-4c4e-8f00-{:012x}",
                next_number() % 0x1_0000_0000_0000
            )),
            "type": "Follow",
            "actor": actor,
            "object": object,
        })
    }

    /// The `Undo` of `follow`, as `UndoFollowSerializer` writes it.
    fn undo_follow(&self, follow: &Value) -> Value {
        let mut object = follow.clone();
        if let Some(o) = object.as_object_mut() {
            o.remove("@context");
        }
        let actor = follow["actor"].as_str().unwrap_or_default();
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{actor}#follows/{}/undo", next_number()),
            "type": "Undo",
            "actor": actor,
            "object": object,
        })
    }

    /// A public status by `name` saying `text` after its mentions, in
    /// reply to `in_reply_to` if any: the `Create` as
    /// `ActivitySerializer` writes it (`to` the public, `cc` the author's
    /// followers and everyone mentioned, a `Mention` tag each). Returns
    /// the status id and the activity.
    fn status(
        &self,
        name: &str,
        text: &str,
        mentions: &[&Mentioned],
        in_reply_to: Option<&str>,
    ) -> (String, Value) {
        let to = json!([PUBLIC]);
        let mut cc = vec![json!(format!("{}/followers", self.fake.actor(name)))];
        cc.extend(mentions.iter().map(|m| json!(m.id)));
        self.status_addressed(name, text, mentions, in_reply_to, to, json!(cc))
    }

    /// A status of `name` addressed `to` and `cc` (a followers-only or
    /// direct status): otherwise as [`Self::status`].
    fn status_addressed(
        &self,
        name: &str,
        text: &str,
        mentions: &[&Mentioned],
        in_reply_to: Option<&str>,
        to: Value,
        cc: Value,
    ) -> (String, Value) {
        let actor = self.fake.actor(name);
        let n = next_number();
        let id = format!("{actor}/statuses/{n}");
        let published = now_iso8601();
        let linked: Vec<String> = mentions.iter().map(|m| m.html()).collect();
        let content = format!("<p>{} {text}</p>", linked.join(" "));
        let tag: Vec<Value> = mentions
            .iter()
            .map(|m| json!({"type": "Mention", "href": m.id, "name": m.acct}))
            .collect();
        let host = self.fake.domain.clone();
        let note = json!({
            "id": id,
            "type": "Note",
            "summary": null,
            "inReplyTo": in_reply_to,
            "published": published,
            "url": self.url(&format!("/@{name}/{n}")),
            "attributedTo": actor,
            "to": to,
            "cc": cc,
            "sensitive": false,
            "atomUri": id,
            "inReplyToAtomUri": in_reply_to,
            "conversation": format!("tag:{host},2024-11-05:objectId={n}:objectType=Conversation"),
            "content": content,
            "contentMap": {"en": content},
            "attachment": [],
            "tag": tag,
            "replies": {
                "id": format!("{id}/replies"),
                "type": "Collection",
                "first": {
                    "type": "CollectionPage",
                    "next": format!("{id}/replies?only_other_accounts=true&page=true"),
                    "partOf": format!("{id}/replies"),
                    "items": [],
                },
            },
        });
        let create = json!({
            "@context": status_context(),
            "id": format!("{id}/activity"),
            "type": "Create",
            "actor": actor,
            "published": published,
            "to": note["to"],
            "cc": note["cc"],
            "object": note,
        });
        (id, create)
    }

    /// Sends `activity` to `node`, signed by `name`; the status must be a
    /// 2xx.
    async fn send(&self, node: &TestNode, name: &str, activity: &Value) {
        let (status, body) = self.fake.send(node, name, activity).await;
        assert!(
            status.is_success(),
            "{name} sent {activity}: {status} {body}"
        );
    }

    /// The activities delivered so far whose `type` is `kind`.
    fn delivered(&self, kind: &str) -> Vec<Value> {
        self.fake
            .delivered()
            .into_iter()
            .filter(|a| a["type"] == kind)
            .collect()
    }

    /// The group's announces delivered so far.
    fn announces_by(&self, group: &str) -> Vec<Value> {
        self.delivered("Announce")
            .into_iter()
            .filter(|a| a["actor"] == group)
            .collect()
    }
}

/// The id (or, embedded, the object's id) an activity's `object` names.
fn object_id(activity: &Value) -> &str {
    activity["object"]["id"]
        .as_str()
        .or(activity["object"].as_str())
        .unwrap_or_default()
}

/// Asserts that `answer` (an `Accept` or `Reject` by `group`) answers
/// `follow` so that Mastodon applies it: it finds the follow by the id
/// it gave it, or, embedded, by its actor and object.
#[track_caller]
fn assert_answers(answer: &Value, group: &str, follow: &Value) {
    assert_eq!(answer["actor"], group, "{answer}");
    assert_eq!(
        object_id(answer),
        follow["id"].as_str().unwrap_or("?"),
        "{answer}"
    );
    if answer["object"].is_object() {
        assert_eq!(answer["object"]["type"], "Follow", "{answer}");
        assert_eq!(answer["object"]["actor"], follow["actor"], "{answer}");
        assert_eq!(answer["object"]["object"], group, "{answer}");
    }
}

/// Asserts the group's addressing of an announce: public, cc its followers.
#[track_caller]
fn assert_group_addressing(announce: &Value, group: &str) {
    assert_eq!(announce["actor"], group, "{announce}");
    assert!(
        announce["to"]
            .as_array()
            .is_some_and(|to| to.contains(&json!(PUBLIC))),
        "{announce}"
    );
    assert!(
        announce["cc"]
            .as_array()
            .is_some_and(|cc| cc.contains(&json!(format!("{group}/followers")))),
        "cc the group's followers: {announce}"
    );
}

/// The group `name`'s member count, as `member` sees it.
async fn members_count(node: &TestNode, member: &Member, name: &str) -> Value {
    let g = node
        .get(&format!("/groups/{name}"), Some(&member.token))
        .await;
    assert_eq!(g.status, StatusCode::OK, "{}", g.body);
    g.body["members_count"].clone()
}

/// `alice` creates the group `name` (`extra` settings); returns its actor
/// id.
async fn create_group(node: &TestNode, alice: &Member, name: &str, extra: Value) -> String {
    let mut body = json!({"name": name, "display_name": format!("The {name}")});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let r = node.post("/groups", Some(&alice.token), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    actor_of(node, name).await
}

/// The Mastodon user `name` joins the open group `group`: their Follow,
/// and the group's Accept of it. Returns the Follow.
async fn join(node: &TestNode, mastodon: &Mastodon, name: &str, group: &str) -> Value {
    let follow = mastodon.follow(&mastodon.fake.actor(name), group);
    mastodon.send(node, name, &follow).await;
    let accept = eventually("the group accepts the Follow", || async {
        mastodon
            .delivered("Accept")
            .into_iter()
            .find(|a| object_id(a) == follow["id"].as_str().unwrap_or("?"))
    })
    .await;
    assert_answers(&accept, group, &follow);
    follow
}

/// The Mastodon user `name`'s actor inbox, where Mastodon takes the
/// answer to a Follow.
fn inbox_path(name: &str) -> String {
    format!("/users/{name}/inbox")
}

#[tokio::test]
async fn a_mastodon_user_joins_open_and_approval_groups_and_leaves() {
    let node = TestNode::start_federated().await;
    let alice = node.register("alice").await;
    let forum = create_group(&node, &alice, "forum", json!({})).await;
    let circle = create_group(&node, &alice, "circle", json!({"join_mode": "approval"})).await;
    let mastodon = Mastodon::start().await;
    let carla = mastodon.add_user("carla");
    let carla_handle = format!("carla@{}", mastodon.fake.domain);

    // An open group: the Follow is accepted at once, in carla's inbox.
    assert_eq!(members_count(&node, &alice, "forum").await, 1);
    let follow = join(&node, &mastodon, "carla", &forum).await;
    assert!(
        mastodon.fake.received().iter().any(|r| r.method == "POST"
            && r.path == inbox_path("carla")
            && String::from_utf8_lossy(&r.body).contains("\"Accept\"")),
        "the Accept goes to carla's inbox"
    );
    assert_eq!(members_count(&node, &alice, "forum").await, 2);

    // A group joined by approval: pending until a moderator approves,
    // then accepted.
    let request = mastodon.follow(&carla, &circle);
    mastodon.send(&node, "carla", &request).await;
    assert_eq!(members_count(&node, &alice, "circle").await, 1);
    eventually("alice hears of the join request", || async {
        let notes = node.get("/notifications", Some(&alice.token)).await;
        notes
            .body
            .to_string()
            .contains("group_join_request")
            .then_some(())
    })
    .await;
    assert!(
        !mastodon
            .delivered("Accept")
            .iter()
            .any(|a| a["actor"] == circle.as_str()),
        "no Accept before the approval"
    );
    let r = node
        .post(
            &format!("/groups/circle/members/{carla_handle}/approve"),
            Some(&alice.token),
            json!({}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    let accept = eventually("the group accepts after the approval", || async {
        mastodon
            .delivered("Accept")
            .into_iter()
            .find(|a| a["actor"] == circle.as_str())
    })
    .await;
    assert_answers(&accept, &circle, &request);
    assert_eq!(members_count(&node, &alice, "circle").await, 2);

    // carla unfollows forum (Mastodon's `Undo` of the Follow it sent):
    // she has left it.
    mastodon
        .send(&node, "carla", &mastodon.undo_follow(&follow))
        .await;
    assert_eq!(members_count(&node, &alice, "forum").await, 1);
    assert_eq!(members_count(&node, &alice, "circle").await, 2);
}

#[tokio::test]
async fn a_mastodon_user_posts_in_a_group_by_mentioning_it_and_replies_in_its_threads() {
    let node = TestNode::start_federated().await;
    let alice = node.register("alice").await;
    let bob = node.register("bob").await;
    let forum = create_group(&node, &alice, "forum", json!({})).await;
    let mastodon = Mastodon::start().await;
    mastodon.add_user("carla");
    mastodon.add_user("dave");
    let dave_handle = format!("dave@{}", mastodon.fake.domain);
    let group = Mentioned::on(&node, "forum", &forum);

    // bob joins with a Mastodon client here: the group is an account
    // (`group: true`) and following it joins it.
    let found = node
        .get("/api/v1/accounts/lookup?acct=forum", Some(&bob.token))
        .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    assert_eq!(found.body["group"], true, "{}", found.body);
    let account = found.body["id"]
        .as_str()
        .expect("an account id")
        .to_string();
    let r = node
        .post(
            &format!("/api/v1/accounts/{account}/follow"),
            Some(&bob.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["following"], true, "{}", r.body);

    // carla joins over ActivityPub, then toots mentioning the group.
    join(&node, &mastodon, "carla", &forum).await;
    let (note_id, create) = mastodon.status("carla", "hello from mastodon", &[&group], None);
    mastodon.send(&node, "carla", &create).await;
    let feed = group_feed(&node, &alice, "forum").await;
    let post = find(&feed, "hello from mastodon").expect("carla's toot in the group's feed");

    // The group announces it twice: the Create (for Lemmy and the like),
    // and the bare Note, which is what Mastodon shows as a boost.
    let announced = eventually("the group announces the Create", || async {
        mastodon.announces_by(&forum).into_iter().find(|a| {
            a["object"]["type"] == "Create" && object_id(&a["object"]) == note_id.as_str()
        })
    })
    .await;
    assert_group_addressing(&announced, &forum);
    let bare = eventually("the group announces the bare Note", || async {
        mastodon.announces_by(&forum).into_iter().find(|a| {
            a["object"] == note_id.as_str()
                || (a["object"]["type"] == "Note" && a["object"]["id"] == note_id.as_str())
        })
    })
    .await;
    assert_group_addressing(&bare, &forum);
    assert_ne!(bare["id"], announced["id"], "two announces, two ids");
    if bare["object"].is_object() {
        assert_eq!(
            bare["object"]["attributedTo"],
            mastodon.fake.actor("carla").as_str(),
            "{bare}"
        );
    }

    // bob, who follows only the group, sees carla's toot in his home
    // timeline (Kodeon's Mastodon client API).
    let home = node.get("/api/v1/timelines/home", Some(&bob.token)).await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    let shown = home
        .body
        .as_array()
        .and_then(|statuses| statuses.iter().find(|s| s["id"] == post.as_str()))
        .unwrap_or_else(|| panic!("carla's toot in bob's home timeline: {}", home.body));
    assert_eq!(
        shown["account"]["acct"],
        format!("carla@{}", mastodon.fake.domain),
        "{shown}"
    );
    assert!(
        shown["content"]
            .as_str()
            .is_some_and(|c| c.contains("hello from mastodon")),
        "{shown}"
    );

    // dave, who is not a member, toots mentioning the group: an ordinary
    // post, not in the group.
    let (dave_note, create) = mastodon.status("dave", "not a member's toot", &[&group], None);
    mastodon.send(&node, "dave", &create).await;
    assert!(authored(&node, &dave_handle, "not a member's toot").await);
    let feed = group_feed(&node, &alice, "forum").await;
    assert_eq!(find(&feed, "not a member's toot"), None, "{feed:?}");

    // alice starts a thread in the group; carla hears of it and replies
    // as Mastodon does (`inReplyTo` the post, its author mentioned): the
    // reply is in the thread, and the group announces it.
    let r = node
        .post(
            "/groups/forum/posts",
            Some(&alice.token),
            json!({"content": "alice asks a question"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let question = r.body["id"].as_str().expect("an id").to_string();
    let question_uri = eventually("alice's post is announced as a Note", || async {
        mastodon.announces_by(&forum).into_iter().find_map(|a| {
            (a["object"]["type"] == "Note"
                && a["object"]["content"]
                    .as_str()
                    .is_some_and(|c| c.contains("alice asks a question")))
            .then(|| a["object"]["id"].as_str().map(str::to_string))
            .flatten()
        })
    })
    .await;
    let alice_uri = actor_of(&node, "alice").await;
    let alice_mention = Mentioned::on(&node, "alice", &alice_uri);
    let (reply_id, create) = mastodon.status(
        "carla",
        "carla answers",
        &[&alice_mention],
        Some(&question_uri),
    );
    mastodon.send(&node, "carla", &create).await;
    let thread = node
        .get(&format!("/posts/{question}/thread"), Some(&alice.token))
        .await;
    assert_eq!(thread.status, StatusCode::OK, "{}", thread.body);
    let descendants = thread.body["descendants"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        descendants.iter().any(|d| d["depth"] == 1
            && d["content"]
                .as_str()
                .is_some_and(|c| c.contains("carla answers"))),
        "{}",
        thread.body
    );
    let reply = eventually("the group announces the reply", || async {
        mastodon.announces_by(&forum).into_iter().find(|a| {
            a["object"]["type"] == "Create" && object_id(&a["object"]) == reply_id.as_str()
        })
    })
    .await;
    assert_group_addressing(&reply, &forum);
    assert_eq!(
        reply["object"]["object"]["inReplyTo"],
        question_uri.as_str(),
        "{reply}"
    );

    // Nothing of dave's toot was announced (its announce would have gone
    // out before the ones just seen).
    assert!(
        !mastodon
            .announces_by(&forum)
            .iter()
            .any(|a| a.to_string().contains(&dave_note)),
        "dave's toot is not the group's"
    );
}

#[tokio::test]
async fn a_mastodon_members_private_toots_mentioning_a_group_stay_private() {
    let node = TestNode::start_federated().await;
    let alice = node.register("alice").await;
    let forum = create_group(&node, &alice, "forum", json!({})).await;
    let mastodon = Mastodon::start().await;
    let carla = mastodon.add_user("carla");
    let group = Mentioned::on(&node, "forum", &forum);
    join(&node, &mastodon, "carla", &forum).await;

    // A followers-only toot (`to` her followers, `cc` the mentioned) and a
    // direct one (`to` the mentioned only): neither is the group's.
    let (private_note, create) = mastodon.status_addressed(
        "carla",
        "for my followers only",
        &[&group],
        None,
        json!([format!("{carla}/followers")]),
        json!([forum]),
    );
    mastodon.send(&node, "carla", &create).await;
    let (direct_note, create) = mastodon.status_addressed(
        "carla",
        "a word for the group alone",
        &[&group],
        None,
        json!([forum]),
        json!([]),
    );
    mastodon.send(&node, "carla", &create).await;
    let feed = group_feed(&node, &alice, "forum").await;
    assert_eq!(find(&feed, "for my followers only"), None, "{feed:?}");
    assert_eq!(find(&feed, "a word for the group alone"), None, "{feed:?}");

    // A public toot after them is the group's and announced; the private
    // ones were not announced.
    let (public_note, create) = mastodon.status("carla", "for everyone", &[&group], None);
    mastodon.send(&node, "carla", &create).await;
    eventually("the public toot is announced", || async {
        mastodon
            .announces_by(&forum)
            .into_iter()
            .find(|a| object_id(&a["object"]) == public_note.as_str())
    })
    .await;

    // A private mention in reply to a post of the group's thread is
    // refused: the thread is the group's, and the group's posts are public.
    let feed = group_feed(&node, &alice, "forum").await;
    let public = find(&feed, "for everyone").expect("the public toot in the feed");
    let alice_uri = actor_of(&node, "alice").await;
    let alice_mention = Mentioned::on(&node, "alice", &alice_uri);
    let (direct_reply, create) = mastodon.status_addressed(
        "carla",
        "just between us",
        &[&alice_mention],
        Some(&public_note),
        json!([alice_uri]),
        json!([]),
    );
    let (status, body) = mastodon.fake.send(&node, "carla", &create).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let thread = node
        .get(&format!("/posts/{public}/thread"), Some(&alice.token))
        .await;
    assert!(
        !thread.body.to_string().contains("just between us"),
        "{}",
        thread.body
    );

    let announced = mastodon.announces_by(&forum);
    for note in [&private_note, &direct_note, &direct_reply] {
        assert!(
            !announced
                .iter()
                .any(|a| a.to_string().contains(note.as_str())),
            "{note} announced: {announced:?}"
        );
    }
}

#[tokio::test]
async fn a_mastodon_user_is_moderated_in_a_group() {
    let node = TestNode::start_federated().await;
    let alice = node.register("alice").await;
    let forum = create_group(&node, &alice, "forum", json!({})).await;
    let mastodon = Mastodon::start().await;
    let carla = mastodon.add_user("carla");
    let carla_handle = format!("carla@{}", mastodon.fake.domain);
    let group = Mentioned::on(&node, "forum", &forum);
    let follow = join(&node, &mastodon, "carla", &forum).await;
    assert_eq!(members_count(&node, &alice, "forum").await, 2);

    // carla's toot in the group; alice, its owner, removes it: the group
    // announces the removal (a Delete by alice).
    let (note_id, create) = mastodon.status("carla", "a toot to remove", &[&group], None);
    mastodon.send(&node, "carla", &create).await;
    let feed = group_feed(&node, &alice, "forum").await;
    let post = find(&feed, "a toot to remove").expect("carla's toot in the group's feed");
    let r = node
        .delete(&format!("/groups/forum/posts/{post}"), Some(&alice.token))
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    let feed = group_feed(&node, &alice, "forum").await;
    assert_eq!(find(&feed, "a toot to remove"), None, "{feed:?}");
    let alice_uri = actor_of(&node, "alice").await;
    let removal = eventually("the group announces the removal", || async {
        mastodon
            .announces_by(&forum)
            .into_iter()
            .find(|a| a["object"]["type"] == "Delete")
    })
    .await;
    assert_group_addressing(&removal, &forum);
    assert_eq!(removal["object"]["actor"], alice_uri.as_str(), "{removal}");
    assert_eq!(object_id(&removal["object"]), note_id, "{removal}");

    // alice bans carla: her Follow is rejected (Mastodon then drops the
    // follow: it finds it by its id), and the group announces the ban.
    let r = node
        .post(
            &format!("/groups/forum/members/{carla_handle}/ban"),
            Some(&alice.token),
            json!({"reason": "spam"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    assert_eq!(members_count(&node, &alice, "forum").await, 1);
    let reject = eventually("the group rejects carla's Follow", || async {
        mastodon
            .delivered("Reject")
            .into_iter()
            .find(|a| a["actor"] == forum.as_str())
    })
    .await;
    assert_answers(&reject, &forum, &follow);
    let ban = eventually("the group announces the ban", || async {
        mastodon
            .announces_by(&forum)
            .into_iter()
            .find(|a| a["object"]["type"] == "Block")
    })
    .await;
    assert_group_addressing(&ban, &forum);
    assert_eq!(ban["object"]["object"], carla.as_str(), "{ban}");
    assert_eq!(ban["object"]["actor"], alice_uri.as_str(), "{ban}");

    // Banned: a new toot mentioning the group is an ordinary post, and a
    // new Follow is rejected.
    let (_, create) = mastodon.status("carla", "still here?", &[&group], None);
    mastodon.send(&node, "carla", &create).await;
    assert!(authored(&node, &carla_handle, "still here?").await);
    let feed = group_feed(&node, &alice, "forum").await;
    assert_eq!(find(&feed, "still here?"), None, "{feed:?}");
    let again = mastodon.follow(&carla, &forum);
    mastodon.send(&node, "carla", &again).await;
    let reject = eventually("the group rejects the new Follow", || async {
        mastodon
            .delivered("Reject")
            .into_iter()
            .find(|a| object_id(a) == again["id"].as_str().unwrap_or("?"))
    })
    .await;
    assert_answers(&reject, &forum, &again);
    assert_eq!(members_count(&node, &alice, "forum").await, 1);
}
