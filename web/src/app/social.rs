//! The profile action forms (follow, unfollow, block, unblock, mute,
//! unmute), the notifications page with its read state, and the answers to
//! follow requests.

use std::collections::HashSet;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use node::feeds::MAX_LIMIT;
use node::model::{NotificationKind, NotificationView};
use node::{Id, PageRequest};
use serde::Deserialize;

use super::templates::{NotificationItem, NotificationsPage};
use super::{field, render, AppError, AppForm, MemberSession};
use crate::public_pages::{site, Site};
use crate::state::AppState;

/// Notifications per page.
const PAGE: usize = 20;

/// Where a form about `name` goes back to: its `back` field when it is a
/// path on this site, else the member's profile page (or `/home` when the
/// name cannot make a plain path).
fn back_to(form: &std::collections::HashMap<String, String>, name: &str) -> String {
    let profile = format!("/@{name}");
    if !field(form, "back").is_empty() {
        super::back(form)
    } else if super::local_path(&profile) {
        profile
    } else {
        "/home".into()
    }
}

/// POST /members/{name}/{action} — follow (a request when the account is
/// locked), unfollow (which also withdraws a request), block, unblock,
/// mute or unmute, as the signed-in member; then back (303).
pub async fn member_action(
    State(s): State<AppState>,
    Path((name, action)): Path<(String, String)>,
    AppForm { session, form, .. }: AppForm,
) -> Result<Response, AppError> {
    let v = &session.viewer;
    match action.as_str() {
        "follow" => s.node.follow(v, &name).await?,
        "unfollow" => s.node.unfollow(v, &name).await?,
        "block" => s.node.block(v, &name).await?,
        "unblock" => s.node.unblock(v, &name).await?,
        "mute" => s.node.mute(v, &name).await?,
        "unmute" => s.node.unmute(v, &name).await?,
        _ => {
            return Err(AppError::Page(
                StatusCode::NOT_FOUND,
                "No such action.".into(),
            ))
        }
    };
    Ok(Redirect::to(&back_to(&form, &name)).into_response())
}

/// POST /follow-requests/{name}/{accept|reject} — answers `name`'s
/// request to follow the signed-in member; then back (303) to
/// `/notifications` (or the form's `back`).
pub async fn answer_request(
    State(s): State<AppState>,
    Path((name, answer)): Path<(String, String)>,
    AppForm { session, form, .. }: AppForm,
) -> Result<Response, AppError> {
    let v = &session.viewer;
    match answer.as_str() {
        "accept" => s.node.approve_follow_request(v, &name).await?,
        "reject" => s.node.reject_follow_request(v, &name).await?,
        _ => {
            return Err(AppError::Page(
                StatusCode::NOT_FOUND,
                "No such answer.".into(),
            ))
        }
    };
    let to = if field(&form, "back").is_empty() {
        "/notifications".to_string()
    } else {
        super::back(&form)
    };
    Ok(Redirect::to(&to).into_response())
}

/// POST /notifications/read — marks all the member's notifications read;
/// then back (303) to `/notifications`.
pub async fn mark_read(
    State(s): State<AppState>,
    AppForm { session, .. }: AppForm,
) -> Result<Response, AppError> {
    s.node.mark_notifications_read(&session.viewer, &[]).await?;
    Ok(Redirect::to("/notifications").into_response())
}

/// The paging parameter of `/notifications`.
#[derive(Debug, Default, Deserialize)]
pub struct NotificationsQuery {
    /// Older-than cursor.
    max_id: Option<String>,
}

/// What a notification's kind says after its actor's name.
fn kind_text(kind: NotificationKind) -> &'static str {
    match kind {
        NotificationKind::Followed => "followed you",
        NotificationKind::FollowRequest => "asked to follow you",
        NotificationKind::Liked => "liked your post",
        NotificationKind::Replied => "replied to your post",
        NotificationKind::Mentioned => "mentioned you",
        NotificationKind::Boosted => "boosted your post",
        NotificationKind::GroupJoinRequest => "asked to join a group you moderate",
        NotificationKind::GroupJoinApproved => "accepted you as a member",
        NotificationKind::GroupInvite => "invited you to join a group",
        NotificationKind::GroupPost => "posted in a group",
        NotificationKind::GroupPostRemoved => "removed your post from a group",
        NotificationKind::EventReminder => "reminds you of an event starting soon",
        NotificationKind::EventChanged => "moved an event you registered for",
        NotificationKind::EventCancelled => "cancelled an event you registered for",
        NotificationKind::EventPromoted => "has a seat for you: you left the waitlist",
        NotificationKind::EventApproved => "approved your registration for an event",
        NotificationKind::EventRejected => "refused your registration for an event",
        NotificationKind::EventLive => "is live now: an event you registered for",
        NotificationKind::EventRegistration => "asked to take part in an event you organise",
        NotificationKind::GroupEvent => "published an event in a group you belong to",
        NotificationKind::CourseEnrolmentRequest => "asked to enrol in a course you teach",
        NotificationKind::CourseEnrolmentApproved => "approved your enrolment in a course",
        NotificationKind::CourseEnrolmentRejected => "turned down your enrolment in a course",
        NotificationKind::CourseInvite => "invited you to enrol in a course",
        NotificationKind::CourseCompleted => "completed a course: well done",
        NotificationKind::CourseAttemptReviewed => "reviewed your answers to an assessment",
        NotificationKind::CourseReviewRequested => "submitted answers for you to review",
        NotificationKind::CertificateReceived => {
            "sent you the certificate of a course you completed"
        }
    }
}

/// A notification as the page lists it; `pending` holds the members whose
/// follow requests wait for an answer and have no forms on the page yet
/// (a request asked again after a withdrawal is answered once).
fn item(n: &NotificationView, pending: &mut HashSet<Id>) -> NotificationItem {
    let post = n.post.as_ref();
    NotificationItem {
        id: n.id,
        kind: kind_text(n.kind),
        actor_username: n.actor.username.clone(),
        actor_name: if n.actor.full_name.is_empty() {
            n.actor.username.clone()
        } else {
            n.actor.full_name.clone()
        },
        post_url: post.map(|p| format!("/@{}/{}", p.author.username, p.id)),
        excerpt: post
            .map(|p| {
                let text: String = p.source.chars().take(140).collect();
                if text.len() < p.source.len() {
                    format!("{text}…")
                } else {
                    text
                }
            })
            .unwrap_or_default(),
        unread: !n.read,
        created: node::model::rfc3339::format(n.created_at),
        created_text: crate::public_pages::readable_time(n.created_at),
        answerable: n.kind == NotificationKind::FollowRequest && pending.remove(&n.actor.id),
        group: n.group.as_ref().map(|g| {
            let rest = if n.kind == NotificationKind::GroupJoinRequest {
                "/moderation"
            } else {
                ""
            };
            let name = if g.full_name.is_empty() {
                g.username.clone()
            } else {
                g.full_name.clone()
            };
            (name, super::groups::group_path(&g.username, rest))
        }),
    }
}

/// GET /notifications — the member's notifications (the API's), newest
/// first, with cursor paging, read state, "mark all as read", and answers
/// to the follow requests still waiting.
pub async fn notifications(
    State(s): State<AppState>,
    session: MemberSession,
    Query(query): Query<NotificationsQuery>,
) -> Result<Response, AppError> {
    let req = PageRequest {
        max_id: query.max_id.as_deref().and_then(|m| m.parse().ok()),
        ..PageRequest::first(PAGE)
    };
    let page = s.node.notifications(&session.viewer, &[], &req)?;
    // The requests waiting (one page of them) get Accept and Reject.
    let mut pending: HashSet<Id> = s
        .node
        .follow_requests(&session.viewer, &PageRequest::first(MAX_LIMIT))?
        .items
        .iter()
        .map(|m| m.id)
        .collect();
    let Site {
        domain,
        members,
        posts,
    } = site(&s)?;
    render(NotificationsPage {
        domain,
        members,
        posts,
        items: page.items.iter().map(|n| item(n, &mut pending)).collect(),
        next: page.next_max_id,
        me: Some(session.me),
    })
}
