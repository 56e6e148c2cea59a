//! The backup journal: while a backup runs, every batch the store applies
//! is also recorded, in order, so that a fuzzy copy of the store plus the
//! journal replayed over it gives the state at the moment recording
//! stopped.
//!
//! Why this is exact: recording starts and stops under the writer lock, so
//! the journal holds precisely the batches applied in between, in apply
//! order. The copy, a range scan taken meanwhile, sees each key at some
//! value it had during that window. A key that no journalled batch touched
//! had one value all along, the one copied; a key that one did ends with
//! the last journalled value (or deletion) once the journal is replayed
//! over the copy. Every write acknowledged before recording stopped was
//! applied before it, so it is in the result.
//!
//! The journal goes to a file (the caller's, usually an unlinked temporary
//! one next to the backup), not to memory, and is bounded: past its limit
//! ([`MAX_JOURNAL_BYTES`] by default) recording stops and the backup fails
//! rather than fill the disk. Writes never fail because of the journal.
//! Each record is framed as the backup container frames a batch
//! ([`JOURNAL_TAG`], a big-endian `u64` length, [`encode_batch`]'s bytes),
//! so the backup copies the journal into its file as it is, also while
//! recording goes on ([`Capture::copy_journal`]).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::sync::Mutex;

use super::engine::{Batch, KvIter};
use super::{Store, StoreError};

/// Most journal bytes one backup may record (writes made while it runs).
pub const MAX_JOURNAL_BYTES: u64 = 4 << 30;

/// Largest encoded batch a backup reader accepts.
pub const MAX_BATCH_BYTES: u64 = 256 << 20;

/// The tag byte that starts each journal record (the container's tag of
/// a batch frame).
pub const JOURNAL_TAG: u8 = b'j';

/// The recorder a [`Store`] carries; idle unless a backup runs.
#[derive(Default)]
pub(crate) struct Journal {
    recording: Mutex<Option<Recording>>,
}

struct Recording {
    out: BufWriter<File>,
    batches: u64,
    bytes: u64,
    limit: u64,
    failed: Option<String>,
}

impl Journal {
    /// Encodes `batch` if a recording runs (before it is applied: `apply`
    /// consumes it). Called with the writer lock held.
    pub(crate) fn prepare(&self, batch: &Batch) -> Option<Vec<u8>> {
        let recording = self.recording.lock().ok()?;
        match &*recording {
            Some(r) if r.failed.is_none() => Some(encode_batch(batch)),
            _ => None,
        }
    }

    /// Records a batch [`Journal::prepare`] encoded, once it was applied.
    /// Called with the writer lock held. A failure marks the recording
    /// failed (the backup then fails); the write itself goes on.
    pub(crate) fn record(&self, encoded: Vec<u8>) {
        let Ok(mut recording) = self.recording.lock() else {
            return;
        };
        let Some(r) = recording.as_mut() else {
            return;
        };
        if r.failed.is_some() {
            return;
        }
        let len = encoded.len() as u64;
        if r.bytes + 9 + len > r.limit {
            r.failed = Some(format!(
                "more than {} MiB were written while the backup ran",
                r.limit >> 20
            ));
            return;
        }
        let mut head = [0u8; 9];
        head[0] = JOURNAL_TAG;
        head[1..].copy_from_slice(&len.to_be_bytes());
        let written = r
            .out
            .write_all(&head)
            .and_then(|()| r.out.write_all(&encoded));
        match written {
            Ok(()) => {
                r.batches += 1;
                r.bytes += 9 + len;
            }
            Err(e) => r.failed = Some(format!("writing the backup journal: {e}")),
        }
    }
}

/// A backup in progress: batches are journalled while [`Capture::pairs`]
/// copies the store, until [`Capture::stop`]. Dropping it stops the
/// recording.
pub struct Capture<'a> {
    store: &'a Store,
    /// The journal file, read at offsets (the recorder appends to it).
    file: File,
    /// Journal bytes handed to `copy_journal`'s sink so far.
    copied: u64,
    /// Once stopped: the journal's final size and batch count.
    stopped: Option<(u64, u64)>,
}

/// Writers held off (see [`Store::hold_writes`]) until this is dropped.
pub struct WritesHeld {
    _turn: tokio::sync::OwnedMutexGuard<()>,
}

impl Store {
    /// Starts journalling every batch applied from now on into `spill`
    /// (an empty file open for reading and writing). One backup at a time.
    pub fn begin_capture(&self, spill: File) -> Result<Capture<'_>, StoreError> {
        self.begin_capture_limited(spill, MAX_JOURNAL_BYTES)
    }

    pub(crate) fn begin_capture_limited(
        &self,
        spill: File,
        limit: u64,
    ) -> Result<Capture<'_>, StoreError> {
        let file = spill.try_clone().map_err(journal_io)?;
        // Under the writer lock: no batch is between its apply and its
        // record, so the journal starts exactly at a batch boundary.
        let _writer = self.writer.lock().map_err(|_| poisoned())?;
        let mut recording = self.journal.recording.lock().map_err(|_| poisoned())?;
        if recording.is_some() {
            return Err(StoreError::Engine("a backup is already running".into()));
        }
        *recording = Some(Recording {
            out: BufWriter::with_capacity(1 << 20, spill),
            batches: 0,
            bytes: 0,
            limit,
            failed: None,
        });
        Ok(Capture {
            store: self,
            file,
            copied: 0,
            stopped: None,
        })
    }

    /// Holds off every async writer (they queue, as parked tasks) until
    /// the guard is dropped; writes applied before it still become
    /// durable once it is. For a backup's last step, so that no write is
    /// acknowledged between the end of its journal and the moment the
    /// operator is told it is done. Blocks: call it off the runtime.
    pub fn hold_writes(&self) -> WritesHeld {
        WritesHeld {
            _turn: self.admission.clone().blocking_lock_owned(),
        }
    }
}

fn poisoned() -> StoreError {
    StoreError::Engine("store lock poisoned".into())
}

fn journal_io(e: io::Error) -> StoreError {
    StoreError::Engine(format!("backup journal: {e}"))
}

impl Capture<'_> {
    /// Every pair in the store, in key order: a fuzzy copy (each key at
    /// some value it had since the capture began).
    pub fn pairs(&self) -> KvIter<'_> {
        // Keys start with a keyspace byte, all below 0xff.
        self.store.engine.range(&[], &[0xff], false)
    }

    /// Approximate bytes the store uses on disk.
    pub fn size_on_disk(&self) -> u64 {
        self.store.engine.size_on_disk()
    }

    /// Hands the journal recorded since the last call to `sink` (whole
    /// framed batches, in order); returns how many bytes. May be called
    /// while recording goes on, and once more after [`Capture::stop`] for
    /// the rest.
    pub fn copy_journal(
        &mut self,
        sink: &mut dyn FnMut(&[u8]) -> io::Result<()>,
    ) -> Result<u64, StoreError> {
        let end = match self.stopped {
            Some((bytes, _)) => bytes,
            None => {
                let mut slot = self
                    .store
                    .journal
                    .recording
                    .lock()
                    .map_err(|_| poisoned())?;
                let r = slot
                    .as_mut()
                    .ok_or_else(|| StoreError::Engine("the backup journal stopped".into()))?;
                if let Some(reason) = &r.failed {
                    return Err(StoreError::Engine(reason.clone()));
                }
                r.out.flush().map_err(journal_io)?;
                r.bytes
            }
        };
        let start = self.copied;
        let mut buf = vec![0u8; 1 << 20];
        while self.copied < end {
            let want = (buf.len() as u64).min(end - self.copied) as usize;
            let n = read_at(&self.file, &mut buf[..want], self.copied).map_err(journal_io)?;
            if n == 0 {
                return Err(journal_io(io::ErrorKind::UnexpectedEof.into()));
            }
            sink(&buf[..n]).map_err(journal_io)?;
            self.copied += n as u64;
        }
        Ok(self.copied - start)
    }

    /// Stops journalling, under the writer lock: every batch applied so
    /// far is in the journal, none after. Fails if the journal failed.
    pub fn stop(&mut self) -> Result<(), StoreError> {
        let recording = {
            let _writer = self.store.writer.lock().map_err(|_| poisoned())?;
            let mut slot = self
                .store
                .journal
                .recording
                .lock()
                .map_err(|_| poisoned())?;
            slot.take()
        };
        let mut r = recording.ok_or_else(|| StoreError::Engine("no backup was running".into()))?;
        if let Some(reason) = r.failed {
            return Err(StoreError::Engine(reason));
        }
        r.out.flush().map_err(journal_io)?;
        self.stopped = Some((r.bytes, r.batches));
        Ok(())
    }

    /// Batches journalled (known once stopped).
    pub fn batches(&self) -> Option<u64> {
        self.stopped.map(|(_, batches)| batches)
    }
}

impl Drop for Capture<'_> {
    fn drop(&mut self) {
        if self.stopped.is_none() {
            if let Ok(mut slot) = self.store.journal.recording.lock() {
                *slot = None;
            }
        }
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

/// Encodes a batch: a big-endian `u32` count, then per entry a `u32` key
/// length, the key, a flag byte (1: put, 0: delete) and, for a put, a
/// `u32` value length and the value.
pub fn encode_batch(batch: &Batch) -> Vec<u8> {
    let size: usize = batch
        .iter()
        .map(|(k, v)| 9 + k.len() + v.as_ref().map_or(0, Vec::len))
        .sum();
    let mut out = Vec::with_capacity(4 + size);
    out.extend_from_slice(&(batch.len() as u32).to_be_bytes());
    for (key, value) in batch {
        out.extend_from_slice(&(key.len() as u32).to_be_bytes());
        out.extend_from_slice(key);
        match value {
            Some(v) => {
                out.push(1);
                out.extend_from_slice(&(v.len() as u32).to_be_bytes());
                out.extend_from_slice(v);
            }
            None => out.push(0),
        }
    }
    out
}

/// Decodes what [`encode_batch`] wrote; `None` if it is malformed.
pub fn decode_batch(mut bytes: &[u8]) -> Option<Batch> {
    let count = take_u32(&mut bytes)?;
    // Each entry takes at least 5 bytes: no allocation beyond the input.
    let mut batch = Vec::with_capacity((count as usize).min(bytes.len() / 5));
    for _ in 0..count {
        let key_len = take_u32(&mut bytes)? as usize;
        let key = take(&mut bytes, key_len)?.to_vec();
        let value = match take(&mut bytes, 1)?[0] {
            0 => None,
            1 => {
                let len = take_u32(&mut bytes)? as usize;
                Some(take(&mut bytes, len)?.to_vec())
            }
            _ => return None,
        };
        batch.push((key, value));
    }
    bytes.is_empty().then_some(batch)
}

fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    if bytes.len() < n {
        return None;
    }
    let (head, tail) = bytes.split_at(n);
    *bytes = tail;
    Some(head)
}

fn take_u32(bytes: &mut &[u8]) -> Option<u32> {
    let head = take(bytes, 4)?;
    Some(u32::from_be_bytes([head[0], head[1], head[2], head[3]]))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::store::{Key, MemoryEngine, Space};

    fn spill() -> File {
        tempfile::tempfile().expect("tempfile")
    }

    #[test]
    fn batches_round_trip() {
        let batch: Batch = vec![
            (b"a".to_vec(), Some(b"1".to_vec())),
            (b"b".to_vec(), None),
            (vec![], Some(vec![])),
        ];
        assert_eq!(decode_batch(&encode_batch(&batch)), Some(batch.clone()));
        let encoded = encode_batch(&batch);
        assert_eq!(decode_batch(&encoded[..encoded.len() - 1]), None);
        let mut longer = encoded.clone();
        longer.push(0);
        assert_eq!(decode_batch(&longer), None);
        assert_eq!(decode_batch(&u32::MAX.to_be_bytes()), None);
    }

    /// Splits copied journal bytes into decoded batches.
    fn batches_of(mut bytes: &[u8]) -> Vec<Batch> {
        let mut out = Vec::new();
        while !bytes.is_empty() {
            assert_eq!(bytes[0], JOURNAL_TAG);
            let mut len = [0u8; 8];
            len.copy_from_slice(&bytes[1..9]);
            let len = u64::from_be_bytes(len) as usize;
            out.push(decode_batch(&bytes[9..9 + len]).expect("decodes"));
            bytes = &bytes[9 + len..];
        }
        out
    }

    #[tokio::test]
    async fn the_journal_holds_exactly_the_batches_applied_during_the_capture(
    ) -> Result<(), crate::NodeError> {
        let store = Store::with_engine(Arc::new(MemoryEngine::default()))?;
        let key = |s: &str| Key::new(Space::Meta).str(s);
        store.write(|txn| txn.put(key("before"), &1u8)).await?;
        let mut capture = store.begin_capture(spill())?;
        assert!(store.begin_capture(spill()).is_err(), "one at a time");
        store.write(|txn| txn.put(key("during"), &2u8)).await?;
        let mut copied = Vec::new();
        capture.copy_journal(&mut |b| {
            copied.extend_from_slice(b);
            Ok(())
        })?;
        assert_eq!(batches_of(&copied).len(), 1, "copied while recording");
        store
            .write(|txn| {
                txn.delete(key("before"));
                Ok(())
            })
            .await?;
        // A failed write records nothing.
        let failed = store
            .write(|txn| {
                txn.put(key("never"), &3u8)?;
                Err::<(), _>(crate::NodeError::NotFound("x"))
            })
            .await;
        assert!(failed.is_err());
        capture.stop()?;
        store.write(|txn| txn.put(key("after"), &4u8)).await?;
        capture.copy_journal(&mut |b| {
            copied.extend_from_slice(b);
            Ok(())
        })?;
        assert_eq!(capture.batches(), Some(2));
        let batches = batches_of(&copied);
        assert_eq!(batches.len(), 2);
        assert_eq!(batches[0][0].0, key("during").as_bytes().to_vec());
        assert_eq!(batches[1], vec![(key("before").as_bytes().to_vec(), None)]);
        drop(capture);
        // Another backup may start now.
        drop(store.begin_capture(spill())?);
        Ok(())
    }

    #[tokio::test]
    async fn a_journal_past_its_bound_fails_the_backup_not_the_writes(
    ) -> Result<(), crate::NodeError> {
        let store = Store::with_engine(Arc::new(MemoryEngine::default()))?;
        let mut capture = store.begin_capture_limited(spill(), 64)?;
        for i in 0..10u32 {
            store
                .write(|txn| txn.put(Key::new(Space::Meta).str(&format!("k{i}")), &i))
                .await?;
        }
        assert!(capture.stop().is_err());
        let meta = [Space::Meta as u8];
        let after = [Space::Meta as u8 + 1];
        assert!(store.engine.range(&meta, &after, false).count() >= 10);
        Ok(())
    }
}
