//! Outgoing gossip: the node's gossip intents become envelopes signed with
//! the author's key, stored (so sync serves them) and broadcast. An intent
//! is removed in the same write that stores its envelope, so a crash in
//! between publishes it again, never loses it; a broadcast nobody heard
//! (no peer yet) is covered by sync.

use std::sync::Arc;
use std::time::Duration;

use node::gossip::{DeleteBody, FollowBody, GossipIntent, PostBody, ProfileBody};
use node::model::{now_ms, Member, Visibility};
use node::{Id, Node, NodeResult};
use protocol::envelope::{Envelope, Kind};
use tokio::sync::{broadcast, mpsc, watch};

use super::Command;
use crate::service::Federation;

/// Intents handled per round.
const ROUND: usize = 128;

/// A local public post as a record: its author, created and edited
/// times (ms), and body.
pub(crate) struct PostRecord {
    pub author: Member,
    pub created: i64,
    pub edited: Option<i64>,
    pub body: PostBody,
}

/// What a local post's envelope says, or `None` if it is no longer public
/// (deleted, edited away, or not a local post).
pub(crate) fn post_body(node: &Node, id: Id) -> NodeResult<Option<PostRecord>> {
    let Some(post) = node.post_record(id)? else {
        return Ok(None);
    };
    if post.remote.is_some() || post.visibility != Visibility::Public {
        return Ok(None);
    }
    let Some(author) = node.member_by_id(post.author_id)?.filter(Member::is_local) else {
        return Ok(None);
    };
    let in_reply_to = match post.in_reply_to {
        Some(parent) => match node.post_record(parent)? {
            Some(p) => Some(crate::uris::post_uri(node, &p)?),
            None => None,
        },
        None => None,
    };
    let body = PostBody {
        uri: crate::uris::post_uri(node, &post)?,
        url: node.urls().post_page(&author.username, post.id),
        actor: crate::discovery::actor_id(node, &author.username),
        handle: format!("{}@{}", author.username, node.config().domain),
        html: post.html.clone(),
        title: post.title.clone(),
        summary: post.spoiler_text.clone(),
        sensitive: post.sensitive,
        visibility: "public".into(),
        in_reply_to,
        tags: post.tags.clone(),
        language: post.language.clone(),
        group: match post.group {
            Some(group) => node
                .member_by_id(group)?
                .map(|g| crate::uris::member_uri(node, &g)),
            None => None,
        },
    };
    Ok(Some(PostRecord {
        author,
        created: post.created_at,
        edited: post.edited_at,
        body,
    }))
}

/// Publishes pending intents until `shutdown` turns true.
pub(crate) async fn run(
    federation: Arc<Federation>,
    commands: mpsc::Sender<Command>,
    mut shutdown: watch::Receiver<bool>,
) {
    let node = federation.node().clone();
    let mut events = node.subscribe();
    loop {
        let handled = match publish_round(&federation, &commands).await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "publishing gossip records failed");
                0
            }
        };
        if handled == ROUND {
            continue;
        }
        tokio::select! {
            _ = shutdown.changed() => break,
            event = events.recv() => {
                if let Err(broadcast::error::RecvError::Closed) = event {
                    break;
                }
            }
            _ = tokio::time::sleep(Duration::from_secs(10)) => {}
        }
        if *shutdown.borrow() {
            break;
        }
    }
}

async fn publish_round(
    federation: &Federation,
    commands: &mpsc::Sender<Command>,
) -> NodeResult<usize> {
    let node = federation.node();
    let pending = node.pending_gossip(ROUND)?;
    for (intent, what) in &pending {
        match publish_one(federation, commands, *intent, what).await {
            Ok(Some(envelopes)) => {
                for (kind, bytes) in envelopes {
                    let _ = commands.send(Command::Publish { kind, bytes }).await;
                }
            }
            Ok(None) => node.drop_gossip_intent(*intent).await?,
            // The store failing is worth retrying; anything else (an author
            // gone, a body too large) never gets better: drop the intent.
            Err(e @ node::NodeError::Store(_)) => return Err(e),
            Err(e) => {
                tracing::warn!(intent = %intent, error = %e, "a gossip record cannot be published; dropped");
                node.drop_gossip_intent(*intent).await?;
            }
        }
    }
    Ok(pending.len())
}

/// Signs and stores one intent's envelopes (a member's profile goes
/// first when they have never published one); `None` if there is nothing
/// to publish any more.
async fn publish_one(
    federation: &Federation,
    commands: &mpsc::Sender<Command>,
    intent: Id,
    what: &GossipIntent,
) -> NodeResult<Option<Vec<(Kind, Vec<u8>)>>> {
    let node = federation.node();
    let mut out = Vec::new();
    let signed = match what {
        GossipIntent::Post { post } | GossipIntent::Edit { post } => {
            let kind = match what {
                GossipIntent::Post { .. } => Kind::Post,
                _ => Kind::Edit,
            };
            let Some(PostRecord {
                author,
                created,
                edited,
                body,
            }) = post_body(node, *post)?
            else {
                // Edited out of public view: it is gone for gossip readers.
                return match (kind, node.post_record(*post)?) {
                    (Kind::Edit, Some(p)) if p.remote.is_none() => {
                        let Some(author) = node.member_by_id(p.author_id)? else {
                            return Ok(None);
                        };
                        let body = DeleteBody {
                            actor: crate::discovery::actor_id(node, &author.username),
                            uri: Some(crate::uris::post_uri(node, &p)?),
                            attestation: None,
                        };
                        let signed = node
                            .publish_envelope(
                                intent,
                                &author,
                                Kind::Delete,
                                now_ms(),
                                body.to_map(),
                            )
                            .await?;
                        Ok(Some(vec![(Kind::Delete, signed.bytes)]))
                    }
                    _ => Ok(None),
                };
            };
            first_profile(node, &author, &mut out).await?;
            let created = match kind {
                Kind::Edit => edited.unwrap_or_else(now_ms),
                _ => created,
            };
            node.publish_envelope(intent, &author, kind, created, body.to_map())
                .await?
        }
        GossipIntent::DeletePost { author, post } => {
            let Some(author) = node.member_by_id(*author)?.filter(Member::is_local) else {
                return Ok(None);
            };
            let body = DeleteBody {
                actor: crate::discovery::actor_id(node, &author.username),
                uri: Some(crate::objects::object_id(node, &author.username, *post)),
                attestation: None,
            };
            node.publish_envelope(intent, &author, Kind::Delete, now_ms(), body.to_map())
                .await?
        }
        GossipIntent::Profile { member } => {
            let Some(author) = node.member_by_id(*member)?.filter(Member::is_local) else {
                return Ok(None);
            };
            let body = profile_body(node, &author)?;
            node.publish_envelope(intent, &author, Kind::Profile, now_ms(), body.to_map())
                .await?
        }
        GossipIntent::Follow { follower, followee }
        | GossipIntent::Unfollow { follower, followee } => {
            let kind = match what {
                GossipIntent::Follow { .. } => Kind::Follow,
                _ => Kind::Unfollow,
            };
            let (Some(author), Some(subject)) = (
                node.member_by_id(*follower)?.filter(Member::is_local),
                node.member_by_id(*followee)?,
            ) else {
                return Ok(None);
            };
            let did = subject.did();
            if did.is_empty() {
                // An account with no published key has no did:key to name.
                return Ok(None);
            }
            first_profile(node, &author, &mut out).await?;
            let body = FollowBody {
                actor: crate::discovery::actor_id(node, &author.username),
                subject: did,
                subject_actor: match &subject.remote {
                    Some(r) if r.domain.is_empty() => String::new(),
                    _ => crate::uris::member_uri(node, &subject),
                },
                activity: match kind {
                    Kind::Follow => node
                        .follow_activity_id(subject.id, author.id)?
                        .unwrap_or_default(),
                    _ => String::new(),
                },
            };
            if kind == Kind::Follow && subject.remote.as_ref().is_some_and(|r| r.gossip_only) {
                // Followed by key: what was parked here for it applies now,
                // and peers are asked for the rest.
                match super::ingest::replay_parked(federation, &subject.keys.ed25519_public).await {
                    Ok(0) => {}
                    Ok(n) => {
                        tracing::info!(records = n, "parked records of a followed key applied")
                    }
                    Err(e) => tracing::warn!(error = %e, "replaying parked records failed"),
                }
                let _ = commands
                    .send(Command::SyncAuthor {
                        did: body.subject.clone(),
                        peer: None,
                        since: 0,
                    })
                    .await;
            }
            node.publish_envelope(intent, &author, kind, now_ms(), body.to_map())
                .await?
        }
        GossipIntent::Broadcast { envelope } => {
            let Some(bytes) = node.envelope_bytes(envelope)? else {
                return Ok(None);
            };
            let kind = Envelope::decode_unverified(&bytes, now_ms())
                .map(|(e, _)| e.kind)
                .map_err(|e| node::NodeError::invalid("envelope", e.to_string()))?;
            node.drop_gossip_intent(intent).await?;
            out.push((kind, bytes));
            return Ok(Some(out));
        }
    };
    tracing::debug!(id = %signed.id_hex(), kind = ?signed.kind, "gossip record signed");
    out.push((signed.kind, signed.bytes));
    Ok(Some(out))
}

/// Publishes `author`'s profile before their first other record, so that
/// nodes that learn of them only over gossip know who they are.
async fn first_profile(
    node: &Node,
    author: &Member,
    out: &mut Vec<(Kind, Vec<u8>)>,
) -> NodeResult<()> {
    if node.profile_published(author.id)? {
        return Ok(());
    }
    let body = profile_body(node, author)?;
    let envelope = node
        .publish_profile_now(author, now_ms(), body.to_map())
        .await?;
    out.push((Kind::Profile, envelope.bytes));
    Ok(())
}

/// What a local member's profile record says: their actor document's
/// public fields.
fn profile_body(node: &Node, member: &Member) -> NodeResult<ProfileBody> {
    let actor = crate::discovery::person(node, &member.username)?;
    Ok(ProfileBody {
        handle: format!("{}@{}", member.username, node.config().domain),
        name: actor.name,
        summary: actor.summary,
        avatar: actor.icon.map(|i| i.url).unwrap_or_default(),
        url: actor.url,
        inbox: actor.inbox,
        shared_inbox: Some(actor.endpoints.shared_inbox),
        locked: actor.manually_approves_followers,
        actor: actor.id,
    })
}
