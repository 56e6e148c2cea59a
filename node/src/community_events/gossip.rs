//! Events of public groups published over gossip: whenever an event's
//! `Create`, `Update` or `Delete` is queued for ActivityPub, and when it
//! goes live (its stream link becomes the place to join), the same write
//! signs its whole state (an `event` record) or its deletion (a `delete`
//! naming its id) with the group's key, stores the envelope and queues its
//! broadcast. Only the events of public local groups, once out of draft:
//! a member's own event, a private group's, a draft and an event of another
//! server are not gossiped.
//!
//! **Invariant:** the records of one event are signed with strictly
//! increasing `created` times (`EventGossip` keeps the last one), so a
//! receiver that keeps the newest applies them in the order they were made.

use protocol::envelope::Kind;

use super::model::{CommunityEvent, EventStatus};
use crate::error::NodeResult;
use crate::gossip::{DeleteBody, EventBody, EventPlaceBody};
use crate::groups::GroupVisibility;
use crate::model::{now_ms, Member};
use crate::node::Node;
use crate::store::{hash_of, tables, Txn};

impl Node {
    /// Signs, stores and queues (inside `txn`) the `event` record of
    /// `event` as it is now, when gossip is on and it is a published event
    /// of a public local group.
    pub(crate) fn gossip_event(&self, txn: &mut Txn<'_>, event: &CommunityEvent) -> NodeResult<()> {
        let Some(group) = self.gossiping_group(txn, event)? else {
            return Ok(());
        };
        let organiser = match txn.load::<tables::Member>(event.organiser)? {
            Some(m) => self.urls().actor(&m.username),
            None => String::new(),
        };
        let registered = txn
            .counter::<tables::EventRegisteredCount>(event.id)?
            .max(0);
        let participant_count = u32::try_from(registered).unwrap_or(u32::MAX);
        let body = EventBody {
            actor: self.urls().actor(&group.username),
            uri: self.urls().event(&group.username, event.id),
            url: self.urls().event_page(event.id),
            organiser,
            title: event.title.clone(),
            html: event.description_html.clone(),
            start: event.start,
            end: event.end,
            timezone: event.timezone.clone(),
            format: event.format,
            location: event.location.as_ref().map(EventPlaceBody::from_location),
            online_url: event
                .stream_url
                .clone()
                .or_else(|| event.online_url.clone()),
            capacity: event.capacity,
            registration: event.registration,
            status: event.status,
            category: event.category.clone(),
            tags: event.tags.clone(),
            participant_count,
            remaining: event.capacity.map(|c| c.saturating_sub(participant_count)),
        };
        let created = self.next_event_record_time(txn, &body.uri)?;
        let envelope = self.sign_as(&group, Kind::Event, created, body.to_map())?;
        self.store_envelope(txn, &envelope)?;
        self.queue_broadcast(txn, &envelope)
    }

    /// Signs, stores and queues (inside `txn`) the `delete` record of
    /// `event` (about to go), when its records were gossiped.
    pub(crate) fn gossip_event_deleted(
        &self,
        txn: &mut Txn<'_>,
        event: &CommunityEvent,
    ) -> NodeResult<()> {
        let Some(group) = self.gossiping_group(txn, event)? else {
            return Ok(());
        };
        let uri = self.urls().event(&group.username, event.id);
        let created = self.next_event_record_time(txn, &uri)?;
        let body = DeleteBody {
            actor: self.urls().actor(&group.username),
            uri: Some(uri.clone()),
            attestation: None,
        };
        let envelope = self.sign_as(&group, Kind::Delete, created, body.to_map())?;
        self.store_envelope(txn, &envelope)?;
        self.queue_broadcast(txn, &envelope)?;
        txn.remove::<tables::EventGossip>(hash_of(&uri));
        Ok(())
    }

    /// The local group account whose key signs `event`'s records, when
    /// they are gossiped: gossip on, a local event out of draft, of a
    /// public group.
    fn gossiping_group(&self, txn: &Txn<'_>, event: &CommunityEvent) -> NodeResult<Option<Member>> {
        if !self.config.gossip || event.is_remote() || event.status == EventStatus::Draft {
            return Ok(None);
        }
        let Some(group) = event.group else {
            return Ok(None);
        };
        let public = txn
            .load::<tables::Group>(group)?
            .is_some_and(|g| g.visibility == GroupVisibility::Public);
        if !public {
            return Ok(None);
        }
        Ok(txn
            .load::<tables::Member>(group)?
            .filter(|m| m.is_local() && m.is_group()))
    }

    /// A `created` time for the next record of the event `uri`: now, or
    /// just after the last one when the clock has not moved past it;
    /// recorded in `txn`.
    fn next_event_record_time(&self, txn: &mut Txn<'_>, uri: &str) -> NodeResult<i64> {
        let key = hash_of(uri);
        let last = txn.load::<tables::EventGossip>(key)?;
        let created = match last {
            Some(last) => now_ms().max(last.saturating_add(1)),
            None => now_ms(),
        };
        txn.store::<tables::EventGossip>(key, &created)?;
        Ok(created)
    }
}
