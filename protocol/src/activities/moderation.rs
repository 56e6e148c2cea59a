//! `Block` and `Flag` (a report).

use super::refs::{ObjectRef, OneOrMany, Reference};

super::activity! {
    /// `Block` of an actor: by a person, a personal block; with a
    /// `target` (Lemmy, FEP-1b12), a ban from that group by one of its
    /// moderators.
    pub struct Block {
        /// Who is blocked.
        #[serde(default, deserialize_with = "super::refs::reference")]
        #[serde(skip_serializing_if = "Option::is_none")]
        pub object: Option<Reference>,
        /// The group the ban is from (absent for a personal block).
        #[serde(default, deserialize_with = "super::refs::reference")]
        #[serde(skip_serializing_if = "Option::is_none")]
        pub target: Option<Reference>,
    }
}

impl Block {
    /// The personal `Block` `id` by `actor` of `object`.
    pub fn new(id: &str, actor: &str, object: &str) -> Block {
        Block {
            object: Some(ObjectRef::Id(object.to_string())),
            ..Block::of_kind("Block", id, actor)
        }
    }

    /// The ban `id` by the moderator `actor` of `object` from the group
    /// `target` (Lemmy's `Block` with a `target`).
    pub fn ban(id: &str, actor: &str, object: &str, target: &str) -> Block {
        Block {
            target: Some(ObjectRef::Id(target.to_string())),
            ..Block::new(id, actor, object)
        }
    }

    /// Whether this is a ban from a group rather than a personal block.
    pub fn is_group_ban(&self) -> bool {
        self.target.as_ref().and_then(ObjectRef::id).is_some()
    }
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

super::activity_on_object! {
    /// `Lock` of a thread by one of its group's moderators (Lemmy): no
    /// more replies. Undone by `Undo(Lock)`.
    Lock,
    object: "The thread's first post."
}

super::activity! {
    /// `Add` (or `Remove`) of a post to (from) a group's `featured`
    /// collection by one of its moderators: a pin (or unpin), as Lemmy
    /// federates them.
    pub struct AddOrRemove {
        /// The post.
        #[serde(default, deserialize_with = "super::refs::reference")]
        #[serde(skip_serializing_if = "Option::is_none")]
        pub object: Option<Reference>,
        /// The collection.
        #[serde(default, deserialize_with = "super::refs::reference")]
        #[serde(skip_serializing_if = "Option::is_none")]
        pub target: Option<Reference>,
    }
}

impl AddOrRemove {
    /// `Add` (`add`) or `Remove` `id` by `actor` of `object` to or from
    /// the collection `target`.
    pub fn new(add: bool, id: &str, actor: &str, object: &str, target: &str) -> AddOrRemove {
        let kind = if add { "Add" } else { "Remove" };
        AddOrRemove {
            object: Some(ObjectRef::Id(object.to_string())),
            target: Some(ObjectRef::Id(target.to_string())),
            ..AddOrRemove::of_kind(kind, id, actor)
        }
    }
}
