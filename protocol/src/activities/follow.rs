//! `Follow`, and its answers `Accept` and `Reject`.

use super::refs::ObjectRef;

super::activity_on_object! {
    /// `Follow`: the actor asks to follow the object (an actor).
    Follow,
    object: "Who is followed."
}

super::activity! {
    /// `Accept` or `Reject` of a `Follow` (embedded, or named by its id),
    /// by the followed actor.
    pub struct FollowAnswer {
        /// The `Follow` answered.
        #[serde(default, deserialize_with = "super::refs::reference")]
        #[serde(skip_serializing_if = "Option::is_none")]
        pub object: Option<ObjectRef<Follow>>,
    }
}

impl FollowAnswer {
    /// `actor` accepts (or rejects) `follow`.
    pub fn new(accept: bool, id: &str, actor: &str, follow: Follow) -> FollowAnswer {
        let kind = if accept { "Accept" } else { "Reject" };
        FollowAnswer {
            object: Some(ObjectRef::Object(follow)),
            ..FollowAnswer::of_kind(kind, id, actor)
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

super::activity_on_object! {
    /// `Join` of an event (Mobilizon): a request to take part.
    Join,
    object: "The event."
}

super::activity_on_object! {
    /// `Leave` of an event (Mobilizon): a participation withdrawn.
    Leave,
    object: "The event."
}
