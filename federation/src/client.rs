//! Outgoing HTTP: one client for fetches and deliveries, which refuses
//! private, loopback and link-local addresses unless configuration allows
//! them, follows no redirects on its own, limits response sizes, and signs
//! GETs with the instance actor (authorized fetch).

use std::net::IpAddr;
use std::time::Duration;

use activitypub_federation::config::Data;
use activitypub_federation::resolver::ValidatingDnsResolver;
use futures::StreamExt;
use serde_json::Value;
use url::{Host, Url};

use crate::error::FederationError;

/// Largest JSON document accepted from another server.
pub const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;

/// The Accept header for ActivityPub documents.
const ACCEPT: &str =
    "application/activity+json, application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";

/// The Accept header for a URL a member pasted: an ActivityPub document
/// first, a web page (which may name one) last, as Mastodon asks.
const ACCEPT_OR_PAGE: &str = "application/activity+json, application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\", text/html;q=0.1";

/// The content type of a delivered activity.
pub const ACTIVITY_CONTENT_TYPE: &str = "application/activity+json";

/// The first `limit` bytes of a response body, as printable text on one
/// line (for logs and the admin panel: what a server said when it
/// refused something).
pub async fn read_prefix(response: reqwest::Response, limit: usize) -> String {
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(Ok(chunk)) = stream.next().await {
        body.extend_from_slice(&chunk);
        if body.len() >= limit {
            break;
        }
    }
    body.truncate(limit);
    String::from_utf8_lossy(&body)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

/// Builds the shared reqwest client: timeouts, no redirects, and a DNS
/// resolver that refuses private addresses (unless `allow_private`).
pub fn build_client(allow_private: bool) -> Result<reqwest::Client, FederationError> {
    let timeout = Duration::from_secs(10);
    reqwest::Client::builder()
        .user_agent(format!(
            "{}/{} (ActivityPub)",
            protocol::SOFTWARE_NAME,
            protocol::SOFTWARE_VERSION
        ))
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .connect_timeout(timeout)
        .pool_max_idle_per_host(4)
        .dns_resolver(ValidatingDnsResolver::new(Vec::new(), !allow_private))
        .build()
        .map_err(|e| FederationError::Internal(format!("http client: {e}")))
}

/// Checks a URL before any request: http(s) only (plain http only when
/// private addresses are allowed, i.e. development), and no literal
/// private, loopback or link-local IP unless allowed. Host names are
/// checked again when they resolve (the DNS resolver above).
pub fn check_url(url: &str, allow_private: bool) -> Result<Url, FederationError> {
    let parsed = Url::parse(url).map_err(|_| FederationError::BadUrl(url.to_string()))?;
    check_target(&parsed, allow_private)?;
    Ok(parsed)
}

/// [`check_url`] for a URL parsed already: the scheme and a literal IP
/// host are read from the parsed form, the one a request goes to.
pub fn check_target(parsed: &Url, allow_private: bool) -> Result<(), FederationError> {
    let url = parsed.as_str();
    match parsed.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err(FederationError::BadUrl(url.to_string())),
    }
    let ip = match parsed.host() {
        Some(Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        Some(Host::Domain(d)) if !d.is_empty() => None,
        _ => return Err(FederationError::BadUrl(url.to_string())),
    };
    if let Some(ip) = ip {
        if !allow_private && is_private(ip) {
            return Err(FederationError::PrivateAddress(url.to_string()));
        }
    }
    Ok(())
}

/// Loopback, private, link-local, unique-local, unspecified, documentation
/// and other non-global addresses.
pub fn is_private(ip: IpAddr) -> bool {
    match ip.to_canonical() {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (o[1] & 0xc0) == 64) // 100.64/10 shared
                || (o[0] == 198 && (o[1] & 0xfe) == 18) // benchmarking
                || o[0] >= 240
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link local
                || s[0] == 0x2001 && s[1] == 0xdb8 // documentation
        }
    }
}

/// Fetches an ActivityPub document, signed by the instance actor.
pub async fn fetch_json(
    data: &Data<()>,
    client: &reqwest_middleware::ClientWithMiddleware,
    url: &str,
    allow_private: bool,
) -> Result<Value, FederationError> {
    let parsed = check_url(url, allow_private)?;
    let response = signed_get(data, client, &parsed, ACCEPT).await?;
    let status = response.status();
    check_success(status, url)?;
    let body = read_body(response, url, Overflow::Refuse).await?;
    serde_json::from_slice(&body).map_err(|e| FederationError::Malformed(format!("{url}: {e}")))
}

/// GETs a JSON document that is not ActivityPub (a credential's status
/// list, say), unsigned, asking for `accept`; at most
/// [`MAX_DOCUMENT_BYTES`], no redirect followed.
pub async fn fetch_plain_json(
    client: &reqwest_middleware::ClientWithMiddleware,
    url: &str,
    allow_private: bool,
    accept: &str,
) -> Result<Value, FederationError> {
    let parsed = check_url(url, allow_private)?;
    let response = client
        .get(parsed.as_str())
        .header("accept", accept)
        .send()
        .await
        .map_err(|e| FederationError::Fetch(url.to_string(), e.to_string()))?;
    check_success(response.status(), url)?;
    let body = read_body(response, url, Overflow::Refuse).await?;
    serde_json::from_slice(&body).map_err(|e| FederationError::Malformed(format!("{url}: {e}")))
}

/// An answer other than a success is the fetch's error: `Gone` for a 410
/// (the document was deleted), else `Fetch` with the status.
fn check_success(status: reqwest::StatusCode, url: &str) -> Result<(), FederationError> {
    if status == reqwest::StatusCode::GONE {
        return Err(FederationError::Gone(url.to_string()));
    }
    if !status.is_success() {
        return Err(FederationError::Fetch(
            url.to_string(),
            format!("HTTP {status}"),
        ));
    }
    Ok(())
}

/// What one GET of a URL a member pasted answered. Nothing is followed
/// here: the caller checks a redirect's or a link's target as it checked
/// the URL, and decides how far to go.
#[derive(Debug)]
pub enum Fetched {
    /// An ActivityPub document (served as `application/activity+json` or
    /// `application/ld+json`).
    Document(Value),
    /// A redirect (301, 302, 303, 307, 308) to this `Location`, as
    /// written (it may be relative).
    Redirect(String),
    /// Anything else that succeeded (a web page): the `href` of the
    /// ActivityStreams `rel="alternate"` link its `Link` header or its
    /// HTML names, as written, if it names one.
    Page(Option<String>),
}

/// GETs `url` (checked already) as Mastodon's `FetchResourceService`
/// does, signed by the instance actor, and says what it answered; bodies
/// are read up to [`MAX_DOCUMENT_BYTES`] (a larger document is refused,
/// a larger page is read that far).
pub async fn fetch_resource(
    data: &Data<()>,
    client: &reqwest_middleware::ClientWithMiddleware,
    url: &Url,
    allow_private: bool,
) -> Result<Fetched, FederationError> {
    check_target(url, allow_private)?;
    let response = signed_get(data, client, url, ACCEPT_OR_PAGE).await?;
    let status = response.status();
    if status.is_redirection() {
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .map(str::to_string)
            .ok_or_else(|| {
                FederationError::Fetch(url.to_string(), format!("HTTP {status} without a Location"))
            })?;
        return Ok(Fetched::Redirect(location));
    }
    check_success(status, url.as_str())?;
    let header = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let content_type = header(reqwest::header::CONTENT_TYPE);
    if crate::links::is_activity_type(&content_type) {
        let body = read_body(response, url.as_str(), Overflow::Refuse).await?;
        return serde_json::from_slice(&body)
            .map(Fetched::Document)
            .map_err(|e| FederationError::Malformed(format!("{url}: {e}")));
    }
    if let Some(href) = crate::links::alternate_in_link_header(&header(reqwest::header::LINK)) {
        return Ok(Fetched::Page(Some(href)));
    }
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    if !essence.eq_ignore_ascii_case("text/html") {
        return Ok(Fetched::Page(None));
    }
    let body = read_body(response, url.as_str(), Overflow::Truncate).await?;
    Ok(Fetched::Page(crate::links::alternate_in_html(
        &String::from_utf8_lossy(&body),
    )))
}

/// A GET of `url` with `accept`, signed by the instance actor.
async fn signed_get(
    data: &Data<()>,
    client: &reqwest_middleware::ClientWithMiddleware,
    url: &Url,
    accept: &str,
) -> Result<reqwest::Response, FederationError> {
    let builder = client.get(url.as_str()).header("accept", accept);
    let request = data
        .sign_request(builder, bytes::Bytes::new())
        .await
        .map_err(|e| FederationError::Internal(format!("signing a fetch: {e}")))?;
    client
        .execute(request)
        .await
        .map_err(|e| FederationError::Fetch(url.to_string(), e.to_string()))
}

/// What to do with a body longer than [`MAX_DOCUMENT_BYTES`].
#[derive(Clone, Copy, PartialEq)]
enum Overflow {
    /// Refuse it ([`FederationError::TooLarge`]): a document cut short is
    /// not the document.
    Refuse,
    /// Keep its first [`MAX_DOCUMENT_BYTES`] (a page's links are in its head).
    Truncate,
}

/// A response body, at most [`MAX_DOCUMENT_BYTES`] of it.
async fn read_body(
    response: reqwest::Response,
    url: &str,
    overflow: Overflow,
) -> Result<Vec<u8>, FederationError> {
    if overflow == Overflow::Refuse
        && response
            .content_length()
            .is_some_and(|len| len as usize > MAX_DOCUMENT_BYTES)
    {
        return Err(FederationError::TooLarge);
    }
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| FederationError::Fetch(url.to_string(), e.to_string()))?;
        if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
            if overflow == Overflow::Refuse {
                return Err(FederationError::TooLarge);
            }
            let room = MAX_DOCUMENT_BYTES - body.len();
            body.extend_from_slice(chunk.get(..room).unwrap_or_default());
            break;
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses_are_refused_unless_allowed() {
        for url in [
            "http://127.0.0.1/x",
            "https://10.1.2.3/x",
            "https://192.168.0.1/",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/",
            "https://[fd00::1]/",
            "https://[::ffff:127.0.0.1]/",
            "https://0.0.0.0/",
        ] {
            assert!(check_url(url, false).is_err(), "{url} must be refused");
        }
        assert!(check_url("https://127.0.0.1/x", true).is_ok());
        assert!(check_url("https://example.org/x", false).is_ok());
        assert!(check_url("https://93.184.215.14/x", false).is_ok());
    }

    #[test]
    fn plain_http_and_other_schemes_are_refused_in_production() {
        assert!(check_url("http://example.org/x", false).is_err());
        assert!(check_url("http://example.org/x", true).is_ok());
        assert!(check_url("file:///etc/passwd", true).is_err());
        assert!(check_url("gopher://example.org/", true).is_err());
    }
}
