//! Courses of other servers (other Kodeon nodes), as their instructor or
//! group published them: kept in their own table ([`RemoteCourse`]), not
//! among local courses, since their lessons, seats and rules are their
//! server's. Members here see them through the course API with a
//! `remote` part (where the course lives), and enrol by `Join`.
//!
//! A member's enrolment starts `pending` with the `Join` queued in the
//! same write; the course actor's `Accept` (naming that `Join`) makes it
//! `enrolled`, a `Reject` removes it (the member is told), and leaving
//! queues a `Leave`. Studying happens on the course's server, signed in
//! there with the home account; the certificate comes back as an `Offer`
//! (`certificates/import.rs`).
//!
//! **Invariant:** only the account stored as the course's actor creates,
//! changes, deletes or answers enrolments for it; the federation layer
//! has checked that it signed what it sent and that the course's id is on
//! its server.

use serde::{Deserialize, Serialize};

use super::enrol::EnrolmentOutcome;
use super::model::{CourseLevel, EnrolmentMode, EnrolmentState};
use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::{now_ms, Member, NotificationKind};
use crate::node::{Node, Viewer};
use crate::remote::Outgoing;
use crate::store::{hash_of, tables};

/// Longest title kept (characters); longer ones are cut.
pub const MAX_REMOTE_COURSE_TITLE: usize = 200;

/// Most tags, prerequisites and instructors kept of a remote course.
pub const MAX_REMOTE_COURSE_LIST: usize = 20;

/// Longest URL kept (bytes).
const MAX_URL: usize = 2_000;

/// A course of another server, as its actor published it
/// (`tables::RemoteCourse`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteCourse {
    /// Its id here.
    pub id: Id,
    /// Title.
    pub title: String,
    /// Level, duration and instructors in words, as its server says them
    /// (plain text).
    #[serde(default)]
    pub summary: String,
    /// Description (sanitised HTML).
    #[serde(default)]
    pub description_html: String,
    /// Who it is for, when it says so.
    #[serde(default)]
    pub level: Option<CourseLevel>,
    /// Category slug.
    #[serde(default)]
    pub category: Option<String>,
    /// Tag slugs.
    #[serde(default)]
    pub tags: Vec<String>,
    /// How long it takes, in minutes, when known.
    #[serde(default)]
    pub duration_minutes: Option<u32>,
    /// Modules, when known.
    #[serde(default)]
    pub modules: Option<u32>,
    /// Lessons, when known.
    #[serde(default)]
    pub lessons: Option<u32>,
    /// How one enrols there.
    pub enrolment: EnrolmentMode,
    /// Seats, if limited.
    #[serde(default)]
    pub capacity: Option<u32>,
    /// Its price in words, if any (enrolments then wait for approval).
    #[serde(default)]
    pub price: Option<String>,
    /// Whether completing it earns a certificate.
    #[serde(default)]
    pub certificate: bool,
    /// Whether it is archived (no new enrolments).
    #[serde(default)]
    pub archived: bool,
    /// The URLs of the courses to complete first.
    #[serde(default)]
    pub prerequisites: Vec<String>,
    /// The actor ids of its instructors.
    #[serde(default)]
    pub instructors: Vec<String>,
    /// The remote account (instructor or group) it is published under,
    /// which answers `Join`s.
    pub actor: Id,
    /// Where it lives.
    pub remote: RemoteCoursePlace,
    /// Stored (ms).
    pub created_at: i64,
    /// Last changed (ms).
    pub updated_at: i64,
}

/// Where a course of another server lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteCoursePlace {
    /// Its ActivityPub id.
    pub uri: String,
    /// Its page there (where its lessons are).
    pub url: String,
    /// Its server (host and port).
    pub host: String,
}

/// What another server says of one of its courses, read by the federation
/// layer (sanitised); the node bounds it again.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteCourseInput {
    /// Title.
    pub title: String,
    /// Summary (plain text).
    pub summary: String,
    /// Description (sanitised HTML).
    pub description_html: String,
    /// Level.
    pub level: Option<CourseLevel>,
    /// Category.
    pub category: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Minutes.
    pub duration_minutes: Option<u32>,
    /// Modules.
    pub modules: Option<u32>,
    /// Lessons.
    pub lessons: Option<u32>,
    /// Enrolment mode.
    pub enrolment: EnrolmentMode,
    /// Seats.
    pub capacity: Option<u32>,
    /// Price in words.
    pub price: Option<String>,
    /// Certificate.
    pub certificate: bool,
    /// Archived.
    pub archived: bool,
    /// Prerequisite URLs.
    pub prerequisites: Vec<String>,
    /// Instructor actor ids.
    pub instructors: Vec<String>,
    /// Its ActivityPub id and page (`host` is filled in here).
    pub uri: String,
    /// Its page.
    pub url: String,
}

/// A member's enrolment in a course of another server
/// (`tables::RemoteCourseEnrolments`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteEnrolment {
    /// `pending` until the course's server accepts, then `enrolled`.
    pub state: EnrolmentState,
    /// The id of the member's `Join`.
    pub join: String,
    /// When it took that state (ms).
    pub at: i64,
}

/// A course of another server as a member sees it here.
#[derive(Debug, Clone, Serialize)]
pub struct RemoteCourseView {
    /// The course.
    #[serde(flatten)]
    pub course: RemoteCourse,
    /// The viewer's enrolment, if any.
    pub my_enrolment: Option<EnrolmentState>,
}

/// Whether `url` is a bounded http(s) URL.
fn is_http(url: &str) -> bool {
    url.len() <= MAX_URL && protocol::urls::HttpUrl::parse_canonical(url).is_ok()
}

/// `input` bounded: a title (cut), slugs, http(s) lists; the host of its
/// id. 422 naming `name` or `id` when it has neither.
fn normalise(mut input: RemoteCourseInput) -> NodeResult<(RemoteCourseInput, String)> {
    input.title = input
        .title
        .trim()
        .chars()
        .take(MAX_REMOTE_COURSE_TITLE)
        .collect();
    if input.title.is_empty() {
        return Err(NodeError::invalid("name", "is empty"));
    }
    if !is_http(&input.uri) {
        return Err(NodeError::invalid("id", "is not an http(s) URL"));
    }
    let host = crate::remote::host_of(&input.uri)
        .ok_or_else(|| NodeError::invalid("id", "has no host"))?;
    if !is_http(&input.url) || crate::remote::host_of(&input.url).as_deref() != Some(&host) {
        input.url = input.uri.clone();
    }
    input.summary = input.summary.chars().take(1_000).collect();
    input.category = input
        .category
        .and_then(|c| crate::validate::slug("category", &c).ok());
    input.tags = input
        .tags
        .iter()
        .filter_map(|t| crate::validate::slug("tag", t).ok())
        .take(MAX_REMOTE_COURSE_LIST)
        .collect();
    input.prerequisites.retain(|u| is_http(u));
    input.prerequisites.truncate(MAX_REMOTE_COURSE_LIST);
    input.instructors.retain(|u| is_http(u));
    input.instructors.truncate(MAX_REMOTE_COURSE_LIST);
    input.price = input.price.map(|p| p.chars().take(40).collect());
    Ok((input, host))
}

impl Node {
    /// The course of another server stored here under its ActivityPub id
    /// or its page's URL (which its certificates name).
    pub fn remote_course_by_uri(&self, uri: &str) -> NodeResult<Option<Id>> {
        self.store.load::<tables::RemoteCourseByUri>(hash_of(uri))
    }

    /// Whether `id` names a course of another server stored here.
    pub fn is_remote_course(&self, id: Id) -> NodeResult<bool> {
        self.store.has::<tables::RemoteCourse>(id)
    }

    /// Whether what the remote account `actor` says of its course `uri`
    /// matters here: the course is stored already, or somebody here
    /// follows `actor` (for a group: is a member). Nothing else is
    /// stored.
    pub fn wants_remote_course(&self, actor: Id, uri: &str) -> NodeResult<bool> {
        if self.remote_course_by_uri(uri)?.is_some() {
            return Ok(true);
        }
        self.wants_remote_event(actor, uri)
    }

    /// Stores a course of another server as `sender` published it, or
    /// replaces what was stored of it (an `Update`): only from the account
    /// it is published under (403 otherwise), whose server must be the
    /// course's. Returns its id here.
    pub async fn store_remote_course(
        &self,
        sender: &Member,
        input: RemoteCourseInput,
    ) -> NodeResult<Id> {
        let Some(account) = &sender.remote else {
            return Err(NodeError::invalid("actor", "is not a remote account"));
        };
        let (input, host) = normalise(input)?;
        if crate::remote::host_of(&account.actor_id).as_deref() != Some(host.as_str()) {
            return Err(NodeError::Forbidden(
                "a course is published only from its own server",
            ));
        }
        let uri_key = hash_of(&input.uri);
        self.write(|txn| {
            let now = now_ms();
            let existing = match txn.load::<tables::RemoteCourseByUri>(uri_key)? {
                Some(id) => txn.load::<tables::RemoteCourse>(id)?,
                None => None,
            };
            if let Some(old) = &existing {
                if old.actor != sender.id {
                    return Err(NodeError::Forbidden(
                        "only the account a course is published under changes it",
                    ));
                }
            }
            let id = existing.as_ref().map_or_else(|| self.ids.next(), |c| c.id);
            let course = RemoteCourse {
                id,
                title: input.title.clone(),
                summary: input.summary.clone(),
                description_html: input.description_html.clone(),
                level: input.level,
                category: input.category.clone(),
                tags: input.tags.clone(),
                duration_minutes: input.duration_minutes,
                modules: input.modules,
                lessons: input.lessons,
                enrolment: input.enrolment,
                capacity: input.capacity,
                price: input.price.clone(),
                certificate: input.certificate,
                archived: input.archived,
                prerequisites: input.prerequisites.clone(),
                instructors: input.instructors.clone(),
                actor: sender.id,
                remote: RemoteCoursePlace {
                    uri: input.uri.clone(),
                    url: input.url.clone(),
                    host: host.clone(),
                },
                created_at: existing.as_ref().map_or(now, |c| c.created_at),
                updated_at: now,
            };
            if let Some(old) = &existing {
                if old.remote.url != course.remote.url {
                    Self::unindex_page(txn, id, &old.remote.url)?;
                }
            }
            txn.store::<tables::RemoteCourse>(id, &course)?;
            txn.store::<tables::RemoteCourseByUri>(uri_key, &id)?;
            // The page names the course too (its certificates name it),
            // unless it already names another course: first come, kept.
            let page_key = hash_of(&course.remote.url);
            if txn.load::<tables::RemoteCourseByUri>(page_key)?.is_none() {
                txn.store::<tables::RemoteCourseByUri>(page_key, &id)?;
            }
            Ok(id)
        })
        .await
    }

    /// The account `sender` deleted its course `uri`: it is removed here
    /// with the members' enrolments (each member told,
    /// `course_enrolment_rejected`). Whether it was stored.
    pub async fn receive_remote_course_delete(
        &self,
        sender: &Member,
        uri: &str,
    ) -> NodeResult<bool> {
        let Some(id) = self.remote_course_by_uri(uri)? else {
            return Ok(false);
        };
        self.write(|txn| {
            let Some(course) = txn.load::<tables::RemoteCourse>(id)? else {
                return Ok(false);
            };
            if course.actor != sender.id {
                return Err(NodeError::Forbidden(
                    "only the account a course is published under deletes it",
                ));
            }
            let enrolled: Vec<(Id, Id)> = txn
                .scan::<tables::RemoteCourseEnrolments>((id,), false)
                .keys()
                .take(100_000)
                .collect::<NodeResult<_>>()?;
            for (c, member) in enrolled {
                txn.remove::<tables::RemoteCourseEnrolments>((c, member));
                self.notify_course(
                    txn,
                    member,
                    NotificationKind::CourseEnrolmentRejected,
                    sender.id,
                    id,
                )?;
            }
            txn.remove::<tables::RemoteCourseByUri>(hash_of(&course.remote.uri));
            Self::unindex_page(txn, id, &course.remote.url)?;
            txn.remove::<tables::RemoteCourse>(id);
            Ok(true)
        })
        .await
    }

    /// The course of another server `id` as `viewer` sees it (anyone may:
    /// it was published publicly).
    pub fn remote_course(&self, viewer: &Viewer, id: Id) -> NodeResult<RemoteCourseView> {
        let course = self
            .store
            .load::<tables::RemoteCourse>(id)?
            .ok_or(NodeError::NotFound("course"))?;
        let my_enrolment = match viewer.member() {
            Ok(me) => self
                .store
                .load::<tables::RemoteCourseEnrolments>((id, me.id))?
                .map(|e| e.state),
            Err(_) => None,
        };
        Ok(RemoteCourseView {
            course,
            my_enrolment,
        })
    }

    /// Enrols `me` in the course of another server `id`: `pending`, with
    /// the `Join` queued in the same write, until its server answers.
    /// Refused (409) when it is archived or takes invited members only.
    /// Enrolling twice changes nothing.
    pub(crate) async fn enrol_in_remote_course(
        &self,
        me: &Member,
        id: Id,
    ) -> NodeResult<EnrolmentOutcome> {
        if !me.is_local() {
            return Err(NodeError::Forbidden(
                "only members here enrol in courses of other servers from here",
            ));
        }
        self.write(|txn| {
            let course = txn
                .load::<tables::RemoteCourse>(id)?
                .ok_or(NodeError::NotFound("course"))?;
            if let Some(e) = txn.load::<tables::RemoteCourseEnrolments>((id, me.id))? {
                return Ok(EnrolmentOutcome {
                    state: e.state,
                    changed: false,
                });
            }
            if course.archived {
                return Err(NodeError::conflict("course", "the course is archived"));
            }
            if course.enrolment == EnrolmentMode::Invite {
                return Err(NodeError::conflict(
                    "enrolment",
                    "this course takes invited members only",
                ));
            }
            let join = self.urls().course_join(&me.username, id, self.ids.next());
            txn.store::<tables::RemoteCourseEnrolments>(
                (id, me.id),
                &RemoteEnrolment {
                    state: EnrolmentState::Pending,
                    join: join.clone(),
                    at: now_ms(),
                },
            )?;
            self.federate(
                txn,
                Outgoing::CourseJoin {
                    course: id,
                    member: me.id,
                    activity_id: join,
                    leave: false,
                },
            )?;
            Ok(EnrolmentOutcome {
                state: EnrolmentState::Pending,
                changed: true,
            })
        })
        .await
    }

    /// Withdraws `me`'s enrolment in the course of another server `id`
    /// and queues its `Leave`. Whether there was one.
    pub(crate) async fn leave_remote_course(&self, me: &Member, id: Id) -> NodeResult<bool> {
        self.write(|txn| {
            let Some(e) = txn.load::<tables::RemoteCourseEnrolments>((id, me.id))? else {
                return Ok(false);
            };
            txn.remove::<tables::RemoteCourseEnrolments>((id, me.id));
            self.federate(
                txn,
                Outgoing::CourseJoin {
                    course: id,
                    member: me.id,
                    activity_id: e.join,
                    leave: true,
                },
            )?;
            Ok(true)
        })
        .await
    }

    /// The actor `sender` of the course of another server `course`
    /// answers the member `member`'s (a username here) `Join` `join_id`:
    /// an `Accept` makes the enrolment `enrolled` (the member told,
    /// `course_enrolment_approved`), a `Reject` removes it
    /// (`course_enrolment_rejected`). An answer to another `Join` than the
    /// enrolment's, or to none, changes nothing (`false`); one from
    /// anybody but the course's actor is a 403.
    pub async fn receive_course_join_answer(
        &self,
        sender: &Member,
        member: &str,
        course: Id,
        join_id: &str,
        accept: bool,
    ) -> NodeResult<bool> {
        let member = self
            .find_member(member)?
            .filter(Member::is_local)
            .ok_or(NodeError::NotFound("member"))?;
        self.write(|txn| {
            let record = txn
                .load::<tables::RemoteCourse>(course)?
                .ok_or(NodeError::NotFound("course"))?;
            if record.actor != sender.id {
                return Err(NodeError::Forbidden(
                    "only a course's own account answers its enrolments",
                ));
            }
            let key = (course, member.id);
            let Some(mut e) = txn.load::<tables::RemoteCourseEnrolments>(key)? else {
                return Ok(false);
            };
            if e.join != join_id {
                return Ok(false);
            }
            if !accept {
                txn.remove::<tables::RemoteCourseEnrolments>(key);
                self.notify_course(
                    txn,
                    member.id,
                    NotificationKind::CourseEnrolmentRejected,
                    sender.id,
                    course,
                )?;
                return Ok(true);
            }
            if e.state == EnrolmentState::Enrolled {
                return Ok(false);
            }
            e.state = EnrolmentState::Enrolled;
            e.at = now_ms();
            txn.store::<tables::RemoteCourseEnrolments>(key, &e)?;
            self.notify_course(
                txn,
                member.id,
                NotificationKind::CourseEnrolmentApproved,
                sender.id,
                course,
            )?;
            Ok(true)
        })
        .await
    }

    /// Removes the index entry of the page `url` when it names the course
    /// `id` (and not another one), inside `txn`.
    fn unindex_page(txn: &mut crate::store::Txn<'_>, id: Id, url: &str) -> NodeResult<()> {
        let key = hash_of(url);
        if txn.load::<tables::RemoteCourseByUri>(key)? == Some(id) {
            txn.remove::<tables::RemoteCourseByUri>(key);
        }
        Ok(())
    }

    /// The stored course of another server `id` (for rendering its
    /// activities), if any.
    pub fn remote_course_record(&self, id: Id) -> NodeResult<Option<RemoteCourse>> {
        self.store.load::<tables::RemoteCourse>(id)
    }
}
