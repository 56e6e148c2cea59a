//! Streams, who may open them, and what each node event means on each.

use axum::http::StatusCode;
use node::apps::scopes;
use node::events::Event;
use node::model::{Session, Visibility};
use node::Viewer;

use super::super::entities::Renderer;
use super::super::MaybeToken;
use crate::error::ApiError;
use crate::state::AppState;

/// One subscribed stream.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Channel {
    User,
    UserNotification,
    Public,
    Hashtag(String),
    Direct,
}

impl Channel {
    pub(super) fn parse(name: &str, tag: Option<&str>) -> Option<Channel> {
        Some(match name {
            "user" => Channel::User,
            "user:notification" => Channel::UserNotification,
            "public" | "public:local" | "public:media" | "public:local:media" => Channel::Public,
            "hashtag" | "hashtag:local" => Channel::Hashtag(
                tag.filter(|t| !t.is_empty())?
                    .trim_start_matches('#')
                    .to_lowercase(),
            ),
            "direct" => Channel::Direct,
            _ => return None,
        })
    }

    fn needs_member(&self) -> bool {
        matches!(
            self,
            Channel::User | Channel::UserNotification | Channel::Direct
        )
    }

    /// The scope a token needs for this stream, as Mastodon's streaming
    /// server asks (`read` covers both).
    fn scope(&self) -> &'static str {
        match self {
            Channel::UserNotification => "read:notifications",
            Channel::User | Channel::Public | Channel::Hashtag(_) | Channel::Direct => {
                "read:statuses"
            }
        }
    }

    /// Mastodon's name for the `stream` field of WebSocket messages.
    pub(super) fn names(&self) -> Vec<String> {
        match self {
            Channel::User => vec!["user".into()],
            Channel::UserNotification => vec!["user:notification".into()],
            Channel::Public => vec!["public:local".into()],
            Channel::Hashtag(t) => vec!["hashtag".into(), t.clone()],
            Channel::Direct => vec!["direct".into()],
        }
    }
}

/// Who is listening: the viewer and, for a token, its session (scopes,
/// and the id that a [`Event::SessionEnded`] names).
pub(super) struct Listener {
    pub(super) viewer: Viewer,
    pub(super) session: Option<Session>,
}

impl Listener {
    pub(super) fn new(token: MaybeToken) -> Listener {
        match token.0 {
            Some(t) => Listener {
                viewer: t.viewer,
                session: Some(t.session),
            },
            None => Listener {
                viewer: Viewer::Anonymous,
                session: None,
            },
        }
    }

    /// Whether the token holds `scope` (anonymous listeners hold none, and
    /// are kept to public streams by [`Listener::check`]).
    fn allows(&self, scope: &str) -> bool {
        self.session
            .as_ref()
            .is_some_and(|s| scopes::allows(&s.scopes, scope))
    }

    /// Whether this listener may open `channel`: member streams need a
    /// token; a token needs the stream's scope (401 otherwise, as
    /// Mastodon's streaming server answers).
    pub(super) fn check(&self, channel: &Channel) -> Result<(), ApiError> {
        if self.session.is_none() {
            return if channel.needs_member() {
                Err(ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "Error: Missing access token",
                ))
            } else {
                Ok(())
            };
        }
        if !self.allows(channel.scope()) {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "Access token does not have the required scopes",
            ));
        }
        Ok(())
    }

    /// Whether `session` is this listener's.
    pub(super) fn is_session(&self, session: node::Id) -> bool {
        self.session.as_ref().is_some_and(|s| s.id == session)
    }
}

/// An event to send: Mastodon's event name and payload (JSON text, or the
/// bare id for `delete`).
pub(super) struct Outgoing {
    pub(super) event: &'static str,
    pub(super) payload: String,
}

/// What `event` means for `listener` on `channel`, if anything.
pub(super) fn translate(
    state: &AppState,
    listener: &Listener,
    channel: &Channel,
    event: &Event,
) -> Option<Outgoing> {
    let node = &state.node;
    let viewer = &listener.viewer;
    match event {
        Event::PostCreated { id, .. } | Event::PostEdited { id } => {
            if *channel == Channel::UserNotification {
                return None;
            }
            let post = node.post(viewer, *id).ok()?;
            if *channel == Channel::Direct {
                // Mastodon's direct stream carries Conversation entities.
                if post.visibility != Visibility::Direct
                    || matches!(event, Event::PostEdited { .. })
                {
                    return None;
                }
                let page = node
                    .conversations(viewer, &node::PageRequest::first(20))
                    .ok()?;
                let conversation = page.items.iter().find(|c| c.last_post.id == post.id)?;
                let entity = Renderer::new(node).conversation(conversation).ok()?;
                return Some(Outgoing {
                    event: "conversation",
                    payload: serde_json::to_string(&entity).ok()?,
                });
            }
            let wanted = match channel {
                Channel::User => node.in_home(viewer, &post).ok()?,
                // A private group's posts are never in public streams,
                // even for its members (as they are not in public feeds).
                Channel::Public => node.is_listed(&post).ok()?,
                Channel::Hashtag(tag) => node.is_listed(&post).ok()? && post.tags.contains(tag),
                Channel::Direct => post.visibility == Visibility::Direct,
                Channel::UserNotification => false,
            };
            if !wanted {
                return None;
            }
            let status = Renderer::new(node).status(&post).ok()?;
            let event = if matches!(event, Event::PostEdited { .. }) {
                "status.update"
            } else {
                "update"
            };
            Some(Outgoing {
                event,
                payload: serde_json::to_string(&status).ok()?,
            })
        }
        Event::PostDeleted { id, seen_by } => {
            // Only to those who could have seen it: the same rule as every
            // read, applied to the post as it was before the delete.
            if *channel == Channel::UserNotification
                || !node.could_have_seen(viewer, seen_by).ok()?
            {
                return None;
            }
            Some(Outgoing {
                event: "delete",
                payload: id.to_string(),
            })
        }
        Event::FederationQueued
        | Event::MailQueued
        | Event::SessionEnded { .. }
        | Event::PeerBlocksChanged
        | Event::CourseCompleted { .. } => None,
        Event::Notified { recipient, id } => {
            // The user stream carries notifications only for a token that
            // may read them (Mastodon filters them the same way).
            if !matches!(channel, Channel::User | Channel::UserNotification)
                || viewer.id() != Some(*recipient)
                || !listener.allows("read:notifications")
            {
                return None;
            }
            let n = node.notification(viewer, *id).ok()?;
            let entity = Renderer::new(node).notification(&n).ok()?;
            Some(Outgoing {
                event: "notification",
                payload: serde_json::to_string(&entity).ok()?,
            })
        }
    }
}
