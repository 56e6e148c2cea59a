//! Object integrity proofs (FEP-8b32): a W3C Data Integrity proof with the
//! `eddsa-jcs-2022` cryptosuite, embedded in a JSON object as `proof`.
//!
//! The signature covers SHA-256 of the JCS (RFC 8785) form of the proof
//! options (with the document's `@context`) followed by SHA-256 of the JCS
//! form of the document without its proof, so anyone holding the ed25519
//! key can check the object offline, whichever server relayed it.

use identity::{PublicKey, Signature};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// The cryptosuite this module signs and verifies.
pub const CRYPTOSUITE: &str = "eddsa-jcs-2022";

/// The JSON-LD context that defines `proof` and `DataIntegrityProof`.
pub const CONTEXT: &str = "https://w3id.org/security/data-integrity/v1";

/// The largest integer JCS writes as it is (2^53, JavaScript's safe range).
const MAX_SAFE_INTEGER: u64 = 9_007_199_254_740_992;

/// Why a proof could not be made or does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The object has no `proof`.
    #[error("no proof")]
    Missing,
    /// The proof is not a `DataIntegrityProof` with `eddsa-jcs-2022`.
    #[error("unsupported proof: {0}")]
    Unsupported(String),
    /// A proof field is missing or of the wrong type.
    #[error("malformed proof: {0}")]
    Malformed(&'static str),
    /// The document holds what JCS cannot write exactly here (a fraction
    /// or an integer beyond 2^53).
    #[error("the document has a number JCS cannot represent exactly")]
    NonCanonical,
    /// The signature does not match.
    #[error("the signature does not match")]
    BadSignature,
}

/// A verified proof: who made it and for what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedProof {
    /// `verificationMethod`: the id of the key that signed.
    pub verification_method: String,
    /// `proofPurpose` (`assertionMethod` for statements).
    pub purpose: String,
}

/// The JCS (RFC 8785) serialisation of `value`: members sorted by their
/// UTF-16 code units, no whitespace, strings escaped as ECMAScript does.
/// Only integers within ±2^53 are accepted as numbers.
pub fn jcs(value: &Value) -> Result<Vec<u8>, ProofError> {
    let mut out = Vec::with_capacity(512);
    write_jcs(value, &mut out)?;
    Ok(out)
}

fn write_jcs(value: &Value, out: &mut Vec<u8>) -> Result<(), ProofError> {
    match value {
        Value::Null | Value::Bool(_) | Value::String(_) => {
            serde_json::to_writer(&mut *out, value).map_err(|_| ProofError::NonCanonical)?
        }
        Value::Number(n) => {
            let exact = n.as_u64().is_some_and(|v| v <= MAX_SAFE_INTEGER)
                || n.as_i64()
                    .is_some_and(|v| v.unsigned_abs() <= MAX_SAFE_INTEGER);
            if !exact {
                return Err(ProofError::NonCanonical);
            }
            out.extend_from_slice(n.to_string().as_bytes());
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_jcs(item, out)?;
            }
            out.push(b']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push(b'{');
            for (i, (key, item)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                serde_json::to_writer(&mut *out, key).map_err(|_| ProofError::NonCanonical)?;
                out.push(b':');
                write_jcs(item, out)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

/// The bytes an `eddsa-jcs-2022` signature covers.
fn hash_data(
    document: &Map<String, Value>,
    options: &Map<String, Value>,
) -> Result<Vec<u8>, ProofError> {
    let mut config = options.clone();
    config.remove("proofValue");
    if let Some(context) = document.get("@context") {
        config.insert("@context".into(), context.clone());
    }
    let mut unsecured = document.clone();
    unsecured.remove("proof");
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(&Sha256::digest(jcs(&Value::Object(config))?));
    out.extend_from_slice(&Sha256::digest(jcs(&Value::Object(unsecured))?));
    Ok(out)
}

/// Adds an `eddsa-jcs-2022` proof to `document`, made by `sign` with the
/// key `verification_method` names, for `assertionMethod`, dated
/// `created` (an RFC 3339 instant). A proof already there is replaced.
/// `sign` may fail (the key is elsewhere); its error is returned as is.
pub fn attach_proof<E: From<ProofError>>(
    document: &mut Map<String, Value>,
    verification_method: &str,
    created: &str,
    sign: impl FnOnce(&[u8]) -> Result<Signature, E>,
) -> Result<(), E> {
    document.remove("proof");
    let proof = make_proof(document, verification_method, created, sign)?;
    document.insert("proof".into(), Value::Object(proof));
    Ok(())
}

/// An `eddsa-jcs-2022` proof of `document` (its `proof`, if any, left
/// out, as for each member of a proof set), made as [`attach_proof`] makes
/// it, returned rather than attached.
pub fn make_proof<E: From<ProofError>>(
    document: &Map<String, Value>,
    verification_method: &str,
    created: &str,
    sign: impl FnOnce(&[u8]) -> Result<Signature, E>,
) -> Result<Map<String, Value>, E> {
    let mut options = Map::new();
    options.insert("type".into(), "DataIntegrityProof".into());
    options.insert("cryptosuite".into(), CRYPTOSUITE.into());
    options.insert("verificationMethod".into(), verification_method.into());
    options.insert("proofPurpose".into(), "assertionMethod".into());
    options.insert("created".into(), created.into());
    let signature = sign(&hash_data(document, &options)?)?;
    let value = format!("z{}", bs58::encode(signature.to_bytes()).into_string());
    options.insert("proofValue".into(), value.into());
    Ok(options)
}

/// Checks one `eddsa-jcs-2022` proof of `document` (the document's only
/// proof or a member of its proof set) with `key`.
pub fn verify_proof_object(
    document: &Map<String, Value>,
    proof: &Map<String, Value>,
    key: &PublicKey,
) -> Result<(), ProofError> {
    let value = proof
        .get("proofValue")
        .and_then(Value::as_str)
        .ok_or(ProofError::Malformed("proofValue"))?;
    let raw = value
        .strip_prefix('z')
        .filter(|b58| b58.len() <= 100)
        .and_then(|b58| bs58::decode(b58).into_vec().ok())
        .ok_or(ProofError::Malformed("proofValue"))?;
    let signature = Signature::from_slice(&raw).map_err(|_| ProofError::Malformed("proofValue"))?;
    key.verify(&hash_data(document, proof)?, &signature)
        .map_err(|_| ProofError::BadSignature)
}

/// Verifies the `eddsa-jcs-2022` proof of `document` with the key that
/// `key_for` returns for its `verificationMethod` (`None`: unknown key,
/// which fails).
pub fn verify_proof(
    document: &Map<String, Value>,
    key_for: impl FnOnce(&str) -> Option<PublicKey>,
) -> Result<VerifiedProof, ProofError> {
    let proof = match document.get("proof") {
        None => return Err(ProofError::Missing),
        Some(Value::Object(p)) => p,
        // One proof is what is made here; a set of proofs is not taken.
        Some(_) => return Err(ProofError::Unsupported("not a single proof object".into())),
    };
    let text = |name: &'static str| -> Result<&str, ProofError> {
        proof
            .get(name)
            .and_then(Value::as_str)
            .ok_or(ProofError::Malformed(name))
    };
    if text("type")? != "DataIntegrityProof" || text("cryptosuite")? != CRYPTOSUITE {
        return Err(ProofError::Unsupported(format!(
            "{} / {}",
            text("type")?,
            text("cryptosuite").unwrap_or("-")
        )));
    }
    let method = text("verificationMethod")?;
    let purpose = text("proofPurpose")?;
    let value = text("proofValue")?;
    let raw = value
        .strip_prefix('z')
        .and_then(|b58| bs58::decode(b58).into_vec().ok())
        .ok_or(ProofError::Malformed("proofValue"))?;
    let signature = Signature::from_slice(&raw).map_err(|_| ProofError::Malformed("proofValue"))?;
    let key = key_for(method).ok_or(ProofError::BadSignature)?;
    key.verify(&hash_data(document, proof)?, &signature)
        .map_err(|_| ProofError::BadSignature)?;
    Ok(VerifiedProof {
        verification_method: method.to_string(),
        purpose: purpose.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use identity::Ed25519Keypair;
    use serde_json::json;

    #[test]
    fn jcs_sorts_by_utf16_and_escapes_like_ecmascript() {
        // RFC 8785 §3.2.3: sorting by UTF-16 code units puts U+1F600 (a
        // surrogate pair, 0xD83D...) before U+FB33, unlike UTF-8 order.
        let v = json!({"\u{fb33}": 1, "\u{1f600}": 2, "b": [true, null, "x\n\u{1}"], "a": -5});
        let out = String::from_utf8(jcs(&v).expect("jcs")).expect("utf8");
        assert_eq!(
            out,
            "{\"a\":-5,\"b\":[true,null,\"x\\n\\u0001\"],\"\u{1f600}\":2,\"\u{fb33}\":1}"
        );
        assert_eq!(jcs(&json!({"x": 1.5})), Err(ProofError::NonCanonical));
        assert_eq!(jcs(&json!({"x": u64::MAX})), Err(ProofError::NonCanonical));
    }

    fn signed(key: &Ed25519Keypair) -> Map<String, Value> {
        let Value::Object(mut doc) = json!({
            "@context": ["https://www.w3.org/ns/activitystreams", CONTEXT],
            "id": "https://a.example/users/alice",
            "type": "Person",
            "preferredUsername": "alice",
        }) else {
            unreachable!("an object literal")
        };
        attach_proof(
            &mut doc,
            "https://a.example/users/alice#ed25519-key",
            "2026-12-07T00:00:00Z",
            |bytes| Ok::<_, ProofError>(key.sign(bytes)),
        )
        .expect("signs");
        doc
    }

    #[test]
    fn a_proof_verifies_with_its_key_and_survives_a_json_round_trip() {
        let key = Ed25519Keypair::generate();
        let doc = signed(&key);
        // Another member order and whitespace change nothing (JCS).
        let text = serde_json::to_string_pretty(&doc).expect("json");
        let reread: Map<String, Value> = serde_json::from_str(&text).expect("parse");
        let verified = verify_proof(&reread, |method| {
            (method == "https://a.example/users/alice#ed25519-key").then(|| key.public())
        })
        .expect("verifies");
        assert_eq!(verified.purpose, "assertionMethod");
        assert_eq!(
            verified.verification_method,
            "https://a.example/users/alice#ed25519-key"
        );
    }

    #[test]
    fn a_changed_document_another_key_or_a_changed_context_fails() {
        let key = Ed25519Keypair::generate();
        let other = Ed25519Keypair::generate();
        let doc = signed(&key);
        let mut changed = doc.clone();
        changed.insert("preferredUsername".into(), "mallory".into());
        assert_eq!(
            verify_proof(&changed, |_| Some(key.public())),
            Err(ProofError::BadSignature)
        );
        assert_eq!(
            verify_proof(&doc, |_| Some(other.public())),
            Err(ProofError::BadSignature)
        );
        let mut recontext = doc.clone();
        recontext.insert(
            "@context".into(),
            json!("https://www.w3.org/ns/activitystreams"),
        );
        assert_eq!(
            verify_proof(&recontext, |_| Some(key.public())),
            Err(ProofError::BadSignature)
        );
        let mut unsigned = doc.clone();
        unsigned.remove("proof");
        assert_eq!(
            verify_proof(&unsigned, |_| Some(key.public())),
            Err(ProofError::Missing)
        );
        assert_eq!(verify_proof(&doc, |_| None), Err(ProofError::BadSignature));
    }

    /// The W3C vc-di-eddsa test vector for `eddsa-jcs-2022`
    /// (TestVectors/eddsa-jcs-2022/signedJCS.json and keyPair.json of
    /// github.com/w3c/vc-di-eddsa): made by another implementation, it
    /// verifies here, and signing the same document with the same key and
    /// options gives the same proofValue (ed25519 is deterministic).
    #[test]
    fn the_w3c_test_vector_verifies_and_is_reproduced() {
        let signed: Map<String, Value> = serde_json::from_str(
            r#"{
  "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
  "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
  "type": ["VerifiableCredential", "AlumniCredential"],
  "name": "Alumni Credential",
  "description": "A minimum viable example of an Alumni Credential.",
  "issuer": "https://vc.example/issuers/5678",
  "validFrom": "2023-01-01T00:00:00Z",
  "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
  "proof": {
    "type": "DataIntegrityProof",
    "cryptosuite": "eddsa-jcs-2022",
    "created": "2023-02-24T23:36:38Z",
    "verificationMethod": "https://vc.example/issuers/5678#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
    "proofPurpose": "assertionMethod",
    "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
    "proofValue": "z63t83Y53KfzJ5ZosfKTnqfMcKB2dmTrfjSaQjeNNjAD5srBowQfmWqeRb8rRjmeEuCBEsddF9LsVogtuTsijJKh4"
  }
}"#,
        )
        .expect("vector");
        let public = PublicKey::from_multikey("z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2")
            .expect("multikey");
        verify_proof(&signed, |_| Some(public)).expect("the W3C vector verifies");

        // The private key: multicodec ed25519-priv (0x1300, varint 80 26) + 32 bytes.
        let raw = bs58::decode("3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq")
            .into_vec()
            .expect("base58");
        assert_eq!(&raw[..2], &[0x80, 0x26]);
        let secret: [u8; 32] = raw[2..].try_into().expect("32 bytes");
        let key = Ed25519Keypair::from_secret_bytes(&secret);
        assert_eq!(key.public(), public);
        let mut unsigned = signed.clone();
        unsigned.remove("proof");
        attach_proof(
            &mut unsigned,
            "https://vc.example/issuers/5678#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
            "2023-02-24T23:36:38Z",
            |bytes| Ok::<_, ProofError>(key.sign(bytes)),
        )
        .expect("signs");
        assert_eq!(
            unsigned["proof"]["proofValue"],
            signed["proof"]["proofValue"]
        );
    }
}
