//! What a local group announces to its members on other servers
//! (FEP-1b12, as Lemmy federates a community): the `Announce`, by the
//! group, of the activity that happened in it (a post created, edited or
//! deleted, a like, a moderator's ban, lock or pin), sent to the group's
//! remote followers.
//!
//! A moderator's removal is Lemmy's: a `Delete` by the moderator with a
//! `summary`, which tells it from the author's own deletion.
//!
//! A new thread is also announced as its bare object (`Announce` of the
//! `Note`), which is what Mastodon understands (it ignores an announced
//! `Create`); Lemmy reads both, and so does this node.

use std::collections::BTreeSet;

use node::model::{Member, Post, PostView};
use node::remote::GroupActivity;
use node::{Id, Node, NodeResult, Viewer};
use protocol::activities::{
    AddOrRemove, Block, CreateOrUpdate, Delete, Dislike, Like, Lock, ObjectRef, Tombstone, Undo,
};
use protocol::activitystreams::{Note, PUBLIC};
use serde::Serialize;
use serde_json::{json, Value};

use crate::activities::Rendered;
use crate::objects::note;
use crate::uris::{delivery_inbox, member_uri, post_uri};

/// Renders the group `group`'s announce of `activity`; `None` when there
/// is nothing left to send (the group, post or member gone, nobody
/// elsewhere in the group).
pub(crate) fn render(
    node: &Node,
    group: Id,
    activity: &GroupActivity,
) -> NodeResult<Option<Rendered>> {
    let Some(group) = node.member_by_id(group)?.filter(Member::is_local) else {
        return Ok(None);
    };
    let group_uri = member_uri(node, &group);
    let Some(inner) = inner_activity(node, &group, &group_uri, activity)? else {
        return Ok(None);
    };
    let mut inboxes: BTreeSet<String> = node
        .remote_follower_inboxes(group.id)?
        .into_iter()
        .collect();
    if let GroupActivity::Ban { member, .. } = activity {
        // The banned member hears of it even though they are out.
        if let Some(inbox) = node
            .member_by_id(*member)?
            .as_ref()
            .and_then(delivery_inbox)
        {
            inboxes.insert(inbox);
        }
    }
    let followers = node.urls().followers(&group.username);
    let announce = |inner_id: &str, object: Value| {
        let id = node.urls().group_announce(&group.username, inner_id);
        let body = json!({
            "@context": protocol::activities::CONTEXT,
            "id": id,
            "type": "Announce",
            "actor": group_uri,
            "to": [PUBLIC],
            "cc": [followers],
            "object": object,
        });
        (id, body)
    };
    let (id, body) = announce(&inner.id, inner.body);
    let also = match inner.bare_object {
        Some((object_id, object)) => vec![announce(&object_id, object)],
        None => Vec::new(),
    };
    Ok(Some(Rendered {
        id,
        body,
        signer: group.id,
        inboxes: inboxes.into_iter().collect(),
        also,
    }))
}

/// The announced activity: its id and JSON (without `@context`), and for
/// a new thread its object on its own.
struct Inner {
    id: String,
    body: Value,
    bare_object: Option<(String, Value)>,
}

fn inner_activity(
    node: &Node,
    group: &Member,
    group_uri: &str,
    activity: &GroupActivity,
) -> NodeResult<Option<Inner>> {
    let urls = node.urls();
    let addressed = |mut body: Value| {
        if let Some(map) = body.as_object_mut() {
            map.remove("@context");
            map.insert("to".into(), json!([PUBLIC]));
            map.insert("cc".into(), json!([group_uri]));
            map.insert("audience".into(), json!(group_uri));
        }
        body
    };
    let inner = match activity {
        GroupActivity::Create { post } | GroupActivity::Update { post } => {
            let Some((record, object)) = post_object(node, *post)? else {
                return Ok(None);
            };
            let create = matches!(activity, GroupActivity::Create { .. });
            let (kind, id) = if create {
                ("Create", urls.create_of(&object.id))
            } else {
                let at = record.edited_at.unwrap_or(record.created_at);
                ("Update", urls.update_of(&object.id, at))
            };
            let bare = (create && record.in_reply_to.is_none())
                .then(|| to_json(&object).map(|json| (object.id.clone(), json)))
                .transpose()?;
            let body = to_json(&CreateOrUpdate::of_post(kind, id.clone(), object))?;
            Inner {
                id,
                body,
                bare_object: bare,
            }
        }
        GroupActivity::Delete { object, author, by } => {
            let who = by.unwrap_or(*author);
            let Some(actor) = node.member_by_id(who)? else {
                return Ok(None);
            };
            // The id is on the server of whoever deletes: a moderator here
            // removing another server's post names it in the group's ids.
            let id = if actor.is_local() && urls.parse(object).is_none() {
                urls.group_removal(&group.username, object)
            } else {
                urls.delete_of(object)
            };
            let delete = Delete::new(
                &id,
                &member_uri(node, &actor),
                vec![PUBLIC.into()],
                ObjectRef::Object(Tombstone::new(object)),
            );
            let mut body = addressed(to_json(&delete)?);
            // A moderator's removal carries a `summary` (its reason; empty
            // here, as Lemmy sends a removal without one): Lemmy takes a
            // `Delete` without it as the author's own, and refuses it from
            // anyone else.
            if let (Some(_), Some(map)) = (by, body.as_object_mut()) {
                map.insert("summary".into(), json!(""));
            }
            Inner {
                body,
                id,
                bare_object: None,
            }
        }
        GroupActivity::Like {
            member,
            post,
            undone,
            dislike,
        } => {
            let (Some(liker), Some(record)) =
                (node.member_by_id(*member)?, node.post_record(*post)?)
            else {
                return Ok(None);
            };
            let actor = member_uri(node, &liker);
            let object = post_uri(node, &record)?;
            let kind = if *dislike { "dislikes" } else { "likes" };
            let vote_id = if liker.is_local() && !dislike {
                urls.like(&liker.username, record.id)
            } else {
                urls.group_activity(&group.username, kind, format!("{}/{}", liker.id, record.id))
            };
            if *dislike {
                let vote = Dislike::new(&vote_id, &actor, &object);
                undoable(node, *undone, &actor, &vote_id, vote, addressed)?
            } else {
                let vote = Like::new(&vote_id, &actor, &object);
                undoable(node, *undone, &actor, &vote_id, vote, addressed)?
            }
        }
        GroupActivity::Ban {
            moderator,
            member,
            undone,
        } => {
            let (Some(moderator), Some(banned)) =
                (node.member_by_id(*moderator)?, node.member_by_id(*member)?)
            else {
                return Ok(None);
            };
            let actor = member_uri(node, &moderator);
            let block_id = urls.group_activity(
                &group.username,
                "bans",
                format!("{}/{}", banned.id, node::model::now_ms()),
            );
            let block = Block::ban(&block_id, &actor, &member_uri(node, &banned), group_uri);
            undoable(node, *undone, &actor, &block_id, block, addressed)?
        }
        GroupActivity::Lock {
            moderator,
            post,
            undone,
        } => {
            let Some(act) = ModeratorAct::of(node, &group.username, "locks", *moderator, *post)?
            else {
                return Ok(None);
            };
            let lock = Lock::new(&act.id, &act.actor, &act.object);
            undoable(node, *undone, &act.actor, &act.id, lock, addressed)?
        }
        GroupActivity::Pin {
            moderator,
            post,
            undone,
        } => {
            let Some(act) = ModeratorAct::of(node, &group.username, "pins", *moderator, *post)?
            else {
                return Ok(None);
            };
            let featured = urls.featured(&group.username);
            let pin = AddOrRemove::new(!undone, &act.id, &act.actor, &act.object, &featured);
            Inner {
                body: addressed(to_json(&pin)?),
                id: act.id,
                bare_object: None,
            }
        }
    };
    Ok(Some(inner))
}

/// A moderator's action on a post of the group: its id (in the group's
/// ids, `kind` and a timestamp: the same action done again is a new
/// activity), the moderator's actor id and the post's object id.
struct ModeratorAct {
    id: String,
    actor: String,
    object: String,
}

impl ModeratorAct {
    /// `None` when the moderator or the post is gone.
    fn of(
        node: &Node,
        group: &str,
        kind: &str,
        moderator: Id,
        post: Id,
    ) -> NodeResult<Option<ModeratorAct>> {
        let (Some(moderator), Some(record)) =
            (node.member_by_id(moderator)?, node.post_record(post)?)
        else {
            return Ok(None);
        };
        Ok(Some(ModeratorAct {
            id: node.urls().group_activity(
                group,
                kind,
                format!("{}/{}", record.id, node::model::now_ms()),
            ),
            actor: member_uri(node, &moderator),
            object: post_uri(node, &record)?,
        }))
    }
}

/// `activity` (id `id`, by `actor`), or, `undone`, its `Undo`, addressed
/// to the group.
fn undoable<A: Serialize + protocol::activities::Activity>(
    node: &Node,
    undone: bool,
    actor: &str,
    id: &str,
    activity: A,
    addressed: impl Fn(Value) -> Value,
) -> NodeResult<Inner> {
    if !undone {
        return Ok(Inner {
            id: id.to_string(),
            body: addressed(to_json(&activity)?),
            bare_object: None,
        });
    }
    let undo_id = node.urls().undo_of(id);
    let undo = Undo::new(&undo_id, actor, activity);
    Ok(Inner {
        id: undo_id,
        body: addressed(to_json(&undo)?),
        bare_object: None,
    })
}

/// A post of the group as an object: a member's here as they publish it,
/// another server's as its author published it (its own id, page and
/// author), from the copy this node holds.
fn post_object(node: &Node, post: Id) -> NodeResult<Option<(Post, Note)>> {
    let Some(record) = node.post_record(post)? else {
        return Ok(None);
    };
    let Some(author) = node.member_by_id(record.author_id)? else {
        return Ok(None);
    };
    let view: PostView = node.post(&Viewer::Member(Box::new(author.clone())), record.id)?;
    let mut object = note(node, &view, false);
    if let Some(remote) = &record.remote {
        object.id = remote.uri.clone();
        object.url = remote.url.clone();
        object.attributed_to = member_uri(node, &author);
        object.replies = None;
        object.to = vec![PUBLIC.into()];
        object.cc = object.audience.iter().cloned().collect();
    }
    Ok(Some((record, object)))
}

fn to_json<T: Serialize>(value: &T) -> NodeResult<Value> {
    serde_json::to_value(value)
        .map_err(|e| node::NodeError::Internal(format!("an activity as JSON: {e}")))
}
