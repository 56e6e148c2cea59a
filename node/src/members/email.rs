//! E-mailed links: the sign-up confirmation and the password reset.
//!
//! Both work only when the node sends e-mail ([`Node::email_enabled`]).
//! A link's token is 256 random bits, sent once and stored only as its
//! blake3 hash; it is good for one use until it expires, and a new link of
//! the same purpose replaces the member's previous one. The message is
//! queued ([`crate::mail`]) in the write that makes the token.
//!
//! - **Confirmation.** A member who signs up ([`Node::register`]) on a
//!   node that sends e-mail starts unconfirmed
//!   ([`crate::model::Member::email_unconfirmed`]) and cannot sign in, nor
//!   use a token, until they follow the link (as on Mastodon). They may ask
//!   for the link again ([`Node::resend_confirmation`]). Accounts made by
//!   an admin or at setup, and every account of a node without e-mail, are
//!   confirmed at once.
//! - **Password reset.** [`Node::request_password_reset`] answers the same
//!   whether or not the account exists; the link
//!   ([`Node::reset_password_with_token`]) sets a new password (the
//!   password rules apply), ends every session and confirms the address.
//!
//! Each account gets at most [`MAX_PER_HOUR`] links of a purpose an hour;
//! past that, requests are answered as usual and send nothing.

use base64::Engine;
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::error::{NodeError, NodeResult};
use crate::mail::MailMessage;
use crate::model::{now_ms, Member, MemberStatus, Role};
use crate::node::{Node, Viewer};
use crate::store::parts::Hash;
use crate::store::{hash_of, tables, Txn};

/// Links of one purpose sent to one account per hour, at most.
pub const MAX_PER_HOUR: usize = 3;
/// How long a confirmation link works (ms): a day.
pub const CONFIRM_LIFETIME_MS: i64 = 24 * HOUR_MS;
/// How long a password reset link works (ms): an hour.
pub const RESET_LIFETIME_MS: i64 = HOUR_MS;

const HOUR_MS: i64 = 3_600_000;

/// What an e-mailed token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenPurpose {
    /// Confirming the address given at sign-up.
    ConfirmEmail,
    /// Setting a new password.
    ResetPassword,
}

impl TokenPurpose {
    /// Its byte in [`tables::MemberEmailToken`] keys.
    fn byte(self) -> u8 {
        match self {
            TokenPurpose::ConfirmEmail => 1,
            TokenPurpose::ResetPassword => 2,
        }
    }

    fn lifetime_ms(self) -> i64 {
        match self {
            TokenPurpose::ConfirmEmail => CONFIRM_LIFETIME_MS,
            TokenPurpose::ResetPassword => RESET_LIFETIME_MS,
        }
    }
}

/// A live e-mailed token, stored under the hash of the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailToken {
    /// Whose it is.
    pub member: crate::Id,
    /// What it is for.
    pub purpose: TokenPurpose,
    /// When it stops working (ms).
    pub expires_at: i64,
}

/// A member's tokens of one purpose: the live one and recent sends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenState {
    /// The hash of the live token, if any.
    pub current: Option<Hash>,
    /// When links were sent in the last hour (ms).
    pub sent: Vec<i64>,
}

/// The message an unconfirmed account gets when it tries to sign in.
pub const UNCONFIRMED: &str =
    "confirm your e-mail address first: follow the link we sent to it (or ask for it again)";

impl Node {
    /// Makes a token of `purpose` for `member` and queues its message,
    /// inside `txn`; replaces the member's previous token of that purpose.
    /// Returns `false` (nothing sent) when the member had their hourly
    /// share of links already.
    pub(crate) fn stage_email_token(
        &self,
        txn: &mut Txn<'_>,
        member: &Member,
        purpose: TokenPurpose,
    ) -> NodeResult<bool> {
        let now = now_ms();
        let key = (member.id, purpose.byte());
        let mut state = txn
            .load::<tables::MemberEmailToken>(key)?
            .unwrap_or_default();
        state.sent.retain(|at| now - at < HOUR_MS);
        if state.sent.len() >= MAX_PER_HOUR {
            return Ok(false);
        }
        if let Some(old) = state.current.take() {
            txn.remove::<tables::EmailToken>(&old);
        }
        let token = new_token();
        let hash = hash_of(&token);
        let expires_at = now + purpose.lifetime_ms();
        txn.store::<tables::EmailToken>(
            &hash,
            &EmailToken {
                member: member.id,
                purpose,
                expires_at,
            },
        )?;
        state.current = Some(hash);
        state.sent.push(now);
        txn.store::<tables::MemberEmailToken>(key, &state)?;
        let username = member.username.clone();
        let message = match purpose {
            TokenPurpose::ConfirmEmail => MailMessage::ConfirmEmail { username, token },
            TokenPurpose::ResetPassword => MailMessage::ResetPassword { username, token },
        };
        self.queue_mail(txn, &member.email, message, expires_at)?;
        Ok(true)
    }

    /// Follows a confirmation link: the account may sign in from now on.
    /// A used, replaced or unknown link is `Invalid` (field `token`), and so
    /// is an expired one, with words that say so.
    pub async fn confirm_email(&self, token: &str) -> NodeResult<Member> {
        let hash = hash_of(token);
        self.write(|txn| {
            let found = take_token(txn, &hash, TokenPurpose::ConfirmEmail)?;
            let mut member: Member = txn
                .load::<tables::Member>(found.member)?
                .ok_or(NodeError::NotFound("member"))?;
            member.email_unconfirmed = false;
            txn.store::<tables::Member>(member.id, &member)?;
            Ok(member)
        })
        .await
    }

    /// Sends the confirmation link again to the account named by `login`
    /// (username or e-mail address), if it exists and is unconfirmed.
    /// Answers the same in every case, so it reveals no account; `Forbidden`
    /// only when the node sends no e-mail.
    pub async fn resend_confirmation(&self, login: &str) -> NodeResult<()> {
        self.require_email()?;
        let Some(member) = self.member_by_login(login)? else {
            return Ok(());
        };
        if !member.email_unconfirmed || member.status == MemberStatus::Suspended {
            return Ok(());
        }
        self.write(|txn| self.stage_email_token(txn, &member, TokenPurpose::ConfirmEmail))
            .await?;
        Ok(())
    }

    /// Sends a password reset link to the account named by `login`
    /// (username or e-mail address), if there is one. Answers the same
    /// whether or not it exists; `Forbidden` only when the node sends no
    /// e-mail (then an admin resets passwords: `kodeon admin
    /// reset-password`).
    pub async fn request_password_reset(&self, login: &str) -> NodeResult<()> {
        self.require_email()?;
        let Some(member) = self.member_by_login(login)? else {
            tracing::info!("password reset asked for an unknown account");
            return Ok(());
        };
        if member.status == MemberStatus::Suspended {
            return Ok(());
        }
        self.write(|txn| self.stage_email_token(txn, &member, TokenPurpose::ResetPassword))
            .await?;
        Ok(())
    }

    /// Whether `token` is a live password reset link (the form is shown
    /// only for one): `Invalid` (field `token`) otherwise.
    pub fn check_password_reset(&self, token: &str) -> NodeResult<()> {
        let found = self.store.load::<tables::EmailToken>(&hash_of(token))?;
        live(found, TokenPurpose::ResetPassword).map(|_| ())
    }

    /// Follows a password reset link: sets `new_password` (the password
    /// rules apply, field `new_password`), ends every session of the
    /// member, and confirms their address (the link reached it). The link
    /// works once.
    pub async fn reset_password_with_token(
        &self,
        token: &str,
        new_password: &str,
    ) -> NodeResult<Member> {
        crate::validate::password("new_password", new_password)?;
        self.check_password_reset(token)?;
        let plain = new_password.to_string();
        let password_hash =
            tokio::task::spawn_blocking(move || super::register::hash_password(&plain))
                .await
                .map_err(|e| NodeError::Internal(e.to_string()))??;
        let hash = hash_of(token);
        let member = self
            .write(|txn| {
                let found = take_token(txn, &hash, TokenPurpose::ResetPassword)?;
                let mut member: Member = txn
                    .load::<tables::Member>(found.member)?
                    .ok_or(NodeError::NotFound("member"))?;
                member.password_hash = password_hash.clone();
                member.email_unconfirmed = false;
                txn.store::<tables::Member>(member.id, &member)?;
                self.revoke_all_sessions(txn, member.id)?;
                Ok(member)
            })
            .await?;
        tracing::info!(member = %member.username, "password reset by e-mailed link");
        Ok(member)
    }

    /// Checks that `viewer`, an admin, may send a test e-mail to `to` (a
    /// valid address, field `to`), and notes it in the audit log. The
    /// caller sends it.
    pub async fn authorize_test_mail(&self, viewer: &Viewer, to: &str) -> NodeResult<()> {
        if !viewer.has_role(Role::Admin) {
            return Err(NodeError::Forbidden("only admins can send a test e-mail"));
        }
        self.require_email()?;
        crate::validate::email("to", to)?;
        self.write(|txn| self.audit(txn, Some(viewer), "send test e-mail", to, ""))
            .await
    }

    /// `Forbidden` when the node sends no e-mail.
    fn require_email(&self) -> NodeResult<()> {
        if self.email_enabled() {
            Ok(())
        } else {
            Err(NodeError::Forbidden("e-mail is not set up on this node"))
        }
    }

    /// The local, not deleted account a username or e-mail address names.
    fn member_by_login(&self, login: &str) -> NodeResult<Option<Member>> {
        let login = login.trim();
        if login.is_empty() {
            return Ok(None);
        }
        let member = if login.contains('@') {
            match self
                .store
                .load::<tables::MemberByEmail>(&login.to_lowercase())?
            {
                Some(id) => self.member(id)?,
                None => None,
            }
        } else {
            self.member_by_name(login)?
        };
        // A group is an account without an address or a password.
        Ok(member.filter(|m| m.is_local() && m.deleted_at.is_none() && m.kind.is_person()))
    }
}

/// 256 random bits, URL-safe base64 without padding (43 characters).
fn new_token() -> String {
    let mut raw = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

/// The token if it is live and of `purpose`.
fn live(found: Option<EmailToken>, purpose: TokenPurpose) -> NodeResult<EmailToken> {
    match found {
        Some(t) if t.purpose == purpose && t.expires_at > now_ms() => Ok(t),
        Some(t) if t.purpose == purpose => Err(NodeError::invalid(
            "token",
            "this link has expired; ask for a new one",
        )),
        _ => Err(NodeError::invalid(
            "token",
            "this link is not valid: it was used already, or a newer one replaced it",
        )),
    }
}

/// Checks and removes a token inside a write (single use).
fn take_token(txn: &mut Txn<'_>, hash: &Hash, purpose: TokenPurpose) -> NodeResult<EmailToken> {
    let found = live(txn.load::<tables::EmailToken>(hash)?, purpose)?;
    txn.remove::<tables::EmailToken>(hash);
    let key = (found.member, purpose.byte());
    if let Some(mut state) = txn.load::<tables::MemberEmailToken>(key)? {
        if state.current.as_ref() == Some(hash) {
            state.current = None;
            txn.store::<tables::MemberEmailToken>(key, &state)?;
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests;
