//! `Block` and `Flag` (a report).

use super::refs::{ObjectRef, OneOrMany, Reference};

super::activity_on_object! {
    /// `Block` of an actor.
    Block,
    object: "Who is blocked."
}

super::activity! {
    /// `Flag`: a report of an actor and possibly some of their posts, all
    /// in `object`. Mastodon sends it from its instance actor.
    pub struct Flag {
        /// The reported actor and posts.
        #[serde(default)]
        pub object: OneOrMany<Reference>,
        /// The reporter's comment.
        #[serde(default, deserialize_with = "super::refs::string")]
        #[serde(skip_serializing_if = "Option::is_none")]
        pub content: Option<String>,
    }
}

impl Flag {
    /// The ids of the reported actor and posts.
    pub fn object_ids(&self) -> impl Iterator<Item = &str> {
        self.object.iter().filter_map(ObjectRef::id)
    }
}
