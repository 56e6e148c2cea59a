//! ActivityStreams / ActivityPub wire objects (the subset Kodeon serves so
//! far), serialised exactly as Mastodon expects them.

use serde::{Deserialize, Serialize};

/// The JSON-LD contexts of an actor: ActivityStreams, security (publicKey),
/// Data Integrity (the FEP-8b32 `proof` by the ed25519 key), DID (which defines the `assertionMethod` term), Multikey (the FEP-521a
/// keys listed there), and the Mastodon/schema.org terms used by profile
/// fields.
///
/// The Multikey context defines only the `Multikey` type and its
/// properties, not `assertionMethod` itself: without the DID context a
/// JSON-LD processor (Fedify, for one) drops the whole `assertionMethod`
/// list and never sees the ed25519 key. The order is Fedify's own.
pub fn actor_context() -> serde_json::Value {
    serde_json::json!([
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        crate::data_integrity::CONTEXT,
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/multikey/v1",
        {
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "toot": "http://joinmastodon.org/ns#",
            "discoverable": "toot:discoverable",
            "schema": "http://schema.org#",
            "PropertyValue": "schema:PropertyValue",
            "value": "schema:value"
        }
    ])
}

/// An actor (`Person` for members, `Application` for the node).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    /// JSON-LD context.
    #[serde(rename = "@context")]
    pub context: serde_json::Value,
    /// The actor's id (its URL).
    pub id: String,
    /// `Person` for members, `Group` for groups, `Application` for the
    /// node.
    #[serde(rename = "type")]
    pub kind: String,
    /// Username.
    pub preferred_username: String,
    /// Display name.
    pub name: String,
    /// Bio (HTML).
    pub summary: String,
    /// Profile page.
    pub url: String,
    /// Inbox.
    pub inbox: String,
    /// Outbox.
    pub outbox: String,
    /// Followers collection.
    pub followers: String,
    /// Following collection.
    pub following: String,
    /// Shared inbox.
    pub endpoints: Endpoints,
    /// RSA key for HTTP signatures.
    pub public_key: PublicKeyPem,
    /// ed25519 key (FEP-521a).
    pub assertion_method: Vec<Multikey>,
    /// Follows need approval.
    pub manually_approves_followers: bool,
    /// Listed in directories.
    pub discoverable: bool,
    /// Joined (RFC 3339).
    pub published: String,
    /// Avatar.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon: Option<Image>,
    /// Profile fields.
    pub attachment: Vec<PropertyValue>,
    /// A group's moderators collection (FEP-1b12, as Lemmy publishes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moderators: Option<String>,
    /// The actor's pinned posts collection (Mastodon's and Lemmy's
    /// `featured`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub featured: Option<String>,
    /// Lemmy: a group's moderators collection again, as its
    /// `attributedTo`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributed_to: Option<String>,
    /// Lemmy: only moderators post in this group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posting_restricted_to_mods: Option<bool>,
    /// FEP-8b32 proof (`eddsa-jcs-2022`) by the `assertionMethod` key over
    /// the rest of the document: the key's holder vouches for this actor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proof: Option<serde_json::Value>,
}

/// `endpoints` of an actor.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Endpoints {
    /// The node's shared inbox.
    pub shared_inbox: String,
}

/// An RSA public key as Mastodon publishes it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PublicKeyPem {
    /// `ACTOR#main-key`.
    pub id: String,
    /// The actor.
    pub owner: String,
    /// SPKI PEM.
    pub public_key_pem: String,
}

/// A FEP-521a Multikey.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Multikey {
    /// `ACTOR#ed25519-key`.
    pub id: String,
    /// Always `Multikey`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The actor.
    pub controller: String,
    /// `z6Mk...`.
    pub public_key_multibase: String,
}

/// An image link.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    /// Always `Image`.
    #[serde(rename = "type")]
    pub kind: String,
    /// URL.
    pub url: String,
}

/// A profile field.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PropertyValue {
    /// Always `PropertyValue`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Label.
    pub name: String,
    /// Value (HTML).
    pub value: String,
}

/// A WebFinger JRD (RFC 7033).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Jrd {
    /// `acct:user@host`.
    pub subject: String,
    /// Other names for the subject.
    pub aliases: Vec<String>,
    /// Links.
    pub links: Vec<JrdLink>,
}

/// One WebFinger link.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct JrdLink {
    /// Relation.
    pub rel: String,
    /// Media type.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// URI template (remote follow).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
}

/// The public collection (addressing "everyone").
pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// A post as an ActivityPub object (`Note`, or `Article` when titled).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    /// JSON-LD context.
    #[serde(rename = "@context", skip_serializing_if = "Option::is_none")]
    pub context: Option<serde_json::Value>,
    /// Object id.
    pub id: String,
    /// `Note` or `Article`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Author actor id.
    pub attributed_to: String,
    /// Primary audience.
    pub to: Vec<String>,
    /// Secondary audience.
    pub cc: Vec<String>,
    /// Title (Article) .
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Content warning.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Sensitive content.
    pub sensitive: bool,
    /// Sanitised HTML.
    pub content: String,
    /// Parent object id.
    pub in_reply_to: Option<String>,
    /// Published (RFC 3339).
    pub published: String,
    /// Last edit (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// HTML page.
    pub url: String,
    /// Hashtags and mentions.
    pub tag: Vec<Tag>,
    /// Media.
    pub attachment: Vec<Document>,
    /// The collection of replies (`{id}/replies`), for local posts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replies: Option<String>,
    /// The group it is posted in (FEP-1b12, as Lemmy addresses posts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
}

/// A `Hashtag` or `Mention` tag.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Tag {
    /// `Hashtag` or `Mention`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Link.
    pub href: String,
    /// `#tag` or `@user@host`.
    pub name: String,
}

/// A media attachment.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    /// `Document`.
    #[serde(rename = "type")]
    pub kind: String,
    /// MIME type.
    pub media_type: String,
    /// URL.
    pub url: String,
    /// Alt text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Blurhash.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blurhash: Option<String>,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

/// Media types that ask for ActivityPub JSON.
pub fn wants_activity_json(accept: &str) -> bool {
    accept.contains("application/activity+json")
        || (accept.contains("application/ld+json") && accept.contains("activitystreams"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_negotiation() {
        assert!(wants_activity_json("application/activity+json"));
        assert!(wants_activity_json(
            r#"application/ld+json; profile="https://www.w3.org/ns/activitystreams""#
        ));
        assert!(!wants_activity_json("text/html,application/xhtml+xml"));
        assert!(!wants_activity_json("application/ld+json"));
    }

    /// `assertionMethod` is a term of the DID context, not of the Multikey
    /// one: an actor must name both, DID first, or JSON-LD processors such
    /// as Fedify drop its FEP-521a keys.
    #[test]
    fn actor_context_defines_assertion_method() {
        let ctx = actor_context();
        let urls: Vec<&str> = ctx
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        let did = urls
            .iter()
            .position(|u| *u == "https://www.w3.org/ns/did/v1");
        let multikey = urls
            .iter()
            .position(|u| *u == "https://w3id.org/security/multikey/v1");
        assert!(
            matches!((did, multikey), (Some(d), Some(m)) if d < m),
            "{urls:?}"
        );
        assert_eq!(urls[0], "https://www.w3.org/ns/activitystreams");
    }
}
