//! Verifiable credentials: Open Badges 3.0 certificates (W3C Verifiable
//! Credentials 2.0) with Data Integrity proofs, and Bitstring Status Lists
//! for their revocation. Building, canonicalising, signing and verifying;
//! no I/O, so everything here works offline with only a public key.
//!
//! - [`contexts`]: the JSON-LD contexts, bundled in the binary. A document
//!   naming any other context is refused: nothing is ever fetched, since a
//!   fetched context would let its host change what a signature covers.
//! - [`rdfc`]: the `eddsa-rdfc-2022` cryptosuite (JSON-LD to RDF, RDFC-1.0
//!   canonical N-Quads, SHA-256, ed25519), what mainstream verifiers check.
//! - [`open_badge`]: the `OpenBadgeCredential` a course completion earns.
//! - [`status_list`]: Bitstring Status List v1.0 (GZIP, multibase base64url).
//! - [`verify`]: the whole check of a credential (proofs, issuer key from its
//!   `did:key`, validity dates) reported item by item; the caller fetches a
//!   status list if it wants to and checks the bit with
//!   [`verify::check_status`].
//!
//! `eddsa-jcs-2022` proofs come from [`crate::data_integrity`]; a credential
//! issued here carries both proofs as a proof set.

pub mod contexts;
pub mod open_badge;
pub mod rdfc;
pub mod status_list;
pub mod verify;

/// The largest credential (serialised JSON) accepted for verification:
/// certificates are a few kilobytes, a status list some more.
pub const MAX_CREDENTIAL_BYTES: usize = 256 * 1024;

/// Why a credential could not be built, canonicalised, signed or checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    /// The document names a JSON-LD context that is not bundled here.
    #[error("context {0} is not one this verifier knows (contexts are never fetched)")]
    UnknownContext(String),
    /// The document is not JSON-LD this processor can turn into RDF (an
    /// undefined term, a malformed value...).
    #[error("JSON-LD: {0}")]
    JsonLd(String),
    /// A field is missing or of the wrong shape.
    #[error("malformed credential: {0}")]
    Malformed(String),
    /// The document is larger or deeper than accepted.
    #[error("credential too large: {0}")]
    TooLarge(String),
    /// The proof is not one of the cryptosuites supported here.
    #[error("unsupported proof: {0}")]
    UnsupportedProof(String),
    /// The signature does not match the document.
    #[error("the signature does not match the document")]
    BadSignature,
    /// A status list could not be encoded or decoded.
    #[error("status list: {0}")]
    StatusList(String),
}

/// Signs `credential` for the issuer whose `did:key` is `issuer_did` with
/// `sign` (the ed25519 key of that did:key), dated `created` (RFC 3339):
/// an `eddsa-rdfc-2022` proof, and an `eddsa-jcs-2022` proof beside it when
/// `with_jcs` (a proof set: each proof covers the document alone). A proof
/// already there is replaced.
pub fn sign<E: From<CredentialError>>(
    credential: &mut serde_json::Map<String, serde_json::Value>,
    issuer_did: &str,
    created: &str,
    with_jcs: bool,
    sign: impl Fn(&[u8]) -> Result<identity::Signature, E>,
) -> Result<(), E> {
    credential.remove("proof");
    let key = issuer_did.strip_prefix("did:key:").unwrap_or(issuer_did);
    let method = format!("{issuer_did}#{key}");
    let rdfc = rdfc::make_proof(credential, &method, created, &contexts::Bundled, &sign)?;
    let proof = if with_jcs {
        let jcs = crate::data_integrity::make_proof(credential, &method, created, |m| {
            sign(m).map_err(JcsOrOther::Other)
        });
        let jcs = match jcs {
            Ok(p) => p,
            Err(JcsOrOther::Jcs(e)) => return Err(CredentialError::Malformed(e.to_string()).into()),
            Err(JcsOrOther::Other(e)) => return Err(e),
        };
        serde_json::Value::Array(vec![rdfc.into(), jcs.into()])
    } else {
        rdfc.into()
    };
    credential.insert("proof".into(), proof);
    Ok(())
}

/// A JCS error or the signer's own, kept apart.
enum JcsOrOther<E> {
    Jcs(crate::data_integrity::ProofError),
    Other(E),
}

impl<E> From<crate::data_integrity::ProofError> for JcsOrOther<E> {
    fn from(e: crate::data_integrity::ProofError) -> Self {
        Self::Jcs(e)
    }
}

#[cfg(test)]
mod tests;
