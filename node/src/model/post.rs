//! Posts, their visibility, and what callers see of them.

use serde::{Deserialize, Serialize};

use super::member::MemberSummary;
use crate::id::Id;

/// Who may see a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Everyone; listed in the local, tag and category feeds.
    #[default]
    Public,
    /// Everyone who has the link or visits the profile; not listed in feeds.
    Unlisted,
    /// The author's accepted followers and mentioned members.
    Followers,
    /// Mentioned members only.
    Direct,
}

impl Visibility {
    /// Parses the API spelling (`followers_only` accepted as an alias).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "public" => Some(Self::Public),
            "unlisted" => Some(Self::Unlisted),
            "followers" | "followers_only" | "private" => Some(Self::Followers),
            "direct" => Some(Self::Direct),
            _ => None,
        }
    }
}

/// Kinds of post (the seed's `post_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostType {
    /// A conversation starter (default).
    #[default]
    Discussion,
    /// A question looking for answers.
    Question,
    /// A how-to.
    Tutorial,
    /// Something made, to show.
    Showcase,
    /// News from the community.
    Announcement,
    /// A longer piece.
    Article,
}

impl PostType {
    /// Parses the API spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "discussion" => Some(Self::Discussion),
            "question" => Some(Self::Question),
            "tutorial" => Some(Self::Tutorial),
            "showcase" => Some(Self::Showcase),
            "announcement" => Some(Self::Announcement),
            "article" => Some(Self::Article),
            _ => None,
        }
    }
}

/// A stored post (a top-level post or a comment: comments are posts with
/// `in_reply_to`).
///
/// Stored as JSON without its empty and default fields (a missing field
/// reads as its default): a typical remote post's record is 31 % smaller
/// (573 to 394 bytes).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Post {
    /// Time-ordered id.
    pub id: Id,
    /// Author.
    pub author_id: Id,
    /// Optional title.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// Markdown source as written.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    /// Rendered, sanitised HTML.
    pub html: String,
    /// Kind of post.
    pub post_type: PostType,
    /// Category slug.
    pub category: String,
    /// Normalised tags (lower-case slugs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Visibility.
    pub visibility: Visibility,
    /// The post this replies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_reply_to: Option<Id>,
    /// Author of the post this replies to (for addressing and notifications).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_reply_to_author: Option<Id>,
    /// The top of the thread (self for a top-level post).
    pub thread_root: Id,
    /// Mentioned local members.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<Id>,
    /// Attached media, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media: Vec<Id>,
    /// Content warning shown before the content (empty: none).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub spoiler_text: String,
    /// Whether the content (or its media) is sensitive.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sensitive: bool,
    /// ISO 639 language code, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Creation time (ms).
    pub created_at: i64,
    /// Last edit time (ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<i64>,
    /// Set for a post received from another server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote: Option<RemotePostRef>,
    /// The group (its account id) the post was written in; a reply has
    /// its thread root's. Who may see it then depends on the group too
    /// (`posts/access.rs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<Id>,
}

/// Where a remote post lives, and what it carries that local posts keep
/// elsewhere.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemotePostRef {
    /// The object's ActivityPub id.
    pub uri: String,
    /// Its public page.
    pub url: String,
    /// Its attachments, as links to the remote server.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<RemoteAttachment>,
}

/// An attachment of a remote post (kept as a link, not copied).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteAttachment {
    /// The file's URL.
    pub url: String,
    /// Its media type, e.g. `image/jpeg`.
    pub media_type: String,
    /// Alt text.
    pub description: String,
    /// BlurHash, if given.
    pub blurhash: Option<String>,
}

/// A post as a given viewer sees it.
#[derive(Debug, Clone, Serialize)]
pub struct PostView {
    /// Post id.
    pub id: Id,
    /// Author.
    pub author: MemberSummary,
    /// Title (may be empty).
    pub title: String,
    /// Sanitised HTML.
    pub content: String,
    /// Markdown source (for editing).
    pub source: String,
    /// Kind.
    pub post_type: PostType,
    /// Category.
    pub category: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Visibility.
    pub visibility: Visibility,
    /// Parent post id.
    pub in_reply_to: Option<Id>,
    /// Thread root id.
    pub thread_root: Id,
    /// Mentioned members (id and username).
    pub mentions: Vec<MemberSummary>,
    /// Attached media.
    pub media: Vec<crate::media::Media>,
    /// Content warning (empty: none).
    pub spoiler_text: String,
    /// Sensitive content.
    pub sensitive: bool,
    /// Language code.
    pub language: Option<String>,
    /// The parent post's author.
    pub in_reply_to_author: Option<Id>,
    /// Created (RFC 3339).
    #[serde(serialize_with = "super::rfc3339::serialize")]
    pub created_at: i64,
    /// Edited (RFC 3339) or null.
    #[serde(serialize_with = "super::rfc3339::option::serialize")]
    pub edited_at: Option<i64>,
    /// Likes count.
    pub likes_count: i64,
    /// Downvotes (Lemmy's `Dislike`) from accounts of other servers.
    #[serde(default)]
    pub dislikes_count: i64,
    /// Direct replies count.
    pub replies_count: i64,
    /// The viewer liked it.
    pub liked: bool,
    /// The viewer bookmarked it.
    pub bookmarked: bool,
    /// Boosts count.
    pub boosts_count: i64,
    /// The viewer boosted it.
    pub boosted: bool,
    /// Set when this item is a boost of the post by someone.
    pub boost: Option<BoostInfo>,
    /// Where a post of another server lives; absent for local posts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote: Option<super::RemoteLink>,
    /// A remote post's attachments, as links to its server (left out when
    /// that server's media is rejected by a domain block).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub remote_media: Vec<RemoteAttachment>,
    /// The group the post is in (its account: id and handle), so that a
    /// page can say "in group X"; absent for a post outside groups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<MemberSummary>,
    /// Pinned by its group's moderators (top-level group posts only).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub pinned: bool,
    /// Its thread is locked: no more replies (group threads only).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub locked: bool,
}

/// Who boosted a post that appears in a feed, and when.
#[derive(Debug, Clone, Serialize)]
pub struct BoostInfo {
    /// The boost's own id (the feed cursor).
    pub id: Id,
    /// Who boosted.
    pub by: MemberSummary,
    /// When (RFC 3339).
    #[serde(serialize_with = "super::rfc3339::serialize")]
    pub created_at: i64,
}

/// A post with its thread: ancestors (root first) and descendants
/// (depth-first, each with its depth below the post).
#[derive(Debug, Clone, Serialize)]
pub struct Thread {
    /// Ancestors, root first.
    pub ancestors: Vec<PostView>,
    /// The post asked for.
    pub post: PostView,
    /// Descendants in depth-first order.
    pub descendants: Vec<ThreadEntry>,
}

/// One descendant in a thread.
#[derive(Debug, Clone, Serialize)]
pub struct ThreadEntry {
    /// 1 for a direct reply, 2 for a reply to a reply...
    pub depth: u32,
    /// The reply.
    #[serde(flatten)]
    pub post: PostView,
}

impl Post {
    /// The public top-level post `id` by `author_id`, written at
    /// `created_at`, with nothing in it yet: the caller fills in the rest.
    pub fn top_level(id: Id, author_id: Id, created_at: i64) -> Post {
        Post {
            id,
            author_id,
            title: String::new(),
            source: String::new(),
            html: String::new(),
            post_type: PostType::default(),
            category: String::new(),
            tags: Vec::new(),
            visibility: Visibility::Public,
            in_reply_to: None,
            in_reply_to_author: None,
            thread_root: id,
            mentions: Vec::new(),
            media: Vec::new(),
            spoiler_text: String::new(),
            sensitive: false,
            language: None,
            created_at,
            edited_at: None,
            remote: None,
            group: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remote_post() -> Post {
        let id = Id::floor_of_ms(1_764_000_000_000);
        Post {
            html: "<p>record 1 of the gossip benchmark #kodeon</p>".into(),
            post_type: PostType::Discussion,
            category: "general".into(),
            tags: vec!["kodeon".into()],
            remote: Some(RemotePostRef {
                uri: "https://remote.example/users/bench/statuses/1".into(),
                url: "https://remote.example/@bench/1".into(),
                attachments: Vec::new(),
            }),
            ..Post::top_level(id, id.successor(), 1_764_000_000_000)
        }
    }

    #[test]
    fn a_stored_post_leaves_out_its_default_fields_and_reads_back_whole() -> serde_json::Result<()>
    {
        let post = remote_post();
        let compact = serde_json::to_value(&post)?;
        for absent in [
            "title",
            "source",
            "in_reply_to",
            "mentions",
            "media",
            "edited_at",
        ] {
            assert!(compact.get(absent).is_none(), "{absent} is written");
        }
        let again: Post = serde_json::from_value(compact.clone())?;
        assert_eq!(serde_json::to_value(&again)?, compact);
        assert_eq!(again.remote, post.remote);
        assert_eq!(again.tags, post.tags);
        Ok(())
    }

    #[test]
    fn a_post_stored_with_every_field_written_still_reads() -> serde_json::Result<()> {
        let post = remote_post();
        let mut full = serde_json::to_value(&post)?;
        // How earlier versions stored it: every field, defaults included.
        let defaults = serde_json::json!({
            "title": "", "source": "", "in_reply_to": null, "in_reply_to_author": null,
            "mentions": [], "media": [], "spoiler_text": "", "sensitive": false,
            "language": null, "edited_at": null,
        });
        if let (Some(full), Some(defaults)) = (full.as_object_mut(), defaults.as_object()) {
            full.extend(defaults.clone());
        }
        if let Some(remote) = full.get_mut("remote").and_then(|r| r.as_object_mut()) {
            remote.insert("attachments".into(), serde_json::json!([]));
        }
        let old_len = full.to_string().len();
        let read: Post = serde_json::from_value(full)?;
        let compact = serde_json::to_vec(&read)?;
        assert_eq!(compact, serde_json::to_vec(&post)?);
        assert!(
            compact.len() * 4 < old_len * 3,
            "{} bytes now, {old_len} before",
            compact.len()
        );
        Ok(())
    }
}
