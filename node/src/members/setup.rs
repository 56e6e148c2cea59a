//! First-start setup: a one-time token lets the operator create the admin.

use base64::Engine;
use rand::RngCore;

use crate::error::{NodeError, NodeResult};
use crate::model::Member;
use crate::node::Node;
use crate::store::tables;

use super::NewMember;

impl Node {
    /// While no admin exists, issues a new one-time setup token (replacing
    /// any earlier one, whose plain form is lost) and returns it.
    pub(crate) fn issue_setup_token_if_needed(&self) -> NodeResult<Option<String>> {
        if self.store.has::<tables::AdminExists>(())? {
            return Ok(None);
        }
        let mut raw = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut raw);
        let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
        let hash = blake3::hash(token.as_bytes()).as_bytes().to_vec();
        self.store
            .write_blocking(|txn| txn.store::<tables::SetupToken>((), &hash))?;
        Ok(Some(token))
    }

    /// Whether the node still waits for its first admin.
    pub fn needs_setup(&self) -> NodeResult<bool> {
        Ok(!self.store.has::<tables::AdminExists>(())?)
    }

    /// Uses the setup token to create the first admin. The token works
    /// once: it is checked inside the write that creates the admin and
    /// retires it, so of requests racing with it exactly one succeeds.
    pub async fn complete_setup(&self, token: &str, admin: NewMember) -> NodeResult<Member> {
        if !self.store.has::<tables::SetupToken>(())? {
            return Err(NodeError::Forbidden("setup is already complete"));
        }
        self.create_admin_with_setup_token(admin, blake3::hash(token.as_bytes()))
            .await
    }

    /// Records that an admin exists and retires the setup token.
    pub(crate) async fn mark_admin_exists(&self) -> NodeResult<()> {
        self.write(mark_admin_exists_in).await
    }
}

/// Checks, inside `txn`, that `given` is the hash of the current setup
/// token (none is left once an admin exists).
pub(crate) fn check_setup_token_in(
    txn: &crate::store::Txn<'_>,
    given: blake3::Hash,
) -> NodeResult<()> {
    let stored = txn
        .load::<tables::SetupToken>(())?
        .ok_or(NodeError::Forbidden("setup is already complete"))?;
    // blake3::Hash compares in constant time.
    if blake3::Hash::from_slice(&stored).ok() != Some(given) {
        return Err(NodeError::Unauthorized("invalid setup token"));
    }
    Ok(())
}

/// Records, inside `txn`, that an admin exists and retires the setup token
/// (written with the admin's account, so the two never disagree).
pub(crate) fn mark_admin_exists_in(txn: &mut crate::store::Txn<'_>) -> NodeResult<()> {
    txn.store::<tables::AdminExists>((), &true)?;
    txn.remove::<tables::SetupToken>(());
    Ok(())
}
