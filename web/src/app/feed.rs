//! The home feed, the compose form's target and the post action forms.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use node::posts::{NewPost, PostEdit};
use node::NodeError;
use serde::Deserialize;

use super::templates::{Compose, EditPage, HomePage, VISIBILITIES};
use super::{back, field, render, render_with_status, AppError, AppForm, MemberSession};
use crate::public_pages::{member_card, site, Site};
use crate::rate_limit::Action;
use crate::state::AppState;

/// Posts per page of the home feed.
const PAGE: usize = 40;

/// The paging and notice parameters of `/home`.
#[derive(Debug, Default, Deserialize)]
pub struct HomeQuery {
    /// Older-than cursor.
    #[serde(flatten)]
    cursor: super::feeds::FeedQuery,
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
    let req = query.cursor.request(PAGE);
    let page = s.node.home_feed(&session.viewer, &req)?;
    let Site {
        domain,
        members,
        posts,
    } = site(s)?;
    let urls = s.node.urls();
    let here = query.cursor.here("/home");
    let recs = super::discover::recommended(
        s,
        &session.viewer,
        node::ranking::RecommendationKind::People,
        5,
    );
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
        at_top: req.max_id.is_none(),
        notice: query.done.as_deref().and_then(notice),
        recs,
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

/// The tags typed in a form: separated by spaces or commas, `#` optional.
pub(super) fn typed_tags(typed: &str) -> Vec<String> {
    typed
        .split(|c: char| c.is_whitespace() || c == ',')
        .map(|t| t.trim_start_matches('#'))
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// POST /compose — publishes a post (or a reply), with an optional image
/// and its description, limited per account as the API's; back (303)
/// where the form came from, or the home page again with the errors next
/// to their fields and what was written.
pub async fn compose(
    State(s): State<AppState>,
    AppForm {
        session,
        form,
        file,
    }: AppForm,
) -> Result<Response, AppError> {
    let optional = |name: &str| Some(field(&form, name).to_string()).filter(|v| !v.is_empty());
    let mut entered = Compose {
        content: form.get("content").cloned().unwrap_or_default(),
        visibility: field(&form, "visibility").to_string(),
        spoiler_text: field(&form, "spoiler_text").to_string(),
        tags: field(&form, "tags").to_string(),
        category: field(&form, "category").to_string(),
        image_description: field(&form, "image_description").to_string(),
        in_reply_to: field(&form, "in_reply_to").to_string(),
        group: field(&form, "group").to_string(),
        back: back(&form),
        ..Compose::default()
    };
    let result = publish(&s, &session, &entered, file, |media_ids| NewPost {
        content: entered.content.clone(),
        visibility: optional("visibility"),
        spoiler_text: optional("spoiler_text"),
        in_reply_to: optional("in_reply_to"),
        category: optional("category"),
        tags: typed_tags(&entered.tags),
        group: optional("group"),
        media_ids,
        ..NewPost::default()
    })
    .await;
    match result {
        Ok(()) if entered.back == "/home" => Ok(Redirect::to("/home?done=posted").into_response()),
        Ok(()) => Ok(Redirect::to(&entered.back).into_response()),
        Err(e) => {
            let status = e.status;
            *entered.error_slot(e.field.as_deref()) = Some(e.message);
            let mut response = home_page(&s, session, &HomeQuery::default(), entered)?;
            *response.status_mut() = status;
            Ok(response)
        }
    }
}

/// Uploads the form's image (if any) with its description, then creates
/// the post `new` makes with the image's id, each step as the API does it
/// and under the same per-account limits.
async fn publish(
    s: &AppState,
    session: &MemberSession,
    entered: &Compose,
    file: Option<super::FormFile>,
    new: impl FnOnce(Vec<String>) -> NewPost,
) -> Result<(), crate::error::ApiError> {
    let me = session
        .viewer
        .id()
        .map(|id| id.to_string())
        .unwrap_or_default();
    s.limiters.check(Action::Post, &me)?;
    let mut media_ids = Vec::new();
    if let Some(file) = file {
        s.limiters
            .check(Action::MediaUpload, &me)
            .map_err(|mut e| {
                e.field = Some("file".into());
                e
            })?;
        let description = Some(entered.image_description.clone()).filter(|d| !d.is_empty());
        let media = s
            .node
            .upload_media(&session.viewer, file.bytes, description)
            .await
            .map_err(|e| {
                let mut e = crate::error::ApiError::from(e);
                if e.field.is_none() {
                    e.field = Some("file".into());
                }
                e
            })?;
        media_ids.push(media.id.to_string());
    }
    s.node.create_post(&session.viewer, new(media_ids)).await?;
    Ok(())
}

/// GET /posts/{id}/edit — the edit form of one of the member's posts.
pub async fn edit_form(
    State(s): State<AppState>,
    Path(raw): Path<String>,
    session: MemberSession,
) -> Result<Response, AppError> {
    let id = post_id(&raw)?;
    let post = s.node.post(&session.viewer, id)?;
    if post.author.id != session.me.id {
        return Err(AppError::Page(
            StatusCode::FORBIDDEN,
            "Only the author can edit a post.".into(),
        ));
    }
    let compose = Compose {
        content: post.source.clone(),
        spoiler_text: post.spoiler_text.clone(),
        tags: post.tags.join(" "),
        category: post.category.clone(),
        editing: Some(id),
        back: format!("/@{}/{id}", post.author.username),
        ..Compose::default()
    };
    edit_page(&s, session, compose, StatusCode::OK)
}

/// POST /posts/{id}/edit — saves the edit through the node's one edit
/// method; back (303) to the post, or the form again with the errors next
/// to their fields.
pub async fn edit(
    State(s): State<AppState>,
    Path(raw): Path<String>,
    AppForm { session, form, .. }: AppForm,
) -> Result<Response, AppError> {
    let id = post_id(&raw)?;
    let mut entered = Compose {
        content: form.get("content").cloned().unwrap_or_default(),
        spoiler_text: field(&form, "spoiler_text").to_string(),
        tags: field(&form, "tags").to_string(),
        category: field(&form, "category").to_string(),
        editing: Some(id),
        back: back(&form),
        ..Compose::default()
    };
    let change = PostEdit {
        content: Some(entered.content.clone()),
        spoiler_text: Some(entered.spoiler_text.clone()),
        tags: Some(typed_tags(&entered.tags)),
        category: Some(entered.category.clone()).filter(|c| !c.is_empty()),
        ..PostEdit::default()
    };
    match s.node.edit_post(&session.viewer, id, change).await {
        Ok(_) => Ok(Redirect::to(&entered.back).into_response()),
        Err(e @ (NodeError::Invalid { .. } | NodeError::TooLarge { .. })) => {
            let e = crate::error::ApiError::from(e);
            let status = e.status;
            *entered.error_slot(e.field.as_deref()) = Some(e.message);
            edit_page(&s, session, entered, status)
        }
        Err(e) => Err(e.into()),
    }
}

fn edit_page(
    s: &AppState,
    session: MemberSession,
    compose: Compose,
    status: StatusCode,
) -> Result<Response, AppError> {
    let Site {
        domain,
        members,
        posts,
    } = site(s)?;
    render_with_status(
        EditPage {
            domain,
            members,
            posts,
            me: Some(session.me),
            compose,
            visibilities: VISIBILITIES,
        },
        status,
    )
}

/// A post id from the path (anything else is no post).
fn post_id(raw: &str) -> Result<node::Id, AppError> {
    raw.parse()
        .map_err(|_| AppError::Page(StatusCode::NOT_FOUND, "No such post.".into()))
}

/// POST /posts/{id}/{action} — like, unlike, boost, unboost, bookmark,
/// unbookmark or delete, as the signed-in member; then back (303).
pub async fn act(
    State(s): State<AppState>,
    Path((raw, action)): Path<(String, String)>,
    AppForm { session, form, .. }: AppForm,
) -> Result<Response, AppError> {
    let id = post_id(&raw)?;
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
