//! Outgoing gossip: the node's gossip intents become envelopes signed with
//! the author's key, stored (so sync serves them) and broadcast. An intent
//! is removed in the same write that stores its envelope, so a crash in
//! between publishes it again, never loses it; a broadcast nobody heard
//! (no peer yet) is covered by sync.

use std::sync::Arc;
use std::time::Duration;

use node::gossip::{GossipIntent, PostBody};
use node::model::{Member, Visibility};
use node::{Id, Node, NodeResult};
use protocol::envelope::Kind;
use tokio::sync::{broadcast, mpsc, watch};

use super::Command;
use crate::service::Federation;

/// Intents handled per round.
const ROUND: usize = 128;

/// What a local post's envelope says, or `None` if it is no longer public
/// (deleted, edited away, or not a local post).
pub(crate) fn post_body(node: &Node, id: Id) -> NodeResult<Option<(Member, i64, PostBody)>> {
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
    let base = node.config().base_url();
    let body = PostBody {
        uri: crate::uris::post_uri(node, &post)?,
        url: format!("{base}/@{}/{}", author.username, post.id),
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
    };
    Ok(Some((author, post.created_at, body)))
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
        let handled = match publish_round(&node, &commands).await {
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

async fn publish_round(node: &Node, commands: &mpsc::Sender<Command>) -> NodeResult<usize> {
    let pending = node.pending_gossip(ROUND)?;
    for (intent, what) in &pending {
        match publish_one(node, *intent, what).await {
            Ok(Some(bytes)) => {
                let _ = commands
                    .send(Command::Publish {
                        kind: Kind::Post,
                        bytes,
                    })
                    .await;
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

/// Signs and stores one intent's envelope; `None` if there is nothing to
/// publish any more.
async fn publish_one(node: &Node, intent: Id, what: &GossipIntent) -> NodeResult<Option<Vec<u8>>> {
    match what {
        GossipIntent::Post { post } => {
            let Some((author, created, body)) = post_body(node, *post)? else {
                return Ok(None);
            };
            let envelope = node
                .publish_envelope(intent, &author, Kind::Post, created, body.to_map())
                .await?;
            tracing::debug!(id = %envelope.id_hex(), post = %post, "gossip record signed");
            Ok(Some(envelope.bytes))
        }
    }
}
