//! Public HTML pages: what a visitor sees, and never sees.

use serde_json::json;

use crate::harness::TestNode;

async fn page(node: &TestNode, path: &str) -> (u16, String) {
    let r = reqwest::get(format!("{}{path}", node.base))
        .await
        .expect("get");
    (r.status().as_u16(), r.text().await.expect("text"))
}

#[tokio::test]
async fn visitors_see_public_pages_and_nothing_private() {
    let node = TestNode::start().await;
    let alice = node.register("alice").await;
    node.patch(
        "/me",
        Some(&alice.token),
        json!({"full_name": "<script>alert(1)</script> Alice", "bio": {"about": "Tea & Rust"}}),
    )
    .await;
    let public = node
        .post_as(
            &alice,
            "Hello **world** #greetings",
            json!({"title": "First post"}),
        )
        .await;
    let private = node
        .post_as(
            &alice,
            "for followers only",
            json!({"visibility": "followers"}),
        )
        .await;
    let reply = node
        .post_as(&alice, "a public reply", json!({"in_reply_to": public}))
        .await;

    let (status, home) = page(&node, "/").await;
    assert_eq!(status, 200);
    assert!(home.contains("First post") && !home.contains("for followers only"));

    let (status, profile) = page(&node, "/@alice").await;
    assert_eq!(status, 200);
    assert!(profile.contains("<title>") && profile.contains("og:title"));
    assert!(profile.contains("Tea &amp; Rust") || profile.contains("Tea &#38; Rust"));
    assert!(
        !profile.contains("<script>alert(1)</script>"),
        "display name not escaped"
    );
    assert!(profile.contains("&lt;script&gt;") || profile.contains("&#60;script&#62;"));
    assert!(profile.contains(&public) && !profile.contains("for followers only"));

    let (status, post) = page(&node, &format!("/@alice/{public}")).await;
    assert_eq!(status, 200);
    assert!(
        post.contains("<title>First post · Kodeon</title>"),
        "{post}"
    );
    assert!(post.contains("<strong>world</strong>"));
    assert!(post.contains(&reply), "the thread's reply is shown");
    assert!(post.contains("og:url"));
    assert!(post.contains(&format!("rel=\"alternate\" type=\"application/activity+json\" href=\"{}/users/alice/statuses/{public}\"", node.base)));
    assert!(profile.contains(&format!("href=\"{}/users/alice\"", node.base)));

    assert_eq!(page(&node, &format!("/@alice/{private}")).await.0, 404);
    assert_eq!(
        page(&node, &format!("/@bob/{public}")).await.0,
        404,
        "wrong author in the URL"
    );
    assert_eq!(page(&node, "/@nobody").await.0, 404);
    assert_eq!(page(&node, "/alice").await.0, 404);
    let (status, tag) = page(&node, "/tags/greetings").await;
    assert_eq!(status, 200);
    assert!(tag.contains("First post"));
    // The Mastodon API's status url points at this page.
    let status = node.get(&format!("/api/v1/statuses/{public}"), None).await;
    let url = status.body["url"].as_str().expect("url");
    assert_eq!(reqwest::get(url).await.expect("get").status(), 200);
}
