//! An event's create and edit forms: the fields go to the node as they
//! are typed ([`node::Node::create_event`], [`node::Node::update_event`]),
//! whose checks and errors are the API's; an error shows next to its
//! field with what was typed kept. Start, end and the registration window
//! are `datetime-local` values, read by the node in the chosen time zone.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use node::community_events::{
    EventFormat, EventStatus, EventType, EventUpdate, EventView, LocationInput, NewEvent,
    RegistrationMode, TimeInput,
};
use node::{Id, NodeError};

use super::events::local_input;
use super::feed::typed_tags;
use super::{field, place_error, render_with_status, AppError, AppForm, Me, MemberSession};
use crate::public_pages::{site, Site};
use crate::rate_limit::Action;
use crate::state::AppState;

/// The types an event may have, as the forms offer them.
pub const TYPES: [(&str, &str); 6] = [
    ("meetup", "Meetup"),
    ("webinar", "Webinar"),
    ("hackathon", "Hackathon"),
    ("workshop", "Workshop"),
    ("conference", "Conference"),
    ("other", "Other"),
];

/// Where it happens, as the forms offer it.
pub const FORMATS: [(&str, &str); 3] = [
    ("offline", "In person, at a place"),
    ("online", "Online"),
    ("hybrid", "Both: at a place and online"),
];

/// How one registers, as the forms offer it.
pub const REGISTRATIONS: [(&str, &str); 3] = [
    (
        "open",
        "Open: registering takes a seat (or a place on the waitlist when full)",
    ),
    (
        "approval",
        "Approval: an organiser approves each registration",
    ),
    ("invite", "Invitation only: organisers invite participants"),
];

/// Whether it is published, as the forms offer it.
pub const STATUSES: [(&str, &str); 2] = [
    ("open", "Published: members see it and register"),
    ("draft", "Draft: only its organisers see it"),
];

/// Time zones the zone field suggests (any IANA name is taken).
pub const ZONES: [&str; 32] = [
    "UTC",
    "Europe/London",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Amsterdam",
    "Europe/Warsaw",
    "Europe/Athens",
    "Europe/Istanbul",
    "Europe/Moscow",
    "Africa/Lagos",
    "Africa/Cairo",
    "Africa/Nairobi",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Bangkok",
    "Asia/Jakarta",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/Sao_Paulo",
    "America/Mexico_City",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
];

/// The node's names of the fields the forms show an error next to.
const SHOWN_FIELDS: [&str; 23] = [
    "title",
    "description",
    "type",
    "start",
    "end",
    "timezone",
    "format",
    "location",
    "location.name",
    "location.address",
    "location.locality",
    "location.country",
    "location.lat",
    "location.lon",
    "online_url",
    "capacity",
    "registration",
    "registration_opens",
    "registration_closes",
    "status",
    "category",
    "tags",
    "group",
];

/// The fields of an event's form, as typed, and the errors next to them.
#[derive(Debug, Default)]
pub struct EventForm {
    /// Title.
    pub title: String,
    /// Description (Markdown).
    pub description: String,
    /// Type.
    pub kind: String,
    /// Start, `datetime-local` in `timezone`.
    pub start: String,
    /// End, likewise.
    pub end: String,
    /// IANA time zone.
    pub timezone: String,
    /// `offline`, `online` or `hybrid`.
    pub format: String,
    /// The place's name.
    pub location_name: String,
    /// Street address.
    pub location_address: String,
    /// Town or city.
    pub location_locality: String,
    /// Country.
    pub location_country: String,
    /// Latitude as typed.
    pub location_lat: String,
    /// Longitude as typed.
    pub location_lon: String,
    /// Where to join online.
    pub online_url: String,
    /// Seats as typed (empty: no limit).
    pub capacity: String,
    /// `open`, `approval` or `invite`.
    pub registration: String,
    /// Registration opens (`datetime-local`, optional).
    pub registration_opens: String,
    /// Registration closes (`datetime-local`, optional).
    pub registration_closes: String,
    /// `open` or `draft` (the edit form of a cancelled or finished event
    /// shows none).
    pub status: String,
    /// Category slug.
    pub category: String,
    /// Tags, separated by spaces or commas.
    pub tags: String,
    /// The group's name ("" for none; the create form only).
    pub group: String,
    /// Errors by the node's field name; `form` for any other.
    pub errors: HashMap<String, String>,
}

impl EventForm {
    /// An empty create form with the node's defaults chosen.
    fn new_event() -> Self {
        EventForm {
            kind: "meetup".into(),
            timezone: "UTC".into(),
            format: "offline".into(),
            registration: "open".into(),
            status: "open".into(),
            ..EventForm::default()
        }
    }

    /// The edit form filled with the event's fields.
    fn of(view: &EventView) -> Self {
        let e = &view.event;
        let loc = e.location.clone().unwrap_or_default();
        let number = |n: Option<f64>| n.map(|n| n.to_string()).unwrap_or_default();
        let local = |ms: Option<i64>| {
            ms.map(|ms| local_input(ms, &e.timezone))
                .unwrap_or_default()
        };
        EventForm {
            title: e.title.clone(),
            description: e.description.clone(),
            kind: match e.kind {
                EventType::Meetup => "meetup",
                EventType::Webinar => "webinar",
                EventType::Hackathon => "hackathon",
                EventType::Workshop => "workshop",
                EventType::Conference => "conference",
                EventType::Other => "other",
            }
            .into(),
            start: local(Some(e.start)),
            end: local(Some(e.end)),
            timezone: e.timezone.clone(),
            format: match e.format {
                EventFormat::Offline => "offline",
                EventFormat::Online => "online",
                EventFormat::Hybrid => "hybrid",
            }
            .into(),
            location_name: loc.name,
            location_address: loc.address,
            location_locality: loc.locality,
            location_country: loc.country,
            location_lat: number(loc.lat),
            location_lon: number(loc.lon),
            online_url: e.online_url.clone().unwrap_or_default(),
            capacity: e.capacity.map(|c| c.to_string()).unwrap_or_default(),
            registration: match e.registration {
                RegistrationMode::Open => "open",
                RegistrationMode::Approval => "approval",
                RegistrationMode::Invite => "invite",
            }
            .into(),
            registration_opens: local(e.registration_opens),
            registration_closes: local(e.registration_closes),
            status: match e.status {
                EventStatus::Open => "open",
                EventStatus::Draft => "draft",
                EventStatus::Cancelled | EventStatus::Finished => "",
            }
            .into(),
            category: e.category.clone().unwrap_or_default(),
            tags: e.tags.join(" "),
            group: view
                .group_account
                .as_ref()
                .map(|g| g.username.clone())
                .unwrap_or_default(),
            errors: HashMap::new(),
        }
    }

    /// The posted fields.
    fn read(form: &HashMap<String, String>) -> Self {
        EventForm {
            title: field(form, "title").into(),
            description: form.get("description").map_or("", |d| d.trim_end()).into(),
            kind: field(form, "type").into(),
            start: field(form, "start").into(),
            end: field(form, "end").into(),
            timezone: field(form, "timezone").into(),
            format: field(form, "format").into(),
            location_name: field(form, "location_name").into(),
            location_address: field(form, "location_address").into(),
            location_locality: field(form, "location_locality").into(),
            location_country: field(form, "location_country").into(),
            location_lat: field(form, "location_lat").into(),
            location_lon: field(form, "location_lon").into(),
            online_url: field(form, "online_url").into(),
            capacity: field(form, "capacity").into(),
            registration: field(form, "registration").into(),
            registration_opens: field(form, "registration_opens").into(),
            registration_closes: field(form, "registration_closes").into(),
            status: field(form, "status").into(),
            category: field(form, "category").into(),
            tags: field(form, "tags").into(),
            group: field(form, "group").into(),
            errors: HashMap::new(),
        }
    }

    /// A value typed, `None` when empty.
    fn given(value: &str) -> Option<String> {
        Some(value.to_string()).filter(|v| !v.is_empty())
    }

    /// A time typed, `None` when empty.
    fn time(value: &str) -> Option<TimeInput> {
        Self::given(value).map(TimeInput::Text)
    }

    /// A number typed into `field` (the node's name for it): `None` for
    /// empty, or an error next to it (then the outer `None`).
    fn number<T: std::str::FromStr>(&mut self, field: &str, value: &str) -> Option<Option<T>> {
        if value.is_empty() {
            return Some(None);
        }
        match value.parse::<T>() {
            Ok(n) => Some(Some(n)),
            Err(_) => {
                self.errors
                    .insert(field.into(), "enter a number, or leave it empty".into());
                None
            }
        }
    }

    /// The place typed (`None` when every place field is empty), and the
    /// capacity; `None` with the errors set when a number is no number.
    fn numbers(&mut self) -> Option<(Option<LocationInput>, Option<i64>)> {
        let (lat_text, lon_text, cap_text) = (
            self.location_lat.clone(),
            self.location_lon.clone(),
            self.capacity.clone(),
        );
        let lat = self.number::<f64>("location.lat", &lat_text);
        let lon = self.number::<f64>("location.lon", &lon_text);
        let capacity = self.number::<i64>("capacity", &cap_text);
        let (Some(lat), Some(lon), Some(capacity)) = (lat, lon, capacity) else {
            return None;
        };
        let text = [
            &self.location_name,
            &self.location_address,
            &self.location_locality,
            &self.location_country,
        ];
        let location =
            (text.iter().any(|t| !t.is_empty()) || lat.is_some() || lon.is_some()).then(|| {
                LocationInput {
                    name: self.location_name.clone(),
                    address: self.location_address.clone(),
                    locality: self.location_locality.clone(),
                    country: self.location_country.clone(),
                    lat,
                    lon,
                }
            });
        Some((location, capacity))
    }

    /// Puts `message` next to `field` (the node's name for it), or above
    /// the form, naming the field, for a field the form does not show.
    fn set_error(&mut self, field: String, message: String) {
        place_error(&mut self.errors, &SHOWN_FIELDS, field, message);
    }

    /// The error of a field (the node's name for it), if any.
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(String::as_str)
    }

    /// Whether `value` is chosen for the choice `field`.
    pub fn chosen(&self, field: &str, value: &str) -> bool {
        let current = match field {
            "type" => &self.kind,
            "format" => &self.format,
            "registration" => &self.registration,
            "status" => &self.status,
            _ => &self.group,
        };
        current == value
    }
}

/// The create and edit forms.
#[derive(Template)]
#[template(path = "app/events/form.html")]
pub struct FormPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    pub form: EventForm,
    /// The event edited, or `None` for the create form.
    pub editing: Option<String>,
    /// The groups the member may organise for: name and display name
    /// (the create form; groups with events turned off are left out).
    pub groups: Vec<(String, String)>,
    pub types: [(&'static str, &'static str); 6],
    pub formats: [(&'static str, &'static str); 3],
    pub registrations: [(&'static str, &'static str); 3],
    pub statuses: [(&'static str, &'static str); 2],
    pub zones: [&'static str; 32],
}

impl FormPage {
    /// Where the form posts.
    pub fn action(&self) -> String {
        match &self.editing {
            Some(id) => format!("/events/{id}/edit"),
            None => "/events".into(),
        }
    }
}

/// Renders the create form (`editing` `None`) or the edit form.
fn form_page(
    s: &AppState,
    session: MemberSession,
    form: EventForm,
    editing: Option<Id>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let groups = match editing {
        Some(_) => Vec::new(),
        None => s
            .node
            .moderated_groups(&session.viewer)?
            .into_iter()
            .filter(|g| g.features.events)
            .map(|g| {
                let shown = if g.display_name.is_empty() {
                    g.name.clone()
                } else {
                    g.display_name.clone()
                };
                (g.name, shown)
            })
            .collect(),
    };
    let Site {
        domain,
        members,
        posts,
    } = site(s)?;
    render_with_status(
        FormPage {
            domain,
            members,
            posts,
            me: Some(session.me),
            form,
            editing: editing.map(|id| id.to_string()),
            groups,
            types: TYPES,
            formats: FORMATS,
            registrations: REGISTRATIONS,
            statuses: STATUSES,
            zones: ZONES,
        },
        status,
    )
}

/// The form again after the node refused it: a field's error next to it
/// (422; 409 for a group with events turned off), or the error page.
fn refused(
    s: &AppState,
    session: MemberSession,
    mut entered: EventForm,
    editing: Option<Id>,
    e: NodeError,
) -> Result<Response, AppError> {
    match e {
        e @ (NodeError::Invalid { .. } | NodeError::TooLarge { .. }) => {
            let e = crate::error::ApiError::from(e);
            entered.set_error(e.field.unwrap_or_default(), e.message);
            form_page(
                s,
                session,
                entered,
                editing,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        NodeError::Conflict { field, message } => {
            entered.set_error(field, message);
            form_page(s, session, entered, editing, StatusCode::CONFLICT)
        }
        e => Err(e.into()),
    }
}

/// GET /events/new — the form that creates an event.
pub async fn new_form(
    State(s): State<AppState>,
    session: MemberSession,
) -> Result<Response, AppError> {
    form_page(&s, session, EventForm::new_event(), None, StatusCode::OK)
}

/// POST /events — creates the event (the member organises it, or the
/// group chosen, which they moderate), limited per account as the API's
/// create is; then to its page (303), or the form again with the errors
/// next to their fields.
pub async fn create(
    State(s): State<AppState>,
    AppForm { session, form, .. }: AppForm,
) -> Result<Response, AppError> {
    let mut entered = EventForm::read(&form);
    let Some((location, capacity)) = entered.numbers() else {
        return form_page(&s, session, entered, None, StatusCode::UNPROCESSABLE_ENTITY);
    };
    if let Err(limited) = s.limiters.check(Action::Post, &session.me.id.to_string()) {
        entered.set_error("form".into(), limited.message);
        return form_page(&s, session, entered, None, limited.status);
    }
    let new = NewEvent {
        title: entered.title.clone(),
        description: EventForm::given(&entered.description),
        kind: EventForm::given(&entered.kind),
        start: EventForm::time(&entered.start),
        end: EventForm::time(&entered.end),
        timezone: entered.timezone.clone(),
        format: EventForm::given(&entered.format),
        location,
        online_url: EventForm::given(&entered.online_url),
        capacity,
        registration: EventForm::given(&entered.registration),
        registration_opens: EventForm::time(&entered.registration_opens),
        registration_closes: EventForm::time(&entered.registration_closes),
        status: EventForm::given(&entered.status),
        category: EventForm::given(&entered.category),
        tags: typed_tags(&entered.tags),
        group: EventForm::given(&entered.group),
        ..NewEvent::default()
    };
    match s.node.create_event(&session.viewer, new).await {
        Ok(view) => {
            Ok(Redirect::to(&format!("/events/{}?done=created", view.event.id)).into_response())
        }
        Err(e) => refused(&s, session, entered, None, e),
    }
}

/// The event `raw` names, for its organisers' edit form (404 when it is
/// no id or not seen, 403 for others).
fn editable(s: &AppState, session: &MemberSession, raw: &str) -> Result<EventView, AppError> {
    let id: Id = raw
        .parse()
        .map_err(|_| AppError::Page(StatusCode::NOT_FOUND, "No such event.".into()))?;
    let view = s.node.event(&session.viewer, id)?;
    if !view.can_edit {
        return Err(AppError::Page(
            StatusCode::FORBIDDEN,
            "Only the event's organisers can change it.".into(),
        ));
    }
    Ok(view)
}

/// GET /events/{id}/edit — the edit form (its organisers).
pub async fn edit_form(
    State(s): State<AppState>,
    Path(id): Path<String>,
    session: MemberSession,
) -> Result<Response, AppError> {
    let view = editable(&s, &session, &id)?;
    let form = EventForm::of(&view);
    form_page(&s, session, form, Some(view.event.id), StatusCode::OK)
}

/// POST /events/{id}/edit — saves every field through the node's
/// `update_event` (a change of time or place tells everyone registered);
/// back to the event with a notice (303), or the form again with the
/// error next to its field.
pub async fn save(
    State(s): State<AppState>,
    Path(id): Path<String>,
    AppForm { session, form, .. }: AppForm,
) -> Result<Response, AppError> {
    let view = editable(&s, &session, &id)?;
    let id = view.event.id;
    let mut entered = EventForm::read(&form);
    entered.group = EventForm::of(&view).group;
    let Some((location, capacity)) = entered.numbers() else {
        return form_page(
            &s,
            session,
            entered,
            Some(id),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let required = |value: &str| Some(value.to_string());
    let update = EventUpdate {
        title: required(&entered.title),
        description: required(&entered.description),
        kind: EventForm::given(&entered.kind),
        start: Some(TimeInput::Text(entered.start.clone())),
        end: Some(TimeInput::Text(entered.end.clone())),
        timezone: required(&entered.timezone),
        format: EventForm::given(&entered.format),
        location: Some(location),
        online_url: Some(EventForm::given(&entered.online_url)),
        capacity: Some(capacity),
        registration: EventForm::given(&entered.registration),
        registration_opens: Some(EventForm::time(&entered.registration_opens)),
        registration_closes: Some(EventForm::time(&entered.registration_closes)),
        status: EventForm::given(&entered.status),
        category: Some(EventForm::given(&entered.category)),
        tags: Some(typed_tags(&entered.tags)),
        ..EventUpdate::default()
    };
    match s.node.update_event(&session.viewer, id, update).await {
        Ok(_) => Ok(Redirect::to(&format!("/events/{id}?done=saved")).into_response()),
        Err(e) => refused(&s, session, entered, Some(id), e),
    }
}
