//! Trends and suggestions through the router: the Mastodon shapes
//! (tags and links with seven days of history as strings, statuses,
//! suggestions with their sources), the Kodeon items with their
//! explanations and reasons, exclusions by moderators only, 422s naming
//! their fields, dismissals kept.

use axum::http::StatusCode;
use node::model::Role;
use serde_json::{json, Value};

use crate::routes::test_api::TestApi;

/// alice and bob post `#rust` with a link, bob likes alice's post, and
/// carol posts `#secret` to her followers only; alice follows bob, who
/// follows dave. The tokens of alice, bob, carol (full logins).
async fn seeded(a: &TestApi) -> (String, String, String) {
    let alice = a.token("alice", &[]).await;
    let bob = a.token("bob", &[]).await;
    let carol = a.token("carol", &[]).await;
    a.token("dave", &[]).await;
    let post = a
        .expect(
            &alice,
            "POST",
            "/posts",
            Some(json!({"content": "hello #rust <https://blog.example/a>"})),
            StatusCode::CREATED,
        )
        .await;
    let id = post["id"].as_str().expect("id").to_string();
    a.expect(
        &bob,
        "POST",
        "/posts",
        Some(json!({"content": "me too #rust https://blog.example/a"})),
        StatusCode::CREATED,
    )
    .await;
    a.expect(
        &carol,
        "POST",
        "/posts",
        Some(json!({"content": "#secret", "visibility": "followers"})),
        StatusCode::CREATED,
    )
    .await;
    a.expect(
        &bob,
        "POST",
        &format!("/posts/{id}/like"),
        None,
        StatusCode::OK,
    )
    .await;
    for (who, whom) in [(&alice, "bob"), (&bob, "dave")] {
        a.expect(
            who,
            "POST",
            &format!("/members/{whom}/follow"),
            None,
            StatusCode::OK,
        )
        .await;
    }
    (alice, bob, carol)
}

async fn get(a: &TestApi, token: Option<&str>, uri: &str) -> (StatusCode, Value) {
    let answer = a.request(token, "GET", uri).await;
    (answer.status, answer.json())
}

#[tokio::test]
async fn mastodon_trends_answer_tags_statuses_and_links_in_mastodons_shapes() {
    let a = TestApi::new();
    let (alice, _, _) = seeded(&a).await;
    for path in ["/api/v1/trends/tags", "/api/v1/trends"] {
        let (status, tags) = get(&a, None, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let tags = tags.as_array().expect("list").clone();
        assert_eq!(tags.len(), 1, "only the public tag: {tags:?}");
        let rust = &tags[0];
        assert_eq!(rust["name"], "rust");
        assert_eq!(rust["url"], "https://k.test/tags/rust");
        assert_eq!(rust["following"], false);
        let history = rust["history"].as_array().expect("history");
        assert_eq!(history.len(), 7);
        assert_eq!(history[0]["uses"], "2");
        assert_eq!(history[0]["accounts"], "2");
        assert!(history[0]["day"]
            .as_str()
            .expect("day")
            .parse::<i64>()
            .is_ok());
        assert_eq!(history[1]["uses"], "0");
    }
    let (status, statuses) = get(&a, Some(&alice), "/api/v1/trends/statuses").await;
    assert_eq!(status, StatusCode::OK);
    let statuses = statuses.as_array().expect("list").clone();
    assert_eq!(statuses.len(), 1);
    assert_eq!(statuses[0]["favourites_count"], 1);
    assert_eq!(statuses[0]["account"]["username"], "alice");
    assert_eq!(statuses[0]["visibility"], "public");
    let (status, links) = get(&a, None, "/api/v1/trends/links?limit=5&offset=0").await;
    assert_eq!(status, StatusCode::OK);
    let link = &links[0];
    assert_eq!(link["url"], "https://blog.example/a");
    assert_eq!(link["type"], "link");
    assert_eq!(link["provider_name"], "blog.example");
    assert!(link["image"].is_null() && link["authors"].as_array().is_some());
    assert_eq!(link["history"][0]["accounts"], "2");
    // Past the end: empty. A bad number: 422 naming it.
    let (_, none) = get(&a, None, "/api/v1/trends/tags?offset=5").await;
    assert_eq!(none, json!([]));
    let (status, err) = get(&a, None, "/api/v1/trends/tags?limit=lots").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        err["error"].as_str().unwrap_or_default().contains("limit"),
        "{err}"
    );
}

#[tokio::test]
async fn mastodon_suggestions_say_why_and_dismissals_are_kept() {
    let a = TestApi::new();
    let (alice, _, _) = seeded(&a).await;
    let (status, v2) = get(&a, Some(&alice), "/api/v2/suggestions").await;
    assert_eq!(status, StatusCode::OK);
    let first = &v2[0];
    assert_eq!(first["account"]["username"], "dave");
    assert_eq!(first["source"], "past_interactions");
    assert_eq!(first["sources"], json!(["friends_of_friends"]));
    let names: Vec<&str> = v2
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|s| s["account"]["username"].as_str())
        .collect();
    assert!(
        !names.contains(&"bob") && !names.contains(&"alice"),
        "{names:?}"
    );
    // carol posted, but only to followers: nothing public to suggest her
    // for; she is left out of the "posted recently" fallback too.
    assert!(!names.contains(&"carol"), "{names:?}");
    for path in ["/api/v1/suggestions", "/api/v1/follow_suggestions"] {
        let (status, v1) = get(&a, Some(&alice), path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(v1[0]["username"], "dave", "{path}: a list of accounts");
    }
    let dave = first["account"]["id"].as_str().expect("id").to_string();
    let gone = a
        .request(
            Some(&alice),
            "DELETE",
            &format!("/api/v2/suggestions/{dave}"),
        )
        .await;
    assert_eq!(gone.status, StatusCode::OK, "{}", gone.body);
    let (_, after) = get(&a, Some(&alice), "/api/v2/suggestions").await;
    assert!(after
        .as_array()
        .expect("list")
        .iter()
        .all(|s| s["account"]["id"] != dave.as_str()));
    // Signed out: 401; unknown account: 404.
    assert_eq!(
        get(&a, None, "/api/v2/suggestions").await.0,
        StatusCode::UNAUTHORIZED
    );
    let unknown = a
        .request(
            Some(&alice),
            "DELETE",
            "/api/v2/suggestions/01ARZ3NDEKTSV4RRFFQ69G5FAV",
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn kodeon_trends_and_recommendations_carry_their_explanations() {
    let a = TestApi::new();
    let (alice, _, _) = seeded(&a).await;
    let tags = a
        .expect(&alice, "GET", "/trends/tags", None, StatusCode::OK)
        .await;
    assert_eq!(tags[0]["name"], "rust");
    assert_eq!(tags[0]["explanation"]["figures"]["accounts_today"], 2.0);
    assert!(tags[0]["explanation"]["words"]
        .as_str()
        .expect("words")
        .contains("2 posts"));
    let posts = a
        .expect(&alice, "GET", "/trends/posts", None, StatusCode::OK)
        .await;
    assert_eq!(posts[0]["explanation"]["figures"]["likes"], 1.0);
    assert!(posts[0]["post"]["id"].is_string());
    let links = a
        .expect(&alice, "GET", "/trends/links", None, StatusCode::OK)
        .await;
    assert_eq!(links[0]["url"], "https://blog.example/a");
    assert!(links[0]["explanation"]["formula"].is_string());
    let people = a
        .expect(
            &alice,
            "GET",
            "/recommendations?kind=people",
            None,
            StatusCode::OK,
        )
        .await;
    assert_eq!(people[0]["name"], "dave");
    assert_eq!(
        people[0]["reasons"],
        json!(["1 person you follow follows them: bob"])
    );
    assert_eq!(people[0]["found"]["followed_by"], json!(["bob"]));
    for kind in ["groups", "events", "courses"] {
        let items = a
            .expect(
                &alice,
                "GET",
                &format!("/recommendations?kind={kind}"),
                None,
                StatusCode::OK,
            )
            .await;
        assert!(items.is_array(), "{kind}");
    }
    let bad = a
        .expect(
            &alice,
            "GET",
            "/recommendations?kind=films",
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert!(bad.to_string().contains("kind"), "{bad}");
    let (status, _) = a.send(None, "GET", "/recommendations", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn only_moderators_exclude_from_trends_and_trends_honour_it() {
    let a = TestApi::new();
    let (alice, _, _) = seeded(&a).await;
    a.member("mod").await;
    a.node.set_role("mod", Role::Moderator).await.expect("role");
    let moderator = a.token("mod", &[]).await;
    let body = json!({"kind": "tag", "value": "rust", "reason": "off topic"});
    a.expect(
        &alice,
        "POST",
        "/admin/trends/exclusions",
        Some(body.clone()),
        StatusCode::FORBIDDEN,
    )
    .await;
    let bad = a
        .expect(
            &moderator,
            "POST",
            "/admin/trends/exclusions",
            Some(json!({"kind": "word", "value": "x"})),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert!(bad.to_string().contains("kind"), "{bad}");
    let made = a
        .expect(
            &moderator,
            "POST",
            "/admin/trends/exclusions",
            Some(body),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(made["kind"], "tag");
    assert_eq!(made["value"], "rust");
    let (_, tags) = get(&a, None, "/api/v1/trends/tags").await;
    assert_eq!(tags, json!([]));
    let listed = a
        .expect(
            &moderator,
            "GET",
            "/admin/trends/exclusions",
            None,
            StatusCode::OK,
        )
        .await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    // An OAuth grant without admin scopes may not, even for a moderator.
    let reader = a.token("mod", &["read", "write"]).await;
    a.expect(
        &reader,
        "GET",
        "/admin/trends/exclusions",
        None,
        StatusCode::FORBIDDEN,
    )
    .await;
    a.expect(
        &moderator,
        "DELETE",
        "/admin/trends/exclusions?kind=tag&value=rust",
        None,
        StatusCode::NO_CONTENT,
    )
    .await;
    let (_, tags) = get(&a, None, "/api/v1/trends/tags").await;
    assert_eq!(tags[0]["name"], "rust");
}
