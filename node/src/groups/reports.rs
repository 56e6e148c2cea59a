//! Reports of a group's posts, for its owner and moderators.
//!
//! Reports are the node's (`moderation/reports.rs`): one names an account
//! and some of its posts, and only the node's moderators resolve it. A
//! group's moderators see the open ones that name a post of their group
//! (a post whose `Post::group` is the group), so that they can act on what
//! is in the group: remove the post, ban its author. Nothing indexes
//! reports by group, so the list is a bounded scan of the open reports
//! (`tables::OpenReport`, newest first): see [`Node::group_reports`].

use serde::Serialize;

use super::LoadedGroup;
use crate::error::{NodeError, NodeResult};
use crate::feeds::{scan, Page, PageRequest};
use crate::id::Id;
use crate::model::{MemberSummary, Post};
use crate::moderation::Report;
use crate::node::{Node, Viewer};
use crate::store::tables;

/// Longest excerpt of a reported post, in characters.
pub const REPORT_EXCERPT_CHARS: usize = 200;

/// A post of the group that a report names.
#[derive(Debug, Clone, Serialize)]
pub struct GroupReportedPost {
    /// The post's id.
    pub id: Id,
    /// Its title, or the start of its text (at most
    /// [`REPORT_EXCERPT_CHARS`] characters, `…` when cut), as plain text.
    pub excerpt: String,
}

/// An open report that names posts of a group, as the group's moderators
/// see it.
#[derive(Debug, Clone, Serialize)]
pub struct GroupReportView {
    /// The report's id.
    pub id: Id,
    /// When it was filed (RFC 3339).
    #[serde(serialize_with = "crate::model::rfc3339::serialize")]
    pub created_at: i64,
    /// Who reported (a member here or an account of another server);
    /// `None` for a report a server sent on its own behalf.
    pub reporter: Option<MemberSummary>,
    /// The server a report from another server came from.
    pub origin_domain: Option<String>,
    /// The reported account (the author of the posts).
    pub account: MemberSummary,
    /// `spam`, `legal`, `violation` or `other`.
    pub category: String,
    /// What the reporter wrote.
    pub comment: String,
    /// The reported posts that are in the group and still exist, in the
    /// report's order (posts elsewhere are not shown).
    pub posts: Vec<GroupReportedPost>,
}

impl Node {
    /// The open reports that name at least one existing post of the local
    /// group `name`, newest first: for its owner and moderators only
    /// (403 for anyone else, the node's moderators included: they read
    /// every report in the admin panel).
    ///
    /// Reports are not indexed by group, so a page scans the open reports
    /// newest first and keeps those about the group. One page examines at
    /// most `limit × 10 + 100` open reports (300 at the default page size
    /// of 20, 500 at the largest, 40), as every filtered page does; when
    /// it stops there, `next_max_id` continues the scan from where it
    /// stopped, so a page may hold fewer reports than asked (even none)
    /// while more follow. A report leaves the list when the node's
    /// moderators resolve it, or when none of the group's posts it names
    /// remain (a removed post is deleted).
    pub fn group_reports(
        &self,
        viewer: &Viewer,
        name: &str,
        req: &PageRequest,
    ) -> NodeResult<Page<GroupReportView>> {
        let me = viewer.member()?.id;
        let group = self.local_group(name)?;
        if !self.moderates(&group, me)? {
            return Err(NodeError::Forbidden(
                "only the group's owner and moderators can read its reports",
            ));
        }
        scan::<tables::OpenReport, _, _>(&self.store, (), req, |id, ()| {
            match self.store.load::<tables::Report>(id)? {
                Some(report) => self.group_report_view(&group, report),
                None => Ok(None),
            }
        })
    }

    /// `report` as the moderators of `group` see it, or `None` when it
    /// names no existing post of the group (or its account is gone).
    fn group_report_view(
        &self,
        group: &LoadedGroup,
        report: Report,
    ) -> NodeResult<Option<GroupReportView>> {
        let gid = group.id();
        let mut posts = Vec::new();
        for post_id in &report.post_ids {
            if let Some(post) = self.store.load::<tables::Post>(*post_id)? {
                if post.group == Some(gid) {
                    posts.push(GroupReportedPost {
                        id: post.id,
                        excerpt: excerpt(&post),
                    });
                }
            }
        }
        if posts.is_empty() {
            return Ok(None);
        }
        let Some(account) = self.member(report.target_id)? else {
            return Ok(None);
        };
        let reporter = match report.reporter_id {
            Some(id) => self.member(id)?.map(|m| Self::summary(&m)),
            None => None,
        };
        Ok(Some(GroupReportView {
            id: report.id,
            created_at: report.created_at,
            reporter,
            origin_domain: report.origin_domain,
            account: Self::summary(&account),
            category: report.category,
            comment: report.comment,
            posts,
        }))
    }
}

/// A post's title, or else its text (its Markdown source, or its HTML
/// without tags for a post of another server), on one line and cut to
/// [`REPORT_EXCERPT_CHARS`] characters.
fn excerpt(post: &Post) -> String {
    let text = if !post.title.trim().is_empty() {
        post.title.clone()
    } else if !post.source.trim().is_empty() {
        post.source.clone()
    } else {
        html_text(&post.html)
    };
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let cut: String = line.chars().take(REPORT_EXCERPT_CHARS).collect();
    if cut.len() < line.len() {
        format!("{cut}…")
    } else {
        cut
    }
}

/// The text of sanitised HTML: tags dropped (a space in their place),
/// the common entities decoded.
fn html_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_text_drops_tags_and_decodes_entities() {
        assert_eq!(
            html_text("<p>Fish &amp; chips</p><p>&lt;3</p>")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            "Fish & chips <3"
        );
    }
}
