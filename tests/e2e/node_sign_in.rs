//! "Sign in with your node": a member of node A mints a ticket through
//! A's API and follows its sign-in URL at node B in a browser; B resolves
//! A's actor, checks the ticket against the ed25519 key it published, and
//! opens a learner session on B's study pages. The tickets B refuses
//! (replayed, for another server, tampered), the open redirect it does
//! not follow, and what a learner cookie does not open.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::harness::{browser, csrf, Member, TestNode};

fn id_of(v: &Value) -> String {
    v.get("course")
        .and_then(|c| c.get("id"))
        .or_else(|| v.get("id"))
        .and_then(Value::as_str)
        .expect("an id")
        .to_string()
}

/// A published open course of `by` at `node` with two lessons.
async fn course(node: &TestNode, by: &Member) -> (String, Vec<String>) {
    let r = node
        .post(
            "/courses",
            Some(&by.token),
            json!({"title": "Ferris 101", "level": "beginner", "enrolment": "open"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let course = id_of(&r.body);
    let r = node
        .post(
            &format!("/courses/{course}/modules"),
            Some(&by.token),
            json!({"title": "Start"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let module = id_of(&r.body);
    let mut lessons = Vec::new();
    for title in ["Crabs walk sideways", "Ownership"] {
        let r = node
            .post(
                &format!("/courses/{course}/modules/{module}/lessons"),
                Some(&by.token),
                json!({"title": title, "body": "Read *this*.", "minutes": 5}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        lessons.push(id_of(&r.body));
    }
    let r = node
        .post(
            &format!("/courses/{course}/publish"),
            Some(&by.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    (course, lessons)
}

/// A ticket of `member` at `home` for `audience`, going to `next`.
async fn mint(home: &TestNode, member: &Member, audience: &str, next: &str) -> Value {
    let r = home
        .post(
            "/me/sign-in-tickets",
            Some(&member.token),
            json!({"audience": audience, "next": next}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body
}

/// GETs `url` with `cookie` (if any); status, `Location`, `Set-Cookie`
/// value of the learner cookie, and the body.
async fn visit(url: &str, cookie: Option<&str>) -> (StatusCode, String, Option<String>, String) {
    let client = browser();
    let mut req = client.get(url);
    if let Some(c) = cookie {
        req = req.header("cookie", format!("kodeon_learner={c}"));
    }
    let r = req.send().await.expect("get");
    let status = r.status();
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let learner = crate::harness::set_cookie(&r, "kodeon_learner");
    (
        status,
        location,
        learner,
        r.text().await.unwrap_or_default(),
    )
}

#[tokio::test]
async fn a_member_of_one_node_studies_on_another_after_signing_in_with_a_ticket() {
    let a = TestNode::start_federated().await;
    let b = TestNode::start_federated().await;
    let alice = a.register("alice").await;
    let teacher = b.register("teacher").await;
    let (course, lessons) = course(&b, &teacher).await;
    let b_origin = format!("http://{}", b.domain());
    let b_url = |path: &str| format!("{}{path}", b.base);

    // A's member mints; the answer names B's sign-in URL.
    let minted = mint(&a, &alice, &b_origin, &format!("/courses/{course}")).await;
    let sign_in_url = minted["sign_in_url"].as_str().expect("url").to_string();
    assert!(sign_in_url.starts_with(&format!("{b_origin}/auth/kodeon?ticket=")));
    assert!(minted["expires_at"]
        .as_str()
        .is_some_and(|t| t.ends_with('Z')));
    // A ticket for A itself is refused, naming the field.
    let r = a
        .post(
            "/me/sign-in-tickets",
            Some(&alice.token),
            json!({"audience": format!("http://{}", a.domain())}),
        )
        .await;
    r.assert_error(422, Some("audience"));
    let r = a
        .post(
            "/me/sign-in-tickets",
            Some(&alice.token),
            json!({"audience": "not a url"}),
        )
        .await;
    r.assert_error(422, Some("audience"));

    // The browser follows it at B: a learner cookie and the course page.
    let (status, location, cookie, body) = visit(&sign_in_url, None).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(location, format!("/courses/{course}"));
    let cookie = cookie.expect("a learner cookie");
    let (status, _, _, page) = visit(&b_url(&location), Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    let handle = format!("alice@{}", a.domain());
    assert!(
        page.contains(&format!("Signed in as {handle} (from another server)")),
        "{page}"
    );
    assert!(page.contains("Ferris 101"));

    // The same URL again: the ticket was used.
    let (status, _, again, body) = visit(&sign_in_url, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("replayed"), "{body}");
    assert!(again.is_none());

    // Enrol from the course page (the same rules as a member's), then the
    // lesson reader, then done: progress moves.
    let client = browser();
    let r = client
        .post(b_url(&format!("/courses/{course}/enrol")))
        .header("cookie", format!("kodeon_learner={cookie}"))
        .form(&[("csrf", csrf(&page).as_str())])
        .send()
        .await
        .expect("enrol");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, _, _, lesson) =
        visit(&b_url(&format!("/lessons/{}", lessons[0])), Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK, "{lesson}");
    assert!(lesson.contains("Crabs walk sideways"));
    let r = client
        .post(b_url(&format!("/lessons/{}/done", lessons[0])))
        .header("cookie", format!("kodeon_learner={cookie}"))
        .form(&[("csrf", csrf(&lesson).as_str())])
        .send()
        .await
        .expect("done");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, _, _, page) = visit(&b_url(&format!("/courses/{course}")), Some(&cookie)).await;
    assert!(page.contains("50% of lessons done"), "{page}");
    // The teacher sees the remote learner's progress.
    let r = b
        .get(
            &format!("/courses/{course}/enrolments"),
            Some(&teacher.token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.to_string().contains(&handle), "{}", r.body);

    // A form without the session's token changes nothing.
    let r = client
        .post(b_url(&format!("/lessons/{}/done", lessons[1])))
        .header("cookie", format!("kodeon_learner={cookie}"))
        .form(&[("csrf", "forged")])
        .send()
        .await
        .expect("forged");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // The learner cookie opens nothing else: the app's pages ask to sign
    // in, the API does not know it.
    for path in ["/home", "/notifications", "/messages", "/settings"] {
        let (status, location, _, _) = visit(&b_url(path), Some(&cookie)).await;
        assert_eq!(
            (status, location.as_str()),
            (StatusCode::SEE_OTHER, "/login"),
            "{path}"
        );
    }
    let r = client
        .post(b_url("/compose"))
        .header("cookie", format!("kodeon_learner={cookie}"))
        .form(&[("csrf", csrf(&page).as_str()), ("text", "hello")])
        .send()
        .await
        .expect("compose");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = client
        .get(b_url("/api/kodeon/v1/me"))
        .header("cookie", format!("kodeon_learner={cookie}"))
        .send()
        .await
        .expect("api");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // Signing out ends the session.
    let r = client
        .post(b_url("/auth/kodeon/sign-out"))
        .header("cookie", format!("kodeon_learner={cookie}"))
        .form(&[("csrf", csrf(&page).as_str())])
        .send()
        .await
        .expect("sign out");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, location, _, _) =
        visit(&b_url(&format!("/lessons/{}", lessons[0])), Some(&cookie)).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/login")
    );
}

#[tokio::test]
async fn tickets_b_refuses_and_redirects_it_does_not_follow() {
    let a = TestNode::start_federated().await;
    let b = TestNode::start_federated().await;
    let alice = a.register("alice").await;
    let b_origin = format!("http://{}", b.domain());

    // Another server's ticket: 400, wrong audience.
    let elsewhere = mint(&a, &alice, "https://elsewhere.example", "/courses").await;
    let ticket = elsewhere["ticket"].as_str().expect("ticket");
    let (status, _, cookie, body) = visit(
        &format!("{}/auth/kodeon?ticket={ticket}&next=/courses", b.base),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("wrong audience"), "{body}");
    assert!(cookie.is_none());

    // Tampered: alice's payload with another member's signature.
    let mallory = a.register("mallory").await;
    let theirs = mint(&a, &alice, &b_origin, "/courses").await;
    let mine = mint(&a, &mallory, &b_origin, "/courses").await;
    let (payload, _) = theirs["ticket"]
        .as_str()
        .and_then(|t| t.split_once('.'))
        .expect("ticket");
    let (_, signature) = mine["ticket"]
        .as_str()
        .and_then(|t| t.split_once('.'))
        .expect("ticket");
    let (status, _, cookie, body) = visit(
        &format!("{}/auth/kodeon?ticket={payload}.{signature}", b.base),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("bad signature"), "{body}");
    assert!(cookie.is_none());
    // Garbage: 400.
    let (status, _, _, _) = visit(&format!("{}/auth/kodeon?ticket=abc", b.base), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // A good ticket with an absolute `next`: signed in, sent to /courses.
    let good = mint(&a, &alice, &b_origin, "/courses").await;
    let ticket = good["ticket"].as_str().expect("ticket");
    for (i, next) in [
        "https://evil.example/courses",
        "//evil.example/courses",
        "/home",
    ]
    .iter()
    .enumerate()
    {
        let ticket = if i == 0 {
            ticket.to_string()
        } else {
            mint(&a, &alice, &b_origin, "/courses").await["ticket"]
                .as_str()
                .expect("ticket")
                .to_string()
        };
        // Base64url, a dot, and a path or URL: nothing to escape in a query.
        let query = format!("ticket={ticket}&next={next}");
        let (status, location, cookie, body) =
            visit(&format!("{}/auth/kodeon?{query}", b.base), None).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{next}: {body}");
        assert_eq!(location, "/courses", "{next}");
        assert!(cookie.is_some());
    }
}
