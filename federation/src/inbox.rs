//! The inbox: verify who sent an activity, check what they may do, and
//! apply it to the node. Nothing is stored before every check passed.

use node::model::Member;
use node::{Node, Viewer};
use protocol::http_signature::{self, Policy, SignedRequest};
use serde_json::Value;

use crate::error::FederationError;
use crate::json::{id_of, str_of, type_of};
use crate::notes::{check_same_origin, POST_TYPES};
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
        let activity: Value = serde_json::from_slice(&req.body)
            .map_err(|e| FederationError::Malformed(format!("not JSON: {e}")))?;
        let actor_uri = activity
            .get("actor")
            .and_then(id_of)
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
        let activity_id = str_of(&activity, "id").to_string();
        if !activity_id.is_empty() {
            check_same_origin(&activity_id, actor_uri)?;
            if self.node.seen_activity(&activity_id)? {
                return Ok(Received::Duplicate);
            }
        }
        let actor = self
            .node
            .member_by_id(key.member)?
            .ok_or_else(|| FederationError::Internal("key without account".into()))?;
        let outcome = match self.apply(&activity, &actor).await {
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

    /// Applies a verified activity from `actor`.
    async fn apply(&self, activity: &Value, actor: &Member) -> Result<Received, FederationError> {
        let node: &Node = &self.node;
        let object = activity.get("object").unwrap_or(&Value::Null);
        let object_id = id_of(object).unwrap_or_default();
        let actor_id = actor
            .remote
            .as_ref()
            .map(|r| r.actor_id.as_str())
            .unwrap_or_default();
        let as_viewer = Viewer::Member(Box::new(actor.clone()));
        match type_of(activity) {
            "Follow" => {
                let Some(local) = self.local_member(object_id)? else {
                    return Ok(Received::Ignored);
                };
                let id = str_of(activity, "id");
                node.receive_follow(actor, local.id, id).await?;
            }
            "Accept" | "Reject" => {
                let Some(local) = self.follower_of(object, actor)? else {
                    return Ok(Received::Ignored);
                };
                if type_of(activity) == "Accept" {
                    node.receive_follow_accept(actor, local.id).await?;
                } else {
                    node.receive_follow_reject(actor, local.id).await?;
                }
            }
            "Undo" => return self.undo(object, actor, &as_viewer).await,
            "Create" => {
                if !POST_TYPES.contains(&type_of(object)) || !object.is_object() {
                    return Ok(Received::Ignored);
                }
                let post = self.remote_post(object, actor, 3).await?;
                node.receive_post(actor, post).await?;
            }
            "Update" => {
                let kind = type_of(object);
                if object_id == actor_id {
                    self.resolve_actor(actor_id, true)
                        .await
                        .map_err(|e| e.obtaining(actor_id))?;
                } else if POST_TYPES.contains(&kind) && object.is_object() {
                    check_same_origin(object_id, actor_id)?;
                    let post = self.remote_post(object, actor, 0).await?;
                    match node.receive_post_update(actor, post).await {
                        Ok(()) | Err(node::NodeError::NotFound(_)) => {}
                        Err(e) => return Err(e.into()),
                    }
                } else {
                    return Ok(Received::Ignored);
                }
            }
            "Delete" => {
                if object_id == actor_id {
                    node.receive_actor_delete(actor).await?;
                } else {
                    check_same_origin(object_id, actor_id)?;
                    node.receive_post_delete(actor, object_id).await?;
                }
            }
            "Like" => {
                let Some(post) = known_post(node, object_id)? else {
                    return Ok(Received::Ignored);
                };
                node.like(&as_viewer, post.id).await?;
            }
            "Announce" => {
                // A Group (a Lemmy community, FEP-1b12) announces the
                // activities of its members: a Create or Update of a post is
                // taken as the group sharing that post, which is fetched
                // from its own server (the group's copy is not trusted).
                // Other announced activities (likes, deletes...) are not.
                let target = match type_of(object) {
                    "Create" | "Update" if object.is_object() => {
                        object.get("object").and_then(id_of).unwrap_or_default()
                    }
                    kind if object.is_object() && !POST_TYPES.contains(&kind) => {
                        return Ok(Received::Ignored)
                    }
                    _ => object_id,
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
            "Block" => {
                let Some(local) = self.local_member(object_id)? else {
                    return Ok(Received::Ignored);
                };
                node.block(&as_viewer, &local.username).await?;
            }
            "Flag" => return self.flag(activity, actor, &as_viewer).await,
            _ => return Ok(Received::Ignored),
        }
        Ok(Received::Applied)
    }

    /// A `Flag` (a report from another server): its objects name one of
    /// our members and possibly some of their posts. Mastodon sends it from
    /// its instance actor, so the report is the server's unless a person
    /// sent it.
    async fn flag(
        &self,
        activity: &Value,
        actor: &Member,
        as_viewer: &Viewer,
    ) -> Result<Received, FederationError> {
        let objects: Vec<&str> = match activity.get("object") {
            Some(Value::Array(items)) => items.iter().filter_map(id_of).collect(),
            Some(one) => id_of(one).into_iter().collect(),
            None => Vec::new(),
        };
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
        let comment = crate::sanitize::plain_text(str_of(activity, "content"), 1_000);
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
        object: &Value,
        actor: &Member,
        as_viewer: &Viewer,
    ) -> Result<Received, FederationError> {
        let node: &Node = &self.node;
        let actor_id = actor
            .remote
            .as_ref()
            .map(|r| r.actor_id.as_str())
            .unwrap_or_default();
        // The undone activity must be the actor's own.
        if let Some(inner_actor) = object.get("actor").and_then(id_of) {
            if inner_actor != actor_id {
                return Err(FederationError::Forbidden(
                    "undoing another actor's activity".into(),
                ));
            }
        }
        let target = object.get("object").and_then(id_of).unwrap_or_default();
        match type_of(object) {
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
        follow: &Value,
        remote: &Member,
    ) -> Result<Option<Member>, FederationError> {
        if let Some(actor) = follow.get("actor").and_then(id_of) {
            return self.local_member(actor);
        }
        // Only a Follow id of ours can be answered here.
        match id_of(follow) {
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
