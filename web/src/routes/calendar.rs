//! Calendars (iCalendar, RFC 5545) of events, for calendar programs to
//! import or subscribe to:
//!
//! - `GET /events/{id}.ics`: one event, as anyone sees it (a private
//!   group's event or a draft is a 404);
//! - `GET /events.ics`: the node's upcoming public events;
//! - `GET /groups/{group}/calendar.ics`: a public group's events (a
//!   private or unknown group is a 404);
//! - `GET /calendar/{token}.ics`: a member's secret feed of the events
//!   they registered for; `GET /api/kodeon/v1/me/calendar` gives its URL
//!   (`{"url"}`, made the first time) and `DELETE` revokes it (the old
//!   URL is a 404 from then on; the next `GET` gives a new one).
//!
//! The node says which events each calendar holds and who may read it;
//! here they become `protocol::icalendar` events. In a member's feed a
//! place on the waitlist, or a registration waiting for approval, is
//! `STATUS:TENTATIVE` (a seat is not certain); a cancelled event stays
//! in every feed that still lists it as `STATUS:CANCELLED`, so that
//! calendars strike it out.
//!
//! The router matches whole path segments only, so `/events/{id}.ics`
//! cannot be a route of its own: the members' app's `/events/{id}` route
//! hands `.ics` names to [`event_ics`] (`app::event_page::page_or_ics`).

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use node::community_events::{EventFormat, EventStatus, EventView, RegistrationState};
use node::model::MemberSummary;
use node::{Id, Node, NodeError, Viewer};
use protocol::icalendar::{self, Calendar, CalendarEvent, Organizer};
use serde::Serialize;

use crate::error::ApiResult;
use crate::extract::Auth;
use crate::state::AppState;

/// The media type of every calendar here.
pub const CONTENT_TYPE: &str = "text/calendar; charset=utf-8";
/// How often subscribers are asked to fetch a feed again (minutes).
const REFRESH_MINUTES: u32 = 60;

/// Routes under `/api/kodeon/v1`.
pub fn routes() -> Router<AppState> {
    Router::new().route("/me/calendar", get(feed_url).delete(revoke))
}

/// Routes at the root: the calendar files and feeds.
pub fn root_routes() -> Router<AppState> {
    Router::new()
        .route("/events.ics", get(public_feed))
        .route("/groups/{group}/calendar.ics", get(group_feed))
        .route("/calendar/{file}", get(member_feed))
}

/// The feed's URL, as `GET /me/calendar` answers.
#[derive(Serialize)]
struct FeedUrl {
    url: String,
}

/// GET /api/kodeon/v1/me/calendar
async fn feed_url(State(s): State<AppState>, Auth(v): Auth) -> ApiResult<impl IntoResponse> {
    let token = s.node.calendar_feed_token(&v).await?;
    Ok(axum::Json(FeedUrl {
        url: s.node.urls().member_calendar(&token),
    }))
}

/// DELETE /api/kodeon/v1/me/calendar
async fn revoke(State(s): State<AppState>, Auth(v): Auth) -> ApiResult<StatusCode> {
    s.node.revoke_calendar_feed(&v).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// GET /events/{id}.ics — one event, as an anonymous visitor may see it.
pub async fn event_ics(State(s): State<AppState>, Path(file): Path<String>) -> ApiResult<Response> {
    let id: Id = ics_name(&file)
        .and_then(|id| id.parse().ok())
        .ok_or(NodeError::NotFound("event"))?;
    let view = s.node.event(&Viewer::Anonymous, id)?;
    let calendar = Calendar {
        events: vec![calendar_event(&s.node, &view, None)],
        ..Calendar::default()
    };
    Ok(ics(calendar, "public, max-age=300"))
}

/// GET /events.ics
async fn public_feed(State(s): State<AppState>) -> ApiResult<Response> {
    let events = s.node.public_calendar()?;
    let name = format!("Events on {}", s.node.config().domain);
    Ok(ics(
        feed(&s.node, name, &events, false),
        "public, max-age=300",
    ))
}

/// GET /groups/{group}/calendar.ics
async fn group_feed(State(s): State<AppState>, Path(group): Path<String>) -> ApiResult<Response> {
    let events = s.node.group_calendar(&group)?;
    let name = format!("{group} events");
    Ok(ics(
        feed(&s.node, name, &events, false),
        "public, max-age=300",
    ))
}

/// GET /calendar/{token}.ics
async fn member_feed(State(s): State<AppState>, Path(file): Path<String>) -> ApiResult<Response> {
    let token = ics_name(&file).ok_or(NodeError::NotFound("calendar"))?;
    let calendar = s.node.member_calendar(token)?;
    let name = format!("{}'s events", display_name(&calendar.member));
    let mut res = ics(
        feed(&s.node, name, &calendar.events, true),
        "private, max-age=300",
    );
    // A secret URL: not for search engines.
    res.headers_mut()
        .insert("x-robots-tag", HeaderValue::from_static("noindex"));
    Ok(res)
}

/// `NAME` of `NAME.ics`.
fn ics_name(file: &str) -> Option<&str> {
    file.strip_suffix(".ics").filter(|n| !n.is_empty())
}

/// A feed named `name` of `events`; `registrations`: the viewer's
/// registration decides how certain each is (a member's own feed).
fn feed(node: &Node, name: String, events: &[EventView], registrations: bool) -> Calendar {
    Calendar {
        name: Some(name),
        refresh_minutes: Some(REFRESH_MINUTES),
        events: events
            .iter()
            .map(|view| {
                let waiting = registrations
                    && view.viewer.as_ref().is_some_and(|r| {
                        matches!(
                            r.state,
                            RegistrationState::Waitlisted | RegistrationState::Pending
                        )
                    });
                let status = waiting.then_some(icalendar::EventStatus::Tentative);
                calendar_event(node, view, status)
            })
            .collect(),
    }
}

/// The calendar's answer: 200 with the iCalendar text.
fn ics(calendar: Calendar, cache: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, CONTENT_TYPE),
            (header::CACHE_CONTROL, cache),
        ],
        calendar.render(),
    )
        .into_response()
}

/// `view` as a calendar event. `tentative`: the status to show instead of
/// the event's own while it is not cancelled (a member's place on a
/// waitlist).
fn calendar_event(
    node: &Node,
    view: &EventView,
    tentative: Option<icalendar::EventStatus>,
) -> CalendarEvent {
    let e = &view.event;
    let urls = node.urls();
    let status = match e.status {
        EventStatus::Cancelled => icalendar::EventStatus::Cancelled,
        EventStatus::Draft => icalendar::EventStatus::Tentative,
        EventStatus::Open | EventStatus::Finished => {
            tentative.unwrap_or(icalendar::EventStatus::Confirmed)
        }
    };
    let place = e.location.as_ref().map(|l| {
        [&l.name, &l.address, &l.locality, &l.country]
            .into_iter()
            .filter(|p| !p.trim().is_empty())
            .map(|p| p.trim())
            .collect::<Vec<_>>()
            .join(", ")
    });
    let online = e.online_url.as_deref().filter(|u| !u.is_empty());
    let location = match (e.format, place.filter(|p| !p.is_empty())) {
        (EventFormat::Online, _) | (_, None) => online.map(str::to_string),
        (_, Some(place)) => Some(place),
    };
    let mut description = e.description.trim().to_string();
    for (label, link) in [("Online", online), ("Live stream", e.stream_url.as_deref())] {
        if let Some(link) = link {
            if !description.is_empty() {
                description.push_str("\n\n");
            }
            description.push_str(&format!("{label}: {link}"));
        }
    }
    let organizer = view
        .group_account
        .as_ref()
        .or(view.organiser_account.as_ref())
        .map(|account| Organizer {
            name: display_name(account).to_string(),
            uri: match &account.remote {
                Some(remote) => remote.url.clone(),
                None => urls.profile_page(&account.username),
            },
        });
    CalendarEvent {
        uid: format!("{}@{}", e.id, node.config().domain),
        start_ms: e.start,
        end_ms: e.end,
        timezone: e.timezone.clone(),
        summary: e.title.clone(),
        description,
        location,
        geo: e.location.as_ref().and_then(|l| Some((l.lat?, l.lon?))),
        url: Some(urls.event_page(e.id)),
        status,
        sequence: e.sequence,
        organizer,
        categories: e.category.iter().chain(&e.tags).cloned().collect(),
        created_ms: e.created_at,
        modified_ms: e.updated_at,
    }
}

/// The name shown for an account: its display name, else its username.
fn display_name(account: &MemberSummary) -> &str {
    if account.full_name.trim().is_empty() {
        &account.username
    } else {
        account.full_name.trim()
    }
}

#[cfg(test)]
#[path = "calendar_tests.rs"]
mod tests;
