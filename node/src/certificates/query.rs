//! Reading certificates, serving the status lists, and checking a
//! certificate as any verifier would.

use super::{rfc3339, Certificate, LIST_BITS};
use crate::error::NodeResult;
use crate::id::Id;
use crate::model::now_ms;
use crate::node::{Node, Viewer};
use crate::store::tables;
use crate::NodeError;
use protocol::credentials::contexts::Bundled;
use protocol::credentials::status_list::{status_list_credential, Bitstring};
use protocol::credentials::verify::{check_status, verify_credential, Report, Timestamp};
use serde_json::{Map, Value};

/// Most certificates listed at once.
const LIST_BOUND: usize = 1_000;

/// A certificate checked as an outside verifier would check it.
#[derive(Debug, Clone)]
pub struct CertificateCheck {
    /// The proofs, issuer key and dates.
    pub report: Report,
    /// What the node's own status list says: `Ok(true)` revoked.
    pub status: Result<bool, String>,
}

impl CertificateCheck {
    /// Valid: every check passed and the status list says not revoked.
    pub fn valid(&self) -> bool {
        self.report.valid() && self.status == Ok(false)
    }
}

impl Node {
    /// Certificate `id`. Certificates are public: whoever holds the link
    /// may see and verify it.
    pub fn certificate(&self, id: Id) -> NodeResult<Certificate> {
        self.store
            .load::<tables::Certificate>(id)?
            .ok_or(NodeError::NotFound("certificate"))
    }

    /// The viewer's certificates, newest first (at most 1,000).
    pub fn my_certificates(&self, viewer: &Viewer) -> NodeResult<Vec<Certificate>> {
        let me = viewer.member()?.id;
        let mut out = Vec::new();
        for key in self
            .store
            .scan::<tables::MemberCertificates>((me,), true)
            .keys()
            .take(LIST_BOUND)
        {
            let (_, id) = key?;
            if let Some(c) = self.store.load::<tables::Certificate>(id)? {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// Status list `n`, a signed `BitstringStatusListCredential` valid
    /// from now (404 for a list no certificate uses yet).
    pub fn certificate_status_list(&self, n: u64) -> NodeResult<Map<String, Value>> {
        let used =
            u64::try_from(self.store.counter::<tables::CertificateStatusNext>(())?).unwrap_or(0);
        if used == 0 || n > (used - 1) / LIST_BITS {
            return Err(NodeError::NotFound("status list"));
        }
        let bits = match self.store.load::<tables::CertificateStatusList>(n)? {
            Some(raw) => {
                Bitstring::from_bytes(raw).map_err(|e| NodeError::Internal(e.to_string()))?
            }
            None => Bitstring::new(),
        };
        let issuer = self.node_did();
        let now = rfc3339(now_ms());
        let mut list = status_list_credential(
            &self.urls().certificate_status_list(n),
            &issuer,
            &now,
            &bits,
        )?;
        let key = self.node_ed25519()?;
        protocol::credentials::sign::<NodeError>(&mut list, &issuer, &now, false, |m| {
            Ok(key.sign(m))
        })?;
        Ok(list)
    }

    /// Checks certificate `id` as a verifier would: its proofs by the
    /// issuer's did:key and its dates, and its bit in the signed status
    /// list this node serves.
    pub fn check_certificate(&self, id: Id) -> NodeResult<(Certificate, CertificateCheck)> {
        let certificate = self.certificate(id)?;
        let now = Timestamp::now();
        let report = verify_credential(&certificate.credential, now, &Bundled);
        let status = match (report.status.first(), report.issuer.as_deref()) {
            (Some(entry), Some(issuer)) => {
                let n = certificate.status_index / LIST_BITS;
                let list = self.certificate_status_list(n)?;
                check_status(entry, &list, issuer, now, &Bundled)
            }
            _ => Err("the certificate names no status list".into()),
        };
        Ok((certificate, CertificateCheck { report, status }))
    }
}
