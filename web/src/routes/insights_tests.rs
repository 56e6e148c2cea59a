//! The insights routes without a socket: admins only (403 otherwise),
//! dates refused naming `from`/`to`, the CSV's headers and shape, a
//! member's own figures, a group's report for its moderators.

use axum::http::StatusCode;
use node::members::NewMember;
use node::model::Role;
use serde_json::json;

use crate::routes::test_api::TestApi;

/// An admin's full-access token.
async fn admin_token(a: &TestApi) -> String {
    let m = a
        .node
        .create_member(
            NewMember {
                username: "root".into(),
                email: "root@k.test".into(),
                password: "password123".into(),
                ..NewMember::default()
            },
            Role::Admin,
        )
        .await
        .expect("admin");
    a.token_of(m.id, &[]).await
}

#[tokio::test]
async fn admin_insights_are_for_admins_and_check_their_dates() {
    let a = TestApi::new();
    let root = admin_token(&a).await;
    let ann = a.token("ann", &[]).await;
    let (s, _) = a
        .send(
            Some(&ann),
            "POST",
            "/posts",
            Some(json!({"content": "hello"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);

    let v = a
        .expect(&root, "GET", "/admin/insights", None, StatusCode::OK)
        .await;
    assert_eq!(v["days"].as_array().map(Vec::len), Some(30));
    assert_eq!(v["active"]["daily"].as_array().map(Vec::len), Some(30));
    assert!(v["active"]["daily"][29].as_i64() >= Some(1), "{v}");
    assert_eq!(v["top_posts"][0]["author"], "ann");
    assert!(v["explain"].as_array().is_some_and(|e| !e.is_empty()));

    let (s, _) = a.by(&ann, "GET", "/admin/insights").await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a member is not an admin");
    let (s, _) = a.by(&ann, "GET", "/admin/insights.csv").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = a.send(None, "GET", "/admin/insights", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // An admin's OAuth token without an admin scope is refused too.
    let read_only = a
        .token_of(
            a.node.find_member("root").expect("find").expect("root").id,
            &["read"],
        )
        .await;
    let (s, _) = a.by(&read_only, "GET", "/admin/insights").await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    for (query, field) in [
        ("?from=2024-02-30&to=2024-03-01", "from"),
        ("?from=2024-01-01&to=soon", "to"),
        ("?from=2024-03-02&to=2024-03-01", "from"),
        ("?from=2022-01-01&to=2024-03-01", "to"),
    ] {
        let (s, e) = a.by(&root, "GET", &format!("/admin/insights{query}")).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert_eq!(e["field"], field, "{query}");
    }
    let v = a
        .expect(
            &root,
            "GET",
            "/admin/insights?from=2024-10-01&to=2024-10-07",
            None,
            StatusCode::OK,
        )
        .await;
    assert_eq!(v["from"], "2024-10-01");
    assert_eq!(v["days"][6], "2024-10-07");
}

#[tokio::test]
async fn the_csv_is_an_escaped_attachment_in_long_format() {
    let a = TestApi::new();
    let root = admin_token(&a).await;
    let ann = a.token("ann", &[]).await;
    let (s, _) = a
        .send(
            Some(&ann),
            "POST",
            "/posts",
            Some(json!({"content": "=cmd|' /C calc'!A0, \"quoted\""})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let answer = a
        .request(
            Some(&root),
            "GET",
            "/api/kodeon/v1/admin/insights.csv?from=2024-10-01&to=2024-10-03",
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(answer.content_type().starts_with("text/csv"));
    let disposition = answer
        .headers
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert_eq!(
        disposition,
        "attachment; filename=\"insights-2024-10-01-2024-10-03.csv\""
    );
    let mut lines = answer.body.lines();
    assert_eq!(lines.next(), Some("metric,date,item,value"));
    let daily: Vec<&str> = answer
        .body
        .lines()
        .filter(|l| l.starts_with("active_daily,"))
        .collect();
    assert_eq!(
        daily,
        vec![
            "active_daily,2024-10-01,,0",
            "active_daily,2024-10-02,,0",
            "active_daily,2024-10-03,,0"
        ]
    );
    assert!(answer
        .body
        .contains("interactions_per_post,,2024-10-01..2024-10-03,"));

    // Today's range holds ann's post among the tops: its excerpt is
    // quoted and cannot start a formula.
    let today = a
        .request(Some(&root), "GET", "/api/kodeon/v1/admin/insights.csv")
        .await;
    let top = today
        .body
        .lines()
        .find(|l| l.starts_with("top_post_score,"))
        .expect("a top post row");
    assert!(
        top.contains("\"") && top.contains("ann: =cmd") && top.contains("\"\"quoted\"\""),
        "{top}"
    );
    for line in today.body.lines() {
        for start in ["=", "+", "-", "@"] {
            assert!(!line.starts_with(start), "{line}");
            assert!(!line.contains(&format!(",{start}")), "{line}");
        }
    }
}

#[tokio::test]
async fn members_see_only_their_own_insights() {
    let a = TestApi::new();
    let ann = a.token("ann", &[]).await;
    let bob = a.token("bob", &[]).await;
    let (_, post) = a
        .send(
            Some(&ann),
            "POST",
            "/posts",
            Some(json!({"content": "mine"})),
        )
        .await;
    let id = post["id"].as_str().expect("id").to_string();
    let (s, _) = a.by(&bob, "POST", &format!("/posts/{id}/like")).await;
    assert_eq!(s, StatusCode::OK);
    let v = a
        .expect(&ann, "GET", "/me/insights", None, StatusCode::OK)
        .await;
    assert_eq!(v["post_count"], 1);
    assert_eq!(v["posts"][0]["id"], id.as_str());
    assert_eq!(v["likes"], 1);
    let points = v["points"]["points"].as_array().expect("points by day");
    assert_eq!(points.len(), 30, "the last 30 days by default");
    assert_eq!(
        points.last(),
        Some(&json!(11)),
        "a post (10) and a like (1)"
    );
    assert_eq!(v["points"]["levels"][29], "pemula");
    let v = a
        .expect(&bob, "GET", "/me/insights", None, StatusCode::OK)
        .await;
    assert_eq!(v["post_count"], 0, "bob's figures are bob's: {v}");
    let (s, e) = a.by(&ann, "GET", "/me/insights?from=nope").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["field"], "from");
    let (s, _) = a.send(None, "GET", "/me/insights", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // A token scoped to follows only may not read it.
    let narrow = a.token("ann", &["read:follows"]).await;
    let (s, _) = a.by(&narrow, "GET", "/me/insights").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_groups_report_is_for_its_owner_and_moderators() {
    let a = TestApi::new();
    let owner = a.token("owner", &[]).await;
    let joiner = a.token("joiner", &[]).await;
    let outsider = a.token("outsider", &[]).await;
    let (s, _) = a
        .send(
            Some(&owner),
            "POST",
            "/groups",
            Some(json!({"name": "makers"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = a.by(&joiner, "POST", "/groups/makers/join").await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = a
        .send(
            Some(&joiner),
            "POST",
            "/posts",
            Some(json!({"content": "hello makers", "group": "makers"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let v = a
        .expect(&owner, "GET", "/groups/makers/report", None, StatusCode::OK)
        .await;
    assert_eq!(v["group"], "makers");
    assert_eq!(v["posts"], 1);
    assert!(v["new_members"].as_i64() >= Some(1));
    for who in [&joiner, &outsider] {
        let (s, _) = a.by(who, "GET", "/groups/makers/report").await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
    let (s, e) = a
        .by(&owner, "GET", "/groups/makers/report?month=2024-13")
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["field"], "month");
    let (s, _) = a.by(&owner, "GET", "/groups/nosuch/report").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}
