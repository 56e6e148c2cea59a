//! Encryption of private keys at rest with a key derived from the node secret.
//!
//! Format: `1 (version) || 24-byte random nonce || XChaCha20-Poly1305
//! ciphertext+tag`, with a caller-chosen context (e.g. the member id) as
//! associated data, so sealed bytes moved to another record do not open.

use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::rngs::OsRng;
use rand::RngCore;
use zeroize::{Zeroize, Zeroizing};

use crate::IdentityError;

const VERSION: u8 = 1;
const KDF_CONTEXT: &str = "kodeon 2026 private-key sealing v1";

/// The node's 32-byte master secret. Zeroed on drop.
pub struct NodeSecret([u8; 32]);

impl NodeSecret {
    /// A new random secret.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        NodeSecret(bytes)
    }

    /// Wraps stored bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        NodeSecret(bytes)
    }

    /// The bytes (to store them).
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl Drop for NodeSecret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// Seals and opens private keys. Cloning is cheap.
#[derive(Clone)]
pub struct Sealer {
    cipher: XChaCha20Poly1305,
}

impl Sealer {
    /// Derives the sealing key from the node secret (blake3 KDF).
    pub fn new(secret: &NodeSecret) -> Self {
        let mut key = blake3::derive_key(KDF_CONTEXT, &secret.0);
        let cipher = XChaCha20Poly1305::new((&key).into());
        key.zeroize();
        Sealer { cipher }
    }

    /// Encrypts `plaintext`, bound to `context`.
    pub fn seal(&self, plaintext: &[u8], context: &[u8]) -> Vec<u8> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        // Encryption with a valid key and in-memory buffers cannot fail.
        let ciphertext = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad: context,
                },
            )
            .unwrap_or_default();
        let mut out = Vec::with_capacity(1 + nonce.len() + ciphertext.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ciphertext);
        out
    }

    /// Decrypts what [`Sealer::seal`] produced with the same context.
    pub fn open(&self, sealed: &[u8], context: &[u8]) -> Result<Zeroizing<Vec<u8>>, IdentityError> {
        let (version, rest) = sealed.split_first().ok_or(IdentityError::Unseal)?;
        if *version != VERSION || rest.len() < 24 + 16 {
            return Err(IdentityError::Unseal);
        }
        let (nonce, ciphertext) = rest.split_at(24);
        self.cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| IdentityError::Unseal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_and_refusals() {
        let sealer = Sealer::new(&NodeSecret::generate());
        let sealed = sealer.seal(b"secret key", b"member-1");
        assert_eq!(
            sealer.open(&sealed, b"member-1").expect("open").as_slice(),
            b"secret key"
        );
        assert!(sealer.open(&sealed, b"member-2").is_err(), "wrong context");
        let other = Sealer::new(&NodeSecret::generate());
        assert!(other.open(&sealed, b"member-1").is_err(), "wrong secret");
        let mut tampered = sealed.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(sealer.open(&tampered, b"member-1").is_err(), "tampered");
        assert!(
            !sealed.windows(10).any(|w| w == b"secret key"),
            "not plaintext"
        );
    }
}
