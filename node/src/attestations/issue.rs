//! A member attests: who may give which kind, and the one write that signs,
//! stores, gossips and federates it.
//!
//! | kind | who gives it | claim stored |
//! |---|---|---|
//! | `skill` | any member, about anyone else | as given (no kind's prefix) |
//! | `mentored` | the mentee, about their mentor | `mentored:<topic>` |
//! | `contribution` | an owner or moderator of a local group, about one of its members | `contribution:<group>:<what>` |
//! | `attended` | an event's organiser, by checking a participant in | `attended:<event>` |
//! | `certificate` | the node (its own key), when a course is completed | `certificate:<course>` |
//!
//! Nobody attests about themselves.

use protocol::envelope::Kind;

use super::{
    validate_claim, AttestationKind, AttestationRecord, AttestationView, MAX_COMMENT_CHARS,
};
use crate::error::{NodeError, NodeResult};
use crate::gossip::AttestationBody;
use crate::id::Id;
use crate::model::{now_ms, Member};
use crate::node::{Node, Viewer};
use crate::remote::Outgoing;
use crate::store::{tables, Txn};

/// What a member asks to attest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttestation {
    /// Whom: a username, `name@host` or did:key.
    pub subject: String,
    /// Which kind (`skill` unless said).
    pub kind: AttestationKind,
    /// What: a skill, a mentoring topic, the contribution (the kind's
    /// prefix may be given or left out).
    pub claim: String,
    /// An optional plain-text comment.
    pub comment: String,
    /// A `contribution`'s group (its name here); required for that kind
    /// and refused for the others.
    pub group: Option<String>,
}

impl Node {
    /// The viewer attests `new.claim` of kind `new.kind` about
    /// `new.subject` under the rules above. Signed with the viewer's key at
    /// once, stored, queued for gossip and, when the issuer has followers
    /// on other servers or the subject is of one, for ActivityPub, in one
    /// write; replaces the viewer's earlier attestation of the same claim.
    pub async fn attest_kind(
        &self,
        viewer: &Viewer,
        new: NewAttestation,
    ) -> NodeResult<AttestationView> {
        let me = viewer.member()?.clone();
        let comment = new.comment.trim().to_string();
        crate::validate::max_chars("comment", &comment, MAX_COMMENT_CHARS)?;
        if new.group.is_some() && new.kind != AttestationKind::Contribution {
            return Err(NodeError::invalid(
                "group",
                "only a contribution is given in a group",
            ));
        }
        let what = new.claim.trim();
        let what = new
            .kind
            .prefix()
            .and_then(|p| what.strip_prefix(p))
            .unwrap_or(what);
        let mut group = None;
        let claim = match new.kind {
            AttestationKind::Skill => what.to_string(),
            AttestationKind::Mentored => format!("mentored:{what}"),
            AttestationKind::Contribution => {
                let name = new
                    .group
                    .as_deref()
                    .filter(|g| !g.trim().is_empty())
                    .ok_or_else(|| NodeError::invalid("group", "a contribution names its group"))?;
                let loaded = self
                    .local_group(name)
                    .map_err(|_| NodeError::invalid("group", "is not a group of this node"))?;
                let username = loaded.account.username.to_lowercase();
                let what = what.strip_prefix(&format!("{username}:")).unwrap_or(what);
                group = Some((
                    loaded.account.id,
                    self.urls().actor(&loaded.account.username),
                ));
                format!("contribution:{username}:{what}")
            }
            AttestationKind::Attended => {
                return Err(NodeError::invalid(
                    "kind",
                    "attended is given by checking a participant in at an event",
                ))
            }
            AttestationKind::Certificate => {
                return Err(NodeError::invalid(
                    "kind",
                    "certificate is given by the node when a course is completed",
                ))
            }
        };
        validate_claim(&claim).map_err(|m| NodeError::invalid("claim", m))?;
        new.kind
            .check_claim(&claim)
            .map_err(|m| NodeError::invalid("claim", m))?;
        let target = self.attestation_subject(&new.subject).await?;
        if target.keys.ed25519_public == me.keys.ed25519_public {
            return Err(NodeError::invalid(
                "subject",
                "you cannot attest about yourself",
            ));
        }
        if target.remote.as_ref().is_some_and(|r| !r.has_ed25519) {
            return Err(NodeError::invalid(
                "subject",
                "this account has published no ed25519 key to attest about",
            ));
        }
        let body = AttestationBody {
            actor: self.urls().actor(&me.username),
            subject: target.keys.ed25519_public.to_did_key(),
            subject_actor: subject_actor(self, &target),
            claim: claim.clone(),
            comment: comment.clone(),
            kind: Some(new.kind.as_str().to_string()),
            group: group.as_ref().map(|(_, actor)| actor.clone()),
        };
        let envelope = self.sign_as(&me, Kind::Attestation, now_ms(), body.to_map())?;
        let record = AttestationRecord {
            envelope: envelope.id,
            attester: *me.keys.ed25519_public.as_bytes(),
            subject: *target.keys.ed25519_public.as_bytes(),
            claim,
            comment,
            created: envelope.created,
            kind: Some(new.kind),
            group: body.group.clone(),
        };
        let stored = record.clone();
        let (issuer, subject) = (me.id, target.id);
        let group_id = group.map(|(id, _)| id);
        self.write(move |txn| {
            if let Some(g) = group_id {
                // Read in the write: the roles and membership it relies on
                // cannot change under it.
                if txn.load::<tables::GroupRoles>((g, issuer))?.is_none() {
                    return Err(NodeError::Forbidden(
                        "only the group's owner and moderators attest contributions",
                    ));
                }
                if !txn.has::<tables::Following>((subject, g))? {
                    return Err(NodeError::invalid(
                        "subject",
                        "is not a member of the group",
                    ));
                }
            }
            self.put_attestation(txn, &stored)?;
            self.store_envelope(txn, &envelope)?;
            self.queue_broadcast(txn, &envelope)?;
            self.federate_attestation(txn, &stored, issuer, subject)
        })
        .await?;
        Ok(self.attestation_view(&record))
    }

    /// Queues, in `txn`, the ActivityPub `Create` of an attestation just
    /// stored, sent by local account `sender` (its issuer, or for one the
    /// node issued, the account the occasion belongs to), when anyone on
    /// another server is to hear of it: the subject, or the sender's
    /// followers.
    pub(crate) fn federate_attestation(
        &self,
        txn: &mut Txn<'_>,
        record: &AttestationRecord,
        sender: Id,
        subject: Id,
    ) -> NodeResult<()> {
        if self.has_remote_audience(txn, sender, &[subject], None)? {
            self.federate(
                txn,
                Outgoing::Attestation {
                    attestation: record.envelope,
                    sender,
                },
            )?;
        }
        Ok(())
    }

    /// Queues, in `txn`, the ActivityPub `Delete` of a withdrawn
    /// attestation (the record is gone, so its object id is kept).
    pub(crate) fn federate_withdrawal(
        &self,
        txn: &mut Txn<'_>,
        record: &AttestationRecord,
        sender: Id,
        subject: Option<Id>,
    ) -> NodeResult<()> {
        let mentions: Vec<Id> = subject.into_iter().collect();
        if self.has_remote_audience(txn, sender, &mentions, None)? {
            self.federate(
                txn,
                Outgoing::AttestationWithdrawn {
                    object: self
                        .urls()
                        .attestation(&protocol::envelope::id_to_hex(&record.envelope)),
                    sender,
                    subject,
                },
            )?;
        }
        Ok(())
    }
}

/// The subject's ActivityPub actor id as an attestation names it (empty
/// for an account known by its did:key alone).
pub(crate) fn subject_actor(node: &Node, target: &Member) -> String {
    match &target.remote {
        None => node.urls().actor(&target.username),
        Some(r) if r.domain.is_empty() => String::new(),
        Some(r) => r.actor_id.clone(),
    }
}
