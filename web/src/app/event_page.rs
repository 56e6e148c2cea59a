//! One event in the members' app: its page (`/events/{id}`) with the
//! member's registration form, the organisers' cancel and go-live forms,
//! and the participants (`/events/{id}/participants`) with approvals and
//! check-in. Each form is one node call, back (303) to its page with a
//! `?done=` notice; the node's refusals (a full, closed or cancelled
//! event, someone who does not organise it) are its own.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use node::community_events::RegistrationState;
use node::Id;
use serde::Deserialize;

use super::events::{notice, state_name, EventItem};
use super::{field, render, render_with_status, AppError, AppForm, Me, MemberSession};
use crate::public_pages::{site, Site};
use crate::state::AppState;

/// The event's id from its path (404 when it is no id).
fn event_id(raw: &str) -> Result<Id, AppError> {
    raw.parse()
        .map_err(|_| AppError::Page(StatusCode::NOT_FOUND, "No such event.".into()))
}

/// The event's page with `rest` appended (`?done=…`, `/participants`).
fn event_path(id: Id, rest: &str) -> String {
    format!("/events/{id}{rest}")
}

/// The query of the event's pages: what was just done.
#[derive(Debug, Default, Deserialize)]
pub struct EventQuery {
    done: Option<String>,
    /// Set after a registration that overlaps another of the member's
    /// events.
    overlap: Option<String>,
}

/// The event's page.
#[derive(Template)]
#[template(path = "app/events/event.html")]
pub struct EventPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    pub event: EventItem,
    pub notice: Option<&'static str>,
    /// The registration overlaps another of the member's events.
    pub overlap: bool,
    /// An error next to a form (`cancel`, `live`).
    pub errors: std::collections::HashMap<String, String>,
}

impl EventPage {
    /// The error of a form, if any.
    pub fn error(&self, form: &str) -> Option<&str> {
        self.errors.get(form).map(String::as_str)
    }
}

/// Renders the event `id`'s page for `session` with `errors` next to
/// their forms.
fn event_page(
    s: &AppState,
    session: MemberSession,
    id: Id,
    query: &EventQuery,
    errors: std::collections::HashMap<String, String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let view = s.node.event(&session.viewer, id)?;
    let Site {
        domain,
        members,
        posts,
    } = site(s)?;
    render_with_status(
        EventPage {
            domain,
            members,
            posts,
            me: Some(session.me),
            event: EventItem::of(&view, node::model::now_ms()),
            notice: query.done.as_deref().and_then(notice),
            overlap: query.overlap.is_some(),
            errors,
        },
        status,
    )
}

/// GET /events/{id} — the event: when (in its zone, and as an instant),
/// where (with a map link), online and stream links, seats, its status,
/// the member's registration with its form, "Add to calendar", and for
/// its organisers the edit, cancel, go-live and participants links.
/// GET /events/{id} — the event's page, or for `ID.ics` the event's
/// iCalendar file, which anyone may fetch (one route: the router matches
/// whole segments, so `/events/{id}.ics` cannot be a route of its own).
pub async fn page_or_ics(
    State(s): State<AppState>,
    Path(id): Path<String>,
    request: axum::extract::Request,
) -> Response {
    if id.ends_with(".ics") {
        return crate::routes::calendar::event_ics(State(s), Path(id))
            .await
            .into_response();
    }
    axum::handler::Handler::call(page, request, s).await
}

/// The event's page for a signed-in member.
pub async fn page(
    State(s): State<AppState>,
    Path(id): Path<String>,
    session: MemberSession,
    Query(query): Query<EventQuery>,
) -> Result<Response, AppError> {
    let id = event_id(&id)?;
    event_page(&s, session, id, &query, Default::default(), StatusCode::OK)
}

/// POST /events/{id}/register — registers the member (`listed`: their
/// name is shown to other participants); back to the event with where
/// the registration stands (registered, waitlisted or pending).
pub async fn register(
    State(s): State<AppState>,
    Path(id): Path<String>,
    AppForm { session, form, .. }: AppForm,
) -> Result<Response, AppError> {
    let id = event_id(&id)?;
    let listed = !field(&form, "listed").is_empty();
    let outcome = s
        .node
        .register_for_event(&session.viewer, id, listed)
        .await?;
    let done = match outcome.state {
        RegistrationState::Invited => "registered",
        state => state_name(state),
    };
    let overlap = if outcome.overlaps.is_empty() {
        ""
    } else {
        "&overlap=1"
    };
    Ok(Redirect::to(&event_path(id, &format!("?done={done}{overlap}"))).into_response())
}

/// POST /events/{id}/unregister — cancels the member's registration (a
/// seat freed goes to the first waiting); back to the event.
pub async fn unregister(
    State(s): State<AppState>,
    Path(id): Path<String>,
    AppForm { session, .. }: AppForm,
) -> Result<Response, AppError> {
    let id = event_id(&id)?;
    s.node.unregister_from_event(&session.viewer, id).await?;
    Ok(Redirect::to(&event_path(id, "?done=unregistered")).into_response())
}

/// POST /events/{id}/cancel — its organisers cancel it once its
/// confirmation box is ticked (everyone registered is told); back to the
/// event, or the page again with the error next to the box (422).
pub async fn cancel(
    State(s): State<AppState>,
    Path(id): Path<String>,
    AppForm { session, form, .. }: AppForm,
) -> Result<Response, AppError> {
    let id = event_id(&id)?;
    if field(&form, "confirm").is_empty() {
        let errors = [(
            "cancel".to_string(),
            "tick the box to confirm that the event is cancelled".to_string(),
        )]
        .into();
        return event_page(
            &s,
            session,
            id,
            &EventQuery::default(),
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    s.node.cancel_event(&session.viewer, id).await?;
    Ok(Redirect::to(&event_path(id, "?done=cancelled")).into_response())
}

/// POST /events/{id}/live — its organisers set the live stream's link
/// (everyone registered is told); back to the event, or the page again
/// with the error next to the link (422, 409 for an event that cannot go
/// live).
pub async fn live(
    State(s): State<AppState>,
    Path(id): Path<String>,
    AppForm { session, form, .. }: AppForm,
) -> Result<Response, AppError> {
    let id = event_id(&id)?;
    let url = field(&form, "stream_url").to_string();
    match s.node.go_live(&session.viewer, id, &url).await {
        Ok(_) => Ok(Redirect::to(&event_path(id, "?done=live")).into_response()),
        Err(e @ (node::NodeError::Invalid { .. } | node::NodeError::Conflict { .. })) => {
            let e = crate::error::ApiError::from(e);
            let status = e.status;
            let errors = [("live".to_string(), e.message)].into();
            event_page(&s, session, id, &EventQuery::default(), errors, status)
        }
        Err(e) => Err(e.into()),
    }
}

/// A participant as the list shows them.
pub struct ParticipantItem {
    /// Username.
    pub username: String,
    /// The name shown.
    pub name: String,
    /// Their state's name.
    pub state: &'static str,
    /// When it took that state (RFC 3339).
    pub since: String,
    /// Whether they chose to be listed.
    pub listed: bool,
    /// When they were checked in (RFC 3339).
    pub attended: Option<String>,
}

/// The participants' page.
#[derive(Template)]
#[template(path = "app/events/participants.html")]
pub struct ParticipantsPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    pub event: EventItem,
    /// Whether the viewer organises it (and sees everyone, with forms).
    pub organiser_view: bool,
    pub registered: i64,
    pub waitlisted: i64,
    pub pending: i64,
    pub attended: i64,
    pub items: Vec<ParticipantItem>,
    pub notice: Option<&'static str>,
}

/// GET /events/{id}/participants — for its organisers, everyone (seats,
/// the waitlist in order, pending and invited) with approve and reject
/// forms for those pending and a check-in form for those with a seat;
/// for others, the counts and the participants who chose to be listed.
pub async fn participants(
    State(s): State<AppState>,
    Path(id): Path<String>,
    session: MemberSession,
    Query(query): Query<EventQuery>,
) -> Result<Response, AppError> {
    let id = event_id(&id)?;
    let view = s.node.event(&session.viewer, id)?;
    let list = s.node.event_participants(&session.viewer, id)?;
    let items = list
        .items
        .iter()
        .map(|p| ParticipantItem {
            username: p.account.username.clone(),
            name: if p.account.full_name.is_empty() {
                p.account.username.clone()
            } else {
                p.account.full_name.clone()
            },
            state: state_name(p.state),
            since: node::model::rfc3339::format(p.since),
            listed: p.listed,
            attended: p.attended_at.map(node::model::rfc3339::format),
        })
        .collect();
    let Site {
        domain,
        members,
        posts,
    } = site(&s)?;
    render(ParticipantsPage {
        domain,
        members,
        posts,
        me: Some(session.me),
        event: EventItem::of(&view, node::model::now_ms()),
        organiser_view: list.organiser_view,
        registered: list.registered,
        waitlisted: list.waitlisted,
        pending: list.pending,
        attended: list.attended,
        items,
        notice: query.done.as_deref().and_then(notice),
    })
}

/// POST /events/{id}/participants/{user}/{action} — an organiser
/// approves or rejects `user`'s pending registration, or checks them in;
/// back to the participants (303).
pub async fn participant_action(
    State(s): State<AppState>,
    Path((id, user, action)): Path<(String, String, String)>,
    AppForm { session, .. }: AppForm,
) -> Result<Response, AppError> {
    let id = event_id(&id)?;
    let v = &session.viewer;
    let done = match action.as_str() {
        "approve" => {
            s.node.approve_registration(v, id, &user).await?;
            "approved"
        }
        "reject" => {
            s.node.reject_registration(v, id, &user).await?;
            "rejected"
        }
        "checkin" => {
            s.node.check_in(v, id, &user).await?;
            "checkedin"
        }
        _ => {
            return Err(AppError::Page(
                StatusCode::NOT_FOUND,
                "No such action.".into(),
            ))
        }
    };
    Ok(Redirect::to(&event_path(id, &format!("/participants?done={done}"))).into_response())
}
