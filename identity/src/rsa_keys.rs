//! RSA-2048 keys for Mastodon-compatible HTTP signatures (rsa-sha256).

use rsa::pkcs1v15::{Signature as RsaSignature, SigningKey, VerifyingKey};
use rsa::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding,
};
use rsa::sha2::Sha256;
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::{RsaPrivateKey, RsaPublicKey};
use zeroize::Zeroizing;

use crate::IdentityError;

/// Key size used for new keys (what Mastodon uses).
const BITS: usize = 2048;

/// An RSA key pair.
pub struct RsaKeypair(RsaPrivateKey);

impl RsaKeypair {
    /// A new random 2048-bit key pair (tens to hundreds of milliseconds).
    pub fn generate() -> Result<Self, IdentityError> {
        RsaPrivateKey::new(&mut rand::rngs::OsRng, BITS)
            .map(RsaKeypair)
            .map_err(|e| IdentityError::Rsa(e.to_string()))
    }

    /// The private key as PKCS#8 PEM.
    pub fn private_pem(&self) -> Result<Zeroizing<String>, IdentityError> {
        self.0
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| IdentityError::Pem(e.to_string()))
    }

    /// Reads a PKCS#8 PEM private key.
    pub fn from_private_pem(pem: &str) -> Result<Self, IdentityError> {
        RsaPrivateKey::from_pkcs8_pem(pem)
            .map(RsaKeypair)
            .map_err(|e| IdentityError::Pem(e.to_string()))
    }

    /// The public key as SPKI PEM (`BEGIN PUBLIC KEY`, Mastodon's `publicKeyPem`).
    pub fn public_pem(&self) -> Result<String, IdentityError> {
        RsaPublicKey::from(&self.0)
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| IdentityError::Pem(e.to_string()))
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256.
    pub fn sign_sha256(&self, msg: &[u8]) -> Vec<u8> {
        SigningKey::<Sha256>::new(self.0.clone()).sign(msg).to_vec()
    }
}

/// Verifies an RSASSA-PKCS1-v1_5 SHA-256 signature with an SPKI PEM key.
pub fn verify_rsa_sha256(public_pem: &str, msg: &[u8], sig: &[u8]) -> Result<(), IdentityError> {
    let key = RsaPublicKey::from_public_key_pem(public_pem)
        .map_err(|e| IdentityError::Pem(e.to_string()))?;
    let sig = RsaSignature::try_from(sig).map_err(|_| IdentityError::BadSignature)?;
    VerifyingKey::<Sha256>::new(key)
        .verify(msg, &sig)
        .map_err(|_| IdentityError::BadSignature)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_verify_and_pem_roundtrip() {
        let kp = RsaKeypair::generate().expect("generate");
        let public = kp.public_pem().expect("public pem");
        assert!(public.starts_with("-----BEGIN PUBLIC KEY-----"));
        let sig = kp.sign_sha256(b"(request-target): post /inbox");
        assert!(verify_rsa_sha256(&public, b"(request-target): post /inbox", &sig).is_ok());
        assert!(verify_rsa_sha256(&public, b"(request-target): post /outbox", &sig).is_err());
        let again = RsaKeypair::from_private_pem(&kp.private_pem().expect("pem")).expect("parse");
        assert_eq!(again.public_pem().ok(), Some(public));
    }
}
