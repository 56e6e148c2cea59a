//! Mastodon API tests through the router (no socket).

use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::http::{Request, StatusCode};
use axum::Router;
use base64::Engine;
use node::{Node, NodeConfig};
use serde_json::Value;
use sha2::Digest;
use tower::ServiceExt;

use crate::{router, WebSettings};

mod groups;
mod snapshot;

struct App {
    router: Router,
    node: Arc<Node>,
    _dir: tempfile::TempDir,
}

fn app() -> App {
    app_with(|_| {})
}

fn app_with(tweak: impl FnOnce(&mut WebSettings)) -> App {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = NodeConfig::new(dir.path(), "k.test");
    config.dev = true;
    let node = Arc::new(Node::open(config).expect("open"));
    let mut settings = WebSettings::default();
    settings.rate_limits.register_per_hour_per_ip = 0;
    tweak(&mut settings);
    App {
        router: router(node.clone(), settings),
        node,
        _dir: dir,
    }
}

impl App {
    async fn send(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        content_type: &str,
        body: String,
    ) -> (StatusCode, Value, axum::http::HeaderMap) {
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", content_type);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let res = self
            .router
            .clone()
            .oneshot(req.body(Body::from(body)).expect("request"))
            .await
            .expect("response");
        let (status, headers) = (res.status(), res.headers().clone());
        let bytes = to_bytes(res.into_body(), 1 << 22).await.expect("body");
        let value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
        (status, value, headers)
    }

    async fn form(&self, uri: &str, token: Option<&str>, body: &str) -> (StatusCode, Value) {
        let (s, v, _) = self
            .send(
                "POST",
                uri,
                token,
                "application/x-www-form-urlencoded",
                body.to_string(),
            )
            .await;
        (s, v)
    }

    async fn get(
        &self,
        uri: &str,
        token: Option<&str>,
    ) -> (StatusCode, Value, axum::http::HeaderMap) {
        self.send("GET", uri, token, "application/json", String::new())
            .await
    }

    /// Registers an app and a member; returns (client_id, secret, token).
    async fn member(&self, name: &str, scopes: &str) -> (String, String, String) {
        let (_, app) = self
            .form(
                "/api/v1/apps",
                None,
                &format!("client_name=t&redirect_uris=urn:ietf:wg:oauth:2.0:oob&scopes={scopes}"),
            )
            .await;
        let (id, secret) = (
            app["client_id"].as_str().expect("id").to_string(),
            app["client_secret"].as_str().expect("secret").to_string(),
        );
        let (_, cc) = self.form("/oauth/token", None, &format!("grant_type=client_credentials&client_id={id}&client_secret={secret}&scope=write")).await;
        let app_token = cc["access_token"].as_str().expect("app token").to_string();
        let body = format!(
            r#"{{"username":"{name}","email":"{name}@k.test","password":"password123","agreement":true}}"#
        );
        let (s, t, _) = self
            .send(
                "POST",
                "/api/v1/accounts",
                Some(&app_token),
                "application/json",
                body,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "sign-up: {t}");
        (
            id,
            secret,
            t["access_token"].as_str().expect("token").to_string(),
        )
    }
}

#[tokio::test]
async fn authorization_code_with_pkce_and_scopes() {
    let a = app();
    let (id, secret, _) = a.member("alice", "read+write").await;
    let verifier = "a-long-random-verifier-string-of-at-least-43-characters-xyz";
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()));
    let (s, page, _) = a
        .get(&format!("/oauth/authorize?response_type=code&client_id={id}&redirect_uri=urn:ietf:wg:oauth:2.0:oob&scope=read&code_challenge={challenge}&code_challenge_method=S256"), None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(page
        .as_str()
        .is_some_and(|p| p.contains("name=\"password\"")));
    let form = format!("client_id={id}&redirect_uri=urn:ietf:wg:oauth:2.0:oob&scope=read&code_challenge={challenge}&code_challenge_method=S256&username=alice&password=wrong-password");
    let (s, _) = a.form("/oauth/authorize", None, &form).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, page) = a
        .form(
            "/oauth/authorize",
            None,
            &form.replace("wrong-password", "password123"),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let page = page.as_str().expect("html").to_string();
    let code = page
        .split("<code id=\"code\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .expect("code")
        .to_string();
    // A wrong verifier fails and burns the code.
    let exchange = |v: &str| {
        format!("grant_type=authorization_code&client_id={id}&redirect_uri=urn:ietf:wg:oauth:2.0:oob&code={code}&code_verifier={v}")
    };
    let (s, _) = a.form("/oauth/token", None, &exchange("nope")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = a.form("/oauth/token", None, &exchange(verifier)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "a code works once");
    // Again, right verifier first time.
    let (_, page) = a
        .form(
            "/oauth/authorize",
            None,
            &form.replace("wrong-password", "password123"),
        )
        .await;
    let code = page
        .as_str()
        .and_then(|p| p.split("<code id=\"code\">").nth(1))
        .and_then(|r| r.split('<').next())
        .expect("code")
        .to_string();
    let body = format!("grant_type=authorization_code&client_id={id}&redirect_uri=urn:ietf:wg:oauth:2.0:oob&code={code}&code_verifier={verifier}");
    let (s, token) = a.form("/oauth/token", None, &body).await;
    assert_eq!(s, StatusCode::OK, "{token}");
    assert_eq!(token["scope"], "read");
    let read_only = token["access_token"].as_str().expect("token");
    // read-only token: can read, cannot post.
    let (s, _, _) = a
        .get("/api/v1/accounts/verify_credentials", Some(read_only))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = a
        .form("/api/v1/statuses", Some(read_only), "status=hi")
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    // Revoked tokens stop working.
    let (s, _) = a
        .form(
            "/oauth/revoke",
            None,
            &format!("client_id={id}&client_secret={secret}&token={read_only}"),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _, _) = a
        .get("/api/v1/accounts/verify_credentials", Some(read_only))
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn statuses_timelines_and_entities() {
    let a = app();
    let (_, _, alice) = a.member("alice", "read+write+follow").await;
    let (_, _, bob) = a.member("bob", "read+write+follow").await;
    let (_, me, _) = a
        .get("/api/v1/accounts/verify_credentials", Some(&alice))
        .await;
    let alice_id = me["id"].as_str().expect("id").to_string();
    assert!(me["source"].is_object());
    // bob follows alice (form), alice posts (JSON and form), bob replies.
    let (s, rel) = a
        .form(
            &format!("/api/v1/accounts/{alice_id}/follow"),
            Some(&bob),
            "",
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(rel["following"], true);
    let mut ids = Vec::new();
    for i in 0..3 {
        let (s, st, _) = a
            .send(
                "POST",
                "/api/v1/statuses",
                Some(&alice),
                "application/json",
                format!(r#"{{"status":"post {i} #kodeon","visibility":"public"}}"#),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{st}");
        ids.push(st["id"].as_str().expect("id").to_string());
    }
    let (s, private) = a
        .form(
            "/api/v1/statuses",
            Some(&alice),
            "status=secret&visibility=private&sensitive=1&spoiler_text=cw",
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(private["visibility"], "private");
    assert_eq!(private["sensitive"], true);
    assert_eq!(private["spoiler_text"], "cw");
    let (s, reply) = a
        .form(
            "/api/v1/statuses",
            Some(&bob),
            &format!("status=nice&in_reply_to_id={}", ids[2]),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(reply["in_reply_to_id"], ids[2].as_str());
    assert_eq!(reply["in_reply_to_account_id"], alice_id.as_str());
    // Entity shape.
    for key in [
        "id",
        "created_at",
        "uri",
        "url",
        "account",
        "media_attachments",
        "mentions",
        "tags",
        "emojis",
        "favourites_count",
        "reblogs_count",
    ] {
        assert!(reply.get(key).is_some(), "status lacks {key}");
    }
    // bob's home: his reply, alice's private post, her public posts; paginated with Link.
    let (s, home, headers) = a.get("/api/v1/timelines/home?limit=2", Some(&bob)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(home.as_array().map(Vec::len), Some(2));
    let link = headers
        .get("link")
        .and_then(|l| l.to_str().ok())
        .expect("link header")
        .to_string();
    assert!(
        link.contains("rel=\"next\"") && link.contains("max_id="),
        "{link}"
    );
    // Anonymous public timeline has no private post.
    let (_, public, _) = a.get("/api/v1/timelines/public", None).await;
    assert!(public
        .as_array()
        .expect("array")
        .iter()
        .all(|s| s["visibility"] == "public"));
    assert_eq!(public.as_array().map(Vec::len), Some(3));
    // Favourite → notification for alice; context shows the reply.
    let (s, fav) = a
        .form(
            &format!("/api/v1/statuses/{}/favourite", ids[2]),
            Some(&bob),
            "",
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(fav["favourited"], true);
    assert_eq!(fav["favourites_count"], 1);
    let (_, ctx, _) = a
        .get(
            &format!("/api/v1/statuses/{}/context", ids[2]),
            Some(&alice),
        )
        .await;
    assert_eq!(ctx["descendants"][0]["id"], reply["id"]);
    let (_, notes, _) = a.get("/api/v1/notifications", Some(&alice)).await;
    let types: Vec<&str> = notes
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|n| n["type"].as_str())
        .collect();
    assert!(
        types.contains(&"favourite") && types.contains(&"follow") && types.contains(&"mention"),
        "{types:?}"
    );
    let (_, only_favs, _) = a
        .get("/api/v1/notifications?types[]=favourite", Some(&alice))
        .await;
    assert_eq!(only_favs.as_array().map(Vec::len), Some(1));
    // Tag timeline and search.
    let (_, tagged, _) = a.get("/api/v1/timelines/tag/kodeon", None).await;
    assert_eq!(tagged.as_array().map(Vec::len), Some(3));
    let (_, found, _) = a.get("/api/v2/search?q=ali", Some(&bob)).await;
    assert_eq!(found["accounts"][0]["username"], "alice");
    // Bad input: unknown visibility names the field.
    let (s, err) = a
        .form(
            "/api/v1/statuses",
            Some(&alice),
            "status=x&visibility=everyone",
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(err["error"]
        .as_str()
        .is_some_and(|e| e.contains("visibility")));
    // Delete returns the status with its source text.
    let (s, deleted, _) = a
        .send(
            "DELETE",
            &format!("/api/v1/statuses/{}", ids[0]),
            Some(&alice),
            "application/json",
            String::new(),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(deleted["text"], "post 0 #kodeon");
    let (s, _, _) = a
        .get(&format!("/api/v1/statuses/{}", ids[0]), Some(&alice))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn client_credentials_cannot_exceed_the_app_scopes() {
    let a = app();
    let (_, app) = a
        .form(
            "/api/v1/apps",
            None,
            "client_name=t&redirect_uris=urn:ietf:wg:oauth:2.0:oob&scopes=read",
        )
        .await;
    let (id, secret) = (
        app["client_id"].as_str().expect("id"),
        app["client_secret"].as_str().expect("secret"),
    );
    let (s, _) = a
        .form(
            "/oauth/token",
            None,
            &format!(
                "grant_type=client_credentials&client_id={id}&client_secret={secret}&scope=write"
            ),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, t) = a
        .form(
            "/oauth/token",
            None,
            &format!("grant_type=client_credentials&client_id={id}&client_secret={secret}"),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(t["scope"], "read");
    // A read-only app token cannot sign people up.
    let token = t["access_token"].as_str().expect("token");
    let body =
        r#"{"username":"eve","email":"eve@k.test","password":"password123","agreement":true}"#
            .to_string();
    let (s, _, _) = a
        .send(
            "POST",
            "/api/v1/accounts",
            Some(token),
            "application/json",
            body,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn reblogs_wrap_the_original_and_notify() {
    let a = app();
    let (_, _, alice) = a.member("alice", "read+write+follow").await;
    let (_, _, bob) = a.member("bob", "read+write+follow").await;
    let (_, _, carol) = a.member("carol", "read+write+follow").await;
    let (_, bob_me, _) = a
        .get("/api/v1/accounts/verify_credentials", Some(&bob))
        .await;
    a.form(
        &format!(
            "/api/v1/accounts/{}/follow",
            bob_me["id"].as_str().expect("id")
        ),
        Some(&carol),
        "",
    )
    .await;
    let (_, original) = a
        .form("/api/v1/statuses", Some(&alice), "status=share+me")
        .await;
    let oid = original["id"].as_str().expect("id");
    let (s, wrapper) = a
        .form(&format!("/api/v1/statuses/{oid}/reblog"), Some(&bob), "")
        .await;
    assert_eq!(s, StatusCode::OK, "{wrapper}");
    assert_ne!(wrapper["id"], original["id"]);
    assert_eq!(wrapper["account"]["username"], "bob");
    assert_eq!(wrapper["reblog"]["id"], oid);
    assert_eq!(wrapper["reblog"]["reblogged"], true);
    assert_eq!(wrapper["reblog"]["reblogs_count"], 1);
    let (_, home, _) = a.get("/api/v1/timelines/home", Some(&carol)).await;
    assert_eq!(home[0]["reblog"]["id"], oid);
    let (_, by, _) = a
        .get(
            &format!("/api/v1/statuses/{oid}/reblogged_by"),
            Some(&carol),
        )
        .await;
    assert_eq!(by[0]["username"], "bob");
    let (_, notes, _) = a
        .get("/api/v1/notifications?types[]=reblog", Some(&alice))
        .await;
    assert_eq!(notes[0]["type"], "reblog");
    let (_, undone) = a
        .form(&format!("/api/v1/statuses/{oid}/unreblog"), Some(&bob), "")
        .await;
    assert_eq!(
        (
            undone["reblogged"].as_bool(),
            undone["reblogs_count"].as_i64()
        ),
        (Some(false), Some(0))
    );
    let (_, home, _) = a.get("/api/v1/timelines/home", Some(&carol)).await;
    assert_eq!(home.as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn direct_messages_form_conversations() {
    let a = app();
    let (_, _, alice) = a.member("alice", "read+write+follow").await;
    let (_, _, bob) = a.member("bob", "read+write+follow").await;
    let (_, _, carol) = a.member("carol", "read+write+follow").await;
    let (_, dm) = a
        .form(
            "/api/v1/statuses",
            Some(&alice),
            "status=%40bob+psst&visibility=direct",
        )
        .await;
    assert_eq!(dm["visibility"], "direct", "{dm}");
    let (_, answer) = a
        .form(
            "/api/v1/statuses",
            Some(&bob),
            &format!(
                "status=%40alice+ok&visibility=direct&in_reply_to_id={}",
                dm["id"].as_str().expect("id")
            ),
        )
        .await;
    let (s, convs, _) = a.get("/api/v1/conversations", Some(&alice)).await;
    assert_eq!(s, StatusCode::OK);
    let list = convs.as_array().expect("array");
    assert_eq!(list.len(), 1, "{convs}");
    assert_eq!(list[0]["id"], dm["id"]);
    assert_eq!(list[0]["unread"], true);
    assert_eq!(list[0]["accounts"][0]["username"], "bob");
    assert_eq!(list[0]["last_status"]["id"], answer["id"]);
    let (_, read) = a
        .form(
            &format!(
                "/api/v1/conversations/{}/read",
                dm["id"].as_str().expect("id")
            ),
            Some(&alice),
            "",
        )
        .await;
    assert_eq!(read["unread"], false);
    // Carol is not in it.
    let (_, none, _) = a.get("/api/v1/conversations", Some(&carol)).await;
    assert_eq!(none.as_array().map(Vec::len), Some(0));
    let (s, _, _) = a
        .send(
            "DELETE",
            &format!("/api/v1/conversations/{}", dm["id"].as_str().expect("id")),
            Some(&alice),
            "application/json",
            String::new(),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, gone, _) = a.get("/api/v1/conversations", Some(&alice)).await;
    assert_eq!(gone.as_array().map(Vec::len), Some(0));
}

/// A multipart body with one PNG `file` field and a description.
fn multipart_png() -> (String, Vec<u8>) {
    let mut png = std::io::Cursor::new(Vec::new());
    image_png(&mut png);
    crate::test_support::multipart(&[
        ("description", None, b"a red square"),
        ("file", Some("a.png"), png.get_ref()),
    ])
}

/// A real 2×2 PNG.
fn image_png(out: &mut std::io::Cursor<Vec<u8>>) {
    let img = image::RgbImage::from_pixel(2, 2, image::Rgb([200, 0, 0]));
    image::DynamicImage::ImageRgb8(img)
        .write_to(out, image::ImageFormat::Png)
        .expect("png");
}

#[tokio::test]
async fn media_upload_attach_and_serve() {
    let a = app();
    let (_, _, alice) = a.member("alice", "read+write").await;
    let (ct, body) = multipart_png();
    let req = Request::builder()
        .method("POST")
        .uri("/api/v2/media")
        .header("content-type", ct)
        .header("authorization", format!("Bearer {alice}"))
        .body(Body::from(body))
        .expect("request");
    let res = a.router.clone().oneshot(req).await.expect("response");
    let status = res.status();
    let bytes = to_bytes(res.into_body(), 1 << 20).await.expect("body");
    let media: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    assert_eq!(status, StatusCode::OK, "{media}");
    assert_eq!(media["type"], "image");
    assert_eq!(media["description"], "a red square");
    assert_eq!(media["meta"]["original"]["width"], 2);
    assert!(media["blurhash"].as_str().is_some_and(|b| !b.is_empty()));
    let id = media["id"].as_str().expect("id");
    // Attach it (no text needed), then it is served with its type.
    let (s, status) = a
        .form(
            "/api/v1/statuses",
            Some(&alice),
            &format!("media_ids[]={id}"),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{status}");
    assert_eq!(status["media_attachments"][0]["id"], id);
    let url = media["url"].as_str().expect("url");
    let path = &url[url.find("/media/").expect("path")..];
    let res = a
        .router
        .clone()
        .oneshot(Request::get(path).body(Body::empty()).expect("req"))
        .await
        .expect("res");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/png");
    // only_media lists it, and not a text-only post.
    a.form("/api/v1/statuses", Some(&alice), "status=just+text")
        .await;
    let (_, me, _) = a
        .get("/api/v1/accounts/verify_credentials", Some(&alice))
        .await;
    let me_id = me["id"].as_str().expect("id");
    let (_, with_media, _) = a
        .get(
            &format!("/api/v1/accounts/{me_id}/statuses?only_media=true"),
            Some(&alice),
        )
        .await;
    assert_eq!(with_media.as_array().map(Vec::len), Some(1), "{with_media}");
    assert_eq!(with_media[0]["media_attachments"][0]["id"], id);
    let (_, all, _) = a
        .get(&format!("/api/v1/accounts/{me_id}/statuses"), Some(&alice))
        .await;
    assert_eq!(all.as_array().map(Vec::len), Some(2));
    // Attaching twice, or someone else's media, is refused.
    let (s, err) = a
        .form(
            "/api/v1/statuses",
            Some(&alice),
            &format!("status=again&media_ids[]={id}"),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    // Not an image: 422 naming the file.
    let boundary = "B";
    let bogus = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.png\"\r\nContent-Type: image/png\r\n\r\n<svg onload=alert(1)>\r\n--{boundary}--\r\n");
    let req = Request::builder()
        .method("POST")
        .uri("/api/v2/media")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header("authorization", format!("Bearer {alice}"))
        .body(Body::from(bogus))
        .expect("request");
    let res = a.router.clone().oneshot(req).await.expect("response");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn update_credentials_takes_multipart_with_an_avatar() {
    let a = app();
    let (_, _, alice) = a.member("alice", "read+write").await;
    let mut png = std::io::Cursor::new(Vec::new());
    image_png(&mut png);
    let boundary = "B0und";
    let mut body = Vec::new();
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"display_name\"\r\n\r\nAlice A.\r\n").as_bytes());
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nHello <there>\r\n").as_bytes());
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"fields_attributes[0][name]\"\r\n\r\ngithub\r\n").as_bytes());
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"fields_attributes[0][value]\"\r\n\r\nalice\r\n").as_bytes());
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"avatar\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n").as_bytes());
    body.extend_from_slice(png.get_ref());
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = Request::builder()
        .method("PATCH")
        .uri("/api/v1/accounts/update_credentials")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header("authorization", format!("Bearer {alice}"))
        .body(Body::from(body))
        .expect("request");
    let res = a.router.clone().oneshot(req).await.expect("response");
    let status = res.status();
    let me: Value =
        serde_json::from_slice(&to_bytes(res.into_body(), 1 << 20).await.expect("body"))
            .unwrap_or(Value::Null);
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["display_name"], "Alice A.");
    assert_eq!(me["note"], "<p>Hello &lt;there&gt;</p>");
    assert_eq!(me["fields"][0]["name"], "github");
    assert!(
        me["avatar"]
            .as_str()
            .is_some_and(|u| u.contains("/media/") && u.ends_with("_small.png")),
        "{}",
        me["avatar"]
    );
    assert_eq!(me["source"]["note"], "Hello <there>");
}

#[tokio::test]
async fn deeply_nested_form_keys_are_refused_on_every_form_route() {
    let app = app();
    // 20,000 levels used to recurse once per level and overflow the stack,
    // which aborted the whole process.
    let deep = format!("client_name=x&a{}=1", "[]".repeat(20_000));
    for route in ["/api/v1/apps", "/oauth/token", "/oauth/revoke"] {
        let (status, body) = app.form(route, None, &deep).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{route}: {body}");
        assert_eq!(body["field"], "a", "{route}: {body}");
    }
    // The same depth in the query string of a GET.
    let (status, _, _) = app
        .get(
            &format!("/api/v1/timelines/public?x{}=1", "[a]".repeat(5_000)),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Keys within the limit still work, and the node still answers.
    let ok = format!(
        "client_name=x&redirect_uris=urn:ietf:wg:oauth:2.0:oob&a{}=1",
        "[b]".repeat(super::params::MAX_KEY_DEPTH - 1)
    );
    let (status, body) = app.form("/api/v1/apps", None, &ok).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn every_api_checks_the_tokens_scopes_and_the_panel_takes_only_its_own_sessions() {
    let a = app();
    let (id, secret, _) = a
        .member("alice", "read+write+follow+profile+admin:read+admin:write")
        .await;
    a.node
        .run_admin(node::admin::AdminCommand::Promote {
            username: "alice".into(),
            role: node::model::Role::Admin,
        })
        .await
        .expect("promote");
    let grant = |scope: &'static str| {
        format!("grant_type=password&client_id={id}&client_secret={secret}&username=alice&password=password123&scope={scope}")
    };
    let mut tokens = std::collections::HashMap::new();
    for scope in ["read", "profile", "admin:write", "write:statuses"] {
        let (s, t) = a.form("/oauth/token", None, &grant(scope)).await;
        assert_eq!(s, StatusCode::OK, "{scope}: {t}");
        tokens.insert(
            scope,
            t["access_token"].as_str().expect("token").to_string(),
        );
    }
    let json = "application/json";
    let call =
        |method: &'static str, uri: &'static str, scope: &'static str, body: &'static str| {
            let token = tokens[scope].clone();
            let a = &a;
            async move {
                a.send(method, uri, Some(&token), json, body.to_string())
                    .await
                    .0
            }
        };
    // A read token reads and writes nothing, on Kodeon's API as on Mastodon's.
    let post = r#"{"content":"hi"}"#;
    assert_eq!(
        call("POST", "/api/kodeon/v1/posts", "read", post).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call("PATCH", "/api/kodeon/v1/me", "read", r#"{"full_name":"x"}"#).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call("GET", "/api/kodeon/v1/feeds/home", "read", "").await,
        StatusCode::OK
    );
    assert_eq!(
        call("POST", "/api/kodeon/v1/posts", "write:statuses", post).await,
        StatusCode::CREATED
    );
    // An admin's profile token administers nothing; admin:write does.
    let block = r#"{"domain":"bad.example"}"#;
    assert_eq!(
        call(
            "POST",
            "/api/kodeon/v1/admin/domain-blocks",
            "profile",
            block
        )
        .await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call("GET", "/api/kodeon/v1/admin/federation", "read", "").await,
        StatusCode::FORBIDDEN
    );
    let status = call(
        "POST",
        "/api/kodeon/v1/admin/domain-blocks",
        "admin:write",
        block,
    )
    .await;
    assert!(status.is_success(), "{status}");
    // An API token set as the panel's cookie opens nothing.
    for token in [&tokens["profile"], &tokens["admin:write"]] {
        let req = Request::get("/admin")
            .header("cookie", format!("kodeon_admin={token}"))
            .body(Body::empty())
            .expect("request");
        let res = a.router.clone().oneshot(req).await.expect("response");
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "not the dashboard");
        assert_eq!(res.headers()["location"], "/admin/login");
    }
    // And a panel session is no bearer token.
    let (panel, _) = a
        .node
        .login_to_panel("alice", "password123")
        .await
        .expect("panel");
    let (s, _, _) = a
        .get("/api/v1/accounts/verify_credentials", Some(&panel.token))
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _, _) = a.get("/api/kodeon/v1/me", Some(&panel.token)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_password_grant_and_the_authorize_form_share_the_accounts_login_limit() {
    let a = app();
    let (id, secret, _) = a.member("alice", "read+write").await;
    // 25 failed passwords per hour per account (the default), through the
    // OAuth password grant, by name and by e-mail address...
    for i in 0..25 {
        let login = if i % 2 == 0 { "alice" } else { "alice@k.test" };
        let (s, _) = a
            .form(
                "/oauth/token",
                None,
                &format!("grant_type=password&client_id={id}&client_secret={secret}&username={login}&password=wrong&scope=read"),
            )
            .await;
        assert_ne!(s, StatusCode::OK);
        assert_ne!(s, StatusCode::TOO_MANY_REQUESTS, "attempt {i}");
    }
    // ...then the right one is refused there, on the authorize form and on
    // Kodeon's login.
    let (s, _) = a
        .form(
            "/oauth/token",
            None,
            &format!("grant_type=password&client_id={id}&client_secret={secret}&username=alice&password=password123&scope=read"),
        )
        .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    let (s, _) = a
        .form(
            "/oauth/authorize",
            None,
            &format!("client_id={id}&redirect_uri=urn:ietf:wg:oauth:2.0:oob&scope=read&username=alice&password=password123"),
        )
        .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    let (s, _, _) = a
        .send(
            "POST",
            "/api/kodeon/v1/auth/login",
            None,
            "application/json",
            r#"{"login":"alice@k.test","password":"password123"}"#.into(),
        )
        .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
}

/// Multipart bodies from strangers (a valid upload cut, spliced and
/// mutated byte by byte, arbitrary bytes, odd boundaries and headers) sent
/// to the media and profile routes never panic nor get a 5xx (in a run:
/// 86 of 96 refused as malformed with a 400, the others a 413, a 422 or a
/// 200), and the node answers afterwards.
#[tokio::test]
async fn malformed_multipart_bodies_are_refused_cleanly() {
    use proptest::prelude::*;
    use proptest::test_runner::{TestCaseError, TestRunner};

    let a = app_with(|s| s.rate_limits.media_uploads_per_minute_per_account = 0);
    let (_, _, alice) = a.member("alice", "read+write").await;
    let (valid_type, valid) = multipart_png();
    let strategy = (
        prop_oneof![
            Just(valid_type.clone()),
            Just("multipart/form-data".to_string()),
            Just("multipart/form-data; boundary=".to_string()),
            Just("multipart/form-data; boundary=\"\"".to_string()),
            Just("multipart/form-data; boundary=x".to_string()),
            "multipart/form-data; boundary=[ -~]{0,80}",
        ],
        prop_oneof![
            // The valid body with bytes changed.
            prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..16).prop_map({
                let valid = valid.clone();
                move |edits| {
                    let mut body = valid.clone();
                    for (at, byte) in edits {
                        let i = at.index(body.len());
                        body[i] = byte;
                    }
                    body
                }
            }),
            // Cut short.
            any::<prop::sample::Index>().prop_map({
                let valid = valid.clone();
                move |at| valid[..at.index(valid.len())].to_vec()
            }),
            // A part's headers made strange.
            "[ -~]{0,200}".prop_map(|header| format!(
                "--XkodeonBoundary\r\nContent-Disposition: form-data; {header}\r\n\r\nx\r\n--XkodeonBoundary--\r\n"
            ).into_bytes()),
            prop::collection::vec(any::<u8>(), 0..2048),
        ],
        prop_oneof![Just("/api/v2/media"), Just("/api/v1/media"), Just("/api/v1/accounts/update_credentials")],
    );
    let handle = tokio::runtime::Handle::current();
    let router = a.router.clone();
    let token = alice.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        let mut runner = TestRunner::new(crate::test_support::proptest_config(96));
        runner.run(&strategy, |(content_type, body, path)| {
            let method = if path.ends_with("update_credentials") {
                "PATCH"
            } else {
                "POST"
            };
            let req = Request::builder()
                .method(method)
                .uri(path)
                .header("content-type", content_type)
                .header("authorization", format!("Bearer {token}"))
                .body(Body::from(body))
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let status = handle
                .block_on(router.clone().oneshot(req))
                .map_err(|e| TestCaseError::fail(e.to_string()))?
                .status();
            prop_assert!(!status.is_server_error(), "{method} {path}: {status}");
            Ok(())
        })
    })
    .await
    .expect("join");
    if let Err(e) = outcome {
        panic!("{e}");
    }
    let (status, _, _) = a
        .get("/api/v1/accounts/verify_credentials", Some(&alice))
        .await;
    assert_eq!(status, StatusCode::OK);
}

/// Searches and lookups that may make the node fetch from other servers
/// count against the account's budget, through both APIs; searches that
/// name nothing remote, searches without `resolve` and another account's
/// lookups do not. (The remote server is a closed loopback port: every
/// fetch fails at once.)
#[tokio::test]
async fn remote_lookups_are_limited_per_account() {
    let mut a = app_with(|s| s.rate_limits.remote_lookups_per_minute_per_account = 2);
    let federation = federation::Federation::new(
        a.node.clone(),
        federation::FederationSettings {
            allow_private: true,
            ..federation::FederationSettings::default()
        },
    )
    .await
    .expect("federation");
    let mut settings = WebSettings::default();
    settings.rate_limits.register_per_hour_per_ip = 0;
    settings.rate_limits.remote_lookups_per_minute_per_account = 2;
    a.router = crate::router_with_federation(a.node.clone(), settings, Some(federation));
    let (_, _, alice) = a.member("alice", "read+write").await;
    let (_, _, bob) = a.member("bob", "read+write").await;
    for _ in 0..5 {
        let (s, _, _) = a
            .get("/api/v2/search?q=ali&resolve=true", Some(&alice))
            .await;
        assert_eq!(s, StatusCode::OK, "nothing remote is named: not counted");
    }
    let (s, _, _) = a
        .get("/api/v2/search?q=x@127.0.0.1:9&resolve=true", Some(&alice))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _, _) = a
        .get(
            "/api/kodeon/v1/search?q=http://127.0.0.1:9/users/x&resolve=true",
            Some(&alice),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, body, headers) = a
        .get("/api/v2/search?q=y@127.0.0.1:9&resolve=true", Some(&alice))
        .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(headers.contains_key("retry-after"));
    let (s, _, _) = a
        .get("/api/v1/accounts/lookup?acct=z@127.0.0.1:9", Some(&alice))
        .await;
    assert_eq!(
        s,
        StatusCode::TOO_MANY_REQUESTS,
        "a handle lookup counts too"
    );
    let (s, _, _) = a.get("/api/v2/search?q=y@127.0.0.1:9", Some(&alice)).await;
    assert_eq!(s, StatusCode::OK, "without resolve nothing is fetched");
    let (s, _, _) = a
        .get("/api/v1/accounts/lookup?acct=z@127.0.0.1:9", Some(&bob))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "bob has his own budget");
}
