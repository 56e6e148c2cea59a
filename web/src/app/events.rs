//! Events in the members' app: the list (`/events`: upcoming with filters,
//! the member's own, the archive, and a month's calendar), and what every
//! events page shows of one event ([`EventItem`]). The event page, its
//! forms and the participants are in `event_page.rs`; the create and edit
//! forms in `events_form.rs`.
//!
//! Times are shown in the event's own time zone, with its name ("Sat 15
//! Feb 2031, 19:00–21:00 (Asia/Jakarta)"), and carried as UTC instants in
//! `<time datetime>`, so that a script may show them in the viewer's zone.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
pub(super) use node::community_events::span_text;
use node::community_events::{
    zone, zoned, EventCursor, EventFormat, EventPage, EventQuery, EventStatus, EventType,
    EventView, RegistrationMode, RegistrationState,
};
use node::NodeError;
use serde::Deserialize;

use super::{render_with_status, AppError, Me, MemberSession};
use crate::public_pages::{site, Site};
use crate::state::AppState;

/// Events per list page.
const LIST_PAGE: usize = 20;
/// The most events a month's calendar shows (the node's largest page).
const CALENDAR_EVENTS: usize = 100;
/// Twice the largest UTC offset (14 h), in ms: how far outside a month
/// (in UTC) its calendar looks, since each event is placed on its day in
/// its own zone.
const ZONE_SLACK_MS: i64 = 14 * 3_600_000;

/// What a `?done=` code says on the events pages. Codes, not free text,
/// so that a link cannot make a page show someone else's words.
pub(super) fn notice(code: &str) -> Option<&'static str> {
    Some(match code {
        "created" => "The event is created.",
        "saved" => "The event is saved.",
        "registered" => "You are registered: your seat is kept.",
        "waitlisted" => {
            "The event is full: you are on the waitlist, and will get the first seat that frees."
        }
        "pending" => "Your registration waits for an organiser's approval.",
        "unregistered" => "Your registration is cancelled.",
        "cancelled" => "The event is cancelled; everyone registered is told.",
        "live" => "The event is live; everyone registered is told where to watch.",
        "approved" => "The registration is approved.",
        "rejected" => "The registration is rejected.",
        "checkedin" => "The participant is checked in.",
        _ => return None,
    })
}

/// The instant `ms` in UTC as RFC 3339 (`2031-02-15T12:00:00Z`), for
/// `<time datetime>`.
pub(super) fn iso(ms: i64) -> String {
    Timestamp::from_millisecond(ms)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_string()
}

/// The instant `ms` in the zone `zone_name` as a `datetime-local` input's
/// value (`2031-02-15T19:00`).
pub(super) fn local_input(ms: i64, zone_name: &str) -> String {
    zoned(ms, &zone(zone_name))
        .strftime("%Y-%m-%dT%H:%M")
        .to_string()
}

/// An event's type in words.
fn kind_word(kind: EventType) -> &'static str {
    match kind {
        EventType::Meetup => "Meetup",
        EventType::Webinar => "Webinar",
        EventType::Hackathon => "Hackathon",
        EventType::Workshop => "Workshop",
        EventType::Conference => "Conference",
        EventType::Other => "Event",
    }
}

/// A registration state's name, as pages and tests read it.
pub(super) fn state_name(state: RegistrationState) -> &'static str {
    match state {
        RegistrationState::Registered => "registered",
        RegistrationState::Waitlisted => "waitlisted",
        RegistrationState::Pending => "pending",
        RegistrationState::Invited => "invited",
    }
}

/// A registration state in words.
pub(super) fn state_text(state: RegistrationState) -> &'static str {
    match state {
        RegistrationState::Registered => "Registered: you have a seat",
        RegistrationState::Waitlisted => {
            "On the waitlist: the first seat that frees is yours in turn"
        }
        RegistrationState::Pending => {
            "Pending: an organiser will approve or reject your registration"
        }
        RegistrationState::Invited => "Invited: register to take your seat",
    }
}

/// One event as the app's pages show it.
#[derive(Debug, Clone)]
pub struct EventItem {
    /// Its id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Description, rendered and sanitised by the node.
    pub description_html: String,
    /// Its type in words.
    pub kind: &'static str,
    /// When, in its zone, with the zone's name.
    pub when: String,
    /// Start, UTC (RFC 3339).
    pub start_iso: String,
    /// End, UTC (RFC 3339).
    pub end_iso: String,
    /// Its IANA zone (the app's script adds the viewer's own time when
    /// theirs is another).
    pub timezone: String,
    /// `offline`, `online` or `hybrid`.
    pub format: &'static str,
    /// The place in one line, if it has one.
    pub place: Option<String>,
    /// OpenStreetMap at the place's coordinates, when it has them.
    pub map_url: Option<String>,
    /// Where to join online.
    pub online_url: Option<String>,
    /// The live stream, once live.
    pub stream_url: Option<String>,
    /// Seats, in words ("3 of 10 seats left", "No seat limit").
    pub seats_text: String,
    /// Registered (holding a seat).
    pub registered: i64,
    /// On the waitlist.
    pub waitlisted: i64,
    /// Waiting for approval.
    pub pending: i64,
    /// Checked in.
    pub attended: i64,
    /// The organiser's username (if the account is still there).
    pub organiser: Option<String>,
    /// The group's name and display name, for a group's event.
    pub group: Option<(String, String)>,
    /// `draft`, `open`, `cancelled` or `finished` (an event whose end has
    /// passed is finished).
    pub status: &'static str,
    /// How one registers, in words.
    pub registration_text: &'static str,
    /// Category slug.
    pub category: Option<String>,
    /// Tag slugs.
    pub tags: Vec<String>,
    /// The viewer's registration: its state's name, if any.
    pub my_state: Option<&'static str>,
    /// The viewer's registration in words.
    pub my_state_text: Option<&'static str>,
    /// Whether the viewer chose to be listed.
    pub listed: bool,
    /// Whether the viewer was checked in.
    pub attended_me: bool,
    /// Whether the viewer organises it.
    pub can_edit: bool,
    /// Its page on its own server, for an event of another server.
    pub remote_url: Option<String>,
}

impl EventItem {
    /// The event `view` as its viewer sees it, at `now` (ms).
    pub(super) fn of(view: &EventView, now: i64) -> Self {
        let e = &view.event;
        let place = e.location.as_ref().map(|l| {
            [&l.name, &l.address, &l.locality, &l.country]
                .iter()
                .filter(|p| !p.is_empty())
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        });
        let map_url = e.location.as_ref().and_then(|l| {
            let (lat, lon) = (l.lat?, l.lon?);
            Some(format!(
                "https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=16/{lat}/{lon}"
            ))
        });
        let seats_text = match (e.capacity, view.seats_left) {
            (Some(capacity), Some(0)) => format!(
                "Full ({capacity} seats){}",
                match view.waitlisted_count {
                    0 => String::new(),
                    n => format!(", {n} on the waitlist"),
                }
            ),
            (Some(capacity), Some(left)) => format!("{left} of {capacity} seats left"),
            _ => "No seat limit".into(),
        };
        let status = match e.status {
            EventStatus::Cancelled => "cancelled",
            EventStatus::Draft => "draft",
            _ if e.is_over(now) => "finished",
            _ => "open",
        };
        let mine = view.viewer.as_ref();
        EventItem {
            id: e.id.to_string(),
            title: e.title.clone(),
            description_html: e.description_html.clone(),
            kind: kind_word(e.kind),
            when: span_text(e.start, e.end, &e.timezone),
            start_iso: iso(e.start),
            end_iso: iso(e.end),
            timezone: e.timezone.clone(),
            format: match e.format {
                EventFormat::Offline => "offline",
                EventFormat::Online => "online",
                EventFormat::Hybrid => "hybrid",
            },
            place,
            map_url,
            online_url: e.online_url.clone(),
            stream_url: e.stream_url.clone(),
            seats_text,
            registered: view.registered_count,
            waitlisted: view.waitlisted_count,
            pending: view.pending_count,
            attended: view.attended_count,
            organiser: view.organiser_account.as_ref().map(|a| a.username.clone()),
            group: view.group_account.as_ref().map(|g| {
                let shown = if g.full_name.is_empty() {
                    g.username.clone()
                } else {
                    g.full_name.clone()
                };
                (g.username.clone(), shown)
            }),
            status,
            registration_text: match e.registration {
                RegistrationMode::Open => "Open registration",
                RegistrationMode::Approval => "Registrations are approved by an organiser",
                RegistrationMode::Invite => "By invitation",
            },
            category: e.category.clone(),
            tags: e.tags.clone(),
            my_state: mine.map(|m| state_name(m.state)),
            my_state_text: mine.map(|m| state_text(m.state)),
            listed: mine.is_some_and(|m| m.listed),
            attended_me: mine.is_some_and(|m| m.attended_at.is_some()),
            can_edit: view.can_edit,
            remote_url: view.event.remote.as_ref().map(|r| r.url.clone()),
        }
    }

    /// Whether it is held online (online or hybrid).
    pub fn online(&self) -> bool {
        self.format != "offline"
    }
}

/// The list's query: the tab, the filters, the cursor, the calendar's
/// month, a notice.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    /// `upcoming` (default), `mine` or `past`.
    tab: Option<String>,
    /// `calendar` for the month grid.
    view: Option<String>,
    /// The calendar's month, `YYYY-MM`.
    month: Option<String>,
    /// `true` (or `on`, a checkbox's value): online and hybrid only.
    online: Option<String>,
    /// A category slug.
    category: Option<String>,
    /// Latitude of `near`.
    lat: Option<String>,
    /// Longitude of `near`.
    lon: Option<String>,
    /// The radius around (lat, lon), km.
    radius_km: Option<String>,
    /// The next page's cursor (`START.ID`).
    after: Option<String>,
    done: Option<String>,
}

/// The filters as typed, and their errors.
#[derive(Debug, Default)]
pub struct Filters {
    /// Online and hybrid only.
    pub online: bool,
    /// Category as typed.
    pub category: String,
    /// Latitude as typed.
    pub lat: String,
    /// Longitude as typed.
    pub lon: String,
    /// Radius as typed.
    pub radius_km: String,
    /// Errors by field (`category`, `lat`, `lon`, `radius_km`).
    pub errors: std::collections::HashMap<String, String>,
}

impl Filters {
    /// The error of a filter, if any.
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(String::as_str)
    }

    /// The filters as a query string (for the pager), starting with `&`.
    fn query(&self) -> String {
        let mut q = String::new();
        if self.online {
            q.push_str("&online=true");
        }
        for (name, value) in [
            ("category", &self.category),
            ("lat", &self.lat),
            ("lon", &self.lon),
            ("radius_km", &self.radius_km),
        ] {
            if !value.is_empty() {
                q.push('&');
                q.push_str(name);
                q.push('=');
                q.extend(form_urlencoded::byte_serialize(value.as_bytes()));
            }
        }
        q
    }

    /// The node's query for these filters, or `None` with the errors set.
    fn node_query(&mut self, after: Option<EventCursor>) -> Option<EventQuery> {
        let number = |errors: &mut std::collections::HashMap<String, String>,
                      field: &str,
                      value: &str|
         -> Option<Option<f64>> {
            if value.is_empty() {
                return Some(None);
            }
            match value.parse::<f64>() {
                Ok(n) if n.is_finite() => Some(Some(n)),
                _ => {
                    errors.insert(field.into(), "enter a number such as -6.2".into());
                    None
                }
            }
        };
        let lat = number(&mut self.errors, "lat", &self.lat);
        let lon = number(&mut self.errors, "lon", &self.lon);
        let radius = number(&mut self.errors, "radius_km", &self.radius_km);
        let (Some(lat), Some(lon), Some(radius_km)) = (lat, lon, radius) else {
            return None;
        };
        let near = match (lat, lon) {
            (Some(lat), Some(lon)) => Some((lat, lon)),
            (None, None) => None,
            (None, Some(_)) => {
                self.errors
                    .insert("lat".into(), "give the latitude with the longitude".into());
                return None;
            }
            (Some(_), None) => {
                self.errors
                    .insert("lon".into(), "give the longitude with the latitude".into());
                return None;
            }
        };
        Some(EventQuery {
            category: Some(self.category.clone()).filter(|c| !c.is_empty()),
            online: self.online,
            near,
            radius_km,
            after,
            limit: Some(LIST_PAGE),
            ..EventQuery::default()
        })
    }

    /// Puts the node's error about `field` next to its filter.
    fn set_error(&mut self, field: &str, message: String) {
        let at = match field {
            "category" => "category",
            "radius_km" => "radius_km",
            "near" | "near.lat" | "lat" => "lat",
            "near.lon" | "lon" => "lon",
            _ => "form",
        };
        self.errors.insert(at.into(), message);
    }
}

/// A cursor as the pages write it: `START_MS.ID`.
fn encode_cursor(cursor: &EventCursor) -> String {
    format!("{}.{}", cursor.start, cursor.id)
}

/// A cursor as the pages read it; a malformed one reads as none (the
/// first page).
fn decode_cursor(raw: &str) -> Option<EventCursor> {
    let (start, id) = raw.split_once('.')?;
    Some(EventCursor {
        start: start.parse().ok()?,
        id: id.parse().ok()?,
    })
}

/// One day of the calendar's grid.
pub struct CalendarDay {
    /// The day of the month (0 for a cell outside the month).
    pub day: i8,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// The events starting that day (in their own zone): id, time in
    /// their zone, title.
    pub events: Vec<(String, String, String)>,
}

/// A month's calendar.
pub struct Calendar {
    /// "February 2031".
    pub title: String,
    /// The weeks, Monday first, each of seven days.
    pub weeks: Vec<Vec<CalendarDay>>,
    /// The months before and after (`YYYY-MM`).
    pub prev: String,
    /// The month after.
    pub next: String,
    /// Whether the month had more events than the grid shows.
    pub truncated: bool,
}

/// The events list (all its tabs).
#[derive(Template)]
#[template(path = "app/events/list.html")]
pub struct ListPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    /// `upcoming`, `mine`, `past` or `calendar`.
    pub tab: &'static str,
    /// The page's heading.
    pub heading: &'static str,
    pub events: Vec<EventItem>,
    pub filters: Filters,
    /// The next page's link.
    pub next: Option<String>,
    /// The month grid, on the calendar tab.
    pub calendar: Option<Calendar>,
    pub notice: Option<&'static str>,
    /// Recommended for the member, with why (`discover.rs`).
    pub recs: Vec<super::discover::RecItem>,
}

/// The month `YYYY-MM` (its first day), or the current month in UTC.
fn month_of(raw: Option<&str>) -> Date {
    raw.and_then(|m| format!("{m}-01").parse::<Date>().ok())
        .unwrap_or_else(|| {
            Timestamp::now()
                .to_zoned(TimeZone::UTC)
                .date()
                .first_of_month()
        })
}

/// The month grid of `month` with `events` on their days (in their own
/// zones).
fn calendar(month: Date, events: &[EventView], truncated: bool) -> Calendar {
    let first = month.first_of_month();
    let days = first.days_in_month();
    // Monday is 1 … Sunday 7: empty cells before the first.
    let lead = first.weekday().to_monday_one_offset() - 1;
    let mut cells: Vec<CalendarDay> = (0..lead)
        .map(|_| CalendarDay {
            day: 0,
            date: String::new(),
            events: Vec::new(),
        })
        .collect();
    for d in 1..=days {
        let date = first.with().day(d).build().unwrap_or(first);
        let mut on_day: Vec<(i64, (String, String, String))> = events
            .iter()
            .filter_map(|v| {
                let e = &v.event;
                let start = zoned(e.start, &zone(&e.timezone));
                (start.date() == date).then(|| {
                    (
                        e.start,
                        (
                            e.id.to_string(),
                            start.strftime("%H:%M").to_string(),
                            e.title.clone(),
                        ),
                    )
                })
            })
            .collect();
        on_day.sort_by_key(|(start, _)| *start);
        cells.push(CalendarDay {
            day: d,
            date: date.to_string(),
            events: on_day.into_iter().map(|(_, e)| e).collect(),
        });
    }
    while !cells.len().is_multiple_of(7) {
        cells.push(CalendarDay {
            day: 0,
            date: String::new(),
            events: Vec::new(),
        });
    }
    let mut weeks = Vec::new();
    let mut cells = cells.into_iter().peekable();
    while cells.peek().is_some() {
        weeks.push(cells.by_ref().take(7).collect());
    }
    let prev = first
        .checked_sub(jiff::Span::new().months(1))
        .unwrap_or(first);
    let next = first
        .checked_add(jiff::Span::new().months(1))
        .unwrap_or(first);
    Calendar {
        title: first.strftime("%B %Y").to_string(),
        weeks,
        prev: prev.strftime("%Y-%m").to_string(),
        next: next.strftime("%Y-%m").to_string(),
        truncated,
    }
}

/// GET /events — upcoming events, soonest first, with filters (online
/// only, a category, near coordinates within a radius); `?tab=mine`: the
/// member's own (registered, waiting, pending); `?tab=past`: the archive,
/// newest first; `?view=calendar&month=YYYY-MM`: a month's grid.
pub async fn list(
    State(s): State<AppState>,
    session: MemberSession,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let now = node::model::now_ms();
    let mut filters = Filters {
        online: matches!(q.online.as_deref(), Some("true" | "on" | "1")),
        category: q.category.as_deref().unwrap_or("").trim().to_string(),
        lat: q.lat.as_deref().unwrap_or("").trim().to_string(),
        lon: q.lon.as_deref().unwrap_or("").trim().to_string(),
        radius_km: q.radius_km.as_deref().unwrap_or("").trim().to_string(),
        ..Filters::default()
    };
    let after = q.after.as_deref().and_then(decode_cursor);
    let tab = match (q.view.as_deref(), q.tab.as_deref()) {
        (Some("calendar"), _) => "calendar",
        (_, Some("mine")) => "mine",
        (_, Some("past")) => "past",
        _ => "upcoming",
    };
    let mut status = StatusCode::OK;
    let mut calendar_grid = None;
    let page: Option<EventPage> = match tab {
        "mine" => Some(
            s.node
                .my_events(&session.viewer, None, after, Some(LIST_PAGE))?,
        ),
        "past" => Some(
            s.node
                .past_events(&session.viewer, after, Some(LIST_PAGE))?,
        ),
        "calendar" => {
            let month = month_of(q.month.as_deref());
            let start = month
                .to_zoned(TimeZone::UTC)
                .map_err(|e| AppError::Page(StatusCode::BAD_REQUEST, e.to_string()))?;
            let end = start
                .checked_add(jiff::Span::new().months(1))
                .map_err(|e| AppError::Page(StatusCode::BAD_REQUEST, e.to_string()))?;
            let query = EventQuery {
                from: Some(start.timestamp().as_millisecond() - ZONE_SLACK_MS),
                to: Some(end.timestamp().as_millisecond() + ZONE_SLACK_MS),
                limit: Some(CALENDAR_EVENTS),
                ..EventQuery::default()
            };
            let page = s.node.upcoming_events(&session.viewer, &query)?;
            calendar_grid = Some(calendar(month, &page.items, page.next.is_some()));
            None
        }
        _ => match filters.node_query(after) {
            None => {
                status = StatusCode::UNPROCESSABLE_ENTITY;
                None
            }
            Some(query) => match s.node.upcoming_events(&session.viewer, &query) {
                Ok(page) => Some(page),
                Err(NodeError::Invalid { field, message }) => {
                    filters.set_error(&field, message);
                    status = StatusCode::UNPROCESSABLE_ENTITY;
                    None
                }
                Err(e) => return Err(e.into()),
            },
        },
    };
    let (events, next) = match page {
        Some(page) => {
            let next = page.next.map(|c| {
                let tab_query = match tab {
                    "mine" => "tab=mine".to_string(),
                    "past" => "tab=past".to_string(),
                    _ => format!("tab=upcoming{}", filters.query()),
                };
                format!("/events?{tab_query}&after={}", encode_cursor(&c))
            });
            let events = page.items.iter().map(|v| EventItem::of(v, now)).collect();
            (events, next)
        }
        None => (Vec::new(), None),
    };
    let heading = match tab {
        "mine" => "My events",
        "past" => "Past events",
        "calendar" => "Events calendar",
        _ => "Upcoming events",
    };
    let recs = super::discover::recommended(
        &s,
        &session.viewer,
        node::ranking::RecommendationKind::Events,
        5,
    );
    let Site {
        domain,
        members,
        posts,
    } = site(&s)?;
    render_with_status(
        ListPage {
            recs,
            domain,
            members,
            posts,
            me: Some(session.me),
            tab,
            heading,
            events,
            filters,
            next,
            calendar: calendar_grid,
            notice: q.done.as_deref().and_then(notice),
        },
        status,
    )
}
