//! Inbound bookkeeping: the de-duplication marker of each accepted
//! activity, and each server's last contact and received count.
//!
//! Written one by one, these two small writes per activity halved the
//! inbox's storing rate (each takes its turn at the writer). They are
//! gathered in memory instead and written together, in one write, once 256
//! are waiting or 50 ms have passed (checked as activities arrive, by the
//! delivery worker's loop, and at shutdown). Losing the last ones in a
//! crash is harmless: the effects the markers guard are idempotent, and the
//! contact figures are statistics. A server marked unreachable is noted at
//! once, because its queued deliveries resume on that news.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::NodeResult;
use crate::model::now_ms;
use crate::node::Node;
use crate::store::{hash_of, tables, Txn};

use super::delivery::{instance, put_instance};

/// Entries that trigger a write.
const MAX_PENDING: usize = 256;
/// Age that triggers a write.
const MAX_AGE: Duration = Duration::from_millis(50);

/// What waits to be written.
#[derive(Default)]
struct Pending {
    /// blake3 of each activity id.
    seen: Vec<[u8; 32]>,
    /// domain → activities received.
    contacts: HashMap<String, u64>,
    /// When the oldest entry arrived.
    since: Option<Instant>,
}

impl Pending {
    fn len(&self) -> usize {
        self.seen.len() + self.contacts.len()
    }
}

/// The node's buffer of inbound bookkeeping.
#[derive(Default)]
pub(crate) struct InboundBook {
    pending: Mutex<Pending>,
    writing: AtomicBool,
}

impl Node {
    /// Whether an inbound activity id was processed before.
    pub fn seen_activity(&self, id: &str) -> NodeResult<bool> {
        let hash = hash_of(id);
        let pending = self
            .inbound_book
            .pending
            .lock()
            .map(|p| p.seen.contains(&hash))
            .unwrap_or(false);
        Ok(pending || self.store.has::<tables::SeenActivity>(hash)?)
    }

    /// Marks an inbound activity id as processed (written with the next
    /// bookkeeping batch).
    pub async fn mark_activity_seen(&self, id: &str) -> NodeResult<()> {
        let hash = hash_of(id);
        self.pend(|p| p.seen.push(hash));
        self.write_bookkeeping_if_due().await
    }

    /// Records an inbound activity from `domain` (last contact, counts);
    /// returns whether the server had been marked unreachable (its queued
    /// deliveries can be retried now).
    pub async fn note_inbound(&self, domain: &str) -> NodeResult<bool> {
        let domain = domain.to_ascii_lowercase();
        let unreachable = self
            .instance(&domain)?
            .is_some_and(|s| s.unreachable_since.is_some());
        if unreachable {
            self.store
                .write_soon(|txn| self.record_contact(txn, &domain, 1))
                .await?;
            return Ok(true);
        }
        self.pend(|p| *p.contacts.entry(domain).or_default() += 1);
        self.write_bookkeeping_if_due().await?;
        Ok(false)
    }

    fn pend(&self, add: impl FnOnce(&mut Pending)) {
        if let Ok(mut p) = self.inbound_book.pending.lock() {
            p.since.get_or_insert_with(Instant::now);
            add(&mut p);
        }
    }

    async fn write_bookkeeping_if_due(&self) -> NodeResult<()> {
        let due = self
            .inbound_book
            .pending
            .lock()
            .map(|p| p.len() >= MAX_PENDING || p.since.is_some_and(|t| t.elapsed() >= MAX_AGE))
            .unwrap_or(false);
        // One writer at a time; the others go on (their entries wait).
        if due && !self.inbound_book.writing.swap(true, Ordering::AcqRel) {
            let result = self.write_bookkeeping().await;
            self.inbound_book.writing.store(false, Ordering::Release);
            result?;
        }
        Ok(())
    }

    fn take_pending(&self) -> Pending {
        self.inbound_book
            .pending
            .lock()
            .map(|mut p| std::mem::take(&mut *p))
            .unwrap_or_default()
    }

    /// Writes whatever bookkeeping waits, in one write (not awaited to
    /// disk; the next group commit makes it durable).
    pub async fn write_bookkeeping(&self) -> NodeResult<()> {
        let pending = self.take_pending();
        if pending.len() == 0 {
            return Ok(());
        }
        self.store
            .write_soon(|txn| self.apply_pending(txn, &pending))
            .await
    }

    /// [`Node::write_bookkeeping`] outside async code (at shutdown).
    pub(crate) fn write_bookkeeping_blocking(&self) -> NodeResult<()> {
        let pending = self.take_pending();
        if pending.len() == 0 {
            return Ok(());
        }
        self.store
            .write_eventually(|txn| self.apply_pending(txn, &pending))
    }

    fn apply_pending(&self, txn: &mut Txn<'_>, pending: &Pending) -> NodeResult<()> {
        let now = now_ms();
        for hash in &pending.seen {
            txn.store::<tables::SeenActivity>(hash, &now)?;
        }
        for (domain, count) in &pending.contacts {
            self.record_contact(txn, domain, *count)?;
        }
        Ok(())
    }

    /// Records `count` activities received from `domain` now; a server
    /// marked unreachable is reachable again (audited).
    fn record_contact(&self, txn: &mut Txn<'_>, domain: &str, count: u64) -> NodeResult<()> {
        let mut state = instance(txn, domain)?;
        if state.unreachable_since.is_some() {
            self.audit(
                txn,
                None,
                "instance.reachable",
                domain,
                "it sent an activity: queued deliveries resume",
            )?;
        }
        state.last_contact = Some(now_ms());
        state.received += count;
        state.unreachable_since = None;
        self.count_today(
            txn,
            crate::moderation::DailyMetric::FederationIn,
            count as i64,
        )?;
        put_instance(txn, &state)
    }
}
