//! Media uploads (`POST /api/v2/media`), their metadata, and serving files.

use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::entities::attachment;
use super::params::Params;
use super::{record_id, MaybeToken, Token};
use crate::error::{ApiError, ApiResult};
use crate::rate_limit::Action;
use crate::state::AppState;

/// Routes.
pub fn routes() -> Router<AppState> {
    // Uploads may exceed the node's general body limit (this inner limit
    // overrides the outer one for these routes only).
    let uploads = Router::new()
        .route("/api/v2/media", post(upload))
        .route("/api/v1/media", post(upload))
        .layer(axum::extract::DefaultBodyLimit::max(
            node::media::MAX_UPLOAD_BYTES + 64 * 1024,
        ));
    Router::new()
        .merge(uploads)
        .route("/api/v1/media/{id}", get(show).put(update))
        .route("/media/{file}", get(file))
}

/// POST /api/v2/media (multipart: `file`, `description`); also
/// `/api/v1/media`. Rate limited per account before the body is read.
async fn upload(
    State(s): State<AppState>,
    t: Token,
    mut form: Multipart,
) -> ApiResult<impl IntoResponse> {
    let v = t.require("write:media")?;
    if let Some(me) = v.id() {
        s.limiters.check(Action::MediaUpload, &me.to_string())?;
    }
    let mut bytes = None;
    let mut description = None;
    while let Some(field) = form.next_field().await.map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("malformed multipart body: {e}"),
        )
    })? {
        match field.name() {
            Some("file") => {
                bytes = Some(field.bytes().await.map_err(|e| {
                    ApiError::field(StatusCode::PAYLOAD_TOO_LARGE, "file", format!("file: {e}"))
                })?);
            }
            Some("description") => {
                description = Some(field.text().await.map_err(|e| {
                    ApiError::field(StatusCode::BAD_REQUEST, "description", e.to_string())
                })?);
            }
            _ => {}
        }
    }
    let bytes = bytes.ok_or_else(|| {
        ApiError::field(StatusCode::UNPROCESSABLE_ENTITY, "file", "file is required")
    })?;
    let media = s.node.upload_media(v, bytes.to_vec(), description).await?;
    Ok(axum::Json(attachment(s.node.urls(), &media)))
}

/// GET /api/v1/media/{id}
async fn show(
    State(s): State<AppState>,
    t: Token,
    Path(raw): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let v = t.require("write:media")?;
    let media = s.node.own_media(v, record_id(&raw)?)?;
    Ok(axum::Json(attachment(s.node.urls(), &media)))
}

#[derive(Deserialize)]
struct UpdateParams {
    description: Option<String>,
    focus: Option<String>,
}

/// PUT /api/v1/media/{id} (`description`, `focus=x,y`)
async fn update(
    State(s): State<AppState>,
    t: Token,
    Path(raw): Path<String>,
    Params(p): Params<UpdateParams>,
) -> ApiResult<impl IntoResponse> {
    let v = t.require("write:media")?;
    let focus = match p.focus.as_deref() {
        None | Some("") => None,
        Some(f) => {
            let parsed = f.split_once(',').and_then(|(x, y)| {
                Some((x.trim().parse::<f32>().ok()?, y.trim().parse::<f32>().ok()?))
            });
            Some(parsed.ok_or_else(|| {
                ApiError::field(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "focus",
                    "focus must be \"x,y\"",
                )
            })?)
        }
    };
    let media = s
        .node
        .update_media(v, record_id(&raw)?, p.description, focus)
        .await?;
    Ok(axum::Json(attachment(s.node.urls(), &media)))
}

/// GET /media/{file} — the stored file, never sniffed as anything else.
///
/// Who may fetch which file is `Node::media_file`'s rule (in short: the
/// unguessable name is the capability; files of old records, named by id,
/// go to those who may see their post). A token is read when one is sent,
/// and a bad one counts as no token: images load without credentials.
async fn file(
    State(s): State<AppState>,
    token: Result<MaybeToken, ApiError>,
    Path(name): Path<String>,
) -> Response {
    let viewer = token
        .ok()
        .and_then(|t| t.viewer("read:statuses").ok())
        .unwrap_or(node::Viewer::Anonymous);
    match s.node.media_file(&viewer, &name) {
        Ok(file) => (
            [
                (header::CONTENT_TYPE, file.content_type),
                (
                    header::CACHE_CONTROL,
                    if file.public {
                        "public, max-age=31536000, immutable"
                    } else {
                        "private, max-age=86400"
                    }
                    .to_string(),
                ),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
                (
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'none'".to_string(),
                ),
            ],
            file.bytes,
        )
            .into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

#[cfg(test)]
mod tests;
