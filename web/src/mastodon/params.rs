//! Request parameters as Mastodon clients send them: JSON or form bodies
//! (`key[]=a&key[]=b`, `a[b][c]=x`), booleans as `true`/`1`/JSON, numbers
//! as strings. Everything is first turned into a JSON value, then
//! deserialised with errors that name the field.

use axum::body::Bytes;
use std::collections::HashMap;

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use crate::error::ApiError;

/// Parameters from a JSON, form or multipart body (an empty body is `{}`);
/// uploaded files in a multipart body are ignored.
pub struct Params<T>(pub T);

/// Like [`Params`], also keeping uploaded files (field name → bytes).
pub struct ParamsWithFiles<T>(pub T, pub HashMap<String, Bytes>);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (value, _) = read(req, state).await?;
        deserialize(value).map(Params)
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ParamsWithFiles<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (value, files) = read(req, state).await?;
        deserialize(value).map(|t| ParamsWithFiles(t, files))
    }
}

/// Reads every parameter of a request (query string included) as JSON,
/// and the files of a multipart body.
async fn read<S: Send + Sync>(
    req: Request,
    state: &S,
) -> Result<(Value, HashMap<String, Bytes>), ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let query = req.uri().query().map(str::to_string);
    let mut files = HashMap::new();
    let mut value = if content_type.starts_with("multipart/") {
        let mut multipart = Multipart::from_request(req, state)
            .await
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
        let mut pairs: Vec<(String, String)> = Vec::new();
        while let Some(field) = multipart.next_field().await.map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                format!("malformed multipart body: {e}"),
            )
        })? {
            let name = field.name().unwrap_or_default().to_string();
            if field.file_name().is_some() {
                let bytes = field.bytes().await.map_err(|e| {
                    ApiError::field(StatusCode::PAYLOAD_TOO_LARGE, &name, format!("{name}: {e}"))
                })?;
                files.insert(name, bytes);
            } else {
                let text = field.text().await.map_err(|e| {
                    ApiError::field(StatusCode::BAD_REQUEST, &name, format!("{name}: {e}"))
                })?;
                pairs.push((name, text));
            }
        }
        let encoded: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        form_to_value(encoded.as_bytes())?
    } else {
        let bytes = Bytes::from_request(req, state).await.map_err(|r| {
            if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "request body is too large")
            } else {
                ApiError::new(StatusCode::BAD_REQUEST, r.body_text())
            }
        })?;
        if content_type.contains("json") && !bytes.is_empty() {
            serde_json::from_slice::<Value>(&bytes).map_err(|e| {
                ApiError::new(StatusCode::BAD_REQUEST, format!("malformed JSON: {e}"))
            })?
        } else {
            form_to_value(&bytes)?
        }
    };
    // Parameters may also come in the query string (Mastodon accepts both).
    if let (Some(q), Value::Object(map)) = (query, &mut value) {
        if let Value::Object(from_query) = form_to_value(q.as_bytes())? {
            for (k, v) in from_query {
                map.entry(k).or_insert(v);
            }
        }
    }
    Ok((value, files))
}

/// Deserialises a value, naming the field at fault (422).
pub fn deserialize<T: DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner().to_string();
        let field = if path == "." {
            inner.split('`').nth(1).unwrap_or("body").to_string()
        } else {
            path
        };
        ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            &field,
            format!("{field}: {inner}"),
        )
    })
}

/// How deeply a form key may nest (`a[b][c]` is 3). Rack, which Mastodon
/// runs on, refuses deeper parameters with the same limit.
pub const MAX_KEY_DEPTH: usize = 32;

/// Turns `a=1&b[]=x&b[]=y&c[d]=z&e[0][f]=g` into a JSON object. A key
/// nested deeper than [`MAX_KEY_DEPTH`] is a 400 naming it. Neither the
/// parsing nor the building recurses, so no input can exhaust the stack.
pub fn form_to_value(bytes: &[u8]) -> Result<Value, ApiError> {
    let mut root = Value::Object(Map::new());
    for (key, val) in form_urlencoded::parse(bytes) {
        let path = key_path(&key)?;
        insert(&mut root, &path, Value::String(val.into_owned()));
    }
    Ok(root)
}

/// Parameters from a query string (`?a=1&b[]=2`), deserialised.
pub fn from_query<T: DeserializeOwned>(uri: &axum::http::Uri) -> Result<T, ApiError> {
    deserialize(form_to_value(uri.query().unwrap_or("").as_bytes())?)
}

/// Splits `a[b][]` into `["a", "b", ""]`, refusing more than
/// [`MAX_KEY_DEPTH`] parts before collecting them.
fn key_path(key: &str) -> Result<Vec<&str>, ApiError> {
    let (head, rest) = match key.find('[') {
        Some(i) => (&key[..i], &key[i..]),
        None => (key, ""),
    };
    let mut parts = vec![head];
    for segment in rest.split('[').skip(1) {
        if parts.len() == MAX_KEY_DEPTH {
            let field: String = head.chars().take(64).collect();
            return Err(ApiError::field(
                StatusCode::BAD_REQUEST,
                &field,
                format!("{field}: parameter keys nest at most {MAX_KEY_DEPTH} levels deep"),
            ));
        }
        parts.push(segment.trim_end_matches(']'));
    }
    Ok(parts)
}

/// Sets `val` at `path` under `root`, walking down iteratively: an empty
/// part (`key[]`) appends to an array, any other part names an object member.
fn insert(root: &mut Value, path: &[&str], val: Value) {
    let mut node = root;
    let mut val = Some(val);
    for (i, part) in path.iter().enumerate() {
        let last = i + 1 == path.len();
        if part.is_empty() {
            if !node.is_array() {
                *node = Value::Array(Vec::new());
            }
            let Value::Array(items) = node else { return };
            if last {
                items.extend(val.take());
                return;
            }
            items.push(Value::Object(Map::new()));
            match items.last_mut() {
                Some(child) => node = child,
                None => return,
            }
        } else {
            if !node.is_object() {
                *node = Value::Object(Map::new());
            }
            let Value::Object(map) = node else { return };
            if last {
                if let Some(v) = val.take() {
                    map.insert((*part).to_string(), v);
                }
                return;
            }
            node = map.entry((*part).to_string()).or_insert(Value::Null);
        }
    }
}

/// A boolean sent as `true`/`false`, `1`/`0`, `on`, or a JSON bool.
pub fn flex_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let v = Option::<Value>::deserialize(d)?;
    Ok(match v {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(b),
        Some(Value::Number(n)) => Some(n.as_i64() != Some(0)),
        Some(Value::String(s)) => match s.as_str() {
            "true" | "1" | "on" | "True" => Some(true),
            "false" | "0" | "off" | "False" | "" => Some(false),
            _ => return Err(serde::de::Error::custom(format!("{s:?} is not a boolean"))),
        },
        Some(other) => {
            return Err(serde::de::Error::custom(format!(
                "{other} is not a boolean"
            )))
        }
    })
}

/// A list sent as an array, or as one string (space- or newline-separated
/// for scopes and redirect URIs, kept whole otherwise).
pub fn flex_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let v = Option::<Value>::deserialize(d)?;
    Ok(match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(s)) => s.split_whitespace().map(str::to_string).collect(),
        Some(Value::Array(items)) => items
            .into_iter()
            .filter_map(|i| match i {
                Value::String(s) => Some(s),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
        Some(other) => return Err(serde::de::Error::custom(format!("{other} is not a list"))),
    })
}

/// A string that may arrive as a number.
pub fn flex_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v = Option::<Value>::deserialize(d)?;
    Ok(match v {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(other) => return Err(serde::de::Error::custom(format!("{other} is not a string"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_become_nested_json() {
        let v = form_to_value(b"status=hi&media_ids[]=1&media_ids[]=2&fields_attributes[0][name]=a&source[privacy]=public").expect("parses");
        assert_eq!(v["status"], "hi");
        assert_eq!(v["media_ids"], serde_json::json!(["1", "2"]));
        assert_eq!(v["fields_attributes"]["0"]["name"], "a");
        assert_eq!(v["source"]["privacy"], "public");
    }

    #[test]
    fn a_key_at_the_depth_limit_is_taken_and_one_deeper_is_refused() {
        let at = format!("a{}=1", "[]".repeat(MAX_KEY_DEPTH - 1));
        let mut v = form_to_value(at.as_bytes()).expect("at the limit");
        for _ in 0..MAX_KEY_DEPTH - 1 {
            v = match v {
                Value::Object(mut m) => m.remove("a").unwrap_or(Value::Null),
                Value::Array(mut items) => items.pop().unwrap_or(Value::Null),
                other => other,
            };
        }
        let deeper = format!("a{}=1", "[]".repeat(MAX_KEY_DEPTH));
        let err = form_to_value(deeper.as_bytes()).expect_err("too deep");
        assert_eq!(err.status, StatusCode::BAD_REQUEST);
        assert_eq!(err.field.as_deref(), Some("a"));
    }

    /// Depth of a JSON value, counted without recursion.
    fn depth(v: &Value) -> usize {
        let mut deepest = 0;
        let mut stack = vec![(v, 0usize)];
        while let Some((v, d)) = stack.pop() {
            deepest = deepest.max(d);
            match v {
                Value::Object(m) => stack.extend(m.values().map(|c| (c, d + 1))),
                Value::Array(a) => stack.extend(a.iter().map(|c| (c, d + 1))),
                _ => {}
            }
        }
        deepest
    }

    proptest::proptest! {
        #![proptest_config(crate::test_support::proptest_config(256))]

        /// Any body parses or is refused; nothing panics and nothing nests
        /// deeper than the limit.
        #[test]
        fn any_form_body_parses_within_the_depth_limit(
            body in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just(b'['), proptest::strategy::Just(b']'),
                    proptest::strategy::Just(b'='), proptest::strategy::Just(b'&'),
                    proptest::strategy::Just(b'%'), proptest::strategy::Just(b'a'),
                    proptest::strategy::Just(b'0'), proptest::num::u8::ANY,
                ],
                0..400,
            )
        ) {
            if let Ok(v) = form_to_value(&body) {
                proptest::prop_assert!(depth(&v) <= MAX_KEY_DEPTH);
            }
        }

        /// Keys within the limit keep their value at their path.
        #[test]
        fn nested_keys_keep_their_value(
            names in proptest::collection::vec("[a-z]{1,4}", 1..MAX_KEY_DEPTH),
            value in "[a-zA-Z0-9 ]{0,12}",
        ) {
            let key = format!("{}{}", names[0], names[1..].iter().map(|n| format!("[{n}]")).collect::<String>());
            let body = form_urlencoded::Serializer::new(String::new()).append_pair(&key, &value).finish();
            let v = form_to_value(body.as_bytes()).expect("within the limit");
            let mut at = &v;
            for n in &names {
                at = &at[n.as_str()];
            }
            proptest::prop_assert_eq!(at, &Value::String(value));
        }
    }
}
