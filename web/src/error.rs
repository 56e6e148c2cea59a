//! One error shape for every failure: `{"error": "...", "field": "..."}`.
//!
//! Domain errors map to statuses here and nowhere else. A 5xx shows the
//! client a safe message; the detail goes to the log.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use node::NodeError;
use serde::Serialize;

/// An error ready to be rendered.
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Message for the client.
    pub message: String,
    /// The input field at fault, if one is.
    pub field: Option<String>,
    /// Seconds to wait (429 only).
    pub retry_after: Option<u64>,
}

#[derive(Serialize)]
struct Body<'a> {
    error: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
}

impl ApiError {
    /// An error with a status and message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
            field: None,
            retry_after: None,
        }
    }

    /// An error about one input field.
    pub fn field(status: StatusCode, field: &str, message: impl Into<String>) -> Self {
        ApiError {
            field: Some(field.to_string()),
            ..Self::new(status, message)
        }
    }

    /// 429 with a `Retry-After`.
    pub fn rate_limited(retry_after: u64) -> Self {
        ApiError {
            retry_after: Some(retry_after),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too many requests, slow down",
            )
        }
    }
}

impl From<NodeError> for ApiError {
    fn from(e: NodeError) -> Self {
        match e {
            NodeError::Invalid { field, message } => {
                let text = format!("{field}: {message}");
                ApiError::field(StatusCode::UNPROCESSABLE_ENTITY, &field, text)
            }
            NodeError::TooLarge { field, message } => {
                let text = format!("{field} is too large: {message}");
                ApiError::field(StatusCode::PAYLOAD_TOO_LARGE, &field, text)
            }
            NodeError::Conflict { field, message } => {
                let text = format!("{field}: {message}");
                ApiError::field(StatusCode::CONFLICT, &field, text)
            }
            NodeError::NotFound(what) => {
                ApiError::new(StatusCode::NOT_FOUND, format!("{what} not found"))
            }
            NodeError::Unauthorized(m) => ApiError::new(StatusCode::UNAUTHORIZED, m),
            NodeError::Forbidden(m) => ApiError::new(StatusCode::FORBIDDEN, m),
            NodeError::RateLimited { retry_after_secs } => ApiError {
                message: "too many failed attempts for this account; try again later".into(),
                ..ApiError::rate_limited(retry_after_secs)
            },
            other @ (NodeError::Store(_) | NodeError::Identity(_) | NodeError::Internal(_)) => {
                tracing::error!(error = %other, "internal error");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal error; see the node's log",
                )
            }
        }
    }
}

impl From<federation::FederationError> for ApiError {
    /// A client API's view of a federation failure: this node's own (a
    /// storage error, a bug) is a 5xx with a safe message; a rule of the
    /// node (`FederationError::Node`) maps as node errors do; anything
    /// another server did or gave (unreachable, refused, gone, malformed,
    /// on a blocked domain, a private address) is a 404, so that the
    /// answer tells nothing about the network behind it (the detail goes
    /// to the log).
    fn from(e: federation::FederationError) -> Self {
        use federation::FederationError as F;
        match e {
            F::Node(e) => e.into(),
            e if e.is_ours() => {
                tracing::error!(error = %e, "internal federation error");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal error; see the node's log",
                )
            }
            e => {
                tracing::info!(error = %e, "not found on the network");
                ApiError::new(StatusCode::NOT_FOUND, "not found")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            error: &self.message,
            field: self.field.as_deref(),
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        response
    }
}

/// Handler result.
pub type ApiResult<T> = Result<T, ApiError>;
