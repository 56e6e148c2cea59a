//! Attestations the node itself issues, with its own key (the did:key its
//! instance actor publishes as `assertionMethod`): `certificate`, a course
//! completed, signed in the write that issues the certificate and withdrawn
//! in the write that revokes it.

use protocol::envelope::{id_to_hex, Envelope, Kind};

use super::{AttestationKind, AttestationRecord};
use crate::courses::Course;
use crate::error::{NodeError, NodeResult};
use crate::gossip::{AttestationBody, DeleteBody};
use crate::id::Id;
use crate::model::Member;
use crate::node::Node;
use crate::store::{tables, Txn};

/// The claim of a course-completion attestation: `certificate:` and the
/// course's id in lower case.
pub fn certificate_claim(course: Id) -> String {
    format!("certificate:{}", course.to_string().to_lowercase())
}

impl Node {
    /// Signs the node's record of an envelope of `kind`.
    fn sign_as_node(
        &self,
        kind: Kind,
        created: i64,
        body: serde_json::Map<String, serde_json::Value>,
    ) -> NodeResult<Envelope> {
        let key = self.node_ed25519()?;
        Envelope::sign(&key, kind, created, None, body)
            .map_err(|e| NodeError::invalid("envelope", e.to_string()))
    }

    /// In `txn`, the write that issues `member`'s certificate for `course`
    /// at `at` (ms): the node attests `certificate:<course>` about the
    /// member, signed with the node's key, stored, gossiped and sent over
    /// ActivityPub by the course's account.
    pub(crate) fn attest_completion(
        &self,
        txn: &mut Txn<'_>,
        course: &Course,
        member: &Member,
        at: i64,
    ) -> NodeResult<()> {
        let claim = certificate_claim(course.id);
        let body = AttestationBody {
            actor: self.urls().node_actor(),
            subject: member.keys.ed25519_public.to_did_key(),
            subject_actor: super::issue::subject_actor(self, member),
            claim: claim.clone(),
            comment: course
                .title
                .chars()
                .take(super::MAX_COMMENT_CHARS)
                .collect(),
            kind: Some(AttestationKind::Certificate.as_str().to_string()),
            group: None,
        };
        let envelope = self.sign_as_node(Kind::Attestation, at, body.to_map())?;
        let record = AttestationRecord {
            envelope: envelope.id,
            attester: *self.node_keys().ed25519_public.as_bytes(),
            subject: *member.keys.ed25519_public.as_bytes(),
            claim,
            comment: body.comment,
            created: envelope.created,
            kind: Some(AttestationKind::Certificate),
            group: None,
        };
        self.put_attestation(txn, &record)?;
        self.store_envelope(txn, &envelope)?;
        self.queue_broadcast(txn, &envelope)?;
        self.federate_attestation(txn, &record, Node::course_actor(course), member.id)
    }

    /// In `txn`, the write that revokes `member`'s certificate for
    /// `course`: the node withdraws its completion attestation with a
    /// delete record signed by its key (nothing when there is none).
    pub(crate) fn withdraw_completion(
        &self,
        txn: &mut Txn<'_>,
        course: &Course,
        member: &Member,
        at: i64,
    ) -> NodeResult<()> {
        let node_key = self.node_keys().ed25519_public;
        let claim = certificate_claim(course.id);
        let key = (
            member.keys.ed25519_public.as_bytes(),
            node_key.as_bytes(),
            claim.as_str(),
        );
        let Some(record) = txn.load::<tables::Attestation>(key)? else {
            return Ok(());
        };
        let body = DeleteBody {
            actor: self.urls().node_actor(),
            uri: None,
            attestation: Some(id_to_hex(&record.envelope)),
        };
        let envelope = self.sign_as_node(Kind::Delete, at, body.to_map())?;
        self.remove_attestation(txn, &record)?;
        self.store_envelope(txn, &envelope)?;
        self.queue_broadcast(txn, &envelope)?;
        self.federate_withdrawal(txn, &record, Node::course_actor(course), Some(member.id))
    }
}
