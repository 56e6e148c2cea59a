//! How cards and profiles show times and things of other servers.

use protocol::urls::HttpUrl;

/// `ms` (Unix milliseconds) as people read it: "7 Dec 2026, 11:22 UTC".
/// The `<time>` element keeps the RFC 3339 form in its `datetime`.
pub(crate) fn readable_time(ms: i64) -> String {
    let format = time::macros::format_description!(
        "[day padding:none] [month repr:short] [year], [hour]:[minute] UTC"
    );
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

/// A link to something's page on its own server, with that server's name
/// shown next to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Origin {
    /// The page (an http(s) URL).
    pub(crate) url: String,
    /// Its server: host, and port when there is one.
    pub(crate) domain: String,
}

impl Origin {
    /// The origin of `url`, if it is an http(s) URL (anything else another
    /// server sent is not linked).
    pub(crate) fn of(url: &str) -> Option<Origin> {
        let parsed = HttpUrl::parse(url).ok()?;
        Some(Origin {
            url: parsed.as_str().to_string(),
            domain: parsed.authority(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_day_month_year_and_utc_clock() {
        // 2026-12-07T11:22:33.456Z
        assert_eq!(readable_time(1_796_642_553_456), "7 Dec 2026, 11:22 UTC");
        assert_eq!(readable_time(0), "1 Jan 1970, 00:00 UTC");
    }

    #[test]
    fn origins_are_http_urls_with_their_authority() {
        let o = Origin::of("https://social.example:8443/@bob").expect("origin");
        assert_eq!(o.domain, "social.example:8443");
        assert_eq!(o.url, "https://social.example:8443/@bob");
        assert_eq!(Origin::of("javascript:alert(1)"), None);
        assert_eq!(Origin::of(""), None);
    }
}
