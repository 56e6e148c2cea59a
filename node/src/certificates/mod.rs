//! Certificates: the Open Badges 3.0 credential a member earns by completing
//! a course that grants one, signed by the node's ed25519 key (its
//! `did:key` is the issuer), and its revocation through the node's
//! Bitstring Status Lists.
//!
//! A certificate is issued in the very write that records the completion
//! (`issue.rs`, called from [`Node::complete_if_done`]), so no completion
//! is left without its certificate. Each certificate takes the next status
//! index (`CertificateStatusNext`); list `n` holds indexes
//! `n × 131,072 ..`. Revoking (`revoke.rs`) sets the bit in the same write
//! that marks the certificate; the list credential is signed when served
//! (`query.rs`), so it always says what the store says. Certificates of
//! other servers that members hand over (`import.rs`) answer remote
//! prerequisites.

mod import;
mod imported_status;
mod issue;
mod query;
mod revoke;
#[cfg(test)]
mod tests;

use crate::id::Id;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use import::{ImportedCertificate, ImportedCompletions};
pub use imported_status::{StatusDue, MAX_STATUS_SCAN, STATUS_RECHECK_MS};
pub use query::CertificateCheck;

/// An issued certificate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Certificate {
    /// Its id (the credential's URL ends with it).
    pub id: Id,
    /// Who earned it.
    pub member: Id,
    /// For which course.
    pub course: Id,
    /// When it was issued (ms since the epoch): the completion's time.
    pub issued_at: i64,
    /// Its index in the node's status lists.
    pub status_index: u64,
    /// When it was revoked, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<i64>,
    /// Who revoked it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_by: Option<Id>,
    /// The signed `OpenBadgeCredential`, exactly as issued.
    pub credential: Map<String, Value>,
}

impl Certificate {
    /// The course's title, as the credential states it.
    pub fn title(&self) -> &str {
        self.credential
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
    }
}

/// Entries per status list.
pub(crate) const LIST_BITS: u64 = protocol::credentials::status_list::MIN_BITS as u64;

/// An RFC 3339 instant (whole seconds, UTC) for `ms` since the epoch.
pub(crate) fn rfc3339(ms: i64) -> String {
    jiff::Timestamp::from_second(ms.div_euclid(1000))
        .map(|t| t.to_string())
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}
