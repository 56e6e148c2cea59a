//! `Like` and `Announce` (a boost, or a group sharing a member's post).

use super::inner::InnerActivity;
use super::object::is_post_type;
use super::refs::{Audience, ObjectRef};

super::activity_on_object! {
    /// `Like` of a post.
    Like,
    object: "The post."
}

super::activity_on_object! {
    /// `Dislike` of a post (Lemmy's downvote).
    Dislike,
    object: "The post."
}

super::activity! {
    /// `Announce`: a boost of a post, or (from a group, FEP-1b12) the
    /// activity of one of its members shared with the group's followers.
    pub struct Announce {
        /// When (RFC 3339).
        #[serde(default, deserialize_with = "super::refs::string")]
        #[serde(skip_serializing_if = "Option::is_none")]
        pub published: Option<String>,
        /// Primary audience.
        #[serde(default)]
        pub to: Audience,
        /// Secondary audience.
        #[serde(default)]
        pub cc: Audience,
        /// What is shared: a post, or an activity.
        #[serde(default, deserialize_with = "super::refs::reference")]
        #[serde(skip_serializing_if = "Option::is_none")]
        pub object: Option<ObjectRef<InnerActivity>>,
    }
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
            published: Some(published),
            to: Audience(to),
            cc: Audience(cc),
            object: Some(ObjectRef::Id(object.to_string())),
            ..Announce::of_kind("Announce", id, actor)
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
