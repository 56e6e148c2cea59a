//! ActivityPub ids of members and posts, local or remote, and the way
//! back from a local id to the record it names.

use node::model::{Member, MemberSummary, Post};
use node::{Id, Node, NodeResult};
use protocol::local_urls::LocalUrl;

use crate::discovery::actor_id;

/// The actor id of any member: its remote id, or this node's URL.
pub fn member_uri(node: &Node, member: &Member) -> String {
    match &member.remote {
        Some(r) => r.actor_id.clone(),
        None => actor_id(node, &member.username),
    }
}

/// The actor id of a member summary (remote handles contain `@`).
pub fn summary_uri(node: &Node, summary: &MemberSummary) -> String {
    if summary.username.contains('@') {
        if let Ok(Some(m)) = node.member_by_id(summary.id) {
            return member_uri(node, &m);
        }
    }
    actor_id(node, &summary.username)
}

/// The inbox to reach a remote member with (its server's shared inbox
/// when it has one: one request per server).
pub fn delivery_inbox(member: &Member) -> Option<String> {
    member
        .remote
        .as_ref()
        .map(|r| r.delivery_inbox().to_string())
}

/// The object id of a post: its remote id, or this node's URL.
pub fn post_uri(node: &Node, post: &Post) -> NodeResult<String> {
    if let Some(r) = &post.remote {
        return Ok(r.uri.clone());
    }
    let author = node.username_by_id(post.author_id)?;
    Ok(crate::objects::object_id(node, &author, post.id))
}

/// The local member a URL of this node names (`{base}/users/NAME`).
pub fn local_username<'a>(node: &Node, uri: &'a str) -> Option<&'a str> {
    match node.urls().parse(uri)? {
        LocalUrl::Actor(name) => Some(name),
        _ => None,
    }
}

/// The local post a URL of this node names (`{base}/users/NAME/statuses/ID`).
pub fn local_post_id(node: &Node, uri: &str) -> Option<Id> {
    match node.urls().parse(uri)? {
        LocalUrl::Post { id, .. } => id.parse().ok(),
        _ => None,
    }
}

/// The post (local or remote) an object id names, if known here.
pub fn known_post(node: &Node, uri: &str) -> NodeResult<Option<Post>> {
    let id = match local_post_id(node, uri) {
        Some(id) => Some(id),
        None => node.post_id_by_uri(uri)?,
    };
    match id {
        Some(id) => node.post_record(id),
        None => Ok(None),
    }
}
