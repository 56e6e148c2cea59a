//! The members' app's group pages through the router (no socket): the
//! directory, the create and settings forms, joining and leaving, join
//! requests, reports of the group's posts, bans, roles, invitations,
//! private member lists, and the form tokens of every group form.

use axum::http::StatusCode;
use node::groups::{GroupMemberRole, Membership, NewGroup};

use super::tests::{app, app_with, session, viewer, App};
use crate::test_support::{send, Reply};

/// Creates the group `name` owned by `owner` through the node, with
/// `join_mode`, `visibility` and `category`.
async fn group(a: &App, owner: &str, name: &str, join_mode: &str, visibility: &str) {
    a.node
        .create_group(
            &viewer(a, owner),
            NewGroup {
                name: name.into(),
                display_name: Some(format!("The {name} group")),
                description: Some(format!("All about **{name}**.")),
                category: Some("making".into()),
                rules: vec!["Be kind.".into()],
                join_mode: Some(join_mode.into()),
                visibility: Some(visibility.into()),
                ..NewGroup::default()
            },
        )
        .await
        .expect("group");
}

/// Where `who` stands with the group `name`, as the node sees it.
fn membership(a: &App, who: &str, name: &str) -> Membership {
    a.node
        .group(&viewer(a, who), name)
        .expect("group")
        .viewer
        .expect("a viewer state")
        .membership
}

/// `who`'s role in the group `name`, when a member.
fn role(a: &App, who: &str, name: &str) -> Option<GroupMemberRole> {
    a.node
        .group(&viewer(a, who), name)
        .expect("group")
        .viewer
        .and_then(|v| v.role)
}

async fn post(a: &App, cookie: &str, uri: &str, form: &str) -> Reply {
    send(&a.app, "POST", uri, Some(cookie), form).await
}

/// Posts a form that carries only its token `csrf` (a button's form).
async fn button(a: &App, cookie: &str, uri: &str, csrf: &str) -> Reply {
    post(a, cookie, uri, &format!("csrf={csrf}")).await
}

async fn get(a: &App, cookie: &str, uri: &str) -> Reply {
    send(&a.app, "GET", uri, Some(cookie), "").await
}

/// A complete create form with `csrf`, `extra` appended (later fields win).
fn create_form(csrf: &str, extra: &str) -> String {
    format!(
        "csrf={csrf}&name=rustaceans&display_name=Rust+friends&description=We+write+**Rust**.\
         &category=programming&tags=rust+systems&rules=Be+kind.%0D%0A%0D%0ANo+spam.\
         &visibility=public&join_mode=open&member_limit=&posting=members{extra}"
    )
}

#[tokio::test]
async fn a_group_is_created_through_the_form_and_errors_stay_on_it() {
    let a = app().await;
    let (cookie, csrf) = session(&a.app, "bob").await;
    let page = get(&a, &cookie, "/groups/new").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<label for=\"name\">"));
    assert!(page.body.contains("<label for=\"member_limit\">"));

    // A bad name: 422 next to the name, everything typed kept.
    let r = post(
        &a,
        &cookie,
        "/groups",
        &create_form(&csrf, "&name=no+spaces"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"name-error\""), "{}", r.body);
    assert!(r.body.contains("aria-describedby=\"name-error\""));
    assert!(r.body.contains("value=\"Rust friends\""));
    assert!(r.body.contains("Be kind.\nNo spam.") || r.body.contains("Be kind.\r\n\r\nNo spam."));
    // A member limit that is no number: next to it.
    let r = post(
        &a,
        &cookie,
        "/groups",
        &create_form(&csrf, "&member_limit=lots"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"member_limit-error\""), "{}", r.body);
    assert!(r.body.contains("value=\"lots\""));
    // The node's own checks: a category that is no slug.
    let r = post(
        &a,
        &cookie,
        "/groups",
        &create_form(&csrf, "&category=not+a+slug%21"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"category-error\""), "{}", r.body);
    // A name a member has: 409 on the name field.
    let r = post(&a, &cookie, "/groups", &create_form(&csrf, "&name=carol")).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("id=\"name-error\""), "{}", r.body);
    assert!(r.body.contains("is already taken"));
    assert!(a.node.group(&viewer(&a, "bob"), "rustaceans").is_err());

    let r = post(&a, &cookie, "/groups", &create_form(&csrf, "")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/g/rustaceans?done=created");
    let view = a
        .node
        .group(&viewer(&a, "bob"), "rustaceans")
        .expect("created");
    assert_eq!(view.display_name, "Rust friends");
    assert_eq!(view.rules, ["Be kind.", "No spam."]);
    assert_eq!(view.tags, ["rust", "systems"]);
    assert_eq!(view.category.as_deref(), Some("programming"));
    assert_eq!(role(&a, "bob", "rustaceans"), Some(GroupMemberRole::Owner));

    let page = get(&a, &cookie, "/g/rustaceans?done=created").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<h1>Rust friends</h1>"), "{}", page.body);
    assert!(
        page.body.contains("<strong>Rust</strong>"),
        "the rendered description"
    );
    assert!(page.body.contains("<li>No spam.</li>"));
    assert!(page.body.contains("You are a member (Owner)"));
    assert!(page.body.contains("The group is created."));
    assert!(page.body.contains("href=\"/g/rustaceans/moderation\""));
    assert!(page.body.contains("href=\"/g/rustaceans/settings\""));
    assert!(
        !page.body.contains("action=\"/g/rustaceans/leave\""),
        "the owner cannot leave"
    );
    // The header links to the groups.
    assert!(page.body.contains("<a href=\"/groups\">Groups</a>"));
}

#[tokio::test]
async fn the_directory_lists_groups_and_filters_them() {
    let a = app().await;
    group(&a, "bob", "solder", "open", "public").await;
    group(&a, "bob", "knitting", "approval", "private").await;
    a.node
        .create_group(
            &viewer(&a, "carol"),
            NewGroup {
                name: "rustaceans".into(),
                category: Some("programming".into()),
                ..NewGroup::default()
            },
        )
        .await
        .expect("group");
    a.node
        .join_group(&viewer(&a, "carol"), "solder")
        .await
        .expect("join");
    let (cookie, _) = session(&a.app, "carol").await;

    let all = get(&a, &cookie, "/groups").await;
    assert_eq!(all.status, StatusCode::OK);
    assert!(all.body.contains("href=\"/groups/new\">Create a group</a>"));
    for name in ["solder", "knitting", "rustaceans"] {
        assert!(all.body.contains(&format!("href=\"/g/{name}\"")), "{name}");
    }
    assert!(all.body.contains("The knitting group"));
    assert!(all.body.contains("All about **knitting**."), "the excerpt");
    assert!(all.body.contains("2 members"), "solder has two");
    assert!(all.body.contains("Private"));
    assert!(all.body.contains("Joining needs a moderator"));

    let found = get(&a, &cookie, "/groups?q=KNIT").await;
    assert!(found.body.contains("href=\"/g/knitting\""));
    assert!(!found.body.contains("href=\"/g/solder\""));
    assert!(found.body.contains("value=\"KNIT\""), "the search is kept");

    let making = get(&a, &cookie, "/groups?category=making").await;
    assert!(making.body.contains("href=\"/g/solder\""));
    assert!(making.body.contains("href=\"/g/knitting\""));
    assert!(!making.body.contains("href=\"/g/rustaceans\""));

    let by_members = get(&a, &cookie, "/groups?sort=members").await;
    let solder = by_members.body.find("href=\"/g/solder\"").expect("solder");
    let rust = by_members
        .body
        .find("href=\"/g/rustaceans\"")
        .expect("rust");
    assert!(solder < rust, "most members first");

    let none = get(&a, &cookie, "/groups?q=nothing+like+it").await;
    assert!(none.body.contains("No group matches"));

    let bad = get(&a, &cookie, "/groups?category=not%20a%20slug").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("id=\"group-category-error\""),
        "{}",
        bad.body
    );
}

#[tokio::test]
async fn joining_an_open_group_and_leaving_it() {
    let a = app().await;
    group(&a, "bob", "solder", "open", "public").await;
    let (cookie, csrf) = session(&a.app, "carol").await;
    let page = get(&a, &cookie, "/g/solder").await;
    assert!(page.body.contains("action=\"/g/solder/join\""));
    assert!(!page.body.contains("href=\"/g/solder/moderation\""));

    let r = button(&a, &cookie, "/g/solder/join", &csrf).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/g/solder?done=joined");
    assert_eq!(membership(&a, "carol", "solder"), Membership::Member);
    let page = get(&a, &cookie, r.location()).await;
    assert!(page.body.contains("You are a member (Member)"));
    assert!(page.body.contains("action=\"/g/solder/leave\""));

    let r = button(&a, &cookie, "/g/solder/leave", &csrf).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/g/solder?done=left");
    assert_eq!(membership(&a, "carol", "solder"), Membership::None);

    // The owner cannot leave: the node says why.
    let (bob, bob_csrf) = session(&a.app, "bob").await;
    let r = button(&a, &bob, "/g/solder/leave", &bob_csrf).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("owner cannot leave"));
    // No such group.
    let r = get(&a, &bob, "/g/nothing").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_request_to_join_is_approved_on_the_moderation_page() {
    let a = app().await;
    group(&a, "bob", "knitting", "approval", "public").await;
    let (carol, carol_csrf) = session(&a.app, "carol").await;
    let page = get(&a, &carol, "/g/knitting").await;
    assert!(page.body.contains("Request to join"));

    let r = button(&a, &carol, "/g/knitting/join", &carol_csrf).await;
    assert_eq!(r.location(), "/g/knitting?done=requested");
    assert_eq!(membership(&a, "carol", "knitting"), Membership::Pending);
    let page = get(&a, &carol, r.location()).await;
    assert!(page.body.contains("Cancel request"));
    assert!(page.body.contains("action=\"/g/knitting/cancel\""));
    // Not a moderator: the moderation page is refused.
    let r = get(&a, &carol, "/g/knitting/moderation").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let (bob, bob_csrf) = session(&a.app, "bob").await;
    // The owner is told, with a link to the moderation page.
    let told = get(&a, &bob, "/notifications").await;
    assert!(
        told.body
            .contains("asked to join a group you moderate: <a href=\"/g/knitting/moderation\">The knitting group</a>"),
        "{}",
        told.body
    );
    let page = get(&a, &bob, "/g/knitting/moderation").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page
        .body
        .contains("action=\"/g/knitting/members/carol/approve\""));
    assert!(page
        .body
        .contains("action=\"/g/knitting/members/carol/reject\""));
    let r = button(&a, &bob, "/g/knitting/members/carol/approve", &bob_csrf).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/g/knitting/moderation?done=approved");
    assert_eq!(membership(&a, "carol", "knitting"), Membership::Member);
    let page = get(&a, &bob, r.location()).await;
    assert!(page.body.contains("No request waits"));
    assert!(page.body.contains("approved the request of"), "the log");
    let members = get(&a, &bob, "/g/knitting/members").await;
    assert!(members.body.contains("href=\"/@carol\""));
    let told = get(&a, &carol, "/notifications").await;
    assert!(told
        .body
        .contains("accepted you as a member: <a href=\"/g/knitting\">The knitting group</a>"));
}

#[tokio::test]
async fn a_request_is_rejected_or_withdrawn() {
    let a = app().await;
    group(&a, "bob", "knitting", "approval", "public").await;
    let (carol, carol_csrf) = session(&a.app, "carol").await;
    button(&a, &carol, "/g/knitting/join", &carol_csrf).await;
    let r = button(&a, &carol, "/g/knitting/cancel", &carol_csrf).await;
    assert_eq!(r.location(), "/g/knitting?done=cancelled");
    assert_eq!(membership(&a, "carol", "knitting"), Membership::None);

    button(&a, &carol, "/g/knitting/join", &carol_csrf).await;
    let (bob, bob_csrf) = session(&a.app, "bob").await;
    let r = button(&a, &bob, "/g/knitting/members/carol/reject", &bob_csrf).await;
    assert_eq!(r.location(), "/g/knitting/moderation?done=rejected");
    assert_eq!(membership(&a, "carol", "knitting"), Membership::None);
    let page = get(&a, &bob, r.location()).await;
    assert!(page.body.contains("The request is rejected."));
    assert!(page.body.contains("rejected the request of"));
    // No request left to answer.
    let r = button(&a, &bob, "/g/knitting/members/carol/approve", &bob_csrf).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_banned_member_cannot_join_until_the_ban_is_lifted() {
    let a = app().await;
    group(&a, "bob", "solder", "open", "public").await;
    let (carol, carol_csrf) = session(&a.app, "carol").await;
    button(&a, &carol, "/g/solder/join", &carol_csrf).await;
    let (bob, bob_csrf) = session(&a.app, "bob").await;

    // Nobody by that name: the error next to the name, the reason kept.
    let r = post(
        &a,
        &bob,
        "/g/solder/ban",
        &format!("csrf={bob_csrf}&username=nobody&reason=Spam+links"),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("id=\"ban-username-error\""), "{}", r.body);
    assert!(r.body.contains(">Spam links</textarea>"));
    assert!(r.body.contains("value=\"nobody\""));

    let r = post(
        &a,
        &bob,
        "/g/solder/ban",
        &format!("csrf={bob_csrf}&username=carol&reason=Spam+links"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/g/solder/moderation?done=banned");
    assert_eq!(membership(&a, "carol", "solder"), Membership::Banned);
    let log = get(&a, &bob, r.location()).await;
    assert!(log
        .body
        .contains("banned <a href=\"/@carol\">@carol</a>: Spam links"));

    let page = get(&a, &carol, "/g/solder").await;
    assert!(page.body.contains("You are banned from this group."));
    assert!(!page.body.contains("action=\"/g/solder/join\""));
    let r = button(&a, &carol, "/g/solder/join", &carol_csrf).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(membership(&a, "carol", "solder"), Membership::Banned);

    let r = post(
        &a,
        &bob,
        "/g/solder/unban",
        &format!("csrf={bob_csrf}&username=carol"),
    )
    .await;
    assert_eq!(r.location(), "/g/solder/moderation?done=unbanned");
    let r = button(&a, &carol, "/g/solder/join", &carol_csrf).await;
    assert_eq!(r.location(), "/g/solder?done=joined");
    // A ban to lift that is not there.
    let r = post(
        &a,
        &bob,
        "/g/solder/unban",
        &format!("csrf={bob_csrf}&username=carol"),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("id=\"unban-username-error\""));
}

#[tokio::test]
async fn moderators_change_roles_from_the_member_list() {
    let a = app().await;
    group(&a, "bob", "solder", "open", "public").await;
    a.node
        .join_group(&viewer(&a, "carol"), "solder")
        .await
        .expect("join");
    let (bob, bob_csrf) = session(&a.app, "bob").await;
    let list = get(&a, &bob, "/g/solder/members").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list
        .body
        .contains("action=\"/g/solder/members/carol/role\""));
    assert!(list.body.contains("Make moderator"));
    assert!(
        !list.body.contains("action=\"/g/solder/members/bob/role\""),
        "the owner's role does not change"
    );

    let r = post(
        &a,
        &bob,
        "/g/solder/members/carol/role",
        &format!("csrf={bob_csrf}&role=moderator&back=%2Fg%2Fsolder%2Fmembers"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/g/solder/members?done=role");
    assert_eq!(
        role(&a, "carol", "solder"),
        Some(GroupMemberRole::Moderator)
    );
    let list = get(&a, &bob, r.location()).await;
    assert!(list.body.contains("Make member"));
    assert!(list.body.contains("The role is changed."));
    // Now a moderator, carol reads the moderation page.
    let (carol, carol_csrf) = session(&a.app, "carol").await;
    assert_eq!(
        get(&a, &carol, "/g/solder/moderation").await.status,
        StatusCode::OK
    );
    // ...and cannot ban the owner: said next to the name.
    let r = post(
        &a,
        &carol,
        "/g/solder/ban",
        &format!("csrf={carol_csrf}&username=bob"),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("id=\"ban-username-error\""), "{}", r.body);

    let r = post(
        &a,
        &bob,
        "/g/solder/members/carol/role",
        &format!("csrf={bob_csrf}&role=member"),
    )
    .await;
    assert_eq!(r.location(), "/g/solder/moderation?done=role");
    assert_eq!(role(&a, "carol", "solder"), Some(GroupMemberRole::Member));
    assert_eq!(
        get(&a, &carol, "/g/solder/moderation").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_private_groups_members_are_for_its_members() {
    let a = app().await;
    group(&a, "bob", "secret", "approval", "private").await;
    let (carol, _) = session(&a.app, "carol").await;
    let page = get(&a, &carol, "/g/secret").await;
    assert_eq!(page.status, StatusCode::OK, "its about is public");
    assert!(page.body.contains("The secret group"));
    let r = get(&a, &carol, "/g/secret/members").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("1 member."), "{}", r.body);
    assert!(r.body.contains("visible to its members only"));
    assert!(!r.body.contains("href=\"/@bob\">"));
    let (bob, _) = session(&a.app, "bob").await;
    let r = get(&a, &bob, "/g/secret/members").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("href=\"/@bob\">"));
    assert!(r.body.contains("Owner"));
}

#[tokio::test]
async fn an_invitation_only_group_is_joined_with_an_invitation() {
    let a = app().await;
    group(&a, "bob", "club", "invite", "public").await;
    let (carol, carol_csrf) = session(&a.app, "carol").await;
    let page = get(&a, &carol, "/g/club").await;
    assert!(page.body.contains("open by invitation only"));
    assert!(!page.body.contains("action=\"/g/club/join\""));
    let r = button(&a, &carol, "/g/club/join", &carol_csrf).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let (bob, bob_csrf) = session(&a.app, "bob").await;
    let r = post(
        &a,
        &bob,
        "/g/club/invite",
        &format!("csrf={bob_csrf}&username=nobody"),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("id=\"invite-username-error\""));
    let r = post(
        &a,
        &bob,
        "/g/club/invite",
        &format!("csrf={bob_csrf}&username=carol"),
    )
    .await;
    assert_eq!(r.location(), "/g/club/moderation?done=invited");
    assert_eq!(membership(&a, "carol", "club"), Membership::Invited);
    let page = get(&a, &carol, "/g/club").await;
    assert!(page.body.contains("You are invited"));
    let r = button(&a, &carol, "/g/club/join", &carol_csrf).await;
    assert_eq!(r.location(), "/g/club?done=joined");
}

#[tokio::test]
async fn settings_are_saved_and_a_group_is_deleted_once_confirmed() {
    let a = app().await;
    group(&a, "bob", "solder", "open", "public").await;
    let (carol, _) = session(&a.app, "carol").await;
    assert_eq!(
        get(&a, &carol, "/g/solder/settings").await.status,
        StatusCode::FORBIDDEN
    );
    let (bob, csrf) = session(&a.app, "bob").await;
    let page = get(&a, &bob, "/g/solder/settings").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("value=\"The solder group\""));
    assert!(page.body.contains("All about **solder**.</textarea>"));
    assert!(page.body.contains(
        "id=\"join_mode-open\" name=\"join_mode\" type=\"radio\" value=\"open\" checked"
    ));

    let form = |extra: &str| {
        format!(
            "csrf={csrf}&display_name=Solder+club&description=Irons.&category=&tags=&rules=\
             &visibility=private&join_mode=approval&member_limit=50&posting=moderators{extra}"
        )
    };
    let r = post(&a, &bob, "/g/solder/settings", &form("&member_limit=-3")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"member_limit-error\""), "{}", r.body);
    assert!(
        r.body.contains("value=\"Solder club\""),
        "what was typed is kept"
    );
    assert_eq!(
        a.node
            .group(&viewer(&a, "bob"), "solder")
            .expect("group")
            .display_name,
        "The solder group"
    );
    let r = post(&a, &bob, "/g/solder/settings", &form("")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/g/solder?done=saved");
    let view = a.node.group(&viewer(&a, "bob"), "solder").expect("group");
    assert_eq!(view.display_name, "Solder club");
    assert_eq!(view.member_limit, Some(50));
    assert_eq!(view.category, None);
    assert!(view.rules.is_empty());

    let r = button(&a, &bob, "/g/solder/delete", &csrf).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"confirm-error\""));
    assert!(a.node.group(&viewer(&a, "bob"), "solder").is_ok());
    let r = post(
        &a,
        &bob,
        "/g/solder/delete",
        &format!("csrf={csrf}&confirm=on"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/groups?done=deleted");
    assert_eq!(
        get(&a, &bob, "/g/solder").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn every_group_form_needs_this_sessions_token() {
    let a = app().await;
    group(&a, "bob", "solder", "open", "public").await;
    group(&a, "bob", "knitting", "approval", "public").await;
    a.node
        .join_group(&viewer(&a, "carol"), "solder")
        .await
        .expect("join");
    a.node
        .join_group(&viewer(&a, "carol"), "knitting")
        .await
        .expect("request");
    let (bob, _) = session(&a.app, "bob").await;
    let (carol, _) = session(&a.app, "carol").await;
    let kept = a
        .node
        .create_post(
            &viewer(&a, "carol"),
            node::posts::NewPost {
                content: "Kept".into(),
                group: Some("solder".into()),
                ..node::posts::NewPost::default()
            },
        )
        .await
        .expect("post");
    let remove = format!("/g/solder/posts/{}/remove", kept.id);
    let forms: [(&str, &str, &str); 14] = [
        (&bob, "/groups", "name=forged&display_name=Forged"),
        (&carol, "/g/solder/leave", ""),
        (&carol, "/g/knitting/cancel", ""),
        (&carol, "/g/solder/join", ""),
        (
            &bob,
            "/g/solder/settings",
            "display_name=Forged&visibility=public&join_mode=open&posting=members",
        ),
        (&bob, "/g/solder/delete", "confirm=on"),
        (&bob, "/g/knitting/members/carol/approve", ""),
        (&bob, "/g/knitting/members/carol/reject", ""),
        (&bob, "/g/solder/members/carol/role", "role=moderator"),
        (&bob, "/g/solder/ban", "username=carol&reason=Forged"),
        (&bob, "/g/solder/unban", "username=carol"),
        (&bob, "/g/knitting/invite", "username=carol"),
        (&carol, "/g/solder/members/carol/role", "role=moderator"),
        (&bob, &remove, "reason=Forged"),
    ];
    for (cookie, uri, fields) in forms {
        for token in ["", "csrf=wrong&"] {
            let r = post(&a, cookie, uri, &format!("{token}{fields}")).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri} with {token:?}");
        }
    }
    assert!(a.node.group(&viewer(&a, "bob"), "forged").is_err());
    let solder = a.node.group(&viewer(&a, "bob"), "solder").expect("kept");
    assert_eq!(solder.display_name, "The solder group");
    assert_eq!(membership(&a, "carol", "solder"), Membership::Member);
    assert_eq!(role(&a, "carol", "solder"), Some(GroupMemberRole::Member));
    assert_eq!(membership(&a, "carol", "knitting"), Membership::Pending);
    assert!(
        a.node.post(&viewer(&a, "bob"), kept.id).is_ok(),
        "not removed"
    );
    let log = a
        .node
        .group_modlog(&viewer(&a, "bob"), "solder", &node::PageRequest::first(40))
        .expect("log");
    assert_eq!(log.items.len(), 1, "only the creation is logged");
}

#[tokio::test]
async fn visitors_are_sent_to_sign_in() {
    let a = app().await;
    group(&a, "bob", "solder", "open", "public").await;
    for uri in [
        "/groups",
        "/groups/new",
        "/g/solder",
        "/g/solder/members",
        "/g/solder/settings",
        "/g/solder/moderation",
    ] {
        let r = send(&a.app, "GET", uri, None, "").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{uri}");
        assert_eq!(r.location(), "/login", "{uri}");
    }
    for uri in ["/groups", "/g/solder/join", "/g/solder/ban"] {
        let r = send(&a.app, "POST", uri, None, "csrf=x&name=visitor").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{uri}");
        assert_eq!(r.location(), "/login", "{uri}");
    }
    assert!(a.node.group(&viewer(&a, "bob"), "visitor").is_err());
}

#[tokio::test]
async fn members_post_in_a_group_from_its_page_and_read_its_feed() {
    let a = app().await;
    group(&a, "bob", "makers", "open", "private").await;
    let (carol, carol_csrf) = session(&a.app, "carol").await;
    // Not a member of a private group: no posts, no form, the reason said.
    let page = get(&a, &carol, "/g/makers").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("name=\"group\""), "{}", page.body);
    assert!(page.body.contains("for its members"), "{}", page.body);
    // A member: the form posts in the group, back to its page.
    let r = button(&a, &carol, "/g/makers/join", &carol_csrf).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = get(&a, &carol, "/g/makers").await;
    assert!(
        page.body.contains("name=\"group\" value=\"makers\""),
        "{}",
        page.body
    );
    let r = post(
        &a,
        &carol,
        "/compose",
        &format!("csrf={carol_csrf}&back=%2Fg%2Fmakers&group=makers&content=First+in+the+group&visibility=public"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/g/makers");
    let home = get(&a, &carol, "/home").await;
    assert!(
        home.body
            .contains("in <a href=\"/g/makers\">The makers group</a>"),
        "a group post's card names its group: {}",
        home.body
    );
    for sort in ["new", "hot", "top"] {
        let page = get(&a, &carol, &format!("/g/makers?sort={sort}")).await;
        assert!(
            page.body.contains("First in the group"),
            "{sort}: {}",
            page.body
        );
        assert!(page.body.contains("aria-current=\"page\""), "{sort}");
    }
    // The post stays in the private group: not on the node's local feed
    // for someone outside it.
    let (dave, _) = {
        a.node
            .create_member(
                node::members::NewMember {
                    username: "dave".into(),
                    email: "dave@k.test".into(),
                    password: "password123".into(),
                    ..node::members::NewMember::default()
                },
                node::model::Role::Member,
            )
            .await
            .expect("dave");
        session(&a.app, "dave").await
    };
    let local = get(&a, &dave, "/local").await;
    assert!(!local.body.contains("First in the group"));
    let page = get(&a, &dave, "/g/makers").await;
    assert!(!page.body.contains("First in the group"));
}

#[tokio::test]
async fn the_moderation_page_shows_reports_and_bans_and_acts_on_them() {
    use node::model::Role;
    use node::moderation::NewReport;
    use node::posts::NewPost;

    let a = app_with(
        &[
            ("bob", Role::Member),
            ("carol", Role::Member),
            ("dave", Role::Member),
        ],
        |_| {},
        crate::WebSettings::default(),
    )
    .await;
    group(&a, "bob", "solder", "open", "public").await;
    for who in ["carol", "dave"] {
        a.node
            .join_group(&viewer(&a, who), "solder")
            .await
            .expect("join");
    }
    let dave = viewer(&a, "dave");
    let mut posts = Vec::new();
    for (group, title) in [(Some("solder"), "Cheap solder"), (None, "Elsewhere")] {
        let p = a
            .node
            .create_post(
                &dave,
                NewPost {
                    title: Some(title.into()),
                    content: "Buy now".into(),
                    group: group.map(Into::into),
                    ..NewPost::default()
                },
            )
            .await
            .expect("post");
        posts.push(p.id);
    }
    for (post, comment) in [
        (posts[0], "Spam in the group"),
        (posts[1], "Spam elsewhere"),
    ] {
        a.node
            .create_report(
                &viewer(&a, "carol"),
                NewReport {
                    target_id: dave.id().expect("id"),
                    post_ids: vec![post],
                    comment: comment.into(),
                    category: Some("spam".into()),
                    forward: false,
                },
            )
            .await
            .expect("report");
    }

    let (bob, bob_csrf) = session(&a.app, "bob").await;
    let page = get(&a, &bob, "/g/solder/moderation").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = &page.body;
    assert!(
        body.contains("<h2 id=\"reports-heading\">Reports of the group's posts</h2>"),
        "{body}"
    );
    assert!(body.contains("Spam in the group"), "{body}");
    assert!(!body.contains("Spam elsewhere"), "a post outside the group");
    assert!(body.contains("Reported by <a href=\"/@carol\">@carol</a>"));
    assert!(body.contains(&format!("href=\"/@dave/{}\">Cheap solder</a>", posts[0])));
    let remove = format!("/g/solder/posts/{}/remove", posts[0]);
    assert!(body.contains(&format!("action=\"{remove}\"")));
    assert!(body.contains("name=\"username\" value=\"dave\""));
    assert!(body.contains("only the node's moderators close a report"));
    assert!(body.contains("Nobody is banned."));
    // A plain member reads none of it.
    let (carol, _) = session(&a.app, "carol").await;
    let r = get(&a, &carol, "/g/solder/moderation").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Ban the author from the report: listed with who, why and an Unban.
    let r = post(
        &a,
        &bob,
        "/g/solder/ban",
        &format!("csrf={bob_csrf}&username=dave&reason=Selling+solder"),
    )
    .await;
    assert_eq!(r.location(), "/g/solder/moderation?done=banned");
    assert_eq!(membership(&a, "dave", "solder"), Membership::Banned);
    let page = get(&a, &bob, r.location()).await;
    assert!(!page.body.contains("Nobody is banned."));
    assert!(
        page.body.contains("Reason: Selling solder"),
        "{}",
        page.body
    );
    assert!(page.body.contains("banned by <a href=\"/@bob\">@bob</a>"));
    assert!(page
        .body
        .contains("Unban <span class=\"sr-only\">@dave</span>"));

    // Remove the reported post: the report leaves the list.
    let r = post(
        &a,
        &bob,
        &remove,
        &format!("csrf={bob_csrf}&back=%2Fg%2Fsolder%2Fmoderation&reason=Advertising"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/g/solder/moderation?done=removed");
    let page = get(&a, &bob, r.location()).await;
    assert!(page.body.contains("The post is removed from the group."));
    assert!(page
        .body
        .contains("No open report names a post of this group."));
    assert!(page.body.contains(": Advertising"), "the log");
    // A post that is not there (or not the group's) is a 404.
    let r = post(&a, &bob, &remove, &format!("csrf={bob_csrf}&reason=Again")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = post(
        &a,
        &bob,
        "/g/solder/posts/nonsense/remove",
        &format!("csrf={bob_csrf}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Unban from the list.
    let r = post(
        &a,
        &bob,
        "/g/solder/unban",
        &format!("csrf={bob_csrf}&username=dave"),
    )
    .await;
    assert_eq!(r.location(), "/g/solder/moderation?done=unbanned");
    assert_eq!(membership(&a, "dave", "solder"), Membership::None);
    let page = get(&a, &bob, r.location()).await;
    assert!(page.body.contains("Nobody is banned."));
}
