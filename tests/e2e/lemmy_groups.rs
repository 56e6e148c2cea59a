//! Groups with Lemmy (FEP-1b12): the fake remote plays a Lemmy 0.19
//! instance, its communities, users and moderators sending activities
//! shaped as Lemmy's documented examples show them
//! (`crates/apub/assets/lemmy/`), with this test's hosts and ids.
//!
//! Both ways: a member here joins a Lemmy community and sees what it
//! announces applied (posts, locks, pins, removals, bans), and a Lemmy
//! user joins a group here, posts in it, and hears what the group
//! announces (the post, a moderator's removal, a ban, a like).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::fake_remote::{Answer, FakeRemote};
use crate::harness::{eventually, Member, TestNode};

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// The `@context` Lemmy 0.19 sends.
fn lemmy_context() -> Value {
    json!([
        "https://join-lemmy.org/context.json",
        "https://www.w3.org/ns/activitystreams"
    ])
}

/// A fresh UUID-like suffix for activity ids.
fn uuid() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!(
        "6abcd50b-b8ca-4952-86b0-{:012x}",
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Now as RFC 3339 (UTC), as Lemmy writes `published`.
pub(crate) fn now_rfc3339() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.000000Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

/// A Lemmy instance: the fake server with Lemmy's paths.
struct Lemmy {
    fake: FakeRemote,
}

impl Lemmy {
    async fn start() -> Lemmy {
        Lemmy {
            fake: FakeRemote::start().await,
        }
    }

    /// `http://HOST{path}`.
    fn url(&self, path: &str) -> String {
        self.fake.url(path)
    }

    /// An activity id of `kind`, as Lemmy makes them.
    fn activity_id(&self, kind: &str) -> String {
        self.url(&format!("/activities/{kind}/{}", uuid()))
    }

    /// Adds the community `name` (`/c/NAME`, as `objects/group.json`);
    /// returns its id.
    fn add_community(&self, name: &str) -> String {
        let host = self.url("");
        let community = self.fake.add_actor_at(name, &format!("/c/{name}"), |id, pem| {
            json!({
                "@context": lemmy_context(),
                "id": id,
                "type": "Group",
                "preferredUsername": name,
                "name": format!("The {name} community"),
                "summary": "<p>Lounge and recreation facility</p>\n",
                "source": {"content": "Lounge and recreation facility", "mediaType": "text/markdown"},
                "sensitive": false,
                "inbox": format!("{id}/inbox"),
                "followers": format!("{id}/followers"),
                "attributedTo": format!("{id}/moderators"),
                "featured": format!("{id}/featured"),
                "postingRestrictedToMods": false,
                "endpoints": {"sharedInbox": format!("{host}/inbox")},
                "outbox": format!("{id}/outbox"),
                "publicKey": {"id": format!("{id}#main-key"), "owner": id, "publicKeyPem": pem},
                "language": [],
                "published": "2019-06-02T16:43:50.799554Z",
            })
        });
        self.fake.serve(
            &format!("/c/{name}/moderators"),
            Answer::json(&json!({
                "@context": lemmy_context(),
                "type": "OrderedCollection",
                "id": format!("{community}/moderators"),
                "orderedItems": [self.url("/u/moderator")],
            })),
        );
        self.fake.serve(
            &format!("/c/{name}/featured"),
            Answer::json(&json!({
                "@context": lemmy_context(),
                "type": "OrderedCollection",
                "id": format!("{community}/featured"),
                "totalItems": 0,
                "orderedItems": [],
            })),
        );
        community
    }

    /// Adds the user `name` (`/u/NAME`, as `objects/person.json`); returns
    /// its id.
    fn add_user(&self, name: &str) -> String {
        let host = self.url("");
        self.fake
            .add_actor_at(name, &format!("/u/{name}"), |id, pem| {
                json!({
                    "@context": lemmy_context(),
                    "id": id,
                    "type": "Person",
                    "preferredUsername": name,
                    "name": format!("{name} of Lemmy"),
                    "inbox": format!("{id}/inbox"),
                    "outbox": format!("{id}/outbox"),
                    "endpoints": {"sharedInbox": format!("{host}/inbox")},
                    "publicKey": {"id": format!("{id}#main-key"), "owner": id, "publicKeyPem": pem},
                    "published": "2020-01-17T01:38:22.348392Z",
                })
            })
    }

    /// Serves the post `/post/N` (as `objects/page.json`) by `author` in
    /// `community`; returns its id.
    fn serve_page(&self, n: u32, author: &str, community: &str, title: &str, body: &str) -> String {
        let id = self.url(&format!("/post/{n}"));
        self.fake.serve(
            &format!("/post/{n}"),
            Answer::json(&self.page(&id, author, community, title, body)),
        );
        id
    }

    /// A `Page` as Lemmy writes it.
    fn page(&self, id: &str, author: &str, community: &str, title: &str, body: &str) -> Value {
        json!({
            "@context": lemmy_context(),
            "id": id,
            "type": "Page",
            "attributedTo": author,
            "to": [community, PUBLIC],
            "audience": community,
            "name": title,
            "content": format!("<p>{body}</p>\n"),
            "mediaType": "text/html",
            "source": {"content": body, "mediaType": "text/markdown"},
            "attachment": [{"type": "Link", "href": "https://lemmy.example/pictrs/image/ferris.png"}],
            "sensitive": false,
            "language": {"identifier": "en", "name": "English"},
            "published": now_rfc3339(),
        })
    }

    /// `Create(page)` by its author, as `create_or_update/create_page.json`.
    fn create_page(&self, page: &Value, community: &str) -> Value {
        let mut object = page.clone();
        if let Some(o) = object.as_object_mut() {
            o.remove("@context");
        }
        json!({
            "actor": page["attributedTo"],
            "to": [PUBLIC],
            "object": object,
            "cc": [community],
            "audience": community,
            "type": "Create",
            "id": self.activity_id("create"),
        })
    }

    /// The community's `Announce` of `inner` (`community/announce_*.json`).
    fn announce(&self, community: &str, inner: Value) -> Value {
        let kind = inner["type"].as_str().unwrap_or("other").to_lowercase();
        json!({
            "@context": lemmy_context(),
            "actor": community,
            "to": [PUBLIC],
            "object": inner,
            "cc": [format!("{community}/followers")],
            "type": "Announce",
            "id": self.url(&format!("/activities/announce/{kind}/{}", uuid())),
        })
    }

    /// What a moderator of `community` does to `object` (`Lock`, a
    /// removal as `Delete`), as `community/lock_page.json` and
    /// `deletion/remove_note.json`.
    fn moderation(&self, kind: &str, community: &str, object: &str) -> Value {
        json!({
            "id": self.activity_id(&kind.to_lowercase()),
            "actor": self.url("/u/moderator"),
            "to": [PUBLIC],
            "object": object,
            "cc": [community],
            "type": kind,
            "audience": community,
        })
    }

    /// `Undo(inner)` by the moderator, as `community/undo_lock_page.json`.
    fn undo(&self, community: &str, inner: Value) -> Value {
        json!({
            "id": self.activity_id("undo"),
            "actor": self.url("/u/moderator"),
            "to": [PUBLIC],
            "object": inner,
            "cc": [community],
            "type": "Undo",
            "audience": community,
        })
    }

    /// A ban from `community` of `member`, as `block/block_user.json`.
    fn ban(&self, community: &str, member: &str) -> Value {
        json!({
            "actor": self.url("/u/moderator"),
            "to": [PUBLIC],
            "object": member,
            "cc": [community],
            "audience": community,
            "target": community,
            "type": "Block",
            "removeData": false,
            "summary": "spam post",
            "id": self.activity_id("block"),
        })
    }

    /// Sends `activity` (given Lemmy's `@context` if it has none) to
    /// `node`, signed by `name`; the status must be a 2xx.
    async fn send(&self, node: &TestNode, name: &str, mut activity: Value) -> Value {
        if let Some(o) = activity.as_object_mut() {
            o.entry("@context").or_insert_with(lemmy_context);
        }
        let (status, body) = self.fake.send(node, name, &activity).await;
        assert!(
            status.is_success(),
            "{name} sent {activity}: {status} {body}"
        );
        body
    }

    /// The activities delivered so far whose `type` is `kind`.
    fn delivered(&self, kind: &str) -> Vec<Value> {
        self.fake
            .delivered()
            .into_iter()
            .filter(|a| a["type"] == kind)
            .collect()
    }
}

/// The posts (as the API shows them) of a group's feed for `member`.
pub(crate) async fn group_feed(node: &TestNode, member: &Member, group: &str) -> Vec<Value> {
    let r = node
        .get(&format!("/groups/{group}/posts"), Some(&member.token))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["items"].as_array().cloned().unwrap_or_default()
}

/// The id of the post of `feed` whose content contains `text`.
pub(crate) fn find(feed: &[Value], text: &str) -> Option<String> {
    feed.iter().find_map(|p| {
        p["content"]
            .as_str()
            .is_some_and(|c| c.contains(text))
            .then(|| p["id"].as_str().unwrap_or_default().to_string())
    })
}

/// `member`'s membership of `group`.
async fn membership(node: &TestNode, member: &Member, group: &str) -> Value {
    let g = node
        .get(&format!("/groups/{group}"), Some(&member.token))
        .await;
    assert_eq!(g.status, StatusCode::OK, "{}", g.body);
    g.body["viewer"]["membership"].clone()
}

/// Whether any post of the remote account `handle` on `node` contains
/// `text`.
pub(crate) async fn authored(node: &TestNode, handle: &str, text: &str) -> bool {
    let r = node.get(&format!("/members/{handle}/posts"), None).await;
    r.body["items"].as_array().is_some_and(|items| {
        items
            .iter()
            .any(|p| p["content"].as_str().unwrap_or_default().contains(text))
    })
}

/// `member` of `node` joins the community `name` of `lemmy`, which
/// accepts as Lemmy does (`following/accept.json`); returns the
/// member's actor id.
async fn join_community(node: &TestNode, member: &Member, lemmy: &Lemmy, name: &str) -> String {
    let community = lemmy.fake.actor(name);
    let handle = format!("{name}@{}", lemmy.fake.domain);
    let r = node
        .post(
            &format!("/groups/{handle}/join"),
            Some(&member.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["state"], "pending", "{}", r.body);
    assert_eq!(membership(node, member, &handle).await, "pending");
    let follow = eventually("the Follow reaches the community", || async {
        lemmy
            .delivered("Follow")
            .into_iter()
            .find(|f| f["object"] == community.as_str())
    })
    .await;
    let follower = follow["actor"]
        .as_str()
        .expect("a Follow's actor")
        .to_string();
    let accept = json!({
        "actor": community,
        "to": [follower],
        "object": {
            "actor": follower,
            "to": [community],
            "object": community,
            "type": "Follow",
            "id": follow["id"],
        },
        "type": "Accept",
        "id": lemmy.activity_id("accept"),
    });
    lemmy.send(node, name, accept).await;
    assert_eq!(membership(node, member, &handle).await, "member");
    follower
}

#[tokio::test]
async fn a_member_joins_a_lemmy_community_and_its_moderators_actions_apply() {
    let node = TestNode::start_federated().await;
    let alice = node.register("alice").await;
    let lemmy = Lemmy::start().await;
    let main = lemmy.add_community("main");
    let beta = lemmy.add_user("lemmy_beta");
    lemmy.add_user("moderator");
    let handle = format!("main@{}", lemmy.fake.domain);
    join_community(&node, &alice, &lemmy, "main").await;

    // A Lemmy user's post, announced by the community
    // (`community/announce_create_page.json`): fetched from its origin,
    // in the group's feed here and in the member's home feed.
    let page_id = lemmy.serve_page(1, &beta, &main, "Post title", "a post in main");
    let page = lemmy.page(&page_id, &beta, &main, "Post title", "a post in main");
    let create = lemmy.create_page(&page, &main);
    lemmy
        .send(&node, "main", lemmy.announce(&main, create))
        .await;
    let post = find(&group_feed(&node, &alice, &handle).await, "a post in main")
        .expect("the announced post in the group's feed");
    let home = node.get("/feeds/home", Some(&alice.token)).await;
    assert!(home.ids().contains(&post), "{}", home.body);
    // A link post's link (an attachment of type Link) shows as a link.
    let shown = node
        .get(&format!("/posts/{post}"), Some(&alice.token))
        .await;
    assert!(
        shown.body["content"]
            .as_str()
            .is_some_and(|c| c.contains("href=\"https://lemmy.example/pictrs/image/ferris.png\"")),
        "{}",
        shown.body
    );

    // Edited (an announced `Update` of the page, claiming other words):
    // what the page says now is fetched from its origin, not taken from
    // the announce.
    lemmy.fake.serve(
        "/post/1",
        Answer::json(&lemmy.page(&page_id, &beta, &main, "Post title", "edited at the origin")),
    );
    let mut claimed = lemmy.page(
        &page_id,
        &beta,
        &main,
        "Post title",
        "words the group made up",
    );
    if let Some(o) = claimed.as_object_mut() {
        o.remove("@context");
    }
    let update = json!({
        "actor": beta,
        "to": [PUBLIC],
        "object": claimed,
        "cc": [main],
        "audience": main,
        "type": "Update",
        "id": lemmy.activity_id("update"),
    });
    lemmy
        .send(&node, "main", lemmy.announce(&main, update))
        .await;
    let shown = node
        .get(&format!("/posts/{post}"), Some(&alice.token))
        .await;
    let content = shown.body["content"].as_str().unwrap_or_default();
    assert!(content.contains("edited at the origin"), "{}", shown.body);
    assert!(!content.contains("made up"), "{}", shown.body);

    // Locked (an announced `Lock` of the page): no reply from here.
    let lock = lemmy.moderation("Lock", &main, &page_id);
    lemmy
        .send(&node, "main", lemmy.announce(&main, lock.clone()))
        .await;
    let reply = json!({"content": "a reply from kodeon", "in_reply_to": post});
    let r = node.post("/posts", Some(&alice.token), reply.clone()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    // Unlocked (`Undo(Lock)`): the reply is taken, and sent to the
    // community, in it and answering the page.
    let unlock = lemmy.undo(&main, lock);
    lemmy
        .send(&node, "main", lemmy.announce(&main, unlock))
        .await;
    let r = node.post("/posts", Some(&alice.token), reply).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let create = eventually("the reply reaches the community", || async {
        lemmy
            .delivered("Create")
            .into_iter()
            .find(|c| c["object"]["inReplyTo"] == page_id.as_str())
    })
    .await;
    assert_eq!(create["object"]["audience"], main.as_str(), "{create}");
    let addressed: Vec<&Value> = ["to", "cc"]
        .iter()
        .flat_map(|k| create["object"][k].as_array().into_iter().flatten())
        .collect();
    assert!(
        addressed.iter().any(|a| *a == main.as_str()),
        "addressed to the community: {create}"
    );

    // Pinned (an announced `Add` to `featured`): first in the group's
    // feed, even after a newer post.
    let add = json!({
        "cc": [main],
        "id": lemmy.activity_id("add"),
        "to": [PUBLIC],
        "type": "Add",
        "actor": lemmy.url("/u/moderator"),
        "object": page_id,
        "target": format!("{main}/featured"),
        "audience": main,
    });
    lemmy.send(&node, "main", lemmy.announce(&main, add)).await;
    let newer_id = lemmy.serve_page(2, &beta, &main, "Newer", "a newer post");
    let newer = lemmy.page(&newer_id, &beta, &main, "Newer", "a newer post");
    lemmy
        .send(
            &node,
            "main",
            lemmy.announce(&main, lemmy.create_page(&newer, &main)),
        )
        .await;
    let feed = group_feed(&node, &alice, &handle).await;
    let newer_post = find(&feed, "a newer post").expect("the newer post");
    assert_eq!(feed[0]["id"], post.as_str(), "pinned first: {feed:?}");
    assert_eq!(feed[0]["pinned"], true, "{feed:?}");
    assert!(feed[1]["pinned"].is_null(), "{feed:?}");
    assert_eq!(feed[1]["id"], newer_post.as_str(), "{feed:?}");

    // Removed by a moderator (an announced `Delete` of the page): gone.
    let mut remove = lemmy.moderation("Delete", &main, &page_id);
    remove["summary"] = json!("off topic");
    lemmy
        .send(&node, "main", lemmy.announce(&main, remove))
        .await;
    let feed = group_feed(&node, &alice, &handle).await;
    assert_eq!(find(&feed, "a post in main"), None, "{feed:?}");
    assert!(find(&feed, "a newer post").is_some(), "{feed:?}");
}

#[tokio::test]
async fn a_ban_from_a_lemmy_community_and_its_undo_apply_here() {
    let node = TestNode::start_federated().await;
    let alice = node.register("alice").await;
    let lemmy = Lemmy::start().await;
    let main = lemmy.add_community("main");
    lemmy.add_user("moderator");
    let handle = format!("main@{}", lemmy.fake.domain);
    let alice_uri = join_community(&node, &alice, &lemmy, "main").await;

    // `Block{object: alice, target: main}`, announced: banned here, and
    // her posts in the community are refused.
    let ban = lemmy.ban(&main, &alice_uri);
    lemmy
        .send(&node, "main", lemmy.announce(&main, ban.clone()))
        .await;
    assert_eq!(membership(&node, &alice, &handle).await, "banned");
    let r = node
        .post(
            &format!("/groups/{handle}/posts"),
            Some(&alice.token),
            json!({"content": "am I still in?"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    // `Undo(Block)` (`block/undo_block_user.json`), announced: no longer
    // banned, and not a member either (the ban ended that).
    let unban = lemmy.undo(&main, ban);
    lemmy
        .send(&node, "main", lemmy.announce(&main, unban))
        .await;
    assert_eq!(membership(&node, &alice, &handle).await, "none");
}

#[tokio::test]
async fn a_lemmy_community_is_believed_only_about_what_is_in_it() {
    let node = TestNode::start_federated().await;
    let alice = node.register("alice").await;
    let lemmy = Lemmy::start().await;
    let main = lemmy.add_community("main");
    let other = lemmy.add_community("other");
    let stranger = lemmy.add_community("stranger");
    let beta = lemmy.add_user("lemmy_beta");
    lemmy.add_user("moderator");
    join_community(&node, &alice, &lemmy, "main").await;
    join_community(&node, &alice, &lemmy, "other").await;
    let main_handle = format!("main@{}", lemmy.fake.domain);
    let beta_handle = format!("lemmy_beta@{}", lemmy.fake.domain);

    // A community nobody here follows announces a post: ignored, and
    // nothing of it stored.
    let unwanted = lemmy.serve_page(7, &beta, &stranger, "Unwanted", "an unwanted post");
    let page = lemmy.page(&unwanted, &beta, &stranger, "Unwanted", "an unwanted post");
    lemmy
        .send(
            &node,
            "stranger",
            lemmy.announce(&stranger, lemmy.create_page(&page, &stranger)),
        )
        .await;
    assert!(!authored(&node, &beta_handle, "an unwanted post").await);
    let r = node
        .get(
            &format!("/groups/stranger@{}/posts", lemmy.fake.domain),
            Some(&alice.token),
        )
        .await;
    assert!(
        !r.body.to_string().contains("an unwanted post"),
        "{}",
        r.body
    );

    // A post in main; another community announces its removal: nothing
    // changes.
    let page_id = lemmy.serve_page(1, &beta, &main, "In main", "a post in main");
    let page = lemmy.page(&page_id, &beta, &main, "In main", "a post in main");
    lemmy
        .send(
            &node,
            "main",
            lemmy.announce(&main, lemmy.create_page(&page, &main)),
        )
        .await;
    assert!(find(
        &group_feed(&node, &alice, &main_handle).await,
        "a post in main"
    )
    .is_some());
    let remove = lemmy.moderation("Delete", &other, &page_id);
    lemmy
        .send(&node, "other", lemmy.announce(&other, remove))
        .await;
    assert!(find(
        &group_feed(&node, &alice, &main_handle).await,
        "a post in main"
    )
    .is_some());

    // An ordinary post of a Lemmy user (in no group), "removed" by main:
    // nothing changes.
    let note_id = lemmy.url("/comment/1");
    let note = json!({
        "actor": beta,
        "to": [PUBLIC],
        "object": {
            "type": "Note",
            "id": note_id,
            "attributedTo": beta,
            "to": [PUBLIC],
            "content": "<p>an ordinary post</p>",
            "mediaType": "text/html",
            "published": now_rfc3339(),
        },
        "type": "Create",
        "id": lemmy.activity_id("create"),
    });
    lemmy.send(&node, "lemmy_beta", note).await;
    assert!(authored(&node, &beta_handle, "an ordinary post").await);
    let remove = lemmy.moderation("Delete", &main, &note_id);
    lemmy
        .send(&node, "main", lemmy.announce(&main, remove))
        .await;
    assert!(authored(&node, &beta_handle, "an ordinary post").await);
}

/// The likes of the post `id` of `node`, as `member` sees it.
async fn likes(node: &TestNode, member: &Member, id: &str) -> Value {
    let r = node.get(&format!("/posts/{id}"), Some(&member.token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["likes_count"].clone()
}

/// The actor id of `name` of `node`, as WebFinger names it.
pub(crate) async fn actor_of(node: &TestNode, name: &str) -> String {
    let body: Value = reqwest::get(format!(
        "{}/.well-known/webfinger?resource=acct:{name}@{}",
        node.base,
        node.domain()
    ))
    .await
    .expect("webfinger")
    .json()
    .await
    .expect("a JRD");
    body["links"]
        .as_array()
        .and_then(|links| {
            links
                .iter()
                .find(|l| l["rel"] == "self")
                .and_then(|l| l["href"].as_str())
        })
        .unwrap_or_else(|| panic!("no actor for {name}: {body}"))
        .to_string()
}

/// The group's announces delivered so far whose object is of type `kind`.
fn announces_of(lemmy: &Lemmy, group: &str, kind: &str) -> Vec<Value> {
    lemmy
        .delivered("Announce")
        .into_iter()
        .filter(|a| a["actor"] == group && a["object"]["type"] == kind)
        .collect()
}

/// Asserts the group's addressing of an announce: public, cc its followers.
#[track_caller]
fn assert_group_addressing(announce: &Value, group: &str) {
    assert_eq!(announce["actor"], group, "{announce}");
    let to = announce["to"].as_array().cloned().unwrap_or_default();
    assert!(to.contains(&json!(PUBLIC)), "{announce}");
    let cc = announce["cc"].as_array().cloned().unwrap_or_default();
    assert!(
        cc.iter().any(|c| c
            .as_str()
            .is_some_and(|c| c.starts_with(group) && c.ends_with("/followers"))),
        "cc the group's followers: {announce}"
    );
}

#[tokio::test]
async fn a_lemmy_user_joins_a_group_here_posts_in_it_and_hears_its_announces() {
    let node = TestNode::start_federated().await;
    let alice = node.register("alice").await;
    let r = node
        .post(
            "/groups",
            Some(&alice.token),
            json!({"name": "makers", "display_name": "Makers"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let group = actor_of(&node, "makers").await;
    let lemmy = Lemmy::start().await;
    let ferris = lemmy.add_user("ferris");
    let stranger = lemmy.add_user("stranger");
    let ferris_handle = format!("ferris@{}", lemmy.fake.domain);

    // A Follow of the group (`following/follow.json`): accepted.
    let follow_id = lemmy.activity_id("follow");
    let follow = json!({
        "actor": ferris,
        "to": [group],
        "object": group,
        "type": "Follow",
        "id": follow_id,
    });
    lemmy.send(&node, "ferris", follow).await;
    let accept = eventually("the group accepts", || async {
        lemmy.delivered("Accept").into_iter().next()
    })
    .await;
    assert_eq!(accept["actor"], group.as_str(), "{accept}");
    let accepted = accept["object"]["id"]
        .as_str()
        .or(accept["object"].as_str())
        .unwrap_or_default();
    assert_eq!(accepted, follow_id, "{accept}");
    let members = node.get("/groups/makers", Some(&alice.token)).await;
    assert_eq!(members.body["members_count"], 2, "{}", members.body);

    // ferris posts in the group as Lemmy does (`create_page.json`): in the
    // group here, and announced by it, as a Create and as the bare object.
    let page_id = lemmy.url("/post/1");
    let page = lemmy.page(&page_id, &ferris, &group, "From Lemmy", "hello from lemmy");
    lemmy
        .send(&node, "ferris", lemmy.create_page(&page, &group))
        .await;
    let feed = group_feed(&node, &alice, "makers").await;
    assert!(find(&feed, "hello from lemmy").is_some(), "{feed:?}");
    let announced = eventually("the group announces the Create", || async {
        announces_of(&lemmy, &group, "Create").into_iter().next()
    })
    .await;
    assert_group_addressing(&announced, &group);
    assert_eq!(announced["object"]["actor"], ferris.as_str(), "{announced}");
    assert_eq!(
        announced["object"]["object"]["id"],
        page_id.as_str(),
        "{announced}"
    );
    assert_eq!(
        announced["object"]["object"]["attributedTo"],
        ferris.as_str(),
        "{announced}"
    );
    let bare = eventually("the group announces the bare object", || async {
        lemmy
            .delivered("Announce")
            .into_iter()
            .find(|a| a["object"]["id"] == page_id.as_str() || a["object"] == page_id.as_str())
    })
    .await;
    assert_group_addressing(&bare, &group);

    // The same, addressed as the brief's Lemmy variant (`to` the group and
    // the public, `cc` empty).
    let page2_id = lemmy.url("/post/2");
    let page2 = lemmy.page(&page2_id, &ferris, &group, "Again", "again from lemmy");
    let mut create2 = lemmy.create_page(&page2, &group);
    create2["to"] = json!([group, PUBLIC]);
    create2["cc"] = json!([]);
    lemmy.send(&node, "ferris", create2).await;
    let feed = group_feed(&node, &alice, "makers").await;
    assert!(find(&feed, "again from lemmy").is_some(), "{feed:?}");

    // Someone who is not a member posts to the group: an ordinary post.
    let page3_id = lemmy.url("/post/3");
    let page3 = lemmy.page(
        &page3_id,
        &stranger,
        &group,
        "Outside",
        "not a member's post",
    );
    let mut create3 = lemmy.create_page(&page3, &group);
    create3["to"] = json!([group, PUBLIC]);
    create3["cc"] = json!([]);
    lemmy.send(&node, "stranger", create3).await;
    let stranger_handle = format!("stranger@{}", lemmy.fake.domain);
    assert!(authored(&node, &stranger_handle, "not a member's post").await);
    let feed = group_feed(&node, &alice, "makers").await;
    assert_eq!(find(&feed, "not a member's post"), None, "{feed:?}");

    // alice posts in the group; ferris likes it (`voting/like_note.json`):
    // counted, and announced by the group.
    let r = node
        .post(
            "/groups/makers/posts",
            Some(&alice.token),
            json!({"content": "alice's post"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let alices_post = r.body["id"].as_str().expect("an id").to_string();
    let alices_uri = eventually("alice's post is announced", || async {
        announces_of(&lemmy, &group, "Create")
            .into_iter()
            .find_map(|a| {
                a["object"]["object"]["content"]
                    .as_str()
                    .is_some_and(|c| c.contains("alice's post"))
                    .then(|| a["object"]["object"]["id"].as_str().map(str::to_string))
                    .flatten()
            })
    })
    .await;
    assert_eq!(likes(&node, &alice, &alices_post).await, 0);
    let like = json!({
        "actor": ferris,
        "object": alices_uri,
        "audience": group,
        "type": "Like",
        "id": lemmy.activity_id("like"),
    });
    lemmy.send(&node, "ferris", like).await;
    assert_eq!(likes(&node, &alice, &alices_post).await, 1);
    let liked = eventually("the group announces the Like", || async {
        announces_of(&lemmy, &group, "Like").into_iter().next()
    })
    .await;
    assert_group_addressing(&liked, &group);
    assert_eq!(liked["object"]["actor"], ferris.as_str(), "{liked}");
    assert_eq!(liked["object"]["object"], alices_uri.as_str(), "{liked}");

    // A downvote (`voting/dislike_page.json`): counted apart from likes,
    // and announced by the group as Lemmy announces it.
    let dislike = json!({
        "actor": ferris,
        "object": alices_uri,
        "audience": group,
        "type": "Dislike",
        "id": lemmy.activity_id("dislike"),
    });
    lemmy.send(&node, "ferris", dislike).await;
    assert_eq!(likes(&node, &alice, &alices_post).await, 1);
    let r = node
        .get(&format!("/posts/{alices_post}"), Some(&alice.token))
        .await;
    assert_eq!(r.body["dislikes_count"], 1, "{}", r.body);
    let disliked = eventually("the group announces the Dislike", || async {
        announces_of(&lemmy, &group, "Dislike").into_iter().next()
    })
    .await;
    assert_group_addressing(&disliked, &group);
    assert_eq!(disliked["object"]["actor"], ferris.as_str(), "{disliked}");

    // alice removes ferris's post: the group announces the Delete, by her.
    let feed = group_feed(&node, &alice, "makers").await;
    let ferris_post = find(&feed, "hello from lemmy").expect("ferris's post");
    let r = node
        .delete(
            &format!("/groups/makers/posts/{ferris_post}"),
            Some(&alice.token),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    let alice_uri = actor_of(&node, "alice").await;
    let removal = eventually("the group announces the removal", || async {
        announces_of(&lemmy, &group, "Delete").into_iter().next()
    })
    .await;
    assert_group_addressing(&removal, &group);
    assert_eq!(removal["object"]["actor"], alice_uri.as_str(), "{removal}");
    let removed = removal["object"]["object"]["id"]
        .as_str()
        .or(removal["object"]["object"].as_str())
        .unwrap_or_default();
    assert_eq!(removed, page_id, "{removal}");
    // With a `summary`, as Lemmy tells a moderator's removal from the
    // author's deletion (`deletion/remove_note.json`).
    assert!(removal["object"]["summary"].is_string(), "{removal}");

    // alice bans ferris: the group announces the Block (with the group as
    // its target), and ferris hears he is out.
    let r = node
        .post(
            &format!("/groups/makers/members/{ferris_handle}/ban"),
            Some(&alice.token),
            json!({"reason": "spam"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    let ban = eventually("the group announces the ban", || async {
        announces_of(&lemmy, &group, "Block").into_iter().next()
    })
    .await;
    assert_group_addressing(&ban, &group);
    assert_eq!(ban["object"]["object"], ferris.as_str(), "{ban}");
    assert_eq!(ban["object"]["target"], group.as_str(), "{ban}");
    assert_eq!(ban["object"]["actor"], alice_uri.as_str(), "{ban}");
    eventually("ferris hears he is out", || async {
        let delivered = lemmy.fake.delivered();
        delivered
            .iter()
            .any(|a| {
                (a["type"] == "Reject" && a["actor"] == group.as_str())
                    || (a["type"] == "Block" && a["object"] == ferris.as_str())
            })
            .then_some(())
    })
    .await;
    let members = node.get("/groups/makers", Some(&alice.token)).await;
    assert_eq!(members.body["members_count"], 1, "{}", members.body);
}
