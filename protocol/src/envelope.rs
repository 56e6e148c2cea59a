//! The gossip envelope: a signed, self-verifying record.
//!
//! # Encoding (version 1)
//! An envelope is a JSON object with exactly these members:
//! `v` (1), `author` (did:key of an ed25519 key), `kind`, `created`
//! (milliseconds since the Unix epoch), `prev` (hex blake3 id of the
//! author's previous record of this chain, or null), `body` (a JSON object)
//! and `sig` (hex ed25519 signature).
//!
//! Bytes are **canonical JSON**, the RFC 8785 (JCS) subset Kodeon uses:
//! object members sorted by key, no insignificant whitespace, strings as
//! serde_json writes them (which matches JCS for the escapes it uses), and
//! **integers only** (a float anywhere is refused). A received envelope must
//! be byte-identical to its re-encoding, so one record has one encoding.
//!
//! - The signature covers the canonical bytes of the envelope **without**
//!   its `sig` member.
//! - The envelope's id is the blake3 hash of its full canonical bytes; it
//!   is also the gossipsub message id (`msgIdFn` = blake3 of the data), so
//!   other implementations should configure theirs to match.
//!
//! Verification needs nothing but the envelope. `tests/vectors/envelope-v1.json`
//! holds a test vector (bytes, id, signature) for other implementations.
//!
//! # Bodies (what Kodeon nodes put in `body`)
//! Every body names the author's ActivityPub actor as `actor`; a receiver
//! believes the claim when that actor's document publishes the signing key
//! (FEP-521a `assertionMethod`), or when it follows the bare did:key.
//! - `post`, `edit`: `{uri, url, actor, handle, html, title, summary,
//!   sensitive, visibility: "public", in_reply_to, tags, language, group?}`
//!   (`group`: the ActivityPub id of the group it is posted in, absent
//!   outside groups); an edit is the post's whole new state (same `uri`),
//!   applied if newer.
//! - `delete`: `{actor, uri}` (a post, or a group's event) or
//!   `{actor, attestation: HEX_ID}`.
//! - `follow`, `unfollow`: `{actor, subject: DID, subject_actor, activity}`
//!   (`activity`: the ActivityPub Follow's id, when one was sent too).
//! - `profile`: `{actor, handle, name, summary, avatar, url, inbox,
//!   shared_inbox, locked}`.
//! - `attestation`: `{actor, subject: DID, subject_actor, claim, comment}`.
//! - `event`: an event of a public group, signed by the group's key:
//!   `{actor (the group), uri (the event's ActivityPub id, on the group's
//!   host), url, organiser (the organising member's actor), title, html,
//!   start, end (ms), timezone (IANA), format: "offline"|"online"|"hybrid",
//!   location?: {name, address, locality, country, lat_e6?, lon_e6?}
//!   (coordinates in microdegrees, integers), online_url?, capacity?,
//!   registration: "open"|"approval"|"invite", status:
//!   "open"|"cancelled"|"finished", category?, tags, participant_count,
//!   remaining?}`. The event's whole state: the newest `created` wins; a
//!   `delete` with its `uri` removes it.
//!
//! A record on gossipsub travels on its kind's topic (`kodeon/1/<kind>`);
//! one on another kind's topic is invalid.

use identity::{Ed25519Keypair, PublicKey, Signature};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The only version this code reads and writes.
pub const VERSION: u32 = 1;
/// Largest accepted canonical body, in bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// How far in the future `created` may be (clock skew), in milliseconds.
pub const MAX_FUTURE_SKEW_MS: i64 = 5 * 60 * 1000;

/// What a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A new post.
    Post,
    /// An edit of a post.
    Edit,
    /// A deletion.
    Delete,
    /// Following someone.
    Follow,
    /// Unfollowing someone.
    Unfollow,
    /// A reputation attestation about someone.
    Attestation,
    /// A profile update.
    Profile,
    /// The whole state of a public group's event.
    Event,
}

/// Why an envelope was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EnvelopeError {
    /// Not JSON, or not the envelope's shape.
    #[error("malformed envelope: {0}")]
    Malformed(String),
    /// Valid JSON, but not the canonical encoding of it.
    #[error("envelope is not canonically encoded")]
    NonCanonical,
    /// A version this code does not know.
    #[error("unknown envelope version {0}")]
    UnknownVersion(u64),
    /// The body is larger than [`MAX_BODY_BYTES`].
    #[error("envelope body is {0} bytes, over the limit")]
    Oversized(usize),
    /// `created` is too far in the future.
    #[error("envelope is dated {0} ms in the future")]
    ClockSkew(i64),
    /// The author is not a valid ed25519 did:key.
    #[error("invalid author key")]
    BadAuthor,
    /// The signature does not verify.
    #[error("bad signature")]
    BadSignature,
}

/// A verified envelope.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    /// The author's key.
    pub author: PublicKey,
    /// What it is.
    pub kind: Kind,
    /// When (ms since the epoch).
    pub created: i64,
    /// The previous record's id, where a chain matters.
    pub prev: Option<[u8; 32]>,
    /// The record's content.
    pub body: Map<String, Value>,
    /// The signature.
    pub sig: Signature,
    /// blake3 of the canonical bytes.
    pub id: [u8; 32],
    /// The canonical bytes.
    pub bytes: Vec<u8>,
}

/// Canonical JSON bytes of a value (sorted keys, compact, integers only).
pub fn canonical(value: &Value) -> Result<Vec<u8>, EnvelopeError> {
    check_integers(value)?;
    let mut out = Vec::with_capacity(256);
    write_canonical(value, &mut out)?;
    Ok(out)
}

/// Writes `value` compactly with object members sorted by the bytes of
/// their keys. The order is explicit: serde_json's `Map` keeps insertion
/// order when any crate in the build enables its `preserve_order` feature.
fn write_canonical(value: &Value, out: &mut Vec<u8>) -> Result<(), EnvelopeError> {
    let scalar = |v: &Value, out: &mut Vec<u8>| {
        serde_json::to_writer(out, v).map_err(|e| EnvelopeError::Malformed(e.to_string()))
    };
    match value {
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out)?;
            }
            out.push(b']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push(b'{');
            for (i, (key, item)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                serde_json::to_writer(&mut *out, key)
                    .map_err(|e| EnvelopeError::Malformed(e.to_string()))?;
                out.push(b':');
                write_canonical(item, out)?;
            }
            out.push(b'}');
        }
        other => scalar(other, out)?,
    }
    Ok(())
}

fn check_integers(value: &Value) -> Result<(), EnvelopeError> {
    match value {
        Value::Number(n) if !(n.is_i64() || n.is_u64()) => Err(EnvelopeError::NonCanonical),
        Value::Array(items) => items.iter().try_for_each(check_integers),
        Value::Object(map) => map.values().try_for_each(check_integers),
        _ => Ok(()),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    if s.len() != N * 2
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return None;
    }
    let mut out = [0u8; N];
    for (i, chunk) in s.as_bytes().chunks(2).enumerate() {
        out[i] = u8::from_str_radix(std::str::from_utf8(chunk).ok()?, 16).ok()?;
    }
    Some(out)
}

fn unsigned_value(
    author: &PublicKey,
    kind: Kind,
    created: i64,
    prev: Option<[u8; 32]>,
    body: &Map<String, Value>,
) -> Value {
    serde_json::json!({
        "v": VERSION,
        "author": author.to_did_key(),
        "kind": kind,
        "created": created,
        "prev": prev.map(|p| hex(&p)),
        "body": body,
    })
}

/// The bytes the signature covers, cut from canonical bytes: members are
/// sorted, so the top-level `sig` is the last member but `v`, and its
/// removal leaves the canonical encoding of the unsigned envelope.
fn signed_part(bytes: &[u8], sig_hex: &str) -> Option<Vec<u8>> {
    let member = format!(",\"sig\":\"{sig_hex}\"");
    let tail = format!(",\"v\":{VERSION}}}");
    let rest = bytes.strip_suffix(tail.as_bytes())?;
    let head = rest.strip_suffix(member.as_bytes())?;
    let mut signed = Vec::with_capacity(head.len() + tail.len());
    signed.extend_from_slice(head);
    signed.extend_from_slice(tail.as_bytes());
    Some(signed)
}

impl Envelope {
    /// Signs a new record.
    pub fn sign(
        key: &Ed25519Keypair,
        kind: Kind,
        created: i64,
        prev: Option<[u8; 32]>,
        body: Map<String, Value>,
    ) -> Result<Envelope, EnvelopeError> {
        let body_len = canonical(&Value::Object(body.clone()))?.len();
        if body_len > MAX_BODY_BYTES {
            return Err(EnvelopeError::Oversized(body_len));
        }
        let author = key.public();
        let mut value = unsigned_value(&author, kind, created, prev, &body);
        let sig = key.sign(&canonical(&value)?);
        value["sig"] = Value::String(hex(&sig.to_bytes()));
        let bytes = canonical(&value)?;
        let id = *blake3::hash(&bytes).as_bytes();
        Ok(Envelope {
            author,
            kind,
            created,
            prev,
            body,
            sig,
            id,
            bytes,
        })
    }

    /// Checks everything but the signature (cheap), returning the envelope
    /// and the bytes its signature covers. Use [`Envelope::verify`] or
    /// [`verify_batch`] before trusting it.
    pub fn decode_unverified(
        bytes: &[u8],
        now_ms: i64,
    ) -> Result<(Envelope, Vec<u8>), EnvelopeError> {
        Self::decode_with(bytes, now_ms, &mut |did| PublicKey::from_did_key(did).ok())
    }

    /// [`Envelope::decode_unverified`], reading the author's did:key with
    /// `author_key` (so that a batch parses each author once).
    fn decode_with(
        bytes: &[u8],
        now_ms: i64,
        author_key: &mut dyn FnMut(&str) -> Option<PublicKey>,
    ) -> Result<(Envelope, Vec<u8>), EnvelopeError> {
        let value: Value =
            serde_json::from_slice(bytes).map_err(|e| EnvelopeError::Malformed(e.to_string()))?;
        let Value::Object(map) = value else {
            return Err(EnvelopeError::Malformed("not an object".into()));
        };
        let version = map
            .get("v")
            .and_then(Value::as_u64)
            .ok_or_else(|| EnvelopeError::Malformed("v".into()))?;
        if version != u64::from(VERSION) {
            return Err(EnvelopeError::UnknownVersion(version));
        }
        if map.len() != 7 {
            return Err(EnvelopeError::Malformed(
                "unexpected or missing members".into(),
            ));
        }
        let value = Value::Object(map);
        if canonical(&value)? != bytes {
            return Err(EnvelopeError::NonCanonical);
        }
        let Value::Object(mut map) = value else {
            return Err(EnvelopeError::Malformed("not an object".into()));
        };
        let sig_hex = map
            .remove("sig")
            .and_then(|s| s.as_str().map(str::to_string))
            .ok_or_else(|| EnvelopeError::Malformed("sig".into()))?;
        let sig = unhex::<64>(&sig_hex)
            .map(Signature)
            .ok_or_else(|| EnvelopeError::Malformed("sig".into()))?;
        let author = map
            .get("author")
            .and_then(Value::as_str)
            .and_then(&mut *author_key)
            .ok_or(EnvelopeError::BadAuthor)?;
        let kind: Kind = map
            .get("kind")
            .cloned()
            .and_then(|k| serde_json::from_value(k).ok())
            .ok_or_else(|| EnvelopeError::Malformed("kind".into()))?;
        let created = map
            .get("created")
            .and_then(Value::as_i64)
            .ok_or_else(|| EnvelopeError::Malformed("created".into()))?;
        // Saturating: `created` is anyone's i64 (i64::MIN overflowed).
        let ahead = created.saturating_sub(now_ms);
        if ahead > MAX_FUTURE_SKEW_MS {
            return Err(EnvelopeError::ClockSkew(ahead));
        }
        let prev = match map.get("prev") {
            Some(Value::Null) => None,
            Some(Value::String(p)) => {
                Some(unhex::<32>(p).ok_or_else(|| EnvelopeError::Malformed("prev".into()))?)
            }
            _ => return Err(EnvelopeError::Malformed("prev".into())),
        };
        let body = match map.remove("body") {
            Some(Value::Object(b)) => b,
            _ => return Err(EnvelopeError::Malformed("body".into())),
        };
        // The canonical body is a part of the canonical bytes: only a large
        // envelope can hold an oversized body.
        if bytes.len() > MAX_BODY_BYTES {
            let body_len = canonical(&Value::Object(body.clone()))?.len();
            if body_len > MAX_BODY_BYTES {
                return Err(EnvelopeError::Oversized(body_len));
            }
        }
        let signed =
            signed_part(bytes, &sig_hex).ok_or_else(|| EnvelopeError::Malformed("sig".into()))?;
        let id = *blake3::hash(bytes).as_bytes();
        Ok((
            Envelope {
                author,
                kind,
                created,
                prev,
                body,
                sig,
                id,
                bytes: bytes.to_vec(),
            },
            signed,
        ))
    }

    /// Decodes and fully verifies one envelope.
    pub fn verify(bytes: &[u8], now_ms: i64) -> Result<Envelope, EnvelopeError> {
        let (envelope, signed) = Self::decode_unverified(bytes, now_ms)?;
        envelope
            .author
            .verify(&signed, &envelope.sig)
            .map_err(|_| EnvelopeError::BadSignature)?;
        Ok(envelope)
    }

    /// The id as hex.
    pub fn id_hex(&self) -> String {
        hex(&self.id)
    }
}

/// An envelope id as lower-case hex (how APIs and records name it).
pub fn id_to_hex(id: &[u8; 32]) -> String {
    hex(id)
}

/// An envelope id from its hex form (64 digits, case-insensitive).
pub fn id_from_hex(s: &str) -> Option<[u8; 32]> {
    unhex::<32>(&s.to_ascii_lowercase())
}

/// Verifies many envelopes with one batched ed25519 check; if the batch
/// fails, each is checked alone so one bad envelope rejects only itself.
pub fn verify_batch(items: &[&[u8]], now_ms: i64) -> Vec<Result<Envelope, EnvelopeError>> {
    // A batch usually holds a few authors' records: parse (and check the
    // curve point of) each did:key once.
    let mut authors: std::collections::HashMap<String, Option<PublicKey>> =
        std::collections::HashMap::new();
    let mut author_key = |did: &str| match authors.get(did) {
        Some(key) => *key,
        None => {
            let key = PublicKey::from_did_key(did).ok();
            authors.insert(did.to_string(), key);
            key
        }
    };
    let decoded: Vec<Result<(Envelope, Vec<u8>), EnvelopeError>> = items
        .iter()
        .map(|b| Envelope::decode_with(b, now_ms, &mut author_key))
        .collect();
    let ok: Vec<(&PublicKey, &[u8], &Signature)> = decoded
        .iter()
        .filter_map(|d| d.as_ref().ok())
        .map(|(e, signed)| (&e.author, signed.as_slice(), &e.sig))
        .collect();
    let all_good = !ok.is_empty() && identity::verify_batch(&ok).is_ok();
    decoded
        .into_iter()
        .map(|d| {
            let (envelope, signed) = d?;
            if !all_good {
                envelope
                    .author
                    .verify(&signed, &envelope.sig)
                    .map_err(|_| EnvelopeError::BadSignature)?;
            }
            Ok(envelope)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_795_000_000_000;

    fn key() -> Ed25519Keypair {
        Ed25519Keypair::from_secret_bytes(&[7u8; 32])
    }

    fn body() -> Map<String, Value> {
        let v = serde_json::json!({"content": "Halo, dunia! #kodeon", "visibility": "public", "tags": ["kodeon"]});
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn sign_then_verify_roundtrips() {
        let e = Envelope::sign(&key(), Kind::Post, NOW, None, body()).expect("sign");
        let back = Envelope::verify(&e.bytes, NOW).expect("verify");
        assert_eq!(back, e);
    }

    #[test]
    fn checked_in_vector_matches() {
        let vector: Value = serde_json::from_str(include_str!("../tests/vectors/envelope-v1.json"))
            .expect("vector");
        let e = Envelope::sign(&key(), Kind::Post, NOW, None, body()).expect("sign");
        assert_eq!(
            String::from_utf8_lossy(&e.bytes),
            vector["bytes"].as_str().expect("bytes")
        );
        assert_eq!(e.id_hex(), vector["id"].as_str().expect("id"));
        assert_eq!(
            hex(&e.sig.to_bytes()),
            vector["signature"].as_str().expect("sig")
        );
        assert_eq!(
            e.author.to_did_key(),
            vector["author"].as_str().expect("author")
        );
    }

    #[test]
    fn tampering_is_rejected() {
        let e = Envelope::sign(&key(), Kind::Post, NOW, None, body()).expect("sign");
        // One bit flipped in the body.
        let flipped = String::from_utf8_lossy(&e.bytes)
            .replace("dunia", "dunja")
            .into_bytes();
        assert_eq!(
            Envelope::verify(&flipped, NOW),
            Err(EnvelopeError::BadSignature)
        );
        // A wrong key: the same record claimed by someone else.
        let other = Ed25519Keypair::from_secret_bytes(&[8u8; 32])
            .public()
            .to_did_key();
        let stolen = String::from_utf8_lossy(&e.bytes)
            .replace(&e.author.to_did_key(), &other)
            .into_bytes();
        assert_eq!(
            Envelope::verify(&stolen, NOW),
            Err(EnvelopeError::BadSignature)
        );
        // Non-canonical: same JSON with whitespace.
        let spaced = String::from_utf8_lossy(&e.bytes)
            .replacen(',', ", ", 1)
            .into_bytes();
        assert_eq!(
            Envelope::verify(&spaced, NOW),
            Err(EnvelopeError::NonCanonical)
        );
        // Unknown version, future date, oversized body, floats.
        let v2 = String::from_utf8_lossy(&e.bytes)
            .replace("\"v\":1", "\"v\":2")
            .into_bytes();
        assert_eq!(
            Envelope::verify(&v2, NOW),
            Err(EnvelopeError::UnknownVersion(2))
        );
        assert!(matches!(
            Envelope::verify(&e.bytes, NOW - 10 * 60 * 1000),
            Err(EnvelopeError::ClockSkew(_))
        ));
        let mut big = Map::new();
        big.insert("content".into(), Value::String("x".repeat(MAX_BODY_BYTES)));
        assert!(matches!(
            Envelope::sign(&key(), Kind::Post, NOW, None, big),
            Err(EnvelopeError::Oversized(_))
        ));
        let mut float = Map::new();
        float.insert("score".into(), serde_json::json!(0.5));
        assert_eq!(
            Envelope::sign(&key(), Kind::Attestation, NOW, None, float),
            Err(EnvelopeError::NonCanonical)
        );
    }

    #[test]
    fn signed_part_is_the_unsigned_encoding_even_with_look_alike_members() {
        let mut b = body();
        b.insert("sig".into(), Value::String("00".repeat(64)));
        b.insert("v".into(), serde_json::json!(1));
        let e = Envelope::sign(&key(), Kind::Post, NOW, None, b.clone()).expect("sign");
        let unsigned =
            canonical(&unsigned_value(&e.author, Kind::Post, NOW, None, &b)).expect("canonical");
        assert_eq!(
            signed_part(&e.bytes, &hex(&e.sig.to_bytes())),
            Some(unsigned)
        );
        assert_eq!(Envelope::verify(&e.bytes, NOW).expect("verify").body, b);
    }

    #[test]
    fn batch_isolates_the_bad_one() {
        let good: Vec<Envelope> = (0..5)
            .map(|i| Envelope::sign(&key(), Kind::Post, NOW + i, None, body()).expect("sign"))
            .collect();
        let bad = String::from_utf8_lossy(&good[2].bytes)
            .replace("dunia", "dunja")
            .into_bytes();
        let items: Vec<&[u8]> = vec![
            &good[0].bytes,
            &good[1].bytes,
            &bad,
            &good[3].bytes,
            &good[4].bytes,
        ];
        let results = verify_batch(&items, NOW);
        let oks: Vec<bool> = results.iter().map(Result::is_ok).collect();
        assert_eq!(oks, vec![true, true, false, true, true]);
    }
}
