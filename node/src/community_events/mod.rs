//! Community events: meetups, webinars, hackathons that members and groups
//! organise, with seats, a waitlist, approvals, check-in and reminders.
//!
//! (The folder is not `events/`: that name is the node's event bus,
//! `crate::events`.)
//!
//! An event is a [`CommunityEvent`] (`tables::CommunityEvent`), indexed by
//! start time (`EventsByStart`), by place (`EventsByPlace`, for events
//! with coordinates), by group and by organiser. Its times are
//! instants (ms since the epoch, UTC) with the IANA zone they were set in,
//! so "19:00 in Jakarta" stays right for viewers elsewhere and across DST.
//! A registration is `EventRegistrations (event, member)` with its
//! [`RegistrationState`]; the waitlist is `EventWaitlist (event, arrival
//! id)`, whose ids are made inside the write that queues, so their order is
//! the order of the writes. A member's registrations are `MemberEvents
//! (member, start, event)`. Counts (registered, waitlisted, pending,
//! attended) are stored counters updated in the same write.
//!
//! **Invariant:** every rule of a registration (status, registration
//! window, mode, capacity, waitlist order) is checked inside the write
//! that registers, and writes are serialised: capacity is never exceeded
//! however many register at once.
//!
//! `model.rs`: the record and its enums; `describe.rs`: an event's when
//! and where in words; `input.rs`: what creating and
//! changing take, and their validation; `create.rs`: create, update,
//! delete; `lifecycle.rs`: cancel, go live; `register.rs`: register,
//! unregister, the waitlist's promotions; `participants.rs`: the list,
//! approve, reject, invite, check-in; `query.rs`: one event, upcoming,
//! a member's, the archive; `geo.rs`: the place index that `near` reads;
//! `reminders.rs`: the reminder schedule;
//! `calendar_feeds.rs`: which events each calendar feed lists, and the
//! secret tokens of members' feeds; `remote.rs`: participants of other
//! servers in local events; `remote_events.rs`: events of other servers
//! stored here (created, updated, deleted by their organisers there),
//! members' registrations for them (`Join` → `Accept`/`Reject`, `Leave`);
//! `gossip.rs`: public groups' events signed as gossip records in the
//! writes that federate them.

mod calendar_feeds;
mod create;
mod describe;
mod geo;
mod gossip;
mod input;
mod lifecycle;
mod model;
mod participants;
mod query;
mod register;
mod reminders;
mod remote;
mod remote_events;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_gossip;
#[cfg(test)]
mod tests_places;
#[cfg(test)]
mod tests_query;
#[cfg(test)]
mod tests_registration;
#[cfg(test)]
mod tests_reminders;
#[cfg(test)]
mod tests_remote_events;

pub use calendar_feeds::{CalendarFeed, MemberCalendar, FEED_MAX, FEED_RECENT_MS};
pub use describe::{place_text, span_text, summary_text, zone, zoned};
pub(crate) use geo::index_place;
pub use geo::MAX_CELLS;
pub use input::{EventUpdate, LinkInput, LocationInput, NewEvent, SpeakerInput, TimeInput};
pub use model::{
    CommunityEvent, EventFormat, EventLink, EventStatus, EventType, Location, Registration,
    RegistrationMode, RegistrationState, RemoteEvent, Speaker,
};
pub use participants::{attendance_claim, Participant, Participants};
pub use query::{
    EventCursor, EventPage, EventQuery, EventView, ViewerRegistration, PLACE_SCAN_BOUND, SCAN_BOUND,
};
pub use register::{OverlapWarning, RegistrationOutcome};
pub use reminders::{run_reminder_worker, ReminderKind};
pub use remote_events::{RemoteEventInput, MAX_REMOTE_TITLE};

use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::Member;
use crate::node::Node;
use crate::store::{tables, Txn};

/// The longest an event may last (31 days). Queries by start time look
/// this far back for events still running, and the overlap check this
/// far back for events that may overlap.
pub const MAX_DURATION_MS: i64 = 31 * 24 * 3_600_000;

impl Node {
    /// The event `id` inside a write, or `NotFound("event")`.
    pub(crate) fn event_in(txn: &Txn<'_>, id: Id) -> NodeResult<CommunityEvent> {
        txn.load::<tables::CommunityEvent>(id)?
            .ok_or(NodeError::NotFound("event"))
    }

    /// Whether `member` organises `event`: for a group's event, the
    /// group's owner or a moderator (whoever made it: a moderator who
    /// steps down no longer organises it); otherwise the member who made
    /// it. Read in `txn`, so a role taken away a moment ago counts.
    pub(crate) fn organises(
        txn: &Txn<'_>,
        event: &CommunityEvent,
        member: &Member,
    ) -> NodeResult<bool> {
        match event.group {
            Some(group) => Ok(txn.has::<tables::GroupRoles>((group, member.id))?),
            None => Ok(event.organiser == member.id),
        }
    }

    /// `Forbidden` unless `member` organises `event` (see
    /// [`Node::organises`]); a 409 naming `event` for an event of another
    /// server, which only its organisers there change.
    pub(crate) fn require_organiser(
        txn: &Txn<'_>,
        event: &CommunityEvent,
        member: &Member,
    ) -> NodeResult<()> {
        if event.is_remote() {
            return Err(NodeError::conflict(
                "event",
                "the event belongs to another server: only its organisers there can do this",
            ));
        }
        if Self::organises(txn, event, member)? {
            Ok(())
        } else {
            Err(NodeError::Forbidden(
                "only the event's organisers can do this",
            ))
        }
    }

    /// Notifies every member registered for `event` (holding a seat) of
    /// `kind`, from `actor`, inside `txn`. Returns how many were told.
    pub(crate) fn notify_registered(
        &self,
        txn: &mut Txn<'_>,
        event: Id,
        kind: crate::model::NotificationKind,
        actor: Id,
    ) -> NodeResult<usize> {
        let registered: Vec<Id> = txn
            .scan::<tables::EventRegistrations>((event,), false)
            .filter_map(|row| match row {
                Ok(((_, member), r)) if r.state == RegistrationState::Registered => {
                    Some(Ok(member))
                }
                Ok(_) => None,
                Err(e) => Some(Err(e)),
            })
            .collect::<NodeResult<_>>()?;
        for member in &registered {
            self.notify_event(txn, *member, kind, actor, event)?;
        }
        Ok(registered.len())
    }
}

/// `ms` as a key component (events before 1970 are refused at validation,
/// so this only clamps what cannot happen).
pub(crate) fn key_ms(ms: i64) -> u64 {
    u64::try_from(ms).unwrap_or(0)
}
