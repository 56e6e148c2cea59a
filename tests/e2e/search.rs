//! Searching by URL, as people paste links into the search box of every
//! Mastodon app: an actor's id, a profile page that redirects to it, that
//! answers it by content negotiation, or that names it with
//! `<link rel="alternate">`, and a post's URL, through the Mastodon API
//! (`/api/v2/search?resolve=true`) and the Kodeon API
//! (`/api/kodeon/v1/search?resolve=true`). Only a signed-in member who
//! asks to resolve makes the node fetch; every hop is checked again.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::fake_remote::{Answer, FakeRemote};
use crate::harness::{Member, TestNode};

/// `s` percent-encoded for a query string.
fn encoded(s: &str) -> String {
    let mut url = reqwest::Url::parse("http://x/").expect("url");
    url.query_pairs_mut().append_pair("q", s);
    url.query()
        .and_then(|q| q.strip_prefix("q="))
        .unwrap_or_default()
        .to_string()
}

/// The Mastodon search for `q` with `resolve=true` (and `type`, if any).
async fn mastodon(node: &TestNode, token: Option<&str>, q: &str, kind: Option<&str>) -> Value {
    let kind = kind.map(|k| format!("&type={k}")).unwrap_or_default();
    let r = node
        .get(
            &format!("/api/v2/search?q={}&resolve=true{kind}", encoded(q)),
            token,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body
}

/// The Kodeon search for `q` with `resolve=true`.
async fn kodeon(node: &TestNode, token: Option<&str>, q: &str) -> Value {
    let r = node
        .get(&format!("/search?q={}&resolve=true", encoded(q)), token)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body
}

/// Asserts that both APIs find `handle` (and only it) for `q`.
async fn both_find_account(node: &TestNode, alice: &Member, q: &str, handle: &str, actor: &str) {
    let found = mastodon(node, Some(&alice.token), q, Some("accounts")).await;
    let accounts = found["accounts"].as_array().cloned().unwrap_or_default();
    assert_eq!(accounts.len(), 1, "{q}: {found}");
    assert_eq!(accounts[0]["acct"], handle, "{q}: {found}");
    assert_eq!(accounts[0]["uri"], actor, "{q}: {found}");
    let found = kodeon(node, Some(&alice.token), q).await;
    let members = found["members"].as_array().cloned().unwrap_or_default();
    assert_eq!(members.len(), 1, "{q}: {found}");
    assert_eq!(members[0]["username"], handle, "{q}: {found}");
    assert_eq!(members[0]["remote"]["uri"], actor, "{q}: {found}");
}

/// Asserts that neither API finds anything for `q` (searched by `token`).
async fn both_find_nothing(node: &TestNode, token: Option<&str>, q: &str) {
    let found = mastodon(node, token, q, None).await;
    assert_eq!(
        found,
        json!({"accounts": [], "statuses": [], "hashtags": []}),
        "{q}"
    );
    let found = kodeon(node, token, q).await;
    assert_eq!(found["members"], json!([]), "{q}: {found}");
    assert_eq!(found["posts"], json!([]), "{q}: {found}");
}

#[tokio::test]
async fn search_by_actor_url_finds_the_account_in_both_apis() {
    let node = TestNode::start_federated().await;
    let fake = FakeRemote::start().await;
    let alice = node.register("alice").await;
    let xavier = fake.add_actor("xavier");
    let handle = format!("xavier@{}", fake.domain);
    both_find_account(&node, &alice, &xavier, &handle, &xavier).await;
    // The handle was confirmed by WebFinger on the actor's own domain.
    assert!(
        fake.fetched().iter().any(|p| p == "/.well-known/webfinger"),
        "{:?}",
        fake.fetched()
    );
}

#[tokio::test]
async fn search_by_a_profile_url_that_redirects_to_the_actor() {
    let node = TestNode::start_federated().await;
    let fake = FakeRemote::start().await;
    let alice = node.register("alice").await;
    let yann = fake.add_actor("yann");
    fake.serve("/@yann", Answer::redirect(302, &yann));
    // A relative Location, twice (three redirects are followed).
    fake.serve("/people/yann", Answer::redirect(301, "/profile/yann"));
    fake.serve("/profile/yann", Answer::redirect(308, "/@yann"));
    let handle = format!("yann@{}", fake.domain);
    both_find_account(&node, &alice, &fake.url("/@yann"), &handle, &yann).await;
    both_find_account(&node, &alice, &fake.url("/people/yann"), &handle, &yann).await;
}

#[tokio::test]
async fn search_by_a_profile_url_that_content_negotiates_to_the_actor() {
    let node = TestNode::start_federated().await;
    let fake = FakeRemote::start().await;
    let alice = node.register("alice").await;
    let zoe = fake.add_actor("zoe");
    // The same URL is a web page for browsers and the actor document
    // (whose id is the canonical /users/zoe) for ActivityPub clients.
    fake.serve_negotiated(
        "/@zoe",
        Answer::html("<!doctype html><title>Zoe</title><p>Zoe's profile</p>"),
        Answer::json(&fake.actor_document("zoe")),
    );
    let handle = format!("zoe@{}", fake.domain);
    both_find_account(&node, &alice, &fake.url("/@zoe"), &handle, &zoe).await;
}

#[tokio::test]
async fn search_by_a_web_page_that_links_its_actor_with_rel_alternate() {
    let node = TestNode::start_federated().await;
    let fake = FakeRemote::start().await;
    let alice = node.register("alice").await;
    let wren = fake.add_actor("wren");
    fake.serve(
        "/about/wren",
        Answer::html(&format!(
            "<!doctype html><html><head><title>Wren</title>\
             <script>var fake = '<link rel=\"alternate\" type=\"application/activity+json\" href=\"/elsewhere\">';</script>\
             <link rel=\"alternate\" type=\"application/rss+xml\" href=\"/about/wren.rss\">\
             <link rel=\"alternate\" type=\"application/activity+json\" href=\"{wren}\">\
             </head><body>Wren</body></html>"
        )),
    );
    let handle = format!("wren@{}", fake.domain);
    both_find_account(&node, &alice, &fake.url("/about/wren"), &handle, &wren).await;
    assert!(
        !fake.fetched().iter().any(|p| p == "/elsewhere"),
        "a link inside a script was followed: {:?}",
        fake.fetched()
    );

    // A page is followed once: a page that links a page finds nothing.
    fake.serve(
        "/about/chain",
        Answer::html(&format!(
            "<link rel=\"alternate\" type=\"application/activity+json\" href=\"{}\">",
            fake.url("/about/wren")
        )),
    );
    let before = fake.fetched().len();
    both_find_nothing(&node, Some(&alice.token), &fake.url("/about/chain")).await;
    assert!(
        !fake.fetched()[before..].iter().any(|p| p == "/users/wren"),
        "{:?}",
        &fake.fetched()[before..]
    );
}

#[tokio::test]
async fn search_by_post_url_finds_the_post_and_follows_mastodon_per_type() {
    let node = TestNode::start_federated().await;
    let fake = FakeRemote::start().await;
    let alice = node.register("alice").await;
    let vera = fake.add_actor("vera");
    let note_id = fake.url("/users/vera/statuses/1");
    let note = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": note_id,
        "type": "Note",
        "attributedTo": vera,
        "url": fake.url("/@vera/1"),
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "content": "<p>a post found by its link</p>",
        "published": "2024-05-01T10:00:00Z",
    });
    fake.serve("/users/vera/statuses/1", Answer::json(&note));
    fake.serve_negotiated(
        "/@vera/1",
        Answer::html("<!doctype html><p>a post found by its link</p>"),
        Answer::json(&note),
    );
    // By its id and by its page (content negotiation), in both APIs.
    for q in [note_id.clone(), fake.url("/@vera/1")] {
        let found = mastodon(&node, Some(&alice.token), &q, None).await;
        assert_eq!(found["statuses"][0]["uri"], note_id.as_str(), "{found}");
        assert_eq!(
            found["statuses"][0]["account"]["acct"],
            format!("vera@{}", fake.domain),
            "{found}"
        );
        // As on Mastodon, a post is a status: not listed among accounts.
        assert_eq!(found["accounts"], json!([]), "{found}");
        let found = mastodon(&node, Some(&alice.token), &q, Some("statuses")).await;
        assert_eq!(found["statuses"][0]["uri"], note_id.as_str(), "{found}");
        let found = kodeon(&node, Some(&alice.token), &q).await;
        assert_eq!(
            found["posts"][0]["remote"]["uri"],
            note_id.as_str(),
            "{found}"
        );
        assert_eq!(found["members"], json!([]), "{found}");
    }
    // Mastodon answers a status URL searched with type=accounts with
    // nothing (search_service.rb keeps a URL's resource only when its kind
    // is the type asked for), and so does Kodeon.
    let found = mastodon(&node, Some(&alice.token), &note_id, Some("accounts")).await;
    assert_eq!(
        found,
        json!({"accounts": [], "statuses": [], "hashtags": []})
    );
    // And an actor URL searched with type=statuses finds no status.
    let found = mastodon(&node, Some(&alice.token), &vera, Some("statuses")).await;
    assert_eq!(
        found,
        json!({"accounts": [], "statuses": [], "hashtags": []})
    );
}

#[tokio::test]
async fn search_does_not_follow_a_redirect_to_a_blocked_host_nor_more_than_three() {
    let node = TestNode::start_federated().await;
    let fake = FakeRemote::start().await;
    let blocked = FakeRemote::start().await;
    let admin = node.register_admin().await;
    node.block_domain(
        &admin,
        json!({"domain": blocked.domain, "severity": "suspend"}),
    )
    .await;
    let bad = blocked.add_actor("bad");
    fake.serve("/@bad", Answer::redirect(302, &bad));
    both_find_nothing(&node, Some(&admin.token), &fake.url("/@bad")).await;
    assert_eq!(
        blocked.fetched(),
        Vec::<String>::new(),
        "a blocked host was asked"
    );

    // Four redirects: the fourth is not followed.
    let far = fake.add_actor("far");
    fake.serve("/r1", Answer::redirect(302, "/r2"));
    fake.serve("/r2", Answer::redirect(302, "/r3"));
    fake.serve("/r3", Answer::redirect(302, "/r4"));
    fake.serve("/r4", Answer::redirect(302, &far));
    let before = fake.fetched().len();
    both_find_nothing(&node, Some(&admin.token), &fake.url("/r1")).await;
    let asked = fake.fetched()[before..].to_vec();
    assert!(!asked.iter().any(|p| p == "/users/far"), "{asked:?}");
}

#[tokio::test]
async fn search_refuses_an_actor_document_whose_id_is_on_another_host() {
    let node = TestNode::start_federated().await;
    let fake = FakeRemote::start().await;
    let other = FakeRemote::start().await;
    let alice = node.register("alice").await;
    other.add_actor("liar");
    // fake serves, at its own URL, a document that claims to be other's actor.
    fake.serve("/users/liar", Answer::json(&other.actor_document("liar")));
    fake.serve_negotiated(
        "/@liar",
        Answer::html("<p>liar</p>"),
        Answer::json(&other.actor_document("liar")),
    );
    for q in [fake.url("/users/liar"), fake.url("/@liar")] {
        both_find_nothing(&node, Some(&alice.token), &q).await;
    }
    assert_eq!(
        other.fetched(),
        Vec::<String>::new(),
        "the claimed host was asked"
    );
    let r = node
        .get(&format!("/members/liar@{}", other.domain), None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}

#[tokio::test]
async fn search_by_url_fetches_nothing_for_anonymous_visitors_or_without_resolve() {
    let node = TestNode::start_federated().await;
    let fake = FakeRemote::start().await;
    let alice = node.register("alice").await;
    let xavier = fake.add_actor("xavier");
    // Anonymous, with resolve=true.
    both_find_nothing(&node, None, &xavier).await;
    // Signed in, without resolve=true (Mastodon's rule, and Kodeon's).
    let r = node
        .get(
            &format!("/api/v2/search?q={}&type=accounts", encoded(&xavier)),
            Some(&alice.token),
        )
        .await;
    assert_eq!(r.body["accounts"], json!([]), "{}", r.body);
    let r = node
        .get(
            &format!("/search?q={}", encoded(&xavier)),
            Some(&alice.token),
        )
        .await;
    assert_eq!(r.body["members"], json!([]), "{}", r.body);
    assert_eq!(fake.fetched(), Vec::<String>::new(), "the node fetched");

    // Once known, the account is found by its URL without any fetch.
    both_find_account(
        &node,
        &alice,
        &xavier,
        &format!("xavier@{}", fake.domain),
        &xavier,
    )
    .await;
    let before = fake.fetched().len();
    let r = node
        .get(&format!("/search?q={}", encoded(&xavier)), None)
        .await;
    assert_eq!(
        r.body["members"][0]["remote"]["uri"],
        xavier.as_str(),
        "{}",
        r.body
    );
    assert_eq!(fake.fetched().len(), before, "the node fetched");
}

#[tokio::test]
async fn search_by_local_urls_finds_local_accounts_and_posts() {
    let node = TestNode::start_federated().await;
    let alice = node.register("alice").await;
    let bob = node.register("bob").await;
    let id = node.post_as(&bob, "hello from bob", json!({})).await;
    let domain_base = format!("http://{}", node.domain());
    for q in [
        format!("{domain_base}/users/bob"),
        format!("{domain_base}/@bob"),
    ] {
        let found = mastodon(&node, Some(&alice.token), &q, None).await;
        assert_eq!(found["accounts"][0]["acct"], "bob", "{q}: {found}");
        let found = kodeon(&node, None, &q).await;
        assert_eq!(found["members"][0]["username"], "bob", "{q}: {found}");
    }
    for q in [
        format!("{domain_base}/@bob/{id}"),
        format!("{domain_base}/users/bob/statuses/{id}"),
    ] {
        let found = mastodon(&node, Some(&alice.token), &q, None).await;
        assert_eq!(found["statuses"][0]["id"], id.as_str(), "{q}: {found}");
        let found = kodeon(&node, None, &q).await;
        assert_eq!(found["posts"][0]["id"], id.as_str(), "{q}: {found}");
    }
}
