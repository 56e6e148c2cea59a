//! Statuses: post, read, edit, delete, context, favourites, bookmarks.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use node::posts::{NewPost, PostEdit};
use serde::Deserialize;

use super::entities::{parse_visibility, Context, Renderer, StatusSource};
use super::lists::list_handlers;
use super::params::{flex_bool, flex_list, Params};
use super::{record_id, MaybeToken, Token};
use crate::error::{ApiError, ApiResult};
use crate::rate_limit::Action;
use crate::state::AppState;

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/statuses", post(create))
        .route("/api/v1/statuses/{id}", get(show).put(edit).delete(remove))
        .route("/api/v1/statuses/{id}/context", get(context))
        .route("/api/v1/statuses/{id}/source", get(source))
        .route("/api/v1/statuses/{id}/favourite", post(favourite))
        .route("/api/v1/statuses/{id}/unfavourite", post(unfavourite))
        .route("/api/v1/statuses/{id}/bookmark", post(bookmark))
        .route("/api/v1/statuses/{id}/unbookmark", post(unbookmark))
        .route("/api/v1/statuses/{id}/reblog", post(reblog))
        .route("/api/v1/statuses/{id}/unreblog", post(unreblog))
        .route("/api/v1/statuses/{id}/favourited_by", get(favourited_by))
        .route("/api/v1/statuses/{id}/reblogged_by", get(reblogged_by))
        .route("/api/v1/bookmarks", get(bookmarks))
        .route("/api/v1/favourites", get(favourites))
}

#[derive(Deserialize)]
struct CreateParams {
    status: Option<String>,
    in_reply_to_id: Option<String>,
    #[serde(default, deserialize_with = "flex_bool")]
    sensitive: Option<bool>,
    spoiler_text: Option<String>,
    visibility: Option<String>,
    language: Option<String>,
    #[serde(default, deserialize_with = "flex_list")]
    media_ids: Vec<String>,
}

/// POST /api/v1/statuses (honours `Idempotency-Key`)
async fn create(
    State(s): State<AppState>,
    t: Token,
    headers: HeaderMap,
    Params(p): Params<CreateParams>,
) -> ApiResult<impl IntoResponse> {
    let v = t.require("write:statuses")?;
    if let Some(me) = v.id() {
        s.limiters.check(Action::Post, &me.to_string())?;
    }
    let visibility = match p.visibility.as_deref().filter(|x| !x.is_empty()) {
        None => None,
        Some(x) => Some(
            parse_visibility(x)
                .ok_or_else(|| {
                    ApiError::field(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "visibility",
                        "visibility must be public, unlisted, private or direct",
                    )
                })?
                .to_string(),
        ),
    };
    let new = NewPost {
        content: p.status.unwrap_or_default(),
        media_ids: p.media_ids,
        visibility,
        in_reply_to: p.in_reply_to_id.filter(|x| !x.is_empty()),
        spoiler_text: p.spoiler_text,
        sensitive: p.sensitive,
        language: p.language,
        idempotency_key: headers
            .get("idempotency-key")
            .and_then(|h| h.to_str().ok())
            .map(str::to_string),
        ..NewPost::default()
    };
    let post = s.node.create_post(v, new).await?;
    Ok(axum::Json(Renderer::new(&s.node).status(&post)?))
}

/// GET /api/v1/statuses/{id}
async fn show(
    State(s): State<AppState>,
    t: MaybeToken,
    Path(raw): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let v = t.viewer("read:statuses")?;
    let post = s.node.post(&v, record_id(&raw)?)?;
    Ok(axum::Json(Renderer::new(&s.node).status(&post)?))
}

#[derive(Deserialize)]
struct EditParams {
    status: Option<String>,
    spoiler_text: Option<String>,
    #[serde(default, deserialize_with = "flex_bool")]
    sensitive: Option<bool>,
    language: Option<String>,
}

/// PUT /api/v1/statuses/{id}
async fn edit(
    State(s): State<AppState>,
    t: Token,
    Path(raw): Path<String>,
    Params(p): Params<EditParams>,
) -> ApiResult<impl IntoResponse> {
    let v = t.require("write:statuses")?;
    let edit = PostEdit {
        content: p.status,
        spoiler_text: p.spoiler_text,
        sensitive: p.sensitive,
        language: p.language,
        ..PostEdit::default()
    };
    let post = s.node.edit_post(v, record_id(&raw)?, edit).await?;
    Ok(axum::Json(Renderer::new(&s.node).status(&post)?))
}

/// DELETE /api/v1/statuses/{id} — answers the deleted status with its source text.
async fn remove(
    State(s): State<AppState>,
    t: Token,
    Path(raw): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let v = t.require("write:statuses")?;
    let post_id = record_id(&raw)?;
    let post = s.node.post(v, post_id)?;
    s.node.delete_post(v, post_id).await?;
    let mut status = Renderer::new(&s.node).status(&post)?;
    status.text = Some(post.source.clone());
    Ok(axum::Json(status))
}

/// GET /api/v1/statuses/{id}/context
async fn context(
    State(s): State<AppState>,
    t: MaybeToken,
    Path(raw): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let v = t.viewer("read:statuses")?;
    let thread = s.node.thread(&v, record_id(&raw)?)?;
    let mut r = Renderer::new(&s.node);
    let ancestors = r.statuses(&thread.ancestors)?;
    let descendants = thread
        .descendants
        .iter()
        .map(|d| r.status(&d.post))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(axum::Json(Context {
        ancestors,
        descendants,
    }))
}

/// GET /api/v1/statuses/{id}/source
async fn source(
    State(s): State<AppState>,
    t: Token,
    Path(raw): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let v = t.require("read:statuses")?;
    let post = s.node.post(v, record_id(&raw)?)?;
    Ok(axum::Json(StatusSource::of(&post)))
}

/// Generates `POST /api/v1/statuses/{id}/ACTION` handlers returning the status.
macro_rules! status_action {
    ($name:ident, $scope:literal, $doc:literal, |$s:ident, $v:ident, $id:ident| $call:expr) => {
        #[doc = $doc]
        async fn $name(
            State($s): State<AppState>,
            t: Token,
            Path(raw): Path<String>,
        ) -> ApiResult<impl IntoResponse> {
            let $v = t.require($scope)?;
            let $id = record_id(&raw)?;
            $call;
            let post = $s.node.post($v, $id)?;
            Ok(axum::Json(Renderer::new(&$s.node).status(&post)?))
        }
    };
}

status_action!(
    favourite,
    "write:favourites",
    "POST /api/v1/statuses/{id}/favourite",
    |s, v, id| s.node.like(v, id).await?
);
status_action!(
    unfavourite,
    "write:favourites",
    "POST /api/v1/statuses/{id}/unfavourite",
    |s, v, id| s.node.unlike(v, id).await?
);
status_action!(
    bookmark,
    "write:bookmarks",
    "POST /api/v1/statuses/{id}/bookmark",
    |s, v, id| s.node.bookmark(v, id).await?
);
status_action!(
    unbookmark,
    "write:bookmarks",
    "POST /api/v1/statuses/{id}/unbookmark",
    |s, v, id| s.node.unbookmark(v, id).await?
);

list_handlers! {
    /// GET /api/v1/statuses/{id}/favourited_by
    favourited_by: liked_by(status, "read:accounts", 40) => account_page;
    /// GET /api/v1/statuses/{id}/reblogged_by
    reblogged_by: boosted_by(status, "read:accounts", 40) => account_page;
}

/// POST /api/v1/statuses/{id}/reblog — answers the reblog (wrapper) status.
async fn reblog(
    State(s): State<AppState>,
    t: Token,
    Path(raw): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let v = t.require("write:statuses")?;
    let view = s.node.boost(v, record_id(&raw)?).await?;
    Ok(axum::Json(Renderer::new(&s.node).status(&view)?))
}

/// POST /api/v1/statuses/{id}/unreblog — answers the original status.
async fn unreblog(
    State(s): State<AppState>,
    t: Token,
    Path(raw): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let v = t.require("write:statuses")?;
    let view = s.node.unboost(v, record_id(&raw)?).await?;
    Ok(axum::Json(Renderer::new(&s.node).status(&view)?))
}

list_handlers! {
    /// GET /api/v1/bookmarks
    bookmarks: bookmarks("read:bookmarks", 20) => status_page;
    /// GET /api/v1/favourites
    favourites: liked_posts("read:favourites", 20) => status_page;
}
