//! The non-cryptographic checks on a parsed signature: what it must cover,
//! the body digest, and freshness.

use super::digest::{check_content_digest, check_digest};
use super::{malformed, ParsedSignature, Scheme, SignatureError, SignedRequest};

/// Freshness limits for [`check_request`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// How old `Date` / `created` may be, in seconds (default 3600).
    pub max_age_secs: i64,
    /// How far in the future `Date` / `created` may be, in seconds, to
    /// allow for clock skew (default 300).
    pub max_future_secs: i64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            max_age_secs: 3600,
            max_future_secs: 300,
        }
    }
}

/// The non-cryptographic checks on a parsed signature, as Mastodon does
/// them: required coverage, body digest, and freshness (see the module
/// documentation). `now_unix` is the current time in Unix seconds.
pub fn check_request(
    req: &SignedRequest,
    parsed: &ParsedSignature,
    now_unix: i64,
    policy: &Policy,
) -> Result<(), SignatureError> {
    let covers = |name: &str| parsed.covers(name);
    match parsed.scheme {
        Scheme::Cavage => {
            if !covers("(request-target)") {
                return Err(SignatureError::MissingCoveredHeader("(request-target)"));
            }
            if !covers("host") {
                return Err(SignatureError::MissingCoveredHeader("host"));
            }
            if !covers("date") && !covers("(created)") {
                return Err(SignatureError::MissingCoveredHeader("date or (created)"));
            }
            if req.needs_digest() && !covers("digest") {
                return Err(SignatureError::MissingCoveredHeader("digest"));
            }
        }
        Scheme::Rfc9421 => {
            if !covers("@method") {
                return Err(SignatureError::MissingCoveredHeader("@method"));
            }
            let target = covers("@target-uri")
                || (covers("@authority") && (covers("@path") || covers("@request-target")));
            if !target {
                return Err(SignatureError::MissingCoveredHeader(
                    "@target-uri, or @authority and @path",
                ));
            }
            if parsed.created.is_none() && !covers("date") {
                return Err(SignatureError::MissingCoveredHeader(
                    "date or a created parameter",
                ));
            }
            if req.needs_digest() && !covers("content-digest") {
                return Err(SignatureError::MissingCoveredHeader("content-digest"));
            }
        }
    }

    if let Some(expires) = parsed.expires {
        if now_unix > expires {
            return Err(SignatureError::Expired);
        }
    }
    if let Some(created) = parsed.created {
        check_window(created, now_unix, policy)?;
    }
    if covers("date") {
        let date = req.field_value("date")?;
        let time = httpdate::parse_http_date(&date)
            .map_err(|_| malformed(format!("Date header is not an HTTP date: {date}")))?;
        let secs = time
            .duration_since(std::time::UNIX_EPOCH)
            .ok()
            .and_then(|d| i64::try_from(d.as_secs()).ok())
            .ok_or_else(|| malformed("Date header before 1970"))?;
        check_window(secs, now_unix, policy)?;
    }

    if parsed.scheme == Scheme::Cavage && covers("digest") {
        check_digest(req)?;
    }
    if parsed.scheme == Scheme::Rfc9421 && covers("content-digest") {
        check_content_digest(req)?;
    }
    Ok(())
}

fn check_window(t: i64, now: i64, policy: &Policy) -> Result<(), SignatureError> {
    if now.saturating_sub(t) > policy.max_age_secs || t.saturating_sub(now) > policy.max_future_secs
    {
        return Err(SignatureError::DateOutOfWindow);
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::parse;
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn cavage_date_window() {
        let hs = signed_post(BODY, POST_COVERED);
        let req = request("POST", "/users/bob/inbox", &hs, Some(BODY));
        let parsed = parse(&req).unwrap();
        let policy = Policy::default();
        // An hour old is still accepted; older is not.
        assert_eq!(
            check_request(&req, &parsed, DATE_UNIX + 3600, &policy),
            Ok(())
        );
        assert_eq!(
            check_request(&req, &parsed, DATE_UNIX + 3601, &policy),
            Err(SignatureError::DateOutOfWindow)
        );
        // Five minutes of clock skew into the future, not more.
        assert_eq!(
            check_request(&req, &parsed, DATE_UNIX - 300, &policy),
            Ok(())
        );
        assert_eq!(
            check_request(&req, &parsed, DATE_UNIX - 301, &policy),
            Err(SignatureError::DateOutOfWindow)
        );
        let lax = Policy {
            max_age_secs: 12 * 3600,
            ..Policy::default()
        };
        assert_eq!(check_request(&req, &parsed, DATE_UNIX + 3601, &lax), Ok(()));
    }

    #[test]
    fn cavage_bad_date_is_malformed() {
        let covered = "(request-target) host date";
        let mut hs = headers(&[("host", "kodeon.example"), ("date", "yesterday")]);
        let string = cavage_string("GET", "/", &hs, covered);
        hs.push(("signature".into(), cavage_header(None, covered, &string)));
        let req = request("GET", "/", &hs, None);
        let parsed = parse(&req).unwrap();
        assert!(matches!(
            check_request(&req, &parsed, NOW, &Policy::default()),
            Err(SignatureError::Malformed(_))
        ));
    }

    #[test]
    fn cavage_required_coverage() {
        let check = |covered: &str| {
            let mut hs = headers(&[("host", "kodeon.example"), ("date", DATE)]);
            let string = cavage_string("GET", "/", &hs, covered);
            hs.push(("signature".into(), cavage_header(None, covered, &string)));
            let req = request("GET", "/", &hs, None);
            check_request(&req, &parse(&req).unwrap(), NOW, &Policy::default())
        };
        assert_eq!(check("(request-target) host date"), Ok(()));
        assert_eq!(
            check("(request-target) date"),
            Err(SignatureError::MissingCoveredHeader("host"))
        );
        assert_eq!(
            check("(request-target) host"),
            Err(SignatureError::MissingCoveredHeader("date or (created)"))
        );
    }

    #[test]
    fn rfc9421_required_coverage() {
        let check = |inner: &str, body: Option<&[u8]>| {
            let mut hs = headers(&[("host", "kodeon.example"), ("date", DATE)]);
            hs.push(("signature-input".into(), format!("sig1={inner}")));
            hs.push(("signature".into(), "sig1=:AAAA:".into()));
            let method = if body.is_some() { "POST" } else { "GET" };
            let req = request(method, "/inbox", &hs, body);
            check_request(&req, &parse(&req).unwrap(), NOW, &Policy::default())
        };
        assert_eq!(
            check(
                r#"("@method" "@authority" "@path");created=1618884480;keyid="k""#,
                None
            ),
            Ok(())
        );
        assert_eq!(
            check(r#"("@method" "@authority" "@path" "date");keyid="k""#, None),
            Ok(())
        );
        assert_eq!(
            check(r#"("@method" "@authority" "@path");keyid="k""#, None),
            Err(SignatureError::MissingCoveredHeader(
                "date or a created parameter"
            ))
        );
        assert_eq!(
            check(
                r#"("@authority" "@path");created=1618884480;keyid="k""#,
                None
            ),
            Err(SignatureError::MissingCoveredHeader("@method"))
        );
        assert_eq!(
            check(r#"("@method" "@path");created=1618884480;keyid="k""#, None),
            Err(SignatureError::MissingCoveredHeader(
                "@target-uri, or @authority and @path"
            ))
        );
        assert_eq!(
            check(
                r#"("@method" "@target-uri");created=1618884480;keyid="k""#,
                Some(BODY)
            ),
            Err(SignatureError::MissingCoveredHeader("content-digest"))
        );
        assert_eq!(
            check(
                r#"("@method" "@target-uri");created=1618884480;expires=1618884481;keyid="k""#,
                None
            ),
            Err(SignatureError::Expired)
        );
        assert_eq!(
            check(
                r#"("@method" "@target-uri");created=1618880000;keyid="k""#,
                None
            ),
            Err(SignatureError::DateOutOfWindow)
        );
    }
}
