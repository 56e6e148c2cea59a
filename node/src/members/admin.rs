//! Admin actions on members: promote, suspend, reset password.

use crate::error::{NodeError, NodeResult};
use crate::model::{Member, MemberStatus, Role};
use crate::node::Node;
use crate::store::tables;
use crate::validate;

impl Node {
    /// Sets a member's role.
    pub async fn set_role(&self, username: &str, role: Role) -> NodeResult<Member> {
        let member = self
            .update_member(username, |m| {
                m.role = role;
                Ok(())
            })
            .await?;
        if role == Role::Admin {
            self.mark_admin_exists().await?;
        }
        // Admins seed trust: the trust worker recomputes at its next look.
        self.write(|txn| txn.add::<tables::TrustSeedChanges>((), 1))
            .await?;
        Ok(member)
    }

    /// Suspends (or unsuspends) a member. Suspension revokes every session
    /// and hides their content.
    pub async fn set_suspended(&self, username: &str, suspended: bool) -> NodeResult<Member> {
        let member = self.named_member(username)?;
        let status = if suspended {
            MemberStatus::Suspended
        } else {
            MemberStatus::Active
        };
        let mut updated = member.clone();
        updated.status = status;
        self.write(|txn| {
            txn.store::<tables::Member>(member.id, &updated)?;
            if suspended {
                self.revoke_all_sessions(txn, member.id)?;
            }
            Ok(())
        })
        .await?;
        tracing::info!(member = %username, suspended, "member status changed");
        Ok(updated)
    }

    /// Sets a new password and revokes every session.
    pub async fn reset_password(&self, username: &str, password: &str) -> NodeResult<Member> {
        validate::password("password", password)?;
        let member = self.named_member(username)?;
        let plain = password.to_string();
        let hash = tokio::task::spawn_blocking(move || super::register::hash_password(&plain))
            .await
            .map_err(|e| NodeError::Internal(e.to_string()))??;
        let mut updated = member.clone();
        updated.password_hash = hash;
        self.write(|txn| {
            txn.store::<tables::Member>(member.id, &updated)?;
            self.revoke_all_sessions(txn, member.id)
        })
        .await?;
        Ok(updated)
    }

    /// Applies `change` to a member's record atomically.
    pub(crate) async fn update_member(
        &self,
        username: &str,
        change: impl FnOnce(&mut Member) -> NodeResult<()>,
    ) -> NodeResult<Member> {
        let id = self.named_member(username)?.id;
        self.write(|txn| {
            let key = id;
            let mut member: Member = txn
                .load::<tables::Member>(key)?
                .ok_or(NodeError::NotFound("member"))?;
            change(&mut member)?;
            txn.store::<tables::Member>(key, &member)?;
            Ok(member)
        })
        .await
    }
}
