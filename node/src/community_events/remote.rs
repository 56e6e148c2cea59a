//! Participants of other servers (Mobilizon's vocabulary): a `Join` of a
//! local event registers its sender under the event's rules, as a member
//! here registers; `Leave` (or `Undo(Join)`) unregisters. Whenever such a
//! participant gets a seat (at once, promoted from the waitlist, approved)
//! the organisers' `Accept` of their `Join` is queued in the same write;
//! a rejection queues its `Reject`. The `Join`'s id is kept
//! (`EventJoins`) for the answer to name.

use super::model::{CommunityEvent, EventStatus, RegistrationState};
use super::RegistrationOutcome;
use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::Member;
use crate::node::{Node, Viewer};
use crate::remote::Outgoing;
use crate::store::{tables, Txn};

/// Most members of a group told of one of its events.
pub const GROUP_EVENT_FANOUT: usize = 1_000;

impl Node {
    /// The account of another server `remote` asks to take part in the
    /// local event `event` with its `Join` `activity_id`: registered,
    /// waitlisted or pending as a member here would be (capacity and
    /// waitlist shared); an `Accept` is queued once it holds a seat, a
    /// `Reject` when the event refuses it (cancelled, closed, invitation
    /// only...).
    pub async fn receive_join(
        &self,
        remote: &Member,
        event: Id,
        activity_id: &str,
    ) -> NodeResult<RegistrationOutcome> {
        if remote.is_local() {
            return Err(NodeError::invalid("actor", "is not a remote account"));
        }
        let key = (event, remote.id);
        let activity = activity_id.to_string();
        self.write(|txn| {
            if txn.load::<tables::CommunityEvent>(event)?.is_none() {
                return Err(NodeError::NotFound("event"));
            }
            txn.store::<tables::EventJoins>(key, &activity)
        })
        .await?;
        let viewer = Viewer::Member(Box::new(remote.clone()));
        match self.register_for_event(&viewer, event, false).await {
            Ok(outcome) => {
                if !outcome.changed && outcome.state == RegistrationState::Registered {
                    // Registered before: their Accept may have been lost.
                    self.write(|txn| self.answer_remote_join(txn, event, remote.id, true))
                        .await?;
                }
                Ok(outcome)
            }
            Err(refused @ (NodeError::Conflict { .. } | NodeError::Forbidden(_))) => {
                self.write(|txn| self.answer_remote_join(txn, event, remote.id, false))
                    .await?;
                Err(refused)
            }
            Err(e) => Err(e),
        }
    }

    /// The account of another server `remote` leaves the local event
    /// `event` (`Leave`, `Undo(Join)`): as a member here unregisters.
    pub async fn receive_leave(&self, remote: &Member, event: Id) -> NodeResult<bool> {
        let viewer = Viewer::Member(Box::new(remote.clone()));
        let left = self.unregister_from_event(&viewer, event).await?;
        let key = (event, remote.id);
        self.write(|txn| {
            txn.remove::<tables::EventJoins>(key);
            Ok(())
        })
        .await?;
        Ok(left)
    }

    /// Queues, inside `txn`, the `Create` (`created`) or `Update` of
    /// `event` for its organiser's (or group's) followers on other
    /// servers: not for a draft, nor for a private group's event, nor when
    /// nobody elsewhere follows.
    pub(crate) fn federate_event(
        &self,
        txn: &mut Txn<'_>,
        event: &CommunityEvent,
        created: bool,
    ) -> NodeResult<()> {
        if event.is_remote() {
            return Ok(());
        }
        let Some(audience) = self.event_audience(txn, event)? else {
            return Ok(());
        };
        if !self.has_remote_audience(txn, audience, &[], None)? {
            return Ok(());
        }
        self.federate(
            txn,
            Outgoing::Event {
                event: event.id,
                created,
            },
        )
    }

    /// Queues, inside `txn`, the `Delete` of `event` (about to go) for
    /// those its `Create` reached.
    pub(crate) fn federate_event_deleted(
        &self,
        txn: &mut Txn<'_>,
        event: &CommunityEvent,
    ) -> NodeResult<()> {
        let Some(audience) = self.event_audience(txn, event)? else {
            return Ok(());
        };
        if !self.has_remote_audience(txn, audience, &[], None)? {
            return Ok(());
        }
        let Some(account) = txn.load::<tables::Member>(audience)? else {
            return Ok(());
        };
        let object = self.urls().event(&account.username, event.id);
        self.federate(
            txn,
            Outgoing::EventDeleted {
                object,
                organiser: audience,
            },
        )
    }

    /// Whose followers hear of `event` (its group, else its organiser), or
    /// `None` when it is not for other servers (a draft, a private
    /// group's).
    fn event_audience(&self, txn: &Txn<'_>, event: &CommunityEvent) -> NodeResult<Option<Id>> {
        if event.status == EventStatus::Draft {
            return Ok(None);
        }
        match event.group {
            Some(group) => {
                let public = txn
                    .load::<tables::Group>(group)?
                    .is_some_and(|s| s.visibility == crate::groups::GroupVisibility::Public);
                Ok(public.then_some(group))
            }
            None => Ok(Some(event.organiser)),
        }
    }

    /// Tells the members of the group of `event` (at most
    /// [`GROUP_EVENT_FANOUT`], the oldest first) that it was published,
    /// inside `txn`; nothing for a member's own event or a draft.
    pub(crate) fn tell_group_of_event(
        &self,
        txn: &mut Txn<'_>,
        event: &CommunityEvent,
        actor: Id,
    ) -> NodeResult<()> {
        let Some(group) = event.group.filter(|_| event.status != EventStatus::Draft) else {
            return Ok(());
        };
        let members: Vec<Id> = txn
            .scan::<tables::Followers>((group,), false)
            .keys()
            .take(GROUP_EVENT_FANOUT)
            .map(|k| k.map(|(_, m)| m))
            .collect::<NodeResult<_>>()?;
        for member in members {
            let local = txn
                .load::<tables::Member>(member)?
                .is_some_and(|m| m.is_local());
            if local {
                self.notify_event(
                    txn,
                    member,
                    crate::model::NotificationKind::GroupEvent,
                    actor,
                    event.id,
                )?;
            }
        }
        Ok(())
    }

    /// Queues, inside `txn`, the organisers' answer to `member`'s `Join`
    /// of `event` when `member` joined from another server (its `Join` is
    /// known); nothing for a member here.
    pub(crate) fn answer_remote_join(
        &self,
        txn: &mut Txn<'_>,
        event: Id,
        member: Id,
        accept: bool,
    ) -> NodeResult<()> {
        let Some(activity_id) = txn.load::<tables::EventJoins>((event, member))? else {
            return Ok(());
        };
        self.federate(
            txn,
            Outgoing::JoinAnswer {
                event,
                member,
                activity_id,
                accept,
            },
        )
    }
}
