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
        form_to_value(encoded.as_bytes())
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
            form_to_value(&bytes)
        }
    };
    // Parameters may also come in the query string (Mastodon accepts both).
    if let (Some(q), Value::Object(map)) = (query, &mut value) {
        if let Value::Object(from_query) = form_to_value(q.as_bytes()) {
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

/// Turns `a=1&b[]=x&b[]=y&c[d]=z&e[0][f]=g` into a JSON object.
pub fn form_to_value(bytes: &[u8]) -> Value {
    let mut root = Value::Object(Map::new());
    for (key, val) in form_urlencoded::parse(bytes) {
        let mut parts: Vec<String> = Vec::new();
        let (head, rest) = key
            .split_once('[')
            .map(|(h, r)| (h, Some(r)))
            .unwrap_or((&key, None));
        parts.push(head.to_string());
        if let Some(rest) = rest {
            for seg in format!("[{rest}").split('[').skip(1) {
                parts.push(seg.trim_end_matches(']').to_string());
            }
        }
        insert(&mut root, &parts, Value::String(val.into_owned()));
    }
    root
}

fn insert(node: &mut Value, parts: &[String], val: Value) {
    let Some((first, rest)) = parts.split_first() else {
        return;
    };
    if first.is_empty() {
        // `key[]`: append to an array.
        if !node.is_array() {
            *node = Value::Array(Vec::new());
        }
        if let Value::Array(items) = node {
            if rest.is_empty() {
                items.push(val);
            } else {
                let mut child = Value::Object(Map::new());
                insert(&mut child, rest, val);
                items.push(child);
            }
        }
        return;
    }
    if !node.is_object() {
        *node = Value::Object(Map::new());
    }
    if let Value::Object(map) = node {
        if rest.is_empty() {
            map.insert(first.clone(), val);
        } else {
            let child = map.entry(first.clone()).or_insert(Value::Null);
            insert(child, rest, val);
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
        let v = form_to_value(b"status=hi&media_ids[]=1&media_ids[]=2&fields_attributes[0][name]=a&source[privacy]=public");
        assert_eq!(v["status"], "hi");
        assert_eq!(v["media_ids"], serde_json::json!(["1", "2"]));
        assert_eq!(v["fields_attributes"]["0"]["name"], "a");
        assert_eq!(v["source"]["privacy"], "public");
    }
}
