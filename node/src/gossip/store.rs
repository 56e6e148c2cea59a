//! Envelope storage: every accepted envelope by id, with two sync indexes:
//! (kind, received sequence) and (author, created). The sequence is a
//! stored counter bumped in the same write, so it is dense and ordered.

use protocol::envelope::{Envelope, Kind};

use crate::error::NodeResult;
use crate::node::Node;
use crate::store::{tables, Cut, Txn};

/// One stored envelope as sync hands it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncItem {
    /// The cursor value to resume after (the sequence number for
    /// per-kind sync, `created` for per-author sync).
    pub cursor: u64,
    /// The envelope's canonical bytes.
    pub bytes: Vec<u8>,
}

/// The byte a kind is indexed under (part of the on-disk format).
pub fn kind_byte(kind: Kind) -> u8 {
    match kind {
        Kind::Post => 1,
        Kind::Edit => 2,
        Kind::Delete => 3,
        Kind::Follow => 4,
        Kind::Unfollow => 5,
        Kind::Attestation => 6,
        Kind::Profile => 7,
        Kind::Event => 8,
    }
}

/// The kind indexed under `b`, if any.
pub fn kind_from_byte(b: u8) -> Option<Kind> {
    Some(match b {
        1 => Kind::Post,
        2 => Kind::Edit,
        3 => Kind::Delete,
        4 => Kind::Follow,
        5 => Kind::Unfollow,
        6 => Kind::Attestation,
        7 => Kind::Profile,
        8 => Kind::Event,
        _ => return None,
    })
}

impl Node {
    /// Stages an envelope and its indexes; `None` if it is already stored
    /// (staged writes included, so a batch holding it twice stores it once).
    pub(crate) fn store_envelope(
        &self,
        txn: &mut Txn<'_>,
        envelope: &Envelope,
    ) -> NodeResult<Option<u64>> {
        let key = &envelope.id;
        if txn.has::<tables::Envelope>(key)? {
            return Ok(None);
        }
        let seq = txn.add::<tables::GossipSeq>((), 1)? as u64;
        txn.store::<tables::Envelope>(key, &envelope.bytes)?;
        txn.store::<tables::EnvelopeBySeq>((kind_byte(envelope.kind), seq), &envelope.id)?;
        txn.store::<tables::EnvelopeByAuthor>(
            (
                envelope.author.as_bytes(),
                envelope.created.max(0) as u64,
                &envelope.id,
            ),
            &(),
        )?;
        Ok(Some(seq))
    }

    /// Whether an envelope with this id is stored.
    pub fn has_envelope(&self, id: &[u8; 32]) -> NodeResult<bool> {
        self.store.has::<tables::Envelope>(id)
    }

    /// The canonical bytes of a stored envelope.
    pub fn envelope_bytes(&self, id: &[u8; 32]) -> NodeResult<Option<Vec<u8>>> {
        self.store.load::<tables::Envelope>(id)
    }

    /// The highest sequence number given to an envelope so far.
    pub fn envelope_seq(&self) -> NodeResult<u64> {
        Ok(self.store.counter::<tables::GossipSeq>(())?.max(0) as u64)
    }

    /// Envelopes of `kind` received after sequence `after`, oldest first, at
    /// most `limit`: a peer catching up pages with the last `cursor`.
    pub fn envelopes_since(
        &self,
        kind: Kind,
        after: u64,
        limit: usize,
    ) -> NodeResult<Vec<SyncItem>> {
        let kind = kind_byte(kind);
        let start = Cut::key((kind, after.saturating_add(1)));
        let end = Cut::past((kind,));
        let mut out = Vec::new();
        for item in self
            .store
            .range::<tables::EnvelopeBySeq>(start, end, false)
            .take(limit)
        {
            let ((_, seq), id) = item?;
            if let Some(bytes) = self.envelope_bytes(&id)? {
                out.push(SyncItem { cursor: seq, bytes });
            }
        }
        Ok(out)
    }

    /// Envelopes by `author` created at or after `since` (ms), oldest
    /// first, at most `limit`. Records created in the same millisecond as
    /// the last one of a page are sent again on the next: receivers
    /// de-duplicate by id.
    pub fn envelopes_by_author(
        &self,
        author: &identity::PublicKey,
        since: u64,
        limit: usize,
    ) -> NodeResult<Vec<SyncItem>> {
        let author_key = author.as_bytes();
        let start = Cut::at((author_key, since));
        let end = Cut::past((author_key,));
        let mut out = Vec::new();
        for key in self
            .store
            .range::<tables::EnvelopeByAuthor>(start, end, false)
            .keys()
            .take(limit)
        {
            let (_, created, id) = key?;
            if let Some(bytes) = self.envelope_bytes(&id)? {
                out.push(SyncItem {
                    cursor: created,
                    bytes,
                });
            }
        }
        // Records parked here (author not known to this node) are relayed.
        let parked = self.parked_by_author(author)?;
        if !parked.is_empty() {
            out.extend(parked.into_iter().filter(|p| p.cursor >= since));
            out.sort_by_key(|i| i.cursor);
            out.truncate(limit);
        }
        Ok(out)
    }

    /// The last sequence of `kind` this node has synced from `peer` (a
    /// transport-level peer id, opaque here).
    pub fn sync_cursor(&self, peer: &str, kind: Kind) -> NodeResult<u64> {
        Ok(self
            .store
            .load::<tables::SyncCursor>((peer, kind_byte(kind)))?
            .unwrap_or(0))
    }

    /// Records how far sync from `peer` got. Not awaited to disk: losing it
    /// only means a page is fetched again, and duplicates are idempotent.
    pub fn set_sync_cursor(&self, peer: &str, kind: Kind, seq: u64) -> NodeResult<()> {
        self.store.write_eventually(move |txn| {
            txn.store::<tables::SyncCursor>((peer, kind_byte(kind)), &seq)
        })
    }

    /// Ids of posts whose gossip intents are pending (for tests and metrics).
    pub fn pending_gossip_count(&self) -> NodeResult<usize> {
        Ok(self
            .store
            .scan::<tables::GossipOutbox>((), false)
            .keys()
            .count())
    }
}
