//! The `GET` handlers that answer a page of one of the node's lists,
//! declared as a table: each entry names the handler, the node method
//! that reads the list, the scope it needs, the page size unless asked
//! otherwise, and how a page is rendered ([`account_page`](super::account_page)
//! or [`status_page`](super::status_page)).

/// Generates list handlers, each entry its doc (the route) and one of:
/// - `name: method("scope", limit) => render;`: a list of the signed-in
///   member's own, `node.method(member, &page)`;
/// - `name: method(status, "scope", limit) => render;`: a list about the
///   status `{id}` of the path, `node.method(&viewer, id, &page)`;
/// - `name: method(account, "scope", limit) => render;`: a list about the
///   account `{id}` of the path, `node.method(&viewer, &username, &page)`.
macro_rules! list_handlers {
    (@subject status, $s:ident, $id:ident) => {
        $id
    };
    (@subject account, $s:ident, $id:ident) => {
        &$s.node.username_by_id($id)?
    };
    ($($(#[$doc:meta])* $name:ident: $method:ident($scope:literal, $limit:literal) => $render:ident;)*) => {
        $(
            $(#[$doc])*
            async fn $name(
                axum::extract::State(s): axum::extract::State<$crate::state::AppState>,
                t: $crate::mastodon::Token,
                axum::extract::Query(p): axum::extract::Query<$crate::mastodon::PageParams>,
                axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
            ) -> $crate::error::ApiResult<axum::response::Response> {
                let v = t.require($scope)?;
                let page = s.node.$method(v, &p.request($limit)?)?;
                $crate::mastodon::$render(&s, &uri, page)
            }
        )*
    };
    ($($(#[$doc:meta])* $name:ident: $method:ident($of:ident, $scope:literal, $limit:literal) => $render:ident;)*) => {
        $(
            $(#[$doc])*
            async fn $name(
                axum::extract::State(s): axum::extract::State<$crate::state::AppState>,
                t: $crate::mastodon::MaybeToken,
                axum::extract::Path(raw): axum::extract::Path<String>,
                axum::extract::Query(p): axum::extract::Query<$crate::mastodon::PageParams>,
                axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
            ) -> $crate::error::ApiResult<axum::response::Response> {
                let v = t.viewer($scope)?;
                let id = $crate::mastodon::record_id(&raw)?;
                let page = s.node.$method(&v, list_handlers!(@subject $of, s, id), &p.request($limit)?)?;
                $crate::mastodon::$render(&s, &uri, page)
            }
        )*
    };
}
pub(crate) use list_handlers;
