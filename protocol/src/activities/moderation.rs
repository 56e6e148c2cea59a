//! `Block` and `Flag` (a report).

use serde::{Deserialize, Serialize};

use super::refs::{reference, string, Kind, ObjectRef, OneOrMany, Reference};

/// `Block` of an actor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Block {
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
    /// `Block`.
    #[serde(rename = "type", default)]
    pub kind: Kind,
    /// Who blocks.
    #[serde(
        default,
        deserialize_with = "reference",
        skip_serializing_if = "Option::is_none"
    )]
    pub actor: Option<Reference>,
    /// Who is blocked.
    #[serde(
        default,
        deserialize_with = "reference",
        skip_serializing_if = "Option::is_none"
    )]
    pub object: Option<Reference>,
}

impl Block {
    /// `actor` blocks `object`.
    pub fn new(id: &str, actor: &str, object: &str) -> Block {
        Block {
            context: None,
            id: Some(id.to_string()),
            kind: Kind::new("Block"),
            actor: Some(ObjectRef::Id(actor.to_string())),
            object: Some(ObjectRef::Id(object.to_string())),
        }
    }
}

super::activity!(Block);

/// `Flag`: a report of an actor and possibly some of their posts, all in
/// `object`. Mastodon sends it from its instance actor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flag {
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
    /// `Flag`.
    #[serde(rename = "type", default)]
    pub kind: Kind,
    /// Who reports.
    #[serde(
        default,
        deserialize_with = "reference",
        skip_serializing_if = "Option::is_none"
    )]
    pub actor: Option<Reference>,
    /// The reported actor and posts.
    #[serde(default)]
    pub object: OneOrMany<Reference>,
    /// The reporter's comment.
    #[serde(
        default,
        deserialize_with = "string",
        skip_serializing_if = "Option::is_none"
    )]
    pub content: Option<String>,
}

impl Flag {
    /// The ids of the reported actor and posts.
    pub fn object_ids(&self) -> impl Iterator<Item = &str> {
        self.object.iter().filter_map(ObjectRef::id)
    }
}

super::activity!(Flag);
