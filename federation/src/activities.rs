//! Outgoing activities: an [`Outgoing`] intent of the node, rendered as
//! the ActivityPub JSON Mastodon expects, with the inboxes to send it to.

use std::collections::BTreeSet;

use node::model::{Member, Visibility};
use node::remote::Outgoing;
use node::{Id, Node, NodeError, NodeResult, Viewer};
use protocol::activities::{
    Activity, Announce, Audience, Block, CreateOrUpdate, Delete, Follow, FollowAnswer, Kind, Like,
    ObjectRef, Tombstone, Undo,
};
use protocol::activitystreams::PUBLIC;
use serde::Serialize;
use serde_json::Value;

use crate::objects::note;
use crate::uris::{delivery_inbox, member_uri, post_uri};

/// An activity ready to deliver.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// Its id.
    pub id: String,
    /// The JSON body.
    pub body: Value,
    /// The local member who signs it.
    pub signer: Id,
    /// Where it goes (shared inboxes preferred, de-duplicated).
    pub inboxes: Vec<String>,
    /// Other activities (id and body) sent with it, by the same signer to
    /// the same inboxes (a group's new thread announced as its object too).
    pub also: Vec<(String, Value)>,
}

/// Renders an intent; `None` when there is nothing left to send (the
/// record is gone, or nobody remote is addressed).
pub fn render(node: &Node, intent: &Outgoing) -> NodeResult<Option<Rendered>> {
    let rendered = match intent {
        Outgoing::Create { post } | Outgoing::Update { post } => {
            let Some(post) = node.post_record(*post)? else {
                return Ok(None);
            };
            let Some(author) = node.member_by_id(post.author_id)? else {
                return Ok(None);
            };
            let view = node.post(&Viewer::Member(Box::new(author.clone())), post.id)?;
            let object = note(node, &view, false);
            let create = matches!(intent, Outgoing::Create { .. });
            let id = if create {
                node.urls().create_of(&object.id)
            } else {
                node.urls()
                    .update_of(&object.id, post.edited_at.unwrap_or(post.created_at))
            };
            let kind = if create { "Create" } else { "Update" };
            let body = body(CreateOrUpdate::of_post(kind, id.clone(), object))?;
            let mut inboxes = post_audience(
                node,
                author.id,
                post.visibility,
                &post.mentions,
                post.in_reply_to_author,
            )?;
            // A post in a group of another server goes to that group,
            // which announces it to its members.
            add_remote_group(node, post.group, &mut inboxes)?;
            Rendered {
                id,
                body,
                signer: author.id,
                inboxes,
                also: Vec::new(),
            }
        }
        Outgoing::Delete {
            post,
            author,
            visibility,
            mentions,
            in_reply_to_author,
            group,
        } => {
            let Some(member) = node.member_by_id(*author)? else {
                return Ok(None);
            };
            let actor = member_uri(node, &member);
            let uri = crate::objects::object_id(node, &member.username, *post);
            let id = node.urls().delete_of(&uri);
            let delete = Delete::new(
                &id,
                &actor,
                vec![PUBLIC.into()],
                ObjectRef::Object(Tombstone::new(&uri)),
            );
            let mut inboxes =
                post_audience(node, *author, *visibility, mentions, *in_reply_to_author)?;
            add_remote_group(node, *group, &mut inboxes)?;
            Rendered {
                body: body(delete)?,
                id,
                signer: *author,
                inboxes,
                also: Vec::new(),
            }
        }
        Outgoing::Like { member, post } | Outgoing::Unlike { member, post } => {
            let (Some(liker), Some(post)) = (node.member_by_id(*member)?, node.post_record(*post)?)
            else {
                return Ok(None);
            };
            let actor = member_uri(node, &liker);
            let object = post_uri(node, &post)?;
            let like_id = node.urls().like(&liker.username, post.id);
            let like = Like::new(&like_id, &actor, &object);
            let undone = !matches!(intent, Outgoing::Like { .. });
            let (id, body) = sent_or_undone(node, undone, &actor, &like_id, like)?;
            Rendered {
                id,
                body,
                signer: liker.id,
                inboxes: inboxes_of(node, [post.author_id])?,
                also: Vec::new(),
            }
        }
        Outgoing::Announce {
            member,
            post,
            boost,
        }
        | Outgoing::UndoAnnounce {
            member,
            post,
            boost,
        } => {
            let (Some(booster), Some(post)) =
                (node.member_by_id(*member)?, node.post_record(*post)?)
            else {
                return Ok(None);
            };
            let actor = member_uri(node, &booster);
            let object = post_uri(node, &post)?;
            let author_uri = match node.member_by_id(post.author_id)? {
                Some(a) => member_uri(node, &a),
                None => return Ok(None),
            };
            let announce_id = node.urls().announce(&booster.username, boost);
            let announce = Announce::new(
                &announce_id,
                &actor,
                node::model::rfc3339::format(node::model::now_ms()),
                vec![PUBLIC.into()],
                vec![author_uri, node.urls().followers(&booster.username)],
                &object,
            );
            let undone = !matches!(intent, Outgoing::Announce { .. });
            let (id, body) = sent_or_undone(node, undone, &actor, &announce_id, announce)?;
            let mut inboxes: BTreeSet<String> = node
                .remote_follower_inboxes(booster.id)?
                .into_iter()
                .collect();
            inboxes.extend(inboxes_of(node, [post.author_id])?);
            Rendered {
                id,
                body,
                signer: booster.id,
                inboxes: inboxes.into_iter().collect(),
                also: Vec::new(),
            }
        }
        Outgoing::Follow {
            follower,
            followee,
            activity_id,
        }
        | Outgoing::UndoFollow {
            follower,
            followee,
            activity_id,
        } => {
            let (Some(local), Some(remote)) =
                (node.member_by_id(*follower)?, node.member_by_id(*followee)?)
            else {
                return Ok(None);
            };
            let actor = member_uri(node, &local);
            let follow = Follow::new(activity_id, &actor, &member_uri(node, &remote));
            let undone = !matches!(intent, Outgoing::Follow { .. });
            let (id, body) = sent_or_undone(node, undone, &actor, activity_id, follow)?;
            Rendered {
                id,
                body,
                signer: local.id,
                inboxes: personal_inbox(&remote),
                also: Vec::new(),
            }
        }
        Outgoing::Accept {
            follower,
            followee,
            activity_id,
        }
        | Outgoing::Reject {
            follower,
            followee,
            activity_id,
        } => {
            let (Some(remote), Some(local)) =
                (node.member_by_id(*follower)?, node.member_by_id(*followee)?)
            else {
                return Ok(None);
            };
            let actor = member_uri(node, &local);
            let accept = matches!(intent, Outgoing::Accept { .. });
            let id = node.urls().follow_answer(
                &local.username,
                accept,
                remote.id,
                node::model::now_ms(),
            );
            let follow = Follow::new(activity_id, &member_uri(node, &remote), &actor);
            Rendered {
                body: body(FollowAnswer::new(accept, &id, &actor, follow))?,
                id,
                signer: local.id,
                inboxes: personal_inbox(&remote),
                also: Vec::new(),
            }
        }
        Outgoing::Block { blocker, blocked } | Outgoing::Unblock { blocker, blocked } => {
            let (Some(local), Some(remote)) =
                (node.member_by_id(*blocker)?, node.member_by_id(*blocked)?)
            else {
                return Ok(None);
            };
            let actor = member_uri(node, &local);
            let block_id = node.urls().block(&local.username, remote.id);
            let block = Block::new(&block_id, &actor, &member_uri(node, &remote));
            let undone = !matches!(intent, Outgoing::Block { .. });
            let (id, body) = sent_or_undone(node, undone, &actor, &block_id, block)?;
            Rendered {
                id,
                body,
                signer: local.id,
                inboxes: personal_inbox(&remote),
                also: Vec::new(),
            }
        }
        Outgoing::UpdateProfile { member } => {
            let Some(local) = node.member_by_id(*member)? else {
                return Ok(None);
            };
            let Ok(person) = crate::discovery::person(node, &local.username) else {
                return Ok(None);
            };
            let actor = member_uri(node, &local);
            let id = node.urls().update_of(&actor, node::model::now_ms());
            let update = CreateOrUpdate {
                context: None,
                id: Some(id.clone()),
                kind: Kind::new("Update"),
                actor: Some(ObjectRef::Id(actor)),
                published: None,
                to: Audience(vec![PUBLIC.into()]),
                cc: None,
                object: Some(ObjectRef::Object(person)),
            };
            Rendered {
                body: body(update)?,
                id,
                signer: local.id,
                inboxes: node.remote_follower_inboxes(local.id)?,
                also: Vec::new(),
            }
        }
        Outgoing::DeleteActor { member } => {
            let Some(local) = node.member_by_id(*member)?.filter(Member::is_local) else {
                return Ok(None);
            };
            let actor = member_uri(node, &local);
            let id = node.urls().delete_of(&actor);
            let delete = Delete::new(
                &id,
                &actor,
                vec![PUBLIC.into()],
                ObjectRef::Id(actor.clone()),
            );
            Rendered {
                body: body(delete)?,
                id,
                signer: local.id,
                inboxes: node.remote_contact_inboxes(local.id)?,
                also: Vec::new(),
            }
        }
        Outgoing::Course { course, created } => {
            match crate::course_objects::course_activity(node, *course, *created)? {
                Some(rendered) => rendered,
                None => return Ok(None),
            }
        }
        Outgoing::CourseDeleted { object, actor } => {
            match crate::course_objects::course_deleted(node, object, *actor)? {
                Some(rendered) => rendered,
                None => return Ok(None),
            }
        }
        Outgoing::CourseJoinAnswer {
            course,
            member,
            activity_id,
            accept,
        } => match crate::course_objects::course_join_answer(
            node,
            *course,
            *member,
            activity_id,
            *accept,
        )? {
            Some(rendered) => rendered,
            None => return Ok(None),
        },
        Outgoing::CourseJoin {
            course,
            member,
            activity_id,
            leave,
        } => match crate::course_objects::course_join_activity(
            node,
            *course,
            *member,
            activity_id,
            *leave,
        )? {
            Some(rendered) => rendered,
            None => return Ok(None),
        },
        Outgoing::CertificateOffer { certificate } => {
            match crate::course_objects::certificate_offer(node, *certificate)? {
                Some(rendered) => rendered,
                None => return Ok(None),
            }
        }
        Outgoing::Event { event, created } => {
            match crate::event_objects::event_activity(node, *event, *created)? {
                Some(rendered) => rendered,
                None => return Ok(None),
            }
        }
        Outgoing::EventDeleted { object, organiser } => {
            match crate::event_objects::event_deleted(node, object, *organiser)? {
                Some(rendered) => rendered,
                None => return Ok(None),
            }
        }
        Outgoing::JoinAnswer {
            event,
            member,
            activity_id,
            accept,
        } => {
            match crate::event_objects::join_answer(node, *event, *member, activity_id, *accept)? {
                Some(rendered) => rendered,
                None => return Ok(None),
            }
        }
        Outgoing::EventJoin {
            event,
            member,
            activity_id,
            leave,
        } => match crate::event_objects::join_activity(node, *event, *member, activity_id, *leave)?
        {
            Some(rendered) => rendered,
            None => return Ok(None),
        },
        Outgoing::Attestation {
            attestation,
            sender,
        } => match crate::attestation_objects::attestation_create(node, attestation, *sender)? {
            Some(rendered) => rendered,
            None => return Ok(None),
        },
        Outgoing::AttestationWithdrawn {
            object,
            sender,
            subject,
        } => match crate::attestation_objects::attestation_delete(node, object, *sender, *subject)?
        {
            Some(rendered) => rendered,
            None => return Ok(None),
        },
        Outgoing::Group { group, activity } => {
            match crate::group_activities::render(node, *group, activity)? {
                Some(rendered) => rendered,
                None => return Ok(None),
            }
        }
    };
    if rendered.inboxes.is_empty() {
        return Ok(None);
    }
    Ok(Some(rendered))
}

/// The JSON body of an activity sent on its own (with its context).
fn body<A: Activity + Serialize>(activity: A) -> NodeResult<Value> {
    serde_json::to_value(activity.with_context())
        .map_err(|e| NodeError::Internal(format!("an activity as JSON: {e}")))
}

/// The id and body of `activity` (its id `id`, by `actor`) as sent, or,
/// when it is `undone`, of its `Undo`.
fn sent_or_undone<A: Activity + Serialize>(
    node: &Node,
    undone: bool,
    actor: &str,
    id: &str,
    activity: A,
) -> NodeResult<(String, Value)> {
    if !undone {
        return Ok((id.to_string(), body(activity)?));
    }
    let undo_id = node.urls().undo_of(id);
    Ok((undo_id.clone(), body(Undo::new(&undo_id, actor, activity))?))
}

fn personal_inbox(member: &Member) -> Vec<String> {
    member
        .remote
        .as_ref()
        .map(|r| vec![r.inbox.clone()])
        .unwrap_or_default()
}

/// The delivery inboxes of those members that are remote.
fn inboxes_of(node: &Node, ids: impl IntoIterator<Item = Id>) -> NodeResult<Vec<String>> {
    let mut out = BTreeSet::new();
    for id in ids {
        if let Some(m) = node.member_by_id(id)? {
            if let Some(inbox) = delivery_inbox(&m) {
                out.insert(inbox);
            }
        }
    }
    Ok(out.into_iter().collect())
}

/// Who receives a post: remote followers (unless direct), remote
/// mentioned accounts, and the remote author it answers (unless that would
/// widen a direct post's audience).
fn post_audience(
    node: &Node,
    author: Id,
    visibility: Visibility,
    mentions: &[Id],
    in_reply_to_author: Option<Id>,
) -> NodeResult<Vec<String>> {
    let mut inboxes = BTreeSet::new();
    if visibility != Visibility::Direct {
        inboxes.extend(node.remote_follower_inboxes(author)?);
        inboxes.extend(inboxes_of(node, in_reply_to_author)?);
    }
    inboxes.extend(inboxes_of(node, mentions.iter().copied())?);
    Ok(inboxes.into_iter().collect())
}

/// Adds the inbox of `group` when it is a group of another server.
fn add_remote_group(node: &Node, group: Option<Id>, inboxes: &mut Vec<String>) -> NodeResult<()> {
    let Some(group) = group else {
        return Ok(());
    };
    if let Some(inbox) = node
        .member_by_id(group)?
        .filter(|g| g.is_remote_group())
        .as_ref()
        .and_then(delivery_inbox)
    {
        if !inboxes.contains(&inbox) {
            inboxes.push(inbox);
        }
    }
    Ok(())
}
