//! Blocks (cut all ties, hide both ways) and mutes (hide from my feeds).

use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::{now_ms, Relationship};
use crate::node::{Node, Viewer};
use crate::store::tables;

impl Node {
    /// Whether `a` blocks `b`.
    pub(crate) fn is_blocking(&self, a: Id, b: Id) -> NodeResult<bool> {
        self.store.has::<tables::Blocks>((a, b))
    }

    /// Whether `a` and `b` block each other in either direction.
    pub(crate) fn blocked_either_way(&self, a: Id, b: Id) -> NodeResult<bool> {
        Ok(self.is_blocking(a, b)? || self.is_blocking(b, a)?)
    }

    /// Whether `a` mutes `b`.
    pub(crate) fn is_muting(&self, a: Id, b: Id) -> NodeResult<bool> {
        self.store.has::<tables::Mutes>((a, b))
    }

    /// Blocks `username`: removes follows and requests both ways; neither
    /// sees the other's posts, and they cannot follow the viewer. A group
    /// is not blocked (422): one leaves it.
    pub async fn block(&self, viewer: &Viewer, username: &str) -> NodeResult<Relationship> {
        let me = viewer.member()?.id;
        let viewer_is_local = viewer.member()?.is_local();
        let target = self.named_member(username)?;
        if target.id == me {
            return Err(NodeError::invalid("username", "you cannot block yourself"));
        }
        if target.is_group() {
            // A block would end a membership past the group's rules (an
            // owner's included): leaving is how one parts with a group.
            return Err(NodeError::invalid(
                "username",
                "a group cannot be blocked; leave it instead",
            ));
        }
        self.write(|txn| {
            txn.store::<tables::Blocks>((me, target.id), &now_ms())?;
            txn.store::<tables::BlockedBy>((target.id, me), &())?;
            self.remove_follow(txn, me, target.id)?;
            self.remove_follow(txn, target.id, me)?;
            if !target.is_local() && viewer_is_local {
                self.federate(
                    txn,
                    crate::remote::Outgoing::Block {
                        blocker: me,
                        blocked: target.id,
                    },
                )?;
            }
            Ok(())
        })
        .await?;
        self.timelines.forget_following(me);
        self.timelines.forget_following(target.id);
        self.relationship(me, target.id)
    }

    /// Lifts a block.
    pub async fn unblock(&self, viewer: &Viewer, username: &str) -> NodeResult<Relationship> {
        let me = viewer.member()?.id;
        let viewer_is_local = viewer.member()?.is_local();
        let target = self.named_member(username)?;
        self.write(|txn| {
            let was_blocking = txn.has::<tables::Blocks>((me, target.id))?;
            txn.remove::<tables::Blocks>((me, target.id));
            txn.remove::<tables::BlockedBy>((target.id, me));
            if was_blocking && !target.is_local() && viewer_is_local {
                self.federate(
                    txn,
                    crate::remote::Outgoing::Unblock {
                        blocker: me,
                        blocked: target.id,
                    },
                )?;
            }
            Ok(())
        })
        .await?;
        self.relationship(me, target.id)
    }

    /// Mutes `username`: their posts and notifications stop reaching the viewer.
    pub async fn mute(&self, viewer: &Viewer, username: &str) -> NodeResult<Relationship> {
        let me = viewer.member()?.id;
        let target = self.named_member(username)?;
        if target.id == me {
            return Err(NodeError::invalid("username", "you cannot mute yourself"));
        }
        self.write(|txn| txn.store::<tables::Mutes>((me, target.id), &now_ms()))
            .await?;
        self.relationship(me, target.id)
    }

    /// Lifts a mute.
    pub async fn unmute(&self, viewer: &Viewer, username: &str) -> NodeResult<Relationship> {
        let me = viewer.member()?.id;
        let target = self.named_member(username)?;
        self.write(|txn| {
            txn.remove::<tables::Mutes>((me, target.id));
            Ok(())
        })
        .await?;
        self.relationship(me, target.id)
    }
}
