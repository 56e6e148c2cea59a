//! One login policy for every way in (the Kodeon API, the OAuth password
//! grant and authorize form, the admin panel, and any later form): failed
//! passwords are counted per account, whichever name or e-mail address
//! was typed and whichever address they came from, and an account that
//! reached its limit takes no password at all, right or wrong, until its
//! window ends (else the guess that succeeds would still tell).
//!
//! Per-IP limits stay in the web layer (transport policy); this is the
//! limit an attacker with many addresses meets.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::id::Id;
use crate::model::now_ms;

/// How long a window of counted failures lasts.
const WINDOW_MS: i64 = 3600 * 1000;

/// Unknown login names share this many counters (by hash), so that a
/// flood of invented names cannot grow the table without bound.
const UNKNOWN_BUCKETS: u64 = 1 << 16;

/// Whom a login attempt was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum LoginTarget {
    /// An account that exists (by id, whatever was typed).
    Account(Id),
    /// A name or address that names no account (one of a fixed set of
    /// buckets), so that probing unknown names is limited too.
    Unknown(u64),
}

impl LoginTarget {
    /// The target for a login text that names no account.
    pub(crate) fn unknown(login: &str) -> LoginTarget {
        let hash = blake3::hash(login.trim().to_lowercase().as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&hash.as_bytes()[..8]);
        LoginTarget::Unknown(u64::from_le_bytes(first) % UNKNOWN_BUCKETS)
    }
}

/// Failed-login counters, in memory (a restart forgives, as Mastodon's
/// Redis-backed throttles forget on flush).
pub(crate) struct LoginGuard {
    limit: u32,
    failures: Mutex<HashMap<LoginTarget, Window>>,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: i64,
    failures: u32,
}

impl LoginGuard {
    /// At most `failures_per_hour` failed passwords per account (0: no limit).
    pub(crate) fn new(failures_per_hour: u32) -> LoginGuard {
        LoginGuard {
            limit: failures_per_hour,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(seconds to wait)` when `target` has used up its attempts.
    pub(crate) fn check(&self, target: LoginTarget) -> Result<(), u64> {
        if self.limit == 0 {
            return Ok(());
        }
        let now = now_ms();
        let table = match self.failures.lock() {
            Ok(t) => t,
            Err(poisoned) => poisoned.into_inner(),
        };
        match table.get(&target) {
            Some(w) if now - w.started < WINDOW_MS && w.failures >= self.limit => {
                Err(((w.started + WINDOW_MS - now) / 1000).max(1) as u64)
            }
            _ => Ok(()),
        }
    }

    /// Counts a failed password for `target`.
    pub(crate) fn failed(&self, target: LoginTarget) {
        if self.limit == 0 {
            return;
        }
        let now = now_ms();
        let mut table = match self.failures.lock() {
            Ok(t) => t,
            Err(poisoned) => poisoned.into_inner(),
        };
        if table.len() >= 100_000 {
            table.retain(|_, w| now - w.started < WINDOW_MS);
        }
        let window = table.entry(target).or_insert(Window {
            started: now,
            failures: 0,
        });
        if now - window.started >= WINDOW_MS {
            *window = Window {
                started: now,
                failures: 0,
            };
        }
        window.failures = window.failures.saturating_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_takes_no_password_once_its_failures_reach_the_limit() {
        let guard = LoginGuard::new(3);
        let alice = LoginTarget::Account(Id::MIN);
        for _ in 0..3 {
            assert_eq!(guard.check(alice), Ok(()));
            guard.failed(alice);
        }
        let wait = guard.check(alice).expect_err("limited");
        assert!(wait > 3000 && wait <= 3600, "{wait}");
        // Another account is not affected.
        assert_eq!(guard.check(LoginTarget::Account(Id::MAX)), Ok(()));
        // Unknown names share bounded buckets, case-insensitively.
        assert_eq!(
            LoginTarget::unknown("Nobody"),
            LoginTarget::unknown(" nobody")
        );
        assert!(
            matches!(LoginTarget::unknown("x"), LoginTarget::Unknown(b) if b < UNKNOWN_BUCKETS)
        );
        // No limit at all when configured so.
        let open = LoginGuard::new(0);
        for _ in 0..10 {
            open.failed(alice);
        }
        assert_eq!(open.check(alice), Ok(()));
    }
}
