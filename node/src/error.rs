//! The node's error type: what went wrong, in terms a caller can act on.

use crate::store::StoreError;

/// Errors returned by node operations. The web layer maps each variant to
/// one HTTP status in one place.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// Input failed validation (400/422). `field` names the offending input.
    #[error("{field}: {message}")]
    Invalid {
        /// The input field at fault.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// Input is larger than allowed (413).
    #[error("{field} is too large: {message}")]
    TooLarge {
        /// The input field at fault.
        field: String,
        /// The limit that was exceeded.
        message: String,
    },
    /// The thing does not exist, or the caller may not know it exists (404).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The operation conflicts with existing state (409), e.g. a taken username.
    #[error("{field}: {message}")]
    Conflict {
        /// The input field at fault.
        field: String,
        /// What it conflicts with.
        message: String,
    },
    /// No valid credentials (401).
    #[error("{0}")]
    Unauthorized(&'static str),
    /// Authenticated, but not allowed (403).
    #[error("{0}")]
    Forbidden(&'static str),
    /// Too many attempts; try again later (429).
    #[error("too many attempts; try again in {retry_after_secs} s")]
    RateLimited {
        /// Seconds until the next attempt may succeed.
        retry_after_secs: u64,
    },
    /// A storage failure (500). Details go to the log, not to clients.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A key-handling failure (500).
    #[error("identity: {0}")]
    Identity(#[from] identity::IdentityError),
    /// Any other internal failure (500).
    #[error("internal: {0}")]
    Internal(String),
}

impl NodeError {
    /// Shorthand for [`NodeError::Invalid`].
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        NodeError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Shorthand for [`NodeError::Conflict`].
    pub fn conflict(field: &str, message: impl Into<String>) -> Self {
        NodeError::Conflict {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Shorthand for [`NodeError::TooLarge`].
    pub fn too_large(field: &str, message: impl Into<String>) -> Self {
        NodeError::TooLarge {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Result alias for node operations.
pub type NodeResult<T> = Result<T, NodeError>;

impl From<protocol::credentials::CredentialError> for NodeError {
    fn from(e: protocol::credentials::CredentialError) -> Self {
        NodeError::Internal(format!("credential: {e}"))
    }
}

impl From<protocol::data_integrity::ProofError> for NodeError {
    fn from(e: protocol::data_integrity::ProofError) -> Self {
        NodeError::Internal(format!("integrity proof: {e}"))
    }
}
