//! A received `Event` (Mobilizon's vocabulary, which Kodeon also
//! publishes): ActivityStreams' `Event` with schema.org's and
//! Mobilizon's properties. Read leniently, as every received object is:
//! a property of another shape reads as absent. What is kept and how
//! much of it (lengths, list sizes) is the reader's to bound.

use serde::{Deserialize, Serialize};

use super::refs::{count, flag, href, number, reference, string, Audience, HasId, Kind};
use super::refs::{ObjectRef, OneOrMany, Reference};

/// The name Mobilizon gives the `Link` attachment that is an event's
/// online address.
pub const ONLINE_ADDRESS: &str = "Website";

/// An `Event` object as other servers send it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventObject {
    /// Its id.
    #[serde(default, deserialize_with = "string")]
    pub id: Option<String>,
    /// `Event`.
    #[serde(rename = "type", default)]
    pub kind: Kind,
    /// Its page (a string or a `Link`).
    #[serde(default, deserialize_with = "href")]
    pub url: Option<String>,
    /// Its title.
    #[serde(default, deserialize_with = "string")]
    pub name: Option<String>,
    /// Its description (HTML).
    #[serde(default, deserialize_with = "string")]
    pub content: Option<String>,
    /// Start (RFC 3339).
    #[serde(default, deserialize_with = "string")]
    pub start_time: Option<String>,
    /// End (RFC 3339).
    #[serde(default, deserialize_with = "string")]
    pub end_time: Option<String>,
    /// Its IANA time zone (Mobilizon's `timezone`).
    #[serde(default, deserialize_with = "string")]
    pub timezone: Option<String>,
    /// Its place.
    #[serde(default, deserialize_with = "reference")]
    pub location: Option<ObjectRef<Place>>,
    /// `free`, `restricted`, `invite` or `external` (Mobilizon).
    #[serde(default, deserialize_with = "string")]
    pub join_mode: Option<String>,
    /// Where to register when `joinMode` is `external`.
    #[serde(default, deserialize_with = "string")]
    pub external_participation_url: Option<String>,
    /// Seats (schema.org).
    #[serde(default, deserialize_with = "count")]
    pub maximum_attendee_capacity: Option<u32>,
    /// Seats left (schema.org).
    #[serde(default, deserialize_with = "count")]
    pub remaining_attendee_capacity: Option<u32>,
    /// Participants (Mobilizon).
    #[serde(default, deserialize_with = "count")]
    pub participant_count: Option<u32>,
    /// Whether it happens online only (Mobilizon).
    #[serde(default, deserialize_with = "flag")]
    pub is_online: Option<bool>,
    /// Its category (Mobilizon: `MEETING`, `PARTY`...).
    #[serde(default, deserialize_with = "string")]
    pub category: Option<String>,
    /// `TENTATIVE`, `CONFIRMED` or `CANCELLED` (iCalendar's status).
    #[serde(default, deserialize_with = "string")]
    pub status: Option<String>,
    /// The same, under the name Mobilizon used first.
    #[serde(rename = "ical:status", default, deserialize_with = "string")]
    pub ical_status: Option<String>,
    /// Whether it is a draft (Mobilizon).
    #[serde(default, deserialize_with = "flag")]
    pub draft: Option<bool>,
    /// Links, pictures and metadata; the online address is the `Link`
    /// named [`ONLINE_ADDRESS`].
    #[serde(default)]
    pub attachment: OneOrMany<EventAttachment>,
    /// Hashtags and mentions.
    #[serde(default)]
    pub tag: OneOrMany<EventTag>,
    /// Who it belongs to: its organiser, or the group organising it.
    #[serde(default, deserialize_with = "reference")]
    pub attributed_to: Option<Reference>,
    /// The person organising it (Mobilizon, for a group's event).
    #[serde(default, deserialize_with = "reference")]
    pub actor: Option<Reference>,
    /// Primary audience.
    #[serde(default)]
    pub to: Audience,
    /// Secondary audience.
    #[serde(default)]
    pub cc: Audience,
}

impl EventObject {
    /// The id of the account it belongs to: `attributedTo`, else `actor`.
    pub fn owner(&self) -> Option<&str> {
        self.attributed_to
            .as_ref()
            .and_then(ObjectRef::id)
            .or_else(|| self.organiser())
    }

    /// The id of the person organising it (`actor`), if given.
    pub fn organiser(&self) -> Option<&str> {
        self.actor.as_ref().and_then(ObjectRef::id)
    }

    /// Its status: `status`, else `ical:status`.
    pub fn status(&self) -> Option<&str> {
        self.status.as_deref().or(self.ical_status.as_deref())
    }

    /// Its online address: the `href` of its `Link` attachment named
    /// [`ONLINE_ADDRESS`].
    pub fn online_address(&self) -> Option<&str> {
        self.attachment
            .iter()
            .find(|a| a.kind.as_str() == "Link" && a.name.as_deref() == Some(ONLINE_ADDRESS))
            .and_then(|a| a.href.as_deref())
    }

    /// Whether it is addressed to everyone.
    pub fn is_public(&self) -> bool {
        let public = |a: &Audience| {
            a.ids().iter().any(|id| {
                id == crate::activitystreams::PUBLIC || id == "as:Public" || id == "Public"
            })
        };
        public(&self.to) || public(&self.cc)
    }
}

impl HasId for EventObject {
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
}

/// A `Place` (the event's `location`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Place {
    /// Its name.
    #[serde(default, deserialize_with = "string")]
    pub name: Option<String>,
    /// Its address (schema.org `PostalAddress`).
    #[serde(default, deserialize_with = "reference")]
    pub address: Option<ObjectRef<PostalAddress>>,
    /// Latitude (degrees).
    #[serde(default, deserialize_with = "number")]
    pub latitude: Option<f64>,
    /// Longitude (degrees).
    #[serde(default, deserialize_with = "number")]
    pub longitude: Option<f64>,
}

impl HasId for Place {
    fn id(&self) -> Option<&str> {
        None
    }
}

/// A schema.org `PostalAddress`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostalAddress {
    /// Street and number.
    #[serde(default, deserialize_with = "string")]
    pub street_address: Option<String>,
    /// Town or city.
    #[serde(default, deserialize_with = "string")]
    pub address_locality: Option<String>,
    /// Region.
    #[serde(default, deserialize_with = "string")]
    pub address_region: Option<String>,
    /// Postal code.
    #[serde(default, deserialize_with = "string")]
    pub postal_code: Option<String>,
    /// Country.
    #[serde(default, deserialize_with = "string")]
    pub address_country: Option<String>,
}

impl HasId for PostalAddress {
    fn id(&self) -> Option<&str> {
        None
    }
}

/// An attachment of an event: a `Link`, a picture, a `PropertyValue`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventAttachment {
    /// Its type.
    #[serde(rename = "type", default)]
    pub kind: Kind,
    /// Its name (`Website` for the online address).
    #[serde(default, deserialize_with = "string")]
    pub name: Option<String>,
    /// A `Link`'s target.
    #[serde(default, deserialize_with = "string")]
    pub href: Option<String>,
    /// MIME type.
    #[serde(default, deserialize_with = "string")]
    pub media_type: Option<String>,
}

/// A tag of an event (`Hashtag`, `Mention`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventTag {
    /// Its type.
    #[serde(rename = "type", default)]
    pub kind: Kind,
    /// `#name` for a hashtag.
    #[serde(default, deserialize_with = "string")]
    pub name: Option<String>,
}
