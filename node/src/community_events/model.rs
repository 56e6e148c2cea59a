//! The stored event and registration, and their enums.
//!
//! Records are JSON; fields added later need a default so that old
//! records still read.

use serde::{Deserialize, Serialize};

use crate::id::Id;

/// What kind of gathering it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    /// A meetup.
    Meetup,
    /// A webinar.
    Webinar,
    /// A hackathon.
    Hackathon,
    /// A workshop.
    Workshop,
    /// A conference.
    Conference,
    /// Anything else.
    Other,
}

/// Where it happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventFormat {
    /// At a place ([`CommunityEvent::location`] is set).
    Offline,
    /// Online ([`CommunityEvent::online_url`], or a stream when live).
    Online,
    /// Both.
    Hybrid,
}

/// How one takes part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationMode {
    /// Registering takes a seat (or a place on the waitlist) at once.
    Open,
    /// A registration waits for an organiser's approval.
    Approval,
    /// Only members an organiser invited may register.
    Invite,
}

/// Where an event stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    /// Seen by its organisers only; no registrations.
    Draft,
    /// Published; registrations follow the mode and window.
    Open,
    /// Called off; registrations are refused.
    Cancelled,
    /// Over (set by an organiser, or implied once its end has passed).
    Finished,
}

/// A place, as Mobilizon and schema.org's `PostalAddress` describe one.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Location {
    /// The place's name ("Tech Hub Jakarta").
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
    /// Latitude, degrees (−90 to 90), with `lon`.
    #[serde(default)]
    pub lat: Option<f64>,
    /// Longitude, degrees (−180 to 180), with `lat`.
    #[serde(default)]
    pub lon: Option<f64>,
}

/// A speaker: a member (here or elsewhere, known to this node) or a plain
/// name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Speaker {
    /// The member's id, when the speaker is an account this node knows.
    #[serde(default)]
    pub member: Option<Id>,
    /// The name shown (the member's username when `member` is set).
    pub name: String,
}

/// A named http(s) link: a sponsor or a material (slides, a recording).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventLink {
    /// What it is.
    pub name: String,
    /// Where (http or https).
    pub url: String,
}

/// A stored event (`tables::CommunityEvent`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommunityEvent {
    /// Time-ordered id.
    pub id: Id,
    /// Title.
    pub title: String,
    /// Description as written (Markdown).
    #[serde(default)]
    pub description: String,
    /// Description rendered as the node renders posts (sanitised HTML).
    #[serde(default)]
    pub description_html: String,
    /// Kind of gathering.
    #[serde(rename = "type")]
    pub kind: EventType,
    /// Start (ms since the epoch, UTC).
    pub start: i64,
    /// End (ms since the epoch, UTC), after `start`.
    pub end: i64,
    /// The IANA time zone it was set in ("Asia/Jakarta").
    pub timezone: String,
    /// Offline, online or hybrid.
    pub format: EventFormat,
    /// The place (offline and hybrid events).
    #[serde(default)]
    pub location: Option<Location>,
    /// Where to join online (http(s)).
    #[serde(default)]
    pub online_url: Option<String>,
    /// The live stream, set when the event goes live.
    #[serde(default)]
    pub stream_url: Option<String>,
    /// Seats, if limited (0: everyone waits).
    #[serde(default)]
    pub capacity: Option<u32>,
    /// How one takes part.
    pub registration: RegistrationMode,
    /// Registration opens (ms), if not at once.
    #[serde(default)]
    pub registration_opens: Option<i64>,
    /// Registration closes (ms), if before the end.
    #[serde(default)]
    pub registration_closes: Option<i64>,
    /// Where it stands.
    pub status: EventStatus,
    /// Category slug.
    #[serde(default)]
    pub category: Option<String>,
    /// Tag slugs.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The member who made it: its organiser; for a group's event, the
    /// group's owner and moderators organise it, whoever made it.
    pub organiser: Id,
    /// The local group it belongs to: its owner and moderators
    /// co-organise.
    #[serde(default)]
    pub group: Option<Id>,
    /// Speakers, in order.
    #[serde(default)]
    pub speakers: Vec<Speaker>,
    /// Sponsors, in order.
    #[serde(default)]
    pub sponsors: Vec<EventLink>,
    /// Materials, in order.
    #[serde(default)]
    pub materials: Vec<EventLink>,
    /// iCalendar's SEQUENCE: incremented on every change calendars must
    /// apply (time, place, status).
    #[serde(default)]
    pub sequence: u32,
    /// The reminders already sent for the current start time
    /// ([`super::ReminderKind`] bytes); emptied when the start moves.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reminders_sent: Vec<u8>,
    /// Created (ms).
    pub created_at: i64,
    /// Last changed (ms).
    pub updated_at: i64,
    /// Set for an event of another server (Mobilizon, another Kodeon
    /// node): its `organiser` is then the remote account that runs it,
    /// and only its server changes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote: Option<RemoteEvent>,
}

/// What is known of an event of another server, besides the fields it
/// shares with a local one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteEvent {
    /// Its ActivityPub id.
    pub uri: String,
    /// Its page on its server.
    pub url: String,
    /// The group of that server it belongs to (an account stored here),
    /// when a group organises it; its `Accept`s count as the organiser's.
    #[serde(default)]
    pub group: Option<Id>,
    /// Participants as its server last said (`participantCount`).
    #[serde(default)]
    pub participant_count: Option<u32>,
    /// Seats left as its server last said (`remainingAttendeeCapacity`).
    #[serde(default)]
    pub remaining: Option<u32>,
    /// Where to register when its server takes registrations on another
    /// site (`joinMode: external`); registering here is refused then.
    #[serde(default)]
    pub external_url: Option<String>,
}

impl CommunityEvent {
    /// Whether it is an event of another server.
    pub fn is_remote(&self) -> bool {
        self.remote.is_some()
    }

    /// Whether its end has passed at `now` or an organiser marked it
    /// finished.
    pub fn is_over(&self, now: i64) -> bool {
        self.status == EventStatus::Finished || self.end <= now
    }
}

/// Where a member's registration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationState {
    /// Holds a seat.
    Registered,
    /// Waits for a seat, in arrival order.
    Waitlisted,
    /// Waits for an organiser's approval.
    Pending,
    /// Invited by an organiser; registering takes a seat (or a place on
    /// the waitlist), whatever the mode.
    Invited,
}

/// A stored registration (`tables::EventRegistrations`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    /// Its state.
    pub state: RegistrationState,
    /// When it took that state (ms).
    pub at: i64,
    /// Whether the member's name may be shown to other participants and
    /// visitors (organisers always see it).
    #[serde(default)]
    pub listed: bool,
    /// The waitlist entry's id (`EventWaitlist (event, arrival)`) while
    /// waitlisted.
    #[serde(default)]
    pub arrival: Option<Id>,
    /// When an organiser checked them in (ms).
    #[serde(default)]
    pub attended_at: Option<i64>,
    /// For an event of another server: the id of the `Join` sent for
    /// this registration, which that server's `Accept` or `Reject` names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join: Option<String>,
}
