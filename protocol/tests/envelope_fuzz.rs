//! Property tests of gossip envelope decoding on bytes from strangers:
//! arbitrary bytes and JSON never make `decode_unverified` or `verify`
//! panic, and no change to a signed envelope, of its bytes or of its
//! fields re-encoded canonically, verifies. `PROPTEST_CASES` sets the
//! number of cases.

use kodeon_protocol::envelope::{canonical, verify_batch, Envelope, EnvelopeError, Kind};
use kodeon_protocol::identity::Ed25519Keypair;
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

const NOW: i64 = 1_795_000_000_000;

mod support;
use support::proptest_config;

fn key() -> Ed25519Keypair {
    Ed25519Keypair::from_secret_bytes(&[7u8; 32])
}

/// Signed envelopes of every kind, with and without `prev`.
fn signed() -> Vec<Envelope> {
    let body = json!({
        "uri": "https://kodeon.example/posts/1",
        "actor": "https://kodeon.example/users/alice",
        "html": "<p>Halo, dunia! \u{1F30F} \"quoted\" \\ back</p>",
        "tags": ["kodeon", 1, -2, null, true],
        "nested": {"b": {"c": []}, "a": {}},
    });
    let Value::Object(body) = body else {
        unreachable!("a JSON object literal")
    };
    [Kind::Post, Kind::Edit, Kind::Delete, Kind::Profile]
        .into_iter()
        .enumerate()
        .map(|(i, kind)| {
            let prev = (i % 2 == 1).then_some([i as u8; 32]);
            Envelope::sign(&key(), kind, NOW - 1_000, prev, body.clone()).expect("sign")
        })
        .collect()
}

/// A JSON value at most `depth` levels deep.
fn json_value(depth: u32) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        any::<String>().prop_map(Value::String),
        "[a-z0-9:]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(depth, 64, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            btree_map("[a-z]{0,6}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// An envelope-shaped object whose members are arbitrary values.
fn envelope_shaped() -> impl Strategy<Value = Value> {
    let member = || prop_oneof![json_value(2), Just(json!(1)), Just(json!("post"))];
    (
        member(),
        member(),
        member(),
        member(),
        member(),
        member(),
        member(),
    )
        .prop_map(|(v, author, kind, created, prev, body, sig)| {
            json!({"v": v, "author": author, "kind": kind, "created": created,
                   "prev": prev, "body": body, "sig": sig})
        })
}

/// Decoding must not panic; whatever it says, it says without verifying.
fn decode_all(bytes: &[u8]) -> Result<Envelope, EnvelopeError> {
    let _ = Envelope::decode_unverified(bytes, NOW);
    let _ = verify_batch(&[bytes], NOW);
    Envelope::verify(bytes, NOW)
}

/// A change to a field of a signed envelope, re-encoded canonically so
/// that it passes the encoding checks and reaches the later ones.
#[derive(Clone, Debug)]
enum FieldEdit {
    Created(i64),
    Prev(Value),
    Kind(Value),
    Version(Value),
    Author(Value),
    Sig(Value),
    BodyMember(String, Value),
    Remove(&'static str),
    Add(String, Value),
}

fn field_edit() -> impl Strategy<Value = FieldEdit> {
    let did = Ed25519Keypair::from_secret_bytes(&[8u8; 32])
        .public()
        .to_did_key();
    prop_oneof![
        prop_oneof![
            Just(i64::MIN),
            Just(i64::MAX),
            Just(NOW),
            Just(NOW + 1),
            any::<i64>()
        ]
        .prop_map(FieldEdit::Created),
        prop_oneof![json_value(1), "[0-9a-f]{64}".prop_map(Value::String)]
            .prop_map(FieldEdit::Prev),
        prop_oneof![
            json_value(1),
            proptest::sample::select(
                &[
                    "post",
                    "edit",
                    "delete",
                    "follow",
                    "unfollow",
                    "attestation",
                    "profile",
                    "Post"
                ][..]
            )
            .prop_map(|k| json!(k))
        ]
        .prop_map(FieldEdit::Kind),
        prop_oneof![
            json_value(1),
            Just(json!(0)),
            Just(json!(2)),
            Just(json!(u64::MAX))
        ]
        .prop_map(FieldEdit::Version),
        prop_oneof![
            json_value(1),
            Just(json!(did)),
            "did:key:z[1-9A-Za-z]{0,50}".prop_map(|s| json!(s))
        ]
        .prop_map(FieldEdit::Author),
        prop_oneof![json_value(1), "[0-9a-f]{128}".prop_map(Value::String)]
            .prop_map(FieldEdit::Sig),
        ("[a-z]{1,6}", json_value(2)).prop_map(|(k, v)| FieldEdit::BodyMember(k, v)),
        proptest::sample::select(&["v", "author", "kind", "created", "prev", "body", "sig"][..])
            .prop_map(FieldEdit::Remove),
        ("[a-z]{1,6}", json_value(1)).prop_map(|(k, v)| FieldEdit::Add(k, v)),
    ]
}

fn apply_field_edit(value: &mut Value, edit: &FieldEdit) {
    let Value::Object(map) = value else { return };
    match edit {
        FieldEdit::Created(n) => {
            map.insert("created".into(), json!(n));
        }
        FieldEdit::Prev(v) => {
            map.insert("prev".into(), v.clone());
        }
        FieldEdit::Kind(v) => {
            map.insert("kind".into(), v.clone());
        }
        FieldEdit::Version(v) => {
            map.insert("v".into(), v.clone());
        }
        FieldEdit::Author(v) => {
            map.insert("author".into(), v.clone());
        }
        FieldEdit::Sig(v) => {
            map.insert("sig".into(), v.clone());
        }
        FieldEdit::BodyMember(k, v) => {
            if let Some(Value::Object(body)) = map.get_mut("body") {
                body.insert(k.clone(), v.clone());
            }
        }
        FieldEdit::Remove(k) => {
            map.remove(*k);
        }
        FieldEdit::Add(k, v) => {
            map.insert(k.clone(), v.clone());
        }
    }
}

/// A byte-level change to an envelope's bytes.
fn byte_edits() -> impl Strategy<Value = Vec<(usize, u8, u8)>> {
    vec((any::<usize>(), 0u8..4, any::<u8>()), 1..4)
}

fn apply_byte_edits(bytes: &[u8], edits: &[(usize, u8, u8)]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for &(at, op, byte) in edits {
        let at = at % (out.len() + 1);
        match op {
            // Flip one bit.
            0 if at < out.len() => out[at] ^= 1 << (byte % 8),
            // Insert a byte.
            1 => out.insert(at, byte),
            // Delete up to 8 bytes.
            2 => {
                let end = (at + 1 + usize::from(byte % 8)).min(out.len());
                out.drain(at..end);
            }
            // Replace one byte with a printable one.
            _ if at < out.len() => out[at] = b' ' + byte % 95,
            _ => {}
        }
    }
    out
}

proptest! {
    #![proptest_config(proptest_config(512))]

    /// Arbitrary bytes: no panic, never valid.
    #[test]
    fn envelope_any_bytes_never_panic(bytes in vec(any::<u8>(), 0..256)) {
        prop_assert!(decode_all(&bytes).is_err());
    }

    /// Arbitrary JSON, and envelope-shaped objects of arbitrary members,
    /// as sent and canonically encoded: no panic, never valid.
    #[test]
    fn envelope_any_json_never_panics(
        value in prop_oneof![json_value(4), envelope_shaped()],
    ) {
        let text = serde_json::to_vec(&value).expect("serialise");
        prop_assert!(decode_all(&text).is_err());
        if let Ok(bytes) = canonical(&value) {
            prop_assert!(decode_all(&bytes).is_err());
        }
    }

    /// Bytes of a signed envelope, changed: no panic, and only the
    /// original bytes verify (alone and in a batch with the original).
    #[test]
    fn envelope_byte_mutations_never_verify(which in 0..4usize, edits in byte_edits()) {
        let envelopes = signed();
        let original = &envelopes[which];
        let mutated = apply_byte_edits(&original.bytes, &edits);
        let result = decode_all(&mutated);
        if mutated == original.bytes {
            prop_assert_eq!(result, Ok(original.clone()));
        } else {
            prop_assert!(result.is_err(), "{}", String::from_utf8_lossy(&mutated));
            let batch = verify_batch(&[&original.bytes, &mutated], NOW);
            prop_assert!(batch[0].is_ok());
            prop_assert!(batch[1].is_err());
        }
    }

    /// Fields of a signed envelope, changed and re-encoded canonically:
    /// no panic, and nothing but the original verifies.
    #[test]
    fn envelope_field_mutations_never_verify(
        which in 0..4usize,
        edits in vec(field_edit(), 1..3),
    ) {
        let envelopes = signed();
        let original = &envelopes[which];
        let mut value: Value = serde_json::from_slice(&original.bytes).expect("json");
        for edit in &edits {
            apply_field_edit(&mut value, edit);
        }
        let Ok(bytes) = canonical(&value) else {
            return Ok(());
        };
        let result = decode_all(&bytes);
        if bytes == original.bytes {
            prop_assert_eq!(result, Ok(original.clone()));
        } else {
            prop_assert!(result.is_err(), "{}", String::from_utf8_lossy(&bytes));
        }
    }
}

/// Regression: `created` far in the past (i64::MIN) overflowed the
/// clock-skew subtraction, a panic in debug builds.
#[test]
fn an_envelope_from_the_beginning_of_time_is_refused_without_panicking() {
    let original = &signed()[0];
    let mut value: Value = serde_json::from_slice(&original.bytes).expect("json");
    value["created"] = json!(i64::MIN);
    let bytes = canonical(&value).expect("canonical");
    assert_eq!(
        Envelope::verify(&bytes, NOW),
        Err(EnvelopeError::BadSignature)
    );
    // Signed so, it verifies: only the future is limited.
    let Value::Object(body) = value["body"].clone() else {
        panic!("body")
    };
    let old = Envelope::sign(&key(), Kind::Post, i64::MIN, None, body).expect("sign");
    assert_eq!(Envelope::verify(&old.bytes, NOW), Ok(old.clone()));
    assert!(Envelope::verify(&old.bytes, i64::MAX).is_ok());
}
