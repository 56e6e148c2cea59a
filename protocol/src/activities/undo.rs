//! `Undo` of a `Follow`, `Like`, `Announce` or `Block`.

use serde::de::DeserializeOwned;

use super::inner::InnerActivity;
use super::origin::OriginError;
use super::refs::ObjectRef;

super::activity! {
    /// `Undo`: the actor takes back one of its activities. Received with
    /// the undone activity read as an [`InnerActivity`]; sent with the
    /// activity itself.
    #[serde(bound(deserialize = "T: DeserializeOwned"))]
    pub struct Undo<T = InnerActivity> {
        /// What is taken back.
        #[serde(default = "Option::default", deserialize_with = "super::refs::reference")]
        #[serde(skip_serializing_if = "Option::is_none")]
        pub object: Option<ObjectRef<T>>,
    }
}

impl<T> Undo<T> {
    /// `actor` takes back `object`.
    pub fn new(id: &str, actor: &str, object: T) -> Undo<T> {
        Undo {
            object: Some(ObjectRef::Object(object)),
            ..Undo::of_kind("Undo", id, actor)
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
