//! Conversation: a direct-message thread.

use node::conversations::ConversationView;
use node::NodeResult;
use serde::Serialize;

use super::{Account, Renderer, Status};

/// Mastodon's Conversation.
#[derive(Debug, Clone, Serialize)]
pub struct Conversation {
    /// Conversation id.
    pub id: String,
    /// Whether the viewer has unread messages in it.
    pub unread: bool,
    /// The other participants.
    pub accounts: Vec<Account>,
    /// The latest message.
    pub last_status: Status,
}

impl Renderer<'_> {
    /// A Conversation.
    pub fn conversation(&mut self, c: &ConversationView) -> NodeResult<Conversation> {
        let accounts = c
            .participants
            .iter()
            .map(|m| self.account_by_id(m.id))
            .collect::<NodeResult<Vec<_>>>()?;
        Ok(Conversation {
            id: c.id.to_string(),
            unread: c.unread,
            accounts,
            last_status: self.status(&c.last_post)?,
        })
    }
}
