//! Collections served (an outbox, a post's replies, follower counts) and
//! their pages.

use serde::Serialize;

use super::CONTEXT;

/// An `OrderedCollection`, `Collection` or one of their pages. Served
/// only, never read; properties left `None` are not written.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Collection<T> {
    /// JSON-LD context.
    #[serde(rename = "@context")]
    pub context: &'static str,
    /// Its id.
    pub id: String,
    /// `OrderedCollection`, `OrderedCollectionPage`, `Collection` or
    /// `CollectionPage`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// How many items, for a whole collection that says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_items: Option<i64>,
    /// Its first page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first: Option<String>,
    /// The collection a page belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part_of: Option<String>,
    /// A page's items, in order (`OrderedCollectionPage`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ordered_items: Option<Vec<T>>,
    /// A page's items (`CollectionPage`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<T>>,
    /// The next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

impl<T> Collection<T> {
    /// An empty collection or page of type `kind`; the caller fills in
    /// what it has.
    pub fn new(kind: &'static str, id: String) -> Collection<T> {
        Collection {
            context: CONTEXT,
            id,
            kind,
            total_items: None,
            first: None,
            part_of: None,
            ordered_items: None,
            items: None,
            next: None,
        }
    }
}
