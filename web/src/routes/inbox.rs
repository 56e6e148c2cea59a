//! ActivityPub inboxes (personal and shared) and the instance actor.
//! Handlers hand the raw request to `federation`, which verifies and
//! applies it, and map its verdict to a status.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use federation::{FederationError, InboxRequest};
use serde_json::json;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Largest activity accepted (Mastodon allows 1 MiB as well).
pub const MAX_ACTIVITY_BYTES: usize = 1024 * 1024;

/// Inbox and instance-actor routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/users/{username}/inbox", post(shared_inbox))
        .route("/inbox", post(shared_inbox))
        .route("/actor/inbox", post(shared_inbox))
        .route("/actor", get(instance_actor))
        .layer(DefaultBodyLimit::max(MAX_ACTIVITY_BYTES))
}

/// Every inbox (personal, shared, the instance actor's) is handled alike:
/// the activity names its addressees.
async fn shared_inbox(
    State(s): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    receive(&s, method, uri, headers, body).await
}

/// Middleware for documents served to other servers: with authorized fetch
/// on, a request for ActivityPub JSON must carry a valid HTTP signature
/// (401 otherwise); browsers asking for HTML pass.
pub async fn signed_fetch(
    State(s): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let Some(federation) = &s.federation else {
        return next.run(request).await;
    };
    if !federation.settings().authorized_fetch
        || !super::discovery::wants_activity_json(request.headers())
    {
        return next.run(request).await;
    }
    let signed = inbox_request(
        &s,
        request.method().clone(),
        request.uri().clone(),
        request.headers().clone(),
        Bytes::new(),
    );
    match federation.authorize_fetch(&signed).await {
        Ok(()) => next.run(request).await,
        Err(e) if e.is_ours() => refusal(&e),
        Err(e) => {
            tracing::info!(error = %e, "unsigned or badly signed fetch refused");
            (
                StatusCode::UNAUTHORIZED,
                axum::Json(json!({"error": format!("this server requires signed fetches: {e}")})),
            )
                .into_response()
        }
    }
}

/// The request as the federation layer reads it.
fn inbox_request(
    s: &AppState,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> InboxRequest {
    InboxRequest {
        method: method.to_string(),
        scheme: if s.node.config().dev { "http" } else { "https" }.to_string(),
        authority: headers
            .get("host")
            .and_then(|h| h.to_str().ok())
            .unwrap_or(&s.node.config().domain)
            .to_string(),
        path_and_query: uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| uri.path().to_string()),
        headers: headers
            .iter()
            .filter_map(|(k, v)| {
                Some((
                    k.as_str().to_ascii_lowercase(),
                    v.to_str().ok()?.to_string(),
                ))
            })
            .collect(),
        body,
    }
}

async fn receive(
    s: &AppState,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(federation) = &s.federation else {
        return ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "federation is off").into_response();
    };
    let request = inbox_request(s, method, uri, headers, body);
    match federation.receive(request).await {
        Ok(_) => StatusCode::ACCEPTED.into_response(),
        Err(e) => refusal(&e),
    }
}

/// The answer to an activity that was not applied. A 4xx is the sender's
/// problem and its body names the reason; a 5xx is this node's own
/// failure, and its body says only "internal error": the detail (paths,
/// storage errors) goes to the log, never to another server.
fn refusal(e: &FederationError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if status.is_server_error() {
        tracing::warn!(error = %e, status = status.as_u16(), "inbox: activity failed");
        return (status, axum::Json(json!({"error": "internal error"}))).into_response();
    }
    tracing::info!(error = %e, status = status.as_u16(), "inbox: activity refused");
    (status, axum::Json(json!({"error": e.to_string()}))).into_response()
}

/// GET /actor — the node's own actor: its RSA key signs fetches, and its
/// ed25519 key (`assertionMethod`, the node's did:key) is the issuer of
/// the certificates the node signs, so other servers can tell that a
/// certificate offered by one of its accounts is its own.
async fn instance_actor(State(s): State<AppState>) -> ApiResult<Response> {
    let urls = s.node.urls();
    let id = urls.node_actor();
    Ok(super::discovery::activity_json(json!({
        "@context": [
            "https://www.w3.org/ns/activitystreams",
            "https://w3id.org/security/v1",
            "https://www.w3.org/ns/did/v1",
            "https://w3id.org/security/multikey/v1",
        ],
        "assertionMethod": [{
            "id": format!("{id}#ed25519-key"),
            "type": "Multikey",
            "controller": id,
            "publicKeyMultibase": s.node.node_keys().ed25519_public.to_multikey(),
        }],
        "id": id,
        "type": "Application",
        "preferredUsername": s.node.config().domain,
        "name": "Kodeon",
        "inbox": urls.node_actor_inbox(),
        "outbox": urls.node_actor_outbox(),
        "url": urls.home_page(),
        "manuallyApprovesFollowers": true,
        "endpoints": {"sharedInbox": urls.shared_inbox()},
        "publicKey": {
            "id": urls.node_key_id(),
            "owner": id,
            "publicKeyPem": s.node.node_keys().rsa_public_pem,
        },
    })))
}

#[cfg(test)]
mod tests {
    use axum::body::to_bytes;

    use super::*;

    async fn answer(e: FederationError) -> (StatusCode, serde_json::Value) {
        let response = refusal(&e);
        let status = response.status();
        let body = to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap_or_default();
        (status, serde_json::from_slice(&body).unwrap_or_default())
    }

    #[tokio::test]
    async fn a_5xx_tells_other_servers_nothing_of_the_node_s_insides() {
        for e in [
            FederationError::Internal("no local signer at /var/lib/kodeon/store".into()),
            FederationError::Node(node::NodeError::Internal("sled: /var/lib/kodeon".into())),
        ] {
            let (status, body) = answer(e).await;
            assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
            assert_eq!(body, json!({"error": "internal error"}));
        }
    }

    #[tokio::test]
    async fn a_4xx_names_its_reason() {
        let (status, body) =
            answer(FederationError::Forbidden("x.example is blocked".into())).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(body, json!({"error": "forbidden: x.example is blocked"}));
        let (status, body) = answer(FederationError::Signature("bad signature".into())).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(body["error"]
            .as_str()
            .is_some_and(|e| e.contains("bad signature")));
    }
}
