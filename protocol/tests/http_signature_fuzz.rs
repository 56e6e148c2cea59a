//! Property tests of `http_signature` on requests from strangers: any
//! headers, and mutations of requests that verify. Parsing and checking
//! never panic, allocate no more than a small multiple of the request's
//! size, and a signature verifies only over the bytes that were signed.
//!
//! Its own test binary: a counting global allocator measures what each
//! call allocates (per thread, so the tests may run in parallel).
//! `PROPTEST_CASES` sets the number of cases.

#![allow(clippy::unwrap_used)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::OnceLock;

use kodeon_protocol::http_signature::{
    check_request, parse, verify, ParsedSignature, Policy, SignatureError, SignedRequest,
};
use kodeon_protocol::identity::{RsaKeypair, RsaVerifyingKey};
use proptest::collection::vec;
use proptest::prelude::*;
use serde_json::Value;

// ------------------------------------------------------ counting allocator

struct Counting;

thread_local! {
    /// Bytes requested by this thread so far (allocations, and the new
    /// size of every reallocation).
    static REQUESTED: Cell<usize> = const { Cell::new(0) };
}

fn count(n: usize) {
    // `try_with`: the slot may be gone while a thread exits.
    let _ = REQUESTED.try_with(|r| r.set(r.get().saturating_add(n)));
}

// SAFETY: every call is forwarded to the system allocator unchanged; only
// sizes are counted, in a thread-local `Cell` that never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// What `f` returns, and the bytes this thread requested while it ran.
fn requested_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let start = REQUESTED.with(Cell::get);
    let out = f();
    (out, REQUESTED.with(Cell::get) - start)
}

// ------------------------------------------------------------- requests

/// A request with owned parts.
#[derive(Clone, Debug)]
struct Req {
    method: String,
    authority: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

impl Req {
    fn signed(&self) -> SignedRequest<'_> {
        SignedRequest {
            method: &self.method,
            scheme: "https",
            authority: &self.authority,
            path_and_query: &self.path,
            headers: &self.headers,
            body: self.body.as_deref(),
        }
    }

    /// Bytes a client sent to make this request.
    fn size(&self) -> usize {
        self.method.len()
            + self.authority.len()
            + self.path.len()
            + self
                .headers
                .iter()
                .map(|(n, v)| n.len() + v.len() + 4)
                .sum::<usize>()
            + self.body.as_ref().map_or(0, Vec::len)
    }
}

/// Parsing and checking `req`: no panic, and at most 128 bytes allocated
/// per byte received, plus 16 KiB (error messages, small vectors). The
/// parsed form of a structured field is what costs most: a parameter
/// `;p123` becomes a 56-byte pair in a vector and a key in a hash map,
/// both of which double as they grow (74 bytes a byte at worst so far).
fn parse_and_check(req: &Req) -> Result<Option<ParsedSignature>, TestCaseError> {
    let signed = req.signed();
    let (parsed, bytes) = requested_during(|| {
        let parsed = parse(&signed);
        if let Ok(p) = &parsed {
            let _ = check_request(&signed, p, NOW, &Policy::default());
            let _ = p.with_target_fragment(&signed, "main-key");
        }
        parsed
    });
    let limit = 128 * req.size() + 16 * 1024;
    prop_assert!(
        bytes <= limit,
        "{bytes} bytes allocated for a request of {} bytes: {req:?}",
        req.size()
    );
    Ok(parsed.ok())
}

const NOW: i64 = 1_618_884_480;

#[path = "support/rfc9421_key.rs"]
mod rfc9421_key;
mod support;
use rfc9421_key::RFC_TEST_KEY_RSA;
use support::proptest_config;

// ------------------------------------------------------ requests that verify

/// A request that verifies, the key it verifies with, and its signing string.
struct Seed {
    req: Req,
    key: RsaVerifyingKey,
    signing_string: Vec<u8>,
}

fn pairs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

/// The two cases of `vectors/http-signature-cavage.json` (draft-cavage),
/// RFC 9421 §4.3 (`proxy_sig`) and an RFC 9421 GET signed with a fragment
/// in `@target-uri`, as Fedify signs key fetches.
fn seeds() -> &'static [Seed] {
    static SEEDS: OnceLock<Vec<Seed>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let vector: Value =
            serde_json::from_str(include_str!("vectors/http-signature-cavage.json")).unwrap();
        let str_of = |v: &Value, k: &str| v[k].as_str().unwrap().to_owned();
        let vector_key =
            || RsaVerifyingKey::from_public_pem(&str_of(&vector, "public_key_pem")).unwrap();
        let mut seeds: Vec<Seed> = vector["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|case| Seed {
                req: Req {
                    method: str_of(case, "method"),
                    authority: str_of(case, "authority"),
                    path: str_of(case, "path_and_query"),
                    headers: case["headers"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|p| {
                            let s = |i: usize| p[i].as_str().unwrap().to_owned();
                            (s(0).to_ascii_lowercase(), s(1))
                        })
                        .collect(),
                    body: case["body"].as_str().map(|b| b.as_bytes().to_vec()),
                },
                key: vector_key(),
                signing_string: str_of(case, "signing_string").into_bytes(),
            })
            .collect();

        let proxy_sig = Req {
            method: "POST".into(),
            authority: "origin.host.internal.example".into(),
            path: "/foo?param=Value&Pet=dog".into(),
            headers: pairs(&[
                ("host", "origin.host.internal.example"),
                ("date", "Tue, 20 Apr 2021 02:07:56 GMT"),
                ("content-type", "application/json"),
                ("content-digest", "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:"),
                ("content-length", "18"),
                ("forwarded", "for=192.0.2.123;host=example.com;proto=https"),
                ("signature-input", r#"proxy_sig=("@method" "@authority" "@path" "content-digest" "content-type" "content-length" "forwarded");created=1618884480;keyid="test-key-rsa";alg="rsa-v1_5-sha256";expires=1618884540"#),
                ("signature", "proxy_sig=:S6ZzPXSdAMOPjN/6KXfXWNO/f7V6cHm7BXYUh3YD/fRad4BCaRZxP+JH+8XY1I6+8Cy+CM5g92iHgxtRPz+MjniOaYmdkDcnL9cCpXJleXsOckpURl49GwiyUpZ10KHgOEe11sx3G2gxI8S0jnxQB+Pu68U9vVcasqOWAEObtNKKZd8tSFu7LB5YAv0RAGhB8tmpv7sFnIm9y+7X5kXQfi8NMaZaA8i2ZHwpBdg7a6CMfwnnrtflzvZdXAsD3LH2TwevU+/PBPv0B6NMNk93wUs/vfJvye+YuI87HU38lZHowtznbLVdp770I6VHR6WfgS9ddzirrswsE1w5o0LV/g==:"),
            ]),
            body: Some(br#"{"hello": "world"}"#.to_vec()),
        };
        let signing_string = parse(&proxy_sig.signed()).unwrap().signing_string().to_vec();
        seeds.push(Seed {
            req: proxy_sig,
            key: RsaVerifyingKey::from_public_pem(RFC_TEST_KEY_RSA).unwrap(),
            signing_string,
        });

        let signer = RsaKeypair::from_private_pem(&str_of(&vector, "private_key_pem")).unwrap();
        let inner = r#"("@method" "@target-uri" "@authority" "date");alg="rsa-v1_5-sha256";keyid="https://remote.example/users/alice#main-key";created=1618884480"#;
        let base = format!(
            "\"@method\": GET\n\"@target-uri\": https://kodeon.example/users/bob#main-key\n\
             \"@authority\": kodeon.example\n\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n\
             \"@signature-params\": {inner}"
        );
        let sig = base64_encode(&signer.sign_sha256(base.as_bytes()));
        seeds.push(Seed {
            req: Req {
                method: "GET".into(),
                authority: "kodeon.example".into(),
                path: "/users/bob".into(),
                headers: vec![
                    ("host".into(), "kodeon.example".into()),
                    ("date".into(), "Tue, 20 Apr 2021 02:07:55 GMT".into()),
                    ("signature-input".into(), format!("sig1={inner}")),
                    ("signature".into(), format!("sig1=:{sig}:")),
                ],
                body: None,
            },
            key: vector_key(),
            signing_string: base.into_bytes(),
        });
        seeds
    })
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Whether `parsed` (or its variant with the `main-key` fragment put back)
/// verifies with `key`, and over which bytes.
fn verified_over(req: &Req, parsed: &ParsedSignature, key: &RsaVerifyingKey) -> Option<Vec<u8>> {
    if verify(parsed, key).is_ok() {
        return Some(parsed.signing_string().to_vec());
    }
    let with = parsed.with_target_fragment(&req.signed(), "main-key")?;
    verify(&with, key)
        .is_ok()
        .then(|| with.signing_string().to_vec())
}

// ------------------------------------------------------------- strategies

const NAMES: &[&str] = &[
    "signature",
    "signature-input",
    "authorization",
    "date",
    "host",
    "digest",
    "content-digest",
    "accept",
    "x",
];

/// Text made mostly of what signature headers are made of.
fn signature_like() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9=,;()\" \\\\:?*.+/@#_\t-]{0,80}"
}

fn header_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        signature_like(),
        vec(any::<u8>(), 0..64).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

fn any_request() -> impl Strategy<Value = Req> {
    (
        prop_oneof![
            Just("GET".to_owned()),
            Just("POST".to_owned()),
            Just("HEAD".to_owned()),
            "[A-Za-z]{0,6}"
        ],
        prop_oneof![Just("kodeon.example".to_owned()), "[ -~]{0,20}"],
        prop_oneof![Just("/users/bob/inbox".to_owned()), "[ -~]{0,40}"],
        vec((proptest::sample::select(NAMES), header_value()), 0..6),
        proptest::option::of(vec(any::<u8>(), 0..64)),
    )
        .prop_map(|(method, authority, path, headers, body)| Req {
            method,
            authority,
            path,
            headers: headers
                .into_iter()
                .map(|(n, v)| (n.to_owned(), v))
                .collect(),
            body,
        })
}

/// One change to a request.
#[derive(Clone, Debug)]
enum Edit {
    /// Delete up to 4 bytes of header `.0` at `.1`.
    Delete(usize, usize, usize),
    /// Insert a character into header `.0` at `.1`.
    Insert(usize, usize, char),
    /// Repeat up to 16 bytes of header `.0` from `.1`, `.2` times.
    Repeat(usize, usize, usize, usize),
    /// Send header `.0` twice.
    Duplicate(usize),
    /// Drop header `.0`.
    Drop(usize),
    /// Another method, path or body.
    Method(String),
    Path(String),
    Body(Option<Vec<u8>>),
}

fn edit() -> impl Strategy<Value = Edit> {
    let at = any::<usize>;
    prop_oneof![
        4 => (at(), at(), 1usize..5).prop_map(|(h, i, n)| Edit::Delete(h, i, n)),
        4 => (at(), at(), prop_oneof![proptest::char::range(' ', '~'), Just('\t'), Just('\n'), any::<char>()])
            .prop_map(|(h, i, c)| Edit::Insert(h, i, c)),
        2 => (at(), at(), 1usize..17, 1usize..8).prop_map(|(h, i, n, k)| Edit::Repeat(h, i, n, k)),
        1 => at().prop_map(Edit::Duplicate),
        1 => at().prop_map(Edit::Drop),
        1 => prop_oneof![Just("GET"), Just("POST"), Just("get")].prop_map(|m| Edit::Method(m.to_owned())),
        1 => "/[ -~]{0,12}".prop_map(Edit::Path),
        1 => proptest::option::of(vec(any::<u8>(), 0..24)).prop_map(Edit::Body),
    ]
}

fn apply(req: &mut Req, edit: &Edit) {
    let n = req.headers.len().max(1);
    let bytes_of = |req: &mut Req, h: usize| -> Option<Vec<u8>> {
        req.headers.get(h % n).map(|(_, v)| v.as_bytes().to_vec())
    };
    let store = |req: &mut Req, h: usize, bytes: Vec<u8>| {
        if let Some(slot) = req.headers.get_mut(h % n) {
            slot.1 = String::from_utf8_lossy(&bytes).into_owned();
        }
    };
    match edit {
        Edit::Delete(h, i, len) => {
            if let Some(mut b) = bytes_of(req, *h) {
                let at = i % (b.len() + 1);
                let end = (at + len).min(b.len());
                b.drain(at..end);
                store(req, *h, b);
            }
        }
        Edit::Insert(h, i, c) => {
            if let Some(mut b) = bytes_of(req, *h) {
                let at = i % (b.len() + 1);
                let mut buf = [0; 4];
                b.splice(at..at, c.encode_utf8(&mut buf).bytes());
                store(req, *h, b);
            }
        }
        Edit::Repeat(h, i, len, times) => {
            if let Some(mut b) = bytes_of(req, *h) {
                let at = i % (b.len() + 1);
                let run = b[at..(at + len).min(b.len())].to_vec();
                for _ in 0..*times {
                    b.splice(at..at, run.iter().copied());
                }
                store(req, *h, b);
            }
        }
        Edit::Duplicate(h) => {
            if let Some(header) = req.headers.get(h % n).cloned() {
                req.headers.push(header);
            }
        }
        Edit::Drop(h) => {
            if !req.headers.is_empty() {
                req.headers.remove(h % n);
            }
        }
        Edit::Method(m) => req.method.clone_from(m),
        Edit::Path(p) => req.path.clone_from(p),
        Edit::Body(b) => req.body.clone_from(b),
    }
}

/// A request shaped to make a parser do more than its input: a header
/// named many times by a cavage `headers` list or an RFC 9421 inner list,
/// long values, many dictionary members or parameters.
#[derive(Clone, Debug)]
struct Shape {
    rfc9421: bool,
    /// Names the request has, so that a parser goes on past them.
    covered: Vec<&'static str>,
    value_len: usize,
    variant: u8,
}

fn amplifying_shape() -> impl Strategy<Value = Shape> {
    let cavage = proptest::sample::select(&["x", "date", "host", "(request-target)"][..]);
    let rfc9421 =
        proptest::sample::select(&["x", "date", "host", "@path", "@target-uri", "@query"][..]);
    (
        prop_oneof![
            vec(cavage, 1..40).prop_map(|c| (false, c)),
            vec(rfc9421, 1..40).prop_map(|c| (true, c)),
        ],
        1usize..256,
        0u8..4,
    )
        .prop_map(|((rfc9421, covered), value_len, variant)| Shape {
            rfc9421,
            covered,
            value_len,
            variant,
        })
}

impl Shape {
    /// The request, with every count and length `scale` times larger.
    fn build(&self, scale: usize) -> Req {
        let long = "v".repeat(self.value_len * scale);
        let covered = self.covered.repeat(scale);
        let mut headers = pairs(&[("date", "Tue, 20 Apr 2021 02:07:55 GMT")]);
        headers.push(("x".into(), long.clone()));
        let mut signature = |input: String, signature: String| {
            headers.push(("signature-input".into(), input));
            headers.push(("signature".into(), signature));
        };
        match (self.rfc9421, self.variant) {
            (false, _) => {
                let list = covered.join(" ");
                headers.push((
                    "signature".into(),
                    format!(r#"keyId="k",headers="{list}",signature="AAAA""#),
                ));
            }
            (true, 0) => {
                let quoted: Vec<String> = covered.iter().map(|c| format!("\"{c}\"")).collect();
                signature(
                    format!(r#"sig1=({});keyid="k""#, quoted.join(" ")),
                    "sig1=:AAAA:".into(),
                );
            }
            (true, 1) => {
                let members: Vec<String> =
                    (0..covered.len() * 8).map(|i| format!("k{i}")).collect();
                signature(members.join(","), members.join(","));
            }
            (true, 2) => {
                let params: Vec<String> =
                    (0..covered.len() * 8).map(|i| format!(";p{i}")).collect();
                signature(
                    format!(r#"sig1=("@method"){};keyid="k""#, params.concat()),
                    "sig1=:AAAA:".into(),
                );
            }
            (true, _) => {
                signature(
                    r#"sig1=("@method" "@target-uri" "content-digest");created=1618884480;keyid="k""#.into(),
                    "sig1=:AAAA:".into(),
                );
                for _ in 0..covered.len() {
                    headers.push(("content-digest".into(), format!("sha-256=:{long}:")));
                }
            }
        }
        Req {
            method: "POST".into(),
            authority: "kodeon.example".into(),
            path: format!("/inbox?{long}"),
            headers,
            body: Some(b"{}".to_vec()),
        }
    }
}

/// Bytes requested while parsing and checking `req`.
fn requested_by(req: &Req) -> usize {
    let signed = req.signed();
    requested_during(|| {
        if let Ok(p) = parse(&signed) {
            let _ = check_request(&signed, &p, NOW, &Policy::default());
        }
    })
    .1
}

proptest! {
    #![proptest_config(proptest_config(512))]

    /// Anything at all: no panic, bounded allocation.
    #[test]
    fn any_request_is_parsed_within_bounds(req in any_request()) {
        parse_and_check(&req)?;
    }

    /// Requests built to amplify: bounded, and what they allocate grows
    /// with them, not faster: a request 8 times larger allocates at most
    /// 24 times more (8, and twice that for vectors that double as they
    /// grow; a cost with the square of the size would be 64).
    #[test]
    fn amplifying_requests_allocate_in_proportion(shape in amplifying_shape()) {
        let small = shape.build(1);
        let large = shape.build(8);
        parse_and_check(&small)?;
        parse_and_check(&large)?;
        let (a1, a8) = (requested_by(&small), requested_by(&large));
        let growth = large.size() as f64 / small.size() as f64;
        prop_assert!(
            a8 as f64 <= 3.0 * growth * a1 as f64 + 64.0 * 1024.0,
            "{a1} bytes for {} bytes of request, {a8} for {}",
            small.size(),
            large.size()
        );
    }
}

proptest! {
    #![proptest_config(proptest_config(256))]

    /// Mutations of requests that verify: no panic, bounded allocation,
    /// and a signature that still verifies was made over the same bytes.
    #[test]
    fn mutated_signed_requests_verify_only_over_the_signed_bytes(
        seed in 0..4usize,
        edits in vec(edit(), 1..4),
    ) {
        let seed = &seeds()[seed];
        let mut req = seed.req.clone();
        for e in &edits {
            apply(&mut req, e);
        }
        if let Some(parsed) = parse_and_check(&req)? {
            if let Some(signed) = verified_over(&req, &parsed, &seed.key) {
                prop_assert_eq!(signed, seed.signing_string.clone());
            }
        }
    }
}

#[test]
fn the_seeds_verify() {
    for seed in seeds() {
        let parsed = parse(&seed.req.signed()).unwrap();
        check_request(&seed.req.signed(), &parsed, NOW, &Policy::default()).unwrap();
        assert_eq!(
            verified_over(&seed.req, &parsed, &seed.key),
            Some(seed.signing_string.clone())
        );
    }
}

/// Regression: a cavage `headers` list that named one header many times
/// put its value in the signing string each time: 32 KiB of `x x x …`
/// and a 32 KiB `x` header (a 64 KiB request head) made a 512 MiB
/// signing string. A component is now listed once.
#[test]
fn a_header_named_many_times_is_refused_without_copying_it_each_time() {
    let value = "v".repeat(4096);
    let list = vec!["x"; 1000].join(" ");
    let req = Req {
        method: "GET".into(),
        authority: "kodeon.example".into(),
        path: "/".into(),
        headers: vec![
            ("x".into(), value),
            (
                "signature".into(),
                format!(r#"keyId="k",headers="{list}",signature="AAAA""#),
            ),
        ],
        body: None,
    };
    let (parsed, bytes) = requested_during(|| parse(&req.signed()));
    assert!(
        matches!(parsed, Err(SignatureError::Malformed(_))),
        "{:?}",
        parsed.map(|p| p.signing_string().len())
    );
    assert!(bytes < 16 * req.size(), "{bytes} bytes");
}
