//! Groups through the Mastodon API: a group is an account with
//! `group: true`; following it joins it, unfollowing leaves it; a status
//! that mentions it is posted in it; its posts are the group account's
//! statuses and reach members' home timelines.

use axum::http::StatusCode;
use serde_json::Value;

use super::{app, App};

/// The ids of a list of statuses (or accounts), in order.
fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("array")
        .iter()
        .map(|s| s["id"].as_str().expect("id").to_string())
        .collect()
}

impl App {
    /// Creates the group `name` as the bearer of `token` through the
    /// Kodeon API (`extra`: more JSON members); returns its account id.
    async fn group(&self, token: &str, name: &str, extra: &str) -> String {
        let (s, group, _) = self
            .send(
                "POST",
                "/api/kodeon/v1/groups",
                Some(token),
                "application/json",
                format!(r#"{{"name":"{name}","category":"programming"{extra}}}"#),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{group}");
        group["id"].as_str().expect("group id").to_string()
    }

    /// Posts `body` (a form) as a status; returns the status.
    async fn status(&self, token: &str, body: &str) -> Value {
        let (s, status) = self.form("/api/v1/statuses", Some(token), body).await;
        assert_eq!(s, StatusCode::OK, "{status}");
        status
    }
}

#[tokio::test]
async fn a_group_is_an_account_that_following_joins_and_unfollowing_leaves() {
    let a = app();
    let (_, _, alice) = a.member("alice", "read+write+follow").await;
    let (_, _, bob) = a.member("bob", "read+write+follow").await;
    let rust = a.group(&alice, "rust", "").await;
    let club = a.group(&alice, "club", r#","join_mode":"approval""#).await;

    for token in [None, Some(bob.as_str())] {
        let (s, account, _) = a.get(&format!("/api/v1/accounts/{rust}"), token).await;
        assert_eq!(s, StatusCode::OK, "{account}");
        assert_eq!(account["group"], true);
        assert_eq!(account["acct"], "rust");
        assert_eq!(account["locked"], false);
        assert_eq!(account["followers_count"], 1, "the owner is a member");
    }
    let (_, account, _) = a.get(&format!("/api/v1/accounts/{club}"), None).await;
    assert_eq!(account["group"], true);
    assert_eq!(account["locked"], true);
    let (_, found, _) = a.get("/api/v1/accounts/lookup?acct=rust", None).await;
    assert_eq!(found["id"], rust.as_str());
    assert_eq!(found["group"], true);
    // A person is not a group.
    let (_, me, _) = a
        .get("/api/v1/accounts/verify_credentials", Some(&alice))
        .await;
    assert_eq!(me["group"], false);

    // Following an open group joins it.
    let (s, rel) = a
        .form(&format!("/api/v1/accounts/{rust}/follow"), Some(&bob), "")
        .await;
    assert_eq!(s, StatusCode::OK, "{rel}");
    assert_eq!(rel["id"], rust.as_str());
    assert_eq!(rel["following"], true);
    assert_eq!(rel["requested"], false);
    let (_, rels, _) = a
        .get(
            &format!("/api/v1/accounts/relationships?id[]={rust}"),
            Some(&bob),
        )
        .await;
    assert_eq!(rels[0]["following"], true);
    let (_, members, _) = a
        .get(&format!("/api/v1/accounts/{rust}/followers"), Some(&bob))
        .await;
    assert_eq!(members.as_array().map(Vec::len), Some(2));
    let (_, account, _) = a.get(&format!("/api/v1/accounts/{rust}"), None).await;
    assert_eq!(account["followers_count"], 2);

    // Following a group that approves its members asks to join.
    let (s, rel) = a
        .form(&format!("/api/v1/accounts/{club}/follow"), Some(&bob), "")
        .await;
    assert_eq!(s, StatusCode::OK, "{rel}");
    assert_eq!(rel["following"], false);
    assert_eq!(rel["requested"], true);

    // Unfollowing leaves (and withdraws a request).
    for group in [&rust, &club] {
        let (s, rel) = a
            .form(
                &format!("/api/v1/accounts/{group}/unfollow"),
                Some(&bob),
                "",
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{rel}");
        assert_eq!(rel["following"], false);
        assert_eq!(rel["requested"], false);
    }
    let (_, account, _) = a.get(&format!("/api/v1/accounts/{rust}"), None).await;
    assert_eq!(account["followers_count"], 1);
    // The owner cannot leave.
    let (s, err) = a
        .form(
            &format!("/api/v1/accounts/{rust}/unfollow"),
            Some(&alice),
            "",
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{err}");
}

#[tokio::test]
async fn a_mention_posts_in_the_group_whose_statuses_and_members_homes_show_it() {
    let a = app();
    let (_, _, alice) = a.member("alice", "read+write+follow").await;
    let (_, _, bob) = a.member("bob", "read+write+follow").await;
    let (_, _, carol) = a.member("carol", "read+write+follow").await;
    let rust = a.group(&alice, "rust", "").await;
    for token in [&bob, &carol] {
        let (s, _) = a
            .form(&format!("/api/v1/accounts/{rust}/follow"), Some(token), "")
            .await;
        assert_eq!(s, StatusCode::OK);
    }

    // Three top-level posts in the group by mention, and a reply.
    let mut posted = Vec::new();
    for (token, text) in [
        (&alice, "welcome to @rust"),
        (&bob, "@rust how do lifetimes work?"),
        (&alice, "@rust meetup on friday"),
    ] {
        let status = a.status(token, &format!("status={text}")).await;
        // Mastodon's shape: the author is the account, the group a mention.
        assert_eq!(status["visibility"], "public");
        assert_eq!(status["mentions"][0]["id"], rust.as_str());
        assert_eq!(status["mentions"][0]["acct"], "rust");
        assert!(status.get("group").is_none(), "{status}");
        posted.push(status["id"].as_str().expect("id").to_string());
    }
    let reply = a
        .status(
            &carol,
            &format!("status=@bob read the book&in_reply_to_id={}", posted[1]),
        )
        .await;
    assert_eq!(reply["in_reply_to_id"], posted[1].as_str());
    let (s, shown, _) = a
        .get(&format!("/api/v1/statuses/{}", posted[1]), None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(shown["account"]["acct"], "bob");
    assert_eq!(shown["replies_count"], 1);
    // A private status mentioning the group stays with the followers.
    let private = a
        .status(
            &bob,
            "status=@rust just for my followers&visibility=private",
        )
        .await;
    assert_eq!(private["visibility"], "private");

    // The group's statuses: its top-level posts, newest first, paged.
    let newest_first: Vec<String> = posted.iter().rev().cloned().collect();
    let (s, listed, _) = a
        .get(&format!("/api/v1/accounts/{rust}/statuses"), None)
        .await;
    assert_eq!(s, StatusCode::OK, "{listed}");
    assert_eq!(ids(&listed), newest_first);
    let (_, account, _) = a.get(&format!("/api/v1/accounts/{rust}"), None).await;
    assert_eq!(account["statuses_count"], 3);
    let (_, first, headers) = a
        .get(&format!("/api/v1/accounts/{rust}/statuses?limit=2"), None)
        .await;
    assert_eq!(ids(&first), newest_first[..2]);
    let link = headers
        .get("link")
        .and_then(|l| l.to_str().ok())
        .expect("link header");
    assert!(
        link.contains(&format!("max_id={}", newest_first[1])),
        "{link}"
    );
    let (_, rest, _) = a
        .get(
            &format!(
                "/api/v1/accounts/{rust}/statuses?limit=2&max_id={}",
                newest_first[1]
            ),
            None,
        )
        .await;
    assert_eq!(ids(&rest), newest_first[2..]);

    // Carol follows nobody but the group: her home has its posts, not
    // bob's private status (nor her reply to bob, whom she does not
    // follow, as Mastodon leaves such replies out).
    let (_, home, _) = a.get("/api/v1/timelines/home", Some(&carol)).await;
    assert_eq!(ids(&home), newest_first);

    // Having left, she sees none of them.
    let (s, _) = a
        .form(
            &format!("/api/v1/accounts/{rust}/unfollow"),
            Some(&carol),
            "",
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, home, _) = a.get("/api/v1/timelines/home", Some(&carol)).await;
    assert!(ids(&home).is_empty(), "{home}");
}
