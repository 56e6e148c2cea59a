//! Status (a post, or a boost wrapping one), its mentions and tags, a
//! thread's Context, and a StatusSource.

use node::model::{MemberSummary, PostView};
use node::NodeResult;
use serde::Serialize;

use super::media::{attachment, remote_attachment, MediaAttachment};
use super::text::{escape, visibility_name};
use super::{date, Account, Renderer, Unsupported};

/// Mastodon's Status.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// Post id (a boost's own id for a boost).
    pub id: String,
    /// When it was posted (or boosted).
    pub created_at: String,
    /// When it was last edited, if it was.
    pub edited_at: Option<String>,
    /// The parent post.
    pub in_reply_to_id: Option<String>,
    /// The parent post's author.
    pub in_reply_to_account_id: Option<String>,
    /// Sensitive content.
    pub sensitive: bool,
    /// Content warning (empty: none).
    pub spoiler_text: String,
    /// `public`, `unlisted`, `private` or `direct`.
    pub visibility: &'static str,
    /// Language code.
    pub language: Option<String>,
    /// The ActivityPub object.
    pub uri: String,
    /// The post's page.
    pub url: String,
    /// Direct replies.
    pub replies_count: i64,
    /// Boosts.
    pub reblogs_count: i64,
    /// Likes.
    pub favourites_count: i64,
    /// The viewer liked it.
    pub favourited: bool,
    /// The viewer boosted it.
    pub reblogged: bool,
    /// Always false.
    pub muted: bool,
    /// The viewer bookmarked it.
    pub bookmarked: bool,
    /// Always false.
    pub pinned: bool,
    /// HTML (the title, if any, as a first bold paragraph).
    pub content: String,
    /// The source text: only in the answer to a delete, null otherwise.
    pub text: Option<String>,
    /// The boosted status, for a boost.
    pub reblog: Option<Box<Status>>,
    /// Not recorded: always null.
    pub application: Option<Unsupported>,
    /// The author (the booster, for a boost).
    pub account: Account,
    /// Attached media.
    pub media_attachments: Vec<MediaAttachment>,
    /// Mentioned accounts.
    pub mentions: Vec<Mention>,
    /// Hashtags.
    pub tags: Vec<Tag>,
    /// No custom emojis: always empty.
    pub emojis: Vec<Unsupported>,
    /// No link previews: always null.
    pub card: Option<Unsupported>,
    /// No polls: always null.
    pub poll: Option<Unsupported>,
    /// No filters: always empty.
    pub filtered: Vec<Unsupported>,
}

/// A mentioned account.
#[derive(Debug, Clone, Serialize)]
pub struct Mention {
    /// Member id.
    pub id: String,
    /// The name without the server.
    pub username: String,
    /// `name` or `name@server`.
    pub acct: String,
    /// The profile page.
    pub url: String,
}

/// A hashtag in a status.
#[derive(Debug, Clone, Serialize)]
pub struct Tag {
    /// The tag, without `#`.
    pub name: String,
    /// The tag's page.
    pub url: String,
}

/// A status's thread.
#[derive(Debug, Clone, Serialize)]
pub struct Context {
    /// Ancestors, root first.
    pub ancestors: Vec<Status>,
    /// Descendants, depth first.
    pub descendants: Vec<Status>,
}

/// A status's text as written (for editing).
#[derive(Debug, Clone, Serialize)]
pub struct StatusSource {
    /// Post id.
    pub id: String,
    /// The source text.
    pub text: String,
    /// Content warning.
    pub spoiler_text: String,
}

impl StatusSource {
    /// The source of `p`.
    pub fn of(p: &PostView) -> Self {
        StatusSource {
            id: p.id.to_string(),
            text: p.source.clone(),
            spoiler_text: p.spoiler_text.clone(),
        }
    }
}

impl Renderer<'_> {
    /// A Status; a boost becomes a status by the booster whose `reblog`
    /// is the boosted status, as Mastodon shows it.
    pub fn status(&mut self, p: &PostView) -> NodeResult<Status> {
        let Some(boost) = &p.boost else {
            return self.plain_status(p);
        };
        let inner = PostView {
            boost: None,
            ..p.clone()
        };
        let original = self.plain_status(&inner)?;
        Ok(Status {
            id: boost.id.to_string(),
            created_at: date(boost.created_at),
            account: self.account_by_id(boost.by.id)?,
            uri: self.urls.announce(&boost.by.username, boost.id),
            url: self.urls.post_page(&boost.by.username, boost.id),
            content: String::new(),
            in_reply_to_id: None,
            in_reply_to_account_id: None,
            mentions: Vec::new(),
            tags: Vec::new(),
            edited_at: None,
            reblog: Some(Box::new(original.clone())),
            ..original
        })
    }

    fn plain_status(&mut self, p: &PostView) -> NodeResult<Status> {
        let account = self.account_by_id(p.author.id)?;
        let mut content = String::new();
        if !p.title.is_empty() {
            content.push_str(&format!("<p><strong>{}</strong></p>", escape(&p.title)));
        }
        content.push_str(&p.content);
        let (uri, url) = match &p.remote {
            Some(link) => (link.uri.clone(), link.url.clone()),
            None => (
                self.urls.post(&p.author.username, p.id),
                self.urls.post_page(&p.author.username, p.id),
            ),
        };
        Ok(Status {
            id: p.id.to_string(),
            created_at: date(p.created_at),
            edited_at: p.edited_at.map(date),
            in_reply_to_id: p.in_reply_to.map(|i| i.to_string()),
            in_reply_to_account_id: p.in_reply_to_author.map(|i| i.to_string()),
            sensitive: p.sensitive,
            spoiler_text: p.spoiler_text.clone(),
            visibility: visibility_name(p.visibility),
            language: p.language.clone(),
            uri,
            url,
            replies_count: p.replies_count,
            reblogs_count: p.boosts_count,
            favourites_count: p.likes_count,
            favourited: p.liked,
            reblogged: p.boosted,
            muted: false,
            bookmarked: p.bookmarked,
            pinned: false,
            content,
            text: None,
            reblog: None,
            application: None,
            account,
            media_attachments: p
                .media
                .iter()
                .map(|m| attachment(self.urls, m))
                .chain(
                    p.remote_media
                        .iter()
                        .enumerate()
                        .map(|(i, m)| remote_attachment(p.id, i, m)),
                )
                .collect(),
            mentions: p.mentions.iter().map(|m| self.mention(m)).collect(),
            tags: p
                .tags
                .iter()
                .map(|t| Tag {
                    name: t.clone(),
                    url: self.urls.tag(t),
                })
                .collect(),
            emojis: Vec::new(),
            card: None,
            poll: None,
            filtered: Vec::new(),
        })
    }

    /// Statuses for a page of posts.
    pub fn statuses(&mut self, posts: &[PostView]) -> NodeResult<Vec<Status>> {
        posts.iter().map(|p| self.status(p)).collect()
    }

    fn mention(&self, m: &MemberSummary) -> Mention {
        let (username, url, _) = self.addresses(&m.username, m.remote.as_ref());
        Mention {
            id: m.id.to_string(),
            username: username.to_string(),
            acct: m.username.clone(),
            url,
        }
    }
}
