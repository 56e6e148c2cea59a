//! An actor document as other servers serve it, read leniently (a
//! property of an unexpected shape reads as absent). The checks of its
//! ids against the server that served it are the reader's: they need
//! that server's address.

use serde::{Deserialize, Serialize};

use super::refs::{flag, reference, string, HasId, Kind, ObjectRef, OneOrMany, Reference};

/// A received actor document. Unknown properties are ignored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActorDocument {
    /// Its id.
    #[serde(default, deserialize_with = "string")]
    pub id: Option<String>,
    /// `Person`, `Service`, `Group`...
    #[serde(rename = "type", default)]
    pub kind: Kind,
    /// Username.
    #[serde(default, deserialize_with = "string")]
    pub preferred_username: Option<String>,
    /// Display name.
    #[serde(default, deserialize_with = "string")]
    pub name: Option<String>,
    /// Bio (HTML, unsanitised).
    #[serde(default, deserialize_with = "string")]
    pub summary: Option<String>,
    /// Avatar: an `Image`, or its URL.
    #[serde(default, deserialize_with = "reference")]
    pub icon: Option<ObjectRef<Icon>>,
    /// Profile page.
    #[serde(default, deserialize_with = "reference")]
    pub url: Option<Reference>,
    /// Inbox.
    #[serde(default, deserialize_with = "string")]
    pub inbox: Option<String>,
    /// Followers collection.
    #[serde(default, deserialize_with = "reference")]
    pub followers: Option<Reference>,
    /// Shared inbox.
    #[serde(default)]
    pub endpoints: OneOrMany<ActorEndpoints>,
    /// Follows need approval.
    #[serde(default, deserialize_with = "flag")]
    pub manually_approves_followers: Option<bool>,
    /// RSA key (the first, when there are several).
    #[serde(default)]
    pub public_key: OneOrMany<ActorKey>,
    /// FEP-521a keys.
    #[serde(default)]
    pub assertion_method: OneOrMany<ActorMultikey>,
}

impl ActorDocument {
    /// Its server's shared inbox, if it names one.
    pub fn shared_inbox(&self) -> Option<&str> {
        self.endpoints.iter().next()?.shared_inbox.as_deref()
    }

    /// Its RSA key (the first, when there are several).
    pub fn key(&self) -> Option<&ActorKey> {
        self.public_key.iter().next()
    }

    /// The avatar's URL: the `url` of the `Image`, or the icon's id.
    pub fn icon_url(&self) -> Option<&str> {
        match self.icon.as_ref()? {
            ObjectRef::Id(url) => Some(url),
            ObjectRef::Object(icon) => icon
                .url
                .as_ref()
                .and_then(ObjectRef::id)
                .or(icon.id.as_deref()),
        }
    }
}

/// An actor's avatar.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Icon {
    /// Its id, if any.
    #[serde(default, deserialize_with = "string")]
    pub id: Option<String>,
    /// The image.
    #[serde(default, deserialize_with = "reference")]
    pub url: Option<Reference>,
}

impl HasId for Icon {
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
}

/// An actor's `endpoints`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActorEndpoints {
    /// Its server's shared inbox.
    #[serde(default, deserialize_with = "string")]
    pub shared_inbox: Option<String>,
}

/// An actor's RSA key, as Mastodon publishes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActorKey {
    /// `ACTOR#main-key`.
    #[serde(default, deserialize_with = "string")]
    pub id: Option<String>,
    /// The actor.
    #[serde(default, deserialize_with = "string")]
    pub owner: Option<String>,
    /// SPKI PEM.
    #[serde(default, deserialize_with = "string")]
    pub public_key_pem: Option<String>,
}

/// A FEP-521a key an actor lists under `assertionMethod`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActorMultikey {
    /// `ACTOR#ed25519-key`.
    #[serde(default, deserialize_with = "string")]
    pub id: Option<String>,
    /// Who holds it.
    #[serde(default, deserialize_with = "string")]
    pub controller: Option<String>,
    /// `z6Mk...`.
    #[serde(default, deserialize_with = "string")]
    pub public_key_multibase: Option<String>,
}
