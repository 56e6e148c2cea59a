//! Discovery: WebFinger, NodeInfo, host-meta, actor documents.

use serde_json::{json, Value};

use crate::harness::TestNode;

async fn get(node: &TestNode, path: &str, accept: &str) -> (u16, String, Value) {
    let r = reqwest::Client::new()
        .get(format!("{}{path}", node.base))
        .header("accept", accept)
        .send()
        .await
        .expect("get");
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = r.text().await.expect("text");
    (
        status,
        ct,
        serde_json::from_str(&body).unwrap_or(Value::String(body)),
    )
}

#[tokio::test]
async fn webfinger_nodeinfo_and_actor_documents() {
    let node = TestNode::start().await;
    let alice = node.register("alice").await;
    node.patch(
        "/me",
        Some(&alice.token),
        json!({"full_name": "Alice", "locked": true, "social_links": {"github": "alice"}}),
    )
    .await;
    node.post_as(&alice, "hello", json!({})).await;
    let domain = node.base.trim_start_matches("http://").to_string();

    let (status, ct, jrd) = get(
        &node,
        &format!("/.well-known/webfinger?resource=acct:alice@{domain}"),
        "*/*",
    )
    .await;
    assert_eq!(status, 200);
    assert!(ct.starts_with("application/jrd+json"));
    assert_eq!(jrd["subject"], format!("acct:alice@{domain}"));
    let actor_url = jrd["links"]
        .as_array()
        .expect("links")
        .iter()
        .find(|l| l["rel"] == "self")
        .expect("self")["href"]
        .as_str()
        .expect("href")
        .to_string();
    assert_eq!(actor_url, format!("{}/users/alice", node.base));
    assert_eq!(
        get(
            &node,
            "/.well-known/webfinger?resource=acct:alice@elsewhere.example",
            "*/*"
        )
        .await
        .0,
        404
    );
    assert_eq!(
        get(
            &node,
            "/.well-known/webfinger?resource=acct:nobody@"
                .to_string()
                .as_str(),
            "*/*"
        )
        .await
        .0,
        404
    );
    assert_eq!(get(&node, "/.well-known/webfinger", "*/*").await.0, 400);

    let (_, _, links) = get(&node, "/.well-known/nodeinfo", "*/*").await;
    let href = links["links"][0]["href"].as_str().expect("href");
    assert!(href.ends_with("/nodeinfo/2.1"));
    let (_, ct, info) = get(&node, "/nodeinfo/2.1", "*/*").await;
    assert!(ct.contains("nodeinfo.diaspora.software/ns/schema/2.1"));
    assert_eq!(info["software"]["name"], "kodeon");
    assert_eq!(info["usage"]["users"]["total"], 1);
    assert_eq!(info["usage"]["localPosts"], 1);

    let (_, ct, xrd) = get(&node, "/.well-known/host-meta", "*/*").await;
    assert!(ct.starts_with("application/xrd+xml"));
    assert!(xrd
        .as_str()
        .is_some_and(|x| x.contains("/.well-known/webfinger?resource={uri}")));

    // The actor, at /users/NAME and by content negotiation at /@NAME.
    for (path, accept) in [
        ("/users/alice", "application/activity+json"),
        (
            "/@alice",
            "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"",
        ),
    ] {
        let (status, ct, actor) = get(&node, path, accept).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(ct, "application/activity+json", "{path}");
        assert_eq!(actor["type"], "Person");
        assert_eq!(actor["id"], actor_url.as_str());
        assert_eq!(actor["preferredUsername"], "alice");
        assert_eq!(actor["manuallyApprovesFollowers"], true);
        assert_eq!(
            actor["endpoints"]["sharedInbox"],
            format!("{}/inbox", node.base)
        );
        assert!(actor["publicKey"]["publicKeyPem"]
            .as_str()
            .is_some_and(|p| p.starts_with("-----BEGIN PUBLIC KEY-----")));
        assert_eq!(actor["publicKey"]["owner"], actor_url.as_str());
        let multikey = actor["assertionMethod"][0]["publicKeyMultibase"]
            .as_str()
            .expect("multikey");
        let did = node.get("/members/alice", None).await.body["did"]
            .as_str()
            .expect("did")
            .to_string();
        assert_eq!(
            did,
            format!("did:key:{multikey}"),
            "the actor's ed25519 key is the member's did:key"
        );
        assert_eq!(actor["attachment"][0]["name"], "github");
    }
    // Browsers asking /users/NAME go to the profile page.
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(format!("{}/users/alice", node.base))
        .header("accept", "text/html")
        .send()
        .await
        .expect("get");
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(
        get(&node, "/users/nobody", "application/activity+json")
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn posts_are_objects_and_outboxes_list_public_ones() {
    let node = TestNode::start().await;
    let (alice, bob) = (node.register("alice").await, node.register("bob").await);
    node.follow(&bob, &alice).await;
    let public = node
        .post_as(&alice, "hi @bob #fediverse", json!({"title": "Titled"}))
        .await;
    let unlisted = node
        .post_as(&alice, "quiet", json!({"visibility": "unlisted"}))
        .await;
    let private = node
        .post_as(&alice, "followers only", json!({"visibility": "followers"}))
        .await;
    let ap = "application/activity+json";
    let actor = format!("{}/users/alice", node.base);

    let (status, ct, note) = get(&node, &format!("/users/alice/statuses/{public}"), ap).await;
    assert_eq!((status, ct.as_str()), (200, ap));
    assert_eq!(note["type"], "Article");
    assert_eq!(note["name"], "Titled");
    assert_eq!(note["attributedTo"], actor.as_str());
    assert_eq!(
        note["to"][0],
        "https://www.w3.org/ns/activitystreams#Public"
    );
    assert_eq!(note["cc"][0], format!("{actor}/followers"));
    let tags: Vec<&str> = note["tag"]
        .as_array()
        .expect("tags")
        .iter()
        .filter_map(|t| t["type"].as_str())
        .collect();
    assert!(tags.contains(&"Hashtag") && tags.contains(&"Mention"));
    // Negotiated at the post's page URL too.
    let (_, _, same) = get(&node, &format!("/@alice/{public}"), ap).await;
    assert_eq!(same["id"], note["id"]);
    // Unlisted: public in cc, followers in to.
    let (_, _, quiet) = get(&node, &format!("/users/alice/statuses/{unlisted}"), ap).await;
    assert_eq!(quiet["to"][0], format!("{actor}/followers"));
    assert_eq!(
        quiet["cc"][0],
        "https://www.w3.org/ns/activitystreams#Public"
    );
    // Followers-only posts are never served anonymously.
    assert_eq!(
        get(&node, &format!("/users/alice/statuses/{private}"), ap)
            .await
            .0,
        404
    );
    assert_eq!(
        get(&node, &format!("/users/bob/statuses/{public}"), ap)
            .await
            .0,
        404,
        "wrong author"
    );

    let (_, _, outbox) = get(&node, "/users/alice/outbox", ap).await;
    assert_eq!(outbox["type"], "OrderedCollection");
    assert_eq!(outbox["totalItems"], 3);
    let (_, _, page) = get(&node, "/users/alice/outbox?page=true", ap).await;
    let items = page["orderedItems"].as_array().expect("items");
    assert_eq!(items.len(), 1, "only public posts: {page}");
    assert_eq!(items[0]["type"], "Create");
    assert_eq!(items[0]["object"]["id"], note["id"]);
    let (_, _, followers) = get(&node, "/users/alice/followers", ap).await;
    assert_eq!(followers["totalItems"], 1);
}
