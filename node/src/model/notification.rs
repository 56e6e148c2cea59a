//! Notifications.

use serde::{Deserialize, Serialize};

use super::member::MemberSummary;
use super::post::PostView;
use crate::id::Id;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// Someone followed you.
    Followed,
    /// Someone asked to follow you.
    FollowRequest,
    /// Someone liked your post.
    Liked,
    /// Someone replied to your post.
    Replied,
    /// Someone mentioned you.
    Mentioned,
    /// Someone boosted your post.
    Boosted,
    /// Someone asked to join a group you moderate (`group` names it).
    GroupJoinRequest,
    /// A group accepted you as a member (the actor is the group).
    GroupJoinApproved,
    /// A group's moderator invited you to join it (`group` names it).
    GroupInvite,
    /// Someone posted in a group whose new posts you asked to be told of
    /// (`group` names it, `post` is the post).
    GroupPost,
    /// A group's moderator removed your post (`group` names it; the post
    /// is gone, so none is shown).
    GroupPostRemoved,
    /// An event you registered for starts soon (`event` names it; 24 h
    /// and 1 h before its start).
    EventReminder,
    /// An event you registered for moved (its time or place changed).
    EventChanged,
    /// An event you registered for was cancelled.
    EventCancelled,
    /// A seat freed up and you moved from an event's waitlist to its
    /// participants.
    EventPromoted,
    /// An organiser approved your registration for an event.
    EventApproved,
    /// The organiser of an event of another server refused (or withdrew)
    /// your registration.
    EventRejected,
    /// An event you registered for is live (its stream link is set).
    EventLive,
    /// Someone asked to take part in an event you organise (approval
    /// events).
    EventRegistration,
    /// A group you belong to published an event (`event` names it).
    GroupEvent,
    /// Someone asked to enrol in a course you teach (`course` names it).
    CourseEnrolmentRequest,
    /// An instructor approved your enrolment in a course.
    CourseEnrolmentApproved,
    /// An instructor turned down your enrolment in a course.
    CourseEnrolmentRejected,
    /// An instructor invited you to enrol in a course.
    CourseInvite,
    /// You completed a course (the actor is you).
    CourseCompleted,
    /// An attempt of yours at an assessment was reviewed.
    CourseAttemptReviewed,
    /// An attempt waits for your review in a course you teach.
    CourseReviewRequested,
    /// The certificate of a course you completed on another server
    /// arrived and was kept (the actor is the course's instructor there).
    CertificateReceived,
}

impl NotificationKind {
    /// Parses the API spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "followed" => Some(Self::Followed),
            "follow_request" => Some(Self::FollowRequest),
            "liked" => Some(Self::Liked),
            "replied" => Some(Self::Replied),
            "mentioned" => Some(Self::Mentioned),
            "boosted" => Some(Self::Boosted),
            "group_join_request" => Some(Self::GroupJoinRequest),
            "group_join_approved" => Some(Self::GroupJoinApproved),
            "group_invite" => Some(Self::GroupInvite),
            "group_post" => Some(Self::GroupPost),
            "group_post_removed" => Some(Self::GroupPostRemoved),
            "event_reminder" => Some(Self::EventReminder),
            "event_changed" => Some(Self::EventChanged),
            "event_cancelled" => Some(Self::EventCancelled),
            "event_promoted" => Some(Self::EventPromoted),
            "event_approved" => Some(Self::EventApproved),
            "event_rejected" => Some(Self::EventRejected),
            "event_live" => Some(Self::EventLive),
            "event_registration" => Some(Self::EventRegistration),
            "group_event" => Some(Self::GroupEvent),
            "course_enrolment_request" => Some(Self::CourseEnrolmentRequest),
            "course_enrolment_approved" => Some(Self::CourseEnrolmentApproved),
            "course_enrolment_rejected" => Some(Self::CourseEnrolmentRejected),
            "course_invite" => Some(Self::CourseInvite),
            "course_completed" => Some(Self::CourseCompleted),
            "course_attempt_reviewed" => Some(Self::CourseAttemptReviewed),
            "course_review_requested" => Some(Self::CourseReviewRequested),
            "certificate_received" => Some(Self::CertificateReceived),
            _ => None,
        }
    }
}

/// A stored notification.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Notification {
    /// Time-ordered id.
    pub id: Id,
    /// Kind.
    pub kind: NotificationKind,
    /// Who did it.
    pub actor_id: Id,
    /// The post concerned, if any.
    pub post_id: Option<Id>,
    /// When (ms).
    pub created_at: i64,
    /// The group concerned (its account id), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<Id>,
    /// The community event concerned, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<Id>,
    /// The course concerned, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub course_id: Option<Id>,
}

/// A notification as its recipient sees it.
#[derive(Debug, Clone, Serialize)]
pub struct NotificationView {
    /// Id.
    pub id: Id,
    /// Kind.
    pub kind: NotificationKind,
    /// Who did it.
    pub actor: MemberSummary,
    /// The post concerned, if it still exists and is visible.
    pub post: Option<PostView>,
    /// The group concerned, for group notifications.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<MemberSummary>,
    /// The community event concerned, for event notifications (its id;
    /// `Node::event` shows it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<Id>,
    /// The course concerned, for course notifications (its id;
    /// `Node::course` shows it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub course_id: Option<Id>,
    /// Read yet?
    pub read: bool,
    /// When (RFC 3339).
    #[serde(serialize_with = "super::rfc3339::serialize")]
    pub created_at: i64,
}
