//! Keys, signatures, did:key and encryption of private keys at rest.
//!
//! **Architecture Invariant:** this crate depends on no workspace crate and
//! does no I/O; whatever it signs can be verified by anyone, offline.

mod did_key;
mod ed25519;
mod error;
mod member_keys;
mod rsa_keys;
mod sealed;

pub use ed25519::{verify_batch, Ed25519Keypair, PublicKey, Signature};
pub use error::IdentityError;
pub use member_keys::MemberKeys;
pub use rsa_keys::{verify_rsa_sha256, RsaKeypair, RsaVerifyingKey};
pub use sealed::{NodeSecret, Sealer};
