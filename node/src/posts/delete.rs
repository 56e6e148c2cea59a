//! Deleting a post: by its author, or by a moderator.

use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::Role;
use crate::node::{counter, Node, Viewer};
use crate::store::{Key, Space};

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
        let mut boosters = Vec::new();
        let media = self.post_media(&post.media)?;
        let gone = std::sync::Arc::new(post.clone());
        self.write(|txn| {
            if !txn.contains(&Key::new(Space::Post).id(id))? {
                return Err(NodeError::NotFound("post"));
            }
            txn.delete(Key::new(Space::Post).id(id));
            txn.emit(crate::events::Event::PostDeleted {
                id,
                seen_by: crate::events::Deleted {
                    post: Some(gone.clone()),
                    booster: None,
                },
            });
            txn.delete(Key::new(Space::AuthorPosts).id(post.author_id).id(id));
            self.index_listing(txn, &post, false)?;
            self.index_words(txn, &post, false);
            if let Some(parent) = post.in_reply_to {
                txn.delete(Key::new(Space::Replies).id(parent).id(id));
                txn.add_raw(counter::key(counter::REPLIES, parent), -1)?;
            }
            let likes: Vec<_> = txn
                .prefix(&Key::new(Space::Likes).id(id), false)
                .collect::<Result<_, _>>()?;
            for (key, like_id) in likes {
                let (Some(member), Some(like)) = (
                    key.get(17..33).and_then(Id::from_slice),
                    Id::from_slice(&like_id),
                ) else {
                    continue;
                };
                txn.delete(Key::new(Space::Likes).id(id).id(member));
                txn.delete(Key::new(Space::MemberLikes).id(member).id(like));
            }
            let boosts: Vec<_> = txn
                .prefix(&Key::new(Space::Boosts).id(id), false)
                .collect::<Result<_, _>>()?;
            for (key, value) in boosts {
                let member = key.get(17..33).and_then(Id::from_slice);
                let boost = crate::store::decode_value::<Id>(&value).ok();
                if let (Some(member), Some(boost)) = (member, boost) {
                    self.remove_boost(txn, id, member, boost, Some(gone.clone()))?;
                    boosters.push(member);
                }
            }
            for media in &post.media {
                txn.delete(Key::new(Space::Media).id(*media));
            }
            txn.delete(counter::key(counter::BOOSTS, id));
            txn.delete(counter::key(counter::LIKES, id));
            txn.delete(counter::key(counter::REPLIES, id));
            txn.add_raw(counter::key(counter::POSTS, post.author_id), -1)?;
            if post.remote.is_none() {
                txn.add_raw(counter::global(counter::NODE_POSTS), -1)?;
            }
            if post.remote.is_none() && post.visibility == crate::model::Visibility::Public {
                self.gossip_if_on(
                    txn,
                    crate::gossip::GossipIntent::DeletePost {
                        author: post.author_id,
                        post: post.id,
                    },
                )?;
            }
            if post.remote.is_none()
                && self.has_remote_audience(
                    txn,
                    post.author_id,
                    &post.mentions,
                    post.in_reply_to_author,
                )?
            {
                self.federate(
                    txn,
                    crate::remote::Outgoing::Delete {
                        post: post.id,
                        author: post.author_id,
                        visibility: post.visibility,
                        mentions: post.mentions.clone(),
                        in_reply_to_author: post.in_reply_to_author,
                    },
                )?;
            }
            Ok(())
        })
        .await?;
        self.timelines.forget_recent(post.author_id);
        self.remove_media_files(&media);
        for member in boosters {
            self.timelines.forget_recent(member);
        }
        tracing::info!(post = %id, by = %me.username, "post deleted");
        Ok(())
    }
}
