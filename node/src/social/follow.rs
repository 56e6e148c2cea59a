//! Follow, unfollow, and follow requests for locked accounts.

use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::{now_ms, NotificationKind, Relationship};
use crate::node::{counter, Node, Viewer};
use crate::store::{Key, Space, Txn};

/// How many of a newly followed member's recent posts join the home feed.
const BACKFILL_POSTS: usize = 40;

impl Node {
    /// Whether `a` follows `b` (accepted).
    pub(crate) fn is_following(&self, a: Id, b: Id) -> NodeResult<bool> {
        self.store.contains(&Key::new(Space::Following).id(a).id(b))
    }

    /// Follows `username`. A locked account gets a follow request instead.
    /// Following someone you already follow (or asked to) changes nothing.
    pub async fn follow(&self, viewer: &Viewer, username: &str) -> NodeResult<Relationship> {
        let me = viewer.member()?.id;
        let target = self.active_member_by_name(username)?;
        if target.id == me {
            return Err(NodeError::invalid("username", "you cannot follow yourself"));
        }
        if self.is_blocking(target.id, me)? {
            return Err(NodeError::Forbidden("this member has blocked you"));
        }
        if self.is_blocking(me, target.id)? {
            return Err(NodeError::Forbidden("unblock this member first"));
        }
        let backfill = self.recent_post_ids(target.id, BACKFILL_POSTS)?;
        let now = now_ms();
        self.store
            .write(|txn| {
                if txn.contains(&Key::new(Space::Following).id(me).id(target.id))? {
                    return Ok(());
                }
                let request = Key::new(Space::FollowRequests).id(target.id).id(me);
                if target.locked {
                    if !txn.contains(&request)? {
                        txn.put(request, &now)?;
                        self.notify(txn, target.id, NotificationKind::FollowRequest, me, None)?;
                    }
                    return Ok(());
                }
                self.add_follow(txn, me, target.id, &backfill)
            })
            .await?;
        self.relationship(me, target.id)
    }

    /// Writes an accepted follow: both edges, counters, a notification, and
    /// the followee's recent posts into the follower's home feed.
    fn add_follow(&self, txn: &mut Txn<'_>, follower: Id, followee: Id, backfill: &[Id]) -> NodeResult<()> {
        let now = now_ms();
        txn.put(Key::new(Space::Following).id(follower).id(followee), &now)?;
        txn.put(Key::new(Space::Followers).id(followee).id(follower), &now)?;
        txn.delete(Key::new(Space::FollowRequests).id(followee).id(follower));
        txn.add(counter::key(counter::FOLLOWING, follower), 1)?;
        txn.add(counter::key(counter::FOLLOWERS, followee), 1)?;
        for post in backfill {
            txn.put_raw(Key::new(Space::Home).id(follower).id(*post), Vec::new());
        }
        self.notify(txn, followee, NotificationKind::Followed, follower, None)
    }

    /// Removes an accepted follow (both edges and counters), if present.
    pub(crate) fn remove_follow(&self, txn: &mut Txn<'_>, follower: Id, followee: Id) -> NodeResult<()> {
        let edge = Key::new(Space::Following).id(follower).id(followee);
        if txn.contains(&edge)? {
            txn.delete(edge);
            txn.delete(Key::new(Space::Followers).id(followee).id(follower));
            txn.add(counter::key(counter::FOLLOWING, follower), -1)?;
            txn.add(counter::key(counter::FOLLOWERS, followee), -1)?;
        }
        txn.delete(Key::new(Space::FollowRequests).id(followee).id(follower));
        Ok(())
    }

    /// Stops following `username` (or withdraws a pending request). Their
    /// posts leave the home feed (filtered when it is read).
    pub async fn unfollow(&self, viewer: &Viewer, username: &str) -> NodeResult<Relationship> {
        let me = viewer.member()?.id;
        let target = self.member_by_name(username)?.ok_or(NodeError::NotFound("member"))?;
        self.store
            .write(|txn| self.remove_follow(txn, me, target.id))
            .await?;
        self.relationship(me, target.id)
    }

    /// Approves `username`'s request to follow the viewer.
    pub async fn approve_follow_request(&self, viewer: &Viewer, username: &str) -> NodeResult<Relationship> {
        let me = viewer.member()?.id;
        let requester = self.member_by_name(username)?.ok_or(NodeError::NotFound("follow request"))?;
        let backfill = self.recent_post_ids(me, BACKFILL_POSTS)?;
        self.store
            .write(|txn| {
                let request = Key::new(Space::FollowRequests).id(me).id(requester.id);
                if !txn.contains(&request)? {
                    return Err(NodeError::NotFound("follow request"));
                }
                self.add_follow(txn, requester.id, me, &backfill)
            })
            .await?;
        self.relationship(me, requester.id)
    }

    /// Rejects `username`'s request to follow the viewer.
    pub async fn reject_follow_request(&self, viewer: &Viewer, username: &str) -> NodeResult<Relationship> {
        let me = viewer.member()?.id;
        let requester = self.member_by_name(username)?.ok_or(NodeError::NotFound("follow request"))?;
        self.store
            .write(|txn| {
                let request = Key::new(Space::FollowRequests).id(me).id(requester.id);
                if !txn.contains(&request)? {
                    return Err(NodeError::NotFound("follow request"));
                }
                txn.delete(request);
                Ok(())
            })
            .await?;
        self.relationship(me, requester.id)
    }

    /// Ids of a member's newest posts (any visibility; home reads filter).
    fn recent_post_ids(&self, author: Id, n: usize) -> NodeResult<Vec<Id>> {
        self.store
            .prefix(&Key::new(Space::AuthorPosts).id(author), true)
            .take(n)
            .map(|item| {
                let (key, _) = item?;
                Key::trailing_id(&key).ok_or_else(|| NodeError::Internal("bad index key".into()))
            })
            .collect()
    }
}
