//! Events of other servers (Mobilizon, other Kodeon nodes) coming here:
//! a `Create` or `Update` of an `Event` from the account it is attributed
//! to (or announced by the group it is attributed to), its `Delete`, the answers (`Accept`, `Reject`) to members' `Join`s,
//! and an event looked up by URL for a signed-in member (the `Join` and
//! `Leave` members here send are rendered in `event_objects.rs`).
//!
//! What is kept of an `Event` is bounded: its description sanitised
//! (`sanitize.rs`, itself bounded), names and addresses cut to
//! [`MAX_TEXT`] characters, at most [`MAX_TAGS`] tags; the node cuts the
//! title and checks times, zone and links again.
//!
//! **Invariant:** an event is believed only from its own server and its
//! own account: its id is on the sender's host and its `attributedTo` is
//! the sender (a person, or the group that sends or relays its event); one
//! another account of that server sends is ignored, one attributed to
//! another server's account refused. Nothing is
//! fetched for an event nobody here follows, belongs to or registered for.

use node::community_events::{
    EventFormat, EventStatus, Location, RegistrationMode, RemoteEvent, RemoteEventInput,
};
use node::model::Member;
use node::Id;
use protocol::activities::{check_same_origin, EventObject, FollowAnswer, ObjectRef};
use protocol::local_urls::LocalUrl;
use protocol::urls::HttpUrl;
use serde::Deserialize;

use crate::error::FederationError;
use crate::inbox::Received;
use crate::resolve::Found;
use crate::sanitize::{plain_text, sanitize_html};
use crate::service::Federation;

/// Longest name, address line or description kept as plain text
/// (characters).
pub const MAX_TEXT: usize = 300;

/// Longest plain-text description kept (characters).
const MAX_PLAIN_DESCRIPTION: usize = 5_000;

/// Most tags kept.
pub const MAX_TAGS: usize = 20;

/// Parses an RFC 3339 time (with any offset) to milliseconds.
fn time_ms(s: Option<&str>) -> Option<i64> {
    let t = time::OffsetDateTime::parse(s?, &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

/// `text` (from another server) as plain text of at most [`MAX_TEXT`]
/// characters; `None` when empty.
fn text(value: Option<&str>) -> Option<String> {
    let t = plain_text(value?, MAX_TEXT);
    let t = t.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// What the node takes of `object`, an `Event` of the account `organiser`
/// (and of `group`, when a group organises it): bounded, sanitised.
pub fn event_input(
    object: &EventObject,
    organiser: Id,
    group: Option<Id>,
) -> Result<RemoteEventInput, FederationError> {
    let uri = object
        .id
        .clone()
        .ok_or_else(|| FederationError::Malformed("an Event without an id".into()))?;
    let start = time_ms(object.start_time.as_deref())
        .ok_or_else(|| FederationError::Malformed("startTime: not an RFC 3339 time".into()))?;
    let content = object.content.as_deref().unwrap_or_default();
    let location = object
        .location
        .as_ref()
        .and_then(ObjectRef::object)
        .map(|place| {
            let address = place.address.as_ref().and_then(ObjectRef::object);
            let street = address.and_then(|a| a.street_address.as_deref());
            let coordinates = match (place.latitude, place.longitude) {
                (Some(lat), Some(lon))
                    if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) =>
                {
                    (Some(lat), Some(lon))
                }
                _ => (None, None),
            };
            Location {
                name: text(place.name.as_deref()).unwrap_or_default(),
                address: text(street).unwrap_or_default(),
                locality: text(address.and_then(|a| a.address_locality.as_deref()))
                    .unwrap_or_default(),
                country: text(address.and_then(|a| a.address_country.as_deref()))
                    .unwrap_or_default(),
                lat: coordinates.0,
                lon: coordinates.1,
            }
        })
        .filter(|l| !(l.name.is_empty() && l.address.is_empty() && l.locality.is_empty()));
    let online_url = object.online_address().map(str::to_string);
    let format = match (object.is_online, location.is_some(), online_url.is_some()) {
        (Some(true), _, _) | (_, false, true) => EventFormat::Online,
        (_, true, true) => EventFormat::Hybrid,
        _ => EventFormat::Offline,
    };
    let join_mode = object.join_mode.as_deref().unwrap_or("free");
    let registration = match join_mode {
        "restricted" => RegistrationMode::Approval,
        "invite" => RegistrationMode::Invite,
        _ => RegistrationMode::Open,
    };
    let external_url = match join_mode {
        "external" => Some(
            object
                .external_participation_url
                .clone()
                .or_else(|| object.url.clone())
                .unwrap_or_else(|| uri.clone()),
        ),
        _ => None,
    };
    let status = match object.status() {
        Some(s) if s.eq_ignore_ascii_case("CANCELLED") => EventStatus::Cancelled,
        _ => EventStatus::Open,
    };
    let tags = object
        .tag
        .iter()
        .filter(|t| t.kind.as_str() == "Hashtag")
        .filter_map(|t| text(t.name.as_deref()))
        .map(|t| t.trim_start_matches('#').to_string())
        .take(MAX_TAGS)
        .collect();
    Ok(RemoteEventInput {
        title: text(object.name.as_deref()).unwrap_or_default(),
        description: plain_text(content, MAX_PLAIN_DESCRIPTION),
        description_html: sanitize_html(content),
        start,
        end: time_ms(object.end_time.as_deref()),
        timezone: object.timezone.clone().filter(|tz| tz.len() <= 64),
        format,
        location,
        online_url,
        capacity: object.maximum_attendee_capacity.filter(|c| *c > 0),
        registration,
        status,
        category: object
            .category
            .as_deref()
            .filter(|c| c.len() <= 64)
            .map(str::to_lowercase),
        tags,
        organiser,
        remote: RemoteEvent {
            url: object.url.clone().unwrap_or_else(|| uri.clone()),
            uri,
            group,
            participant_count: object.participant_count,
            remaining: object.remaining_attendee_capacity,
            external_url,
        },
    })
}

/// The ActivityPub id of a remote account (`""` for a local one).
fn actor_uri(actor: &Member) -> &str {
    actor
        .remote
        .as_ref()
        .map(|r| r.actor_id.as_str())
        .unwrap_or_default()
}

impl Federation {
    /// A `Create` or `Update` of the `Event` `object` by `actor`: stored
    /// (or replaced) when its id is on `actor`'s server, it is attributed
    /// to `actor`, it is public, and somebody here follows `actor` (or
    /// belongs to it, a group) or knows the event; otherwise ignored
    /// before anything is fetched.
    pub(crate) async fn receive_event(
        &self,
        object: &EventObject,
        actor: &Member,
    ) -> Result<Received, FederationError> {
        let actor_id = actor_uri(actor);
        let uri = object.id.as_deref().unwrap_or_default();
        check_same_origin(uri, actor_id)?;
        match object.owner() {
            Some(owner) if owner == actor_id => {}
            // Another account of the sender's server (a group's event sent
            // by the member organising it, which Mobilizon then has the
            // group relay): not believed from this sender, and no fault.
            Some(owner) if check_same_origin(owner, actor_id).is_ok() => {
                tracing::debug!(%uri, %owner, sender = %actor_id, "an event sent by another than its owner: ignored");
                return Ok(Received::Ignored);
            }
            owner => {
                return Err(FederationError::Forbidden(format!(
                    "{actor_id} sent an event attributed to {}",
                    owner.unwrap_or("nobody")
                )))
            }
        }
        if !object.is_public() || object.draft == Some(true) {
            return Ok(Received::Ignored);
        }
        if !self.node.wants_remote_event(actor.id, uri)? {
            return Ok(Received::Ignored);
        }
        let (organiser, group) = self.event_organisers(object, actor).await;
        let input = event_input(object, organiser, group)?;
        self.node.store_remote_event(actor, input).await?;
        Ok(Received::Applied)
    }

    /// Who answers `Join`s of the event `object` that `owner` published:
    /// for a group's event that names the person organising it (`actor`,
    /// on the group's server), that person, with the group; else `owner`
    /// (with itself as group when it is one).
    async fn event_organisers(&self, object: &EventObject, owner: &Member) -> (Id, Option<Id>) {
        if !owner.is_group() {
            return (owner.id, None);
        }
        let owner_id = actor_uri(owner);
        let person = object
            .organiser()
            .filter(|p| *p != owner_id && check_same_origin(p, owner_id).is_ok());
        if let Some(person) = person {
            match self.resolve_actor(person, false).await {
                Ok(m) if !m.is_group() => return (m.id, Some(owner.id)),
                Ok(_) => {}
                Err(e) => tracing::info!(%person, error = %e, "an event's organiser is unknown"),
            }
        }
        (owner.id, Some(owner.id))
    }

    /// The `Create` or `Update` of the event `uri` announced by the remote
    /// group `group` (as Mobilizon relays a group's events, sent by the
    /// member who organises them): when somebody here belongs to the group
    /// or knows the event, fetched from its own id (the announced copy is
    /// not believed), and stored only when it is on the group's server and
    /// attributed to the group.
    pub(crate) async fn group_event(
        &self,
        group: &Member,
        uri: &str,
    ) -> Result<Received, FederationError> {
        let group_id = actor_uri(group);
        check_same_origin(uri, group_id)?;
        if !self.node.wants_remote_event(group.id, uri)? {
            return Ok(Received::Ignored);
        }
        let doc = self.fetch(uri).await.map_err(|e| e.obtaining(uri))?;
        let object = EventObject::deserialize(&doc)
            .map_err(|e| FederationError::Malformed(format!("{uri}: {e}")))?;
        if object.id.as_deref() != Some(uri) || object.kind.as_str() != "Event" {
            return Err(FederationError::Malformed(format!(
                "{uri} is not that Event"
            )));
        }
        if object.owner() != Some(group_id) {
            return Ok(Received::Ignored);
        }
        if !object.is_public() || object.draft == Some(true) {
            return Ok(Received::Ignored);
        }
        let (organiser, with_group) = self.event_organisers(&object, group).await;
        let input = event_input(&object, organiser, with_group)?;
        self.node.store_remote_event(group, input).await?;
        Ok(Received::Applied)
    }

    /// The `Delete` of `object_id` by `actor`, when it is an event of
    /// another server stored here; `None` when it is not one.
    pub(crate) async fn receive_event_delete(
        &self,
        actor: &Member,
        object_id: &str,
    ) -> Result<Option<Received>, FederationError> {
        if self.node.remote_event_by_uri(object_id)?.is_none() {
            return Ok(None);
        }
        self.node
            .receive_remote_event_delete(actor, object_id)
            .await?;
        Ok(Some(Received::Applied))
    }

    /// An `Accept` or `Reject` of a member's `Join` of an event of another
    /// server, from `actor`; `None` when `answer` answers no `Join`.
    pub(crate) async fn receive_join_answer(
        &self,
        answer: &FollowAnswer,
        actor: &Member,
        accept: bool,
    ) -> Result<Option<Received>, FederationError> {
        let join_id = answer.follow_id().unwrap_or_default();
        let named = match self.node.urls().parse(join_id) {
            Some(LocalUrl::Join { member, event }) => Some((member, event)),
            _ => None,
        };
        let embedded_join = answer
            .object
            .as_ref()
            .and_then(ObjectRef::object)
            .is_some_and(|o| o.kind.as_str() == "Join");
        let Some((member, event)) = named else {
            return Ok(embedded_join.then_some(Received::Ignored));
        };
        let Ok(event) = event.parse::<Id>() else {
            return Ok(Some(Received::Ignored));
        };
        match self
            .node
            .receive_join_answer(actor, member, event, join_id, accept)
            .await
        {
            Ok(true) => Ok(Some(Received::Applied)),
            Ok(false) | Err(node::NodeError::NotFound(_)) => Ok(Some(Received::Ignored)),
            Err(node::NodeError::Forbidden(why)) => Err(FederationError::Forbidden(why.into())),
            Err(e) => Err(e.into()),
        }
    }

    /// The event `url` names, stored here: one of this node's own, or
    /// another server's, fetched (through redirects, as `resolve_url`
    /// follows them) and believed only from its own server and as
    /// attributed to an account of that server, then stored as its
    /// `Create` would be. Fetches from the network: callers decide who
    /// may make the node do that (signed-in members, within their
    /// remote-lookup budget).
    pub async fn lookup_event(&self, url: &str) -> Result<Id, FederationError> {
        let start = HttpUrl::parse(url.trim())
            .map_err(|_| FederationError::BadUrl(url.to_string()))?
            .without_fragment();
        if let Some(LocalUrl::Event { id, .. }) = self.node.urls().parse(start.as_str()) {
            return id
                .parse()
                .map_err(|_| FederationError::Node(node::NodeError::NotFound("event")));
        }
        let (served_by, doc) = match self.follow(start).await? {
            Found::Document(served_by, doc) => (served_by, doc),
            Found::Known(_) => {
                return Err(FederationError::Malformed(format!("{url} is not an event")))
            }
        };
        let mut object = EventObject::deserialize(&doc)
            .map_err(|e| FederationError::Malformed(format!("{url}: {e}")))?;
        let id = object.id.clone().unwrap_or_default();
        let id_url = HttpUrl::parse_canonical(&id)
            .map_err(|e| FederationError::Forbidden(format!("the event's id {id:?} {e}")))?;
        if !id_url.same_authority(&served_by) {
            return Err(FederationError::Forbidden(format!(
                "{served_by} served an event whose id is on {}",
                id_url.authority()
            )));
        }
        if id != served_by.as_str() {
            // Believed only as the document of its own id.
            let again = self.fetch(&id).await?;
            object = EventObject::deserialize(&again)
                .map_err(|e| FederationError::Malformed(format!("{id}: {e}")))?;
            if object.id.as_deref() != Some(id.as_str()) {
                return Err(FederationError::Forbidden(format!(
                    "{id} answered with another object"
                )));
            }
        }
        if object.kind.as_str() != "Event" {
            return Err(FederationError::Malformed(format!("{id} is not an Event")));
        }
        if !object.is_public() || object.draft == Some(true) {
            return Err(FederationError::Forbidden(format!("{id} is not public")));
        }
        let owner_id = object
            .owner()
            .ok_or_else(|| FederationError::Malformed(format!("{id} has no attributedTo")))?
            .to_string();
        check_same_origin(&id, &owner_id)?;
        let owner = self.resolve_actor(&owner_id, false).await?;
        let (organiser, group) = self.event_organisers(&object, &owner).await;
        let input = event_input(&object, organiser, group)?;
        Ok(self.node.store_remote_event(&owner, input).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOBILIZON_EVENT: &str = include_str!("../../protocol/tests/vectors/mobilizon-event.json");

    fn object(json: &str) -> EventObject {
        serde_json::from_str(json).expect("event")
    }

    #[test]
    fn a_mobilizon_event_becomes_what_the_node_stores() {
        let organiser = Id::from_bytes([1; 16]);
        let input = event_input(&object(MOBILIZON_EVENT), organiser, None).expect("input");
        assert_eq!(input.title, "Apéro du libre");
        assert!(
            input
                .description_html
                .contains("<strong>free software</strong>"),
            "{}",
            input.description_html
        );
        assert!(!input.description_html.contains("script"), "sanitised");
        // 19:00 in Paris (+02:00) is 17:00 UTC.
        assert_eq!(
            input.start,
            time_ms(Some("2030-06-12T17:00:00Z")).expect("t")
        );
        assert_eq!(input.end, time_ms(Some("2030-06-12T20:00:00Z")));
        assert_eq!(input.timezone.as_deref(), Some("Europe/Paris"));
        assert_eq!(input.format, EventFormat::Hybrid);
        let place = input.location.expect("a place");
        assert_eq!(
            (
                place.name.as_str(),
                place.locality.as_str(),
                place.country.as_str()
            ),
            ("La Cantine", "Nantes", "France")
        );
        assert_eq!((place.lat, place.lon), (Some(47.2115), Some(-1.5476)));
        assert_eq!(
            input.online_url.as_deref(),
            Some("https://visio.example/apero")
        );
        assert_eq!(input.capacity, Some(30));
        assert_eq!(input.registration, RegistrationMode::Open);
        assert_eq!(input.status, EventStatus::Open);
        assert_eq!(input.category.as_deref(), Some("meeting"));
        assert_eq!(input.tags, vec!["libre".to_string()]);
        assert_eq!(input.remote.participant_count, Some(12));
        assert_eq!(input.remote.remaining, Some(18));
        assert_eq!(input.remote.external_url, None);
    }

    #[test]
    fn join_modes_statuses_and_bounds() {
        let mut value: serde_json::Value = serde_json::from_str(MOBILIZON_EVENT).expect("json");
        value["joinMode"] = "external".into();
        value["externalParticipationUrl"] = "https://tickets.example/1".into();
        value["status"] = "CANCELLED".into();
        value["name"] = "n".repeat(10_000).into();
        value["location"]["name"] = "<b>Hall</b>".into();
        value["tag"] = (0..100)
            .map(|i| serde_json::json!({"type": "Hashtag", "name": format!("#t{i}")}))
            .collect();
        let input = event_input(
            &serde_json::from_value(value.clone()).expect("event"),
            Id::from_bytes([1; 16]),
            None,
        )
        .expect("input");
        assert_eq!(
            input.remote.external_url.as_deref(),
            Some("https://tickets.example/1")
        );
        assert_eq!(input.status, EventStatus::Cancelled);
        assert!(input.title.chars().count() <= MAX_TEXT);
        assert_eq!(input.location.expect("place").name, "Hall");
        assert_eq!(input.tags.len(), MAX_TAGS);

        value["joinMode"] = "restricted".into();
        value["startTime"] = "next tuesday".into();
        let bad = event_input(
            &serde_json::from_value(value).expect("event"),
            Id::from_bytes([1; 16]),
            None,
        );
        assert!(
            matches!(bad, Err(FederationError::Malformed(ref m)) if m.contains("startTime")),
            "{bad:?}"
        );
    }
}
