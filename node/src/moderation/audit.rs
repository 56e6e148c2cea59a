//! The audit log: every admin and moderator action, written in the same
//! atomic write as the action itself, and the node's automatic actions
//! (written with no actor).

use serde::{Deserialize, Serialize};

use crate::error::{NodeError, NodeResult};
use crate::feeds::{scan, Page, PageRequest};
use crate::id::Id;
use crate::model::{now_ms, Role};
use crate::node::{Node, Viewer};
use crate::store::{tables, Txn};

/// One logged action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Time-ordered id.
    pub id: Id,
    /// Who acted; `None` for the node's automatic actions.
    pub actor_id: Option<Id>,
    /// Their username at the time, or `system`.
    pub actor: String,
    /// What was done, e.g. `member.suspend`, `report.resolve`.
    pub action: String,
    /// What it was done to (a username, a domain, a report id...).
    pub target: String,
    /// Details: the reason, the changed fields...
    pub detail: String,
    /// When (ms).
    pub at: i64,
}

impl AuditEntry {
    /// Whether the node did this on its own (not a member, not the
    /// operator at the command line).
    pub fn automatic(&self) -> bool {
        self.actor_id.is_none() && self.actor == SYSTEM
    }
}

/// The actor name of the node's automatic actions.
pub const SYSTEM: &str = "system";
/// The actor name of commands run at the command line (`kodeon admin`).
pub const OPERATOR: &str = "operator (command line)";

/// Which entries to list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AuditFilter {
    /// Everything.
    #[default]
    All,
    /// Only the node's automatic actions.
    Automatic,
}

impl Node {
    /// Appends an entry to the audit log inside `txn`. `viewer` is who
    /// acted (`None`: the node itself).
    pub(crate) fn audit(
        &self,
        txn: &mut Txn<'_>,
        viewer: Option<&Viewer>,
        action: &str,
        target: &str,
        detail: &str,
    ) -> NodeResult<()> {
        let member = viewer.and_then(|v| v.member().ok());
        let actor = member
            .map(|m| m.username.clone())
            .unwrap_or_else(|| SYSTEM.to_string());
        self.append_audit(txn, member.map(|m| m.id), actor, action, target, detail)
    }

    /// Appends an entry for a command the operator ran at the command line.
    pub(crate) fn audit_operator(
        &self,
        txn: &mut Txn<'_>,
        action: &str,
        target: &str,
        detail: &str,
    ) -> NodeResult<()> {
        self.append_audit(txn, None, OPERATOR.to_string(), action, target, detail)
    }

    fn append_audit(
        &self,
        txn: &mut Txn<'_>,
        actor_id: Option<Id>,
        actor: String,
        action: &str,
        target: &str,
        detail: &str,
    ) -> NodeResult<()> {
        let entry = AuditEntry {
            id: self.ids.next(),
            actor_id,
            actor,
            action: action.to_string(),
            target: target.to_string(),
            detail: detail.to_string(),
            at: now_ms(),
        };
        txn.store::<tables::AuditLog>(entry.id, &entry)
    }

    /// The audit log, newest first (moderators and admins).
    pub fn audit_log(
        &self,
        viewer: &Viewer,
        filter: AuditFilter,
        req: &PageRequest,
    ) -> NodeResult<Page<AuditEntry>> {
        if !viewer.has_role(Role::Moderator) {
            return Err(NodeError::Forbidden(
                "only moderators can read the audit log",
            ));
        }
        scan::<tables::AuditLog, _, _>(&self.store, (), req, |_, entry| {
            Ok(match filter {
                AuditFilter::Automatic if !entry.automatic() => None,
                _ => Some(entry),
            })
        })
    }
}
