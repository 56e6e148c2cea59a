//! A member's (or the node's) key pairs, private halves sealed.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{Ed25519Keypair, IdentityError, PublicKey, RsaKeypair, Sealer};

/// Public keys in clear, private keys sealed with the node secret.
/// Byte fields are stored as standard base64 strings.
#[derive(Clone, Serialize, Deserialize)]
pub struct MemberKeys {
    /// ed25519 public key (serialised as did:key).
    pub ed25519_public: PublicKey,
    /// Sealed 32-byte ed25519 secret.
    #[serde(with = "b64")]
    pub ed25519_sealed: Vec<u8>,
    /// RSA public key, SPKI PEM.
    pub rsa_public_pem: String,
    /// Sealed PKCS#8 PEM of the RSA private key.
    #[serde(with = "b64")]
    pub rsa_private_sealed: Vec<u8>,
}

impl std::fmt::Debug for MemberKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemberKeys")
            .field("ed25519_public", &self.ed25519_public.to_did_key())
            .finish_non_exhaustive()
    }
}

impl MemberKeys {
    /// Generates both key pairs and seals the private halves to `context`.
    pub fn generate(sealer: &Sealer, context: &[u8]) -> Result<Self, IdentityError> {
        let ed = Ed25519Keypair::generate();
        let rsa = RsaKeypair::generate()?;
        Ok(MemberKeys {
            ed25519_public: ed.public(),
            ed25519_sealed: sealer.seal(ed.secret_bytes().as_ref(), context),
            rsa_public_pem: rsa.public_pem()?,
            rsa_private_sealed: sealer.seal(rsa.private_pem()?.as_bytes(), context),
        })
    }

    /// Unseals the ed25519 key pair.
    pub fn ed25519(
        &self,
        sealer: &Sealer,
        context: &[u8],
    ) -> Result<Ed25519Keypair, IdentityError> {
        let secret = sealer.open(&self.ed25519_sealed, context)?;
        let bytes: [u8; 32] = secret
            .as_slice()
            .try_into()
            .map_err(|_| IdentityError::BadKey)?;
        Ok(Ed25519Keypair::from_secret_bytes(&bytes))
    }

    /// Unseals the RSA key pair.
    pub fn rsa(&self, sealer: &Sealer, context: &[u8]) -> Result<RsaKeypair, IdentityError> {
        let pem = sealer.open(&self.rsa_private_sealed, context)?;
        let pem = std::str::from_utf8(&pem).map_err(|_| IdentityError::Unseal)?;
        RsaKeypair::from_private_pem(pem)
    }
}

mod b64 {
    use super::*;

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        STANDARD.decode(s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NodeSecret;

    #[test]
    fn generate_unseal_sign_verify() {
        let sealer = Sealer::new(&NodeSecret::generate());
        let keys = MemberKeys::generate(&sealer, b"m1").expect("generate");
        let ed = keys.ed25519(&sealer, b"m1").expect("unseal ed25519");
        assert_eq!(ed.public(), keys.ed25519_public);
        let sig = ed.sign(b"post");
        assert!(keys.ed25519_public.verify(b"post", &sig).is_ok());
        let rsa = keys.rsa(&sealer, b"m1").expect("unseal rsa");
        assert!(
            crate::verify_rsa_sha256(&keys.rsa_public_pem, b"x", &rsa.sign_sha256(b"x")).is_ok()
        );
        assert!(keys.ed25519(&sealer, b"m2").is_err());
    }
}
