//! Likes and bookmarks.

use crate::error::NodeResult;
use crate::id::Id;
use crate::model::{NotificationKind, PostView};
use crate::node::{Node, Viewer};
use crate::remote::Outgoing;
use crate::store::tables;

impl Node {
    /// Likes a post the viewer can see (again: no change).
    pub async fn like(&self, viewer: &Viewer, id: Id) -> NodeResult<PostView> {
        let me = viewer.member()?.id;
        let viewer_is_local = viewer.member()?.is_local();
        let (post, author) = self.visible_post(viewer, id)?;
        let like_id = self.ids.next();
        self.write(|txn| {
            let key = (id, me);
            if txn.has::<tables::Likes>(key)? {
                return Ok(());
            }
            txn.store::<tables::Likes>(key, &like_id)?;
            txn.store::<tables::MemberLikes>((me, like_id), &id)?;
            txn.add::<tables::LikeCount>(id, 1)?;
            if viewer_is_local {
                self.note_active(txn, me)?;
                self.count_interaction(txn, crate::insights::Interaction::Like)?;
            }
            self.points_for_like(txn, &post, me, like_id, false)?;
            if post.remote.is_some() && viewer_is_local {
                self.federate(
                    txn,
                    Outgoing::Like {
                        member: me,
                        post: id,
                    },
                )?;
            }
            self.announce_in_group(
                txn,
                &post,
                crate::remote::GroupActivity::Like {
                    member: me,
                    post: id,
                    undone: false,
                    dislike: false,
                },
            )?;
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
            let key = (id, me);
            let Some(like_id) = txn.load::<tables::Likes>(key)? else {
                return Ok(());
            };
            txn.remove::<tables::Likes>(key);
            txn.remove::<tables::MemberLikes>((me, like_id));
            txn.add::<tables::LikeCount>(id, -1)?;
            self.points_for_like(txn, &post, me, like_id, true)?;
            self.announce_in_group(
                txn,
                &post,
                crate::remote::GroupActivity::Like {
                    member: me,
                    post: id,
                    undone: true,
                    dislike: false,
                },
            )?;
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
        self.member_list::<tables::Likes>(id, req)
    }

    /// Bookmarks a post the viewer can see (again: no change).
    pub async fn bookmark(&self, viewer: &Viewer, id: Id) -> NodeResult<PostView> {
        let me = viewer.member()?.id;
        let (post, author) = self.visible_post(viewer, id)?;
        let bookmark_id = self.ids.next();
        self.write(|txn| {
            let key = (me, id);
            if txn.has::<tables::Bookmarks>(key)? {
                return Ok(());
            }
            txn.store::<tables::Bookmarks>(key, &bookmark_id)?;
            txn.store::<tables::MemberBookmarks>((me, bookmark_id), &id)?;
            Ok(())
        })
        .await?;
        self.post_view(viewer, &post, &author)
    }

    /// Removes a bookmark (none: no change). Works on deleted posts too.
    pub async fn unbookmark(&self, viewer: &Viewer, id: Id) -> NodeResult<()> {
        let me = viewer.member()?.id;
        self.write(|txn| {
            let key = (me, id);
            let Some(bookmark_id) = txn.load::<tables::Bookmarks>(key)? else {
                return Ok(());
            };
            txn.remove::<tables::Bookmarks>(key);
            txn.remove::<tables::MemberBookmarks>((me, bookmark_id));
            Ok(())
        })
        .await
    }
}
