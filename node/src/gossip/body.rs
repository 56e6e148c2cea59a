//! The bodies of gossip envelopes: what a receiver needs to apply a record
//! without asking its origin. Every body names the author's ActivityPub
//! actor (`actor`), the join key with ActivityPub; the envelope's signing
//! key must be that actor's published ed25519 key.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The body as the JSON object an envelope signs.
fn to_map<T: Serialize>(body: &T) -> Map<String, Value> {
    match serde_json::to_value(body) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// Reads a body from an envelope's object.
fn from_map<T: DeserializeOwned>(map: &Map<String, Value>) -> Result<T, String> {
    serde_json::from_value(Value::Object(map.clone())).map_err(|e| e.to_string())
}

macro_rules! map_conversions {
    ($($t:ty),*) => {$(
        impl $t {
            /// The body as the JSON object an envelope signs.
            pub fn to_map(&self) -> Map<String, Value> {
                to_map(self)
            }

            /// Reads a body from an envelope's object.
            pub fn from_map(map: &Map<String, Value>) -> Result<Self, String> {
                from_map(map)
            }
        }
    )*};
}

map_conversions!(
    PostBody,
    DeleteBody,
    FollowBody,
    ProfileBody,
    AttestationBody
);

/// Body of a [`protocol::envelope::Kind::Post`] envelope, and of an
/// [`Edit`](protocol::envelope::Kind::Edit) (the post's new state, same
/// `uri`). Only public posts are gossiped; `uri` (the post's ActivityPub
/// id) is the join key with ActivityPub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostBody {
    /// The post's ActivityPub id.
    pub uri: String,
    /// Its public page.
    pub url: String,
    /// The author's ActivityPub actor id.
    pub actor: String,
    /// The author's handle, `preferredUsername@host`.
    pub handle: String,
    /// Rendered HTML content.
    pub html: String,
    /// Title, or empty.
    #[serde(default)]
    pub title: String,
    /// Content warning, or empty.
    #[serde(default)]
    pub summary: String,
    /// Sensitive media or content.
    #[serde(default)]
    pub sensitive: bool,
    /// Always `public`.
    pub visibility: String,
    /// The ActivityPub id of the post this answers.
    #[serde(default)]
    pub in_reply_to: Option<String>,
    /// Hashtags (slugs).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Language code.
    #[serde(default)]
    pub language: Option<String>,
    /// The ActivityPub id of the group it is posted in (FEP-1b12), if
    /// any. A node places it in that group only when the group is its
    /// own (and the author may post there), or, for a reply, when the
    /// thread is in a group; a group of another server says itself what
    /// is in it (its `Announce`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// Body of a [`Delete`](protocol::envelope::Kind::Delete) envelope: exactly
/// one of `uri` (a post) and `attestation` (the hex id of the author's
/// attestation envelope being withdrawn).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteBody {
    /// The author's ActivityPub actor id.
    pub actor: String,
    /// The deleted post's ActivityPub id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// The withdrawn attestation's envelope id (hex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation: Option<String>,
}

/// Body of a [`Follow`](protocol::envelope::Kind::Follow) or
/// [`Unfollow`](protocol::envelope::Kind::Unfollow) envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowBody {
    /// The follower's ActivityPub actor id.
    pub actor: String,
    /// The followed account's did:key, or empty when it has published
    /// no ed25519 key.
    pub subject: String,
    /// The followed account's ActivityPub actor id, or empty when it is
    /// known only by its did:key.
    #[serde(default)]
    pub subject_actor: String,
    /// The ActivityPub `Follow` activity's id, when one was sent too (so
    /// the followed server can answer it), else empty.
    #[serde(default)]
    pub activity: String,
}

/// Body of a [`Profile`](protocol::envelope::Kind::Profile) envelope: who
/// the key speaks for, and how to show and reach them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileBody {
    /// The ActivityPub actor id.
    pub actor: String,
    /// `preferredUsername@host`.
    pub handle: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// About text, HTML.
    #[serde(default)]
    pub summary: String,
    /// Avatar URL, or empty.
    #[serde(default)]
    pub avatar: String,
    /// Public page.
    #[serde(default)]
    pub url: String,
    /// ActivityPub inbox.
    #[serde(default)]
    pub inbox: String,
    /// The server's shared inbox.
    #[serde(default)]
    pub shared_inbox: Option<String>,
    /// Follows need approval.
    #[serde(default)]
    pub locked: bool,
}

/// Body of an [`Attestation`](protocol::envelope::Kind::Attestation)
/// envelope: the author vouches for `claim` about `subject`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttestationBody {
    /// The attester's ActivityPub actor id.
    pub actor: String,
    /// The subject's did:key.
    pub subject: String,
    /// The subject's ActivityPub actor id, if known to the attester.
    #[serde(default)]
    pub subject_actor: String,
    /// What is attested: a short lower-case tag such as `rust` or
    /// `mentoring` (see [`crate::attestations::validate_claim`]).
    pub claim: String,
    /// An optional plain-text comment.
    #[serde(default)]
    pub comment: String,
}
