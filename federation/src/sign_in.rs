//! "Sign in with your node", the hosting side's network part: the actor a
//! ticket names is resolved here (stored, or fetched as every actor is:
//! signed GET, domain blocks, the private-address policy, the document's
//! FEP-8b32 proof binding its ed25519 key), then the node checks the
//! ticket against that account and opens the learner session
//! ([`node::Node::open_learner_session`]).

use node::members::learner_sessions::LearnerSignIn;
use node::NodeError;
use protocol::sign_in_ticket::{SignedTicket, TicketError};
use protocol::urls::HttpUrl;

use crate::{Federation, FederationError};

/// How old a stored actor document must be before a ticket its key does
/// not verify has it fetched again (ms).
const REFETCH_AFTER_MS: i64 = 60_000;

/// Why a ticket opened no session.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// The ticket itself is unreadable (400).
    #[error("the ticket is malformed: {0}")]
    Ticket(#[from] TicketError),
    /// The node refused it: wrong audience (400); expired, replayed, bad
    /// signature, a local actor (401); or failed (500).
    #[error(transparent)]
    Node(#[from] NodeError),
    /// Its actor could not be had from its server (401: unknown actor).
    #[error("unknown actor: {0}")]
    UnknownActor(FederationError),
}

impl Federation {
    /// Reads `compact`, checks what needs no network (audience, time),
    /// refuses an actor of this node, resolves the actor, and opens a
    /// learner session for it. When the stored account's key does not
    /// verify the ticket, the actor is fetched again once (keys rotate).
    #[tracing::instrument(skip_all)]
    pub async fn accept_sign_in_ticket(&self, compact: &str) -> Result<LearnerSignIn, SignInError> {
        let ticket = SignedTicket::parse(compact)?;
        let node = self.node();
        node.check_sign_in_ticket(&ticket)?;
        let actor = HttpUrl::parse_canonical(&ticket.claims.actor)
            .map_err(|_| TicketError::Claims("actor is not an http(s) URL"))?;
        let actor_origin = format!("{}://{}", actor.scheme(), actor.authority());
        if actor_origin == node.own_origin()?
            || crate::uris::local_username(node, actor.as_str()).is_some()
        {
            return Err(NodeError::Unauthorized(
                "the ticket's actor is a member of this server: sign in here directly",
            )
            .into());
        }
        let mut member = self
            .resolve_actor(actor.as_str(), false)
            .await
            .map_err(SignInError::UnknownActor)?;
        let key_fails = !member.remote.as_ref().is_some_and(|r| r.has_ed25519)
            || ticket.verify(&member.keys.ed25519_public).is_err();
        // Fetched again at most once a minute, so forged tickets cannot
        // make this node hammer the actor's server.
        let fetched_lately = member
            .remote
            .as_ref()
            .is_some_and(|r| node::model::now_ms() - r.fetched_at < REFETCH_AFTER_MS);
        if key_fails && !fetched_lately {
            member = self
                .resolve_actor(actor.as_str(), true)
                .await
                .map_err(SignInError::UnknownActor)?;
        }
        Ok(node.open_learner_session(&ticket, &member).await?)
    }
}
