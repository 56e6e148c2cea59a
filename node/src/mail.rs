//! The outgoing-mail queue: e-mail the node's own actions call for
//! (a sign-up's confirmation link, a password reset link), written in the
//! same atomic write as the change that calls for it, so nothing accepted
//! is lost to a crash before it is sent.
//!
//! The node knows no SMTP: a worker outside it (the web layer's, run by
//! the binary when an SMTP server is configured) reads what is due with
//! [`Node::due_mail`], renders and sends each message, and reports back
//! with [`Node::mail_sent`] or [`Node::mail_failed`].
//!
//! A queued message carries its link's token until it is sent (seconds,
//! normally); the token's record stores only its hash. A message is given
//! up when its link expires or after [`MAX_ATTEMPTS`] failures.

use serde::{Deserialize, Serialize};

use crate::error::NodeResult;
use crate::events::Event;
use crate::id::Id;
use crate::model::now_ms;
use crate::node::Node;
use crate::store::{tables, Txn};

/// Failed attempts after which a message is given up.
pub const MAX_ATTEMPTS: u32 = 10;

/// First retry delay (ms); each later one doubles, up to [`MAX_RETRY_MS`].
const RETRY_BASE_MS: i64 = 30_000;
/// Longest delay between two attempts (ms).
const MAX_RETRY_MS: i64 = 30 * 60_000;

/// What a message says. The sender renders it (subject, text, links from
/// [`Node::urls`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MailMessage {
    /// Confirm the address given at sign-up.
    ConfirmEmail {
        /// The new member's username.
        username: String,
        /// The link's token (`LocalUrls::confirm_email`).
        token: String,
    },
    /// A link to set a new password.
    ResetPassword {
        /// The member's username.
        username: String,
        /// The link's token (`LocalUrls::reset_password`).
        token: String,
    },
}

/// One queued e-mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingMail {
    /// Its id (time-ordered).
    pub id: Id,
    /// The recipient's address.
    pub to: String,
    /// What it says.
    pub message: MailMessage,
    /// When its link expires (ms): not sent after that.
    pub expires_at: i64,
    /// Failed attempts so far.
    pub attempts: u32,
    /// Not before (ms).
    pub next_attempt_at: i64,
    /// The last failure, for the log.
    #[serde(default)]
    pub last_error: String,
}

impl Node {
    /// Whether the node sends e-mail ([`crate::NodeConfig::email`]).
    pub fn email_enabled(&self) -> bool {
        self.config().email
    }

    /// Stages `message` to `to` inside `txn`; the mail worker is woken
    /// once the write is durable.
    pub(crate) fn queue_mail(
        &self,
        txn: &mut Txn<'_>,
        to: &str,
        message: MailMessage,
        expires_at: i64,
    ) -> NodeResult<()> {
        let mail = OutgoingMail {
            id: self.ids.next(),
            to: to.to_string(),
            message,
            expires_at,
            attempts: 0,
            next_attempt_at: 0,
            last_error: String::new(),
        };
        txn.store::<tables::MailOutbox>(mail.id, &mail)?;
        txn.emit(Event::MailQueued);
        Ok(())
    }

    /// Up to `limit` queued messages due now, oldest first. Messages whose
    /// link has expired are dropped instead (logged).
    pub async fn due_mail(&self, limit: usize) -> NodeResult<Vec<OutgoingMail>> {
        let now = now_ms();
        let mut due = Vec::new();
        let mut expired = Vec::new();
        for entry in self.store.scan::<tables::MailOutbox>((), false).values() {
            let mail = entry?;
            if mail.expires_at <= now {
                expired.push(mail);
            } else if mail.next_attempt_at <= now && due.len() < limit {
                due.push(mail);
            }
        }
        if !expired.is_empty() {
            for mail in &expired {
                tracing::warn!(mail = %mail.id, attempts = mail.attempts, error = %mail.last_error, "e-mail given up: its link expired before it could be sent");
            }
            self.write(|txn| {
                for mail in &expired {
                    txn.remove::<tables::MailOutbox>(mail.id);
                }
                Ok(())
            })
            .await?;
        }
        Ok(due)
    }

    /// When the next queued message falls due (ms), if any is queued.
    pub fn next_mail_due(&self) -> NodeResult<Option<i64>> {
        let mut next: Option<i64> = None;
        for entry in self.store.scan::<tables::MailOutbox>((), false).values() {
            let at = entry?.next_attempt_at;
            next = Some(next.map_or(at, |n| n.min(at)));
        }
        Ok(next)
    }

    /// The message was handed to the SMTP server: it leaves the queue.
    pub async fn mail_sent(&self, id: Id) -> NodeResult<()> {
        self.write(|txn| {
            txn.remove::<tables::MailOutbox>(id);
            Ok(())
        })
        .await
    }

    /// Sending the message failed with `error`: it is tried again later
    /// (the delay doubles from 30 s up to 30 min), or given up after
    /// [`MAX_ATTEMPTS`] failures.
    pub async fn mail_failed(&self, id: Id, error: &str) -> NodeResult<()> {
        let now = now_ms();
        self.write(|txn| {
            let Some(mut mail) = txn.load::<tables::MailOutbox>(id)? else {
                return Ok(());
            };
            mail.attempts += 1;
            mail.last_error = error.chars().take(500).collect();
            if mail.attempts >= MAX_ATTEMPTS {
                tracing::warn!(mail = %id, error = %mail.last_error, "e-mail given up after {MAX_ATTEMPTS} failed attempts");
                txn.remove::<tables::MailOutbox>(id);
                return Ok(());
            }
            let shift = (mail.attempts - 1).min(16);
            let delay = (RETRY_BASE_MS << shift).min(MAX_RETRY_MS);
            mail.next_attempt_at = now + delay;
            txn.store::<tables::MailOutbox>(id, &mail)
        })
        .await
    }

    /// Every queued message (tests and diagnostics), oldest first.
    pub fn queued_mail(&self) -> NodeResult<Vec<OutgoingMail>> {
        self.store
            .scan::<tables::MailOutbox>((), false)
            .values()
            .collect()
    }
}
