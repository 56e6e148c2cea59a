//! The groups routes without a socket: statuses, JSON shapes, scopes.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};

use crate::routes::test_api::TestApi;

fn app() -> TestApi {
    TestApi::new()
}

fn names(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|m| {
            m["account"]["username"]
                .as_str()
                .or(m["name"].as_str())
                .expect("name")
                .to_string()
        })
        .collect()
}

#[tokio::test]
async fn a_group_is_created_shown_changed_and_deleted() {
    let a = app();
    let alice = a.token("alice", &[]).await;
    let body = json!({
        "name": "rust",
        "display_name": "Rustaceans",
        "description": "All about *Rust*",
        "category": "programming",
        "visibility": "public",
        "join_mode": "open",
        "member_limit": 100
    });
    let (s, g) = a
        .send(Some(&alice), "POST", "/groups", Some(body.clone()))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{g}");
    assert_eq!(g["name"], "rust");
    assert_eq!(g["display_name"], "Rustaceans");
    assert_eq!(g["description_html"], "<p>All about <em>Rust</em></p>\n");
    assert_eq!(g["join_mode"], "open");
    assert_eq!(g["member_limit"], 100);
    assert_eq!(g["members_count"], 1);
    assert_eq!(g["viewer"]["membership"], "member");
    assert_eq!(g["viewer"]["role"], "owner");
    assert_eq!(g["owner"]["username"], "alice");

    // The name is taken, by a group or a member alike.
    let (s, e) = a.send(Some(&alice), "POST", "/groups", Some(body)).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(e["field"], "name");
    let (s, e) = a
        .send(
            Some(&alice),
            "POST",
            "/groups",
            Some(json!({"name": "alice"})),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(e["field"], "name");
    // Bad values name their field.
    for (body, field) in [
        (json!({"name": "x", "visibility": "hidden"}), "visibility"),
        (json!({"name": "x", "join_mode": 3}), "join_mode"),
        (json!({"name": "x", "member_limit": 0}), "member_limit"),
        (json!({"name": "x", "colour": "red"}), "colour"),
        (json!({"name": "x y"}), "name"),
    ] {
        let (s, e) = a.send(Some(&alice), "POST", "/groups", Some(body)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["field"], field);
    }
    let (s, _) = a
        .send(None, "POST", "/groups", Some(json!({"name": "x"})))
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // Anyone reads it; an unknown group of another server is looked up
    // only for a signed-in member.
    let (s, g) = a.send(None, "GET", "/groups/RUST", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(g["viewer"].is_null());
    let (s, _) = a.send(None, "GET", "/groups/rust@k.test", None).await;
    assert_eq!(s, StatusCode::OK);
    let (s, e) = a
        .send(None, "GET", "/groups/rust@elsewhere.test", None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(e["error"], "no such group");
    let (s, e) = a
        .send(
            Some(&alice),
            "PATCH",
            "/groups/rust@elsewhere.test",
            Some(json!({})),
        )
        .await;
    assert!(
        e["error"]
            .as_str()
            .is_some_and(|m| m.contains("its own server")),
        "{s} {e}"
    );
    let (s, _) = a.send(None, "GET", "/groups/nothing", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // As an account, it says it is a group (Mastodon: `group: true`).
    let (s, m) = a.send(None, "GET", "/members/rust", None).await;
    assert_eq!((s, &m["kind"]), (StatusCode::OK, &json!("group")));
    let (_, m) = a.send(None, "GET", "/members/alice", None).await;
    assert!(m["kind"].is_null());
    let answer = a
        .request(None, "GET", "/api/v1/accounts/lookup?acct=rust")
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let account = answer.json();
    assert_eq!(account["group"], true);

    let (s, g) = a
        .send(
            Some(&alice),
            "PATCH",
            "/groups/rust",
            Some(json!({"join_mode": "approval", "member_limit": null, "rules": ["Be kind"]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{g}");
    assert_eq!(g["join_mode"], "approval");
    assert!(g["member_limit"].is_null());
    assert_eq!(g["rules"], json!(["Be kind"]));
    let bob = a.token("bob", &[]).await;
    let (s, _) = a
        .send(
            Some(&bob),
            "PATCH",
            "/groups/rust",
            Some(json!({"display_name": "Mine"})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = a.by(&bob, "DELETE", "/groups/rust").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = a.by(&alice, "DELETE", "/groups/rust").await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = a.send(None, "GET", "/groups/rust", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn members_join_leave_and_are_moderated() {
    let a = app();
    let alice = a.token("alice", &[]).await;
    let bob = a.token("bob", &[]).await;
    let carol = a.token("carol", &[]).await;
    let (s, _) = a
        .send(
            Some(&alice),
            "POST",
            "/groups",
            Some(json!({"name": "asked", "join_mode": "approval", "member_limit": 2})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);

    let (s, v) = a.by(&bob, "POST", "/groups/asked/join").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v, json!({"state": "pending"}));
    let (s, v) = a.by(&carol, "POST", "/groups/asked/join").await;
    assert_eq!((s, v), (StatusCode::OK, json!({"state": "pending"})));
    let (s, _) = a
        .by(&bob, "POST", "/groups/asked/members/carol/approve")
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = a
        .by(&alice, "POST", "/groups/asked/members/bob/approve")
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    // Full (alice and bob): carol's approval is a 409.
    let (s, e) = a
        .by(&alice, "POST", "/groups/asked/members/carol/approve")
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(e["field"], "member_limit");
    let (s, _) = a
        .by(&alice, "POST", "/groups/asked/members/carol/reject")
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);

    let (s, v) = a.send(None, "GET", "/groups/asked/members", None).await;
    assert_eq!(s, StatusCode::OK);
    let mut listed = names(&v);
    listed.sort();
    assert_eq!(listed, ["alice", "bob"]);
    assert!(v["items"]
        .as_array()
        .expect("items")
        .iter()
        .any(|m| m["account"]["username"] == "alice" && m["role"] == "owner"));

    // Roles.
    let (s, _) = a
        .send(
            Some(&alice),
            "PUT",
            "/groups/asked/members/bob/role",
            Some(json!({"role": "moderator"})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, v) = a
        .send(None, "GET", "/groups/asked/members?role=moderator", None)
        .await;
    assert_eq!((s, names(&v)), (StatusCode::OK, vec!["bob".to_string()]));
    let (s, e) = a
        .send(
            Some(&alice),
            "PUT",
            "/groups/asked/members/bob/role",
            Some(json!({"role": "king"})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["field"], "role");
    let (s, e) = a
        .send(None, "GET", "/groups/asked/members?role=king", None)
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["field"], "role");
    let (s, _) = a
        .send(
            Some(&bob),
            "PUT",
            "/groups/asked/members/alice/role",
            Some(json!({"role": "member"})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // The owner cannot leave; bans take a reason or none.
    let (s, e) = a.by(&alice, "POST", "/groups/asked/leave").await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    let (s, _) = a
        .send(
            Some(&alice),
            "POST",
            "/groups/asked/members/bob/ban",
            Some(json!({"reason": "spam"})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = a
        .by(&alice, "POST", "/groups/asked/members/carol/ban")
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, e) = a.by(&bob, "POST", "/groups/asked/join").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(e["error"], "banned from this group");
    let (s, _) = a
        .by(&alice, "POST", "/groups/asked/members/bob/unban")
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = a
        .by(&alice, "POST", "/groups/asked/members/bob/unban")
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, g) = a.by(&bob, "GET", "/groups/asked").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(g["members_count"], 1);
    assert_eq!(g["viewer"]["membership"], "none");
}

#[tokio::test]
async fn a_private_groups_members_and_the_directory() {
    let a = app();
    let alice = a.token("alice", &[]).await;
    let bob = a.token("bob", &[]).await;
    for body in [
        json!({"name": "secret", "visibility": "private", "category": "misc"}),
        json!({"name": "open_one", "category": "programming", "display_name": "Open house"}),
    ] {
        let (s, _) = a.send(Some(&alice), "POST", "/groups", Some(body)).await;
        assert_eq!(s, StatusCode::CREATED);
    }
    let (s, v) = a.by(&bob, "POST", "/groups/open_one/join").await;
    assert_eq!((s, v), (StatusCode::OK, json!({"state": "member"})));
    let (s, _) = a.by(&bob, "POST", "/groups/open_one/leave").await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = a.by(&bob, "POST", "/groups/open_one/join").await;
    assert_eq!(s, StatusCode::OK);

    let (s, _) = a.by(&bob, "GET", "/groups/secret/members").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = a.send(None, "GET", "/groups/secret/members", None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = a.by(&alice, "GET", "/groups/secret/members").await;
    assert_eq!((s, names(&v)), (StatusCode::OK, vec!["alice".to_string()]));
    let (s, g) = a.send(None, "GET", "/groups/secret", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(g["visibility"], "private");

    let (s, v) = a.send(None, "GET", "/groups", None).await;
    assert_eq!(
        (s, names(&v)),
        (StatusCode::OK, vec!["open_one".into(), "secret".into()])
    );
    let (s, v) = a.send(None, "GET", "/groups?sort=members", None).await;
    assert_eq!(
        (s, names(&v)),
        (StatusCode::OK, vec!["open_one".into(), "secret".into()])
    );
    let (s, v) = a.send(None, "GET", "/groups?q=house", None).await;
    assert_eq!(
        (s, names(&v)),
        (StatusCode::OK, vec!["open_one".to_string()])
    );
    let (s, v) = a
        .send(None, "GET", "/groups?category=misc&sort=new", None)
        .await;
    assert_eq!((s, names(&v)), (StatusCode::OK, vec!["secret".to_string()]));
    let (s, e) = a.send(None, "GET", "/groups?sort=hot", None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["field"], "sort");
}

#[tokio::test]
async fn tokens_need_the_scopes_of_each_route() {
    let a = app();
    let alice = a.token("alice", &[]).await;
    let (s, _) = a
        .send(
            Some(&alice),
            "POST",
            "/groups",
            Some(json!({"name": "rust"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let reader = a.token("bob", &["read"]).await;
    let (s, _) = a.by(&reader, "GET", "/groups").await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = a.by(&reader, "GET", "/groups/rust/members").await;
    assert_eq!(s, StatusCode::OK);
    for (method, uri) in [
        ("POST", "/groups/rust/join"),
        ("POST", "/groups/rust/leave"),
        ("PATCH", "/groups/rust"),
        ("DELETE", "/groups/rust"),
        ("POST", "/groups/rust/members/alice/ban"),
    ] {
        let (s, e) = a.send(Some(&reader), method, uri, Some(json!({}))).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{method} {uri}");
        assert!(e["error"].as_str().is_some_and(|m| m.contains("scopes")));
    }
    let (s, _) = a
        .send(
            Some(&reader),
            "POST",
            "/groups",
            Some(json!({"name": "mine"})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Joining is following: write:follows is enough.
    let follower = a.token("bob", &["write:follows"]).await;
    let (s, v) = a.by(&follower, "POST", "/groups/rust/join").await;
    assert_eq!((s, v), (StatusCode::OK, json!({"state": "member"})));
    let (s, _) = a
        .send(Some(&follower), "PATCH", "/groups/rust", Some(json!({})))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

fn ids(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|p| p["id"].as_str().expect("id").to_string())
        .collect()
}

#[tokio::test]
async fn group_posts_are_written_read_sorted_and_paged() {
    let a = app();
    let alice = a.token("alice", &[]).await;
    let bob = a.token("bob", &[]).await;
    let (s, _) = a
        .send(
            Some(&alice),
            "POST",
            "/groups",
            Some(json!({"name": "rust"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, e) = a
        .send(
            Some(&bob),
            "POST",
            "/groups/rust/posts",
            Some(json!({"content": "hello"})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(e["error"], "only the group's members can post in it");
    a.by(&bob, "POST", "/groups/rust/join").await;
    let (s, e) = a
        .send(
            Some(&bob),
            "POST",
            "/groups/rust/posts",
            Some(json!({"content": "x", "visibility": "direct"})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["field"], "visibility");
    let mut written = Vec::new();
    for i in 0..3 {
        let (s, p) = a
            .send(
                Some(&bob),
                "POST",
                "/groups/rust/posts",
                Some(json!({"content": format!("post {i}")})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{p}");
        assert_eq!(p["group"]["username"], "rust");
        written.push(p["id"].as_str().expect("id").to_string());
    }
    // POST /posts with a group does the same.
    let (s, p) = a
        .send(
            Some(&bob),
            "POST",
            "/posts",
            Some(json!({"content": "via posts", "group": "rust"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    written.push(p["id"].as_str().expect("id").to_string());
    written.reverse();

    // new: by max_id.
    let (s, first) = a
        .send(None, "GET", "/groups/rust/posts?limit=3", None)
        .await;
    assert_eq!(s, StatusCode::OK, "{first}");
    assert_eq!(ids(&first), written[..3]);
    let next = first["next_max_id"].as_str().expect("next");
    let (_, rest) = a
        .send(
            None,
            "GET",
            &format!("/groups/rust/posts?limit=3&max_id={next}"),
            None,
        )
        .await;
    assert_eq!(ids(&rest), written[3..]);
    // hot: by cursor.
    let (s, hot) = a
        .send(None, "GET", "/groups/rust/posts?sort=hot&limit=3", None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(ids(&hot).len(), 3);
    let cursor = hot["next"].as_str().expect("cursor");
    let (_, more) = a
        .send(
            None,
            "GET",
            &format!("/groups/rust/posts?sort=hot&limit=3&cursor={cursor}"),
            None,
        )
        .await;
    assert_eq!(ids(&more).len(), 1);
    assert!(more["next"].is_null());
    let (s, top) = a
        .send(None, "GET", "/groups/rust/posts?sort=top&t=week", None)
        .await;
    assert_eq!((s, ids(&top).len()), (StatusCode::OK, 4));
    for (query, field) in [
        ("sort=best", "sort"),
        ("sort=top&t=year", "t"),
        ("sort=hot&cursor=nonsense", "cursor"),
    ] {
        let (s, e) = a
            .send(None, "GET", &format!("/groups/rust/posts?{query}"), None)
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {e}");
        assert_eq!(e["field"], field);
    }
}

#[tokio::test]
async fn group_posts_are_pinned_locked_and_removed_by_moderators() {
    let a = app();
    let alice = a.token("alice", &[]).await;
    let bob = a.token("bob", &[]).await;
    let eve = a.token("eve", &[]).await;
    a.send(
        Some(&alice),
        "POST",
        "/groups",
        Some(json!({"name": "secret", "visibility": "private"})),
    )
    .await;
    a.by(&bob, "POST", "/groups/secret/join").await;
    let mut posted = Vec::new();
    for i in 0..2 {
        let (_, p) = a
            .send(
                Some(&bob),
                "POST",
                "/groups/secret/posts",
                Some(json!({"content": format!("post {i}")})),
            )
            .await;
        posted.push(p["id"].as_str().expect("id").to_string());
    }
    let (older, newer) = (&posted[0], &posted[1]);
    // Private: members only.
    for token in [None, Some(eve.as_str())] {
        let (s, _) = a.send(token, "GET", "/groups/secret/posts", None).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = a.send(token, "GET", &format!("/posts/{older}"), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }

    let (s, e) = a
        .by(&bob, "POST", &format!("/groups/secret/posts/{older}/pin"))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
    let (s, _) = a
        .by(&alice, "POST", &format!("/groups/secret/posts/{older}/pin"))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, feed) = a.by(&bob, "GET", "/groups/secret/posts").await;
    assert_eq!(ids(&feed), [older.clone(), newer.clone()]);
    assert_eq!(feed["items"][0]["pinned"], true);
    assert!(feed["items"][1]["pinned"].is_null());

    let (s, _) = a
        .by(
            &alice,
            "POST",
            &format!("/groups/secret/posts/{older}/lock"),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, e) = a
        .send(
            Some(&bob),
            "POST",
            "/posts",
            Some(json!({"content": "but", "in_reply_to": older})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(e["error"], "this thread is locked");
    for action in ["unlock", "unpin"] {
        let (s, _) = a
            .by(
                &alice,
                "POST",
                &format!("/groups/secret/posts/{older}/{action}"),
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{action}");
    }

    let (s, _) = a
        .by(&bob, "DELETE", &format!("/groups/secret/posts/{newer}"))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = a
        .send(
            Some(&alice),
            "DELETE",
            &format!("/groups/secret/posts/{newer}"),
            Some(json!({"reason": "off topic"})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = a.by(&bob, "GET", &format!("/posts/{newer}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, g) = a.by(&bob, "GET", "/groups/secret").await;
    assert_eq!(g["posts_count"], 1);

    // Alerts: members switch them; others are refused.
    let (s, _) = a
        .send(
            Some(&bob),
            "POST",
            "/groups/secret/alerts",
            Some(json!({"on": true})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, g) = a.by(&bob, "GET", "/groups/secret").await;
    assert_eq!(g["viewer"]["post_alerts"], true);
    let (s, _) = a
        .send(
            Some(&eve),
            "POST",
            "/groups/secret/alerts",
            Some(json!({"on": true})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, e) = a
        .send(
            Some(&bob),
            "POST",
            "/groups/secret/alerts",
            Some(json!({"on": "yes"})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
}

/// GET `uri` (not under the API prefix) as a server asks for ActivityPub.
async fn activity(a: &TestApi, uri: &str) -> (StatusCode, Value) {
    let req = Request::builder()
        .uri(uri)
        .header("accept", "application/activity+json")
        .body(Body::empty())
        .expect("request");
    let answer = a.exchange(req).await;
    (answer.status, answer.json())
}

#[tokio::test]
async fn a_group_is_a_group_actor_with_its_moderators() {
    let a = app();
    let alice = a.token("alice", &[]).await;
    let carol = a.token("carol", &[]).await;
    let (status, _) = a
        .send(
            Some(&alice),
            "POST",
            "/groups",
            Some(json!({"name": "makers", "description": "We **make** things.", "join_mode": "approval"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    a.by(&carol, "POST", "/groups/makers/join").await;
    let (status, _) = a
        .by(&alice, "POST", "/groups/makers/members/carol/approve")
        .await;
    assert!(status.is_success(), "{status}");
    let (status, _) = a
        .send(
            Some(&alice),
            "PUT",
            "/groups/makers/members/carol/role",
            Some(json!({"role": "moderator"})),
        )
        .await;
    assert!(status.is_success(), "{status}");

    let (status, actor) = activity(&a, "/users/makers").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(actor["type"], "Group");
    assert_eq!(actor["preferredUsername"], "makers");
    assert_eq!(actor["manuallyApprovesFollowers"], true);
    assert!(actor["summary"]
        .as_str()
        .expect("summary")
        .contains("<strong>make</strong>"));
    let moderators = actor["moderators"].as_str().expect("moderators");
    assert_eq!(moderators, "https://k.test/users/makers/moderators");
    assert_eq!(actor["attributedTo"], moderators);
    assert_eq!(actor["postingRestrictedToMods"], false);
    assert!(actor["publicKey"]["publicKeyPem"].is_string());

    let (status, list) = activity(&a, "/users/makers/moderators").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        list["orderedItems"],
        json!(["https://k.test/users/alice", "https://k.test/users/carol"])
    );
    let (status, featured) = activity(&a, "/users/makers/collections/featured").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(featured["totalItems"], 0);

    // A person stays a Person, with no moderators.
    let (_, person) = activity(&a, "/users/alice").await;
    assert_eq!(person["type"], "Person");
    assert!(person.get("moderators").is_none());
    // A member has no moderators collection.
    let (status, _) = activity(&a, "/users/alice/moderators").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn moderators_read_the_reports_of_group_posts_and_the_bans() {
    let a = app();
    let alice = a.token("alice", &[]).await;
    let bob = a.token("bob", &[]).await;
    let carol = a.token("carol", &[]).await;
    a.send(
        Some(&alice),
        "POST",
        "/groups",
        Some(json!({"name": "rust"})),
    )
    .await;
    a.by(&bob, "POST", "/groups/rust/join").await;
    a.by(&carol, "POST", "/groups/rust/join").await;
    let (_, post) = a
        .send(
            Some(&bob),
            "POST",
            "/groups/rust/posts",
            Some(json!({"title": "Cheap pills", "content": "buy now"})),
        )
        .await;
    let (_, outside) = a
        .send(
            Some(&bob),
            "POST",
            "/posts",
            Some(json!({"content": "not in a group"})),
        )
        .await;
    let bob_id = post["author"]["id"].as_str().expect("author").to_string();
    for (posts, comment) in [
        (json!([post["id"]]), "spam"),
        (json!([outside["id"]]), "elsewhere"),
    ] {
        let (s, r) = a
            .send(
                Some(&carol),
                "POST",
                "/reports",
                Some(json!({"account_id": bob_id, "post_ids": posts, "comment": comment})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
    }

    let (s, v) = a.by(&alice, "GET", "/groups/rust/reports").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let items = v["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{v}");
    assert_eq!(items[0]["comment"], "spam");
    assert_eq!(items[0]["reporter"]["username"], "carol");
    assert_eq!(items[0]["account"]["username"], "bob");
    assert_eq!(items[0]["category"], "other");
    assert_eq!(
        items[0]["posts"],
        json!([{"id": post["id"], "excerpt": "Cheap pills"}])
    );
    assert!(items[0]["created_at"].as_str().is_some());
    // Not for a plain member, nor the signed-out.
    let (s, _) = a.by(&carol, "GET", "/groups/rust/reports").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = a.send(None, "GET", "/groups/rust/reports", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    let (s, _) = a
        .send(
            Some(&alice),
            "POST",
            "/groups/rust/members/bob/ban",
            Some(json!({"reason": "spam"})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, v) = a.by(&alice, "GET", "/groups/rust/bans").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(names(&v), ["bob"]);
    assert_eq!(v["items"][0]["by"]["username"], "alice");
    assert_eq!(v["items"][0]["reason"], "spam");
    let (s, _) = a.by(&carol, "GET", "/groups/rust/bans").await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Both are read with read:accounts, as the member list is.
    let reader = a.token("alice", &["read:accounts"]).await;
    for uri in ["/groups/rust/reports", "/groups/rust/bans"] {
        let (s, _) = a.by(&reader, "GET", uri).await;
        assert_eq!(s, StatusCode::OK, "{uri}");
    }
    let statuses = a.token("alice", &["read:statuses"]).await;
    let (s, _) = a.by(&statuses, "GET", "/groups/rust/bans").await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Removing the reported post takes the report off the list.
    let (s, _) = a
        .by(
            &alice,
            "DELETE",
            &format!("/groups/rust/posts/{}", post["id"].as_str().expect("id")),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, v) = a.by(&alice, "GET", "/groups/rust/reports").await;
    assert_eq!(v["items"], json!([]));
}
