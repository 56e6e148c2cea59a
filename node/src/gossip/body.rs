//! The body of a `post` envelope: what a receiver needs to recreate the
//! post without asking its origin.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Body of a [`protocol::envelope::Kind::Post`] envelope. Only public posts
/// are gossiped; `uri` (the post's ActivityPub id) is the join key with
/// ActivityPub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostBody {
    /// The post's ActivityPub id.
    pub uri: String,
    /// Its public page.
    pub url: String,
    /// The author's ActivityPub actor id.
    pub actor: String,
    /// The author's handle, `preferredUsername@host`.
    pub handle: String,
    /// Rendered HTML content.
    pub html: String,
    /// Title, or empty.
    #[serde(default)]
    pub title: String,
    /// Content warning, or empty.
    #[serde(default)]
    pub summary: String,
    /// Sensitive media or content.
    #[serde(default)]
    pub sensitive: bool,
    /// Always `public`.
    pub visibility: String,
    /// The ActivityPub id of the post this answers.
    #[serde(default)]
    pub in_reply_to: Option<String>,
    /// Hashtags (slugs).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Language code.
    #[serde(default)]
    pub language: Option<String>,
}

impl PostBody {
    /// The body as the JSON object an envelope signs.
    pub fn to_map(&self) -> Map<String, Value> {
        match serde_json::to_value(self) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        }
    }

    /// Reads a body from an envelope's object.
    pub fn from_map(map: &Map<String, Value>) -> Result<PostBody, String> {
        serde_json::from_value(Value::Object(map.clone())).map_err(|e| e.to_string())
    }
}
