//! The `eddsa-rdfc-2022` cryptosuite (W3C Data Integrity EdDSA
//! Cryptosuites v1.0, §3.2): the document without its proof and the proof
//! options (with the document's `@context`) are each expanded from JSON-LD
//! to RDF, canonicalised with RDFC-1.0 into N-Quads and hashed with
//! SHA-256; the ed25519 signature covers the options' hash followed by the
//! document's, and `proofValue` is its base58btc multibase.

use super::contexts::{inline_contexts, ContextLoader};
use super::CredentialError;
use affinidi_rdf_encoding::{jsonld, rdfc1};
use identity::{PublicKey, Signature};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// The cryptosuite name.
pub const CRYPTOSUITE: &str = "eddsa-rdfc-2022";

/// The most RDF statements a document may turn into; an Open Badge is a
/// few dozen, a status list a dozen.
const MAX_QUADS: usize = 2_000;

/// The most blank nodes canonicalised: RDFC-1.0's cost grows quickly with
/// blank nodes that look alike; a certificate has a handful.
const MAX_BLANK_NODES: usize = 64;

/// The RDFC-1.0 canonical N-Quads of a JSON-LD document, its contexts
/// resolved by `loader`. Terms the contexts do not define are an error
/// (JSON-LD would drop them silently, leaving them outside the signature).
pub fn canonical_nquads(
    document: &Map<String, Value>,
    loader: &dyn ContextLoader,
) -> Result<String, CredentialError> {
    let inlined = inline_contexts(document, loader)?;
    let dataset = jsonld::expand_and_to_rdf_safe(&Value::Object(inlined))
        .map_err(|e| CredentialError::JsonLd(e.to_string()))?;
    if dataset.quads().len() > MAX_QUADS {
        return Err(CredentialError::TooLarge(format!(
            "more than {MAX_QUADS} RDF statements"
        )));
    }
    if dataset.blank_nodes().len() > MAX_BLANK_NODES {
        return Err(CredentialError::TooLarge(format!(
            "more than {MAX_BLANK_NODES} blank nodes"
        )));
    }
    rdfc1::canonicalize(&dataset).map_err(|e| CredentialError::JsonLd(e.to_string()))
}

/// The proof options of `proof`: the proof without `proofValue`, with the
/// document's `@context`.
fn proof_config(document: &Map<String, Value>, proof: &Map<String, Value>) -> Map<String, Value> {
    let mut config = proof.clone();
    config.remove("proofValue");
    if let Some(context) = document.get("@context") {
        config.insert("@context".into(), context.clone());
    }
    config
}

/// The 64 bytes an `eddsa-rdfc-2022` signature covers: SHA-256 of the
/// canonical proof options, then SHA-256 of the canonical document without
/// its `proof`.
pub fn hash_data(
    document: &Map<String, Value>,
    proof: &Map<String, Value>,
    loader: &dyn ContextLoader,
) -> Result<[u8; 64], CredentialError> {
    let mut unsecured = document.clone();
    unsecured.remove("proof");
    let config = canonical_nquads(&proof_config(document, proof), loader)?;
    let doc = canonical_nquads(&unsecured, loader)?;
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(&Sha256::digest(config.as_bytes()));
    out[32..].copy_from_slice(&Sha256::digest(doc.as_bytes()));
    Ok(out)
}

/// Makes an `eddsa-rdfc-2022` proof of `document` (its own `proof`, if
/// any, left out) by the key `verification_method` names, for
/// `assertionMethod`, dated `created` (an RFC 3339 instant, seconds).
/// `sign` may fail (the key is elsewhere); its error is returned as is.
pub fn make_proof<E: From<CredentialError>>(
    document: &Map<String, Value>,
    verification_method: &str,
    created: &str,
    loader: &dyn ContextLoader,
    sign: impl FnOnce(&[u8]) -> Result<Signature, E>,
) -> Result<Map<String, Value>, E> {
    let mut proof = Map::new();
    proof.insert("type".into(), "DataIntegrityProof".into());
    proof.insert("cryptosuite".into(), CRYPTOSUITE.into());
    proof.insert("created".into(), created.into());
    proof.insert("verificationMethod".into(), verification_method.into());
    proof.insert("proofPurpose".into(), "assertionMethod".into());
    let signature = sign(&hash_data(document, &proof, loader)?)?;
    let value = format!("z{}", bs58::encode(signature.to_bytes()).into_string());
    proof.insert("proofValue".into(), value.into());
    Ok(proof)
}

/// Decodes a base58btc multibase `proofValue` into a signature.
pub fn decode_proof_value(value: &str) -> Result<Signature, CredentialError> {
    let bad =
        || CredentialError::Malformed("proofValue is not a base58btc ed25519 signature".into());
    // 64 bytes are at most 88 base58 characters.
    if value.len() > 100 {
        return Err(bad());
    }
    let raw = value
        .strip_prefix('z')
        .and_then(|b58| bs58::decode(b58).into_vec().ok())
        .ok_or_else(bad)?;
    Signature::from_slice(&raw).map_err(|_| bad())
}

/// Checks one `eddsa-rdfc-2022` proof (an element of `document`'s `proof`)
/// with `key`.
pub fn verify_proof(
    document: &Map<String, Value>,
    proof: &Map<String, Value>,
    key: &PublicKey,
    loader: &dyn ContextLoader,
) -> Result<(), CredentialError> {
    let value = proof
        .get("proofValue")
        .and_then(Value::as_str)
        .ok_or_else(|| CredentialError::Malformed("proof has no proofValue".into()))?;
    let signature = decode_proof_value(value)?;
    let data = hash_data(document, proof, loader)?;
    key.verify(&data, &signature)
        .map_err(|_| CredentialError::BadSignature)
}

#[cfg(test)]
mod tests {
    use super::super::contexts::{Bundled, CREDENTIALS_V2};
    use super::*;
    use identity::Ed25519Keypair;
    use serde_json::json;

    /// The bundled contexts and the W3C examples context the spec's test
    /// vector uses.
    struct WithExamples(Value);
    impl ContextLoader for WithExamples {
        fn load(&self, url: &str) -> Option<&Value> {
            if url == "https://www.w3.org/ns/credentials/examples/v2" {
                Some(&self.0)
            } else {
                Bundled.load(url)
            }
        }
    }

    fn examples() -> WithExamples {
        WithExamples(
            serde_json::from_str(include_str!(
                "../../tests/vectors/credentials-examples-v2.jsonld"
            ))
            .expect("examples context"),
        )
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The secret key of the spec's examples (multibase, multicodec
    /// ed25519-priv 0x8026) as 32 bytes.
    fn spec_keypair() -> Ed25519Keypair {
        let raw = bs58::decode("3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq")
            .into_vec()
            .expect("base58");
        assert_eq!(&raw[..2], &[0x80, 0x26]);
        let secret: [u8; 32] = raw[2..].try_into().expect("32 bytes");
        Ed25519Keypair::from_secret_bytes(&secret)
    }

    /// W3C Data Integrity EdDSA Cryptosuites v1.0, Appendix B.1
    /// (`eddsa-rdfc-2022`): canonical N-Quads, both hashes and the
    /// proofValue, byte for byte.
    #[test]
    fn w3c_test_vector_eddsa_rdfc_2022() {
        let loader = examples();
        let unsecured = json!({
            "@context": [
                "https://www.w3.org/ns/credentials/v2",
                "https://www.w3.org/ns/credentials/examples/v2"
            ],
            "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
            "type": ["VerifiableCredential", "AlumniCredential"],
            "name": "Alumni Credential",
            "description": "A minimum viable example of an Alumni Credential.",
            "issuer": "https://vc.example/issuers/5678",
            "validFrom": "2023-01-01T00:00:00Z",
            "credentialSubject": {
                "id": "did:example:abcdefgh",
                "alumniOf": "The School of Examples"
            }
        });
        let doc = unsecured.as_object().expect("object").clone();
        let nquads = canonical_nquads(&doc, &loader).expect("canonical");
        assert_eq!(
            nquads,
            "<did:example:abcdefgh> <https://www.w3.org/ns/credentials/examples#alumniOf> \"The School of Examples\" .\n\
<urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://www.w3.org/2018/credentials#VerifiableCredential> .\n\
<urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://www.w3.org/ns/credentials/examples#AlumniCredential> .\n\
<urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33> <https://schema.org/description> \"A minimum viable example of an Alumni Credential.\" .\n\
<urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33> <https://schema.org/name> \"Alumni Credential\" .\n\
<urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33> <https://www.w3.org/2018/credentials#credentialSubject> <did:example:abcdefgh> .\n\
<urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33> <https://www.w3.org/2018/credentials#issuer> <https://vc.example/issuers/5678> .\n\
<urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33> <https://www.w3.org/2018/credentials#validFrom> \"2023-01-01T00:00:00Z\"^^<http://www.w3.org/2001/XMLSchema#dateTime> .\n"
        );
        let keypair = spec_keypair();
        let public = keypair.public().to_multikey();
        assert_eq!(public, "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2");
        let method = format!("did:key:{public}#{public}");
        let mut options = Map::new();
        options.insert("type".into(), "DataIntegrityProof".into());
        options.insert("cryptosuite".into(), CRYPTOSUITE.into());
        options.insert("created".into(), "2023-02-24T23:36:38Z".into());
        options.insert("verificationMethod".into(), method.clone().into());
        options.insert("proofPurpose".into(), "assertionMethod".into());
        let data = hash_data(&doc, &options, &loader).expect("hash");
        assert_eq!(
            hex(&data),
            "bea7b7acfbad0126b135104024a5f1733e705108f42d59668b05c0c50004c6b0\
517744132ae165a5349155bef0bb0cf2258fff99dfe1dbd914b938d775a36017"
        );
        let proof =
            make_proof::<CredentialError>(&doc, &method, "2023-02-24T23:36:38Z", &loader, |m| {
                Ok(keypair.sign(m))
            })
            .expect("proof");
        assert_eq!(
            proof["proofValue"],
            "z2YwC8z3ap7yx1nZYCg4L3j3ApHsF8kgPdSb5xoS1VR7vPG3F561B52hYnQF9iseabecm3ijx4K1FBTQsCZahKZme"
        );
        let mut secured = doc.clone();
        secured.insert("proof".into(), Value::Object(proof.clone()));
        verify_proof(&secured, &proof, &keypair.public(), &loader).expect("verifies");
    }

    #[test]
    fn a_changed_literal_or_an_undefined_term_fails() {
        let keypair = Ed25519Keypair::generate();
        let doc = json!({
            "@context": [CREDENTIALS_V2],
            "type": ["VerifiableCredential"],
            "issuer": "did:example:issuer",
            "validFrom": "2024-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:subject"},
            "name": "A"
        });
        let doc = doc.as_object().expect("object").clone();
        let proof = make_proof::<CredentialError>(
            &doc,
            "did:example:issuer#k",
            "2024-01-01T00:00:00Z",
            &Bundled,
            |m| Ok(keypair.sign(m)),
        )
        .expect("proof");
        verify_proof(&doc, &proof, &keypair.public(), &Bundled).expect("verifies");
        let mut changed = doc.clone();
        changed.insert("name".into(), "B".into());
        assert_eq!(
            verify_proof(&changed, &proof, &keypair.public(), &Bundled),
            Err(CredentialError::BadSignature)
        );
        let mut many = doc.clone();
        let blanks: Vec<Value> = (0..100).map(|i| json!({"name": format!("n{i}")})).collect();
        many.insert("credentialSubject".into(), Value::Array(blanks));
        assert!(matches!(
            canonical_nquads(&many, &Bundled),
            Err(CredentialError::TooLarge(_))
        ));
        let mut extra = doc.clone();
        extra.insert("notATerm".into(), "x".into());
        assert!(matches!(
            verify_proof(&extra, &proof, &keypair.public(), &Bundled),
            Err(CredentialError::JsonLd(_))
        ));
    }
}
