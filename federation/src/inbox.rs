//! The inbox: verify who sent an activity, check what they may do, and
//! apply it to the node. Nothing is stored before every check passed.

use node::model::Member;
use node::{Node, Viewer};
use protocol::activities::{
    CreateOrUpdate, EventObject, Flag, FollowAnswer, InboundActivity, ObjectRef, Undo,
};
use protocol::http_signature::{self, Policy, SignedRequest};

use crate::course_inbound::course_of;
use crate::error::FederationError;
use crate::service::Federation;
use crate::uris::{known_post, local_username};

/// The fragments of this node's key ids (`ACTOR#main-key`,
/// `ACTOR#ed25519-key`, see `discovery.rs`): a signed GET of one of them may
/// carry it in its RFC 9421 `@target-uri`
/// ([`http_signature::ParsedSignature::with_target_fragment`]).
const OWN_KEY_FRAGMENTS: [&str; 2] = ["main-key", "ed25519-key"];

/// A request to an inbox, as the web layer received it.
#[derive(Debug, Clone)]
pub struct InboxRequest {
    /// `POST`.
    pub method: String,
    /// `http` or `https`.
    pub scheme: String,
    /// The Host header.
    pub authority: String,
    /// Path and query.
    pub path_and_query: String,
    /// Headers, lower-cased names.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: bytes::Bytes,
}

/// What happened to an accepted activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    /// Applied.
    Applied,
    /// Seen before: nothing done.
    Duplicate,
    /// Understood but not acted on (unsupported or irrelevant).
    Ignored,
}

impl Federation {
    /// Verifies and applies an inbox request.
    #[tracing::instrument(skip_all, fields(path = %req.path_and_query))]
    pub async fn receive(&self, req: InboxRequest) -> Result<Received, FederationError> {
        let activity = InboundActivity::parse(&req.body)
            .map_err(|e| FederationError::Malformed(e.to_string()))?;
        let actor_uri = activity
            .actor_id()
            .ok_or_else(|| FederationError::Malformed("no actor".into()))?;
        let key = match self.verify_signature(&req, Some(&req.body)).await {
            Ok(k) => k,
            // A deleted account's farewell cannot be verified (its key is
            // gone with it), nor anything else it still sends: nothing of
            // it is stored, so ignore it.
            Err(e @ FederationError::Gone(_)) => {
                tracing::debug!(actor = %actor_uri, error = %e, "inbox: the sender is gone; ignored");
                return Ok(Received::Ignored);
            }
            Err(e) => return Err(e),
        };
        let key_host = node::remote::host_of(&key.actor_id).unwrap_or_default();
        if key.actor_id != actor_uri {
            return Err(FederationError::Signature(format!(
                "signed by {}, not by the activity's actor {actor_uri}",
                key.actor_id
            )));
        }
        let activity_id = activity.id().unwrap_or_default().to_string();
        if !activity_id.is_empty() {
            activity.check_id_origin()?;
            if self.node.seen_activity(&activity_id)? {
                return Ok(Received::Duplicate);
            }
        }
        let actor = self
            .node
            .member_by_id(key.member)?
            .ok_or_else(|| FederationError::Internal("key without account".into()))?;
        let outcome = match self.apply(&activity, &actor, &req.body).await {
            Ok(outcome) => outcome,
            // What the activity names cannot be had from its server: the
            // sender did nothing wrong, and a 5xx would make it retry for
            // days. Accepted and ignored.
            Err(
                e @ (FederationError::Unobtainable(..)
                | FederationError::Fetch(..)
                | FederationError::Gone(_)),
            ) => {
                tracing::info!(activity = %activity_id, actor = %actor_uri, error = %e, "inbox: accepted and ignored");
                Received::Ignored
            }
            Err(e) => return Err(e),
        };
        if !activity_id.is_empty() {
            self.node.mark_activity_seen(&activity_id).await?;
        }
        if self.node.note_inbound(&key_host).await? {
            // It answers again: deliver what waits for it now.
            self.node.retry_domain_now(&key_host).await?;
        }
        self.metrics.received.inc();
        Ok(outcome)
    }

    /// Verifies a signed request (an inbox POST, or a GET when fetches must
    /// be signed): scheme, digest, date window, and the signature against
    /// the key of the actor it names; returns that key.
    pub(crate) async fn verify_signature(
        &self,
        req: &InboxRequest,
        body: Option<&[u8]>,
    ) -> Result<crate::service::CachedKey, FederationError> {
        let signed = SignedRequest {
            method: &req.method,
            scheme: &req.scheme,
            authority: &req.authority,
            path_and_query: &req.path_and_query,
            headers: &req.headers,
            body,
        };
        let sig = |e: http_signature::SignatureError| FederationError::Signature(e.to_string());
        let parsed = http_signature::parse(&signed).map_err(sig)?;
        let now = node::model::now_ms() / 1000;
        http_signature::check_request(&signed, &parsed, now, &Policy::default()).map_err(sig)?;
        self.check_domain(parsed.key_id())?;
        let key = match self.key_for(parsed.key_id(), false).await {
            Ok(k) => k,
            Err(FederationError::Gone(u)) => return Err(FederationError::Gone(u)),
            Err(FederationError::Fetch(..)) => {
                return Err(FederationError::Signature(format!(
                    "cannot fetch the key {}",
                    parsed.key_id()
                )))
            }
            Err(e) => return Err(e),
        };
        // A GET whose RFC 9421 signature covers `@target-uri` with the
        // fragment of one of this node's key ids (Fedify signs its key
        // fetches so) is the same request: try those fragments too.
        let verifies = |key: &identity::RsaVerifyingKey| {
            http_signature::verify(&parsed, key).is_ok()
                || OWN_KEY_FRAGMENTS.iter().any(|f| {
                    parsed
                        .with_target_fragment(&signed, f)
                        .is_some_and(|p| http_signature::verify(&p, key).is_ok())
                })
        };
        if verifies(&key.key) {
            return Ok(key);
        }
        // The key may have rotated: refetch once.
        let fresh = self.key_for(parsed.key_id(), true).await?;
        if !verifies(&fresh.key) {
            return Err(sig(http_signature::SignatureError::BadSignature));
        }
        Ok(fresh)
    }

    /// For authorized fetch: checks that a GET of an ActivityPub document
    /// is signed by an actor of a server that is not blocked. Without the
    /// setting every fetch is allowed.
    pub async fn authorize_fetch(&self, req: &InboxRequest) -> Result<(), FederationError> {
        if !self.settings.authorized_fetch {
            return Ok(());
        }
        self.verify_signature(req, Some(&req.body))
            .await
            .map(|_| ())
    }

    /// Applies a verified activity from `actor` (`body`: as received).
    async fn apply(
        &self,
        activity: &InboundActivity,
        actor: &Member,
        body: &[u8],
    ) -> Result<Received, FederationError> {
        let node: &Node = &self.node;
        let actor_id = remote_actor_id(actor);
        let as_viewer = Viewer::Member(Box::new(actor.clone()));
        let id_of = |r: &Option<protocol::activities::Reference>| -> String {
            r.as_ref()
                .and_then(ObjectRef::id)
                .unwrap_or_default()
                .to_string()
        };
        match activity {
            InboundActivity::Follow(follow) => {
                let Some(local) = self.local_member(&id_of(&follow.object))? else {
                    return Ok(Received::Ignored);
                };
                let id = follow.id.as_deref().unwrap_or_default();
                node.receive_follow(actor, local.id, id).await?;
            }
            InboundActivity::Accept(answer) | InboundActivity::Reject(answer) => {
                let accept = matches!(activity, InboundActivity::Accept(_));
                if let Some(outcome) = self
                    .receive_course_join_answer(answer, actor, accept)
                    .await?
                {
                    return Ok(outcome);
                }
                if let Some(outcome) = self.receive_join_answer(answer, actor, accept).await? {
                    return Ok(outcome);
                }
                let Some(local) = self.follower_of(answer, actor)? else {
                    return Ok(Received::Ignored);
                };
                if matches!(activity, InboundActivity::Accept(_)) {
                    node.receive_follow_accept(actor, local.id).await?;
                } else {
                    node.receive_follow_reject(actor, local.id).await?;
                }
            }
            InboundActivity::Undo(undo) => return self.undo(undo, actor, &as_viewer).await,
            InboundActivity::Create(create) | InboundActivity::Update(create)
                if is_article(create.embedded()) && course_of(body).is_some() =>
            {
                let Some(course) = course_of(body) else {
                    return Ok(Received::Ignored);
                };
                return self.receive_course(&course, actor).await;
            }
            InboundActivity::Create(create) if is_attestation(create.embedded()) => {
                return Ok(self
                    .receive_attestation(body, actor)
                    .await?
                    .unwrap_or(Received::Ignored));
            }
            InboundActivity::Create(create) if is_event(create.embedded()) => {
                return self.receive_event(&event_of(body)?, actor).await;
            }
            InboundActivity::Update(update) if is_event(update.embedded()) => {
                return self.receive_event(&event_of(body)?, actor).await;
            }
            InboundActivity::Create(create) => {
                let Some(object) = create.embedded().filter(|o| o.is_post()) else {
                    return Ok(Received::Ignored);
                };
                let post = self.remote_post(object, actor, 3).await?;
                node.receive_post(actor, post).await?;
            }
            InboundActivity::Update(update) => {
                let object_id = update.object_id().unwrap_or_default();
                if object_id == actor_id {
                    self.resolve_actor(actor_id, true)
                        .await
                        .map_err(|e| e.obtaining(actor_id))?;
                } else if let Some(object) = update.embedded().filter(|o| o.is_post()) {
                    update.check_object_origin(actor_id)?;
                    let post = self.remote_post(object, actor, 0).await?;
                    match node.receive_post_update(actor, post).await {
                        Ok(()) | Err(node::NodeError::NotFound(_)) => {}
                        Err(e) => return Err(e.into()),
                    }
                } else {
                    return Ok(Received::Ignored);
                }
            }
            InboundActivity::Delete(delete) => {
                let object_id = delete.object_id().unwrap_or_default();
                if object_id == actor_id {
                    node.receive_actor_delete(actor).await?;
                } else {
                    delete.check_object_origin(actor_id)?;
                    if let Some(outcome) = self.receive_attestation_delete(actor, object_id).await?
                    {
                        return Ok(outcome);
                    }
                    if let Some(outcome) = self.receive_course_delete(actor, object_id).await? {
                        return Ok(outcome);
                    }
                    if let Some(outcome) = self.receive_event_delete(actor, object_id).await? {
                        return Ok(outcome);
                    }
                    node.receive_post_delete(actor, object_id).await?;
                }
            }
            InboundActivity::Like(like) => {
                let Some(post) = known_post(node, &id_of(&like.object))? else {
                    return Ok(Received::Ignored);
                };
                node.like(&as_viewer, post.id).await?;
            }
            InboundActivity::Join(join) if self.local_course(&id_of(&join.object)).is_some() => {
                let Some(course) = self.local_course(&id_of(&join.object)) else {
                    return Ok(Received::Ignored);
                };
                let id = join.id.as_deref().unwrap_or_default();
                match node.receive_course_join(actor, course, id).await {
                    // Refused (full, archived, invitation only...): the
                    // Reject is queued; the Join itself was understood.
                    Ok(_)
                    | Err(node::NodeError::Conflict { .. })
                    | Err(node::NodeError::Forbidden(_)) => {}
                    Err(node::NodeError::NotFound(_)) | Err(node::NodeError::Invalid { .. }) => {
                        return Ok(Received::Ignored)
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            InboundActivity::Join(join) => {
                let Some(event) = self.local_event(&id_of(&join.object)) else {
                    return Ok(Received::Ignored);
                };
                let id = join.id.as_deref().unwrap_or_default();
                match node.receive_join(actor, event, id).await {
                    // Refused (cancelled, closed, invitation only...): the
                    // Reject is queued; the Join itself was understood.
                    Ok(_)
                    | Err(node::NodeError::Conflict { .. })
                    | Err(node::NodeError::Forbidden(_)) => {}
                    Err(node::NodeError::NotFound(_)) => return Ok(Received::Ignored),
                    Err(e) => return Err(e.into()),
                }
            }
            InboundActivity::Leave(leave) if self.local_course(&id_of(&leave.object)).is_some() => {
                if let Some(course) = self.local_course(&id_of(&leave.object)) {
                    match node.receive_course_leave(actor, course).await {
                        Ok(_) | Err(node::NodeError::NotFound(_)) => {}
                        Err(e) => return Err(e.into()),
                    }
                }
            }
            InboundActivity::Leave(leave) => {
                let Some(event) = self.local_event(&id_of(&leave.object)) else {
                    return Ok(Received::Ignored);
                };
                match node.receive_leave(actor, event).await {
                    Ok(_) | Err(node::NodeError::NotFound(_)) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            InboundActivity::Dislike(dislike) => {
                let Some(post) = known_post(node, &id_of(&dislike.object))? else {
                    return Ok(Received::Ignored);
                };
                node.receive_dislike(actor, post.id, true).await?;
            }
            InboundActivity::Announce(announce) if actor.is_group() => {
                return self.group_announce(announce, actor).await;
            }
            InboundActivity::Announce(announce) => {
                // A Group (a Lemmy community, FEP-1b12) announces the
                // activities of its members: a Create or Update of a post is
                // taken as the group sharing that post, which is fetched
                // from its own server (the group's copy is not trusted).
                // Other announced activities (likes, deletes...) are not.
                let Some(target) = announce.shared_post() else {
                    return Ok(Received::Ignored);
                };
                if target.is_empty() {
                    return Err(FederationError::Malformed("Announce of nothing".into()));
                }
                let post_id = match known_post(node, target)? {
                    Some(p) => p.id,
                    None => self
                        .fetch_post(target, 1)
                        .await
                        .map_err(|e| e.obtaining(target))?,
                };
                match node.boost(&as_viewer, post_id).await {
                    Ok(_)
                    | Err(node::NodeError::Forbidden(_))
                    | Err(node::NodeError::NotFound(_)) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            InboundActivity::Block(block) => {
                // A moderator's ban from a group (Lemmy's Block with a
                // `target`) is no personal block of the moderator's: it
                // must not cut their follows with our member. Bans from
                // remote groups are not applied yet.
                if block.is_group_ban() {
                    return Ok(Received::Ignored);
                }
                let Some(local) = self.local_member(&id_of(&block.object))? else {
                    return Ok(Received::Ignored);
                };
                node.block(&as_viewer, &local.username).await?;
            }
            InboundActivity::Flag(flag) => return self.flag(flag, actor, &as_viewer).await,
            InboundActivity::Offer(offer) => {
                return self.receive_certificate_offer(offer, actor).await
            }
            InboundActivity::Unsupported(_) => return Ok(Received::Ignored),
        }
        Ok(Received::Applied)
    }

    /// A `Flag` (a report from another server): its objects name one of
    /// our members and possibly some of their posts. Mastodon sends it from
    /// its instance actor, so the report is the server's unless a person
    /// sent it.
    async fn flag(
        &self,
        flag: &Flag,
        actor: &Member,
        as_viewer: &Viewer,
    ) -> Result<Received, FederationError> {
        let objects: Vec<&str> = flag.object_ids().collect();
        let mut target = None;
        for uri in &objects {
            if let Some(member) = self.local_member(uri)? {
                target = Some(member);
                break;
            }
        }
        let Some(target) = target else {
            return Ok(Received::Ignored);
        };
        let mut post_ids = Vec::new();
        for uri in &objects {
            if let Some(post) = known_post(&self.node, uri)? {
                if post.author_id == target.id {
                    post_ids.push(post.id);
                }
            }
        }
        post_ids.truncate(node::moderation::MAX_REPORTED_POSTS);
        let comment =
            crate::sanitize::plain_text(flag.content.as_deref().unwrap_or_default(), 1_000);
        let report = node::moderation::NewReport {
            target_id: target.id,
            post_ids,
            comment,
            category: None,
            forward: false,
        };
        let from_person = actor
            .remote
            .as_ref()
            .is_some_and(|r| r.actor_type == "Person");
        if from_person {
            self.node.create_report(as_viewer, report).await?;
        } else {
            let domain = actor
                .remote
                .as_ref()
                .map(|r| r.domain.clone())
                .unwrap_or_default();
            self.node.receive_server_report(&domain, report).await?;
        }
        Ok(Received::Applied)
    }

    async fn undo(
        &self,
        undo: &Undo,
        actor: &Member,
        as_viewer: &Viewer,
    ) -> Result<Received, FederationError> {
        let node: &Node = &self.node;
        let actor_id = remote_actor_id(actor);
        // The undone activity must be the actor's own.
        undo.check_undone_actor(actor_id)?;
        let Some(undone) = undo.undone() else {
            return Ok(Received::Ignored);
        };
        let target = undone.object_id().unwrap_or_default();
        match undone.kind.as_str() {
            "Follow" => {
                if let Some(local) = self.local_member(target)? {
                    node.receive_unfollow(actor, local.id).await?;
                }
            }
            "Like" => {
                if let Some(post) = known_post(node, target)? {
                    node.unlike(as_viewer, post.id).await?;
                }
            }
            "Join" if self.local_course(target).is_some() => {
                if let Some(course) = self.local_course(target) {
                    match node.receive_course_leave(actor, course).await {
                        Ok(_) | Err(node::NodeError::NotFound(_)) => {}
                        Err(e) => return Err(e.into()),
                    }
                }
            }
            "Join" => {
                if let Some(event) = self.local_event(target) {
                    match node.receive_leave(actor, event).await {
                        Ok(_) | Err(node::NodeError::NotFound(_)) => {}
                        Err(e) => return Err(e.into()),
                    }
                }
            }
            "Dislike" => {
                if let Some(post) = known_post(node, target)? {
                    node.receive_dislike(actor, post.id, false).await?;
                }
            }
            "Announce" => {
                if let Some(post) = known_post(node, target)? {
                    match node.unboost(as_viewer, post.id).await {
                        Ok(_) | Err(node::NodeError::NotFound(_)) => {}
                        Err(e) => return Err(e.into()),
                    }
                }
            }
            "Block" => {
                if let Some(local) = self.local_member(target)? {
                    node.unblock(as_viewer, &local.username).await?;
                }
            }
            _ => return Ok(Received::Ignored),
        }
        Ok(Received::Applied)
    }

    /// The local event an object id names, if any.
    fn local_event(&self, uri: &str) -> Option<node::Id> {
        match self.node.urls().parse(uri)? {
            protocol::local_urls::LocalUrl::Event { id, .. } => id.parse().ok(),
            _ => None,
        }
    }

    /// The local member an actor URI names, if any.
    fn local_member(&self, uri: &str) -> Result<Option<Member>, FederationError> {
        match local_username(&self.node, uri) {
            Some(name) => Ok(self.node.find_member(name)?.filter(Member::is_local)),
            None => Ok(None),
        }
    }

    /// The local follower an Accept/Reject of a Follow refers to: the
    /// embedded Follow's actor, or the member whose Follow had that id.
    fn follower_of(
        &self,
        answer: &FollowAnswer,
        remote: &Member,
    ) -> Result<Option<Member>, FederationError> {
        if let Some(actor) = answer.follower() {
            return self.local_member(actor);
        }
        // Only a Follow id of ours can be answered here.
        match answer.follow_id() {
            Some(id)
                if matches!(
                    self.node.urls().parse(id),
                    Some(protocol::local_urls::LocalUrl::Follow(_))
                ) =>
            {
                Ok(self.node.local_follower_by_activity(remote.id, id)?)
            }
            _ => Ok(None),
        }
    }
}

/// Whether the object of a `Create` or `Update` is an `Event`.
fn is_article(object: Option<&protocol::activities::PostObject>) -> bool {
    object.is_some_and(|o| o.kind.as_str() == "Article")
}

/// Whether the object of a `Create` is a `kd:Attestation`.
fn is_attestation(object: Option<&protocol::activities::PostObject>) -> bool {
    object.is_some_and(|o| o.kind.as_str() == protocol::activities::ATTESTATION_TYPE)
}

fn is_event(object: Option<&protocol::activities::PostObject>) -> bool {
    object.is_some_and(|o| o.kind.as_str() == "Event")
}

/// The `Event` a `Create` or `Update` body carries, read as one.
fn event_of(body: &[u8]) -> Result<EventObject, FederationError> {
    let activity: CreateOrUpdate<EventObject> =
        serde_json::from_slice(body).map_err(|e| FederationError::Malformed(e.to_string()))?;
    activity
        .object
        .and_then(|o| match o {
            ObjectRef::Object(event) => Some(event),
            ObjectRef::Id(_) => None,
        })
        .ok_or_else(|| FederationError::Malformed("no embedded Event".into()))
}

/// The ActivityPub id of a remote member (`""` for a local one).
fn remote_actor_id(actor: &Member) -> &str {
    actor
        .remote
        .as_ref()
        .map(|r| r.actor_id.as_str())
        .unwrap_or_default()
}
