//! The request description signatures are computed over.

use super::{malformed, SignatureError};

/// The parts of a received HTTP request that signatures cover.
#[derive(Clone, Copy, Debug)]
pub struct SignedRequest<'a> {
    /// The method as received, e.g. `POST`.
    pub method: &'a str,
    /// `https` or `http` (for `@target-uri`, `@scheme` and `@authority`).
    pub scheme: &'a str,
    /// Host and optional port the request was sent to (the `Host` header or
    /// HTTP/2 `:authority`), e.g. `kodeon.example`.
    pub authority: &'a str,
    /// The request target in origin form, e.g. `/users/alice/inbox?x=1`.
    pub path_and_query: &'a str,
    /// Header fields with lower-case names and values as received; a
    /// repeated header appears several times, in order.
    pub headers: &'a [(String, String)],
    /// The body; `None` for requests without one (GET).
    pub body: Option<&'a [u8]>,
}

impl SignedRequest<'_> {
    pub(super) fn values<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// All values of `name`, each trimmed, joined with `", "`; `None` when
    /// the header is absent.
    pub(super) fn combined(&self, name: &str) -> Option<String> {
        let mut out: Option<String> = None;
        for v in self.values(name) {
            let v = v.trim_matches([' ', '\t']);
            match &mut out {
                None => out = Some(v.to_owned()),
                Some(s) => {
                    s.push_str(", ");
                    s.push_str(v);
                }
            }
        }
        out
    }

    /// The value of a covered header for a signing string.
    pub(super) fn field_value(&self, name: &str) -> Result<String, SignatureError> {
        let value = match self.combined(name) {
            Some(v) => v,
            None if name == "host" && !self.authority.is_empty() => self.authority.to_owned(),
            None => return Err(SignatureError::HeaderAbsent(name.to_owned())),
        };
        if value.contains(['\r', '\n']) {
            return Err(malformed(format!("header `{name}` contains a line break")));
        }
        Ok(value)
    }

    pub(super) fn needs_digest(&self) -> bool {
        ["POST", "PUT", "PATCH"]
            .iter()
            .any(|m| self.method.eq_ignore_ascii_case(m))
            || self.body.is_some_and(|b| !b.is_empty())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_support::*;
    use super::super::{parse, verify};

    #[test]
    fn cavage_repeated_header_values_are_joined() {
        let covered = "(request-target) host date x-forwarded-for cache-control";
        let mut hs = headers(&[
            ("host", "kodeon.example"),
            ("date", DATE),
            ("x-forwarded-for", "192.0.2.1"),
            ("cache-control", " max-age=60 "),
            ("x-forwarded-for", " 198.51.100.7"),
            ("cache-control", "must-revalidate"),
        ]);
        let string = format!(
            "(request-target): get /\nhost: kodeon.example\ndate: {DATE}\n\
             x-forwarded-for: 192.0.2.1, 198.51.100.7\ncache-control: max-age=60, must-revalidate"
        );
        assert_eq!(cavage_string("GET", "/", &hs, covered), string);
        hs.push(("signature".into(), cavage_header(None, covered, &string)));
        let req = request("GET", "/", &hs, None);
        let parsed = parse(&req).unwrap();
        assert_eq!(parsed.signing_string(), string.as_bytes());
        verify(&parsed, &signer_key()).unwrap();
    }

    #[test]
    fn cavage_host_falls_back_to_authority() {
        // HTTP/2 requests carry :authority rather than Host.
        let covered = "(request-target) host date";
        let string = format!("(request-target): get /\nhost: kodeon.example\ndate: {DATE}");
        let hs = headers(&[
            ("date", DATE),
            ("signature", &cavage_header(None, covered, &string)),
        ]);
        let req = request("GET", "/", &hs, None);
        let parsed = parse(&req).unwrap();
        assert_eq!(parsed.signing_string(), string.as_bytes());
        verify(&parsed, &signer_key()).unwrap();
    }
}
