//! Groups across nodes over ActivityPub (FEP-1b12, as Lemmy does it):
//! a member of one node joins a group of another by following it, with
//! the group's rules (approval by a moderator, bans) applied there and
//! the answer (Accept or Reject) sent back.

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{eventually, follow_across, Member, TestNode};

/// What `member` of `node` knows of the remote account `handle`.
async fn relationship(node: &TestNode, member: &Member, handle: &str) -> serde_json::Value {
    node.get(&format!("/members/{handle}"), Some(&member.token))
        .await
        .body["relationship"]
        .clone()
}

#[tokio::test]
async fn a_member_of_another_node_joins_a_group_by_approval_and_is_banned() {
    let a = TestNode::start_federated().await;
    let b = TestNode::start_federated().await;
    let alice = a.register("alice").await;
    let bob = b.register("bob").await;
    let r = a
        .post(
            "/groups",
            Some(&alice.token),
            json!({"name": "makers", "display_name": "Makers", "join_mode": "approval"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let handle = format!("makers@{}", a.domain());

    // Bob asks to join by following the group from his node.
    let r = b
        .post(
            &format!("/members/{handle}/follow"),
            Some(&bob.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["requested"], true, "{}", r.body);
    let requester = format!("bob@{}", b.domain());
    eventually("the join request reaches the group", || async {
        let notes = a.get("/notifications", Some(&alice.token)).await;
        notes
            .body
            .to_string()
            .contains("group_join_request")
            .then_some(())
    })
    .await;

    // Alice approves on her node: bob's node hears the Accept.
    let r = a
        .post(
            &format!("/groups/makers/members/{requester}/approve"),
            Some(&alice.token),
            json!({}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    eventually("bob's node sees the join accepted", || async {
        (relationship(&b, &bob, &handle).await["following"] == true).then_some(())
    })
    .await;
    let group = a.get("/groups/makers", Some(&alice.token)).await;
    assert_eq!(group.body["members_count"], 2, "{}", group.body);

    // A ban on alice's node: bob's node hears he is out.
    let r = a
        .post(
            &format!("/groups/makers/members/{requester}/ban"),
            Some(&alice.token),
            json!({"reason": "spam"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    eventually("bob's node sees he is out", || async {
        let rel = relationship(&b, &bob, &handle).await;
        (rel["following"] == false && rel["requested"] == false).then_some(())
    })
    .await;
    let group = a.get("/groups/makers", Some(&alice.token)).await;
    assert_eq!(group.body["members_count"], 1);

    // The group announced the ban (Lemmy's Block with a target): bob's
    // node knows it, and refuses to ask again.
    eventually("bob's node knows of the ban", || async {
        let g = b.get(&format!("/groups/{handle}"), Some(&bob.token)).await;
        (g.body["viewer"]["membership"] == "banned").then_some(())
    })
    .await;
    let r = b
        .post(
            &format!("/members/{handle}/follow"),
            Some(&bob.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}

/// The ids of the posts a group's feed shows to `member` of `node`.
async fn group_feed(node: &TestNode, member: &Member, group: &str) -> Vec<String> {
    node.get(&format!("/groups/{group}/posts"), Some(&member.token))
        .await
        .ids()
}

/// The id `node` gives the post whose text contains `text`, in the
/// group's feed as `member` sees it.
async fn post_in_feed(node: &TestNode, member: &Member, group: &str, text: &str) -> Option<String> {
    let feed = node
        .get(&format!("/groups/{group}/posts"), Some(&member.token))
        .await;
    feed.body["items"].as_array()?.iter().find_map(|p| {
        p["content"]
            .as_str()
            .is_some_and(|c| c.contains(text))
            .then(|| p["id"].as_str().unwrap_or_default().to_string())
    })
}

#[tokio::test]
async fn three_nodes_share_a_group_its_posts_comments_removals_and_bans() {
    let a = TestNode::start_federated().await;
    let b = TestNode::start_federated().await;
    let c = TestNode::start_federated().await;
    let alice = a.register("alice").await;
    let bob = b.register("bob").await;
    let carol = c.register("carol").await;
    let r = a
        .post(
            "/groups",
            Some(&alice.token),
            json!({"name": "forum", "display_name": "Forum", "join_mode": "approval"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let handle = format!("forum@{}", a.domain());

    // Bob joins through the Kodeon API of his node (the group looked up
    // over WebFinger), carol by following it; alice approves both.
    let r = b
        .post(
            &format!("/groups/{handle}/join"),
            Some(&bob.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["state"], "pending", "{}", r.body);
    let r = c
        .post(
            &format!("/members/{handle}/follow"),
            Some(&carol.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for who in [
        format!("bob@{}", b.domain()),
        format!("carol@{}", c.domain()),
    ] {
        eventually("the join request reaches the group", || async {
            let r = a
                .post(
                    &format!("/groups/forum/members/{who}/approve"),
                    Some(&alice.token),
                    json!({}),
                )
                .await;
            r.status.is_success().then_some(())
        })
        .await;
    }
    for (node, member) in [(&b, &bob), (&c, &carol)] {
        eventually("the member's node hears the Accept", || async {
            let g = node
                .get(&format!("/groups/{handle}"), Some(&member.token))
                .await;
            (g.body["viewer"]["membership"] == "member").then_some(())
        })
        .await;
    }

    // Bob posts in the group from his node: it goes to the group, which
    // stores it and announces it to its members' nodes.
    let r = b
        .post(
            &format!("/groups/{handle}/posts"),
            Some(&bob.token),
            json!({"content": "hello from bob's node"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let on_a = eventually("the group stores bob's post", || async {
        post_in_feed(&a, &alice, "forum", "hello from bob").await
    })
    .await;
    let on_c = eventually("carol's node gets the group's announce", || async {
        post_in_feed(&c, &carol, &handle, "hello from bob").await
    })
    .await;
    // In carol's home feed too: she is in the group, she follows no one.
    let home = c.get("/feeds/home", Some(&carol.token)).await;
    assert!(home.ids().contains(&on_c), "{}", home.body);
    // And on the group's page in her node's web app.
    let http = crate::harness::browser();
    let session = c
        .form_sign_in(
            &http,
            "/login",
            "kodeon_app_form",
            "kodeon_session",
            "carol",
        )
        .await;
    let page = http
        .get(format!("{}/g/{handle}", c.base))
        .header("cookie", format!("kodeon_session={session}"))
        .send()
        .await
        .expect("group page");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    assert!(html.contains("hello from bob"), "{html}");
    assert!(html.contains("A group of another server"), "{html}");

    // Carol comments on her node: the comment goes to the group, which
    // announces it; bob's node shows it in the thread.
    let r = c
        .post(
            "/posts",
            Some(&carol.token),
            json!({"content": "a comment from carol", "in_reply_to": on_c}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let bobs_id = r_id(&b, &bob, &handle, "hello from bob").await;
    eventually("bob's node gets carol's comment", || async {
        let t = b
            .get(&format!("/posts/{bobs_id}/thread"), Some(&bob.token))
            .await;
        t.body
            .to_string()
            .contains("a comment from carol")
            .then_some(())
    })
    .await;

    // A moderator on A pins bob's post and locks its thread: carol's
    // node pins it too, and refuses her replies in it.
    for action in ["pin", "lock"] {
        let r = a
            .post(
                &format!("/groups/forum/posts/{on_a}/{action}"),
                Some(&alice.token),
                json!({}),
            )
            .await;
        assert!(r.status.is_success(), "{action}: {}", r.body);
    }
    eventually("carol's node pins the post", || async {
        let feed = c
            .get(&format!("/groups/{handle}/posts"), Some(&carol.token))
            .await;
        (feed.body["items"][0]["id"] == on_c.as_str() && feed.body["items"][0]["pinned"] == true)
            .then_some(())
    })
    .await;
    eventually("carol's node locks the thread", || async {
        let r = c
            .post(
                "/posts",
                Some(&carol.token),
                json!({"content": "locked?", "in_reply_to": on_c}),
            )
            .await;
        (r.status == StatusCode::FORBIDDEN).then_some(())
    })
    .await;

    // A moderator on A removes bob's post: carol's node drops its copy,
    // bob's node takes it out of the group (the post stays his).
    let r = a
        .delete(&format!("/groups/forum/posts/{on_a}"), Some(&alice.token))
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    eventually("carol's node applies the removal", || async {
        (!group_feed(&c, &carol, &handle).await.contains(&on_c)).then_some(())
    })
    .await;
    eventually("bob's node applies the removal", || async {
        (!group_feed(&b, &bob, &handle).await.contains(&bobs_id)).then_some(())
    })
    .await;
    let own = b.get(&format!("/posts/{bobs_id}"), Some(&bob.token)).await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);

    // Alice bans carol: carol's node applies it, and refuses her posts
    // in the group from then on.
    let r = a
        .post(
            &format!("/groups/forum/members/carol@{}/ban", c.domain()),
            Some(&alice.token),
            json!({"reason": "off topic"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    eventually("carol's node applies the ban", || async {
        let g = c
            .get(&format!("/groups/{handle}"), Some(&carol.token))
            .await;
        (g.body["viewer"]["membership"] == "banned").then_some(())
    })
    .await;
    let r = c
        .post(
            &format!("/groups/{handle}/posts"),
            Some(&carol.token),
            json!({"content": "still here?"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.to_string().contains("banned"), "{}", r.body);
}

/// The id `node` gives the group post containing `text` (it must be there).
async fn r_id(node: &TestNode, member: &Member, group: &str, text: &str) -> String {
    post_in_feed(node, member, group, text)
        .await
        .unwrap_or_else(|| panic!("no post with {text:?} in {group}"))
}

#[tokio::test]
async fn a_private_groups_posts_never_leave_its_node() {
    let a = TestNode::start_federated().await;
    let b = TestNode::start_federated().await;
    let alice = a.register("alice").await;
    let bob = b.register("bob").await;
    follow_across(&b, &bob, &a, &alice).await;
    let r = a
        .post(
            "/groups",
            Some(&alice.token),
            json!({"name": "inner", "display_name": "Inner", "visibility": "private"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = a
        .post(
            "/groups/inner/posts",
            Some(&alice.token),
            json!({"content": "members only #secretword"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // A public post after it: once it has arrived, the private one would
    // have too.
    a.post_as(&alice, "a public marker", json!({})).await;
    eventually("the public post reaches bob's node", || async {
        let home = b.get("/feeds/home", Some(&bob.token)).await;
        home.body
            .to_string()
            .contains("a public marker")
            .then_some(())
    })
    .await;
    for path in [
        "/feeds/home",
        "/feeds/tags/secretword",
        "/search?q=secretword",
    ] {
        let r = b.get(path, Some(&bob.token)).await;
        assert!(
            !r.body.to_string().contains("members only"),
            "{path}: {}",
            r.body
        );
    }
    let r = b
        .get(
            &format!("/groups/inner@{}/posts", a.domain()),
            Some(&bob.token),
        )
        .await;
    assert!(!r.body.to_string().contains("members only"), "{}", r.body);
}
