//! The JSON-LD contexts credentials here use, bundled with `include_str!`
//! (W3C Verifiable Credentials 2.0, Open Badges 3.0.3, Data Integrity 2.0,
//! Multikey 1.0), and the loader that resolves a document's `@context`
//! against them. There is no network loader: an unknown context is an error.

use super::CredentialError;
use serde_json::{Map, Value};
use std::sync::OnceLock;

/// W3C Verifiable Credentials Data Model 2.0 (includes the Data Integrity
/// and Bitstring Status List terms).
pub const CREDENTIALS_V2: &str = "https://www.w3.org/ns/credentials/v2";
/// Open Badges 3.0, version 3.0.3 of its context.
pub const OPEN_BADGES_V3: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
/// Data Integrity 2.0 (for documents that are not VC 2.0 credentials).
pub const DATA_INTEGRITY_V2: &str = "https://w3id.org/security/data-integrity/v2";
/// Multikey 1.0 (verification methods in DID documents).
pub const MULTIKEY_V1: &str = "https://w3id.org/security/multikey/v1";

/// `(url, document)` of every bundled context.
const BUNDLED: [(&str, &str); 4] = [
    (
        CREDENTIALS_V2,
        include_str!("contexts/credentials-v2.jsonld"),
    ),
    (OPEN_BADGES_V3, include_str!("contexts/ob-3.0.3.jsonld")),
    (
        DATA_INTEGRITY_V2,
        include_str!("contexts/data-integrity-v2.jsonld"),
    ),
    (MULTIKEY_V1, include_str!("contexts/multikey-v1.jsonld")),
];

/// Resolves context URLs to their documents, offline.
pub trait ContextLoader {
    /// The context document (`{"@context": ...}`) named by `url`, if known.
    fn load(&self, url: &str) -> Option<&Value>;
}

/// The contexts bundled in this binary.
#[derive(Debug, Clone, Copy, Default)]
pub struct Bundled;

fn parsed() -> &'static [(&'static str, Value)] {
    static PARSED: OnceLock<Vec<(&'static str, Value)>> = OnceLock::new();
    PARSED.get_or_init(|| {
        BUNDLED
            .iter()
            // The files are checked by a test; a broken one reads as absent.
            .filter_map(|(url, text)| Some((*url, serde_json::from_str(text).ok()?)))
            .collect()
    })
}

impl ContextLoader for Bundled {
    fn load(&self, url: &str) -> Option<&Value> {
        parsed().iter().find(|(u, _)| *u == url).map(|(_, v)| v)
    }
}

/// The raw text of a bundled context, for serving it or giving it to
/// another implementation.
pub fn bundled_text(url: &str) -> Option<&'static str> {
    BUNDLED.iter().find(|(u, _)| *u == url).map(|(_, t)| *t)
}

/// Every bundled context's URL.
pub fn bundled_urls() -> impl Iterator<Item = &'static str> {
    BUNDLED.iter().map(|(u, _)| *u)
}

/// `document` with every context URL in its top-level `@context` replaced
/// by the context itself (what a document loader would hand the JSON-LD
/// processor), so expansion never needs to resolve a URL. Bundled contexts
/// refer to no other remote context. Embedded `@context`s deeper in the
/// document are refused: credentials do not need them, and refusing them
/// keeps the set of meanings a signed document can take to the bundled one.
pub fn inline_contexts(
    document: &Map<String, Value>,
    loader: &dyn ContextLoader,
) -> Result<Map<String, Value>, CredentialError> {
    let mut out = document.clone();
    let context = out
        .get("@context")
        .ok_or_else(|| CredentialError::Malformed("no @context".into()))?;
    let items: Vec<Value> = match context {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    };
    let mut resolved = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Value::String(url) => {
                let doc = loader
                    .load(&url)
                    .ok_or_else(|| CredentialError::UnknownContext(url.clone()))?;
                let inner = doc
                    .get("@context")
                    .ok_or_else(|| CredentialError::UnknownContext(url.clone()))?;
                resolved.push(inner.clone());
            }
            Value::Object(_) => resolved.push(item),
            _ => return Err(CredentialError::Malformed("@context entry".into())),
        }
    }
    for (key, value) in document {
        if key != "@context" && has_embedded_context(value, 0)? {
            return Err(CredentialError::Malformed(format!(
                "`{key}` embeds a @context"
            )));
        }
    }
    out.insert("@context".into(), Value::Array(resolved));
    Ok(out)
}

/// Deepest nesting walked; deeper documents are refused.
const MAX_DEPTH: usize = 32;

fn has_embedded_context(value: &Value, depth: usize) -> Result<bool, CredentialError> {
    if depth > MAX_DEPTH {
        return Err(CredentialError::TooLarge(format!(
            "nested deeper than {MAX_DEPTH} levels"
        )));
    }
    Ok(match value {
        Value::Object(map) => {
            if map.contains_key("@context") {
                return Ok(true);
            }
            for v in map.values() {
                if has_embedded_context(v, depth + 1)? {
                    return Ok(true);
                }
            }
            false
        }
        Value::Array(items) => {
            for v in items {
                if has_embedded_context(v, depth + 1)? {
                    return Ok(true);
                }
            }
            false
        }
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_bundled_context_parses_and_is_a_context_document() {
        for url in bundled_urls() {
            let doc = Bundled.load(url).unwrap_or_else(|| panic!("{url} parses"));
            assert!(doc.get("@context").is_some_and(Value::is_object), "{url}");
        }
        assert_eq!(parsed().len(), BUNDLED.len());
    }

    #[test]
    fn unknown_and_embedded_contexts_are_refused() {
        let doc = json!({"@context": [CREDENTIALS_V2, "https://evil.example/ctx"]});
        let err = inline_contexts(doc.as_object().expect("object"), &Bundled);
        assert_eq!(
            err,
            Err(CredentialError::UnknownContext(
                "https://evil.example/ctx".into()
            ))
        );
        let doc = json!({"@context": [CREDENTIALS_V2], "credentialSubject": {"@context": {"x": "urn:x"}}});
        assert!(matches!(
            inline_contexts(doc.as_object().expect("object"), &Bundled),
            Err(CredentialError::Malformed(_))
        ));
    }

    #[test]
    fn known_urls_become_their_contexts() {
        let doc = json!({"@context": [CREDENTIALS_V2, OPEN_BADGES_V3], "id": "urn:x"});
        let out = inline_contexts(doc.as_object().expect("object"), &Bundled).expect("inline");
        let ctx = out["@context"].as_array().expect("array");
        assert_eq!(ctx.len(), 2);
        assert!(ctx[1]["Achievement"].is_object());
    }
}
