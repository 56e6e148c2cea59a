//! The members' app through the router (no socket): sessions, form
//! tokens, the home feed and the post forms.

use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::http::{header, Request, StatusCode};
use axum::Router;
use node::members::NewMember;
use node::model::{Member, Role};
use node::posts::NewPost;
use node::{Id, Node, NodeConfig, NodeError, PageRequest, Viewer};
use tower::ServiceExt;

use crate::test_support::{send, Reply};
use crate::{router, WebSettings};

/// A node with its members, and the router over it.
pub(super) struct App {
    pub(super) app: Router,
    pub(super) node: Arc<Node>,
    pub(super) members: Vec<Member>,
    _dir: tempfile::TempDir,
}

/// A node with the members bob and carol, and the router over it.
pub(super) async fn app() -> App {
    let members = [("bob", Role::Member), ("carol", Role::Member)];
    app_with(&members, |_| {}, WebSettings::default()).await
}

/// A node in dev mode, `configure`d, with `members` (name, role; password
/// `password123`), and the router over it with `settings`.
pub(super) async fn app_with(
    members: &[(&str, Role)],
    configure: impl FnOnce(&mut NodeConfig),
    settings: WebSettings,
) -> App {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = NodeConfig::new(dir.path(), "k.test");
    config.dev = true;
    configure(&mut config);
    let node = Arc::new(Node::open(config).expect("open"));
    let mut made = Vec::new();
    for (name, role) in members {
        let m = node
            .create_member(
                NewMember {
                    username: (*name).into(),
                    email: format!("{name}@k.test"),
                    password: "password123".into(),
                    ..NewMember::default()
                },
                *role,
            )
            .await
            .expect("member");
        made.push(m);
    }
    App {
        app: router(node.clone(), settings),
        node,
        members: made,
        _dir: dir,
    }
}

/// A page before any session: the reply, its pre-session cookie header
/// and its form token.
pub(super) async fn form_page(app: &Router, uri: &str) -> (Reply, String, String) {
    let page = send(app, "GET", uri, None, "").await;
    assert_eq!(page.status, StatusCode::OK, "{uri}");
    let pre = page.cookie(super::FORM_COOKIE).expect("pre-session cookie");
    let csrf = page.csrf();
    (page, format!("{}={pre}", super::FORM_COOKIE), csrf)
}

/// Posts the sign-in form as a browser would: the form first (its
/// pre-session cookie and token), then the fields.
pub(super) async fn sign_in(app: &Router, login: &str, password: &str) -> Reply {
    let (_, cookie, csrf) = form_page(app, "/login").await;
    let form = format!("csrf={csrf}&login={login}&password={password}");
    send(app, "POST", "/login", Some(&cookie), &form).await
}

/// A signed-in member's cookie header and form token.
pub(super) async fn session(app: &Router, login: &str) -> (String, String) {
    let r = sign_in(app, login, "password123").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let token = r.cookie(super::SESSION_COOKIE).expect("session cookie");
    let cookie = format!("{}={token}", super::SESSION_COOKIE);
    let home = send(app, "GET", "/home", Some(&cookie), "").await;
    assert_eq!(home.status, StatusCode::OK);
    let csrf = home.csrf();
    (cookie, csrf)
}

pub(super) fn viewer(a: &App, name: &str) -> Viewer {
    let member = a
        .members
        .iter()
        .find(|m| m.username == name)
        .expect("member");
    Viewer::Member(Box::new(member.clone()))
}

pub(super) async fn post_as(a: &App, name: &str, content: &str, visibility: &str) -> Id {
    a.node
        .create_post(
            &viewer(a, name),
            NewPost {
                content: content.into(),
                visibility: Some(visibility.into()),
                ..NewPost::default()
            },
        )
        .await
        .expect("post")
        .id
}

#[tokio::test]
async fn sign_up_then_sign_in() {
    let a = app().await;
    let page = send(&a.app, "GET", "/signup", None, "").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<label for=\"username\">"));
    let pre = page.cookie(super::FORM_COOKIE).expect("pre-session cookie");
    let pre_cookie = format!("{}={pre}", super::FORM_COOKIE);
    // A taken username is refused next to its field, the entries kept.
    let taken = format!(
        "csrf={}&username=bob&email=new%40k.test&password=password123",
        page.csrf()
    );
    let r = send(&a.app, "POST", "/signup", Some(&pre_cookie), &taken).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("id=\"username-error\""), "{}", r.body);
    assert!(r.body.contains("value=\"new@k.test\""));
    assert!(!r.body.contains("password123"));
    let form = format!(
        "csrf={}&username=alice&email=alice%40k.test&password=password123",
        page.csrf()
    );
    let r = send(&a.app, "POST", "/signup", Some(&pre_cookie), &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/home");
    let raw = r
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("kodeon_session="))
        .expect("session cookie")
        .to_string();
    assert!(raw.contains("HttpOnly") && raw.contains("SameSite=Lax"));
    let token = r.cookie(super::SESSION_COOKIE).expect("session cookie");
    let home = send(
        &a.app,
        "GET",
        "/home",
        Some(&format!("kodeon_session={token}")),
        "",
    )
    .await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("@alice"));
    assert!(home.body.contains("Sign out"));
    assert_eq!(home.headers[header::CACHE_CONTROL], "no-store");
    // And in again with the same credentials.
    let r = sign_in(&a.app, "alice", "password123").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.cookie(super::SESSION_COOKIE).is_some_and(|t| t != token));
}

#[tokio::test]
async fn sign_up_follows_the_registration_mode() {
    let a = app().await;
    let mut settings = a.node.settings();
    settings.registration = node::RegistrationMode::Closed;
    let admin = a
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
    let admin = Viewer::Member(Box::new(admin));
    a.node
        .update_settings(&admin, settings.clone())
        .await
        .expect("closed");
    let page = send(&a.app, "GET", "/signup", None, "").await;
    assert!(page.body.contains("Registrations are closed"));
    assert!(!page.body.contains("action=\"/signup\""));
    settings.registration = node::RegistrationMode::Invite;
    a.node
        .update_settings(&admin, settings)
        .await
        .expect("invite");
    let page = send(&a.app, "GET", "/signup", None, "").await;
    assert!(page.body.contains("<label for=\"invite_code\">"));
    let pre = page.cookie(super::FORM_COOKIE).expect("pre-session cookie");
    let form = format!(
        "csrf={}&username=dave&email=dave%40k.test&password=password123&invite_code=wrong",
        page.csrf()
    );
    let r = send(
        &a.app,
        "POST",
        "/signup",
        Some(&format!("{}={pre}", super::FORM_COOKIE)),
        &form,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"invite-error\""));
    assert!(a.node.profile(&Viewer::Anonymous, "dave").is_err());
}

#[tokio::test]
async fn a_wrong_password_is_refused_on_the_form() {
    let a = app().await;
    let r = sign_in(&a.app, "bob", "not-his-password").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.cookie(super::SESSION_COOKIE).is_none());
    assert!(r.body.contains("id=\"password-error\""), "{}", r.body);
    assert!(r.body.contains("value=\"bob\""));
    assert!(!r.body.contains("not-his-password"));
    // The form without its pre-session token is refused outright.
    let r = send(
        &a.app,
        "POST",
        "/login",
        None,
        "login=bob&password=password123",
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.cookie(super::SESSION_COOKIE).is_none());
}

#[tokio::test]
async fn a_form_without_this_sessions_token_changes_nothing() {
    let a = app().await;
    let (bob, _) = session(&a.app, "bob").await;
    let (_, carols_csrf) = session(&a.app, "carol").await;
    let r = send(&a.app, "POST", "/compose", Some(&bob), "content=forged").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(
        &a.app,
        "POST",
        "/compose",
        Some(&bob),
        &format!("csrf={carols_csrf}&content=forged"),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let target = post_as(&a, "carol", "hello", "public").await;
    let r = send(
        &a.app,
        "POST",
        &format!("/posts/{target}/like"),
        Some(&bob),
        "csrf=0000",
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let bob_v = viewer(&a, "bob");
    let home = a
        .node
        .home_feed(&bob_v, &PageRequest::first(20))
        .expect("feed");
    assert!(home.items.is_empty());
    assert_eq!(a.node.post(&bob_v, target).expect("post").likes_count, 0);
}

#[tokio::test]
async fn a_composed_post_appears_on_home_and_errors_stay_on_the_form() {
    let a = app().await;
    let (bob, csrf) = session(&a.app, "bob").await;
    let form =
        format!("csrf={csrf}&back=%2Fhome&content=Hello+**web**&visibility=unlisted&spoiler_text=");
    let r = send(&a.app, "POST", "/compose", Some(&bob), &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/home?done=posted");
    let home = send(&a.app, "GET", "/home", Some(&bob), "").await;
    assert!(home.body.contains("<strong>web</strong>"), "{}", home.body);
    assert!(home.body.contains("unlisted"));
    // A bad visibility: the form again, the error by its field, the text kept.
    let form = format!("csrf={csrf}&content=Kept+text&visibility=everyone&spoiler_text=cw+kept");
    let r = send(&a.app, "POST", "/compose", Some(&bob), &form).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"visibility-error\""), "{}", r.body);
    assert!(r.body.contains(">Kept text</textarea>"));
    assert!(r.body.contains("value=\"cw kept\""));
    // A reply from the thread page, which shows the signed-in variant.
    let id = post_as(&a, "carol", "Question?", "public").await;
    let thread = send(&a.app, "GET", &format!("/@carol/{id}"), Some(&bob), "").await;
    assert!(thread.body.contains("Sign out"));
    assert!(thread
        .body
        .contains(&format!("name=\"in_reply_to\" value=\"{id}\"")));
    let anonymous = send(&a.app, "GET", &format!("/@carol/{id}"), None, "").await;
    assert!(anonymous.body.contains("href=\"/login\""));
    assert!(!anonymous.body.contains("in_reply_to"));
    let back = format!("/@carol/{id}");
    let form = format!(
        "csrf={csrf}&back=%2F%40carol%2F{id}&in_reply_to={id}&content=An+answer&visibility=public"
    );
    let r = send(&a.app, "POST", "/compose", Some(&bob), &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), back);
    let thread = a.node.thread(&Viewer::Anonymous, id).expect("thread");
    assert_eq!(thread.descendants.len(), 1);
}

#[tokio::test]
async fn like_and_delete_through_the_forms() {
    let a = app().await;
    let (bob, csrf) = session(&a.app, "bob").await;
    let carols = post_as(&a, "carol", "Like me", "public").await;
    let r = send(
        &a.app,
        "POST",
        &format!("/posts/{carols}/like"),
        Some(&bob),
        &format!("csrf={csrf}&back=%2Fhome"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/home");
    let bob_v = viewer(&a, "bob");
    let seen = a.node.post(&bob_v, carols).expect("post");
    assert!(seen.liked);
    assert_eq!(seen.likes_count, 1);
    // The thread page now offers to unlike it.
    let page = send(&a.app, "GET", &format!("/@carol/{carols}"), Some(&bob), "").await;
    assert!(page.body.contains(&format!("/posts/{carols}/unlike")));
    // Bob deletes his own post, not Carol's.
    let mine = post_as(&a, "bob", "Delete me", "public").await;
    let r = send(
        &a.app,
        "POST",
        &format!("/posts/{carols}/delete"),
        Some(&bob),
        &format!("csrf={csrf}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(a.node.post(&bob_v, carols).is_ok());
    let r = send(
        &a.app,
        "POST",
        &format!("/posts/{mine}/delete"),
        Some(&bob),
        &format!("csrf={csrf}&back=%2F%40bob%2F{mine}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/home?done=deleted");
    assert!(matches!(
        a.node.post(&bob_v, mine),
        Err(NodeError::NotFound(_))
    ));
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let a = app().await;
    let (bob, csrf) = session(&a.app, "bob").await;
    let r = send(&a.app, "POST", "/logout", Some(&bob), "").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(
        &a.app,
        "POST",
        "/logout",
        Some(&bob),
        &format!("csrf={csrf}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.cookie(super::SESSION_COOKIE).as_deref(), Some(""));
    let r = send(&a.app, "GET", "/home", Some(&bob), "").await;
    r.assert_to_sign_in();
}

#[tokio::test]
async fn api_tokens_and_app_cookies_are_not_interchangeable() {
    let a = app().await;
    let bob_id = viewer(&a, "bob").id().expect("id");
    let api = a.node.issue_token(bob_id, "test").await.expect("token");
    let r = send(
        &a.app,
        "GET",
        "/home",
        Some(&format!("kodeon_session={}", api.token)),
        "",
    )
    .await;
    r.assert_to_sign_in();
    let (bob, _) = session(&a.app, "bob").await;
    let token = bob.trim_start_matches("kodeon_session=");
    assert_eq!(api_status(&a.app, token).await, StatusCode::UNAUTHORIZED);
    assert_eq!(api_status(&a.app, &api.token).await, StatusCode::OK);
}

#[tokio::test]
async fn followers_only_posts_of_people_not_followed_never_appear() {
    let a = app().await;
    let secret = post_as(&a, "carol", "Only for my followers", "followers").await;
    let (bob, _) = session(&a.app, "bob").await;
    let home = send(&a.app, "GET", "/home", Some(&bob), "").await;
    assert!(!home.body.contains("Only for my followers"));
    let thread = send(&a.app, "GET", &format!("/@carol/{secret}"), Some(&bob), "").await;
    assert_eq!(thread.status, StatusCode::NOT_FOUND);
    let profile = send(&a.app, "GET", "/@carol", Some(&bob), "").await;
    assert!(!profile.body.contains("Only for my followers"));
    // Once Bob follows Carol, her home-feed post is his to see.
    a.node
        .follow(&viewer(&a, "bob"), "carol")
        .await
        .expect("follow");
    let home = send(&a.app, "GET", "/home", Some(&bob), "").await;
    assert!(home.body.contains("Only for my followers"), "{}", home.body);
    let thread = send(&a.app, "GET", &format!("/@carol/{secret}"), Some(&bob), "").await;
    assert_eq!(thread.status, StatusCode::OK);
}

#[tokio::test]
async fn home_pages_older_posts_by_cursor() {
    let a = app().await;
    let mut ids = Vec::new();
    for n in 0..41 {
        ids.push(post_as(&a, "bob", &format!("Post number {n}."), "public").await);
    }
    let (bob, _) = session(&a.app, "bob").await;
    let first = send(&a.app, "GET", "/home", Some(&bob), "").await;
    assert!(first.body.contains("Post number 40."));
    assert!(!first.body.contains("Post number 0."));
    let link = format!("/home?max_id={}", ids[1]);
    assert!(
        first.body.contains(&format!("href=\"{link}\"")),
        "{}",
        first.body
    );
    let older = send(&a.app, "GET", &link, Some(&bob), "").await;
    assert!(older.body.contains("Post number 0."));
    assert!(!older.body.contains("Post number 1."));
    assert!(!older.body.contains("Older posts"));
}

#[tokio::test]
async fn sign_in_shares_the_per_ip_login_limit() {
    let a = app().await;
    let mut settings = WebSettings::default();
    settings.rate_limits.login_per_minute_per_ip = 1;
    let limited = router(a.node.clone(), settings);
    let r = sign_in(&limited, "bob", "wrong-password").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // The right password, but this IP is over its limit.
    let r = sign_in(&limited, "bob", "password123").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.cookie(super::SESSION_COOKIE).is_none());
    assert!(r.body.contains("role=\"alert\""), "{}", r.body);
}

#[tokio::test]
async fn an_account_awaiting_approval_gets_no_session() {
    let a = app().await;
    let admin = a
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
    let mut settings = a.node.settings();
    settings.registration = node::RegistrationMode::Approval;
    a.node
        .update_settings(&Viewer::Member(Box::new(admin)), settings)
        .await
        .expect("approval");
    let page = send(&a.app, "GET", "/signup", None, "").await;
    assert!(page.body.contains("<label for=\"reason\">"));
    let pre = page.cookie(super::FORM_COOKIE).expect("pre-session cookie");
    let form = format!(
        "csrf={}&username=erin&email=erin%40k.test&password=password123&reason=Hello",
        page.csrf()
    );
    let r = send(
        &a.app,
        "POST",
        "/signup",
        Some(&format!("{}={pre}", super::FORM_COOKIE)),
        &form,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("awaits an admin's approval"));
    assert!(r.cookie(super::SESSION_COOKIE).is_none());
}

/// How `who` relates to `whom`, as the node tells it.
pub(super) fn relation(a: &App, who: &str, whom: &str) -> node::model::Relationship {
    let id = viewer(a, whom).id().expect("id");
    a.node
        .relationships(&viewer(a, who), &[id])
        .expect("relationships")
        .pop()
        .expect("a relationship")
        .1
}

/// Posts a form with `csrf` to `uri` as the holder of `cookie`.
async fn act(a: &App, cookie: &str, csrf: &str, uri: &str) -> Reply {
    send(&a.app, "POST", uri, Some(cookie), &format!("csrf={csrf}")).await
}

fn unread(a: &App, name: &str) -> i64 {
    a.node
        .unread_count(&viewer(a, name))
        .expect("unread")
        .unread
}

#[tokio::test]
async fn following_through_the_profile_notifies_and_unfollowing_undoes_it() {
    let a = app().await;
    let (bob, csrf) = session(&a.app, "bob").await;
    let page = send(&a.app, "GET", "/@carol", Some(&bob), "").await;
    assert!(page.body.contains("action=\"/members/carol/follow\""));
    assert!(page.body.contains("aria-pressed=\"false\">Follow</button>"));
    assert!(page.body.contains("aria-pressed=\"false\">Mute</button>"));
    assert!(page.body.contains("aria-pressed=\"false\">Block</button>"));
    // No forms about oneself.
    let own = send(&a.app, "GET", "/@bob", Some(&bob), "").await;
    assert!(!own.body.contains("/members/bob/"));

    let r = act(&a, &bob, &csrf, "/members/carol/follow").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/@carol");
    assert!(relation(&a, "bob", "carol").following);
    let page = send(&a.app, "GET", "/@carol", Some(&bob), "").await;
    assert!(page.body.contains("You follow them"));
    assert!(page.body.contains("action=\"/members/carol/unfollow\""));
    assert!(page.body.contains("aria-pressed=\"true\">Follow</button>"));

    // Carol sees it: the header's count, then the notification, unread.
    let (carol, carols_csrf) = session(&a.app, "carol").await;
    let home = send(&a.app, "GET", "/home", Some(&carol), "").await;
    assert!(home
        .body
        .contains("Notifications<span id=\"unread\" class=\"badge\"> (1 unread)</span>"));
    let list = send(&a.app, "GET", "/notifications", Some(&carol), "").await;
    assert!(
        list.body.contains(" UTC</time>"),
        "times read as people read them: {}",
        list.body
    );
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.headers[header::CACHE_CONTROL], "no-store");
    assert!(list.body.contains("<h1>Notifications</h1>"));
    assert!(list.body.contains("href=\"/@bob\""), "{}", list.body);
    assert!(list.body.contains("followed you"));
    assert!(list.body.contains("class=\"unread\""));
    assert!(list
        .body
        .contains("<span class=\"sr-only\">Unread: </span>"));
    // Bob's follows of Carol show on his side as "follows you" for her.
    let bobs_profile = send(&a.app, "GET", "/@bob", Some(&carol), "").await;
    assert!(bobs_profile.body.contains("Follows you"));

    // Mark all as read.
    let r = act(&a, &carol, &carols_csrf, "/notifications/read").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/notifications");
    assert_eq!(unread(&a, "carol"), 0);
    let list = send(&a.app, "GET", "/notifications", Some(&carol), "").await;
    assert!(list.body.contains("followed you"));
    assert!(!list.body.contains("class=\"unread\""));
    assert!(!list.body.contains("unread)"));
    assert!(!list.body.contains("Mark all as read"));

    let r = act(&a, &bob, &csrf, "/members/carol/unfollow").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(!relation(&a, "bob", "carol").following);
    let carols = a
        .node
        .profile(&Viewer::Anonymous, "carol")
        .expect("profile");
    assert_eq!(carols.followers_count, 0);
}

#[tokio::test]
async fn a_locked_account_answers_follow_requests_on_the_notifications_page() {
    let a = app().await;
    a.node
        .update_profile(
            &viewer(&a, "carol"),
            node::model::ProfileUpdate {
                locked: Some(true),
                ..Default::default()
            },
        )
        .await
        .expect("locked");
    let (bob, csrf) = session(&a.app, "bob").await;
    let page = send(&a.app, "GET", "/@carol", Some(&bob), "").await;
    assert!(
        page.body.contains(">Request to follow</button>"),
        "{}",
        page.body
    );
    let r = act(&a, &bob, &csrf, "/members/carol/follow").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let rel = relation(&a, "bob", "carol");
    assert!(rel.requested && !rel.following);
    let page = send(&a.app, "GET", "/@carol", Some(&bob), "").await;
    assert!(page.body.contains("Follow requested"));
    assert!(page
        .body
        .contains(">Requested: cancel the follow request</button>"));
    // Cancelled, then asked again.
    act(&a, &bob, &csrf, "/members/carol/unfollow").await;
    assert!(!relation(&a, "bob", "carol").requested);
    act(&a, &bob, &csrf, "/members/carol/follow").await;
    assert!(relation(&a, "bob", "carol").requested);

    let (carol, carols_csrf) = session(&a.app, "carol").await;
    let list = send(&a.app, "GET", "/notifications", Some(&carol), "").await;
    assert!(list.body.contains("asked to follow you"), "{}", list.body);
    // Asked twice, answered once: the newest request has the forms.
    assert_eq!(list.body.matches("asked to follow you").count(), 2);
    assert_eq!(
        list.body
            .matches("action=\"/follow-requests/bob/accept\"")
            .count(),
        1
    );
    assert!(list.body.contains("action=\"/follow-requests/bob/reject\""));
    let r = act(&a, &carol, &carols_csrf, "/follow-requests/bob/accept").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/notifications");
    let rel = relation(&a, "bob", "carol");
    assert!(rel.following && !rel.requested);
    // Answered: no more forms for it; the follow is notified.
    let list = send(&a.app, "GET", "/notifications", Some(&carol), "").await;
    assert!(!list.body.contains("/follow-requests/bob/"));
    assert!(list.body.contains("followed you"));

    // A rejected request leaves no follow.
    act(&a, &bob, &csrf, "/members/carol/unfollow").await;
    act(&a, &bob, &csrf, "/members/carol/follow").await;
    assert!(relation(&a, "bob", "carol").requested);
    let r = act(&a, &carol, &carols_csrf, "/follow-requests/bob/reject").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let rel = relation(&a, "bob", "carol");
    assert!(!rel.following && !rel.requested);
    // Answering a request that no longer waits is the node's refusal.
    let r = act(&a, &carol, &carols_csrf, "/follow-requests/bob/accept").await;
    assert!(r.status.is_client_error(), "{}", r.status);
    assert!(!relation(&a, "bob", "carol").following);
}

#[tokio::test]
async fn muting_and_blocking_through_the_profile_hide_posts_from_home() {
    let a = app().await;
    a.node
        .follow(&viewer(&a, "bob"), "carol")
        .await
        .expect("follow");
    post_as(&a, "carol", "Carol's news", "public").await;
    let (bob, csrf) = session(&a.app, "bob").await;
    let home = send(&a.app, "GET", "/home", Some(&bob), "").await;
    assert!(home.body.contains("Carol&#39;s news") || home.body.contains("Carol's news"));
    let shows = |body: &str| body.contains("Carol&#39;s news") || body.contains("Carol's news");

    act(&a, &bob, &csrf, "/members/carol/mute").await;
    assert!(relation(&a, "bob", "carol").muting);
    let home = send(&a.app, "GET", "/home", Some(&bob), "").await;
    assert!(!shows(&home.body));
    let page = send(&a.app, "GET", "/@carol", Some(&bob), "").await;
    assert!(page.body.contains("Muted by you"));
    assert!(page.body.contains("action=\"/members/carol/unmute\""));
    assert!(page.body.contains("aria-pressed=\"true\">Mute</button>"));
    act(&a, &bob, &csrf, "/members/carol/unmute").await;
    assert!(!relation(&a, "bob", "carol").muting);
    let home = send(&a.app, "GET", "/home", Some(&bob), "").await;
    assert!(shows(&home.body));

    // A block ends the follow too (the node's rule), and the posts go.
    let r = act(&a, &bob, &csrf, "/members/carol/block").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let rel = relation(&a, "bob", "carol");
    assert!(rel.blocking && !rel.following);
    let home = send(&a.app, "GET", "/home", Some(&bob), "").await;
    assert!(!shows(&home.body));
    let page = send(&a.app, "GET", "/@carol", Some(&bob), "").await;
    assert!(page.body.contains("Blocked by you"));
    assert!(page.body.contains("aria-pressed=\"true\">Block</button>"));
    let (carol, _) = session(&a.app, "carol").await;
    let bobs = send(&a.app, "GET", "/@bob", Some(&carol), "").await;
    assert!(bobs.body.contains("Blocks you"));
    // Following while blocking is the node's refusal, shown as a page.
    let r = act(&a, &bob, &csrf, "/members/carol/follow").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!relation(&a, "bob", "carol").following);
    act(&a, &bob, &csrf, "/members/carol/unblock").await;
    assert!(!relation(&a, "bob", "carol").blocking);
}

#[tokio::test]
async fn profile_and_notification_forms_need_a_session_and_its_token() {
    let a = app().await;
    a.node
        .update_profile(
            &viewer(&a, "carol"),
            node::model::ProfileUpdate {
                locked: Some(true),
                ..Default::default()
            },
        )
        .await
        .expect("locked");
    a.node
        .follow(&viewer(&a, "bob"), "carol")
        .await
        .expect("request");
    // Visitors get no forms and no notifications page.
    let page = send(&a.app, "GET", "/@carol", None, "").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("/members/carol/"));
    assert!(!page.body.contains("Notifications"));
    let r = send(&a.app, "GET", "/notifications", None, "").await;
    r.assert_to_sign_in();

    let (bob, _) = session(&a.app, "bob").await;
    let (carol, carols_csrf) = session(&a.app, "carol").await;
    let bobs_routes = [
        "/members/carol/follow",
        "/members/carol/unfollow",
        "/members/carol/block",
        "/members/carol/unblock",
        "/members/carol/mute",
        "/members/carol/unmute",
    ];
    let carols_routes = [
        "/notifications/read",
        "/follow-requests/bob/accept",
        "/follow-requests/bob/reject",
    ];
    for uri in bobs_routes.iter().chain(carols_routes.iter()) {
        let r = send(&a.app, "POST", uri, None, "csrf=anything").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{uri}");
        assert_eq!(r.location(), "/login", "{uri}");
    }
    for uri in bobs_routes {
        let r = send(&a.app, "POST", uri, Some(&bob), "").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri}");
        // Another session's token is no better.
        let r = act(&a, &bob, &carols_csrf, uri).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri}");
    }
    for uri in carols_routes {
        let r = send(&a.app, "POST", uri, Some(&carol), "").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri}");
        let r = act(&a, &carol, "0000", uri).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri}");
    }
    let rel = relation(&a, "bob", "carol");
    assert!(rel.requested && !rel.following && !rel.blocking && !rel.muting);
    assert_eq!(unread(&a, "carol"), 1);
}

#[tokio::test]
async fn notifications_page_older_ones_by_cursor() {
    let a = app().await;
    let bob_v = viewer(&a, "bob");
    for n in 0..21 {
        let id = post_as(&a, "carol", &format!("Carol's post {n}."), "public").await;
        a.node.like(&bob_v, id).await.expect("like");
    }
    let (carol, _) = session(&a.app, "carol").await;
    let first = send(&a.app, "GET", "/notifications", Some(&carol), "").await;
    assert_eq!(first.body.matches("liked your post").count(), 20);
    assert!(first.body.contains("post 20."));
    assert!(!first.body.contains("post 0."));
    let start = first
        .body
        .find("/notifications?max_id=")
        .expect("older link");
    let rest = &first.body[start..];
    let link = &rest[..rest.find('"').expect("end of the link")];
    let older = send(&a.app, "GET", link, Some(&carol), "").await;
    assert_eq!(older.body.matches("liked your post").count(), 1);
    assert!(older.body.contains("post 0."));
    assert!(!older.body.contains(">Older</a>"));
}

#[tokio::test]
async fn forms_go_back_only_to_plain_paths_of_this_site() {
    let a = app().await;
    let (bob, csrf) = session(&a.app, "bob").await;
    for (back, to) in [
        ("%2Fhome", "/home"),
        ("%2F%2Fevil.example%2F", "/home"),
        ("https%3A%2F%2Fevil.example%2F", "/home"),
        ("%2F%C3%BC", "/home"),
        ("%2F%40carol%3Fx%3D1", "/@carol?x=1"),
    ] {
        let form = format!("csrf={csrf}&back={back}");
        let r = send(&a.app, "POST", "/members/carol/mute", Some(&bob), &form).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{back}");
        assert_eq!(r.location(), to, "{back}");
    }
    assert!(relation(&a, "bob", "carol").muting);
}

/// Signs in through the Kodeon API; the token, if the password was right.
pub(super) async fn api_login(app: &Router, login: &str, password: &str) -> Option<String> {
    let body = serde_json::json!({ "login": login, "password": password }).to_string();
    let req = Request::builder()
        .method("POST")
        .uri("/api/kodeon/v1/auth/login")
        .header("content-type", "application/json")
        .body(Body::from(body))
        .expect("request");
    let res = app.clone().oneshot(req).await.expect("response");
    if res.status() != StatusCode::OK {
        return None;
    }
    let bytes = to_bytes(res.into_body(), 1 << 20).await.expect("body");
    let v: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
    v["token"].as_str().map(str::to_string)
}

/// The status of an API request with `token` as its bearer token.
pub(super) async fn api_status(app: &Router, token: &str) -> StatusCode {
    let req = Request::builder()
        .uri("/api/kodeon/v1/feeds/home")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    app.clone().oneshot(req).await.expect("response").status()
}

#[tokio::test]
async fn settings_list_sessions_and_sign_one_out() {
    let a = app().await;
    let (bob, csrf) = session(&a.app, "bob").await;
    let token = api_login(&a.app, "bob", "password123")
        .await
        .expect("api token");
    let bob_v = viewer(&a, "bob");
    let sessions = a.node.sessions(&bob_v).expect("sessions");
    assert_eq!(sessions.len(), 2);
    let api = sessions
        .iter()
        .find(|s| s.kind == node::model::SessionKind::Api)
        .expect("api session");
    let web = sessions
        .iter()
        .find(|s| s.kind == node::model::SessionKind::MembersApp)
        .expect("app session");

    let page = send(&a.app, "GET", "/settings", Some(&bob), "").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("href=\"/settings\""), "header link");
    assert!(page.body.contains(&format!("id=\"session-{}\"", api.id)));
    assert!(page.body.contains(&format!("id=\"session-{}\"", web.id)));
    assert_eq!(page.body.matches("this browser</strong>").count(), 1);
    let current = &page.body[page
        .body
        .find(&format!("id=\"session-{}\"", web.id))
        .expect("this session")..];
    let current = &current[..current.find("</li>").expect("end of the item")];
    assert!(current.contains("this browser"), "{current}");
    assert!(!current.contains("/revoke"));
    let revoke = format!("/settings/sessions/{}/revoke", api.id);
    assert!(page.body.contains(&format!("action=\"{revoke}\"")));

    // Without this session's token, or with a wrong one: 403, nothing ends.
    let r = send(&a.app, "POST", &revoke, Some(&bob), "").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(&a.app, "POST", &revoke, Some(&bob), "csrf=0000").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(api_status(&a.app, &token).await, StatusCode::OK);

    let r = send(&a.app, "POST", &revoke, Some(&bob), &format!("csrf={csrf}")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/settings?done=revoked");
    assert_eq!(api_status(&a.app, &token).await, StatusCode::UNAUTHORIZED);
    let page = send(&a.app, "GET", "/settings?done=revoked", Some(&bob), "").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains(&format!("id=\"session-{}\"", api.id)));
    assert!(page.body.contains("That session has been signed out."));
}

#[tokio::test]
async fn settings_change_the_password() {
    let a = app().await;
    let (bob, csrf) = session(&a.app, "bob").await;
    let token = api_login(&a.app, "bob", "password123")
        .await
        .expect("api token");
    let form = |current: &str, new: &str, confirm: &str, csrf: &str| {
        format!(
            "csrf={csrf}&current_password={current}&new_password={new}&confirm_password={confirm}"
        )
    };

    // Without or with a wrong form token: 403, the password stays.
    let r = send(
        &a.app,
        "POST",
        "/settings/password",
        Some(&bob),
        &form("password123", "brand-new-pass", "brand-new-pass", ""),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(
        &a.app,
        "POST",
        "/settings/password",
        Some(&bob),
        &form("password123", "brand-new-pass", "brand-new-pass", "0000"),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // A wrong current password, a short one, a mismatch: on their fields.
    let r = send(
        &a.app,
        "POST",
        "/settings/password",
        Some(&bob),
        &form("wrong-guess-1", "brand-new-pass", "brand-new-pass", &csrf),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"current-error\""), "{}", r.body);
    assert!(!r.body.contains("wrong-guess-1"));
    assert!(!r.body.contains("brand-new-pass"));
    let r = send(
        &a.app,
        "POST",
        "/settings/password",
        Some(&bob),
        &form("password123", "short", "short", &csrf),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"new-error\""), "{}", r.body);
    let r = send(
        &a.app,
        "POST",
        "/settings/password",
        Some(&bob),
        &form("password123", "brand-new-pass", "brand-new-typo", &csrf),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"confirm-error\""), "{}", r.body);
    assert!(a.node.verify_login("bob", "password123").await.is_ok());
    assert_eq!(api_status(&a.app, &token).await, StatusCode::OK);

    let r = send(
        &a.app,
        "POST",
        "/settings/password",
        Some(&bob),
        &form("password123", "brand-new-pass", "brand-new-pass", &csrf),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/settings?done=password");
    let page = send(&a.app, "GET", r.location(), Some(&bob), "").await;
    assert_eq!(page.status, StatusCode::OK, "this browser stays signed in");
    assert!(page.body.contains("Your password has been changed."));
    assert!(!page.body.contains("brand-new-pass"));
    // The node signs out every other session.
    assert_eq!(api_status(&a.app, &token).await, StatusCode::UNAUTHORIZED);
    assert!(api_login(&a.app, "bob", "password123").await.is_none());
    assert!(api_login(&a.app, "bob", "brand-new-pass").await.is_some());
    let r = sign_in(&a.app, "bob", "password123").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = sign_in(&a.app, "bob", "brand-new-pass").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn settings_are_for_signed_in_members() {
    let a = app().await;
    let r = send(&a.app, "GET", "/settings", None, "").await;
    r.assert_to_sign_in();
    let r = send(&a.app, "POST", "/settings/password", None, "").await;
    r.assert_to_sign_in();
}
