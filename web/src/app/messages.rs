//! Direct messages: `/messages` (the member's conversations, as the
//! Mastodon API's `/api/v1/conversations` lists them, and the "New
//! message" form) and `/messages/{id}` (one conversation, read on
//! opening, with a reply form that posts to `/compose` as `direct`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use node::conversations::ConversationView;
use node::model::MemberSummary;
use node::posts::NewPost;
use node::{Id, NodeError, PageRequest};
use serde::Deserialize;

use super::{field, render, AppError, AppForm, Me, MemberSession};
use crate::public_pages::{member_card, readable_time, site, Card, Site};
use crate::rate_limit::Action;
use crate::state::AppState;

/// Conversations per page.
const PAGE: usize = 20;
/// Most people one new message is addressed to.
const MAX_RECIPIENTS: usize = 20;
/// Characters of the newest message the list shows.
const EXCERPT: usize = 140;

/// The paging parameter of `/messages`.
#[derive(Debug, Default, Deserialize)]
pub struct MessagesQuery {
    /// Older-than cursor.
    max_id: Option<String>,
}

/// A conversation as the list shows it.
pub struct ConversationItem {
    /// The conversation's page.
    pub link: String,
    /// The other participants' handles (`@name`, `@name@domain`).
    pub with: Vec<String>,
    /// The start of the newest message's text.
    pub excerpt: String,
    /// Who wrote the newest message.
    pub last_author: String,
    /// A message not read yet.
    pub unread: bool,
    /// When the newest message was written (RFC 3339).
    pub created: String,
    /// The same, as people read it.
    pub created_text: String,
}

/// The "New message" form: what was entered and what was wrong with it.
#[derive(Debug, Default)]
pub struct NewMessage {
    /// Handles, separated by spaces or commas.
    pub to: String,
    /// The message (Markdown).
    pub content: String,
    /// An error about the addressees.
    pub to_error: Option<String>,
    /// An error about the message.
    pub content_error: Option<String>,
    /// Any other error.
    pub error: Option<String>,
}

/// The member's conversations and the "New message" form.
#[derive(Template)]
#[template(path = "app/messages.html")]
pub struct MessagesPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    pub items: Vec<ConversationItem>,
    pub next: Option<Id>,
    pub form: NewMessage,
}

/// One conversation with its reply form.
#[derive(Template)]
#[template(path = "app/conversation.html")]
pub struct ConversationPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    /// The other participants' handles.
    pub with: Vec<String>,
    /// The messages, oldest first.
    pub feed: Vec<Card>,
    /// The message a reply answers (the newest).
    pub in_reply_to: Id,
    /// The reply's addressees, written into its text to start with.
    pub mentions: String,
    /// This page, where the forms come back to.
    pub back: String,
}

/// `@name` for a member here, `@name@domain` for one of another server
/// (whose username carries its domain).
fn handle(m: &MemberSummary) -> String {
    format!("@{}", m.username)
}

/// The start of a text, with an ellipsis when it was cut.
fn excerpt(text: &str) -> String {
    let cut: String = text.chars().take(EXCERPT).collect();
    if cut.len() < text.len() {
        format!("{cut}…")
    } else {
        cut
    }
}

/// A conversation as the list shows it.
fn item(c: &ConversationView) -> ConversationItem {
    let last = &c.last_post;
    ConversationItem {
        link: format!("/messages/{}", c.id),
        with: c.participants.iter().map(handle).collect(),
        excerpt: excerpt(last.source.trim()),
        last_author: handle(&last.author),
        unread: c.unread,
        created: node::model::rfc3339::format(last.created_at),
        created_text: readable_time(last.created_at),
    }
}

/// Renders the list with `form` in the "New message" form.
fn list_page(
    s: &AppState,
    session: MemberSession,
    query: &MessagesQuery,
    form: NewMessage,
) -> Result<Response, AppError> {
    let req = PageRequest {
        max_id: query.max_id.as_deref().and_then(|m| m.parse().ok()),
        ..PageRequest::first(PAGE)
    };
    let page = s.node.conversations(&session.viewer, &req)?;
    let Site {
        domain,
        members,
        posts,
    } = site(s)?;
    render(MessagesPage {
        domain,
        members,
        posts,
        me: Some(session.me),
        items: page.items.iter().map(item).collect(),
        next: page.next_max_id,
        form,
    })
}

/// GET /messages — the member's conversations, most recently active
/// first, with their unread state and cursor paging, and the "New
/// message" form.
pub async fn list(
    State(s): State<AppState>,
    session: MemberSession,
    Query(query): Query<MessagesQuery>,
) -> Result<Response, AppError> {
    list_page(&s, session, &query, NewMessage::default())
}

/// The names in a "to" field: handles separated by spaces or commas,
/// with or without their leading `@`, each once.
fn recipients(to: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for raw in to.split(|c: char| c.is_whitespace() || c == ',') {
        let name = raw.trim_start_matches('@');
        if !name.is_empty() && !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            names.push(name.to_string());
        }
    }
    names
}

/// POST /messages — a new direct message to the handles of `to`, limited
/// per account as posts are; then (303) to its conversation, or the list
/// again with the errors next to their fields and what was written. Every
/// addressee must be someone this node knows (search finds people of
/// other servers first), so that a message reaches everyone it names.
pub async fn send(
    State(s): State<AppState>,
    AppForm { session, form, .. }: AppForm,
) -> Result<Response, AppError> {
    let mut entered = NewMessage {
        to: field(&form, "to").to_string(),
        content: form.get("content").cloned().unwrap_or_default(),
        ..NewMessage::default()
    };
    let names = recipients(&entered.to);
    let refuse = |mut entered: NewMessage, status: StatusCode, session: MemberSession| {
        let mut response = list_page(&s, session, &MessagesQuery::default(), {
            if entered.to_error.is_none()
                && entered.content_error.is_none()
                && entered.error.is_none()
            {
                entered.error = Some("The message could not be sent.".into());
            }
            entered
        })?;
        *response.status_mut() = status;
        Ok(response)
    };
    if names.is_empty() {
        entered.to_error = Some("Name at least one person to write to.".into());
        return refuse(entered, StatusCode::BAD_REQUEST, session);
    }
    if names.len() > MAX_RECIPIENTS {
        entered.to_error = Some(format!(
            "A message goes to at most {MAX_RECIPIENTS} people."
        ));
        return refuse(entered, StatusCode::BAD_REQUEST, session);
    }
    if entered.content.trim().is_empty() {
        entered.content_error = Some("Write a message.".into());
        return refuse(entered, StatusCode::BAD_REQUEST, session);
    }
    for name in &names {
        match s.node.profile(&session.viewer, name) {
            Ok(_) => {}
            Err(NodeError::NotFound(_) | NodeError::Forbidden(_)) => {
                entered.to_error = Some(format!(
                    "No one called @{name} is known here. Search for them first: a handle of another server is looked up there."
                ));
                return refuse(entered, StatusCode::BAD_REQUEST, session);
            }
            Err(e) => return Err(e.into()),
        }
    }
    let mentions: Vec<String> = names.iter().map(|n| format!("@{n}")).collect();
    let new = NewPost {
        content: format!("{} {}", mentions.join(" "), entered.content),
        visibility: Some("direct".into()),
        ..NewPost::default()
    };
    let limited = match session.viewer.id() {
        Some(id) => s.limiters.check(Action::Post, &id.to_string()),
        None => Ok(()),
    };
    let result = match limited {
        Ok(()) => s
            .node
            .create_post(&session.viewer, new)
            .await
            .map_err(crate::error::ApiError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(post) => Ok(Redirect::to(&format!("/messages/{}", post.thread_root)).into_response()),
        Err(e) => {
            let status = e.status;
            let slot = match e.field.as_deref() {
                Some("content") => &mut entered.content_error,
                Some("visibility") => &mut entered.to_error,
                _ => &mut entered.error,
            };
            *slot = Some(e.message);
            refuse(entered, status, session)
        }
    }
}

/// GET /messages/{id} — one of the member's conversations, its messages
/// oldest first, marked read; with a reply form (to `/compose`, `direct`,
/// addressed to everyone in it). 404 for anyone who takes no part in it.
pub async fn conversation(
    State(s): State<AppState>,
    session: MemberSession,
    Path(raw): Path<String>,
) -> Result<Response, AppError> {
    let root: Id = raw
        .parse()
        .map_err(|_| AppError::Page(StatusCode::NOT_FOUND, "No such conversation.".into()))?;
    let open = s.node.open_conversation(&session.viewer, root).await?;
    let Site {
        domain,
        members,
        posts,
    } = site(&s)?;
    let back = format!("/messages/{root}");
    let urls = s.node.urls();
    let with: Vec<String> = open.conversation.participants.iter().map(handle).collect();
    let mut mentions = with.join(" ");
    if !mentions.is_empty() {
        mentions.push(' ');
    }
    render(ConversationPage {
        domain,
        members,
        posts,
        feed: open
            .messages
            .iter()
            .map(|p| member_card(urls, p, &session.me, &back))
            .collect(),
        in_reply_to: open.conversation.last_post.id,
        me: Some(session.me),
        with,
        mentions,
        back,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipients_split_on_spaces_and_commas_without_at_signs_each_once() {
        assert_eq!(
            recipients(" @bob, carol@x.example  @Bob,,@"),
            vec!["bob".to_string(), "carol@x.example".to_string()]
        );
        assert!(recipients(" , ").is_empty());
    }

    #[test]
    fn excerpts_cut_long_texts_only() {
        assert_eq!(excerpt("short"), "short");
        let long = "é".repeat(EXCERPT + 1);
        assert_eq!(excerpt(&long).chars().count(), EXCERPT + 1);
        assert!(excerpt(&long).ends_with('…'));
    }
}
