//! Body digests: draft-cavage's `Digest` (RFC 3230) and RFC 9421's
//! `Content-Digest` (RFC 9530), made for outgoing requests and checked
//! against the body of incoming ones.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha2::{Digest as _, Sha256, Sha512};

use super::structured_fields as sf;
use super::{malformed, SignatureError, SignedRequest, LENIENT_BASE64};

/// `SHA-256=<base64>`: a `Digest` header value for `body` (draft-cavage).
pub fn digest_header(body: &[u8]) -> String {
    format!("SHA-256={}", STANDARD.encode(Sha256::digest(body)))
}

/// `sha-256=:<base64>:`: a `Content-Digest` header value for `body`
/// (RFC 9530, used with RFC 9421).
pub fn content_digest_sha256(body: &[u8]) -> String {
    format!("sha-256=:{}:", STANDARD.encode(Sha256::digest(body)))
}

pub(super) fn check_digest(req: &SignedRequest) -> Result<(), SignatureError> {
    let expected = Sha256::digest(req.body.unwrap_or_default());
    let mut found = false;
    for value in req.values("digest") {
        for entry in value.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (alg, b64) = entry
                .split_once('=')
                .ok_or_else(|| malformed("Digest entry without '='"))?;
            if !alg.trim().eq_ignore_ascii_case("sha-256") {
                continue;
            }
            found = true;
            let got = LENIENT_BASE64
                .decode(b64.trim())
                .map_err(|_| malformed("Digest SHA-256 value is not base64"))?;
            if got.as_slice() != expected.as_slice() {
                return Err(SignatureError::DigestMismatch);
            }
        }
    }
    if found {
        Ok(())
    } else {
        Err(SignatureError::DigestMissing)
    }
}

pub(super) fn check_content_digest(req: &SignedRequest) -> Result<(), SignatureError> {
    let raw = req
        .combined("content-digest")
        .ok_or(SignatureError::DigestMissing)?;
    let dict = sf::parse_dictionary(&raw).map_err(|e| malformed(format!("Content-Digest: {e}")))?;
    let body = req.body.unwrap_or_default();
    let mut found = false;
    for entry in &dict {
        let expected = match entry.key.as_str() {
            "sha-256" => Sha256::digest(body).to_vec(),
            "sha-512" => Sha512::digest(body).to_vec(),
            _ => continue,
        };
        found = true;
        match &entry.member {
            sf::Member::Item(sf::Item {
                bare: sf::Bare::Bytes(got),
                ..
            }) => {
                if *got != expected {
                    return Err(SignatureError::DigestMismatch);
                }
            }
            _ => return Err(malformed("Content-Digest value is not a byte sequence")),
        }
    }
    if found {
        Ok(())
    } else {
        Err(SignatureError::DigestMissing)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_support::*;
    use super::super::{check_request, parse, verify, Policy};
    use super::*;

    #[test]
    fn digest_helpers() {
        assert_eq!(
            digest_header(b""),
            "SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
        // RFC 9530 example body.
        assert_eq!(
            content_digest_sha256(br#"{"hello": "world"}"#),
            "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"
        );
    }

    #[test]
    fn cavage_tampered_body_is_digest_mismatch() {
        let hs = signed_post(BODY, POST_COVERED);
        let tampered = br#"{"type":"Delete"}"#;
        let req = request("POST", "/users/bob/inbox", &hs, Some(tampered));
        let parsed = parse(&req).unwrap();
        // The headers are intact, so the signature itself still verifies.
        verify(&parsed, &signer_key()).unwrap();
        assert_eq!(
            check_request(&req, &parsed, NOW, &Policy::default()),
            Err(SignatureError::DigestMismatch)
        );
    }

    #[test]
    fn cavage_digest_not_covered() {
        let hs = signed_post(BODY, "(request-target) host date");
        let req = request("POST", "/users/bob/inbox", &hs, Some(BODY));
        let parsed = parse(&req).unwrap();
        verify(&parsed, &signer_key()).unwrap();
        assert_eq!(
            check_request(&req, &parsed, NOW, &Policy::default()),
            Err(SignatureError::MissingCoveredHeader("digest"))
        );
    }

    #[test]
    fn cavage_digest_algorithms() {
        let sha256 = b64(&Sha256::digest(BODY));
        let sha512 = b64(&Sha512::digest(BODY));
        let check = |digest: &str| {
            let covered = "(request-target) host date digest";
            let mut hs = headers(&[
                ("host", "kodeon.example"),
                ("date", DATE),
                ("digest", digest),
            ]);
            let string = cavage_string("POST", "/inbox", &hs, covered);
            hs.push(("signature".into(), cavage_header(None, covered, &string)));
            let req = request("POST", "/inbox", &hs, Some(BODY));
            let parsed = parse(&req).unwrap();
            verify(&parsed, &signer_key()).unwrap();
            check_request(&req, &parsed, NOW, &Policy::default())
        };
        assert_eq!(check(&format!("sha-256={sha256}")), Ok(()));
        assert_eq!(
            check(&format!("SHA-512={sha512}, SHA-256={sha256}")),
            Ok(())
        );
        assert_eq!(
            check(&format!("SHA-512={sha512}")),
            Err(SignatureError::DigestMissing)
        );
        assert_eq!(
            check(&format!("SHA-512={sha512},SHA-256={}", b64(&[0; 32]))),
            Err(SignatureError::DigestMismatch)
        );
    }

    #[test]
    fn rfc9421_tampered_body_is_digest_mismatch() {
        let hs = rfc9421_post(BODY);
        let req = request("POST", "/users/bob/inbox", &hs, Some(b"{}"));
        let parsed = parse(&req).unwrap();
        verify(&parsed, &signer_key()).unwrap();
        assert_eq!(
            check_request(&req, &parsed, NOW, &Policy::default()),
            Err(SignatureError::DigestMismatch)
        );
    }
}
