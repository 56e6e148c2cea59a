//! Profiles, the social graph, follow requests, blocks and mutes.

use axum::extract::{OriginalUri, Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use node::model::ProfileUpdate;
use node::Viewer;
use serde::Deserialize;

use crate::error::ApiResult;
use crate::extract::{Auth, Json, MaybeAuth, PageQuery};
use crate::pages::{page_handlers, page_response};
use crate::state::AppState;

/// Routes under `/api/kodeon/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/me", get(me).patch(update_me))
        .route("/me/blocks", get(blocks))
        .route("/me/mutes", get(mutes))
        .route("/members/{username}", get(profile))
        .route("/members/{username}/posts", get(member_posts))
        .route("/members/{username}/followers", get(followers))
        .route("/members/{username}/following", get(following))
        .route("/members/{username}/follow", post(follow).delete(unfollow))
        .route("/members/{username}/block", post(block).delete(unblock))
        .route("/members/{username}/mute", post(mute).delete(unmute))
        .route("/follow-requests", get(follow_requests))
        .route("/follow-requests/{username}/approve", post(approve))
        .route("/follow-requests/{username}/reject", post(reject))
}

/// GET /api/kodeon/v1/me
async fn me(State(s): State<AppState>, Auth(v): Auth) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(s.node.me(&v)?))
}

/// PATCH /api/kodeon/v1/me
async fn update_me(
    State(s): State<AppState>,
    Auth(v): Auth,
    Json(u): Json<ProfileUpdate>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(s.node.update_profile(&v, u).await?))
}

/// GET /api/kodeon/v1/members/{username}
async fn profile(
    State(s): State<AppState>,
    MaybeAuth(v): MaybeAuth,
    Path(name): Path<String>,
) -> ApiResult<impl IntoResponse> {
    resolve_remote(&s, &v, &name).await?;
    Ok(axum::Json(s.node.profile(&v, &name)?))
}

/// Makes a remote handle (`name@domain`) known to the node through
/// WebFinger before a lookup, so that it can be viewed and followed. Only
/// for signed-in members (as on Mastodon): an anonymous request never makes
/// the node fetch anything, it sees the accounts known already. Every
/// failure of the network (unknown, refused, unreachable, malformed) is the
/// same 404, so the answer tells nothing about the network behind the
/// handle; this node's own failures are what they are.
pub(crate) async fn resolve_remote(s: &AppState, viewer: &Viewer, name: &str) -> ApiResult<()> {
    let (Some(federation), true, Some(_)) = (&s.federation, name.contains('@'), viewer.id()) else {
        return Ok(());
    };
    // A remote account known already is read from the store, not fetched
    // (and costs no lookup).
    let handle = name.trim().trim_start_matches('@');
    if s.node.find_member(handle)?.is_some_and(|m| !m.is_local()) {
        return Ok(());
    }
    crate::rate_limit::check_remote_lookup(&s.limiters, viewer)?;
    if let Err(e) = federation.resolve_handle(name).await {
        if e.is_ours() {
            return Err(e.into());
        }
        tracing::info!(handle = %name, error = %e, "cannot resolve a remote account");
        return Err(crate::error::ApiError::field(
            axum::http::StatusCode::NOT_FOUND,
            "username",
            "member not found",
        ));
    }
    Ok(())
}

#[derive(Deserialize)]
struct PostsQuery {
    #[serde(flatten)]
    page: PageQuery,
    exclude_replies: Option<String>,
}

/// GET /api/kodeon/v1/members/{username}/posts
async fn member_posts(
    State(s): State<AppState>,
    MaybeAuth(v): MaybeAuth,
    Path(name): Path<String>,
    Query(q): Query<PostsQuery>,
    OriginalUri(uri): OriginalUri,
) -> ApiResult<Response> {
    let exclude = matches!(q.exclude_replies.as_deref(), Some("true" | "1"));
    let page = s.node.member_posts(
        &v,
        &name,
        node::feeds::MemberPostsFilter {
            exclude_replies: exclude,
            ..Default::default()
        },
        &q.page.to_request()?,
    )?;
    Ok(page_response(&uri, page))
}

page_handlers! {
    /// GET /api/kodeon/v1/members/{username}/followers
    followers: MaybeAuth => followers(name);
    /// GET /api/kodeon/v1/members/{username}/following
    following: MaybeAuth => following(name);
    /// GET /api/kodeon/v1/follow-requests
    follow_requests: Auth => follow_requests();
    /// GET /api/kodeon/v1/me/blocks
    blocks: Auth => blocks();
    /// GET /api/kodeon/v1/me/mutes
    mutes: Auth => mutes();
}

/// Generates a handler `POST|DELETE /members/{username}/...` that calls one
/// relationship method and renders the resulting Relationship.
macro_rules! relationship_handler {
    ($name:ident, $method:ident, $route:literal) => {
        #[doc = $route]
        async fn $name(
            State(s): State<AppState>,
            Auth(v): Auth,
            Path(name): Path<String>,
        ) -> ApiResult<impl IntoResponse> {
            resolve_remote(&s, &v, &name).await?;
            Ok(axum::Json(s.node.$method(&v, &name).await?))
        }
    };
}

relationship_handler!(
    follow,
    follow,
    "POST /api/kodeon/v1/members/{username}/follow"
);
relationship_handler!(
    unfollow,
    unfollow,
    "DELETE /api/kodeon/v1/members/{username}/follow"
);
relationship_handler!(block, block, "POST /api/kodeon/v1/members/{username}/block");
relationship_handler!(
    unblock,
    unblock,
    "DELETE /api/kodeon/v1/members/{username}/block"
);
relationship_handler!(mute, mute, "POST /api/kodeon/v1/members/{username}/mute");
relationship_handler!(
    unmute,
    unmute,
    "DELETE /api/kodeon/v1/members/{username}/mute"
);
relationship_handler!(
    approve,
    approve_follow_request,
    "POST /api/kodeon/v1/follow-requests/{username}/approve"
);
relationship_handler!(
    reject,
    reject_follow_request,
    "POST /api/kodeon/v1/follow-requests/{username}/reject"
);
