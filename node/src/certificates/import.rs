//! Certificates from other servers: a member hands the node an Open Badges
//! credential they hold; once it verifies (proofs by its issuer's did:key,
//! dates) and names the member's own did:key as its subject, it is kept,
//! and the course it is for counts as completed where a course of this
//! node names that course as a prerequisite ([`ImportedCompletions`]).
//!
//! The node never waits on the network, so the issuer's status list is not
//! read here but by a worker (`imported_status.rs`): once it finds the
//! credential revoked, it stops counting.

use crate::courses::RemoteCompletions;
use crate::error::NodeResult;
use crate::id::Id;
use crate::model::{now_ms, Member};
use crate::node::{Node, Viewer};
use crate::store::{tables, Store};
use crate::NodeError;
use protocol::credentials::contexts::Bundled;
use protocol::credentials::verify::{verify_credential, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A verified certificate of another server that a member holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportedCertificate {
    /// The achievement's id: the course's URL on its server.
    pub course_url: String,
    /// The course's name, as the credential states it.
    pub name: String,
    /// The issuer's id (a did:key).
    pub issuer: String,
    /// When the member handed it over (ms).
    pub imported_at: i64,
    /// The signed credential, as handed over.
    pub credential: Map<String, Value>,
    /// When its issuer's status list was last read (ms), if ever.
    #[serde(default)]
    pub status_checked_at: Option<i64>,
    /// When the node found it revoked by its issuer (ms): it no longer
    /// counts as a completion.
    #[serde(default)]
    pub revoked_at: Option<i64>,
}

/// Completions elsewhere, as the members' imported certificates say.
pub struct ImportedCompletions<'a>(pub(crate) &'a Store);

impl RemoteCompletions for ImportedCompletions<'_> {
    fn completed(&self, member: &Member, url: &str) -> bool {
        self.0
            .load::<tables::ImportedCertificates>((member.id, url))
            .ok()
            .flatten()
            .is_some_and(|c| c.revoked_at.is_none())
    }
}

fn text<'v>(v: &'v Value, path: &[&str]) -> Option<&'v str> {
    path.iter().try_fold(v, |at, p| at.get(p))?.as_str()
}

/// `credential` checked as a certificate of another server for `holder`:
/// it verifies (proofs by its issuer's did:key, dates), is an Open Badge,
/// names `holder`'s did:key as its subject and a course by URL. 422
/// naming `credential` with what failed otherwise.
fn checked(holder: &Member, credential: Map<String, Value>) -> NodeResult<ImportedCertificate> {
    let report = verify_credential(&credential, Timestamp::now(), &Bundled);
    if let Some(failed) = report.failures().next() {
        return Err(NodeError::invalid(
            "credential",
            format!("{}: {}", failed.what, failed.detail),
        ));
    }
    let doc = Value::Object(credential.clone());
    let is_badge = doc["type"]
        .as_array()
        .is_some_and(|t| t.iter().any(|t| t == "OpenBadgeCredential"));
    if !is_badge {
        return Err(NodeError::invalid(
            "credential",
            "not an OpenBadgeCredential",
        ));
    }
    if text(&doc, &["credentialSubject", "id"]) != Some(holder.did().as_str())
        || holder.did().is_empty()
    {
        return Err(NodeError::invalid(
            "credential",
            "its subject is not your did:key",
        ));
    }
    let course_url = text(&doc, &["credentialSubject", "achievement", "id"])
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .ok_or_else(|| NodeError::invalid("credential", "the achievement has no URL id"))?
        .to_string();
    if course_url.len() > 2_000 {
        return Err(NodeError::invalid(
            "credential",
            "the achievement's id is too long",
        ));
    }
    Ok(ImportedCertificate {
        name: text(&doc, &["credentialSubject", "achievement", "name"])
            .unwrap_or("")
            .chars()
            .take(200)
            .collect(),
        course_url,
        issuer: report.issuer.unwrap_or_default(),
        imported_at: now_ms(),
        credential,
        status_checked_at: None,
        revoked_at: None,
    })
}

impl Node {
    /// Keeps `credential`, an `OpenBadgeCredential` issued to the viewer by
    /// another server: 422 naming `credential` with what failed when it
    /// does not verify, is not an Open Badge, or was issued to another
    /// did:key. Importing it again replaces the copy kept.
    pub async fn import_certificate(
        &self,
        viewer: &Viewer,
        credential: Map<String, Value>,
    ) -> NodeResult<ImportedCertificate> {
        let me = viewer.member()?.clone();
        let imported = checked(&me, credential)?;
        let stored = imported.clone();
        self.write(move |txn| {
            txn.store::<tables::ImportedCertificates>(
                (me.id, stored.course_url.as_str()),
                &stored,
            )?;
            Ok(())
        })
        .await?;
        Ok(imported)
    }

    /// The certificate `credential` another server's account `sender` (the
    /// course's instructor or group) offers to the local member `holder`:
    /// kept as the member's imported certificate, their enrolment in that
    /// course (when stored here) marked completed, and the member told
    /// (`certificate_received`), once it checks as
    /// [`Node::import_certificate`] checks it and, besides, its issuer is
    /// `host_key` (the did:key the sender's server publishes as its own,
    /// which the federation layer read from that server's instance actor)
    /// and its course is on the sender's server. 403 when the issuer or
    /// the course is another server's; 422 naming `credential` otherwise.
    pub async fn receive_certificate(
        &self,
        sender: &Member,
        holder: Id,
        host_key: &str,
        credential: Map<String, Value>,
    ) -> NodeResult<ImportedCertificate> {
        let Some(account) = &sender.remote else {
            return Err(NodeError::invalid("actor", "is not a remote account"));
        };
        let member = self
            .member_by_id(holder)?
            .filter(|m| m.is_local() && m.deleted_at.is_none())
            .ok_or(NodeError::NotFound("member"))?;
        let imported = checked(&member, credential)?;
        if host_key.is_empty() || imported.issuer != host_key {
            return Err(NodeError::Forbidden(
                "the certificate's issuer is not the sender's server",
            ));
        }
        let sender_host = crate::remote::host_of(&account.actor_id);
        if sender_host.is_none() || crate::remote::host_of(&imported.course_url) != sender_host {
            return Err(NodeError::Forbidden(
                "the certificate is for a course of another server",
            ));
        }
        let stored = imported.clone();
        let from = sender.id;
        let course = self.remote_course_by_uri(&imported.course_url)?;
        self.write(move |txn| {
            txn.store::<tables::ImportedCertificates>(
                (member.id, stored.course_url.as_str()),
                &stored,
            )?;
            if let Some(course) = course {
                let key = (course, member.id);
                if let Some(mut e) = txn.load::<tables::RemoteCourseEnrolments>(key)? {
                    e.state = crate::courses::EnrolmentState::Completed;
                    e.at = now_ms();
                    txn.store::<tables::RemoteCourseEnrolments>(key, &e)?;
                }
            }
            match course {
                Some(course) => self.notify_course(
                    txn,
                    member.id,
                    crate::model::NotificationKind::CertificateReceived,
                    from,
                    course,
                ),
                None => self.stage_notification(
                    txn,
                    member.id,
                    crate::model::NotificationKind::CertificateReceived,
                    from,
                    None,
                    None,
                    None,
                    None,
                ),
            }
        })
        .await?;
        tracing::info!(member = %member.username, course = %imported.course_url, "certificate received");
        Ok(imported)
    }

    /// The viewer's imported certificates (at most 1,000).
    pub fn my_imported_certificates(
        &self,
        viewer: &Viewer,
    ) -> NodeResult<Vec<ImportedCertificate>> {
        let me = viewer.member()?.id;
        let mut out = Vec::new();
        for row in self
            .store
            .scan::<tables::ImportedCertificates>((me,), false)
            .take(1_000)
        {
            let (_, value) = row?;
            out.push(value);
        }
        Ok(out)
    }
}
