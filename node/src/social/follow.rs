//! Follow, unfollow, and follow requests for locked accounts.

use crate::error::{NodeError, NodeResult};
use crate::gossip::GossipIntent;
use crate::id::Id;
use crate::model::{now_ms, NotificationKind, Relationship};
use crate::node::{Node, Viewer};
use crate::store::{tables, Txn};

impl Node {
    /// Whether `a` follows `b` (accepted).
    pub(crate) fn is_following(&self, a: Id, b: Id) -> NodeResult<bool> {
        self.store.has::<tables::Following>((a, b))
    }

    /// Follows `username` (or a `did:key:…`). A locked account gets a follow request instead.
    /// Following someone you already follow (or asked to) changes nothing.
    /// Following a group joins it ([`Node::join_group`]).
    pub async fn follow(&self, viewer: &Viewer, username: &str) -> NodeResult<Relationship> {
        let me = viewer.member()?.id;
        let target = if username.starts_with("did:key:") {
            // Followed by key alone: its records come over gossip, whether
            // or not its home server is up.
            let member = self.member_for_did(username).await?;
            if member.status != crate::model::MemberStatus::Active || member.deleted_at.is_some() {
                return Err(NodeError::NotFound("member"));
            }
            member
        } else {
            self.active_member_by_name(username)?
        };
        if target.is_group() && target.is_local() {
            // Following a group is joining it, under the group's rules.
            self.join_group(viewer, &target.username).await?;
            return self.relationship(me, target.id);
        }
        if target.is_group() && self.store.has::<tables::GroupBans>((target.id, me))? {
            // A group of another server banned this member: it said so.
            return Err(NodeError::Forbidden("banned from this group"));
        }
        if target.id == me {
            return Err(NodeError::invalid("username", "you cannot follow yourself"));
        }
        if self.is_blocking(target.id, me)? {
            return Err(NodeError::Forbidden("this member has blocked you"));
        }
        if self.is_blocking(me, target.id)? {
            return Err(NodeError::Forbidden("unblock this member first"));
        }
        let now = now_ms();
        self.write(|txn| {
            if txn.has::<tables::Following>((me, target.id))? {
                return Ok(());
            }
            let request = (target.id, me);
            let gossip_only = target.remote.as_ref().is_some_and(|r| r.gossip_only);
            if gossip_only && !target.locked {
                // No server has confirmed this account yet, so nobody can
                // answer an ActivityPub Follow: its public records are
                // followed over gossip.
                self.add_follow(txn, me, target.id)?;
                return self.gossip_if_on(
                    txn,
                    GossipIntent::Follow {
                        follower: me,
                        followee: target.id,
                    },
                );
            }
            if !target.is_local() {
                if !txn.has::<tables::FollowRequests>(request)? {
                    txn.store::<tables::FollowRequests>(request, &now)?;
                    let activity_id = self.urls().follow(self.ids.next());
                    txn.store::<tables::FollowActivity>((target.id, me), &activity_id)?;
                    if !gossip_only {
                        self.federate(
                            txn,
                            crate::remote::Outgoing::Follow {
                                follower: me,
                                followee: target.id,
                                activity_id,
                            },
                        )?;
                    }
                    self.gossip_if_on(
                        txn,
                        GossipIntent::Follow {
                            follower: me,
                            followee: target.id,
                        },
                    )?;
                }
                return Ok(());
            }
            if target.locked {
                if !txn.has::<tables::FollowRequests>(request)? {
                    txn.store::<tables::FollowRequests>(request, &now)?;
                    self.notify(txn, target.id, NotificationKind::FollowRequest, me, None)?;
                }
                return Ok(());
            }
            self.add_follow(txn, me, target.id)?;
            self.gossip_if_on(
                txn,
                GossipIntent::Follow {
                    follower: me,
                    followee: target.id,
                },
            )
        })
        .await?;
        self.timelines.forget_following(me);
        self.relationship(me, target.id)
    }

    /// Writes an accepted follow: both edges, counters and a notification.
    pub(crate) fn add_follow(
        &self,
        txn: &mut Txn<'_>,
        follower: Id,
        followee: Id,
    ) -> NodeResult<()> {
        self.add_follow_edge(txn, follower, followee)?;
        self.notify(txn, followee, NotificationKind::Followed, follower, None)
    }

    /// Writes an accepted follow without notifying the followee (a group
    /// account, which nobody signs in as, is told nothing).
    pub(crate) fn add_follow_edge(
        &self,
        txn: &mut Txn<'_>,
        follower: Id,
        followee: Id,
    ) -> NodeResult<()> {
        let now = now_ms();
        txn.store::<tables::Following>((follower, followee), &now)?;
        txn.store::<tables::Followers>((followee, follower), &now)?;
        txn.remove::<tables::FollowRequests>((followee, follower));
        txn.add::<tables::FollowingCount>(follower, 1)?;
        txn.add::<tables::FollowerCount>(followee, 1)?;
        Ok(())
    }

    /// Removes an accepted follow (both edges and counters), if present.
    pub(crate) fn remove_follow(
        &self,
        txn: &mut Txn<'_>,
        follower: Id,
        followee: Id,
    ) -> NodeResult<()> {
        let edge = (follower, followee);
        if txn.has::<tables::Following>(edge)? {
            txn.remove::<tables::Following>(edge);
            txn.remove::<tables::Followers>((followee, follower));
            txn.add::<tables::FollowingCount>(follower, -1)?;
            txn.add::<tables::FollowerCount>(followee, -1)?;
            // A member who leaves a group is no longer told of its posts.
            txn.remove::<tables::GroupPostAlerts>((followee, follower));
        }
        txn.remove::<tables::FollowRequests>((followee, follower));
        Ok(())
    }

    /// Stops following `username` (or withdraws a pending request). Their
    /// posts leave the home feed (filtered when it is read).
    pub async fn unfollow(&self, viewer: &Viewer, username: &str) -> NodeResult<Relationship> {
        let me = viewer.member()?.id;
        let target = self.named_member(username)?;
        if target.is_group() && target.is_local() {
            // Unfollowing a group is leaving it (the owner cannot).
            self.leave_group(viewer, &target.username).await?;
            return self.relationship(me, target.id);
        }
        self.write(|txn| {
            let was_asked = txn.has::<tables::Following>((me, target.id))?
                || txn.has::<tables::FollowRequests>((target.id, me))?;
            self.remove_follow(txn, me, target.id)?;
            if was_asked {
                self.gossip_if_on(
                    txn,
                    GossipIntent::Unfollow {
                        follower: me,
                        followee: target.id,
                    },
                )?;
            }
            let activity = (target.id, me);
            if let (false, true, Some(activity_id)) = (
                target.is_local(),
                was_asked,
                txn.load::<tables::FollowActivity>(activity)?,
            ) {
                txn.remove::<tables::FollowActivity>(activity);
                self.federate(
                    txn,
                    crate::remote::Outgoing::UndoFollow {
                        follower: me,
                        followee: target.id,
                        activity_id,
                    },
                )?;
            }
            Ok(())
        })
        .await?;
        self.timelines.forget_following(me);
        self.relationship(me, target.id)
    }

    /// Approves `username`'s request to follow the viewer.
    pub async fn approve_follow_request(
        &self,
        viewer: &Viewer,
        username: &str,
    ) -> NodeResult<Relationship> {
        self.answer_follow_request(viewer, username, true).await
    }

    /// Rejects `username`'s request to follow the viewer.
    pub async fn reject_follow_request(
        &self,
        viewer: &Viewer,
        username: &str,
    ) -> NodeResult<Relationship> {
        self.answer_follow_request(viewer, username, false).await
    }

    /// Approves (`accept`) or rejects `username`'s request to follow the
    /// viewer, and tells a remote requester.
    async fn answer_follow_request(
        &self,
        viewer: &Viewer,
        username: &str,
        accept: bool,
    ) -> NodeResult<Relationship> {
        let me = viewer.member()?.id;
        let requester = self.follow_requester(username)?;
        self.write(|txn| {
            pending_request(txn, me, requester.id)?;
            if !accept {
                txn.remove::<tables::FollowRequests>((me, requester.id));
            } else {
                self.add_follow(txn, requester.id, me)?;
                if requester.is_local() {
                    self.gossip_if_on(
                        txn,
                        GossipIntent::Follow {
                            follower: requester.id,
                            followee: me,
                        },
                    )?;
                }
            }
            self.answer_remote_follow(txn, requester.id, me, accept)
        })
        .await?;
        if accept {
            self.timelines.forget_following(requester.id);
        }
        self.relationship(me, requester.id)
    }

    /// The member `username`, as the author of a follow request.
    fn follow_requester(&self, username: &str) -> NodeResult<crate::model::Member> {
        self.member_by_name(username)?
            .ok_or(NodeError::NotFound("follow request"))
    }

    /// Queues an Accept or Reject for a remote account's follow of `me`
    /// (nothing when `follower` is no remote account that asked).
    pub(crate) fn answer_remote_follow(
        &self,
        txn: &mut Txn<'_>,
        follower: Id,
        me: Id,
        accept: bool,
    ) -> NodeResult<()> {
        let Some(activity_id) = txn.load::<tables::FollowActivity>((me, follower))? else {
            return Ok(());
        };
        let intent = if accept {
            crate::remote::Outgoing::Accept {
                follower,
                followee: me,
                activity_id,
            }
        } else {
            crate::remote::Outgoing::Reject {
                follower,
                followee: me,
                activity_id,
            }
        };
        self.federate(txn, intent)
    }
}

/// Fails with "follow request not found" unless `requester` asked to
/// follow `me`.
fn pending_request(txn: &Txn<'_>, me: Id, requester: Id) -> NodeResult<()> {
    if txn.has::<tables::FollowRequests>((me, requester))? {
        Ok(())
    } else {
        Err(NodeError::NotFound("follow request"))
    }
}
