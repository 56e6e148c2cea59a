//! Deleting a post: by its author, or by a moderator.

use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::{Post, Role};
use crate::node::{Node, Viewer};
use crate::store::{tables, Txn};

impl Node {
    /// Deletes a post with its indexes, likes and counters. Bookmark and
    /// notification entries that point at it are skipped when read. Replies stay (their parent shows as gone).
    pub async fn delete_post(&self, viewer: &Viewer, id: Id) -> NodeResult<()> {
        let me = viewer.member()?;
        let (post, _) = self.visible_post(viewer, id)?;
        if post.author_id != me.id && !viewer.has_role(Role::Moderator) {
            return Err(NodeError::Forbidden(
                "only the author or a moderator can delete a post",
            ));
        }
        self.erase_post(viewer, post, |_| Ok(())).await
    }

    /// Deletes `post` in one write with everything that points at it, and
    /// `also` (a group moderator's checks and logs) in the same write; an
    /// error from `also` leaves everything as it was.
    pub(crate) async fn erase_post(
        &self,
        viewer: &Viewer,
        post: Post,
        also: impl FnOnce(&mut Txn<'_>) -> NodeResult<()>,
    ) -> NodeResult<()> {
        let me = viewer.member()?;
        let id = post.id;
        let mut boosters = Vec::new();
        let media = self.post_media(&post.media)?;
        let gone = std::sync::Arc::new(post.clone());
        self.write(|txn| {
            if !txn.has::<tables::Post>(id)? {
                return Err(NodeError::NotFound("post"));
            }
            also(txn)?;
            self.points_for_post_removed(txn, &post)?;
            // Read before the post goes: a private group's post was never
            // gossiped or federated, so no delete is sent either.
            let members_only = Self::members_only(txn, &post)?;
            txn.remove::<tables::Post>(id);
            txn.emit(crate::events::Event::PostDeleted {
                id,
                seen_by: crate::events::Deleted {
                    post: Some(gone.clone()),
                    booster: None,
                },
            });
            txn.remove::<tables::AuthorPosts>((post.author_id, id));
            self.remove_group_entries(txn, &post)?;
            self.index_listing(txn, &post, false)?;
            self.index_words(txn, &post, false)?;
            if let Some(parent) = post.in_reply_to {
                txn.remove::<tables::Replies>((parent, id));
                txn.add::<tables::ReplyCount>(parent, -1)?;
            }
            let likes: Vec<_> = txn
                .scan::<tables::Likes>((id,), false)
                .each_value()
                .collect::<Result<_, _>>()?;
            for ((_, member), like) in likes {
                // An unreadable entry is skipped (the post goes regardless).
                let Ok(like) = like else {
                    continue;
                };
                txn.remove::<tables::Likes>((id, member));
                txn.remove::<tables::MemberLikes>((member, like));
            }
            let boosts: Vec<_> = txn
                .scan::<tables::Boosts>((id,), false)
                .each_value()
                .collect::<Result<_, _>>()?;
            for ((_, member), boost) in boosts {
                // An unreadable entry is skipped (the post goes regardless).
                if let Ok(boost) = boost {
                    self.remove_boost(txn, id, member, boost, Some(gone.clone()))?;
                    boosters.push(member);
                }
            }
            for media in &post.media {
                txn.remove::<tables::Media>(*media);
            }
            txn.remove::<tables::BoostCount>(id);
            txn.remove::<tables::LikeCount>(id);
            let dislikes: Vec<_> = txn
                .scan::<tables::Dislikes>((id,), false)
                .keys()
                .collect::<Result<_, _>>()?;
            for key in dislikes {
                txn.remove::<tables::Dislikes>(key);
            }
            txn.remove::<tables::DislikeCount>(id);
            txn.remove::<tables::ReplyCount>(id);
            txn.add::<tables::PostCount>(post.author_id, -1)?;
            if post.remote.is_none() {
                txn.add::<tables::PostTotal>((), -1)?;
            }
            if post.remote.is_none()
                && !members_only
                && post.visibility == crate::model::Visibility::Public
            {
                self.gossip_if_on(
                    txn,
                    crate::gossip::GossipIntent::DeletePost {
                        author: post.author_id,
                        post: post.id,
                    },
                )?;
            }
            let in_remote_group = Self::in_remote_group(txn, &post)?;
            if post.remote.is_none()
                && !members_only
                && (in_remote_group
                    || self.has_remote_audience(
                        txn,
                        post.author_id,
                        &post.mentions,
                        post.in_reply_to_author,
                    )?)
            {
                self.federate(
                    txn,
                    crate::remote::Outgoing::Delete {
                        post: post.id,
                        author: post.author_id,
                        visibility: post.visibility,
                        mentions: post.mentions.clone(),
                        in_reply_to_author: post.in_reply_to_author,
                        group: post.group.filter(|_| in_remote_group),
                    },
                )?;
            }
            if !members_only && post.group.is_some() {
                let object = match &post.remote {
                    Some(r) => r.uri.clone(),
                    None => match txn.load::<tables::Member>(post.author_id)? {
                        Some(author) => self.urls().post(&author.username, post.id),
                        None => String::new(),
                    },
                };
                if !object.is_empty() {
                    let by = (me.id != post.author_id).then_some(me.id);
                    self.announce_in_group(
                        txn,
                        &post,
                        crate::remote::GroupActivity::Delete {
                            object,
                            author: post.author_id,
                            by,
                        },
                    )?;
                }
            }
            Ok(())
        })
        .await?;
        self.timelines.forget_recent(post.author_id);
        if let Some(group) = post.group {
            self.timelines.forget_recent(group);
        }
        self.remove_media_files(&media);
        for member in boosters {
            self.timelines.forget_recent(member);
        }
        tracing::info!(post = %id, by = %me.username, "post deleted");
        Ok(())
    }
}
