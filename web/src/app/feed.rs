//! The home feed, the compose form's target and the post action forms.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use node::posts::NewPost;
use node::PageRequest;
use serde::Deserialize;

use super::templates::{Compose, HomePage, VISIBILITIES};
use super::{back, field, render, AppError, AppForm, MemberSession};
use crate::public_pages::{member_card, site, Site};
use crate::rate_limit::Action;
use crate::state::AppState;

/// Posts per page of the home feed.
const PAGE: usize = 20;

/// The paging and notice parameters of `/home`.
#[derive(Debug, Default, Deserialize)]
pub struct HomeQuery {
    /// Older-than cursor.
    max_id: Option<String>,
    /// A notice code after a form.
    done: Option<String>,
}

/// What a `?done=` code says. Codes, not free text, so that a link cannot
/// make the page show someone else's words.
fn notice(code: &str) -> Option<&'static str> {
    Some(match code {
        "posted" => "Posted.",
        "deleted" => "The post is deleted.",
        _ => return None,
    })
}

/// Renders the home page with `compose` in the form.
fn home_page(
    s: &AppState,
    session: MemberSession,
    query: &HomeQuery,
    compose: Compose,
) -> Result<Response, AppError> {
    let req = PageRequest {
        max_id: query.max_id.as_deref().and_then(|m| m.parse().ok()),
        ..PageRequest::first(PAGE)
    };
    let page = s.node.home_feed(&session.viewer, &req)?;
    let Site {
        domain,
        members,
        posts,
    } = site(s)?;
    let urls = s.node.urls();
    let here = match &query.max_id {
        Some(m) if m.parse::<node::Id>().is_ok() => format!("/home?max_id={m}"),
        _ => "/home".to_string(),
    };
    let feed = page
        .items
        .iter()
        .map(|p| member_card(urls, p, &session.me, &here))
        .collect();
    render(HomePage {
        domain,
        members,
        posts,
        me: Some(session.me),
        compose,
        visibilities: VISIBILITIES,
        feed,
        next: page.next_max_id,
        notice: query.done.as_deref().and_then(notice),
    })
}

/// GET /home — the member's home feed (the API's), newest first, with the
/// compose form.
pub async fn home(
    State(s): State<AppState>,
    session: MemberSession,
    Query(query): Query<HomeQuery>,
) -> Result<Response, AppError> {
    let compose = Compose {
        visibility: "public".into(),
        back: "/home".into(),
        ..Compose::default()
    };
    home_page(&s, session, &query, compose)
}

/// POST /compose — publishes a post (or a reply), limited per account as
/// the API's; back (303) where the form came from, or the home page again
/// with the errors next to their fields and what was written.
pub async fn compose(
    State(s): State<AppState>,
    AppForm { session, form }: AppForm,
) -> Result<Response, AppError> {
    let optional = |name: &str| Some(field(&form, name).to_string()).filter(|v| !v.is_empty());
    let mut entered = Compose {
        content: form.get("content").cloned().unwrap_or_default(),
        visibility: field(&form, "visibility").to_string(),
        spoiler_text: field(&form, "spoiler_text").to_string(),
        in_reply_to: field(&form, "in_reply_to").to_string(),
        back: back(&form),
        ..Compose::default()
    };
    let new = NewPost {
        content: entered.content.clone(),
        visibility: optional("visibility"),
        spoiler_text: optional("spoiler_text"),
        in_reply_to: optional("in_reply_to"),
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
        Ok(_) if entered.back == "/home" => Ok(Redirect::to("/home?done=posted").into_response()),
        Ok(_) => Ok(Redirect::to(&entered.back).into_response()),
        Err(e) => {
            let status = e.status;
            let slot = match e.field.as_deref() {
                Some("content") => &mut entered.content_error,
                Some("visibility") => &mut entered.visibility_error,
                Some("spoiler_text") => &mut entered.spoiler_error,
                _ => &mut entered.error,
            };
            *slot = Some(e.message);
            let mut response = home_page(&s, session, &HomeQuery::default(), entered)?;
            *response.status_mut() = status;
            Ok(response)
        }
    }
}

/// POST /posts/{id}/{action} — like, unlike, boost, unboost, bookmark,
/// unbookmark or delete, as the signed-in member; then back (303).
pub async fn act(
    State(s): State<AppState>,
    Path((raw, action)): Path<(String, String)>,
    AppForm { session, form }: AppForm,
) -> Result<Response, AppError> {
    let id: node::Id = raw
        .parse()
        .map_err(|_| AppError::Page(StatusCode::NOT_FOUND, "No such post.".into()))?;
    let v = &session.viewer;
    let mut to = back(&form);
    match action.as_str() {
        "like" => {
            s.node.like(v, id).await?;
        }
        "unlike" => {
            s.node.unlike(v, id).await?;
        }
        "boost" => {
            s.node.boost(v, id).await?;
        }
        "unboost" => {
            s.node.unboost(v, id).await?;
        }
        "bookmark" => {
            s.node.bookmark(v, id).await?;
        }
        "unbookmark" => s.node.unbookmark(v, id).await?,
        "delete" => {
            s.node.delete_post(v, id).await?;
            // The post's own page is gone with it.
            if to.ends_with(&format!("/{id}")) {
                to = "/home?done=deleted".into();
            }
        }
        _ => {
            return Err(AppError::Page(
                StatusCode::NOT_FOUND,
                "No such action.".into(),
            ))
        }
    }
    Ok(Redirect::to(&to).into_response())
}
