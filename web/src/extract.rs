//! Extractors: JSON bodies with field-naming errors, bearer auth, ids, pages.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, OriginalUri, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use node::{Id, PageRequest, Viewer};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::error::ApiError;
use crate::state::AppState;

/// A JSON body. Malformed JSON → 400; a wrong type or unknown field → 422
/// naming the field (its path, e.g. `bio.website`); over the body limit → 413.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(&req) {
            return Err(not_json());
        }
        decode(&body_bytes(req, state).await?).map(Json)
    }
}

/// A JSON body that may be left out: an empty body reads as
/// `T::default()`; any other is read as [`Json`] reads it.
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Default, S: Send + Sync> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = is_json(&req);
        let bytes = body_bytes(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(T::default()));
        }
        if !json {
            return Err(not_json());
        }
        decode(&bytes).map(OptionalJson)
    }
}

fn is_json(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"))
}

fn not_json() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "expected a JSON body (Content-Type: application/json)",
    )
}

async fn body_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "request body is too large")
        } else {
            ApiError::new(StatusCode::BAD_REQUEST, rejection.body_text())
        }
    })
}

/// Reads a JSON body. Malformed → 400; a wrong type or unknown field →
/// 422 naming the field.
fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize(&mut de) {
        Ok(value) => Ok(value),
        Err(err) => {
            let path = err.path().to_string();
            let inner = err.into_inner();
            if inner.is_syntax() || inner.is_eof() {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    format!("malformed JSON: {inner}"),
                ));
            }
            let field = if path == "." {
                unknown_field(&inner.to_string())
            } else {
                path
            };
            Err(ApiError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                &field,
                format!("{field}: {inner}"),
            ))
        }
    }
}

/// Pulls a field name out of serde's "missing field `x`" / "unknown field `x`".
fn unknown_field(message: &str) -> String {
    message
        .split('`')
        .nth(1)
        .map(str::to_string)
        .unwrap_or_else(|| "body".to_string())
}

/// The signed-in member (401 without a valid bearer token).
pub struct Auth(pub Viewer);

/// The viewer: a member if a valid token is sent, anonymous if none is.
/// An invalid token is still a 401 (clients should know their token died).
pub struct MaybeAuth(pub Viewer);

fn bearer(parts: &Parts) -> Result<Option<&str>, ApiError> {
    let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| ApiError::new(StatusCode::UNAUTHORIZED, "malformed Authorization header"))?;
    match value.strip_prefix("Bearer ") {
        Some(token) if !token.trim().is_empty() => Ok(Some(token.trim())),
        _ => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "expected 'Authorization: Bearer TOKEN'",
        )),
    }
}

impl FromRequestParts<AppState> for MaybeAuth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match bearer(parts)? {
            None => Ok(MaybeAuth(Viewer::Anonymous)),
            Some(token) => {
                let (viewer, session) = state.node.authenticate(token)?;
                // Every route checks its scope here (crate::route_scopes).
                let path = parts
                    .extensions
                    .get::<OriginalUri>()
                    .map(|u| u.0.path().to_string())
                    .unwrap_or_else(|| parts.uri.path().to_string());
                if !crate::route_scopes::allowed(&session.scopes, &parts.method, &path) {
                    return Err(ApiError::new(
                        StatusCode::FORBIDDEN,
                        "This action is outside the authorized scopes",
                    ));
                }
                parts.extensions.insert(session);
                Ok(MaybeAuth(viewer))
            }
        }
    }
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match MaybeAuth::from_request_parts(parts, state).await?.0 {
            Viewer::Anonymous => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "sign in first (Authorization: Bearer TOKEN)",
            )),
            member => Ok(Auth(member)),
        }
    }
}

/// Parses an id from a path segment, naming `field` on failure (404: an
/// id that cannot exist names nothing).
pub fn parse_id(raw: &str) -> Result<Id, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::new(StatusCode::NOT_FOUND, "not found: malformed id"))
}

/// Pagination query parameters.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    max_id: Option<String>,
    since_id: Option<String>,
    min_id: Option<String>,
    limit: Option<String>,
}

impl PageQuery {
    /// Validates the cursors, naming the bad one (400).
    pub fn to_request(&self) -> Result<PageRequest, ApiError> {
        let cursor = |name: &str, v: &Option<String>| -> Result<Option<Id>, ApiError> {
            v.as_deref()
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse::<Id>().map_err(|_| {
                        ApiError::field(StatusCode::BAD_REQUEST, name, format!("{name}: not an id"))
                    })
                })
                .transpose()
        };
        let limit = match self.limit.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(s.parse::<usize>().map_err(|_| {
                ApiError::field(StatusCode::BAD_REQUEST, "limit", "limit: must be a number")
            })?),
        };
        let req = PageRequest {
            max_id: cursor("max_id", &self.max_id)?,
            since_id: cursor("since_id", &self.since_id)?,
            min_id: cursor("min_id", &self.min_id)?,
            limit,
        };
        req.limit()
            .map_err(|e| ApiError::from(e).with_status(StatusCode::BAD_REQUEST))?;
        Ok(req)
    }
}

impl ApiError {
    /// The same error with another status.
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }
}
