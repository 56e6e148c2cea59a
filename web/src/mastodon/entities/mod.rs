//! Mastodon API entities, in Mastodon 4.3's shapes, and their rendering
//! from node views: ids as strings, ISO 8601 dates, every field present
//! (a field Kodeon has no value for is `null` or `[]`, never absent).
//!
//! One file per entity: the struct that is serialized and the function
//! that builds it. Fields are declared in the order clients see them.

mod account;
mod application;
mod conversation;
mod instance;
mod marker;
mod media;
mod notification;
mod relationship;
mod report;
mod search;
mod status;
mod text;
mod trends;

use std::collections::HashMap;

use node::{Id, Node, NodeResult};
use protocol::local_urls::LocalUrls;
use serde::Serialize;

pub use account::{Account, CredentialAccount, Field, Source};
pub use application::{Application, OAuthError, Token};
pub use conversation::Conversation;
pub use instance::{instance_v1, instance_v2, rules, InstanceV1, InstanceV2, Rule};
pub use marker::{Marker, Markers};
pub use media::{attachment, MediaAttachment};
pub use notification::{notification_kinds, Notification};
pub use relationship::{relationship, Relationship};
pub use report::{report, Report};
pub use search::{Hashtag, SearchResults};
pub use status::{Context, Mention, Status, StatusSource, Tag};
pub use text::{parse_visibility, text_to_html, visibility_name};
pub use trends::{History, Suggestion, TrendLink, TrendTag};

/// Something Kodeon does not have (custom emojis, roles, polls, cards,
/// filters...): a field of this type is always `null` (as an `Option`) or
/// `[]` (as a `Vec`), since no value of it can exist.
#[derive(Debug, Clone, Serialize)]
pub enum Unsupported {}

/// `{}`: what Mastodon answers when an action has nothing to return.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Empty {}

/// A node time (ms since the epoch) as Mastodon's ISO 8601 date.
fn date(ms: i64) -> String {
    node::model::rfc3339::format(ms)
}

/// Renders entities for one request: knows the node's URLs and caches
/// the accounts of authors so a page loads each once.
pub struct Renderer<'a> {
    node: &'a Node,
    urls: &'a LocalUrls,
    accounts: HashMap<Id, Account>,
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

    /// The Account of a member by id (cached per renderer).
    pub fn account_by_id(&mut self, id: Id) -> NodeResult<Account> {
        if let Some(a) = self.accounts.get(&id) {
            return Ok(a.clone());
        }
        let a = self.account(&self.node.member_card(id)?);
        self.accounts.insert(id, a.clone());
        Ok(a)
    }
}
