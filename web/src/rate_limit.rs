//! Per-IP and per-account rate limits (GCRA via `governor`).

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::ApiError;
use crate::RateLimits;

/// What a limit applies to.
#[derive(Debug, Clone, Copy)]
pub enum Action {
    /// Registration, per IP.
    Register,
    /// Login, per IP.
    Login,
    /// Posting, per account.
    Post,
    /// Media uploads (attachments and avatars), per account.
    MediaUpload,
    /// Lookups that make the node fetch from other servers for a member
    /// (search with `resolve`, a remote handle not known yet), per account.
    RemoteLookup,
}

/// The node's limiters. A `None` limiter is disabled (limit 0).
pub struct Limiters {
    register: Option<DefaultKeyedRateLimiter<String>>,
    login: Option<DefaultKeyedRateLimiter<String>>,
    post: Option<DefaultKeyedRateLimiter<String>>,
    media_upload: Option<DefaultKeyedRateLimiter<String>>,
    remote_lookup: Option<DefaultKeyedRateLimiter<String>>,
    checks: AtomicU64,
}

impl Limiters {
    /// Builds limiters from settings.
    pub fn new(limits: &RateLimits) -> Self {
        let per_hour = |n: u32| NonZeroU32::new(n).map(|n| RateLimiter::keyed(Quota::per_hour(n)));
        let per_minute =
            |n: u32| NonZeroU32::new(n).map(|n| RateLimiter::keyed(Quota::per_minute(n)));
        Limiters {
            register: per_hour(limits.register_per_hour_per_ip),
            login: per_minute(limits.login_per_minute_per_ip),
            post: per_minute(limits.posts_per_minute_per_account),
            media_upload: per_minute(limits.media_uploads_per_minute_per_account),
            remote_lookup: per_minute(limits.remote_lookups_per_minute_per_account),
            checks: AtomicU64::new(0),
        }
    }

    /// Counts one `action` by `key`; 429 with `Retry-After` when over.
    pub fn check(&self, action: Action, key: &str) -> Result<(), ApiError> {
        let limiter = match action {
            Action::Register => &self.register,
            Action::Login => &self.login,
            Action::Post => &self.post,
            Action::MediaUpload => &self.media_upload,
            Action::RemoteLookup => &self.remote_lookup,
        };
        let Some(limiter) = limiter else {
            return Ok(());
        };
        // Forget idle keys now and then so the maps stay small.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
            for l in [
                &self.register,
                &self.login,
                &self.post,
                &self.media_upload,
                &self.remote_lookup,
            ]
            .into_iter()
            .flatten()
            {
                l.retain_recent();
                l.shrink_to_fit();
            }
        }
        limiter.check_key(&key.to_string()).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            ApiError::rate_limited(wait.as_secs().max(1))
        })
    }
}

/// Counts a request that may make the node fetch from other servers for
/// `viewer` (anonymous viewers never make it fetch): 429 past
/// `remote_lookups_per_minute_per_account`.
pub fn check_remote_lookup(limiters: &Limiters, viewer: &node::Viewer) -> Result<(), ApiError> {
    match viewer.id() {
        Some(id) => limiters.check(Action::RemoteLookup, &id.to_string()),
        None => Ok(()),
    }
}

/// The client's IP, as an extractor.
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(parts)))
    }
}

/// The client's IP as seen on the socket (no proxy headers are trusted).
pub fn client_ip(parts: &Parts) -> IpAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]))
}
