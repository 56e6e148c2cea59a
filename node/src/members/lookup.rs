//! Finding members: by id, by name prefix; relationships in bulk.

use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::{Member, MemberStatus, MemberView, Relationship};
use crate::node::{Node, Viewer};
use crate::store::{tables, StrStart};

impl Node {
    /// The username of an active member (`NotFound` otherwise).
    pub fn username_by_id(&self, id: Id) -> NodeResult<String> {
        match self.member(id)? {
            Some(m) if m.status == MemberStatus::Active => Ok(m.username),
            _ => Err(NodeError::NotFound("member")),
        }
    }

    /// The public halves of an active member's keys: (ed25519, RSA SPKI PEM).
    pub fn public_keys(&self, username: &str) -> NodeResult<(identity::PublicKey, String)> {
        let m = self.active_member_by_name(username)?;
        Ok((m.keys.ed25519_public, m.keys.rsa_public_pem))
    }

    /// Signs `message` with a local member's own ed25519 key (the proofs
    /// on what the node publishes for them, such as their actor).
    pub fn sign_as_member(
        &self,
        username: &str,
        message: &[u8],
    ) -> NodeResult<identity::Signature> {
        let m = self.active_member_by_name(username)?;
        if !m.is_local() {
            return Err(NodeError::Forbidden("not a local member"));
        }
        let key = m.keys.ed25519(&self.sealer, &m.id.to_bytes())?;
        Ok(key.sign(message))
    }

    /// A member's public card (as an anonymous visitor sees it), by id.
    pub fn member_card(&self, id: Id) -> NodeResult<MemberView> {
        match self.member(id)? {
            Some(m) if m.status == MemberStatus::Active => self.member_view(&Viewer::Anonymous, &m),
            _ => Err(NodeError::NotFound("member")),
        }
    }

    /// How the viewer relates to each of `ids` (unknown ids are skipped).
    pub fn relationships(
        &self,
        viewer: &Viewer,
        ids: &[Id],
    ) -> NodeResult<Vec<(Id, Relationship)>> {
        let me = viewer.member()?.id;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids.iter().take(100) {
            if self.member(*id)?.is_some() {
                out.push((*id, self.relationship(me, *id)?));
            }
        }
        Ok(out)
    }

    /// Members (any status, local and remote) whose lower-cased username
    /// starts with `prefix`, in name order.
    pub(crate) fn members_with_name_prefix<'a>(
        &'a self,
        prefix: &str,
    ) -> impl Iterator<Item = NodeResult<Member>> + 'a {
        // Keys are `name\0`: scan the raw prefix without the terminator.
        self.store
            .scan::<tables::MemberByName>(StrStart(prefix), false)
            .values()
            .filter_map(move |id| {
                let member = id.and_then(|id| self.member(id));
                member.transpose()
            })
    }

    /// Active members (people, not groups) whose username starts with
    /// `prefix` (case-insensitive), at most `limit`, hiding those who block
    /// the viewer.
    pub fn search_members(
        &self,
        viewer: &Viewer,
        prefix: &str,
        limit: usize,
    ) -> NodeResult<Vec<MemberView>> {
        let prefix = prefix.trim().trim_start_matches('@').to_lowercase();
        let prefix = prefix.split('@').next().unwrap_or("").to_string();
        if prefix.is_empty()
            || !prefix
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for member in self.members_with_name_prefix(&prefix) {
            if out.len() >= limit.min(40) {
                break;
            }
            let member = member?;
            // Groups are found in the group directory, not as people.
            if member.status != MemberStatus::Active || member.is_group() {
                continue;
            }
            if let Some(me) = viewer.id() {
                if self.is_blocking(member.id, me)? {
                    continue;
                }
            }
            out.push(self.member_view(viewer, &member)?);
        }
        Ok(out)
    }

    /// Hashtags in use that start with `prefix`, with their public post counts.
    pub fn search_tags(&self, prefix: &str, limit: usize) -> NodeResult<Vec<(String, i64)>> {
        let prefix = prefix.trim().trim_start_matches('#').to_lowercase();
        if prefix.is_empty()
            || !prefix
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for item in self.store.scan::<tables::Tags>(StrStart(&prefix), false) {
            if out.len() >= limit.min(40) {
                break;
            }
            let (name, count) = item?;
            if count > 0 {
                out.push((name, count));
            }
        }
        Ok(out)
    }
}
