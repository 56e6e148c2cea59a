//! ed25519 keys and signatures.

use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use rand::rngs::OsRng;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroizing;

use crate::IdentityError;

/// An ed25519 key pair.
pub struct Ed25519Keypair(SigningKey);

impl Ed25519Keypair {
    /// A new random key pair.
    pub fn generate() -> Self {
        Ed25519Keypair(SigningKey::generate(&mut OsRng))
    }

    /// Rebuilds a key pair from its 32-byte secret.
    pub fn from_secret_bytes(bytes: &[u8; 32]) -> Self {
        Ed25519Keypair(SigningKey::from_bytes(bytes))
    }

    /// The 32-byte secret (zeroed when dropped).
    pub fn secret_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.0.to_bytes())
    }

    /// The public half.
    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key().to_bytes())
    }

    /// Signs a message.
    pub fn sign(&self, msg: &[u8]) -> Signature {
        Signature(self.0.sign(msg).to_bytes())
    }
}

impl std::fmt::Debug for Ed25519Keypair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Ed25519Keypair({})", self.public().to_did_key())
    }
}

/// An ed25519 public key. Serialised as its did:key string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PublicKey(pub(crate) [u8; 32]);

impl PublicKey {
    /// Wraps 32 bytes, checking that they are a valid curve point.
    pub fn from_bytes(bytes: [u8; 32]) -> Result<Self, IdentityError> {
        VerifyingKey::from_bytes(&bytes).map_err(|_| IdentityError::BadKey)?;
        Ok(PublicKey(bytes))
    }

    /// The 32 raw bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn verifying_key(&self) -> Result<VerifyingKey, IdentityError> {
        VerifyingKey::from_bytes(&self.0).map_err(|_| IdentityError::BadKey)
    }

    /// Verifies a signature (strictly: no malleable or small-order forms).
    pub fn verify(&self, msg: &[u8], sig: &Signature) -> Result<(), IdentityError> {
        let sig = ed25519_dalek::Signature::from_bytes(&sig.0);
        self.verifying_key()?
            .verify_strict(msg, &sig)
            .map_err(|_| IdentityError::BadSignature)
    }
}

impl Serialize for PublicKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_did_key())
    }
}

impl<'de> Deserialize<'de> for PublicKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        PublicKey::from_did_key(&s).map_err(serde::de::Error::custom)
    }
}

/// An ed25519 signature (64 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signature(pub [u8; 64]);

impl Signature {
    /// Reads a signature from a 64-byte slice.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, IdentityError> {
        <[u8; 64]>::try_from(bytes)
            .map(Signature)
            .map_err(|_| IdentityError::BadSignature)
    }

    /// The 64 bytes.
    pub fn to_bytes(&self) -> [u8; 64] {
        self.0
    }
}

/// Verifies many signatures at once (faster than one by one); fails if any
/// one fails, without saying which. Weak (small-order) keys are refused as
/// [`PublicKey::verify`] refuses them. Each distinct key is decompressed once
/// (a batch usually holds a few authors' records).
pub fn verify_batch(items: &[(&PublicKey, &[u8], &Signature)]) -> Result<(), IdentityError> {
    let mut keys = Vec::with_capacity(items.len());
    let mut msgs = Vec::with_capacity(items.len());
    let mut sigs = Vec::with_capacity(items.len());
    let mut decompressed: std::collections::HashMap<[u8; 32], VerifyingKey> =
        std::collections::HashMap::new();
    for (key, msg, sig) in items {
        let verifying = match decompressed.get(&key.0) {
            Some(v) => *v,
            None => {
                let v = key.verifying_key()?;
                // As `verify_strict` does one by one: a small-order key
                // can "sign" many messages at once.
                if v.is_weak() {
                    return Err(IdentityError::BadSignature);
                }
                decompressed.insert(key.0, v);
                v
            }
        };
        keys.push(verifying);
        msgs.push(*msg);
        sigs.push(ed25519_dalek::Signature::from_bytes(&sig.0));
    }
    ed25519_dalek::verify_batch(&msgs, &sigs, &keys).map_err(|_| IdentityError::BadSignature)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_verify_and_flipped_bit_fails() {
        let kp = Ed25519Keypair::generate();
        let sig = kp.sign(b"hello");
        assert!(kp.public().verify(b"hello", &sig).is_ok());
        assert!(kp.public().verify(b"hellp", &sig).is_err());
        let mut bad = sig;
        bad.0[3] ^= 1;
        assert!(kp.public().verify(b"hello", &bad).is_err());
        let again = Ed25519Keypair::from_secret_bytes(&kp.secret_bytes());
        assert_eq!(again.public(), kp.public());
    }

    #[test]
    fn batch_detects_one_bad_signature() {
        let kps: Vec<_> = (0..4).map(|_| Ed25519Keypair::generate()).collect();
        let pubs: Vec<_> = kps.iter().map(|k| k.public()).collect();
        let msgs: Vec<Vec<u8>> = (0..4u8).map(|i| vec![i; 10]).collect();
        let mut sigs: Vec<_> = kps.iter().zip(&msgs).map(|(k, m)| k.sign(m)).collect();
        let items: Vec<_> = (0..4)
            .map(|i| (&pubs[i], msgs[i].as_slice(), &sigs[i]))
            .collect();
        assert!(verify_batch(&items).is_ok());
        sigs[2].0[0] ^= 0x80;
        let items: Vec<_> = (0..4)
            .map(|i| (&pubs[i], msgs[i].as_slice(), &sigs[i]))
            .collect();
        assert!(verify_batch(&items).is_err());
    }

    #[test]
    fn a_batch_refuses_a_small_order_key() {
        // The identity point as a key, with R = identity and s = 0: a
        // "signature" of every message under the plain equation.
        let mut point = [0u8; 32];
        point[0] = 1;
        let Ok(weak) = PublicKey::from_bytes(point) else {
            return; // refused even earlier
        };
        let mut forged = [0u8; 64];
        forged[0] = 1;
        let sig = Signature(forged);
        let kp = Ed25519Keypair::generate();
        let good = kp.sign(b"fine");
        let public = kp.public();
        let items = [
            (&public, b"fine".as_slice(), &good),
            (&weak, b"anything".as_slice(), &sig),
        ];
        assert!(verify_batch(&items).is_err());
        assert!(weak.verify(b"anything", &sig).is_err());
    }
}
