//! The attestation routes without a socket: the kinds a member may give,
//! the contract without a kind, 422s naming their fields, withdrawal, and
//! the kind in the reputation's list.

use axum::http::StatusCode;
use serde_json::json;

use crate::routes::test_api::TestApi;

#[tokio::test]
async fn members_attest_by_kind_and_withdraw() {
    let api = TestApi::new();
    let ann = api.token("ann", &[]).await;
    let bob = api.token("bob", &[]).await;
    let read_only = api.token("ann", &["read"]).await;

    // Without a kind, as before: a skill.
    let skill = api
        .expect(
            &ann,
            "POST",
            "/members/bob/attestations",
            Some(json!({"claim": "rust", "comment": "wrote our parser"})),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(skill["kind"], "skill");
    assert_eq!(skill["claim"], "rust");

    // A mentee attests their mentor.
    let mentored = api
        .expect(
            &bob,
            "POST",
            "/members/ann/attestations",
            Some(json!({"claim": "rust", "kind": "mentored"})),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(mentored["kind"], "mentored");
    assert_eq!(mentored["claim"], "mentored:rust");

    // Fields named in 422s.
    for (body, field) in [
        (json!({"claim": "rust", "kind": "gold"}), "kind"),
        (json!({"claim": "rust", "kind": "certificate"}), "kind"),
        (json!({"claim": "docs", "kind": "contribution"}), "group"),
        (json!({"claim": "attended:x"}), "claim"),
    ] {
        let (status, v) = api
            .send(Some(&ann), "POST", "/members/bob/attestations", Some(body))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(v.to_string().contains(field), "{field}: {v}");
    }
    let (status, _) = api
        .send(
            Some(&read_only),
            "POST",
            "/members/bob/attestations",
            Some(json!({"claim": "go"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a read-only token");

    // A group's owner attests a member's contribution.
    api.expect(
        &ann,
        "POST",
        "/groups",
        Some(json!({"name": "rustaceans"})),
        StatusCode::CREATED,
    )
    .await;
    api.expect(
        &bob,
        "POST",
        "/groups/rustaceans/join",
        None,
        StatusCode::OK,
    )
    .await;
    let contribution = api
        .expect(
            &ann,
            "POST",
            "/members/bob/attestations",
            Some(json!({"claim": "docs", "kind": "contribution", "group": "rustaceans"})),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(contribution["claim"], "contribution:rustaceans:docs");

    // Its id is its object, proved by ann's key.
    let object_id = contribution["id"].as_str().expect("id");
    let answer = api
        .request(None, "GET", &format!("/attestations/{object_id}"))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let object = answer.json();
    assert_eq!(object["type"], json!(["kd:Attestation", "Object"]));
    assert_eq!(object["claim"], "contribution:rustaceans:docs");
    assert_eq!(object["proof"]["cryptosuite"], "eddsa-jcs-2022");
    let ann_key = api.member("ann").await.keys.ed25519_public;
    let serde_json::Value::Object(map) = object else {
        panic!("an object");
    };
    protocol::data_integrity::verify_proof(&map, |_| Some(ann_key)).expect("ann's proof");
    let missing = api
        .request(None, "GET", &format!("/attestations/{}", "0".repeat(64)))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    let rep = api
        .expect(
            &ann,
            "GET",
            "/members/bob/attestations",
            None,
            StatusCode::OK,
        )
        .await;
    let mut kinds: Vec<String> = rep["attestations"]
        .as_array()
        .expect("list")
        .iter()
        .map(|a| a["kind"].as_str().unwrap_or_default().to_string())
        .collect();
    kinds.sort();
    assert_eq!(kinds, ["contribution", "skill"]);

    api.expect(
        &ann,
        "DELETE",
        "/members/bob/attestations/contribution:rustaceans:docs",
        None,
        StatusCode::NO_CONTENT,
    )
    .await;
    let rep = api
        .expect(
            &ann,
            "GET",
            "/members/bob/attestations",
            None,
            StatusCode::OK,
        )
        .await;
    assert_eq!(rep["attestations"].as_array().map(Vec::len), Some(1));
}
