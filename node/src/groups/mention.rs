//! Posting in a group by mentioning it, as Mastodon users post in a Lemmy
//! community: a new top-level post that names no group and mentions one
//! of this node's groups is posted in that group.
//!
//! The choice is made in two steps. Before the write,
//! [`Node::group_by_mention`] picks the group from what the post says
//! (the first local group it mentions; the post public or unlisted; the
//! group taking discussions). Inside the write,
//! [`Node::settle_mentioned_group`] applies the posting rules that only
//! the write can read consistently (membership, bans, the posting
//! policy) and, where they refuse, takes the post out of the group
//! instead of refusing it.
//!
//! **Invariant:** a mention never makes a post fail. Naming a group
//! (`NewPost::group`) is a request to post there, and its refusals are
//! errors; mentioning one is addressing it, and a post the group would
//! refuse is published as an ordinary post, with its mention.

use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::{MemberStatus, Post, Visibility};
use crate::node::Node;
use crate::store::{tables, Txn};

impl Node {
    /// The group a new top-level post goes to because it mentions it:
    /// the first of `mentions` (ids in the order the text names them)
    /// that is an active group of this node, provided the post is
    /// `visibility` public or unlisted (a group's audience is the group,
    /// so a followers-only or direct post stays where its author put it)
    /// and the group takes discussions. `None` means an ordinary post.
    ///
    /// Another server's group (a Lemmy community) is not chosen: its
    /// mention is delivered to it, and it decides.
    pub(crate) fn group_by_mention(
        &self,
        mentions: &[Id],
        visibility: Visibility,
    ) -> NodeResult<Option<Id>> {
        if !matches!(visibility, Visibility::Public | Visibility::Unlisted) {
            return Ok(None);
        }
        for &id in mentions {
            let Some(account) = self.member(id)? else {
                continue;
            };
            if !account.is_group()
                || !account.is_local()
                || account.deleted_at.is_some()
                || account.status != MemberStatus::Active
            {
                continue;
            }
            // The first group mentioned decides, whether or not it takes
            // the post.
            let takes_discussions = self
                .store
                .load::<tables::Group>(id)?
                .is_some_and(|settings| settings.features.discussion);
            return Ok(takes_discussions.then_some(id));
        }
        Ok(None)
    }

    /// Inside the write that publishes `post`, whose group
    /// [`Node::group_by_mention`] chose: keeps it in the group when its
    /// author may post there (every rule of `check_group_post`: the group
    /// still there, the author a member, not banned, allowed to start a
    /// thread), and otherwise clears `post.group`, so that the post is
    /// published as an ordinary post. Only a failure to read the store
    /// fails the write.
    pub(crate) fn settle_mentioned_group(txn: &Txn<'_>, post: &mut Post) -> NodeResult<()> {
        let Some(gid) = post.group else {
            return Ok(());
        };
        match Self::check_group_post(txn, gid, post, post.author_id) {
            Ok(()) => Ok(()),
            Err(NodeError::Forbidden(_) | NodeError::NotFound(_)) => {
                post.group = None;
                Ok(())
            }
            Err(other) => Err(other),
        }
    }
}
