//! Events (`/api/kodeon/v1/events…`): what members and groups organise,
//! registration with its waitlist, participants and check-in. Each handler
//! parses, calls one node method (node/src/community_events/), renders.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use node::community_events::{EventCursor, EventQuery, EventUpdate, NewEvent};
use node::NodeError;
use serde::{Deserialize, Serialize};

use crate::error::ApiResult;
use crate::extract::{parse_id, Auth, Json, MaybeAuth, OptionalJson};
use crate::rate_limit::Action;
use crate::state::AppState;

/// Routes under `/api/kodeon/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/events", get(upcoming).post(create))
        .route("/events/past", get(past))
        .route("/events/lookup", post(lookup))
        .route("/me/events", get(mine))
        .route("/events/{id}", get(show).patch(update).delete(remove))
        .route("/events/{id}/cancel", post(cancel))
        .route("/events/{id}/live", post(live))
        .route("/events/{id}/register", post(register))
        .route("/events/{id}/unregister", post(unregister))
        .route("/events/{id}/participants", get(participants))
        .route(
            "/events/{id}/participants/{user}/{action}",
            post(participant_action),
        )
}

/// The query of the upcoming events.
#[derive(Debug, Default, Deserialize)]
struct UpcomingQuery {
    from: Option<String>,
    to: Option<String>,
    group: Option<String>,
    category: Option<String>,
    organiser: Option<String>,
    near: Option<String>,
    radius_km: Option<String>,
    online: Option<bool>,
    after: Option<String>,
    limit: Option<usize>,
}

/// A page of events: the events and the cursor of the next page (pass it
/// as `after`, or `before` for the archive).
#[derive(Debug, Serialize)]
struct EventsPage {
    items: Vec<node::community_events::EventView>,
    next: Option<String>,
}

impl From<node::community_events::EventPage> for EventsPage {
    fn from(page: node::community_events::EventPage) -> Self {
        EventsPage {
            items: page.items,
            next: page.next.map(|c| encode_cursor(&c)),
        }
    }
}

/// A cursor as the API writes it: `START_MS.ID`.
fn encode_cursor(cursor: &EventCursor) -> String {
    format!("{}.{}", cursor.start, cursor.id)
}

/// A cursor as the API reads it (422 naming `field` when malformed).
fn decode_cursor(field: &'static str, raw: &str) -> Result<EventCursor, NodeError> {
    let bad = || NodeError::invalid(field, "is not a cursor this API gave");
    let (start, id) = raw.split_once('.').ok_or_else(bad)?;
    Ok(EventCursor {
        start: start.parse().map_err(|_| bad())?,
        id: id.parse().map_err(|_| bad())?,
    })
}

/// An instant given as milliseconds since the epoch or RFC 3339 text (422
/// naming `field` otherwise).
fn instant(field: &'static str, raw: &str) -> Result<i64, NodeError> {
    let raw = raw.trim();
    if let Ok(ms) = raw.parse::<i64>() {
        return Ok(ms);
    }
    let parsed =
        time::OffsetDateTime::parse(raw, &time::format_description::well_known::Rfc3339)
            .map_err(|_| NodeError::invalid(field, "must be an RFC 3339 time or milliseconds"))?;
    i64::try_from(parsed.unix_timestamp_nanos() / 1_000_000)
        .map_err(|_| NodeError::invalid(field, "is out of range"))
}

/// `LAT,LON` (422 naming `near` otherwise).
fn coordinates(raw: &str) -> Result<(f64, f64), NodeError> {
    let bad = || NodeError::invalid("near", "must be LAT,LON in degrees");
    let (lat, lon) = raw.split_once(',').ok_or_else(bad)?;
    let lat: f64 = lat.trim().parse().map_err(|_| bad())?;
    let lon: f64 = lon.trim().parse().map_err(|_| bad())?;
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return Err(bad());
    }
    Ok((lat, lon))
}

/// A radius in km (422 naming `radius_km` when not a number; the node
/// checks its range).
fn radius(raw: &str) -> Result<f64, NodeError> {
    raw.trim()
        .parse()
        .map_err(|_| NodeError::invalid("radius_km", "must be a number of km"))
}

/// GET /api/kodeon/v1/events?from=&to=&group=&category=&organiser=&near=LAT,LON&radius_km=&online=true&after=&limit=
async fn upcoming(
    State(s): State<AppState>,
    MaybeAuth(v): MaybeAuth,
    Query(q): Query<UpcomingQuery>,
) -> ApiResult<impl IntoResponse> {
    let query = EventQuery {
        from: q.from.as_deref().map(|t| instant("from", t)).transpose()?,
        to: q.to.as_deref().map(|t| instant("to", t)).transpose()?,
        group: q.group.filter(|g| !g.is_empty()),
        category: q.category.filter(|c| !c.is_empty()),
        organiser: q.organiser.filter(|o| !o.is_empty()),
        online: q.online.unwrap_or(false),
        near: q.near.as_deref().map(coordinates).transpose()?,
        radius_km: q.radius_km.as_deref().map(radius).transpose()?,
        after: q
            .after
            .as_deref()
            .map(|c| decode_cursor("after", c))
            .transpose()?,
        limit: q.limit,
    };
    let page = s.node.upcoming_events(&v, &query)?;
    Ok(axum::Json(EventsPage::from(page)))
}

/// The query of the archive and of a member's events.
#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    before: Option<String>,
    after: Option<String>,
    from: Option<String>,
    limit: Option<usize>,
}

/// GET /api/kodeon/v1/events/past?before=&limit= (newest first)
async fn past(
    State(s): State<AppState>,
    MaybeAuth(v): MaybeAuth,
    Query(q): Query<ListQuery>,
) -> ApiResult<impl IntoResponse> {
    let before = q
        .before
        .as_deref()
        .map(|c| decode_cursor("before", c))
        .transpose()?;
    let page = s.node.past_events(&v, before, q.limit)?;
    Ok(axum::Json(EventsPage::from(page)))
}

/// GET /api/kodeon/v1/me/events?from=&after=&limit= (the events the
/// member registered for, soonest first)
async fn mine(
    State(s): State<AppState>,
    Auth(v): Auth,
    Query(q): Query<ListQuery>,
) -> ApiResult<impl IntoResponse> {
    let from = q.from.as_deref().map(|t| instant("from", t)).transpose()?;
    let after = q
        .after
        .as_deref()
        .map(|c| decode_cursor("after", c))
        .transpose()?;
    let page = s.node.my_events(&v, from, after, q.limit)?;
    Ok(axum::Json(EventsPage::from(page)))
}

/// POST /api/kodeon/v1/events (limited as posting is) → 201 with the event
async fn create(
    State(s): State<AppState>,
    Auth(v): Auth,
    Json(new): Json<NewEvent>,
) -> ApiResult<impl IntoResponse> {
    if let Some(id) = v.id() {
        s.limiters.check(Action::Post, &id.to_string())?;
    }
    Ok((
        StatusCode::CREATED,
        axum::Json(s.node.create_event(&v, new).await?),
    ))
}

/// The body of `lookup`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LookupBody {
    /// The event's ActivityPub id or page (on this node or another).
    url: String,
}

/// POST /api/kodeon/v1/events/lookup with `{"url"}` → the event (signed-in
/// members, within their remote-lookup budget): one of this node's, or one
/// of another server (Mobilizon, another Kodeon node), fetched and stored
/// so that it lists and takes registrations; 422 naming `url` when it is
/// no http(s) URL, 404 when it names no public event.
async fn lookup(
    State(s): State<AppState>,
    Auth(v): Auth,
    Json(body): Json<LookupBody>,
) -> ApiResult<impl IntoResponse> {
    if protocol::urls::HttpUrl::parse(body.url.trim()).is_err() {
        return Err(NodeError::invalid("url", "must be an http(s) URL").into());
    }
    let Some(federation) = &s.federation else {
        return Err(NodeError::NotFound("event").into());
    };
    crate::rate_limit::check_remote_lookup(&s.limiters, &v)?;
    let id = federation.lookup_event(&body.url).await?;
    Ok(axum::Json(s.node.event(&v, id)?))
}

/// GET /api/kodeon/v1/events/{id}
async fn show(
    State(s): State<AppState>,
    MaybeAuth(v): MaybeAuth,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(s.node.event(&v, parse_id(&id)?)?))
}

/// PATCH /api/kodeon/v1/events/{id} (its organisers)
async fn update(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(id): Path<String>,
    Json(change): Json<EventUpdate>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(
        s.node.update_event(&v, parse_id(&id)?, change).await?,
    ))
}

/// DELETE /api/kodeon/v1/events/{id} (its organisers) → 204
async fn remove(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    s.node.delete_event(&v, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// POST /api/kodeon/v1/events/{id}/cancel (its organisers; everyone
/// registered is told)
async fn cancel(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(s.node.cancel_event(&v, parse_id(&id)?).await?))
}

/// The body of `live`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LiveBody {
    stream_url: String,
}

/// POST /api/kodeon/v1/events/{id}/live with `{"stream_url"}` (its
/// organisers; everyone registered is told)
async fn live(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(id): Path<String>,
    Json(body): Json<LiveBody>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(
        s.node.go_live(&v, parse_id(&id)?, &body.stream_url).await?,
    ))
}

/// The optional body of `register`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegisterBody {
    /// Whether the member's name is shown to other participants.
    #[serde(default)]
    listed: bool,
}

/// POST /api/kodeon/v1/events/{id}/register →
/// `{"state": "registered"|"waitlisted"|"pending", "changed", "overlaps"}`
async fn register(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(id): Path<String>,
    OptionalJson(body): OptionalJson<RegisterBody>,
) -> ApiResult<impl IntoResponse> {
    let id = parse_id(&id)?;
    Ok(axum::Json(
        s.node.register_for_event(&v, id, body.listed).await?,
    ))
}

/// POST /api/kodeon/v1/events/{id}/unregister → 204 (a seat freed goes to
/// the first waiting)
async fn unregister(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    s.node.unregister_from_event(&v, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// GET /api/kodeon/v1/events/{id}/participants (everyone for its
/// organisers; counts and the listed names for others)
async fn participants(
    State(s): State<AppState>,
    MaybeAuth(v): MaybeAuth,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(s.node.event_participants(&v, parse_id(&id)?)?))
}

/// POST /api/kodeon/v1/events/{id}/participants/{user}/approve|reject|checkin
/// (its organisers) → 204
async fn participant_action(
    State(s): State<AppState>,
    Auth(v): Auth,
    Path((id, user, action)): Path<(String, String, String)>,
) -> ApiResult<StatusCode> {
    let id = parse_id(&id)?;
    match action.as_str() {
        "approve" => {
            s.node.approve_registration(&v, id, &user).await?;
        }
        "reject" => s.node.reject_registration(&v, id, &user).await?,
        "checkin" => {
            s.node.check_in(&v, id, &user).await?;
        }
        "invite" => s.node.invite_to_event(&v, id, &user).await?,
        _ => return Err(NodeError::NotFound("route").into()),
    }
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(e: NodeError) -> String {
        match e {
            NodeError::Invalid { field, .. } => field,
            other => panic!("expected a 422, got {other:?}"),
        }
    }

    #[test]
    fn a_bad_place_or_radius_names_its_field() {
        assert_eq!(radius(" 12.5 ").ok(), Some(12.5));
        assert_eq!(radius("far").map_err(field), Err("radius_km".into()));
        assert_eq!(coordinates("48.85,2.35").ok(), Some((48.85, 2.35)));
        assert_eq!(coordinates("48.85").map_err(field), Err("near".into()));
        assert_eq!(coordinates("91,0").map_err(field), Err("near".into()));
    }
}
