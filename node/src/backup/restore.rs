//! Restoring a backup into a new data directory.
//!
//! The file is read twice: first to check it whole (structure, every
//! frame's content, file names, the blake3 checksum) before anything is
//! written, then to write it into a temporary directory next to the
//! target, renamed into place only at the end. The target must be absent
//! or empty: an existing node's data is never overwritten.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::format::{self, tag, Frame, Reader};
use super::{at, store_dir, sync_dir, BackupError, Manifest, Phase, Progress, Throttle, MEDIA_DIR};
use crate::node::SECRET_FILE;
use crate::store::{decode_batch, open_engine, Batch};
use crate::StoreEngine;

/// Bytes of pairs gathered into one store batch while restoring.
const RESTORE_BATCH_BYTES: usize = 4 << 20;

/// The engine's cache while restoring.
const RESTORE_CACHE_BYTES: u64 = 64 << 20;

/// What a restore brought back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RestoreSummary {
    /// The data directory written.
    pub data_dir: PathBuf,
    /// The engine of the store written.
    pub engine: StoreEngine,
    /// The backup's manifest.
    pub manifest: Manifest,
    /// Store pairs written.
    pub pairs: u64,
    /// Journalled batches replayed over them.
    pub journal_batches: u64,
    /// Media files written.
    pub files: u64,
}

impl RestoreSummary {
    /// One line for the operator.
    pub fn describe(&self) -> String {
        format!(
            "restored {} (backup of {} taken by Kodeon {}) into {} ({} store): {} store pairs, {} writes replayed, {} media files. \
             Start the node with this data directory and the node's kodeon.toml.",
            self.manifest.node_did,
            self.manifest.domain,
            self.manifest.kodeon_version,
            self.data_dir.display(),
            self.engine.name(),
            self.pairs,
            self.journal_batches,
            self.files,
        )
    }
}

/// Restores the backup `from` into `data_dir`, which must not exist or be
/// empty, as a store of `engine` (a backup holds pairs, not an engine's
/// files, so restoring moves a node from one engine to the other).
/// Blocking. Nothing is written unless the whole backup checks out.
pub fn restore(
    from: &Path,
    data_dir: &Path,
    engine: StoreEngine,
    progress: &mut dyn FnMut(Progress),
) -> Result<RestoreSummary, BackupError> {
    let mut progress = Throttle::new(progress);
    match std::fs::read_dir(data_dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(BackupError::TargetNotEmpty(data_dir.to_owned()));
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(at(data_dir)(e)),
    }
    let size = std::fs::metadata(from).map_err(at(from))?.len();
    let manifest = verify(from, size, &mut progress)?;

    let parent = match data_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    // The parent is the operator's (only the data directory is made
    // private): created if missing, never changed.
    std::fs::create_dir_all(&parent).map_err(at(&parent))?;
    let name = data_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "data".into());
    // Removed with everything in it if anything below fails.
    let temp = tempfile::Builder::new()
        .prefix(&format!(".{name}.restore-"))
        .tempdir_in(&parent)
        .map_err(at(&parent))?;
    let counts = write_into(from, size, temp.path(), engine, &mut progress)?;
    let temp = temp.keep();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&temp, std::fs::Permissions::from_mode(0o700))
            .map_err(at(&temp))?;
    }
    // An empty directory is replaced by the rename; a non-empty one (made
    // meanwhile) makes it fail.
    if let Err(e) = std::fs::rename(&temp, data_dir) {
        let _ = std::fs::remove_dir_all(&temp);
        return Err(at(data_dir)(e));
    }
    sync_dir(&parent);
    Ok(RestoreSummary {
        data_dir: data_dir.to_owned(),
        engine,
        manifest,
        pairs: counts.pairs,
        journal_batches: counts.batches,
        files: counts.files,
    })
}

fn open(from: &Path, size: u64) -> Result<Reader<BufReader<File>>, BackupError> {
    let file = File::open(from).map_err(at(from))?;
    Reader::new(BufReader::with_capacity(1 << 20, file), Some(size))
}

/// The only frame order a backup has: manifest, secret, pairs, then
/// batches and files in any order.
#[derive(Default)]
struct Order {
    manifest: bool,
    secret: bool,
    batches: bool,
}

impl Order {
    fn check(&mut self, tag: u8) -> Result<(), BackupError> {
        let bad = |what: &str| Err(BackupError::Format(format!("malformed backup: {what}")));
        match tag {
            tag::MANIFEST if self.manifest => bad("two manifests"),
            tag::MANIFEST => {
                self.manifest = true;
                Ok(())
            }
            _ if !self.manifest => bad("no manifest first"),
            tag::SECRET if self.secret => bad("two node secrets"),
            tag::SECRET => {
                self.secret = true;
                Ok(())
            }
            _ if !self.secret => bad("no node secret"),
            tag::PAIRS if self.batches => bad("store pairs after the journal"),
            tag::BATCH => {
                self.batches = true;
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// Checks the whole file; returns its manifest.
fn verify(from: &Path, size: u64, progress: &mut Throttle<'_>) -> Result<Manifest, BackupError> {
    let mut reader = open(from, size)?;
    let mut order = Order::default();
    let mut manifest = None;
    loop {
        let offset = reader.offset();
        progress.tick(Phase::Verify, offset, size);
        let Some(frame) = reader.next()? else {
            break;
        };
        match frame {
            Frame::File { name, .. } => {
                order.check(tag::FILE)?;
                check_name(&name)?;
            }
            Frame::Bytes { tag, payload } => {
                order.check(tag)?;
                match tag {
                    tag::MANIFEST => manifest = Some(parse_manifest(&payload)?),
                    tag::SECRET if payload.len() != 32 => {
                        return Err(BackupError::Format(
                            "the node secret is not 32 bytes".into(),
                        ))
                    }
                    tag::PAIRS if format::pairs(&payload).is_none() => {
                        return Err(BackupError::Format("malformed store pairs".into()))
                    }
                    tag::BATCH if decode_batch(&payload).is_none() => {
                        return Err(BackupError::Format("malformed journal batch".into()))
                    }
                    _ => {}
                }
            }
        }
    }
    progress.done(Phase::Verify, size);
    manifest.ok_or_else(|| BackupError::Format("malformed backup: no manifest".into()))
}

fn parse_manifest(payload: &[u8]) -> Result<Manifest, BackupError> {
    serde_json::from_slice(payload)
        .map_err(|e| BackupError::Format(format!("malformed manifest: {e}")))
}

/// A file name from a backup: `media/NAME`, nothing that leaves the folder.
fn check_name(name: &str) -> Result<(), BackupError> {
    let path = Path::new(name);
    let mut parts = path.components();
    let fine = matches!(parts.next(), Some(Component::Normal(first)) if first == MEDIA_DIR)
        && matches!(parts.next(), Some(Component::Normal(_)))
        && parts.next().is_none()
        && !name.contains('\\');
    if fine {
        Ok(())
    } else {
        Err(BackupError::Format(format!(
            "a file name the backup may not hold: {name:?}"
        )))
    }
}

#[derive(Default)]
struct Counts {
    pairs: u64,
    batches: u64,
    files: u64,
}

/// Writes the (checked) backup into the empty directory `dir`.
fn write_into(
    from: &Path,
    size: u64,
    dir: &Path,
    engine: StoreEngine,
    progress: &mut Throttle<'_>,
) -> Result<Counts, BackupError> {
    let db = store_dir(dir, engine);
    crate::data_dir::create_private_dir(&db).map_err(at(&db))?;
    let media = dir.join(MEDIA_DIR);
    crate::data_dir::create_private_dir(&media).map_err(at(&media))?;
    let engine = open_engine(engine, &db, RESTORE_CACHE_BYTES)?;
    let mut reader = open(from, size)?;
    let mut counts = Counts::default();
    let mut pending: Batch = Vec::new();
    let mut pending_bytes = 0usize;
    loop {
        progress.tick(Phase::Restore, reader.offset(), size);
        let Some(frame) = reader.next()? else {
            break;
        };
        match frame {
            Frame::File {
                name, mut content, ..
            } => {
                check_name(&name)?;
                let path = dir.join(&name);
                write_private_file(&path, &mut content)?;
                counts.files += 1;
            }
            Frame::Bytes { tag, payload } => match tag {
                tag::SECRET => {
                    let path = dir.join(SECRET_FILE);
                    write_private_file(&path, &mut &payload[..])?;
                }
                tag::PAIRS => {
                    let pairs = format::pairs(&payload)
                        .ok_or_else(|| BackupError::Format("malformed store pairs".into()))?;
                    for (key, value) in pairs {
                        pending_bytes += key.len() + value.len();
                        pending.push((key.to_vec(), Some(value.to_vec())));
                        counts.pairs += 1;
                    }
                    if pending_bytes >= RESTORE_BATCH_BYTES {
                        engine.apply(std::mem::take(&mut pending))?;
                        pending_bytes = 0;
                    }
                }
                tag::BATCH => {
                    if !pending.is_empty() {
                        engine.apply(std::mem::take(&mut pending))?;
                        pending_bytes = 0;
                    }
                    let batch = decode_batch(&payload)
                        .ok_or_else(|| BackupError::Format("malformed journal batch".into()))?;
                    engine.apply(batch)?;
                    counts.batches += 1;
                }
                _ => {}
            },
        }
    }
    // `next` returned None: the checksum matched this pass too.
    if !pending.is_empty() {
        engine.apply(pending)?;
    }
    engine.flush()?;
    engine.sync()?;
    drop(engine);
    crate::data_dir::restrict_files(dir).map_err(at(dir))?;
    sync_dir(&media);
    sync_dir(dir);
    progress.done(Phase::Restore, size);
    Ok(counts)
}

/// Creates `path` (0600, which must not exist), fills it and syncs it.
fn write_private_file(path: &Path, content: &mut dyn Read) -> Result<(), BackupError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(at(path))?;
    io::copy(content, &mut file).map_err(at(path))?;
    file.sync_all().map_err(at(path))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_media_names_are_accepted() {
        assert!(check_name("media/01ABC-k.png").is_ok());
        for bad in [
            "../etc/passwd",
            "media/../node.secret",
            "/media/x",
            "media",
            "media/a/b",
            "db/conf",
            "media/..",
            "node.secret",
            "media/a\\..\\b",
        ] {
            assert!(check_name(bad).is_err(), "{bad} accepted");
        }
    }
}
