//! Groups of other servers named by `name@host`: looked up over WebFinger
//! the first time a signed-in member names one, for the Kodeon API and the
//! members' app alike.

use axum::http::StatusCode;
use node::Viewer;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The `{group}` segment of a route a member uses (read, join, leave,
/// post): a local handle as it is; a group of another server by
/// `name@host`, looked up over WebFinger the first time a signed-in
/// member names it (within their remote-lookup budget), 404 when it
/// names no group.
pub async fn group_handle(s: &AppState, viewer: &Viewer, raw: &str) -> ApiResult<String> {
    let handle = raw.trim().trim_start_matches('@');
    match s.node.remote_group_named(handle) {
        Ok(None) => return Ok(handle.to_string()),
        Ok(Some(group)) => return Ok(group.username),
        // Another server's handle this node does not know yet.
        Err(node::NodeError::NotFound(_)) => {}
        Err(e) => return Err(e.into()),
    }
    let no_group = || ApiError::new(StatusCode::NOT_FOUND, "no such group");
    let (Some(federation), true) = (&s.federation, viewer.id().is_some()) else {
        return Err(no_group());
    };
    crate::rate_limit::check_remote_lookup(&s.limiters, viewer)?;
    match federation.resolve_handle(handle).await {
        Ok(account) if account.is_group() => Ok(account.username),
        Ok(_) => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "no such group: that account is not a group",
        )),
        Err(e) => {
            tracing::info!(%handle, error = %e, "a remote group could not be looked up");
            Err(no_group())
        }
    }
}
