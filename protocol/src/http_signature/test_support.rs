//! Keys, requests and signed headers shared by the tests of every part.

#![allow(clippy::unwrap_used)]

use std::sync::OnceLock;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use identity::{RsaKeypair, RsaVerifyingKey};

use super::{content_digest_sha256, digest_header, SignedRequest};

/// `Tue, 20 Apr 2021 02:07:55 GMT`.
pub(super) const DATE: &str = "Tue, 20 Apr 2021 02:07:55 GMT";
pub(super) const DATE_UNIX: i64 = 1_618_884_475;
pub(super) const NOW: i64 = DATE_UNIX + 10;
pub(super) const KEY_ID: &str = "https://remote.example/users/alice#main-key";
pub(super) const BODY: &[u8] = br#"{"type":"Follow","actor":"https://remote.example/users/alice"}"#;

#[path = "../../tests/support/rfc9421_key.rs"]
mod rfc9421_key;
pub(super) use rfc9421_key::RFC_TEST_KEY_RSA;
/// RFC 9421 test request content digest of `{"hello": "world"}`.
pub(super) const RFC_CONTENT_DIGEST: &str = "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:";

#[path = "../../tests/support/mod.rs"]
mod shared;
pub(super) use shared::proptest_config;

/// Two keys, generated once (RSA generation is slow).
pub(super) fn keys() -> &'static (RsaKeypair, RsaKeypair) {
    static KEYS: OnceLock<(RsaKeypair, RsaKeypair)> = OnceLock::new();
    KEYS.get_or_init(|| {
        (
            RsaKeypair::generate().unwrap(),
            RsaKeypair::generate().unwrap(),
        )
    })
}

pub(super) fn signer() -> &'static RsaKeypair {
    &keys().0
}

pub(super) fn signer_key() -> RsaVerifyingKey {
    RsaVerifyingKey::from_public_pem(&signer().public_pem().unwrap()).unwrap()
}

pub(super) fn other_key() -> RsaVerifyingKey {
    RsaVerifyingKey::from_public_pem(&keys().1.public_pem().unwrap()).unwrap()
}

pub(super) fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

pub(super) fn request<'a>(
    method: &'a str,
    path_and_query: &'a str,
    headers: &'a [(String, String)],
    body: Option<&'a [u8]>,
) -> SignedRequest<'a> {
    SignedRequest {
        method,
        scheme: "https",
        authority: "kodeon.example",
        path_and_query,
        headers,
        body,
    }
}

/// A cavage signing string built independently of the code under test
/// (no pseudo-headers other than `(request-target)`).
pub(super) fn cavage_string(
    method: &str,
    path: &str,
    hs: &[(String, String)],
    covered: &str,
) -> String {
    covered
        .split(' ')
        .map(|name| {
            if name == "(request-target)" {
                format!("(request-target): {} {path}", method.to_lowercase())
            } else {
                let values: Vec<&str> = hs
                    .iter()
                    .filter(|(n, _)| n == name)
                    .map(|(_, v)| v.trim())
                    .collect();
                format!("{name}: {}", values.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub(super) fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// A cavage `Signature` header value over `signing_string`.
pub(super) fn cavage_header(
    algorithm: Option<&str>,
    covered: &str,
    signing_string: &str,
) -> String {
    let sig = b64(&signer().sign_sha256(signing_string.as_bytes()));
    match algorithm {
        Some(alg) => {
            format!(r#"keyId="{KEY_ID}",algorithm="{alg}",headers="{covered}",signature="{sig}""#)
        }
        None => format!(r#"keyId="{KEY_ID}",headers="{covered}",signature="{sig}""#),
    }
}

/// Headers of a Mastodon-style signed POST of `BODY` (digest of
/// `digest_of`), plus the signature over `covered`.
pub(super) fn signed_post(digest_of: &[u8], covered: &str) -> Vec<(String, String)> {
    let mut hs = headers(&[
        ("host", "kodeon.example"),
        ("date", DATE),
        ("digest", &digest_header(digest_of)),
        ("content-type", "application/activity+json"),
    ]);
    let string = cavage_string("POST", "/users/bob/inbox", &hs, covered);
    hs.push((
        "signature".into(),
        cavage_header(Some("rsa-sha256"), covered, &string),
    ));
    hs
}

pub(super) const POST_COVERED: &str = "(request-target) host date digest content-type";

// ---------------------------------------------------------- RFC 9421

/// Adds RFC 9421 headers signing `base` (whose last line must use
/// `inner` as its @signature-params).
pub(super) fn rfc9421_sign(hs: &mut Vec<(String, String)>, inner: &str, base: &str) {
    let sig = b64(&signer().sign_sha256(base.as_bytes()));
    hs.push(("signature-input".into(), format!("sig1={inner}")));
    hs.push(("signature".into(), format!("sig1=:{sig}:")));
}

pub(super) const RFC_INNER: &str = r#"("@method" "@target-uri" "content-digest" "content-type");created=1618884480;keyid="https://remote.example/users/alice#main-key";alg="rsa-v1_5-sha256""#;

pub(super) fn rfc9421_post(digest_of: &[u8]) -> Vec<(String, String)> {
    let digest = content_digest_sha256(digest_of);
    let mut hs = headers(&[
        ("host", "kodeon.example"),
        ("content-digest", &digest),
        ("content-type", "application/activity+json"),
    ]);
    let base = format!(
        "\"@method\": POST\n\"@target-uri\": https://kodeon.example/users/bob/inbox\n\
         \"content-digest\": {digest}\n\"content-type\": application/activity+json\n\
         \"@signature-params\": {RFC_INNER}"
    );
    rfc9421_sign(&mut hs, RFC_INNER, &base);
    hs
}
