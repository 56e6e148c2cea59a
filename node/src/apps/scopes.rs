//! OAuth scopes (Mastodon's set) and whether a grant allows an action.

use crate::error::{NodeError, NodeResult};

/// Every scope a token may hold.
const KNOWN: &[&str] = &[
    "read",
    "write",
    "follow",
    "push",
    "profile",
    "read:accounts",
    "read:blocks",
    "read:bookmarks",
    "read:favourites",
    "read:filters",
    "read:follows",
    "read:lists",
    "read:mutes",
    "read:notifications",
    "read:search",
    "read:statuses",
    "write:accounts",
    "write:blocks",
    "write:bookmarks",
    "write:conversations",
    "write:favourites",
    "write:filters",
    "write:follows",
    "write:lists",
    "write:media",
    "write:mutes",
    "write:notifications",
    "write:reports",
    "write:statuses",
];

/// What the legacy `follow` scope covers.
const FOLLOW_COVERS: &[&str] = &[
    "read:blocks",
    "write:blocks",
    "read:follows",
    "write:follows",
    "read:mutes",
    "write:mutes",
];

/// Parses a space- (or `+`-) separated scope string; empty means `read`.
pub fn parse(field: &str, s: &str) -> NodeResult<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for scope in s.split([' ', '+', ',']).filter(|x| !x.is_empty()) {
        if !KNOWN.contains(&scope) {
            return Err(NodeError::invalid(
                field,
                format!("unknown scope {scope:?}"),
            ));
        }
        if !out.iter().any(|x| x == scope) {
            out.push(scope.to_string());
        }
    }
    if out.is_empty() {
        out.push("read".into());
    }
    Ok(out)
}

/// Whether `granted` allows `required` (e.g. `read:statuses`). An empty
/// grant is a Kodeon session token: full access.
pub fn allows(granted: &[String], required: &str) -> bool {
    if granted.is_empty() {
        return true;
    }
    let top = required.split(':').next().unwrap_or(required);
    granted.iter().any(|g| {
        g == required || g == top || (g == "follow" && FOLLOW_COVERS.contains(&required))
            // `profile` only reads the own account.
            || (g == "profile" && required == "read:accounts:self")
    }) || (required == "read:accounts:self" && allows(granted, "read:accounts"))
}

/// Whether every scope in `asked` is covered by `allowed` (an app's scopes).
pub fn subset(asked: &[String], allowed: &[String]) -> bool {
    asked.iter().all(|a| allows(allowed, a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_cover_their_subscopes() {
        let g = parse("scope", "read write:statuses").expect("parse");
        assert!(allows(&g, "read:notifications"));
        assert!(allows(&g, "write:statuses"));
        assert!(!allows(&g, "write:favourites"));
        let f = parse("scope", "follow").expect("parse");
        assert!(allows(&f, "write:follows") && !allows(&f, "read:statuses"));
        assert!(parse("scope", "read admin:everything").is_err());
        assert_eq!(parse("scope", "").expect("parse"), vec!["read".to_string()]);
        assert!(subset(
            &parse("s", "read:statuses").expect("p"),
            &parse("s", "read write").expect("p")
        ));
        assert!(!subset(
            &parse("s", "write").expect("p"),
            &parse("s", "read").expect("p")
        ));
    }
}
