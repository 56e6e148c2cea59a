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
//! - cavage `(created)` / `(expires)` are refused with an explicit
//!   `algorithm="rsa-sha256"`, as the draft (and Mastodon) require.
//! - Fedify signs an RFC 9421 GET of a key id with its `#fragment` in
//!   `@target-uri`; [`ParsedSignature::with_target_fragment`] rebuilds the
//!   base with a fragment the verifier names (its own key ids').

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use identity::RsaVerifyingKey;
use sha2::{Digest as _, Sha256, Sha512};

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

/// The parts of a received HTTP request that signatures cover.
#[derive(Clone, Copy, Debug)]
pub struct SignedRequest<'a> {
    /// The method as received, e.g. `POST`.
    pub method: &'a str,
    /// `https` or `http` (for `@target-uri`, `@scheme` and `@authority`).
    pub scheme: &'a str,
    /// Host and optional port the request was sent to (the `Host` header or
    /// HTTP/2 `:authority`), e.g. `kodeon.example`.
    pub authority: &'a str,
    /// The request target in origin form, e.g. `/users/alice/inbox?x=1`.
    pub path_and_query: &'a str,
    /// Header fields with lower-case names and values as received; a
    /// repeated header appears several times, in order.
    pub headers: &'a [(String, String)],
    /// The body; `None` for requests without one (GET).
    pub body: Option<&'a [u8]>,
}

impl SignedRequest<'_> {
    fn values<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// All values of `name`, each trimmed, joined with `", "`; `None` when
    /// the header is absent.
    fn combined(&self, name: &str) -> Option<String> {
        let mut out: Option<String> = None;
        for v in self.values(name) {
            let v = v.trim_matches([' ', '\t']);
            match &mut out {
                None => out = Some(v.to_owned()),
                Some(s) => {
                    s.push_str(", ");
                    s.push_str(v);
                }
            }
        }
        out
    }

    /// The value of a covered header for a signing string.
    fn field_value(&self, name: &str) -> Result<String, SignatureError> {
        let value = match self.combined(name) {
            Some(v) => v,
            None if name == "host" && !self.authority.is_empty() => self.authority.to_owned(),
            None => return Err(SignatureError::HeaderAbsent(name.to_owned())),
        };
        if value.contains(['\r', '\n']) {
            return Err(malformed(format!("header `{name}` contains a line break")));
        }
        Ok(value)
    }

    fn needs_digest(&self) -> bool {
        ["POST", "PUT", "PATCH"]
            .iter()
            .any(|m| self.method.eq_ignore_ascii_case(m))
            || self.body.is_some_and(|b| !b.is_empty())
    }
}

/// Which specification a signature follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// draft-cavage-http-signatures (`Signature: keyId=...`).
    Cavage,
    /// RFC 9421 HTTP Message Signatures (`Signature-Input` + `Signature`).
    Rfc9421,
}

/// A parsed signature with its signing string, ready to [`verify`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedSignature {
    scheme: Scheme,
    key_id: String,
    algorithm: Option<String>,
    label: Option<String>,
    covered: Vec<String>,
    signing_string: Vec<u8>,
    signature: Vec<u8>,
    created: Option<i64>,
    expires: Option<i64>,
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

    fn covers(&self, name: &str) -> bool {
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
    /// it fetches a key; a fragment is never sent, so the base [`parse`]
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

fn malformed(msg: impl Into<String>) -> SignatureError {
    SignatureError::Malformed(msg.into())
}

/// Finds the request's signature and builds what it signs.
///
/// `Signature-Input` selects RFC 9421; otherwise a `Signature` header or
/// `Authorization: Signature ...` is read as draft-cavage.
pub fn parse(req: &SignedRequest) -> Result<ParsedSignature, SignatureError> {
    if req.values("signature-input").next().is_some() {
        return parse_rfc9421(req);
    }
    let mut sigs = req.values("signature");
    if let Some(first) = sigs.next() {
        if sigs.next().is_some() {
            return Err(malformed("several Signature headers"));
        }
        return parse_cavage(req, first);
    }
    for auth in req.values("authorization") {
        let auth = auth.trim_start();
        if let Some((scheme, rest)) = auth.split_once([' ', '\t']) {
            if scheme.eq_ignore_ascii_case("signature") {
                return parse_cavage(req, rest);
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

/// `SHA-256=<base64>`: a `Digest` header value for `body` (draft-cavage).
pub fn digest_header(body: &[u8]) -> String {
    format!("SHA-256={}", STANDARD.encode(Sha256::digest(body)))
}

/// `sha-256=:<base64>:`: a `Content-Digest` header value for `body`
/// (RFC 9530, used with RFC 9421).
pub fn content_digest_sha256(body: &[u8]) -> String {
    format!("sha-256=:{}:", STANDARD.encode(Sha256::digest(body)))
}

fn check_window(t: i64, now: i64, policy: &Policy) -> Result<(), SignatureError> {
    if now.saturating_sub(t) > policy.max_age_secs || t.saturating_sub(now) > policy.max_future_secs
    {
        return Err(SignatureError::DateOutOfWindow);
    }
    Ok(())
}

fn check_digest(req: &SignedRequest) -> Result<(), SignatureError> {
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

fn check_content_digest(req: &SignedRequest) -> Result<(), SignatureError> {
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

// ---------------------------------------------------------------- cavage

/// Parses `name="value", name=value` pairs; names are lower-cased.
fn parse_cavage_params(s: &str) -> Result<Vec<(String, String)>, SignatureError> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut out: Vec<(String, String)> = Vec::new();
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
        if out.iter().any(|(n, _)| *n == name) {
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

fn parse_cavage(req: &SignedRequest, value: &str) -> Result<ParsedSignature, SignatureError> {
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
    for name in &covered {
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

// -------------------------------------------------------------- RFC 9421

fn is_tchar(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c)
}

/// The value of one RFC 9421 covered component.
fn component_value(req: &SignedRequest, name: &str) -> Result<String, SignatureError> {
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

fn parse_rfc9421(req: &SignedRequest) -> Result<ParsedSignature, SignatureError> {
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

/// The subset of RFC 8941 structured fields that signatures need:
/// dictionaries of items and inner lists with parameters.
mod sf {
    use std::ops::Range;

    use base64::Engine as _;

    /// A bare item. Decimals are kept as text.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub(super) enum Bare {
        Integer(i64),
        Decimal(String),
        String(String),
        Token(String),
        Bytes(Vec<u8>),
        Boolean(bool),
    }

    pub(super) type Params = Vec<(String, Bare)>;

    #[derive(Clone, Debug, PartialEq, Eq)]
    pub(super) struct Item {
        pub bare: Bare,
        pub params: Params,
    }

    #[derive(Clone, Debug, PartialEq, Eq)]
    pub(super) enum Member {
        Item(Item),
        InnerList(Vec<Item>, Params),
    }

    /// A dictionary member; `span` is the byte range of its value (after
    /// `=`) in the parsed text, exactly as received.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub(super) struct Entry {
        pub key: String,
        pub member: Member,
        pub span: Range<usize>,
    }

    struct Parser<'a> {
        s: &'a [u8],
        pos: usize,
    }

    fn insert<T>(list: &mut Vec<(String, T)>, key: String, value: T) {
        match list.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => list.push((key, value)),
        }
    }

    impl Parser<'_> {
        fn peek(&self) -> Option<u8> {
            self.s.get(self.pos).copied()
        }

        fn text(&self, range: Range<usize>) -> String {
            String::from_utf8_lossy(self.s.get(range).unwrap_or_default()).into_owned()
        }

        fn err(&self, what: &str) -> String {
            format!("{what} at byte {}", self.pos)
        }

        fn skip_sp(&mut self) {
            while self.peek() == Some(b' ') {
                self.pos += 1;
            }
        }

        fn skip_ows(&mut self) {
            while matches!(self.peek(), Some(b' ' | b'\t')) {
                self.pos += 1;
            }
        }

        fn skip_while(&mut self, f: impl Fn(u8) -> bool) {
            while self.peek().is_some_and(&f) {
                self.pos += 1;
            }
        }

        fn key(&mut self) -> Result<String, String> {
            if !self
                .peek()
                .is_some_and(|c| c.is_ascii_lowercase() || c == b'*')
            {
                return Err(self.err("expected a key"));
            }
            let start = self.pos;
            self.skip_while(|c| {
                c.is_ascii_lowercase()
                    || c.is_ascii_digit()
                    || matches!(c, b'_' | b'-' | b'.' | b'*')
            });
            Ok(self.text(start..self.pos))
        }

        fn params(&mut self) -> Result<Params, String> {
            let mut out = Params::new();
            while self.peek() == Some(b';') {
                self.pos += 1;
                self.skip_sp();
                let key = self.key()?;
                let value = if self.peek() == Some(b'=') {
                    self.pos += 1;
                    self.bare()?
                } else {
                    Bare::Boolean(true)
                };
                insert(&mut out, key, value);
            }
            Ok(out)
        }

        fn item(&mut self) -> Result<Item, String> {
            let bare = self.bare()?;
            let params = self.params()?;
            Ok(Item { bare, params })
        }

        fn member(&mut self) -> Result<Member, String> {
            if self.peek() != Some(b'(') {
                return Ok(Member::Item(self.item()?));
            }
            self.pos += 1;
            let mut items = Vec::new();
            loop {
                self.skip_sp();
                if self.peek() == Some(b')') {
                    self.pos += 1;
                    let params = self.params()?;
                    return Ok(Member::InnerList(items, params));
                }
                items.push(self.item()?);
                if !matches!(self.peek(), Some(b' ' | b')')) {
                    return Err(self.err("expected ' ' or ')' in inner list"));
                }
            }
        }

        fn bare(&mut self) -> Result<Bare, String> {
            match self.peek() {
                Some(b'-' | b'0'..=b'9') => self.number(),
                Some(b'"') => self.string(),
                Some(b':') => self.bytes(),
                Some(b'?') => self.boolean(),
                Some(c) if c.is_ascii_alphabetic() || c == b'*' => {
                    let start = self.pos;
                    self.pos += 1;
                    self.skip_while(|c| super::is_tchar(c) || c == b':' || c == b'/');
                    Ok(Bare::Token(self.text(start..self.pos)))
                }
                _ => Err(self.err("expected an item")),
            }
        }

        fn number(&mut self) -> Result<Bare, String> {
            let start = self.pos;
            if self.peek() == Some(b'-') {
                self.pos += 1;
            }
            let int_start = self.pos;
            self.skip_while(|c| c.is_ascii_digit());
            let int_len = self.pos - int_start;
            if int_len == 0 {
                return Err(self.err("expected a digit"));
            }
            if self.peek() == Some(b'.') {
                self.pos += 1;
                let frac_start = self.pos;
                self.skip_while(|c| c.is_ascii_digit());
                let frac_len = self.pos - frac_start;
                if int_len > 12 || frac_len == 0 || frac_len > 3 {
                    return Err(self.err("invalid decimal"));
                }
                return Ok(Bare::Decimal(self.text(start..self.pos)));
            }
            if int_len > 15 {
                return Err(self.err("integer too long"));
            }
            self.text(start..self.pos)
                .parse()
                .map(Bare::Integer)
                .map_err(|_| self.err("invalid integer"))
        }

        fn string(&mut self) -> Result<Bare, String> {
            self.pos += 1;
            let mut out = String::new();
            loop {
                match self.peek() {
                    None => return Err(self.err("unterminated string")),
                    Some(b'\\') => {
                        self.pos += 1;
                        match self.peek() {
                            Some(c @ (b'"' | b'\\')) => {
                                out.push(char::from(c));
                                self.pos += 1;
                            }
                            _ => return Err(self.err("invalid escape in string")),
                        }
                    }
                    Some(b'"') => {
                        self.pos += 1;
                        return Ok(Bare::String(out));
                    }
                    Some(c @ 0x20..=0x7e) => {
                        out.push(char::from(c));
                        self.pos += 1;
                    }
                    Some(_) => return Err(self.err("invalid character in string")),
                }
            }
        }

        fn bytes(&mut self) -> Result<Bare, String> {
            self.pos += 1;
            let start = self.pos;
            self.skip_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'='));
            let end = self.pos;
            if self.peek() != Some(b':') {
                return Err(self.err("unterminated byte sequence"));
            }
            self.pos += 1;
            super::LENIENT_BASE64
                .decode(self.s.get(start..end).unwrap_or_default())
                .map(Bare::Bytes)
                .map_err(|_| self.err("invalid base64 in byte sequence"))
        }

        fn boolean(&mut self) -> Result<Bare, String> {
            self.pos += 1;
            let value = match self.peek() {
                Some(b'0') => false,
                Some(b'1') => true,
                _ => return Err(self.err("invalid boolean")),
            };
            self.pos += 1;
            Ok(Bare::Boolean(value))
        }
    }

    /// Parses a dictionary. A repeated key keeps its first position and
    /// takes the last value, as RFC 8941 specifies.
    pub(super) fn parse_dictionary(input: &str) -> Result<Vec<Entry>, String> {
        let mut p = Parser {
            s: input.as_bytes(),
            pos: 0,
        };
        let mut out: Vec<Entry> = Vec::new();
        p.skip_sp();
        if p.peek().is_none() {
            return Ok(out);
        }
        loop {
            let key = p.key()?;
            let (start, member) = if p.peek() == Some(b'=') {
                p.pos += 1;
                let start = p.pos;
                (start, p.member()?)
            } else {
                let start = p.pos;
                let params = p.params()?;
                (
                    start,
                    Member::Item(Item {
                        bare: Bare::Boolean(true),
                        params,
                    }),
                )
            };
            let span = start..p.pos;
            match out.iter_mut().find(|e| e.key == key) {
                Some(e) => {
                    e.member = member;
                    e.span = span;
                }
                None => out.push(Entry { key, member, span }),
            }
            p.skip_ows();
            match p.peek() {
                None => return Ok(out),
                Some(b',') => {
                    p.pos += 1;
                    p.skip_ows();
                    if p.peek().is_none() {
                        return Err(p.err("trailing comma"));
                    }
                }
                Some(_) => return Err(p.err("expected ','")),
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::sync::OnceLock;

    use identity::RsaKeypair;

    use super::*;

    /// `Tue, 20 Apr 2021 02:07:55 GMT`.
    const DATE: &str = "Tue, 20 Apr 2021 02:07:55 GMT";
    const DATE_UNIX: i64 = 1_618_884_475;
    const NOW: i64 = DATE_UNIX + 10;
    const KEY_ID: &str = "https://remote.example/users/alice#main-key";
    const BODY: &[u8] = br#"{"type":"Follow","actor":"https://remote.example/users/alice"}"#;

    /// RFC 9421 Appendix B.1.1 `test-key-rsa` (PKCS#1).
    const RFC_TEST_KEY_RSA: &str = "-----BEGIN RSA PUBLIC KEY-----
MIIBCgKCAQEAhAKYdtoeoy8zcAcR874L8cnZxKzAGwd7v36APp7Pv6Q2jdsPBRrw
WEBnez6d0UDKDwGbc6nxfEXAy5mbhgajzrw3MOEt8uA5txSKobBpKDeBLOsdJKFq
MGmXCQvEG7YemcxDTRPxAleIAgYYRjTSd/QBwVW9OwNFhekro3RtlinV0a75jfZg
kne/YiktSvLG34lw2zqXBDTC5NHROUqGTlML4PlNZS5Ri2U4aCNx2rUPRcKIlE0P
uKxI4T+HIaFpv8+rdV6eUgOrB2xeI1dSFFn/nnv5OoZJEIB+VmuKn3DCUcCZSFlQ
PSXSfBDiUGhwOw76WuSSsf1D4b/vLoJ10wIDAQAB
-----END RSA PUBLIC KEY-----
";
    /// RFC 9421 test request content digest of `{"hello": "world"}`.
    const RFC_CONTENT_DIGEST: &str = "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:";

    /// Two keys, generated once (RSA generation is slow).
    fn keys() -> &'static (RsaKeypair, RsaKeypair) {
        static KEYS: OnceLock<(RsaKeypair, RsaKeypair)> = OnceLock::new();
        KEYS.get_or_init(|| {
            (
                RsaKeypair::generate().unwrap(),
                RsaKeypair::generate().unwrap(),
            )
        })
    }

    fn signer() -> &'static RsaKeypair {
        &keys().0
    }

    fn signer_key() -> RsaVerifyingKey {
        RsaVerifyingKey::from_public_pem(&signer().public_pem().unwrap()).unwrap()
    }

    fn other_key() -> RsaVerifyingKey {
        RsaVerifyingKey::from_public_pem(&keys().1.public_pem().unwrap()).unwrap()
    }

    fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn request<'a>(
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
    fn cavage_string(method: &str, path: &str, hs: &[(String, String)], covered: &str) -> String {
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

    fn b64(bytes: &[u8]) -> String {
        STANDARD.encode(bytes)
    }

    /// A cavage `Signature` header value over `signing_string`.
    fn cavage_header(algorithm: Option<&str>, covered: &str, signing_string: &str) -> String {
        let sig = b64(&signer().sign_sha256(signing_string.as_bytes()));
        match algorithm {
            Some(alg) => {
                format!(
                    r#"keyId="{KEY_ID}",algorithm="{alg}",headers="{covered}",signature="{sig}""#
                )
            }
            None => format!(r#"keyId="{KEY_ID}",headers="{covered}",signature="{sig}""#),
        }
    }

    /// Headers of a Mastodon-style signed POST of `BODY` (digest of
    /// `digest_of`), plus the signature over `covered`.
    fn signed_post(digest_of: &[u8], covered: &str) -> Vec<(String, String)> {
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

    const POST_COVERED: &str = "(request-target) host date digest content-type";

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
    fn cavage_repeated_header_values_are_joined() {
        let covered = "(request-target) host date x-forwarded-for cache-control";
        let mut hs = headers(&[
            ("host", "kodeon.example"),
            ("date", DATE),
            ("x-forwarded-for", "192.0.2.1"),
            ("cache-control", " max-age=60 "),
            ("x-forwarded-for", " 198.51.100.7"),
            ("cache-control", "must-revalidate"),
        ]);
        let string = format!(
            "(request-target): get /\nhost: kodeon.example\ndate: {DATE}\n\
             x-forwarded-for: 192.0.2.1, 198.51.100.7\ncache-control: max-age=60, must-revalidate"
        );
        assert_eq!(cavage_string("GET", "/", &hs, covered), string);
        hs.push(("signature".into(), cavage_header(None, covered, &string)));
        let req = request("GET", "/", &hs, None);
        let parsed = parse(&req).unwrap();
        assert_eq!(parsed.signing_string(), string.as_bytes());
        verify(&parsed, &signer_key()).unwrap();
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
    fn cavage_host_falls_back_to_authority() {
        // HTTP/2 requests carry :authority rather than Host.
        let covered = "(request-target) host date";
        let string = format!("(request-target): get /\nhost: kodeon.example\ndate: {DATE}");
        let hs = headers(&[
            ("date", DATE),
            ("signature", &cavage_header(None, covered, &string)),
        ]);
        let req = request("GET", "/", &hs, None);
        let parsed = parse(&req).unwrap();
        assert_eq!(parsed.signing_string(), string.as_bytes());
        verify(&parsed, &signer_key()).unwrap();
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

    // ---------------------------------------------------------- RFC 9421

    /// Adds RFC 9421 headers signing `base` (whose last line must use
    /// `inner` as its @signature-params).
    fn rfc9421_sign(hs: &mut Vec<(String, String)>, inner: &str, base: &str) {
        let sig = b64(&signer().sign_sha256(base.as_bytes()));
        hs.push(("signature-input".into(), format!("sig1={inner}")));
        hs.push(("signature".into(), format!("sig1=:{sig}:")));
    }

    const RFC_INNER: &str = r#"("@method" "@target-uri" "content-digest" "content-type");created=1618884480;keyid="https://remote.example/users/alice#main-key";alg="rsa-v1_5-sha256""#;

    fn rfc9421_post(digest_of: &[u8]) -> Vec<(String, String)> {
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

    // ------------------------------------------------------------ helpers

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
    fn structured_field_dictionary() {
        use sf::{Bare, Item, Member};
        let input = r#"a=1, b;x=?0, c=("s" tok);p=-1.5, d=:AQI=:, a=?1"#;
        let dict = sf::parse_dictionary(input).unwrap();
        let keys: Vec<&str> = dict.iter().map(|e| e.key.as_str()).collect();
        // A repeated key keeps its place and takes the last value.
        assert_eq!(keys, ["a", "b", "c", "d"]);
        assert_eq!(
            dict[0].member,
            Member::Item(Item {
                bare: Bare::Boolean(true),
                params: vec![]
            })
        );
        assert_eq!(
            dict[1].member,
            Member::Item(Item {
                bare: Bare::Boolean(true),
                params: vec![("x".into(), Bare::Boolean(false))]
            })
        );
        assert_eq!(&input[dict[2].span.clone()], r#"("s" tok);p=-1.5"#);
        assert_eq!(
            dict[3].member,
            Member::Item(Item {
                bare: Bare::Bytes(vec![1, 2]),
                params: vec![]
            })
        );
        assert_eq!(sf::parse_dictionary("").unwrap(), vec![]);
        for bad in [
            "A=1",
            "a=1,",
            "a=1 b=2",
            r#"a="\n""#,
            "a=1234567890123456",
            "a=:AQI=",
            "a=?2",
            "a=(1 2",
            "a=(1,2)",
        ] {
            assert!(sf::parse_dictionary(bad).is_err(), "{bad}");
        }
    }

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
