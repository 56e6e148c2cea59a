//! Incoming `event` records: a group of another Kodeon node publishes the
//! whole state of one of its events, signed with the group's key.
//!
//! It is believed only from the group it names (an account whose server
//! published the signing key in its actor document, not one known by its
//! key alone), for an event id on the group's server; it is stored only
//! when somebody here is a member of the group or the event is stored
//! already, as its ActivityPub `Create` would be. What is kept is bounded
//! as `federation`'s `event_inbound.rs` bounds an `Event` object, and the
//! record is the one ActivityPub gives (the group as organiser and group),
//! so an event heard both ways is one event.
//!
//! **Invariant:** per event id, only a record newer than the last applied
//! one (`EventGossip`) changes anything, and nothing brings back an event a
//! `delete` record removed (`GossipTombstone`).

use protocol::envelope::Envelope;

use crate::community_events::{EventStatus, RemoteEvent, RemoteEventInput};
use crate::error::NodeError;
use crate::node::Node;
use crate::remote::host_of;
use crate::store::{hash_of, tables};

use super::accept::{EnvelopeContext, Refusal};
use super::authors::Author;
use super::body::EventBody;

/// Longest name, address line or place name kept (characters), as for an
/// `Event` received over ActivityPub.
const MAX_TEXT: usize = 300;

/// Longest plain-text description kept (characters).
const MAX_PLAIN_DESCRIPTION: usize = 5_000;

/// Most tags kept.
const MAX_TAGS: usize = 20;

/// Longest URL, zone or category read (bytes); longer ones are dropped.
const MAX_SHORT: usize = 2_048;

impl Node {
    /// Applies a verified `event` record (see the module doc).
    pub(super) async fn apply_event(
        &self,
        envelope: &Envelope,
        context: &dyn EnvelopeContext,
    ) -> Result<Option<crate::Id>, Refusal> {
        let body = EventBody::from_map(&envelope.body).map_err(Refusal::BadBody)?;
        let Author { member: group, .. } = self.gossip_author(&envelope.author, &body.actor)?;
        let confirmed = group.remote.as_ref().is_some_and(|r| !r.gossip_only);
        if !group.is_group() || !confirmed {
            return Err(Refusal::BadBody(
                "an event record is signed by a group its server vouches for".into(),
            ));
        }
        if host_of(&body.uri).is_none() || host_of(&body.uri) != host_of(&body.actor) {
            return Err(Refusal::BadBody(
                "the event's id is not on its group's server".into(),
            ));
        }
        if body.status == EventStatus::Draft {
            return Err(Refusal::BadBody("a draft is not published".into()));
        }
        let key = hash_of(&body.uri);
        if self.store.has::<tables::GossipTombstone>(key)? {
            return Ok(None);
        }
        if !self.wants_remote_event(group.id, &body.uri)? {
            return Ok(None);
        }
        let created = envelope.created;
        let newer = self
            .write(move |txn| {
                if txn
                    .load::<tables::EventGossip>(key)?
                    .is_some_and(|last| last >= created)
                {
                    return Ok(false);
                }
                txn.store::<tables::EventGossip>(key, &created)?;
                Ok(true)
            })
            .await?;
        if !newer {
            return Ok(None);
        }
        let input = event_input(body, group.id, context);
        match self.store_remote_event(&group, input).await {
            Ok(_) => Ok(None),
            Err(NodeError::Invalid { field, message }) => {
                Err(Refusal::BadBody(format!("{field} {message}")))
            }
            Err(NodeError::Forbidden(why)) => Err(Refusal::BadBody(why.into())),
            Err(e) => Err(e.into()),
        }
    }
}

/// `text` cut to [`MAX_TEXT`] characters.
fn short(text: &str) -> String {
    text.trim().chars().take(MAX_TEXT).collect()
}

/// What the node stores of the record `body` of the group `group`: the
/// group organises it and is its group, as for a Kodeon group's event
/// received over ActivityPub (which names no other organiser).
fn event_input(
    body: EventBody,
    group: crate::Id,
    context: &dyn EnvelopeContext,
) -> RemoteEventInput {
    let bounded = |s: Option<String>| s.filter(|s| s.len() <= MAX_SHORT);
    let location = body
        .location
        .as_ref()
        .map(|place| {
            let mut location = place.to_location();
            location.name = short(&location.name);
            location.address = short(&location.address);
            location.locality = short(&location.locality);
            location.country = short(&location.country);
            location
        })
        .filter(|l| !(l.name.is_empty() && l.address.is_empty() && l.locality.is_empty()));
    // ActivityPub says `CONFIRMED` of a finished event: the same here.
    let status = match body.status {
        EventStatus::Cancelled => EventStatus::Cancelled,
        _ => EventStatus::Open,
    };
    RemoteEventInput {
        title: short(&body.title),
        description: context.plain_text(&body.html, MAX_PLAIN_DESCRIPTION),
        description_html: context.sanitize(&body.html),
        start: body.start,
        end: Some(body.end),
        timezone: bounded(Some(body.timezone)).filter(|tz| tz.len() <= 64),
        format: body.format,
        location,
        online_url: bounded(body.online_url),
        capacity: body.capacity.filter(|c| *c > 0),
        registration: body.registration,
        status,
        category: bounded(body.category)
            .filter(|c| c.len() <= 64)
            .map(|c| c.to_lowercase()),
        tags: body.tags.iter().take(MAX_TAGS).map(|t| short(t)).collect(),
        organiser: group,
        remote: RemoteEvent {
            url: bounded(Some(body.url)).unwrap_or_else(|| body.uri.clone()),
            uri: body.uri,
            group: Some(group),
            participant_count: Some(body.participant_count),
            remaining: body.remaining,
            external_url: None,
        },
    }
}
