//! Incoming envelopes, from gossip or sync: verified and stored by the
//! node in batches; authors not known yet are resolved over ActivityPub
//! (their actor document carries the FEP-521a key that must have signed).

use std::collections::BTreeSet;
use std::sync::Arc;

use libp2p::gossipsub::{MessageAcceptance, MessageId};
use libp2p::PeerId;
use node::gossip::{Accepted, EnvelopeContext, Refusal};
use node::{Id, Node, NodeResult};
use protocol::envelope::Kind;
use tokio::sync::mpsc;

use super::Command;
use crate::service::Federation;

/// Most gossip messages verified and stored in one batch.
const BATCH: usize = 256;
/// Batches being verified and written at once.
const IN_FLIGHT: usize = 2;
/// While records stream in (a batch found more than one waiting), how long
/// a batch waits to fill before it is verified and written: bigger batches
/// share one write, one fsync and one verification pass. A lone record
/// (a quiet network) never waits.
const LINGER: std::time::Duration = std::time::Duration::from_millis(5);

/// A gossip message waiting for validation.
pub(crate) struct Incoming {
    pub message_id: MessageId,
    pub source: PeerId,
    /// The kind of the topic it came on.
    pub kind: Kind,
    pub bytes: Vec<u8>,
}

/// The validation result of one gossip message.
pub(crate) struct Verdict {
    pub message_id: MessageId,
    pub source: PeerId,
    pub acceptance: MessageAcceptance,
}

/// Wire-to-domain help for the node: the remote-HTML policy and the way
/// from an ActivityPub id to a post (what gossip ingest hands to
/// `Node::accept_envelopes`; public for benchmarks that call it directly).
pub struct WireContext<'a>(pub &'a Node);

impl EnvelopeContext for WireContext<'_> {
    fn sanitize(&self, html: &str) -> String {
        crate::sanitize::sanitize_html(html)
    }

    fn plain_text(&self, html: &str, max_chars: usize) -> String {
        crate::sanitize::plain_text(html, max_chars)
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
    federation: &Arc<Federation>,
    items: &[&[u8]],
) -> NodeResult<Vec<Result<Accepted, Refusal>>> {
    ingest_as(federation, items, None).await
}

/// [`ingest`] for gossip messages, each of the kind of its topic.
pub(crate) async fn ingest_as(
    federation: &Arc<Federation>,
    items: &[&[u8]],
    kinds: Option<&[Kind]>,
) -> NodeResult<Vec<Result<Accepted, Refusal>>> {
    let node = federation.node();
    let context = WireContext(node);
    let mut outcomes = node.accept_envelopes_as(items, kinds, &context).await?;
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
    let again_kinds: Option<Vec<Kind>> =
        kinds.map(|k| retry.iter().filter_map(|i| k.get(*i).copied()).collect());
    let second = node
        .accept_envelopes_as(&again, again_kinds.as_deref(), &context)
        .await?;
    for (i, outcome) in retry.into_iter().zip(second) {
        if let Some(slot) = outcomes.get_mut(i) {
            *slot = outcome;
        }
    }
    confirm_gossip_only(federation, items, &outcomes);
    // Still nobody to vouch for the key: keep the records until someone is.
    let unresolved: Vec<&[u8]> = outcomes
        .iter()
        .zip(items)
        .filter(|(o, _)| matches!(o, Err(Refusal::UnknownAuthor(_))))
        .map(|(_, item)| *item)
        .collect();
    if !unresolved.is_empty() {
        let parked = node.park_envelopes(&unresolved).await?;
        tracing::debug!(parked, "gossip records parked until their author is known");
    }
    Ok(outcomes)
}

/// For each profile record just taken from an account known only over
/// gossip, asks its actor document (in the background) whether the key is
/// really the actor's: the answer confirms the account or drops what the
/// key said. Servers that are down are simply not asked again until the
/// next profile record.
fn confirm_gossip_only(
    federation: &Arc<Federation>,
    items: &[&[u8]],
    outcomes: &[Result<Accepted, Refusal>],
) {
    let node = federation.node();
    for (item, outcome) in items.iter().zip(outcomes) {
        if !matches!(outcome, Ok(Accepted::Stored { .. }))
            || !item.windows(16).any(|w| w == br#""kind":"profile""#)
        {
            continue;
        }
        let Ok((envelope, _)) = protocol::envelope::Envelope::decode_unverified(item, i64::MAX)
        else {
            continue;
        };
        let Some(actor) = envelope.body.get("actor").and_then(|a| a.as_str()) else {
            continue;
        };
        let gossip_only = node
            .remote_member_by_uri(actor)
            .ok()
            .flatten()
            .and_then(|m| m.remote)
            .is_some_and(|r| r.gossip_only);
        if !gossip_only {
            continue;
        }
        let federation = federation.clone();
        let actor = actor.to_string();
        tokio::spawn(async move {
            match federation.resolve_actor(&actor, true).await {
                Ok(_) => {
                    tracing::info!(%actor, "a gossip-only account checked against its actor document")
                }
                Err(e) => {
                    tracing::debug!(%actor, error = %e, "a gossip-only account's server did not answer")
                }
            }
        });
    }
}

/// Applies the records parked for `author` now that it may be known (a
/// member here followed its did:key); those taken or refused for good
/// leave the parking.
pub(crate) async fn replay_parked(
    federation: &Federation,
    author: &::identity::PublicKey,
) -> NodeResult<usize> {
    let node = federation.node();
    let parked = node.parked_by_author(author)?;
    if parked.is_empty() {
        return Ok(0);
    }
    let items: Vec<&[u8]> = parked.iter().map(|p| p.bytes.as_slice()).collect();
    let context = WireContext(node);
    let outcomes = node.accept_envelopes(&items, &context).await?;
    let mut done = Vec::new();
    let mut applied = 0;
    for (item, outcome) in parked.iter().zip(&outcomes) {
        if matches!(outcome, Err(Refusal::UnknownAuthor(_))) {
            continue;
        }
        applied += usize::from(outcome.is_ok());
        done.push(*blake3::hash(&item.bytes).as_bytes());
    }
    node.unpark(author, done).await?;
    Ok(applied)
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
        let mut batch: Vec<Incoming> = Vec::with_capacity(BATCH);
        match incoming.recv().await {
            Some(first) => batch.push(first),
            None => break,
        }
        let Ok(slot) = slots.clone().acquire_owned().await else {
            break;
        };
        while batch.len() < BATCH {
            match incoming.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        if batch.len() > 1 {
            let until = tokio::time::Instant::now() + LINGER;
            while batch.len() < BATCH {
                match tokio::time::timeout_at(until, incoming.recv()).await {
                    Ok(Some(next)) => batch.push(next),
                    _ => break,
                }
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
async fn validate(federation: &Arc<Federation>, batch: &[Incoming]) -> Vec<Verdict> {
    let items: Vec<&[u8]> = batch.iter().map(|m| m.bytes.as_slice()).collect();
    let kinds: Vec<Kind> = batch.iter().map(|m| m.kind).collect();
    match ingest_as(federation, &items, Some(&kinds)).await {
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
