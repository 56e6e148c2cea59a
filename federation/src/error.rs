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
    /// A delivery the receiving server refused for good (a 4xx other
    /// than 401, 408 and 429, or 501, as Mastodon decides): retrying
    /// would not change its answer.
    #[error("refused by the receiving server: {0}")]
    Refused(String),
    /// Something an activity names (the object of an `Announce`, the
    /// document an `Update` of an actor announces) could not be had from
    /// its server: gone, refused by our rules (blocked domain, private
    /// address, not an acceptable URL, too large, malformed) or
    /// unreachable. The activity is accepted and ignored
    /// ([`crate::Received::Ignored`]): the sender did nothing wrong, and a
    /// 5xx would make it retry for days.
    #[error("cannot obtain {0}: {1}")]
    Unobtainable(String, Box<FederationError>),
    /// The node refused the change.
    #[error(transparent)]
    Node(#[from] node::NodeError),
    /// Anything else.
    #[error("internal: {0}")]
    Internal(String),
}

impl From<protocol::activities::OriginError> for FederationError {
    fn from(e: protocol::activities::OriginError) -> Self {
        FederationError::Forbidden(e.to_string())
    }
}

impl FederationError {
    /// The HTTP status an inbox answers with: 4xx for what the sender got
    /// wrong (its body names the reason), 5xx only for this node's own
    /// failures (storage, keys, bugs). A third server's failure (`Fetch`,
    /// `Gone`, `Refused`, `Unobtainable`) is neither: [`crate::Federation::receive`]
    /// accepts and ignores the activity, and 202 is what it answers.
    pub fn status(&self) -> u16 {
        match self {
            FederationError::Signature(_) => 401,
            FederationError::Malformed(_) | FederationError::BadUrl(_) => 400,
            FederationError::Forbidden(_) | FederationError::PrivateAddress(_) => 403,
            FederationError::TooLarge => 413,
            FederationError::Gone(_)
            | FederationError::Fetch(..)
            | FederationError::Refused(_)
            | FederationError::Unobtainable(..) => 202,
            FederationError::Node(e) => match e {
                node::NodeError::NotFound(_) => 404,
                node::NodeError::Forbidden(_) | node::NodeError::Unauthorized(_) => 403,
                node::NodeError::Invalid { .. } | node::NodeError::Conflict { .. } => 400,
                node::NodeError::TooLarge { .. } => 413,
                node::NodeError::RateLimited { .. } => 429,
                node::NodeError::Store(_)
                | node::NodeError::Identity(_)
                | node::NodeError::Internal(_) => 500,
            },
            FederationError::Internal(_) => 500,
        }
    }

    /// Whether this is this node's own failure (a 5xx), not one of the
    /// request or of another server.
    pub fn is_ours(&self) -> bool {
        self.status() >= 500
    }

    /// This error, met while obtaining `what` for an activity, as
    /// [`FederationError::Unobtainable`]; this node's own failures stay
    /// as they are (they are a 5xx: the sender should retry).
    pub fn obtaining(self, what: &str) -> FederationError {
        if self.is_ours() {
            return self;
        }
        FederationError::Unobtainable(what.to_string(), Box::new(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_own_failures_are_5xx() {
        let unobtainable = [
            FederationError::Fetch("https://x/1".into(), "HTTP 404".into()),
            FederationError::Gone("https://x/1".into()),
            FederationError::Fetch("https://x/1".into(), "HTTP 503".into()),
            FederationError::TooLarge,
            FederationError::BadUrl("file:///".into()),
            FederationError::PrivateAddress("http://10.0.0.1/".into()),
            FederationError::Forbidden("x is blocked".into()),
            FederationError::Malformed("not JSON".into()),
            FederationError::Node(node::NodeError::NotFound("post")),
        ];
        for e in unobtainable {
            let wrapped = e.obtaining("https://x/1");
            assert!(
                matches!(wrapped, FederationError::Unobtainable(..)),
                "{wrapped}"
            );
            assert_eq!(wrapped.status(), 202, "{wrapped}");
        }
        for e in [
            FederationError::Internal("disk".into()),
            FederationError::Node(node::NodeError::Internal("disk".into())),
        ] {
            assert!(e.is_ours());
            let kept = e.obtaining("https://x/1");
            assert_eq!(kept.status(), 500, "{kept}");
        }
        let limited = FederationError::Node(node::NodeError::RateLimited {
            retry_after_secs: 1,
        });
        assert_eq!(limited.status(), 429);
    }
}
