//! "Sign in with your node": the short-lived ticket a member's home node
//! signs so that the member can study on another Kodeon node.
//!
//! A ticket states who (`actor`, the member's ActivityPub id), for which
//! node (`aud`, that node's origin, `https://host[:port]`), when (`iat`
//! and `exp`, seconds since the epoch, at most [`MAX_LIFETIME_SECS`]
//! apart) and a random `nonce` that makes it single-use. Its payload is
//! the claims as canonical JSON (sorted keys, compact, the encoding of
//! [`crate::envelope::canonical`]), signed with the *member's* ed25519
//! key, the FEP-521a `assertionMethod` key of their actor document, so
//! the receiving node checks it against the key the member published,
//! not against anything the ticket carries. The compact form is
//! `base64url(payload).base64url(signature)` (no padding).
//!
//! Parsing is bounded: a ticket longer than [`MAX_TICKET_LEN`] is refused
//! before it is decoded, and a payload that is not exactly the canonical
//! encoding of its claims is refused, so one ticket has one meaning. What
//! needs a clock or the network (expiry, the audience, replay, the key)
//! is the receiving node's; [`TicketClaims::check_time`] is the pure part.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use identity::{Ed25519Keypair, PublicKey, Signature};
use serde::{Deserialize, Serialize};

use crate::urls::HttpUrl;

/// The longest compact ticket accepted, in bytes.
pub const MAX_TICKET_LEN: usize = 2048;
/// The longest actor URL a ticket may name.
pub const MAX_ACTOR_LEN: usize = 1024;
/// The longest audience (an origin) a ticket may name.
pub const MAX_AUDIENCE_LEN: usize = 256;
/// The longest a ticket may live, from `iat` to `exp` (five minutes).
pub const MAX_LIFETIME_SECS: i64 = 300;
/// Nonce length bounds, in base64url characters (16 random bytes make 22).
pub const NONCE_LEN: std::ops::RangeInclusive<usize> = 16..=64;
/// The path of the receiving node's sign-in endpoint.
pub const SIGN_IN_PATH: &str = "/auth/kodeon";

/// Why a ticket, or an audience, is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    /// Longer than [`MAX_TICKET_LEN`].
    #[error("the ticket is too long")]
    TooLong,
    /// Not `payload.signature`, or a part is not base64url.
    #[error("the ticket is not in the compact form")]
    Encoding,
    /// The payload is not the canonical JSON of the claims, or a claim is
    /// out of its bounds.
    #[error("the ticket's claims are malformed: {0}")]
    Claims(&'static str),
    /// The signature does not verify with the actor's key.
    #[error("the ticket's signature does not verify")]
    BadSignature,
    /// `exp` has passed (beyond the allowed clock skew).
    #[error("the ticket has expired")]
    Expired,
    /// `iat` is in the future (beyond the allowed clock skew).
    #[error("the ticket is not valid yet")]
    NotYetValid,
    /// The audience is not an http(s) origin.
    #[error("must be an http(s) origin, such as https://example.org")]
    NotAnOrigin,
}

/// What a ticket states.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketClaims {
    /// The member's actor id (an http(s) URL in canonical form).
    pub actor: String,
    /// The origin of the node the ticket is for.
    pub aud: String,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Expires at, seconds since the epoch.
    pub exp: i64,
    /// Random, base64url: the ticket's one use is recorded by it.
    pub nonce: String,
}

impl TicketClaims {
    /// The claims of a ticket for `actor` to sign in at `aud`, issued at
    /// `now` (seconds) and living `lifetime_secs`, with `nonce` (random
    /// bytes the caller draws: this crate does no I/O).
    pub fn new(
        actor: &str,
        aud: &str,
        now: i64,
        lifetime_secs: i64,
        nonce: [u8; 16],
    ) -> TicketClaims {
        TicketClaims {
            actor: actor.to_string(),
            aud: aud.to_string(),
            iat: now,
            exp: now.saturating_add(lifetime_secs),
            nonce: URL_SAFE_NO_PAD.encode(nonce),
        }
    }

    /// Checks each claim's bounds: a canonical http(s) actor URL, an
    /// origin as audience, a lifetime of at most [`MAX_LIFETIME_SECS`], a
    /// base64url nonce of [`NONCE_LEN`] characters.
    pub fn check_shape(&self) -> Result<(), TicketError> {
        if self.actor.len() > MAX_ACTOR_LEN || HttpUrl::parse_canonical(&self.actor).is_err() {
            return Err(TicketError::Claims("actor is not an http(s) URL"));
        }
        if self.aud.len() > MAX_AUDIENCE_LEN
            || parse_origin(&self.aud).ok() != Some(self.aud.clone())
        {
            return Err(TicketError::Claims("aud is not an origin"));
        }
        let lifetime = self.exp.checked_sub(self.iat).unwrap_or(-1);
        if !(1..=MAX_LIFETIME_SECS).contains(&lifetime) {
            return Err(TicketError::Claims("exp must follow iat by at most 300 s"));
        }
        if !NONCE_LEN.contains(&self.nonce.len())
            || !self
                .nonce
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(TicketError::Claims("nonce is not base64url"));
        }
        Ok(())
    }

    /// Whether the ticket is live at `now` (seconds), allowing `skew`
    /// seconds of difference between the two nodes' clocks either way.
    pub fn check_time(&self, now: i64, skew: i64) -> Result<(), TicketError> {
        if now > self.exp.saturating_add(skew) {
            return Err(TicketError::Expired);
        }
        if self.iat > now.saturating_add(skew) {
            return Err(TicketError::NotYetValid);
        }
        Ok(())
    }

    /// The payload: the claims as canonical JSON.
    fn payload(&self) -> Result<Vec<u8>, TicketError> {
        let value = serde_json::to_value(self).map_err(|_| TicketError::Claims("unencodable"))?;
        crate::envelope::canonical(&value).map_err(|_| TicketError::Claims("unencodable"))
    }

    /// Signs the claims (after [`TicketClaims::check_shape`]) with the
    /// member's key: the compact ticket.
    pub fn sign(&self, key: &Ed25519Keypair) -> Result<String, TicketError> {
        self.check_shape()?;
        let payload = self.payload()?;
        let signature = key.sign(&payload);
        let compact = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&payload),
            URL_SAFE_NO_PAD.encode(signature.to_bytes())
        );
        if compact.len() > MAX_TICKET_LEN {
            return Err(TicketError::TooLong);
        }
        Ok(compact)
    }
}

/// A ticket read from its compact form, its signature not checked yet.
#[derive(Debug, Clone)]
pub struct SignedTicket {
    /// What it states (its shape checked, not its time or audience).
    pub claims: TicketClaims,
    payload: Vec<u8>,
    signature: Signature,
}

impl SignedTicket {
    /// Reads a compact ticket: bounded in length, both parts base64url,
    /// the payload exactly the canonical JSON of well-shaped claims.
    pub fn parse(compact: &str) -> Result<SignedTicket, TicketError> {
        if compact.len() > MAX_TICKET_LEN {
            return Err(TicketError::TooLong);
        }
        let (payload, signature) = compact.split_once('.').ok_or(TicketError::Encoding)?;
        let payload = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| TicketError::Encoding)?;
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| TicketError::Encoding)?;
        let signature = Signature::from_slice(&signature).map_err(|_| TicketError::Encoding)?;
        let claims: TicketClaims = serde_json::from_slice(&payload)
            .map_err(|_| TicketError::Claims("not the ticket's JSON"))?;
        if claims.payload()? != payload {
            return Err(TicketError::Claims("not in canonical form"));
        }
        claims.check_shape()?;
        Ok(SignedTicket {
            claims,
            payload,
            signature,
        })
    }

    /// Checks the signature with the actor's published ed25519 key.
    pub fn verify(&self, key: &PublicKey) -> Result<(), TicketError> {
        key.verify(&self.payload, &self.signature)
            .map_err(|_| TicketError::BadSignature)
    }
}

/// The origin (`scheme://host[:port]`) that `s` names: an http(s) URL
/// with nothing after its authority but an optional `/`. Parsed once, the
/// WHATWG way (lower-case host, default port dropped).
pub fn parse_origin(s: &str) -> Result<String, TicketError> {
    let url = HttpUrl::parse(s.trim()).map_err(|_| TicketError::NotAnOrigin)?;
    let u = url.as_url();
    if u.path() != "/" || u.query().is_some() || u.fragment().is_some() {
        return Err(TicketError::NotAnOrigin);
    }
    Ok(format!("{}://{}", url.scheme(), url.authority()))
}

/// The receiving node's sign-in URL for `ticket`: `{aud}/auth/kodeon`
/// with the ticket and the path to go to next as query parameters.
pub fn sign_in_url(aud: &str, ticket: &str, next: &str) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("ticket", ticket)
        .append_pair("next", next)
        .finish();
    format!("{aud}{SIGN_IN_PATH}?{query}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACTOR: &str = "https://home.example/users/alice";
    const AUD: &str = "https://host.example:8443";

    fn claims() -> TicketClaims {
        TicketClaims::new(ACTOR, AUD, 1_700_000_000, 120, random_nonce())
    }

    fn random_nonce() -> [u8; 16] {
        let secret = Ed25519Keypair::generate().secret_bytes();
        let mut nonce = [0u8; 16];
        nonce.copy_from_slice(&secret[..16]);
        nonce
    }

    #[test]
    fn a_signed_ticket_parses_and_verifies_with_the_signers_key() {
        let key = Ed25519Keypair::generate();
        let c = claims();
        let compact = c.sign(&key).expect("sign");
        let parsed = SignedTicket::parse(&compact).expect("parse");
        assert_eq!(parsed.claims, c);
        assert_eq!(parsed.verify(&key.public()), Ok(()));
        assert_eq!(parsed.claims.nonce.len(), 22);
        assert_ne!(claims().nonce, c.nonce, "each ticket has its own nonce");
    }

    #[test]
    fn another_key_does_not_verify_it() {
        let compact = claims().sign(&Ed25519Keypair::generate()).expect("sign");
        let parsed = SignedTicket::parse(&compact).expect("parse");
        assert_eq!(
            parsed.verify(&Ed25519Keypair::generate().public()),
            Err(TicketError::BadSignature)
        );
    }

    #[test]
    fn a_tampered_payload_fails_its_signature() {
        let key = Ed25519Keypair::generate();
        let compact = claims().sign(&key).expect("sign");
        let (_, signature) = compact.split_once('.').expect("two parts");
        let mut other = claims();
        other.actor = "https://home.example/users/mallory".into();
        let forged_payload = URL_SAFE_NO_PAD.encode(other.payload().expect("payload"));
        let forged = SignedTicket::parse(&format!("{forged_payload}.{signature}")).expect("parse");
        assert_eq!(forged.claims.actor, "https://home.example/users/mallory");
        assert_eq!(forged.verify(&key.public()), Err(TicketError::BadSignature));
    }

    #[test]
    fn a_payload_not_in_canonical_form_is_refused() {
        let key = Ed25519Keypair::generate();
        let c = claims();
        // The same claims, keys out of order and spaced.
        let loose = format!(
            "{{ \"nonce\": \"{}\", \"actor\": \"{}\", \"aud\": \"{}\", \"iat\": {}, \"exp\": {} }}",
            c.nonce, c.actor, c.aud, c.iat, c.exp
        );
        let sig = key.sign(loose.as_bytes());
        let compact = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(loose.as_bytes()),
            URL_SAFE_NO_PAD.encode(sig.to_bytes())
        );
        assert_eq!(
            SignedTicket::parse(&compact).map(|_| ()),
            Err(TicketError::Claims("not in canonical form"))
        );
    }

    #[test]
    fn a_ticket_too_long_is_refused_before_decoding() {
        let long = "A".repeat(MAX_TICKET_LEN + 1);
        assert_eq!(
            SignedTicket::parse(&long).map(|_| ()),
            Err(TicketError::TooLong)
        );
        let mut c = claims();
        c.actor = format!("https://home.example/users/{}", "a".repeat(MAX_ACTOR_LEN));
        assert!(matches!(
            c.sign(&Ed25519Keypair::generate()),
            Err(TicketError::Claims(_))
        ));
    }

    #[test]
    fn bad_base64_and_missing_parts_are_refused() {
        for bad in ["", "abc", "a b.c", "eyJ.!!!", "eyJhIjoxfQ.AAAA"] {
            assert_eq!(
                SignedTicket::parse(bad).map(|_| ()),
                Err(TicketError::Encoding),
                "{bad:?}"
            );
        }
        let sig = URL_SAFE_NO_PAD.encode([0u8; 64]);
        let not_claims = URL_SAFE_NO_PAD.encode(b"{\"a\":1}");
        assert!(matches!(
            SignedTicket::parse(&format!("{not_claims}.{sig}")),
            Err(TicketError::Claims(_))
        ));
    }

    #[test]
    fn claims_out_of_bounds_are_not_signed() {
        let key = Ed25519Keypair::generate();
        let mut long_lived = claims();
        long_lived.exp = long_lived.iat + MAX_LIFETIME_SECS + 1;
        let mut backwards = claims();
        backwards.exp = backwards.iat - 1;
        let mut path_aud = claims();
        path_aud.aud = "https://host.example/courses".into();
        let mut short_nonce = claims();
        short_nonce.nonce = "abc".into();
        for c in [long_lived, backwards, path_aud, short_nonce] {
            assert!(matches!(c.sign(&key), Err(TicketError::Claims(_))), "{c:?}");
        }
    }

    #[test]
    fn time_allows_the_skew_and_no_more() {
        let c = claims();
        assert_eq!(c.check_time(c.iat, 30), Ok(()));
        assert_eq!(c.check_time(c.exp + 30, 30), Ok(()));
        assert_eq!(c.check_time(c.exp + 31, 30), Err(TicketError::Expired));
        assert_eq!(c.check_time(c.iat - 31, 30), Err(TicketError::NotYetValid));
    }

    #[test]
    fn origins_are_parsed_once_and_written_canonically() {
        assert_eq!(
            parse_origin("https://Host.Example:443/").as_deref(),
            Ok("https://host.example")
        );
        assert_eq!(
            parse_origin("http://localhost:8080").as_deref(),
            Ok("http://localhost:8080")
        );
        for bad in [
            "ftp://host.example",
            "host.example",
            "https://host.example/path",
            "https://host.example/?q=1",
            "https://user:pw@host.example",
            "https://host.example/#x",
        ] {
            assert_eq!(parse_origin(bad), Err(TicketError::NotAnOrigin), "{bad}");
        }
    }

    #[test]
    fn the_sign_in_url_carries_the_ticket_and_next_encoded() {
        let url = sign_in_url(AUD, "a.b", "/lessons/1?x=y&z");
        assert_eq!(
            url,
            "https://host.example:8443/auth/kodeon?ticket=a.b&next=%2Flessons%2F1%3Fx%3Dy%26z"
        );
    }
}
