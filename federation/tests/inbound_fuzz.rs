//! Property tests of what federation reads from other servers: actor
//! documents (`parse_actor`), the typed ActivityStreams readers, and whole inbox
//! activities, signed by a known actor and handed to
//! [`Federation::receive`] as the web layer would. Arbitrary JSON (built
//! to a bounded depth) and activities assembled from meaningful and
//! arbitrary parts never panic, and never make the inbox answer a 5xx.
//!
//! Hermetic: every remote id is on `127.0.0.1:9` or `127.0.0.2:9`, where
//! nothing listens, so a fetch the inbox makes fails at once. Run with
//! more cases: `PROPTEST_CASES=2000 cargo test -p kodeon-federation --test
//! inbound_fuzz`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use federation::actors::parse_actor;
use federation::{Federation, FederationSettings, InboxRequest};
use identity::RsaKeypair;
use kodeon_federation as federation;
use node::remote::RemoteActor;
use node::{Node, NodeConfig};
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use protocol::activities::{ActorDocument, InboundActivity, PostObject};
use serde::Deserialize;
use serde_json::{json, Map, Value};

mod common;
#[path = "../../protocol/tests/support/mod.rs"]
mod proptest_support;
use proptest_support::proptest_config;

// ------------------------------------------------------------ strategies

/// Where remote ids point: hosts where nothing listens.
const REMOTE: &str = "http://127.0.0.1:9";
const OTHER: &str = "http://127.0.0.2:9";
const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// A JSON value at most `depth` levels deep.
fn json_value(depth: u32) -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        any::<String>().prop_map(Value::String),
        "[a-zA-Z#:]{0,10}".prop_map(Value::String),
    ];
    leaf.prop_recursive(depth, 48, 5, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..5).prop_map(Value::Array),
            btree_map("[a-zA-Z@]{0,8}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
    .boxed()
}

/// Either something meaningful or anything at all.
fn or_any(meaningful: impl Strategy<Value = Value> + 'static) -> BoxedStrategy<Value> {
    prop_oneof![4 => meaningful, 1 => json_value(2)].boxed()
}

/// Ids an activity may name (`ACTOR` and `ALICE` are filled in per case).
fn uri() -> BoxedStrategy<String> {
    prop_oneof![
        Just("ACTOR".to_owned()),
        Just("ACTOR/followers".to_owned()),
        Just("ALICE".to_owned()),
        Just("ALICE_POST".to_owned()),
        Just(PUBLIC.to_owned()),
        Just("as:Public".to_owned()),
        (0..4u8).prop_map(|n| format!("{REMOTE}/notes/{n}")),
        (0..2u8).prop_map(|n| format!("{OTHER}/notes/{n}")),
        Just(String::new()),
        any::<String>(),
    ]
    .boxed()
}

/// A string, an object with an `id`, or a list of them.
fn reference() -> BoxedStrategy<Value> {
    or_any(prop_oneof![
        uri().prop_map(Value::String),
        uri().prop_map(|u| json!({ "id": u })),
        vec(uri(), 0..4).prop_map(|v| json!(v)),
    ])
    .boxed()
}

fn time_value() -> BoxedStrategy<Value> {
    or_any(prop_oneof![
        Just(json!("2024-02-29T12:00:00Z")),
        Just(json!("9999-12-31T23:59:59.999999999+23:59")),
        Just(json!("-0001-01-01T00:00:00Z")),
        any::<String>().prop_map(Value::String),
    ])
    .boxed()
}

fn tag() -> BoxedStrategy<Value> {
    or_any(
        (
            prop_oneof![Just("Mention"), Just("Hashtag"), Just("Emoji"), Just("")],
            prop_oneof![Just("#kodeon".to_owned()), any::<String>()],
            uri(),
        )
            .prop_map(|(t, name, href)| json!({"type": t, "name": name, "href": href})),
    )
    .boxed()
}

fn attachment() -> BoxedStrategy<Value> {
    or_any(
        (
            prop_oneof![
                uri().prop_map(Value::String),
                uri().prop_map(|u| json!({ "href": u }))
            ],
            any::<String>(),
            any::<String>(),
        )
            .prop_map(|(url, name, blurhash)| {
                json!({"type": "Document", "url": url, "mediaType": "image/png",
                       "name": name, "blurhash": blurhash})
            }),
    )
    .boxed()
}

/// A post object: a `Note` or another type, each field meaningful or not.
fn post_object() -> BoxedStrategy<Value> {
    let kind = prop_oneof![
        Just(json!("Note")),
        Just(json!("Article")),
        Just(json!("Question")),
        Just(json!(["Note", "Thing"])),
        "[A-Za-z]{0,8}".prop_map(Value::String),
    ];
    (
        (kind, uri(), reference(), reference(), reference()),
        (
            or_any(prop_oneof![
                any::<String>().prop_map(Value::String),
                Just(json!(
                    "<p>Hi <a href=\"x\">@alice</a> <script>x</script></p>"
                )),
            ]),
            or_any(any::<String>().prop_map(Value::String)),
            or_any(vec(tag(), 0..4).prop_map(Value::Array)),
            or_any(vec(attachment(), 0..3).prop_map(Value::Array)),
            reference(),
            time_value(),
            time_value(),
        ),
        or_any(btree_map("[a-z-]{0,10}", any::<String>(), 0..2).prop_map(|m| json!(m))),
        json_value(1),
    )
        .prop_map(
            |(
                (kind, id, attributed, to, cc),
                (content, summary, tags, attachments, reply, published, updated),
                content_map,
                sensitive,
            )| {
                json!({
                    "type": kind, "id": id, "attributedTo": attributed, "to": to, "cc": cc,
                    "content": content, "summary": summary, "tag": tags,
                    "attachment": attachments, "inReplyTo": reply, "published": published,
                    "updated": updated, "contentMap": content_map, "sensitive": sensitive,
                    "name": "A title", "url": id,
                })
            },
        )
        .boxed()
}

const TYPES: &[&str] = &[
    "Follow",
    "Accept",
    "Reject",
    "Undo",
    "Create",
    "Update",
    "Delete",
    "Like",
    "Announce",
    "Block",
    "Flag",
    "Move",
    "EmojiReact",
    "",
];

/// An activity's object: an id, a post, a nested activity, or anything.
fn object() -> BoxedStrategy<Value> {
    let nested = (
        proptest::sample::select(TYPES),
        uri(),
        prop_oneof![uri().prop_map(Value::String), post_object()],
    )
        .prop_map(
            |(t, id, object)| json!({"type": t, "id": id, "actor": "ACTOR", "object": object}),
        );
    prop_oneof![
        3 => uri().prop_map(Value::String),
        3 => post_object(),
        2 => nested,
        1 => vec(uri(), 0..4).prop_map(|v| json!(v)),
        1 => json_value(3),
    ]
    .boxed()
}

/// An activity from `ACTOR`, or (rarely) claiming another actor.
fn activity() -> BoxedStrategy<Value> {
    (
        or_any(proptest::sample::select(TYPES).prop_map(|t| json!(t))),
        prop_oneof![
            (0..1_000_000u32).prop_map(|n| json!(format!("ACTOR/activities/{n}"))),
            uri().prop_map(Value::String),
            json_value(1),
        ],
        prop_oneof![
            8 => Just(json!("ACTOR")),
            1 => Just(json!({"id": "ACTOR"})),
            1 => reference(),
        ],
        object(),
        btree_map("[a-z]{1,8}", json_value(2), 0..3),
    )
        .prop_map(|(t, id, actor, object, extra)| {
            let mut a = json!({"type": t, "id": id, "actor": actor, "object": object,
                               "to": [PUBLIC], "content": "Report"});
            if let Value::Object(map) = &mut a {
                map.extend(extra);
            }
            a
        })
        .boxed()
}

/// Replaces the placeholders with this case's ids, everywhere.
fn fill(value: &mut Value, names: &[(&str, &str)]) {
    match value {
        Value::String(s) => {
            for (from, to) in names {
                if s.starts_with(from) {
                    *s = s.replacen(from, to, 1);
                    break;
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| fill(v, names)),
        Value::Object(map) => map.values_mut().for_each(|v| fill(v, names)),
        _ => {}
    }
}

// ------------------------------------------------------------- the inbox

/// A node with a local member `alice` and a post of hers, its federation
/// service, and a key that remote actors of the tests sign with.
struct Harness {
    rt: tokio::runtime::Runtime,
    federation: Arc<Federation>,
    signer: RsaKeypair,
    public_pem: String,
    alice: String,
    alice_post: String,
    _dir: tempfile::TempDir,
}

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let dir = tempfile::tempdir().expect("tempdir");
        let node = Arc::new(Node::open(NodeConfig::new(dir.path(), "kodeon.test")).expect("open"));
        let (federation, alice, alice_post) = rt.block_on(async {
            let alice = common::register_alice(&node).await;
            let post = common::post_as(&node, &alice, "Hello #fediverse").await;
            let settings = FederationSettings {
                allow_private: true,
                ..FederationSettings::default()
            };
            let federation = Federation::new(node.clone(), settings)
                .await
                .expect("federation");
            let alice_uri = format!("{}/users/alice", node.config().base_url());
            let post_uri = federation::objects::object_id(&node, "alice", post.id);
            (federation, alice_uri, post_uri)
        });
        let signer = RsaKeypair::generate().expect("rsa");
        let public_pem = signer.public_pem().expect("pem");
        Harness {
            rt,
            federation,
            signer,
            public_pem,
            alice,
            alice_post,
            _dir: dir,
        }
    })
}

/// A remote actor of its own for each case (a `Delete` of the actor, or
/// anything else one case does to it, stays with that case).
fn new_actor(h: &Harness) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let id = format!("{REMOTE}/users/f{n}");
    let actor = RemoteActor {
        name: format!("Fuzz {n}"),
        followers: Some(format!("{id}/followers")),
        public_key_pem: h.public_pem.clone(),
        ..RemoteActor::person(&id, &format!("f{n}"))
    };
    h.rt.block_on(h.federation.node().upsert_remote_actor(actor))
        .expect("remote actor");
    id
}

/// `body` POSTed to `path`, signed by `actor`'s key as Mastodon signs.
fn signed_post(h: &Harness, actor: &str, path: &str, body: Vec<u8>) -> InboxRequest {
    use base64::Engine as _;
    let date = time::OffsetDateTime::now_utc()
        .format(time::macros::format_description!(
            "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
        ))
        .expect("date");
    let digest = protocol::http_signature::digest_header(&body);
    let signing_string =
        format!("(request-target): post {path}\nhost: kodeon.test\ndate: {date}\ndigest: {digest}");
    let signature = base64::engine::general_purpose::STANDARD
        .encode(h.signer.sign_sha256(signing_string.as_bytes()));
    InboxRequest {
        method: "POST".into(),
        scheme: "https".into(),
        authority: "kodeon.test".into(),
        path_and_query: path.into(),
        headers: vec![
            ("host".into(), "kodeon.test".into()),
            ("date".into(), date),
            ("digest".into(), digest),
            ("content-type".into(), "application/activity+json".into()),
            (
                "signature".into(),
                format!(
                    r#"keyId="{actor}#main-key",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="{signature}""#
                ),
            ),
        ],
        body: body.into(),
    }
}

/// Hands `body` to the inbox: no panic, and no 5xx.
fn deliver(h: &Harness, actor: &str, body: Vec<u8>) -> Result<(), TestCaseError> {
    let req = signed_post(h, actor, "/users/alice/inbox", body.clone());
    let r = h.rt.block_on(Box::pin(h.federation.receive(req)));
    let t = InboundActivity::parse(&body)
        .map(|a| format!("{a:?}").chars().take(40).collect::<String>())
        .unwrap_or_default();
    match &r {
        Ok(o) => eprintln!("OUTCOME {t} {o:?}"),
        Err(e) => eprintln!(
            "OUTCOME {t} ERR {} {}",
            e.status(),
            e.to_string().chars().take(60).collect::<String>()
        ),
    }
    if let Err(e) = r {
        prop_assert!(
            e.status() < 500,
            "{e} ({}) for {}",
            e.status(),
            String::from_utf8_lossy(&body)
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(proptest_config(48))]

    /// A few activities from one actor, in order: each is answered
    /// without a panic or a 5xx.
    #[test]
    fn inbox_activities_never_fail_the_node(activities in vec(activity(), 1..4)) {
        let h = harness();
        let actor = new_actor(h);
        let names = [
            ("ACTOR", actor.as_str()),
            ("ALICE_POST", h.alice_post.as_str()),
            ("ALICE", h.alice.as_str()),
        ];
        for mut a in activities {
            fill(&mut a, &names);
            deliver(h, &actor, serde_json::to_vec(&a).expect("json"))?;
        }
    }

    /// Bodies that are not activities at all.
    #[test]
    fn inbox_any_json_never_fails_the_node(
        body in prop_oneof![
            json_value(4).prop_map(|v| serde_json::to_vec(&v).expect("json")),
            vec(any::<u8>(), 0..64),
        ],
    ) {
        let h = harness();
        let actor = new_actor(h);
        deliver(h, &actor, body)?;
    }
}

// ----------------------------------------------------------------- actors

/// An actor document, each field meaningful or not.
fn actor_document() -> BoxedStrategy<Value> {
    let on = |path: &'static str| {
        prop_oneof![
            Just(format!("{REMOTE}{path}")),
            Just(format!("{OTHER}{path}")),
            Just(format!("{REMOTE}/../x{path}")),
            Just(format!("HTTP://127.0.0.1:9{path}")),
            any::<String>(),
        ]
    };
    (
        (
            on("/users/a"),
            on("/users/a/inbox"),
            on("/users/a#main-key"),
        ),
        or_any(prop_oneof![
            Just(json!("Person")),
            Just(json!(["Service", "x"])),
            "[A-Za-z]{0,8}".prop_map(Value::String)
        ]),
        or_any(prop_oneof![
            Just(json!(
                "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"
            )),
            any::<String>().prop_map(Value::String),
        ]),
        (json_value(2), json_value(2), json_value(2), json_value(2)),
        btree_map("[a-zA-Z]{1,12}", json_value(2), 0..3),
    )
        .prop_map(
            |((id, inbox, key_id), kind, pem, (icon, endpoints, assertion, url), extra)| {
                let mut doc = json!({
                    "id": id, "type": kind, "inbox": inbox, "preferredUsername": "a",
                    "name": "<b>A</b>", "summary": "<script>x</script>",
                    "publicKey": {"id": key_id, "owner": id, "publicKeyPem": pem},
                    "icon": icon, "endpoints": endpoints, "assertionMethod": assertion, "url": url,
                });
                if let Value::Object(map) = &mut doc {
                    map.extend(extra);
                }
                doc
            },
        )
        .boxed()
}

proptest! {
    #![proptest_config(proptest_config(512))]

    /// Any JSON, and actor documents of meaningful and arbitrary parts: no
    /// panic, and an actor is read only when its id, inbox and key are on
    /// the host that served it.
    #[test]
    fn parse_actor_never_panics_and_keeps_to_its_origin(
        doc in prop_oneof![json_value(4), actor_document()],
        served_from in prop_oneof![
            Just(format!("{REMOTE}/users/a")),
            Just(format!("{OTHER}/users/a")),
            any::<String>(),
        ],
    ) {
        // The typed readers, on whatever the document and its parts hold.
        let _ = ActorDocument::deserialize(&doc);
        let _ = PostObject::deserialize(&doc);
        let _ = InboundActivity::parse(&serde_json::to_vec(&doc).expect("json"));
        for value in doc.as_object().into_iter().flat_map(|o| o.values()) {
            let _ = PostObject::deserialize(value);
            let _ = InboundActivity::parse(&serde_json::to_vec(value).expect("json"));
        }
        if let Ok(actor) = parse_actor(&doc, &served_from) {
            let host = |u: &str| node::remote::host_of(u);
            let origin = host(&served_from);
            prop_assert!(origin.is_some());
            prop_assert_eq!(host(&actor.actor_id), origin.clone());
            prop_assert_eq!(host(&actor.inbox), origin.clone());
            prop_assert_eq!(host(&actor.key_id), origin);
            prop_assert!(!actor.summary.contains("<script"));
        }
    }
}
