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
        if text(&doc, &["credentialSubject", "id"]) != Some(me.did().as_str())
            || me.did().is_empty()
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
        let imported = ImportedCertificate {
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
        };
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
