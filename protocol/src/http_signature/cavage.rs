//! draft-cavage-http-signatures-12: the `Signature` (or `Authorization:
//! Signature`) header's parameters, and the signing string they describe.

use std::collections::HashSet;

use base64::Engine as _;

use super::{malformed, ParsedSignature, Scheme, SignatureError, SignedRequest, LENIENT_BASE64};

/// Parses `name="value", name=value` pairs; names are lower-cased. A name
/// given twice is malformed (found through a set: a scan per name took
/// 0.1 s on a 64 KiB header of distinct names).
fn parse_cavage_params(s: &str) -> Result<Vec<(String, String)>, SignatureError> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut out: Vec<(String, String)> = Vec::new();
    let mut names: HashSet<String> = HashSet::new();
    let is_ws = |c: u8| c == b' ' || c == b'\t';
    loop {
        while b.get(i).is_some_and(|&c| is_ws(c) || c == b',') {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let start = i;
        while b
            .get(i)
            .is_some_and(|&c| c != b'=' && c != b',' && !is_ws(c))
        {
            i += 1;
        }
        let name = s
            .get(start..i)
            .ok_or_else(|| malformed("bad parameter name"))?
            .to_ascii_lowercase();
        while b.get(i).is_some_and(|&c| is_ws(c)) {
            i += 1;
        }
        if b.get(i) != Some(&b'=') {
            return Err(malformed(format!("parameter `{name}` without a value")));
        }
        i += 1;
        while b.get(i).is_some_and(|&c| is_ws(c)) {
            i += 1;
        }
        let value = if b.get(i) == Some(&b'"') {
            i += 1;
            let mut v = Vec::new();
            loop {
                match b.get(i) {
                    None => return Err(malformed(format!("unterminated value of `{name}`"))),
                    Some(b'\\') => {
                        let c = b
                            .get(i + 1)
                            .ok_or_else(|| malformed(format!("unterminated value of `{name}`")))?;
                        v.push(*c);
                        i += 2;
                    }
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(c) => {
                        v.push(*c);
                        i += 1;
                    }
                }
            }
            String::from_utf8(v)
                .map_err(|_| malformed(format!("value of `{name}` is not UTF-8")))?
        } else {
            let start = i;
            while b.get(i).is_some_and(|&c| c != b',' && !is_ws(c)) {
                i += 1;
            }
            s.get(start..i)
                .ok_or_else(|| malformed("bad parameter value"))?
                .to_owned()
        };
        if name.is_empty() {
            return Err(malformed("empty parameter name"));
        }
        if !names.insert(name.clone()) {
            return Err(malformed(format!("parameter `{name}` given twice")));
        }
        out.push((name, value));
        while b.get(i).is_some_and(|&c| is_ws(c)) {
            i += 1;
        }
        if i < b.len() && b.get(i) != Some(&b',') {
            return Err(malformed("expected ',' between parameters"));
        }
    }
    Ok(out)
}

/// Unix seconds from a `created` / `expires` value (an integer, or a
/// decimal whose fraction is dropped).
fn parse_unix(name: &str, raw: &str) -> Result<i64, SignatureError> {
    let int = match raw.split_once('.') {
        Some((int, frac)) if !frac.is_empty() && frac.bytes().all(|c| c.is_ascii_digit()) => int,
        Some(_) => return Err(malformed(format!("`{name}` is not a number"))),
        None => raw,
    };
    if int.is_empty() || !int.bytes().all(|c| c.is_ascii_digit()) {
        return Err(malformed(format!("`{name}` is not a number")));
    }
    int.parse()
        .map_err(|_| malformed(format!("`{name}` is out of range")))
}

pub(super) fn parse(req: &SignedRequest, value: &str) -> Result<ParsedSignature, SignatureError> {
    let params = parse_cavage_params(value)?;
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());

    let key_id = get("keyid").ok_or_else(|| malformed("missing keyId"))?;
    if key_id.is_empty() {
        return Err(malformed("empty keyId"));
    }
    let signature = LENIENT_BASE64
        .decode(get("signature").ok_or_else(|| malformed("missing signature"))?)
        .map_err(|e| malformed(format!("signature is not base64: {e}")))?;
    let algorithm = get("algorithm");
    let explicit_rsa = match algorithm.map(str::to_ascii_lowercase).as_deref() {
        None | Some("hs2019") => false,
        Some("rsa-sha256") => true,
        Some(_) => {
            return Err(SignatureError::UnsupportedAlgorithm(
                algorithm.unwrap_or_default().to_owned(),
            ))
        }
    };
    let covered: Vec<String> = get("headers")
        .unwrap_or("date")
        .split_ascii_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    if covered.is_empty() {
        return Err(malformed("empty headers parameter"));
    }

    let mut created = None;
    let mut expires = None;
    let mut lines = Vec::with_capacity(covered.len());
    for (i, name) in covered.iter().enumerate() {
        // Each name once, as RFC 9421 requires of its components: a header
        // named n times would be copied into the signing string n times (a
        // 64 KiB request head made a 512 MiB string). A name the request
        // lacks ends the loop, so this scan is bounded by the header count.
        if covered[..i].contains(name) {
            return Err(malformed(format!("header `{name}` listed twice")));
        }
        let line = match name.as_str() {
            "(request-target)" => format!(
                "(request-target): {} {}",
                req.method.to_ascii_lowercase(),
                req.path_and_query
            ),
            pseudo @ ("(created)" | "(expires)") => {
                if explicit_rsa {
                    return Err(malformed(format!(
                        "{pseudo} cannot be signed with algorithm rsa-sha256"
                    )));
                }
                let param = if pseudo == "(created)" {
                    "created"
                } else {
                    "expires"
                };
                let raw = get(param).ok_or_else(|| {
                    malformed(format!("{pseudo} is covered but `{param}` is missing"))
                })?;
                let secs = parse_unix(param, raw)?;
                if param == "created" {
                    created = Some(secs);
                } else {
                    expires = Some(secs);
                }
                format!("{pseudo}: {raw}")
            }
            other if other.starts_with('(') => {
                return Err(SignatureError::UnsupportedComponent(other.to_owned()))
            }
            header => format!("{header}: {}", req.field_value(header)?),
        };
        lines.push(line);
    }

    Ok(ParsedSignature {
        scheme: Scheme::Cavage,
        key_id: key_id.to_owned(),
        algorithm: algorithm.map(str::to_owned),
        label: None,
        covered,
        signing_string: lines.join("\n").into_bytes(),
        signature,
        created,
        expires,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::collection::{btree_map, vec};
    use proptest::prelude::*;

    use super::super::test_support::*;
    use super::super::{
        check_request, digest_header, parse, verify, ParsedSignature, Policy, Scheme,
        SignatureError,
    };
    use super::parse_cavage_params;

    /// Parameters as a sender writes them: every value quoted.
    fn serialize_params(params: &[(String, String)]) -> String {
        let quoted: Vec<String> = params
            .iter()
            .map(|(name, value)| {
                let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
                format!("{name}=\"{escaped}\"")
            })
            .collect();
        quoted.join(", ")
    }

    /// Regression: a header named twice (it was copied into the signing
    /// string as often as it was named).
    #[test]
    fn cavage_header_listed_twice_is_malformed() {
        for list in [
            "date date",
            "date Date",
            "(request-target) date (request-target)",
        ] {
            let hs = headers(&[
                ("date", DATE),
                (
                    "signature",
                    &format!(r#"keyId="k",headers="{list}",signature="AAAA""#),
                ),
            ]);
            assert!(
                matches!(
                    parse(&request("GET", "/", &hs, None)),
                    Err(SignatureError::Malformed(_))
                ),
                "{list}"
            );
        }
    }

    proptest! {
        #![proptest_config(proptest_config(512))]

        /// Quoted parameters read back as written (names lower-cased).
        #[test]
        fn cavage_params_round_trip(
            params in btree_map("[a-z][a-z0-9-]{0,8}", any::<String>(), 0..6),
            upper in vec(any::<bool>(), 6),
        ) {
            let sent: Vec<(String, String)> = params
                .iter()
                .zip(&upper)
                .map(|((n, v), up)| (if *up { n.to_ascii_uppercase() } else { n.clone() }, v.clone()))
                .collect();
            let expected: Vec<(String, String)> = params.into_iter().collect();
            prop_assert_eq!(parse_cavage_params(&serialize_params(&sent)), Ok(expected));
        }

        /// Any text: no panic, and what parses reads back the same once
        /// serialised.
        #[test]
        fn cavage_params_of_any_text(
            text in prop_oneof![any::<String>(), "[a-zA-Z=,\" \\\\\t]{0,40}"],
        ) {
            if let Ok(params) = parse_cavage_params(&text) {
                prop_assert_eq!(parse_cavage_params(&serialize_params(&params)), Ok(params));
            }
        }
    }

    #[test]
    fn cavage_post_valid() {
        let hs = signed_post(BODY, POST_COVERED);
        let req = request("POST", "/users/bob/inbox", &hs, Some(BODY));
        let parsed = parse(&req).unwrap();
        assert_eq!(parsed.scheme(), Scheme::Cavage);
        assert_eq!(parsed.key_id(), KEY_ID);
        assert_eq!(parsed.algorithm(), Some("rsa-sha256"));
        assert_eq!(
            parsed.signed_headers(),
            ["(request-target)", "host", "date", "digest", "content-type"]
        );
        let expected = format!(
            "(request-target): post /users/bob/inbox\nhost: kodeon.example\ndate: {DATE}\n\
             digest: {}\ncontent-type: application/activity+json",
            digest_header(BODY)
        );
        assert_eq!(parsed.signing_string(), expected.as_bytes());
        assert_eq!(parsed.created(), None);
        check_request(&req, &parsed, NOW, &Policy::default()).unwrap();
        verify(&parsed, &signer_key()).unwrap();
    }

    #[test]
    fn cavage_get_valid_without_digest() {
        let covered = "(request-target) host date accept";
        let mut hs = headers(&[
            ("host", "kodeon.example"),
            ("date", DATE),
            ("accept", "application/activity+json"),
        ]);
        let string = cavage_string("GET", "/users/bob/outbox?page=true", &hs, covered);
        hs.push(("signature".into(), cavage_header(None, covered, &string)));
        let req = request("GET", "/users/bob/outbox?page=true", &hs, None);
        let parsed = parse(&req).unwrap();
        assert_eq!(parsed.signing_string(), string.as_bytes());
        check_request(&req, &parsed, NOW, &Policy::default()).unwrap();
        verify(&parsed, &signer_key()).unwrap();
    }

    #[test]
    fn cavage_hs2019_with_created_and_expires() {
        let covered = "(request-target) (created) (expires) host digest";
        let created = NOW - 5;
        let expires = NOW + 60;
        let digest = digest_header(BODY);
        let string = format!(
            "(request-target): post /inbox\n(created): {created}\n(expires): {expires}\n\
             host: kodeon.example\ndigest: {digest}"
        );
        let sig = b64(&signer().sign_sha256(string.as_bytes()));
        let hs = headers(&[
            ("host", "kodeon.example"),
            ("digest", &digest),
            (
                "signature",
                &format!(
                    r#"keyId="{KEY_ID}", algorithm="hs2019", created={created}, expires={expires}, headers="{covered}", signature="{sig}""#
                ),
            ),
        ]);
        let req = request("POST", "/inbox", &hs, Some(BODY));
        let parsed = parse(&req).unwrap();
        assert_eq!(parsed.signing_string(), string.as_bytes());
        assert_eq!(parsed.created(), Some(created));
        assert_eq!(parsed.expires(), Some(expires));
        check_request(&req, &parsed, NOW, &Policy::default()).unwrap();
        verify(&parsed, &signer_key()).unwrap();
        assert_eq!(
            check_request(&req, &parsed, expires + 1, &Policy::default()),
            Err(SignatureError::Expired)
        );
    }

    #[test]
    fn cavage_created_with_rsa_sha256_is_refused() {
        let hs = headers(&[(
            "signature",
            r#"keyId="k",algorithm="rsa-sha256",created=1,headers="(request-target) (created)",signature="AAAA""#,
        )]);
        let req = request("GET", "/", &hs, None);
        assert!(matches!(parse(&req), Err(SignatureError::Malformed(_))));
    }

    #[test]
    fn cavage_unsupported_algorithm() {
        let hs = headers(&[(
            "signature",
            r#"keyId="k",algorithm="hmac-sha256",headers="date",signature="AAAA""#,
        )]);
        let req = request("GET", "/", &hs, None);
        assert_eq!(
            parse(&req),
            Err(SignatureError::UnsupportedAlgorithm("hmac-sha256".into()))
        );
    }

    #[test]
    fn cavage_default_headers_is_date() {
        let string = format!("date: {DATE}");
        let hs = headers(&[
            ("date", DATE),
            (
                "signature",
                &format!(
                    r#"keyId="{KEY_ID}",signature="{}""#,
                    b64(&signer().sign_sha256(string.as_bytes()))
                ),
            ),
        ]);
        let req = request("GET", "/", &hs, None);
        let parsed = parse(&req).unwrap();
        assert_eq!(parsed.signed_headers(), ["date"]);
        assert_eq!(parsed.signing_string(), string.as_bytes());
        verify(&parsed, &signer_key()).unwrap();
        // Valid, but too weak for an inbox.
        assert_eq!(
            check_request(&req, &parsed, NOW, &Policy::default()),
            Err(SignatureError::MissingCoveredHeader("(request-target)"))
        );
    }

    #[test]
    fn cavage_malformed_inputs() {
        let parse_sig = |value: &str| {
            let hs = headers(&[("date", DATE), ("signature", value)]);
            parse(&request("GET", "/", &hs, None))
        };
        let is_malformed = |r: Result<ParsedSignature, SignatureError>| {
            matches!(r, Err(SignatureError::Malformed(_)))
        };
        assert!(is_malformed(parse_sig(
            r#"headers="date",signature="AAAA""#
        )));
        assert!(is_malformed(parse_sig(r#"keyId="k",headers="date""#)));
        assert!(is_malformed(parse_sig(
            r#"keyId="k",signature="not base64!""#
        )));
        assert!(is_malformed(parse_sig(r#"keyId="k,signature="AAAA""#)));
        assert!(is_malformed(parse_sig(
            r#"keyId="k",keyId="j",signature="AAAA""#
        )));
        assert!(is_malformed(parse_sig(
            r#"keyId="k",headers="",signature="AAAA""#
        )));
        assert!(is_malformed(parse_sig(
            r#"keyId="k",headers="(created)",signature="AAAA""#
        )));
        assert!(is_malformed(parse_sig(
            r#"keyId="k",created=12x,headers="(created)",signature="AAAA""#
        )));
        assert_eq!(
            parse_sig(r#"keyId="k",headers="(request-target) accept",signature="AAAA""#),
            Err(SignatureError::HeaderAbsent("accept".into()))
        );
        assert_eq!(
            parse_sig(r#"keyId="k",headers="(foo)",signature="AAAA""#),
            Err(SignatureError::UnsupportedComponent("(foo)".into()))
        );
        assert_eq!(
            parse(&request("GET", "/", &headers(&[("date", DATE)]), None)),
            Err(SignatureError::Missing)
        );
        // Unknown parameters are ignored; names are case-insensitive.
        let parsed = parse_sig(r#"KEYID="k", Foo=bar, signature="AAAA""#).unwrap();
        assert_eq!(parsed.key_id(), "k");
    }
}
