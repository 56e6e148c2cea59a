//! What the app's small script uses: live updates of a signed-in page
//! (`GET /live`, Server-Sent Events from the node's event bus, the same
//! subscription and visibility rules as the streaming API), the compose
//! form's Markdown preview (`POST /compose/preview`), and the script
//! itself (`GET /app.js`, from `web/templates/app/app.js`).
//!
//! Live events carry HTML the server rendered, so the script only inserts
//! it: `post` (a new post for the home feed: its card), `edit` (a post's
//! new card), `delete` (a post's id), `notification` (the unread count).

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::header;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::stream;
use node::events::Event;
use serde::Serialize;

use super::templates::CardFragment;
use super::{AppError, AppForm, Me, MemberSession};
use crate::mastodon::streaming::Subscription;
use crate::public_pages::member_card;
use crate::rate_limit::ClientIp;
use crate::state::AppState;

/// The script of the app's pages (served at `/app.js`).
pub const SCRIPT: &str = include_str!("../../templates/app/app.js");

/// GET /app.js — the app's script (the same for everyone; cached a day).
pub async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        SCRIPT,
    )
        .into_response()
}

/// The answer to a preview: the HTML, or what is wrong with the text.
#[derive(Serialize)]
struct Preview {
    #[serde(skip_serializing_if = "Option::is_none")]
    html: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// POST /compose/preview (`csrf`, `content`) — the compose form's text as
/// the post would show it, rendered and sanitised by the node as a post
/// is; nothing is written.
pub async fn preview(
    State(s): State<AppState>,
    AppForm { session, form, .. }: AppForm,
) -> Response {
    let content = form.get("content").map(String::as_str).unwrap_or("");
    match s.node.preview_post(&session.viewer, content) {
        Ok(html) => Json(Preview {
            html: Some(html),
            error: None,
        })
        .into_response(),
        Err(e) => {
            let e = crate::error::ApiError::from(e);
            let status = e.status;
            let mut response = Json(Preview {
                html: None,
                error: Some(e.message),
            })
            .into_response();
            *response.status_mut() = status;
            response
        }
    }
}

/// GET /live — the signed-in member's live updates, for as long as their
/// session stands (it ends with the session, as API streams do).
pub async fn events(
    State(s): State<AppState>,
    session: MemberSession,
    ClientIp(ip): ClientIp,
) -> Result<Response, AppError> {
    let me = session.me.clone();
    let subscription = Subscription::for_session(s, session.viewer, session.record, ip)?;
    let events = stream::unfold((subscription, me), |(mut sub, me)| async move {
        loop {
            let event = sub.next().await?;
            if let Some((name, data)) = translate(&sub, &me, &event) {
                let item: Result<SseEvent, Infallible> =
                    Ok(SseEvent::default().event(name).data(data));
                return Some((item, (sub, me)));
            }
        }
    });
    let mut response = Sse::new(events)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response();
    super::private(&mut response);
    Ok(response)
}

/// What `event` means for the page of `me`, if anything: an event name
/// and its data.
fn translate(sub: &Subscription, me: &Me, event: &Event) -> Option<(&'static str, String)> {
    let s = sub.state();
    let node = &s.node;
    let viewer = sub.viewer();
    match event {
        Event::PostCreated { id, .. } | Event::PostEdited { id } => {
            let post = node.post(viewer, *id).ok()?;
            let edited = matches!(event, Event::PostEdited { .. });
            if !edited && !node.in_home(viewer, &post).ok()? {
                return None;
            }
            let card = CardFragment {
                p: member_card(node.urls(), &post, me, "/home"),
                extra_class: "",
            };
            let html = askama::Template::render(&card).ok()?;
            Some((if edited { "edit" } else { "post" }, html))
        }
        Event::PostDeleted { id, seen_by } => node
            .could_have_seen(viewer, seen_by)
            .ok()?
            .then(|| ("delete", id.to_string())),
        Event::Notified { recipient, .. } if viewer.id() == Some(*recipient) => {
            let unread = node.unread_count(viewer).ok()?.unread;
            Some(("notification", unread.to_string()))
        }
        _ => None,
    }
}
