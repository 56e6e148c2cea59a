//! Groups: the directory, a group's settings, joining and leaving, its
//! members and their moderation (bans, the reports of its posts), its posts (the feed, posting, pins,
//! locks, removals) and new-post alerts. `{group}` is a local group's handle
//! (`name`, or `name@` this node's domain); a group of another server
//! is not supported yet (404 saying so).

use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::Router;
use node::groups::{
    GroupMemberRole, GroupPostSort, GroupPostsRequest, GroupSort, GroupUpdate, NewGroup,
};
use node::posts::NewPost;
use serde::Deserialize;

use crate::error::{ApiError, ApiResult};
use crate::extract::{parse_id, Auth, Json, MaybeAuth, OptionalJson, PageQuery};
use crate::pages::{linked_response, page_response};
use crate::rate_limit::Action;
use crate::state::AppState;

/// Routes under `/api/kodeon/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/groups", get(directory).post(create))
        .route("/groups/{group}", get(show).patch(update).delete(remove))
        .route("/groups/{group}/join", post(join))
        .route("/groups/{group}/leave", post(leave))
        .route("/groups/{group}/members", get(members))
        .route("/groups/{group}/members/{user}/approve", post(approve))
        .route("/groups/{group}/members/{user}/reject", post(reject))
        .route("/groups/{group}/members/{user}/ban", post(ban))
        .route("/groups/{group}/members/{user}/unban", post(unban))
        .route("/groups/{group}/members/{user}/role", put(set_role))
        .route("/groups/{group}/reports", get(reports))
        .route("/groups/{group}/bans", get(bans))
        .route("/groups/{group}/posts", get(posts).post(create_post))
        .route("/groups/{group}/posts/{id}", delete(remove_post))
        .route("/groups/{group}/posts/{id}/pin", post(pin))
        .route("/groups/{group}/posts/{id}/unpin", post(unpin))
        .route("/groups/{group}/posts/{id}/lock", post(lock))
        .route("/groups/{group}/posts/{id}/unlock", post(unlock))
        .route("/groups/{group}/alerts", post(alerts))
}

/// The `{group}` segment of a route that manages a group: a handle of
/// another server is a 404 that says why (that group is managed there).
fn local_handle<'a>(s: &AppState, raw: &'a str) -> ApiResult<&'a str> {
    let handle = raw.trim().trim_start_matches('@');
    match handle.split_once('@') {
        Some((_, host)) if !host.eq_ignore_ascii_case(&s.node.config().domain) => {
            Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "a group of another server is managed on its own server",
            ))
        }
        _ => Ok(handle),
    }
}

#[derive(Deserialize)]
struct DirectoryQuery {
    #[serde(flatten)]
    page: PageQuery,
    q: Option<String>,
    category: Option<String>,
    sort: Option<String>,
}

/// GET /api/kodeon/v1/groups?q=&category=&sort=members|new
async fn directory(
    State(s): State<AppState>,
    MaybeAuth(v): MaybeAuth,
    Query(q): Query<DirectoryQuery>,
    OriginalUri(uri): OriginalUri,
) -> ApiResult<Response> {
    let sort = GroupSort::parse(q.sort.as_deref().unwrap_or("new"))?;
    let page = s.node.groups_directory(
        &v,
        q.q.as_deref(),
        q.category.as_deref(),
        sort,
        &q.page.to_request()?,
    )?;
    Ok(page_response(&uri, page))
}

/// POST /api/kodeon/v1/groups (limited as posting is, per account)
async fn create(
    State(s): State<AppState>,
    Auth(v): Auth,
    Json(new): Json<NewGroup>,
) -> ApiResult<impl IntoResponse> {
    if let Some(id) = v.id() {
        s.limiters.check(Action::Post, &id.to_string())?;
    }
    Ok((
        StatusCode::CREATED,
        axum::Json(s.node.create_group(&v, new).await?),
    ))
}

/// GET /api/kodeon/v1/groups/{group}
async fn show(
    State(s): State<AppState>,
    MaybeAuth(v): MaybeAuth,
    Path(group): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let group = crate::remote_groups::group_handle(&s, &v, &group).await?;
    Ok(axum::Json(s.node.group(&v, &group)?))
}

/// PATCH /api/kodeon/v1/groups/{group}
async fn update(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(group): Path<String>,
    Json(change): Json<GroupUpdate>,
) -> ApiResult<impl IntoResponse> {
    let group = local_handle(&s, &group)?;
    Ok(axum::Json(s.node.update_group(&v, group, change).await?))
}

/// DELETE /api/kodeon/v1/groups/{group}
async fn remove(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(group): Path<String>,
) -> ApiResult<StatusCode> {
    s.node.delete_group(&v, local_handle(&s, &group)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// POST /api/kodeon/v1/groups/{group}/join → `{"state": "member" | "pending"}`
async fn join(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(group): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let group = crate::remote_groups::group_handle(&s, &v, &group).await?;
    Ok(axum::Json(s.node.join_group(&v, &group).await?))
}

/// POST /api/kodeon/v1/groups/{group}/leave
async fn leave(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(group): Path<String>,
) -> ApiResult<StatusCode> {
    let group = crate::remote_groups::group_handle(&s, &v, &group).await?;
    s.node.leave_group(&v, &group).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct MembersQuery {
    #[serde(flatten)]
    page: PageQuery,
    role: Option<String>,
}

/// GET /api/kodeon/v1/groups/{group}/members?role=owner|moderator|member
async fn members(
    State(s): State<AppState>,
    MaybeAuth(v): MaybeAuth,
    Path(group): Path<String>,
    Query(q): Query<MembersQuery>,
    OriginalUri(uri): OriginalUri,
) -> ApiResult<Response> {
    let role = match q.role.as_deref().filter(|r| !r.is_empty()) {
        Some(r) => Some(GroupMemberRole::parse(r)?),
        None => None,
    };
    let page = s
        .node
        .group_members(&v, local_handle(&s, &group)?, role, &q.page.to_request()?)?;
    Ok(page_response(&uri, page))
}

/// GET /api/kodeon/v1/groups/{group}/reports — the node's open reports
/// that name the group's posts (its owner and moderators)
async fn reports(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(group): Path<String>,
    Query(q): Query<PageQuery>,
    OriginalUri(uri): OriginalUri,
) -> ApiResult<Response> {
    let page = s
        .node
        .group_reports(&v, local_handle(&s, &group)?, &q.to_request()?)?;
    Ok(page_response(&uri, page))
}

/// GET /api/kodeon/v1/groups/{group}/bans — the banned accounts (its
/// owner and moderators)
async fn bans(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(group): Path<String>,
    Query(q): Query<PageQuery>,
    OriginalUri(uri): OriginalUri,
) -> ApiResult<Response> {
    let page = s
        .node
        .group_bans(&v, local_handle(&s, &group)?, &q.to_request()?)?;
    Ok(page_response(&uri, page))
}

/// POST /api/kodeon/v1/groups/{group}/members/{user}/approve
async fn approve(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path((group, user)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let group = local_handle(&s, &group)?;
    s.node.approve_group_member(&v, group, &user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// POST /api/kodeon/v1/groups/{group}/members/{user}/reject
async fn reject(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path((group, user)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let group = local_handle(&s, &group)?;
    s.node.reject_group_member(&v, group, &user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The body of a ban: an optional reason.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct BanBody {
    #[serde(default)]
    reason: String,
}

/// POST /api/kodeon/v1/groups/{group}/members/{user}/ban with an optional
/// `{"reason"}`
async fn ban(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path((group, user)): Path<(String, String)>,
    OptionalJson(body): OptionalJson<BanBody>,
) -> ApiResult<StatusCode> {
    let group = local_handle(&s, &group)?;
    s.node
        .ban_group_member(&v, group, &user, &body.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// POST /api/kodeon/v1/groups/{group}/members/{user}/unban
async fn unban(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path((group, user)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let group = local_handle(&s, &group)?;
    s.node.unban_group_member(&v, group, &user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The body of a role change.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleBody {
    role: String,
}

/// PUT /api/kodeon/v1/groups/{group}/members/{user}/role with
/// `{"role": "moderator" | "member"}`
async fn set_role(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path((group, user)): Path<(String, String)>,
    Json(body): Json<RoleBody>,
) -> ApiResult<StatusCode> {
    let group = local_handle(&s, &group)?;
    s.node.set_group_role(&v, group, &user, &body.role).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct PostsQuery {
    #[serde(flatten)]
    page: PageQuery,
    sort: Option<String>,
    t: Option<String>,
    cursor: Option<String>,
}

/// GET /api/kodeon/v1/groups/{group}/posts?sort=new|hot|top&t=day|week|month|all
/// (`new` pages by `max_id`/`min_id`; `hot` and `top` by `cursor`, the
/// `next` of the previous page)
async fn posts(
    State(s): State<AppState>,
    MaybeAuth(v): MaybeAuth,
    Path(group): Path<String>,
    Query(q): Query<PostsQuery>,
    OriginalUri(uri): OriginalUri,
) -> ApiResult<Response> {
    let req = GroupPostsRequest {
        sort: GroupPostSort::parse(q.sort.as_deref(), q.t.as_deref())?,
        page: q.page.to_request()?,
        cursor: q.cursor.filter(|c| !c.is_empty()),
    };
    let group = crate::remote_groups::group_handle(&s, &v, &group).await?;
    let page = s.node.group_posts(&v, &group, &req)?;
    let next = match (&page.next_max_id, &page.next) {
        (Some(id), _) => Some(("max_id", id.to_string())),
        (None, Some(cursor)) => Some(("cursor", cursor.clone())),
        (None, None) => None,
    };
    let prev = page.prev_min_id.map(|id| ("min_id", id.to_string()));
    Ok(linked_response(&uri, &page, next, prev))
}

/// POST /api/kodeon/v1/groups/{group}/posts (the body of POST /posts; the
/// group is the path's; limited as posting is)
async fn create_post(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(group): Path<String>,
    Json(new): Json<NewPost>,
) -> ApiResult<impl IntoResponse> {
    if let Some(id) = v.id() {
        s.limiters.check(Action::Post, &id.to_string())?;
    }
    let new = NewPost {
        group: Some(crate::remote_groups::group_handle(&s, &v, &group).await?),
        ..new
    };
    Ok((
        StatusCode::CREATED,
        axum::Json(s.node.create_post(&v, new).await?),
    ))
}

/// The body of a removal: an optional reason.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RemoveBody {
    #[serde(default)]
    reason: String,
}

/// DELETE /api/kodeon/v1/groups/{group}/posts/{id} with an optional
/// `{"reason"}` (the group's owner and moderators)
async fn remove_post(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path((group, id)): Path<(String, String)>,
    OptionalJson(body): OptionalJson<RemoveBody>,
) -> ApiResult<StatusCode> {
    let group = local_handle(&s, &group)?;
    s.node
        .remove_group_post(&v, group, parse_id(&id)?, &body.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// POST /api/kodeon/v1/groups/{group}/posts/{id}/pin
async fn pin(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path((group, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let group = local_handle(&s, &group)?;
    s.node.pin_group_post(&v, group, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// POST /api/kodeon/v1/groups/{group}/posts/{id}/unpin
async fn unpin(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path((group, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let group = local_handle(&s, &group)?;
    s.node.unpin_group_post(&v, group, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// POST /api/kodeon/v1/groups/{group}/posts/{id}/lock (locks the post's thread)
async fn lock(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path((group, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let group = local_handle(&s, &group)?;
    s.node.lock_group_thread(&v, group, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// POST /api/kodeon/v1/groups/{group}/posts/{id}/unlock
async fn unlock(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path((group, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let group = local_handle(&s, &group)?;
    s.node
        .unlock_group_thread(&v, group, parse_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The body of an alerts switch.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AlertsBody {
    on: bool,
}

/// POST /api/kodeon/v1/groups/{group}/alerts with `{"on": true | false}`:
/// whether the viewer (a member) is told of each new post
async fn alerts(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(group): Path<String>,
    Json(body): Json<AlertsBody>,
) -> ApiResult<StatusCode> {
    let group = local_handle(&s, &group)?;
    s.node.set_group_post_alerts(&v, group, body.on).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
#[path = "groups_tests.rs"]
mod tests;
