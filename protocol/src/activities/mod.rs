//! ActivityPub activities as typed values: one type per activity Kodeon
//! sends or receives, each next to the checks of who may send it.
//!
//! Received activities are read at the inbox, before anything else is
//! done with them, into an [`InboundActivity`]: their `type` (a string,
//! or the first of a list), read first, picks the variant the body is then
//! read as, and an activity of a type not listed here is kept
//! as [`InboundActivity::Unsupported`] (accepted, and ignored). Sent
//! activities are built from the same types and serialised. Kodeon
//! forwards no activity, so properties it does not read are dropped.
//!
//! Adding an activity: a type declared with `activity!` (or, for one
//! done to an object named by its id, `activity_on_object!`) in the file
//! of its family, with its constructor and origin checks, a variant of
//! [`InboundActivity`] and its line in [`InboundActivity::parse`] if it
//! is received.

use serde::Deserialize;

mod actor;
mod attestation;
mod collection;
mod course;
mod create;
mod event;
mod follow;
mod inner;
mod moderation;
mod object;
mod origin;
mod reactions;
mod refs;
mod undo;

#[cfg(test)]
mod tests;

pub use actor::{ActorDocument, ActorEndpoints, ActorKey, ActorMultikey, Icon};
pub use attestation::{
    attestation_context, embedded_attestation, is_attestation, AttestationObject,
    AttestationObjectError, ATTESTATION_TYPE,
};
pub use collection::Collection;
pub use course::{course_context, iso_duration, CourseObject, Offer, COURSE_NAMESPACE};
pub use create::{CreateOrUpdate, Delete, Tombstone};
pub use event::{EventAttachment, EventObject, EventTag, Place, PostalAddress, ONLINE_ADDRESS};
pub use follow::{Follow, FollowAnswer, Join, Leave};
pub use inner::{InnerActivity, NestedActivity};
pub use moderation::{AddOrRemove, Block, Flag, Lock};
pub use object::{is_post_type, ObjectHeader, PostAttachment, PostObject, PostTag, POST_TYPES};
pub use origin::{check_same_origin, OriginError};
pub use reactions::{Announce, Dislike, Like};
pub use refs::{Audience, HasId, Identified, Kind, ObjectRef, OneOrMany, Reference};
pub use undo::Undo;

/// The JSON-LD context of an activity.
pub const CONTEXT: &str = "https://www.w3.org/ns/activitystreams";

/// What every activity has: an id, an actor, and a context when it is
/// sent on its own.
pub trait Activity {
    /// Its id.
    fn id(&self) -> Option<&str>;
    /// The id of its actor.
    fn actor_id(&self) -> Option<&str>;
    /// The activity with its JSON-LD context (for one sent on its own,
    /// not embedded in another).
    fn with_context(self) -> Self;
}

/// Declares an activity: a struct with what every activity has
/// (`@context`, `id`, `type` and `actor`) followed by its own properties,
/// its [`Activity`] and [`HasId`] impls, and `of_kind`, the activity
/// about to be sent with its other properties empty.
macro_rules! activity {
    (
        $(#[$attr:meta])*
        pub struct $name:ident $(<$param:ident = $default:ty>)? {
            $($(#[$field_attr:meta])* pub $field:ident: $field_type:ty,)*
        }
    ) => {
        #[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
        $(#[$attr])*
        pub struct $name$(<$param = $default>)? {
            /// JSON-LD context, written on a top-level activity only.
            #[serde(rename = "@context", skip_deserializing)]
            #[serde(skip_serializing_if = "Option::is_none")]
            pub context: Option<&'static str>,
            /// Its id.
            #[serde(default, deserialize_with = "crate::activities::refs::string")]
            #[serde(skip_serializing_if = "Option::is_none")]
            pub id: Option<String>,
            /// Its type.
            #[serde(rename = "type", default)]
            pub kind: $crate::activities::Kind,
            /// Who does it.
            #[serde(default, deserialize_with = "crate::activities::refs::reference")]
            #[serde(skip_serializing_if = "Option::is_none")]
            pub actor: Option<$crate::activities::Reference>,
            $($(#[$field_attr])* pub $field: $field_type,)*
        }

        impl$(<$param>)? $name$(<$param>)? {
            /// The activity `id` of type `kind` by `actor`, its other
            /// properties empty.
            pub fn of_kind(kind: &str, id: &str, actor: &str) -> Self {
                $name {
                    context: None,
                    id: Some(id.to_string()),
                    kind: $crate::activities::Kind::new(kind),
                    actor: Some($crate::activities::ObjectRef::Id(actor.to_string())),
                    $($field: Default::default(),)*
                }
            }
        }

        impl$(<$param>)? $crate::activities::HasId for $name$(<$param>)? {
            fn id(&self) -> Option<&str> {
                self.id.as_deref()
            }
        }

        impl$(<$param>)? $crate::activities::Activity for $name$(<$param>)? {
            fn id(&self) -> Option<&str> {
                self.id.as_deref()
            }

            fn actor_id(&self) -> Option<&str> {
                self.actor
                    .as_ref()
                    .and_then($crate::activities::ObjectRef::id)
            }

            fn with_context(mut self) -> Self {
                self.context = Some($crate::activities::CONTEXT);
                self
            }
        }
    };
}
use activity;

/// Declares, with [`activity!`], an activity whose only property of its
/// own is the object it is done to (given its doc), and its constructor
/// `new`, which names the object by its id.
macro_rules! activity_on_object {
    ($(#[$attr:meta])* $name:ident, object: $object_doc:literal) => {
        $crate::activities::activity! {
            $(#[$attr])*
            pub struct $name {
                #[doc = $object_doc]
                #[serde(default, deserialize_with = "crate::activities::refs::reference")]
                #[serde(skip_serializing_if = "Option::is_none")]
                pub object: Option<$crate::activities::Reference>,
            }
        }

        impl $name {
            #[doc = concat!("The `", stringify!($name), "` `id` by `actor` of `object`.")]
            pub fn new(id: &str, actor: &str, object: &str) -> $name {
                $name {
                    object: Some($crate::activities::ObjectRef::Id(object.to_string())),
                    ..$name::of_kind(stringify!($name), id, actor)
                }
            }
        }
    };
}
use activity_on_object;

/// Why a body is not an activity.
#[derive(Debug, thiserror::Error)]
pub enum ActivityError {
    /// Not JSON, or JSON of a shape no activity has.
    #[error("not JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// What every received activity is read for first: its type, id and
/// actor. An activity of an unsupported type is kept as this alone.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Envelope {
    /// Its id.
    #[serde(default, deserialize_with = "refs::string")]
    pub id: Option<String>,
    /// Its type.
    #[serde(rename = "type", default)]
    pub kind: Kind,
    /// Its actor.
    #[serde(default, deserialize_with = "refs::reference")]
    pub actor: Option<Reference>,
}

/// A received activity.
#[derive(Debug, Clone, PartialEq)]
pub enum InboundActivity {
    /// A follow request.
    Follow(Follow),
    /// A follow request accepted.
    Accept(FollowAnswer),
    /// A follow request refused (or a follower removed).
    Reject(FollowAnswer),
    /// An activity taken back.
    Undo(Undo),
    /// A post published.
    Create(CreateOrUpdate),
    /// A post or the actor changed.
    Update(CreateOrUpdate),
    /// A post or the actor deleted.
    Delete(Delete),
    /// A like.
    Like(Like),
    /// A downvote (Lemmy).
    Dislike(Dislike),
    /// A request to take part in an event (Mobilizon).
    Join(Join),
    /// A participation in an event withdrawn (Mobilizon).
    Leave(Leave),
    /// A boost, or a group sharing a post.
    Announce(Announce),
    /// A block.
    Block(Block),
    /// A report.
    Flag(Flag),
    /// A certificate offered to the member it was issued to (Kodeon).
    Offer(Offer),
    /// Any other type: accepted and ignored.
    Unsupported(Envelope),
}

impl InboundActivity {
    /// Reads a request body: its `type` picks the variant, then the body
    /// is read as that activity.
    pub fn parse(body: &[u8]) -> Result<InboundActivity, ActivityError> {
        let envelope: Envelope = serde_json::from_slice(body)?;
        Ok(match envelope.kind.as_str() {
            "Follow" => InboundActivity::Follow(serde_json::from_slice(body)?),
            "Accept" => InboundActivity::Accept(serde_json::from_slice(body)?),
            "Reject" => InboundActivity::Reject(serde_json::from_slice(body)?),
            "Undo" => InboundActivity::Undo(serde_json::from_slice(body)?),
            "Create" => InboundActivity::Create(serde_json::from_slice(body)?),
            "Update" => InboundActivity::Update(serde_json::from_slice(body)?),
            "Delete" => InboundActivity::Delete(serde_json::from_slice(body)?),
            "Like" => InboundActivity::Like(serde_json::from_slice(body)?),
            "Dislike" => InboundActivity::Dislike(serde_json::from_slice(body)?),
            "Join" => InboundActivity::Join(serde_json::from_slice(body)?),
            "Leave" => InboundActivity::Leave(serde_json::from_slice(body)?),
            "Announce" => InboundActivity::Announce(serde_json::from_slice(body)?),
            "Block" => InboundActivity::Block(serde_json::from_slice(body)?),
            "Flag" => InboundActivity::Flag(serde_json::from_slice(body)?),
            "Offer" => InboundActivity::Offer(serde_json::from_slice(body)?),
            _ => InboundActivity::Unsupported(envelope),
        })
    }

    /// Its id (`None` when it has none, or not a string).
    pub fn id(&self) -> Option<&str> {
        match self {
            InboundActivity::Follow(a) => Activity::id(a),
            InboundActivity::Accept(a) | InboundActivity::Reject(a) => Activity::id(a),
            InboundActivity::Undo(a) => Activity::id(a),
            InboundActivity::Create(a) | InboundActivity::Update(a) => Activity::id(a),
            InboundActivity::Delete(a) => Activity::id(a),
            InboundActivity::Like(a) => Activity::id(a),
            InboundActivity::Dislike(a) => Activity::id(a),
            InboundActivity::Join(a) => Activity::id(a),
            InboundActivity::Leave(a) => Activity::id(a),
            InboundActivity::Announce(a) => Activity::id(a),
            InboundActivity::Block(a) => Activity::id(a),
            InboundActivity::Flag(a) => Activity::id(a),
            InboundActivity::Offer(a) => Activity::id(a),
            InboundActivity::Unsupported(e) => e.id.as_deref(),
        }
    }

    /// The id of its actor.
    pub fn actor_id(&self) -> Option<&str> {
        match self {
            InboundActivity::Follow(a) => a.actor_id(),
            InboundActivity::Accept(a) | InboundActivity::Reject(a) => a.actor_id(),
            InboundActivity::Undo(a) => a.actor_id(),
            InboundActivity::Create(a) | InboundActivity::Update(a) => a.actor_id(),
            InboundActivity::Delete(a) => a.actor_id(),
            InboundActivity::Like(a) => a.actor_id(),
            InboundActivity::Dislike(a) => a.actor_id(),
            InboundActivity::Join(a) => a.actor_id(),
            InboundActivity::Leave(a) => a.actor_id(),
            InboundActivity::Announce(a) => a.actor_id(),
            InboundActivity::Block(a) => a.actor_id(),
            InboundActivity::Flag(a) => a.actor_id(),
            InboundActivity::Offer(a) => a.actor_id(),
            InboundActivity::Unsupported(e) => e.actor.as_ref().and_then(ObjectRef::id),
        }
    }

    /// Checks that its id, when it has one, is on its actor's server.
    pub fn check_id_origin(&self) -> Result<(), OriginError> {
        match self.id().filter(|id| !id.is_empty()) {
            Some(id) => check_same_origin(id, self.actor_id().unwrap_or_default()),
            None => Ok(()),
        }
    }
}
