//! Mastodon entities, rendered from node views exactly as Mastodon
//! documents them: ids as strings, ISO 8601 dates, every field present.

use std::collections::HashMap;

use node::model::{
    MemberSummary, MemberView, NotificationKind, NotificationView, PostView, Relationship,
    Visibility,
};
use node::{Id, Node, NodeResult};
use protocol::local_urls::LocalUrls;
use serde_json::{json, Value};

/// Renders entities for one request: knows the node's URLs and caches
/// the accounts of authors so a page loads each once.
pub struct Renderer<'a> {
    node: &'a Node,
    urls: &'a LocalUrls,
    accounts: HashMap<Id, Value>,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Plain text → the HTML Mastodon shows in `note` (paragraphs, line breaks).
pub fn text_to_html(text: &str) -> String {
    if text.trim().is_empty() {
        return String::new();
    }
    text.split("\n\n")
        .map(|p| format!("<p>{}</p>", escape(p).replace('\n', "<br>")))
        .collect()
}

/// Mastodon's name for a visibility.
pub fn visibility_name(v: Visibility) -> &'static str {
    match v {
        Visibility::Public => "public",
        Visibility::Unlisted => "unlisted",
        Visibility::Followers => "private",
        Visibility::Direct => "direct",
    }
}

/// Kodeon's visibility for Mastodon's name.
pub fn parse_visibility(s: &str) -> Option<&'static str> {
    match s {
        "public" => Some("public"),
        "unlisted" => Some("unlisted"),
        "private" => Some("followers"),
        "direct" => Some("direct"),
        _ => None,
    }
}

impl<'a> Renderer<'a> {
    /// A renderer for `node`.
    pub fn new(node: &'a Node) -> Self {
        Renderer {
            node,
            urls: node.urls(),
            accounts: HashMap::new(),
        }
    }

    /// The node's URLs.
    pub fn urls(&self) -> &LocalUrls {
        self.urls
    }

    /// The node's base URL (for the API's own links).
    pub fn base(&self) -> &str {
        self.urls.base()
    }

    fn default_avatar(&self) -> String {
        self.urls.missing_avatar()
    }

    /// An Account.
    pub fn account(&self, m: &MemberView) -> Value {
        let avatar = if m.avatar_url.is_empty() {
            self.default_avatar()
        } else {
            m.avatar_url.clone()
        };
        let (note, fields) = match &m.details {
            Some(d) => (
                text_to_html(&d.bio.about),
                d.social_links
                    .iter()
                    .map(|(k, v)| json!({"name": k, "value": escape(v), "verified_at": null}))
                    .collect::<Vec<_>>(),
            ),
            None => (String::new(), Vec::new()),
        };
        let (username, url, uri) = self.addresses(&m.username, m.remote.as_ref());
        json!({
            "id": m.id.to_string(),
            "username": username,
            "acct": m.username,
            "display_name": if m.full_name.is_empty() { username.to_string() } else { m.full_name.clone() },
            "locked": m.locked,
            "bot": false,
            "discoverable": true,
            "indexable": true,
            "group": false,
            "noindex": false,
            "created_at": node::model::rfc3339::format(m.created_at),
            "note": note,
            "url": url,
            "uri": uri,
            "avatar": avatar,
            "avatar_static": avatar,
            "header": self.urls.missing_header(),
            "header_static": self.urls.missing_header(),
            "followers_count": m.followers_count,
            "following_count": m.following_count,
            "statuses_count": m.posts_count,
            "last_status_at": null,
            "emojis": [],
            "fields": fields,
            "roles": [],
        })
    }

    /// An Account with `source` (verify_credentials / update_credentials).
    pub fn credential_account(&self, m: &MemberView, follow_requests: usize) -> Value {
        let mut account = self.account(m);
        let (note, language, privacy) = match (&m.details, &m.private) {
            (Some(d), Some(p)) => (
                d.bio.about.clone(),
                p.preferences.language.clone(),
                "public",
            ),
            _ => (String::new(), String::new(), "public"),
        };
        let fields: Vec<Value> = m
            .details
            .as_ref()
            .map(|d| {
                d.social_links
                    .iter()
                    .map(|(k, v)| json!({"name": k, "value": v, "verified_at": null}))
                    .collect()
            })
            .unwrap_or_default();
        account["source"] = json!({
            "privacy": privacy,
            "sensitive": false,
            "language": if language.is_empty() { Value::Null } else { Value::String(language) },
            "note": note,
            "fields": fields,
            "follow_requests_count": follow_requests,
        });
        account
    }

    /// The Account of a member by id (cached per renderer).
    pub fn account_by_id(&mut self, id: Id) -> NodeResult<Value> {
        if let Some(v) = self.accounts.get(&id) {
            return Ok(v.clone());
        }
        let v = self.account(&self.node.member_card(id)?);
        self.accounts.insert(id, v.clone());
        Ok(v)
    }

    fn mention(&self, m: &MemberSummary) -> Value {
        let (username, url, _) = self.addresses(&m.username, m.remote.as_ref());
        json!({
            "id": m.id.to_string(),
            "username": username,
            "acct": m.username,
            "url": url,
        })
    }

    /// An account's Mastodon `username` (without the server), `url` and
    /// `uri`: its own server's addresses for a remote account.
    fn addresses<'m>(
        &self,
        acct: &'m str,
        remote: Option<&node::model::RemoteLink>,
    ) -> (&'m str, String, String) {
        match remote {
            Some(link) => (
                acct.split_once('@').map_or(acct, |(name, _)| name),
                link.url.clone(),
                link.uri.clone(),
            ),
            None => (acct, self.urls.profile_page(acct), self.urls.actor(acct)),
        }
    }

    /// A Status; a boost becomes a status by the booster whose `reblog`
    /// is the boosted status, as Mastodon shows it.
    pub fn status(&mut self, p: &PostView) -> NodeResult<Value> {
        let Some(boost) = &p.boost else {
            return self.plain_status(p);
        };
        let inner = PostView {
            boost: None,
            ..p.clone()
        };
        let original = self.plain_status(&inner)?;
        let mut wrapper = original.clone();
        wrapper["id"] = json!(boost.id.to_string());
        wrapper["created_at"] = json!(node::model::rfc3339::format(boost.created_at));
        wrapper["account"] = self.account_by_id(boost.by.id)?;
        wrapper["uri"] = json!(self.urls.announce(&boost.by.username, boost.id));
        wrapper["url"] = json!(self.urls.post_page(&boost.by.username, boost.id));
        wrapper["content"] = json!("");
        wrapper["in_reply_to_id"] = Value::Null;
        wrapper["in_reply_to_account_id"] = Value::Null;
        wrapper["mentions"] = json!([]);
        wrapper["tags"] = json!([]);
        wrapper["edited_at"] = Value::Null;
        wrapper["reblog"] = original;
        Ok(wrapper)
    }

    fn plain_status(&mut self, p: &PostView) -> NodeResult<Value> {
        let account = self.account_by_id(p.author.id)?;
        let mut content = String::new();
        if !p.title.is_empty() {
            content.push_str(&format!("<p><strong>{}</strong></p>", escape(&p.title)));
        }
        content.push_str(&p.content);
        Ok(json!({
            "id": p.id.to_string(),
            "created_at": node::model::rfc3339::format(p.created_at),
            "edited_at": p.edited_at.map(node::model::rfc3339::format),
            "in_reply_to_id": p.in_reply_to.map(|i| i.to_string()),
            "in_reply_to_account_id": p.in_reply_to_author.map(|i| i.to_string()),
            "sensitive": p.sensitive,
            "spoiler_text": p.spoiler_text,
            "visibility": visibility_name(p.visibility),
            "language": p.language,
            "uri": match &p.remote {
                Some(link) => link.uri.clone(),
                None => self.urls.post(&p.author.username, p.id),
            },
            "url": match &p.remote {
                Some(link) => link.url.clone(),
                None => self.urls.post_page(&p.author.username, p.id),
            },
            "replies_count": p.replies_count,
            "reblogs_count": p.boosts_count,
            "favourites_count": p.likes_count,
            "favourited": p.liked,
            "reblogged": p.boosted,
            "muted": false,
            "bookmarked": p.bookmarked,
            "pinned": false,
            "content": content,
            "text": null,
            "reblog": null,
            "application": null,
            "account": account,
            "media_attachments": p
                .media
                .iter()
                .map(|m| super::media::attachment(self.urls, m))
                .chain(p.remote_media.iter().enumerate().map(|(i, m)| remote_attachment(p.id, i, m)))
                .collect::<Vec<_>>(),
            "mentions": p.mentions.iter().map(|m| self.mention(m)).collect::<Vec<_>>(),
            "tags": p.tags.iter().map(|t| json!({"name": t, "url": self.urls.tag(t)})).collect::<Vec<_>>(),
            "emojis": [],
            "card": null,
            "poll": null,
            "filtered": [],
        }))
    }

    /// Statuses for a page of posts.
    pub fn statuses(&mut self, posts: &[PostView]) -> NodeResult<Vec<Value>> {
        posts.iter().map(|p| self.status(p)).collect()
    }

    /// A Notification.
    pub fn notification(&mut self, n: &NotificationView) -> NodeResult<Value> {
        let kind = match n.kind {
            NotificationKind::Followed => "follow",
            NotificationKind::FollowRequest => "follow_request",
            NotificationKind::Liked => "favourite",
            NotificationKind::Replied | NotificationKind::Mentioned => "mention",
            NotificationKind::Boosted => "reblog",
        };
        let status = match &n.post {
            Some(p) => self.status(p)?,
            None => Value::Null,
        };
        Ok(json!({
            "id": n.id.to_string(),
            "type": kind,
            "created_at": node::model::rfc3339::format(n.created_at),
            "account": self.account_by_id(n.actor.id)?,
            "status": status,
        }))
    }
}

/// Mastodon's notification types → Kodeon kinds.
pub fn notification_kinds(mastodon_type: &str) -> &'static [NotificationKind] {
    match mastodon_type {
        "follow" => &[NotificationKind::Followed],
        "follow_request" => &[NotificationKind::FollowRequest],
        "favourite" => &[NotificationKind::Liked],
        "mention" => &[NotificationKind::Replied, NotificationKind::Mentioned],
        "reblog" => &[NotificationKind::Boosted],
        _ => &[],
    }
}

/// A Relationship.
pub fn relationship(id: Id, r: &Relationship) -> Value {
    json!({
        "id": id.to_string(),
        "following": r.following,
        "showing_reblogs": r.following,
        "notifying": false,
        "languages": null,
        "followed_by": r.followed_by,
        "blocking": r.blocking,
        "blocked_by": r.blocked_by,
        "muting": r.muting,
        "muting_notifications": r.muting,
        "requested": r.requested,
        "requested_by": false,
        "domain_blocking": false,
        "endorsed": false,
        "note": "",
    })
}

/// A remote post's attachment as a Mastodon MediaAttachment: served by its
/// own server (`remote_url`), with an id made of the post's and its index.
fn remote_attachment(post: Id, index: usize, m: &node::model::RemoteAttachment) -> Value {
    let kind = match m.media_type.split('/').next() {
        Some("image") => "image",
        Some("video") => "video",
        Some("audio") => "audio",
        _ => "unknown",
    };
    json!({
        "id": format!("{post}-{index}"),
        "type": kind,
        "url": m.url,
        "preview_url": m.url,
        "remote_url": m.url,
        "preview_remote_url": null,
        "text_url": null,
        "meta": {},
        "description": if m.description.is_empty() { Value::Null } else { json!(m.description) },
        "blurhash": m.blurhash,
    })
}
