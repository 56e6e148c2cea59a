//! Remote actors: fetched, checked, sanitised and stored as accounts; their
//! keys cached for signature checks.

use node::model::Member;
use node::remote::RemoteActor;
use protocol::activities::{ActorDocument, ObjectRef};
use protocol::data_integrity;
use protocol::urls::HttpUrl;
use serde::Deserialize;
use serde_json::Value;

use crate::error::FederationError;
use crate::sanitize::{plain_text, sanitize_html};

/// Actor types accepted as accounts.
pub const ACTOR_TYPES: [&str; 5] = ["Person", "Service", "Application", "Group", "Organization"];

/// Reads an actor document fetched from `fetched_from`. Its id, inbox and
/// key must be canonical URLs on the host that served it (the host as the
/// HTTP client saw it), as Mastodon requires. The document stays JSON
/// for its FEP-8b32 proof, which signs the document as it was sent.
pub fn parse_actor(doc: &Value, fetched_from: &str) -> Result<RemoteActor, FederationError> {
    let actor = ActorDocument::deserialize(doc)
        .map_err(|e| FederationError::Malformed(format!("actor document: {e}")))?;
    let id = actor.id.as_deref().unwrap_or_default();
    let served_by =
        HttpUrl::parse(fetched_from).map_err(|_| FederationError::BadUrl(fetched_from.into()))?;
    let on_origin = |what: &str, url: &str| -> Result<(), FederationError> {
        let parsed = HttpUrl::parse_canonical(url)
            .map_err(|e| FederationError::Forbidden(format!("the actor's {what} {e}")))?;
        if !parsed.same_authority(&served_by) {
            return Err(FederationError::Forbidden(format!(
                "the actor's {what} is not on {}",
                served_by.authority()
            )));
        }
        Ok(())
    };
    on_origin("id", id)?;
    let kind = actor.kind.as_str();
    if !ACTOR_TYPES.contains(&kind) {
        return Err(FederationError::Malformed(format!(
            "{id} is a {kind}, not an actor"
        )));
    }
    let inbox = actor.inbox.as_deref().unwrap_or_default();
    let key = actor.key().cloned().unwrap_or_default();
    let key_id = key.id.as_deref().unwrap_or_default();
    let pem = key.public_key_pem.as_deref().unwrap_or_default();
    on_origin("inbox", inbox)?;
    on_origin("key", key_id)?;
    let owner = key.owner.as_deref().unwrap_or_default();
    if owner != id && !owner.is_empty() {
        return Err(FederationError::Forbidden(
            "key not owned by the actor".into(),
        ));
    }
    if pem.is_empty() {
        return Err(FederationError::Malformed(
            "actor has no publicKeyPem".into(),
        ));
    }
    identity::RsaVerifyingKey::from_public_pem(pem)
        .map_err(|e| FederationError::Malformed(format!("publicKeyPem: {e}")))?;
    let shared_inbox = actor
        .shared_inbox()
        .filter(|s| !s.is_empty() && on_origin("shared inbox", s).is_ok())
        .map(str::to_string);
    let (ed25519, ed25519_proven) = match ed25519_key(&actor, id) {
        Some((method, key)) => {
            let proven = match doc.as_object() {
                Some(document) => {
                    data_integrity::verify_proof(document, |m| (m == method).then_some(key))
                        .is_ok_and(|p| p.purpose == "assertionMethod")
                }
                None => false,
            };
            (Some(key), proven)
        }
        None => (None, false),
    };
    let name = actor.preferred_username.as_deref().unwrap_or_default();
    Ok(RemoteActor {
        actor_id: id.to_string(),
        username: name.to_string(),
        name: plain_text(actor.name.as_deref().unwrap_or_default(), 100),
        summary: sanitize_html(actor.summary.as_deref().unwrap_or_default()),
        avatar_url: actor
            .icon_url()
            .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
            .unwrap_or_default()
            .to_string(),
        url: match actor.url.as_ref().and_then(ObjectRef::id) {
            Some(u) if u.starts_with("http") => u.to_string(),
            _ => id.to_string(),
        },
        inbox: inbox.to_string(),
        shared_inbox,
        followers: actor
            .followers
            .as_ref()
            .and_then(ObjectRef::id)
            .map(str::to_string),
        locked: actor.manually_approves_followers.unwrap_or(false),
        actor_type: kind.to_string(),
        key_id: key_id.to_string(),
        public_key_pem: pem.to_string(),
        ed25519,
        ed25519_proven,
        confirmed_handle: None,
    })
}

/// The FEP-521a ed25519 key an actor lists under `assertionMethod` (a
/// `Multikey` it controls), with the key's id.
fn ed25519_key<'a>(
    actor: &'a ActorDocument,
    actor_id: &str,
) -> Option<(&'a str, identity::PublicKey)> {
    actor.assertion_method.iter().find_map(|m| {
        if m.controller.as_deref().unwrap_or_default() != actor_id {
            return None;
        }
        let key = identity::PublicKey::from_multikey(
            m.public_key_multibase.as_deref().unwrap_or_default(),
        )
        .ok()?;
        Some((m.id.as_deref().unwrap_or_default(), key))
    })
}

/// The actor part of a key id (`https://x/users/a#main-key` → the actor).
pub fn key_owner_guess(key_id: &str) -> &str {
    key_id.split('#').next().unwrap_or(key_id)
}

/// Whether a stored account's document is older than `max_age_ms`.
pub fn is_stale(member: &Member, max_age_ms: i64) -> bool {
    member
        .remote
        .as_ref()
        .is_none_or(|r| node::model::now_ms() - r.fetched_at > max_age_ms)
}
