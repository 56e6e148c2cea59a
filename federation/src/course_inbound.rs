//! Courses of other Kodeon nodes coming here: a `Create` or `Update` of a
//! course object from the account it is attributed to, its `Delete`, the
//! answers (`Accept`, `Reject`) to members' `Join`s, a course looked up by
//! URL for a signed-in member, and the `Offer` of a certificate one of
//! our members earned there (the outbound side is `course_objects.rs`).
//!
//! What is kept of a course is bounded: names cut to [`MAX_TEXT`]
//! characters, the description sanitised (`sanitize.rs`, itself bounded),
//! at most [`node::courses::MAX_REMOTE_COURSE_LIST`] tags, prerequisites
//! and instructors; the node bounds them again.
//!
//! **Invariants:** a course is believed only from its own server and its
//! own account: its id is on the sender's host and its `attributedTo` is
//! the sender. A certificate is believed only when its issuer is the
//! did:key the sender's server publishes for itself (the
//! `assertionMethod` of its instance actor, `/actor`, fetched from that
//! server) and it names the member's own did:key; it was addressed to
//! that member alone.

use node::courses::{CourseLevel, EnrolmentMode, RemoteCourseInput, MAX_REMOTE_COURSE_LIST};
use node::model::Member;
use node::Id;
use protocol::activities::{
    check_same_origin, ActorDocument, CourseObject, CreateOrUpdate, FollowAnswer, ObjectRef, Offer,
};
use protocol::local_urls::LocalUrl;
use protocol::urls::HttpUrl;
use serde::Deserialize;

use crate::error::FederationError;
use crate::inbox::Received;
use crate::resolve::Found;
use crate::sanitize::{plain_text, sanitize_html};
use crate::service::Federation;

/// Longest name or summary kept as plain text (characters).
pub const MAX_TEXT: usize = 300;

/// What the node takes of `object`, a course of another server.
pub fn course_input(object: &CourseObject) -> Result<RemoteCourseInput, FederationError> {
    let uri = object
        .id
        .clone()
        .ok_or_else(|| FederationError::Malformed("a course without an id".into()))?;
    let text = |v: Option<&str>| {
        plain_text(v.unwrap_or_default(), MAX_TEXT)
            .trim()
            .to_string()
    };
    let level = match object.level.as_deref() {
        Some("beginner") => Some(CourseLevel::Beginner),
        Some("intermediate") => Some(CourseLevel::Intermediate),
        Some("advanced") => Some(CourseLevel::Advanced),
        _ => None,
    };
    let enrolment = match object.enrolment_mode.as_deref() {
        Some("approval") => EnrolmentMode::Approval,
        Some("invite") => EnrolmentMode::Invite,
        _ => EnrolmentMode::Open,
    };
    let list = |ids: &[String]| -> Vec<String> {
        ids.iter()
            .take(MAX_REMOTE_COURSE_LIST)
            .filter(|u| u.len() <= 2_000)
            .cloned()
            .collect()
    };
    Ok(RemoteCourseInput {
        title: text(object.name.as_deref()),
        summary: text(object.summary.as_deref()),
        description_html: sanitize_html(object.content.as_deref().unwrap_or_default()),
        level,
        category: object
            .category
            .as_deref()
            .filter(|c| c.len() <= 64)
            .map(str::to_lowercase),
        tags: object
            .tag
            .iter()
            .filter(|t| t.kind.as_str() == "Hashtag")
            .filter_map(|t| t.name.as_deref())
            .map(|t| t.trim_start_matches('#').to_lowercase())
            .filter(|t| t.len() <= 64)
            .take(MAX_REMOTE_COURSE_LIST)
            .collect(),
        duration_minutes: object.duration_minutes(),
        modules: object.module_count,
        lessons: object.lesson_count,
        enrolment,
        capacity: object.capacity.filter(|c| *c > 0),
        price: object.price.as_deref().map(|p| text(Some(p))),
        certificate: object.grants_certificate.unwrap_or(false),
        archived: object.course_status.as_deref() == Some("archived"),
        prerequisites: list(object.prerequisites.ids()),
        instructors: list(object.instructors.ids()),
        url: object.url.clone().unwrap_or_else(|| uri.clone()),
        uri,
    })
}

/// The ActivityPub id of a remote account (`""` for a local one).
fn actor_uri(actor: &Member) -> &str {
    actor
        .remote
        .as_ref()
        .map(|r| r.actor_id.as_str())
        .unwrap_or_default()
}

/// The course object a `Create` or `Update` body carries, if it carries
/// one (an `Article` with an `enrolmentMode`).
pub(crate) fn course_of(body: &[u8]) -> Option<CourseObject> {
    let activity: CreateOrUpdate<CourseObject> = serde_json::from_slice(body).ok()?;
    match activity.object? {
        ObjectRef::Object(course) if course.is_course() => Some(course),
        _ => None,
    }
}

impl Federation {
    /// A `Create` or `Update` of the course `object` by `actor`: stored
    /// (or replaced) when its id is on `actor`'s server, it is attributed
    /// to `actor`, it is public, and somebody here follows `actor` (or
    /// belongs to it, a group) or knows the course; otherwise ignored.
    pub(crate) async fn receive_course(
        &self,
        object: &CourseObject,
        actor: &Member,
    ) -> Result<Received, FederationError> {
        let actor_id = actor_uri(actor);
        let uri = object.id.as_deref().unwrap_or_default();
        check_same_origin(uri, actor_id)?;
        if object.owner() != Some(actor_id) {
            return Err(FederationError::Forbidden(format!(
                "{actor_id} sent a course attributed to {}",
                object.owner().unwrap_or("nobody")
            )));
        }
        if !object.is_public() {
            return Ok(Received::Ignored);
        }
        if !self.node.wants_remote_course(actor.id, uri)? {
            return Ok(Received::Ignored);
        }
        self.node
            .store_remote_course(actor, course_input(object)?)
            .await?;
        Ok(Received::Applied)
    }

    /// The `Delete` of `object_id` by `actor`, when it is a course of
    /// another server stored here; `None` when it is not one.
    pub(crate) async fn receive_course_delete(
        &self,
        actor: &Member,
        object_id: &str,
    ) -> Result<Option<Received>, FederationError> {
        if self.node.remote_course_by_uri(object_id)?.is_none() {
            return Ok(None);
        }
        self.node
            .receive_remote_course_delete(actor, object_id)
            .await?;
        Ok(Some(Received::Applied))
    }

    /// An `Accept` or `Reject` of a member's `Join` of a course of another
    /// server, from `actor`; `None` when `answer` answers no course `Join`.
    pub(crate) async fn receive_course_join_answer(
        &self,
        answer: &FollowAnswer,
        actor: &Member,
        accept: bool,
    ) -> Result<Option<Received>, FederationError> {
        let join_id = answer.follow_id().unwrap_or_default();
        let Some(LocalUrl::CourseJoin { member, course }) = self.node.urls().parse(join_id) else {
            return Ok(None);
        };
        let Ok(course) = course.parse::<Id>() else {
            return Ok(Some(Received::Ignored));
        };
        match self
            .node
            .receive_course_join_answer(actor, member, course, join_id, accept)
            .await
        {
            Ok(true) => Ok(Some(Received::Applied)),
            Ok(false) | Err(node::NodeError::NotFound(_)) => Ok(Some(Received::Ignored)),
            Err(node::NodeError::Forbidden(why)) => Err(FederationError::Forbidden(why.into())),
            Err(e) => Err(e.into()),
        }
    }

    /// The local course an object id names, if any.
    pub(crate) fn local_course(&self, uri: &str) -> Option<Id> {
        match self.node.urls().parse(uri)? {
            LocalUrl::Course { id, .. } => id.parse().ok(),
            _ => None,
        }
    }

    /// The `Offer` of a certificate by `actor` (a course's account on its
    /// server) to one of our members: kept as the member's imported
    /// certificate when it was addressed to that member alone and checks
    /// (see the module's invariants). The issuing server's key is read
    /// from its instance actor.
    pub(crate) async fn receive_certificate_offer(
        &self,
        offer: &Offer,
        actor: &Member,
    ) -> Result<Received, FederationError> {
        let Some(credential) = offer.object.clone() else {
            return Ok(Received::Ignored);
        };
        let recipients = offer.to.ids();
        let Some(recipient) = offer.recipient() else {
            return Ok(Received::Ignored);
        };
        if recipients.len() != 1 || recipients[0] != recipient {
            return Err(FederationError::Forbidden(
                "a certificate is offered to its holder alone".into(),
            ));
        }
        let Some(holder) = self.local_person(recipient)? else {
            return Ok(Received::Ignored);
        };
        let host_key = self.host_key(actor_uri(actor)).await?;
        self.node
            .receive_certificate(actor, holder.id, &host_key, credential)
            .await?;
        Ok(Received::Applied)
    }

    /// The did:key the server of `actor_id` publishes as its own: the
    /// ed25519 `assertionMethod` of its instance actor (`/actor` on the
    /// same origin), controlled by that actor.
    async fn host_key(&self, actor_id: &str) -> Result<String, FederationError> {
        let instance = HttpUrl::parse(actor_id)
            .and_then(|u| u.join("/actor"))
            .map_err(|_| FederationError::BadUrl(actor_id.to_string()))?;
        let doc = self
            .fetch(instance.as_str())
            .await
            .map_err(|e| e.obtaining(instance.as_str()))?;
        let document = ActorDocument::deserialize(&doc)
            .map_err(|e| FederationError::Malformed(format!("{instance}: {e}")))?;
        let id = document.id.as_deref().unwrap_or_default();
        if id != instance.as_str() {
            return Err(FederationError::Forbidden(format!(
                "{instance} answered with another actor"
            )));
        }
        document
            .assertion_method
            .iter()
            .filter(|m| m.controller.as_deref() == Some(id))
            .find_map(|m| {
                identity::PublicKey::from_multikey(m.public_key_multibase.as_deref()?).ok()
            })
            .map(|key| key.to_did_key())
            .ok_or_else(|| {
                FederationError::Forbidden(format!("{instance} publishes no ed25519 key"))
            })
    }

    /// The local person an actor URI names, if any.
    fn local_person(&self, uri: &str) -> Result<Option<Member>, FederationError> {
        match crate::uris::local_username(&self.node, uri) {
            Some(name) => Ok(self
                .node
                .find_member(name)?
                .filter(|m| m.is_local() && !m.is_group())),
            None => Ok(None),
        }
    }

    /// The course `url` names, stored here: one of this node's own, or
    /// another Kodeon node's, fetched (through redirects) and believed
    /// only as the document of its own id, on the server of the account
    /// it is attributed to. Fetches from the network: callers decide who
    /// may make the node do that.
    pub async fn lookup_course(&self, url: &str) -> Result<Id, FederationError> {
        let start = HttpUrl::parse(url.trim())
            .map_err(|_| FederationError::BadUrl(url.to_string()))?
            .without_fragment();
        if let Some(LocalUrl::Course { id, .. }) = self.node.urls().parse(start.as_str()) {
            return id
                .parse()
                .map_err(|_| FederationError::Node(node::NodeError::NotFound("course")));
        }
        let (served_by, doc) = match self.follow(start).await? {
            Found::Document(served_by, doc) => (served_by, doc),
            Found::Known(_) => {
                return Err(FederationError::Malformed(format!("{url} is not a course")))
            }
        };
        let mut object = CourseObject::deserialize(&doc)
            .map_err(|e| FederationError::Malformed(format!("{url}: {e}")))?;
        let id = object.id.clone().unwrap_or_default();
        let id_url = HttpUrl::parse_canonical(&id)
            .map_err(|e| FederationError::Forbidden(format!("the course's id {id:?} {e}")))?;
        if !id_url.same_authority(&served_by) {
            return Err(FederationError::Forbidden(format!(
                "{served_by} served a course whose id is on {}",
                id_url.authority()
            )));
        }
        if id != served_by.as_str() {
            let again = self.fetch(&id).await?;
            object = CourseObject::deserialize(&again)
                .map_err(|e| FederationError::Malformed(format!("{id}: {e}")))?;
            if object.id.as_deref() != Some(id.as_str()) {
                return Err(FederationError::Forbidden(format!(
                    "{id} answered with another object"
                )));
            }
        }
        if !object.is_course() {
            return Err(FederationError::Malformed(format!("{id} is not a course")));
        }
        if !object.is_public() {
            return Err(FederationError::Forbidden(format!("{id} is not public")));
        }
        let owner_id = object
            .owner()
            .ok_or_else(|| FederationError::Malformed(format!("{id} has no attributedTo")))?
            .to_string();
        check_same_origin(&id, &owner_id)?;
        let owner = self.resolve_actor(&owner_id, false).await?;
        Ok(self
            .node
            .store_remote_course(&owner, course_input(&object)?)
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: serde_json::Value) -> CourseObject {
        serde_json::from_value(value).expect("course")
    }

    #[test]
    fn a_course_object_becomes_what_the_node_stores_sanitised_and_bounded() {
        let value = json!({
            "id": "https://a.example/users/ann/courses/1",
            "type": "Article",
            "url": "https://a.example/courses/1",
            "name": format!("<b>Soil</b>{}", "n".repeat(10_000)),
            "summary": "Course, beginner · 1 h 30 min",
            "content": "<p>What <strong>grows</strong><script>alert(1)</script></p>",
            "attributedTo": "https://a.example/users/ann",
            "level": "advanced",
            "duration": "PT1H30M",
            "moduleCount": 2,
            "lessonCount": 7,
            "enrolmentMode": "approval",
            "capacity": 0,
            "grantsCertificate": true,
            "courseStatus": "archived",
            "price": "49.99 USD",
            "prerequisites": (0..100).map(|i| format!("https://a.example/courses/p{i}")).collect::<Vec<_>>(),
            "instructors": ["https://a.example/users/ann"],
            "tag": (0..100).map(|i| json!({"type": "Hashtag", "name": format!("#T{i}")})).collect::<Vec<_>>(),
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
        });
        let input = course_input(&object(value)).expect("input");
        assert!(input.title.starts_with("Soil"), "{}", input.title);
        assert!(input.title.chars().count() <= MAX_TEXT);
        assert!(input.description_html.contains("<strong>grows</strong>"));
        assert!(!input.description_html.contains("script"));
        assert_eq!(input.level, Some(CourseLevel::Advanced));
        assert_eq!(input.duration_minutes, Some(90));
        assert_eq!((input.modules, input.lessons), (Some(2), Some(7)));
        assert_eq!(input.enrolment, EnrolmentMode::Approval);
        assert_eq!(input.capacity, None, "no seats is no limit given");
        assert!(input.certificate && input.archived);
        assert_eq!(input.price.as_deref(), Some("49.99 USD"));
        assert_eq!(input.prerequisites.len(), MAX_REMOTE_COURSE_LIST);
        assert_eq!(input.tags.len(), MAX_REMOTE_COURSE_LIST);
        assert_eq!(input.tags[0], "t0");
        assert_eq!(input.url, "https://a.example/courses/1");
    }

    #[test]
    fn only_an_article_with_an_enrolment_mode_is_a_course() {
        let create = |object: serde_json::Value| {
            serde_json::to_vec(&json!({"type": "Create", "actor": "https://a.example/users/ann", "object": object}))
                .expect("json")
        };
        let course = json!({"id": "https://a.example/users/ann/courses/1", "type": "Article", "enrolmentMode": "open"});
        assert!(course_of(&create(course)).is_some());
        let post = json!({"id": "https://a.example/users/ann/statuses/1", "type": "Article", "name": "A post"});
        assert!(course_of(&create(post)).is_none());
        assert!(course_of(&create(json!("https://a.example/users/ann/courses/1"))).is_none());
        assert!(
            course_input(&object(json!({"type": "Article"}))).is_err(),
            "no id"
        );
    }
}
