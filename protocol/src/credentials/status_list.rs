//! Bitstring Status List v1.0: a list of bits, one per credential, GZIP
//! compressed and written as multibase base64url (`u` prefix, no padding)
//! in a `BitstringStatusListCredential`. Bit 0 is the most significant bit
//! of the first byte. A set bit with purpose `revocation` revokes the
//! credential whose `BitstringStatusListEntry` names that index.

use super::contexts::CREDENTIALS_V2;
use super::CredentialError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use serde_json::{json, Map, Value};
use std::io::{Read, Write};

/// The smallest list the spec allows (16 KiB, 131,072 entries), which is
/// also the size of the lists made here: large enough that an index says
/// nothing about who holds it.
pub const MIN_BITS: usize = 131_072;

/// The largest decoded list accepted from elsewhere (16 Mi entries).
const MAX_BYTES: usize = 2 * 1024 * 1024;

/// A bitstring of status bits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitstring(Vec<u8>);

impl Default for Bitstring {
    fn default() -> Self {
        Self::new()
    }
}

impl Bitstring {
    /// A list of [`MIN_BITS`] cleared bits.
    pub fn new() -> Self {
        Self(vec![0; MIN_BITS / 8])
    }

    /// A list from its raw bytes (as [`Bitstring::into_bytes`] gave them),
    /// at least [`MIN_BITS`] long.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, CredentialError> {
        if bytes.len() * 8 < MIN_BITS || bytes.len() > MAX_BYTES {
            return Err(CredentialError::StatusList("list of the wrong size".into()));
        }
        Ok(Self(bytes))
    }

    /// The raw bytes, bit 0 the most significant bit of the first.
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }

    /// How many entries the list has.
    pub fn len(&self) -> usize {
        self.0.len() * 8
    }

    /// Whether the list has no entries (never, for a valid list).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The bit at `index` (`None` past the end).
    pub fn get(&self, index: usize) -> Option<bool> {
        let byte = self.0.get(index / 8)?;
        Some(byte & (0x80 >> (index % 8)) != 0)
    }

    /// Sets the bit at `index` to `value`; `false` if `index` is past the end.
    pub fn set(&mut self, index: usize, value: bool) -> bool {
        let Some(byte) = self.0.get_mut(index / 8) else {
            return false;
        };
        let mask = 0x80 >> (index % 8);
        if value {
            *byte |= mask;
        } else {
            *byte &= !mask;
        }
        true
    }

    /// The `encodedList` form: GZIP, then multibase base64url.
    pub fn encode(&self) -> Result<String, CredentialError> {
        let mut gz = GzEncoder::new(Vec::new(), Compression::default());
        gz.write_all(&self.0)
            .map_err(|e| CredentialError::StatusList(e.to_string()))?;
        let compressed = gz
            .finish()
            .map_err(|e| CredentialError::StatusList(e.to_string()))?;
        Ok(format!("u{}", URL_SAFE_NO_PAD.encode(compressed)))
    }

    /// Reads an `encodedList`, refusing lists shorter than [`MIN_BITS`] or
    /// whose decompressed size exceeds 2 MiB.
    pub fn decode(encoded: &str) -> Result<Self, CredentialError> {
        let bad = |why: &str| CredentialError::StatusList(why.to_string());
        let text = encoded
            .strip_prefix('u')
            .ok_or_else(|| bad("encodedList is not multibase base64url"))?;
        let compressed = URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| bad("encodedList is not base64url"))?;
        let mut bits = Vec::new();
        GzDecoder::new(compressed.as_slice())
            .take(MAX_BYTES as u64 + 1)
            .read_to_end(&mut bits)
            .map_err(|_| bad("encodedList is not GZIP"))?;
        if bits.len() > MAX_BYTES {
            return Err(bad("list larger than 2 MiB"));
        }
        if bits.len() * 8 < MIN_BITS {
            return Err(bad("list shorter than 131,072 entries"));
        }
        Ok(Self(bits))
    }
}

/// The `credentialStatus` of a credential whose revocation bit is `index`
/// in the list credential at `list_url`.
pub fn status_entry(list_url: &str, index: u64) -> Value {
    json!({
        "id": format!("{list_url}#{index}"),
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": index.to_string(),
        "statusListCredential": list_url,
    })
}

/// The unsigned `BitstringStatusListCredential` at `list_url`, issued by
/// `issuer` (a DID) and valid from `valid_from` (RFC 3339).
pub fn status_list_credential(
    list_url: &str,
    issuer: &str,
    valid_from: &str,
    bits: &Bitstring,
) -> Result<Map<String, Value>, CredentialError> {
    let value = json!({
        "@context": [CREDENTIALS_V2],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": format!("{list_url}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": bits.encode()?,
        }
    });
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(CredentialError::Malformed("status list credential".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_are_msb_first_and_survive_encoding() {
        let mut bits = Bitstring::new();
        assert_eq!(bits.len(), MIN_BITS);
        assert!(bits.set(0, true));
        assert!(bits.set(94_567, true));
        assert!(!bits.set(MIN_BITS, true));
        assert_eq!(bits.0[0], 0x80);
        let encoded = bits.encode().expect("encode");
        assert!(
            encoded.starts_with("uH4sI"),
            "gzip magic in base64url: {encoded}"
        );
        let back = Bitstring::decode(&encoded).expect("decode");
        assert_eq!(back.get(0), Some(true));
        assert_eq!(back.get(1), Some(false));
        assert_eq!(back.get(94_567), Some(true));
        assert_eq!(back.get(MIN_BITS), None);
        let mut cleared = back.clone();
        cleared.set(94_567, false);
        assert_eq!(cleared.get(94_567), Some(false));
    }

    #[test]
    fn short_or_malformed_lists_are_refused() {
        let mut gz = GzEncoder::new(Vec::new(), Compression::default());
        gz.write_all(&[0u8; 100]).expect("write");
        let short = format!("u{}", URL_SAFE_NO_PAD.encode(gz.finish().expect("gz")));
        assert!(Bitstring::decode(&short).is_err());
        assert!(Bitstring::decode("H4sI").is_err());
        assert!(Bitstring::decode("u!!!").is_err());
    }

    #[test]
    fn a_gzip_bomb_is_cut_off() {
        let mut gz = GzEncoder::new(Vec::new(), Compression::best());
        gz.write_all(&vec![0u8; MAX_BYTES + 1024]).expect("write");
        let bomb = format!("u{}", URL_SAFE_NO_PAD.encode(gz.finish().expect("gz")));
        assert_eq!(
            Bitstring::decode(&bomb),
            Err(CredentialError::StatusList("list larger than 2 MiB".into()))
        );
    }
}
