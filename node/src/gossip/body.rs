//! The bodies of gossip envelopes: what a receiver needs to apply a record
//! without asking its origin. Every body names the author's ActivityPub
//! actor (`actor`), the join key with ActivityPub; the envelope's signing
//! key must be that actor's published ed25519 key.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::community_events::{EventFormat, EventStatus, Location, RegistrationMode};

/// The body as the JSON object an envelope signs.
fn to_map<T: Serialize>(body: &T) -> Map<String, Value> {
    match serde_json::to_value(body) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// Reads a body from an envelope's object.
fn from_map<T: DeserializeOwned>(map: &Map<String, Value>) -> Result<T, String> {
    serde_json::from_value(Value::Object(map.clone())).map_err(|e| e.to_string())
}

macro_rules! map_conversions {
    ($($t:ty),*) => {$(
        impl $t {
            /// The body as the JSON object an envelope signs.
            pub fn to_map(&self) -> Map<String, Value> {
                to_map(self)
            }

            /// Reads a body from an envelope's object.
            pub fn from_map(map: &Map<String, Value>) -> Result<Self, String> {
                from_map(map)
            }
        }
    )*};
}

map_conversions!(
    PostBody,
    DeleteBody,
    FollowBody,
    ProfileBody,
    AttestationBody,
    EventBody
);

/// Body of a [`protocol::envelope::Kind::Post`] envelope, and of an
/// [`Edit`](protocol::envelope::Kind::Edit) (the post's new state, same
/// `uri`). Only public posts are gossiped; `uri` (the post's ActivityPub
/// id) is the join key with ActivityPub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostBody {
    /// The post's ActivityPub id.
    pub uri: String,
    /// Its public page.
    pub url: String,
    /// The author's ActivityPub actor id.
    pub actor: String,
    /// The author's handle, `preferredUsername@host`.
    pub handle: String,
    /// Rendered HTML content.
    pub html: String,
    /// Title, or empty.
    #[serde(default)]
    pub title: String,
    /// Content warning, or empty.
    #[serde(default)]
    pub summary: String,
    /// Sensitive media or content.
    #[serde(default)]
    pub sensitive: bool,
    /// Always `public`.
    pub visibility: String,
    /// The ActivityPub id of the post this answers.
    #[serde(default)]
    pub in_reply_to: Option<String>,
    /// Hashtags (slugs).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Language code.
    #[serde(default)]
    pub language: Option<String>,
    /// The ActivityPub id of the group it is posted in (FEP-1b12), if
    /// any. A node places it in that group only when the group is its
    /// own (and the author may post there), or, for a reply, when the
    /// thread is in a group; a group of another server says itself what
    /// is in it (its `Announce`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// Body of a [`Delete`](protocol::envelope::Kind::Delete) envelope: exactly
/// one of `uri` (a post, or a group's event when `actor` is the group) and
/// `attestation` (the hex id of the author's attestation envelope being
/// withdrawn).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteBody {
    /// The author's ActivityPub actor id.
    pub actor: String,
    /// The deleted post's (or group event's) ActivityPub id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// The withdrawn attestation's envelope id (hex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation: Option<String>,
}

/// Body of a [`Follow`](protocol::envelope::Kind::Follow) or
/// [`Unfollow`](protocol::envelope::Kind::Unfollow) envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowBody {
    /// The follower's ActivityPub actor id.
    pub actor: String,
    /// The followed account's did:key, or empty when it has published
    /// no ed25519 key.
    pub subject: String,
    /// The followed account's ActivityPub actor id, or empty when it is
    /// known only by its did:key.
    #[serde(default)]
    pub subject_actor: String,
    /// The ActivityPub `Follow` activity's id, when one was sent too (so
    /// the followed server can answer it), else empty.
    #[serde(default)]
    pub activity: String,
}

/// Body of a [`Profile`](protocol::envelope::Kind::Profile) envelope: who
/// the key speaks for, and how to show and reach them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileBody {
    /// The ActivityPub actor id.
    pub actor: String,
    /// `preferredUsername@host`.
    pub handle: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// About text, HTML.
    #[serde(default)]
    pub summary: String,
    /// Avatar URL, or empty.
    #[serde(default)]
    pub avatar: String,
    /// Public page.
    #[serde(default)]
    pub url: String,
    /// ActivityPub inbox.
    #[serde(default)]
    pub inbox: String,
    /// The server's shared inbox.
    #[serde(default)]
    pub shared_inbox: Option<String>,
    /// Follows need approval.
    #[serde(default)]
    pub locked: bool,
}

/// Body of an [`Attestation`](protocol::envelope::Kind::Attestation)
/// envelope: the author vouches for `claim` about `subject`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttestationBody {
    /// The attester's ActivityPub actor id.
    pub actor: String,
    /// The subject's did:key.
    pub subject: String,
    /// The subject's ActivityPub actor id, if known to the attester.
    #[serde(default)]
    pub subject_actor: String,
    /// What is attested: a short lower-case tag such as `rust` or
    /// `mentoring` (see [`crate::attestations::validate_claim`]).
    pub claim: String,
    /// An optional plain-text comment.
    #[serde(default)]
    pub comment: String,
    /// Its kind (`skill`, `attended`, `certificate`, `mentored`,
    /// `contribution`); absent on records older than kinds, which read as
    /// their claim says ([`crate::attestations::AttestationKind::legacy`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The group it was given in (a `contribution`'s), its actor id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// Body of an [`Event`](protocol::envelope::Kind::Event) envelope: the
/// whole state of an event of a public group, signed with the group's key
/// (the newest `created` wins). `uri`, the event's ActivityPub id, is the
/// join key with ActivityPub, so an event that arrives both ways is one
/// record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventBody {
    /// The group's ActivityPub actor id (its key signs).
    pub actor: String,
    /// The event's ActivityPub id, on the group's server.
    pub uri: String,
    /// Its public page.
    pub url: String,
    /// The ActivityPub actor id of the member organising it.
    #[serde(default)]
    pub organiser: String,
    /// Its name.
    pub title: String,
    /// Its description, HTML.
    #[serde(default)]
    pub html: String,
    /// Start (ms since the epoch).
    pub start: i64,
    /// End (ms since the epoch).
    pub end: i64,
    /// The IANA time zone it was set in.
    pub timezone: String,
    /// Offline, online or hybrid.
    pub format: EventFormat,
    /// Its place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<EventPlaceBody>,
    /// Where to join online.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub online_url: Option<String>,
    /// Seats, if limited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
    /// How one takes part (`open`, `approval`, `invite`).
    pub registration: RegistrationMode,
    /// `open`, `cancelled` or `finished` (a draft is never published).
    pub status: EventStatus,
    /// Category slug.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Tag slugs.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Registered participants when it was signed.
    #[serde(default)]
    pub participant_count: u32,
    /// Seats left when it was signed (limited events only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining: Option<u32>,
}

/// An event's place in an [`EventBody`]. Coordinates are integers in
/// microdegrees: canonical JSON refuses floats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventPlaceBody {
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
    /// Latitude in millionths of a degree, with `lon_e6`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat_e6: Option<i64>,
    /// Longitude in millionths of a degree, with `lat_e6`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lon_e6: Option<i64>,
}

impl EventPlaceBody {
    /// The place as a body carries it (coordinates rounded to
    /// microdegrees).
    pub fn from_location(place: &Location) -> Self {
        let e6 = |d: f64| (d * 1e6).round() as i64;
        let (lat_e6, lon_e6) = match (place.lat, place.lon) {
            (Some(lat), Some(lon)) if lat.is_finite() && lon.is_finite() => {
                (Some(e6(lat)), Some(e6(lon)))
            }
            _ => (None, None),
        };
        EventPlaceBody {
            name: place.name.clone(),
            address: place.address.clone(),
            locality: place.locality.clone(),
            country: place.country.clone(),
            lat_e6,
            lon_e6,
        }
    }

    /// The place it names; coordinates outside the globe are dropped.
    pub fn to_location(&self) -> Location {
        let deg = |e6: i64| e6 as f64 / 1e6;
        let (lat, lon) = match (self.lat_e6, self.lon_e6) {
            (Some(lat), Some(lon))
                if (-90_000_000..=90_000_000).contains(&lat)
                    && (-180_000_000..=180_000_000).contains(&lon) =>
            {
                (Some(deg(lat)), Some(deg(lon)))
            }
            _ => (None, None),
        };
        Location {
            name: self.name.clone(),
            address: self.address.clone(),
            locality: self.locality.clone(),
            country: self.country.clone(),
            lat,
            lon,
        }
    }
}
