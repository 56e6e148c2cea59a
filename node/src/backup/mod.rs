//! Backups of a node taken while it serves, and restoring them elsewhere.
//!
//! A backup holds what a node needs to come back as itself: every pair of
//! the store (members, posts, sessions, settings, the node's and members'
//! keys, sealed), the node secret (`node.secret`, which unseals those keys;
//! the did:key, the actor keys and the gossip peer id all come from them)
//! and the media files. Not the configuration file (`kodeon.toml` lives
//! outside the data directory) nor the admin socket. The container is
//! described in [`format`].
//!
//! Consistency, with the node serving throughout (see `store/journal.rs`
//! for why a fuzzy copy plus a journal is exact):
//! 1. the store starts journalling applied batches; its pairs are copied
//!    by a range scan;
//! 2. the media files are copied, and the journal recorded so far;
//! 3. writers are held off, the journal stops, the rest of it is copied,
//!    with the media files that appeared since step 2; the file is synced
//!    and renamed into place. The caller lets writers go once it has told
//!    the operator, so every write acknowledged before then is in the
//!    backup.
//!
//! Media files are written before their records and removed after them
//! (`media/`), so every media record in the backup finds its file: one
//! present when writes were held is copied in step 3 at the latest, and
//! one removed before its copy belongs to a record deleted before the
//! journal stopped. Files whose records came later are copied as harmless
//! orphans. Temporary files (`*.tmp`, images being written) are skipped.

pub mod format;
mod restore;

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

pub use restore::{restore, RestoreSummary};

use crate::node::SECRET_FILE;
use crate::store::{StoreError, WritesHeld};
use crate::Node;
use format::{push_pair, tag, Writer, PAIRS_CHUNK_BYTES};

/// The data directory's media folder (as `media/` names it).
pub(crate) const MEDIA_DIR: &str = "media";

/// Why a backup or a restore failed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// A file or directory could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path concerned.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: io::Error,
    },
    /// Reading the backup file failed.
    #[error("reading the backup: {0}")]
    Read(#[source] io::Error),
    /// The file is not a backup this version reads, or is malformed.
    #[error("{0}")]
    Format(String),
    /// The content does not match the checksum stored with it.
    #[error("the backup is corrupt: its blake3 checksum does not match its content")]
    Corrupt,
    /// The backup file to write exists already.
    #[error("{} exists; choose another file or remove it first", .0.display())]
    TargetExists(PathBuf),
    /// The data directory to restore into holds something.
    #[error("{} is not empty; restore into a new or empty directory (an existing node's data is never overwritten)", .0.display())]
    TargetNotEmpty(PathBuf),
    /// The store failed (or the journal, e.g. too many writes meanwhile).
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn at(path: &Path) -> impl FnOnce(io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.to_owned(),
        source,
    }
}

/// The steps progress is reported for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Copying the store (`total`: its size on disk, an estimate).
    Store,
    /// Copying media files (bytes).
    Media,
    /// Checking a backup before restoring it (bytes of the file).
    Verify,
    /// Restoring (bytes of the file).
    Restore,
}

/// How far a backup or restore is.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Progress {
    /// The current step.
    pub phase: Phase,
    /// Bytes done in this step.
    pub done: u64,
    /// Bytes this step should take (0: unknown).
    pub total: u64,
}

/// Calls a progress callback at most every 100 ms (and at each phase end).
pub(crate) struct Throttle<'a> {
    report: &'a mut dyn FnMut(Progress),
    last: Option<Instant>,
}

impl<'a> Throttle<'a> {
    pub(crate) fn new(report: &'a mut dyn FnMut(Progress)) -> Self {
        Throttle { report, last: None }
    }

    pub(crate) fn tick(&mut self, phase: Phase, done: u64, total: u64) {
        if self
            .last
            .is_some_and(|t| t.elapsed() < Duration::from_millis(100))
        {
            return;
        }
        self.last = Some(Instant::now());
        (self.report)(Progress { phase, done, total });
    }

    pub(crate) fn done(&mut self, phase: Phase, done: u64) {
        self.last = Some(Instant::now());
        (self.report)(Progress {
            phase,
            done,
            total: done,
        });
    }
}

/// What a backup file says about itself (its first frame).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// The container's format version.
    pub format: u32,
    /// The version of Kodeon that wrote it.
    pub kodeon_version: String,
    /// When the backup started (ms since the Unix epoch).
    pub created_at_ms: i64,
    /// The node's did:key.
    pub node_did: String,
    /// The node's domain.
    pub domain: String,
}

/// What a backup wrote.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BackupSummary {
    /// The backup file.
    pub file: PathBuf,
    /// Its size.
    pub bytes: u64,
    /// Store pairs copied.
    pub pairs: u64,
    /// Batches written while the backup ran, journalled and included.
    pub journal_batches: u64,
    /// Media files copied.
    pub files: u64,
    /// Their bytes.
    pub file_bytes: u64,
    /// The blake3 checksum stored at its end.
    pub blake3: String,
    /// The node's did:key.
    pub node_did: String,
    /// How long it took.
    pub elapsed_ms: u64,
    /// How long writers were held at the end (until the file was in
    /// place; the caller holds them a moment longer).
    pub writes_held_ms: u64,
}

impl BackupSummary {
    /// One line for the operator.
    pub fn describe(&self) -> String {
        format!(
            "backup of {} written to {} in {:.1} s (writes held {} ms): {:.1} MB, {} store pairs (+{} writes made meanwhile), \
             {} media files ({:.1} MB), the node secret; blake3 {}. \
             Keep it private: it holds the node secret. kodeon.toml is not included.",
            self.node_did,
            self.file.display(),
            self.elapsed_ms as f64 / 1000.0,
            self.writes_held_ms,
            self.bytes as f64 / 1e6,
            self.pairs,
            self.journal_batches,
            self.files,
            self.file_bytes as f64 / 1e6,
            self.blake3,
        )
    }
}

/// The media files in `dir` (name, size), skipping temporary ones.
fn list_media(dir: &Path) -> Result<Vec<(String, u64)>, BackupError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(at(dir)(e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(at(dir))?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if name.ends_with(".tmp") || !entry.file_type().map_err(at(dir))?.is_file() {
            continue;
        }
        let len = entry.metadata().map(|m| m.len()).unwrap_or(0);
        out.push((name, len));
    }
    out.sort();
    Ok(out)
}

/// Copies one media file; `Ok(None)` if it is gone (removed meanwhile).
fn copy_media<W: Write>(
    w: &mut Writer<W>,
    dir: &Path,
    name: &str,
) -> Result<Option<u64>, BackupError> {
    let path = dir.join(name);
    let file = match File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(at(&path)(e)),
    };
    // Media files are written whole and renamed into place, never changed:
    // the open file's size is its content's.
    let len = file.metadata().map_err(at(&path))?.len();
    w.file(&format!("{MEDIA_DIR}/{name}"), len, file)
        .map_err(at(&path))?;
    Ok(Some(len))
}

impl Node {
    /// Writes a backup of this node to `to` (which must not exist) while
    /// it keeps serving: see the module doc. Blocking; run it off the
    /// async runtime. On success the returned guard holds writers off:
    /// drop it once the operator has been told the backup is done.
    pub fn backup_to(
        &self,
        to: &Path,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(BackupSummary, WritesHeld), BackupError> {
        let started = Instant::now();
        let mut progress = Throttle::new(progress);
        if to.exists() {
            return Err(BackupError::TargetExists(to.to_owned()));
        }
        let parent = match to.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        let data_dir = &self.config.data_dir;
        let secret_path = data_dir.join(SECRET_FILE);
        let secret = std::fs::read(&secret_path).map_err(at(&secret_path))?;
        // The partial file (0600) and the journal sit next to the target,
        // on the same file system; the journal is unlinked from the start.
        let partial = tempfile::Builder::new()
            .prefix(".kodeon-backup-")
            .suffix(".partial")
            .tempfile_in(&parent)
            .map_err(at(&parent))?;
        let spill = tempfile::tempfile_in(&parent).map_err(at(&parent))?;
        let out = partial.as_file().try_clone().map_err(at(to))?;
        let mut w = Writer::new(BufWriter::with_capacity(1 << 20, out)).map_err(at(to))?;

        let manifest = Manifest {
            format: format::VERSION,
            kodeon_version: env!("CARGO_PKG_VERSION").to_owned(),
            created_at_ms: crate::model::now_ms(),
            node_did: self.node_did(),
            domain: self.config.domain.clone(),
        };
        let manifest_json =
            serde_json::to_vec(&manifest).map_err(|e| BackupError::Format(e.to_string()))?;
        w.frame(tag::MANIFEST, &manifest_json).map_err(at(to))?;
        w.frame(tag::SECRET, &secret).map_err(at(to))?;

        // 1. The store, while the journal records.
        let mut capture = self.store.begin_capture(spill)?;
        let estimate = capture.size_on_disk();
        let mut pairs = 0u64;
        let mut copied = 0u64;
        let mut chunk = Vec::with_capacity(PAIRS_CHUNK_BYTES + 4096);
        for pair in capture.pairs() {
            let (key, value) = pair?;
            push_pair(&mut chunk, &key, &value);
            pairs += 1;
            if chunk.len() >= PAIRS_CHUNK_BYTES {
                w.frame(tag::PAIRS, &chunk).map_err(at(to))?;
                copied += chunk.len() as u64;
                chunk.clear();
                progress.tick(Phase::Store, copied, estimate.max(copied));
            }
        }
        if !chunk.is_empty() {
            w.frame(tag::PAIRS, &chunk).map_err(at(to))?;
            copied += chunk.len() as u64;
        }
        progress.done(Phase::Store, copied);

        // 2. Media, and the journal so far.
        let media_dir = data_dir.join(MEDIA_DIR);
        let listed = list_media(&media_dir)?;
        let media_total: u64 = listed.iter().map(|(_, len)| len).sum();
        let mut seen = HashSet::with_capacity(listed.len());
        let (mut files, mut file_bytes) = (0u64, 0u64);
        for (name, _) in listed {
            if let Some(len) = copy_media(&mut w, &media_dir, &name)? {
                files += 1;
                file_bytes += len;
                progress.tick(Phase::Media, file_bytes, media_total.max(file_bytes));
            }
            seen.insert(name);
        }
        capture.copy_journal(&mut |bytes| w.raw_frames(bytes))?;
        // What is written so far goes to disk before writers are held.
        w.flush().map_err(at(to))?;
        partial.as_file().sync_data().map_err(at(to))?;

        // 3. Writers held: the end of the journal, late media, the end.
        let held = self.store.hold_writes();
        let held_since = Instant::now();
        capture.stop()?;
        capture.copy_journal(&mut |bytes| w.raw_frames(bytes))?;
        let journal_batches = capture.batches().unwrap_or(0);
        drop(capture);
        for (name, _) in list_media(&media_dir)? {
            if !seen.contains(&name) {
                if let Some(len) = copy_media(&mut w, &media_dir, &name)? {
                    files += 1;
                    file_bytes += len;
                }
            }
        }
        progress.done(Phase::Media, file_bytes);
        let bytes = w.written() + 9 + 32;
        let (out, hash) = w.finish().map_err(at(to))?;
        let file = out.into_inner().map_err(|e| at(to)(e.into_error()))?;
        file.sync_all().map_err(at(to))?;
        partial.persist_noclobber(to).map_err(|e| at(to)(e.error))?;
        sync_dir(&parent);
        let summary = BackupSummary {
            file: to.to_owned(),
            bytes,
            pairs,
            journal_batches,
            files,
            file_bytes,
            blake3: hash.to_hex().to_string(),
            node_did: self.node_did(),
            elapsed_ms: started.elapsed().as_millis() as u64,
            writes_held_ms: held_since.elapsed().as_millis() as u64,
        };
        tracing::info!(
            file = %to.display(),
            bytes,
            pairs,
            journal_batches,
            files,
            writes_held_ms = summary.writes_held_ms,
            "backup written"
        );
        Ok((summary, held))
    }
}

/// Makes a rename in `dir` durable (best effort where directories cannot
/// be opened).
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// The directory of an `engine` store inside a data directory.
pub(crate) fn store_dir(data_dir: &Path, engine: crate::StoreEngine) -> PathBuf {
    data_dir.join(engine.dir_name())
}

#[cfg(test)]
mod tests;
