//! Who may see a post. Every read path goes through [`Node::can_view`].

use crate::error::NodeResult;
use crate::id::Id;
use crate::model::{Member, MemberStatus, Post, PostView, Role, Visibility};
use crate::node::{Node, Viewer};
use crate::store::tables;

impl Node {
    /// Whether `viewer` may see `post` by `author`:
    /// - a suspended author's posts are visible to moderators only;
    /// - the author always sees their own posts;
    /// - blocks in either direction hide the post;
    /// - a post in a private group: its members and the node's moderators
    ///   only, whatever its own visibility (a group whose settings cannot
    ///   be read counts as private);
    /// - public and unlisted: everyone; followers: accepted followers and
    ///   mentioned members; direct: mentioned members only.
    ///
    /// This is the one place that decides; feeds, threads, search,
    /// notifications, streaming and the pages all ask it.
    pub(crate) fn can_view(
        &self,
        viewer: &Viewer,
        post: &Post,
        author: &Member,
    ) -> NodeResult<bool> {
        if author.status == MemberStatus::Suspended && !viewer.has_role(Role::Moderator) {
            return Ok(false);
        }
        let private_group = match post.group {
            Some(group) => self.group_is_private(group)?,
            None => false,
        };
        let Some(me) = viewer.id() else {
            return Ok(!private_group
                && matches!(post.visibility, Visibility::Public | Visibility::Unlisted));
        };
        if me == post.author_id {
            return Ok(true);
        }
        if self.blocked_either_way(me, post.author_id)? {
            return Ok(false);
        }
        if let (true, Some(group)) = (private_group, post.group) {
            if !viewer.has_role(Role::Moderator) && !self.is_following(me, group)? {
                return Ok(false);
            }
        }
        Ok(match post.visibility {
            Visibility::Public | Visibility::Unlisted => true,
            Visibility::Followers => {
                post.mentions.contains(&me) || self.is_following(me, post.author_id)?
            }
            Visibility::Direct => post.mentions.contains(&me),
        })
    }

    /// Whether a post (one the viewer may see) belongs in public listings
    /// and streams (local, federated, tags): public, and not in a private
    /// group.
    pub fn is_listed(&self, post: &PostView) -> NodeResult<bool> {
        if post.visibility != Visibility::Public {
            return Ok(false);
        }
        match &post.group {
            Some(group) => Ok(!self.group_is_private(group.id)?),
            None => Ok(true),
        }
    }

    /// Whether the posts of `group` are for its members only: a private
    /// group, or one whose settings are gone (fail closed).
    /// A group of another server is not (its posts are as addressed).
    pub(crate) fn group_is_private(&self, group: Id) -> NodeResult<bool> {
        let settings = self.store.load::<tables::Group>(group)?;
        // The account is read only when there are no settings (a group of
        // another server has none).
        let account = match settings {
            Some(_) => None,
            None => self.store.load::<tables::Member>(group)?,
        };
        Ok(crate::groups::posts_are_private(
            settings.as_ref(),
            account.as_ref(),
        ))
    }

    /// Whether `viewer` could have seen a post or boost that was just
    /// deleted, from what its [`crate::events::Event::PostDeleted`]
    /// carries: [`Node::can_view`] applied to the post as it was (a boost:
    /// the boosted post, and the booster not blocked either way, as
    /// `boost_view` shows it). Streams tell only such viewers of a delete.
    pub fn could_have_seen(
        &self,
        viewer: &Viewer,
        deleted: &crate::events::Deleted,
    ) -> NodeResult<bool> {
        if let (Some(booster), Some(me)) = (deleted.booster, viewer.id()) {
            if me == booster {
                return Ok(true);
            }
            if self.blocked_either_way(me, booster)? {
                return Ok(false);
            }
        }
        let Some(post) = &deleted.post else {
            return Ok(false);
        };
        match self.member(post.author_id)? {
            Some(author) => self.can_view(viewer, post, &author),
            None => Ok(false),
        }
    }
}
