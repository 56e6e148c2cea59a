//! Boosts (Mastodon's reblogs, ActivityPub's Announce): sharing someone's
//! public or unlisted post with your own followers.
//!
//! A boost has its own id and sits in the booster's `AuthorPosts` index
//! (the value holds the boosted post's id), so home feeds and profiles show
//! it in time order with no extra index.

use crate::store::tables;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::{NodeError, NodeResult};
use crate::events::{Deleted, Event};
use crate::id::Id;
use crate::model::{now_ms, NotificationKind, Post, PostView, Visibility};
use crate::node::{Node, Viewer};

/// A stored boost.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Boost {
    /// The boost's own id.
    pub id: Id,
    /// Who boosted.
    pub member_id: Id,
    /// What was boosted.
    pub post_id: Id,
    /// When (ms).
    pub created_at: i64,
}

impl Node {
    /// Boosts a post the viewer can see. Only public and unlisted posts can
    /// be boosted (boosting would widen a narrower audience). Boosting twice
    /// returns the first boost.
    pub async fn boost(&self, viewer: &Viewer, id: Id) -> NodeResult<PostView> {
        let me = viewer.member()?.id;
        let viewer_is_local = viewer.member()?.is_local();
        let (post, author) = self.visible_post(viewer, id)?;
        if !matches!(post.visibility, Visibility::Public | Visibility::Unlisted) {
            return Err(NodeError::Forbidden(
                "only public and unlisted posts can be boosted",
            ));
        }
        if let Some(group) = post.group {
            if self.group_is_private(group)? {
                return Err(NodeError::Forbidden(
                    "a private group's posts cannot be boosted",
                ));
            }
        }
        let boost = Boost {
            id: self.ids.next(),
            member_id: me,
            post_id: id,
            created_at: now_ms(),
        };
        let boost_id = self
            .write(|txn| {
                let index = (id, me);
                if let Some(existing) = txn.load::<tables::Boosts>(index)? {
                    return Ok(existing);
                }
                txn.store::<tables::Boosts>(index, &boost.id)?;
                txn.store::<tables::Boost>(boost.id, &boost)?;
                txn.store::<tables::AuthorPosts>((me, boost.id), &Some(id))?;
                txn.add::<tables::BoostCount>(id, 1)?;
                self.points_for_share(txn, &post, me, boost.id, false)?;
                if viewer_is_local {
                    self.note_active(txn, me)?;
                    self.count_interaction(txn, crate::insights::Interaction::Boost)?;
                    self.federate(
                        txn,
                        crate::remote::Outgoing::Announce {
                            member: me,
                            post: id,
                            boost: boost.id,
                        },
                    )?;
                }
                self.notify(txn, post.author_id, NotificationKind::Boosted, me, Some(id))?;
                txn.emit(Event::PostCreated {
                    id: boost.id,
                    author: me,
                });
                Ok(boost.id)
            })
            .await?;
        self.timelines.note_post(me, boost_id);
        let _ = author;
        self.post(viewer, boost_id)
    }

    /// Removes the viewer's boost of a post (none: no change); returns the post.
    pub async fn unboost(&self, viewer: &Viewer, id: Id) -> NodeResult<PostView> {
        let me = viewer.member()?.id;
        let viewer_is_local = viewer.member()?.is_local();
        let (post, author) = self.visible_post(viewer, id)?;
        let seen_as = std::sync::Arc::new(post.clone());
        let removed = self
            .write(|txn| {
                let index = (id, me);
                let Some(boost_id) = txn.load::<tables::Boosts>(index)? else {
                    return Ok(false);
                };
                self.remove_boost(txn, id, me, boost_id, Some(seen_as.clone()))?;
                self.points_for_share(txn, &post, me, boost_id, true)?;
                if viewer_is_local {
                    self.federate(
                        txn,
                        crate::remote::Outgoing::UndoAnnounce {
                            member: me,
                            post: id,
                            boost: boost_id,
                        },
                    )?;
                }
                Ok(true)
            })
            .await?;
        if removed {
            self.timelines.forget_recent(me);
        }
        self.post_view(viewer, &post, &author)
    }

    /// Stages the removal of one boost. `boosted` is the boosted post as it
    /// is (or was, when it is being deleted in the same write): its
    /// audience is the boost's, told of the delete (`None`: only the
    /// booster is).
    pub(crate) fn remove_boost(
        &self,
        txn: &mut crate::store::Txn<'_>,
        post: Id,
        member: Id,
        boost: Id,
        boosted: Option<Arc<Post>>,
    ) -> NodeResult<()> {
        txn.remove::<tables::Boosts>((post, member));
        txn.remove::<tables::Boost>(boost);
        txn.remove::<tables::AuthorPosts>((member, boost));
        txn.add::<tables::BoostCount>(post, -1)?;
        txn.emit(Event::PostDeleted {
            id: boost,
            seen_by: Deleted {
                post: boosted,
                booster: Some(member),
            },
        });
        Ok(())
    }

    /// Members who boosted a post the viewer can see (cursor: member id).
    pub fn boosted_by(
        &self,
        viewer: &Viewer,
        id: Id,
        req: &crate::PageRequest,
    ) -> NodeResult<crate::Page<crate::model::MemberSummary>> {
        self.visible_post(viewer, id)?;
        self.member_list::<tables::Boosts>(id, req)
    }

    /// The boost with this id, if there is one.
    pub(crate) fn boost_record(&self, id: Id) -> NodeResult<Option<Boost>> {
        self.store.load::<tables::Boost>(id)
    }
}
