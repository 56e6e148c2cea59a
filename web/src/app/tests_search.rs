//! Search, direct messages and members of other servers in the members'
//! app, through the router (no socket).

use axum::http::StatusCode;
use node::members::NewMember;
use node::model::{Member, Role};
use node::remote::{RemoteActor, RemotePost};
use node::{PageRequest, Viewer};

use super::tests::{app, post_as, session, viewer, App};
use crate::test_support::{send, Reply};

/// The value of the first `name` field of a page.
fn value_of(page: &Reply, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.body.find(&marker).expect("the field") + marker.len();
    let rest = &page.body[start..];
    rest[..rest.find('"').expect("end of the value")].to_string()
}

/// A third member here, dave.
async fn dave(a: &App) -> Member {
    a.node
        .create_member(
            NewMember {
                username: "dave".into(),
                email: "dave@k.test".into(),
                password: "password123".into(),
                ..NewMember::default()
            },
            Role::Member,
        )
        .await
        .expect("dave")
}

/// dan of remote.example, known here with a confirmed handle, and one
/// public post of his (its id here).
async fn remote_dan(a: &App) -> (Member, node::Id) {
    let mut actor = RemoteActor::person("https://remote.example/users/dan", "dan");
    actor.name = "Dan Far".into();
    actor.url = "https://remote.example/@dan".into();
    actor.confirmed_handle = Some("dan@remote.example".into());
    let dan = a.node.upsert_remote_actor(actor).await.expect("dan");
    let mut post = RemotePost::public(
        "https://remote.example/users/dan/statuses/1",
        "<p>hello from far away</p>",
        node::model::now_ms(),
    );
    post.url = "https://remote.example/@dan/1".into();
    let id = a.node.receive_post(&dan, post).await.expect("post");
    (dan, id)
}

#[tokio::test]
async fn search_finds_people_tags_and_posts_the_member_may_see() {
    let a = app().await;
    post_as(
        &a,
        "carol",
        "a public note on #gardening tomatoes",
        "public",
    )
    .await;
    post_as(
        &a,
        "carol",
        "secret followers tomatoes #gardening",
        "followers",
    )
    .await;
    let (bob, csrf) = session(&a.app, "bob").await;

    // The header offers the search box and the messages.
    let home = send(&a.app, "GET", "/home", Some(&bob), "").await;
    assert!(home.body.contains("action=\"/search\""), "{}", home.body);
    assert!(home.body.contains("href=\"/messages\""));

    // Without a query, just the form.
    let r = send(&a.app, "GET", "/search", Some(&bob), "").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("id=\"q\""));
    assert!(!r.body.contains("id=\"people-heading\""));

    let r = send(&a.app, "GET", "/search?q=car", Some(&bob), "").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("href=\"/@carol\""), "{}", r.body);
    assert!(r.body.contains("@carol@k.test"));
    assert!(r.body.contains("value=\"car\""));

    let r = send(&a.app, "GET", "/search?q=garden", Some(&bob), "").await;
    assert!(r.body.contains("href=\"/tags/gardening\""), "{}", r.body);

    // Posts by words: the public one, never the followers-only one of
    // someone bob does not follow; the cards carry bob's forms, back here.
    let r = send(&a.app, "GET", "/search?q=tomatoes", Some(&bob), "").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("a public note on"), "{}", r.body);
    assert!(!r.body.contains("secret followers"), "{}", r.body);
    assert!(r.body.contains(&format!("value=\"{csrf}\"")));
    assert!(r
        .body
        .contains("name=\"back\" value=\"/search?q=tomatoes\""));

    let r = send(&a.app, "GET", "/search?q=nothing+like+it", Some(&bob), "").await;
    assert!(r.body.contains("No one found."));
    assert!(r.body.contains("No posts found."));

    // Visitors are sent to sign in.
    let r = send(&a.app, "GET", "/search?q=carol", None, "").await;
    r.assert_to_sign_in();
}

#[tokio::test]
async fn a_spent_remote_lookup_budget_says_to_wait_with_the_query_kept() {
    let a = app().await;
    let (bob, _) = session(&a.app, "bob").await;
    let mut limited = None;
    // The default budget is 30 a minute; local names count nothing.
    for _ in 0..40 {
        let r = send(&a.app, "GET", "/search?q=carol", Some(&bob), "").await;
        assert_eq!(r.status, StatusCode::OK);
        let r = send(
            &a.app,
            "GET",
            "/search?q=%40someone%40far.example",
            Some(&bob),
            "",
        )
        .await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(r);
            break;
        }
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let r = limited.expect("the budget runs out");
    assert!(r.body.contains("try again"), "{}", r.body);
    assert!(r.body.contains("value=\"@someone@far.example\""));
    assert!(r.body.contains("id=\"q-error\""));
}

#[tokio::test]
async fn messages_start_list_open_reply_and_stay_between_participants() {
    let a = app().await;
    let dave = dave(&a).await;
    let (bob, bob_csrf) = session(&a.app, "bob").await;
    let (carol, _) = session(&a.app, "carol").await;

    // bob writes to carol.
    let r = send(
        &a.app,
        "POST",
        "/messages",
        Some(&bob),
        &format!("csrf={bob_csrf}&to=%40carol&content=are+you+coming+tonight%3F"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let link = r.location().to_string();
    assert!(link.starts_with("/messages/"), "{link}");

    // carol's list shows it, unread, with bob and its text.
    let list = send(&a.app, "GET", "/messages", Some(&carol), "").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains(&format!("href=\"{link}\"")),
        "{}",
        list.body
    );
    assert!(list.body.contains("class=\"unread\""));
    assert!(list.body.contains("With @bob"));
    assert!(list.body.contains("are you coming tonight?"));

    // Opening it marks it read, and offers a direct reply to bob.
    let page = send(&a.app, "GET", &link, Some(&carol), "").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("are you coming tonight?"));
    assert!(page.body.contains("name=\"visibility\" value=\"direct\""));
    assert!(page.body.contains(">@bob </textarea>"), "{}", page.body);
    let carols = a
        .node
        .conversations(&viewer(&a, "carol"), &PageRequest::first(20))
        .expect("conversations");
    assert!(!carols.items[0].unread);

    // Her reply, through the form's own fields, is direct and reaches bob.
    let form = format!(
        "csrf={}&back={}&in_reply_to={}&visibility=direct&content=%40bob+yes%2C+at+eight",
        value_of(&page, "csrf"),
        value_of(&page, "back"),
        value_of(&page, "in_reply_to"),
    );
    let r = send(&a.app, "POST", "/compose", Some(&carol), &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), link);
    let bobs = a
        .node
        .conversations(&viewer(&a, "bob"), &PageRequest::first(20))
        .expect("conversations");
    assert_eq!(bobs.items.len(), 1);
    let last = &bobs.items[0].last_post;
    assert_eq!(last.visibility, node::model::Visibility::Direct);
    assert!(last.source.contains("yes, at eight"));
    assert!(bobs.items[0].unread);
    let page = send(&a.app, "GET", &link, Some(&bob), "").await;
    assert!(page.body.contains("yes, at eight"));
    assert!(page.body.contains("are you coming tonight?"));

    // dave, addressed by no one, finds nothing of it anywhere.
    let (dave_cookie, _) = session(&a.app, "dave").await;
    let r = send(&a.app, "GET", &link, Some(&dave_cookie), "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.body.contains("tonight"));
    let list = send(&a.app, "GET", "/messages", Some(&dave_cookie), "").await;
    assert!(!list.body.contains("tonight"));
    let root = link.trim_start_matches("/messages/");
    let r = send(
        &a.app,
        "GET",
        &format!("/@bob/{root}"),
        Some(&dave_cookie),
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = send(&a.app, "GET", "/search?q=tonight", Some(&dave_cookie), "").await;
    assert!(!r.body.contains("tonight?"), "{}", r.body);
    let dave_viewer = Viewer::Member(Box::new(dave));
    assert!(a
        .node
        .conversations(&dave_viewer, &PageRequest::first(20))
        .expect("conversations")
        .items
        .is_empty());

    // A conversation id that is no conversation, and a visitor.
    let r = send(&a.app, "GET", "/messages/nonsense", Some(&bob), "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = send(&a.app, "GET", &link, None, "").await;
    r.assert_to_sign_in();
}

#[tokio::test]
async fn a_new_message_keeps_what_was_written_next_to_its_errors() {
    let a = app().await;
    let (bob, csrf) = session(&a.app, "bob").await;
    let r = send(
        &a.app,
        "POST",
        "/messages",
        Some(&bob),
        &format!("csrf={csrf}&to=&content=kept+words"),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("id=\"to-error\""), "{}", r.body);
    assert!(r.body.contains(">kept words</textarea>"));

    let r = send(
        &a.app,
        "POST",
        "/messages",
        Some(&bob),
        &format!("csrf={csrf}&to=carol+nobody&content=kept+words"),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("No one called @nobody"), "{}", r.body);
    assert!(r.body.contains("value=\"carol nobody\""));
    // Nothing was sent to carol meanwhile.
    assert!(a
        .node
        .conversations(&viewer(&a, "carol"), &PageRequest::first(20))
        .expect("conversations")
        .items
        .is_empty());

    let r = send(
        &a.app,
        "POST",
        "/messages",
        Some(&bob),
        &format!("csrf={csrf}&to=carol&content="),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("id=\"content-error\""), "{}", r.body);
}

#[tokio::test]
async fn the_new_forms_need_a_session_and_its_token() {
    let a = app().await;
    let (bob, _) = session(&a.app, "bob").await;
    let (_, carols_csrf) = session(&a.app, "carol").await;
    let body = "to=carol&content=forged";
    let r = send(&a.app, "POST", "/messages", Some(&bob), body).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(
        &a.app,
        "POST",
        "/messages",
        Some(&bob),
        &format!("csrf={carols_csrf}&{body}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(&a.app, "POST", "/messages", None, body).await;
    r.assert_to_sign_in();
    assert!(a
        .node
        .conversations(&viewer(&a, "carol"), &PageRequest::first(20))
        .expect("conversations")
        .items
        .is_empty());
    // The remote profile's follow form, like every member form.
    let (dan, _) = remote_dan(&a).await;
    let r = send(
        &a.app,
        "POST",
        "/members/dan@remote.example/follow",
        Some(&bob),
        "csrf=forged",
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let rel = a
        .node
        .relationships(&viewer(&a, "bob"), &[dan.id])
        .expect("relationships");
    assert!(!rel[0].1.following && !rel[0].1.requested);
}

#[tokio::test]
async fn remote_people_and_posts_show_their_origin_and_can_be_followed() {
    let a = app().await;
    let (dan, post) = remote_dan(&a).await;
    let (bob, csrf) = session(&a.app, "bob").await;

    // Their post's card: the full handle, their server, the original.
    let page = send(
        &a.app,
        "GET",
        &format!("/@dan@remote.example/{post}"),
        Some(&bob),
        "",
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("@dan@remote.example"));
    assert!(page.body.contains("href=\"https://remote.example/@dan\""));
    assert!(page.body.contains(">on remote.example</a>"));
    assert!(page
        .body
        .contains("href=\"https://remote.example/@dan/1\" rel=\"nofollow noopener\">original on remote.example</a>"));
    // Signed in, the name opens their page here.
    assert!(page
        .body
        .contains("href=\"/@dan@remote.example\">Dan Far</a>"));

    // Their page here, with the forms; a visitor gets none of it.
    let profile = send(&a.app, "GET", "/@dan@remote.example", Some(&bob), "").await;
    assert_eq!(profile.status, StatusCode::OK, "{}", profile.body);
    assert!(profile.body.contains("@dan@remote.example</span></h1>"));
    assert!(!profile.body.contains("@dan@remote.example@k.test"));
    assert!(profile.body.contains("older posts on remote.example"));
    assert!(profile.body.contains("hello from far away"));
    assert!(profile
        .body
        .contains("action=\"/members/dan@remote.example/follow\""));
    let r = send(&a.app, "GET", "/@dan@remote.example", None, "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Following through the form asks their server (a request until it
    // accepts), then back to their page.
    let r = send(
        &a.app,
        "POST",
        "/members/dan@remote.example/follow",
        Some(&bob),
        &format!("csrf={csrf}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/@dan@remote.example");
    let rel = a
        .node
        .relationships(&viewer(&a, "bob"), &[dan.id])
        .expect("relationships");
    assert!(rel[0].1.following || rel[0].1.requested, "{:?}", rel[0].1);
}

#[tokio::test]
async fn cards_read_well() {
    let a = app().await;
    let id = post_as(&a, "bob", "no tags here", "public").await;
    let (carol, csrf) = session(&a.app, "carol").await;
    let page = send(&a.app, "GET", &format!("/@bob/{id}"), None, "").await;
    // No stray separator without tags; plurals for nothing.
    assert!(
        page.body
            .contains("<p class=\"meta\">public · 0 replies · 0 likes</p>"),
        "{}",
        page.body
    );
    let created = a
        .node
        .post(&Viewer::Anonymous, id)
        .expect("post")
        .created_at;
    let rfc = node::model::rfc3339::format(created);
    let text = crate::public_pages::readable_time(created);
    assert!(page
        .body
        .contains(&format!("<time datetime=\"{rfc}\">{text}</time>")));
    assert!(text.ends_with(" UTC") && text != rfc, "{text}");

    // One like, one reply.
    let r = send(
        &a.app,
        "POST",
        &format!("/posts/{id}/like"),
        Some(&carol),
        &format!("csrf={csrf}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = send(
        &a.app,
        "POST",
        "/compose",
        Some(&carol),
        &format!("csrf={csrf}&content=indeed&visibility=public&in_reply_to={id}&back=/home"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = send(&a.app, "GET", &format!("/@bob/{id}"), None, "").await;
    assert!(
        page.body.contains("public · 1 reply · 1 like</p>"),
        "{}",
        page.body
    );

    // With tags, one separator after them.
    let id = post_as(&a, "bob", "about #rust", "public").await;
    let page = send(&a.app, "GET", &format!("/@bob/{id}"), None, "").await;
    assert!(
        page.body
            .contains("<a href=\"/tags/rust\">#rust</a> · public"),
        "{}",
        page.body
    );
}
