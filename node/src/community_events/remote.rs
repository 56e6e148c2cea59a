//! Participants of other servers (Mobilizon's vocabulary): a `Join` of a
//! local event registers its sender under the event's rules, as a member
//! here registers; `Leave` (or `Undo(Join)`) unregisters. Whenever such a
//! participant gets a seat (at once, promoted from the waitlist, approved)
//! the organisers' `Accept` of their `Join` is queued in the same write;
//! a rejection queues its `Reject`. The `Join`'s id is kept
//! (`EventJoins`) for the answer to name.

use super::model::RegistrationState;
use super::RegistrationOutcome;
use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::Member;
use crate::node::{Node, Viewer};
use crate::remote::Outgoing;
use crate::store::{tables, Txn};

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
