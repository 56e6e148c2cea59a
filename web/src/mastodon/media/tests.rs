//! Uploads and serving of media through the router.

use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::http::{Request, StatusCode};
use axum::Router;
use node::{Node, NodeConfig};
use serde_json::Value;
use tower::ServiceExt;

use crate::{router, WebSettings};

struct App {
    router: Router,
    _dir: tempfile::TempDir,
}

fn app(media_uploads_per_minute: u32) -> App {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = NodeConfig::new(dir.path(), "k.test");
    config.dev = true;
    let node = Node::open(config).expect("open");
    let mut settings = WebSettings::default();
    settings.rate_limits.register_per_hour_per_ip = 0;
    settings.rate_limits.media_uploads_per_minute_per_account = media_uploads_per_minute;
    App {
        router: router(Arc::new(node), settings),
        _dir: dir,
    }
}

impl App {
    async fn call(&self, req: Request<Body>) -> (StatusCode, Value, axum::http::HeaderMap) {
        let res = self.router.clone().oneshot(req).await.expect("response");
        let (status, headers) = (res.status(), res.headers().clone());
        let bytes = to_bytes(res.into_body(), 1 << 22).await.expect("body");
        let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, value, headers)
    }

    async fn form(&self, uri: &str, token: Option<&str>, body: &str) -> (StatusCode, Value) {
        let mut req =
            Request::post(uri).header("content-type", "application/x-www-form-urlencoded");
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let (s, v, _) = self
            .call(req.body(Body::from(body.to_string())).expect("request"))
            .await;
        (s, v)
    }

    async fn get(&self, path: &str) -> StatusCode {
        let req = Request::get(path).body(Body::empty()).expect("request");
        self.router
            .clone()
            .oneshot(req)
            .await
            .expect("response")
            .status()
    }

    /// A new OAuth app's id: anyone may mint one.
    async fn app_id(&self) -> String {
        let (_, app) = self
            .form(
                "/api/v1/apps",
                None,
                "client_name=x&redirect_uris=urn:ietf:wg:oauth:2.0:oob",
            )
            .await;
        app["id"].as_str().expect("app id").to_string()
    }

    /// Signs `name` up; returns their token.
    async fn member(&self, name: &str) -> String {
        let (_, app) = self
            .form(
                "/api/v1/apps",
                None,
                "client_name=t&redirect_uris=urn:ietf:wg:oauth:2.0:oob&scopes=read+write",
            )
            .await;
        let (id, secret) = (
            app["client_id"].as_str().expect("id"),
            app["client_secret"].as_str().expect("secret"),
        );
        let (_, cc) = self
            .form(
                "/oauth/token",
                None,
                &format!("grant_type=client_credentials&client_id={id}&client_secret={secret}&scope=write"),
            )
            .await;
        let app_token = cc["access_token"].as_str().expect("app token");
        let (s, t) = self
            .form(
                "/api/v1/accounts",
                Some(app_token),
                &format!("username={name}&email={name}@k.test&password=password123&agreement=true"),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "sign-up: {t}");
        t["access_token"].as_str().expect("token").to_string()
    }

    async fn upload(&self, token: &str) -> (StatusCode, Value, axum::http::HeaderMap) {
        let mut png = std::io::Cursor::new(Vec::new());
        image::DynamicImage::new_rgb8(4, 4)
            .write_to(&mut png, image::ImageFormat::Png)
            .expect("png");
        let boundary = "XyZ";
        let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n").into_bytes();
        body.extend_from_slice(png.get_ref());
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let req = Request::post("/api/v2/media")
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header("authorization", format!("Bearer {token}"))
            .body(Body::from(body))
            .expect("request");
        self.call(req).await
    }
}

fn path_of(url: &Value) -> String {
    let url = url.as_str().expect("url");
    url[url.find("/media/").expect("a /media/ url")..].to_string()
}

/// The report: ids were `previous + 1` within a millisecond and files were
/// named by id, so an app registered in the same millisecond as an upload
/// named its file, and `/media/` served it to anyone. Before the fix the
/// first guess below, the name derived from the media id, was served (200);
/// the neighbours of the apps minted meanwhile are the attacker's actual
/// guesses (they land in the upload's millisecond only by chance in a
/// test). Now none names anything; the real URL (128 random bits) still
/// works without a token, as apps load images.
#[tokio::test]
async fn media_of_a_followers_only_post_cannot_be_found_from_ids() {
    let a = app(0);
    let alice = a.member("alice").await;
    // Apps registered while the upload runs, as the attacker did.
    let flood = {
        let router = a.router.clone();
        tokio::spawn(async move {
            let a = App {
                router,
                _dir: tempfile::tempdir().expect("tempdir"),
            };
            let mut ids = Vec::new();
            for _ in 0..40 {
                ids.push(a.app_id().await);
            }
            ids
        })
    };
    let (s, media, _) = a.upload(&alice).await;
    assert_eq!(s, StatusCode::OK, "{media}");
    let id = media["id"].as_str().expect("id").to_string();
    let (s, status) = a
        .form(
            "/api/v1/statuses",
            Some(&alice),
            &format!("status=friends+only&visibility=private&media_ids[]={id}"),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{status}");
    assert_eq!(status["visibility"], "private");
    let mut app_ids = flood.await.expect("flood");
    app_ids.push(a.app_id().await);

    // Names an attacker can derive: the media id itself, and the ids next
    // to every id they minted.
    let mut guesses = vec![format!("{id}.png"), format!("{id}_small.png")];
    for app_id in &app_ids {
        let n: node::Id = app_id.parse().expect("a ULID");
        let n = u128::from_be_bytes(n.to_bytes());
        for near in [n - 1, n + 1, n + 2] {
            let near = node::Id::from_bytes(near.to_be_bytes());
            guesses.push(format!("{near}.png"));
            guesses.push(format!("{near}_small.png"));
        }
    }
    for guess in &guesses {
        assert_eq!(
            a.get(&format!("/media/{guess}")).await,
            StatusCode::NOT_FOUND,
            "{guess} was served to an anonymous visitor"
        );
    }
    // The URL handed to those who may see the post works, unauthenticated.
    for url in [&media["url"], &media["preview_url"]] {
        assert_eq!(a.get(&path_of(url)).await, StatusCode::OK);
    }
    assert!(!path_of(&media["url"]).contains(&format!("/media/{id}.")));
}

#[tokio::test]
async fn uploads_are_rate_limited_per_account() {
    let a = app(2);
    let (alice, bob) = (a.member("alice").await, a.member("bob").await);
    for _ in 0..2 {
        let (s, body, _) = a.upload(&alice).await;
        assert_eq!(s, StatusCode::OK, "{body}");
    }
    let (s, body, headers) = a.upload(&alice).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(
        body["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{body}"
    );
    assert!(headers.contains_key("retry-after"));
    // Per account: someone else still can.
    let (s, body, _) = a.upload(&bob).await;
    assert_eq!(s, StatusCode::OK, "{body}");
}

/// The served file says whether shared caches may keep it.
#[tokio::test]
async fn only_public_media_is_cached_publicly() {
    let a = app(0);
    let alice = a.member("alice").await;
    let mut paths = Vec::new();
    for visibility in ["public", "private"] {
        let (_, media, _) = a.upload(&alice).await;
        let id = media["id"].as_str().expect("id");
        let (s, status) = a
            .form(
                "/api/v1/statuses",
                Some(&alice),
                &format!("visibility={visibility}&media_ids[]={id}"),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{status}");
        paths.push(path_of(&media["url"]));
    }
    let mut cache_control = Vec::new();
    for path in paths {
        let req = Request::get(path).body(Body::empty()).expect("request");
        let (s, _, headers) = a.call(req).await;
        assert_eq!(s, StatusCode::OK);
        cache_control.push(
            headers["cache-control"]
                .to_str()
                .expect("ascii")
                .to_string(),
        );
    }
    assert!(cache_control[0].starts_with("public"), "{cache_control:?}");
    assert!(cache_control[1].starts_with("private"), "{cache_control:?}");
}
