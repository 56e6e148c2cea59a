//! Feeds: home, local, tag, category, a member's posts, bookmarks, likes.
//! All newest first, all cursor-paginated, all filtered through `can_view`.

mod home;
mod page;
pub(crate) mod timeline_cache;

pub use page::{scan, scan_entries, Page, PageRequest, DEFAULT_LIMIT, MAX_LIMIT};

use std::collections::HashMap;

use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::{Member, Post, PostView};
use crate::node::{Node, Viewer};
use crate::store::codec::IdBytes;
use crate::store::parts::{IdTail, KeyArg};
use crate::store::{tables, Table};
use crate::validate;

/// Which of a member's posts to list (all by default).
#[derive(Debug, Clone, Copy, Default)]
pub struct MemberPostsFilter {
    /// Leave out comments (replies).
    pub exclude_replies: bool,
    /// Leave out boosts.
    pub exclude_boosts: bool,
    /// Only posts with media attachments.
    pub only_media: bool,
}

/// One feed entry as filters see it: the post, and who put it in the feed
/// (its author, or the member who boosted it).
pub struct FeedEntry<'a> {
    /// The post.
    pub post: &'a Post,
    /// Its author, or the booster.
    pub by: Id,
    /// Whether the entry is a boost.
    pub boost: bool,
    /// Whether `by` is silenced (read from the page's author cache).
    pub by_silenced: bool,
}

/// Per-request cache of authors, so a page loads each author once.
pub(crate) struct Authors<'a> {
    node: &'a Node,
    cache: HashMap<Id, Option<Member>>,
}

impl<'a> Authors<'a> {
    pub(crate) fn new(node: &'a Node) -> Self {
        Authors {
            node,
            cache: HashMap::new(),
        }
    }

    fn get(&mut self, id: Id) -> NodeResult<Option<&Member>> {
        if !self.cache.contains_key(&id) {
            let m = self.node.member(id)?;
            self.cache.insert(id, m);
        }
        Ok(self.cache.get(&id).and_then(|m| m.as_ref()))
    }
}

impl Node {
    /// Public top-level posts of this node.
    pub fn local_feed(&self, viewer: &Viewer, req: &PageRequest) -> NodeResult<Page<PostView>> {
        self.post_feed::<tables::LocalTimeline, _>(viewer, (), req, |node, entry| {
            node.publicly_listed(viewer, entry)
        })
    }

    /// Public top-level posts received from other servers (ActivityPub or
    /// gossip), newest first.
    pub fn remote_feed(&self, viewer: &Viewer, req: &PageRequest) -> NodeResult<Page<PostView>> {
        self.post_feed::<tables::RemoteTimeline, _>(viewer, (), req, |_, _| Ok(true))
    }

    /// Public top-level posts, local and remote, newest first: the local
    /// and remote timelines merged.
    pub fn federated_feed(&self, viewer: &Viewer, req: &PageRequest) -> NodeResult<Page<PostView>> {
        let mut authors = Authors::new(self);
        page::scan_merged::<tables::LocalTimeline, tables::RemoteTimeline, _>(
            &self.store,
            req,
            |post_id, _| self.feed_item(viewer, &mut authors, post_id, &|_, _| Ok(true)),
        )
    }

    /// Public posts with a tag.
    pub fn tag_feed(
        &self,
        viewer: &Viewer,
        tag: &str,
        req: &PageRequest,
    ) -> NodeResult<Page<PostView>> {
        let tag = validate::slug("tag", tag)?;
        self.post_feed::<tables::TagTimeline, _>(viewer, tag.as_str(), req, |node, entry| {
            node.publicly_listed(viewer, entry)
        })
    }

    /// Public top-level posts in a category.
    pub fn category_feed(
        &self,
        viewer: &Viewer,
        category: &str,
        req: &PageRequest,
    ) -> NodeResult<Page<PostView>> {
        let category = validate::slug("category", category)?;
        self.post_feed::<tables::CategoryTimeline, _>(
            viewer,
            category.as_str(),
            req,
            |node, entry| node.publicly_listed(viewer, entry),
        )
    }

    /// A member's posts that the viewer may see (comments included unless
    /// `exclude_replies`).
    pub fn member_posts(
        &self,
        viewer: &Viewer,
        username: &str,
        filter: MemberPostsFilter,
        req: &PageRequest,
    ) -> NodeResult<Page<PostView>> {
        let author = self.active_member_by_name(username)?;
        if let Some(me) = viewer.id() {
            if self.is_blocking(author.id, me)? {
                return Err(NodeError::NotFound("member"));
            }
        }
        self.post_feed::<tables::AuthorPosts, _>(viewer, author.id, req, |_, entry| {
            let reply = !entry.boost && entry.post.in_reply_to.is_some();
            let hidden = (filter.exclude_replies && reply)
                || (filter.exclude_boosts && entry.boost)
                || (filter.only_media && entry.post.media.is_empty());
            Ok(!hidden)
        })
    }

    /// The viewer's bookmarks, most recently bookmarked first.
    pub fn bookmarks(&self, viewer: &Viewer, req: &PageRequest) -> NodeResult<Page<PostView>> {
        let me = viewer.member()?.id;
        self.pointer_feed::<tables::MemberBookmarks>(viewer, me, req)
    }

    /// Posts the viewer liked, most recently liked first.
    pub fn liked_posts(&self, viewer: &Viewer, req: &PageRequest) -> NodeResult<Page<PostView>> {
        let me = viewer.member()?.id;
        self.pointer_feed::<tables::MemberLikes>(viewer, me, req)
    }

    /// Whether an entry appears in public listings for the viewer: a
    /// silenced member's posts show only to their followers and to
    /// themselves.
    pub(crate) fn publicly_listed(
        &self,
        viewer: &Viewer,
        entry: &FeedEntry<'_>,
    ) -> NodeResult<bool> {
        if !entry.by_silenced {
            return Ok(true);
        }
        match viewer.id() {
            Some(me) => Ok(me == entry.by || self.is_following(me, entry.by)?),
            None => Ok(false),
        }
    }

    /// A feed over the keys of `T` under `head`, which end in post ids.
    fn post_feed<T, H>(
        &self,
        viewer: &Viewer,
        head: H,
        req: &PageRequest,
        keep: impl Fn(&Node, &FeedEntry<'_>) -> NodeResult<bool>,
    ) -> NodeResult<Page<PostView>>
    where
        T: Table,
        T::Key: IdTail,
        H: KeyArg<<T::Key as IdTail>::Head>,
    {
        let mut authors = Authors::new(self);
        scan::<T, H, _>(&self.store, head, req, |post_id, _| {
            self.feed_item(viewer, &mut authors, post_id, &keep)
        })
    }

    /// A feed over index entries whose value is a post id (bookmarks, likes):
    /// the cursor is the entry's own id.
    fn pointer_feed<T: Table<Key = (Id, Id), Value = IdBytes>>(
        &self,
        viewer: &Viewer,
        member: Id,
        req: &PageRequest,
    ) -> NodeResult<Page<PostView>> {
        let mut authors = Authors::new(self);
        scan::<T, _, _>(&self.store, member, req, |_, post_id| {
            self.feed_item(viewer, &mut authors, post_id, &|_, _| Ok(true))
        })
    }

    pub(crate) fn feed_item(
        &self,
        viewer: &Viewer,
        authors: &mut Authors<'_>,
        entry_id: Id,
        keep: &impl Fn(&Node, &FeedEntry<'_>) -> NodeResult<bool>,
    ) -> NodeResult<Option<PostView>> {
        // An entry is a post, or a boost (its own id) of a post.
        let (post, boost) = match self.store.load::<tables::Post>(entry_id)? {
            Some(post) => (post, None),
            None => match self.boost_record(entry_id)? {
                Some(boost) => match self.store.load::<tables::Post>(boost.post_id)? {
                    Some(post) => (post, Some(boost)),
                    None => return Ok(None),
                },
                None => return Ok(None), // deleted since it was indexed
            },
        };
        let by = boost
            .as_ref()
            .map(|b| b.member_id)
            .unwrap_or(post.author_id);
        let entry = FeedEntry {
            post: &post,
            by,
            boost: boost.is_some(),
            by_silenced: authors.get(by)?.is_some_and(|m| m.silenced),
        };
        if !keep(self, &entry)? {
            return Ok(None);
        }
        if let Some(me) = viewer.id() {
            for who in [post.author_id, by] {
                if me != who && self.is_muting(me, who)? {
                    return Ok(None);
                }
            }
        }
        if let Some(boost) = boost {
            return self.boost_view(viewer, &boost);
        }
        let Some(author) = authors.get(post.author_id)?.cloned() else {
            return Ok(None);
        };
        if !self.can_view(viewer, &post, &author)? {
            return Ok(None);
        }
        Ok(Some(self.post_view(viewer, &post, &author)?))
    }
}
