//! The delivery worker: expands the node's federation intents into
//! deliveries (one per remote server inbox), then signs and sends them
//! through `activitypub_federation`'s sending task, retrying with
//! Mastodon-like back-off. The queue lives in the node's store, so
//! nothing is lost across restarts; deliveries to different servers run
//! in parallel and a slow or dead server only holds its own slots.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use activitypub_federation::activity_sending::SendActivityTask;
use node::remote::{Delivery, NewDelivery};
use node::Id;
use tokio::sync::{watch, Notify, Semaphore};

use crate::activities::render;
use crate::error::FederationError;
use crate::service::{parse_url, Federation};
use crate::signing::RawActivity;

/// A counter that can be read while it is written.
#[derive(Debug, Default)]
pub struct Counter(AtomicU64);

impl Counter {
    /// Adds one.
    pub fn inc(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    /// The current value.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Federation traffic since start.
#[derive(Debug, Default)]
pub struct DeliveryMetrics {
    /// Deliveries that succeeded.
    pub delivered: Counter,
    /// Delivery attempts that failed.
    pub failed: Counter,
    /// Deliveries given up.
    pub dropped: Counter,
    /// Activities accepted by the inboxes.
    pub received: Counter,
}

/// In-flight bookkeeping: which deliveries are being sent, and how many
/// per server.
#[derive(Default)]
struct InFlight {
    ids: HashSet<Id>,
    per_domain: HashMap<String, usize>,
}

impl Federation {
    /// Traffic counters.
    pub fn metrics(&self) -> &DeliveryMetrics {
        &self.metrics
    }

    /// Runs the delivery worker until `shutdown` turns true.
    pub async fn run_delivery(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        let wake = Arc::new(Notify::new());
        let mut events = self.node.subscribe();
        let waker = wake.clone();
        tokio::spawn(async move {
            loop {
                match events.recv().await {
                    Ok(node::events::Event::FederationQueued) => waker.notify_one(),
                    Ok(_) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => waker.notify_one(),
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                }
            }
        });
        // Inbound bookkeeping is written in batches as activities arrive;
        // this writes what is left once traffic stops.
        let node = self.node.clone();
        let mut stop = shutdown.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(100)) => {}
                    _ = stop.changed() => break,
                }
                if let Err(e) = node.write_bookkeeping().await {
                    tracing::warn!(error = %e, "writing inbound bookkeeping");
                }
            }
        });
        let slots = Arc::new(Semaphore::new(self.settings.concurrency.max(1)));
        let in_flight = Arc::new(Mutex::new(InFlight::default()));
        loop {
            if *shutdown.borrow() {
                break;
            }
            if let Err(e) = self.expand_intents().await {
                tracing::warn!(error = %e, "expanding federation intents");
            }
            let next = match self.dispatch_due(&slots, &in_flight, &wake).await {
                Ok(next) => next,
                Err(e) => {
                    tracing::warn!(error = %e, "reading the delivery queue");
                    Some(Duration::from_secs(1))
                }
            };
            let sleep = next.unwrap_or(Duration::from_secs(60));
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(sleep) => {}
                _ = shutdown.changed() => {}
            }
        }
    }

    /// Turns pending intents into queued deliveries.
    async fn expand_intents(&self) -> Result<(), FederationError> {
        loop {
            let batch = self.node.pending_outgoing(256)?;
            if batch.is_empty() {
                return Ok(());
            }
            for (id, intent) in batch {
                let deliveries = match render(&self.node, &intent) {
                    Ok(Some(r)) => {
                        let body = r.body.to_string();
                        let mut out = Vec::new();
                        for inbox in r.inboxes {
                            let Some(host) = node::remote::host_of(&inbox) else {
                                continue;
                            };
                            if self.node.is_domain_suspended(&host)? {
                                continue;
                            }
                            out.push(NewDelivery {
                                inbox,
                                signer: Some(r.signer),
                                activity_id: r.id.clone(),
                                body: body.clone(),
                            });
                        }
                        out
                    }
                    Ok(None) => Vec::new(),
                    Err(e) => {
                        tracing::warn!(intent = %id, error = %e, "cannot render an intent; dropped");
                        Vec::new()
                    }
                };
                self.node.expand_outgoing(id, deliveries).await?;
            }
        }
    }

    /// Starts every due delivery that has a free slot; returns how long
    /// until the next one is due.
    async fn dispatch_due(
        self: &Arc<Self>,
        slots: &Arc<Semaphore>,
        in_flight: &Arc<Mutex<InFlight>>,
        wake: &Arc<Notify>,
    ) -> Result<Option<Duration>, FederationError> {
        let now = node::model::now_ms();
        let due = self.node.due_deliveries(now, 4096)?;
        for delivery in due {
            {
                let mut flight = in_flight
                    .lock()
                    .map_err(|_| FederationError::Internal("poisoned".into()))?;
                let busy = flight
                    .per_domain
                    .get(&delivery.domain)
                    .copied()
                    .unwrap_or(0);
                if flight.ids.contains(&delivery.id) || busy >= self.settings.per_server {
                    continue;
                }
                flight.ids.insert(delivery.id);
                *flight
                    .per_domain
                    .entry(delivery.domain.clone())
                    .or_default() += 1;
            }
            let Ok(permit) = slots.clone().acquire_owned().await else {
                break;
            };
            let this = self.clone();
            let flight = in_flight.clone();
            let wake = wake.clone();
            tokio::spawn(async move {
                this.deliver(&delivery).await;
                drop(permit);
                if let Ok(mut f) = flight.lock() {
                    f.ids.remove(&delivery.id);
                    if let Some(n) = f.per_domain.get_mut(&delivery.domain) {
                        *n = n.saturating_sub(1);
                        if *n == 0 {
                            f.per_domain.remove(&delivery.domain);
                        }
                    }
                }
                wake.notify_one();
            });
        }
        Ok(self
            .node
            .next_delivery_at()?
            .map(|at| Duration::from_millis((at - node::model::now_ms()).clamp(0, 60_000) as u64)))
    }

    /// One attempt at one delivery, and its bookkeeping.
    #[tracing::instrument(skip_all, fields(inbox = %delivery.inbox, attempt = delivery.attempts + 1))]
    async fn deliver(&self, delivery: &Delivery) {
        let result = self.send(delivery).await;
        let bookkeeping = match result {
            Ok(()) => {
                self.metrics.delivered.inc();
                self.node.delivery_succeeded(delivery).await
            }
            Err(e) => {
                self.metrics.failed.inc();
                let permanent = matches!(
                    e,
                    FederationError::BadUrl(_)
                        | FederationError::PrivateAddress(_)
                        | FederationError::Forbidden(_)
                );
                let retry_at = (!permanent && delivery.attempts + 1 < self.settings.max_attempts)
                    .then(|| node::model::now_ms() + self.backoff(delivery.attempts + 1));
                if retry_at.is_none() {
                    self.metrics.dropped.inc();
                }
                tracing::debug!(error = %e, retry = retry_at.is_some(), "delivery failed");
                self.node
                    .delivery_failed(delivery, &e.to_string(), retry_at)
                    .await
            }
        };
        if let Err(e) = bookkeeping {
            tracing::warn!(error = %e, "recording a delivery");
        }
    }

    /// Mastodon's schedule: n⁴ + 15 s (+ up to 30·(n+1) s of jitter),
    /// scaled so that `retry_base` is the first delay.
    fn backoff(&self, attempt: u32) -> i64 {
        let n = i64::from(attempt);
        let base_ms = self.settings.retry_base.as_millis() as i64;
        let scale = base_ms as f64 / 15_000.0;
        let jitter = (rand::random::<f64>() * 30_000.0 * (n + 1) as f64 * scale) as i64;
        (((n.pow(4) * 1000 + 15_000) as f64 * scale) as i64 + jitter).max(1)
    }

    /// Signs and sends one delivery with the library's sending task.
    async fn send(&self, delivery: &Delivery) -> Result<(), FederationError> {
        self.check_domain(&delivery.inbox)?;
        let inbox = crate::client::check_url(&delivery.inbox, self.settings.allow_private)?;
        if inbox.domain().is_none() {
            // The library sends a Host header from the domain name.
            return Err(FederationError::BadUrl(delivery.inbox.clone()));
        }
        let signer = self.signer(delivery.signer)?;
        let json: serde_json::Value = serde_json::from_str(&delivery.body)
            .map_err(|e| FederationError::Internal(format!("stored body: {e}")))?;
        let activity = RawActivity {
            id: parse_url(&delivery.activity_id)?,
            actor: signer.id.clone(),
            json,
        };
        let data = self.data();
        let tasks = SendActivityTask::prepare(&activity, &signer, vec![inbox], &data)
            .await
            .map_err(|e| FederationError::Internal(format!("preparing: {e}")))?;
        for task in tasks {
            task.sign_and_send(&data)
                .await
                .map_err(|e| FederationError::Fetch(delivery.inbox.clone(), e.to_string()))?;
        }
        Ok(())
    }
}
