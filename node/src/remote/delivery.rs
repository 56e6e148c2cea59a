//! The persistent delivery queue and what is known of each remote server.
//!
//! A delivery is keyed by its next attempt time, so the due ones are a
//! prefix scan. Retrying moves it to a later key in one atomic write.
//! Each server's state (last success, failures, unreachable since...)
//! is kept beside the queue for the admin panel and for back-off.

use serde::{Deserialize, Serialize};

use crate::error::NodeResult;
use crate::id::Id;
use crate::model::now_ms;
use crate::node::{Node, Viewer};
use crate::store::{tables, Cut, Txn};

/// A delivery to enqueue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewDelivery {
    /// The inbox URL.
    pub inbox: String,
    /// Who signs: a local member, or `None` for the node's instance actor.
    pub signer: Option<Id>,
    /// The activity's id (for logs and the library's task).
    pub activity_id: String,
    /// The JSON body, exactly as it will be sent.
    pub body: String,
}

/// A queued delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    /// Its id.
    pub id: Id,
    /// The inbox URL.
    pub inbox: String,
    /// The inbox's host (with port), lower-cased.
    pub domain: String,
    /// Who signs (`None`: the instance actor).
    pub signer: Option<Id>,
    /// The activity's id.
    pub activity_id: String,
    /// The JSON body.
    pub body: String,
    /// Attempts made so far.
    pub attempts: u32,
    /// When it was queued (ms).
    pub created_at: i64,
    /// When it is next due (ms).
    pub next_at: i64,
    /// The last failure.
    pub last_error: Option<String>,
}

impl Delivery {
    pub(crate) fn new(id: Id, new: NewDelivery, now: i64) -> Self {
        Delivery {
            id,
            domain: super::host_of(&new.inbox).unwrap_or_default(),
            inbox: new.inbox,
            signer: new.signer,
            activity_id: new.activity_id,
            body: new.body,
            attempts: 0,
            created_at: now,
            next_at: now,
            last_error: None,
        }
    }

    /// Its key in [`tables::DeliveryQueue`].
    fn key(&self) -> (u64, Id) {
        (self.next_at.max(0) as u64, self.id)
    }
}

/// What the node knows about one remote server.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InstanceState {
    /// Host (with port), lower-cased.
    pub domain: String,
    /// Software name from NodeInfo, if known.
    pub software: Option<String>,
    /// First contact (ms).
    pub first_seen: i64,
    /// Last successful delivery or inbound activity (ms).
    pub last_contact: Option<i64>,
    /// Last failed delivery (ms).
    pub last_failure: Option<i64>,
    /// Failed deliveries since the last success.
    pub failures_in_a_row: u32,
    /// Set when deliveries have failed for long: new deliveries wait
    /// for its back-off and the admin panel shows it.
    pub unreachable_since: Option<i64>,
    /// The last delivery error.
    pub last_error: Option<String>,
    /// Deliveries that succeeded.
    pub delivered: u64,
    /// Deliveries given up.
    pub dropped: u64,
    /// Activities received from it.
    pub received: u64,
    /// The last delivery given up, and why (for the admin panel).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_dropped: Option<DroppedDelivery>,
}

/// A delivery that was given up.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DroppedDelivery {
    /// The activity's id.
    pub activity_id: String,
    /// Why it was given up (the last error).
    pub error: String,
    /// Attempts made.
    pub attempts: u32,
    /// When (ms).
    pub at: i64,
}

/// Queue figures for the admin panel and /metrics.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DeliveryStats {
    /// Deliveries waiting (due now or later).
    pub queued: i64,
    /// Intents not yet expanded into deliveries.
    pub pending_intents: usize,
    /// Known servers.
    pub instances: usize,
    /// Servers marked unreachable.
    pub unreachable: usize,
}

/// A server is marked unreachable after failing this long without a
/// success (Mastodon uses a week of failures; a day is enough to stop
/// wasting requests while retries continue).
const UNREACHABLE_AFTER_MS: i64 = 24 * 60 * 60 * 1000;

impl Node {
    pub(crate) fn enqueue(txn: &mut Txn<'_>, delivery: &Delivery) -> NodeResult<()> {
        txn.store::<tables::DeliveryQueue>(delivery.key(), delivery)?;
        txn.add::<tables::DeliveryQueueLength>((), 1)?;
        Ok(())
    }

    /// Deliveries due at `now`, oldest first (at most `limit`).
    pub fn due_deliveries(&self, now: i64, limit: usize) -> NodeResult<Vec<Delivery>> {
        let end = Cut::at((now.max(0) as u64 + 1,));
        let mut out = Vec::new();
        for delivery in self
            .store
            .range::<tables::DeliveryQueue>(Cut::start(), end, false)
            .values()
            .take(limit)
        {
            out.push(delivery?);
        }
        Ok(out)
    }

    /// When the next delivery is due, if any is queued.
    pub fn next_delivery_at(&self) -> NodeResult<Option<i64>> {
        match self
            .store
            .scan::<tables::DeliveryQueue>((), false)
            .values()
            .next()
        {
            Some(delivery) => Ok(Some(delivery?.next_at)),
            None => Ok(None),
        }
    }

    /// Removes a delivered item and records the server's success.
    pub async fn delivery_succeeded(&self, delivery: &Delivery) -> NodeResult<()> {
        let key = delivery.key();
        let domain = delivery.domain.clone();
        self.write(move |txn| {
            if txn.has::<tables::DeliveryQueue>(key)? {
                txn.remove::<tables::DeliveryQueue>(key);
                txn.add::<tables::DeliveryQueueLength>((), -1)?;
            }
            let mut state = instance(txn, &domain)?;
            let now = now_ms();
            state.last_contact = Some(now);
            state.failures_in_a_row = 0;
            state.unreachable_since = None;
            state.delivered += 1;
            self.count_today(txn, crate::moderation::DailyMetric::FederationOut, 1)?;
            put_instance(txn, &state)
        })
        .await
    }

    /// Records a failure: the delivery moves to `retry_at`, or is dropped
    /// when `retry_at` is `None` (given up, or refused for good).
    pub async fn delivery_failed(
        &self,
        delivery: &Delivery,
        error: &str,
        retry_at: Option<i64>,
    ) -> NodeResult<()> {
        let old_key = delivery.key();
        let mut next = delivery.clone();
        next.attempts += 1;
        next.last_error = Some(truncate(error, 500));
        let domain = delivery.domain.clone();
        let error = truncate(error, 500);
        self.write(move |txn| {
            if !txn.has::<tables::DeliveryQueue>(old_key)? {
                return Ok(());
            }
            txn.remove::<tables::DeliveryQueue>(old_key);
            let now = now_ms();
            let mut state = instance(txn, &domain)?;
            state.last_failure = Some(now);
            state.failures_in_a_row += 1;
            let since_success = now - state.last_contact.unwrap_or(state.first_seen);
            if state.unreachable_since.is_none() && since_success > UNREACHABLE_AFTER_MS {
                state.unreachable_since = Some(now);
                self.audit(
                    txn,
                    None,
                    "instance.unreachable",
                    &domain,
                    &format!("no successful delivery for a day; last error: {error}"),
                )?;
            }
            state.last_error = Some(error);
            match retry_at {
                Some(at) => {
                    next.next_at = at;
                    txn.store::<tables::DeliveryQueue>(next.key(), &next)?;
                }
                None => {
                    state.dropped += 1;
                    state.last_dropped = Some(DroppedDelivery {
                        activity_id: next.activity_id.clone(),
                        error: next.last_error.clone().unwrap_or_default(),
                        attempts: next.attempts,
                        at: now,
                    });
                    txn.add::<tables::DeliveryQueueLength>((), -1)?;
                }
            }
            put_instance(txn, &state)
        })
        .await
    }

    /// Moves every queued delivery to `domain` to now ("retry now").
    pub async fn retry_domain_now(&self, domain: &str) -> NodeResult<usize> {
        let now = now_ms();
        let domain = domain.to_ascii_lowercase();
        let mut moved = Vec::new();
        for d in self.store.scan::<tables::DeliveryQueue>((), false).values() {
            let d = d?;
            if d.domain == domain && d.next_at > now {
                moved.push(d);
            }
        }
        let count = moved.len();
        self.write(move |txn| {
            for d in &moved {
                txn.remove::<tables::DeliveryQueue>(d.key());
                let mut again = d.clone();
                again.next_at = now;
                txn.store::<tables::DeliveryQueue>(again.key(), &again)?;
            }
            if count > 0 {
                txn.emit(crate::events::Event::FederationQueued);
            }
            Ok(())
        })
        .await?;
        Ok(count)
    }

    /// Records the software a server reports.
    pub async fn note_software(&self, domain: &str, software: &str) -> NodeResult<()> {
        let domain = domain.to_ascii_lowercase();
        let software = truncate(software, 64);
        self.write(move |txn| {
            let mut state = instance(txn, &domain)?;
            state.software = Some(software);
            put_instance(txn, &state)
        })
        .await
    }

    /// One server's state.
    pub fn instance(&self, domain: &str) -> NodeResult<Option<InstanceState>> {
        self.store
            .load::<tables::Instance>(&domain.to_ascii_lowercase())
    }

    /// Moderators: "retry now" for a server ([`Node::retry_domain_now`]).
    pub async fn retry_instance(&self, viewer: &Viewer, domain: &str) -> NodeResult<usize> {
        require_moderator(viewer)?;
        self.retry_domain_now(domain).await
    }

    /// Moderators: queue figures ([`Node::delivery_stats`]).
    pub fn federation_overview(&self, viewer: &Viewer) -> NodeResult<DeliveryStats> {
        require_moderator(viewer)?;
        self.delivery_stats()
    }

    /// Moderators: known servers in domain order, after `after` (at most
    /// `limit`).
    pub fn instances(
        &self,
        viewer: &Viewer,
        after: Option<&str>,
        limit: usize,
    ) -> NodeResult<Vec<InstanceState>> {
        require_moderator(viewer)?;
        let start = match after {
            Some(d) => Cut::after(d),
            None => Cut::start(),
        };
        let mut out = Vec::new();
        for state in self
            .store
            .range::<tables::Instance>(start, Cut::end(), false)
            .values()
            .take(limit)
        {
            out.push(state?);
        }
        Ok(out)
    }

    /// Moderators: the next `limit` queued deliveries, soonest first.
    pub fn delivery_queue(&self, viewer: &Viewer, limit: usize) -> NodeResult<Vec<Delivery>> {
        require_moderator(viewer)?;
        self.due_deliveries(i64::MAX - 1, limit)
    }

    /// Queue depth and server counts.
    pub fn delivery_stats(&self) -> NodeResult<DeliveryStats> {
        let stats = DeliveryStats {
            queued: self.store.counter::<tables::DeliveryQueueLength>(())?,
            pending_intents: self.store.counter::<tables::OutboxLength>(())?.max(0) as usize,
            instances: self.store.counter::<tables::InstanceCount>(())?.max(0) as usize,
            unreachable: self.store.counter::<tables::UnreachableCount>(())?.max(0) as usize,
        };
        Ok(stats)
    }
}

pub(crate) use crate::moderation::require_moderator;

/// Writes a server's state, keeping the known and unreachable server
/// counters right (so the dashboard reads them instead of scanning).
pub(super) fn put_instance(txn: &mut Txn<'_>, state: &InstanceState) -> NodeResult<()> {
    let key = &state.domain;
    let before: Option<InstanceState> = txn.load::<tables::Instance>(key)?;
    if before.is_none() {
        txn.add::<tables::InstanceCount>((), 1)?;
    }
    let was = before.is_some_and(|b| b.unreachable_since.is_some());
    let is = state.unreachable_since.is_some();
    if was != is {
        txn.add::<tables::UnreachableCount>((), if is { 1 } else { -1 })?;
    }
    txn.store::<tables::Instance>(key, state)
}

pub(super) fn instance(txn: &Txn<'_>, domain: &str) -> NodeResult<InstanceState> {
    Ok(txn
        .load::<tables::Instance>(domain)?
        .unwrap_or_else(|| InstanceState {
            domain: domain.to_string(),
            first_seen: now_ms(),
            ..InstanceState::default()
        }))
}

fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => s[..i].to_string(),
        None => s.to_string(),
    }
}
