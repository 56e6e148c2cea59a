//! Posts, comments, threads, likes and bookmarks.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use node::posts::{NewPost, PostEdit};

use crate::error::ApiResult;
use crate::extract::{parse_id, Auth, Json, MaybeAuth};
use crate::rate_limit::Action;
use crate::state::AppState;

/// Routes under `/api/kodeon/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/posts", post(create))
        .route("/posts/{id}", get(show).patch(edit).delete(remove))
        .route("/posts/{id}/thread", get(thread))
        .route("/posts/{id}/like", post(like).delete(unlike))
        .route("/posts/{id}/bookmark", post(bookmark).delete(unbookmark))
        .route("/posts/{id}/boost", post(boost).delete(unboost))
}

/// POST /api/kodeon/v1/posts
async fn create(
    State(s): State<AppState>,
    Auth(v): Auth,
    Json(new): Json<NewPost>,
) -> ApiResult<impl IntoResponse> {
    if let Some(id) = v.id() {
        s.limiters.check(Action::Post, &id.to_string())?;
    }
    Ok((
        StatusCode::CREATED,
        axum::Json(s.node.create_post(&v, new).await?),
    ))
}

/// GET /api/kodeon/v1/posts/{id}
async fn show(
    State(s): State<AppState>,
    MaybeAuth(v): MaybeAuth,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(s.node.post(&v, parse_id(&id)?)?))
}

/// PATCH /api/kodeon/v1/posts/{id}
async fn edit(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(id): Path<String>,
    Json(e): Json<PostEdit>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(s.node.edit_post(&v, parse_id(&id)?, e).await?))
}

/// DELETE /api/kodeon/v1/posts/{id}
async fn remove(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    s.node.delete_post(&v, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// GET /api/kodeon/v1/posts/{id}/thread
async fn thread(
    State(s): State<AppState>,
    MaybeAuth(v): MaybeAuth,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(s.node.thread(&v, parse_id(&id)?)?))
}

/// Generates handlers that do one thing to the post `{id}` as the
/// signed-in member, each named as the node method it calls (its doc the
/// route first), and answer the post as it now is.
macro_rules! post_actions {
    ($($(#[$doc:meta])* $method:ident;)*) => {
        $(
            $(#[$doc])*
            async fn $method(
                State(s): State<AppState>,
                Auth(v): Auth,
                Path(id): Path<String>,
            ) -> ApiResult<impl IntoResponse> {
                Ok(axum::Json(s.node.$method(&v, parse_id(&id)?).await?))
            }
        )*
    };
}

post_actions! {
    /// POST /api/kodeon/v1/posts/{id}/like
    like;
    /// DELETE /api/kodeon/v1/posts/{id}/like
    unlike;
    /// POST /api/kodeon/v1/posts/{id}/bookmark
    bookmark;
    /// POST /api/kodeon/v1/posts/{id}/boost
    boost;
    /// DELETE /api/kodeon/v1/posts/{id}/boost
    unboost;
}

/// DELETE /api/kodeon/v1/posts/{id}/bookmark
async fn unbookmark(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    s.node.unbookmark(&v, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
