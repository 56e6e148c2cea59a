//! Remote posts: translating a received `Note` (or `Article`, `Page`,
//! `Question`) into a node post, and fetching the ones we miss.

use node::model::{Member, RemoteAttachment, Visibility};
use node::remote::RemotePost;
use node::Id;
use serde_json::Value;

use crate::error::FederationError;
use crate::json::{id_of, ids_of, str_of, time_ms, type_of};
use crate::sanitize::{plain_text, sanitize_html};
use crate::service::Federation;

/// Object types stored as posts.
pub const POST_TYPES: [&str; 5] = ["Note", "Article", "Page", "Question", "Event"];

/// The largest content accepted (characters of HTML).
const MAX_CONTENT: usize = 100_000;

const PUBLIC_ALIASES: [&str; 3] = [protocol::activitystreams::PUBLIC, "as:Public", "Public"];

/// Checks that an object id is on the same server as the actor that
/// sends or wrote it (no spoofing another server's posts).
pub fn check_same_origin(object_id: &str, actor_id: &str) -> Result<(), FederationError> {
    let a = node::remote::host_of(object_id);
    if a.is_none() || a != node::remote::host_of(actor_id) {
        return Err(FederationError::Forbidden(format!(
            "{object_id} does not belong to {actor_id}"
        )));
    }
    Ok(())
}

impl Federation {
    /// Translates a received object written by `author`.
    pub(crate) async fn remote_post(
        &self,
        object: &Value,
        author: &Member,
        depth: u8,
    ) -> Result<RemotePost, FederationError> {
        let remote = author
            .remote
            .as_ref()
            .ok_or_else(|| FederationError::Forbidden("a local author".into()))?;
        let id = str_of(object, "id");
        check_same_origin(id, &remote.actor_id)?;
        if id_of(object.get("attributedTo").unwrap_or(&Value::Null)) != Some(&remote.actor_id) {
            return Err(FederationError::Forbidden(
                "attributedTo is not the sending actor".into(),
            ));
        }
        let content = str_of(object, "content");
        if content.chars().count() > MAX_CONTENT {
            return Err(FederationError::TooLarge);
        }
        let to = ids_of(object.get("to").unwrap_or(&Value::Null));
        let cc = ids_of(object.get("cc").unwrap_or(&Value::Null));
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
        for tag in object
            .get("tag")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            match type_of(tag) {
                "Mention" => mentioned.push(str_of(tag, "href")),
                "Hashtag" => {
                    let name = str_of(tag, "name").trim_start_matches('#').to_lowercase();
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
        mentioned.extend(to.iter().chain(cc.iter()).copied());
        let mut mentions: Vec<Id> = Vec::new();
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
                if !mentions.contains(&m.id) {
                    mentions.push(m.id);
                }
            }
        }
        let in_reply_to = match object.get("inReplyTo").and_then(id_of) {
            Some(parent) => self.post_for_reply(parent, depth).await,
            None => None,
        };
        let attachments = object
            .get("attachment")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|a| {
                        let url = match a.get("url") {
                            Some(Value::String(u)) => u.as_str(),
                            Some(v) => str_of(v, "href"),
                            None => "",
                        };
                        (url.starts_with("https://") || url.starts_with("http://")).then(|| {
                            RemoteAttachment {
                                url: url.to_string(),
                                media_type: str_of(a, "mediaType").to_string(),
                                description: str_of(a, "name").chars().take(1500).collect(),
                                blurhash: a
                                    .get("blurhash")
                                    .and_then(Value::as_str)
                                    .map(str::to_string),
                            }
                        })
                    })
                    .take(8)
                    .collect()
            })
            .unwrap_or_default();
        let url = match object.get("url").and_then(id_of) {
            Some(u) if u.starts_with("http") => u.to_string(),
            _ => id.to_string(),
        };
        Ok(RemotePost {
            uri: id.to_string(),
            url,
            title: if type_of(object) == "Note" {
                String::new()
            } else {
                str_of(object, "name").chars().take(300).collect()
            },
            html: sanitize_html(content),
            summary: plain_text(str_of(object, "summary"), 500),
            sensitive: object
                .get("sensitive")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            visibility,
            in_reply_to,
            tags,
            mentions,
            language: object
                .get("contentMap")
                .and_then(Value::as_object)
                .and_then(|m| m.keys().next().cloned())
                .filter(|l| l.len() <= 8),
            published: time_ms(object, "published").unwrap_or_else(node::model::now_ms),
            updated: time_ms(object, "updated"),
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
        if str_of(&doc, "id") != uri {
            return Err(FederationError::Forbidden(format!(
                "{uri} answered with another object"
            )));
        }
        if !POST_TYPES.contains(&type_of(&doc)) {
            return Err(FederationError::Malformed(format!("{uri} is not a post")));
        }
        let author_uri = doc
            .get("attributedTo")
            .and_then(id_of)
            .ok_or_else(|| FederationError::Malformed("no attributedTo".into()))?;
        let author = self.resolve_actor(author_uri, false).await?;
        let post = self.remote_post(&doc, &author, depth).await?;
        Ok(self.node.receive_post(&author, post).await?)
    }
}
