//! Input validation shared by the domain services. Each check names the field.

use crate::error::{NodeError, NodeResult};

/// Usernames: 1–30 of `[a-z0-9_]` (case kept, compared lower-cased), like Mastodon.
pub fn username(field: &str, value: &str) -> NodeResult<()> {
    let ok_chars = value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if value.is_empty() || value.len() > 30 || !ok_chars {
        return Err(NodeError::invalid(
            field,
            "must be 1-30 characters of letters, digits and underscores",
        ));
    }
    Ok(())
}

/// A plausible email address: one `@`, non-empty local part, a dotted domain.
pub fn email(field: &str, value: &str) -> NodeResult<()> {
    let valid = value.len() <= 254
        && !value.chars().any(char::is_whitespace)
        && matches!(value.split_once('@'), Some((local, domain))
            if !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
               && !domain.ends_with('.') && !domain.contains('@'));
    if !valid {
        return Err(NodeError::invalid(field, "is not a valid email address"));
    }
    Ok(())
}

/// Passwords: 8–256 characters.
pub fn password(field: &str, value: &str) -> NodeResult<()> {
    let n = value.chars().count();
    if n < 8 {
        return Err(NodeError::invalid(field, "must be at least 8 characters"));
    }
    if n > 256 {
        return Err(NodeError::too_large(field, "at most 256 characters"));
    }
    Ok(())
}

/// Normalises a tag or category: trims `#`, lower-cases; 1–64 of letters,
/// digits, `_` and `-`.
pub fn slug(field: &str, value: &str) -> NodeResult<String> {
    let s = value.trim().trim_start_matches('#').to_lowercase();
    let ok = !s.is_empty()
        && s.chars().count() <= 64
        && s.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    if !ok {
        return Err(NodeError::invalid(
            field,
            format!("{value:?} must be 1-64 letters, digits, '_' or '-'"),
        ));
    }
    Ok(s)
}

/// Tag slugs of `field`, each normalised by [`slug`], deduplicated in
/// order, at most `max` (422 naming `field` beyond).
pub fn tag_slugs(field: &str, values: &[String], max: usize) -> NodeResult<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for value in values {
        let tag = slug(field, value)?;
        if !out.contains(&tag) {
            out.push(tag);
        }
    }
    if out.len() > max {
        return Err(NodeError::invalid(field, format!("at most {max} tags")));
    }
    Ok(out)
}

/// Text with a maximum length in characters.
pub fn max_chars(field: &str, value: &str, max: usize) -> NodeResult<()> {
    if value.chars().count() > max {
        return Err(NodeError::too_large(
            field,
            format!("at most {max} characters"),
        ));
    }
    Ok(())
}

/// An empty string or an absolute http(s) URL.
pub fn optional_url(field: &str, value: &str) -> NodeResult<()> {
    if value.is_empty() {
        return Ok(());
    }
    let ok = (value.starts_with("https://") || value.starts_with("http://"))
        && value.len() <= 2048
        && !value.chars().any(char::is_whitespace);
    if !ok {
        return Err(NodeError::invalid(field, "must be an http(s) URL"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validators_accept_and_reject() {
        assert!(username("u", "alice_01").is_ok());
        assert!(username("u", "al ice").is_err());
        assert!(username("u", "").is_err());
        assert!(email("e", "a@b.io").is_ok());
        assert!(email("e", "a@b").is_err());
        assert!(email("e", "@b.io").is_err());
        assert!(password("p", "short").is_err());
        assert_eq!(slug("t", "#Rust").ok().as_deref(), Some("rust"));
        assert!(slug("t", "no spaces").is_err());
        assert!(optional_url("w", "javascript:alert(1)").is_err());
    }
}
