//! Rendering a [`node::Page`] as JSON plus a `Link` header (next/prev URLs).

use axum::http::{header, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use node::Page;
use serde::Serialize;

/// Renders a page with `Link: <...max_id=..>; rel="next", <...min_id=..>; rel="prev"`.
pub fn page_response<T: Serialize>(uri: &Uri, page: Page<T>) -> Response {
    let next = page.next_max_id.map(|id| ("max_id", id.to_string()));
    let prev = page.prev_min_id.map(|id| ("min_id", id.to_string()));
    linked_response(uri, &page, next, prev)
}

/// Renders `body` as JSON with a `Link` header to the next page (`next`:
/// the cursor parameter and its value) and the previous one (`prev`).
pub fn linked_response<T: Serialize>(
    uri: &Uri,
    body: &T,
    next: Option<(&str, String)>,
    prev: Option<(&str, String)>,
) -> Response {
    let mut links = Vec::new();
    if let Some((name, value)) = next {
        links.push(format!(
            "<{}>; rel=\"next\"",
            with_cursor(uri, name, &value)
        ));
    }
    if let Some((name, value)) = prev {
        links.push(format!(
            "<{}>; rel=\"prev\"",
            with_cursor(uri, name, &value)
        ));
    }
    let mut response = axum::Json(body).into_response();
    if let Ok(value) = HeaderValue::from_str(&links.join(", ")) {
        if !links.is_empty() {
            response.headers_mut().insert(header::LINK, value);
        }
    }
    response
}

/// The request's path and query with the cursors replaced by one.
fn with_cursor(uri: &Uri, name: &str, value: &str) -> String {
    let kept: Vec<&str> = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|kv| !kv.is_empty())
        .filter(|kv| {
            let key = kv.split('=').next().unwrap_or("");
            !matches!(key, "max_id" | "min_id" | "since_id" | "cursor")
        })
        .collect();
    let mut query = kept.join("&");
    if !query.is_empty() {
        query.push('&');
    }
    format!("{}?{query}{name}={value}", uri.path())
}

/// Generates `GET` handlers answering a page of one of the node's lists
/// with [`page_response`]. Each is written `name: Viewer => method()`
/// (calling `node.method(&viewer, &page_request)`) or
/// `name: Viewer => method(segment)` (calling `node.method(&viewer,
/// &segment, &page_request)` with the route's one path segment), its doc
/// (the route) first. `Viewer` is the extractor of who asks
/// ([`Auth`](crate::extract::Auth) or [`MaybeAuth`](crate::extract::MaybeAuth)).
macro_rules! page_handlers {
    ($($(#[$doc:meta])* $name:ident: $viewer:ident => $method:ident($($segment:ident)?);)*) => {
        $(
            $(#[$doc])*
            async fn $name(
                axum::extract::State(s): axum::extract::State<$crate::state::AppState>,
                $crate::extract::$viewer(v): $crate::extract::$viewer,
                $(axum::extract::Path($segment): axum::extract::Path<String>,)?
                axum::extract::Query(q): axum::extract::Query<$crate::extract::PageQuery>,
                axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
            ) -> $crate::error::ApiResult<axum::response::Response> {
                let page = s.node.$method(&v, $(&$segment,)? &q.to_request()?)?;
                Ok($crate::pages::page_response(&uri, page))
            }
        )*
    };
}
pub(crate) use page_handlers;
