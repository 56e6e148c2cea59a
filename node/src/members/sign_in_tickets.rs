//! "Sign in with your node", the home side: a local member asks for a
//! ticket ([`protocol::sign_in_ticket`]) naming another Kodeon node, signed
//! with the member's own ed25519 key (the key their actor document
//! publishes as FEP-521a `assertionMethod`), and takes it there. Nothing
//! is stored: the ticket is a signature, short-lived and single-use at
//! the node that accepts it ([`super::learner_sessions`]).

use protocol::sign_in_ticket::{self, TicketClaims};
use rand::RngCore;

use crate::error::{NodeError, NodeResult};
use crate::model::now_ms;
use crate::node::{Node, Viewer};

/// How long a ticket minted here lives (seconds): long enough to follow a
/// redirect, well under the format's five-minute ceiling.
pub const TICKET_LIFETIME_SECS: i64 = 120;

/// Where a sign-in goes when the member named no page.
pub const DEFAULT_NEXT: &str = "/courses";

/// A ticket minted for a member.
#[derive(Debug, Clone)]
pub struct MintedTicket {
    /// The compact ticket.
    pub ticket: String,
    /// When it expires (ms since the epoch).
    pub expires_at: i64,
    /// The origin it is for.
    pub audience: String,
    /// The other node's sign-in URL carrying it, and `next`.
    pub sign_in_url: String,
}

impl Node {
    /// This node's own origin (`scheme://host[:port]`), which tickets for
    /// it must name as their audience.
    pub fn own_origin(&self) -> NodeResult<String> {
        sign_in_ticket::parse_origin(self.urls().base())
            .map_err(|_| NodeError::Internal("the node's base URL is not an origin".into()))
    }

    /// Mints a ticket for the viewer (a local person) to sign in at
    /// `audience` (an http(s) origin, 422 naming `audience` otherwise, or
    /// when it is this node), going to `next` there (a path; `/courses`
    /// when empty or not a path). Signed with the member's own key.
    pub fn mint_sign_in_ticket(
        &self,
        viewer: &Viewer,
        audience: &str,
        next: &str,
    ) -> NodeResult<MintedTicket> {
        let me = viewer.member()?;
        if !me.is_local() || !me.kind.is_person() {
            return Err(NodeError::Forbidden(
                "only members of this node sign in elsewhere with it",
            ));
        }
        let audience = sign_in_ticket::parse_origin(audience)
            .map_err(|e| NodeError::invalid("audience", e.to_string()))?;
        if audience.len() > sign_in_ticket::MAX_AUDIENCE_LEN {
            return Err(NodeError::invalid("audience", "is too long"));
        }
        if audience == self.own_origin()? {
            return Err(NodeError::invalid(
                "audience",
                "is this node: you are signed in here already",
            ));
        }
        let mut nonce = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let now = now_ms() / 1000;
        let claims = TicketClaims::new(
            &self.urls().actor(&me.username),
            &audience,
            now,
            TICKET_LIFETIME_SECS,
            nonce,
        );
        let key = me.keys.ed25519(&self.sealer, &me.id.to_bytes())?;
        let ticket = claims
            .sign(&key)
            .map_err(|e| NodeError::Internal(format!("sign-in ticket: {e}")))?;
        let next = if next.starts_with('/') && !next.starts_with("//") {
            next
        } else {
            DEFAULT_NEXT
        };
        Ok(MintedTicket {
            sign_in_url: sign_in_ticket::sign_in_url(&audience, &ticket, next),
            expires_at: claims.exp.saturating_mul(1000),
            audience,
            ticket,
        })
    }
}
