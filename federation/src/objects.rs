//! Posts as ActivityPub objects, and actors' collections (outbox,
//! followers, following), read-only so far.
//!
//! Only public and unlisted posts are served as objects: followers-only and
//! direct posts are delivered to their audience (once delivery exists), never
//! fetched anonymously.

use node::model::{PostView, Visibility};
use node::{Id, Node, NodeError, NodeResult, PageRequest, Viewer};
use protocol::activities::{Collection, CreateOrUpdate, CONTEXT};
use protocol::activitystreams::{Document, Note, Tag, PUBLIC};
use serde::Serialize;
use serde_json::Value;

use crate::discovery::actor_id;

/// The ActivityPub id of a post.
pub fn object_id(node: &Node, author: &str, id: Id) -> String {
    node.urls().post(author, id)
}

/// `to` and `cc` for a visibility, as Mastodon addresses them.
pub fn addressing(node: &Node, post: &PostView) -> (Vec<String>, Vec<String>) {
    let followers = node.urls().followers(&post.author.username);
    let mentioned: Vec<String> = post
        .mentions
        .iter()
        .map(|m| crate::uris::summary_uri(node, m))
        .collect();
    match post.visibility {
        Visibility::Public => (vec![PUBLIC.into()], [vec![followers], mentioned].concat()),
        Visibility::Unlisted => (vec![followers], [vec![PUBLIC.into()], mentioned].concat()),
        Visibility::Followers => ([vec![followers], mentioned].concat(), Vec::new()),
        Visibility::Direct => (mentioned, Vec::new()),
    }
}

/// A post as a `Note` (`Article` when it has a title).
pub fn note(node: &Node, post: &PostView, with_context: bool) -> Note {
    let urls = node.urls();
    let (to, mut cc) = addressing(node, post);
    // A post in a group is addressed to it too, and names it as its
    // `audience` (FEP-1b12), as Lemmy addresses a community's posts.
    let audience = post
        .group
        .as_ref()
        .map(|group| crate::uris::summary_uri(node, group));
    if let Some(group) = &audience {
        if !to.contains(group) && !cc.contains(group) {
            cc.push(group.clone());
        }
    }
    let mut tag: Vec<Tag> = post
        .tags
        .iter()
        .map(|t| Tag {
            kind: "Hashtag".into(),
            href: urls.tag(t),
            name: format!("#{t}"),
        })
        .collect();
    tag.extend(post.mentions.iter().map(|m| Tag {
        kind: "Mention".into(),
        href: crate::uris::summary_uri(node, m),
        name: if m.username.contains('@') {
            format!("@{}", m.username)
        } else {
            format!("@{}@{}", m.username, node.config().domain)
        },
    }));
    let id = object_id(node, &post.author.username, post.id);
    Note {
        context: with_context.then(|| Value::from(CONTEXT)),
        replies: Some(format!("{id}/replies")),
        audience,
        id,
        kind: if post.title.is_empty() {
            "Note".into()
        } else {
            "Article".into()
        },
        attributed_to: actor_id(node, &post.author.username),
        to,
        cc,
        name: (!post.title.is_empty()).then(|| post.title.clone()),
        summary: (!post.spoiler_text.is_empty()).then(|| post.spoiler_text.clone()),
        sensitive: post.sensitive,
        content: post.content.clone(),
        in_reply_to: post.in_reply_to.and_then(|parent| {
            node.post_record(parent)
                .ok()
                .flatten()
                .and_then(|p| crate::uris::post_uri(node, &p).ok())
        }),
        published: node::model::rfc3339::format(post.created_at),
        updated: post.edited_at.map(node::model::rfc3339::format),
        url: urls.post_page(&post.author.username, post.id),
        tag,
        attachment: post
            .media
            .iter()
            .map(|m| Document {
                kind: "Document".into(),
                media_type: m.content_type.clone(),
                url: urls.media(&m.file_name()),
                name: (!m.description.is_empty()).then(|| m.description.clone()),
                blurhash: Some(m.blurhash.clone()),
                width: m.width,
                height: m.height,
            })
            .collect(),
    }
}

/// The object for `author`'s post `id`, if it is public or unlisted.
pub fn public_note(node: &Node, author: &str, id: Id) -> NodeResult<Note> {
    let post = node.post(&Viewer::Anonymous, id)?;
    if post.boost.is_some() || !post.author.username.eq_ignore_ascii_case(author) {
        return Err(NodeError::NotFound("post"));
    }
    Ok(note(node, &post, true))
}

/// A collection (or page) as JSON.
fn json<T: Serialize>(collection: Collection<T>) -> NodeResult<Value> {
    serde_json::to_value(collection)
        .map_err(|e| NodeError::Internal(format!("a collection as JSON: {e}")))
}

/// A post as an item of its author's outbox: the `Create` activity of its
/// `Note`. A member's export of their posts is made of these too.
pub fn outbox_item(node: &Node, post: &PostView) -> CreateOrUpdate<Note> {
    let object = note(node, post, false);
    CreateOrUpdate::of_post("Create", node.urls().create_of(&object.id), object)
}

/// An actor's outbox: `Create` activities of public posts, newest first,
/// paged with `?page=true&max_id=`.
pub fn outbox(node: &Node, username: &str, page: Option<Option<Id>>) -> NodeResult<Value> {
    let profile = node.profile(&Viewer::Anonymous, username)?;
    let id = node.urls().outbox(&profile.username);
    let Some(max_id) = page else {
        let mut outbox = Collection::<()>::new("OrderedCollection", id.clone());
        outbox.total_items = Some(profile.posts_count);
        outbox.first = Some(format!("{id}?page=true"));
        return json(outbox);
    };
    let req = PageRequest {
        max_id,
        ..PageRequest::first(20)
    };
    let posts = node.member_posts(
        &Viewer::Anonymous,
        &profile.username,
        Default::default(),
        &req,
    )?;
    let items: Vec<CreateOrUpdate<Note>> = posts
        .items
        .iter()
        .filter(|p| p.boost.is_none() && p.visibility == Visibility::Public)
        .map(|p| outbox_item(node, p))
        .collect();
    let mut out = Collection::new(
        "OrderedCollectionPage",
        format!(
            "{id}?page=true{}",
            max_id.map(|m| format!("&max_id={m}")).unwrap_or_default()
        ),
    );
    out.part_of = Some(id.clone());
    out.ordered_items = Some(items);
    out.next = posts
        .next_max_id
        .map(|next| format!("{id}?page=true&max_id={next}"));
    json(out)
}

/// The replies to `author`'s public post `id`, as Mastodon pages them:
/// the collection links its first page; pages list the ids of the direct
/// replies an anonymous visitor may see, oldest first (`?page=true&min_id=`).
pub fn replies(node: &Node, author: &str, id: Id, page: Option<Option<Id>>) -> NodeResult<Value> {
    let parent = public_note(node, author, id)?;
    let collection = format!("{}/replies", parent.id);
    let Some(after) = page else {
        let mut replies = Collection::<()>::new("Collection", collection.clone());
        replies.first = Some(format!("{collection}?page=true"));
        return json(replies);
    };
    let request = node::PageRequest {
        min_id: Some(after.unwrap_or(Id::from_bytes([0; 16]))),
        ..node::PageRequest::first(40)
    };
    let page = node.replies(&Viewer::Anonymous, id, &request)?;
    let mut items = Vec::new();
    // The page comes newest first; federation reads replies oldest first.
    for reply in page.items.iter().rev() {
        items.push(match &reply.remote {
            Some(link) => link.uri.clone(),
            None => object_id(node, &reply.author.username, reply.id),
        });
    }
    let mut out = Collection::new(
        "CollectionPage",
        format!(
            "{collection}?page=true{}",
            after.map(|m| format!("&min_id={m}")).unwrap_or_default()
        ),
    );
    out.part_of = Some(collection.clone());
    out.items = Some(items);
    out.next = page
        .prev_min_id
        .filter(|_| page.items.len() == 40)
        .map(|newest| format!("{collection}?page=true&min_id={newest}"));
    json(out)
}

/// A group's `moderators` collection: the actor ids of its owner and
/// moderators, owner first (FEP-1b12; Lemmy reads it to apply moderators'
/// actions).
pub fn moderators_collection(node: &Node, name: &str) -> NodeResult<Value> {
    let ids: Vec<String> = node
        .group_moderators(name)?
        .iter()
        .map(|m| match &m.remote {
            Some(remote) => remote.uri.clone(),
            None => node.urls().actor(&m.username),
        })
        .collect();
    let mut out = Collection::new("OrderedCollection", node.urls().moderators(name));
    out.total_items = Some(ids.len() as i64);
    out.ordered_items = Some(ids);
    json(out)
}

/// An actor's `featured` collection: its pinned posts (none are pinned
/// yet, so it is empty; Mastodon asks for it of every account it sees).
pub fn featured_collection(node: &Node, username: &str) -> NodeResult<Value> {
    let profile = node.profile(&Viewer::Anonymous, username)?;
    let mut out =
        Collection::<String>::new("OrderedCollection", node.urls().featured(&profile.username));
    out.total_items = Some(0);
    out.ordered_items = Some(Vec::new());
    json(out)
}

/// An actor's followers or following collection: the count only (members'
/// lists are shown on their profile when their privacy allows).
pub fn follow_collection(node: &Node, username: &str, which: &str) -> NodeResult<Value> {
    let profile = node.profile(&Viewer::Anonymous, username)?;
    let (id, total) = if which == "followers" {
        (
            node.urls().followers(&profile.username),
            profile.followers_count,
        )
    } else {
        (
            node.urls().following(&profile.username),
            profile.following_count,
        )
    };
    let mut out = Collection::<()>::new("OrderedCollection", id);
    out.total_items = Some(total);
    json(out)
}
