//! Events as ActivityStreams `Event` objects with the properties Mobilizon
//! publishes (`startTime`, `endTime`, `timezone`, `location` as a `Place`
//! with a schema.org `PostalAddress`, `joinMode`,
//! `maximumAttendeeCapacity`, `remainingAttendeeCapacity`,
//! `participantCount`, `isOnline`, `category`, `status`, the online
//! address as a `Link` attachment), the organisers' answers to a
//! `Join`, and the `Join` and `Leave` of members here for events of other
//! servers.

use node::community_events::{
    CommunityEvent, EventFormat, EventStatus, EventView, RegistrationMode,
};
use node::{Id, Node, NodeError, NodeResult, Viewer};
use protocol::activities::{Activity, Join, Leave};
use protocol::activitystreams::PUBLIC;
use serde_json::{json, Map, Value};

use crate::activities::Rendered;
use crate::uris::{delivery_inbox, member_uri};

/// The name Mobilizon gives the `Link` attachment that is an event's online
/// address.
const ONLINE_ADDRESS: &str = "Website";

/// The JSON-LD context of an event: ActivityStreams with the terms
/// Mobilizon and schema.org add.
fn event_context() -> Value {
    json!([
        protocol::activities::CONTEXT,
        {
            "sc": "http://schema.org#",
            "mz": "https://joinmobilizon.org/ns#",
            "ical": "http://www.w3.org/2002/12/cal/ical#",
            "PostalAddress": "sc:PostalAddress",
            "address": {"@id": "sc:address", "@type": "sc:PostalAddress"},
            "streetAddress": "sc:streetAddress",
            "addressLocality": "sc:addressLocality",
            "addressCountry": "sc:addressCountry",
            "maximumAttendeeCapacity": "sc:maximumAttendeeCapacity",
            "remainingAttendeeCapacity": "sc:remainingAttendeeCapacity",
            "participantCount": {"@id": "mz:participantCount", "@type": "sc:Integer"},
            "joinMode": {"@id": "mz:joinMode", "@type": "mz:joinModeType"},
            "isOnline": {"@id": "mz:isOnline", "@type": "sc:Boolean"},
            "timezone": {"@id": "mz:timezone", "@type": "sc:Text"},
            "category": "sc:category",
            "status": {"@id": "ical:status", "@type": "ical:status"},
        }
    ])
}

/// The ActivityPub id of a local event (under its organiser's actor: the
/// group for a group's event).
pub fn event_id(node: &Node, event: &CommunityEvent) -> NodeResult<String> {
    let organiser = event.group.unwrap_or(event.organiser);
    let name = node.username_by_id(organiser)?;
    Ok(node.urls().event(&name, event.id))
}

/// An RFC 3339 time of `ms` (UTC).
fn time(ms: i64) -> String {
    node::model::rfc3339::format(ms)
}

/// The `Event` object of `view`, as anyone may see it.
pub fn event_object(node: &Node, view: &EventView, with_context: bool) -> NodeResult<Value> {
    let event = &view.event;
    let urls = node.urls();
    let id = event_id(node, event)?;
    let attributed = event.group.unwrap_or(event.organiser);
    let attributed_to = match node.member_by_id(attributed)? {
        Some(m) => member_uri(node, &m),
        None => return Err(NodeError::NotFound("organiser")),
    };
    let organiser_name = node.username_by_id(attributed)?;
    let mut object = Map::new();
    if with_context {
        object.insert("@context".into(), event_context());
    }
    object.insert("id".into(), json!(id));
    object.insert("type".into(), json!("Event"));
    object.insert("url".into(), json!(urls.event_page(event.id)));
    object.insert("attributedTo".into(), json!(attributed_to));
    object.insert("to".into(), json!([PUBLIC]));
    object.insert("cc".into(), json!([urls.followers(&organiser_name)]));
    object.insert("name".into(), json!(event.title));
    // Mastodon shows an `Event` as its name, its `summary` and a link:
    // the summary says when and where.
    object.insert(
        "summary".into(),
        json!(node::posts::escape_html(
            &node::community_events::summary_text(event)
        )),
    );
    object.insert("content".into(), json!(event.description_html));
    object.insert("mediaType".into(), json!("text/html"));
    object.insert("startTime".into(), json!(time(event.start)));
    object.insert("endTime".into(), json!(time(event.end)));
    object.insert("timezone".into(), json!(event.timezone));
    object.insert(
        "joinMode".into(),
        json!(match event.registration {
            RegistrationMode::Open => "free",
            RegistrationMode::Approval => "restricted",
            RegistrationMode::Invite => "invite",
        }),
    );
    object.insert(
        "status".into(),
        json!(match event.status {
            EventStatus::Cancelled => "CANCELLED",
            EventStatus::Draft => "TENTATIVE",
            EventStatus::Open | EventStatus::Finished => "CONFIRMED",
        }),
    );
    object.insert("participantCount".into(), json!(view.registered_count));
    if let Some(capacity) = event.capacity {
        object.insert("maximumAttendeeCapacity".into(), json!(capacity));
        object.insert(
            "remainingAttendeeCapacity".into(),
            json!(view.seats_left.unwrap_or(0).max(0)),
        );
    }
    object.insert(
        "isOnline".into(),
        json!(matches!(event.format, EventFormat::Online)),
    );
    if let Some(category) = &event.category {
        object.insert("category".into(), json!(category.to_uppercase()));
    }
    object.insert(
        "tag".into(),
        Value::Array(
            event
                .tags
                .iter()
                .map(|t| json!({"type": "Hashtag", "name": format!("#{t}"), "href": urls.tag(t)}))
                .collect(),
        ),
    );
    if let Some(place) = &event.location {
        let mut location = json!({
            "type": "Place",
            "name": place.name,
            "address": {
                "type": "PostalAddress",
                "streetAddress": place.address,
                "addressLocality": place.locality,
                "addressCountry": place.country,
            },
        });
        if let (Some(lat), Some(lon)) = (place.lat, place.lon) {
            location["latitude"] = json!(lat);
            location["longitude"] = json!(lon);
        }
        object.insert("location".into(), location);
    }
    let mut attachment = Vec::new();
    if let Some(url) = event.stream_url.as_ref().or(event.online_url.as_ref()) {
        attachment.push(json!({
            "type": "Link",
            "href": url,
            "mediaType": "text/html",
            "name": ONLINE_ADDRESS,
        }));
    }
    object.insert("attachment".into(), Value::Array(attachment));
    Ok(Value::Object(object))
}

/// The `Event` `organiser/events/id` as anonymous readers may see it (404
/// otherwise: a private group's event, a draft).
pub fn public_event(node: &Node, organiser: &str, id: Id) -> NodeResult<Value> {
    let view = node.event(&Viewer::Anonymous, id)?;
    let expected = event_id(node, &view.event)?;
    if expected != node.urls().event(organiser, id) {
        return Err(NodeError::NotFound("event"));
    }
    event_object(node, &view, true)
}

/// The organisers' `Accept` (or `Reject`) of `member`'s `Join`
/// `activity_id` of `event`, to their inbox.
pub(crate) fn join_answer(
    node: &Node,
    event: Id,
    member: Id,
    activity_id: &str,
    accept: bool,
) -> NodeResult<Option<Rendered>> {
    let (Some(record), Some(participant)) = (node.event_record(event)?, node.member_by_id(member)?)
    else {
        return Ok(None);
    };
    let Some(inbox) = participant.remote.as_ref().map(|r| r.inbox.clone()) else {
        return Ok(None);
    };
    let signer_id = record.group.unwrap_or(record.organiser);
    let Some(signer) = node.member_by_id(signer_id)? else {
        return Ok(None);
    };
    let actor = member_uri(node, &signer);
    let id = node.urls().join_answer(
        &signer.username,
        accept,
        participant.id,
        node::model::now_ms(),
    );
    let body = json!({
        "@context": protocol::activities::CONTEXT,
        "id": id,
        "type": if accept { "Accept" } else { "Reject" },
        "actor": actor,
        "object": {
            "id": activity_id,
            "type": "Join",
            "actor": member_uri(node, &participant),
            "object": event_id(node, &record)?,
        },
    });
    Ok(Some(Rendered {
        id,
        body,
        signer: signer.id,
        inboxes: vec![inbox],
        also: Vec::new(),
    }))
}

/// The `Create` (`created`) or `Update` of the local event `event` by its
/// organiser (or group), for that account's followers on other servers:
/// its id, body, signer and inboxes; `None` when the event is gone or
/// no longer public.
pub(crate) fn event_activity(
    node: &Node,
    event: Id,
    created: bool,
) -> NodeResult<Option<Rendered>> {
    let view = match node.event(&Viewer::Anonymous, event) {
        Ok(view) => view,
        Err(NodeError::NotFound(_)) | Err(NodeError::Forbidden(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    let author = view.event.group.unwrap_or(view.event.organiser);
    let Some(account) = node.member_by_id(author)? else {
        return Ok(None);
    };
    let object = event_object(node, &view, false)?;
    let object_id = event_id(node, &view.event)?;
    let (kind, id) = if created {
        ("Create", node.urls().create_of(&object_id))
    } else {
        (
            "Update",
            node.urls().update_of(&object_id, view.event.updated_at),
        )
    };
    let body = json!({
        "@context": event_context(),
        "id": id,
        "type": kind,
        "actor": member_uri(node, &account),
        "to": [PUBLIC],
        "cc": [node.urls().followers(&account.username)],
        "object": object,
    });
    Ok(Some(Rendered {
        id,
        body,
        signer: account.id,
        inboxes: node.remote_follower_inboxes(account.id)?,
        also: Vec::new(),
    }))
}

/// The `Delete` of the local event `object` by `organiser`, for its
/// followers on other servers.
pub(crate) fn event_deleted(
    node: &Node,
    object: &str,
    organiser: Id,
) -> NodeResult<Option<Rendered>> {
    let Some(account) = node.member_by_id(organiser)? else {
        return Ok(None);
    };
    let id = node.urls().delete_of(object);
    let body = json!({
        "@context": protocol::activities::CONTEXT,
        "id": id,
        "type": "Delete",
        "actor": member_uri(node, &account),
        "to": [PUBLIC],
        "object": {"id": object, "type": "Tombstone"},
    });
    Ok(Some(Rendered {
        id,
        body,
        signer: account.id,
        inboxes: node.remote_follower_inboxes(account.id)?,
        also: Vec::new(),
    }))
}

/// The `Join` (or, `leave`, the `Leave`) of the event of another server
/// `event` by the local `member`, its id `activity_id` (the `Leave` is
/// named after it), to the event's organiser and group.
pub(crate) fn join_activity(
    node: &Node,
    event: Id,
    member: Id,
    activity_id: &str,
    leave: bool,
) -> NodeResult<Option<Rendered>> {
    let (Some(record), Some(local)) = (node.event_record(event)?, node.member_by_id(member)?)
    else {
        return Ok(None);
    };
    let Some(remote) = &record.remote else {
        return Ok(None);
    };
    let mut inboxes = Vec::new();
    for account in [Some(record.organiser), remote.group].into_iter().flatten() {
        if let Some(inbox) = node
            .member_by_id(account)?
            .as_ref()
            .and_then(delivery_inbox)
        {
            if !inboxes.contains(&inbox) {
                inboxes.push(inbox);
            }
        }
    }
    let actor = member_uri(node, &local);
    let (id, body) = if leave {
        let id = node.urls().leave_of(activity_id);
        let body = serde_json::to_value(Leave::new(&id, &actor, &remote.uri).with_context());
        (id, body)
    } else {
        let body = serde_json::to_value(Join::new(activity_id, &actor, &remote.uri).with_context());
        (activity_id.to_string(), body)
    };
    let body = body.map_err(|e| node::NodeError::Internal(format!("an activity as JSON: {e}")))?;
    Ok(Some(Rendered {
        id,
        body,
        signer: local.id,
        inboxes,
        also: Vec::new(),
    }))
}
