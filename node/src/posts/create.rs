//! Creating a post or a comment: one atomic write with every index, counter
//! and notification it implies. Home feeds read it from the author index.

use serde::Deserialize;

use crate::error::{NodeError, NodeResult};
use crate::events::Event;
use crate::id::Id;
use crate::model::{now_ms, Member, NotificationKind, Post, PostType, PostView, Visibility};
use crate::node::{Node, Viewer};
use crate::store::codec::Unit;
use crate::store::parts::{Hash, KeyArg};
use crate::store::{hash_of, tables, Table, Txn};
use crate::validate;

use super::render::render;

/// What a member submits. Enumerations are strings so that a bad value is
/// reported with its field name.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NewPost {
    /// Optional title.
    pub title: Option<String>,
    /// Markdown content (required).
    pub content: String,
    /// discussion (default), question, tutorial, showcase, announcement, article.
    pub post_type: Option<String>,
    /// Category slug (default "general").
    pub category: Option<String>,
    /// Tags (hashtags in the content are added).
    pub tags: Vec<String>,
    /// public (default), unlisted, followers, direct.
    pub visibility: Option<String>,
    /// Id of the post this replies to.
    pub in_reply_to: Option<String>,
    /// Ids of the viewer's uploaded, unattached media (at most 4).
    pub media_ids: Vec<String>,
    /// Content warning.
    pub spoiler_text: Option<String>,
    /// Sensitive content.
    pub sensitive: Option<bool>,
    /// ISO 639 language code.
    pub language: Option<String>,
    /// The handle of a local group to post in (a reply is in its thread's
    /// group whether this is given or not).
    pub group: Option<String>,
    /// A client-chosen key: a second create with the same key within an
    /// hour returns the first post instead of publishing twice.
    #[serde(skip)]
    pub idempotency_key: Option<String>,
}

/// A validated post body (shared by create and edit).
pub(crate) struct Body {
    pub title: String,
    pub source: String,
    pub html: String,
    pub post_type: PostType,
    pub category: String,
    pub tags: Vec<String>,
    pub mentions: Vec<Id>,
}

impl Node {
    /// Publishes a post (or, with `in_reply_to`, a comment) for the viewer.
    ///
    /// In a group (`group`, or a reply in a group's thread): the post is
    /// public or unlisted (followers-only and direct are refused, 422
    /// naming `visibility`: a group's audience is the group), and the
    /// write refuses it (403 with the reason) when the viewer is banned,
    /// not a member, not a moderator of a group where only moderators
    /// post (top-level posts; members may still reply), or when the
    /// thread is locked (any thread, group or not).
    ///
    /// A top-level post that names no group and mentions one of this
    /// node's groups is posted in it when the group would take it, and is
    /// an ordinary post otherwise: a mention never makes a post fail
    /// (`groups/mention.rs`).
    pub async fn create_post(&self, viewer: &Viewer, new: NewPost) -> NodeResult<PostView> {
        let author = viewer.member()?.clone();
        let named_group = match new.group.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(name) => Some(self.group_to_post_in(name)?),
        };
        let visibility = match new.visibility.as_deref() {
            None => Visibility::Public,
            Some(v) => Visibility::parse(v).ok_or_else(|| {
                NodeError::invalid(
                    "visibility",
                    "must be public, unlisted, followers or direct",
                )
            })?,
        };
        let parent = match &new.in_reply_to {
            None => None,
            Some(raw) => {
                let id: Id = raw
                    .parse()
                    .map_err(|_| NodeError::invalid("in_reply_to", "is not a post id"))?;
                let (parent, parent_author) =
                    self.visible_post(viewer, id).map_err(|e| match e {
                        NodeError::NotFound(_) => NodeError::invalid("in_reply_to", "no such post"),
                        other => other,
                    })?;
                check_reply_visibility(parent.visibility, visibility)?;
                Some((parent, parent_author))
            }
        };
        let group = match (&parent, named_group) {
            (Some((parent, _)), named) => {
                if named.is_some_and(|(id, _)| Some(id) != parent.group) {
                    return Err(NodeError::invalid(
                        "group",
                        "a reply is in the group of the post it answers",
                    ));
                }
                parent.group
            }
            (None, named) => {
                if let Some((_, false)) = named {
                    return Err(NodeError::Forbidden("this group has no discussions"));
                }
                named.map(|(id, _)| id)
            }
        };
        if group.is_some() && !matches!(visibility, Visibility::Public | Visibility::Unlisted) {
            return Err(NodeError::invalid(
                "visibility",
                "a post in a group is public or unlisted (a private group's posts are for its members whatever this says)",
            ));
        }
        let media = self.check_attachable(author.id, &new.media_ids)?;
        let mut body = self.validate_body(
            !media.is_empty(),
            new.title,
            new.content,
            new.post_type,
            new.category,
            new.tags,
        )?;
        // A direct or followers-only reply is addressed to the parent's author.
        if let Some((parent, _)) = &parent {
            if matches!(visibility, Visibility::Direct | Visibility::Followers)
                && parent.author_id != author.id
                && !body.mentions.contains(&parent.author_id)
            {
                body.mentions.push(parent.author_id);
            }
        }
        // A new top-level post that names no group is posted in the group
        // it mentions, if the group takes it (settled inside the write).
        let by_mention = match (group, &parent) {
            (None, None) => self.group_by_mention(&body.mentions, visibility)?,
            _ => None,
        };
        if visibility == Visibility::Direct && body.mentions.is_empty() {
            return Err(NodeError::invalid(
                "visibility",
                "a direct post must mention someone",
            ));
        }
        let spoiler_text = new.spoiler_text.unwrap_or_default().trim().to_string();
        validate::max_chars("spoiler_text", &spoiler_text, self.limits().title_chars)?;
        let language = match new.language.filter(|l| !l.is_empty()) {
            Some(l) if l.len() <= 8 && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') => {
                Some(l)
            }
            Some(_) => {
                return Err(NodeError::invalid(
                    "language",
                    "must be an ISO 639 code such as \"en\"",
                ))
            }
            None => None,
        };
        let idempotency = new
            .idempotency_key
            .as_deref()
            .map(|k| (author.id, hash_of(k)));
        if let Some(key) = idempotency {
            if let Some(existing) = self.recent_idempotent_post(viewer, key)? {
                return Ok(existing);
            }
        }
        let id = self.ids.next();
        let mut post = Post {
            id,
            author_id: author.id,
            title: body.title,
            source: body.source,
            html: body.html,
            post_type: body.post_type,
            category: body.category,
            tags: body.tags,
            visibility,
            in_reply_to: parent.as_ref().map(|(p, _)| p.id),
            in_reply_to_author: parent.as_ref().map(|(p, _)| p.author_id),
            thread_root: parent.as_ref().map(|(p, _)| p.thread_root).unwrap_or(id),
            mentions: body.mentions,
            media,
            spoiler_text,
            sensitive: new.sensitive.unwrap_or(false),
            language,
            created_at: now_ms(),
            edited_at: None,
            remote: None,
            group: group.or(by_mention),
        };
        self.write(|txn| {
            if by_mention.is_some() {
                Self::settle_mentioned_group(txn, &mut post)?;
            } else if let Some(gid) = post.group {
                Self::check_group_post(txn, gid, &post, author.id)?;
            } else if post.in_reply_to.is_some()
                && txn.has::<tables::LockedThreads>(post.thread_root)?
            {
                return Err(NodeError::Forbidden("this thread is locked"));
            }
            if let Some(key) = idempotency {
                txn.store::<tables::Idempotency>(key, &(post.id, post.created_at))?;
            }
            self.insert_post(txn, &post)?;
            self.points_for_post(txn, &post)
        })
        .await?;
        self.timelines.note_post(post.author_id, post.id);
        if let (Some(gid), None) = (post.group, post.in_reply_to) {
            self.timelines.note_post(gid, post.id);
        }
        self.post_view(viewer, &post, &author)
    }

    /// The post created earlier under the same idempotency key, if less
    /// than an hour old and still there.
    fn recent_idempotent_post(
        &self,
        viewer: &Viewer,
        key: (Id, Hash),
    ) -> NodeResult<Option<PostView>> {
        const WINDOW_MS: i64 = 60 * 60 * 1000;
        match self.store.load::<tables::Idempotency>(key)? {
            Some((id, at)) if now_ms() - at < WINDOW_MS => match self.visible_post(viewer, id) {
                Ok((post, author)) => Ok(Some(self.post_view(viewer, &post, &author)?)),
                Err(NodeError::NotFound(_)) => Ok(None),
                Err(e) => Err(e),
            },
            _ => Ok(None),
        }
    }

    /// Validates and renders the parts of a post shared by create and edit.
    /// `content` may be empty only when `has_media` (media alone make a post).
    pub(crate) fn validate_body(
        &self,
        has_media: bool,
        title: Option<String>,
        content: String,
        post_type: Option<String>,
        category: Option<String>,
        tags: Vec<String>,
    ) -> NodeResult<Body> {
        let limits = self.limits();
        let title = title.unwrap_or_default().trim().to_string();
        validate::max_chars("title", &title, limits.title_chars)?;
        if content.trim().is_empty() && !has_media {
            return Err(NodeError::invalid("content", "must not be empty"));
        }
        validate::max_chars("content", &content, limits.post_chars)?;
        let post_type = match post_type.as_deref() {
            None => PostType::Discussion,
            Some(t) => PostType::parse(t).ok_or_else(|| {
                NodeError::invalid(
                    "post_type",
                    "must be discussion, question, tutorial, showcase, announcement or article",
                )
            })?,
        };
        let category = match category {
            None => "general".to_string(),
            Some(c) => validate::slug("category", &c)?,
        };
        let mut normalised = Vec::new();
        for tag in &tags {
            let tag = validate::slug("tags", tag)?;
            if !normalised.contains(&tag) {
                normalised.push(tag);
            }
        }
        let rendered = render(&content, self.urls(), |name| {
            matches!(self.member_by_name(name), Ok(Some(_)))
        })
        .map_err(|e| NodeError::invalid("content", e.to_string()))?;
        for tag in rendered.hashtags {
            if !normalised.contains(&tag) {
                normalised.push(tag);
            }
        }
        if normalised.len() > limits.tags {
            return Err(NodeError::invalid(
                "tags",
                format!("at most {} tags", limits.tags),
            ));
        }
        let mut mentions = Vec::new();
        for name in rendered.mentions {
            if let Some(m) = self.member_by_name(&name)? {
                if !mentions.contains(&m.id) {
                    mentions.push(m.id);
                }
            }
        }
        Ok(Body {
            title,
            source: content,
            html: rendered.html,
            post_type,
            category,
            tags: normalised,
            mentions,
        })
    }

    /// The rules of posting in group `gid`, read inside the write that
    /// posts: the group still there, the author not banned, a member,
    /// allowed to start a thread, and the thread not locked.
    pub(crate) fn check_group_post(
        txn: &Txn<'_>,
        gid: Id,
        post: &Post,
        author: Id,
    ) -> NodeResult<()> {
        let settings = match (
            txn.load::<tables::Member>(gid)?,
            txn.load::<tables::Group>(gid)?,
        ) {
            (Some(account), Some(settings)) if account.deleted_at.is_none() => Some(settings),
            // A group of another server: its own rules are applied there;
            // here, what it told us (members, bans, locked threads).
            (Some(account), None) if account.is_remote_group() => None,
            _ => return Err(NodeError::NotFound("group")),
        };
        if txn.has::<tables::GroupBans>((gid, author))? {
            return Err(NodeError::Forbidden("banned from this group"));
        }
        if !txn.has::<tables::Following>((author, gid))? {
            return Err(NodeError::Forbidden(
                "only the group's members can post in it",
            ));
        }
        if post.in_reply_to.is_none()
            && settings.is_some_and(|s| s.posting == crate::groups::Posting::Moderators)
            && txn.load::<tables::GroupRoles>((gid, author))?.is_none()
        {
            return Err(NodeError::Forbidden(
                "only the group's owner and moderators can post in it",
            ));
        }
        if post.in_reply_to.is_some() && txn.has::<tables::LockedThreads>(post.thread_root)? {
            return Err(NodeError::Forbidden("this thread is locked"));
        }
        Ok(())
    }

    /// Whether `post` is in a private group (read inside `txn`): such a
    /// post is never listed, indexed for search, gossiped or federated. A
    /// local group whose settings cannot be read counts as private (fail
    /// closed); a group of another server is not (its posts are addressed
    /// as they say).
    pub(crate) fn members_only(txn: &Txn<'_>, post: &Post) -> NodeResult<bool> {
        match post.group {
            None => Ok(false),
            Some(gid) => {
                let settings = txn.load::<tables::Group>(gid)?;
                let account = match settings {
                    Some(_) => None,
                    None => txn.load::<tables::Member>(gid)?,
                };
                Ok(crate::groups::posts_are_private(
                    settings.as_ref(),
                    account.as_ref(),
                ))
            }
        }
    }

    /// Whether `post` is in a group of another server (read inside `txn`).
    pub(crate) fn in_remote_group(txn: &Txn<'_>, post: &Post) -> NodeResult<bool> {
        match post.group {
            None => Ok(false),
            Some(gid) => Ok(txn
                .load::<tables::Member>(gid)?
                .is_some_and(|g| g.is_remote_group())),
        }
    }

    /// Writes a new local post and the intent to federate it. A private
    /// group's post does not federate (groups do not federate yet, and
    /// its audience is the group's members) nor gossip.
    fn insert_post(&self, txn: &mut Txn<'_>, post: &Post) -> NodeResult<()> {
        self.insert_post_with(txn, post, true)?;
        self.count_today(txn, crate::moderation::DailyMetric::Posts, 1)?;
        self.note_active(txn, post.author_id)?;
        if post.in_reply_to.is_some() {
            self.count_interaction(txn, crate::insights::Interaction::Reply)?;
        }
        if Self::members_only(txn, post)? {
            return Ok(());
        }
        if Self::in_remote_group(txn, post)?
            || self.has_remote_audience(
                txn,
                post.author_id,
                &post.mentions,
                post.in_reply_to_author,
            )?
        {
            self.federate(txn, crate::remote::Outgoing::Create { post: post.id })?;
        }
        if post.visibility == Visibility::Public {
            self.gossip_if_on(txn, crate::gossip::GossipIntent::Post { post: post.id })?;
        }
        Ok(())
    }

    /// Writes a new post (local or remote) with its indexes, counters and
    /// notifications; `listed` false keeps it out of the public feeds (a
    /// silenced server's posts).
    pub(crate) fn insert_post_with(
        &self,
        txn: &mut Txn<'_>,
        post: &Post,
        listed: bool,
    ) -> NodeResult<()> {
        let id = post.id;
        let author = post.author_id;
        let members_only = Self::members_only(txn, post)?;
        txn.store::<tables::Post>(id, post)?;
        self.attach_media(txn, id, &post.media)?;
        txn.store::<tables::AuthorPosts>((author, id), &None)?;
        if listed {
            self.index_listing(txn, post, true)?;
            self.index_words(txn, post, true)?;
        }
        if let Some(parent) = post.in_reply_to {
            txn.store::<tables::Replies>((parent, id), &())?;
            txn.add::<tables::ReplyCount>(parent, 1)?;
        }
        txn.add::<tables::PostCount>(author, 1)?;
        if post.remote.is_none() {
            txn.add::<tables::PostTotal>((), 1)?;
        }
        self.index_conversation(txn, post)?;
        txn.emit(Event::PostCreated { id, author });
        if let Some(gid) = post.group {
            self.insert_group_entries(txn, post, gid)?;
            self.announce_in_group(txn, post, crate::remote::GroupActivity::Create { post: id })?;
        }
        // In a private group, only members hear of a post (a mention of
        // someone else must not leak it, not even as an unread count).
        let told = |txn: &Txn<'_>, who: Id| -> NodeResult<bool> {
            match (members_only, post.group) {
                (true, Some(gid)) => txn.has::<tables::Following>((who, gid)),
                _ => Ok(true),
            }
        };
        if let Some(parent_author) = post.in_reply_to_author {
            if told(txn, parent_author)? {
                self.notify(
                    txn,
                    parent_author,
                    NotificationKind::Replied,
                    author,
                    Some(id),
                )?;
            }
        }
        for mentioned in &post.mentions {
            if Some(*mentioned) != post.in_reply_to_author && told(txn, *mentioned)? {
                self.notify(
                    txn,
                    *mentioned,
                    NotificationKind::Mentioned,
                    author,
                    Some(id),
                )?;
            }
        }
        Ok(())
    }

    /// Adds (or removes) the post's entries in the listed feeds: local,
    /// tag and category. Only public posts are listed; comments appear in
    /// tag feeds but not in the local and category feeds.
    /// A private group's posts are never listed.
    pub(crate) fn index_listing(
        &self,
        txn: &mut Txn<'_>,
        post: &Post,
        add: bool,
    ) -> NodeResult<()> {
        if post.visibility != Visibility::Public || Self::members_only(txn, post)? {
            return Ok(());
        }
        let id = post.id;
        if post.in_reply_to.is_none() {
            // The federated feed merges these two (no third index).
            if post.remote.is_some() {
                set_entry::<tables::RemoteTimeline>(txn, id, add)?;
            } else {
                set_entry::<tables::LocalTimeline>(txn, id, add)?;
                set_entry::<tables::CategoryTimeline>(txn, (&post.category, id), add)?;
            }
        }
        for tag in &post.tags {
            set_entry::<tables::TagTimeline>(txn, (tag, id), add)?;
            txn.add::<tables::Tags>(tag, if add { 1 } else { -1 })?;
        }
        Ok(())
    }

    /// Loads a post and its author if `viewer` may see it; `NotFound`
    /// otherwise (whether it exists or not).
    pub(crate) fn visible_post(&self, viewer: &Viewer, id: Id) -> NodeResult<(Post, Member)> {
        let post: Post = self
            .store
            .load::<tables::Post>(id)?
            .ok_or(NodeError::NotFound("post"))?;
        let author = self
            .member(post.author_id)?
            .ok_or(NodeError::NotFound("post"))?;
        if !self.can_view(viewer, &post, &author)? {
            return Err(NodeError::NotFound("post"));
        }
        Ok((post, author))
    }
}

/// A reply may not be seen by more people than its parent.
fn check_reply_visibility(parent: Visibility, reply: Visibility) -> NodeResult<()> {
    let rank = |v: Visibility| match v {
        Visibility::Public | Visibility::Unlisted => 0,
        Visibility::Followers => 1,
        Visibility::Direct => 2,
    };
    if rank(reply) < rank(parent) {
        return Err(NodeError::invalid(
            "visibility",
            "a reply cannot be more visible than the post it answers",
        ));
    }
    Ok(())
}

/// Adds (`add`) or removes the index entry `key` of `T`.
fn set_entry<T: Table<Value = Unit>>(
    txn: &mut Txn<'_>,
    key: impl KeyArg<T::Key>,
    add: bool,
) -> NodeResult<()> {
    if add {
        txn.store::<T>(key, &())
    } else {
        txn.remove::<T>(key);
        Ok(())
    }
}

impl Node {
    /// What `content` would look like as a post by `viewer`: the sanitised
    /// HTML that [`Node::create_post`] would store, through the same
    /// checks (length, Markdown limits), nothing written. For a compose
    /// form's preview.
    pub fn preview_post(&self, viewer: &Viewer, content: &str) -> NodeResult<String> {
        viewer.member()?;
        let body = self.validate_body(true, None, content.to_string(), None, None, Vec::new())?;
        Ok(body.html)
    }
}
