//! The compose form with an image, tags and a category; editing; the
//! feed pages; the Markdown preview; live updates.

use std::time::Duration;

use axum::body::{Body, BodyDataStream};
use axum::http::{header, Request, StatusCode};
use futures_util::StreamExt;
use node::PageRequest;
use tower::ServiceExt;

use super::tests::{app, post_as, session, viewer, App};
use crate::test_support::{multipart, read_until, send, send_multipart};

/// A small PNG.
fn png() -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::new_rgb8(4, 4)
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("png");
    out.into_inner()
}

/// The compose form's multipart body: `fields` in order, then the image
/// if one is given.
fn compose_form(fields: &[(&str, &str)], image: Option<&[u8]>) -> (String, Vec<u8>) {
    let mut parts: Vec<_> = fields
        .iter()
        .map(|(name, value)| (*name, None, value.as_bytes()))
        .collect();
    parts.extend(image.map(|bytes| ("image", Some("a.png"), bytes)));
    multipart(&parts)
}

/// The live updates of the session `cookie`, opened.
async fn open_live(a: &App, cookie: &str) -> BodyDataStream {
    let req = Request::builder()
        .uri("/live")
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .expect("request");
    let res = a.app.clone().oneshot(req).await.expect("response");
    assert_eq!(res.status(), StatusCode::OK);
    res.into_body().into_data_stream()
}

#[tokio::test]
async fn a_post_with_an_image_its_description_tags_and_category() {
    let a = app().await;
    let (bob, csrf) = session(&a.app, "bob").await;
    let image = png();
    let body = compose_form(
        &[
            ("csrf", &csrf),
            ("back", "/home"),
            ("content", "Our **garden**"),
            ("spoiler_text", ""),
            ("tags", "#Plants, gardening"),
            ("category", "Outdoors"),
            ("image_description", "Four red tomatoes on a vine"),
            ("visibility", "public"),
        ],
        Some(image.as_slice()),
    );
    let r = send_multipart(&a.app, "/compose", &bob, body).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = a
        .node
        .member_posts(
            &viewer(&a, "bob"),
            "bob",
            Default::default(),
            &PageRequest::first(5),
        )
        .expect("posts");
    let post = &page.items[0];
    assert_eq!(post.media.len(), 1);
    assert_eq!(post.media[0].description, "Four red tomatoes on a vine");
    assert_eq!(post.tags, vec!["plants", "gardening"]);
    assert_eq!(post.category, "outdoors");
    let home = send(&a.app, "GET", "/home", Some(&bob), "").await;
    assert!(
        home.body.contains("alt=\"Four red tomatoes on a vine\""),
        "{}",
        home.body
    );
    let category = send(&a.app, "GET", "/categories/outdoors", Some(&bob), "").await;
    assert_eq!(category.status, StatusCode::OK);
    assert!(category.body.contains(&format!("id=\"p-{}\"", post.id)));
}

#[tokio::test]
async fn a_bad_image_stays_on_the_form_with_what_was_written() {
    let a = app().await;
    let (bob, csrf) = session(&a.app, "bob").await;
    let body = compose_form(
        &[
            ("csrf", &csrf),
            ("content", "Text kept"),
            ("tags", "kept"),
            ("image_description", "described"),
            ("visibility", "public"),
        ],
        Some(&b"not an image at all"[..]),
    );
    let r = send_multipart(&a.app, "/compose", &bob, body).await;
    assert!(r.status.is_client_error(), "{}", r.status);
    assert!(r.body.contains("id=\"image-error\""), "{}", r.body);
    assert!(r.body.contains(">Text kept</textarea>"));
    assert!(r.body.contains(">described</textarea>"));
    assert!(r.body.contains("value=\"kept\""));
    let stats = a.node.stats().expect("stats");
    assert_eq!(stats.posts, 0);
}

#[tokio::test]
async fn a_multipart_form_must_start_with_its_token() {
    let a = app().await;
    let (bob, csrf) = session(&a.app, "bob").await;
    let image = png();
    // The token after the file: refused before the file is looked at.
    let body = compose_form(
        &[
            ("content", "Sneaky"),
            ("visibility", "public"),
            ("csrf", &csrf),
        ],
        Some(image.as_slice()),
    );
    let r = send_multipart(&a.app, "/compose", &bob, body).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // No token at all.
    let body = compose_form(&[("content", "Sneaky")], None);
    let r = send_multipart(&a.app, "/compose", &bob, body).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Another session's token.
    let (_, carols) = session(&a.app, "carol").await;
    let body = compose_form(&[("csrf", &carols), ("content", "Sneaky")], None);
    let r = send_multipart(&a.app, "/compose", &bob, body).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(a.node.stats().expect("stats").posts, 0);
}

#[tokio::test]
async fn editing_a_post_through_its_form() {
    let a = app().await;
    let (bob, csrf) = session(&a.app, "bob").await;
    let id = post_as(&a, "bob", "First words #draft", "public").await;
    let form = send(&a.app, "GET", &format!("/posts/{id}/edit"), Some(&bob), "").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains(">First words #draft</textarea>"),
        "{}",
        form.body
    );
    assert!(form.body.contains(&format!("action=\"/posts/{id}/edit\"")));
    let r = send(
        &a.app,
        "POST",
        &format!("/posts/{id}/edit"),
        Some(&bob),
        &format!("csrf={csrf}&back=%2F%40bob%2F{id}&content=Better+words&tags=final&category="),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), format!("/@bob/{id}"));
    let post = a.node.post(&viewer(&a, "bob"), id).expect("post");
    assert_eq!(post.source, "Better words");
    assert_eq!(post.tags, vec!["final"]);
    assert!(post.edited_at.is_some());
    // Too long: the form again, the error by the text, the text kept.
    let long = "x".repeat(20_000);
    let r = send(
        &a.app,
        "POST",
        &format!("/posts/{id}/edit"),
        Some(&bob),
        &format!("csrf={csrf}&content={long}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.body.contains("id=\"content-error\""), "{}", r.body);
    assert!(r.body.contains(&long));
    // Someone else's post: no form, no edit.
    let (carol, carol_csrf) = session(&a.app, "carol").await;
    let page = send(
        &a.app,
        "GET",
        &format!("/posts/{id}/edit"),
        Some(&carol),
        "",
    )
    .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let r = send(
        &a.app,
        "POST",
        &format!("/posts/{id}/edit"),
        Some(&carol),
        &format!("csrf={carol_csrf}&content=Hijacked"),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let post = a.node.post(&viewer(&a, "bob"), id).expect("post");
    assert_eq!(post.source, "Better words");
}

#[tokio::test]
async fn local_federated_and_tag_pages_for_members() {
    let a = app().await;
    let (bob, _) = session(&a.app, "bob").await;
    let public = post_as(&a, "carol", "Public #news", "public").await;
    let unlisted = post_as(&a, "carol", "Quiet", "unlisted").await;
    for path in ["/local", "/federated", "/tags/news"] {
        let page = send(&a.app, "GET", path, Some(&bob), "").await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.body.contains(&format!("id=\"p-{public}\"")), "{path}");
        assert!(
            !page.body.contains(&format!("id=\"p-{unlisted}\"")),
            "{path}"
        );
        // The member's forms on each card.
        assert!(
            page.body.contains(&format!("/posts/{public}/like")),
            "{path}"
        );
    }
    for path in ["/local", "/federated", "/categories/general"] {
        let page = send(&a.app, "GET", path, None, "").await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(page.location(), "/login");
    }
}

#[tokio::test]
async fn the_preview_renders_as_a_post_would() {
    let a = app().await;
    let (bob, csrf) = session(&a.app, "bob").await;
    let r = send(
        &a.app,
        "POST",
        "/compose/preview",
        Some(&bob),
        &format!("csrf={csrf}&content=**hi**+%3Cscript%3Ealert(1)%3C%2Fscript%3E"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    let html = json["html"].as_str().expect("html");
    assert!(html.contains("<strong>hi</strong>"), "{html}");
    assert!(!html.contains("<script"), "{html}");
    let r = send(
        &a.app,
        "POST",
        "/compose/preview",
        Some(&bob),
        "content=no+token",
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(a.node.stats().expect("stats").posts, 0);
}

#[tokio::test]
async fn live_updates_bring_new_posts_and_the_unread_count() {
    let a = app().await;
    let (bob, csrf) = session(&a.app, "bob").await;
    let mut live = open_live(&a, &bob).await;
    // Bob follows Carol: her new post arrives as a card with his forms.
    let r = send(
        &a.app,
        "POST",
        "/members/carol/follow",
        Some(&bob),
        &format!("csrf={csrf}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let hidden = post_as(&a, "carol", "For followers", "followers").await;
    let text = read_until(&mut live, &format!("id=\"p-{hidden}\"")).await;
    assert!(text.contains("event: post"), "{text}");
    assert!(text.contains(&format!("/posts/{hidden}/like")));
    // Carol likes Bob's post: his unread count, live.
    let mine = post_as(&a, "bob", "Mine", "public").await;
    a.node.like(&viewer(&a, "carol"), mine).await.expect("like");
    read_until(&mut live, "event: notification\ndata: 1").await;
    // Without a session: the sign-in page.
    let r = send(&a.app, "GET", "/live", None, "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn live_updates_end_with_the_session() {
    let a = app().await;
    let (bob, csrf) = session(&a.app, "bob").await;
    let mut live = open_live(&a, &bob).await;
    let r = send(
        &a.app,
        "POST",
        "/logout",
        Some(&bob),
        &format!("csrf={csrf}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let ended = tokio::time::timeout(Duration::from_secs(3), async {
        while let Some(chunk) = live.next().await {
            if chunk.is_err() {
                return;
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the stream outlived its session");
}
