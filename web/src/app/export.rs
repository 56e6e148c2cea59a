//! Downloads of the member's own data: `member.json` (what the node holds
//! about them, gathered by [`node::Node::export_member`]) and
//! `outbox.json` (every post of theirs as an ActivityPub
//! `OrderedCollection` of `Create` activities, each item the JSON that
//! federation serves in their outbox, [`federation::objects::outbox_item`]).
//!
//! Only with the app's session cookie: a bearer token is no app session,
//! so API clients cannot pull a member's whole data this way. The outbox
//! is written page by page as it is read, so a member with many posts
//! costs one page of memory, not all of them.

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::stream;
use node::Id;

use super::{private, AppError, MemberSession};
use crate::state::AppState;

/// A JSON download named `file`, private like every app page.
fn download(body: Body, username: &str, file: &str) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    private(&mut response);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    // Usernames are ASCII letters, digits and underscores: a plain name.
    let name = format!("attachment; filename=\"kodeon-{username}-{file}\"");
    if let Ok(value) = HeaderValue::from_str(&name) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    } else {
        headers.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("attachment"),
        );
    }
    response
}

/// GET /settings/export/member.json — the member's data as JSON: account,
/// profile and preferences, follows and followers, blocks, mutes,
/// bookmarks, likes, boosts, counts and sessions; never the password hash,
/// keys or tokens.
pub async fn member(
    State(s): State<AppState>,
    session: MemberSession,
) -> Result<Response, AppError> {
    let export = s.node.export_member(&session.viewer)?;
    let json = serde_json::to_vec_pretty(&export).map_err(|e| {
        tracing::error!(error = %e, "an export as JSON");
        AppError::Page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The export could not be written.".into(),
        )
    })?;
    Ok(download(
        Body::from(json),
        &session.me.username,
        "member.json",
    ))
}

/// Where the outbox download has got to.
struct Cursor {
    /// Older than this post (none: from the newest).
    max_id: Option<Id>,
    /// Items written so far.
    written: usize,
}

/// GET /settings/export/outbox.json — every post of the member's, newest
/// first, as an `OrderedCollection` of `Create` activities (followers-only
/// and direct posts included: they are theirs). Written page by page; a
/// failure partway ends the download unfinished rather than short.
pub async fn outbox(State(s): State<AppState>, session: MemberSession) -> Response {
    let username = session.me.username.clone();
    let node = s.node.clone();
    let viewer = session.viewer;
    let head = format!(
        "{{\"@context\":{},\"id\":\"outbox.json\",\"type\":\"OrderedCollection\",\"orderedItems\":[",
        serde_json::Value::from(protocol::activities::CONTEXT)
    );
    let start = Cursor {
        max_id: None,
        written: 0,
    };
    let pages = stream::unfold(Some(start), move |cursor| {
        let node = node.clone();
        let viewer = viewer.clone();
        let head = head.clone();
        async move {
            let mut cursor = cursor?;
            let page = match node.export_posts(&viewer, cursor.max_id) {
                Ok(page) => page,
                Err(e) => {
                    tracing::error!(error = %e, "the outbox export stopped");
                    return Some((Err(std::io::Error::other("export failed")), None));
                }
            };
            let mut chunk = Vec::new();
            if cursor.max_id.is_none() {
                chunk.extend_from_slice(head.as_bytes());
            }
            for post in &page.items {
                if cursor.written > 0 {
                    chunk.push(b',');
                }
                let item = federation::objects::outbox_item(&node, post);
                if let Err(e) = serde_json::to_writer(&mut chunk, &item) {
                    tracing::error!(error = %e, "an outbox item as JSON");
                    return Some((Err(std::io::Error::other("export failed")), None));
                }
                cursor.written += 1;
            }
            let next = match page.next_max_id {
                Some(next) => Some(Cursor {
                    max_id: Some(next),
                    written: cursor.written,
                }),
                None => {
                    chunk.extend_from_slice(
                        format!("],\"totalItems\":{}}}", cursor.written).as_bytes(),
                    );
                    None
                }
            };
            Some((Ok::<_, std::io::Error>(Bytes::from(chunk)), next))
        }
    });
    download(Body::from_stream(pages), &username, "outbox.json")
}
