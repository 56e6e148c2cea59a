//! The pages of e-mailed links through the router (no socket), with a
//! mailer that keeps what it is given; and the panel's test message.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::Router;
use node::mail::MailMessage;
use node::model::Role;
use node::Node;

use crate::app::tests::{app_with, form_page, sign_in, App};
use crate::mail::tests::Outbox;
use crate::test_support::send;
use crate::WebSettings;

/// A node with `email` on or off (its mailer keeping what it is given,
/// or refusing it when `failing`), a member bob and an admin root; and
/// that mailer.
async fn app(email: bool, failing: bool) -> (App, Arc<Outbox>) {
    let outbox = Arc::new(Outbox {
        fail: failing,
        ..Outbox::default()
    });
    let settings = WebSettings {
        mailer: email.then(|| outbox.clone() as Arc<dyn crate::mail::Mailer>),
        ..WebSettings::default()
    };
    let members = [("bob", Role::Member), ("root", Role::Admin)];
    let a = app_with(&members, |config| config.email = email, settings).await;
    (a, outbox)
}

/// The token of the newest queued message.
fn last_token(node: &Node) -> String {
    match node.queued_mail().expect("queue").pop().map(|m| m.message) {
        Some(
            MailMessage::ConfirmEmail { token, .. } | MailMessage::ResetPassword { token, .. },
        ) => token,
        None => panic!("no mail queued"),
    }
}

#[tokio::test]
async fn a_sign_up_confirms_its_address_before_signing_in() {
    let (a, _) = app(true, false).await;
    let (_, cookie, csrf) = form_page(&a.app, "/signup").await;
    let form = format!("csrf={csrf}&username=alice&email=alice%40k.test&password=password123");
    let r = send(&a.app, "POST", "/signup", Some(&cookie), &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/confirm-email?sent=1");
    assert!(r.cookie(crate::app::SESSION_COOKIE).is_none());
    let page = send(&a.app, "GET", r.location(), None, "").await;
    assert!(page.body.contains("We sent a link"), "{}", page.body);

    let refused = sign_in(&a.app, "alice", "password123").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.body.contains("confirm your e-mail address first"),
        "{}",
        refused.body
    );

    // Sending it again needs the page's token, and answers the same for
    // anyone.
    let (_, cookie, csrf) = form_page(&a.app, "/confirm-email").await;
    let forged = send(
        &a.app,
        "POST",
        "/confirm-email",
        Some(&cookie),
        "login=alice",
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let known = send(
        &a.app,
        "POST",
        "/confirm-email",
        Some(&cookie),
        &format!("csrf={csrf}&login=alice"),
    )
    .await;
    let unknown = send(
        &a.app,
        "POST",
        "/confirm-email",
        Some(&cookie),
        &format!("csrf={csrf}&login=nobody"),
    )
    .await;
    assert_eq!(known.status, StatusCode::OK);
    assert_eq!(known.body.replace("alice", "nobody"), unknown.body);

    let token = last_token(&a.node);
    let confirmed = send(&a.app, "GET", &format!("/confirm-email/{token}"), None, "").await;
    assert_eq!(confirmed.status, StatusCode::OK);
    assert!(
        confirmed.body.contains("is confirmed"),
        "{}",
        confirmed.body
    );
    let again = send(&a.app, "GET", &format!("/confirm-email/{token}"), None, "").await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert!(again.body.contains("used already"), "{}", again.body);

    let r = sign_in(&a.app, "alice", "password123").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/home");
}

#[tokio::test]
async fn a_forgotten_password_is_reset_by_its_link_once() {
    let (a, _) = app(true, false).await;
    let (page, cookie, csrf) = form_page(&a.app, "/forgot-password").await;
    assert!(page.body.contains("<label for=\"login\">"));
    let forged = send(
        &a.app,
        "POST",
        "/forgot-password",
        Some(&cookie),
        "login=bob",
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(a.node.queued_mail().expect("queue").is_empty());

    let empty = send(
        &a.app,
        "POST",
        "/forgot-password",
        Some(&cookie),
        &format!("csrf={csrf}&login="),
    )
    .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("id=\"login-error\""), "{}", empty.body);

    let ask = |login: &'static str| {
        let (app, cookie, form) = (
            a.app.clone(),
            cookie.clone(),
            format!("csrf={csrf}&login={login}"),
        );
        async move { send(&app, "POST", "/forgot-password", Some(&cookie), &form).await }
    };
    let unknown = ask("nobody").await;
    let known = ask("bob").await;
    assert_eq!(known.status, StatusCode::OK);
    assert_eq!(
        known.body.replace("bob", "nobody"),
        unknown.body,
        "the same answer"
    );
    assert!(known
        .body
        .contains("If an account with that name or address exists"));
    let token = last_token(&a.node);
    let link = format!("/reset-password/{token}");

    let (form, cookie, csrf) = form_page(&a.app, &link).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("no-referrer"));
    let mismatch = send(
        &a.app,
        "POST",
        &link,
        Some(&cookie),
        &format!("csrf={csrf}&new_password=a+new+password&confirm_password=another"),
    )
    .await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(mismatch.body.contains("id=\"confirm-error\""));
    let short = send(
        &a.app,
        "POST",
        &link,
        Some(&cookie),
        &format!("csrf={csrf}&new_password=short&confirm_password=short"),
    )
    .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.body.contains("id=\"new-error\""), "{}", short.body);
    let forged = send(
        &a.app,
        "POST",
        &link,
        Some(&cookie),
        "new_password=a+new+password&confirm_password=a+new+password",
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let done = send(
        &a.app,
        "POST",
        &link,
        Some(&cookie),
        &format!("csrf={csrf}&new_password=a+new+password&confirm_password=a+new+password"),
    )
    .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("has been changed"));
    assert!(!done.body.contains("name=\"new_password\""));
    let r = sign_in(&a.app, "bob", "a+new+password").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    let used = send(&a.app, "GET", &link, None, "").await;
    assert_eq!(used.status, StatusCode::BAD_REQUEST);
    assert!(used.body.contains("used already"));
    assert!(!used.body.contains("name=\"new_password\""));
}

#[tokio::test]
async fn without_email_the_pages_say_so() {
    let (a, _) = app(false, false).await;
    let (page, cookie, csrf) = form_page(&a.app, "/login").await;
    assert!(page.body.contains("/forgot-password"));
    let forgot = send(&a.app, "GET", "/forgot-password", None, "").await;
    assert_eq!(forgot.status, StatusCode::OK);
    assert!(forgot.body.contains("E-mail is not set up on this node"));
    assert!(!forgot.body.contains("name=\"login\""));
    let r = send(
        &a.app,
        "POST",
        "/forgot-password",
        Some(&cookie),
        &format!("csrf={csrf}&login=bob"),
    )
    .await;
    assert!(r.body.contains("E-mail is not set up on this node"));
    // Sign-up signs in at once, as before.
    let (_, cookie, csrf) = form_page(&a.app, "/signup").await;
    let form = format!("csrf={csrf}&username=alice&email=alice%40k.test&password=password123");
    let r = send(&a.app, "POST", "/signup", Some(&cookie), &form).await;
    assert_eq!(r.location(), "/home");
}

/// The panel's session cookie and a form token, for `login`.
async fn panel(app: &Router, login: &str) -> (String, String) {
    let page = send(app, "GET", "/admin/login", None, "").await;
    let pre = page.cookie(crate::admin::FORM_COOKIE).expect("pre cookie");
    let form = format!("csrf={}&login={login}&password=password123", page.csrf());
    let r = send(
        app,
        "POST",
        "/admin/login",
        Some(&format!("{}={pre}", crate::admin::FORM_COOKIE)),
        &form,
    )
    .await;
    let token = r
        .cookie(crate::admin::SESSION_COOKIE)
        .expect("panel session");
    let cookie = format!("{}={token}", crate::admin::SESSION_COOKIE);
    let page = send(app, "GET", "/admin/email", Some(&cookie), "").await;
    assert_eq!(page.status, StatusCode::OK);
    (cookie, page.csrf())
}

#[tokio::test]
async fn an_admin_sends_a_test_message_from_the_panel() {
    let (a, outbox) = app(true, false).await;
    let (cookie, csrf) = panel(&a.app, "root").await;
    let forged = send(
        &a.app,
        "POST",
        "/admin/email/test",
        Some(&cookie),
        "to=x%40example.org",
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let bad = send(
        &a.app,
        "POST",
        "/admin/email/test",
        Some(&cookie),
        &format!("csrf={csrf}&to=nonsense"),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"to-error\""), "{}", bad.body);
    let ok = send(
        &a.app,
        "POST",
        "/admin/email/test",
        Some(&cookie),
        &format!("csrf={csrf}&to=x%40example.org"),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert!(ok.body.contains("took the test message for x@example.org"));
    let sent = outbox.sent.lock().map(|s| s.clone()).unwrap_or_default();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to, "x@example.org");
}

#[tokio::test]
async fn the_panel_shows_the_mail_server_s_refusal() {
    let (a, _) = app(true, true).await;
    let (cookie, csrf) = panel(&a.app, "root").await;
    let r = send(
        &a.app,
        "POST",
        "/admin/email/test",
        Some(&cookie),
        &format!("csrf={csrf}&to=x%40example.org"),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY);
    assert!(r.body.contains("554 relay refused"), "{}", r.body);
}

#[tokio::test]
async fn without_email_the_panel_says_it_is_not_configured() {
    let (a, _) = app(false, false).await;
    let (cookie, csrf) = panel(&a.app, "root").await;
    let page = send(&a.app, "GET", "/admin/email", Some(&cookie), "").await;
    assert!(page.body.contains("E-mail is not configured"));
    let r = send(
        &a.app,
        "POST",
        "/admin/email/test",
        Some(&cookie),
        &format!("csrf={csrf}&to=x%40example.org"),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("E-mail is not configured"));
}
