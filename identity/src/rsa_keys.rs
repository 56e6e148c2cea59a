//! RSA-2048 keys for Mastodon-compatible HTTP signatures (rsa-sha256).

use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs1v15::{Signature as RsaSignature, SigningKey, VerifyingKey};
use rsa::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding,
};
use rsa::sha2::Sha256;
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::traits::PublicKeyParts;
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

/// A parsed RSA public key that verifies RSASSA-PKCS1-v1_5 SHA-256 signatures.
///
/// Parse it once (e.g. from a remote actor's `publicKeyPem`) and verify many
/// signatures with it.
///
/// Keys of 2048 to 8192 bits (all that Mastodon and its peers publish) are
/// checked with `ring` (already in the build for TLS), about ten times
/// faster than the pure-Rust `rsa` crate, whose generic modular
/// exponentiation made verification the inbox's largest single cost. Other
/// sizes go through `rsa`. Both apply the same rule (PKCS#1 v1.5, SHA-256
/// DigestInfo, signature as long as the modulus).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RsaVerifyingKey {
    key: RsaPublicKey,
    /// Big-endian modulus and exponent for `ring`, when its range fits.
    ring: Option<(Vec<u8>, Vec<u8>)>,
}

impl From<RsaPublicKey> for RsaVerifyingKey {
    fn from(key: RsaPublicKey) -> Self {
        let bits = key.n().bits();
        let ring = (2048..=8192)
            .contains(&bits)
            .then(|| (key.n().to_bytes_be(), key.e().to_bytes_be()));
        RsaVerifyingKey { key, ring }
    }
}

impl RsaVerifyingKey {
    /// Reads a PEM public key: SPKI (`BEGIN PUBLIC KEY`, what Mastodon
    /// publishes) or PKCS#1 (`BEGIN RSA PUBLIC KEY`). Surrounding whitespace
    /// is ignored.
    pub fn from_public_pem(pem: &str) -> Result<Self, IdentityError> {
        let pem = pem.trim();
        if pem.starts_with("-----BEGIN RSA PUBLIC KEY-----") {
            RsaPublicKey::from_pkcs1_pem(pem)
                .map(RsaVerifyingKey::from)
                .map_err(|e| IdentityError::Pem(e.to_string()))
        } else {
            RsaPublicKey::from_public_key_pem(pem)
                .map(RsaVerifyingKey::from)
                .map_err(|e| IdentityError::Pem(e.to_string()))
        }
    }

    /// Verifies an RSASSA-PKCS1-v1_5 signature with SHA-256 over `msg`.
    ///
    /// Any failure (wrong length, wrong key, tampered message) is
    /// [`IdentityError::BadSignature`].
    pub fn verify_sha256(&self, msg: &[u8], sig: &[u8]) -> Result<(), IdentityError> {
        if let Some((n, e)) = &self.ring {
            return ring::signature::RsaPublicKeyComponents { n, e }
                .verify(&ring::signature::RSA_PKCS1_2048_8192_SHA256, msg, sig)
                .map_err(|_| IdentityError::BadSignature);
        }
        self.verify_sha256_rsa(msg, sig)
    }

    /// [`RsaVerifyingKey::verify_sha256`] with the `rsa` crate only.
    fn verify_sha256_rsa(&self, msg: &[u8], sig: &[u8]) -> Result<(), IdentityError> {
        let sig = RsaSignature::try_from(sig).map_err(|_| IdentityError::BadSignature)?;
        VerifyingKey::<Sha256>::new(self.key.clone())
            .verify(msg, &sig)
            .map_err(|_| IdentityError::BadSignature)
    }
}

impl From<&RsaKeypair> for RsaVerifyingKey {
    fn from(kp: &RsaKeypair) -> Self {
        RsaVerifyingKey::from(RsaPublicKey::from(&kp.0))
    }
}

/// Verifies an RSASSA-PKCS1-v1_5 SHA-256 signature with a PEM public key
/// (SPKI or PKCS#1; see [`RsaVerifyingKey::from_public_pem`]).
pub fn verify_rsa_sha256(public_pem: &str, msg: &[u8], sig: &[u8]) -> Result<(), IdentityError> {
    RsaVerifyingKey::from_public_pem(public_pem)?.verify_sha256(msg, sig)
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

    #[test]
    fn verifying_key_accepts_spki_and_pkcs1() {
        use rsa::pkcs1::{EncodeRsaPublicKey, LineEnding as Pkcs1LineEnding};
        let kp = RsaKeypair::generate().expect("generate");
        let spki = kp.public_pem().expect("spki");
        let pkcs1 = RsaPublicKey::from(&kp.0)
            .to_pkcs1_pem(Pkcs1LineEnding::LF)
            .expect("pkcs1");
        assert!(pkcs1.starts_with("-----BEGIN RSA PUBLIC KEY-----"));
        let a = RsaVerifyingKey::from_public_pem(&spki).expect("parse spki");
        let b = RsaVerifyingKey::from_public_pem(&format!("\n  {pkcs1}\n")).expect("parse pkcs1");
        assert_eq!(a, b);
        assert_eq!(a, RsaVerifyingKey::from(&kp));
        let sig = kp.sign_sha256(b"hello");
        assert!(a.verify_sha256(b"hello", &sig).is_ok());
        assert!(b.verify_sha256(b"hello", &sig).is_ok());
        assert!(verify_rsa_sha256(&pkcs1, b"hello", &sig).is_ok());
    }

    #[test]
    fn verifying_key_rejects_bad_input() {
        assert!(matches!(
            RsaVerifyingKey::from_public_pem("not a pem"),
            Err(IdentityError::Pem(_))
        ));
        assert!(matches!(
            RsaVerifyingKey::from_public_pem(
                "-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\n"
            ),
            Err(IdentityError::Pem(_))
        ));
        let kp = RsaKeypair::generate().expect("generate");
        let other = RsaKeypair::generate().expect("generate");
        let key = RsaVerifyingKey::from(&kp);
        let sig = kp.sign_sha256(b"msg");
        // Wrong message, wrong key, truncated and empty signatures.
        assert!(matches!(
            key.verify_sha256(b"msh", &sig),
            Err(IdentityError::BadSignature)
        ));
        assert!(matches!(
            RsaVerifyingKey::from(&other).verify_sha256(b"msg", &sig),
            Err(IdentityError::BadSignature)
        ));
        assert!(matches!(
            key.verify_sha256(b"msg", &sig[..sig.len() - 1]),
            Err(IdentityError::BadSignature)
        ));
        assert!(matches!(
            key.verify_sha256(b"msg", &[]),
            Err(IdentityError::BadSignature)
        ));
    }

    #[test]
    fn ring_and_rsa_backends_agree() {
        let kp = RsaKeypair::generate().expect("generate");
        let key = RsaVerifyingKey::from(&kp);
        assert!(key.ring.is_some(), "2048-bit keys go through ring");
        let sig = kp.sign_sha256(b"msg");
        let mut flipped = sig.clone();
        flipped[10] ^= 1;
        let cases: [(&[u8], &[u8]); 5] = [
            (b"msg", &sig),
            (b"msh", &sig),
            (b"msg", &flipped),
            (b"msg", &sig[1..]),
            (b"msg", &[]),
        ];
        for (msg, s) in cases {
            assert_eq!(
                key.verify_sha256(msg, s).is_ok(),
                key.verify_sha256_rsa(msg, s).is_ok()
            );
        }
        assert!(key.verify_sha256(b"msg", &sig).is_ok());
        // A 1024-bit key is outside ring's range: the rsa crate checks it.
        let small = RsaPrivateKey::new(&mut rand::rngs::OsRng, 1024).expect("generate");
        let small_key = RsaVerifyingKey::from(RsaPublicKey::from(&small));
        assert!(small_key.ring.is_none());
        let small_sig = RsaKeypair(small).sign_sha256(b"msg");
        assert!(small_key.verify_sha256(b"msg", &small_sig).is_ok());
        assert!(small_key.verify_sha256(b"msh", &small_sig).is_err());
    }
}
