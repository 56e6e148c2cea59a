//! A post as other servers send it (`Note`, `Article`, `Page`,
//! `Question`, `Event`), read leniently: a property of an unexpected
//! shape reads as absent rather than refusing the whole post.

use serde::{Deserialize, Serialize};

use super::origin::{check_same_origin, OriginError};
use super::refs::Reference;
use super::refs::{
    first_key, flag, href, reference, string, Audience, HasId, Kind, ObjectRef, OneOrMany,
};

/// Object types stored as posts.
pub const POST_TYPES: [&str; 5] = ["Note", "Article", "Page", "Question", "Event"];

/// Whether objects of type `kind` are stored as posts.
pub fn is_post_type(kind: &str) -> bool {
    POST_TYPES.contains(&kind)
}

/// A received post (or, in an `Update` of an actor, the actor: only its
/// id is read then). Unknown properties are ignored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostObject {
    /// Its id.
    #[serde(default, deserialize_with = "string")]
    pub id: Option<String>,
    /// Its type.
    #[serde(rename = "type", default)]
    pub kind: Kind,
    /// Its author.
    #[serde(default, deserialize_with = "reference")]
    pub attributed_to: Option<Reference>,
    /// Primary audience.
    #[serde(default)]
    pub to: Audience,
    /// Secondary audience.
    #[serde(default)]
    pub cc: Audience,
    /// The group it is posted in (FEP-1b12, Lemmy).
    #[serde(default, deserialize_with = "reference")]
    pub audience: Option<Reference>,
    /// Title (not read for a `Note`).
    #[serde(default, deserialize_with = "string")]
    pub name: Option<String>,
    /// Content warning.
    #[serde(default, deserialize_with = "string")]
    pub summary: Option<String>,
    /// HTML, unsanitised.
    #[serde(default, deserialize_with = "string")]
    pub content: Option<String>,
    /// The language, read as the first key of `contentMap`.
    #[serde(default, rename = "contentMap", deserialize_with = "first_key")]
    pub language: Option<String>,
    /// Sensitive content.
    #[serde(default, deserialize_with = "flag")]
    pub sensitive: Option<bool>,
    /// The post answered.
    #[serde(default, deserialize_with = "reference")]
    pub in_reply_to: Option<Reference>,
    /// Its page.
    #[serde(default, deserialize_with = "reference")]
    pub url: Option<Reference>,
    /// Published (RFC 3339).
    #[serde(default, deserialize_with = "string")]
    pub published: Option<String>,
    /// Last edit (RFC 3339).
    #[serde(default, deserialize_with = "string")]
    pub updated: Option<String>,
    /// Hashtags, mentions (and tags of other types, ignored).
    #[serde(default)]
    pub tag: OneOrMany<PostTag>,
    /// Media.
    #[serde(default)]
    pub attachment: OneOrMany<PostAttachment>,
}

impl PostObject {
    /// Whether it is a post (its type is one of [`POST_TYPES`]).
    pub fn is_post(&self) -> bool {
        is_post_type(self.kind.as_str())
    }

    /// The id of its author.
    pub fn author(&self) -> Option<&str> {
        self.attributed_to.as_ref().and_then(ObjectRef::id)
    }

    /// Checks that the post is `actor`'s: on its server and attributed to
    /// it.
    pub fn check_author(&self, actor: &str) -> Result<(), OriginError> {
        check_same_origin(self.id.as_deref().unwrap_or_default(), actor)?;
        if self.author() != Some(actor) {
            return Err(OriginError::NotTheAuthor);
        }
        Ok(())
    }
}

impl HasId for PostObject {
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
}

/// A tag of a received post.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PostTag {
    /// `Mention`, `Hashtag`, `Emoji`...
    #[serde(rename = "type", default)]
    pub kind: Kind,
    /// The mentioned actor, or the tag's page.
    #[serde(default, deserialize_with = "string")]
    pub href: Option<String>,
    /// `@user@host` or `#tag`.
    #[serde(default, deserialize_with = "string")]
    pub name: Option<String>,
}

/// A media attachment of a received post.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostAttachment {
    /// Its type (`Document`, `Image`..., or `Link`: the link of a Lemmy
    /// link post).
    #[serde(rename = "type", default)]
    pub kind: Kind,
    /// The file: a string, or a `Link`'s `href`.
    #[serde(default, deserialize_with = "href")]
    pub url: Option<String>,
    /// The target of an attachment that is itself a `Link`.
    #[serde(default, deserialize_with = "string")]
    pub href: Option<String>,
    /// MIME type.
    #[serde(default, deserialize_with = "string")]
    pub media_type: Option<String>,
    /// Alt text.
    #[serde(default, deserialize_with = "string")]
    pub name: Option<String>,
    /// Blurhash.
    #[serde(default, deserialize_with = "string")]
    pub blurhash: Option<String>,
}

/// An object read for its id and type alone (what a fetched document is,
/// before it is read as an actor or a post).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ObjectHeader {
    /// Its id.
    #[serde(default, deserialize_with = "string")]
    pub id: Option<String>,
    /// Its type.
    #[serde(rename = "type", default)]
    pub kind: Kind,
}
