//! The panel's page models. Templates live in `web/templates/admin/`,
//! are compiled with the crate and escape everything by default; the only
//! `|safe` values are SVG charts built from numbers and post HTML that the
//! node already sanitised.

use askama::Template;

/// What every panel page shows around its content.
pub struct Chrome {
    /// The signed-in moderator or admin.
    pub username: String,
    /// The form token for this session.
    pub csrf: String,
    /// Whether admin-only forms are shown.
    pub is_admin: bool,
    /// Which section is current (for the navigation).
    pub section: &'static str,
    /// Open reports (shown in the navigation).
    pub open_reports: i64,
    /// A notice after a form, if any.
    pub notice: Option<String>,
}

/// The login form.
#[derive(Template)]
#[template(path = "admin/login.html")]
pub struct LoginPage {
    pub csrf: String,
    pub error: Option<String>,
    pub needs_setup: bool,
}

/// The first-start setup form.
#[derive(Template)]
#[template(path = "admin/setup.html")]
pub struct SetupPage {
    pub csrf: String,
    pub error: Option<String>,
}

/// A message (an error, or a one-time secret such as a new password).
#[derive(Template)]
#[template(path = "admin/message.html")]
pub struct MessagePage {
    pub title: String,
    pub message: String,
    pub secret: Option<String>,
    pub back: String,
}

/// A figure on the dashboard.
pub struct Figure {
    pub label: &'static str,
    pub value: String,
}

/// A chart on the dashboard.
pub struct Chart {
    pub title: &'static str,
    pub svg: String,
}

/// The dashboard.
#[derive(Template)]
#[template(path = "admin/dashboard.html")]
pub struct DashboardPage {
    pub chrome: Chrome,
    pub figures: Vec<Figure>,
    pub charts: Vec<Chart>,
}

/// A member in a table.
pub struct MemberRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub role: String,
    pub status: String,
    pub silenced: bool,
    pub deleted: bool,
    pub local: bool,
    pub created: String,
    pub posts: i64,
    pub followers: i64,
    pub profile_url: String,
}

/// The member list.
#[derive(Template)]
#[template(path = "admin/members.html")]
pub struct MembersPage {
    pub chrome: Chrome,
    pub q: String,
    pub rows: Vec<MemberRow>,
    pub next: Option<String>,
}

/// One member with the actions on them.
#[derive(Template)]
#[template(path = "admin/member.html")]
pub struct MemberPage {
    pub chrome: Chrome,
    pub m: MemberRow,
    pub suspended: bool,
    pub role_value: String,
    /// The member's trust standing.
    pub trust: super::trust::TrustLine,
}

/// A report in a table.
pub struct ReportRow {
    pub id: String,
    pub created: String,
    pub target: String,
    pub target_id: String,
    pub reporter: String,
    pub category: String,
    pub comment: String,
    pub open: bool,
    pub action: String,
    pub posts: usize,
}

/// The reports queue.
#[derive(Template)]
#[template(path = "admin/reports.html")]
pub struct ReportsPage {
    pub chrome: Chrome,
    pub open_only: bool,
    pub rows: Vec<ReportRow>,
    pub next: Option<String>,
}

/// A reported post.
pub struct ReportedPost {
    pub url: String,
    pub html: String,
    pub visibility: String,
    pub created: String,
}

/// A note on a report.
pub struct NoteRow {
    pub author: String,
    pub at: String,
    pub text: String,
}

/// One report.
#[derive(Template)]
#[template(path = "admin/report.html")]
pub struct ReportPage {
    pub chrome: Chrome,
    pub r: ReportRow,
    pub posts: Vec<ReportedPost>,
    pub notes: Vec<NoteRow>,
}

/// A known server.
pub struct InstanceRow {
    pub domain: String,
    pub software: String,
    pub last_contact: String,
    pub state: String,
    pub failures: u32,
    pub last_error: String,
    pub delivered: u64,
    pub received: u64,
    pub dropped: u64,
    /// The last delivery given up: what, when, after how many attempts, why.
    pub given_up: Option<GivenUp>,
}

/// A delivery given up, as the federation page shows it.
pub struct GivenUp {
    pub activity: String,
    pub when: String,
    pub attempts: u32,
    pub error: String,
}

/// A domain block.
pub struct BlockRow {
    pub domain: String,
    pub severity: String,
    pub reject_media: bool,
    pub public_comment: String,
    pub private_comment: String,
    pub created: String,
}

/// A queued delivery.
pub struct QueueRow {
    pub domain: String,
    pub activity: String,
    pub attempts: u32,
    pub next_at: String,
    pub last_error: String,
}

/// A connected gossip peer.
pub struct PeerRow {
    pub peer_id: String,
    pub addrs: String,
    pub score: String,
}

/// A blocked gossip peer.
pub struct PeerBlockRow {
    pub peer_id: String,
    pub reason: String,
    pub created: String,
}

/// The federation page.
#[derive(Template)]
#[template(path = "admin/federation.html")]
pub struct FederationPage {
    pub chrome: Chrome,
    pub queued: i64,
    pub pending: usize,
    pub instance_count: usize,
    pub unreachable: usize,
    pub instances: Vec<InstanceRow>,
    pub next_after: Option<String>,
    pub blocks: Vec<BlockRow>,
    pub queue: Vec<QueueRow>,
    pub federation_on: bool,
    /// This node's gossip peer id, when gossip runs.
    pub gossip_peer_id: Option<String>,
    pub gossip_listen: Vec<String>,
    pub peers: Vec<PeerRow>,
    pub peer_blocks: Vec<PeerBlockRow>,
}

/// The settings page.
#[derive(Template)]
#[template(path = "admin/settings.html")]
pub struct SettingsPage {
    pub chrome: Chrome,
    pub name: String,
    pub description: String,
    pub rules: String,
    pub registration: String,
    pub contact_email: String,
    pub post_chars: usize,
    pub title_chars: usize,
    pub tags: usize,
    pub bio_chars: usize,
}

/// An audit log entry.
pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
}

/// The audit log.
#[derive(Template)]
#[template(path = "admin/audit.html")]
pub struct AuditPage {
    pub chrome: Chrome,
    pub automatic: bool,
    pub rows: Vec<AuditRow>,
    pub next: Option<String>,
}
