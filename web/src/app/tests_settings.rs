//! The settings of the members' app through the router (no socket): the
//! profile form, the avatar upload, sessions, and the data exports.

use axum::body::{to_bytes, Body};
use axum::http::{header, Request, StatusCode};
use axum::Router;
use node::model::Privacy;
use serde_json::Value;
use tower::ServiceExt;

use super::tests::{api_login, api_status, app, post_as, session, sign_in, viewer, App};
use crate::test_support::{multipart, send, send_multipart};

/// A valid profile form with `csrf`, `extra` appended (later fields win).
fn profile_form(csrf: &str, extra: &str) -> String {
    format!(
        "csrf={csrf}&full_name=Bob+B.&about=I+write+Kodeon.&location=Jakarta&website=https%3A%2F%2Fbob.example\
         &company=Kodeon+Solutions&languages=kodeon%2C+rust&areas=web&level=senior\
         &link_name_0=github&link_value_0=bob_dev&link_name_1=&link_value_1=\
         &language=id&timezone=Asia%2FJakarta&notify_0=email&privacy=followers&locked=on{extra}"
    )
}

/// A small PNG.
fn png() -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let img = image::RgbImage::from_pixel(3, 3, image::Rgb([0, 90, 200]));
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("png");
    out.into_inner()
}

/// `name`'s profile as they see it themselves, read afresh.
fn me(a: &App, name: &str) -> node::model::MemberView {
    a.node.profile(&viewer(a, name), name).expect("profile")
}

/// Files in the node's media directory.
fn media_files(a: &App) -> usize {
    std::fs::read_dir(a.node.config().data_dir.join("media"))
        .map(|d| d.count())
        .unwrap_or(0)
}

#[tokio::test]
async fn the_profile_form_saves_through_the_node_and_keeps_entries_on_errors() {
    let a = app().await;
    let (bob, csrf) = session(&a.app, "bob").await;
    let settings = send(&a.app, "GET", "/settings", Some(&bob), "").await;
    assert!(settings.body.contains("href=\"/settings/profile\""));
    let page = send(&a.app, "GET", "/settings/profile", Some(&bob), "").await;
    assert_eq!(page.status, StatusCode::OK);
    for id in [
        "full_name",
        "about",
        "website",
        "languages",
        "level",
        "link_name_0",
        "timezone",
        "privacy-followers",
        "locked",
        "avatar",
    ] {
        assert!(
            page.body.contains(&format!("<label for=\"{id}\"")),
            "label for {id}"
        );
    }

    let r = send(
        &a.app,
        "POST",
        "/settings/profile",
        Some(&bob),
        &profile_form(&csrf, ""),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/settings/profile?done=saved");
    let view = me(&a, "bob");
    assert_eq!(view.full_name, "Bob B.");
    assert!(view.locked);
    let details = view.details.expect("details");
    assert_eq!(details.bio.website, "https://bob.example");
    assert_eq!(details.skills.languages, ["kodeon", "rust"]);
    assert_eq!(details.skills.level, "senior");
    assert_eq!(details.social_links.len(), 1);
    assert_eq!(details.social_links["github"], "bob_dev");
    let prefs = view.private.expect("private").preferences;
    assert_eq!(prefs.privacy, Privacy::Followers);
    assert_eq!(prefs.notifications, ["email"]);
    assert_eq!(prefs.timezone, "Asia/Jakarta");
    let page = send(&a.app, "GET", r.location(), Some(&bob), "").await;
    assert!(page.body.contains("Your profile has been saved."));
    assert!(page.body.contains("value=\"Bob B.\""));
    assert!(page.body.contains(
        "id=\"privacy-followers\" name=\"privacy\" type=\"radio\" value=\"followers\" checked"
    ));

    // The node's own rules, each next to its field, what was entered kept,
    // nothing saved.
    let long_about = "x".repeat(a.node.limits().bio_chars + 1);
    let cases = [
        (
            "&full_name=Changed&website=not-a-url",
            "website-error",
            "value=\"not-a-url\"",
        ),
        (
            &*format!("&full_name=Changed&about={long_about}"),
            "about-error",
            long_about.as_str(),
        ),
        (
            "&full_name=Changed&level=guru",
            "level-error",
            "value=\"Changed\"",
        ),
        (
            "&full_name=Changed&link_name_1=&link_value_1=orphan",
            "links-error",
            "value=\"orphan\"",
        ),
        (
            "&full_name=Changed&privacy=everyone",
            "privacy-error",
            "value=\"Changed\"",
        ),
        (
            &*format!("&full_name={}", "n".repeat(101)),
            "full_name-error",
            "value=\"nnnn",
        ),
    ];
    for (extra, error_id, kept) in cases {
        let r = send(
            &a.app,
            "POST",
            "/settings/profile",
            Some(&bob),
            &profile_form(&csrf, extra),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{extra}");
        assert!(
            r.body.contains(&format!("id=\"{error_id}\"")),
            "{error_id}: {}",
            r.body
        );
        assert!(
            r.body.contains(&format!("aria-describedby=\"{error_id}\"")),
            "{error_id}"
        );
        assert!(r.body.contains("aria-invalid=\"true\""), "{error_id}");
        assert!(r.body.contains(kept), "{error_id}: {kept} kept");
        assert_eq!(
            me(&a, "bob").full_name,
            "Bob B.",
            "{error_id}: nothing saved"
        );
    }
}

#[tokio::test]
async fn profile_and_avatar_forms_without_this_sessions_token_change_nothing() {
    let a = app().await;
    let (bob, csrf) = session(&a.app, "bob").await;
    let (_, carols) = session(&a.app, "carol").await;
    for token in ["", "0000", carols.as_str()] {
        let form = profile_form(token, "").replacen(
            &format!("csrf={token}&"),
            "",
            usize::from(token.is_empty()),
        );
        let r = send(&a.app, "POST", "/settings/profile", Some(&bob), &form).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "token {token:?}");
        let upload = multipart(&[
            ("csrf", None, token.as_bytes()),
            ("avatar", Some("a.png"), &png()),
        ]);
        let r = send_multipart(&a.app, "/settings/avatar", &bob, upload).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "token {token:?}");
    }
    // The right token, but after the file: refused before the file is read.
    let late = multipart(&[
        ("avatar", Some("a.png"), &png()),
        ("csrf", None, csrf.as_bytes()),
    ]);
    let r = send_multipart(&a.app, "/settings/avatar", &bob, late).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A form that is not multipart at all.
    let r = send(
        &a.app,
        "POST",
        "/settings/avatar",
        Some(&bob),
        &format!("csrf={csrf}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let view = me(&a, "bob");
    assert_eq!(view.full_name, "");
    assert_eq!(view.avatar_url, "");
    assert_eq!(media_files(&a), 0, "no image was stored");
    // Without a session: to the sign-in page.
    for uri in ["/settings/profile", "/settings/avatar"] {
        let r = send(&a.app, "POST", uri, None, &profile_form(&csrf, "")).await;
        r.assert_to_sign_in();
    }
}

#[tokio::test]
async fn an_uploaded_avatar_becomes_the_avatar_on_the_profile_and_in_settings() {
    let a = app().await;
    let (bob, csrf) = session(&a.app, "bob").await;
    let token = csrf.as_bytes();

    // Not an image, no file, too large: next to the file field, unchanged.
    let cases: [(Vec<u8>, StatusCode); 3] = [
        (
            b"not an image at all".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (Vec::new(), StatusCode::UNPROCESSABLE_ENTITY),
        (
            vec![0; node::media::MAX_UPLOAD_BYTES + 1],
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ];
    for (bytes, status) in cases {
        let upload = multipart(&[("csrf", None, token), ("avatar", Some("a.png"), &bytes)]);
        let r = send_multipart(&a.app, "/settings/avatar", &bob, upload).await;
        assert_eq!(r.status, status, "{}", r.body);
        assert!(r.body.contains("id=\"avatar-error\""), "{}", r.body);
        assert!(r.body.contains("aria-describedby=\"avatar-error\""));
    }
    assert_eq!(me(&a, "bob").avatar_url, "");

    let upload = multipart(&[("csrf", None, token), ("avatar", Some("a.png"), &png())]);
    let r = send_multipart(&a.app, "/settings/avatar", &bob, upload).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/settings/profile?done=avatar");
    let avatar = me(&a, "bob").avatar_url;
    assert!(
        avatar.starts_with("http://k.test/media/") && avatar.ends_with("_small.png"),
        "{avatar}"
    );
    let img = format!("src=\"{avatar}\"");
    let profile = send(&a.app, "GET", "/@bob", None, "").await;
    assert!(profile.body.contains(&img), "on the profile page");
    let settings = send(&a.app, "GET", "/settings", Some(&bob), "").await;
    assert!(settings.body.contains(&img), "in the settings");
    let page = send(
        &a.app,
        "GET",
        "/settings/profile?done=avatar",
        Some(&bob),
        "",
    )
    .await;
    assert!(page.body.contains(&img) && page.body.contains("Your avatar has been changed."));
    let file = avatar.trim_start_matches("http://k.test");
    let served = send(&a.app, "GET", file, None, "").await;
    assert_eq!(served.status, StatusCode::OK);
}

#[tokio::test]
async fn settings_show_last_use_and_sign_out_everywhere_else() {
    let a = app().await;
    let (bob, csrf) = session(&a.app, "bob").await;
    let token = api_login(&a.app, "bob", "password123")
        .await
        .expect("api token");
    let other = sign_in(&a.app, "bob", "password123").await;
    let other = format!(
        "{}={}",
        super::SESSION_COOKIE,
        other.cookie(super::SESSION_COOKIE).expect("cookie")
    );

    let page = send(&a.app, "GET", "/settings", Some(&bob), "").await;
    assert_eq!(
        page.body.matches(" · last used <time").count(),
        3,
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains("action=\"/settings/sessions/revoke-others\""));

    let r = send(
        &a.app,
        "POST",
        "/settings/sessions/revoke-others",
        Some(&bob),
        "csrf=0000",
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(api_status(&a.app, &token).await, StatusCode::OK);

    let r = send(
        &a.app,
        "POST",
        "/settings/sessions/revoke-others",
        Some(&bob),
        &format!("csrf={csrf}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/settings?done=others");
    assert_eq!(api_status(&a.app, &token).await, StatusCode::UNAUTHORIZED);
    let r = send(&a.app, "GET", "/settings", Some(&other), "").await;
    assert_eq!(r.location(), "/login", "the other browser is signed out");
    let page = send(&a.app, "GET", "/settings?done=others", Some(&bob), "").await;
    assert_eq!(page.status, StatusCode::OK, "this browser stays");
    assert!(page
        .body
        .contains("Every other session has been signed out."));
    assert_eq!(page.body.matches("<li id=\"session-").count(), 1);
    assert!(
        !page.body.contains("revoke-others"),
        "nothing else to sign out"
    );
}

/// A GET with `cookie`: status, headers, and the body as JSON.
async fn get_json(
    app: &Router,
    uri: &str,
    cookie: &str,
) -> (StatusCode, axum::http::HeaderMap, Value) {
    let r = send(app, "GET", uri, Some(cookie), "").await;
    let json = serde_json::from_str(&r.body).unwrap_or(Value::Null);
    (r.status, r.headers, json)
}

#[tokio::test]
async fn exports_download_the_members_data_and_all_their_own_posts() {
    let a = app().await;
    let (bob, _) = session(&a.app, "bob").await;
    a.node
        .follow(&viewer(&a, "bob"), "carol")
        .await
        .expect("follow");
    let mut mine = Vec::new();
    for i in 0..41 {
        mine.push(post_as(&a, "bob", &format!("public {i}"), "public").await);
    }
    let public = mine[0];
    mine.push(post_as(&a, "bob", "for followers", "followers").await);
    mine.push(post_as(&a, "bob", "@carol for carol", "direct").await);
    let carols = post_as(&a, "carol", "carol's own", "public").await;
    let to_bob = post_as(&a, "carol", "@bob only bob sees this", "direct").await;

    let (status, headers, data) = get_json(&a.app, "/settings/export/member.json", &bob).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"kodeon-bob-member.json\""
    );
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(data["account"]["username"], "bob");
    assert_eq!(data["following"][0]["account"], "carol");
    assert_eq!(data["counts"]["posts"], 43);
    let text = data.to_string();
    assert!(
        !text.contains("password_hash") && !text.contains("$argon2") && !text.contains("sealed")
    );

    let (status, headers, outbox) = get_json(&a.app, "/settings/export/outbox.json", &bob).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"kodeon-bob-outbox.json\""
    );
    assert_eq!(outbox["type"], "OrderedCollection");
    let items = outbox["orderedItems"].as_array().expect("items");
    assert_eq!(outbox["totalItems"], items.len());
    let ids: Vec<String> = items
        .iter()
        .map(|i| {
            assert_eq!(i["type"], "Create");
            assert_eq!(i["actor"], "http://k.test/users/bob");
            i["object"]["id"].as_str().expect("object id").to_string()
        })
        .collect();
    let expected: Vec<String> = mine
        .iter()
        .rev()
        .map(|id| format!("http://k.test/users/bob/statuses/{id}"))
        .collect();
    assert_eq!(ids, expected, "every post of bob's, newest first");
    for id in [carols, to_bob] {
        assert!(
            !outbox.to_string().contains(&id.to_string()),
            "not carol's {id}"
        );
    }
    // Each item is what federation serves in bob's outbox.
    let req = Request::builder()
        .uri("/users/bob/outbox?page=true&max_id=".to_string() + &mine[1].to_string())
        .header(header::ACCEPT, "application/activity+json")
        .body(Body::empty())
        .expect("request");
    let res = a.app.clone().oneshot(req).await.expect("response");
    let served: Value =
        serde_json::from_slice(&to_bytes(res.into_body(), 1 << 20).await.expect("body"))
            .expect("json");
    let served_item = &served["orderedItems"][0];
    assert_eq!(
        served_item["object"]["id"],
        format!("http://k.test/users/bob/statuses/{public}")
    );
    let exported_item = items.last().expect("the oldest");
    assert_eq!(exported_item, served_item);

    // An app session only: no bearer token, no anonymous download.
    let token = api_login(&a.app, "bob", "password123")
        .await
        .expect("token");
    for uri in [
        "/settings/export/member.json",
        "/settings/export/outbox.json",
    ] {
        let req = Request::builder()
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .expect("request");
        let res = a.app.clone().oneshot(req).await.expect("response");
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{uri}");
        assert_eq!(res.headers()[header::LOCATION], "/login");
    }
}
