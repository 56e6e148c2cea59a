//! Reading ActivityStreams JSON as other servers write it: a property may
//! be a string, an object with an `id`, or an array of either.

use serde_json::Value;

/// A property's id: the string itself, or the `id` of an embedded object
/// (the first, for an array).
pub fn id_of(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s),
        Value::Object(o) => o.get("id").and_then(Value::as_str),
        Value::Array(a) => a.first().and_then(id_of),
        _ => None,
    }
}

/// All ids of a property (string, object or array).
pub fn ids_of(v: &Value) -> Vec<&str> {
    match v {
        Value::Array(a) => a.iter().filter_map(id_of).collect(),
        other => id_of(other).into_iter().collect(),
    }
}

/// A string property, or empty.
pub fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// The `type` of an object (the first, when it is a list).
pub fn type_of(v: &Value) -> &str {
    match v.get("type") {
        Some(Value::String(s)) => s,
        Some(Value::Array(a)) => a.first().and_then(Value::as_str).unwrap_or_default(),
        _ => "",
    }
}

/// Parses an RFC 3339 timestamp to milliseconds.
pub fn time_ms(v: &Value, key: &str) -> Option<i64> {
    let s = v.get(key)?.as_str()?;
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
    Some((t.unix_timestamp_nanos() / 1_000_000) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_come_from_strings_objects_and_arrays() {
        assert_eq!(id_of(&json!("a")), Some("a"));
        assert_eq!(id_of(&json!({"id": "b"})), Some("b"));
        assert_eq!(ids_of(&json!(["a", {"id": "b"}, 3])), vec!["a", "b"]);
        assert_eq!(type_of(&json!({"type": ["Note", "x"]})), "Note");
        assert_eq!(
            time_ms(&json!({"t": "1970-01-01T00:00:01Z"}), "t"),
            Some(1000)
        );
    }
}
