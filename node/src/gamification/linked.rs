//! Accounts controlled together: registered from the same IP address on
//! the same UTC day, or marked by a moderator. Interactions between them
//! (and with oneself) earn no points.
//!
//! The registration IP is never stored: only a blake3 hash keyed with a
//! key derived from the node secret, over the address and the day, so a
//! copy of the store cannot be searched for an address.

use std::net::IpAddr;

use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::now_ms;
use crate::node::{Node, Viewer};
use crate::store::{tables, Txn};

use super::badges::Metric;

/// Why two accounts count as one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Link {
    /// The same account.
    Same,
    /// Registered from the same address the same day.
    RegisteredTogether,
    /// Marked by a moderator.
    Flagged,
}

impl Link {
    /// In words, for the history.
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Link::Same => "no points for interacting with oneself",
            Link::RegisteredTogether => {
                "no points between accounts registered from the same address on the same day"
            }
            Link::Flagged => "no points between accounts a moderator marked as controlled together",
        }
    }
}

/// The keyed hash of (address, day).
pub(crate) fn registration_mark(key: &[u8; 32], ip: IpAddr, day: i64) -> [u8; 32] {
    let mut hasher = blake3::Hasher::new_keyed(key);
    hasher.update(ip.to_string().as_bytes());
    hasher.update(b"\0");
    hasher.update(&day.to_be_bytes());
    *hasher.finalize().as_bytes()
}

/// How `a` and `b` are linked, if they are.
pub(crate) fn link_between(txn: &Txn<'_>, a: Id, b: Id) -> NodeResult<Option<Link>> {
    if a == b {
        return Ok(Some(Link::Same));
    }
    if let (Some(x), Some(y)) = (
        txn.load::<tables::RegistrationMark>(a)?,
        txn.load::<tables::RegistrationMark>(b)?,
    ) {
        if x == y {
            return Ok(Some(Link::RegisteredTogether));
        }
    }
    if txn.has::<tables::LinkedAccounts>((a, b))? {
        return Ok(Some(Link::Flagged));
    }
    Ok(None)
}

impl Node {
    /// Records, in the registration's write, the keyed hash of where and
    /// when `member` registered, and that their profile exists (the
    /// `profile_complete` metric, which `pendatang_baru` reads).
    pub(crate) fn record_registration(
        &self,
        txn: &mut Txn<'_>,
        member: Id,
        ip: Option<IpAddr>,
        now: i64,
    ) -> NodeResult<()> {
        if let Some(ip) = ip {
            let mark =
                registration_mark(&self.gamification.mark_key, ip, super::board::day_of(now));
            txn.store::<tables::RegistrationMark>(member, &mark)?;
            txn.store::<tables::RegistrationMarkMembers>((mark, member), &())?;
        }
        let b = Metric::ProfileComplete.byte().unwrap_or(12);
        if txn.counter::<tables::MemberMetric>((member, b))? == 0 {
            txn.add::<tables::MemberMetric>((member, b), 1)?;
        }
        self.check_badges(txn, member, &[Metric::ProfileComplete], now)
    }

    /// A moderator marks two accounts as controlled together (or, with
    /// `linked` false, clears the mark). Logged in the audit log.
    pub async fn flag_linked_accounts(
        &self,
        viewer: &Viewer,
        a: &str,
        b: &str,
        linked: bool,
    ) -> NodeResult<()> {
        crate::moderation::require_moderator(viewer)?;
        let x = self.named_member(a)?;
        let y = self.named_member(b)?;
        if x.id == y.id {
            return Err(NodeError::invalid(
                "accounts",
                "name two different accounts",
            ));
        }
        let now = now_ms();
        self.write(|txn| {
            for (p, q) in [(x.id, y.id), (y.id, x.id)] {
                if linked {
                    txn.store::<tables::LinkedAccounts>((p, q), &now)?;
                } else {
                    txn.remove::<tables::LinkedAccounts>((p, q));
                }
            }
            self.audit(
                txn,
                Some(viewer),
                if linked {
                    "accounts.link"
                } else {
                    "accounts.unlink"
                },
                &format!("{} {}", x.username, y.username),
                "",
            )
        })
        .await
    }
}
