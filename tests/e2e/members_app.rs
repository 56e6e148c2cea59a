//! The members' web app over HTTP between two nodes: a member of one
//! finds a member of the other by handle and by actor URL on `/search`,
//! follows them through their page's form, and reads their posts on
//! `/home`.

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{browser, csrf, eventually, TestNode};

/// A browser's view of one node's web app: no redirects followed, the
/// session cookie sent by hand.
struct Browser {
    base: String,
    http: reqwest::Client,
    cookie: String,
}

/// `s` percent-encoded for a URL's query.
fn encoded(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl Browser {
    /// Signs `login` in through the app's sign-in form.
    async fn sign_in(node: &TestNode, login: &str) -> Browser {
        let http = browser();
        let session = node
            .form_sign_in(&http, "/login", "kodeon_app_form", "kodeon_session", login)
            .await;
        Browser {
            base: node.base.clone(),
            http,
            cookie: format!("kodeon_session={session}"),
        }
    }

    /// GETs `path`: its status and page.
    async fn get(&self, path: &str) -> (StatusCode, String) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .expect("page");
        (r.status(), r.text().await.expect("html"))
    }

    /// POSTs a form to `path`: its status and `Location`.
    async fn post(&self, path: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .form(form)
            .send()
            .await
            .expect("form");
        let location = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        (r.status(), location)
    }
}

#[tokio::test]
async fn a_member_finds_a_remote_member_follows_them_and_reads_their_posts_at_home() {
    let a = TestNode::start_with(|c| c.federation.retry_base_ms = 200).await;
    let b = TestNode::start_with(|c| c.federation.retry_base_ms = 200).await;
    a.register("alice").await;
    let bob = b.register("bob").await;
    let handle = format!("bob@{}", b.domain());
    let alice = Browser::sign_in(&a, "alice").await;

    // By actor URL, as his server gives it: fetched from there.
    let found = b.get("/api/v1/accounts/lookup?acct=bob", None).await;
    let actor = found.body["uri"]
        .as_str()
        .expect("bob's actor URL")
        .to_string();
    let (status, page) = alice.get(&format!("/search?q={}", encoded(&actor))).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains(&format!("href=\"/@{handle}\"")), "{page}");

    // By handle, listed with his server and a link to his page here.
    let (status, page) = alice
        .get(&format!("/search?q={}", encoded(&format!("@{handle}"))))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains(&format!("href=\"/@{handle}\"")), "{page}");
    assert!(page.contains(&format!("on {}</a>", b.domain())), "{page}");

    // His page here, and its follow form.
    let (status, page) = alice.get(&format!("/@{handle}")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let action = format!("/members/{handle}/follow");
    assert!(page.contains(&format!("action=\"{action}\"")), "{page}");
    let token = csrf(&page);
    let (status, location) = alice.post(&action, &[("csrf", token.as_str())]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, format!("/@{handle}"));
    eventually("bob's server accepts the follow", || async {
        let r = b.get("/members/bob", None).await;
        (r.body["followers_count"].as_i64() == Some(1)).then_some(())
    })
    .await;
    eventually("the follow is accepted on alice's side", || async {
        let (_, page) = alice.get(&format!("/@{handle}")).await;
        page.contains("You follow them").then_some(())
    })
    .await;

    // bob posts; it reaches alice's home page, with his server named.
    b.post_as(&bob, "hello to my followers over there", json!({}))
        .await;
    let page = eventually("bob's post on alice's home page", || async {
        let (_, page) = alice.get("/home").await;
        page.contains("hello to my followers over there")
            .then_some(page)
    })
    .await;
    assert!(page.contains(&format!("@{handle}")), "{page}");
    assert!(page.contains("original on "), "{page}");
}
