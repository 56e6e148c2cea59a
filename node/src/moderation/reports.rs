//! Reports: members (and other servers, through ActivityPub `Flag`) tell
//! the moderators about an account and some of its posts; moderators
//! resolve each with an action and notes.

use crate::store::tables;
use serde::{Deserialize, Serialize};

use crate::error::{NodeError, NodeResult};
use crate::feeds::{scan, Page, PageRequest};
use crate::id::Id;
use crate::model::{now_ms, Post, Role};
use crate::node::{Node, Viewer};
use crate::validate;

use super::members::MemberAction;

/// Largest number of posts one report may name.
pub const MAX_REPORTED_POSTS: usize = 20;

/// Where a report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportState {
    /// Waiting for a moderator.
    Open,
    /// A moderator acted on it.
    Resolved,
}

/// What a moderator did about a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportAction {
    /// Nothing to do.
    Dismiss,
    /// The reported posts were deleted.
    DeletePosts,
    /// The account was silenced.
    Silence,
    /// The account was suspended.
    Suspend,
}

impl ReportAction {
    /// Parses `dismiss`, `delete_posts`, `silence` or `suspend`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "dismiss" => Some(Self::Dismiss),
            "delete_posts" => Some(Self::DeletePosts),
            "silence" => Some(Self::Silence),
            "suspend" => Some(Self::Suspend),
            _ => None,
        }
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dismiss => "dismiss",
            Self::DeletePosts => "delete_posts",
            Self::Silence => "silence",
            Self::Suspend => "suspend",
        }
    }
}

/// A moderator's note on a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportNote {
    /// Who wrote it.
    pub author_id: Id,
    /// Their username.
    pub author: String,
    /// The note.
    pub text: String,
    /// When (ms).
    pub at: i64,
}

/// A stored report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Time-ordered id.
    pub id: Id,
    /// Who reported: a member (local or remote), or `None` when another
    /// server reported on its own behalf.
    pub reporter_id: Option<Id>,
    /// The server a `Flag` came from, for reports from other servers.
    pub origin_domain: Option<String>,
    /// The reported account.
    pub target_id: Id,
    /// The reported posts (all by the target).
    pub post_ids: Vec<Id>,
    /// What the reporter wrote.
    pub comment: String,
    /// `spam`, `legal`, `violation` or `other`.
    pub category: String,
    /// Whether the reporter asked for it to be forwarded to the target's server.
    pub forward: bool,
    /// When (ms).
    pub created_at: i64,
    /// Open or resolved.
    pub state: ReportState,
    /// What was done, once resolved.
    pub action: Option<ReportAction>,
    /// Who resolved it.
    pub resolved_by: Option<Id>,
    /// When (ms).
    pub resolved_at: Option<i64>,
    /// Moderators' notes, oldest first.
    pub notes: Vec<ReportNote>,
}

/// A report as filed.
#[derive(Debug, Clone)]
pub struct NewReport {
    /// The reported account.
    pub target_id: Id,
    /// Posts by that account.
    pub post_ids: Vec<Id>,
    /// Why.
    pub comment: String,
    /// `spam`, `legal`, `violation` or `other` (default).
    pub category: Option<String>,
    /// Forward to the target's server.
    pub forward: bool,
}

const CATEGORIES: [&str; 4] = ["spam", "legal", "violation", "other"];

impl Node {
    /// Files a report as the viewer (a local member, or a remote account
    /// whose server sent a `Flag`).
    pub async fn create_report(&self, viewer: &Viewer, new: NewReport) -> NodeResult<Report> {
        let reporter = viewer.member()?;
        if reporter.id == new.target_id {
            return Err(NodeError::invalid(
                "account_id",
                "you cannot report yourself",
            ));
        }
        self.file_report(Some(reporter.id), None, new).await
    }

    /// Files a report that another server sent on its own behalf (a `Flag`
    /// from its instance actor).
    pub async fn receive_server_report(&self, domain: &str, new: NewReport) -> NodeResult<Report> {
        self.file_report(None, Some(domain.to_ascii_lowercase()), new)
            .await
    }

    async fn file_report(
        &self,
        reporter_id: Option<Id>,
        origin_domain: Option<String>,
        new: NewReport,
    ) -> NodeResult<Report> {
        let comment = new.comment.trim().to_string();
        validate::max_chars("comment", &comment, 1_000)?;
        let category = new.category.unwrap_or_else(|| "other".to_string());
        if !CATEGORIES.contains(&category.as_str()) {
            return Err(NodeError::invalid(
                "category",
                "must be spam, legal, violation or other",
            ));
        }
        if new.post_ids.len() > MAX_REPORTED_POSTS {
            return Err(NodeError::invalid(
                "status_ids",
                format!("at most {MAX_REPORTED_POSTS} posts"),
            ));
        }
        if self.member(new.target_id)?.is_none() {
            return Err(NodeError::invalid("account_id", "no such account"));
        }
        let mut post_ids = new.post_ids.clone();
        post_ids.sort();
        post_ids.dedup();
        for id in &post_ids {
            let post: Option<Post> = self.store.load::<tables::Post>(*id)?;
            if post.is_none_or(|p| p.author_id != new.target_id) {
                return Err(NodeError::invalid(
                    "status_ids",
                    "every post must exist and be by the reported account",
                ));
            }
        }
        let report = Report {
            id: self.ids.next(),
            reporter_id,
            origin_domain,
            target_id: new.target_id,
            post_ids,
            comment,
            category,
            forward: new.forward,
            created_at: now_ms(),
            state: ReportState::Open,
            action: None,
            resolved_by: None,
            resolved_at: None,
            notes: Vec::new(),
        };
        self.write(|txn| {
            txn.store::<tables::Report>(report.id, &report)?;
            txn.store::<tables::OpenReport>(report.id, &())?;
            txn.add::<tables::OpenReportCount>((), 1)?;
            Ok(())
        })
        .await?;
        tracing::info!(report = %report.id, "report filed");
        Ok(report)
    }

    /// Reports, newest first: the open ones, or all (moderators).
    pub fn reports(
        &self,
        viewer: &Viewer,
        open_only: bool,
        req: &PageRequest,
    ) -> NodeResult<Page<Report>> {
        require_moderator(viewer)?;
        if open_only {
            scan::<tables::OpenReport, _, _>(&self.store, (), req, |id, ()| {
                self.store.load::<tables::Report>(id)
            })
        } else {
            scan::<tables::Report, _, _>(&self.store, (), req, |_, report| Ok(Some(report)))
        }
    }

    /// One report (moderators).
    pub fn report(&self, viewer: &Viewer, id: Id) -> NodeResult<Report> {
        require_moderator(viewer)?;
        self.store
            .load::<tables::Report>(id)?
            .ok_or(NodeError::NotFound("report"))
    }

    /// The reported posts that still exist, whatever their visibility
    /// (moderators need to see what was reported).
    pub fn report_posts(&self, viewer: &Viewer, id: Id) -> NodeResult<Vec<crate::model::PostView>> {
        let report = self.report(viewer, id)?;
        let mut out = Vec::new();
        for post_id in &report.post_ids {
            let Some(post) = self.store.load::<tables::Post>(*post_id)? else {
                continue;
            };
            let Some(author) = self.member(post.author_id)? else {
                continue;
            };
            out.push(self.post_view(viewer, &post, &author)?);
        }
        Ok(out)
    }

    /// How many reports wait for a moderator.
    pub fn open_report_count(&self) -> NodeResult<i64> {
        self.store.counter::<tables::OpenReportCount>(())
    }

    /// Adds a moderator's note to a report.
    pub async fn add_report_note(&self, viewer: &Viewer, id: Id, text: &str) -> NodeResult<Report> {
        require_moderator(viewer)?;
        let me = viewer.member()?;
        let text = text.trim();
        if text.is_empty() {
            return Err(NodeError::invalid("note", "must not be empty"));
        }
        validate::max_chars("note", text, 2_000)?;
        let note = ReportNote {
            author_id: me.id,
            author: me.username.clone(),
            text: text.to_string(),
            at: now_ms(),
        };
        self.write(|txn| {
            let key = id;
            let mut report: Report = txn
                .load::<tables::Report>(key)?
                .ok_or(NodeError::NotFound("report"))?;
            report.notes.push(note.clone());
            txn.store::<tables::Report>(key, &report)?;
            self.audit(
                txn,
                Some(viewer),
                "report.note",
                &id.to_string(),
                &note.text,
            )?;
            Ok(report)
        })
        .await
    }

    /// Resolves a report with an action (moderators). The action is
    /// applied first (deleting the reported posts, or silencing or
    /// suspending the account, each its own durable write); the report is
    /// then closed with an optional note. Resolving twice is refused.
    pub async fn resolve_report(
        &self,
        viewer: &Viewer,
        id: Id,
        action: ReportAction,
        note: &str,
    ) -> NodeResult<Report> {
        let report = self.report(viewer, id)?;
        if report.state == ReportState::Resolved {
            return Err(NodeError::conflict("report", "is already resolved"));
        }
        let me = viewer.member()?.clone();
        let note = note.trim().to_string();
        validate::max_chars("note", &note, 2_000)?;
        match action {
            ReportAction::Dismiss => {}
            ReportAction::DeletePosts => {
                for post in &report.post_ids {
                    match self.delete_post(viewer, *post).await {
                        Ok(()) | Err(NodeError::NotFound(_)) => {}
                        Err(e) => return Err(e),
                    }
                }
            }
            ReportAction::Silence | ReportAction::Suspend => {
                let member_action = if action == ReportAction::Silence {
                    MemberAction::Silence
                } else {
                    MemberAction::Suspend
                };
                let reason = format!("report {id}");
                match self
                    .moderate_member(viewer, report.target_id, member_action, &reason)
                    .await
                {
                    // Already suspended or silenced is fine.
                    Ok(_) | Err(NodeError::Conflict { .. }) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        self.write(|txn| {
            let key = id;
            let mut report: Report = txn
                .load::<tables::Report>(key)?
                .ok_or(NodeError::NotFound("report"))?;
            if report.state == ReportState::Resolved {
                return Err(NodeError::conflict("report", "is already resolved"));
            }
            report.state = ReportState::Resolved;
            report.action = Some(action);
            report.resolved_by = Some(me.id);
            report.resolved_at = Some(now_ms());
            if !note.is_empty() {
                report.notes.push(ReportNote {
                    author_id: me.id,
                    author: me.username.clone(),
                    text: note.clone(),
                    at: now_ms(),
                });
            }
            txn.store::<tables::Report>(key, &report)?;
            txn.remove::<tables::OpenReport>(id);
            txn.add::<tables::OpenReportCount>((), -1)?;
            self.audit(
                txn,
                Some(viewer),
                "report.resolve",
                &id.to_string(),
                action.as_str(),
            )?;
            Ok(report)
        })
        .await
    }
}

/// Moderators and admins only.
pub(crate) fn require_moderator(viewer: &Viewer) -> NodeResult<()> {
    if viewer.has_role(Role::Moderator) {
        Ok(())
    } else {
        Err(NodeError::Forbidden("only moderators can do this"))
    }
}
