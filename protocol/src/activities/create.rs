//! `Create` and `Update` of an object, and `Delete`.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::object::PostObject;
use super::origin::{check_same_origin, OriginError};
use super::refs::{string, Audience, HasId, Kind, ObjectRef};
use crate::activitystreams::Note;

super::activity! {
    /// `Create` or `Update`: the actor publishes or changes the object (a
    /// post, or the actor itself). Received with the object read as a
    /// [`PostObject`]; sent with a `Note` or an `Actor`.
    #[serde(bound(deserialize = "T: DeserializeOwned"))]
    pub struct CreateOrUpdate<T = PostObject> {
        /// When (RFC 3339), for a post.
        #[serde(default, deserialize_with = "super::refs::string")]
        #[serde(skip_serializing_if = "Option::is_none")]
        pub published: Option<String>,
        /// Primary audience.
        #[serde(default)]
        pub to: Audience,
        /// Secondary audience, for a post.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub cc: Option<Audience>,
        /// The object.
        #[serde(default = "Option::default", deserialize_with = "super::refs::reference")]
        #[serde(skip_serializing_if = "Option::is_none")]
        pub object: Option<ObjectRef<T>>,
    }
}

impl CreateOrUpdate {
    /// The id of the object.
    pub fn object_id(&self) -> Option<&str> {
        self.object.as_ref().and_then(ObjectRef::id)
    }

    /// The object, when it is embedded.
    pub fn embedded(&self) -> Option<&PostObject> {
        self.object.as_ref().and_then(ObjectRef::object)
    }

    /// Checks that the object changed is on `actor`'s server.
    pub fn check_object_origin(&self, actor: &str) -> Result<(), OriginError> {
        check_same_origin(self.object_id().unwrap_or_default(), actor)
    }
}

impl CreateOrUpdate<Note> {
    /// The `Create` or `Update` (`kind`) of a post by its author,
    /// addressed as the post is.
    pub fn of_post(kind: &str, id: String, note: Note) -> CreateOrUpdate<Note> {
        let activity = CreateOrUpdate::of_kind(kind, &id, &note.attributed_to);
        CreateOrUpdate {
            published: Some(note.published.clone()),
            to: Audience(note.to.clone()),
            cc: Some(Audience(note.cc.clone())),
            object: Some(ObjectRef::Object(note)),
            ..activity
        }
    }
}

super::activity! {
    /// `Delete` of a post (named, or as a `Tombstone`) or of the actor
    /// itself.
    pub struct Delete {
        /// Primary audience.
        #[serde(default)]
        pub to: Audience,
        /// What is deleted.
        #[serde(default, deserialize_with = "super::refs::reference")]
        #[serde(skip_serializing_if = "Option::is_none")]
        pub object: Option<ObjectRef<Tombstone>>,
    }
}

impl Delete {
    /// `actor` deletes `object`, addressed to `to`.
    pub fn new(id: &str, actor: &str, to: Vec<String>, object: ObjectRef<Tombstone>) -> Delete {
        Delete {
            to: Audience(to),
            object: Some(object),
            ..Delete::of_kind("Delete", id, actor)
        }
    }

    /// The id of what is deleted.
    pub fn object_id(&self) -> Option<&str> {
        self.object.as_ref().and_then(ObjectRef::id)
    }

    /// Checks that what is deleted is on `actor`'s server.
    pub fn check_object_origin(&self, actor: &str) -> Result<(), OriginError> {
        check_same_origin(self.object_id().unwrap_or_default(), actor)
    }
}

/// What stands in for a deleted object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tombstone {
    /// The deleted object's id.
    #[serde(default, deserialize_with = "string")]
    pub id: Option<String>,
    /// `Tombstone` (or the deleted object's type).
    #[serde(rename = "type", default)]
    pub kind: Kind,
}

impl Tombstone {
    /// The tombstone of `id`.
    pub fn new(id: &str) -> Tombstone {
        Tombstone {
            id: Some(id.to_string()),
            kind: Kind::new("Tombstone"),
        }
    }
}

impl HasId for Tombstone {
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
}
