//! Incoming records other than new posts: edits, deletes, follows,
//! unfollows, profiles, attestations and groups' events (`event.rs`).
//!
//! Each is applied, then its envelope stored. Every effect is idempotent
//! and ordered by the record's `created` time (an older record than the
//! state it would change is stored for sync but changes nothing), so a
//! crash between the two writes, or records arriving out of order through
//! sync, leaves the same state.

use protocol::envelope::{Envelope, Kind};

use crate::attestations::{
    validate_claim, AttestationKind, AttestationRecord, MAX_COMMENT_CHARS, MAX_GROUP_URL,
};
use crate::error::NodeResult;
use crate::model::{now_ms, Member, Visibility};
use crate::node::Node;
use crate::remote::{host_of, RemotePost};
use crate::store::{hash_of, tables};

use super::accept::{post_body, Accepted, EnvelopeContext, Refusal};
use super::authors::Author;
use super::body::{AttestationBody, DeleteBody, FollowBody, ProfileBody};

/// The last follow or unfollow seen between two keys.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct FollowState {
    created: i64,
    following: bool,
}

impl Node {
    /// Applies one verified record (not a post) and stores its envelope.
    /// `Err` only for a store failure; a refusal is an outcome.
    pub(super) async fn apply_record(
        &self,
        envelope: Envelope,
        context: &dyn EnvelopeContext,
    ) -> NodeResult<Result<Accepted, Refusal>> {
        let applied = match envelope.kind {
            Kind::Edit => self.apply_edit(&envelope, context).await,
            Kind::Delete => self.apply_delete(&envelope).await,
            Kind::Follow | Kind::Unfollow => self.apply_follow(&envelope).await,
            Kind::Profile => self.apply_profile(&envelope, context).await,
            Kind::Attestation => self.apply_attestation(&envelope).await,
            Kind::Event => self.apply_event(&envelope, context).await,
            Kind::Post => Err(Refusal::BadBody("a post is not applied here".into())),
        };
        let post = match applied {
            Ok(post) => post,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let seq = self
            .write(|txn| self.store_envelope(txn, &envelope))
            .await?;
        Ok(Ok(match seq {
            Some(seq) => Accepted::Stored { seq, post },
            None => Accepted::Duplicate,
        }))
    }

    /// An edit carries the post's whole new state: applied if newer than
    /// the copy here, or creating the post if it never arrived.
    async fn apply_edit(
        &self,
        envelope: &Envelope,
        context: &dyn EnvelopeContext,
    ) -> Result<Option<crate::Id>, Refusal> {
        let body = post_body(envelope)?;
        let Author { member, .. } = self.gossip_author(&envelope.author, &body.actor)?;
        if self
            .store
            .has::<tables::GossipTombstone>(hash_of(&body.uri))?
        {
            return Ok(None);
        }
        let existing = match context.post_by_uri(&body.uri) {
            Some(id) => self.post_record(id)?,
            None => None,
        };
        let in_reply_to = body
            .in_reply_to
            .as_deref()
            .and_then(|uri| context.post_by_uri(uri));
        let mut incoming = RemotePost {
            uri: body.uri.clone(),
            url: body.url.clone(),
            title: body.title.clone(),
            html: context.sanitize(&body.html),
            summary: body.summary.clone(),
            sensitive: body.sensitive,
            visibility: Visibility::Public,
            in_reply_to,
            tags: body.tags.clone(),
            mentions: Vec::new(),
            language: body.language.clone(),
            published: envelope.created.min(now_ms()),
            updated: Some(envelope.created.min(now_ms())),
            attachments: Vec::new(),
            group: None,
        };
        match existing {
            Some(post) => {
                if post.author_id != member.id {
                    return Err(Refusal::WrongKey);
                }
                if post.edited_at.unwrap_or(post.created_at) >= envelope.created {
                    return Ok(None);
                }
                // Gossip bodies carry no attachments: keep the known ones.
                if let Some(r) = &post.remote {
                    incoming.attachments = r.attachments.clone();
                }
                self.receive_post_update(&member, incoming).await?;
                Ok(None)
            }
            None => {
                let id = self.receive_post(&member, incoming).await?;
                Ok(Some(id))
            }
        }
    }

    /// A post's deletion (a tombstone keeps a late copy from returning), or
    /// an attestation's withdrawal.
    async fn apply_delete(&self, envelope: &Envelope) -> Result<Option<crate::Id>, Refusal> {
        let body = DeleteBody::from_map(&envelope.body).map_err(Refusal::BadBody)?;
        let Author { member, .. } = self.gossip_author(&envelope.author, &body.actor)?;
        match (&body.uri, &body.attestation) {
            (Some(uri), None) => {
                if host_of(uri) != host_of(&body.actor) {
                    return Err(Refusal::BadBody(
                        "the post's id is not on its author's server".into(),
                    ));
                }
                let mut deleted = false;
                if self.remote_event_by_uri(uri)?.is_some() {
                    // A group's event: only its group (or organiser) removes it.
                    deleted = match self.receive_remote_event_delete(&member, uri).await {
                        Ok(deleted) => deleted,
                        Err(crate::NodeError::Forbidden(_)) => return Err(Refusal::WrongKey),
                        Err(e) => return Err(e.into()),
                    };
                } else if let Some(id) = self.post_id_by_uri(uri)? {
                    let post = self.post_record(id)?;
                    if post.is_some_and(|p| p.author_id != member.id) {
                        return Err(Refusal::WrongKey);
                    }
                    deleted = self.receive_post_delete(&member, uri).await?;
                }
                // An account no server vouched for may delete its own posts
                // here, but not bar posts it never showed from arriving.
                let confirmed = member.remote.as_ref().is_some_and(|r| !r.gossip_only);
                if !deleted && !confirmed {
                    return Ok(None);
                }
                let key = hash_of(uri);
                let at = envelope.created;
                self.write(move |txn| txn.store::<tables::GossipTombstone>(key, &at))
                    .await?;
                Ok(None)
            }
            (None, Some(hex)) => {
                let id = protocol::envelope::id_from_hex(hex)
                    .ok_or_else(|| Refusal::BadBody("attestation must be a hex id".into()))?;
                let author = envelope.author;
                self.write(move |txn| self.withdraw_by_id(txn, &author, &id))
                    .await?;
                Ok(None)
            }
            _ => Err(Refusal::BadBody(
                "a delete names exactly one of uri and attestation".into(),
            )),
        }
    }

    /// A follow or unfollow: of a member here, it is their follower's
    /// word (an ActivityPub Follow it names is answered as if it had come
    /// to the inbox); between accounts elsewhere, it joins the follow graph.
    async fn apply_follow(&self, envelope: &Envelope) -> Result<Option<crate::Id>, Refusal> {
        let body = FollowBody::from_map(&envelope.body).map_err(Refusal::BadBody)?;
        let Author { member, .. } = self.gossip_author(&envelope.author, &body.actor)?;
        let subject_key = identity::PublicKey::from_did_key(&body.subject)
            .map_err(|_| Refusal::BadBody("subject must be an ed25519 did:key".into()))?;
        let following = envelope.kind == Kind::Follow;
        let key = (*subject_key.as_bytes(), *envelope.author.as_bytes());
        let state = FollowState {
            created: envelope.created,
            following,
        };
        let newer = self
            .write(move |txn| {
                if txn
                    .load::<tables::FollowGraph>(key)?
                    .is_some_and(|last| last.created >= state.created)
                {
                    return Ok(false);
                }
                txn.store::<tables::FollowGraph>(key, &state)?;
                Ok(true)
            })
            .await?;
        if !newer {
            return Ok(None);
        }
        let subject = self.member_by_key(&subject_key)?;
        let Some(local) = subject.filter(Member::is_local) else {
            return Ok(None);
        };
        // Only an account whose server vouched for its key may become a
        // follower (followers-only posts go to its inbox).
        let has_inbox = member
            .remote
            .as_ref()
            .is_some_and(|r| !r.gossip_only && !r.inbox.is_empty());
        if following {
            if has_inbox
                && !body.activity.is_empty()
                && host_of(&body.activity) == host_of(&body.actor)
            {
                let answered = self
                    .store
                    .load::<tables::FollowActivity>((local.id, member.id))?;
                if answered.as_deref() != Some(body.activity.as_str()) {
                    self.receive_follow(&member, local.id, &body.activity)
                        .await?;
                }
            }
        } else {
            self.receive_unfollow(&member, local.id).await?;
        }
        Ok(None)
    }

    /// How many accounts follow `subject`, as far as this node has heard
    /// over gossip (follows of and by members here included).
    pub fn gossip_follower_count(&self, subject: &identity::PublicKey) -> NodeResult<usize> {
        let mut count = 0;
        for state in self
            .store
            .scan::<tables::FollowGraph>((subject.as_bytes(),), false)
            .values()
        {
            if state.is_ok_and(|s| s.following) {
                count += 1;
            }
        }
        Ok(count)
    }

    async fn apply_profile(
        &self,
        envelope: &Envelope,
        context: &dyn EnvelopeContext,
    ) -> Result<Option<crate::Id>, Refusal> {
        let body = ProfileBody::from_map(&envelope.body).map_err(Refusal::BadBody)?;
        let Author { member, .. } = self.gossip_author(&envelope.author, &body.actor)?;
        let summary = context.sanitize(&body.summary);
        self.apply_gossip_profile(&member, envelope.created, &body, summary)
            .await?;
        Ok(None)
    }

    async fn apply_attestation(&self, envelope: &Envelope) -> Result<Option<crate::Id>, Refusal> {
        let body = AttestationBody::from_map(&envelope.body).map_err(Refusal::BadBody)?;
        self.gossip_author(&envelope.author, &body.actor)?;
        validate_claim(&body.claim).map_err(|m| Refusal::BadBody(format!("claim {m}")))?;
        if body.comment.chars().count() > MAX_COMMENT_CHARS {
            return Err(Refusal::BadBody("comment is too long".into()));
        }
        let subject = identity::PublicKey::from_did_key(&body.subject)
            .map_err(|_| Refusal::BadBody("subject must be an ed25519 did:key".into()))?;
        if subject == envelope.author {
            return Err(Refusal::BadBody("an attestation about oneself".into()));
        }
        let kind = AttestationKind::received(body.kind.as_deref(), &body.claim)
            .map_err(Refusal::BadBody)?;
        if body.group.as_ref().is_some_and(|g| g.len() > MAX_GROUP_URL) {
            return Err(Refusal::BadBody("group is too long".into()));
        }
        let record = AttestationRecord {
            envelope: envelope.id,
            attester: *envelope.author.as_bytes(),
            subject: *subject.as_bytes(),
            claim: body.claim,
            comment: body.comment,
            created: envelope.created,
            kind: body.kind.as_ref().map(|_| kind),
            group: body.group,
        };
        self.write(move |txn| self.put_attestation(txn, &record))
            .await
            .map_err(Refusal::from)?;
        Ok(None)
    }
}
