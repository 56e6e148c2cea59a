//! Accounts: sign-up, credentials, profiles, the social graph.

use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use node::members::NewMember;
use node::model::ProfileUpdate;
use node::Id;
use serde::Deserialize;
use serde_json::Value;

use super::entities::{self, relationship, Renderer};
use super::lists::list_handlers;
use super::params::{flex_bool, flex_list, Params, ParamsWithFiles};
use super::{bearer_token, record_id, status_page, MaybeToken, PageParams, Token};
use crate::error::{ApiError, ApiResult};
use crate::rate_limit::{Action, ClientIp};
use crate::state::AppState;

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/accounts", post(sign_up))
        .route(
            "/api/v1/accounts/verify_credentials",
            get(verify_credentials),
        )
        .route(
            "/api/v1/accounts/update_credentials",
            axum::routing::patch(update_credentials).layer(axum::extract::DefaultBodyLimit::max(
                node::media::MAX_UPLOAD_BYTES + 64 * 1024,
            )),
        )
        .route("/api/v1/accounts/lookup", get(lookup))
        .route("/api/v1/accounts/relationships", get(relationships))
        .route("/api/v1/accounts/search", get(search))
        .route("/api/v1/accounts/{id}", get(show))
        .route("/api/v1/accounts/{id}/statuses", get(statuses))
        .route("/api/v1/accounts/{id}/followers", get(followers))
        .route("/api/v1/accounts/{id}/following", get(following))
        .route("/api/v1/accounts/{id}/follow", post(follow))
        .route("/api/v1/accounts/{id}/unfollow", post(unfollow))
        .route("/api/v1/accounts/{id}/block", post(block))
        .route("/api/v1/accounts/{id}/unblock", post(unblock))
        .route("/api/v1/accounts/{id}/mute", post(mute))
        .route("/api/v1/accounts/{id}/unmute", post(unmute))
        .route("/api/v1/follow_requests", get(follow_requests))
        .route("/api/v1/follow_requests/{id}/authorize", post(authorize))
        .route("/api/v1/follow_requests/{id}/reject", post(reject))
        .route("/api/v1/blocks", get(blocks))
        .route("/api/v1/mutes", get(mutes))
}

#[derive(Deserialize)]
struct SignUp {
    username: Option<String>,
    email: Option<String>,
    password: Option<String>,
    #[serde(default, deserialize_with = "flex_bool")]
    agreement: Option<bool>,
    #[allow(dead_code)]
    locale: Option<String>,
    invite_code: Option<String>,
    reason: Option<String>,
}

/// POST /api/v1/accounts — sign-up with an app token (client_credentials).
async fn sign_up(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: axum::http::HeaderMap,
    uri: axum::http::Uri,
    Params(p): Params<SignUp>,
) -> ApiResult<Response> {
    let token = bearer_token(&headers, &uri)
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "The access token is invalid"))?;
    s.limiters.check(Action::Register, &ip.to_string())?;
    if p.agreement != Some(true) {
        return Err(ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "agreement",
            "agreement must be accepted",
        ));
    }
    let new = NewMember {
        username: p.username.unwrap_or_default(),
        email: p.email.unwrap_or_default(),
        password: p.password.unwrap_or_default(),
        full_name: String::new(),
        invite_code: p.invite_code,
        reason: p.reason,
    };
    let grant = s.node.register_with_app(&token, new, Some(ip)).await?;
    Ok(axum::Json(entities::Token::from(grant)).into_response())
}

/// GET /api/v1/accounts/verify_credentials
async fn verify_credentials(State(s): State<AppState>, t: Token) -> ApiResult<impl IntoResponse> {
    let v = t.require("read:accounts:self")?;
    let me = s.node.me(v)?;
    let requests = s.node.follow_request_count(v)?;
    Ok(axum::Json(
        Renderer::new(&s.node).credential_account(&me, requests),
    ))
}

#[derive(Deserialize)]
struct Field {
    name: Option<String>,
    value: Option<String>,
}

#[derive(Deserialize)]
struct UpdateCredentials {
    display_name: Option<String>,
    note: Option<String>,
    #[serde(default, deserialize_with = "flex_bool")]
    locked: Option<bool>,
    fields_attributes: Option<Value>,
    source: Option<Source>,
}

#[derive(Deserialize)]
struct Source {
    language: Option<String>,
}

/// PATCH /api/v1/accounts/update_credentials
async fn update_credentials(
    State(s): State<AppState>,
    t: Token,
    ParamsWithFiles(p, files): ParamsWithFiles<UpdateCredentials>,
) -> ApiResult<impl IntoResponse> {
    let v = t.require("write:accounts")?;
    // An avatar file is stored like any upload; its URL becomes the avatar.
    let avatar_url = match files.get("avatar") {
        Some(bytes) => {
            if let Some(me) = v.id() {
                s.limiters.check(Action::MediaUpload, &me.to_string())?;
            }
            let media =
                s.node
                    .upload_media(v, bytes.to_vec(), None)
                    .await
                    .map_err(|e| match e {
                        node::NodeError::Invalid { message, .. } => ApiError::field(
                            StatusCode::UNPROCESSABLE_ENTITY,
                            "avatar",
                            format!("avatar {message}"),
                        ),
                        other => other.into(),
                    })?;
            Some(s.node.avatar_url(&media))
        }
        None => None,
    };
    let mut update = ProfileUpdate {
        full_name: p.display_name,
        locked: p.locked,
        avatar_url,
        about: p.note,
        language: p.source.and_then(|s| s.language),
        ..ProfileUpdate::default()
    };
    if let Some(fields) = p.fields_attributes {
        // Either `{"0": {name, value}, ...}` (forms) or `[{name, value}]` (JSON).
        let list: Vec<Value> = match fields {
            Value::Object(map) => map.into_values().collect(),
            Value::Array(items) => items,
            _ => {
                return Err(ApiError::field(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "fields_attributes",
                    "fields_attributes must be a list",
                ))
            }
        };
        let mut links = std::collections::BTreeMap::new();
        for item in list {
            let f: Field = super::params::deserialize(item)?;
            if let (Some(n), Some(val)) = (f.name.filter(|n| !n.is_empty()), f.value) {
                links.insert(n, val);
            }
        }
        update.social_links = Some(links);
    }
    let view = s.node.update_profile(v, update).await?;
    let requests = s.node.follow_request_count(v)?;
    Ok(axum::Json(
        Renderer::new(&s.node).credential_account(&view, requests),
    ))
}

#[derive(Deserialize)]
struct LookupQuery {
    acct: Option<String>,
}

/// GET /api/v1/accounts/lookup?acct=
async fn lookup(
    State(s): State<AppState>,
    t: MaybeToken,
    Query(q): Query<LookupQuery>,
) -> ApiResult<impl IntoResponse> {
    let v = t.viewer("read:accounts")?;
    let acct = q.acct.unwrap_or_default();
    let acct = acct.trim_start_matches('@');
    let (name, domain) = acct.split_once('@').unwrap_or((acct, ""));
    let view = if domain.is_empty() || domain == s.node.config().domain {
        s.node.profile(&v, name)?
    } else {
        // An account of another server: known here, or found by WebFinger.
        crate::routes::members::resolve_remote(&s, &v, acct)
            .await
            .map_err(|e| match e.status {
                StatusCode::NOT_FOUND => ApiError::new(StatusCode::NOT_FOUND, "Record not found"),
                _ => e,
            })?;
        s.node.profile(&v, acct)?
    };
    Ok(axum::Json(Renderer::new(&s.node).account(&view)))
}

/// GET /api/v1/accounts/{id}
async fn show(
    State(s): State<AppState>,
    t: MaybeToken,
    Path(raw): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let v = t.viewer("read:accounts")?;
    let name = s.node.username_by_id(record_id(&raw)?)?;
    let view = s.node.profile(&v, &name)?;
    Ok(axum::Json(Renderer::new(&s.node).account(&view)))
}

#[derive(Deserialize)]
struct RelationshipsQuery {
    #[serde(default, deserialize_with = "flex_list")]
    id: Vec<String>,
}

/// GET /api/v1/accounts/relationships?id[]=
async fn relationships(
    State(s): State<AppState>,
    t: Token,
    uri: axum::http::Uri,
) -> ApiResult<impl IntoResponse> {
    let v = t.require("read:follows")?;
    let q: RelationshipsQuery = super::params::from_query(&uri)?;
    let ids: Vec<Id> = q.id.iter().filter_map(|i| i.parse().ok()).collect();
    let rels = s.node.relationships(v, &ids)?;
    Ok(axum::Json(
        rels.iter()
            .map(|(id, r)| relationship(*id, r))
            .collect::<Vec<_>>(),
    ))
}

#[derive(Deserialize)]
struct SearchQuery {
    q: Option<String>,
    limit: Option<String>,
}

/// GET /api/v1/accounts/search?q=
async fn search(
    State(s): State<AppState>,
    t: Token,
    Query(q): Query<SearchQuery>,
) -> ApiResult<impl IntoResponse> {
    let v = t.require("read:accounts")?;
    let limit = q.limit.and_then(|l| l.parse().ok()).unwrap_or(40);
    let found = s.node.search_members(v, &q.q.unwrap_or_default(), limit)?;
    let r = Renderer::new(&s.node);
    Ok(axum::Json(
        found.iter().map(|m| r.account(m)).collect::<Vec<_>>(),
    ))
}

#[derive(Deserialize)]
struct StatusesQuery {
    #[serde(flatten)]
    page: PageParams,
    #[serde(default, deserialize_with = "flex_bool")]
    exclude_replies: Option<bool>,
    #[serde(default, deserialize_with = "flex_bool")]
    only_media: Option<bool>,
    #[serde(default, deserialize_with = "flex_bool")]
    exclude_reblogs: Option<bool>,
    #[serde(default, deserialize_with = "flex_bool")]
    pinned: Option<bool>,
}

/// GET /api/v1/accounts/{id}/statuses
async fn statuses(
    State(s): State<AppState>,
    t: MaybeToken,
    Path(raw): Path<String>,
    OriginalUri(uri): OriginalUri,
) -> ApiResult<Response> {
    let v = t.viewer("read:statuses")?;
    let q: StatusesQuery = super::params::from_query(&uri)?;
    let name = s.node.username_by_id(record_id(&raw)?)?;
    // Kodeon has no pinned posts yet: that list is empty.
    if q.pinned == Some(true) {
        return Ok(axum::Json(Vec::<entities::Status>::new()).into_response());
    }
    let filter = node::feeds::MemberPostsFilter {
        exclude_replies: q.exclude_replies == Some(true),
        exclude_boosts: q.exclude_reblogs == Some(true),
        only_media: q.only_media == Some(true),
    };
    let page = s
        .node
        .member_posts(&v, &name, filter, &q.page.request(20)?)?;
    status_page(&s, &uri, page)
}

list_handlers! {
    /// GET /api/v1/accounts/{id}/followers
    followers: followers(account, "read:accounts", 40) => account_page;
    /// GET /api/v1/accounts/{id}/following
    following: following(account, "read:accounts", 40) => account_page;
}

list_handlers! {
    /// GET /api/v1/follow_requests
    follow_requests: follow_requests("read:follows", 40) => account_page;
    /// GET /api/v1/blocks
    blocks: blocks("read:blocks", 40) => account_page;
    /// GET /api/v1/mutes
    mutes: mutes("read:mutes", 40) => account_page;
}

/// Generates `POST /api/v1/accounts/{id}/ACTION` handlers that call one
/// relationship method and render a Relationship.
macro_rules! relationship_action {
    ($name:ident, $method:ident, $scope:literal, $doc:literal) => {
        #[doc = $doc]
        async fn $name(
            State(s): State<AppState>,
            t: Token,
            Path(raw): Path<String>,
        ) -> ApiResult<impl IntoResponse> {
            let v = t.require($scope)?;
            let target = record_id(&raw)?;
            let name = s.node.username_by_id(target)?;
            let rel = s.node.$method(v, &name).await?;
            Ok(axum::Json(relationship(target, &rel)))
        }
    };
}

relationship_action!(
    follow,
    follow,
    "write:follows",
    "POST /api/v1/accounts/{id}/follow"
);
relationship_action!(
    unfollow,
    unfollow,
    "write:follows",
    "POST /api/v1/accounts/{id}/unfollow"
);
relationship_action!(
    block,
    block,
    "write:blocks",
    "POST /api/v1/accounts/{id}/block"
);
relationship_action!(
    unblock,
    unblock,
    "write:blocks",
    "POST /api/v1/accounts/{id}/unblock"
);
relationship_action!(mute, mute, "write:mutes", "POST /api/v1/accounts/{id}/mute");
relationship_action!(
    unmute,
    unmute,
    "write:mutes",
    "POST /api/v1/accounts/{id}/unmute"
);
relationship_action!(
    authorize,
    approve_follow_request,
    "write:follows",
    "POST /api/v1/follow_requests/{id}/authorize"
);
relationship_action!(
    reject,
    reject_follow_request,
    "write:follows",
    "POST /api/v1/follow_requests/{id}/reject"
);
