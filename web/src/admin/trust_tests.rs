//! The member page's trust controls (no socket).

use std::sync::Arc;

use axum::http::{header, StatusCode};
use node::members::NewMember;
use node::model::Role;
use node::moderation::AuditFilter;
use node::{Node, NodeConfig, PageRequest, Viewer};

use crate::test_support::send;
use crate::{router, WebSettings};

#[tokio::test]
async fn an_admin_marks_a_member_trusted_from_the_member_page_and_recomputes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = Arc::new(Node::open(NodeConfig::new(dir.path(), "k.test")).expect("open"));
    let mut made = Vec::new();
    for (name, role) in [("root", Role::Admin), ("ann", Role::Member)] {
        made.push(
            node.create_member(
                NewMember {
                    username: name.into(),
                    email: format!("{name}@k.test"),
                    password: "password123".into(),
                    ..NewMember::default()
                },
                role,
            )
            .await
            .expect("member"),
        );
    }
    let ann = made[1].id;
    let (session, _) = node
        .login_to_panel("root", "password123")
        .await
        .expect("panel login");
    let app = router(node.clone(), WebSettings::default());
    let cookie = format!("kodeon_admin={}", session.token);
    let csrf = node.form_token(&session.token);
    let page = send(
        &app,
        "GET",
        &format!("/admin/members/{ann}"),
        Some(&cookie),
        "",
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Mark trusted"), "{}", page.body);
    assert!(page.body.contains("not in the last trust computation"));
    let r = send(
        &app,
        "POST",
        &format!("/admin/members/{ann}/trust"),
        Some(&cookie),
        &format!("csrf={csrf}&action=trust&reason=runs+meetups"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers[header::LOCATION],
        format!("/admin/members/{ann}?done=trusted").as_str()
    );
    let root = Viewer::Member(Box::new(made[0].clone()));
    assert!(node
        .trust_standing(&root, ann)
        .expect("standing")
        .trusted
        .is_some());
    let r = send(
        &app,
        "POST",
        &format!("/admin/members/{ann}/trust"),
        Some(&cookie),
        &format!("csrf={csrf}&action=recompute"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = send(
        &app,
        "GET",
        &format!("/admin/members/{ann}?done=recomputed"),
        Some(&cookie),
        "",
    )
    .await;
    assert!(page.body.contains("Remove the trusted mark"));
    assert!(page.body.contains(", a seed"), "{}", page.body);
    assert!(page.body.contains("Trust is recomputed."));
    let log = node
        .audit_log(&root, AuditFilter::All, &PageRequest::default())
        .expect("log");
    assert!(log
        .items
        .iter()
        .any(|e| e.action == "member.trust" && e.target == "ann" && e.detail == "runs meetups"));
    // An unknown action is refused, naming the field.
    let r = send(
        &app,
        "POST",
        &format!("/admin/members/{ann}/trust"),
        Some(&cookie),
        &format!("csrf={csrf}&action=bless"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("action"));
}
