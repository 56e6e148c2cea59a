//! Every Mastodon entity this node renders, compared field for field
//! with a recorded snapshot (`entities.snapshot.json` beside this file),
//! so a change of shape — a field missing, renamed, moved, retyped, or
//! `null` turned absent — fails here. Ids, dates, tokens and secrets are masked.
//! `KODEON_UPDATE_SNAPSHOT=1` rewrites the snapshot.

use axum::body::{to_bytes, Body};
use axum::http::Request;
use serde_json::{Map, Value};
use tower::ServiceExt;

use super::{app, multipart_png, App};

const SNAPSHOT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/src/mastodon/tests/entities.snapshot.json"
);

/// Keys whose values differ from run to run.
const MASKED_KEYS: &[&str] = &["access_token", "client_id", "client_secret", "created_at"];

/// Whether `s` is a ULID (26 Crockford base32 characters).
fn is_ulid(s: &[u8]) -> bool {
    s.len() == 26
        && s.iter()
            .all(|c| c.is_ascii_digit() || (c.is_ascii_uppercase() && !b"ILOU".contains(c)))
}

/// Whether `s` is 32 lowercase hex digits (a media file's random part).
fn is_hex(s: &[u8]) -> bool {
    s.len() == 32
        && s.iter()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
}

/// Replaces every ULID inside `s` with `<id>`, every media file's random
/// part with `<hex>`.
fn mask_ids(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < bytes.len() {
        if i + 26 <= bytes.len() && is_ulid(&bytes[i..i + 26]) {
            out.push_str("<id>");
            i += 26;
        } else if i + 32 <= bytes.len() && is_hex(&bytes[i..i + 32]) {
            out.push_str("<hex>");
            i += 32;
        } else {
            let ch = s[i..].chars().next().unwrap_or_default();
            out.push(ch);
            i += ch.len_utf8().max(1);
        }
    }
    out
}

/// Whether `s` is an RFC 3339 date-time.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 20 && b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && s.ends_with('Z')
}

fn mask(v: &Value) -> Value {
    match v {
        Value::String(s) if is_date(s) => Value::String("<date>".into()),
        Value::String(s) => Value::String(mask_ids(s)),
        Value::Array(items) => Value::Array(items.iter().map(mask).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if MASKED_KEYS.contains(&k.as_str()) && !v.is_null() {
                        Value::String("<masked>".into())
                    } else {
                        mask(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Records responses under labels.
#[derive(Default)]
struct Recorder(Map<String, Value>);

impl Recorder {
    fn keep(&mut self, label: &str, v: &Value) {
        self.0.insert(label.to_string(), mask(v));
    }
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}

async fn delete(a: &App, uri: &str, token: &str) -> Value {
    a.send(
        "DELETE",
        uri,
        Some(token),
        "application/json",
        String::new(),
    )
    .await
    .1
}

async fn upload(a: &App, token: &str) -> Value {
    let (ct, body) = multipart_png();
    let req = Request::builder()
        .method("POST")
        .uri("/api/v2/media")
        .header("content-type", ct)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(body))
        .expect("request");
    let res = a.router.clone().oneshot(req).await.expect("response");
    let bytes = to_bytes(res.into_body(), 1 << 20).await.expect("body");
    serde_json::from_slice(&bytes).expect("media json")
}

#[tokio::test]
async fn entities_keep_their_recorded_shape() {
    let a = app();
    let mut rec = Recorder::default();
    // Apps, tokens, sign-up.
    let (_, created) = a
        .form(
            "/api/v1/apps",
            None,
            "client_name=snap&redirect_uris=urn:ietf:wg:oauth:2.0:oob&scopes=read+write&website=https://app.test",
        )
        .await;
    rec.keep("app_created", &created);
    let (cid, secret) = (
        created["client_id"]
            .as_str()
            .expect("client_id")
            .to_string(),
        created["client_secret"]
            .as_str()
            .expect("secret")
            .to_string(),
    );
    let (_, cc) = a
        .form(
            "/oauth/token",
            None,
            &format!(
                "grant_type=client_credentials&client_id={cid}&client_secret={secret}&scope=read"
            ),
        )
        .await;
    rec.keep("token_client_credentials", &cc);
    let app_token = cc["access_token"].as_str().expect("token").to_string();
    let (_, verified, _) = a
        .get("/api/v1/apps/verify_credentials", Some(&app_token))
        .await;
    rec.keep("app_verified", &verified);
    let (_, bad_grant) = a.form("/oauth/token", None, "grant_type=password").await;
    rec.keep("oauth_error", &bad_grant);
    let (_, revoked) = a
        .form(
            "/oauth/revoke",
            None,
            &format!("client_id={cid}&client_secret={secret}&token={app_token}"),
        )
        .await;
    rec.keep("oauth_revoked", &revoked);
    let (_, _, alice) = a.member("alice", "read+write+follow").await;
    let (_, _, bob) = a.member("bob", "read+write+follow").await;
    let (_, _, carol) = a.member("carol", "read+write+follow").await;
    let signed_up = {
        let (_, app2) = a
            .form(
                "/api/v1/apps",
                None,
                "client_name=t&redirect_uris=urn:ietf:wg:oauth:2.0:oob&scopes=write",
            )
            .await;
        let (i, s) = (
            app2["client_id"].as_str().expect("id").to_string(),
            app2["client_secret"].as_str().expect("secret").to_string(),
        );
        let (_, cc) = a
            .form(
                "/oauth/token",
                None,
                &format!(
                    "grant_type=client_credentials&client_id={i}&client_secret={s}&scope=write"
                ),
            )
            .await;
        let t = cc["access_token"].as_str().expect("token").to_string();
        let (_, signed_up, _) = a
            .send(
                "POST",
                "/api/v1/accounts",
                Some(&t),
                "application/json",
                r#"{"username":"dave","email":"dave@k.test","password":"password123","agreement":true}"#.into(),
            )
            .await;
        signed_up
    };
    rec.keep("token_sign_up", &signed_up);

    // Accounts and relationships.
    let (_, me) = a
        .send(
            "PATCH",
            "/api/v1/accounts/update_credentials",
            Some(&alice),
            "application/x-www-form-urlencoded",
            "display_name=Alice+A.&note=Hi+%3Cthere%3E%0A%0Asecond&fields_attributes[0][name]=site&fields_attributes[0][value]=https://a.test/%3Cx%3E"
                .into(),
        )
        .await
        .into_pair();
    rec.keep("credential_account_updated", &me);
    let (_, me, _) = a
        .get("/api/v1/accounts/verify_credentials", Some(&alice))
        .await;
    rec.keep("credential_account", &me);
    let alice_id = id(&me);
    let (_, bob_me, _) = a
        .get("/api/v1/accounts/verify_credentials", Some(&bob))
        .await;
    let bob_id = id(&bob_me);
    let (_, shown, _) = a.get(&format!("/api/v1/accounts/{alice_id}"), None).await;
    rec.keep("account", &shown);
    let (_, looked, _) = a.get("/api/v1/accounts/lookup?acct=bob", None).await;
    rec.keep("account_lookup", &looked);
    let (_, rel) = a
        .form(
            &format!("/api/v1/accounts/{alice_id}/follow"),
            Some(&bob),
            "",
        )
        .await;
    rec.keep("relationship_follow", &rel);
    let (_, rels, _) = a
        .get(
            &format!("/api/v1/accounts/relationships?id[]={alice_id}&id[]={bob_id}"),
            Some(&bob),
        )
        .await;
    rec.keep("relationships", &rels);
    let (_, muted) = a
        .form(&format!("/api/v1/accounts/{bob_id}/mute"), Some(&carol), "")
        .await;
    rec.keep("relationship_mute", &muted);
    let (_, followers, _) = a
        .get(&format!("/api/v1/accounts/{alice_id}/followers"), None)
        .await;
    rec.keep("followers", &followers);
    let (_, found, _) = a.get("/api/v1/accounts/search?q=ali", Some(&bob)).await;
    rec.keep("account_search", &found);

    // Statuses.
    let media = upload(&a, &alice).await;
    rec.keep("media_uploaded", &media);
    let media_id = id(&media);
    let (_, shown_media, _) = a
        .get(&format!("/api/v1/media/{media_id}"), Some(&alice))
        .await;
    rec.keep("media_shown", &shown_media);
    let (_, first) = a
        .form(
            "/api/v1/statuses",
            Some(&alice),
            &format!("status=hello+%40bob+%23kodeon&media_ids[]={media_id}&language=en"),
        )
        .await;
    rec.keep("status_with_media_mention_tag", &first);
    let first_id = id(&first);
    let (_, private) = a
        .form(
            "/api/v1/statuses",
            Some(&alice),
            "status=secret&visibility=private&sensitive=1&spoiler_text=cw",
        )
        .await;
    rec.keep("status_private", &private);
    let (_, reply) = a
        .form(
            "/api/v1/statuses",
            Some(&bob),
            &format!("status=nice&in_reply_to_id={first_id}"),
        )
        .await;
    rec.keep("status_reply", &reply);
    let (_, edited) = a
        .send(
            "PUT",
            &format!("/api/v1/statuses/{first_id}"),
            Some(&alice),
            "application/x-www-form-urlencoded",
            "status=hello+again".into(),
        )
        .await
        .into_pair();
    rec.keep("status_edited", &edited);
    let (_, fav) = a
        .form(
            &format!("/api/v1/statuses/{first_id}/favourite"),
            Some(&bob),
            "",
        )
        .await;
    rec.keep("status_favourited", &fav);
    let (_, bookmarked) = a
        .form(
            &format!("/api/v1/statuses/{first_id}/bookmark"),
            Some(&bob),
            "",
        )
        .await;
    rec.keep("status_bookmarked", &bookmarked);
    let (_, boost) = a
        .form(
            &format!("/api/v1/statuses/{first_id}/reblog"),
            Some(&bob),
            "",
        )
        .await;
    rec.keep("status_reblog", &boost);
    let (_, ctx, _) = a
        .get(
            &format!("/api/v1/statuses/{first_id}/context"),
            Some(&alice),
        )
        .await;
    rec.keep("context", &ctx);
    let (_, source, _) = a
        .get(&format!("/api/v1/statuses/{first_id}/source"), Some(&alice))
        .await;
    rec.keep("status_source", &source);
    let (_, home, _) = a.get("/api/v1/timelines/home", Some(&bob)).await;
    rec.keep("timeline_home", &home);
    let (_, public, _) = a.get("/api/v1/timelines/public", None).await;
    rec.keep("timeline_public", &public);
    let (_, favd_by, _) = a
        .get(&format!("/api/v1/statuses/{first_id}/favourited_by"), None)
        .await;
    rec.keep("favourited_by", &favd_by);

    // Direct messages.
    let (_, dm) = a
        .form(
            "/api/v1/statuses",
            Some(&carol),
            "status=%40alice+psst&visibility=direct",
        )
        .await;
    rec.keep("status_direct", &dm);
    let (_, convs, _) = a.get("/api/v1/conversations", Some(&alice)).await;
    rec.keep("conversations", &convs);
    let (_, read) = a
        .form(
            &format!("/api/v1/conversations/{}/read", id(&dm)),
            Some(&alice),
            "",
        )
        .await;
    rec.keep("conversation_read", &read);
    let removed = delete(&a, &format!("/api/v1/conversations/{}", id(&dm)), &alice).await;
    rec.keep("conversation_removed", &removed);

    // Notifications, markers.
    let (_, notes, _) = a.get("/api/v1/notifications", Some(&alice)).await;
    rec.keep("notifications", &notes);
    let first_note = notes[0]["id"].as_str().expect("note id").to_string();
    let (_, note, _) = a
        .get(&format!("/api/v1/notifications/{first_note}"), Some(&alice))
        .await;
    rec.keep("notification", &note);
    let (_, dismissed) = a
        .form(
            &format!("/api/v1/notifications/{first_note}/dismiss"),
            Some(&alice),
            "",
        )
        .await;
    rec.keep("notification_dismissed", &dismissed);
    let (_, marked) = a
        .form(
            "/api/v1/markers",
            Some(&alice),
            &format!("home[last_read_id]={first_id}"),
        )
        .await;
    rec.keep("markers_set", &marked);
    let (_, markers, _) = a
        .get(
            "/api/v1/markers?timeline[]=home&timeline[]=notifications",
            Some(&alice),
        )
        .await;
    rec.keep("markers", &markers);

    // Search, reports, instance.
    let (_, found, _) = a.get("/api/v2/search?q=kodeon", Some(&bob)).await;
    rec.keep("search_hashtags", &found);
    let (_, found, _) = a.get("/api/v2/search?q=ali", Some(&bob)).await;
    rec.keep("search_accounts", &found);
    let (_, found, _) = a.get("/api/v2/search?q=hello", Some(&bob)).await;
    rec.keep("search_statuses", &found);
    let (_, report) = a
        .form(
            "/api/v1/reports",
            Some(&bob),
            &format!("account_id={alice_id}&status_ids[]={first_id}&comment=spam&category=spam"),
        )
        .await;
    rec.keep("report", &report);
    let deleted = delete(&a, &format!("/api/v1/statuses/{}", id(&private)), &alice).await;
    rec.keep("status_deleted", &deleted);
    let (_, cleared) = a
        .form("/api/v1/notifications/clear", Some(&alice), "")
        .await;
    rec.keep("notifications_cleared", &cleared);
    for (label, uri) in [
        ("instance_v1", "/api/v1/instance"),
        ("instance_v2", "/api/v2/instance"),
        ("instance_rules", "/api/v1/instance/rules"),
        ("instance_peers", "/api/v1/instance/peers"),
        ("custom_emojis", "/api/v1/custom_emojis"),
        ("error_not_found", "/api/v1/statuses/nope"),
        ("error_unauthorized", "/api/v1/accounts/verify_credentials"),
    ] {
        let (_, v, _) = a.get(uri, None).await;
        rec.keep(label, &v);
    }

    let got = Value::Object(rec.0);
    let pretty = serde_json::to_string_pretty(&got).expect("json") + "\n";
    if std::env::var_os("KODEON_UPDATE_SNAPSHOT").is_some() {
        std::fs::write(SNAPSHOT, &pretty).expect("write snapshot");
        return;
    }
    let recorded: Value =
        serde_json::from_str(&std::fs::read_to_string(SNAPSHOT).expect("snapshot file"))
            .expect("snapshot json");
    let (Value::Object(want), Value::Object(got)) = (&recorded, &got) else {
        panic!("snapshots are objects");
    };
    // Compared as text, so the order of fields counts too.
    for (label, want) in want {
        let text = |v: Option<&Value>| serde_json::to_string_pretty(&v).unwrap_or_default();
        assert_eq!(text(got.get(label)), text(Some(want)), "{label} changed");
    }
    assert_eq!(got.len(), want.len(), "labels added or removed");
}

trait IntoPair {
    fn into_pair(self) -> (axum::http::StatusCode, Value);
}

impl IntoPair for (axum::http::StatusCode, Value, axum::http::HeaderMap) {
    fn into_pair(self) -> (axum::http::StatusCode, Value) {
        (self.0, self.1)
    }
}
