//! The WebSocket stream's messages, both ways, in Mastodon's shapes.

use serde::{Deserialize, Serialize};

/// What a client sends: `{"type": "subscribe", "stream": "hashtag", "tag": "x"}`.
#[derive(Deserialize)]
pub(super) struct ClientMessage {
    /// `subscribe` or `unsubscribe`.
    #[serde(rename = "type")]
    pub(super) kind: String,
    /// The stream's name.
    pub(super) stream: String,
    /// The hashtag, for a hashtag stream.
    pub(super) tag: Option<String>,
}

/// An event on a stream; the payload is an entity's JSON, as text.
#[derive(Serialize)]
pub(super) struct EventMessage<'a> {
    /// The stream's names (`["hashtag", "x"]`).
    pub(super) stream: Vec<String>,
    /// `update`, `delete`, `notification`...
    pub(super) event: &'a str,
    /// The entity (or id), as a JSON string.
    pub(super) payload: &'a str,
}

/// The answer to a refused subscription.
#[derive(Serialize)]
pub(super) struct Refusal<'a> {
    /// Why.
    pub(super) error: &'a str,
    /// The HTTP status it would have had.
    pub(super) status: u16,
}
