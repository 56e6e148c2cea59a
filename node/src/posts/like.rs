//! Likes and bookmarks.

use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::{NotificationKind, PostView};
use crate::node::{counter, Node, Viewer};
use crate::remote::Outgoing;
use crate::store::{Key, Space};

impl Node {
    /// Likes a post the viewer can see (again: no change).
    pub async fn like(&self, viewer: &Viewer, id: Id) -> NodeResult<PostView> {
        let me = viewer.member()?.id;
        let viewer_is_local = viewer.member()?.is_local();
        let (post, author) = self.visible_post(viewer, id)?;
        let like_id = self.ids.next();
        self.write(|txn| {
            let key = Key::new(Space::Likes).id(id).id(me);
            if txn.contains(&key)? {
                return Ok(());
            }
            txn.put_raw(key, like_id.to_bytes().to_vec());
            txn.put_raw(
                Key::new(Space::MemberLikes).id(me).id(like_id),
                id.to_bytes().to_vec(),
            );
            txn.add_raw(counter::key(counter::LIKES, id), 1)?;
            if post.remote.is_some() && viewer_is_local {
                self.federate(
                    txn,
                    Outgoing::Like {
                        member: me,
                        post: id,
                    },
                )?;
            }
            self.notify(txn, post.author_id, NotificationKind::Liked, me, Some(id))
        })
        .await?;
        self.post_view(viewer, &post, &author)
    }

    /// Removes the viewer's like (none: no change).
    pub async fn unlike(&self, viewer: &Viewer, id: Id) -> NodeResult<PostView> {
        let me = viewer.member()?.id;
        let viewer_is_local = viewer.member()?.is_local();
        let (post, author) = self.visible_post(viewer, id)?;
        self.write(|txn| {
            let key = Key::new(Space::Likes).id(id).id(me);
            let like_id = match txn.prefix(&key, false).next() {
                Some(item) => item?.1,
                None => return Ok(()),
            };
            let like_id = Id::from_slice(&like_id)
                .ok_or_else(|| NodeError::Internal("bad like id".into()))?;
            txn.delete(key);
            txn.delete(Key::new(Space::MemberLikes).id(me).id(like_id));
            txn.add_raw(counter::key(counter::LIKES, id), -1)?;
            if post.remote.is_some() && viewer_is_local {
                self.federate(
                    txn,
                    Outgoing::Unlike {
                        member: me,
                        post: id,
                    },
                )?;
            }
            Ok(())
        })
        .await?;
        self.post_view(viewer, &post, &author)
    }

    /// Members who liked a post the viewer can see (cursor: member id).
    pub fn liked_by(
        &self,
        viewer: &Viewer,
        id: Id,
        req: &crate::PageRequest,
    ) -> NodeResult<crate::Page<crate::model::MemberSummary>> {
        self.visible_post(viewer, id)?;
        self.member_list(&Key::new(Space::Likes).id(id), req)
    }

    /// Bookmarks a post the viewer can see (again: no change).
    pub async fn bookmark(&self, viewer: &Viewer, id: Id) -> NodeResult<PostView> {
        let me = viewer.member()?.id;
        let (post, author) = self.visible_post(viewer, id)?;
        let bookmark_id = self.ids.next();
        self.write(|txn| {
            let key = Key::new(Space::Bookmarks).id(me).id(id);
            if txn.contains(&key)? {
                return Ok(());
            }
            txn.put_raw(key, bookmark_id.to_bytes().to_vec());
            txn.put_raw(
                Key::new(Space::MemberBookmarks).id(me).id(bookmark_id),
                id.to_bytes().to_vec(),
            );
            Ok(())
        })
        .await?;
        self.post_view(viewer, &post, &author)
    }

    /// Removes a bookmark (none: no change). Works on deleted posts too.
    pub async fn unbookmark(&self, viewer: &Viewer, id: Id) -> NodeResult<()> {
        let me = viewer.member()?.id;
        self.write(|txn| {
            let key = Key::new(Space::Bookmarks).id(me).id(id);
            let Some(item) = txn.prefix(&key, false).next() else {
                return Ok(());
            };
            let bookmark_id = Id::from_slice(&item?.1)
                .ok_or_else(|| NodeError::Internal("bad bookmark id".into()))?;
            txn.delete(key);
            txn.delete(Key::new(Space::MemberBookmarks).id(me).id(bookmark_id));
            Ok(())
        })
        .await
    }
}
