//! The delivery worker: expands the node's federation intents into
//! deliveries (one per remote server inbox), then signs and sends them
//! (draft-cavage, as Mastodon signs), retrying with Mastodon-like
//! back-off; a delivery given up is logged at WARN and recorded with its
//! reason for the admin panel. The queue lives in the node's store, so
//! nothing is lost across restarts; deliveries to different servers run
//! in parallel and a slow or dead server only holds its own slots.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use node::remote::{Delivery, NewDelivery};
use node::Id;
use tokio::sync::{watch, Notify, Semaphore};

use crate::activities::render;
use crate::error::FederationError;
use crate::service::Federation;

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
                        let activities: Vec<(String, String)> = std::iter::once((r.id, r.body))
                            .chain(r.also)
                            .map(|(id, body)| (id, body.to_string()))
                            .collect();
                        let mut out = Vec::new();
                        for inbox in r.inboxes {
                            let Some(host) = node::remote::host_of(&inbox) else {
                                tracing::warn!(intent = %id, %inbox, "an inbox without a host; not delivered");
                                continue;
                            };
                            if self.node.is_domain_suspended(&host)? {
                                continue;
                            }
                            for (activity_id, body) in &activities {
                                out.push(NewDelivery {
                                    inbox: inbox.clone(),
                                    signer: Some(r.signer),
                                    activity_id: activity_id.clone(),
                                    body: body.clone(),
                                });
                            }
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
                        | FederationError::Refused(_)
                );
                let retry_at = (!permanent && delivery.attempts + 1 < self.settings.max_attempts)
                    .then(|| node::model::now_ms() + self.backoff(delivery.attempts + 1));
                if retry_at.is_none() {
                    self.metrics.dropped.inc();
                    // Nothing is given up without a trace: the log says
                    // why, and the admin panel's federation page shows it.
                    tracing::warn!(
                        activity = %delivery.activity_id,
                        error = %e,
                        attempts = delivery.attempts + 1,
                        "delivery given up"
                    );
                } else {
                    tracing::debug!(error = %e, "delivery failed; will retry");
                }
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

    /// Signs and sends one delivery ([`crate::signing::sign_post`] says
    /// why not with `activitypub_federation`'s sending task), and reads
    /// the answer as Mastodon does: 2xx delivered; 401 (the receiver may
    /// not have our key yet), 408, 429 and other 5xx tried again later;
    /// any other 4xx, and 501, refused for good ([`FederationError::Refused`]),
    /// where the library counted every 4xx as delivered.
    async fn send(&self, delivery: &Delivery) -> Result<(), FederationError> {
        self.check_domain(&delivery.inbox)?;
        let inbox = crate::client::check_url(&delivery.inbox, self.settings.allow_private)?;
        let signer = self.signer(delivery.signer)?;
        let key = self.signing_key(&signer)?;
        let key_id = format!("{}#main-key", signer.id);
        let body = bytes::Bytes::from(delivery.body.clone());
        let (url, payload) = (inbox.clone(), body.clone());
        // RSA signing takes a millisecond or two: off the runtime's threads.
        let signed = tokio::task::spawn_blocking(move || {
            crate::signing::sign_post(
                &url,
                &payload,
                &key_id,
                &key,
                time::OffsetDateTime::now_utc(),
            )
        })
        .await
        .map_err(|e| FederationError::Internal(format!("signing: {e}")))??;
        let response = self
            .client
            .post(inbox.as_str())
            .timeout(Duration::from_secs(10))
            .header("content-type", crate::client::ACTIVITY_CONTENT_TYPE)
            .header("host", signed.host)
            .header("date", signed.date)
            .header("digest", signed.digest)
            .header("signature", signed.signature)
            .body(body)
            .send()
            .await
            .map_err(|e| FederationError::Fetch(delivery.inbox.clone(), e.to_string()))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let reason = match crate::client::read_prefix(response, 256).await {
            text if text.is_empty() => format!("HTTP {status}"),
            text => format!("HTTP {status}: {text}"),
        };
        let code = status.as_u16();
        if code == 501 || (status.is_client_error() && ![401, 408, 429].contains(&code)) {
            Err(FederationError::Refused(reason))
        } else {
            Err(FederationError::Fetch(delivery.inbox.clone(), reason))
        }
    }

    /// The parsed private key of a signer (parsed once per actor: it
    /// takes longer than a signature).
    fn signing_key(
        &self,
        signer: &crate::signing::SigningActor,
    ) -> Result<Arc<identity::RsaKeypair>, FederationError> {
        let actor = signer.id.as_str();
        if let Some(key) = self
            .signing_keys
            .lock()
            .ok()
            .and_then(|k| k.get(actor).cloned())
        {
            return Ok(key);
        }
        let key = Arc::new(
            identity::RsaKeypair::from_private_pem(&signer.private_key_pem)
                .map_err(|e| FederationError::Internal(format!("signing key of {actor}: {e}")))?,
        );
        if let Ok(mut keys) = self.signing_keys.lock() {
            if keys.len() > 10_000 {
                keys.clear();
            }
            keys.insert(actor.to_string(), key.clone());
        }
        Ok(key)
    }
}
