//! An activity embedded in another (the object of an `Undo`, or what a
//! group's `Announce` shares), read for what the outer one needs.

use serde::{Deserialize, Serialize};

use super::refs::{reference, string, HasId, Kind, ObjectRef, Reference};

/// An embedded activity (or object): its id, type, actor, object and
/// target. Its object, when embedded, is read one level deeper as a
/// [`NestedActivity`] (a group's `Announce` of an `Undo` of a `Block`),
/// and no further.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InnerActivity {
    /// Its id.
    #[serde(
        default,
        deserialize_with = "string",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    /// Its type.
    #[serde(rename = "type", default)]
    pub kind: Kind,
    /// Its actor.
    #[serde(
        default,
        deserialize_with = "reference",
        skip_serializing_if = "Option::is_none"
    )]
    pub actor: Option<Reference>,
    /// Its object.
    #[serde(
        default,
        deserialize_with = "reference",
        skip_serializing_if = "Option::is_none"
    )]
    pub object: Option<ObjectRef<NestedActivity>>,
    /// Its target (the group of a ban, the collection of an `Add`).
    #[serde(
        default,
        deserialize_with = "reference",
        skip_serializing_if = "Option::is_none"
    )]
    pub target: Option<Reference>,
}

/// The object of an [`InnerActivity`], when embedded: its id, type, and
/// the ids of its actor, object and target.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NestedActivity {
    /// Its id.
    #[serde(
        default,
        deserialize_with = "string",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    /// Its type.
    #[serde(rename = "type", default)]
    pub kind: Kind,
    /// Its actor.
    #[serde(
        default,
        deserialize_with = "reference",
        skip_serializing_if = "Option::is_none"
    )]
    pub actor: Option<Reference>,
    /// Its object.
    #[serde(
        default,
        deserialize_with = "reference",
        skip_serializing_if = "Option::is_none"
    )]
    pub object: Option<Reference>,
    /// Its target.
    #[serde(
        default,
        deserialize_with = "reference",
        skip_serializing_if = "Option::is_none"
    )]
    pub target: Option<Reference>,
}

impl HasId for NestedActivity {
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
}

impl NestedActivity {
    /// The id of its actor.
    pub fn actor_id(&self) -> Option<&str> {
        self.actor.as_ref().and_then(ObjectRef::id)
    }

    /// The id of its object.
    pub fn object_id(&self) -> Option<&str> {
        self.object.as_ref().and_then(ObjectRef::id)
    }

    /// The id of its target.
    pub fn target_id(&self) -> Option<&str> {
        self.target.as_ref().and_then(ObjectRef::id)
    }
}

impl InnerActivity {
    /// The id of its target.
    pub fn target_id(&self) -> Option<&str> {
        self.target.as_ref().and_then(ObjectRef::id)
    }

    /// Its object, when embedded.
    pub fn nested(&self) -> Option<&NestedActivity> {
        self.object.as_ref().and_then(ObjectRef::object)
    }

    /// The id of its actor.
    pub fn actor_id(&self) -> Option<&str> {
        self.actor.as_ref().and_then(ObjectRef::id)
    }

    /// The id of its object.
    pub fn object_id(&self) -> Option<&str> {
        self.object.as_ref().and_then(ObjectRef::id)
    }
}

impl HasId for InnerActivity {
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
}
