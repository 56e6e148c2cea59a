//! Remote actors: fetched, checked, sanitised and stored as accounts; their
//! keys cached for signature checks.

use node::model::Member;
use node::remote::RemoteActor;
use serde_json::Value;

use protocol::data_integrity;
use protocol::urls::HttpUrl;

use crate::error::FederationError;
use crate::json::{id_of, str_of, type_of};
use crate::sanitize::{plain_text, sanitize_html};

/// Actor types accepted as accounts.
pub const ACTOR_TYPES: [&str; 5] = ["Person", "Service", "Application", "Group", "Organization"];

/// Reads an actor document fetched from `fetched_from`. Its id, inbox and
/// key must be canonical URLs on the host that served it (the host as the
/// HTTP client saw it), as Mastodon requires.
pub fn parse_actor(doc: &Value, fetched_from: &str) -> Result<RemoteActor, FederationError> {
    let id = str_of(doc, "id");
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
    on_origin("inbox", inbox)?;
    on_origin("key", key_id)?;
    if str_of(key, "owner") != id && !str_of(key, "owner").is_empty() {
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
        .filter(|s| !s.is_empty() && on_origin("shared inbox", s).is_ok())
        .map(str::to_string);
    let (ed25519, ed25519_proven) = match ed25519_key(doc, id) {
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
        ed25519_proven,
        confirmed_handle: None,
    })
}

/// The FEP-521a ed25519 key an actor lists under `assertionMethod` (a
/// `Multikey` it controls), with the key's id.
fn ed25519_key<'a>(doc: &'a Value, actor_id: &str) -> Option<(&'a str, identity::PublicKey)> {
    let methods = match doc.get("assertionMethod")? {
        Value::Array(items) => items.iter().collect::<Vec<_>>(),
        one @ Value::Object(_) => vec![one],
        _ => return None,
    };
    methods.into_iter().find_map(|m| {
        if str_of(m, "controller") != actor_id {
            return None;
        }
        let key = identity::PublicKey::from_multikey(str_of(m, "publicKeyMultibase")).ok()?;
        Some((str_of(m, "id"), key))
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
