//! A parsed signature: who signed, what they covered, and the bytes they
//! signed.

use super::request::SignedRequest;
use super::rfc9421::component_value;

/// Which specification a signature follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// draft-cavage-http-signatures (`Signature: keyId=...`).
    Cavage,
    /// RFC 9421 HTTP Message Signatures (`Signature-Input` + `Signature`).
    Rfc9421,
}

/// A parsed signature with its signing string, ready to [`verify`](super::verify).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedSignature {
    pub(super) scheme: Scheme,
    pub(super) key_id: String,
    pub(super) algorithm: Option<String>,
    pub(super) label: Option<String>,
    pub(super) covered: Vec<String>,
    pub(super) signing_string: Vec<u8>,
    pub(super) signature: Vec<u8>,
    pub(super) created: Option<i64>,
    pub(super) expires: Option<i64>,
}

impl ParsedSignature {
    /// The key id (`keyId` / `keyid`), usually `https://host/users/x#main-key`.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The scheme the signature follows.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The algorithm named by the signature, as sent, if any.
    pub fn algorithm(&self) -> Option<&str> {
        self.algorithm.as_deref()
    }

    /// The RFC 9421 signature label (e.g. `sig1`); `None` for cavage.
    pub fn label(&self) -> Option<&str> {
        self.label.as_deref()
    }

    /// The exact bytes the signature is over (cavage signing string or
    /// RFC 9421 signature base).
    pub fn signing_string(&self) -> &[u8] {
        &self.signing_string
    }

    /// The covered components in order: cavage header names such as
    /// `(request-target)`, `host`, `date`, or RFC 9421 component names
    /// such as `@method`, `content-digest` (without quotes).
    pub fn signed_headers(&self) -> &[String] {
        &self.covered
    }

    /// The decoded signature bytes.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// Creation time in Unix seconds, only when it is covered by the
    /// signature (always for RFC 9421, with `(created)` for cavage).
    pub fn created(&self) -> Option<i64> {
        self.created
    }

    /// Expiry time in Unix seconds, only when it is covered by the
    /// signature (always for RFC 9421, with `(expires)` for cavage).
    pub fn expires(&self) -> Option<i64> {
        self.expires
    }

    pub(super) fn covers(&self, name: &str) -> bool {
        self.covered.iter().any(|c| c == name)
    }

    /// For an RFC 9421 signature of a GET or HEAD that covers `@target-uri`:
    /// the same signature with `#fragment` appended to the `@target-uri`
    /// line of its signature base. `None` for cavage, for other methods,
    /// when `@target-uri` is not covered, or when `fragment` is empty or
    /// holds anything but ASCII letters, digits, `-`, `_`, `.` and `~`.
    ///
    /// Fedify (1.6 to at least 2.3) signs `@target-uri` as the URL it
    /// fetches *with* its fragment, e.g. `GET …/users/alice#main-key` when
    /// it fetches a key; a fragment is never sent, so the base [`parse`](super::parse)
    /// rebuilds lacks it and such a signature never verifies (RFC 9421
    /// §2.2.2 takes the target URI of RFC 9110 §7.1, which has none). A
    /// verifier may retry with the fragments of its own key ids: a fragment
    /// names no other resource, so the signed request is the same one.
    pub fn with_target_fragment(
        &self,
        req: &SignedRequest,
        fragment: &str,
    ) -> Option<ParsedSignature> {
        let fragment_ok = !fragment.is_empty()
            && fragment
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || b"-_.~".contains(&c));
        if self.scheme != Scheme::Rfc9421
            || !self.covers("@target-uri")
            || !matches!(req.method, "GET" | "HEAD")
            || !fragment_ok
        {
            return None;
        }
        let target = component_value(req, "@target-uri").ok()?;
        let line = format!("\"@target-uri\": {target}\n");
        let base = std::str::from_utf8(&self.signing_string).ok()?;
        // Each covered component is one line, listed once; header values
        // hold no line breaks, so a line starting with `"@target-uri"` is
        // that component's.
        let at = if base.starts_with(&line) {
            0
        } else {
            base.find(&format!("\n{line}"))? + 1
        };
        let mut signing_string = String::with_capacity(base.len() + fragment.len() + 1);
        signing_string.push_str(&base[..at + line.len() - 1]);
        signing_string.push('#');
        signing_string.push_str(fragment);
        signing_string.push_str(&base[at + line.len() - 1..]);
        Some(ParsedSignature {
            signing_string: signing_string.into_bytes(),
            ..self.clone()
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_support::*;
    use super::super::{check_request, parse, verify, Policy, SignatureError};

    /// Fedify signs a GET of `…/users/alice#main-key` with the fragment in
    /// `@target-uri`: it verifies only once that fragment is put back.
    #[test]
    fn rfc9421_get_signed_with_a_fragment_in_target_uri() {
        let inner = r#"("@method" "@target-uri" "@authority" "host" "date");alg="rsa-v1_5-sha256";keyid="https://remote.example/users/fedi#main-key";created=1618884480"#;
        let mut hs = headers(&[("host", "kodeon.example"), ("date", DATE)]);
        let base = format!(
            "\"@method\": GET\n\"@target-uri\": https://kodeon.example/users/alice#main-key\n\
             \"@authority\": kodeon.example\n\"host\": kodeon.example\n\"date\": {DATE}\n\
             \"@signature-params\": {inner}"
        );
        rfc9421_sign(&mut hs, inner, &base);
        let req = request("GET", "/users/alice", &hs, None);
        let parsed = parse(&req).unwrap();
        check_request(&req, &parsed, NOW, &Policy::default()).unwrap();
        assert_eq!(
            verify(&parsed, &signer_key()),
            Err(SignatureError::BadSignature)
        );
        let with = parsed.with_target_fragment(&req, "main-key").unwrap();
        assert_eq!(with.signing_string(), base.as_bytes());
        verify(&with, &signer_key()).unwrap();
        assert_eq!(with.key_id(), parsed.key_id());
        // Another fragment does not verify; odd fragments are not tried.
        let other = parsed.with_target_fragment(&req, "ed25519-key").unwrap();
        assert_eq!(
            verify(&other, &signer_key()),
            Err(SignatureError::BadSignature)
        );
        for bad in ["", "main key", "a\nb", "x#y", "é"] {
            assert!(parsed.with_target_fragment(&req, bad).is_none(), "{bad:?}");
        }
        // Only for GET and HEAD, only RFC 9421, only with @target-uri.
        let post = request("POST", "/users/alice", &hs, None);
        assert!(parse(&post)
            .unwrap()
            .with_target_fragment(&post, "main-key")
            .is_none());
        let hs = rfc9421_post(BODY);
        let req = request("POST", "/users/bob/inbox", &hs, Some(BODY));
        assert!(parse(&req)
            .unwrap()
            .with_target_fragment(&req, "main-key")
            .is_none());
        let mut hs = headers(&[("host", "kodeon.example"), ("date", DATE)]);
        let inner = r#"("@method" "@authority" "@path" "date");created=1618884480;keyid="k""#;
        hs.push(("signature-input".into(), format!("sig1={inner}")));
        hs.push(("signature".into(), "sig1=:AAAA:".into()));
        let req = request("GET", "/users/alice", &hs, None);
        assert!(parse(&req)
            .unwrap()
            .with_target_fragment(&req, "main-key")
            .is_none());
    }
}
