use serde_json::json;

use crate::harness::{assert_ran, TestNode, PASSWORD};

#[tokio::test]
async fn register_login_logout_and_sessions() {
    let node = TestNode::start().await;
    let alice = node.register("alice").await;
    // Log in by username and by email.
    let by_name = node.login("alice", PASSWORD).await;
    assert_eq!(by_name.status, 200, "{}", by_name.body);
    let by_email = node
        .post(
            "/auth/login",
            None,
            json!({"login": "ALICE@example.test", "password": PASSWORD, "label": "phone"}),
        )
        .await;
    assert_eq!(by_email.status, 200);
    let phone_token = by_email.body["token"].as_str().expect("token").to_string();
    assert_eq!(
        by_email.body["member"]["private"]["email"],
        "alice@example.test"
    );
    // Three sessions; revoke the phone's from the first.
    let sessions = node.get("/auth/sessions", Some(&alice.token)).await;
    let list = sessions.body.as_array().expect("array");
    assert_eq!(list.len(), 3);
    let phone = list
        .iter()
        .find(|s| s["label"] == "phone")
        .expect("phone session");
    let r = node
        .delete(
            &format!("/auth/sessions/{}", phone["id"].as_str().expect("id")),
            Some(&alice.token),
        )
        .await;
    assert_eq!(r.status, 204);
    node.get("/me", Some(&phone_token))
        .await
        .assert_error(401, None);
    // Logout revokes the token used.
    assert_eq!(
        node.post("/auth/logout", Some(&alice.token), json!({}))
            .await
            .status,
        204
    );
    node.get("/me", Some(&alice.token))
        .await
        .assert_error(401, None);
    // Wrong password, unknown user: 401, same message.
    let wrong = node.login("alice", "not the password").await;
    let unknown = node.login("nobody", "not the password").await;
    wrong.assert_error(401, None);
    unknown.assert_error(401, None);
    assert_eq!(wrong.body["error"], unknown.body["error"]);
}

#[tokio::test]
async fn duplicates_conflict_and_closed_registration_forbids() {
    let node = TestNode::start().await;
    node.register("alice").await;
    let r = node
        .post(
            "/auth/register",
            None,
            json!({"username": "Alice", "email": "x@example.test", "password": PASSWORD}),
        )
        .await;
    r.assert_error(409, Some("username"));
    let r = node
        .post(
            "/auth/register",
            None,
            json!({"username": "alice2", "email": "ALICE@example.test", "password": PASSWORD}),
        )
        .await;
    r.assert_error(409, Some("email"));
    assert_eq!(node.get("/node", None).await.body["members"], 1);

    let closed =
        TestNode::start_with(|c| c.registration.mode = node::RegistrationMode::Closed).await;
    let r = closed
        .post(
            "/auth/register",
            None,
            json!({"username": "bob", "email": "bob@example.test", "password": PASSWORD}),
        )
        .await;
    r.assert_error(403, None);
    assert_eq!(closed.get("/node", None).await.body["members"], 0);
}

#[tokio::test]
async fn profile_fields_round_trip() {
    let node = TestNode::start().await;
    let alice = node.register("alice").await;
    let update = json!({
        "full_name": "Alice Liddell",
        "bio": {"about": "Rust and tea", "location": "Jakarta", "website": "https://alice.example", "company": "Wonder"},
        "skills": {"languages": ["kodeon", "rust"], "areas": ["web_development"], "level": "senior"},
        "preferences": {"language": "id", "timezone": "Asia/Jakarta", "notifications": ["email"], "privacy": "public"},
        "social_links": {"github": "alice"},
        "avatar_url": "https://alice.example/a.png"
    });
    let r = node.patch("/me", Some(&alice.token), update).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let public = node.get("/members/alice", None).await;
    assert_eq!(public.body["id"], alice.id.as_str());
    assert_eq!(public.body["full_name"], "Alice Liddell");
    assert_eq!(public.body["details"]["bio"]["location"], "Jakarta");
    assert_eq!(public.body["details"]["skills"]["languages"][1], "rust");
    assert_eq!(public.body["details"]["social_links"]["github"], "alice");
    assert!(public.body["did"]
        .as_str()
        .is_some_and(|d| d.starts_with("did:key:z6Mk")));
    assert!(public.body["private"].is_null(), "email must not leak");
    let me = node.get("/me", Some(&alice.token)).await;
    assert_eq!(
        me.body["private"]["preferences"]["timezone"],
        "Asia/Jakarta"
    );
    // A bad website is rejected, naming the field, and changes nothing.
    let bad = node
        .patch(
            "/me",
            Some(&alice.token),
            json!({"bio": {"website": "javascript:alert(1)"}}),
        )
        .await;
    bad.assert_error(422, Some("bio.website"));
    assert_eq!(
        node.get("/members/alice", None).await.body["details"]["bio"]["website"],
        "https://alice.example"
    );
}

/// Runs `kodeon admin ...` off the test's runtime thread (the node in this
/// process must keep serving the admin socket meanwhile).
pub(crate) async fn admin(dir: &std::path::Path, args: &[&str]) -> String {
    let mut full = vec!["admin".to_string()];
    full.extend(args.iter().map(|a| a.to_string()));
    full.push("--data-dir".into());
    full.push(dir.to_string_lossy().to_string());
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_kodeon"))
            .args(&full)
            .output()
            .expect("run kodeon admin")
    })
    .await
    .expect("join");
    assert_ran(&out, "kodeon admin");
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[tokio::test]
async fn approval_mode_holds_new_members_until_approved() {
    let node =
        TestNode::start_with(|c| c.registration.mode = node::RegistrationMode::Approval).await;
    let r = node
        .post("/auth/register", None, json!({"username": "newbie", "email": "newbie@example.test", "password": PASSWORD, "reason": "I write Kodeon"}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["member"]["private"]["status"], "pending");
    let token = r.body["token"].as_str().expect("token").to_string();
    node.get("/me", Some(&token)).await.assert_error(403, None);
    node.login("newbie", PASSWORD).await.assert_error(403, None);
    let instance = node.get("/api/v1/instance", None).await;
    assert_eq!(instance.body["approval_required"], true);
    admin(&node.dir, &["approve", "--username", "newbie"]).await;
    assert_eq!(node.get("/me", Some(&token)).await.status, 200);
    // Rejection frees the name.
    node.post(
        "/auth/register",
        None,
        json!({"username": "spammer", "email": "s@example.test", "password": PASSWORD}),
    )
    .await;
    admin(&node.dir, &["reject", "--username", "spammer"]).await;
    let again = node
        .post(
            "/auth/register",
            None,
            json!({"username": "spammer", "email": "s@example.test", "password": PASSWORD}),
        )
        .await;
    assert_eq!(again.status, 201, "{}", again.body);
}

#[tokio::test]
async fn invite_mode_needs_a_code_with_uses_left() {
    let node = TestNode::start_with(|c| c.registration.mode = node::RegistrationMode::Invite).await;
    let reg = |name: &str, code: Option<&str>| json!({"username": name, "email": format!("{name}@example.test"), "password": PASSWORD, "invite_code": code});
    node.post("/auth/register", None, reg("ann", None))
        .await
        .assert_error(422, Some("invite_code"));
    node.post("/auth/register", None, reg("ann", Some("made-up")))
        .await
        .assert_error(422, Some("invite_code"));
    let out = admin(&node.dir, &["invite", "--uses", "1"]).await;
    let code = out.trim().rsplit(' ').next().expect("code").to_string();
    assert_eq!(
        node.post("/auth/register", None, reg("ann", Some(&code)))
            .await
            .status,
        201
    );
    node.post("/auth/register", None, reg("ben", Some(&code)))
        .await
        .assert_error(422, Some("invite_code"));
    assert_eq!(node.get("/node", None).await.body["members"], 1);
}
