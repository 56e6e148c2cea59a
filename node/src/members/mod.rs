//! Members: registration, login and sessions, profiles, admin actions.

mod admin;
mod avatar;
pub mod email;
pub mod export;
pub mod invites;
pub mod learner_sessions;
pub mod login;
pub(crate) mod login_guard;
mod lookup;
mod profile;
pub(crate) mod register;
pub(crate) mod setup;
pub mod sign_in_tickets;

pub use register::NewMember;

use crate::error::NodeResult;
use crate::id::Id;
use crate::model::{Member, MemberSummary};
use crate::node::Node;

impl Node {
    /// The short form of a member embedded in posts and lists.
    pub(crate) fn summary(member: &Member) -> MemberSummary {
        MemberSummary {
            id: member.id,
            username: member.username.clone(),
            full_name: member.profile.full_name.clone(),
            avatar_url: member.profile.avatar_url.clone(),
            did: member.did(),
            remote: member.remote.as_ref().map(|r| r.link()),
        }
    }

    /// Summaries for ids, skipping members that no longer exist.
    pub(crate) fn summaries(
        &self,
        ids: impl IntoIterator<Item = Id>,
    ) -> NodeResult<Vec<MemberSummary>> {
        let mut out = Vec::new();
        for id in ids {
            if let Some(m) = self.member(id)? {
                out.push(Self::summary(&m));
            }
        }
        Ok(out)
    }
}
