//! Streaming through the router (no socket): scopes per stream, streams
//! that end with their token, deletes told only to those who could see
//! the post, and the limits on open streams.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, BodyDataStream};
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use axum::Router;
use futures_util::StreamExt;
use node::members::NewMember;
use node::model::Member;
use node::posts::NewPost;
use node::{Node, NodeConfig, Viewer};
use tower::ServiceExt;

use crate::test_support::read_until;
use crate::{router, StreamLimits, WebSettings};

struct App {
    node: Arc<Node>,
    router: Router,
    _dir: tempfile::TempDir,
}

fn app_with(streams: StreamLimits) -> App {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = NodeConfig::new(dir.path(), "k.test");
    config.dev = true;
    let node = Arc::new(Node::open(config).expect("open"));
    let settings = WebSettings {
        streams,
        ..WebSettings::default()
    };
    App {
        router: router(node.clone(), settings),
        node,
        _dir: dir,
    }
}

fn app() -> App {
    app_with(WebSettings::default().streams)
}

/// A member and one token of theirs.
struct Who {
    member: Member,
    token: String,
    session: node::Id,
}

impl Who {
    fn viewer(&self) -> Viewer {
        Viewer::Member(Box::new(self.member.clone()))
    }
}

impl App {
    async fn member(&self, name: &str, scopes: &str) -> Who {
        let member = self
            .node
            .register(NewMember {
                username: name.into(),
                email: format!("{name}@k.test"),
                password: "password123".into(),
                ..NewMember::default()
            })
            .await
            .expect("register");
        self.token(&member, scopes).await
    }

    async fn token(&self, member: &Member, scopes: &str) -> Who {
        let scopes = scopes
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(String::from);
        let issued = self
            .node
            .issue_scoped_token(member.id, "test", None, scopes.collect())
            .await
            .expect("token");
        Who {
            member: member.clone(),
            token: issued.token,
            session: issued.session_id,
        }
    }

    /// Opens a stream; returns its status and body.
    async fn open(&self, uri: &str, token: Option<&str>) -> (StatusCode, BodyDataStream) {
        self.open_from(uri, token, [127, 0, 0, 1]).await
    }

    async fn open_from(
        &self,
        uri: &str,
        token: Option<&str>,
        ip: [u8; 4],
    ) -> (StatusCode, BodyDataStream) {
        let mut req = Request::builder().uri(uri);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let mut req = req.body(Body::empty()).expect("request");
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from((ip, 40_000))));
        let res = self.router.clone().oneshot(req).await.expect("response");
        (res.status(), res.into_body().into_data_stream())
    }

    async fn post(&self, who: &Who, content: &str, visibility: &str) -> String {
        let new = NewPost {
            content: content.into(),
            visibility: Some(visibility.into()),
            ..NewPost::default()
        };
        self.node
            .create_post(&who.viewer(), new)
            .await
            .expect("post")
            .id
            .to_string()
    }
}

/// Whether the stream ends within 2 s (keep-alive comments aside).
async fn ends(body: &mut BodyDataStream) -> bool {
    tokio::time::timeout(Duration::from_secs(2), async {
        while let Some(chunk) = body.next().await {
            if chunk.is_err() {
                return;
            }
        }
    })
    .await
    .is_ok()
}

#[tokio::test]
async fn each_stream_asks_for_its_own_scope() {
    let app = app();
    let statuses = app.member("statuses", "read:statuses").await;
    let notes = app.token(&statuses.member, "read:notifications").await;
    let write = app.token(&statuses.member, "write").await;
    let read = app.token(&statuses.member, "read").await;
    let cases: [(&str, Option<&str>, StatusCode); 15] = [
        (
            "/api/v1/streaming/user",
            Some(&statuses.token),
            StatusCode::OK,
        ),
        (
            "/api/v1/streaming/public",
            Some(&statuses.token),
            StatusCode::OK,
        ),
        (
            "/api/v1/streaming/direct",
            Some(&statuses.token),
            StatusCode::OK,
        ),
        (
            "/api/v1/streaming/user/notification",
            Some(&statuses.token),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "/api/v1/streaming/user/notification",
            Some(&notes.token),
            StatusCode::OK,
        ),
        (
            "/api/v1/streaming/user",
            Some(&notes.token),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "/api/v1/streaming/public",
            Some(&notes.token),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "/api/v1/streaming/direct",
            Some(&notes.token),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "/api/v1/streaming/user",
            Some(&write.token),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "/api/v1/streaming/hashtag?tag=x",
            Some(&write.token),
            StatusCode::UNAUTHORIZED,
        ),
        ("/api/v1/streaming/user", Some(&read.token), StatusCode::OK),
        (
            "/api/v1/streaming/user/notification",
            Some(&read.token),
            StatusCode::OK,
        ),
        ("/api/v1/streaming/public", None, StatusCode::OK),
        ("/api/v1/streaming/user", None, StatusCode::UNAUTHORIZED),
        ("/api/v1/streaming/direct", None, StatusCode::UNAUTHORIZED),
    ];
    for (uri, token, want) in cases {
        let (status, _) = app.open(uri, token).await;
        assert_eq!(status, want, "{uri} with {token:?}");
    }
}

#[tokio::test]
async fn the_user_stream_of_a_statuses_token_carries_no_notifications() {
    let app = app();
    let bob = app.member("bob", "read:statuses").await;
    let bob_read = app.token(&bob.member, "read").await;
    let alice = app.member("alice", "").await;
    app.node
        .follow(&bob.viewer(), "alice")
        .await
        .expect("bob follows alice");
    let (_, mut narrow) = app.open("/api/v1/streaming/user", Some(&bob.token)).await;
    let (_, mut wide) = app
        .open("/api/v1/streaming/user", Some(&bob_read.token))
        .await;
    // Bob is notified of the follow, then sees Alice's post.
    app.node
        .follow(&alice.viewer(), "bob")
        .await
        .expect("alice follows bob");
    let id = app.post(&alice, "hello", "public").await;
    let text = read_until(&mut narrow, &id).await;
    assert!(text.contains("event: update"), "{text}");
    assert!(!text.contains("event: notification"), "{text}");
    let text = read_until(&mut wide, &id).await;
    assert!(text.contains("event: notification"), "{text}");
}

#[tokio::test]
async fn a_stream_ends_with_its_session() {
    let app = app();
    let bob = app.member("bob", "read").await;
    let other = app.token(&bob.member, "read").await;
    let alice = app.member("alice", "").await;
    app.node
        .follow(&bob.viewer(), "alice")
        .await
        .expect("follow");

    // Logout (revoking one token) ends that token's streams, not others'.
    let (_, mut revoked) = app.open("/api/v1/streaming/user", Some(&bob.token)).await;
    let (_, mut kept) = app
        .open("/api/v1/streaming/direct", Some(&other.token))
        .await;
    let (_, mut public) = app.open("/api/v1/streaming/public", None).await;
    app.node
        .revoke_session(&bob.viewer(), bob.session)
        .await
        .expect("revoke");
    assert!(
        ends(&mut revoked).await,
        "the revoked token's stream goes on"
    );
    let dm = app.post(&alice, "hi @bob", "direct").await;
    read_until(&mut kept, &dm).await;

    // Suspension, a password reset (command line or moderator) and
    // deletion end every session of the member.
    app.member("admin", "").await;
    let admin = Viewer::Member(Box::new(
        app.node
            .set_role("admin", node::model::Role::Admin)
            .await
            .expect("admin"),
    ));
    for step in 0..4 {
        let who = app.token(&bob.member, "read").await;
        let (status, mut stream) = app.open("/api/v1/streaming/user", Some(&who.token)).await;
        assert_eq!(status, StatusCode::OK);
        match step {
            0 => {
                app.node.set_suspended("bob", true).await.expect("suspend");
                app.node
                    .set_suspended("bob", false)
                    .await
                    .expect("unsuspend");
            }
            1 => {
                app.node
                    .reset_password("bob", "another password")
                    .await
                    .expect("reset");
            }
            2 => {
                app.node
                    .moderate_member(
                        &admin,
                        bob.member.id,
                        node::moderation::MemberAction::ResetPassword,
                        "",
                    )
                    .await
                    .expect("moderator reset");
            }
            _ => {
                app.node
                    .moderate_member(
                        &admin,
                        bob.member.id,
                        node::moderation::MemberAction::Delete,
                        "",
                    )
                    .await
                    .expect("delete");
            }
        }
        assert!(ends(&mut stream).await, "step {step}: the stream goes on");
    }
    // Anonymous streams have no session to lose.
    let marker = app.post(&alice, "still here", "public").await;
    read_until(&mut public, &marker).await;
}

#[tokio::test]
async fn deletes_reach_only_streams_that_could_see_the_post() {
    let app = app();
    let alice = app.member("alice", "").await;
    let bob = app.member("bob", "read").await;
    let carol = app.member("carol", "read").await;
    app.node
        .follow(&bob.viewer(), "alice")
        .await
        .expect("follow");
    let (_, mut anonymous) = app.open("/api/v1/streaming/public", None).await;
    let (_, mut follower) = app.open("/api/v1/streaming/user", Some(&bob.token)).await;
    let (_, mut stranger) = app
        .open("/api/v1/streaming/public", Some(&carol.token))
        .await;

    let followers_only = app.post(&alice, "for followers", "followers").await;
    let direct = app.post(&alice, "psst @bob", "direct").await;
    let public = app.post(&alice, "for all", "public").await;
    for id in [&followers_only, &direct, &public] {
        app.node
            .delete_post(&alice.viewer(), id.parse().expect("id"))
            .await
            .expect("delete");
    }
    let deleted = |id: &str| format!("event: delete\ndata: {id}\n");
    // The public post's delete comes last: what came before is all.
    let seen = read_until(&mut anonymous, &deleted(&public)).await;
    assert!(
        !seen.contains(&followers_only) && !seen.contains(&direct),
        "{seen}"
    );
    let seen = read_until(&mut stranger, &deleted(&public)).await;
    assert!(
        !seen.contains(&followers_only) && !seen.contains(&direct),
        "{seen}"
    );
    let seen = read_until(&mut follower, &deleted(&public)).await;
    assert!(seen.contains(&deleted(&followers_only)), "{seen}");
    assert!(seen.contains(&deleted(&direct)), "{seen}");
}

#[tokio::test]
async fn open_streams_are_limited_per_ip_and_in_all() {
    let app = app_with(StreamLimits {
        per_ip: 2,
        total: 3,
        proxies: vec![[10, 0, 0, 9].into()],
    });
    let uri = "/api/v1/streaming/public";
    let (a, a1) = app.open_from(uri, None, [10, 0, 0, 1]).await;
    let (b, _a2) = app.open_from(uri, None, [10, 0, 0, 1]).await;
    assert_eq!((a, b), (StatusCode::OK, StatusCode::OK));
    let (over_ip, _) = app.open_from(uri, None, [10, 0, 0, 1]).await;
    assert_eq!(over_ip, StatusCode::TOO_MANY_REQUESTS);
    let (c, _b1) = app.open_from(uri, None, [10, 0, 0, 2]).await;
    assert_eq!(c, StatusCode::OK);
    let (over_all, _) = app.open_from(uri, None, [10, 0, 0, 3]).await;
    assert_eq!(over_all, StatusCode::TOO_MANY_REQUESTS);
    // A closed stream gives its place back.
    drop(a1);
    let (again, _) = app.open_from(uri, None, [10, 0, 0, 3]).await;
    assert_eq!(again, StatusCode::OK);
    drop((_a2, _b1));
    // A reverse proxy, which every client comes through, is limited only
    // in all.
    let mut held = Vec::new();
    for _ in 0..3 {
        let (status, body) = app.open_from(uri, None, [10, 0, 0, 9]).await;
        assert_eq!(status, StatusCode::OK);
        held.push(body);
    }
    let (over_all, _) = app.open_from(uri, None, [10, 0, 0, 9]).await;
    assert_eq!(over_all, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_stream_that_missed_its_session_end_asks_the_node() {
    let app = app();
    let bob = app.member("bob", "read").await;
    let alice = app.member("alice", "").await;
    let (_, mut stream) = app.open("/api/v1/streaming/user", Some(&bob.token)).await;
    // The stream is not read while its session ends and 4,200 posts go by:
    // the event bus keeps 4,096 events, so it misses the SessionEnded.
    app.node
        .revoke_session(&bob.viewer(), bob.session)
        .await
        .expect("revoke");
    let texts: Vec<String> = (0..4_200).map(|i| format!("post {i}")).collect();
    let posts = texts.iter().map(|text| app.post(&alice, text, "public"));
    futures_util::stream::iter(posts)
        .buffer_unordered(64)
        .collect::<Vec<_>>()
        .await;
    assert!(
        ends(&mut stream).await,
        "a lagging stream outlived its token"
    );
}
