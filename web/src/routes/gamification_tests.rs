//! The gamification routes without a socket: a member's points with
//! level, badges and history; leaderboards by period and group;
//! challenges created, listed, joined and shown; admin settings; scopes;
//! 422s naming their fields.

use axum::http::StatusCode;
use node::model::Role;
use serde_json::json;

use crate::routes::test_api::TestApi;

async fn token_with_role(api: &TestApi, name: &str, role: Role) -> String {
    let m = api
        .node
        .create_member(
            node::members::NewMember {
                username: name.into(),
                email: format!("{name}@k.test"),
                password: "password123".into(),
                ..Default::default()
            },
            role,
        )
        .await
        .expect("member");
    api.token_of(m.id, &[]).await
}

async fn post(api: &TestApi, token: &str, content: &str) -> String {
    let (status, v) = api
        .send(
            Some(token),
            "POST",
            "/posts",
            Some(json!({"content": content})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    v["id"].as_str().expect("id").to_string()
}

fn in_days(days: i64) -> String {
    jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(24 * days))
        .expect("time")
        .to_string()
}

#[tokio::test]
async fn a_members_points_show_level_badges_and_their_history_to_them_only() {
    let api = TestApi::new();
    let ann = api.token("ann", &[]).await;
    let bob = api.token("bob", &[]).await;
    post(&api, &ann, "hello").await;
    let (status, v) = api
        .send(Some(&ann), "GET", "/members/ann/points?lang=id", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["points"], 10);
    assert_eq!(v["level"]["name"], "pemula");
    assert_eq!(v["level"]["label"], "Pemula");
    assert_eq!(v["level"]["next"]["points_needed"], 91);
    let badges: Vec<&str> = v["badges"]
        .as_array()
        .expect("badges")
        .iter()
        .filter_map(|b| b["badge"].as_str())
        .collect();
    assert_eq!(badges, vec!["pendatang_baru"]);
    assert_eq!(v["history"][0]["activity"], "post");
    assert_eq!(v["history"][0]["points"], "10");
    assert_eq!(v["history"][0]["reason"], "post: 10 points");
    let (_, seen) = api
        .send(Some(&bob), "GET", "/members/ann/points", None)
        .await;
    assert_eq!(seen["points"], 10);
    assert_eq!(seen["history"], json!([]));
    assert_eq!(seen["history_hidden"], true);
    let (status, _) = api.send(None, "GET", "/members/nobody/points", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, v) = api
        .send(Some(&ann), "GET", "/members/ann/points?before=xyz", None)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["field"], "before");
}

#[tokio::test]
async fn the_leaderboard_ranks_pages_and_names_a_bad_period() {
    let api = TestApi::new();
    let ann = api.token("ann", &[]).await;
    let bob = api.token("bob", &[]).await;
    post(&api, &ann, "one").await;
    post(&api, &bob, "one").await;
    post(&api, &bob, "two").await;
    for period in ["all", "month", "week"] {
        let (status, v) = api
            .send(None, "GET", &format!("/leaderboard?period={period}"), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{v}");
        assert_eq!(v["period"], period);
        assert_eq!(v["entries"][0]["member"], "bob");
        assert_eq!(v["entries"][0]["points"], 20);
        assert_eq!(v["entries"][1]["member"], "ann");
    }
    let (_, first) = api.send(None, "GET", "/leaderboard?limit=1", None).await;
    assert_eq!(first["entries"].as_array().map(Vec::len), Some(1));
    let next = first["next"].as_str().expect("next");
    let (_, second) = api
        .send(
            None,
            "GET",
            &format!("/leaderboard?limit=1&cursor={next}"),
            None,
        )
        .await;
    assert_eq!(second["entries"][0]["member"], "ann");
    assert_eq!(second["entries"][0]["rank"], 2);
    let (status, v) = api
        .send(None, "GET", "/leaderboard?period=year", None)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["field"], "period");
    let (status, v) = api.send(None, "GET", "/leaderboard?group=ann", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["field"], "group");
}

#[tokio::test]
async fn challenges_are_created_listed_joined_and_shown() {
    let api = TestApi::new();
    let moderator = token_with_role(&api, "mod", Role::Moderator).await;
    let ann = api.token("ann", &[]).await;
    let body = json!({
        "title": "Two posts", "description": "Write two posts", "metric": "posts",
        "target": 2, "ends_at": in_days(7), "reward_points": 30, "reward_badge": "penulis"
    });
    let (status, _) = api
        .send(Some(&ann), "POST", "/challenges", Some(body.clone()))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mut bad = body.clone();
    bad["metric"] = json!("karma");
    let (status, v) = api
        .send(Some(&moderator), "POST", "/challenges", Some(bad))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["field"], "metric");
    let (status, made) = api
        .send(Some(&moderator), "POST", "/challenges", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let id = made["id"].as_str().expect("id").to_string();
    let (status, list) = api.send(None, "GET", "/challenges", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list[0]["id"], id.as_str());
    let (status, joined) = api
        .send(Some(&ann), "POST", &format!("/challenges/{id}/join"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{joined}");
    assert_eq!(joined["participants"], 1);
    assert_eq!(joined["me"]["progress"], 0);
    post(&api, &ann, "one").await;
    post(&api, &ann, "two").await;
    let (status, shown) = api
        .send(Some(&ann), "GET", &format!("/challenges/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(shown["me"]["progress"], 2);
    assert!(shown["me"]["completed_at"].is_i64(), "{shown}");
    assert_eq!(shown["completed"], 1);
    let (_, points) = api
        .send(Some(&ann), "GET", "/members/ann/points", None)
        .await;
    assert_eq!(points["points"], 50);
    let (status, _) = api
        .send(None, "GET", "/challenges/01ARZ3NDEKTSV4RRFFQ69G5FAV", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn admins_edit_the_settings_and_a_bad_rule_names_its_field() {
    let api = TestApi::new();
    let admin = token_with_role(&api, "root", Role::Admin).await;
    let ann = api.token("ann", &[]).await;
    let (status, _) = api
        .send(Some(&ann), "GET", "/admin/gamification", None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, mut settings) = api
        .send(Some(&admin), "GET", "/admin/gamification", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(settings["activities"]["post"]["points"], 10);
    assert_eq!(settings["levels"][1]["min_points"], 101);
    settings["badges"][0]["when"] = json!({"followers": {"at_least": 3}});
    let (status, v) = api
        .send(
            Some(&admin),
            "PUT",
            "/admin/gamification",
            Some(settings.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["field"], "badges[0].when.followers");
    settings["badges"][0]["when"] = json!({"profile_complete": {"at_least": 1}});
    settings["activities"]["post"]["points"] = json!(12);
    let (status, saved) = api
        .send(Some(&admin), "PUT", "/admin/gamification", Some(settings))
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    post(&api, &ann, "worth twelve").await;
    let (_, v) = api.send(None, "GET", "/members/ann/points", None).await;
    assert_eq!(v["points"], 12);
}

#[tokio::test]
async fn scopes_guard_the_routes() {
    let api = TestApi::new();
    let reader = api.token("ann", &["read"]).await;
    let (status, _) = api.send(Some(&reader), "GET", "/leaderboard", None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = api
        .send(Some(&reader), "GET", "/members/ann/points", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = api
        .send(
            Some(&reader),
            "POST",
            "/challenges",
            Some(json!({"title": "x", "metric": "posts", "target": 1, "ends_at": in_days(1)})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let moderator = token_with_role(&api, "mod", Role::Moderator).await;
    let (status, _) = api
        .send(
            Some(&moderator),
            "POST",
            "/admin/linked-accounts",
            Some(json!({"a": "ann", "b": "mod"})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}
