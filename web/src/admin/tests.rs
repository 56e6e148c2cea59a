//! The panel's access rules, cookies and form tokens (no socket).

use std::sync::Arc;

use axum::http::{header, StatusCode};
use axum::Router;
use node::members::NewMember;
use node::model::Role;
use node::{Node, NodeConfig};

use crate::test_support::send;
use crate::{router, WebSettings};

struct Panel {
    app: Router,
    node: Arc<Node>,
    admin_token: String,
    member_token: String,
    _dir: tempfile::TempDir,
}

async fn panel() -> Panel {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = Arc::new(Node::open(NodeConfig::new(dir.path(), "k.test")).expect("open"));
    let mut tokens = Vec::new();
    for (name, role) in [("root", Role::Admin), ("plain", Role::Member)] {
        let m = node
            .create_member(
                NewMember {
                    username: name.into(),
                    email: format!("{name}@k.test"),
                    password: "password123".into(),
                    ..NewMember::default()
                },
                role,
            )
            .await
            .expect("member");
        let token = if role == Role::Admin {
            // The panel takes only sessions from its own login.
            node.login_to_panel(name, "password123")
                .await
                .expect("panel login")
                .0
        } else {
            node.issue_token(m.id, "test").await.expect("token")
        };
        tokens.push(token.token);
    }
    Panel {
        app: router(node.clone(), WebSettings::default()),
        node,
        member_token: tokens.pop().expect("member"),
        admin_token: tokens.pop().expect("admin"),
        _dir: dir,
    }
}

#[tokio::test]
async fn the_panel_needs_a_moderator_session() {
    let p = panel().await;
    let r = send(&p.app, "GET", "/admin/members", None, "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers[header::LOCATION], "/admin/login");
    // An API token is no panel session, whoever holds it.
    let member = format!("kodeon_admin={}", p.member_token);
    let r = send(&p.app, "GET", "/admin", Some(&member), "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers[header::LOCATION], "/admin/login");
    // A member cannot sign in to the panel; a moderator who signed in and
    // was then made a member is refused at the next page.
    assert!(p.node.login_to_panel("plain", "password123").await.is_err());
    p.node
        .create_member(
            NewMember {
                username: "moddy".into(),
                email: "moddy@k.test".into(),
                password: "password123".into(),
                ..NewMember::default()
            },
            Role::Moderator,
        )
        .await
        .expect("moderator");
    let (moderator, _) = p
        .node
        .login_to_panel("moddy", "password123")
        .await
        .expect("panel login");
    p.node
        .run_admin(node::admin::AdminCommand::Promote {
            username: "moddy".into(),
            role: Role::Member,
        })
        .await
        .expect("demote");
    let demoted = format!("kodeon_admin={}", moderator.token);
    let r = send(&p.app, "GET", "/admin", Some(&demoted), "").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let admin = format!("kodeon_admin={}", p.admin_token);
    let r = send(&p.app, "GET", "/admin", Some(&admin), "").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers[header::CACHE_CONTROL], "no-store");
    assert!(r.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .is_ok_and(|v| v.contains("default-src 'none'")));
    assert!(r.body.contains(&p.node.form_token(&p.admin_token)));
}

#[tokio::test]
async fn a_form_without_this_sessions_token_changes_nothing() {
    let p = panel().await;
    let admin = format!("kodeon_admin={}", p.admin_token);
    let form = "name=Hijacked&registration=open&post_chars=10&title_chars=10&tags=1&bio_chars=10";
    let r = send(&p.app, "POST", "/admin/settings", Some(&admin), form).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Another session's token does not work either.
    let stolen = p.node.form_token(&p.member_token);
    let r = send(
        &p.app,
        "POST",
        "/admin/settings",
        Some(&admin),
        &format!("csrf={stolen}&{form}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(p.node.settings().name, "k.test");

    let mine = p.node.form_token(&p.admin_token);
    let r = send(
        &p.app,
        "POST",
        "/admin/settings",
        Some(&admin),
        &format!("csrf={mine}&{form}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(p.node.settings().name, "Hijacked");

    // Bad input names its field and changes nothing.
    let r = send(
        &p.app,
        "POST",
        "/admin/settings",
        Some(&admin),
        &format!("csrf={mine}&name=Ok&registration=sometimes&post_chars=10&title_chars=10&tags=1&bio_chars=10"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("registration"));
    assert_eq!(p.node.settings().name, "Hijacked");
}

#[tokio::test]
async fn login_sets_a_locked_down_session_cookie() {
    let p = panel().await;
    // Without the pre-session cookie the login form is refused.
    let r = send(
        &p.app,
        "POST",
        "/admin/login",
        None,
        "login=root&password=password123",
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let page = send(&p.app, "GET", "/admin/login", None, "").await;
    let set = page.headers[header::SET_COOKIE].to_str().expect("cookie");
    let pre = set
        .split(';')
        .next()
        .and_then(|kv| kv.split_once('='))
        .map(|(_, v)| v.to_string())
        .expect("pre-session cookie");
    let csrf = p.node.form_token(&pre);
    let r = send(
        &p.app,
        "POST",
        "/admin/login",
        Some(&format!("kodeon_form={pre}")),
        &format!("csrf={csrf}&login=root&password=password123"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let session = r
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("kodeon_admin="))
        .expect("session cookie")
        .to_string();
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/admin", "Secure"] {
        assert!(session.contains(attribute), "{attribute} in {session}");
    }

    // A member who is not a moderator cannot use the panel.
    let r = send(
        &p.app,
        "POST",
        "/admin/login",
        Some(&format!("kodeon_form={pre}")),
        &format!("csrf={csrf}&login=plain&password=password123"),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r
        .headers
        .get(header::SET_COOKIE)
        .is_none_or(|v| !v.to_str().unwrap_or_default().starts_with("kodeon_admin=")));
}

#[tokio::test]
async fn the_insights_page_charts_a_range_for_admins_only() {
    let p = panel().await;
    let admin = format!("kodeon_admin={}", p.admin_token);
    let r = send(
        &p.app,
        "GET",
        "/admin/insights?from=2024-10-01&to=2024-10-07",
        Some(&admin),
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("<h1>Insights</h1>"));
    assert_eq!(r.body.matches("<svg").count(), 5, "five charts");
    assert!(r
        .body
        .contains("daily active members per day from 2024-10-01 to 2024-10-07"));
    let link = r
        .body
        .find("Download CSV")
        .map(|i| &r.body[i.saturating_sub(90)..i]);
    assert!(
        link.is_some_and(|l| l.contains("insights.csv?from=2024-10-01&#38;to=2024-10-07")),
        "{link:?}"
    );
    assert!(r.body.contains(r#"aria-current="page">Insights"#));
    let r = send(
        &p.app,
        "GET",
        "/admin/insights.csv?from=2024-10-01&to=2024-10-07",
        Some(&admin),
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.starts_with("metric,date,item,value\n"));
    let r = send(
        &p.app,
        "GET",
        "/admin/insights?from=2024-10-09&to=2024-10-07",
        Some(&admin),
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("from"), "{}", r.body);

    // A moderator has the panel, not the insights.
    p.node
        .create_member(
            NewMember {
                username: "moddy".into(),
                email: "moddy@k.test".into(),
                password: "password123".into(),
                ..NewMember::default()
            },
            Role::Moderator,
        )
        .await
        .expect("moderator");
    let (moderator, _) = p
        .node
        .login_to_panel("moddy", "password123")
        .await
        .expect("panel login");
    let moderator = format!("kodeon_admin={}", moderator.token);
    let r = send(&p.app, "GET", "/admin", Some(&moderator), "").await;
    assert!(
        !r.body.contains("/admin/insights"),
        "no link for a moderator"
    );
    for uri in ["/admin/insights", "/admin/insights.csv"] {
        let r = send(&p.app, "GET", uri, Some(&moderator), "").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri}");
    }
}
