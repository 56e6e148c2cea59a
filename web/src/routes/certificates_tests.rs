//! The certificate routes without a socket: the holder's list, the
//! credential, the public page's verdict, revocation and the status list.
//! With `KODEON_CERTIFICATE_FIXTURES=DIR` set, the test also writes what the
//! routes answered to DIR for an independent verifier (tests/interop/vc/):
//! `issued.json`, `status-before.json` and `status-after.json` (the status
//! list before and after the revocation).

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use node::courses::{LessonInput, NewCourse};
use protocol::credentials::contexts::Bundled;
use protocol::credentials::verify::{check_status, parse, verify_credential, Timestamp};
use serde_json::Value;

use crate::routes::test_api::TestApi;

fn app() -> TestApi {
    TestApi::new()
}

#[tokio::test]
async fn a_certificate_is_listed_downloaded_shown_verified_and_revoked() {
    let app = app();
    let alice = app.viewer("alice").await;
    let alice_token = app.token("alice", &[]).await;
    let bob = app.viewer("bob").await;
    let bob_token = app.token("bob", &[]).await;
    let course = app
        .node
        .create_course(
            &alice,
            NewCourse {
                title: "Composting <fast>".into(),
                status: Some("published".into()),
                certificate: true,
                ..NewCourse::default()
            },
        )
        .await
        .expect("course")
        .course
        .id;
    let module = app
        .node
        .add_module(&alice, course, "One")
        .await
        .expect("module");
    let lesson = app
        .node
        .add_lesson(
            &alice,
            module.id,
            LessonInput {
                title: "Heat".into(),
                body: "Turn it.".into(),
                minutes: 3,
            },
        )
        .await
        .expect("lesson");
    app.node.enrol_in_course(&bob, course).await.expect("enrol");
    app.node
        .mark_lesson_done(&bob, lesson.id)
        .await
        .expect("done");

    let list = app
        .request(Some(&bob_token), "GET", "/api/kodeon/v1/me/certificates")
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let items = list.json();
    assert_eq!(items.as_array().map(Vec::len), Some(1));
    let id = items[0]["id"].as_str().expect("id").to_string();
    assert_eq!(items[0]["title"], "Composting <fast>");
    assert_eq!(items[0]["revoked_at"], Value::Null);
    assert_eq!(
        app.request(None, "GET", "/api/kodeon/v1/me/certificates")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    // The credential, as a file anyone can take and check offline.
    let json = app
        .request(None, "GET", &format!("/api/kodeon/v1/certificates/{id}"))
        .await;
    assert_eq!(json.status, StatusCode::OK);
    assert!(json.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .expect("ascii")
        .contains(&format!("certificate-{id}.json")));
    let credential = parse(json.body.as_bytes()).expect("credential");
    let now = Timestamp::now();
    let report = verify_credential(&credential, now, &Bundled);
    assert!(report.valid(), "{:?}", report.checks);
    let entry = report.status[0].clone();
    let path = entry
        .list_url
        .strip_prefix("https://k.test")
        .expect("a URL of this node")
        .to_string();

    // The page escapes what it shows and says it verified.
    let page = app
        .request(None, "GET", &format!("/certificates/{id}"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Composting &#60;fast&#62;")
            || page.body.contains("Composting &lt;fast&gt;"),
        "{}",
        page.body
    );
    assert!(page.body.contains("id=\"verdict\">Valid"), "{}", page.body);
    assert!(page.body.contains(&app.node.node_did()));

    // The status list, signed, says not revoked.
    let status = app.request(None, "GET", &path).await;
    assert_eq!(status.status, StatusCode::OK, "{}", status.body);
    let list = parse(status.body.as_bytes()).expect("list");
    let issuer = app.node.node_did();
    let fixtures = std::env::var_os("KODEON_CERTIFICATE_FIXTURES").map(std::path::PathBuf::from);
    if let Some(dir) = &fixtures {
        std::fs::create_dir_all(dir).expect("fixtures dir");
        std::fs::write(dir.join("issued.json"), &json.body).expect("write");
        std::fs::write(dir.join("status-before.json"), &status.body).expect("write");
    }
    assert_eq!(
        check_status(&entry, &list, &issuer, now, &Bundled),
        Ok(false)
    );

    // The holder may not revoke; the instructor may.
    let revoke = format!("/api/kodeon/v1/certificates/{id}/revoke");
    assert_eq!(
        app.request(Some(&bob_token), "POST", &revoke).await.status,
        StatusCode::FORBIDDEN
    );
    let revoked = app.request(Some(&alice_token), "POST", &revoke).await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    assert!(revoked.json()["revoked_at"].is_string());

    let status = app.request(None, "GET", &path).await;
    let list = parse(status.body.as_bytes()).expect("list");
    assert_eq!(
        check_status(&entry, &list, &issuer, now, &Bundled),
        Ok(true)
    );
    if let Some(dir) = &fixtures {
        std::fs::write(dir.join("status-after.json"), &status.body).expect("write");
    }
    let page = app
        .request(None, "GET", &format!("/certificates/{id}"))
        .await;
    assert!(
        page.body.contains("id=\"verdict\">Not valid"),
        "{}",
        page.body
    );
    assert!(page.body.contains("revoked by its issuer"));

    // Bob hands his certificate to... this same node: it verifies and is
    // his, so it is kept (what another node's certificate goes through).
    let req = Request::builder()
        .method("POST")
        .uri("/api/kodeon/v1/me/certificates/imported")
        .header("authorization", format!("Bearer {bob_token}"))
        .header("content-type", "application/json")
        .body(Body::from(json.body.clone()))
        .expect("request");
    let res = app.exchange(req).await;
    assert_eq!(res.status, StatusCode::CREATED);
    let req = Request::builder()
        .method("POST")
        .uri("/api/kodeon/v1/me/certificates/imported")
        .header("authorization", format!("Bearer {alice_token}"))
        .header("content-type", "application/json")
        .body(Body::from(json.body.clone()))
        .expect("request");
    let res = app.exchange(req).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "not alice's");
    let mine = app
        .request(
            Some(&bob_token),
            "GET",
            "/api/kodeon/v1/me/certificates/imported",
        )
        .await;
    assert_eq!(mine.json()[0]["name"], "Composting <fast>");

    // Unknown ids and lists.
    assert_eq!(
        app.request(None, "GET", "/certificates/01J00000000000000000000000")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.request(None, "GET", "/certificates/status/9")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
