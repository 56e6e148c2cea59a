//! `Like` and `Announce` (a boost, or a group sharing a member's post).

use serde::{Deserialize, Serialize};

use super::inner::InnerActivity;
use super::object::is_post_type;
use super::refs::{reference, string, Audience, Kind, ObjectRef, Reference};

/// `Like` of a post.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Like {
    /// JSON-LD context, written on a top-level activity only.
    #[serde(
        rename = "@context",
        skip_deserializing,
        skip_serializing_if = "Option::is_none"
    )]
    pub context: Option<&'static str>,
    /// Its id.
    #[serde(
        default,
        deserialize_with = "string",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    /// `Like`.
    #[serde(rename = "type", default)]
    pub kind: Kind,
    /// Who likes.
    #[serde(
        default,
        deserialize_with = "reference",
        skip_serializing_if = "Option::is_none"
    )]
    pub actor: Option<Reference>,
    /// The post.
    #[serde(
        default,
        deserialize_with = "reference",
        skip_serializing_if = "Option::is_none"
    )]
    pub object: Option<Reference>,
}

impl Like {
    /// `actor` likes `object`.
    pub fn new(id: &str, actor: &str, object: &str) -> Like {
        Like {
            context: None,
            id: Some(id.to_string()),
            kind: Kind::new("Like"),
            actor: Some(ObjectRef::Id(actor.to_string())),
            object: Some(ObjectRef::Id(object.to_string())),
        }
    }
}

super::activity!(Like);

/// `Announce`: a boost of a post, or (from a group, FEP-1b12) the
/// activity of one of its members shared with the group's followers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Announce {
    /// JSON-LD context, written on a top-level activity only.
    #[serde(
        rename = "@context",
        skip_deserializing,
        skip_serializing_if = "Option::is_none"
    )]
    pub context: Option<&'static str>,
    /// Its id.
    #[serde(
        default,
        deserialize_with = "string",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    /// `Announce`.
    #[serde(rename = "type", default)]
    pub kind: Kind,
    /// Who shares.
    #[serde(
        default,
        deserialize_with = "reference",
        skip_serializing_if = "Option::is_none"
    )]
    pub actor: Option<Reference>,
    /// When (RFC 3339).
    #[serde(
        default,
        deserialize_with = "string",
        skip_serializing_if = "Option::is_none"
    )]
    pub published: Option<String>,
    /// Primary audience.
    #[serde(default)]
    pub to: Audience,
    /// Secondary audience.
    #[serde(default)]
    pub cc: Audience,
    /// What is shared: a post, or an activity.
    #[serde(
        default,
        deserialize_with = "reference",
        skip_serializing_if = "Option::is_none"
    )]
    pub object: Option<ObjectRef<InnerActivity>>,
}

impl Announce {
    /// `actor` shares the post `object` at `published`.
    pub fn new(
        id: &str,
        actor: &str,
        published: String,
        to: Vec<String>,
        cc: Vec<String>,
        object: &str,
    ) -> Announce {
        Announce {
            context: None,
            id: Some(id.to_string()),
            kind: Kind::new("Announce"),
            actor: Some(ObjectRef::Id(actor.to_string())),
            published: Some(published),
            to: Audience(to),
            cc: Audience(cc),
            object: Some(ObjectRef::Id(object.to_string())),
        }
    }

    /// The id of the post shared: the object's, or, for a shared `Create`
    /// or `Update`, its object's (`""` when it names none). `None` when
    /// what is shared is neither a post nor a post's activity (a group
    /// relaying a like or a delete, say): such an announce is ignored.
    pub fn shared_post(&self) -> Option<&str> {
        match &self.object {
            None => Some(""),
            Some(ObjectRef::Id(id)) => Some(id),
            Some(ObjectRef::Object(inner)) => match inner.kind.as_str() {
                "Create" | "Update" => Some(inner.object_id().unwrap_or_default()),
                kind if is_post_type(kind) => Some(inner.id.as_deref().unwrap_or_default()),
                _ => None,
            },
        }
    }
}

super::activity!(Announce);
