//! Streaming: new posts, edits, deletes and notifications pushed to open
//! apps over Server-Sent Events (`/api/v1/streaming/user`, ...) or a
//! WebSocket (`/api/v1/streaming?stream=user`), fed by the node's event bus.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures_util::stream;
use node::events::Event;
use node::model::Visibility;
use node::Viewer;
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;

use super::entities::Renderer;
use super::MaybeToken;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/streaming", get(websocket))
        .route("/api/v1/streaming/", get(websocket))
        .route("/api/v1/streaming/health", get(|| async { "OK" }))
        .route(
            "/api/v1/streaming/user",
            get(|s, t, q| sse(s, t, q, "user")),
        )
        .route(
            "/api/v1/streaming/user/notification",
            get(|s, t, q| sse(s, t, q, "user:notification")),
        )
        .route(
            "/api/v1/streaming/public",
            get(|s, t, q| sse(s, t, q, "public")),
        )
        .route(
            "/api/v1/streaming/public/local",
            get(|s, t, q| sse(s, t, q, "public:local")),
        )
        .route(
            "/api/v1/streaming/hashtag",
            get(|s, t, q| sse(s, t, q, "hashtag")),
        )
        .route(
            "/api/v1/streaming/hashtag/local",
            get(|s, t, q| sse(s, t, q, "hashtag:local")),
        )
        .route(
            "/api/v1/streaming/direct",
            get(|s, t, q| sse(s, t, q, "direct")),
        )
}

/// One subscribed stream.
#[derive(Debug, Clone, PartialEq)]
enum Channel {
    User,
    UserNotification,
    Public,
    Hashtag(String),
    Direct,
}

impl Channel {
    fn parse(name: &str, tag: Option<&str>) -> Option<Channel> {
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

    /// Mastodon's name for the `stream` field of WebSocket messages.
    fn names(&self) -> Vec<String> {
        match self {
            Channel::User => vec!["user".into()],
            Channel::UserNotification => vec!["user:notification".into()],
            Channel::Public => vec!["public:local".into()],
            Channel::Hashtag(t) => vec!["hashtag".into(), t.clone()],
            Channel::Direct => vec!["direct".into()],
        }
    }
}

/// An event to send: Mastodon's event name and payload (JSON text, or the
/// bare id for `delete`).
struct Outgoing {
    event: &'static str,
    payload: String,
}

/// What `event` means for `viewer` on `channel`, if anything.
fn translate(
    state: &AppState,
    viewer: &Viewer,
    channel: &Channel,
    event: &Event,
) -> Option<Outgoing> {
    let node = &state.node;
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
                let entity =
                    super::conversations::render(&mut Renderer::new(node), conversation).ok()?;
                return Some(Outgoing {
                    event: "conversation",
                    payload: entity.to_string(),
                });
            }
            let wanted = match channel {
                Channel::User => node.in_home(viewer, &post).ok()?,
                Channel::Public => post.visibility == Visibility::Public,
                Channel::Hashtag(tag) => {
                    post.visibility == Visibility::Public && post.tags.contains(tag)
                }
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
                payload: status.to_string(),
            })
        }
        Event::PostDeleted { id } => Some(Outgoing {
            event: "delete",
            payload: id.to_string(),
        }),
        Event::FederationQueued => None,
        Event::Notified { recipient, id } => {
            if !matches!(channel, Channel::User | Channel::UserNotification)
                || viewer.id() != Some(*recipient)
            {
                return None;
            }
            let n = node.notification(viewer, *id).ok()?;
            let entity = Renderer::new(node).notification(&n).ok()?;
            Some(Outgoing {
                event: "notification",
                payload: entity.to_string(),
            })
        }
    }
}

#[derive(Deserialize)]
struct StreamQuery {
    tag: Option<String>,
    stream: Option<String>,
}

fn viewer_for(token: &MaybeToken, channel: &Channel) -> ApiResult<Viewer> {
    let viewer = token.viewer("read:statuses")?;
    if channel.needs_member() && viewer.id().is_none() {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "Error: Missing access token",
        ));
    }
    Ok(viewer)
}

/// GET /api/v1/streaming/{user,public,...} — Server-Sent Events.
async fn sse(
    State(s): State<AppState>,
    t: MaybeToken,
    Query(q): Query<StreamQuery>,
    name: &'static str,
) -> ApiResult<Response> {
    let channel = Channel::parse(name, q.tag.as_deref())
        .ok_or_else(|| ApiError::field(StatusCode::BAD_REQUEST, "tag", "tag is required"))?;
    let viewer = viewer_for(&t, &channel)?;
    let rx = s.node.subscribe();
    let events = stream::unfold(
        (s, viewer, channel, rx),
        |(s, viewer, channel, mut rx)| async move {
            loop {
                match rx.recv().await {
                    Ok(event) => {
                        if let Some(out) = translate(&s, &viewer, &channel, &event) {
                            let item: Result<SseEvent, Infallible> =
                                Ok(SseEvent::default().event(out.event).data(out.payload));
                            return Some((item, (s, viewer, channel, rx)));
                        }
                    }
                    Err(RecvError::Lagged(n)) => {
                        tracing::warn!(missed = n, "streaming client lagged")
                    }
                    Err(RecvError::Closed) => return None,
                }
            }
        },
    );
    Ok(Sse::new(events)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response())
}

/// GET /api/v1/streaming?stream=user — WebSocket; more streams can be
/// added with `{"type":"subscribe","stream":"...","tag":"..."}` messages.
async fn websocket(
    State(s): State<AppState>,
    t: MaybeToken,
    Query(q): Query<StreamQuery>,
    ws: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> ApiResult<Response> {
    let Ok(ws) = ws else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "expected a WebSocket upgrade",
        ));
    };
    let viewer = t.viewer("read:statuses")?;
    let mut channels = Vec::new();
    if let Some(name) = q.stream.as_deref() {
        let channel = Channel::parse(name, q.tag.as_deref())
            .ok_or_else(|| ApiError::field(StatusCode::BAD_REQUEST, "stream", "unknown stream"))?;
        viewer_for(&t, &channel)?;
        channels.push(channel);
    }
    Ok(ws.on_upgrade(move |socket| serve_socket(s, viewer, channels, socket)))
}

#[derive(Deserialize)]
struct ClientMessage {
    #[serde(rename = "type")]
    kind: String,
    stream: String,
    tag: Option<String>,
}

async fn serve_socket(
    s: AppState,
    viewer: Viewer,
    mut channels: Vec<Channel>,
    mut socket: WebSocket,
) {
    let mut rx = s.node.subscribe();
    loop {
        tokio::select! {
            event = rx.recv() => match event {
                Ok(event) => {
                    for channel in &channels {
                        if let Some(out) = translate(&s, &viewer, channel, &event) {
                            let msg = serde_json::json!({"stream": channel.names(), "event": out.event, "payload": out.payload});
                            if socket.send(Message::Text(msg.to_string().into())).await.is_err() {
                                return;
                            }
                        }
                    }
                }
                Err(RecvError::Lagged(n)) => tracing::warn!(missed = n, "streaming client lagged"),
                Err(RecvError::Closed) => return,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    let Ok(m) = serde_json::from_str::<ClientMessage>(&text) else { continue };
                    let Some(channel) = Channel::parse(&m.stream, m.tag.as_deref()) else { continue };
                    if channel.needs_member() && viewer.id().is_none() {
                        continue;
                    }
                    match m.kind.as_str() {
                        "subscribe" if !channels.contains(&channel) => channels.push(channel),
                        "unsubscribe" => channels.retain(|c| *c != channel),
                        _ => {}
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}
