//! Signing: a local actor with its key (which `activitypub_federation`
//! signs fetches with), and the signature of a delivery ([`sign_post`]).

use activitypub_federation::config::Data;
use activitypub_federation::traits::{Actor, Object};
use async_trait::async_trait;
use url::Url;

use crate::error::FederationError;

/// A local actor that signs: its id, inbox and PEM keys.
#[derive(Debug, Clone)]
pub struct SigningActor {
    /// The actor id (its key id is `{id}#main-key`).
    pub id: Url,
    /// Its inbox.
    pub inbox: Url,
    /// RSA public key, PEM.
    pub public_key_pem: String,
    /// RSA private key, PKCS#8 PEM.
    pub private_key_pem: String,
}

#[async_trait]
impl Object for SigningActor {
    type DataType = ();
    type Kind = serde_json::Value;
    type Error = FederationError;

    fn id(&self) -> &Url {
        &self.id
    }

    async fn read_from_id(_: Url, _: &Data<()>) -> Result<Option<Self>, Self::Error> {
        // Only used to sign; never dereferenced through the library.
        Ok(None)
    }

    async fn into_json(self, _: &Data<()>) -> Result<Self::Kind, Self::Error> {
        Err(FederationError::Internal(
            "local actors are rendered by discovery::person".into(),
        ))
    }

    async fn verify(_: &Self::Kind, _: &Url, _: &Data<()>) -> Result<(), Self::Error> {
        Err(FederationError::Internal("not a received object".into()))
    }

    async fn from_json(_: Self::Kind, _: &Data<()>) -> Result<Self, Self::Error> {
        Err(FederationError::Internal("not a received object".into()))
    }
}

impl Actor for SigningActor {
    fn public_key_pem(&self) -> &str {
        &self.public_key_pem
    }

    fn private_key_pem(&self) -> Option<String> {
        Some(self.private_key_pem.clone())
    }

    fn inbox(&self) -> Url {
        self.inbox.clone()
    }
}

/// The headers of a signed POST (besides its content type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedPost {
    /// `Host`: the URL's host as a request names it (an IP literal too,
    /// IPv6 in brackets), with its port unless the scheme's default.
    pub host: String,
    /// `Date`, an IMF-fixdate.
    pub date: String,
    /// `Digest`: `SHA-256=` and the base64 of the body's hash.
    pub digest: String,
    /// `Signature`: draft-cavage, rsa-sha256 over
    /// `(request-target) host date digest`, as Mastodon signs.
    pub signature: String,
}

/// Signs a POST of `body` to `url` with `key` (whose id is `key_id`), at
/// `now`.
///
/// Deliveries are signed here rather than by `activitypub_federation`'s
/// `SendActivityTask` because that task builds its `Host` header from
/// `Url::domain()` (`generate_request_headers`, `expect("read inbox
/// domain")`), which is `None` for an IP-literal host: it could not send
/// to `http://127.0.0.1:8080/inbox` at all, though WebFinger, actor
/// documents, fetches (whose signing takes `Url::host()`) and our
/// verification all work with such hosts, and an IP address is a valid
/// host for an `acct:` URI (RFC 7565) and a URL (RFC 3986). Refusing
/// IP-literal domains instead would have broken the default domain a
/// plain start derives from its listen address. The library's task also
/// counts every 4xx answer as delivered; see `delivery.rs`.
pub fn sign_post(
    url: &Url,
    body: &[u8],
    key_id: &str,
    key: &identity::RsaKeypair,
    now: time::OffsetDateTime,
) -> Result<SignedPost, FederationError> {
    let host = match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_string(),
        (None, _) => return Err(FederationError::BadUrl(url.to_string())),
    };
    let target = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    };
    let date = now
        .to_offset(time::UtcOffset::UTC)
        .format(time::macros::format_description!(
            "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
        ))
        .map_err(|e| FederationError::Internal(format!("formatting a date: {e}")))?;
    let digest = protocol::http_signature::digest_header(body);
    let signing =
        format!("(request-target): post {target}\nhost: {host}\ndate: {date}\ndigest: {digest}");
    let signature = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        key.sign_sha256(signing.as_bytes()),
    );
    Ok(SignedPost {
        signature: format!(
            "keyId=\"{key_id}\",algorithm=\"rsa-sha256\",headers=\"(request-target) host date digest\",signature=\"{signature}\""
        ),
        host,
        date,
        digest,
    })
}

#[cfg(test)]
mod tests {
    use protocol::http_signature::{self, Policy, SignedRequest};

    use super::*;

    /// What we sign, our own verifier (the one every inbox runs) accepts,
    /// for a domain, an IPv4 and an IPv6 host with ports.
    #[test]
    fn a_signed_post_verifies_whatever_the_host() {
        let key = identity::RsaKeypair::generate().expect("key");
        let public = identity::RsaVerifyingKey::from_public_pem(&key.public_pem().expect("pem"))
            .expect("public");
        let now = time::OffsetDateTime::now_utc();
        for (inbox, host) in [
            ("https://example.org/inbox", "example.org"),
            ("http://127.0.0.1:8080/users/a/inbox?x=1", "127.0.0.1:8080"),
            ("http://[::1]:8443/inbox", "[::1]:8443"),
        ] {
            let url = Url::parse(inbox).expect("url");
            let body = br#"{"type":"Follow"}"#;
            let signed =
                sign_post(&url, body, "https://k.test/actor#main-key", &key, now).expect("signed");
            assert_eq!(signed.host, host);
            let headers = vec![
                ("host".to_string(), signed.host.clone()),
                ("date".to_string(), signed.date.clone()),
                ("digest".to_string(), signed.digest.clone()),
                ("signature".to_string(), signed.signature.clone()),
            ];
            let path = match url.query() {
                Some(q) => format!("{}?{q}", url.path()),
                None => url.path().to_string(),
            };
            let request = SignedRequest {
                method: "POST",
                scheme: url.scheme(),
                authority: &signed.host,
                path_and_query: &path,
                headers: &headers,
                body: Some(body),
            };
            let parsed = http_signature::parse(&request).expect("parses");
            http_signature::check_request(
                &request,
                &parsed,
                now.unix_timestamp(),
                &Policy::default(),
            )
            .expect("date and digest");
            http_signature::verify(&parsed, &public).expect("verifies");
        }
    }
}
