//! Registering for an event and cancelling a registration; the waitlist's
//! promotions.
//!
//! Every rule is checked inside the one write that registers, and writes
//! are serialised: a seat is taken only while the stored count is below
//! the capacity, and a waitlist entry's id is made inside the write, so
//! the waitlist's key order is the order the writes happened.

use serde::Serialize;

use super::model::{
    CommunityEvent, EventStatus, Registration, RegistrationMode, RegistrationState,
};
use super::{key_ms, MAX_DURATION_MS};
use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::{now_ms, NotificationKind};
use crate::node::{Node, Viewer};
use crate::store::{tables, Cut, Txn};

/// Most other registrations of the member looked at for overlaps.
const OVERLAP_SCAN: usize = 200;

/// The answer of a registration: `{"state": "registered" | "waitlisted" |
/// "pending", "overlaps": [...]}`.
#[derive(Debug, Clone, Serialize)]
pub struct RegistrationOutcome {
    /// Where the registration stands.
    pub state: RegistrationState,
    /// Whether this call changed anything (registering twice does not).
    pub changed: bool,
    /// Other events the member is registered for, waiting for or pending
    /// at that overlap this one in time: a warning, not a refusal.
    pub overlaps: Vec<OverlapWarning>,
}

/// Another event that overlaps the one registered for.
#[derive(Debug, Clone, Serialize)]
pub struct OverlapWarning {
    /// Its id.
    pub id: Id,
    /// Its title.
    pub title: String,
    /// Its start (ms).
    pub start: i64,
    /// Its end (ms).
    pub end: i64,
}

/// Why `event` takes no registration at `now`, as a 409 naming `event`
/// (or `registration`), or `Ok` when it takes them.
pub(crate) fn check_open(event: &CommunityEvent, now: i64) -> NodeResult<()> {
    match event.status {
        EventStatus::Cancelled => {
            return Err(NodeError::conflict("event", "the event is cancelled"))
        }
        EventStatus::Finished => {
            return Err(NodeError::conflict("event", "the event has finished"))
        }
        EventStatus::Draft => {
            return Err(NodeError::conflict(
                "event",
                "the event is not published yet",
            ))
        }
        EventStatus::Open => {}
    }
    if event.end <= now {
        return Err(NodeError::conflict("event", "the event has finished"));
    }
    if event.registration_opens.is_some_and(|o| now < o) {
        return Err(NodeError::conflict(
            "registration",
            "registration has not opened yet",
        ));
    }
    if event.registration_closes.is_some_and(|c| now >= c) {
        return Err(NodeError::conflict(
            "registration",
            "registration is closed",
        ));
    }
    Ok(())
}

impl Node {
    /// Registers the viewer for an event: `registered` while a seat is
    /// free, else `waitlisted` in arrival order; `pending` for an approval
    /// event (its organisers are told, `event_registration`). An invite
    /// event takes only members an organiser invited. A cancelled,
    /// finished, unpublished or closed event is a 409 with the reason.
    /// Registering twice changes nothing. `listed`: whether the viewer's
    /// name may be shown to others. Overlapping registrations come back as
    /// warnings.
    pub async fn register_for_event(
        &self,
        viewer: &Viewer,
        id: Id,
        listed: bool,
    ) -> NodeResult<RegistrationOutcome> {
        let me = viewer.member()?.clone();
        if me.is_group() {
            return Err(NodeError::Forbidden("a group cannot register for events"));
        }
        self.write(|txn| {
            let event = Self::event_in(txn, id)?;
            if !self.may_see_event_in(txn, &event, Some(&me))? {
                return Err(NodeError::NotFound("event"));
            }
            let now = now_ms();
            let existing = txn.load::<tables::EventRegistrations>((id, me.id))?;
            if let Some(r) = &existing {
                if r.state != RegistrationState::Invited {
                    return Ok(RegistrationOutcome {
                        state: r.state,
                        changed: false,
                        overlaps: Vec::new(),
                    });
                }
            }
            if event.is_remote() {
                return self.register_remotely(txn, &event, &me, listed, now);
            }
            check_open(&event, now)?;
            let invited = existing.is_some();
            let state = match event.registration {
                RegistrationMode::Invite if !invited => {
                    return Err(NodeError::conflict(
                        "registration",
                        "this event takes invited members only",
                    ))
                }
                RegistrationMode::Approval if !invited => {
                    let registration = Registration {
                        state: RegistrationState::Pending,
                        at: now,
                        listed,
                        arrival: None,
                        attended_at: None,
                        join: None,
                    };
                    txn.store::<tables::EventRegistrations>((id, me.id), &registration)?;
                    txn.add::<tables::EventPendingCount>(id, 1)?;
                    self.notify_organisers(txn, &event, me.id)?;
                    RegistrationState::Pending
                }
                _ => self.seat_or_wait(txn, &event, me.id, listed, now)?,
            };
            if !invited {
                txn.store::<tables::MemberEvents>((me.id, key_ms(event.start), id), &())?;
            }
            let overlaps = Self::overlaps(txn, me.id, &event)?;
            Ok(RegistrationOutcome {
                state,
                changed: true,
                overlaps,
            })
        })
        .await
    }

    /// Gives `member` a seat of `event` if one is free, else a place at
    /// the end of its waitlist; stores the registration and the counters,
    /// and makes sure the reminders are scheduled.
    pub(crate) fn seat_or_wait(
        &self,
        txn: &mut Txn<'_>,
        event: &CommunityEvent,
        member: Id,
        listed: bool,
        now: i64,
    ) -> NodeResult<RegistrationState> {
        let registered = txn.counter::<tables::EventRegisteredCount>(event.id)?;
        let free = event.capacity.is_none_or(|c| registered < i64::from(c));
        let registration = if free {
            txn.add::<tables::EventRegisteredCount>(event.id, 1)?;
            self.schedule_reminders(txn, event)?;
            Registration {
                state: RegistrationState::Registered,
                at: now,
                listed,
                arrival: None,
                attended_at: None,
                join: None,
            }
        } else {
            let arrival = self.ids.next();
            txn.store::<tables::EventWaitlist>((event.id, arrival), &member)?;
            txn.add::<tables::EventWaitlistCount>(event.id, 1)?;
            Registration {
                state: RegistrationState::Waitlisted,
                at: now,
                listed,
                arrival: Some(arrival),
                attended_at: None,
                join: None,
            }
        };
        txn.store::<tables::EventRegistrations>((event.id, member), &registration)?;
        if registration.state == RegistrationState::Registered {
            self.answer_remote_join(txn, event.id, member, true)?;
        }
        Ok(registration.state)
    }

    /// Tells the organisers of `event` (its organiser; for a group's
    /// event, the group's owner and moderators) that `member` asked to
    /// take part.
    fn notify_organisers(
        &self,
        txn: &mut Txn<'_>,
        event: &CommunityEvent,
        member: Id,
    ) -> NodeResult<()> {
        let organisers: Vec<Id> = match event.group {
            Some(group) => txn
                .scan::<tables::GroupRoles>((group,), false)
                .keys()
                .map(|k| k.map(|(_, m)| m))
                .collect::<NodeResult<_>>()?,
            None => vec![event.organiser],
        };
        for o in organisers {
            self.notify_event(
                txn,
                o,
                NotificationKind::EventRegistration,
                member,
                event.id,
            )?;
        }
        Ok(())
    }

    /// The member's other registrations whose time overlaps `event`'s
    /// (looked for among those starting up to [`MAX_DURATION_MS`] before
    /// it, at most [`OVERLAP_SCAN`] of them).
    pub(super) fn overlaps(
        txn: &Txn<'_>,
        member: Id,
        event: &CommunityEvent,
    ) -> NodeResult<Vec<OverlapWarning>> {
        let from = key_ms(event.start.saturating_sub(MAX_DURATION_MS));
        let mut out = Vec::new();
        let rows = txn.range::<tables::MemberEvents>(
            Cut::at((member, from)),
            Cut::at((member, key_ms(event.end))),
            false,
        );
        for key in rows.keys().take(OVERLAP_SCAN) {
            let (_, _, other) = key?;
            if other == event.id {
                continue;
            }
            let Some(o) = txn.load::<tables::CommunityEvent>(other)? else {
                continue;
            };
            let taking_part = matches!(
                txn.load::<tables::EventRegistrations>((other, member))?
                    .map(|r| r.state),
                Some(
                    RegistrationState::Registered
                        | RegistrationState::Waitlisted
                        | RegistrationState::Pending
                )
            );
            if taking_part
                && o.status != EventStatus::Cancelled
                && o.start < event.end
                && event.start < o.end
            {
                out.push(OverlapWarning {
                    id: o.id,
                    title: o.title,
                    start: o.start,
                    end: o.end,
                });
            }
        }
        Ok(out)
    }

    /// Cancels the viewer's registration (any state). When it held a seat,
    /// the first waiting takes it and is told (`event_promoted`), in the
    /// same write. Not registered: nothing changes (`false`).
    pub async fn unregister_from_event(&self, viewer: &Viewer, id: Id) -> NodeResult<bool> {
        let me = viewer.member()?.clone();
        self.write(|txn| {
            let event = Self::event_in(txn, id)?;
            if event.is_remote() {
                return self.unregister_remotely(txn, &event, me.id);
            }
            self.drop_registration(txn, &event, me.id)
        })
        .await
    }

    /// Removes `member`'s registration for `event` inside `txn`, filling
    /// the seat it held; whether there was one.
    pub(crate) fn drop_registration(
        &self,
        txn: &mut Txn<'_>,
        event: &CommunityEvent,
        member: Id,
    ) -> NodeResult<bool> {
        let Some(r) = txn.load::<tables::EventRegistrations>((event.id, member))? else {
            return Ok(false);
        };
        txn.remove::<tables::EventRegistrations>((event.id, member));
        txn.remove::<tables::MemberEvents>((member, key_ms(event.start), event.id));
        self.points_for_registration_removed(txn, event.id, member)?;
        match r.state {
            RegistrationState::Registered => {
                txn.add::<tables::EventRegisteredCount>(event.id, -1)?;
                if r.attended_at.is_some() {
                    txn.add::<tables::EventAttendedCount>(event.id, -1)?;
                }
                if event.status == EventStatus::Open && !event.is_over(now_ms()) {
                    self.fill_seats(txn, event)?;
                }
            }
            RegistrationState::Waitlisted => {
                if let Some(arrival) = r.arrival {
                    txn.remove::<tables::EventWaitlist>((event.id, arrival));
                }
                txn.add::<tables::EventWaitlistCount>(event.id, -1)?;
            }
            RegistrationState::Pending => {
                txn.add::<tables::EventPendingCount>(event.id, -1)?;
            }
            RegistrationState::Invited => {}
        }
        Ok(true)
    }

    /// Moves the first waiting into the free seats of `event`, in arrival
    /// order, each told (`event_promoted`, from the event's organiser).
    /// Reads the committed waitlist: call it at most once per write, before
    /// any other change to the waitlist in that write.
    pub(crate) fn fill_seats(
        &self,
        txn: &mut Txn<'_>,
        event: &CommunityEvent,
    ) -> NodeResult<usize> {
        if event.is_remote() {
            // Its seats are its server's to give.
            return Ok(0);
        }
        let registered = txn.counter::<tables::EventRegisteredCount>(event.id)?;
        let free = match event.capacity {
            None => usize::MAX,
            Some(c) => usize::try_from((i64::from(c) - registered).max(0)).unwrap_or(0),
        };
        if free == 0 {
            return Ok(0);
        }
        let first: Vec<((Id, Id), Id)> = txn
            .scan::<tables::EventWaitlist>((event.id,), false)
            .take(free.min(10_000))
            .collect::<NodeResult<_>>()?;
        let now = now_ms();
        for ((_, arrival), member) in &first {
            txn.remove::<tables::EventWaitlist>((event.id, *arrival));
            txn.add::<tables::EventWaitlistCount>(event.id, -1)?;
            txn.add::<tables::EventRegisteredCount>(event.id, 1)?;
            let mut r = txn
                .load::<tables::EventRegistrations>((event.id, *member))?
                .unwrap_or(Registration {
                    state: RegistrationState::Waitlisted,
                    at: now,
                    listed: false,
                    arrival: None,
                    attended_at: None,
                    join: None,
                });
            r.state = RegistrationState::Registered;
            r.at = now;
            r.arrival = None;
            txn.store::<tables::EventRegistrations>((event.id, *member), &r)?;
            self.answer_remote_join(txn, event.id, *member, true)?;
            self.notify_event(
                txn,
                *member,
                NotificationKind::EventPromoted,
                event.organiser,
                event.id,
            )?;
        }
        if !first.is_empty() {
            self.schedule_reminders(txn, event)?;
        }
        Ok(first.len())
    }
}
