//! Incoming envelopes, from gossip or sync: verified and stored by the
//! node in batches; authors not known yet are resolved over ActivityPub
//! (their actor document carries the FEP-521a key that must have signed).

use std::collections::BTreeSet;

use libp2p::gossipsub::{MessageAcceptance, MessageId};
use libp2p::PeerId;
use node::gossip::{Accepted, EnvelopeContext, Refusal};
use node::{Id, Node, NodeResult};
use tokio::sync::mpsc;

use super::Command;
use crate::service::Federation;

/// Most gossip messages verified and stored in one batch.
const BATCH: usize = 256;
/// Batches being verified and written at once.
const IN_FLIGHT: usize = 4;

/// A gossip message waiting for validation.
pub(crate) struct Incoming {
    pub message_id: MessageId,
    pub source: PeerId,
    pub bytes: Vec<u8>,
}

/// The validation result of one gossip message.
pub(crate) struct Verdict {
    pub message_id: MessageId,
    pub source: PeerId,
    pub acceptance: MessageAcceptance,
}

/// Wire-to-domain help for the node: the remote-HTML policy and the way
/// from an ActivityPub id to a post.
struct Context<'a>(&'a Node);

impl EnvelopeContext for Context<'_> {
    fn sanitize(&self, html: &str) -> String {
        crate::sanitize::sanitize_html(html)
    }

    fn post_by_uri(&self, uri: &str) -> Option<Id> {
        crate::uris::known_post(self.0, uri)
            .ok()
            .flatten()
            .map(|p| p.id)
    }
}

/// Verifies and stores envelopes (one outcome per item, in order). Items
/// whose author is unknown are retried once after fetching the actor.
pub async fn ingest(
    federation: &Federation,
    items: &[&[u8]],
) -> NodeResult<Vec<Result<Accepted, Refusal>>> {
    let node = federation.node();
    let context = Context(node);
    let mut outcomes = accept_new(node, &context, items).await?;
    let unknown: BTreeSet<String> = outcomes
        .iter()
        .filter_map(|o| o.as_ref().err().and_then(Refusal::unknown_author))
        .map(str::to_string)
        .collect();
    if unknown.is_empty() {
        return Ok(outcomes);
    }
    for actor in &unknown {
        if let Err(e) = federation.resolve_actor(actor, false).await {
            tracing::debug!(%actor, error = %e, "could not resolve a gossip author");
        }
    }
    let retry: Vec<usize> = outcomes
        .iter()
        .enumerate()
        .filter(|(_, o)| matches!(o, Err(Refusal::UnknownAuthor(_))))
        .map(|(i, _)| i)
        .collect();
    let again: Vec<&[u8]> = retry
        .iter()
        .filter_map(|i| items.get(*i).copied())
        .collect();
    let second = accept_new(node, &context, &again).await?;
    for (i, outcome) in retry.into_iter().zip(second) {
        if let Some(slot) = outcomes.get_mut(i) {
            *slot = outcome;
        }
    }
    Ok(outcomes)
}

/// [`Node::accept_envelopes`] for the items not stored yet; the others are
/// duplicates without decoding or verifying them again (an envelope's id is
/// the blake3 hash of its exact bytes, and only verified bytes are stored).
/// Sync pages mostly hold records gossip already brought.
async fn accept_new(
    node: &Node,
    context: &Context<'_>,
    items: &[&[u8]],
) -> NodeResult<Vec<Result<Accepted, Refusal>>> {
    let mut outcomes: Vec<Option<Result<Accepted, Refusal>>> = Vec::with_capacity(items.len());
    let mut fresh: Vec<(usize, &[u8])> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if node.has_envelope(blake3::hash(item).as_bytes())? {
            outcomes.push(Some(Ok(Accepted::Duplicate)));
        } else {
            outcomes.push(None);
            fresh.push((i, item));
        }
    }
    if !fresh.is_empty() {
        let new_items: Vec<&[u8]> = fresh.iter().map(|(_, item)| *item).collect();
        let accepted = node.accept_envelopes(&new_items, context).await?;
        for ((i, _), outcome) in fresh.into_iter().zip(accepted) {
            if let Some(slot) = outcomes.get_mut(i) {
                *slot = Some(outcome);
            }
        }
    }
    Ok(outcomes
        .into_iter()
        .map(|o| o.unwrap_or_else(|| Err(Refusal::BadBody("not processed".into()))))
        .collect())
}

/// The gossipsub verdict for an outcome: forward what was taken, penalise
/// what is provably bad, quietly drop the rest.
pub(crate) fn acceptance(outcome: &Result<Accepted, Refusal>) -> MessageAcceptance {
    match outcome {
        Ok(_) => MessageAcceptance::Accept,
        Err(r) if r.is_invalid() => MessageAcceptance::Reject,
        Err(_) => MessageAcceptance::Ignore,
    }
}

/// Validates gossip messages in batches until the channel closes. Up to
/// [`IN_FLIGHT`] batches are verified and written at once: each waits for
/// its fsync, and concurrent writers share one (group commit), so a node
/// keeps up with a busy peer instead of flushing batch after batch.
pub(crate) async fn run(
    federation: std::sync::Arc<Federation>,
    mut incoming: mpsc::Receiver<Incoming>,
    commands: mpsc::Sender<Command>,
) {
    let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    loop {
        let Ok(slot) = slots.clone().acquire_owned().await else {
            break;
        };
        let mut batch: Vec<Incoming> = Vec::with_capacity(BATCH);
        match incoming.recv().await {
            Some(first) => batch.push(first),
            None => break,
        }
        while batch.len() < BATCH {
            match incoming.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let federation = federation.clone();
        let commands = commands.clone();
        tokio::spawn(async move {
            let verdicts = validate(&federation, &batch).await;
            let _ = commands.send(Command::Validated(verdicts)).await;
            drop(slot);
        });
    }
    // Let the batches in flight finish.
    let _ = slots.acquire_many(IN_FLIGHT as u32).await;
}

/// Verdicts for one batch of gossip messages.
async fn validate(federation: &Federation, batch: &[Incoming]) -> Vec<Verdict> {
    let items: Vec<&[u8]> = batch.iter().map(|m| m.bytes.as_slice()).collect();
    match ingest(federation, &items).await {
        Ok(outcomes) => batch
            .iter()
            .zip(outcomes)
            .map(|(m, outcome)| {
                if let Err(r) = &outcome {
                    tracing::debug!(peer = %m.source, refusal = %r, "gossip record refused");
                }
                Verdict {
                    message_id: m.message_id.clone(),
                    source: m.source,
                    acceptance: acceptance(&outcome),
                }
            })
            .collect(),
        Err(e) => {
            tracing::warn!(error = %e, "storing gossip records failed");
            batch
                .iter()
                .map(|m| Verdict {
                    message_id: m.message_id.clone(),
                    source: m.source,
                    acceptance: MessageAcceptance::Ignore,
                })
                .collect()
        }
    }
}
