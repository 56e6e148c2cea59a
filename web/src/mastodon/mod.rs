//! The Mastodon client API (`/api/v1`, `/api/v2`, `/oauth`), so existing
//! apps (Tusky, Ivory, Elk, Phanpy, toot, Mastodon.py) work with Kodeon.
//! Handlers translate to and from Mastodon's shapes and call `node`.

mod accounts;
mod conversations;
pub mod entities;
mod instance;
mod lists;
mod markers;
mod media;
mod notifications;
mod oauth;
mod params;
mod reports;
mod search;
mod statuses;
pub(crate) mod streaming;
mod timelines;
mod trends;

#[cfg(test)]
mod tests;

pub use streaming::StreamSlots;

use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use node::model::Session;
use node::{Id, Page, PageRequest, Viewer};
use serde::Deserialize;

use crate::error::ApiError;
use crate::state::AppState;

/// All Mastodon routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(instance::routes())
        .merge(oauth::routes())
        .merge(accounts::routes())
        .merge(conversations::routes())
        .merge(statuses::routes())
        .merge(reports::routes())
        .merge(timelines::routes())
        .merge(notifications::routes())
        .merge(search::routes())
        .merge(markers::routes())
        .merge(media::routes())
        .merge(streaming::routes())
        .merge(trends::routes())
}

/// Parses a record id from a path; anything else is Mastodon's 404.
pub fn record_id(raw: &str) -> Result<Id, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::new(StatusCode::NOT_FOUND, "Record not found"))
}

/// A member token with its scopes (`Authorization: Bearer`, or the
/// `access_token` query parameter that browsers' WebSockets need).
pub struct Token {
    /// The member.
    pub viewer: Viewer,
    /// The session (scopes).
    pub session: Session,
}

/// Reads the bearer token from the header or the query.
pub fn bearer_token(headers: &axum::http::HeaderMap, uri: &Uri) -> Option<String> {
    if let Some(v) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        return v.strip_prefix("Bearer ").map(|t| t.trim().to_string());
    }
    uri.query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "access_token")
            .map(|(_, v)| v.into_owned())
    })
}

impl axum::extract::FromRequestParts<AppState> for Token {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer_token(&parts.headers, &parts.uri).ok_or_else(|| {
            ApiError::new(StatusCode::UNAUTHORIZED, "The access token is invalid")
        })?;
        let (viewer, session) = state
            .node
            .authenticate(&token)
            .map_err(|_| ApiError::new(StatusCode::UNAUTHORIZED, "The access token is invalid"))?;
        Ok(Token { viewer, session })
    }
}

/// A member token if one is sent; anonymous otherwise.
pub struct MaybeToken(pub Option<Token>);

impl axum::extract::FromRequestParts<AppState> for MaybeToken {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if bearer_token(&parts.headers, &parts.uri).is_none() {
            return Ok(MaybeToken(None));
        }
        Token::from_request_parts(parts, state)
            .await
            .map(|t| MaybeToken(Some(t)))
    }
}

impl Token {
    /// The viewer, if the token holds `scope` (403 otherwise, as Mastodon).
    pub fn require(&self, scope: &str) -> Result<&Viewer, ApiError> {
        if node::apps::scopes::allows(&self.session.scopes, scope) {
            Ok(&self.viewer)
        } else {
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "This action is outside the authorized scopes",
            ))
        }
    }
}

impl MaybeToken {
    /// The viewer (anonymous without a token), checking `scope` if a token is given.
    pub fn viewer(&self, scope: &str) -> Result<Viewer, ApiError> {
        match &self.0 {
            Some(t) => t.require(scope).cloned(),
            None => Ok(Viewer::Anonymous),
        }
    }
}

/// Mastodon's pagination parameters. `limit` is clamped to 1..=40 (as
/// Mastodon does); a cursor that is not an id is a 400.
#[derive(Debug, Default, Deserialize)]
pub struct PageParams {
    #[serde(default, deserialize_with = "params::flex_string")]
    max_id: Option<String>,
    #[serde(default, deserialize_with = "params::flex_string")]
    since_id: Option<String>,
    #[serde(default, deserialize_with = "params::flex_string")]
    min_id: Option<String>,
    #[serde(default, deserialize_with = "params::flex_string")]
    limit: Option<String>,
}

impl PageParams {
    /// The node's page request, with `default_limit` when none is given.
    pub fn request(&self, default_limit: usize) -> Result<PageRequest, ApiError> {
        let cursor = |name: &str, v: &Option<String>| -> Result<Option<Id>, ApiError> {
            match v.as_deref().filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(s) => s.parse::<Id>().map(Some).map_err(|_| {
                    ApiError::field(
                        StatusCode::BAD_REQUEST,
                        name,
                        format!("{name} is not a valid id"),
                    )
                }),
            }
        };
        let limit = match self.limit.as_deref().filter(|s| !s.is_empty()) {
            None => default_limit,
            Some(s) => s
                .parse::<i64>()
                .map_err(|_| {
                    ApiError::field(StatusCode::BAD_REQUEST, "limit", "limit must be a number")
                })?
                .clamp(1, node::feeds::MAX_LIMIT as i64) as usize,
        };
        Ok(PageRequest {
            max_id: cursor("max_id", &self.max_id)?,
            since_id: cursor("since_id", &self.since_id)?,
            min_id: cursor("min_id", &self.min_id)?,
            limit: Some(limit),
        })
    }
}

/// Renders a page as a JSON array with Mastodon's `Link` header
/// (absolute URLs with `max_id` / `min_id`).
pub fn paged<T: serde::Serialize>(
    base: &str,
    uri: &Uri,
    items: Vec<T>,
    next: Option<Id>,
    prev: Option<Id>,
) -> Response {
    let mut links = Vec::new();
    let with = |name: &str, id: Id| {
        let kept: Vec<String> = uri
            .query()
            .map(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .filter(|(k, _)| !matches!(k.as_ref(), "max_id" | "min_id" | "since_id"))
                    .map(|(k, v)| format!("{}={}", urlencode(&k), urlencode(&v)))
                    .collect()
            })
            .unwrap_or_default();
        let mut q = kept.join("&");
        if !q.is_empty() {
            q.push('&');
        }
        format!("<{base}{}?{q}{name}={id}>", uri.path())
    };
    if !items.is_empty() {
        if let Some(n) = next {
            links.push(format!("{}; rel=\"next\"", with("max_id", n)));
        }
        if let Some(p) = prev {
            links.push(format!("{}; rel=\"prev\"", with("min_id", p)));
        }
    }
    let mut response = axum::Json(items).into_response();
    if !links.is_empty() {
        if let Ok(v) = HeaderValue::from_str(&links.join(", ")) {
            response.headers_mut().insert(header::LINK, v);
        }
    }
    response
}

/// Percent-encodes a query component.
pub fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Renders a page of node items as entities (`render` turns one item
/// into its entity), with Mastodon's `Link` header.
pub fn render_page<T, E: serde::Serialize>(
    state: &AppState,
    uri: &Uri,
    page: Page<T>,
    mut render: impl FnMut(&mut entities::Renderer<'_>, &T) -> node::NodeResult<E>,
) -> Result<Response, ApiError> {
    let mut r = entities::Renderer::new(&state.node);
    let items = page
        .items
        .iter()
        .map(|item| render(&mut r, item))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(paged(
        r.base(),
        uri,
        items,
        page.next_max_id,
        page.prev_min_id,
    ))
}

/// Renders a page of members as accounts.
pub fn account_page(
    state: &AppState,
    uri: &Uri,
    page: Page<node::model::MemberSummary>,
) -> Result<Response, ApiError> {
    render_page(state, uri, page, |r, m| r.account_by_id(m.id))
}

/// Renders a page of posts as statuses.
pub fn status_page(
    state: &AppState,
    uri: &Uri,
    page: Page<node::model::PostView>,
) -> Result<Response, ApiError> {
    render_page(state, uri, page, |r, p| r.status(p))
}
