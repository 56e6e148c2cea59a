//! The OAuth scope each route of Kodeon's own API needs, in one table.
//!
//! The `Auth` and `MaybeAuth` extractors (the only way a Kodeon API handler
//! learns who is asking) check it for every token, so no route can forget
//! to: a route missing from the table needs the plain `read` or `write`
//! scope by its method. Tokens from a Kodeon login have full access; OAuth
//! tokens have what their grant says. (The Mastodon API checks Mastodon's
//! per-endpoint scopes in its handlers, through `Token::require`, the only
//! way to read a token's viewer there.)

use axum::http::Method;

/// What a route asks of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Required {
    /// This scope (or one that covers it).
    Scope(&'static str),
    /// Any valid token (ending one's own session, say).
    AnyToken,
    /// Only a token with full access: a Kodeon login, not an OAuth grant.
    FullAccess,
}

/// The scope `method` on `path` (relative to `/api/kodeon/v1`, or the full
/// path) needs.
pub fn required(method: &Method, path: &str) -> Required {
    let path = path
        .strip_prefix(protocol::API_PREFIX)
        .unwrap_or(path)
        .trim_end_matches('/');
    let write = !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    let by_method = |read: &'static str, written: &'static str| {
        Required::Scope(if write { written } else { read })
    };
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        ["admin", ..] => by_method("admin:read", "admin:write"),
        ["auth", "logout"] => Required::AnyToken,
        ["auth", "sessions", ..] => Required::FullAccess,
        ["me"] => by_method("read:accounts", "write:accounts"),
        ["me", "bookmarks"] => by_method("read:bookmarks", "write:bookmarks"),
        ["me", "likes"] => by_method("read:favourites", "write:favourites"),
        ["me", "blocks"] => by_method("read:blocks", "write:blocks"),
        ["me", "mutes"] => by_method("read:mutes", "write:mutes"),
        // One's own insights and a group's report: read-only figures no
        // Mastodon scope names.
        ["me", "insights"] | ["groups", _, "report"] => by_method("read", "write"),
        // The calendar feed's URL is a credential of its own that outlives
        // any grant: only a full login may make or revoke it.
        ["me", "calendar"] => Required::FullAccess,
        // A sign-in ticket lets its bearer act as the member on another
        // node's study pages: only a full login may mint one.
        ["me", "sign-in-tickets"] => Required::FullAccess,
        ["members", _, "follow"] => by_method("read:follows", "write:follows"),
        ["members", _, "block"] => by_method("read:blocks", "write:blocks"),
        ["members", _, "mute"] => by_method("read:mutes", "write:mutes"),
        ["members", _, "attestations", ..] => by_method("read:accounts", "write"),
        ["members", _, "reputation"] => by_method("read:accounts", "write:accounts"),
        // A member's points: an account's figures, as their profile.
        ["members", _, "points"] => by_method("read:accounts", "write"),
        ["members", ..] => by_method("read:accounts", "write:accounts"),
        ["follow-requests", ..] => by_method("read:follows", "write:follows"),
        // Joining a group is following it; answering a join request is
        // answering a follow request.
        ["groups", _, "join" | "leave"] => by_method("read:follows", "write:follows"),
        ["groups", _, "members", _, "approve" | "reject"] => {
            by_method("read:follows", "write:follows")
        }
        // A group's posts are statuses, their moderation included.
        ["groups", _, "posts", ..] => by_method("read:statuses", "write:statuses"),
        ["groups", ..] => by_method("read:accounts", "write:accounts"),
        // Events and registrations: no Mastodon scope names them.
        ["events", ..] | ["me", "events"] => by_method("read", "write"),
        // Courses, their content, enrolments and attempts: no Mastodon
        // scope names them either.
        ["courses" | "modules" | "lessons" | "assessments" | "attempts", ..]
        | ["me", "courses" | "teaching" | "completions"] => by_method("read", "write"),
        // Learning paths: planning one is a POST, so it needs `write`
        // as saving one does.
        ["learning-paths", ..] => by_method("read", "write"),
        // Leaderboards and challenges: no Mastodon scope names them.
        ["leaderboard"] | ["challenges", ..] => by_method("read", "write"),
        ["posts", _, "like"] => by_method("read:favourites", "write:favourites"),
        ["posts", _, "bookmark"] => by_method("read:bookmarks", "write:bookmarks"),
        ["posts", ..] => by_method("read:statuses", "write:statuses"),
        ["feeds", ..] => by_method("read:statuses", "write:statuses"),
        ["search"] => by_method("read:search", "write"),
        // Trends and recommendations are reads; excluding from trends
        // is under `admin` above.
        ["trends", ..] | ["recommendations"] => by_method("read", "write"),
        ["notifications", ..] => by_method("read:notifications", "write:notifications"),
        ["reports", ..] => by_method("read", "write:reports"),
        _ => by_method("read", "write"),
    }
}

/// Whether a session with `scopes` may make this request.
pub fn allowed(scopes: &[String], method: &Method, path: &str) -> bool {
    match required(method, path) {
        Required::AnyToken => true,
        Required::FullAccess => scopes.is_empty(),
        Required::Scope(scope) => node::apps::scopes::allows(scopes, scope),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(s: &str) -> Vec<String> {
        node::apps::scopes::parse("scope", s).expect("scopes")
    }

    #[test]
    fn reads_and_writes_need_their_scopes_everywhere() {
        let read = grant("read");
        assert!(allowed(&read, &Method::GET, "/api/kodeon/v1/feeds/home"));
        assert!(!allowed(&read, &Method::POST, "/api/kodeon/v1/posts"));
        assert!(!allowed(&read, &Method::PATCH, "/me"));
        assert!(!allowed(&read, &Method::POST, "/members/bob/follow"));
        assert!(!allowed(&read, &Method::DELETE, "/posts/01J/like"));
        let profile = grant("profile");
        assert!(!allowed(&profile, &Method::GET, "/feeds/home"));
        assert!(!allowed(&profile, &Method::POST, "/admin/domain-blocks"));
        let statuses = grant("write:statuses");
        assert!(allowed(&statuses, &Method::POST, "/posts"));
        assert!(!allowed(&statuses, &Method::POST, "/posts/01J/like"));
        // Administration needs admin scopes, which read/write do not cover.
        let rw = grant("read write follow");
        assert!(!allowed(&rw, &Method::GET, "/admin/federation"));
        assert!(!allowed(&rw, &Method::POST, "/admin/domain-blocks"));
        assert!(allowed(
            &grant("admin:write"),
            &Method::POST,
            "/admin/domain-blocks"
        ));
        // Sessions are managed with a full login only; logout takes any.
        assert!(!allowed(&rw, &Method::GET, "/auth/sessions"));
        assert!(allowed(&[], &Method::DELETE, "/auth/sessions/01J"));
        assert!(allowed(&profile, &Method::POST, "/auth/logout"));
        // Groups: reading needs read, joining follows, the rest accounts.
        assert!(allowed(&read, &Method::GET, "/api/kodeon/v1/groups"));
        assert!(allowed(&read, &Method::GET, "/groups/rust/members"));
        assert!(!allowed(&read, &Method::POST, "/groups"));
        assert!(!allowed(&read, &Method::POST, "/groups/rust/join"));
        assert!(!allowed(
            &read,
            &Method::PUT,
            "/groups/rust/members/bob/role"
        ));
        let follows = grant("write:follows");
        assert!(allowed(&follows, &Method::POST, "/groups/rust/leave"));
        assert!(allowed(
            &follows,
            &Method::POST,
            "/groups/rust/members/bob/approve"
        ));
        assert!(!allowed(
            &follows,
            &Method::POST,
            "/groups/rust/members/bob/ban"
        ));
        assert!(!allowed(&follows, &Method::PATCH, "/groups/rust"));
        let accounts = grant("write:accounts");
        assert!(allowed(
            &accounts,
            &Method::POST,
            "/groups/rust/members/bob/ban"
        ));
        assert!(allowed(&accounts, &Method::DELETE, "/groups/rust"));
        // A group's reports and bans are read as its member list is.
        let read_accounts = grant("read:accounts");
        for path in ["/groups/rust/reports", "/groups/rust/bans"] {
            assert!(allowed(&read_accounts, &Method::GET, path), "{path}");
            assert!(!allowed(&grant("read:statuses"), &Method::GET, path));
        }
        let statuses = grant("read:statuses write:statuses");
        assert!(allowed(&statuses, &Method::GET, "/groups/rust/posts"));
        assert!(allowed(&statuses, &Method::POST, "/groups/rust/posts"));
        assert!(allowed(
            &statuses,
            &Method::POST,
            "/groups/rust/posts/01J/pin"
        ));
        assert!(allowed(
            &statuses,
            &Method::DELETE,
            "/groups/rust/posts/01J"
        ));
        assert!(!allowed(&statuses, &Method::POST, "/groups/rust/alerts"));
        assert!(!allowed(&follows, &Method::POST, "/groups/rust/posts"));
        // The calendar feed's secret URL: a full login only.
        assert!(!allowed(&rw, &Method::GET, "/api/kodeon/v1/me/calendar"));
        assert!(!allowed(
            &grant("write:accounts"),
            &Method::DELETE,
            "/me/calendar"
        ));
        assert!(allowed(&[], &Method::GET, "/me/calendar"));
        // A sign-in ticket is a credential too.
        assert!(!allowed(
            &rw,
            &Method::POST,
            "/api/kodeon/v1/me/sign-in-tickets"
        ));
        assert!(allowed(&[], &Method::POST, "/me/sign-in-tickets"));
        // Courses: read and write.
        assert!(allowed(&read, &Method::GET, "/api/kodeon/v1/courses"));
        assert!(allowed(&read, &Method::GET, "/me/courses"));
        assert!(!allowed(&read, &Method::POST, "/courses/01J/enrol"));
        assert!(!allowed(&read, &Method::POST, "/assessments/01J/attempts"));
        assert!(allowed(&rw, &Method::POST, "/attempts/01J/review"));
        assert!(!allowed(&statuses, &Method::POST, "/lessons/01J/done"));
        // Learning paths: read and write.
        assert!(allowed(
            &read,
            &Method::GET,
            "/api/kodeon/v1/learning-paths"
        ));
        assert!(allowed(&read, &Method::GET, "/learning-paths/01J"));
        assert!(!allowed(&read, &Method::POST, "/learning-paths"));
        assert!(!allowed(&statuses, &Method::DELETE, "/learning-paths/01J"));
        assert!(allowed(&rw, &Method::POST, "/learning-paths"));
        // A route missing from the table still needs read or write.
        assert!(!allowed(&read, &Method::POST, "/something/new"));
        assert!(allowed(&read, &Method::GET, "/something/new"));
    }
}
