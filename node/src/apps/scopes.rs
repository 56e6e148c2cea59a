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
    // Administration (Mastodon's): never covered by `read` or `write`.
    "admin:read",
    "admin:write",
    "admin:read:accounts",
    "admin:read:reports",
    "admin:read:domain_blocks",
    "admin:write:accounts",
    "admin:write:reports",
    "admin:write:domain_blocks",
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
/// grant is a Kodeon session token: full access. A scope covers its
/// sub-scopes (`read` covers `read:statuses`, `admin:write` covers
/// `admin:write:accounts`), but `read` and `write` cover no `admin:` scope.
pub fn allows(granted: &[String], required: &str) -> bool {
    if granted.is_empty() {
        return true;
    }
    let parent = match required.rsplit_once(':') {
        // `admin:read` has no parent scope; `admin:read:x` has `admin:read`.
        Some(("admin", _)) => None,
        Some((parent, _)) => Some(parent),
        None => None,
    };
    granted.iter().any(|g| {
        g == required
            || Some(g.as_str()) == parent
            || (g == "follow" && FOLLOW_COVERS.contains(&required))
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
        let admin = parse("scope", "read write admin:read").expect("parse");
        assert!(!allows(&admin, "admin:write"), "write is not admin:write");
        assert!(allows(&admin, "admin:read:accounts"));
        assert!(!allows(&parse("s", "read write").expect("p"), "admin:read"));
        assert!(allows(
            &parse("s", "admin:write").expect("p"),
            "admin:write:domain_blocks"
        ));
        let profile = parse("s", "profile").expect("p");
        assert!(allows(&profile, "read:accounts:self") && !allows(&profile, "write:accounts"));
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
