//! Building what a viewer sees of a post.

use crate::error::NodeResult;
use crate::id::Id;
use crate::model::{Member, Post, PostView};
use crate::node::{Node, Viewer};
use crate::store::tables;

impl Node {
    /// A post as `viewer` sees it (the caller has checked `can_view`).
    pub(crate) fn post_view(
        &self,
        viewer: &Viewer,
        post: &Post,
        author: &Member,
    ) -> NodeResult<PostView> {
        let (liked, bookmarked) = match viewer.id() {
            Some(me) => (
                self.store.has::<tables::Likes>((post.id, me))?,
                self.store.has::<tables::Bookmarks>((me, post.id))?,
            ),
            None => (false, false),
        };
        let mentions = self.summaries(post.mentions.iter().copied())?;
        let (group, pinned, locked) = match post.group {
            None => (None, false, false),
            Some(gid) => (
                self.member(gid)?.map(|g| Self::summary(&g)),
                post.in_reply_to.is_none()
                    && self.store.has::<tables::GroupPins>((gid, post.id))?,
                self.store.has::<tables::LockedThreads>(post.thread_root)?,
            ),
        };
        Ok(PostView {
            id: post.id,
            author: Self::summary(author),
            title: post.title.clone(),
            content: post.html.clone(),
            source: post.source.clone(),
            post_type: post.post_type,
            category: post.category.clone(),
            tags: post.tags.clone(),
            visibility: post.visibility,
            in_reply_to: post.in_reply_to,
            thread_root: post.thread_root,
            mentions,
            media: self.post_media(&post.media)?,
            spoiler_text: post.spoiler_text.clone(),
            sensitive: post.sensitive,
            language: post.language.clone(),
            in_reply_to_author: post.in_reply_to_author,
            created_at: post.created_at,
            edited_at: post.edited_at,
            likes_count: self.store.counter::<tables::LikeCount>(post.id)?,
            dislikes_count: self.store.counter::<tables::DislikeCount>(post.id)?,
            replies_count: self.store.counter::<tables::ReplyCount>(post.id)?,
            liked,
            bookmarked,
            boosts_count: self.store.counter::<tables::BoostCount>(post.id)?,
            boosted: match viewer.id() {
                Some(me) => self.store.has::<tables::Boosts>((post.id, me))?,
                None => false,
            },
            boost: None,
            remote_media: match (&post.remote, &author.remote) {
                (Some(r), Some(account)) if !r.attachments.is_empty() => {
                    let rejected = self
                        .domain_block_for(&account.domain)?
                        .is_some_and(|b| b.reject_media);
                    if rejected {
                        Vec::new()
                    } else {
                        r.attachments.clone()
                    }
                }
                _ => Vec::new(),
            },
            group,
            pinned,
            locked,
            remote: post.remote.as_ref().map(|r| crate::model::RemoteLink {
                uri: r.uri.clone(),
                url: if r.url.is_empty() {
                    r.uri.clone()
                } else {
                    r.url.clone()
                },
            }),
        })
    }

    /// One post (or boost, by its id), if the viewer may see it.
    pub fn post(&self, viewer: &Viewer, id: Id) -> NodeResult<PostView> {
        if let Some(boost) = self.boost_record(id)? {
            return self
                .boost_view(viewer, &boost)?
                .ok_or(crate::NodeError::NotFound("post"));
        }
        let (post, author) = self.visible_post(viewer, id)?;
        self.post_view(viewer, &post, &author)
    }

    /// A boost as the viewer sees it: the boosted post with `boost` set, if
    /// the viewer may see the post and the booster.
    pub(crate) fn boost_view(
        &self,
        viewer: &Viewer,
        boost: &crate::posts::Boost,
    ) -> NodeResult<Option<PostView>> {
        let Some(booster) = self.member(boost.member_id)? else {
            return Ok(None);
        };
        if booster.status != crate::model::MemberStatus::Active {
            return Ok(None);
        }
        if let Some(me) = viewer.id() {
            if self.blocked_either_way(me, booster.id)? {
                return Ok(None);
            }
        }
        let Ok((post, author)) = self.visible_post(viewer, boost.post_id) else {
            return Ok(None);
        };
        let mut view = self.post_view(viewer, &post, &author)?;
        view.boost = Some(crate::model::BoostInfo {
            id: boost.id,
            by: Self::summary(&booster),
            created_at: boost.created_at,
        });
        Ok(Some(view))
    }
}
