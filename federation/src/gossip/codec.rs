//! The sync protocol (`/kodeon/sync/1`, JSON over libp2p request-response):
//! a node asks a peer for the records it stored after a cursor, in pages.
//!
//! Cursors are the *responder's* own sequence numbers (per kind), or
//! `created` times (per author); the asker remembers, per peer and kind,
//! the last cursor it stored. Envelopes travel as their canonical JSON text,
//! verified by the receiver like gossiped ones.

use libp2p::StreamProtocol;
use protocol::envelope::Kind;
use serde::{Deserialize, Serialize};

/// The protocol name.
pub const SYNC_PROTOCOL: StreamProtocol = StreamProtocol::new("/kodeon/sync/1");
/// Most records in one page.
pub const MAX_BATCH: usize = 256;
/// Largest request accepted, in bytes.
pub const MAX_REQUEST_BYTES: u64 = 16 * 1024;
/// Largest response accepted, in bytes (a page is cut before it).
pub const MAX_RESPONSE_BYTES: u64 = 8 * 1024 * 1024;

/// What a node asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum SyncRequest {
    /// Records of `kind` the responder received after sequence `after`.
    Kind {
        /// Which kind.
        kind: Kind,
        /// The responder's sequence to resume after (0: from the start).
        after: u64,
        /// At most this many (capped at [`MAX_BATCH`]).
        limit: u32,
    },
    /// Records by one author created at or after `since` (ms).
    Author {
        /// The author's did:key.
        author: String,
        /// Created at or after (ms).
        since: u64,
        /// At most this many (capped at [`MAX_BATCH`]).
        limit: u32,
    },
}

/// One record in a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncEntry {
    /// Resume after this value.
    pub cursor: u64,
    /// The envelope's canonical JSON.
    pub envelope: String,
}

/// A page of records, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SyncResponse {
    /// The records.
    pub entries: Vec<SyncEntry>,
    /// Whether more may follow (ask again from the last cursor).
    pub more: bool,
}

impl SyncResponse {
    /// The page's envelopes as bytes (at most [`MAX_BATCH`]).
    pub fn envelopes(&self) -> Vec<&[u8]> {
        self.entries
            .iter()
            .take(MAX_BATCH)
            .map(|e| e.envelope.as_bytes())
            .collect()
    }
}

/// The request-response behaviour with this codec and its size limits.
pub type SyncBehaviour = libp2p::request_response::json::Behaviour<SyncRequest, SyncResponse>;

/// Builds the sync behaviour.
pub fn behaviour() -> SyncBehaviour {
    use libp2p::request_response::{self, json, ProtocolSupport};
    let codec = json::codec::Codec::default()
        .set_request_size_maximum(MAX_REQUEST_BYTES)
        .set_response_size_maximum(MAX_RESPONSE_BYTES);
    request_response::Behaviour::with_codec(
        codec,
        [(SYNC_PROTOCOL, ProtocolSupport::Full)],
        request_response::Config::default()
            .with_request_timeout(std::time::Duration::from_secs(30)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use libp2p::futures::executor::block_on;
    use libp2p::futures::io::Cursor;
    use libp2p::request_response::Codec as _;

    type JsonCodec = libp2p::request_response::json::codec::Codec<SyncRequest, SyncResponse>;

    fn codec() -> JsonCodec {
        JsonCodec::default()
            .set_request_size_maximum(MAX_REQUEST_BYTES)
            .set_response_size_maximum(MAX_RESPONSE_BYTES)
    }

    #[test]
    fn requests_and_responses_roundtrip_on_the_wire() {
        block_on(async {
            let mut c = codec();
            for request in [
                SyncRequest::Kind {
                    kind: Kind::Post,
                    after: 41,
                    limit: 256,
                },
                SyncRequest::Author {
                    author: "did:key:z6Mk".into(),
                    since: 7,
                    limit: 3,
                },
            ] {
                let mut wire = Cursor::new(Vec::new());
                c.write_request(&SYNC_PROTOCOL, &mut wire, request.clone())
                    .await
                    .expect("write");
                let bytes = wire.into_inner();
                let mut read = Cursor::new(bytes.clone());
                assert_eq!(
                    c.read_request(&SYNC_PROTOCOL, &mut read)
                        .await
                        .expect("read"),
                    request
                );
                if let SyncRequest::Kind { .. } = request {
                    assert_eq!(
                        String::from_utf8_lossy(&bytes),
                        r#"{"by":"kind","kind":"post","after":41,"limit":256}"#,
                        "the documented wire shape"
                    );
                }
            }
            let response = SyncResponse {
                entries: vec![SyncEntry {
                    cursor: 9,
                    envelope: r#"{"v":1}"#.into(),
                }],
                more: true,
            };
            let mut wire = Cursor::new(Vec::new());
            c.write_response(&SYNC_PROTOCOL, &mut wire, response.clone())
                .await
                .expect("write");
            let mut read = Cursor::new(wire.into_inner());
            assert_eq!(
                c.read_response(&SYNC_PROTOCOL, &mut read)
                    .await
                    .expect("read"),
                response
            );
        });
    }

    #[test]
    fn oversized_and_malformed_requests_are_errors() {
        block_on(async {
            let mut c = codec();
            let big = format!(
                r#"{{"by":"author","author":"{}","since":1,"limit":1}}"#,
                "z".repeat(MAX_REQUEST_BYTES as usize)
            )
            .into_bytes();
            assert!(c
                .read_request(&SYNC_PROTOCOL, &mut Cursor::new(big))
                .await
                .is_err());
            let unknown = br#"{"by":"everything"}"#.to_vec();
            assert!(c
                .read_request(&SYNC_PROTOCOL, &mut Cursor::new(unknown))
                .await
                .is_err());
        });
    }
}
