//! Building what a viewer sees of a post.

use crate::error::NodeResult;
use crate::id::Id;
use crate::model::{Member, Post, PostView};
use crate::node::{counter, Node, Viewer};
use crate::store::{Key, Space};

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
                self.store
                    .contains(&Key::new(Space::Likes).id(post.id).id(me))?,
                self.store
                    .contains(&Key::new(Space::Bookmarks).id(me).id(post.id))?,
            ),
            None => (false, false),
        };
        let mentions = self.summaries(post.mentions.iter().copied())?;
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
            spoiler_text: post.spoiler_text.clone(),
            sensitive: post.sensitive,
            language: post.language.clone(),
            in_reply_to_author: post.in_reply_to_author,
            created_at: post.created_at,
            edited_at: post.edited_at,
            likes_count: self.store.counter(&counter::key(counter::LIKES, post.id))?,
            replies_count: self
                .store
                .counter(&counter::key(counter::REPLIES, post.id))?,
            liked,
            bookmarked,
        })
    }

    /// One post, if the viewer may see it.
    pub fn post(&self, viewer: &Viewer, id: Id) -> NodeResult<PostView> {
        let (post, author) = self.visible_post(viewer, id)?;
        self.post_view(viewer, &post, &author)
    }
}
