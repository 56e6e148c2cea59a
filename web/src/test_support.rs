//! Helpers shared by the web crate's unit tests: requests through the
//! router as a browser sends them, and what the tests read of the answers.

use std::time::Duration;

use axum::body::{to_bytes, Body, BodyDataStream};
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::response::Response;
use axum::Router;
use futures_util::StreamExt;
use tower::ServiceExt;

#[path = "../../protocol/tests/support/mod.rs"]
mod shared;
pub(crate) use shared::proptest_config;

/// A response as the tests read it.
pub(crate) struct Reply {
    /// Its status.
    pub(crate) status: StatusCode,
    /// Its headers.
    pub(crate) headers: HeaderMap,
    /// Its body, as text.
    pub(crate) body: String,
}

impl Reply {
    /// Reads all of `res`.
    pub(crate) async fn of(res: Response) -> Reply {
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = to_bytes(res.into_body(), 1 << 24).await.expect("body");
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// The value a `Set-Cookie` of this reply gives `name`.
    pub(crate) fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    }

    /// The first `csrf` field of the page.
    pub(crate) fn csrf(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self.body.find(marker).expect("a csrf field") + marker.len();
        let rest = &self.body[start..];
        rest[..rest.find('"').expect("end of the value")].to_string()
    }

    /// Its `Location` ("" without one).
    pub(crate) fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Asserts that it sends the browser to the members' sign-in page.
    #[track_caller]
    pub(crate) fn assert_to_sign_in(&self) {
        assert_eq!(self.status, StatusCode::SEE_OTHER, "{}", self.body);
        assert_eq!(self.location(), "/login");
    }
}

/// Sends `form` (URL-encoded) to `uri` with `method` and, if given, the
/// `cookie` header.
pub(crate) async fn send(
    app: &Router,
    method: &str,
    uri: &str,
    cookie: Option<&str>,
    form: &str,
) -> Reply {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let res = app
        .clone()
        .oneshot(req.body(Body::from(form.to_string())).expect("request"))
        .await
        .expect("response");
    Reply::of(res).await
}

/// A multipart body of `parts` (name, file name if a file, bytes) in
/// order, and its content type.
pub(crate) fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "XkodeonBoundary";
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        let disposition = match file {
            Some(f) => format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream"
            ),
            None => format!("Content-Disposition: form-data; name=\"{name}\""),
        };
        body.extend_from_slice(format!("--{boundary}\r\n{disposition}\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// POSTs a multipart body (its content type, its bytes) to `uri` with the
/// session `cookie`.
pub(crate) async fn send_multipart(
    app: &Router,
    uri: &str,
    cookie: &str,
    (content_type, body): (String, Vec<u8>),
) -> Reply {
    let req = Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::COOKIE, cookie)
        .body(Body::from(body))
        .expect("request");
    Reply::of(app.clone().oneshot(req).await.expect("response")).await
}

/// What a stream sends until `seen` is in it (or 5 s pass).
pub(crate) async fn read_until(body: &mut BodyDataStream, seen: &str) -> String {
    let mut text = String::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(Ok(chunk)) = body.next().await {
            text.push_str(&String::from_utf8_lossy(&chunk));
            if text.contains(seen) {
                return;
            }
        }
    })
    .await;
    assert!(text.contains(seen), "{seen:?} never came; got {text:?}");
    text
}
