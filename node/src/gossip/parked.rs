//! Records whose author is not known yet: their signature verifies, but no
//! actor document (or followed did:key) vouches for the key. Dropping them
//! would lose them for good once a sync cursor moves past; they are kept,
//! within bounds, until the author becomes known (a member here follows
//! the key, or the actor can be fetched), then applied like any record.
//! They are not forwarded over gossip, but per-author sync serves them, so
//! a node can relay what it cannot judge itself.

use protocol::envelope::{verify_batch, Envelope};

use crate::error::NodeResult;
use crate::model::now_ms;
use crate::node::Node;
use crate::store::tables;

use super::SyncItem;

/// Most records parked for one author.
pub const MAX_PARKED_PER_AUTHOR: usize = 256;
/// Most records parked in all.
pub const MAX_PARKED: i64 = 10_000;

impl Node {
    /// Parks records refused only because their author is unknown (they
    /// are verified again here); returns how many were parked. Records
    /// over the bounds are dropped (sync can bring them again).
    pub async fn park_envelopes(&self, items: &[&[u8]]) -> NodeResult<usize> {
        let mut fresh: Vec<Envelope> = Vec::new();
        for envelope in verify_batch(items, now_ms()).into_iter().flatten() {
            if self.has_envelope(&envelope.id)? {
                continue;
            }
            let held = self
                .store
                .scan::<tables::Parked>((envelope.author.as_bytes(),), false)
                .keys()
                .take(MAX_PARKED_PER_AUTHOR)
                .count();
            if held < MAX_PARKED_PER_AUTHOR {
                fresh.push(envelope);
            }
        }
        if fresh.is_empty() {
            return Ok(0);
        }
        self.write(move |txn| {
            let mut parked = 0;
            for envelope in &fresh {
                let key = (envelope.author.as_bytes(), &envelope.id);
                if txn.has::<tables::Parked>(key)? {
                    continue;
                }
                if txn.add::<tables::ParkedCount>((), 1)? > MAX_PARKED {
                    txn.add::<tables::ParkedCount>((), -1)?;
                    break;
                }
                txn.store::<tables::Parked>(key, &envelope.bytes)?;
                parked += 1;
            }
            Ok(parked)
        })
        .await
    }

    /// The records parked for `author`, oldest first.
    pub fn parked_by_author(&self, author: &identity::PublicKey) -> NodeResult<Vec<SyncItem>> {
        let mut out = Vec::new();
        for bytes in self
            .store
            .scan::<tables::Parked>((author.as_bytes(),), false)
            .values()
            .take(MAX_PARKED_PER_AUTHOR)
        {
            let bytes = bytes?;
            // Verified when parked; only `created` is read here.
            if let Ok((envelope, _)) = Envelope::decode_unverified(&bytes, i64::MAX) {
                out.push(SyncItem {
                    cursor: envelope.created.max(0) as u64,
                    bytes,
                });
            }
        }
        out.sort_by_key(|i| i.cursor);
        Ok(out)
    }

    /// Removes parked records of `author` (applied, or refused for good).
    pub async fn unpark(&self, author: &identity::PublicKey, ids: Vec<[u8; 32]>) -> NodeResult<()> {
        let author = *author.as_bytes();
        self.write(move |txn| {
            let mut removed = 0;
            for id in &ids {
                let key = (&author, id);
                if txn.has::<tables::Parked>(key)? {
                    txn.remove::<tables::Parked>(key);
                    removed += 1;
                }
            }
            txn.add::<tables::ParkedCount>((), -removed)?;
            Ok(())
        })
        .await
    }
}
