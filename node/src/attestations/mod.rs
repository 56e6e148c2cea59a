//! Reputation attestations: a member vouches, under their own ed25519
//! key, that another identity has a quality (`claim`), such as `rust` or
//! `mentoring`, of one of the kinds of [`AttestationKind`]: an endorsed
//! skill, an attended event (signed by its organiser at check-in), a
//! completed course (signed by the node with its own key, in the write
//! that issues the certificate), a mentor (signed by the mentee), an
//! accepted contribution (signed by a group's owner or moderator).
//!
//! An attestation *is* its signed envelope ([`protocol::envelope`], kind
//! `attestation`): it names both parties by did:key, so anyone can verify
//! it offline from its bytes alone ([`Node::envelope_bytes`]). Local
//! attestations are signed when made and travel over gossip; attestations
//! received from other nodes are stored when verified. One attester holds
//! at most one attestation per (subject, claim): a newer one replaces the
//! older, and a signed `delete` record withdraws it. Each is also sent over
//! ActivityPub to the subject's server and the issuer's followers, as an
//! object with an FEP-8b32 proof by the issuer's key (`Outgoing::Attestation`);
//! objects received so (`remote.rs`) are stored as gossip-received ones.
//!
//! The `Attestation` table is the one source of attestation edges
//! (attester key → subject key, claim, kind, created): see [`Node::live_attestations`].
//!
//! # Reputation
//! [`Node::reputation`] is a transparent formula, not a model: every
//! distinct attester adds a weight to each claim they attest —
//! **1.0** for a member of this node or an account whose server published
//! its key, **0.5** for an account known only through gossip — and the
//! score is the sum over claims. Self-attestations are refused.

use identity::PublicKey;
use protocol::envelope::{id_to_hex, Envelope, Kind};
use serde::{Deserialize, Serialize};

use crate::error::{NodeError, NodeResult};
use crate::model::{now_ms, Member, MemberSummary};
use crate::node::{Node, Viewer};
use crate::store::{tables, Txn};

mod issue;
mod kind;
mod live;
mod node_issued;
mod remote;
#[cfg(test)]
mod tests;

pub use issue::NewAttestation;
pub use kind::AttestationKind;
pub use remote::ReceivedAttestation;

/// Longest claim, in characters.
pub const MAX_CLAIM_CHARS: usize = 64;
/// Longest comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 500;
/// Longest group id an attestation may name, in bytes.
pub const MAX_GROUP_URL: usize = 2048;
/// Most attestations listed about one identity.
const MAX_LISTED: usize = 1000;

/// Checks a claim: 1–64 characters of `a-z`, `0-9`, `-`, `_`, `.`, `:`.
pub fn validate_claim(claim: &str) -> Result<(), String> {
    if claim.is_empty() || claim.chars().count() > MAX_CLAIM_CHARS {
        return Err(format!("must be 1 to {MAX_CLAIM_CHARS} characters"));
    }
    if !claim
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.:".contains(c))
    {
        return Err("may hold only a-z, 0-9, '-', '_', '.' and ':'".into());
    }
    Ok(())
}

/// A stored attestation (the envelope holds the proof).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttestationRecord {
    /// The envelope's id.
    pub envelope: [u8; 32],
    /// The attester's key.
    pub attester: [u8; 32],
    /// The subject's key.
    pub subject: [u8; 32],
    /// The claim.
    pub claim: String,
    /// The comment.
    pub comment: String,
    /// When it was signed (ms).
    pub created: i64,
    /// Its kind; absent on records older than kinds (see
    /// [`AttestationRecord::kind`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<AttestationKind>,
    /// The group it was given in (a `contribution`'s group, its actor id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

impl AttestationRecord {
    /// Its kind: the stored one, else as its claim reads
    /// ([`AttestationKind::legacy`]: `attended:` claims are `attended`,
    /// others `skill`).
    pub fn kind(&self) -> AttestationKind {
        self.kind
            .unwrap_or_else(|| AttestationKind::legacy(&self.claim))
    }
}

/// An attestation as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct AttestationView {
    /// The envelope id (hex): `GET /api/kodeon/v1/envelopes/{id}` gives
    /// the signed bytes.
    pub id: String,
    /// The attester's did:key.
    pub attester_did: String,
    /// The attester, if known here.
    pub attester: Option<MemberSummary>,
    /// The subject's did:key.
    pub subject_did: String,
    /// Its kind.
    pub kind: AttestationKind,
    /// The claim.
    pub claim: String,
    /// The group it was given in (a `contribution`'s), its actor id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The comment.
    pub comment: String,
    /// When it was signed (ms).
    pub created_at: i64,
    /// The weight it adds to the subject's reputation.
    pub weight: f64,
}

/// One claim's share of a reputation.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimScore {
    /// The claim.
    pub claim: String,
    /// Distinct attesters.
    pub attesters: usize,
    /// The sum of their weights.
    pub weight: f64,
}

/// Someone's reputation, with the attestations it is made of.
#[derive(Debug, Clone, Serialize)]
pub struct Reputation {
    /// The subject's did:key.
    pub did: String,
    /// Sum of the claims' weights.
    pub score: f64,
    /// Per claim, heaviest first.
    pub claims: Vec<ClaimScore>,
    /// The formula, in words.
    pub formula: &'static str,
    /// The attestations, newest first.
    pub attestations: Vec<AttestationView>,
}

const FORMULA: &str = "score = sum over claims of the attesters' weights; \
each distinct attester weighs 1.0 (a member here, or an account whose server published its key) \
or 0.5 (an account known only through gossip)";

impl Node {
    /// The viewer attests the skill `claim` about `subject` (a username,
    /// `name@host` or did:key), with an optional comment: a `skill`
    /// attestation, as [`Node::attest_kind`] makes it.
    pub async fn attest(
        &self,
        viewer: &Viewer,
        subject: &str,
        claim: &str,
        comment: &str,
    ) -> NodeResult<AttestationView> {
        self.attest_kind(
            viewer,
            NewAttestation {
                subject: subject.to_string(),
                kind: AttestationKind::Skill,
                claim: claim.to_string(),
                comment: comment.to_string(),
                group: None,
            },
        )
        .await
    }

    /// Withdraws the viewer's attestation of `claim` about `subject`: a
    /// signed delete record tells the nodes that hold it.
    pub async fn withdraw_attestation(
        &self,
        viewer: &Viewer,
        subject: &str,
        claim: &str,
    ) -> NodeResult<()> {
        let me = viewer.member()?.clone();
        let target = self.attestation_subject(subject).await?;
        let key = (
            target.keys.ed25519_public.as_bytes(),
            me.keys.ed25519_public.as_bytes(),
            claim,
        );
        let record = self
            .store
            .load::<tables::Attestation>(key)?
            .ok_or(NodeError::NotFound("attestation"))?;
        let subject_id = target.id;
        let body = crate::gossip::DeleteBody {
            actor: self.urls().actor(&me.username),
            uri: None,
            attestation: Some(id_to_hex(&record.envelope)),
        };
        let envelope = self.sign_as(&me, Kind::Delete, now_ms(), body.to_map())?;
        self.write(move |txn| {
            self.remove_attestation(txn, &record)?;
            self.store_envelope(txn, &envelope)?;
            self.queue_broadcast(txn, &envelope)?;
            self.federate_withdrawal(txn, &record, me.id, Some(subject_id))
        })
        .await
    }

    /// Stores a verified attestation unless a newer one by the same
    /// attester for the same subject and claim is held (or one of the same
    /// instant: the same attestation come by gossip and by ActivityPub is
    /// kept as it came first).
    pub(crate) fn put_attestation(
        &self,
        txn: &mut Txn<'_>,
        record: &AttestationRecord,
    ) -> NodeResult<bool> {
        let key = (&record.subject, &record.attester, &record.claim);
        if let Some(old) = txn.load::<tables::Attestation>(key)? {
            if old.created >= record.created {
                return Ok(false);
            }
            txn.remove::<tables::AttestationById>(&old.envelope);
        }
        txn.store::<tables::Attestation>(key, record)?;
        txn.store::<tables::AttestationById>(&record.envelope, record)?;
        self.points_for_attestation(txn, record)?;
        Ok(true)
    }

    fn remove_attestation(&self, txn: &mut Txn<'_>, record: &AttestationRecord) -> NodeResult<()> {
        self.reverse_object(
            txn,
            crate::gamification::attestation_object(&record.envelope),
            "attestation withdrawn",
        )?;
        txn.remove::<tables::Attestation>((&record.subject, &record.attester, &record.claim));
        txn.remove::<tables::AttestationById>(&record.envelope);
        txn.remove::<tables::AttestationObject>(&record.envelope);
        Ok(())
    }

    /// Withdraws the attestation with envelope id `id` if `attester` made
    /// it (a verified delete record); whether one was removed.
    pub(crate) fn withdraw_by_id(
        &self,
        txn: &mut Txn<'_>,
        attester: &PublicKey,
        id: &[u8; 32],
    ) -> NodeResult<bool> {
        let Some(record) = txn.load::<tables::AttestationById>(id)? else {
            return Ok(false);
        };
        if record.attester != *attester.as_bytes() {
            return Ok(false);
        }
        self.remove_attestation(txn, &record)?;
        Ok(true)
    }

    /// The attestations about a member, with the reputation they make.
    pub fn reputation(&self, subject: &Member) -> NodeResult<Reputation> {
        let prefix = subject.keys.ed25519_public.as_bytes();
        let mut views = Vec::new();
        if subject.remote.as_ref().is_none_or(|r| r.has_ed25519) {
            for record in self
                .store
                .scan::<tables::Attestation>((prefix,), false)
                .values()
                .take(MAX_LISTED)
            {
                let record = record?;
                views.push(self.attestation_view(&record));
            }
        }
        views.sort_by_key(|v| std::cmp::Reverse(v.created_at));
        let mut claims: Vec<ClaimScore> = Vec::new();
        for v in &views {
            match claims.iter_mut().find(|c| c.claim == v.claim) {
                Some(c) => {
                    c.attesters += 1;
                    c.weight += v.weight;
                }
                None => claims.push(ClaimScore {
                    claim: v.claim.clone(),
                    attesters: 1,
                    weight: v.weight,
                }),
            }
        }
        claims.sort_by(|a, b| {
            b.weight
                .total_cmp(&a.weight)
                .then_with(|| a.claim.cmp(&b.claim))
        });
        Ok(Reputation {
            did: subject.did(),
            score: claims.iter().map(|c| c.weight).sum(),
            claims,
            formula: FORMULA,
            attestations: views,
        })
    }

    /// The reputation of the member named `username` (or did:key).
    pub fn reputation_of(&self, username: &str) -> NodeResult<Reputation> {
        let member = self
            .member_by_name(username)?
            .filter(|m| m.deleted_at.is_none())
            .ok_or(NodeError::NotFound("member"))?;
        self.reputation(&member)
    }

    fn attestation_view(&self, record: &AttestationRecord) -> AttestationView {
        let attester_key = PublicKey::from_bytes(record.attester).ok();
        let attester = attester_key
            .as_ref()
            .and_then(|k| self.member_by_key(k).ok().flatten());
        let weight = match attester.as_ref().and_then(|m| m.remote.as_ref()) {
            Some(r) if r.gossip_only => 0.5,
            _ => 1.0,
        };
        AttestationView {
            id: id_to_hex(&record.envelope),
            attester_did: attester_key.map(|k| k.to_did_key()).unwrap_or_default(),
            attester: attester.as_ref().map(Node::summary),
            subject_did: PublicKey::from_bytes(record.subject)
                .map(|k| k.to_did_key())
                .unwrap_or_default(),
            kind: record.kind(),
            claim: record.claim.clone(),
            group: record.group.clone(),
            comment: record.comment.clone(),
            created_at: record.created,
            weight,
        }
    }

    /// Whom an attestation or follow by did:key is about.
    pub(crate) async fn attestation_subject(&self, subject: &str) -> NodeResult<Member> {
        let member = if subject.starts_with("did:key:") {
            self.member_for_did(subject).await?
        } else {
            self.active_member_by_name(subject)?
        };
        if member.deleted_at.is_some() {
            return Err(NodeError::NotFound("member"));
        }
        Ok(member)
    }

    /// Signs a record of `kind` with a local member's own key, dated
    /// `created` (ms).
    pub(crate) fn sign_as(
        &self,
        author: &Member,
        kind: Kind,
        created: i64,
        body: serde_json::Map<String, serde_json::Value>,
    ) -> NodeResult<Envelope> {
        if !author.is_local() {
            return Err(NodeError::Forbidden("not a local member"));
        }
        let key = author.keys.ed25519(&self.sealer, &author.id.to_bytes())?;
        Envelope::sign(&key, kind, created, None, body)
            .map_err(|e| NodeError::invalid("envelope", e.to_string()))
    }
}
