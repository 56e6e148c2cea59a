//! ActivityPub between Kodeon nodes on loopback: follows (open and
//! locked), delivery by visibility, replies, likes, boosts, edits,
//! deletes, direct messages, blocks, persistent delivery across a restart,
//! and the inbox's refusals of forged or spoofed activities.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::harness::{eventually, follow_across, Member, TestNode};

fn handle(m: &Member, node: &TestNode) -> String {
    format!("{}@{}", m.username, node.domain())
}

/// The local id on `node` of the first post by `author_handle` in `viewer`'s home feed.
async fn home_post(node: &TestNode, viewer: &Member, needle: &str) -> Option<Value> {
    let r = node.get("/feeds/home", Some(&viewer.token)).await;
    r.body["items"]
        .as_array()?
        .iter()
        .find(|p| p["content"].as_str().unwrap_or_default().contains(needle))
        .cloned()
}

#[tokio::test]
async fn follow_post_reply_like_boost_edit_delete_across_nodes() {
    let a = TestNode::start_federated().await;
    let b = TestNode::start_federated().await;
    let alice = a.register("alice").await;
    let bob = b.register("bob").await;
    let carol = b.register("carol").await;
    let alice_at_a = handle(&alice, &a);

    // bob@B follows alice@A: WebFinger, Follow, Accept.
    follow_across(&b, &bob, &a, &alice).await;

    // alice renames herself on A: Update(Person) reaches B.
    let r = a
        .patch(
            "/me",
            Some(&alice.token),
            json!({"full_name": "Alice of A"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    eventually("the profile update arrives", || async {
        let r = b
            .get(&format!("/members/{alice_at_a}"), Some(&bob.token))
            .await;
        (r.body["full_name"] == "Alice of A").then_some(())
    })
    .await;

    // A public post and a followers-only post reach bob's home feed.
    a.post_as(&alice, "Hello from A #federation", json!({}))
        .await;
    a.post_as(
        &alice,
        "Only for my followers",
        json!({"visibility": "followers"}),
    )
    .await;
    let public = eventually("the public post arrives", || {
        home_post(&b, &bob, "Hello from A")
    })
    .await;
    let private = eventually("the followers-only post arrives", || {
        home_post(&b, &bob, "Only for my followers")
    })
    .await;
    assert_eq!(public["author"]["username"], alice_at_a.as_str());
    let public_id = public["id"].as_str().expect("id").to_string();
    let private_id = private["id"].as_str().expect("id").to_string();
    // Remote accounts and posts carry their own server's addresses, for the
    // Kodeon API and for Mastodon apps alike.
    let alice_uri = format!("http://{}/users/alice", a.domain());
    assert_eq!(public["author"]["remote"]["uri"], alice_uri.as_str());
    let status = b
        .get(&format!("/api/v1/statuses/{public_id}"), Some(&bob.token))
        .await;
    assert_eq!(status.status, StatusCode::OK, "{}", status.body);
    let account = &status.body["account"];
    assert_eq!(account["username"], "alice");
    assert_eq!(account["acct"], alice_at_a.as_str());
    assert_eq!(account["uri"], alice_uri.as_str());
    assert!(
        status.body["uri"]
            .as_str()
            .is_some_and(|u| u.starts_with(&format!("{alice_uri}/statuses/"))),
        "{}",
        status.body
    );
    // Mastodon apps find accounts of other servers: lookup of a known one,
    // and search with resolve=true for one B has never seen.
    let found = b
        .get(
            &format!("/api/v1/accounts/lookup?acct={alice_at_a}"),
            Some(&bob.token),
        )
        .await;
    assert_eq!(found.body["acct"], alice_at_a.as_str(), "{}", found.body);
    a.register("dave").await;
    let dave_at_a = format!("dave@{}", a.domain());
    let unresolved = b
        .get(&format!("/api/v2/search?q=@{dave_at_a}"), Some(&bob.token))
        .await;
    assert_eq!(
        unresolved.body["accounts"],
        json!([]),
        "{}",
        unresolved.body
    );
    let resolved = b
        .get(
            &format!("/api/v2/search?q=@{dave_at_a}&resolve=true"),
            Some(&bob.token),
        )
        .await;
    assert_eq!(
        resolved.body["accounts"][0]["acct"],
        dave_at_a.as_str(),
        "{}",
        resolved.body
    );
    // carol on B does not follow alice: the followers-only post is hidden from her.
    let r = b
        .get(&format!("/posts/{private_id}"), Some(&carol.token))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = b
        .get(&format!("/posts/{public_id}"), Some(&carol.token))
        .await;
    assert_eq!(r.status, StatusCode::OK);

    // bob replies, likes and boosts on B; alice's post on A shows all three.
    let alice_posts = a.get("/members/alice/posts", None).await;
    let original = alice_posts.body["items"]
        .as_array()
        .and_then(|items| {
            items.iter().find(|p| {
                p["content"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("Hello from A")
            })
        })
        .and_then(|p| p["id"].as_str())
        .expect("alice's post on A")
        .to_string();
    b.post_as(&bob, "A reply from B", json!({"in_reply_to": public_id}))
        .await;
    let r = b
        .post(
            &format!("/posts/{public_id}/like"),
            Some(&bob.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = b
        .post(
            &format!("/posts/{public_id}/boost"),
            Some(&bob.token),
            json!({}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    eventually("the reply, like and boost reach A", || async {
        let r = a.get(&format!("/posts/{original}"), None).await;
        let thread = a.get(&format!("/posts/{original}/thread"), None).await;
        let replied = thread.body["descendants"].as_array().is_some_and(|d| {
            d.iter().any(|p| {
                p["content"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("A reply from B")
            })
        });
        (r.body["likes_count"] == 1 && r.body["boosts_count"] == 1 && replied).then_some(())
    })
    .await;
    // The post's `replies` collection on A lists bob's reply by its id on B.
    let object = format!("http://{}/users/alice/statuses/{original}", a.domain());
    let http = reqwest::Client::new();
    let note: Value = http
        .get(format!("{}/users/alice/statuses/{original}", a.base))
        .header("accept", "application/activity+json")
        .send()
        .await
        .expect("note")
        .json()
        .await
        .expect("json");
    assert_eq!(note["replies"], format!("{object}/replies").as_str());
    let page: Value = http
        .get(format!(
            "{}/users/alice/statuses/{original}/replies?page=true",
            a.base
        ))
        .header("accept", "application/activity+json")
        .send()
        .await
        .expect("replies")
        .json()
        .await
        .expect("json");
    let items = page["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1, "{page}");
    assert!(
        items[0]
            .as_str()
            .is_some_and(|u| u.starts_with(&format!("http://{}/users/bob/statuses/", b.domain()))),
        "{page}"
    );

    // An edit and a delete on A reach B.
    let r = a
        .patch(
            &format!("/posts/{original}"),
            Some(&alice.token),
            json!({"content": "Hello, edited"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    eventually("the edit arrives", || async {
        let r = b
            .get(&format!("/posts/{public_id}"), Some(&bob.token))
            .await;
        r.body["content"]
            .as_str()
            .unwrap_or_default()
            .contains("Hello, edited")
            .then_some(())
    })
    .await;
    let r = a
        .delete(&format!("/posts/{original}"), Some(&alice.token))
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    eventually("the delete arrives", || async {
        let r = b
            .get(&format!("/posts/{public_id}"), Some(&bob.token))
            .await;
        (r.status == StatusCode::NOT_FOUND).then_some(())
    })
    .await;
}

#[tokio::test]
async fn locked_accounts_direct_messages_and_blocks() {
    let a = TestNode::start_federated().await;
    let b = TestNode::start_federated().await;
    let alice = a.register("alice").await;
    let bob = b.register("bob").await;
    let carol = b.register("carol").await;
    let r = a
        .patch("/me", Some(&alice.token), json!({"locked": true}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let alice_at_a = handle(&alice, &a);
    let bob_at_b = handle(&bob, &b);
    let remote_alice = Member {
        username: alice_at_a.clone(),
        ..alice.clone()
    };

    // A locked account: the follow waits for approval.
    b.follow(&bob, &remote_alice).await;
    eventually("alice sees a follow request", || async {
        let r = a.get("/follow-requests", Some(&alice.token)).await;
        r.body["items"]
            .as_array()
            .is_some_and(|i| i.len() == 1)
            .then_some(())
    })
    .await;
    let r = b
        .get(&format!("/members/{alice_at_a}"), Some(&bob.token))
        .await;
    assert_eq!(r.body["relationship"]["requested"], true, "{}", r.body);
    assert_eq!(r.body["relationship"]["following"], false);
    let r = a
        .post(
            &format!("/follow-requests/{bob_at_b}/approve"),
            Some(&alice.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    eventually("the approval reaches B", || async {
        let r = b
            .get(&format!("/members/{alice_at_a}"), Some(&bob.token))
            .await;
        (r.body["relationship"]["following"] == true).then_some(())
    })
    .await;

    // A direct message reaches bob and nobody else on B.
    a.get(&format!("/members/{bob_at_b}"), Some(&alice.token))
        .await;
    a.post_as(
        &alice,
        &format!("@{bob_at_b} a secret"),
        json!({"visibility": "direct"}),
    )
    .await;
    let dm = eventually("the direct message arrives", || async {
        let r = b.get("/notifications", Some(&bob.token)).await;
        r.body["items"]
            .as_array()?
            .iter()
            .find_map(|n| n["post"]["id"].as_str().map(str::to_string))
    })
    .await;
    let r = b.get(&format!("/posts/{dm}"), Some(&bob.token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body["content"]
        .as_str()
        .unwrap_or_default()
        .contains("a secret"));
    let r = b.get(&format!("/posts/{dm}"), Some(&carol.token)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = b.get(&format!("/posts/{dm}"), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // alice blocks bob: B learns it, the follow ends both ways.
    let r = a
        .post(
            &format!("/members/{bob_at_b}/block"),
            Some(&alice.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    eventually(
        "the block reaches B: bob no longer follows alice",
        || async {
            let r = b.get("/members/bob", Some(&bob.token)).await;
            (r.body["following_count"] == 0).then_some(())
        },
    )
    .await;
    // On B, alice's account now hides from bob, and he cannot follow it again.
    let r = b
        .get(&format!("/members/{alice_at_a}"), Some(&bob.token))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = b.follow(&bob, &remote_alice).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}

#[tokio::test]
async fn a_post_made_while_the_follower_node_is_down_arrives_after_its_restart() {
    let a = TestNode::start_federated().await;
    let b = TestNode::start_federated().await;
    let alice = a.register("alice").await;
    let bob = b.register("bob").await;
    let alice_at_a = handle(&alice, &a);
    b.follow(
        &bob,
        &Member {
            username: alice_at_a.clone(),
            ..alice.clone()
        },
    )
    .await;
    eventually("the follow is accepted", || async {
        let r = b
            .get(&format!("/members/{alice_at_a}"), Some(&bob.token))
            .await;
        (r.body["relationship"]["following"] == true).then_some(())
    })
    .await;

    let mut b = b;
    b.stop().await;
    a.post_as(&alice, "Posted while B was down", json!({}))
        .await;
    // The delivery fails (connection refused) and waits in A's queue.
    eventually("A's delivery to the stopped B fails", || async {
        a.metrics()
            .await
            .lines()
            .any(|l| {
                l.strip_prefix("kodeon_federation_delivery_failures ")
                    .and_then(|n| n.trim().parse::<f64>().ok())
                    .is_some_and(|n| n >= 1.0)
            })
            .then_some(())
    })
    .await;
    let b = b.restart().await;
    eventually("the post arrives after B's restart", || {
        home_post(&b, &bob, "Posted while B was down")
    })
    .await;
}

#[tokio::test]
async fn authorized_fetch_serves_documents_to_signed_requests_only() {
    let a = TestNode::start_with(|c| {
        c.server.domain = "localhost:0".into();
        c.federation.retry_base_ms = 200;
        c.federation.authorized_fetch = true;
    })
    .await;
    let b = TestNode::start_federated().await;
    let alice = a.register("alice").await;
    let bob = b.register("bob").await;
    let client = reqwest::Client::new();
    let actor_url = format!("{}/users/alice", a.base);
    let r = client
        .get(&actor_url)
        .header("accept", "application/activity+json")
        .send()
        .await
        .expect("get");
    assert_eq!(
        r.status(),
        StatusCode::UNAUTHORIZED,
        "unsigned fetch of the actor"
    );
    let r = client
        .get(format!("{}/users/alice/outbox", a.base))
        .header("accept", "application/activity+json")
        .send()
        .await
        .expect("get");
    assert_eq!(
        r.status(),
        StatusCode::UNAUTHORIZED,
        "unsigned fetch of the outbox"
    );
    let r = client
        .get(format!(
            "{}/.well-known/webfinger?resource=acct:alice@{}",
            a.base,
            a.domain()
        ))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::OK, "discovery stays open");
    let r = client
        .get(format!("{}/actor", a.base))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::OK, "the instance actor stays open");

    // Another node signs its fetches: following works.
    let alice_at_a = handle(&alice, &a);
    let r = b
        .follow(
            &bob,
            &Member {
                username: alice_at_a.clone(),
                ..alice.clone()
            },
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    eventually("the follow is accepted", || async {
        let r = b
            .get(&format!("/members/{alice_at_a}"), Some(&bob.token))
            .await;
        (r.body["relationship"]["following"] == true).then_some(())
    })
    .await;
}

#[tokio::test]
async fn three_nodes_a_post_reaches_the_followers_on_each_and_no_one_else() {
    let a = TestNode::start_federated().await;
    let b = TestNode::start_federated().await;
    let c = TestNode::start_federated().await;
    let alice = a.register("alice").await;
    let bob = b.register("bob").await;
    let carol = c.register("carol").await;
    let dave = c.register("dave").await;
    let alice_at_a = handle(&alice, &a);
    let remote_alice = Member {
        username: alice_at_a.clone(),
        ..alice.clone()
    };
    b.follow(&bob, &remote_alice).await;
    c.follow(&carol, &remote_alice).await;
    eventually("two remote followers", || async {
        let r = a.get("/members/alice", None).await;
        (r.body["followers_count"] == 2).then_some(())
    })
    .await;

    a.post_as(
        &alice,
        "For my followers on B and C",
        json!({"visibility": "followers"}),
    )
    .await;
    let on_b = eventually("B has it", || {
        home_post(&b, &bob, "For my followers on B and C")
    })
    .await;
    let on_c = eventually("C has it", || {
        home_post(&c, &carol, "For my followers on B and C")
    })
    .await;
    assert_eq!(on_b["visibility"], "followers");
    assert_eq!(on_c["visibility"], "followers");
    let id_on_c = on_c["id"].as_str().expect("id");
    let r = c.get(&format!("/posts/{id_on_c}"), Some(&dave.token)).await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "dave does not follow alice"
    );
    let r = c.get(&format!("/posts/{id_on_c}"), None).await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "nor does an anonymous visitor"
    );

    // carol on C replies; the reply reaches alice on A and joins her thread.
    c.post_as(
        &carol,
        "Carol answers",
        json!({"in_reply_to": id_on_c, "visibility": "followers"}),
    )
    .await;
    let mine = a.get("/members/alice/posts", Some(&alice.token)).await;
    let original = mine.body["items"][0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    eventually("the reply from C joins the thread on A", || async {
        let t = a
            .get(&format!("/posts/{original}/thread"), Some(&alice.token))
            .await;
        t.body["descendants"]
            .as_array()
            .is_some_and(|d| {
                d.iter().any(|p| {
                    p["content"]
                        .as_str()
                        .unwrap_or_default()
                        .contains("Carol answers")
                })
            })
            .then_some(())
    })
    .await;
}
