//! Attestations received over ActivityPub: objects whose FEP-8b32 proof the
//! federation layer verified against their issuer's published ed25519 key,
//! stored as gossip-received attestations are, with the object kept so it
//! can be checked again offline; and their withdrawal (`Delete`).

use serde_json::{Map, Value};

use super::{validate_claim, AttestationKind, AttestationRecord, MAX_COMMENT_CHARS};
use crate::error::{NodeError, NodeResult};
use crate::model::Member;
use crate::node::Node;
use crate::store::{hash_of, tables};

/// An attestation object received over ActivityPub, its proof verified
/// with the key of its issuer.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedAttestation {
    /// The object's id (its record id here is the hash of it).
    pub object_id: String,
    /// The subject's did:key.
    pub subject_did: String,
    /// The subject's actor id, if the object names one.
    pub subject_actor: Option<String>,
    /// The claim.
    pub claim: String,
    /// The kind's name, if given.
    pub kind: Option<String>,
    /// The comment (plain text).
    pub comment: String,
    /// The group it was given in.
    pub group: Option<String>,
    /// When it was made (ms).
    pub created: i64,
    /// The object as received, proof included.
    pub object: Map<String, Value>,
}

impl Node {
    /// Stores an attestation `issuer` (an account of another server) made,
    /// whose proof the caller verified with `key`, the ed25519 key the
    /// issuer's actor document publishes: its claim, kind and comment
    /// checked as a gossip record's are, its subject's did:key agreeing with
    /// the subject's account when that is a member here. A key the document
    /// named without proving it (no FEP-8b32 proof of the document) is bound
    /// to the issuer in the same write, unless another identity holds it:
    /// an object the key signed naming the issuer as its author proves
    /// possession for that actor as the document's own proof would.
    /// Returns whether it was stored (an older copy is not).
    pub async fn receive_attestation(
        &self,
        issuer: &Member,
        key: identity::PublicKey,
        received: ReceivedAttestation,
    ) -> NodeResult<bool> {
        let Some(remote) = issuer.remote.as_ref() else {
            return Err(NodeError::Forbidden("not an account of another server"));
        };
        let bind = !remote.has_ed25519;
        if !bind && key != issuer.keys.ed25519_public {
            return Err(NodeError::Forbidden("not the issuer's published key"));
        }
        validate_claim(&received.claim).map_err(|m| NodeError::invalid("claim", m))?;
        crate::validate::max_chars("comment", &received.comment, MAX_COMMENT_CHARS)?;
        if received
            .group
            .as_ref()
            .is_some_and(|g| g.len() > super::MAX_GROUP_URL)
        {
            return Err(NodeError::too_large(
                "group",
                format!("must be at most {} bytes", super::MAX_GROUP_URL),
            ));
        }
        let kind = AttestationKind::received(received.kind.as_deref(), &received.claim)
            .map_err(|m| NodeError::invalid("kind", m))?;
        let subject = identity::PublicKey::from_did_key(&received.subject_did)
            .map_err(|_| NodeError::invalid("subject", "must be an ed25519 did:key"))?;
        if subject == key {
            return Err(NodeError::invalid(
                "subject",
                "an attestation about oneself",
            ));
        }
        if let Some(actor) = &received.subject_actor {
            if let Some(protocol::local_urls::LocalUrl::Actor(name)) = self.urls().parse(actor) {
                let local = self.active_member_by_name(name)?;
                if local.keys.ed25519_public != subject {
                    return Err(NodeError::invalid(
                        "subject",
                        "the did:key is not the named member's",
                    ));
                }
            }
        }
        let id = hash_of(&received.object_id);
        let record = AttestationRecord {
            envelope: id,
            attester: *key.as_bytes(),
            subject: *subject.as_bytes(),
            claim: received.claim,
            comment: received.comment,
            created: received.created,
            kind: Some(kind),
            group: received.group,
        };
        let object = received.object;
        let issuer_id = issuer.id;
        self.write(move |txn| {
            if bind {
                match txn.load::<tables::MemberByKey>(key.as_bytes())? {
                    Some(holder) if holder != issuer_id => {
                        return Err(NodeError::Forbidden("the key is another identity's"))
                    }
                    _ => {}
                }
                let mut account = txn
                    .load::<tables::Member>(issuer_id)?
                    .ok_or(NodeError::NotFound("member"))?;
                if let Some(r) = account.remote.as_mut() {
                    r.has_ed25519 = true;
                }
                account.keys.ed25519_public = key;
                txn.store::<tables::Member>(issuer_id, &account)?;
                txn.store::<tables::MemberByKey>(key.as_bytes(), &issuer_id)?;
                tracing::info!(actor = %account.remote.as_ref().map(|r| r.actor_id.as_str()).unwrap_or_default(), "an attestation proved the actor's ed25519 key; bound");
            }
            let stored = self.put_attestation(txn, &record)?;
            if stored {
                txn.store::<tables::AttestationObject>(&id, &object)?;
            }
            Ok(stored)
        })
        .await
    }

    /// `sender` (an account of another server, whose server holds
    /// `object_id`, as the caller checked) withdraws the attestation whose
    /// object id is `object_id` (an ActivityPub `Delete`): one its key made,
    /// or one of an issuer of the same server (the server's own, which
    /// another of its accounts sends). Whether one was removed. A Kodeon
    /// issuer's object id ends with its gossip record's id, under which the
    /// record is held when its gossip copy came first.
    pub async fn receive_attestation_delete(
        &self,
        sender: &Member,
        object_id: &str,
    ) -> NodeResult<bool> {
        let Some(remote) = sender.remote.as_ref().filter(|r| !r.domain.is_empty()) else {
            return Ok(false);
        };
        let by_envelope = object_id
            .rsplit_once("/attestations/")
            .and_then(|(_, hex)| protocol::envelope::id_from_hex(hex));
        for id in std::iter::once(hash_of(object_id)).chain(by_envelope) {
            let Some(record) = self.attestation_by_id(&id)? else {
                continue;
            };
            let Ok(attester) = identity::PublicKey::from_bytes(record.attester) else {
                continue;
            };
            // A key the sender published itself (an account without one
            // holds a placeholder, which proves nothing).
            let own = remote.has_ed25519 && attester == sender.keys.ed25519_public;
            let same_server = self.member_by_key(&attester)?.is_some_and(|m| {
                m.remote
                    .as_ref()
                    .is_some_and(|r| r.has_ed25519 && r.domain == remote.domain)
            });
            if own || same_server {
                return self
                    .write(move |txn| self.withdraw_by_id(txn, &attester, &id))
                    .await;
            }
        }
        Ok(false)
    }

    /// The ActivityPub object an attestation was received as (with its
    /// proof), by record id.
    pub fn attestation_object(&self, id: &[u8; 32]) -> NodeResult<Option<Map<String, Value>>> {
        self.store.load::<tables::AttestationObject>(id)
    }

    /// A stored attestation by its record id.
    pub fn attestation_by_id(&self, id: &[u8; 32]) -> NodeResult<Option<AttestationRecord>> {
        self.store.load::<tables::AttestationById>(id)
    }
}
