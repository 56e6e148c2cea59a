//! RFC 9421 HTTP Message Signatures: the first signature of
//! `Signature-Input`, its components' values and its signature base.

use super::structured_fields::{self as sf, is_tchar};
use super::{malformed, ParsedSignature, Scheme, SignatureError, SignedRequest};

/// The value of one RFC 9421 covered component.
pub(super) fn component_value(req: &SignedRequest, name: &str) -> Result<String, SignatureError> {
    let (path, query) = match req.path_and_query.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (req.path_and_query, None),
    };
    let authority = || {
        if req.authority.is_empty() {
            Err(malformed(format!("{name} needs the request authority")))
        } else {
            Ok(req.authority)
        }
    };
    Ok(match name {
        "@method" => req.method.to_owned(),
        "@scheme" => req.scheme.to_ascii_lowercase(),
        "@target-uri" => format!(
            "{}://{}{}",
            req.scheme.to_ascii_lowercase(),
            authority()?,
            req.path_and_query
        ),
        "@authority" => {
            let scheme = req.scheme.to_ascii_lowercase();
            let auth = authority()?.to_ascii_lowercase();
            let default_port = match scheme.as_str() {
                "https" => Some(":443"),
                "http" => Some(":80"),
                _ => None,
            };
            match default_port.and_then(|p| auth.strip_suffix(p)) {
                Some(stripped) => stripped.to_owned(),
                None => auth,
            }
        }
        "@path" if path.is_empty() => "/".to_owned(),
        "@path" => path.to_owned(),
        "@query" => format!("?{}", query.unwrap_or_default()),
        "@request-target" => req.path_and_query.to_owned(),
        other if other.starts_with('@') => {
            return Err(SignatureError::UnsupportedComponent(other.to_owned()))
        }
        header => {
            if header.is_empty()
                || !header
                    .bytes()
                    .all(|c| is_tchar(c) && !c.is_ascii_uppercase())
            {
                return Err(malformed(format!("invalid component name `{header}`")));
            }
            req.field_value(header)?
        }
    })
}

pub(super) fn parse(req: &SignedRequest) -> Result<ParsedSignature, SignatureError> {
    let input_raw = req
        .combined("signature-input")
        .ok_or(SignatureError::Missing)?;
    let inputs =
        sf::parse_dictionary(&input_raw).map_err(|e| malformed(format!("Signature-Input: {e}")))?;
    let first = inputs
        .first()
        .ok_or_else(|| malformed("empty Signature-Input"))?;
    let label = first.key.clone();
    let sf::Member::InnerList(items, params) = &first.member else {
        return Err(malformed(format!(
            "Signature-Input `{label}` is not an inner list"
        )));
    };
    let params_raw = input_raw
        .get(first.span.clone())
        .ok_or_else(|| malformed("Signature-Input span"))?;

    let sig_raw = req
        .combined("signature")
        .ok_or_else(|| malformed("Signature-Input without Signature"))?;
    let sigs = sf::parse_dictionary(&sig_raw).map_err(|e| malformed(format!("Signature: {e}")))?;
    let signature = match sigs.iter().find(|e| e.key == label).map(|e| &e.member) {
        Some(sf::Member::Item(sf::Item {
            bare: sf::Bare::Bytes(b),
            ..
        })) => b.clone(),
        Some(_) => {
            return Err(malformed(format!(
                "Signature `{label}` is not a byte sequence"
            )))
        }
        None => return Err(malformed(format!("no Signature for label `{label}`"))),
    };

    let mut key_id = None;
    let mut algorithm = None;
    let mut created = None;
    let mut expires = None;
    for (name, value) in params {
        match (name.as_str(), value) {
            ("keyid", sf::Bare::String(s)) => key_id = Some(s.clone()),
            ("alg", sf::Bare::String(s)) => algorithm = Some(s.clone()),
            ("created", sf::Bare::Integer(n)) => created = Some(*n),
            ("expires", sf::Bare::Integer(n)) => expires = Some(*n),
            ("keyid" | "alg", _) => return Err(malformed(format!("`{name}` must be a string"))),
            ("created" | "expires", _) => {
                return Err(malformed(format!("`{name}` must be an integer")))
            }
            _ => {}
        }
    }
    if let Some(alg) = &algorithm {
        if alg != "rsa-v1_5-sha256" {
            return Err(SignatureError::UnsupportedAlgorithm(alg.clone()));
        }
    }
    let key_id = key_id
        .filter(|k| !k.is_empty())
        .ok_or_else(|| malformed("missing keyid"))?;

    let mut covered: Vec<String> = Vec::with_capacity(items.len());
    let mut base = String::new();
    for item in items {
        let sf::Bare::String(name) = &item.bare else {
            return Err(malformed("component identifier is not a string"));
        };
        if !item.params.is_empty() {
            return Err(SignatureError::UnsupportedComponent(format!(
                "\"{name}\" with parameters"
            )));
        }
        if covered.contains(name) {
            return Err(malformed(format!("component \"{name}\" listed twice")));
        }
        let value = component_value(req, name)?;
        base.push('"');
        base.push_str(name);
        base.push_str("\": ");
        base.push_str(&value);
        base.push('\n');
        covered.push(name.clone());
    }
    base.push_str("\"@signature-params\": ");
    base.push_str(params_raw);

    Ok(ParsedSignature {
        scheme: Scheme::Rfc9421,
        key_id,
        algorithm,
        label: Some(label),
        covered,
        signing_string: base.into_bytes(),
        signature,
        created,
        expires,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use identity::RsaVerifyingKey;

    use super::super::test_support::*;
    use super::super::{check_request, parse, verify, Policy, Scheme, SignatureError};

    #[test]
    fn rfc9421_post_valid() {
        let hs = rfc9421_post(BODY);
        let req = request("POST", "/users/bob/inbox", &hs, Some(BODY));
        let parsed = parse(&req).unwrap();
        assert_eq!(parsed.scheme(), Scheme::Rfc9421);
        assert_eq!(parsed.label(), Some("sig1"));
        assert_eq!(parsed.key_id(), KEY_ID);
        assert_eq!(parsed.algorithm(), Some("rsa-v1_5-sha256"));
        assert_eq!(parsed.created(), Some(1_618_884_480));
        assert_eq!(parsed.expires(), None);
        assert_eq!(
            parsed.signed_headers(),
            ["@method", "@target-uri", "content-digest", "content-type"]
        );
        check_request(&req, &parsed, NOW, &Policy::default()).unwrap();
        verify(&parsed, &signer_key()).unwrap();
        assert_eq!(
            verify(&parsed, &other_key()),
            Err(SignatureError::BadSignature)
        );
    }

    #[test]
    fn rfc9421_derived_components() {
        let inner = r#"("@method" "@scheme" "@authority" "@path" "@query" "@request-target" "@target-uri" "accept");created=1618884480;keyid="k""#;
        let hs = headers(&[
            ("accept", "application/activity+json"),
            ("accept", "application/ld+json"),
            ("signature-input", &format!("sig1={inner}")),
            ("signature", "sig1=:AAAA:"),
        ]);
        let mut req = request("GET", "/users/bob?page=1&x=%20", &hs, None);
        req.authority = "Kodeon.Example:443";
        let parsed = parse(&req).unwrap();
        let expected = format!(
            "\"@method\": GET\n\"@scheme\": https\n\"@authority\": kodeon.example\n\
             \"@path\": /users/bob\n\"@query\": ?page=1&x=%20\n\
             \"@request-target\": /users/bob?page=1&x=%20\n\
             \"@target-uri\": https://Kodeon.Example:443/users/bob?page=1&x=%20\n\
             \"accept\": application/activity+json, application/ld+json\n\
             \"@signature-params\": {inner}"
        );
        assert_eq!(
            String::from_utf8_lossy(parsed.signing_string()),
            expected.as_str()
        );

        // No query: `@query` is a lone "?".
        let inner = r#"("@query" "@path");keyid="k""#;
        let hs = headers(&[
            ("signature-input", &format!("sig1={inner}")),
            ("signature", "sig1=:AAAA:"),
        ]);
        let req = request("GET", "/x", &hs, None);
        assert_eq!(
            String::from_utf8_lossy(parse(&req).unwrap().signing_string()),
            format!("\"@query\": ?\n\"@path\": /x\n\"@signature-params\": {inner}")
        );
    }

    #[test]
    fn rfc9421_first_label_is_used() {
        let hs = rfc9421_post(BODY);
        // Put another signature in front, in separate header lines.
        let mut more = headers(&[
            (
                "signature-input",
                r#"sig0=("@method" "@target-uri" "content-digest");created=1618884480;keyid="https://elsewhere.example/k""#,
            ),
            ("signature", "sig0=:AAAA:"),
        ]);
        more.extend(hs.iter().cloned());
        let req = request("POST", "/users/bob/inbox", &more, Some(BODY));
        let parsed = parse(&req).unwrap();
        assert_eq!(parsed.label(), Some("sig0"));
        assert_eq!(parsed.key_id(), "https://elsewhere.example/k");
        assert_eq!(parsed.signature(), [0, 0, 0]);

        // The label's signature must be present.
        let hs = headers(&[
            ("signature-input", r#"sig1=("@method");keyid="k""#),
            ("signature", "sig2=:AAAA:"),
        ]);
        assert!(matches!(
            parse(&request("GET", "/", &hs, None)),
            Err(SignatureError::Malformed(_))
        ));
    }

    #[test]
    fn rfc9421_refusals() {
        let parse_input = |input: &str| {
            let hs = headers(&[
                ("signature-input", input),
                ("signature", "sig1=:AAAA:"),
                ("accept", "*/*"),
            ]);
            parse(&request("GET", "/", &hs, None))
        };
        assert_eq!(
            parse_input(r#"sig1=("@method");keyid="k";alg="rsa-pss-sha512""#),
            Err(SignatureError::UnsupportedAlgorithm(
                "rsa-pss-sha512".into()
            ))
        );
        assert_eq!(
            parse_input(r#"sig1=("@query-param";name="a");keyid="k""#),
            Err(SignatureError::UnsupportedComponent(
                "\"@query-param\" with parameters".into()
            ))
        );
        assert_eq!(
            parse_input(r#"sig1=("@status");keyid="k""#),
            Err(SignatureError::UnsupportedComponent("@status".into()))
        );
        assert_eq!(
            parse_input(r#"sig1=("date");keyid="k""#),
            Err(SignatureError::HeaderAbsent("date".into()))
        );
        for bad in [
            r#"sig1=("@method");alg="rsa-v1_5-sha256""#,
            r#"sig1=("@method" "@method");keyid="k""#,
            r#"sig1=("Accept");keyid="k""#,
            r#"sig1=(@method);keyid="k""#,
            r#"sig1=("@method");keyid=k"#,
            r#"sig1=("@method");keyid="k";created="1""#,
            r#"sig1="@method";keyid="k""#,
            r#"sig1=("@method";keyid="k""#,
            r#"sig1=("@method");keyid="k","#,
        ] {
            assert!(
                matches!(parse_input(bad), Err(SignatureError::Malformed(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn rfc9421_b23_signature_base() {
        // RFC 9421 Appendix B.2.3 (rsa-pss-sha512, so only the base is checked).
        let inner = r#"("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss""#;
        let hs = headers(&[
            ("host", "example.com"),
            ("date", DATE),
            ("content-type", "application/json"),
            ("content-digest", RFC_CONTENT_DIGEST),
            ("content-length", "18"),
            ("signature-input", &format!("sig-b23={inner}")),
            ("signature", "sig-b23=:AAAA:"),
        ]);
        let mut req = request(
            "POST",
            "/foo?param=Value&Pet=dog",
            &hs,
            Some(br#"{"hello": "world"}"#),
        );
        req.authority = "example.com";
        let parsed = parse(&req).unwrap();
        let expected = format!(
            "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n\
             \"@method\": POST\n\
             \"@path\": /foo\n\
             \"@query\": ?param=Value&Pet=dog\n\
             \"@authority\": example.com\n\
             \"content-type\": application/json\n\
             \"content-digest\": {RFC_CONTENT_DIGEST}\n\
             \"content-length\": 18\n\
             \"@signature-params\": {inner}"
        );
        assert_eq!(
            String::from_utf8_lossy(parsed.signing_string()),
            expected.as_str()
        );
        // sha-512 Content-Digest of the RFC body matches.
        check_request(&req, &parsed, 1_618_884_480, &Policy::default()).unwrap();
    }

    #[test]
    fn rfc9421_section_4_3_proxy_sig_vector() {
        // RFC 9421 Section 4.3: the only rsa-v1_5-sha256 example in the RFC,
        // signed with test-key-rsa (Appendix B.1.1).
        let hs = headers(&[
            ("host", "origin.host.internal.example"),
            ("date", "Tue, 20 Apr 2021 02:07:56 GMT"),
            ("content-type", "application/json"),
            ("content-digest", RFC_CONTENT_DIGEST),
            ("content-length", "18"),
            ("forwarded", "for=192.0.2.123;host=example.com;proto=https"),
            (
                "signature-input",
                r#"proxy_sig=("@method" "@authority" "@path" "content-digest" "content-type" "content-length" "forwarded");created=1618884480;keyid="test-key-rsa";alg="rsa-v1_5-sha256";expires=1618884540"#,
            ),
            (
                "signature",
                "proxy_sig=:S6ZzPXSdAMOPjN/6KXfXWNO/f7V6cHm7BXYUh3YD/fRad4BCaRZxP+JH+8XY1I6+8Cy+CM5g92iHgxtRPz+MjniOaYmdkDcnL9cCpXJleXsOckpURl49GwiyUpZ10KHgOEe11sx3G2gxI8S0jnxQB+Pu68U9vVcasqOWAEObtNKKZd8tSFu7LB5YAv0RAGhB8tmpv7sFnIm9y+7X5kXQfi8NMaZaA8i2ZHwpBdg7a6CMfwnnrtflzvZdXAsD3LH2TwevU+/PBPv0B6NMNk93wUs/vfJvye+YuI87HU38lZHowtznbLVdp770I6VHR6WfgS9ddzirrswsE1w5o0LV/g==:",
            ),
        ]);
        let mut req = request(
            "POST",
            "/foo?param=Value&Pet=dog",
            &hs,
            Some(br#"{"hello": "world"}"#),
        );
        req.authority = "origin.host.internal.example";
        let parsed = parse(&req).unwrap();
        assert_eq!(parsed.key_id(), "test-key-rsa");
        assert_eq!(parsed.label(), Some("proxy_sig"));
        assert_eq!(parsed.expires(), Some(1_618_884_540));
        let key = RsaVerifyingKey::from_public_pem(RFC_TEST_KEY_RSA).unwrap();
        verify(&parsed, &key).unwrap();
        check_request(&req, &parsed, 1_618_884_500, &Policy::default()).unwrap();
        assert_eq!(
            check_request(&req, &parsed, 1_618_884_541, &Policy::default()),
            Err(SignatureError::Expired)
        );
    }
}
