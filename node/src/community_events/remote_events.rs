//! Events of other servers (Mobilizon, other Kodeon nodes), stored as
//! [`CommunityEvent`]s with a [`RemoteEvent`] part so that they list,
//! remind and go into calendars as local ones do.
//!
//! Their organisers there create, change and delete them; here they are
//! only read and registered for. A member's registration starts
//! `pending` and queues a `Join` to the organiser in the same write; the
//! organiser's `Accept` (naming that `Join`) makes it `registered`, a
//! `Reject` removes it, and unregistering queues a `Leave`. Seats,
//! approvals and the waitlist are the organiser's server's: nothing here
//! enforces them.
//!
//! **Invariant:** only the account stored as the event's organiser (or
//! its group) changes, deletes or answers registrations for it; the
//! federation layer has checked that it signed what it sent.

use super::input;
use super::model::{
    CommunityEvent, EventFormat, EventStatus, EventType, Location, Registration, RegistrationMode,
    RegistrationState, RemoteEvent,
};
use super::{key_ms, RegistrationOutcome, MAX_DURATION_MS};
use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::{now_ms, Member, NotificationKind};
use crate::node::Node;
use crate::remote::Outgoing;
use crate::store::{hash_of, tables, Txn};

/// Longest title kept (characters); longer ones are cut.
pub const MAX_REMOTE_TITLE: usize = 200;

/// Most tags kept of an event of another server.
const MAX_REMOTE_TAGS: usize = 20;

/// How long an event that gives no end is taken to last (2 h).
const DEFAULT_DURATION_MS: i64 = 2 * 3_600_000;

/// What another server says of one of its events, read by the federation
/// layer from its `Event` object (sanitised, bounded).
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteEventInput {
    /// Its name.
    pub title: String,
    /// Its description as plain text.
    pub description: String,
    /// Its description as sanitised HTML.
    pub description_html: String,
    /// Start (ms).
    pub start: i64,
    /// End (ms), if it gives one (else two hours after the start).
    pub end: Option<i64>,
    /// Its IANA time zone, if it gives one (else UTC).
    pub timezone: Option<String>,
    /// Online, offline or both.
    pub format: EventFormat,
    /// Its place.
    pub location: Option<Location>,
    /// Where to join online.
    pub online_url: Option<String>,
    /// Seats (`maximumAttendeeCapacity`), if limited.
    pub capacity: Option<u32>,
    /// How one takes part (`joinMode`).
    pub registration: RegistrationMode,
    /// Open or cancelled (`ical:status`).
    pub status: EventStatus,
    /// Category slug.
    pub category: Option<String>,
    /// Tag slugs.
    pub tags: Vec<String>,
    /// The remote account that organises it and answers `Join`s.
    pub organiser: Id,
    /// Its id, page, group and counts.
    pub remote: RemoteEvent,
}

impl Node {
    /// The event of another server stored here under its ActivityPub id.
    pub fn remote_event_by_uri(&self, uri: &str) -> NodeResult<Option<Id>> {
        self.store.load::<tables::RemoteEventByUri>(hash_of(uri))
    }

    /// Whether what the remote account `actor` says of its event `uri`
    /// matters here: the event is stored already, or somebody here follows
    /// `actor` (for a group: is a member). Nothing else is stored.
    pub fn wants_remote_event(&self, actor: Id, uri: &str) -> NodeResult<bool> {
        if self.remote_event_by_uri(uri)?.is_some() {
            return Ok(true);
        }
        for key in self
            .store
            .scan::<tables::Followers>((actor,), false)
            .keys()
            .take(64)
        {
            let (_, follower) = key?;
            if self.member(follower)?.is_some_and(|m| m.is_local()) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Stores an event of another server as `sender` published it, or
    /// replaces what was stored of it (an `Update`): its sequence moves on
    /// when its time, place or status changed, its start index and
    /// reminders follow it, members registered here are told of a move
    /// (`event_changed`) or a cancellation (`event_cancelled`). `sender`
    /// must be its organiser or its group (403 otherwise). Returns its id
    /// here.
    pub async fn store_remote_event(
        &self,
        sender: &Member,
        input: RemoteEventInput,
    ) -> NodeResult<Id> {
        if sender.is_local() {
            return Err(NodeError::invalid("actor", "is not a remote account"));
        }
        let fresh = normalise(input)?;
        let uri_key = hash_of(&fresh.remote.uri);
        let stored = self
            .write(|txn| {
                let existing = txn.load::<tables::RemoteEventByUri>(uri_key)?;
                let Some(id) = existing else {
                    if !may_speak_for(sender, fresh.organiser, fresh.remote.group.as_ref()) {
                        return Err(NodeError::Forbidden(
                            "only an event's organiser publishes it",
                        ));
                    }
                    let event = new_record(self.ids.next(), fresh.clone());
                    Self::index_event(txn, &event)?;
                    txn.store::<tables::RemoteEventByUri>(uri_key, &event.id)?;
                    return Ok(event.id);
                };
                let old = Self::event_in(txn, id)?;
                let Some(old_remote) = &old.remote else {
                    return Err(NodeError::Internal(format!(
                        "the remote event index names the local event {id}"
                    )));
                };
                if !may_speak_for(sender, old.organiser, old_remote.group.as_ref()) {
                    return Err(NodeError::Forbidden("only an event's organiser changes it"));
                }
                let mut event = replaced(&old, fresh.clone());
                if event.status == EventStatus::Cancelled && old.status != EventStatus::Cancelled {
                    self.notify_registered(txn, id, NotificationKind::EventCancelled, sender.id)?;
                }
                self.save_changed_event(txn, &old, &mut event, sender.id)?;
                Ok(id)
            })
            .await?;
        Ok(stored)
    }

    /// The organiser (or group) `sender` deleted its event `uri`: members
    /// registered here are told (`event_cancelled`, unless it was
    /// cancelled already) and it is removed with their registrations.
    /// Whether it was stored.
    pub async fn receive_remote_event_delete(
        &self,
        sender: &Member,
        uri: &str,
    ) -> NodeResult<bool> {
        let Some(id) = self.remote_event_by_uri(uri)? else {
            return Ok(false);
        };
        self.write(|txn| {
            let Some(event) = txn.load::<tables::CommunityEvent>(id)? else {
                return Ok(false);
            };
            let group = event.remote.as_ref().and_then(|r| r.group);
            if !may_speak_for(sender, event.organiser, group.as_ref()) {
                return Err(NodeError::Forbidden("only an event's organiser deletes it"));
            }
            if event.status != EventStatus::Cancelled {
                self.notify_registered(txn, id, NotificationKind::EventCancelled, sender.id)?;
            }
            self.remove_event_in(txn, &event)?;
            Ok(true)
        })
        .await
    }

    /// Registers `me` for the event of another server `event`, inside
    /// `txn`: `pending` until its organiser answers, with the `Join`
    /// queued in the same write. Refused (409) when it is cancelled or
    /// over, takes invited people only, or takes registrations on another
    /// site.
    pub(super) fn register_remotely(
        &self,
        txn: &mut Txn<'_>,
        event: &CommunityEvent,
        me: &Member,
        listed: bool,
        now: i64,
    ) -> NodeResult<RegistrationOutcome> {
        super::register::check_open(event, now)?;
        if let Some(url) = event.remote.as_ref().and_then(|r| r.external_url.as_ref()) {
            return Err(NodeError::conflict(
                "registration",
                format!("this event takes registrations on its own site: {url}"),
            ));
        }
        if event.registration == RegistrationMode::Invite {
            return Err(NodeError::conflict(
                "registration",
                "this event takes invited people only",
            ));
        }
        let join = self.urls().join(&me.username, event.id, self.ids.next());
        let registration = Registration {
            state: RegistrationState::Pending,
            at: now,
            listed,
            arrival: None,
            attended_at: None,
            join: Some(join.clone()),
        };
        txn.store::<tables::EventRegistrations>((event.id, me.id), &registration)?;
        txn.add::<tables::EventPendingCount>(event.id, 1)?;
        txn.store::<tables::MemberEvents>((me.id, key_ms(event.start), event.id), &())?;
        self.federate(
            txn,
            Outgoing::EventJoin {
                event: event.id,
                member: me.id,
                activity_id: join,
                leave: false,
            },
        )?;
        Ok(RegistrationOutcome {
            state: RegistrationState::Pending,
            changed: true,
            overlaps: Self::overlaps(txn, me.id, event)?,
        })
    }

    /// Withdraws `member`'s registration for the event of another server
    /// `event`, inside `txn`, and queues its `Leave`. Whether there was
    /// one.
    pub(super) fn unregister_remotely(
        &self,
        txn: &mut Txn<'_>,
        event: &CommunityEvent,
        member: Id,
    ) -> NodeResult<bool> {
        let Some(registration) = txn.load::<tables::EventRegistrations>((event.id, member))? else {
            return Ok(false);
        };
        self.drop_registration(txn, event, member)?;
        if let Some(join) = registration.join {
            self.federate(
                txn,
                Outgoing::EventJoin {
                    event: event.id,
                    member,
                    activity_id: join,
                    leave: true,
                },
            )?;
        }
        Ok(true)
    }

    /// The organiser (or group) `sender` of the event of another server
    /// `event` answers `member`'s `Join` `join_id`: an `Accept` makes the
    /// registration `registered` (reminders scheduled, the member told:
    /// `event_approved`), a `Reject` removes it (`event_rejected`). An
    /// answer to another `Join` than the registration's, or to none,
    /// changes nothing (`false`); one from anybody else is a 403.
    pub async fn receive_join_answer(
        &self,
        sender: &Member,
        member: &str,
        event: Id,
        join_id: &str,
        accept: bool,
    ) -> NodeResult<bool> {
        let member = self
            .find_member(member)?
            .filter(Member::is_local)
            .ok_or(NodeError::NotFound("member"))?;
        let changed = self
            .write(|txn| {
                let record = Self::event_in(txn, event)?;
                let Some(remote) = &record.remote else {
                    return Err(NodeError::NotFound("event"));
                };
                if !may_speak_for(sender, record.organiser, remote.group.as_ref()) {
                    return Err(NodeError::Forbidden(
                        "only an event's organiser answers its registrations",
                    ));
                }
                let key = (event, member.id);
                let Some(mut registration) = txn.load::<tables::EventRegistrations>(key)? else {
                    return Ok(false);
                };
                if registration.join.as_deref() != Some(join_id) {
                    return Ok(false);
                }
                if !accept {
                    self.drop_registration(txn, &record, member.id)?;
                    self.notify_event(
                        txn,
                        member.id,
                        NotificationKind::EventRejected,
                        sender.id,
                        event,
                    )?;
                    return Ok(true);
                }
                if registration.state == RegistrationState::Registered {
                    return Ok(false);
                }
                if registration.state == RegistrationState::Pending {
                    txn.add::<tables::EventPendingCount>(event, -1)?;
                }
                registration.state = RegistrationState::Registered;
                registration.at = now_ms();
                txn.store::<tables::EventRegistrations>(key, &registration)?;
                txn.add::<tables::EventRegisteredCount>(event, 1)?;
                self.schedule_reminders(txn, &record)?;
                self.notify_event(
                    txn,
                    member.id,
                    NotificationKind::EventApproved,
                    sender.id,
                    event,
                )?;
                Ok(true)
            })
            .await?;
        Ok(changed)
    }
}

/// Whether `sender` speaks for an event organised by `organiser` (or its
/// `group`).
fn may_speak_for(sender: &Member, organiser: Id, group: Option<&Id>) -> bool {
    sender.id == organiser || group == Some(&sender.id)
}

/// What `event` shows as its participants and seats left: for an event of
/// another server, its server's counts as last seen (the members here
/// registered, when it gave none).
pub(super) fn shown_counts(event: &CommunityEvent, local_registered: i64) -> (i64, Option<i64>) {
    let Some(remote) = &event.remote else {
        return (
            local_registered,
            event
                .capacity
                .map(|c| (i64::from(c) - local_registered).max(0)),
        );
    };
    let registered = remote.participant_count.map_or(local_registered, i64::from);
    let left = match (remote.remaining, event.capacity) {
        (Some(r), _) => Some(i64::from(r)),
        (None, Some(c)) => Some((i64::from(c) - registered).max(0)),
        (None, None) => None,
    };
    (registered, left)
}

/// `input` checked and brought within the node's limits: a title (cut to
/// [`MAX_REMOTE_TITLE`]), an end after the start within
/// [`MAX_DURATION_MS`], a known time zone (else UTC), http(s) links.
fn normalise(mut input: RemoteEventInput) -> NodeResult<RemoteEventInput> {
    input.title = input.title.trim().chars().take(MAX_REMOTE_TITLE).collect();
    if input.title.is_empty() {
        return Err(NodeError::invalid("name", "is empty"));
    }
    if input.start < 0 {
        return Err(NodeError::invalid("startTime", "is before 1970"));
    }
    let end = input
        .end
        .unwrap_or(input.start.saturating_add(DEFAULT_DURATION_MS));
    if end <= input.start {
        return Err(NodeError::invalid("endTime", "is not after startTime"));
    }
    input.end = Some(end.min(input.start.saturating_add(MAX_DURATION_MS)));
    input.timezone = input
        .timezone
        .filter(|tz| input::timezone(tz).is_ok())
        .or_else(|| Some("UTC".to_string()));
    input.online_url = input
        .online_url
        .and_then(|u| input::http_url("online_url", &u).ok());
    input.remote.external_url = input
        .remote
        .external_url
        .take()
        .and_then(|u| input::http_url("externalParticipationUrl", &u).ok());
    if protocol::urls::HttpUrl::parse_canonical(&input.remote.uri).is_err() {
        return Err(NodeError::invalid("id", "is not an http(s) URL"));
    }
    if input::http_url("url", &input.remote.url).is_err() {
        input.remote.url = input.remote.uri.clone();
    }
    input.category = input
        .category
        .and_then(|c| crate::validate::slug("category", &c).ok());
    input.tags = input
        .tags
        .iter()
        .filter_map(|t| crate::validate::slug("tag", t).ok())
        .take(MAX_REMOTE_TAGS)
        .collect();
    Ok(input)
}

/// A new record for the event of another server `input` (normalised).
fn new_record(id: Id, input: RemoteEventInput) -> CommunityEvent {
    let now = now_ms();
    CommunityEvent {
        id,
        title: input.title,
        description: input.description,
        description_html: input.description_html,
        kind: EventType::Other,
        start: input.start,
        end: input.end.unwrap_or(input.start),
        timezone: input.timezone.unwrap_or_else(|| "UTC".into()),
        format: input.format,
        location: input.location,
        online_url: input.online_url,
        stream_url: None,
        capacity: input.capacity,
        registration: input.registration,
        registration_opens: None,
        registration_closes: None,
        status: input.status,
        category: input.category,
        tags: input.tags,
        organiser: input.organiser,
        group: None,
        speakers: Vec::new(),
        sponsors: Vec::new(),
        materials: Vec::new(),
        sequence: 0,
        reminders_sent: Vec::new(),
        created_at: now,
        updated_at: now,
        remote: Some(input.remote),
    }
}

/// `old` with what its server says of it now (`input`, normalised); its
/// id, organiser, sequence, reminders sent and creation time kept.
fn replaced(old: &CommunityEvent, input: RemoteEventInput) -> CommunityEvent {
    let mut event = new_record(old.id, input);
    event.organiser = old.organiser;
    if let (Some(new), Some(previous)) = (event.remote.as_mut(), old.remote.as_ref()) {
        new.group = previous.group;
    }
    event.sequence = old.sequence;
    event.reminders_sent = old.reminders_sent.clone();
    event.created_at = old.created_at;
    event
}
