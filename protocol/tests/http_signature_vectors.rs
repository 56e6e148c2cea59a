//! Verifies draft-cavage HTTP signatures made by an independent
//! implementation (Python `cryptography`, see
//! `vectors/make_http_signature_vector.py`).

#![allow(clippy::unwrap_used)]

use kodeon_protocol::http_signature::{
    check_request, parse, verify, Policy, Scheme, SignatureError, SignedRequest,
};
use kodeon_protocol::identity::RsaVerifyingKey;
use serde_json::Value;

fn vector() -> Value {
    serde_json::from_str(include_str!("vectors/http-signature-cavage.json")).unwrap()
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("missing string `{key}`"))
}

/// Header names lower-cased, values as given, in order.
fn headers_of(case: &Value) -> Vec<(String, String)> {
    case["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|pair| {
            (
                pair[0].as_str().unwrap().to_ascii_lowercase(),
                pair[1].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn independent_cavage_signatures_verify() {
    let vector = vector();
    let key = RsaVerifyingKey::from_public_pem(str_of(&vector, "public_key_pem")).unwrap();
    let cases = vector["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 2);
    for case in cases {
        let name = str_of(case, "name");
        let headers = headers_of(case);
        let body = case["body"].as_str().map(str::as_bytes);
        let req = SignedRequest {
            method: str_of(case, "method"),
            scheme: str_of(case, "scheme"),
            authority: str_of(case, "authority"),
            path_and_query: str_of(case, "path_and_query"),
            headers: &headers,
            body,
        };
        let now = case["now"].as_i64().unwrap();

        let parsed = parse(&req).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(parsed.scheme(), Scheme::Cavage, "{name}");
        assert_eq!(parsed.key_id(), str_of(&vector, "key_id"), "{name}");
        assert_eq!(
            String::from_utf8_lossy(parsed.signing_string()),
            str_of(case, "signing_string"),
            "{name}"
        );
        check_request(&req, &parsed, now, &Policy::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        verify(&parsed, &key).unwrap_or_else(|e| panic!("{name}: {e}"));

        // The same request to another path no longer verifies.
        let moved = SignedRequest {
            path_and_query: "/elsewhere",
            ..req
        };
        assert_eq!(
            verify(&parse(&moved).unwrap(), &key),
            Err(SignatureError::BadSignature),
            "{name}"
        );

        // A body that does not match the signed Digest is refused.
        if body.is_some() {
            let tampered = SignedRequest {
                body: Some(b"{}"),
                ..req
            };
            assert_eq!(
                check_request(
                    &tampered,
                    &parse(&tampered).unwrap(),
                    now,
                    &Policy::default()
                ),
                Err(SignatureError::DigestMismatch),
                "{name}"
            );
        }
    }
}
