//! The backup container, format version 1.
//!
//! ```text
//! header   "KODEONBK"  u32 version (1)  u32 flags (0)         16 bytes
//! frames   u8 tag  u64 length  payload[length]                 repeated
//! end      b'e'  u64 32  blake3(every byte before this frame)
//! ```
//!
//! Integers are big-endian. Frames, in the order a backup writes them:
//!
//! - `m` manifest: JSON ([`super::Manifest`]); first, exactly once.
//! - `s` the node secret (`node.secret`, 32 bytes); once.
//! - `k` store pairs, a chunk of `u32 key length, key, u32 value length,
//!   value` (keys ascending within and across chunks).
//! - `j` one journalled batch (see `store::encode_batch`), in apply order;
//!   after every `k`.
//! - `f` a file of the data directory: `u16 name length`, the name (a
//!   path relative to the data directory, `/`-separated), the file's bytes.
//! - `e` the end: the blake3 hash of everything before it. Nothing follows.
//!
//! A reader refuses a file with another magic or version, an unknown tag,
//! a frame running past the end, a missing end frame, bytes after it, or a
//! hash that does not match, and restore checks all of that before it
//! writes anything.

use std::io::{self, Read, Write};

use super::BackupError;

/// The first bytes of every backup.
pub const MAGIC: &[u8; 8] = b"KODEONBK";
/// The format version this code writes and reads.
pub const VERSION: u32 = 1;
/// Largest frame read into memory (file frames are streamed instead).
pub const MAX_FRAME_IN_MEMORY: u64 = 256 << 20;
/// Target size of a `k` chunk.
pub const PAIRS_CHUNK_BYTES: usize = 1 << 20;

/// Frame tags.
pub mod tag {
    /// Manifest (JSON).
    pub const MANIFEST: u8 = b'm';
    /// The node secret.
    pub const SECRET: u8 = b's';
    /// A chunk of store pairs.
    pub const PAIRS: u8 = b'k';
    /// A journalled batch (the store's journal records are such frames).
    pub const BATCH: u8 = crate::store::JOURNAL_TAG;
    /// A file of the data directory.
    pub const FILE: u8 = b'f';
    /// The end, with the hash.
    pub const END: u8 = b'e';
}

/// Writes a container to `W`, hashing as it goes.
pub struct Writer<W: Write> {
    out: W,
    hasher: blake3::Hasher,
    written: u64,
}

impl<W: Write> Writer<W> {
    /// Writes the header.
    pub fn new(out: W) -> io::Result<Self> {
        let mut w = Writer {
            out,
            hasher: blake3::Hasher::new(),
            written: 0,
        };
        let mut header = [0u8; 16];
        header[..8].copy_from_slice(MAGIC);
        header[8..12].copy_from_slice(&VERSION.to_be_bytes());
        w.put(&header)?;
        Ok(w)
    }

    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.hasher.update(bytes);
        self.written += bytes.len() as u64;
        self.out.write_all(bytes)
    }

    fn frame_header(&mut self, tag: u8, len: u64) -> io::Result<()> {
        let mut head = [0u8; 9];
        head[0] = tag;
        head[1..].copy_from_slice(&len.to_be_bytes());
        self.put(&head)
    }

    /// Writes one frame held in memory.
    pub fn frame(&mut self, tag: u8, payload: &[u8]) -> io::Result<()> {
        self.frame_header(tag, payload.len() as u64)?;
        self.put(payload)
    }

    /// Writes a file frame, streaming exactly `len` bytes from `content`.
    pub fn file(&mut self, name: &str, len: u64, content: impl Read) -> io::Result<()> {
        let name_len = u16::try_from(name.len())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "file name too long"))?;
        self.frame_header(tag::FILE, 2 + name.len() as u64 + len)?;
        self.put(&name_len.to_be_bytes())?;
        self.put(name.as_bytes())?;
        let mut content = content.take(len);
        let mut buf = vec![0u8; 256 * 1024];
        let mut copied = 0u64;
        loop {
            let n = content.read(&mut buf)?;
            if n == 0 {
                break;
            }
            self.put(&buf[..n])?;
            copied += n as u64;
        }
        if copied != len {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("{name} shrank while it was copied"),
            ));
        }
        Ok(())
    }

    /// Appends bytes that are already whole frames (the store's journal).
    pub fn raw_frames(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.put(bytes)
    }

    /// Flushes the output (the container stays open).
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// Bytes written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Writes the end frame and returns the output and the hash.
    pub fn finish(mut self) -> io::Result<(W, blake3::Hash)> {
        let hash = self.hasher.finalize();
        self.frame_header(tag::END, 32)?;
        self.out.write_all(hash.as_bytes())?;
        self.written += 32;
        self.out.flush()?;
        Ok((self.out, hash))
    }
}

/// Appends one key-value pair to a `k` chunk.
pub fn push_pair(chunk: &mut Vec<u8>, key: &[u8], value: &[u8]) {
    chunk.extend_from_slice(&(key.len() as u32).to_be_bytes());
    chunk.extend_from_slice(key);
    chunk.extend_from_slice(&(value.len() as u32).to_be_bytes());
    chunk.extend_from_slice(value);
}

/// The pairs of a `k` chunk; `None` if it is malformed.
pub fn pairs(chunk: &[u8]) -> Option<Vec<(&[u8], &[u8])>> {
    let mut rest = chunk;
    let mut out = Vec::new();
    while !rest.is_empty() {
        let key = take_prefixed(&mut rest)?;
        let value = take_prefixed(&mut rest)?;
        out.push((key, value));
    }
    Some(out)
}

fn take_prefixed<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
    if rest.len() < 4 {
        return None;
    }
    let len = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
    let body = rest.get(4..4 + len)?;
    *rest = &rest[4 + len..];
    Some(body)
}

/// One frame as the reader hands it out.
pub enum Frame<'r, R: Read> {
    /// A frame read into memory (every tag but `f` and `e`).
    Bytes {
        /// Its tag.
        tag: u8,
        /// Its payload.
        payload: Vec<u8>,
    },
    /// A file: read its content from `content` (exactly `len` bytes);
    /// whatever is left unread is skipped by the next `next`.
    File {
        /// Its path relative to the data directory.
        name: String,
        /// Its size.
        len: u64,
        /// Its bytes.
        content: FileContent<'r, R>,
    },
}

/// The content of a file frame, hashed as it is read.
pub struct FileContent<'r, R: Read> {
    reader: &'r mut Reader<R>,
}

impl<R: Read> Read for FileContent<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = (buf.len() as u64).min(self.reader.pending) as usize;
        if want == 0 {
            return Ok(0);
        }
        let n = self.reader.input.read(&mut buf[..want])?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        self.reader.hasher.update(&buf[..n]);
        self.reader.pending -= n as u64;
        self.reader.offset += n as u64;
        Ok(n)
    }
}

/// Reads a container, checking its structure as it goes; the hash is
/// checked when the end frame is reached ([`Reader::next`] returns `None`
/// only then).
pub struct Reader<R: Read> {
    input: R,
    hasher: blake3::Hasher,
    /// Bytes of the current file frame not yet read.
    pending: u64,
    /// Bytes read so far.
    offset: u64,
    /// The container's size, when known: frames may not run past it.
    size: Option<u64>,
    ended: bool,
}

impl<R: Read> Reader<R> {
    /// Reads and checks the header. `size` (the file's length, if known)
    /// lets a truncated or corrupt length be refused before reading on.
    pub fn new(input: R, size: Option<u64>) -> Result<Self, BackupError> {
        let mut r = Reader {
            input,
            hasher: blake3::Hasher::new(),
            pending: 0,
            offset: 0,
            size,
            ended: false,
        };
        let mut header = [0u8; 16];
        r.read_hashed(&mut header)?;
        if &header[..8] != MAGIC {
            return Err(BackupError::Format("not a Kodeon backup".into()));
        }
        let version = u32::from_be_bytes([header[8], header[9], header[10], header[11]]);
        if version != VERSION {
            return Err(BackupError::Format(format!(
                "backup format version {version}; this kodeon reads version {VERSION}"
            )));
        }
        Ok(r)
    }

    /// Bytes read so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    fn read_exact_raw(&mut self, buf: &mut [u8]) -> Result<(), BackupError> {
        self.input.read_exact(buf).map_err(|e| {
            if e.kind() == io::ErrorKind::UnexpectedEof {
                truncated()
            } else {
                BackupError::Read(e)
            }
        })?;
        self.offset += buf.len() as u64;
        Ok(())
    }

    fn read_hashed(&mut self, buf: &mut [u8]) -> Result<(), BackupError> {
        self.read_exact_raw(buf)?;
        self.hasher.update(buf);
        Ok(())
    }

    fn skip_pending(&mut self) -> Result<(), BackupError> {
        let mut buf = vec![0u8; 256 * 1024];
        while self.pending > 0 {
            let n = (buf.len() as u64).min(self.pending) as usize;
            self.read_hashed(&mut buf[..n])?;
            self.pending -= n as u64;
        }
        Ok(())
    }

    /// The next frame, or `None` once the end frame was read and its hash
    /// (and the absence of anything after it) checked.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<Frame<'_, R>>, BackupError> {
        if self.ended {
            return Ok(None);
        }
        self.skip_pending()?;
        let mut head = [0u8; 9];
        let expected = self.hasher.finalize();
        self.read_hashed(&mut head)?;
        let tag = head[0];
        let mut len_bytes = [0u8; 8];
        len_bytes.copy_from_slice(&head[1..]);
        let len = u64::from_be_bytes(len_bytes);
        if let Some(size) = self.size {
            if len > size.saturating_sub(self.offset) {
                return Err(truncated());
            }
        }
        match tag {
            tag::END => {
                if len != 32 {
                    return Err(BackupError::Format("malformed end frame".into()));
                }
                let mut stored = [0u8; 32];
                self.read_exact_raw(&mut stored)?;
                if blake3::Hash::from(stored) != expected {
                    return Err(BackupError::Corrupt);
                }
                let mut extra = [0u8; 1];
                match self.input.read(&mut extra) {
                    Ok(0) => {}
                    Ok(_) => return Err(BackupError::Format("data after the end frame".into())),
                    Err(e) => return Err(BackupError::Read(e)),
                }
                self.ended = true;
                Ok(None)
            }
            tag::FILE => {
                if len < 2 {
                    return Err(BackupError::Format("malformed file frame".into()));
                }
                let mut name_len = [0u8; 2];
                self.read_hashed(&mut name_len)?;
                let name_len = u64::from(u16::from_be_bytes(name_len));
                if name_len > len - 2 {
                    return Err(BackupError::Format("malformed file frame".into()));
                }
                let mut name = vec![0u8; name_len as usize];
                self.read_hashed(&mut name)?;
                let name = String::from_utf8(name)
                    .map_err(|_| BackupError::Format("a file name is not UTF-8".into()))?;
                let len = len - 2 - name_len;
                self.pending = len;
                Ok(Some(Frame::File {
                    name,
                    len,
                    content: FileContent { reader: self },
                }))
            }
            tag::MANIFEST | tag::SECRET | tag::PAIRS | tag::BATCH => {
                if len > MAX_FRAME_IN_MEMORY {
                    return Err(BackupError::Format(format!("a {len}-byte frame")));
                }
                let mut payload = vec![0u8; len as usize];
                self.read_hashed(&mut payload)?;
                Ok(Some(Frame::Bytes { tag, payload }))
            }
            other => Err(BackupError::Format(format!(
                "unknown frame tag {other:#04x}"
            ))),
        }
    }
}

fn truncated() -> BackupError {
    BackupError::Format("the backup is truncated".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let mut w = Writer::new(Vec::new()).expect("header");
        w.frame(tag::MANIFEST, br#"{"format":1}"#)
            .expect("manifest");
        w.frame(tag::SECRET, &[7u8; 32]).expect("secret");
        let mut chunk = Vec::new();
        push_pair(&mut chunk, b"\x01key", b"value");
        push_pair(&mut chunk, b"\x02", b"");
        w.frame(tag::PAIRS, &chunk).expect("pairs");
        let content = vec![0xabu8; 300_000];
        w.file("media/a.png", content.len() as u64, &content[..])
            .expect("file");
        w.frame(tag::BATCH, b"batch").expect("batch");
        let (out, _) = w.finish().expect("finish");
        out
    }

    /// Reads every frame; the file's content read only when `read_files`.
    fn read_all(bytes: &[u8], read_files: bool) -> Result<Vec<(u8, usize)>, BackupError> {
        let mut r = Reader::new(bytes, Some(bytes.len() as u64))?;
        let mut seen = Vec::new();
        while let Some(frame) = r.next()? {
            match frame {
                Frame::Bytes { tag, payload } => seen.push((tag, payload.len())),
                Frame::File {
                    mut content, len, ..
                } => {
                    if read_files {
                        let mut out = Vec::new();
                        content.read_to_end(&mut out).map_err(BackupError::Read)?;
                        assert_eq!(out.len() as u64, len);
                    }
                    seen.push((tag::FILE, len as usize));
                }
            }
        }
        Ok(seen)
    }

    #[test]
    fn a_container_reads_back_frame_by_frame() -> Result<(), BackupError> {
        let bytes = sample();
        let expected = vec![
            (tag::MANIFEST, 12),
            (tag::SECRET, 32),
            (tag::PAIRS, 26),
            (tag::FILE, 300_000),
            (tag::BATCH, 5),
        ];
        assert_eq!(read_all(&bytes, true)?, expected);
        assert_eq!(read_all(&bytes, false)?, expected, "skipping a file");
        Ok(())
    }

    #[test]
    fn pairs_decode_and_malformed_chunks_are_refused() {
        let mut chunk = Vec::new();
        push_pair(&mut chunk, b"k", b"v");
        push_pair(&mut chunk, b"", b"");
        assert_eq!(
            pairs(&chunk),
            Some(vec![(&b"k"[..], &b"v"[..]), (&b""[..], &b""[..])])
        );
        assert_eq!(pairs(&chunk[..chunk.len() - 1]), None);
        assert_eq!(pairs(&[0, 0, 0, 9, 1]), None);
    }

    #[test]
    fn every_flipped_byte_is_detected() {
        let bytes = sample();
        // Every byte of the small frames, and a sample of the file's.
        let positions =
            (0..bytes.len()).filter(|i| *i < 200 || *i > bytes.len() - 200 || i % 997 == 0);
        for i in positions {
            let mut corrupt = bytes.clone();
            corrupt[i] ^= 0x20;
            assert!(
                read_all(&corrupt, false).is_err(),
                "a flipped byte at {i} went unnoticed"
            );
        }
    }

    #[test]
    fn a_truncated_container_is_refused() {
        let bytes = sample();
        for len in [
            0,
            8,
            16,
            20,
            100,
            bytes.len() / 2,
            bytes.len() - 33,
            bytes.len() - 1,
        ] {
            let result = read_all(&bytes[..len], true);
            assert!(result.is_err(), "{len} of {} bytes accepted", bytes.len());
        }
        // Without the size known beforehand, too.
        let cut = &bytes[..bytes.len() - 10];
        let mut r = Reader::new(cut, None).expect("header");
        let outcome = loop {
            match r.next() {
                Ok(Some(Frame::File { mut content, .. })) => {
                    let _ = std::io::copy(&mut content, &mut std::io::sink());
                }
                Ok(Some(_)) => {}
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        assert!(outcome.is_err());
    }

    #[test]
    fn trailing_bytes_another_version_and_foreign_files_are_refused() {
        let mut bytes = sample();
        bytes.push(0);
        assert!(matches!(
            read_all(&bytes, false),
            Err(BackupError::Format(_))
        ));
        let mut bytes = sample();
        bytes[11] = 2;
        assert!(matches!(
            Reader::new(&bytes[..], None).map(|_| ()),
            Err(BackupError::Format(m)) if m.contains("version 2")
        ));
        assert!(Reader::new(&b"PK\x03\x04 not a backup"[..], None).is_err());
    }
}
