//! Notification, and Mastodon's notification types.

use node::model::{NotificationKind, NotificationView};
use node::NodeResult;
use serde::Serialize;

use super::{date, Account, Renderer, Status};

/// Mastodon's Notification.
#[derive(Debug, Clone, Serialize)]
pub struct Notification {
    /// Notification id.
    pub id: String,
    /// `follow`, `follow_request`, `favourite`, `mention` or `reblog`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// When it happened.
    pub created_at: String,
    /// Who did it.
    pub account: Account,
    /// The status it is about, if any.
    pub status: Option<Status>,
}

/// Mastodon's name for a notification kind; `None` for the kinds Mastodon
/// has no type for (groups, events), which its API does not show.
fn type_name(kind: NotificationKind) -> Option<&'static str> {
    Some(match kind {
        NotificationKind::Followed => "follow",
        NotificationKind::FollowRequest => "follow_request",
        NotificationKind::Liked => "favourite",
        NotificationKind::Replied | NotificationKind::Mentioned => "mention",
        NotificationKind::Boosted => "reblog",
        NotificationKind::GroupJoinRequest
        | NotificationKind::GroupJoinApproved
        | NotificationKind::GroupInvite
        | NotificationKind::GroupPost
        | NotificationKind::GroupPostRemoved
        | NotificationKind::EventReminder
        | NotificationKind::EventChanged
        | NotificationKind::EventCancelled
        | NotificationKind::EventPromoted
        | NotificationKind::EventApproved
        | NotificationKind::EventRejected
        | NotificationKind::EventLive
        | NotificationKind::EventRegistration
        | NotificationKind::GroupEvent
        | NotificationKind::CourseEnrolmentRequest
        | NotificationKind::CourseEnrolmentApproved
        | NotificationKind::CourseEnrolmentRejected
        | NotificationKind::CourseInvite
        | NotificationKind::CourseCompleted
        | NotificationKind::CourseAttemptReviewed
        | NotificationKind::CourseReviewRequested
        | NotificationKind::CertificateReceived => return None,
    })
}

/// Mastodon's notification types → Kodeon kinds.
pub fn notification_kinds(mastodon_type: &str) -> &'static [NotificationKind] {
    match mastodon_type {
        "follow" => &[NotificationKind::Followed],
        "follow_request" => &[NotificationKind::FollowRequest],
        "favourite" => &[NotificationKind::Liked],
        "mention" => &[NotificationKind::Replied, NotificationKind::Mentioned],
        "reblog" => &[NotificationKind::Boosted],
        _ => &[],
    }
}

impl Renderer<'_> {
    /// A Notification.
    pub fn notification(&mut self, n: &NotificationView) -> NodeResult<Notification> {
        let status = match &n.post {
            Some(p) => Some(self.status(p)?),
            None => None,
        };
        Ok(Notification {
            id: n.id.to_string(),
            kind: type_name(n.kind).ok_or(node::NodeError::NotFound("notification"))?,
            created_at: date(n.created_at),
            account: self.account_by_id(n.actor.id)?,
            status,
        })
    }
}
