//! Courses across two Kodeon nodes: an instructor on A publishes a
//! course to her followers; a member of B looks it up, enrols (`Join`,
//! A's `Accept`), signs in at A with his home account and completes it on
//! A's pages, and receives its certificate at home, where it verifies; an
//! impostor's answers are refused.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::fake_remote::FakeRemote;
use crate::harness::{browser, csrf, eventually, follow_across, set_cookie, TestNode};

/// An answer (`Accept`, `Reject`) of bob's `Join` of `course` on `b` by
/// the fake server's actor `eve`.
fn impostor_answer(fake: &FakeRemote, kind: &str, b: &TestNode, course: &str) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": fake.url(&format!("/answers/{kind}")),
        "type": kind,
        "actor": fake.actor("eve"),
        "object": format!("http://{}/users/bob/course-joins/{course}/1", b.domain()),
    })
}

#[tokio::test]
async fn a_member_of_another_node_enrols_completes_and_gets_the_certificate_at_home() {
    let a = TestNode::start_federated().await;
    let b = TestNode::start_federated().await;
    let fake = FakeRemote::start().await;
    fake.add_actor("eve");
    let ann = a.register("ann").await;
    let bob = b.register("bob").await;
    follow_across(&b, &bob, &a, &ann).await;

    // ann writes a course with one lesson, then publishes it.
    let r = a
        .post(
            "/courses",
            Some(&ann.token),
            json!({"title": "Soil science", "description": "What grows, and why.",
                   "level": "beginner", "duration": 90, "certificate": true,
                   "tags": ["soil"], "status": "draft"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let course = r.body["course"]["id"].as_str().expect("id").to_string();
    let r = a
        .post(
            &format!("/courses/{course}/modules"),
            Some(&ann.token),
            json!({"title": "Basics"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let module = r.body["id"].as_str().expect("module").to_string();
    let r = a
        .post(
            &format!("/modules/{module}/lessons"),
            Some(&ann.token),
            json!({"title": "Loam", "body": "Sand, silt and clay.", "minutes": 5}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let lesson: node::Id = r.body["id"].as_str().expect("lesson").parse().expect("id");
    let r = a
        .post(
            &format!("/courses/{course}/publish"),
            Some(&ann.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // Its object, as another server (or Mastodon) fetches it.
    let object_id = format!("http://{}/users/ann/courses/{course}", a.domain());
    let object: Value = reqwest::Client::new()
        .get(&object_id)
        .header("accept", "application/activity+json")
        .send()
        .await
        .expect("fetch")
        .json()
        .await
        .expect("json");
    assert_eq!(object["type"], "Article");
    assert_eq!(object["id"], object_id.as_str());
    assert_eq!(object["enrolmentMode"], "open");
    assert_eq!(object["lessonCount"], 1);
    assert_eq!(object["grantsCertificate"], true);
    let summary = object["summary"].as_str().unwrap_or("");
    assert!(
        summary.contains("beginner") && summary.contains("1 h 30 min"),
        "{summary}"
    );

    // bob looks it up from home (B also takes the Create, bob following
    // ann; which arrives first does not matter).
    let on_b = eventually("B stores ann's course", || async {
        let r = b
            .post(
                "/courses/lookup",
                Some(&bob.token),
                json!({"url": object_id}),
            )
            .await;
        (r.status == StatusCode::OK).then_some(r.body)
    })
    .await;
    let remote_course = on_b["id"].as_str().expect("id").to_string();
    assert_eq!(on_b["title"], "Soil science");
    assert_eq!(on_b["remote"]["host"], a.domain());
    assert_eq!(on_b["remote"]["uri"], object_id.as_str());
    assert_eq!(on_b["lessons"], 1);

    // ann renames it: her Update reaches her follower's node.
    let r = a
        .patch(
            &format!("/courses/{course}"),
            Some(&ann.token),
            json!({"title": "Soil science for gardeners"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    eventually("ann's Update reaches B", || async {
        let r = b.get(&format!("/courses/{remote_course}"), None).await;
        (r.body["title"] == "Soil science for gardeners").then_some(())
    })
    .await;

    // bob enrols from home: pending, then A's Accept makes it enrolled.
    let r = b
        .post(
            &format!("/courses/{remote_course}/enrol"),
            Some(&bob.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["state"], "pending");
    eventually("A's Accept reaches B", || async {
        let r = b
            .get(&format!("/courses/{remote_course}"), Some(&bob.token))
            .await;
        (r.body["my_enrolment"] == "enrolled").then_some(())
    })
    .await;
    let bob_on_a = format!("bob@{}", b.domain());
    let r = a
        .get(&format!("/courses/{course}/enrolments"), Some(&ann.token))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.to_string().contains(&bob_on_a),
        "bob is enrolled on A: {}",
        r.body
    );

    // An impostor answers for ann's course: refused, nothing changes.
    for kind in ["Accept", "Reject"] {
        let (status, body) = fake
            .send(&b, "eve", &impostor_answer(&fake, kind, &b, &remote_course))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{kind}: {body}");
    }
    let r = b
        .get(&format!("/courses/{remote_course}"), Some(&bob.token))
        .await;
    assert_eq!(r.body["my_enrolment"], "enrolled");

    // bob studies on A, signed in there with his home account: B mints a
    // ticket for A, the browser follows it, and A's lesson page takes his
    // "done" through the learner session.
    let r = b
        .post(
            "/me/sign-in-tickets",
            Some(&bob.token),
            json!({"audience": format!("http://{}", a.domain()),
                   "next": format!("/lessons/{lesson}")}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let sign_in_url = r.body["sign_in_url"].as_str().expect("url").to_string();
    let client = browser();
    let r = client.get(&sign_in_url).send().await.expect("sign in");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let cookie = set_cookie(&r, "kodeon_learner").expect("a learner session");
    let page = client
        .get(format!("{}/lessons/{lesson}", a.base))
        .header("cookie", format!("kodeon_learner={cookie}"))
        .send()
        .await
        .expect("lesson")
        .text()
        .await
        .expect("page");
    assert!(page.contains("Loam"), "{page}");
    let r = client
        .post(format!("{}/lessons/{lesson}/done", a.base))
        .header("cookie", format!("kodeon_learner={cookie}"))
        .form(&[("csrf", csrf(&page).as_str())])
        .send()
        .await
        .expect("done");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // A issues the certificate to bob's did:key and offers it at home.
    let r = a
        .get(&format!("/courses/{course}/enrolments"), Some(&ann.token))
        .await;
    assert!(r.body.to_string().contains("completed"), "{}", r.body);
    let imported = eventually("the certificate reaches B", || async {
        let r = b.get("/me/certificates/imported", Some(&bob.token)).await;
        r.body
            .as_array()
            .or_else(|| r.body["items"].as_array())
            .and_then(|items| items.first().cloned())
    })
    .await;
    assert_eq!(
        imported["course_url"],
        format!("http://{}/courses/{course}", a.domain()).as_str()
    );
    // B kept it only once it verified (proofs, bob's did:key as its
    // subject) and its issuer proved to be A's own key, as A's instance
    // actor publishes it.
    let instance: Value = reqwest::Client::new()
        .get(format!("http://{}/actor", a.domain()))
        .header("accept", "application/activity+json")
        .send()
        .await
        .expect("fetch")
        .json()
        .await
        .expect("json");
    let key = instance["assertionMethod"][0]["publicKeyMultibase"]
        .as_str()
        .expect("A publishes its ed25519 key");
    let a_did = identity::PublicKey::from_multikey(key)
        .expect("multikey")
        .to_did_key();
    assert_eq!(imported["issuer"], a_did.as_str());
    assert_eq!(imported["name"], "Soil science for gardeners");
}
