//! Remote actors: fetched, checked, sanitised and stored as accounts; their
//! keys cached for signature checks.

use node::model::Member;
use node::remote::RemoteActor;
use serde_json::Value;

use crate::error::FederationError;
use crate::json::{id_of, str_of, type_of};
use crate::sanitize::{plain_text, sanitize_html};

/// Actor types accepted as accounts.
const ACTOR_TYPES: [&str; 5] = ["Person", "Service", "Application", "Group", "Organization"];

/// Reads an actor document fetched from `fetched_from`. Its id, inbox and
/// key must all belong to the same origin as the URL it came from.
pub fn parse_actor(doc: &Value, fetched_from: &str) -> Result<RemoteActor, FederationError> {
    let id = str_of(doc, "id");
    let origin = node::remote::host_of(fetched_from)
        .ok_or_else(|| FederationError::BadUrl(fetched_from.into()))?;
    if node::remote::host_of(id).as_deref() != Some(origin.as_str()) {
        return Err(FederationError::Forbidden(format!(
            "actor id {id} is not on {origin}"
        )));
    }
    let kind = type_of(doc);
    if !ACTOR_TYPES.contains(&kind) {
        return Err(FederationError::Malformed(format!(
            "{id} is a {kind}, not an actor"
        )));
    }
    let inbox = str_of(doc, "inbox");
    let key = doc.get("publicKey").unwrap_or(&Value::Null);
    let key = if key.is_array() { &key[0] } else { key };
    let key_id = str_of(key, "id");
    let pem = str_of(key, "publicKeyPem");
    let same_origin = |u: &str| node::remote::host_of(u).as_deref() == Some(origin.as_str());
    if !same_origin(inbox) {
        return Err(FederationError::Forbidden("inbox on another origin".into()));
    }
    if !same_origin(key_id) || str_of(key, "owner") != id && !str_of(key, "owner").is_empty() {
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
    let shared_inbox = doc
        .get("endpoints")
        .map(|e| str_of(e, "sharedInbox"))
        .filter(|s| !s.is_empty() && same_origin(s))
        .map(str::to_string);
    let ed25519 = doc
        .get("assertionMethod")
        .and_then(Value::as_array)
        .and_then(|methods| {
            methods.iter().find_map(|m| {
                (str_of(m, "controller") == id)
                    .then(|| {
                        identity::PublicKey::from_multikey(str_of(m, "publicKeyMultibase")).ok()
                    })
                    .flatten()
            })
        });
    let name = str_of(doc, "preferredUsername");
    Ok(RemoteActor {
        actor_id: id.to_string(),
        username: name.to_string(),
        name: plain_text(str_of(doc, "name"), 100),
        summary: sanitize_html(str_of(doc, "summary")),
        avatar_url: doc
            .get("icon")
            .and_then(|i| i.get("url").and_then(id_of).or_else(|| id_of(i)))
            .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
            .unwrap_or_default()
            .to_string(),
        url: match doc.get("url").and_then(id_of) {
            Some(u) if u.starts_with("http") => u.to_string(),
            _ => id.to_string(),
        },
        inbox: inbox.to_string(),
        shared_inbox,
        followers: doc.get("followers").and_then(id_of).map(str::to_string),
        locked: doc
            .get("manuallyApprovesFollowers")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        actor_type: kind.to_string(),
        key_id: key_id.to_string(),
        public_key_pem: pem.to_string(),
        ed25519,
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
