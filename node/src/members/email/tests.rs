//! E-mailed links: confirmation and password reset, through the queue.

use std::sync::Arc;

use super::*;
use crate::mail::{MailMessage, OutgoingMail};
use crate::store::tables;
use crate::test_support::new_member;
use crate::{Node, NodeConfig, NodeError};

/// A node that sends e-mail.
fn mail_node() -> (Arc<Node>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = NodeConfig::new(dir.path(), "k.test");
    config.email = true;
    (Arc::new(Node::open(config).expect("open")), dir)
}

/// The queued messages, oldest first.
fn outbox(node: &Node) -> Vec<OutgoingMail> {
    node.queued_mail().expect("queue")
}

/// The token of the newest queued message.
fn last_token(node: &Node) -> String {
    match outbox(node).pop().map(|m| m.message) {
        Some(
            MailMessage::ConfirmEmail { token, .. } | MailMessage::ResetPassword { token, .. },
        ) => token,
        None => panic!("no mail queued"),
    }
}

fn is_token_error(result: &NodeResult<impl std::fmt::Debug>, words: &str) -> bool {
    matches!(result, Err(NodeError::Invalid { field, message }) if field == "token" && message.contains(words))
}

#[tokio::test]
async fn without_email_accounts_are_confirmed_at_once_and_resets_refused() {
    let (node, _dir) = crate::test_support::temp_node();
    let m = node.register(new_member("alice")).await.expect("register");
    assert!(!m.email_unconfirmed);
    assert!(outbox(&node).is_empty(), "nothing to send");
    assert!(node.verify_login("alice", "password123").await.is_ok());
    assert!(matches!(
        node.request_password_reset("alice").await,
        Err(NodeError::Forbidden(_))
    ));
    assert!(matches!(
        node.resend_confirmation("alice").await,
        Err(NodeError::Forbidden(_))
    ));
}

#[tokio::test]
async fn a_sign_up_is_confirmed_by_its_link_once() {
    let (node, _dir) = mail_node();
    let m = node.register(new_member("alice")).await.expect("register");
    assert!(m.email_unconfirmed);
    let queued = outbox(&node);
    assert_eq!(queued.len(), 1, "the link is queued with the account");
    assert_eq!(queued[0].to, "alice@k.test");
    let token = last_token(&node);
    assert_eq!(token.len(), 43, "256 bits, base64url");

    // No sign-in, no token use, until confirmed.
    let refused = node.verify_login("alice", "password123").await;
    assert!(
        matches!(&refused, Err(NodeError::Forbidden(m)) if *m == UNCONFIRMED),
        "{refused:?}"
    );
    let issued = node.issue_token(m.id, "api").await.expect("token");
    assert!(node.authenticate(&issued.token).is_err());

    // Only the hash is stored.
    assert!(node
        .store
        .load::<tables::EmailToken>(&hash_of(&token))
        .expect("load")
        .is_some());
    let confirmed = node.confirm_email(&token).await.expect("confirm");
    assert!(!confirmed.email_unconfirmed);
    assert!(node.verify_login("alice", "password123").await.is_ok());
    assert!(node.authenticate(&issued.token).is_ok());
    assert!(
        is_token_error(&node.confirm_email(&token).await, "used already"),
        "single use"
    );
    // Admin-made accounts need no confirmation.
    let admin = node
        .create_member(new_member("root"), Role::Admin)
        .await
        .expect("admin");
    assert!(!admin.email_unconfirmed);
}

#[tokio::test]
async fn a_new_confirmation_link_replaces_the_old_one() {
    let (node, _dir) = mail_node();
    node.register(new_member("alice")).await.expect("register");
    let first = last_token(&node);
    node.resend_confirmation("alice@K.test")
        .await
        .expect("resend");
    let second = last_token(&node);
    assert_ne!(first, second);
    assert!(is_token_error(
        &node.confirm_email(&first).await,
        "newer one"
    ));
    node.confirm_email(&second).await.expect("confirm");
    // A confirmed account gets no more confirmation mail.
    let before = outbox(&node).len();
    node.resend_confirmation("alice").await.expect("resend");
    assert_eq!(outbox(&node).len(), before);
}

#[tokio::test]
async fn a_reset_link_sets_the_password_once_and_ends_every_session() {
    let (node, _dir) = mail_node();
    let m = node
        .create_member(new_member("alice"), Role::Member)
        .await
        .expect("member");
    let (session, _) = node
        .login("alice", "password123", "phone")
        .await
        .expect("login");
    node.request_password_reset("alice").await.expect("ask");
    let token = last_token(&node);
    assert!(matches!(
        outbox(&node).pop().map(|m| m.message),
        Some(MailMessage::ResetPassword { username, .. }) if username == "alice"
    ));
    node.check_password_reset(&token).expect("live");

    // The password rules apply, and a refused password leaves the link.
    let short = node.reset_password_with_token(&token, "short").await;
    assert!(
        matches!(&short, Err(NodeError::Invalid { field, .. }) if field == "new_password"),
        "{short:?}"
    );
    let done = node
        .reset_password_with_token(&token, "a new password")
        .await
        .expect("reset");
    assert_eq!(done.id, m.id);
    assert!(node.authenticate(&session.token).is_err(), "sessions end");
    assert!(node.verify_login("alice", "password123").await.is_err());
    assert!(node.verify_login("alice", "a new password").await.is_ok());
    assert!(is_token_error(
        &node.reset_password_with_token(&token, "another one!").await,
        "used already"
    ));
    assert!(is_token_error(
        &node.check_password_reset(&token),
        "used already"
    ));
}

#[tokio::test]
async fn an_expired_reset_link_is_refused() {
    let (node, _dir) = mail_node();
    node.create_member(new_member("alice"), Role::Member)
        .await
        .expect("member");
    node.request_password_reset("alice").await.expect("ask");
    let token = last_token(&node);
    let hash = hash_of(&token);
    node.write(|txn| {
        let mut t = txn
            .load::<tables::EmailToken>(&hash)?
            .ok_or(NodeError::NotFound("token"))?;
        t.expires_at = now_ms() - 1;
        txn.store::<tables::EmailToken>(&hash, &t)
    })
    .await
    .expect("age it");
    assert!(is_token_error(
        &node
            .reset_password_with_token(&token, "a new password")
            .await,
        "expired"
    ));
    assert!(node.verify_login("alice", "password123").await.is_ok());
}

#[tokio::test]
async fn an_unknown_account_is_answered_the_same_and_sends_nothing() {
    let (node, _dir) = mail_node();
    node.create_member(new_member("alice"), Role::Member)
        .await
        .expect("member");
    assert!(node.request_password_reset("nobody").await.is_ok());
    assert!(node.request_password_reset("nobody@k.test").await.is_ok());
    assert!(node.resend_confirmation("nobody").await.is_ok());
    assert!(outbox(&node).is_empty());
    assert!(is_token_error(
        &node
            .reset_password_with_token("made-up", "a new password")
            .await,
        "not valid"
    ));
}

#[tokio::test]
async fn links_per_account_are_limited_per_hour() {
    let (node, _dir) = mail_node();
    node.create_member(new_member("alice"), Role::Member)
        .await
        .expect("member");
    for _ in 0..MAX_PER_HOUR + 2 {
        node.request_password_reset("alice").await.expect("ask");
    }
    assert_eq!(outbox(&node).len(), MAX_PER_HOUR);
}

#[tokio::test]
async fn a_failed_mail_is_retried_later_then_given_up() {
    let (node, _dir) = mail_node();
    node.register(new_member("alice")).await.expect("register");
    let due = node.due_mail(10).await.expect("due");
    assert_eq!(due.len(), 1);
    let id = due[0].id;
    node.mail_failed(id, "connection refused")
        .await
        .expect("failed");
    assert!(node.due_mail(10).await.expect("due").is_empty(), "later");
    assert_eq!(outbox(&node)[0].attempts, 1);
    for _ in 1..crate::mail::MAX_ATTEMPTS {
        node.mail_failed(id, "connection refused")
            .await
            .expect("failed");
    }
    assert!(outbox(&node).is_empty(), "given up");

    node.resend_confirmation("alice").await.expect("resend");
    let id = node.due_mail(10).await.expect("due")[0].id;
    node.mail_sent(id).await.expect("sent");
    assert!(outbox(&node).is_empty());
}

#[tokio::test]
async fn only_admins_send_test_mail() {
    let (node, _dir) = mail_node();
    let admin = crate::Viewer::Member(Box::new(
        node.create_member(new_member("root"), Role::Admin)
            .await
            .expect("admin"),
    ));
    let member = crate::Viewer::Member(Box::new(
        node.create_member(new_member("bob"), Role::Member)
            .await
            .expect("member"),
    ));
    assert!(matches!(
        node.authorize_test_mail(&member, "x@example.org").await,
        Err(NodeError::Forbidden(_))
    ));
    assert!(matches!(
        node.authorize_test_mail(&admin, "not an address").await,
        Err(NodeError::Invalid { field, .. }) if field == "to"
    ));
    node.authorize_test_mail(&admin, "x@example.org")
        .await
        .expect("allowed");
}

#[tokio::test]
async fn a_group_gets_no_reset_link() {
    let (node, _dir) = mail_node();
    let alice = node
        .create_member(new_member("alice"), Role::Member)
        .await
        .expect("member");
    let viewer = crate::Viewer::Member(Box::new(alice));
    node.create_group(
        &viewer,
        crate::groups::NewGroup {
            name: "solderers".into(),
            ..crate::groups::NewGroup::default()
        },
    )
    .await
    .expect("group");
    assert!(node.request_password_reset("solderers").await.is_ok());
    assert!(node.resend_confirmation("solderers").await.is_ok());
    assert!(outbox(&node).is_empty(), "no mail for a group account");
}
