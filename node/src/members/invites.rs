//! Invites (invite-only nodes) and approving pending members (approval mode).

use base64::Engine;
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::error::{NodeError, NodeResult};
use crate::model::{now_ms, Member, MemberStatus};
use crate::node::{Node, Viewer};
use crate::store::parts::Hash;
use crate::store::{hash_of, tables, Txn};

/// A stored invite.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Invite {
    /// Registrations it still allows.
    pub uses_left: u32,
    /// Created (ms).
    pub created_at: i64,
}

/// Stages one use of the invite whose code hashes to `key` (codes are
/// stored hashed); the last use deletes it.
pub(crate) fn consume(txn: &mut Txn<'_>, key: &Hash) -> NodeResult<()> {
    let mut invite = txn
        .load::<tables::Invite>(key)?
        .ok_or_else(|| NodeError::invalid("invite_code", "is missing or not valid"))?;
    invite.uses_left = invite.uses_left.saturating_sub(1);
    if invite.uses_left == 0 {
        txn.remove::<tables::Invite>(key);
    } else {
        txn.store::<tables::Invite>(key, &invite)?;
    }
    Ok(())
}

impl Node {
    /// Creates an invite code good for `uses` registrations.
    pub async fn create_invite(&self, uses: u32) -> NodeResult<String> {
        if uses == 0 || uses > 10_000 {
            return Err(NodeError::invalid("uses", "must be between 1 and 10000"));
        }
        let mut raw = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut raw);
        let code = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
        let invite = Invite {
            uses_left: uses,
            created_at: now_ms(),
        };
        self.write(|txn| txn.store::<tables::Invite>(hash_of(&code), &invite))
            .await?;
        Ok(code)
    }

    /// Creates an invite code as an admin (audited).
    pub async fn create_invite_as(&self, viewer: &Viewer, uses: u32) -> NodeResult<String> {
        if !viewer.has_role(crate::model::Role::Admin) {
            return Err(NodeError::Forbidden("only admins can create invites"));
        }
        let code = self.create_invite(uses).await?;
        self.write(|txn| {
            self.audit(
                txn,
                Some(viewer),
                "invite.create",
                "node",
                &format!("{uses} uses"),
            )
        })
        .await?;
        Ok(code)
    }

    /// Approves a member waiting for approval.
    pub async fn approve_member(&self, username: &str) -> NodeResult<Member> {
        let member = self.named_member(username)?;
        if member.status != MemberStatus::Pending {
            return Err(NodeError::conflict("username", "is not awaiting approval"));
        }
        self.update_member(username, |m| {
            m.status = MemberStatus::Active;
            Ok(())
        })
        .await?;
        self.write(|txn| {
            txn.remove::<tables::PendingMembers>(member.id);
            Ok(())
        })
        .await?;
        self.named_member(username)
    }

    /// Rejects a member waiting for approval: the account is deleted and
    /// the username and email become free again.
    pub async fn reject_member(&self, username: &str) -> NodeResult<()> {
        let member = self.named_member(username)?;
        if member.status != MemberStatus::Pending {
            return Err(NodeError::conflict("username", "is not awaiting approval"));
        }
        self.write(|txn| {
            txn.remove::<tables::Member>(member.id);
            txn.remove::<tables::MemberByName>(&member.username.to_lowercase());
            txn.remove::<tables::MemberByEmail>(&member.email);
            txn.remove::<tables::MemberByKey>(member.keys.ed25519_public.as_bytes());
            txn.remove::<tables::PendingMembers>(member.id);
            self.revoke_all_sessions(txn, member.id)?;
            txn.add::<tables::MemberTotal>((), -1)?;
            Ok(())
        })
        .await
    }
}
