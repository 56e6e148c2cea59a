//! Whether the certificates of other servers that members hold still
//! stand: their issuers' Bitstring Status Lists are read by a worker
//! outside the node, since the node never waits on the network.
//! [`Node::imported_status_due`] names the certificates to look at (never
//! looked at, or not for [`STATUS_RECHECK_MS`], and not found revoked) with
//! the status entries they carry; [`Node::record_imported_status`] keeps
//! what the worker found. A certificate found revoked (its `revocation`
//! bit set) stops counting as a completion at once; one whose list could
//! not be read keeps counting and is looked at again on the next round.

use protocol::credentials::verify::{status_entries, StatusEntry};

use crate::error::NodeResult;
use crate::id::Id;
use crate::node::Node;
use crate::store::tables;

/// How long a status read holds before it is read again: a day.
pub const STATUS_RECHECK_MS: i64 = 24 * 3_600_000;
/// Most imported certificates one call of [`Node::imported_status_due`]
/// looks at: the table is read from its start each round, so its size
/// bounds the round's cost.
pub const MAX_STATUS_SCAN: usize = 100_000;

/// An imported certificate whose status is to be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusDue {
    /// Who holds it.
    pub member: Id,
    /// The course it is for (its key with `member`).
    pub course_url: String,
    /// Its issuer's id (a did:key): the status list must be signed by it.
    pub issuer: String,
    /// Its `revocation` status entries.
    pub entries: Vec<StatusEntry>,
}

impl Node {
    /// Up to `limit` imported certificates whose issuer's status list is
    /// due a read at `now`: never read, or read [`STATUS_RECHECK_MS`] ago
    /// or more; not already found revoked, and naming a `revocation`
    /// status list (a certificate without one has nothing to read).
    pub fn imported_status_due(&self, now: i64, limit: usize) -> NodeResult<Vec<StatusDue>> {
        let mut due = Vec::new();
        for row in self
            .store
            .scan::<tables::ImportedCertificates>((), false)
            .take(MAX_STATUS_SCAN)
        {
            let ((member, course_url), cert) = row?;
            if cert.revoked_at.is_some()
                || cert
                    .status_checked_at
                    .is_some_and(|at| now - at < STATUS_RECHECK_MS)
            {
                continue;
            }
            let entries: Vec<StatusEntry> = status_entries(&cert.credential)
                .unwrap_or_default()
                .into_iter()
                .filter(|e| e.purpose == "revocation")
                .collect();
            if entries.is_empty() {
                continue;
            }
            due.push(StatusDue {
                member,
                course_url,
                issuer: cert.issuer,
                entries,
            });
            if due.len() >= limit {
                break;
            }
        }
        Ok(due)
    }

    /// Keeps what the status list said of `member`'s certificate for
    /// `course_url` at `now`: `Some(true)` revoked, `Some(false)` standing,
    /// `None` unreadable (looked at again next round). Whether the
    /// certificate is still held (it may have been replaced meanwhile: a
    /// replaced one keeps its own, unread, status).
    pub async fn record_imported_status(
        &self,
        member: Id,
        course_url: &str,
        issuer: &str,
        revoked: Option<bool>,
        now: i64,
    ) -> NodeResult<bool> {
        let Some(revoked) = revoked else {
            return Ok(true);
        };
        let key = (member, course_url.to_string());
        let issuer = issuer.to_string();
        self.write(move |txn| {
            let Some(mut cert) =
                txn.load::<tables::ImportedCertificates>((key.0, key.1.as_str()))?
            else {
                return Ok(false);
            };
            if cert.issuer != issuer {
                return Ok(false);
            }
            cert.status_checked_at = Some(now);
            if revoked && cert.revoked_at.is_none() {
                cert.revoked_at = Some(now);
                tracing::info!(member = %key.0, course = %key.1, "an imported certificate was revoked by its issuer");
            }
            txn.store::<tables::ImportedCertificates>((key.0, key.1.as_str()), &cert)?;
            Ok(true)
        })
        .await
    }
}
