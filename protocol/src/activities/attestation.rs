//! An attestation as Kodeon sends it over ActivityPub: a `kd:Attestation`
//! object (Kodeon's namespace, [`super::COURSE_NAMESPACE`]) carrying an
//! FEP-8b32 Data Integrity proof (`eddsa-jcs-2022`,
//! [`crate::data_integrity`]) made with its issuer's ed25519 key, so any
//! server can check who vouched for what without trusting the server that
//! relayed it. It travels in a `Create` (made) and a `Delete` of its id
//! (withdrawn). Its `type` is `["kd:Attestation", "Object"]`: Mastodon
//! ignores a `Create` of an `Object`, and Fedify, which refuses an activity
//! whose object has no ActivityStreams type it knows (400), takes it as an
//! `Object`.
//!
//! ```json
//! {"@context": ["https://www.w3.org/ns/activitystreams",
//!               "https://w3id.org/security/data-integrity/v2", {"kd": "...", ...}],
//!  "id": "https://a.example/attestations/9f…", "type": ["kd:Attestation", "Object"],
//!  "attributedTo": "https://a.example/users/ann",
//!  "about": "https://b.example/users/bob", "subjectKey": "did:key:z6Mk…",
//!  "attestationKind": "skill", "claim": "rust", "comment": "wrote our parser",
//!  "published": "2026-12-07T10:00:00Z", "proof": {…}}
//! ```
//!
//! Reading is bounded: every property is a string of a bounded length, and
//! anything else is refused before the proof is checked.

use serde_json::{Map, Value};

use super::COURSE_NAMESPACE;

/// The object's own `type` (a compact IRI in Kodeon's namespace), written
/// first in its list of types.
pub const ATTESTATION_TYPE: &str = "kd:Attestation";

/// Longest id (object, issuer, subject, group) read, in bytes.
const MAX_ID: usize = 2048;
/// Longest claim, kind, subject key or date read, in bytes.
const MAX_SHORT: usize = 256;
/// Longest comment read, in bytes.
const MAX_COMMENT: usize = 4096;

/// The JSON-LD context of an attestation: ActivityStreams, Data Integrity
/// (which defines `proof`) and Kodeon's terms.
pub fn attestation_context() -> Value {
    serde_json::json!([
        super::CONTEXT,
        crate::credentials::contexts::DATA_INTEGRITY_V2,
        {
            "kd": COURSE_NAMESPACE,
            "about": {"@id": "kd:about", "@type": "@id"},
            "subjectKey": "kd:subjectKey",
            "attestationKind": "kd:attestationKind",
            "claim": "kd:claim",
            "comment": "kd:comment",
            "group": {"@id": "kd:group", "@type": "@id"},
        }
    ])
}

/// Why an object is not an attestation Kodeon reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttestationObjectError {
    /// Not of type `kd:Attestation`.
    #[error("not a kd:Attestation")]
    NotAnAttestation,
    /// A property is missing, not a string, or too long.
    #[error("attestation {0} is missing, not a string or too long")]
    Field(&'static str),
}

/// An attestation object, as sent and as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestationObject {
    /// Its id, on its issuer's server.
    pub id: String,
    /// The issuer's actor id (`attributedTo`).
    pub issuer: String,
    /// The subject's actor id (`about`), when known to the issuer.
    pub about: Option<String>,
    /// The subject's did:key (`subjectKey`): whom it is about.
    pub subject_key: String,
    /// Its kind (`attestationKind`: `skill`, `attended`, `certificate`,
    /// `mentored`, `contribution`).
    pub kind: Option<String>,
    /// What is attested (`claim`).
    pub claim: String,
    /// A plain-text comment (`comment`; empty when absent).
    pub comment: String,
    /// The group it was given in (`group`), an actor id.
    pub group: Option<String>,
    /// When it was made (`published`, RFC 3339).
    pub published: String,
}

impl AttestationObject {
    /// The object as JSON, with its context, ready for a proof.
    pub fn to_map(&self) -> Map<String, Value> {
        let mut map = Map::new();
        map.insert("@context".into(), attestation_context());
        map.insert("id".into(), self.id.clone().into());
        map.insert(
            "type".into(),
            Value::Array(vec![ATTESTATION_TYPE.into(), "Object".into()]),
        );
        map.insert("attributedTo".into(), self.issuer.clone().into());
        if let Some(about) = &self.about {
            map.insert("about".into(), about.clone().into());
        }
        map.insert("subjectKey".into(), self.subject_key.clone().into());
        if let Some(kind) = &self.kind {
            map.insert("attestationKind".into(), kind.clone().into());
        }
        map.insert("claim".into(), self.claim.clone().into());
        if !self.comment.is_empty() {
            map.insert("comment".into(), self.comment.clone().into());
        }
        if let Some(group) = &self.group {
            map.insert("group".into(), group.clone().into());
        }
        map.insert("published".into(), self.published.clone().into());
        map
    }

    /// Reads a received object (its proof is checked apart, on the same
    /// map): every property a string within its bound.
    pub fn read(map: &Map<String, Value>) -> Result<AttestationObject, AttestationObjectError> {
        if !is_attestation(map) {
            return Err(AttestationObjectError::NotAnAttestation);
        }
        let text =
            |name: &'static str, max: usize| -> Result<Option<String>, AttestationObjectError> {
                match map.get(name) {
                    None | Some(Value::Null) => Ok(None),
                    Some(Value::String(s)) if s.len() <= max => Ok(Some(s.clone())),
                    Some(_) => Err(AttestationObjectError::Field(name)),
                }
            };
        let required = |name: &'static str, max: usize| {
            text(name, max)?.ok_or(AttestationObjectError::Field(name))
        };
        Ok(AttestationObject {
            id: required("id", MAX_ID)?,
            issuer: required("attributedTo", MAX_ID)?,
            about: text("about", MAX_ID)?,
            subject_key: required("subjectKey", MAX_SHORT)?,
            kind: text("attestationKind", MAX_SHORT)?,
            claim: required("claim", MAX_SHORT)?,
            comment: text("comment", MAX_COMMENT)?.unwrap_or_default(),
            group: text("group", MAX_ID)?,
            published: required("published", MAX_SHORT)?,
        })
    }
}

/// Whether a JSON object is a `kd:Attestation` (its `type`, or one of a
/// list of at most eight).
pub fn is_attestation(map: &Map<String, Value>) -> bool {
    match map.get("type") {
        Some(Value::String(t)) => t == ATTESTATION_TYPE,
        Some(Value::Array(types)) if types.len() <= 8 => {
            types.iter().any(|t| t.as_str() == Some(ATTESTATION_TYPE))
        }
        _ => false,
    }
}

/// The attestation object a `Create` embeds, as JSON (its proof is made
/// over that JSON), or `None` when it embeds something else.
pub fn embedded_attestation(body: &[u8]) -> Option<Map<String, Value>> {
    #[derive(serde::Deserialize)]
    struct Outer {
        #[serde(default)]
        object: Option<Value>,
    }
    match serde_json::from_slice::<Outer>(body).ok()?.object? {
        Value::Object(map) if is_attestation(&map) => Some(map),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data_integrity::{attach_proof, verify_proof, ProofError};
    use identity::Ed25519Keypair;

    fn object() -> AttestationObject {
        AttestationObject {
            id: "https://a.example/attestations/01".into(),
            issuer: "https://a.example/users/ann".into(),
            about: Some("https://b.example/users/bob".into()),
            subject_key: Ed25519Keypair::generate().public().to_did_key(),
            kind: Some("mentored".into()),
            claim: "mentored:rust".into(),
            comment: "taught me lifetimes".into(),
            group: None,
            published: "2026-12-07T10:00:00Z".into(),
        }
    }

    fn signed(key: &Ed25519Keypair, object: &AttestationObject) -> Map<String, Value> {
        let mut map = object.to_map();
        attach_proof(
            &mut map,
            "https://a.example/users/ann#ed25519-key",
            "2026-12-07T10:00:00Z",
            |bytes| Ok::<_, ProofError>(key.sign(bytes)),
        )
        .expect("signs");
        map
    }

    #[test]
    fn an_attestation_round_trips_with_a_proof_its_issuer_made() {
        let key = Ed25519Keypair::generate();
        let sent = object();
        let map = signed(&key, &sent);
        let context = map["@context"].as_array().expect("a list");
        assert!(context.contains(&Value::from("https://w3id.org/security/data-integrity/v2")));
        assert_eq!(map["type"], serde_json::json!(["kd:Attestation", "Object"]));
        // As another server reads it: from the bytes of a Create.
        let body = serde_json::to_vec(&serde_json::json!({
            "type": "Create", "actor": sent.issuer, "object": map,
        }))
        .expect("json");
        let received = embedded_attestation(&body).expect("an attestation");
        let proof = verify_proof(&received, |m| {
            (m == "https://a.example/users/ann#ed25519-key").then(|| key.public())
        })
        .expect("the proof verifies");
        assert_eq!(proof.purpose, "assertionMethod");
        assert_eq!(AttestationObject::read(&received), Ok(sent));
    }

    #[test]
    fn a_changed_claim_or_another_key_fails_the_proof() {
        let key = Ed25519Keypair::generate();
        let mut map = signed(&key, &object());
        assert_eq!(
            verify_proof(&map, |_| Some(Ed25519Keypair::generate().public())),
            Err(ProofError::BadSignature)
        );
        map.insert("claim".into(), "mentored:go".into());
        assert_eq!(
            verify_proof(&map, |_| Some(key.public())),
            Err(ProofError::BadSignature)
        );
    }

    #[test]
    fn reading_is_bounded_and_typed() {
        let good = object().to_map();
        let mut long = good.clone();
        long.insert("claim".into(), "x".repeat(MAX_SHORT + 1).into());
        assert_eq!(
            AttestationObject::read(&long),
            Err(AttestationObjectError::Field("claim"))
        );
        let mut nested = good.clone();
        nested.insert("comment".into(), serde_json::json!({"a": [1, 2]}));
        assert_eq!(
            AttestationObject::read(&nested),
            Err(AttestationObjectError::Field("comment"))
        );
        let mut missing = good.clone();
        missing.remove("subjectKey");
        assert_eq!(
            AttestationObject::read(&missing),
            Err(AttestationObjectError::Field("subjectKey"))
        );
        let mut alone = good.clone();
        alone.insert("type".into(), ATTESTATION_TYPE.into());
        assert!(
            AttestationObject::read(&alone).is_ok(),
            "a type alone reads too"
        );
        let mut note = good;
        note.insert("type".into(), "Note".into());
        assert_eq!(
            AttestationObject::read(&note),
            Err(AttestationObjectError::NotAnAttestation)
        );
        let create_of_note = br#"{"type":"Create","object":{"type":"Note"}}"#;
        assert_eq!(embedded_attestation(create_of_note), None);
    }
}
