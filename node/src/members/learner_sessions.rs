//! "Sign in with your node", the hosting side: a member of another Kodeon
//! node hands over a ticket their home node signed
//! ([`protocol::sign_in_ticket`]) and gets a *learner session* here.
//!
//! The ticket must name this node's origin as its audience, be live
//! (allowing [`CLOCK_SKEW_SECS`] either way), be signed by the ed25519
//! key the actor's own document published (the account the federation
//! layer resolved for the ticket's actor, never a local one), and be
//! new: its nonce is recorded in the write that opens the session
//! ([`tables::SignInNonces`], kept until the ticket could no longer be
//! live), so a ticket opens one session at most.
//!
//! A learner session is not a members' session: its token is stored only
//! as a hash in [`tables::LearnerSessions`], it lasts
//! [`LEARNER_SESSION_MS`], and only the study pages read it
//! ([`Node::authenticate_learner`]); the viewer it gives is the remote
//! account, which the course methods treat as any member.

use base64::Engine;
use protocol::sign_in_ticket::SignedTicket;
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::{now_ms, Member, MemberStatus};
use crate::node::{Node, Viewer};
use crate::store::parts::Hash;
use crate::store::{hash_of, tables, Cut, Txn};

/// Difference allowed between the clocks of the two nodes (seconds).
pub const CLOCK_SKEW_SECS: i64 = 30;
/// How long a learner session lasts (ms): a day.
pub const LEARNER_SESSION_MS: i64 = 24 * 3_600_000;
/// Expired entries removed by each write that opens a session, at most.
const PRUNE_BATCH: usize = 32;

/// A remote member's learner session, stored under its token's hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LearnerSession {
    /// Its id.
    pub id: Id,
    /// The remote account it signs in.
    pub member: Id,
    /// When it was opened (ms).
    pub created_at: i64,
    /// When it ends (ms).
    pub expires_at: i64,
}

/// A learner session just opened.
#[derive(Debug, Clone)]
pub struct LearnerSignIn {
    /// The session's token (the cookie's value; stored only as a hash).
    pub token: String,
    /// The session.
    pub session: LearnerSession,
    /// Who signed in.
    pub member: Member,
}

/// A refusal of a ticket: 401 with what failed.
fn refused(why: &'static str) -> NodeError {
    NodeError::Unauthorized(why)
}

impl Node {
    /// The checks of a ticket that need neither its actor nor the store:
    /// its audience is this node, and it is live. Run before the actor is
    /// looked up, and again when the session is opened.
    pub fn check_sign_in_ticket(&self, ticket: &SignedTicket) -> NodeResult<()> {
        if ticket.claims.aud != self.own_origin()? {
            return Err(NodeError::invalid(
                "ticket",
                "the ticket is for another server (wrong audience)",
            ));
        }
        let now = now_ms() / 1000;
        ticket
            .claims
            .check_time(now, CLOCK_SKEW_SECS)
            .map_err(|e| match e {
                protocol::sign_in_ticket::TicketError::NotYetValid => {
                    refused("the ticket is not valid yet (check the clocks)")
                }
                _ => refused("the ticket has expired: sign in from your server again"),
            })
    }

    /// Opens a learner session for `member`, the account of the ticket's
    /// actor as the federation layer resolved it: a remote person whose
    /// actor id is the ticket's and whose published ed25519 key signed
    /// it. The nonce is recorded and the session stored in one write; a
    /// ticket seen before is refused (replay).
    pub async fn open_learner_session(
        &self,
        ticket: &SignedTicket,
        member: &Member,
    ) -> NodeResult<LearnerSignIn> {
        self.check_sign_in_ticket(ticket)?;
        let Some(remote) = member.remote.as_ref() else {
            return Err(refused(
                "the ticket's actor is a member of this server: sign in here directly",
            ));
        };
        if remote.actor_id != ticket.claims.actor {
            return Err(refused("unknown actor: the ticket names another account"));
        }
        if !member.kind.is_person() || member.status != MemberStatus::Active {
            return Err(refused("unknown actor: this account cannot sign in here"));
        }
        if !remote.has_ed25519 {
            return Err(refused(
                "the actor publishes no ed25519 key to check the ticket with",
            ));
        }
        ticket
            .verify(&member.keys.ed25519_public)
            .map_err(|_| refused("bad signature: the ticket was not signed by its actor"))?;

        let nonce = hash_of(&format!("{}\n{}", ticket.claims.actor, ticket.claims.nonce));
        let nonce_until = ticket
            .claims
            .exp
            .saturating_add(CLOCK_SKEW_SECS)
            .saturating_mul(1000);
        let token = new_token();
        let hash = hash_of(&token);
        let now = now_ms();
        let session = LearnerSession {
            id: self.ids.next(),
            member: member.id,
            created_at: now,
            expires_at: now + LEARNER_SESSION_MS,
        };
        let stored = session.clone();
        self.write(move |txn| {
            if txn.has::<tables::SignInNonces>(&nonce)? {
                return Err(refused("this ticket was used already (replayed)"));
            }
            prune(txn, now)?;
            txn.store::<tables::SignInNonces>(&nonce, &nonce_until)?;
            txn.store::<tables::SignInNoncesByExpiry>((key_ms(nonce_until), nonce), &())?;
            txn.store::<tables::LearnerSessions>(&hash, &stored)?;
            txn.store::<tables::LearnerSessionsByExpiry>((key_ms(stored.expires_at), hash), &())?;
            Ok(())
        })
        .await?;
        tracing::info!(member = %member.id, actor = %ticket.claims.actor, "learner session opened");
        Ok(LearnerSignIn {
            token,
            session,
            member: member.clone(),
        })
    }

    /// The remote member a learner session token signs in, while the
    /// session lasts and the account is active (401 otherwise).
    pub fn authenticate_learner(&self, token: &str) -> NodeResult<(Viewer, LearnerSession)> {
        let session = self
            .store
            .load::<tables::LearnerSessions>(&hash_of(token))?
            .filter(|s| s.expires_at > now_ms())
            .ok_or(NodeError::Unauthorized("no learner session"))?;
        match self.member(session.member)? {
            Some(m) if !m.is_local() && m.status == MemberStatus::Active => {
                Ok((Viewer::Member(Box::new(m)), session))
            }
            _ => Err(NodeError::Unauthorized("no learner session")),
        }
    }

    /// Ends the learner session of `token` (`false` when there was none).
    pub async fn end_learner_session(&self, token: &str) -> NodeResult<bool> {
        let hash = hash_of(token);
        self.write(move |txn| {
            let Some(session) = txn.load::<tables::LearnerSessions>(&hash)? else {
                return Ok(false);
            };
            txn.remove::<tables::LearnerSessions>(&hash);
            txn.remove::<tables::LearnerSessionsByExpiry>((key_ms(session.expires_at), hash));
            Ok(true)
        })
        .await
    }
}

/// Removes up to [`PRUNE_BATCH`] nonces and sessions past their time.
fn prune(txn: &mut Txn<'_>, now: i64) -> NodeResult<()> {
    let until = Cut::at((key_ms(now),));
    let nonces: Vec<(u64, Hash)> = txn
        .range::<tables::SignInNoncesByExpiry>(Cut::start(), until, false)
        .keys()
        .take(PRUNE_BATCH)
        .collect::<NodeResult<_>>()?;
    for key in nonces {
        txn.remove::<tables::SignInNonces>(&key.1);
        txn.remove::<tables::SignInNoncesByExpiry>(key);
    }
    let until = Cut::at((key_ms(now),));
    let sessions: Vec<(u64, Hash)> = txn
        .range::<tables::LearnerSessionsByExpiry>(Cut::start(), until, false)
        .keys()
        .take(PRUNE_BATCH)
        .collect::<NodeResult<_>>()?;
    for key in sessions {
        txn.remove::<tables::LearnerSessions>(&key.1);
        txn.remove::<tables::LearnerSessionsByExpiry>(key);
    }
    Ok(())
}

/// Milliseconds as a key part (before the epoch: 0).
fn key_ms(ms: i64) -> u64 {
    u64::try_from(ms).unwrap_or(0)
}

/// 256 random bits, URL-safe base64 without padding.
fn new_token() -> String {
    let mut raw = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}
