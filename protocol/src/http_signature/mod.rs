//! Inbound HTTP signatures for ActivityPub inboxes. No I/O.
//!
//! Two schemes are understood:
//!
//! - **draft-cavage** (draft-cavage-http-signatures-12, what Mastodon and
//!   most of the fediverse send): a `Signature:` header, or
//!   `Authorization: Signature ...`, with `keyId`, `algorithm` (`rsa-sha256`
//!   or `hs2019`; absent is taken as `hs2019`), `headers` (default `date`),
//!   `signature` and optional `created` / `expires`.
//! - **RFC 9421** (HTTP Message Signatures): `Signature-Input` and
//!   `Signature` structured-field dictionaries. When several signatures are
//!   present the first label of `Signature-Input` is used. Only
//!   `rsa-v1_5-sha256` (or no `alg`) is accepted; the supported components
//!   are `@method`, `@target-uri`, `@authority`, `@scheme`, `@path`,
//!   `@query`, `@request-target` and plain header fields without
//!   parameters.
//!
//! Both are verified with RSASSA-PKCS1-v1_5 / SHA-256.
//!
//! # Flow
//!
//! 1. [`parse`] the request: finds the scheme, the key id and builds the
//!    signing string (signature base) from the request as received.
//! 2. [`check_request`]: the cheap, non-cryptographic checks (see below),
//!    best done before fetching the signer's key.
//! 3. Fetch the key named by [`ParsedSignature::key_id`] (not done here) and
//!    read it with [`identity::RsaVerifyingKey::from_public_pem`].
//! 4. [`verify`] the signature.
//!
//! # What [`check_request`] requires
//!
//! - cavage: `(request-target)` and `host` covered, and `date` or
//!   `(created)` covered.
//! - RFC 9421: `@method` covered, and `@target-uri` or `@authority` with
//!   `@path` (or `@request-target`); and either a `created` parameter or a
//!   covered `date`.
//! - POST, PUT and PATCH requests, and any request with a non-empty body,
//!   must cover `digest` (cavage) or `content-digest` (RFC 9421). Whenever
//!   that header is covered it must match the body (an absent body counts
//!   as empty): `Digest` needs a `SHA-256=` entry (algorithm name
//!   case-insensitive, other algorithms ignored); `Content-Digest` needs a
//!   `sha-256` or `sha-512` entry, and every such entry must match.
//! - The covered `Date` and the (covered) `created` must lie within
//!   [`Policy::max_age_secs`] in the past and [`Policy::max_future_secs`] in
//!   the future; a covered `expires` in the past is rejected.
//!
//! # Notes
//!
//! - Header names in [`SignedRequest::headers`] are matched
//!   case-insensitively; repeated headers are joined with `", "` after
//!   trimming each value, as both specifications require.
//! - If a covered `host` header is absent (HTTP/2), the request's
//!   [`SignedRequest::authority`] is used instead.
//! - For RFC 9421 the `@signature-params` line uses the signature's inner
//!   list exactly as received in `Signature-Input`, not a re-serialisation.
//! - A cavage `headers` list or an RFC 9421 inner list that names a
//!   component twice is malformed: a signing string holds each header
//!   value once, so it grows with the request, not with its square.
//!   Parsing takes time and memory in proportion to the request
//!   (`tests/http_signature_fuzz.rs` measures it); the HTTP server bounds
//!   the request head.
//! - cavage `(created)` / `(expires)` are refused with an explicit
//!   `algorithm="rsa-sha256"`, as the draft (and Mastodon) require.
//! - Fedify signs an RFC 9421 GET of a key id with its `#fragment` in
//!   `@target-uri`; [`ParsedSignature::with_target_fragment`] rebuilds the
//!   base with a fragment the verifier names (its own key ids').
//!
//! # Layout
//!
//! - `request`: [`SignedRequest`], the plain description of a received
//!   request that both schemes read header values from.
//! - `signature`: [`ParsedSignature`] and [`Scheme`], what [`parse`] returns.
//! - `cavage` and `rfc9421`: the two parsers, each building its signing
//!   string; `structured_fields`: the RFC 8941 subset RFC 9421 is written in.
//! - `check`: [`check_request`] and its [`Policy`]; `digest`: the body
//!   digests (`Digest`, `Content-Digest`) it checks, and the helpers that
//!   make them.
//! - This module: the error type and the entry points [`parse`] and
//!   [`verify`].

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use identity::RsaVerifyingKey;

mod cavage;
mod check;
mod digest;
mod request;
mod rfc9421;
mod signature;
mod structured_fields;
#[cfg(test)]
mod test_support;

pub use check::{check_request, Policy};
pub use digest::{content_digest_sha256, digest_header};
pub use request::SignedRequest;
pub use signature::{ParsedSignature, Scheme};

/// Standard base64 that accepts values with or without padding.
const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Why a signed request is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No `Signature`, `Signature-Input` or `Authorization: Signature` header.
    #[error("request is not signed")]
    Missing,
    /// A signature header (or a header it relies on) that cannot be parsed.
    #[error("malformed signature: {0}")]
    Malformed(String),
    /// An algorithm other than rsa-sha256 / hs2019 / rsa-v1_5-sha256.
    #[error("unsupported signature algorithm: {0}")]
    UnsupportedAlgorithm(String),
    /// A covered component this implementation cannot compute (an unknown
    /// pseudo-header or derived component, or one with parameters).
    #[error("unsupported signature component: {0}")]
    UnsupportedComponent(String),
    /// The signature covers a header the request does not carry.
    #[error("signed header `{0}` is absent from the request")]
    HeaderAbsent(String),
    /// The signature does not cover something that policy requires.
    #[error("signature does not cover required {0}")]
    MissingCoveredHeader(&'static str),
    /// The (content-)digest header has no digest of a supported algorithm.
    #[error("no SHA-256 (Digest) or sha-256/sha-512 (Content-Digest) digest of the body")]
    DigestMissing,
    /// The body does not match its digest header.
    #[error("body does not match its digest")]
    DigestMismatch,
    /// The signature's `expires` time has passed.
    #[error("signature has expired")]
    Expired,
    /// `Date` or `created` is too old or too far in the future.
    #[error("signature date is outside the accepted window")]
    DateOutOfWindow,
    /// The signature does not verify with the given key.
    #[error("signature does not verify")]
    BadSignature,
}

/// A [`SignatureError::Malformed`] with `msg`.
fn malformed(msg: impl Into<String>) -> SignatureError {
    SignatureError::Malformed(msg.into())
}

/// Finds the request's signature and builds what it signs.
///
/// `Signature-Input` selects RFC 9421; otherwise a `Signature` header or
/// `Authorization: Signature ...` is read as draft-cavage.
pub fn parse(req: &SignedRequest) -> Result<ParsedSignature, SignatureError> {
    if req.values("signature-input").next().is_some() {
        return rfc9421::parse(req);
    }
    let mut sigs = req.values("signature");
    if let Some(first) = sigs.next() {
        if sigs.next().is_some() {
            return Err(malformed("several Signature headers"));
        }
        return cavage::parse(req, first);
    }
    for auth in req.values("authorization") {
        let auth = auth.trim_start();
        if let Some((scheme, rest)) = auth.split_once([' ', '\t']) {
            if scheme.eq_ignore_ascii_case("signature") {
                return cavage::parse(req, rest);
            }
        }
    }
    Err(SignatureError::Missing)
}

/// Verifies the signature over [`ParsedSignature::signing_string`] with the
/// signer's RSA key (RSASSA-PKCS1-v1_5, SHA-256).
pub fn verify(parsed: &ParsedSignature, key: &RsaVerifyingKey) -> Result<(), SignatureError> {
    key.verify_sha256(&parsed.signing_string, &parsed.signature)
        .map_err(|_| SignatureError::BadSignature)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::test_support::*;
    use super::*;

    #[test]
    fn cavage_authorization_header_form() {
        let covered = "(request-target) host date";
        let mut hs = headers(&[("host", "kodeon.example"), ("date", DATE)]);
        let string = cavage_string("GET", "/users/bob", &hs, covered);
        hs.push((
            "authorization".into(),
            format!(
                "Signature {}",
                cavage_header(Some("hs2019"), covered, &string)
            ),
        ));
        let req = request("GET", "/users/bob", &hs, None);
        let parsed = parse(&req).unwrap();
        assert_eq!(parsed.scheme(), Scheme::Cavage);
        assert_eq!(parsed.key_id(), KEY_ID);
        check_request(&req, &parsed, NOW, &Policy::default()).unwrap();
        verify(&parsed, &signer_key()).unwrap();

        // Other authorization schemes are not signatures.
        let hs = headers(&[("authorization", "Bearer abc")]);
        assert_eq!(
            parse(&request("GET", "/", &hs, None)),
            Err(SignatureError::Missing)
        );
    }

    #[test]
    fn cavage_wrong_key_or_tampered_header_is_bad_signature() {
        let hs = signed_post(BODY, POST_COVERED);
        let req = request("POST", "/users/bob/inbox", &hs, Some(BODY));
        let parsed = parse(&req).unwrap();
        assert_eq!(
            verify(&parsed, &other_key()),
            Err(SignatureError::BadSignature)
        );

        let mut changed = hs.clone();
        changed[3].1 = "application/json".into();
        let req = request("POST", "/users/bob/inbox", &changed, Some(BODY));
        assert_eq!(
            verify(&parse(&req).unwrap(), &signer_key()),
            Err(SignatureError::BadSignature)
        );
        // Another inbox path is another signing string.
        let req = request("POST", "/inbox", &hs, Some(BODY));
        assert_eq!(
            verify(&parse(&req).unwrap(), &signer_key()),
            Err(SignatureError::BadSignature)
        );
    }
}
