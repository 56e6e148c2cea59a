//! Federation errors, with the HTTP status an inbox answers them with.

use thiserror::Error;

/// What can go wrong while federating.
#[derive(Debug, Error)]
pub enum FederationError {
    /// The request's signature is missing, malformed or wrong (401: a
    /// sender like Fedify then retries with another scheme).
    #[error("signature: {0}")]
    Signature(String),
    /// The activity is not well-formed.
    #[error("malformed activity: {0}")]
    Malformed(String),
    /// The sender may not do this (wrong origin, blocked domain...).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// A URL that is not an acceptable http(s) URL.
    #[error("not an acceptable URL: {0}")]
    BadUrl(String),
    /// A URL that points at a private address.
    #[error("refusing a private address: {0}")]
    PrivateAddress(String),
    /// A document larger than allowed.
    #[error("document too large")]
    TooLarge,
    /// A remote object that was deleted.
    #[error("gone: {0}")]
    Gone(String),
    /// A fetch failed.
    #[error("fetching {0}: {1}")]
    Fetch(String, String),
    /// The node refused the change.
    #[error(transparent)]
    Node(#[from] node::NodeError),
    /// Anything else.
    #[error("internal: {0}")]
    Internal(String),
}

impl FederationError {
    /// The HTTP status an inbox answers with.
    pub fn status(&self) -> u16 {
        match self {
            FederationError::Signature(_) => 401,
            FederationError::Malformed(_) | FederationError::BadUrl(_) => 400,
            FederationError::Forbidden(_) | FederationError::PrivateAddress(_) => 403,
            FederationError::TooLarge => 413,
            FederationError::Gone(_) => 410,
            FederationError::Fetch(..) => 502,
            FederationError::Node(e) => match e {
                node::NodeError::NotFound(_) => 404,
                node::NodeError::Forbidden(_) | node::NodeError::Unauthorized(_) => 403,
                node::NodeError::Invalid { .. } | node::NodeError::Conflict { .. } => 400,
                _ => 500,
            },
            FederationError::Internal(_) => 500,
        }
    }
}
