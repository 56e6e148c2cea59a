//! Attestations sent over ActivityPub: the `kd:Attestation` object of a
//! stored attestation, with an FEP-8b32 proof made by its issuer's ed25519
//! key (a member's, or the node's for those the node issues), in a `Create`
//! to the subject's inbox and the sender's followers; a `Delete` of its id
//! when it is withdrawn.

use std::collections::BTreeSet;

use node::attestations::AttestationRecord;
use node::{Id, Node, NodeError, NodeResult};
use protocol::activities::{AttestationObject, Delete, ObjectRef, Tombstone};
use protocol::activitystreams::PUBLIC;
use protocol::envelope::id_to_hex;
use serde_json::{json, Value};

use crate::activities::Rendered;
use crate::uris::{delivery_inbox, member_uri};

/// Who signs an attestation's proof.
enum Issuer {
    /// The node, with its own key (its instance actor's `assertionMethod`).
    Node,
    /// A local member, with their key.
    Member(String),
}

/// The object of attestation `record` with its proof, as its issuer signs
/// it; `None` when its issuer is not of this node.
pub fn attestation_object(
    node: &Node,
    record: &AttestationRecord,
) -> NodeResult<Option<serde_json::Map<String, Value>>> {
    let attester = identity::PublicKey::from_bytes(record.attester)
        .map_err(|_| NodeError::Internal("an attester key".into()))?;
    let subject = identity::PublicKey::from_bytes(record.subject)
        .map_err(|_| NodeError::Internal("a subject key".into()))?;
    let (issuer, actor) = if attester == node.node_keys().ed25519_public {
        (Issuer::Node, node.urls().node_actor())
    } else {
        match node.member_by_key(&attester)? {
            Some(m) if m.is_local() => {
                let actor = member_uri(node, &m);
                (Issuer::Member(m.username), actor)
            }
            _ => return Ok(None),
        }
    };
    let about = node
        .member_by_key(&subject)?
        .map(|m| member_uri(node, &m))
        .filter(|uri| uri.starts_with("http"));
    // Seconds, as JavaScript's Temporal prints an instant without a
    // fraction: a verifier that rebuilds `created` gets the same text.
    let published = node::model::rfc3339::format(record.created.div_euclid(1000) * 1000);
    let object = AttestationObject {
        id: node.urls().attestation(&id_to_hex(&record.envelope)),
        issuer: actor.clone(),
        about,
        subject_key: subject.to_did_key(),
        kind: Some(record.kind().as_str().to_string()),
        claim: record.claim.clone(),
        comment: record.comment.clone(),
        group: record.group.clone(),
        published: published.clone(),
    };
    let mut map = object.to_map();
    let method = format!("{actor}#ed25519-key");
    protocol::data_integrity::attach_proof(&mut map, &method, &published, |bytes| match &issuer {
        Issuer::Node => Ok(node.node_ed25519()?.sign(bytes)),
        Issuer::Member(name) => node.sign_as_member(name, bytes),
    })?;
    Ok(Some(map))
}

/// The object an attestation id (`/attestations/{hex}`) names, as its
/// issuer signed it: one made here, proved now with the issuer's key (the
/// same bytes each time: the proof's date is the attestation's, and
/// ed25519 is deterministic), or one received, as it came.
pub fn published_object(node: &Node, id: &[u8; 32]) -> NodeResult<serde_json::Map<String, Value>> {
    if let Some(object) = node.attestation_object(id)? {
        return Ok(object);
    }
    let record = node
        .attestation_by_id(id)?
        .ok_or(NodeError::NotFound("attestation"))?;
    attestation_object(node, &record)?.ok_or(NodeError::NotFound("attestation"))
}

/// The `Create` of attestation `attestation`, sent by local account
/// `sender`: to the subject (when of another server) and the sender's
/// followers on other servers.
pub(crate) fn attestation_create(
    node: &Node,
    attestation: &[u8; 32],
    sender: Id,
) -> NodeResult<Option<Rendered>> {
    let Some(record) = node.attestation_by_id(attestation)? else {
        return Ok(None);
    };
    let Some(signer) = node.member_by_id(sender)? else {
        return Ok(None);
    };
    let Some(object) = attestation_object(node, &record)? else {
        return Ok(None);
    };
    let subject = identity::PublicKey::from_bytes(record.subject)
        .ok()
        .and_then(|k| node.member_by_key(&k).ok().flatten());
    let object_id = object
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let actor = member_uri(node, &signer);
    let id = node.urls().create_of(&object_id);
    let mut to = vec![PUBLIC.to_string()];
    to.extend(subject.as_ref().map(|m| member_uri(node, m)));
    let body = json!({
        "@context": protocol::activities::CONTEXT,
        "id": id,
        "type": "Create",
        "actor": actor,
        "published": object.get("published").cloned().unwrap_or(Value::Null),
        "to": to,
        "cc": [node.urls().followers(&signer.username)],
        "object": Value::Object(object),
    });
    Ok(Some(Rendered {
        id,
        body,
        signer: sender,
        inboxes: audience(node, sender, subject.as_ref().map(|m| m.id))?,
        also: Vec::new(),
    }))
}

/// The `Delete` of a withdrawn attestation's object `object`, sent by
/// local account `sender` to those its `Create` went to.
pub(crate) fn attestation_delete(
    node: &Node,
    object: &str,
    sender: Id,
    subject: Option<Id>,
) -> NodeResult<Option<Rendered>> {
    let Some(signer) = node.member_by_id(sender)? else {
        return Ok(None);
    };
    let actor = member_uri(node, &signer);
    let id = node.urls().delete_of(object);
    let delete = Delete::new(
        &id,
        &actor,
        vec![PUBLIC.into()],
        ObjectRef::Object(Tombstone::new(object)),
    );
    let body = serde_json::to_value(protocol::activities::Activity::with_context(delete))
        .map_err(|e| NodeError::Internal(format!("an activity as JSON: {e}")))?;
    Ok(Some(Rendered {
        id,
        body,
        signer: sender,
        inboxes: audience(node, sender, subject)?,
        also: Vec::new(),
    }))
}

/// The sender's followers' inboxes and the subject's, when remote (an
/// account known by its did:key alone has none).
fn audience(node: &Node, sender: Id, subject: Option<Id>) -> NodeResult<Vec<String>> {
    let mut inboxes: BTreeSet<String> = node.remote_follower_inboxes(sender)?.into_iter().collect();
    if let Some(inbox) = subject
        .map(|s| node.member_by_id(s))
        .transpose()?
        .flatten()
        .as_ref()
        .and_then(delivery_inbox)
        .filter(|inbox| !inbox.is_empty())
    {
        inboxes.insert(inbox);
    }
    Ok(inboxes.into_iter().collect())
}
