//! URLs from other servers, parsed once with the WHATWG parser (the one
//! every HTTP client here uses) so that the host a check reads is the host
//! a request goes to.
//!
//! A hand-written splitter once read `http://evil:80\@victim.example/x` as
//! being on `victim.example`, while the fetching client (WHATWG: `\` is a
//! path separator in http URLs) asked `evil`. Here every host comes from
//! [`HttpUrl`], and ids that carry credentials or that the parser would
//! rewrite are refused outright: an id must mean one thing to everyone.

use std::fmt;

use url::{Host, Url};

/// Why a string is not an acceptable http(s) URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// Not a URL at all.
    #[error("is not a URL")]
    Unparsable,
    /// Another scheme than http or https.
    #[error("is not an http(s) URL")]
    Scheme,
    /// No host (or an empty one).
    #[error("has no host")]
    NoHost,
    /// `user:password@` before the host.
    #[error("carries credentials")]
    Credentials,
    /// The parser would write it differently (so two programs may read it
    /// differently).
    #[error("is not in canonical form")]
    NotCanonical,
}

/// An absolute http or https URL with a host and no credentials.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct HttpUrl(Url);

impl HttpUrl {
    /// Parses `s` (the WHATWG way: `\` is `/`, the host is lower-cased and
    /// IDNA-encoded, a default port is dropped).
    pub fn parse(s: &str) -> Result<HttpUrl, UrlError> {
        HttpUrl::checked(Url::parse(s).map_err(|_| UrlError::Unparsable)?)
    }

    /// Resolves `reference` (a `Location` header, a link's `href`) against
    /// this URL, the way a browser does (`/x`, `//host/x` and `../x` are
    /// relative to it), and checks the result as [`HttpUrl::parse`] does.
    /// The result has no fragment: a fragment is never sent in a request.
    pub fn join(&self, reference: &str) -> Result<HttpUrl, UrlError> {
        let mut url = self.0.join(reference).map_err(|_| UrlError::Unparsable)?;
        url.set_fragment(None);
        HttpUrl::checked(url)
    }

    /// This URL without its fragment (what a request for it asks).
    pub fn without_fragment(&self) -> HttpUrl {
        let mut url = self.0.clone();
        url.set_fragment(None);
        HttpUrl(url)
    }

    fn checked(url: Url) -> Result<HttpUrl, UrlError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(UrlError::Scheme);
        }
        match url.host() {
            None => return Err(UrlError::NoHost),
            Some(Host::Domain("")) => return Err(UrlError::NoHost),
            Some(_) => {}
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(UrlError::Credentials);
        }
        Ok(HttpUrl(url))
    }

    /// Parses `s` and requires that it is already in the parser's
    /// canonical form: what identifiers (actor, key and object ids) must
    /// be, so that comparing them as strings is comparing them as URLs.
    pub fn parse_canonical(s: &str) -> Result<HttpUrl, UrlError> {
        let url = HttpUrl::parse(s)?;
        if url.0.as_str() != s {
            return Err(UrlError::NotCanonical);
        }
        Ok(url)
    }

    /// The authority requests go to: the host (lower-case, IDNA, IPv6 in
    /// brackets) and `:port` when the port is not the scheme's default.
    pub fn authority(&self) -> String {
        let host = self.host_str();
        match self.0.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        }
    }

    /// The host alone, as the parser wrote it.
    pub fn host_str(&self) -> &str {
        self.0.host_str().unwrap_or_default()
    }

    /// Whether the host is an IP address literal.
    pub fn is_ip_literal(&self) -> bool {
        matches!(self.0.host(), Some(Host::Ipv4(_) | Host::Ipv6(_)))
    }

    /// `https` or `http`.
    pub fn scheme(&self) -> &str {
        self.0.scheme()
    }

    /// The whole URL, serialised.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The parsed URL.
    pub fn as_url(&self) -> &Url {
        &self.0
    }

    /// Whether `other` is on the same authority (host and port).
    pub fn same_authority(&self, other: &HttpUrl) -> bool {
        self.0.host() == other.0.host() && self.0.port() == other.0.port()
    }
}

impl fmt::Display for HttpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

impl fmt::Debug for HttpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HttpUrl({})", self.0.as_str())
    }
}

/// The authority (`host[:port]`) of an http(s) URL, as a request to it
/// would reach; `None` when `url` is not an acceptable http(s) URL
/// (including one with credentials).
pub fn authority_of(url: &str) -> Option<String> {
    HttpUrl::parse(url).ok().map(|u| u.authority())
}

/// A domain as the URL parser would write it in a host (lower-case,
/// IDNA-encoded, a trailing dot dropped), keeping a `:port`. `None` when
/// it is not a host name or IP literal.
pub fn normalise_host(domain: &str) -> Option<String> {
    let domain = domain.trim();
    if domain.is_empty() || domain.contains(['/', '\\', '@', '?', '#', ' ']) {
        return None;
    }
    let url = HttpUrl::parse(&format!("https://{domain}/")).ok()?;
    let host = url.host_str().trim_end_matches('.');
    if host.is_empty() {
        return None;
    }
    Some(match url.as_url().port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backslash_is_a_path_separator_so_the_host_is_the_one_asked() {
        // The handle-hijack payload: the real host is `evil:8080`.
        assert_eq!(
            authority_of("http://evil:8080\\@victim.example/users/gargron").as_deref(),
            Some("evil:8080")
        );
        let url =
            HttpUrl::parse("http://evil:8080\\@victim.example/users/gargron").expect("parses");
        assert_eq!(
            url.as_str(),
            "http://evil:8080/@victim.example/users/gargron"
        );
        assert_eq!(
            HttpUrl::parse_canonical("http://evil:8080\\@victim.example/users/gargron"),
            Err(UrlError::NotCanonical)
        );
    }

    #[test]
    fn credentials_other_schemes_and_missing_hosts_are_refused() {
        assert_eq!(
            HttpUrl::parse("https://victim.example@evil.example/x"),
            Err(UrlError::Credentials)
        );
        assert_eq!(
            HttpUrl::parse("https://u:p@evil.example/"),
            Err(UrlError::Credentials)
        );
        assert_eq!(HttpUrl::parse("ftp://x/"), Err(UrlError::Scheme));
        assert_eq!(HttpUrl::parse("https://"), Err(UrlError::Unparsable));
        assert_eq!(HttpUrl::parse("users/x"), Err(UrlError::Unparsable));
        assert_eq!(authority_of("https://u@evil.example#x"), None);
    }

    #[test]
    fn authorities_are_normalised_as_requests_see_them() {
        assert_eq!(
            authority_of("https://Example.org/users/a").as_deref(),
            Some("example.org")
        );
        assert_eq!(
            authority_of("https://example.org:443/a").as_deref(),
            Some("example.org")
        );
        assert_eq!(
            authority_of("http://localhost:8080/x").as_deref(),
            Some("localhost:8080")
        );
        assert_eq!(
            authority_of("https://[::1]:8443/x").as_deref(),
            Some("[::1]:8443")
        );
        assert_eq!(
            authority_of("https://bücher.example/x").as_deref(),
            Some("xn--bcher-kva.example")
        );
        // Decimal and hex IPv4 forms are the same address to a client.
        assert_eq!(
            authority_of("http://2130706433/").as_deref(),
            Some("127.0.0.1")
        );
        assert_eq!(authority_of("http://0x7f.1/").as_deref(), Some("127.0.0.1"));
    }

    #[test]
    fn references_join_as_browsers_resolve_them_and_are_checked_again() {
        let base = HttpUrl::parse("https://a.example/people/x?y=1#top").expect("parses");
        let joined = |r: &str| base.join(r).map(|u| u.to_string());
        assert_eq!(
            joined("/users/x").as_deref(),
            Ok("https://a.example/users/x")
        );
        assert_eq!(
            joined("x#frag").as_deref(),
            Ok("https://a.example/people/x")
        );
        assert_eq!(
            joined("//b.example:8443/u").as_deref(),
            Ok("https://b.example:8443/u")
        );
        assert_eq!(
            joined("http://evil:8080\\@victim.example/u").as_deref(),
            Ok("http://evil:8080/@victim.example/u")
        );
        assert_eq!(joined("ftp://b.example/"), Err(UrlError::Scheme));
        assert_eq!(joined("file:///etc/passwd"), Err(UrlError::Scheme));
        assert_eq!(joined("https://u:p@b.example/"), Err(UrlError::Credentials));
        assert_eq!(joined("javascript:alert(1)"), Err(UrlError::Scheme));
        assert_eq!(
            base.without_fragment().as_str(),
            "https://a.example/people/x?y=1"
        );
    }

    #[test]
    fn domains_normalise_like_hosts() {
        assert_eq!(
            normalise_host("Bücher.Example.").as_deref(),
            Some("xn--bcher-kva.example")
        );
        assert_eq!(
            normalise_host("localhost:8080").as_deref(),
            Some("localhost:8080")
        );
        assert_eq!(normalise_host("evil\\@victim"), None);
        assert_eq!(normalise_host("a/b"), None);
        assert_eq!(normalise_host(""), None);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// Whatever the string, the authority a check reads is the one the
        /// HTTP client (reqwest, on the `url` crate) would connect to.
        #[test]
        fn the_checked_host_is_the_requested_host(
            s in proptest::string::string_regex(
                r"(https?|ftp)://([a-zA-Z0-9@:.\\/\[\]%-]{0,24})(/[a-z@\\]{0,8})?"
            ).expect("regex"),
        ) {
            let ours = authority_of(&s);
            match Url::parse(&s) {
                Ok(u) if matches!(u.scheme(), "http" | "https")
                    && u.username().is_empty() && u.password().is_none()
                    && u.host_str().is_some_and(|h| !h.is_empty()) =>
                {
                    let host = u.host_str().unwrap_or_default();
                    let expected = match u.port() {
                        Some(p) => format!("{host}:{p}"),
                        None => host.to_string(),
                    };
                    proptest::prop_assert_eq!(ours, Some(expected));
                }
                _ => proptest::prop_assert_eq!(ours, None),
            }
        }
    }
}
