//! `Undo` of a `Follow`, `Like`, `Announce` or `Block`.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::inner::InnerActivity;
use super::origin::OriginError;
use super::refs::{reference, string, Kind, ObjectRef, Reference};

/// `Undo`: the actor takes back one of its activities. Received with the
/// undone activity read as an [`InnerActivity`]; sent with the activity
/// itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "T: DeserializeOwned"))]
pub struct Undo<T = InnerActivity> {
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
    /// `Undo`.
    #[serde(rename = "type", default)]
    pub kind: Kind,
    /// Who takes it back.
    #[serde(
        default,
        deserialize_with = "reference",
        skip_serializing_if = "Option::is_none"
    )]
    pub actor: Option<Reference>,
    /// What is taken back.
    #[serde(
        default = "Option::default",
        deserialize_with = "reference",
        skip_serializing_if = "Option::is_none"
    )]
    pub object: Option<ObjectRef<T>>,
}

impl<T> Undo<T> {
    /// `actor` takes back `object`.
    pub fn new(id: &str, actor: &str, object: T) -> Undo<T> {
        Undo {
            context: None,
            id: Some(id.to_string()),
            kind: Kind::new("Undo"),
            actor: Some(ObjectRef::Id(actor.to_string())),
            object: Some(ObjectRef::Object(object)),
        }
    }
}

impl Undo {
    /// The undone activity, when it is embedded (one named by its id
    /// alone cannot be understood).
    pub fn undone(&self) -> Option<&InnerActivity> {
        self.object.as_ref().and_then(ObjectRef::object)
    }

    /// Checks that the undone activity, when it names its actor, is
    /// `actor`'s own.
    pub fn check_undone_actor(&self, actor: &str) -> Result<(), OriginError> {
        match self.undone().and_then(InnerActivity::actor_id) {
            Some(inner) if inner != actor => Err(OriginError::NotTheActor),
            _ => Ok(()),
        }
    }
}

super::activity!(Undo<T>);
