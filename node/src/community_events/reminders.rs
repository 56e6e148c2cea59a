//! Reminders: 24 hours and 1 hour before an event starts, everyone
//! registered is told (`event_reminder`).
//!
//! The schedule is a table (`EventReminders (due ms, event, kind)`), so it
//! survives restarts. An entry is written when the first seat of an event
//! is taken (once per event and kind: a second registration finds it
//! there), moved when the event moves, and dropped when it is cancelled,
//! finished or deleted. [`Node::run_due_reminders`] sends each due entry in
//! one write that also deletes it, so a reminder is sent once: a crash
//! before the write sends nothing and leaves the entry; after it, the
//! entry is gone.
//!
//! [`run_reminder_worker`] calls them in a loop, which the binary spawns:
//! it sends what is due, then sleeps until the next entry falls due or a
//! minute passes (which also picks up reminders scheduled meanwhile), or
//! until shutdown.

use super::key_ms;
use super::model::{CommunityEvent, EventStatus};
use crate::error::NodeResult;
use crate::id::Id;
use crate::model::{now_ms, NotificationKind};
use crate::node::Node;
use crate::store::{tables, Txn};

/// Most due entries one call of [`Node::run_due_reminders`] sends.
pub const REMINDER_BATCH: usize = 64;

/// Which reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ReminderKind {
    /// 24 hours before the start.
    DayBefore = 1,
    /// 1 hour before the start.
    HourBefore = 2,
}

impl ReminderKind {
    /// Both, in the order they fall due.
    pub const ALL: [ReminderKind; 2] = [ReminderKind::DayBefore, ReminderKind::HourBefore];

    /// How long before the start it is sent (ms).
    pub fn lead_ms(self) -> i64 {
        match self {
            ReminderKind::DayBefore => 24 * 3_600_000,
            ReminderKind::HourBefore => 3_600_000,
        }
    }

    /// When it is due for an event starting at `start` (ms).
    pub fn due(self, start: i64) -> u64 {
        key_ms(start.saturating_sub(self.lead_ms()))
    }
}

impl Node {
    /// Makes sure both reminders of `event` are scheduled, inside `txn`:
    /// those not yet due and not sent for its current start, once each
    /// (an entry already there is kept).
    pub(crate) fn schedule_reminders(
        &self,
        txn: &mut Txn<'_>,
        event: &CommunityEvent,
    ) -> NodeResult<()> {
        if event.status != EventStatus::Open {
            return Ok(());
        }
        let now = key_ms(now_ms());
        for kind in ReminderKind::ALL {
            let due = kind.due(event.start);
            let key = (due, event.id, kind as u8);
            if due > now
                && !event.reminders_sent.contains(&(kind as u8))
                && !txn.has::<tables::EventReminders>(key)?
            {
                txn.store::<tables::EventReminders>(key, &())?;
            }
        }
        Ok(())
    }

    /// Drops both reminders of `event` (as scheduled for its start),
    /// inside `txn`.
    pub(crate) fn drop_reminders(&self, txn: &mut Txn<'_>, event: &CommunityEvent) {
        for kind in ReminderKind::ALL {
            txn.remove::<tables::EventReminders>((kind.due(event.start), event.id, kind as u8));
        }
    }

    /// Sends the reminders due at `now_ms`, up to [`REMINDER_BATCH`] of
    /// them, each in one write that notifies everyone registered and
    /// deletes the entry (an entry whose event is gone, cancelled or over
    /// is deleted unsent). Returns how many reminders were sent; call it
    /// again while it returns a full batch.
    pub async fn run_due_reminders(&self, now_ms: i64) -> NodeResult<usize> {
        let due: Vec<(u64, Id, u8)> = self
            .store
            .range::<tables::EventReminders>(
                crate::store::Cut::start(),
                crate::store::Cut::at((key_ms(now_ms).saturating_add(1),)),
                false,
            )
            .keys()
            .take(REMINDER_BATCH)
            .collect::<NodeResult<_>>()?;
        let mut sent = 0;
        for key in due {
            let was_sent = self
                .write(|txn| {
                    if !txn.has::<tables::EventReminders>(key)? {
                        return Ok(false); // another worker sent it
                    }
                    txn.remove::<tables::EventReminders>(key);
                    let (_, event_id, kind) = key;
                    let Some(mut event) = txn.load::<tables::CommunityEvent>(event_id)? else {
                        return Ok(false);
                    };
                    if event.status != EventStatus::Open || event.is_over(now_ms) {
                        return Ok(false);
                    }
                    if !event.reminders_sent.contains(&kind) {
                        event.reminders_sent.push(kind);
                        txn.store::<tables::CommunityEvent>(event_id, &event)?;
                    }
                    self.notify_registered(
                        txn,
                        event_id,
                        NotificationKind::EventReminder,
                        event.organiser,
                    )?;
                    Ok(true)
                })
                .await?;
            if was_sent {
                sent += 1;
            }
        }
        Ok(sent)
    }

    /// When the next reminder falls due (ms), if any is scheduled: a
    /// worker sleeps until then (or until a shorter poll interval passes,
    /// to see reminders scheduled meanwhile).
    pub fn next_reminder_due(&self) -> NodeResult<Option<i64>> {
        match self
            .store
            .scan::<tables::EventReminders>((), false)
            .keys()
            .next()
        {
            Some(key) => {
                let (due, _, _) = key?;
                Ok(Some(i64::try_from(due).unwrap_or(i64::MAX)))
            }
            None => Ok(None),
        }
    }
}

/// Longest sleep of the reminder worker between two looks at the schedule.
const MAX_SLEEP_MS: i64 = 60_000;

/// Sends reminders as they fall due until `shutdown` turns true.
#[tracing::instrument(skip_all)]
pub async fn run_reminder_worker(
    node: std::sync::Arc<Node>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        if *shutdown.borrow() {
            break;
        }
        let wait_ms = loop {
            match node.run_due_reminders(now_ms()).await {
                Ok(sent) if sent == REMINDER_BATCH => continue,
                Ok(sent) => {
                    if sent > 0 {
                        tracing::info!(sent, "event reminders sent");
                    }
                    break match node.next_reminder_due() {
                        Ok(next) => {
                            next.map_or(MAX_SLEEP_MS, |due| (due - now_ms()).clamp(0, MAX_SLEEP_MS))
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "reading the reminder schedule");
                            MAX_SLEEP_MS
                        }
                    };
                }
                Err(e) => {
                    tracing::warn!(error = %e, "sending event reminders");
                    break MAX_SLEEP_MS;
                }
            }
        };
        let wait = std::time::Duration::from_millis(u64::try_from(wait_ms).unwrap_or(0).max(10));
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => {}
        }
    }
}
