//! `Follow`, and its answers `Accept` and `Reject`.

use serde::{Deserialize, Serialize};

use super::refs::{reference, string, HasId, Kind, ObjectRef, Reference};

/// `Follow`: the actor asks to follow the object (an actor).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Follow {
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
    /// `Follow`.
    #[serde(rename = "type", default)]
    pub kind: Kind,
    /// Who follows.
    #[serde(
        default,
        deserialize_with = "reference",
        skip_serializing_if = "Option::is_none"
    )]
    pub actor: Option<Reference>,
    /// Who is followed.
    #[serde(
        default,
        deserialize_with = "reference",
        skip_serializing_if = "Option::is_none"
    )]
    pub object: Option<Reference>,
}

impl Follow {
    /// `actor` follows `object`.
    pub fn new(id: &str, actor: &str, object: &str) -> Follow {
        Follow {
            context: None,
            id: Some(id.to_string()),
            kind: Kind::new("Follow"),
            actor: Some(ObjectRef::Id(actor.to_string())),
            object: Some(ObjectRef::Id(object.to_string())),
        }
    }
}

impl HasId for Follow {
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
}

super::activity!(Follow);

/// `Accept` or `Reject` of a `Follow` (embedded, or named by its id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowAnswer {
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
    /// `Accept` or `Reject`.
    #[serde(rename = "type", default)]
    pub kind: Kind,
    /// Who answers (the followed actor).
    #[serde(
        default,
        deserialize_with = "reference",
        skip_serializing_if = "Option::is_none"
    )]
    pub actor: Option<Reference>,
    /// The `Follow` answered.
    #[serde(
        default,
        deserialize_with = "reference",
        skip_serializing_if = "Option::is_none"
    )]
    pub object: Option<ObjectRef<Follow>>,
}

impl FollowAnswer {
    /// `actor` accepts (or rejects) `follow`.
    pub fn new(accept: bool, id: &str, actor: &str, follow: Follow) -> FollowAnswer {
        FollowAnswer {
            context: None,
            id: Some(id.to_string()),
            kind: Kind::new(if accept { "Accept" } else { "Reject" }),
            actor: Some(ObjectRef::Id(actor.to_string())),
            object: Some(ObjectRef::Object(follow)),
        }
    }

    /// The follower the answer is for, when the `Follow` is embedded and
    /// names its actor.
    pub fn follower(&self) -> Option<&str> {
        self.object
            .as_ref()?
            .object()?
            .actor
            .as_ref()
            .and_then(ObjectRef::id)
    }

    /// The id of the `Follow` answered.
    pub fn follow_id(&self) -> Option<&str> {
        self.object.as_ref().and_then(ObjectRef::id)
    }
}

super::activity!(FollowAnswer);
