//! Remote posts: translating a received `Note` (or `Article`, `Page`,
//! `Question`) into a node post, and fetching the ones we miss.

use node::model::{Member, RemoteAttachment, Visibility};
use node::remote::RemotePost;
use node::Id;
use protocol::activities::{ObjectRef, PostObject};
use serde::Deserialize;
use serde_json::Value;

use crate::error::FederationError;
use crate::sanitize::{plain_text, sanitize_html};
use crate::service::Federation;

/// The largest content accepted (characters of HTML).
const MAX_CONTENT: usize = 100_000;

const PUBLIC_ALIASES: [&str; 3] = [protocol::activitystreams::PUBLIC, "as:Public", "Public"];

/// Parses an RFC 3339 timestamp to milliseconds.
fn time_ms(s: Option<&str>) -> Option<i64> {
    let t = time::OffsetDateTime::parse(s?, &time::format_description::well_known::Rfc3339).ok()?;
    Some((t.unix_timestamp_nanos() / 1_000_000) as i64)
}

impl Federation {
    /// Translates a received object written by `author`.
    pub(crate) async fn remote_post(
        &self,
        object: &PostObject,
        author: &Member,
        depth: u8,
    ) -> Result<RemotePost, FederationError> {
        let remote = author
            .remote
            .as_ref()
            .ok_or_else(|| FederationError::Forbidden("a local author".into()))?;
        object.check_author(&remote.actor_id)?;
        let id = object.id.as_deref().unwrap_or_default();
        let content = object.content.as_deref().unwrap_or_default();
        if content.chars().count() > MAX_CONTENT {
            return Err(FederationError::TooLarge);
        }
        let to: Vec<&str> = object.to.ids().iter().map(String::as_str).collect();
        let cc: Vec<&str> = object.cc.ids().iter().map(String::as_str).collect();
        let is_public = |list: &[&str]| list.iter().any(|a| PUBLIC_ALIASES.contains(a));
        let followers = remote.followers.as_deref().unwrap_or("\u{0}");
        let visibility = if is_public(&to) {
            Visibility::Public
        } else if is_public(&cc) {
            Visibility::Unlisted
        } else if to.contains(&followers) || cc.contains(&followers) {
            Visibility::Followers
        } else {
            Visibility::Direct
        };
        // Mentions: Mention tags, and every local actor addressed directly.
        let mut mentioned: Vec<&str> = Vec::new();
        let mut tags = Vec::new();
        for tag in object.tag.iter() {
            match tag.kind.as_str() {
                "Mention" => mentioned.push(tag.href.as_deref().unwrap_or_default()),
                "Hashtag" => {
                    let name = tag
                        .name
                        .as_deref()
                        .unwrap_or_default()
                        .trim_start_matches('#')
                        .to_lowercase();
                    if !name.is_empty()
                        && name.len() <= 100
                        && name.chars().all(|c| c.is_alphanumeric() || c == '_')
                        && !tags.contains(&name)
                        && tags.len() < 20
                    {
                        tags.push(name);
                    }
                }
                _ => {}
            }
        }
        // The group it is posted in: its `audience` (Lemmy), else the first
        // local group it is addressed to or mentions (Mastodon).
        let audience = object.audience.as_ref().and_then(ObjectRef::id);
        mentioned.extend(audience);
        mentioned.extend(to.iter().chain(cc.iter()).copied());
        let mut mentions: Vec<Id> = Vec::new();
        let mut group: Option<Id> = None;
        for uri in mentioned {
            // The public collection and the author's followers name no
            // account: no store read for them (one per activity otherwise).
            if PUBLIC_ALIASES.contains(&uri) || uri == followers {
                continue;
            }
            let member = match crate::uris::local_username(&self.node, uri) {
                Some(name) => self.node.find_member(name)?,
                None => self.node.remote_member_by_uri(uri)?,
            };
            if let Some(m) = member {
                if m.is_group() && m.is_local() {
                    group = group.or(Some(m.id));
                    // Addressing a group posts in it; it is no mention.
                    continue;
                }
                if !mentions.contains(&m.id) {
                    mentions.push(m.id);
                }
            }
        }
        let in_reply_to = match object.in_reply_to.as_ref().and_then(ObjectRef::id) {
            Some(parent) => self.post_for_reply(parent, depth).await,
            None => None,
        };
        // A Lemmy link post's link is an attachment of type `Link`: shown
        // as a link under the text, not as media.
        let links: Vec<&str> = object
            .attachment
            .iter()
            .filter(|a| a.kind.as_str() == "Link")
            .filter_map(|a| a.href.as_deref().or(a.url.as_deref()))
            .filter(|href| {
                href.len() <= 2048 && (href.starts_with("https://") || href.starts_with("http://"))
            })
            .take(4)
            .collect();
        let attachments = object
            .attachment
            .iter()
            .filter(|a| a.kind.as_str() != "Link")
            .filter_map(|a| {
                let url = a.url.as_deref().unwrap_or_default();
                (url.starts_with("https://") || url.starts_with("http://")).then(|| {
                    RemoteAttachment {
                        url: url.to_string(),
                        media_type: a.media_type.clone().unwrap_or_default(),
                        description: a
                            .name
                            .as_deref()
                            .unwrap_or_default()
                            .chars()
                            .take(1500)
                            .collect(),
                        blurhash: a.blurhash.clone(),
                    }
                })
            })
            .take(8)
            .collect();
        let url = match object.url.as_ref().and_then(ObjectRef::id) {
            Some(u) if u.starts_with("http") => u.to_string(),
            _ => id.to_string(),
        };
        Ok(RemotePost {
            uri: id.to_string(),
            url,
            title: if object.kind.as_str() == "Note" {
                String::new()
            } else {
                object
                    .name
                    .as_deref()
                    .unwrap_or_default()
                    .chars()
                    .take(300)
                    .collect()
            },
            html: sanitize_html(&with_links(content, &links)),
            summary: plain_text(object.summary.as_deref().unwrap_or_default(), 500),
            sensitive: object.sensitive.unwrap_or(false),
            visibility,
            in_reply_to,
            tags,
            mentions,
            group,
            language: object.language.clone().filter(|l| l.len() <= 8),
            published: time_ms(object.published.as_deref()).unwrap_or_else(node::model::now_ms),
            updated: time_ms(object.updated.as_deref()),
            attachments,
        })
    }

    /// The local id of a post being answered: known here, or fetched
    /// (a few levels up at most).
    async fn post_for_reply(&self, uri: &str, depth: u8) -> Option<Id> {
        match crate::uris::known_post(&self.node, uri) {
            Ok(Some(p)) => return Some(p.id),
            Ok(None) => {}
            Err(_) => return None,
        }
        if depth == 0 || crate::uris::local_post_id(&self.node, uri).is_some() {
            return None;
        }
        match Box::pin(self.fetch_post(uri, depth - 1)).await {
            Ok(id) => Some(id),
            Err(e) => {
                tracing::debug!(%uri, error = %e, "could not fetch the post replied to");
                None
            }
        }
    }

    /// Fetches a remote post by id and stores it (with its author).
    pub async fn fetch_post(&self, uri: &str, depth: u8) -> Result<Id, FederationError> {
        self.fetch_post_with(uri, None, depth).await
    }

    /// [`Self::fetch_post`], with the post's document when it was just
    /// fetched from `uri` itself (saves fetching it again).
    pub(crate) async fn fetch_post_with(
        &self,
        uri: &str,
        prefetched: Option<Value>,
        depth: u8,
    ) -> Result<Id, FederationError> {
        if let Some(p) = crate::uris::known_post(&self.node, uri)? {
            return Ok(p.id);
        }
        let doc = match prefetched {
            Some(doc) => doc,
            None => self.fetch(uri).await?,
        };
        let doc = PostObject::deserialize(&doc)
            .map_err(|e| FederationError::Malformed(format!("{uri}: {e}")))?;
        if doc.id.as_deref() != Some(uri) {
            return Err(FederationError::Forbidden(format!(
                "{uri} answered with another object"
            )));
        }
        if !doc.is_post() {
            return Err(FederationError::Malformed(format!("{uri} is not a post")));
        }
        let author_uri = doc
            .author()
            .ok_or_else(|| FederationError::Malformed("no attributedTo".into()))?;
        let author = self.resolve_actor(author_uri, false).await?;
        let post = self.remote_post(&doc, &author, depth).await?;
        Ok(self.node.receive_post(&author, post).await?)
    }

    /// Fetches the known post of another server `uri` again from its own
    /// server and applies what it says now (an edit), as its author's
    /// `Update` would: told of an edit by someone else (a group's
    /// announce), this node believes the origin only. A post of this
    /// node, or one not known here, is left alone.
    pub(crate) async fn refresh_post(&self, uri: &str) -> Result<(), FederationError> {
        let Some(known) = crate::uris::known_post(&self.node, uri)? else {
            return Ok(());
        };
        if known.remote.is_none() {
            return Ok(());
        }
        let doc = self.fetch(uri).await?;
        let doc = PostObject::deserialize(&doc)
            .map_err(|e| FederationError::Malformed(format!("{uri}: {e}")))?;
        if doc.id.as_deref() != Some(uri) || !doc.is_post() {
            return Err(FederationError::Forbidden(format!(
                "{uri} answered with another object"
            )));
        }
        let Some(author) = self.node.member_by_id(known.author_id)? else {
            return Ok(());
        };
        let post = self.remote_post(&doc, &author, 0).await?;
        match self.node.receive_post_update(&author, post).await {
            Ok(()) | Err(node::NodeError::NotFound(_)) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

/// `content` with a paragraph linking each of `links` after it (the
/// whole is sanitised afterwards, links included).
fn with_links(content: &str, links: &[&str]) -> String {
    let mut html = content.to_string();
    for link in links {
        let escaped = link
            .replace('&', "&amp;")
            .replace('"', "&quot;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        html.push_str(&format!("<p><a href=\"{escaped}\">{escaped}</a></p>"));
    }
    html
}
