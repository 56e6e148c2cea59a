//! Streaming: new posts, edits, deletes and notifications pushed to open
//! apps over Server-Sent Events (`/api/v1/streaming/user`, ...) or a
//! WebSocket (`/api/v1/streaming?stream=user`), fed by the node's event bus.
//!
//! Each stream is checked against its token's scopes when opened (and each
//! WebSocket subscription when made), and ends as soon as its token does:
//! the node emits [`Event::SessionEnded`] when a session is revoked or
//! ends with its member's suspension, deletion or password reset; a stream
//! that may have missed it (it lagged) or that has been open for
//! [`SESSION_RECHECK`] asks the node again. Open streams are counted per
//! IP and in all ([`StreamSlots`]).

mod channel;
mod messages;
mod slots;

#[cfg(test)]
mod tests;

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::ws::{close_code, CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures_util::stream;
use node::events::Event;
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::broadcast::Receiver;
use tokio::time::{Interval, MissedTickBehavior};

use self::channel::{translate, Channel, Listener};
use self::messages::{ClientMessage, EventMessage, Refusal};
pub use self::slots::{StreamSlot, StreamSlots};
use super::MaybeToken;
use crate::error::{ApiError, ApiResult};
use crate::rate_limit::ClientIp;
use crate::state::AppState;

/// How often an open stream asks the node whether its session still
/// stands, in case it missed the event that ended it.
pub const SESSION_RECHECK: Duration = Duration::from_secs(30);

/// The largest message (and frame) a WebSocket client may send: clients
/// only send `{"type":"subscribe","stream":...}` and the like, a few
/// hundred bytes. A longer one closes the connection once this much has
/// arrived, instead of being buffered (tungstenite's default is 64 MiB).
pub const MAX_CLIENT_MESSAGE: usize = 16 * 1024;

/// The server-sent-event endpoints and the stream each opens.
const SSE_STREAMS: [(&str, &str); 7] = [
    ("/api/v1/streaming/user", "user"),
    ("/api/v1/streaming/user/notification", "user:notification"),
    ("/api/v1/streaming/public", "public"),
    ("/api/v1/streaming/public/local", "public:local"),
    ("/api/v1/streaming/hashtag", "hashtag"),
    ("/api/v1/streaming/hashtag/local", "hashtag:local"),
    ("/api/v1/streaming/direct", "direct"),
];

/// Routes.
pub fn routes() -> Router<AppState> {
    let router = Router::new()
        .route("/api/v1/streaming", get(websocket))
        .route("/api/v1/streaming/", get(websocket))
        .route("/api/v1/streaming/health", get(|| async { "OK" }));
    SSE_STREAMS
        .into_iter()
        .fold(router, |router, (path, stream)| {
            router.route(path, get(move |s, t, ip, q| sse(s, t, ip, q, stream)))
        })
}

#[derive(Deserialize)]
struct StreamQuery {
    tag: Option<String>,
    stream: Option<String>,
}

/// An open stream's subscription to the node's events, for as long as its
/// session stands. It holds the stream's slot. The members' web app's live
/// updates read the node's events through one too
/// ([`Subscription::for_session`]).
pub(crate) struct Subscription {
    state: AppState,
    listener: Listener,
    events: Receiver<Event>,
    recheck: Interval,
    _slot: StreamSlot,
}

impl Subscription {
    fn new(state: AppState, listener: Listener, slot: StreamSlot) -> Subscription {
        let events = state.node.subscribe();
        let mut recheck = tokio::time::interval_at(
            tokio::time::Instant::now() + SESSION_RECHECK,
            SESSION_RECHECK,
        );
        recheck.set_missed_tick_behavior(MissedTickBehavior::Delay);
        Subscription {
            state,
            listener,
            events,
            recheck,
            _slot: slot,
        }
    }

    /// A subscription for `viewer` signed in with `session` (not a token:
    /// the members' web app's session), holding a slot of the streams of
    /// `ip`, or 429 when that IP (or the node) has too many open.
    pub(crate) fn for_session(
        state: AppState,
        viewer: node::Viewer,
        session: node::model::Session,
        ip: std::net::IpAddr,
    ) -> ApiResult<Subscription> {
        let slot = state.streams.open(ip)?;
        let listener = Listener {
            viewer,
            session: Some(session),
        };
        Ok(Subscription::new(state, listener, slot))
    }

    /// Who this subscription listens as.
    pub(crate) fn viewer(&self) -> &node::Viewer {
        &self.listener.viewer
    }

    /// The node this subscription listens to.
    pub(crate) fn state(&self) -> &AppState {
        &self.state
    }

    /// The next event, or `None` once the stream must end: its session
    /// ended, or the node is shutting down.
    pub(crate) async fn next(&mut self) -> Option<Event> {
        loop {
            tokio::select! {
                event = self.events.recv() => match event {
                    Ok(Event::SessionEnded { session, .. }) if self.listener.is_session(session) => {
                        return None;
                    }
                    Ok(event) => return Some(event),
                    Err(RecvError::Lagged(n)) => {
                        tracing::warn!(missed = n, "streaming client lagged");
                        // What it missed may have ended its session.
                        if !self.session_alive() {
                            return None;
                        }
                    }
                    Err(RecvError::Closed) => return None,
                },
                _ = self.recheck.tick() => {
                    if !self.session_alive() {
                        return None;
                    }
                }
            }
        }
    }

    /// Whether the session still stands (anonymous: always). A store error
    /// ends the stream; the client reconnects.
    fn session_alive(&self) -> bool {
        match &self.listener.session {
            None => true,
            Some(session) => self.state.node.session_alive(session).unwrap_or(false),
        }
    }
}

/// GET /api/v1/streaming/{user,public,...} — Server-Sent Events.
async fn sse(
    State(s): State<AppState>,
    t: MaybeToken,
    ClientIp(ip): ClientIp,
    Query(q): Query<StreamQuery>,
    name: &'static str,
) -> ApiResult<Response> {
    let channel = Channel::parse(name, q.tag.as_deref())
        .ok_or_else(|| ApiError::field(StatusCode::BAD_REQUEST, "tag", "tag is required"))?;
    let listener = Listener::new(t);
    listener.check(&channel)?;
    let slot = s.streams.open(ip)?;
    let subscription = Subscription::new(s, listener, slot);
    let events = stream::unfold((subscription, channel), |(mut sub, channel)| async move {
        loop {
            let event = sub.next().await?;
            if let Some(out) = translate(&sub.state, &sub.listener, &channel, &event) {
                let item: Result<SseEvent, Infallible> =
                    Ok(SseEvent::default().event(out.event).data(out.payload));
                return Some((item, (sub, channel)));
            }
        }
    });
    Ok(Sse::new(events)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response())
}

/// GET /api/v1/streaming?stream=user — WebSocket; more streams can be
/// added with `{"type":"subscribe","stream":"...","tag":"..."}` messages,
/// each checked against the token's scopes.
async fn websocket(
    State(s): State<AppState>,
    t: MaybeToken,
    ClientIp(ip): ClientIp,
    Query(q): Query<StreamQuery>,
    ws: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> ApiResult<Response> {
    let Ok(ws) = ws else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "expected a WebSocket upgrade",
        ));
    };
    let listener = Listener::new(t);
    let mut channels = Vec::new();
    if let Some(name) = q.stream.as_deref() {
        let channel = Channel::parse(name, q.tag.as_deref())
            .ok_or_else(|| ApiError::field(StatusCode::BAD_REQUEST, "stream", "unknown stream"))?;
        listener.check(&channel)?;
        channels.push(channel);
    }
    let slot = s.streams.open(ip)?;
    let subscription = Subscription::new(s, listener, slot);
    Ok(ws
        .max_message_size(MAX_CLIENT_MESSAGE)
        .max_frame_size(MAX_CLIENT_MESSAGE)
        .on_upgrade(move |socket| serve_socket(subscription, channels, socket)))
}

async fn serve_socket(mut sub: Subscription, mut channels: Vec<Channel>, mut socket: WebSocket) {
    loop {
        tokio::select! {
            event = sub.next() => {
                let Some(event) = event else {
                    let _ = socket
                        .send(Message::Close(Some(CloseFrame {
                            code: close_code::POLICY,
                            reason: "the access token is no longer valid".into(),
                        })))
                        .await;
                    return;
                };
                for channel in &channels {
                    if let Some(out) = translate(&sub.state, &sub.listener, channel, &event) {
                        let msg = EventMessage { stream: channel.names(), event: out.event, payload: &out.payload };
                        let Ok(text) = serde_json::to_string(&msg) else { continue };
                        if socket.send(Message::Text(text.into())).await.is_err() {
                            return;
                        }
                    }
                }
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    let Ok(m) = serde_json::from_str::<ClientMessage>(&text) else { continue };
                    let Some(channel) = Channel::parse(&m.stream, m.tag.as_deref()) else { continue };
                    match m.kind.as_str() {
                        "subscribe" => {
                            if let Err(e) = sub.listener.check(&channel) {
                                // Mastodon answers a refused subscription so.
                                let msg = Refusal { error: &e.message, status: e.status.as_u16() };
                                let Ok(text) = serde_json::to_string(&msg) else { continue };
                                if socket.send(Message::Text(text.into())).await.is_err() {
                                    return;
                                }
                            } else if !channels.contains(&channel) {
                                channels.push(channel);
                            }
                        }
                        "unsubscribe" => channels.retain(|c| *c != channel),
                        _ => {}
                    }
                }
                // A message over MAX_CLIENT_MESSAGE arrives as an error.
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}
