//! Incoming gossip: verify, check the author, de-duplicate, store.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::sync::Arc;

use protocol::envelope::{verify_batch, Envelope, EnvelopeError, Kind};

use crate::error::NodeResult;
use crate::id::Id;
use crate::model::{now_ms, Post, PostType, RemotePostRef, Visibility};
use crate::node::Node;
use crate::remote::host_of;
use crate::store::{hash_of, tables};

use super::authors::Author;
use super::body::PostBody;

/// The kind of a stored (so already verified) envelope, read without
/// checking its signature again.
fn stored_kind(bytes: &[u8]) -> Option<Kind> {
    Envelope::decode_unverified(bytes, i64::MAX)
        .ok()
        .map(|(e, _)| e.kind)
}

/// What the wire layer supplies to turn an envelope into a post: the
/// node does not know ActivityPub URL shapes or the remote-HTML policy.
pub trait EnvelopeContext: Sync {
    /// Cleans remote HTML for display.
    fn sanitize(&self, html: &str) -> String;
    /// Remote HTML as plain text, cut to `max_chars` characters.
    fn plain_text(&self, html: &str, max_chars: usize) -> String;
    /// The post (local or remote) an ActivityPub id names, if known here.
    fn post_by_uri(&self, uri: &str) -> Option<Id>;
}

/// An envelope the node took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accepted {
    /// New: stored under this sequence number; `post` is the post it created
    /// (`None` when the post was already known, e.g. from ActivityPub).
    Stored {
        /// Sequence number.
        seq: u64,
        /// The post created from it.
        post: Option<Id>,
    },
    /// Already stored (same envelope id).
    Duplicate,
}

/// Why an envelope was not taken.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// It does not verify or decode (bad signature, not canonical...).
    #[error("invalid envelope: {0}")]
    Invalid(#[from] EnvelopeError),
    /// Verified, but its body is not a valid record of its kind.
    #[error("invalid body: {0}")]
    BadBody(String),
    /// The author's actor is not known here yet: resolve it, then retry.
    #[error("unknown author {0}")]
    UnknownAuthor(String),
    /// The actor claims to be a member of this node, which has no such
    /// record (a forgery with a leaked key, or records lost here): not
    /// stored, but not held against the relay, which cannot tell.
    #[error("claims a local author")]
    LocalAuthor,
    /// The actor has published no ed25519 key, so nothing binds the key
    /// that signed to the actor.
    #[error("the author has no known ed25519 key")]
    NoAuthorKey,
    /// Signed by a key other than the actor's known key.
    #[error("signed by a key that is not the author's")]
    WrongKey,
    /// The author's server is suspended here.
    #[error("the author's server is blocked")]
    Blocked,
    /// Applying it failed here (a store error, or a race with another
    /// change): nothing the sender did wrong, so it is not penalised; sync
    /// brings the record again.
    #[error("could not apply it here: {0}")]
    Failed(String),
    /// Published on the topic of another kind.
    #[error("a {0:?} record on another kind's topic")]
    WrongTopic(Kind),
    /// A kind this node does not apply yet.
    #[error("unsupported kind {0:?}")]
    Unsupported(Kind),
}

impl From<crate::NodeError> for Refusal {
    fn from(e: crate::NodeError) -> Self {
        Refusal::Failed(e.to_string())
    }
}

impl Refusal {
    /// Whether the sender deserves a penalty: the record is provably bad
    /// (rather than merely not usable here).
    pub fn is_invalid(&self) -> bool {
        matches!(
            self,
            Refusal::Invalid(_) | Refusal::BadBody(_) | Refusal::WrongKey | Refusal::WrongTopic(_)
        )
    }

    /// The actor to resolve before retrying, if that is the problem.
    pub fn unknown_author(&self) -> Option<&str> {
        match self {
            Refusal::UnknownAuthor(actor) => Some(actor),
            _ => None,
        }
    }
}

/// The body of a post or edit envelope, checked for shape: public, and
/// the post's id on its author's server.
pub(super) fn post_body(envelope: &Envelope) -> Result<PostBody, Refusal> {
    let body = PostBody::from_map(&envelope.body).map_err(Refusal::BadBody)?;
    if body.visibility != "public" {
        return Err(Refusal::BadBody("only public posts are gossiped".into()));
    }
    let (Some(actor_host), Some(uri_host)) = (host_of(&body.actor), host_of(&body.uri)) else {
        return Err(Refusal::BadBody(
            "actor and uri must be http(s) URLs".into(),
        ));
    };
    if actor_host != uri_host {
        return Err(Refusal::BadBody(
            "the post's id is not on its author's server".into(),
        ));
    }
    Ok(body)
}

/// The authors checked so far in one batch, by (key, actor): a batch holds
/// many records by few authors, and each is looked up once.
type AuthorMemo = HashMap<([u8; 32], String), Arc<Author>>;

/// A verified post envelope with everything checked that needs no write.
struct Ready {
    envelope: Envelope,
    body: PostBody,
    author: Arc<Author>,
}

impl Node {
    /// Verifies, checks and stores a batch of envelopes received from
    /// other nodes in one durable write (one outcome per item, in order).
    ///
    /// Signatures are verified here, in a batch: a caller cannot make the
    /// node store what it has not checked. A post's author must be a known
    /// remote account whose published ed25519 key signed it, and the post's
    /// id must share the actor's origin. De-duplicated by envelope id, and
    /// by the post's ActivityPub id (an envelope for a post that arrived by
    /// ActivityPub is stored, linked to it, and creates nothing).
    pub async fn accept_envelopes(
        &self,
        items: &[&[u8]],
        context: &dyn EnvelopeContext,
    ) -> NodeResult<Vec<Result<Accepted, Refusal>>> {
        self.accept_envelopes_as(items, None, context).await
    }

    /// [`Node::accept_envelopes`] for records that came on per-kind
    /// channels: item `i` must be of kind `kinds[i]` (a record on another
    /// kind's topic is refused as invalid).
    pub async fn accept_envelopes_as(
        &self,
        items: &[&[u8]],
        kinds: Option<&[Kind]>,
        context: &dyn EnvelopeContext,
    ) -> NodeResult<Vec<Result<Accepted, Refusal>>> {
        let now = now_ms();
        let mut outcomes: Vec<Option<Result<Accepted, Refusal>>> = Vec::with_capacity(items.len());
        let mut fresh: Vec<(usize, &[u8])> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let outcome = self.stored_outcome(item, kinds.and_then(|k| k.get(i)))?;
            if outcome.is_none() {
                fresh.push((i, item));
            }
            outcomes.push(outcome);
        }
        let fresh_items: Vec<&[u8]> = fresh.iter().map(|(_, item)| *item).collect();
        let mut ready: Vec<(usize, Ready)> = Vec::new();
        let mut records: Vec<(usize, Envelope)> = Vec::new();
        let mut authors = AuthorMemo::new();
        for (&(i, _), verified) in fresh.iter().zip(verify_batch(&fresh_items, now)) {
            let outcome = match verified {
                Err(e) => Err(Refusal::from(e)),
                Ok(envelope)
                    if kinds
                        .and_then(|k| k.get(i))
                        .is_some_and(|k| *k != envelope.kind) =>
                {
                    Err(Refusal::WrongTopic(envelope.kind))
                }
                Ok(envelope) if envelope.kind != Kind::Post => {
                    records.push((i, envelope));
                    continue;
                }
                Ok(envelope) => match self.check_envelope(envelope, &mut authors) {
                    Ok(r) => {
                        ready.push((i, r));
                        continue;
                    }
                    Err(refusal) => Err(refusal),
                },
            };
            if let Some(slot) = outcomes.get_mut(i) {
                *slot = Some(outcome);
            }
        }
        if !ready.is_empty() {
            self.store_posts(&ready, context, now, &mut outcomes)
                .await?;
        }
        // Edits, deletes, follows, profiles and attestations are rarer:
        // one write each, in the order received.
        for (i, envelope) in records {
            let outcome = self.apply_record(envelope, context).await?;
            if let Some(slot) = outcomes.get_mut(i) {
                *slot = Some(outcome);
            }
        }
        Ok(outcomes
            .into_iter()
            .map(|o| o.unwrap_or(Err(Refusal::BadBody("not processed".into()))))
            .collect())
    }

    /// Creates the posts of a batch of checked post envelopes, and stores
    /// the envelopes, in one write.
    async fn store_posts(
        &self,
        ready: &[(usize, Ready)],
        context: &dyn EnvelopeContext,
        now: i64,
        outcomes: &mut [Option<Result<Accepted, Refusal>>],
    ) -> NodeResult<()> {
        let mut posts: Vec<(usize, Post)> = Vec::new();
        for (i, r) in ready {
            let reply_to = r
                .body
                .in_reply_to
                .as_deref()
                .and_then(|uri| context.post_by_uri(uri));
            let parent = match reply_to {
                Some(id) => self.post_record(id)?,
                None => None,
            };
            let id = self.ids.next();
            let b = &r.body;
            posts.push((
                *i,
                Post {
                    id,
                    author_id: r.author.member.id,
                    title: b.title.clone(),
                    source: String::new(),
                    html: context.sanitize(&b.html),
                    post_type: PostType::Discussion,
                    category: "general".to_string(),
                    tags: b.tags.clone(),
                    visibility: Visibility::Public,
                    in_reply_to: parent.as_ref().map(|p| p.id),
                    in_reply_to_author: parent.as_ref().map(|p| p.author_id),
                    thread_root: parent.as_ref().map(|p| p.thread_root).unwrap_or(id),
                    mentions: Vec::new(),
                    media: Vec::new(),
                    spoiler_text: b.summary.clone(),
                    sensitive: b.sensitive,
                    language: b.language.clone(),
                    created_at: r.envelope.created.min(now),
                    edited_at: None,
                    remote: Some(RemotePostRef {
                        uri: b.uri.clone(),
                        url: b.url.clone(),
                        attachments: Vec::new(),
                    }),
                    group: match &parent {
                        Some(parent) => parent.group,
                        None => self.local_group_by_uri(b.group.as_deref())?,
                    },
                },
            ));
        }
        let stored = self
            .write(|txn| {
                let mut results = Vec::with_capacity(ready.len());
                for ((i, r), (_, post)) in ready.iter().zip(&posts) {
                    let Some(seq) = self.store_envelope(txn, &r.envelope)? else {
                        results.push((*i, Accepted::Duplicate, None, None));
                        continue;
                    };
                    let uri_key = hash_of(&r.body.uri);
                    // The uri is on the author's (remote) server, so the
                    // uri index is where an ActivityPub copy would be.
                    let known = txn.has::<tables::PostByUri>(uri_key)?
                        || txn.has::<tables::GossipTombstone>(uri_key)?;
                    if known {
                        results.push((*i, Accepted::Stored { seq, post: None }, None, None));
                        continue;
                    }
                    let mut post = post.clone();
                    if self.admit_to_group(txn, &mut post).is_err() {
                        // A reply its thread's group refuses (not a member,
                        // banned, locked): the record is kept, no post.
                        results.push((*i, Accepted::Stored { seq, post: None }, None, None));
                        continue;
                    }
                    let post = &post;
                    txn.store::<tables::PostByUri>(uri_key, &post.id)?;
                    self.insert_post_with(txn, post, r.author.listed)?;
                    results.push((
                        *i,
                        Accepted::Stored {
                            seq,
                            post: Some(post.id),
                        },
                        Some(post.author_id),
                        post.group.filter(|_| post.in_reply_to.is_none()),
                    ));
                }
                Ok(results)
            })
            .await?;
        for (i, accepted, author, group) in stored {
            if let (Accepted::Stored { post: Some(id), .. }, Some(author)) = (&accepted, author) {
                self.timelines.note_post(author, *id);
                if let Some(group) = group {
                    self.timelines.note_post(group, *id);
                }
            }
            if let Some(slot) = outcomes.get_mut(i) {
                *slot = Some(Ok(accepted));
            }
        }
        Ok(())
    }

    /// Everything about one verified envelope that needs no write; authors
    /// already checked in this batch come from `authors`.
    fn check_envelope(
        &self,
        envelope: Envelope,
        authors: &mut AuthorMemo,
    ) -> Result<Ready, Refusal> {
        let body = post_body(&envelope)?;
        let author = match authors.entry((*envelope.author.as_bytes(), body.actor.clone())) {
            Entry::Occupied(known) => known.get().clone(),
            Entry::Vacant(slot) => slot
                .insert(Arc::new(self.gossip_author(&envelope.author, &body.actor)?))
                .clone(),
        };
        Ok(Ready {
            envelope,
            body,
            author,
        })
    }

    /// The outcome of an item already stored, without decoding or verifying
    /// it again (an envelope's id is the blake3 hash of its exact bytes, and
    /// only verified bytes are stored; sync pages mostly hold records gossip
    /// brought, and our own come back); `None` if it is new. A stored record
    /// is still checked against the topic it came on (a JSON read, no
    /// signature check): republished on another kind's topic, it is refused,
    /// not forwarded there.
    fn stored_outcome(
        &self,
        item: &[u8],
        expected: Option<&Kind>,
    ) -> NodeResult<Option<Result<Accepted, Refusal>>> {
        if !self.has_envelope(blake3::hash(item).as_bytes())? {
            return Ok(None);
        }
        Ok(Some(match expected.map(|k| (k, stored_kind(item))) {
            Some((expected, Some(kind))) if kind != *expected => Err(Refusal::WrongTopic(kind)),
            _ => Ok(Accepted::Duplicate),
        }))
    }
}
