//! Identity errors.

/// What can go wrong handling keys and signatures.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// Key bytes of the wrong length or not a valid point.
    #[error("invalid key bytes")]
    BadKey,
    /// A did:key or Multikey string that is not base58btc ed25519.
    #[error("invalid did:key or multikey: {0}")]
    BadDidKey(&'static str),
    /// A signature that does not verify (or is malformed).
    #[error("signature does not verify")]
    BadSignature,
    /// Sealed data that does not open: wrong secret, wrong context, or tampered.
    #[error("sealed data cannot be opened (wrong secret or tampered)")]
    Unseal,
    /// An RSA operation failed.
    #[error("rsa: {0}")]
    Rsa(String),
    /// A PEM document could not be parsed or written.
    #[error("pem: {0}")]
    Pem(String),
}
