//! Courses on the wire, outbound: a published course as an `Article`
//! with Kodeon's terms ([`protocol::activities::course_context`]), which
//! Mastodon shows as a post (its name, its `summary` in words and a link
//! to its page), its `Create`, `Update` and `Delete` for its actor's
//! followers, the instructors' answers to `Join`s of accounts of other
//! servers, the `Join` and `Leave` of members here for courses of other
//! servers, and the `Offer` of a certificate to a learner of another
//! server, addressed to that account alone.

use node::courses::{Course, CourseLevel, CourseStatus, CourseView, EnrolmentMode};
use node::{Id, Node, NodeError, NodeResult, Viewer};
use protocol::activities::{course_context, iso_duration, Activity, Join, Leave};
use protocol::activitystreams::PUBLIC;
use serde_json::{json, Map, Value};

use crate::activities::Rendered;
use crate::uris::{delivery_inbox, member_uri};

/// The ActivityPub id of a local course (under its group's actor, else
/// under its maker's).
pub fn course_id(node: &Node, course: &Course) -> NodeResult<String> {
    let name = node.username_by_id(Node::course_actor(course))?;
    Ok(node.urls().course(&name, course.id))
}

/// A level in words.
fn level_word(level: CourseLevel) -> &'static str {
    match level {
        CourseLevel::Beginner => "beginner",
        CourseLevel::Intermediate => "intermediate",
        CourseLevel::Advanced => "advanced",
    }
}

/// `minutes` in words ("2 h 30 min").
fn minutes_words(minutes: u64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// What Mastodon shows of a course under its name: level, length,
/// syllabus size, who teaches, and whether it earns a certificate.
pub fn summary_text(view: &CourseView, teachers: &[String]) -> String {
    let course = &view.course;
    let mut parts = vec![format!("Course, {}", level_word(course.level))];
    let minutes = course
        .duration_minutes
        .map(u64::from)
        .or((view.lesson_minutes > 0).then_some(view.lesson_minutes));
    match (&course.duration_text, minutes) {
        (Some(text), _) if course.duration_minutes.is_none() => parts.push(text.clone()),
        (_, Some(m)) => parts.push(minutes_words(m)),
        _ => {}
    }
    let modules = view.outline.len();
    parts.push(format!(
        "{modules} module{}, {} lesson{}",
        if modules == 1 { "" } else { "s" },
        view.lessons_total,
        if view.lessons_total == 1 { "" } else { "s" }
    ));
    if !teachers.is_empty() {
        parts.push(format!("taught by {}", teachers.join(", ")));
    }
    if course.certificate {
        parts.push("certificate".into());
    }
    if course.status == CourseStatus::Archived {
        parts.push("archived".into());
    }
    parts.join(" · ")
}

/// The course object of `view`, as anyone may see it.
pub fn course_object(node: &Node, view: &CourseView, with_context: bool) -> NodeResult<Value> {
    let course = &view.course;
    let urls = node.urls();
    let actor = node
        .member_by_id(Node::course_actor(course))?
        .ok_or(NodeError::NotFound("instructor"))?;
    let mut instructors = Vec::new();
    let mut teachers = Vec::new();
    for id in &course.instructors {
        if let Some(m) = node.member_by_id(*id)? {
            instructors.push(member_uri(node, &m));
            teachers.push(if m.profile.full_name.is_empty() {
                m.username.clone()
            } else {
                m.profile.full_name.clone()
            });
        }
    }
    let prerequisites: Vec<String> = course
        .prerequisites
        .iter()
        .map(|p| match p {
            node::courses::Prerequisite::Course { id } => urls.course_page(id),
            node::courses::Prerequisite::Remote { url } => url.clone(),
        })
        .collect();
    let mut object = Map::new();
    if with_context {
        object.insert("@context".into(), course_context());
    }
    object.insert("id".into(), json!(course_id(node, course)?));
    object.insert("type".into(), json!("Article"));
    object.insert("url".into(), json!(urls.course_page(course.id)));
    object.insert("attributedTo".into(), json!(member_uri(node, &actor)));
    object.insert("to".into(), json!([PUBLIC]));
    object.insert("cc".into(), json!([urls.followers(&actor.username)]));
    object.insert("name".into(), json!(course.title));
    object.insert(
        "summary".into(),
        json!(node::posts::escape_html(&summary_text(view, &teachers))),
    );
    object.insert("content".into(), json!(course.description_html));
    object.insert("mediaType".into(), json!("text/html"));
    object.insert(
        "published".into(),
        json!(node::model::rfc3339::format(course.created_at)),
    );
    object.insert(
        "updated".into(),
        json!(node::model::rfc3339::format(course.updated_at)),
    );
    object.insert("level".into(), json!(level_word(course.level)));
    if let Some(category) = &course.category {
        object.insert("category".into(), json!(category));
    }
    if let Some(minutes) = course.duration_minutes {
        object.insert("duration".into(), json!(iso_duration(minutes)));
    }
    object.insert("moduleCount".into(), json!(view.outline.len()));
    object.insert("lessonCount".into(), json!(view.lessons_total));
    object.insert(
        "enrolmentMode".into(),
        json!(match course.enrolment {
            EnrolmentMode::Open => "open",
            EnrolmentMode::Approval => "approval",
            EnrolmentMode::Invite => "invite",
        }),
    );
    if let Some(capacity) = course.capacity {
        object.insert("capacity".into(), json!(capacity));
    }
    if let Some(price) = &course.price {
        object.insert(
            "price".into(),
            json!(format!("{} {}", price.amount, price.currency)),
        );
    }
    object.insert("grantsCertificate".into(), json!(course.certificate));
    object.insert(
        "courseStatus".into(),
        json!(match course.status {
            CourseStatus::Archived => "archived",
            _ => "published",
        }),
    );
    object.insert("prerequisites".into(), json!(prerequisites));
    object.insert("instructors".into(), json!(instructors));
    if course.group.is_some() {
        object.insert("group".into(), json!(member_uri(node, &actor)));
    }
    object.insert(
        "tag".into(),
        Value::Array(
            course
                .tags
                .iter()
                .map(|t| json!({"type": "Hashtag", "name": format!("#{t}"), "href": urls.tag(t)}))
                .collect(),
        ),
    );
    Ok(Value::Object(object))
}

/// The course `actor/courses/id` as anonymous readers may see it (404
/// otherwise: a draft, another actor's path).
pub fn public_course(node: &Node, actor: &str, id: Id) -> NodeResult<Value> {
    let view = node.course(&Viewer::Anonymous, id)?;
    if course_id(node, &view.course)? != node.urls().course(actor, id) {
        return Err(NodeError::NotFound("course"));
    }
    course_object(node, &view, true)
}

/// The `Create` (`created`) or `Update` of the local course `course` by
/// its actor, for that account's followers on other servers; `None` when
/// it is gone or no longer public.
pub(crate) fn course_activity(
    node: &Node,
    course: Id,
    created: bool,
) -> NodeResult<Option<Rendered>> {
    let view = match node.course(&Viewer::Anonymous, course) {
        Ok(view) => view,
        Err(NodeError::NotFound(_)) | Err(NodeError::Forbidden(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    let Some(account) = node.member_by_id(Node::course_actor(&view.course))? else {
        return Ok(None);
    };
    let object = course_object(node, &view, false)?;
    let object_id = course_id(node, &view.course)?;
    let (kind, id) = if created {
        ("Create", node.urls().create_of(&object_id))
    } else {
        (
            "Update",
            node.urls().update_of(&object_id, view.course.updated_at),
        )
    };
    let body = json!({
        "@context": course_context(),
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

/// The `Delete` of the local course `object` by `actor`, for its
/// followers on other servers.
pub(crate) fn course_deleted(node: &Node, object: &str, actor: Id) -> NodeResult<Option<Rendered>> {
    let Some(account) = node.member_by_id(actor)? else {
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

/// The course actor's `Accept` (or `Reject`) of `member`'s `Join`
/// `activity_id` of `course`, to their inbox.
pub(crate) fn course_join_answer(
    node: &Node,
    course: Id,
    member: Id,
    activity_id: &str,
    accept: bool,
) -> NodeResult<Option<Rendered>> {
    let record = match node.course(&Viewer::Anonymous, course) {
        Ok(view) => view.course,
        Err(NodeError::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    let Some(learner) = node.member_by_id(member)? else {
        return Ok(None);
    };
    let Some(inbox) = learner.remote.as_ref().map(|r| r.inbox.clone()) else {
        return Ok(None);
    };
    let Some(signer) = node.member_by_id(Node::course_actor(&record))? else {
        return Ok(None);
    };
    let id = node
        .urls()
        .join_answer(&signer.username, accept, learner.id, node::model::now_ms());
    let body = json!({
        "@context": protocol::activities::CONTEXT,
        "id": id,
        "type": if accept { "Accept" } else { "Reject" },
        "actor": member_uri(node, &signer),
        "object": {
            "id": activity_id,
            "type": "Join",
            "actor": member_uri(node, &learner),
            "object": course_id(node, &record)?,
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

/// The `Join` (or, `leave`, the `Leave`) of the course of another server
/// `course` by the local `member`, its id `activity_id`, to the course's
/// actor.
pub(crate) fn course_join_activity(
    node: &Node,
    course: Id,
    member: Id,
    activity_id: &str,
    leave: bool,
) -> NodeResult<Option<Rendered>> {
    let (Some(record), Some(local)) = (
        node.remote_course_record(course)?,
        node.member_by_id(member)?,
    ) else {
        return Ok(None);
    };
    let Some(inbox) = node
        .member_by_id(record.actor)?
        .as_ref()
        .and_then(delivery_inbox)
    else {
        return Ok(None);
    };
    let actor = member_uri(node, &local);
    let uri = &record.remote.uri;
    let (id, body) = if leave {
        let id = node.urls().leave_of(activity_id);
        (
            id.clone(),
            serde_json::to_value(Leave::new(&id, &actor, uri).with_context()),
        )
    } else {
        (
            activity_id.to_string(),
            serde_json::to_value(Join::new(activity_id, &actor, uri).with_context()),
        )
    };
    let body = body.map_err(|e| NodeError::Internal(format!("an activity as JSON: {e}")))?;
    Ok(Some(Rendered {
        id,
        body,
        signer: local.id,
        inboxes: vec![inbox],
        also: Vec::new(),
    }))
}

/// The `Offer` of the certificate `certificate` by its course's actor to
/// the account of another server that earned it: addressed to that
/// account alone, sent to its own inbox (never a shared one), never
/// public.
pub(crate) fn certificate_offer(node: &Node, certificate: Id) -> NodeResult<Option<Rendered>> {
    let record = match node.certificate(certificate) {
        Ok(c) => c,
        Err(NodeError::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    let Some(holder) = node.member_by_id(record.member)? else {
        return Ok(None);
    };
    let Some(inbox) = holder.remote.as_ref().map(|r| r.inbox.clone()) else {
        return Ok(None);
    };
    let course = match node.course(&Viewer::Anonymous, record.course) {
        Ok(view) => view.course,
        Err(NodeError::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    let Some(signer) = node.member_by_id(Node::course_actor(&course))? else {
        return Ok(None);
    };
    let id = node.urls().certificate_offer(certificate);
    let recipient = member_uri(node, &holder);
    let body = json!({
        "@context": protocol::activities::CONTEXT,
        "id": id,
        "type": "Offer",
        "actor": member_uri(node, &signer),
        "to": [recipient],
        "target": recipient,
        "object": Value::Object(record.credential),
    });
    Ok(Some(Rendered {
        id,
        body,
        signer: signer.id,
        inboxes: vec![inbox],
        also: Vec::new(),
    }))
}
