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
    Ok(parsed)
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
    let builder = client.get(parsed.as_str()).header("accept", ACCEPT);
    let request = data
        .sign_request(builder, bytes::Bytes::new())
        .await
        .map_err(|e| FederationError::Internal(format!("signing a fetch: {e}")))?;
    let response = client
        .execute(request)
        .await
        .map_err(|e| FederationError::Fetch(url.to_string(), e.to_string()))?;
    let status = response.status();
    if status == reqwest::StatusCode::GONE {
        return Err(FederationError::Gone(url.to_string()));
    }
    if !status.is_success() {
        return Err(FederationError::Fetch(
            url.to_string(),
            format!("HTTP {status}"),
        ));
    }
    if response
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
            return Err(FederationError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&body).map_err(|e| FederationError::Malformed(format!("{url}: {e}")))
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
