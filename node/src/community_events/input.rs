//! What creating and changing an event take, and their validation: every
//! field is checked before the write, and a bad one is a 422 naming it.

use serde::{Deserialize, Deserializer};

use super::model::{EventFormat, EventLink, EventStatus, EventType, Location, RegistrationMode};
use super::MAX_DURATION_MS;
use crate::error::{NodeError, NodeResult};
use crate::validate;

/// Longest title, in characters.
pub const TITLE_CHARS: usize = 200;
/// Longest place field (name, address, locality, country), in characters.
const PLACE_CHARS: usize = 300;
/// Longest speaker, sponsor or material name, in characters.
const NAME_CHARS: usize = 200;
/// Most speakers, sponsors or materials (each).
pub const MAX_LINKS: usize = 50;
/// Largest capacity.
pub const MAX_CAPACITY: i64 = 1_000_000;

/// A time as given: ms since the epoch, an RFC 3339 instant with its
/// offset (`2024-02-15T19:00:00+07:00`, `…Z`), or a wall-clock time
/// without offset (`2024-02-15T19:00`), read in the event's time zone.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum TimeInput {
    /// Milliseconds since the epoch (UTC).
    Ms(i64),
    /// Text, as above.
    Text(String),
}

/// A place as given.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocationInput {
    /// The place's name.
    #[serde(default)]
    pub name: String,
    /// Street address.
    #[serde(default)]
    pub address: String,
    /// Town or city.
    #[serde(default)]
    pub locality: String,
    /// Country.
    #[serde(default)]
    pub country: String,
    /// Latitude (with `lon`).
    #[serde(default)]
    pub lat: Option<f64>,
    /// Longitude (with `lat`).
    #[serde(default)]
    pub lon: Option<f64>,
}

/// A speaker as given: a member's handle (`alice`, `bob@other.example`,
/// a did:key) or a plain name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpeakerInput {
    /// A handle this node knows.
    #[serde(default)]
    pub member: Option<String>,
    /// A plain name (for someone without an account here).
    #[serde(default)]
    pub name: Option<String>,
}

/// A sponsor or material as given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkInput {
    /// What it is.
    pub name: String,
    /// An http(s) URL.
    pub url: String,
}

/// What creating an event takes (the Kodeon API's body). Absent fields
/// take their defaults: type `meetup`, format `offline`, registration
/// `open`, status `open`, no capacity.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewEvent {
    /// Title (1–200 characters).
    pub title: String,
    /// Description (Markdown).
    #[serde(default)]
    pub description: Option<String>,
    /// `meetup`, `webinar`, `hackathon`, `workshop`, `conference`, `other`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// Start.
    pub start: Option<TimeInput>,
    /// End (after the start, at most 31 days later).
    pub end: Option<TimeInput>,
    /// IANA time zone name.
    pub timezone: String,
    /// `offline`, `online` or `hybrid`.
    #[serde(default)]
    pub format: Option<String>,
    /// The place (needed offline and hybrid).
    #[serde(default)]
    pub location: Option<LocationInput>,
    /// Where to join online.
    #[serde(default)]
    pub online_url: Option<String>,
    /// Seats (≥ 0), or absent for no limit.
    #[serde(default)]
    pub capacity: Option<i64>,
    /// `open`, `approval` or `invite`.
    #[serde(default)]
    pub registration: Option<String>,
    /// Registration opens.
    #[serde(default)]
    pub registration_opens: Option<TimeInput>,
    /// Registration closes.
    #[serde(default)]
    pub registration_closes: Option<TimeInput>,
    /// `draft` or `open`.
    #[serde(default)]
    pub status: Option<String>,
    /// Category slug.
    #[serde(default)]
    pub category: Option<String>,
    /// Tag slugs.
    #[serde(default)]
    pub tags: Vec<String>,
    /// A local group's name: the event is the group's (its owner and
    /// moderators may make it, and co-organise it).
    #[serde(default)]
    pub group: Option<String>,
    /// Speakers.
    #[serde(default)]
    pub speakers: Vec<SpeakerInput>,
    /// Sponsors.
    #[serde(default)]
    pub sponsors: Vec<LinkInput>,
    /// Materials.
    #[serde(default)]
    pub materials: Vec<LinkInput>,
}

/// A change to an event: absent fields stay as they are; `null` removes
/// what may be absent (location, online URL, capacity, window, category).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventUpdate {
    /// New title.
    pub title: Option<String>,
    /// New description (Markdown).
    pub description: Option<String>,
    /// New type.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// New start.
    pub start: Option<TimeInput>,
    /// New end.
    pub end: Option<TimeInput>,
    /// New time zone (times given as wall-clock text are read in it).
    pub timezone: Option<String>,
    /// New format.
    pub format: Option<String>,
    /// New place, or `null` for none.
    #[serde(default, deserialize_with = "present")]
    pub location: Option<Option<LocationInput>>,
    /// New online URL, or `null` for none.
    #[serde(default, deserialize_with = "present")]
    pub online_url: Option<Option<String>>,
    /// New capacity, or `null` for no limit.
    #[serde(default, deserialize_with = "present")]
    pub capacity: Option<Option<i64>>,
    /// New registration mode.
    pub registration: Option<String>,
    /// New opening, or `null` for at once.
    #[serde(default, deserialize_with = "present")]
    pub registration_opens: Option<Option<TimeInput>>,
    /// New closing, or `null` for the end.
    #[serde(default, deserialize_with = "present")]
    pub registration_closes: Option<Option<TimeInput>>,
    /// `draft`, `open`, `cancelled` or `finished`.
    pub status: Option<String>,
    /// New category, or `null` (or empty) for none.
    #[serde(default, deserialize_with = "present")]
    pub category: Option<Option<String>>,
    /// New tags (replace the old).
    pub tags: Option<Vec<String>>,
    /// New speakers (replace the old).
    pub speakers: Option<Vec<SpeakerInput>>,
    /// New sponsors (replace the old).
    pub sponsors: Option<Vec<LinkInput>>,
    /// New materials (replace the old).
    pub materials: Option<Vec<LinkInput>>,
}

/// Reads a field that may be `null`: present (`Some`) either way.
fn present<'de, D, T>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

/// At most `max` characters, else 422 naming `field`.
pub(super) fn max_chars(field: &str, value: &str, max: usize) -> NodeResult<()> {
    if value.chars().count() > max {
        return Err(NodeError::invalid(
            field,
            format!("at most {max} characters"),
        ));
    }
    Ok(())
}

/// A title: trimmed, 1–200 characters.
pub(super) fn title(value: &str) -> NodeResult<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(NodeError::invalid("title", "must not be empty"));
    }
    max_chars("title", value, TITLE_CHARS)?;
    Ok(value.to_string())
}

/// An event type by its name.
pub(super) fn kind(value: &str) -> NodeResult<EventType> {
    Ok(match value {
        "meetup" => EventType::Meetup,
        "webinar" => EventType::Webinar,
        "hackathon" => EventType::Hackathon,
        "workshop" => EventType::Workshop,
        "conference" => EventType::Conference,
        "other" => EventType::Other,
        _ => {
            return Err(NodeError::invalid(
                "type",
                "must be meetup, webinar, hackathon, workshop, conference or other",
            ))
        }
    })
}

/// A format by its name.
pub(super) fn format(value: &str) -> NodeResult<EventFormat> {
    Ok(match value {
        "offline" => EventFormat::Offline,
        "online" => EventFormat::Online,
        "hybrid" => EventFormat::Hybrid,
        _ => {
            return Err(NodeError::invalid(
                "format",
                "must be offline, online or hybrid",
            ))
        }
    })
}

/// A registration mode by its name.
pub(super) fn registration(value: &str) -> NodeResult<RegistrationMode> {
    Ok(match value {
        "open" => RegistrationMode::Open,
        "approval" => RegistrationMode::Approval,
        "invite" => RegistrationMode::Invite,
        _ => {
            return Err(NodeError::invalid(
                "registration",
                "must be open, approval or invite",
            ))
        }
    })
}

/// A status by its name.
pub(super) fn status(value: &str) -> NodeResult<EventStatus> {
    Ok(match value {
        "draft" => EventStatus::Draft,
        "open" => EventStatus::Open,
        "cancelled" => EventStatus::Cancelled,
        "finished" => EventStatus::Finished,
        _ => {
            return Err(NodeError::invalid(
                "status",
                "must be draft, open, cancelled or finished",
            ))
        }
    })
}

/// The time zone `name`, checked against the IANA database bundled with
/// the node (jiff's copy of it).
pub(super) fn timezone(name: &str) -> NodeResult<jiff::tz::TimeZone> {
    let name = name.trim();
    if name.is_empty() {
        return Err(NodeError::invalid(
            "timezone",
            "an IANA time zone name is required (such as Europe/Paris)",
        ));
    }
    jiff::tz::TimeZone::get(name).map_err(|_| {
        NodeError::invalid(
            "timezone",
            format!("{name:?} is not a time zone of the IANA database"),
        )
    })
}

/// A time as ms since the epoch: `field` names it in errors; wall-clock
/// text is read in `tz` (a time that a DST change skips or repeats is
/// taken as RFC 5545 and Temporal's "compatible" rule does: after the gap,
/// the earlier of the two).
pub(super) fn time(field: &str, value: &TimeInput, tz: &jiff::tz::TimeZone) -> NodeResult<i64> {
    let ms = match value {
        TimeInput::Ms(ms) => *ms,
        TimeInput::Text(text) => {
            let text = text.trim();
            if let Ok(ts) = text.parse::<jiff::Timestamp>() {
                ts.as_millisecond()
            } else if let Ok(dt) = text.parse::<jiff::civil::DateTime>() {
                tz.to_zoned(dt)
                    .map_err(|_| NodeError::invalid(field, "is not a time in the event's zone"))?
                    .timestamp()
                    .as_millisecond()
            } else {
                return Err(NodeError::invalid(
                    field,
                    "must be an RFC 3339 time (2024-02-15T19:00:00+07:00), a local time \
                     (2024-02-15T19:00) or milliseconds since 1970",
                ));
            }
        }
    };
    if ms < 0 {
        return Err(NodeError::invalid(field, "must be after 1970"));
    }
    Ok(ms)
}

/// Start and end: the end after the start, at most [`MAX_DURATION_MS`]
/// later.
pub(super) fn span(start: i64, end: i64) -> NodeResult<()> {
    if end <= start {
        return Err(NodeError::invalid("end", "must be after the start"));
    }
    if end - start > MAX_DURATION_MS {
        return Err(NodeError::invalid("end", "an event lasts at most 31 days"));
    }
    Ok(())
}

/// The registration window: opens before it closes, closes by the end.
pub(super) fn window(opens: Option<i64>, closes: Option<i64>, end: i64) -> NodeResult<()> {
    if let (Some(o), Some(c)) = (opens, closes) {
        if c <= o {
            return Err(NodeError::invalid(
                "registration_closes",
                "must be after registration opens",
            ));
        }
    }
    if opens.is_some_and(|o| o >= end) {
        return Err(NodeError::invalid(
            "registration_opens",
            "must be before the event ends",
        ));
    }
    Ok(())
}

/// A capacity: 0 to [`MAX_CAPACITY`], or none.
pub(super) fn capacity(value: Option<i64>) -> NodeResult<Option<u32>> {
    match value {
        None => Ok(None),
        Some(n) if n < 0 => Err(NodeError::invalid("capacity", "must not be negative")),
        Some(n) if n > MAX_CAPACITY => Err(NodeError::invalid(
            "capacity",
            format!("at most {MAX_CAPACITY}"),
        )),
        Some(n) => u32::try_from(n)
            .map(Some)
            .map_err(|_| NodeError::invalid("capacity", "out of range")),
    }
}

/// An http(s) URL, or 422 naming `field`.
pub(super) fn http_url(field: &str, value: &str) -> NodeResult<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(NodeError::invalid(field, "must be an http(s) URL"));
    }
    validate::optional_url(field, value)?;
    protocol::urls::HttpUrl::parse(value)
        .map_err(|_| NodeError::invalid(field, "must be an http(s) URL"))?;
    Ok(value.to_string())
}

/// An optional http(s) URL: empty means none.
pub(super) fn optional_http_url(field: &str, value: Option<&str>) -> NodeResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => http_url(field, v).map(Some),
    }
}

/// A place: text fields trimmed and bounded, coordinates in range and
/// given together; at least a name or an address.
pub(super) fn location(value: &LocationInput) -> NodeResult<Location> {
    let text = |field: &str, v: &str| -> NodeResult<String> {
        let v = v.trim();
        max_chars(field, v, PLACE_CHARS)?;
        Ok(v.to_string())
    };
    let loc = Location {
        name: text("location.name", &value.name)?,
        address: text("location.address", &value.address)?,
        locality: text("location.locality", &value.locality)?,
        country: text("location.country", &value.country)?,
        lat: value.lat,
        lon: value.lon,
    };
    if loc.name.is_empty() && loc.address.is_empty() {
        return Err(NodeError::invalid(
            "location.name",
            "a place needs a name or an address",
        ));
    }
    match (loc.lat, loc.lon) {
        (None, None) => {}
        (Some(lat), Some(lon)) => {
            if !(-90.0..=90.0).contains(&lat) {
                return Err(NodeError::invalid(
                    "location.lat",
                    "must be between -90 and 90",
                ));
            }
            if !(-180.0..=180.0).contains(&lon) {
                return Err(NodeError::invalid(
                    "location.lon",
                    "must be between -180 and 180",
                ));
            }
        }
        (None, Some(_)) => return Err(NodeError::invalid("location.lat", "is needed with lon")),
        (Some(_), None) => return Err(NodeError::invalid("location.lon", "is needed with lat")),
    }
    Ok(loc)
}

/// Sponsors or materials (`field`): each a name and an http(s) URL.
pub(super) fn links(field: &str, values: &[LinkInput]) -> NodeResult<Vec<EventLink>> {
    if values.len() > MAX_LINKS {
        return Err(NodeError::invalid(field, format!("at most {MAX_LINKS}")));
    }
    values
        .iter()
        .map(|l| {
            let name = l.name.trim();
            if name.is_empty() {
                return Err(NodeError::invalid(field, "each needs a name"));
            }
            max_chars(field, name, NAME_CHARS)?;
            Ok(EventLink {
                name: name.to_string(),
                url: http_url(field, &l.url)?,
            })
        })
        .collect()
}

/// The format and the place agree: offline and hybrid events have a
/// place.
pub(super) fn format_and_place(format: EventFormat, location: &Option<Location>) -> NodeResult<()> {
    if format != EventFormat::Online && location.is_none() {
        return Err(NodeError::invalid(
            "location",
            "an offline or hybrid event needs a place",
        ));
    }
    Ok(())
}

/// A category: empty means none.
pub(super) fn category(value: Option<&str>) -> NodeResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => validate::slug("category", v).map(Some),
    }
}

/// A speaker's plain name, trimmed and bounded.
pub(super) fn speaker_name(value: &str) -> NodeResult<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(NodeError::invalid(
            "speakers",
            "each speaker needs a member or a name",
        ));
    }
    max_chars("speakers", value, NAME_CHARS)?;
    Ok(value.to_string())
}
