//! did:key and Multikey (FEP-521a) encodings of ed25519 public keys:
//! multibase base58btc (`z`) of the multicodec varint `0xed 0x01` + 32 bytes.

use crate::ed25519::PublicKey;
use crate::IdentityError;

const ED25519_MULTICODEC: [u8; 2] = [0xed, 0x01];

impl PublicKey {
    /// `z6Mk...`: the FEP-521a `publicKeyMultibase` value.
    pub fn to_multikey(&self) -> String {
        let mut bytes = Vec::with_capacity(34);
        bytes.extend_from_slice(&ED25519_MULTICODEC);
        bytes.extend_from_slice(&self.0);
        format!("z{}", bs58::encode(bytes).into_string())
    }

    /// Parses a `z6Mk...` Multikey.
    pub fn from_multikey(s: &str) -> Result<Self, IdentityError> {
        let encoded = s
            .strip_prefix('z')
            .ok_or(IdentityError::BadDidKey("not multibase base58btc ('z')"))?;
        let bytes = bs58::decode(encoded)
            .into_vec()
            .map_err(|_| IdentityError::BadDidKey("not base58"))?;
        let key = bytes
            .strip_prefix(&ED25519_MULTICODEC)
            .ok_or(IdentityError::BadDidKey("not an ed25519 multicodec key"))?;
        let key: [u8; 32] = key
            .try_into()
            .map_err(|_| IdentityError::BadDidKey("wrong key length"))?;
        PublicKey::from_bytes(key)
    }

    /// `did:key:z6Mk...`.
    pub fn to_did_key(&self) -> String {
        format!("did:key:{}", self.to_multikey())
    }

    /// Parses a `did:key:z6Mk...`.
    pub fn from_did_key(s: &str) -> Result<Self, IdentityError> {
        let multikey = s
            .strip_prefix("did:key:")
            .ok_or(IdentityError::BadDidKey("missing did:key: prefix"))?;
        Self::from_multikey(multikey)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// From the W3C did:key spec's ed25519 examples.
    const SPEC_DID: &str = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp";

    #[test]
    fn spec_vector_roundtrips() {
        let key = PublicKey::from_did_key(SPEC_DID).expect("spec vector parses");
        assert_eq!(key.to_did_key(), SPEC_DID);
        assert!(key.to_multikey().starts_with("z6Mk"));
        assert_eq!(PublicKey::from_multikey(&key.to_multikey()).ok(), Some(key));
    }

    #[test]
    fn wrong_prefixes_are_rejected() {
        // A secp256k1 did:key (multicodec 0xe7).
        assert!(PublicKey::from_did_key(
            "did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme"
        )
        .is_err());
        assert!(PublicKey::from_did_key("did:web:example.com").is_err());
        assert!(
            PublicKey::from_multikey("6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp").is_err()
        );
    }
}
