//! Revoking a certificate: its status bit set, in one write.

use super::{Certificate, LIST_BITS};
use crate::error::NodeResult;
use crate::id::Id;
use crate::model::{now_ms, Role};
use crate::node::{Node, Viewer};
use crate::store::tables;
use crate::NodeError;
use protocol::credentials::status_list::Bitstring;

impl Node {
    /// Revokes certificate `id`: the course's instructors and the node's
    /// admins may (403 for anyone else; an admin only once the course is
    /// deleted). Sets its bit in its status list, records who and when, and withdraws
    /// the node's `certificate` attestation of the completion.
    /// Revoking twice changes nothing. Returns the certificate.
    pub async fn revoke_certificate(&self, viewer: &Viewer, id: Id) -> NodeResult<Certificate> {
        let me = viewer.member()?.clone();
        self.write(move |txn| {
            let mut certificate = txn
                .load::<tables::Certificate>(id)?
                .ok_or(NodeError::NotFound("certificate"))?;
            let teaches = match txn.load::<tables::Course>(certificate.course)? {
                Some(course) => Self::instructs(txn, &course, me.id)?,
                None => false,
            };
            if !teaches && me.role != Role::Admin {
                return Err(NodeError::Forbidden(
                    "only the course's instructors and the node's admins can revoke a certificate",
                ));
            }
            if certificate.revoked_at.is_some() {
                return Ok(certificate);
            }
            let list = certificate.status_index / LIST_BITS;
            let bit = usize::try_from(certificate.status_index % LIST_BITS)
                .map_err(|_| NodeError::Internal("status index".into()))?;
            let mut bits = match txn.load::<tables::CertificateStatusList>(list)? {
                Some(raw) => {
                    Bitstring::from_bytes(raw).map_err(|e| NodeError::Internal(e.to_string()))?
                }
                None => Bitstring::new(),
            };
            bits.set(bit, true);
            txn.store::<tables::CertificateStatusList>(list, &bits.into_bytes())?;
            certificate.revoked_at = Some(now_ms());
            certificate.revoked_by = Some(me.id);
            txn.store::<tables::Certificate>(id, &certificate)?;
            // The node's completion attestation goes with it.
            if let (Some(course), Some(member)) = (
                txn.load::<tables::Course>(certificate.course)?,
                txn.load::<tables::Member>(certificate.member)?,
            ) {
                self.withdraw_completion(txn, &course, &member, now_ms())?;
            }
            tracing::info!(certificate = %id, by = %me.username, "certificate revoked");
            Ok(certificate)
        })
        .await
    }
}
