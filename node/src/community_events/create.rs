//! Creating, changing and deleting an event.

use super::geo;
use super::input::{self, EventUpdate, NewEvent, SpeakerInput};
use super::model::{
    CommunityEvent, EventFormat, EventStatus, EventType, RegistrationMode, Speaker,
};
use super::query::EventView;
use super::{key_ms, RegistrationState};
use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::{now_ms, Member, NotificationKind};
use crate::node::{Node, Viewer};
use crate::store::{tables, Txn};
use crate::validate;

impl Node {
    /// The description and its HTML, rendered as posts are (422 naming
    /// `description` when too long or too heavy).
    fn event_description(&self, source: &str) -> NodeResult<(String, String)> {
        let source = source.trim();
        input::max_chars("description", source, self.limits().post_chars)?;
        if source.is_empty() {
            return Ok((String::new(), String::new()));
        }
        let html = self.markdown_html("description", source)?;
        Ok((source.to_string(), html))
    }

    /// Speakers: a handle this node knows (422 naming `speakers` when it
    /// does not) or a plain name.
    fn event_speakers(&self, values: &[SpeakerInput]) -> NodeResult<Vec<Speaker>> {
        if values.len() > input::MAX_LINKS {
            return Err(NodeError::invalid(
                "speakers",
                format!("at most {}", input::MAX_LINKS),
            ));
        }
        values
            .iter()
            .map(|s| match s.member.as_deref().map(str::trim) {
                Some(handle) if !handle.is_empty() => {
                    let member = self
                        .member_by_name(handle.trim_start_matches('@'))?
                        .filter(|m| m.deleted_at.is_none() && !m.is_group())
                        .ok_or_else(|| {
                            NodeError::invalid("speakers", format!("no member {handle:?} here"))
                        })?;
                    Ok(Speaker {
                        member: Some(member.id),
                        name: member.username,
                    })
                }
                _ => Ok(Speaker {
                    member: None,
                    name: input::speaker_name(s.name.as_deref().unwrap_or(""))?,
                }),
            })
            .collect()
    }

    /// Creates an event organised by the viewer, or by a local group the
    /// viewer owns or moderates (the group must have events turned on).
    /// Every field is checked first: a bad one is a 422 naming it.
    pub async fn create_event(&self, viewer: &Viewer, new: NewEvent) -> NodeResult<EventView> {
        let me = viewer.member()?.clone();
        if !me.is_local() || me.is_group() {
            return Err(NodeError::Forbidden(
                "only members of this node organise events",
            ));
        }
        let title = input::title(&new.title)?;
        let (description, description_html) =
            self.event_description(new.description.as_deref().unwrap_or(""))?;
        let kind = new
            .kind
            .as_deref()
            .map_or(Ok(EventType::Meetup), input::kind)?;
        let tz = input::timezone(&new.timezone)?;
        let start = input::time(
            "start",
            new.start
                .as_ref()
                .ok_or_else(|| NodeError::invalid("start", "is required"))?,
            &tz,
        )?;
        let end = input::time(
            "end",
            new.end
                .as_ref()
                .ok_or_else(|| NodeError::invalid("end", "is required"))?,
            &tz,
        )?;
        input::span(start, end)?;
        let format = new
            .format
            .as_deref()
            .map_or(Ok(EventFormat::Offline), input::format)?;
        let location = new.location.as_ref().map(input::location).transpose()?;
        input::format_and_place(format, &location)?;
        let online_url = input::optional_http_url("online_url", new.online_url.as_deref())?;
        let capacity = input::capacity(new.capacity)?;
        let registration = new
            .registration
            .as_deref()
            .map_or(Ok(RegistrationMode::Open), input::registration)?;
        let opens = new
            .registration_opens
            .as_ref()
            .map(|t| input::time("registration_opens", t, &tz))
            .transpose()?;
        let closes = new
            .registration_closes
            .as_ref()
            .map(|t| input::time("registration_closes", t, &tz))
            .transpose()?;
        input::window(opens, closes, end)?;
        let status = match new
            .status
            .as_deref()
            .map_or(Ok(EventStatus::Open), input::status)?
        {
            s @ (EventStatus::Draft | EventStatus::Open) => s,
            _ => return Err(NodeError::invalid("status", "a new event is draft or open")),
        };
        let category = input::category(new.category.as_deref())?;
        let tags = validate::tag_slugs("tags", &new.tags, self.limits().tags)?;
        let speakers = self.event_speakers(&new.speakers)?;
        let sponsors = input::links("sponsors", &new.sponsors)?;
        let materials = input::links("materials", &new.materials)?;
        let group = match new.group.as_deref().map(str::trim) {
            Some(name) if !name.is_empty() => Some(self.local_group(name)?),
            _ => None,
        };

        let now = now_ms();
        let event = CommunityEvent {
            id: self.ids.next(),
            title,
            description,
            description_html,
            kind,
            start,
            end,
            timezone: tz.iana_name().unwrap_or(new.timezone.trim()).to_string(),
            format,
            location,
            online_url,
            stream_url: None,
            capacity,
            registration,
            registration_opens: opens,
            registration_closes: closes,
            status,
            category,
            tags,
            organiser: me.id,
            group: group.as_ref().map(|g| g.account.id),
            speakers,
            sponsors,
            materials,
            sequence: 0,
            reminders_sent: Vec::new(),
            created_at: now,
            updated_at: now,
            remote: None,
        };
        self.write(|txn| {
            if let Some(g) = &group {
                if !txn.has::<tables::GroupRoles>((g.account.id, me.id))? {
                    return Err(NodeError::Forbidden(
                        "only the group's owner and moderators organise its events",
                    ));
                }
                let settings = txn
                    .load::<tables::Group>(g.account.id)?
                    .ok_or(NodeError::NotFound("group"))?;
                if !settings.features.events {
                    return Err(NodeError::conflict(
                        "group",
                        "this group has events turned off",
                    ));
                }
            }
            Self::index_event(txn, &event)?;
            self.points_for_organising(txn, &event, me.id)?;
            self.tell_group_of_event(txn, &event, me.id)?;
            self.gossip_event(txn, &event)?;
            self.federate_event(txn, &event, true)
        })
        .await?;
        tracing::info!(event = %event.id, organiser = %me.username, "event created");
        self.event_view(viewer, &event)
    }

    /// Stores `event` with its indexes (start time, place, group,
    /// organiser).
    pub(crate) fn index_event(txn: &mut Txn<'_>, event: &CommunityEvent) -> NodeResult<()> {
        txn.store::<tables::CommunityEvent>(event.id, event)?;
        txn.store::<tables::EventsByStart>((key_ms(event.start), event.id), &())?;
        geo::index_place(txn, event)?;
        txn.store::<tables::EventsByOrganiser>((event.organiser, event.id), &())?;
        if let Some(group) = event.group {
            txn.store::<tables::EventsByGroup>((group, event.id), &())?;
        }
        Ok(())
    }

    /// Changes an event (its organisers). Every field is checked first; a
    /// bad one is a 422 naming it and changes nothing. A change of time,
    /// place or status increments its `sequence`; a change of time or
    /// place tells everyone registered (`event_changed`) and moves the
    /// reminders; more seats promote the first waiting. Fewer seats than
    /// registered take no seat back: the next seats go to the waitlist
    /// only once registrations fall below the new capacity.
    pub async fn update_event(
        &self,
        viewer: &Viewer,
        id: Id,
        update: EventUpdate,
    ) -> NodeResult<EventView> {
        let me = viewer.member()?.clone();
        let current = self
            .store
            .load::<tables::CommunityEvent>(id)?
            .ok_or(NodeError::NotFound("event"))?;
        let tz_name = update.timezone.as_deref().unwrap_or(&current.timezone);
        let tz = input::timezone(tz_name)?;
        let title = update.title.as_deref().map(input::title).transpose()?;
        let description = update
            .description
            .as_deref()
            .map(|d| self.event_description(d))
            .transpose()?;
        let kind = update.kind.as_deref().map(input::kind).transpose()?;
        let start = update
            .start
            .as_ref()
            .map(|t| input::time("start", t, &tz))
            .transpose()?;
        let end = update
            .end
            .as_ref()
            .map(|t| input::time("end", t, &tz))
            .transpose()?;
        let format = update.format.as_deref().map(input::format).transpose()?;
        let location = update
            .location
            .as_ref()
            .map(|l| l.as_ref().map(input::location).transpose())
            .transpose()?;
        let online_url = update
            .online_url
            .as_ref()
            .map(|u| input::optional_http_url("online_url", u.as_deref()))
            .transpose()?;
        let capacity = update.capacity.map(input::capacity).transpose()?;
        let registration = update
            .registration
            .as_deref()
            .map(input::registration)
            .transpose()?;
        let opens = update
            .registration_opens
            .as_ref()
            .map(|t| {
                t.as_ref()
                    .map(|t| input::time("registration_opens", t, &tz))
                    .transpose()
            })
            .transpose()?;
        let closes = update
            .registration_closes
            .as_ref()
            .map(|t| {
                t.as_ref()
                    .map(|t| input::time("registration_closes", t, &tz))
                    .transpose()
            })
            .transpose()?;
        let status = update.status.as_deref().map(input::status).transpose()?;
        let category = update
            .category
            .as_ref()
            .map(|c| input::category(c.as_deref()))
            .transpose()?;
        let tags = update
            .tags
            .as_deref()
            .map(|t| validate::tag_slugs("tags", t, self.limits().tags))
            .transpose()?;
        let speakers = update
            .speakers
            .as_deref()
            .map(|s| self.event_speakers(s))
            .transpose()?;
        let sponsors = update
            .sponsors
            .as_deref()
            .map(|l| input::links("sponsors", l))
            .transpose()?;
        let materials = update
            .materials
            .as_deref()
            .map(|l| input::links("materials", l))
            .transpose()?;
        let timezone = update
            .timezone
            .as_ref()
            .map(|name| tz.iana_name().unwrap_or(name.trim()).to_string());

        let updated = self
            .write(|txn| {
                let old = Self::event_in(txn, id)?;
                Self::require_organiser(txn, &old, &me)?;
                let mut event = old.clone();
                if let Some(v) = title {
                    event.title = v;
                }
                if let Some((source, html)) = description {
                    event.description = source;
                    event.description_html = html;
                }
                if let Some(v) = kind {
                    event.kind = v;
                }
                if let Some(v) = timezone {
                    event.timezone = v;
                }
                if let Some(v) = start {
                    event.start = v;
                }
                if let Some(v) = end {
                    event.end = v;
                }
                if let Some(v) = format {
                    event.format = v;
                }
                if let Some(v) = location {
                    event.location = v;
                }
                if let Some(v) = online_url {
                    event.online_url = v;
                }
                if let Some(v) = capacity {
                    event.capacity = v;
                }
                if let Some(v) = registration {
                    event.registration = v;
                }
                if let Some(v) = opens {
                    event.registration_opens = v;
                }
                if let Some(v) = closes {
                    event.registration_closes = v;
                }
                if let Some(v) = category {
                    event.category = v;
                }
                if let Some(v) = tags {
                    event.tags = v;
                }
                if let Some(v) = speakers {
                    event.speakers = v;
                }
                if let Some(v) = sponsors {
                    event.sponsors = v;
                }
                if let Some(v) = materials {
                    event.materials = v;
                }
                input::span(event.start, event.end)?;
                input::format_and_place(event.format, &event.location)?;
                input::window(
                    event.registration_opens,
                    event.registration_closes,
                    event.end,
                )?;
                if let Some(s) = status {
                    self.change_status(txn, &old, &mut event, s, &me)?;
                }
                self.save_changed_event(txn, &old, &mut event, me.id)?;
                Ok(event)
            })
            .await?;
        self.event_view(viewer, &updated)
    }

    /// Applies a status change asked for in an update: `cancelled` is
    /// [`Node::cancel_event`]'s; back to `draft` only without
    /// registrations (409 naming `status`).
    fn change_status(
        &self,
        txn: &mut Txn<'_>,
        old: &CommunityEvent,
        event: &mut CommunityEvent,
        status: EventStatus,
        me: &Member,
    ) -> NodeResult<()> {
        if status == old.status {
            return Ok(());
        }
        if status == EventStatus::Draft && txn.has_any_registration(old.id)? {
            return Err(NodeError::conflict(
                "status",
                "an event with registrations cannot go back to draft",
            ));
        }
        event.status = status;
        if status == EventStatus::Cancelled {
            self.notify_registered(txn, old.id, NotificationKind::EventCancelled, me.id)?;
        }
        Ok(())
    }

    /// Stores `event`, changed from `old`, inside `txn`: its sequence, its
    /// start and place indexes and its registrants' index when it moved,
    /// its reminders, promotions when seats were added, and the
    /// `event_changed` notifications when its time or place changed.
    pub(crate) fn save_changed_event(
        &self,
        txn: &mut Txn<'_>,
        old: &CommunityEvent,
        event: &mut CommunityEvent,
        actor: Id,
    ) -> NodeResult<()> {
        let moved_in_time = old.start != event.start || old.end != event.end;
        let moved_place = old.location != event.location
            || old.online_url != event.online_url
            || old.format != event.format;
        let status_changed = old.status != event.status;
        if moved_in_time || moved_place || status_changed || old.timezone != event.timezone {
            event.sequence = old.sequence.saturating_add(1);
        }
        event.updated_at = now_ms();
        if old.start != event.start {
            event.reminders_sent.clear();
            txn.remove::<tables::EventsByStart>((key_ms(old.start), old.id));
            txn.store::<tables::EventsByStart>((key_ms(event.start), event.id), &())?;
            let members: Vec<Id> = txn
                .scan::<tables::EventRegistrations>((event.id,), false)
                .keys()
                .map(|k| k.map(|(_, m)| m))
                .collect::<NodeResult<_>>()?;
            for m in members {
                txn.remove::<tables::MemberEvents>((m, key_ms(old.start), event.id));
                txn.store::<tables::MemberEvents>((m, key_ms(event.start), event.id), &())?;
            }
        }
        geo::move_place(txn, old, event)?;
        txn.store::<tables::CommunityEvent>(event.id, event)?;
        // Published now (from a draft): its Create, and the group's
        // members told; otherwise its Update.
        let published = old.status == EventStatus::Draft && event.status != EventStatus::Draft;
        if published {
            self.tell_group_of_event(txn, event, actor)?;
        }
        self.federate_event(txn, event, published)?;
        self.gossip_event(txn, event)?;
        if event.status == EventStatus::Cancelled || event.status == EventStatus::Finished {
            self.drop_reminders(txn, old);
        } else if old.start != event.start || status_changed {
            self.drop_reminders(txn, old);
            if txn.counter::<tables::EventRegisteredCount>(event.id)? > 0 {
                self.schedule_reminders(txn, event)?;
            }
        }
        if event.status == EventStatus::Open && seats_added(old, event) {
            self.fill_seats(txn, event)?;
        }
        if (moved_in_time || moved_place) && event.status != EventStatus::Cancelled {
            self.notify_registered(txn, event.id, NotificationKind::EventChanged, actor)?;
        }
        Ok(())
    }

    /// Deletes an event (its organisers) with its registrations, waitlist,
    /// counters and reminders. Nobody is told: cancel it first to tell
    /// those registered.
    pub async fn delete_event(&self, viewer: &Viewer, id: Id) -> NodeResult<()> {
        let me = viewer.member()?.clone();
        self.write(|txn| {
            let event = Self::event_in(txn, id)?;
            Self::require_organiser(txn, &event, &me)?;
            self.federate_event_deleted(txn, &event)?;
            self.gossip_event_deleted(txn, &event)?;
            self.remove_event_in(txn, &event)
        })
        .await?;
        tracing::info!(event = %id, by = %me.username, "event deleted");
        Ok(())
    }

    /// Removes `event` inside `txn` with its registrations, waitlist,
    /// counters, reminders and indexes.
    pub(super) fn remove_event_in(
        &self,
        txn: &mut Txn<'_>,
        event: &CommunityEvent,
    ) -> NodeResult<()> {
        let id = event.id;
        self.points_for_event_removed(txn, event)?;
        let members: Vec<Id> = txn
            .scan::<tables::EventRegistrations>((id,), false)
            .keys()
            .map(|k| k.map(|(_, m)| m))
            .collect::<NodeResult<_>>()?;
        for m in members {
            txn.remove::<tables::EventRegistrations>((id, m));
            txn.remove::<tables::MemberEvents>((m, key_ms(event.start), id));
            txn.remove::<tables::EventJoins>((id, m));
        }
        let waiting: Vec<(Id, Id)> = txn
            .scan::<tables::EventWaitlist>((id,), false)
            .keys()
            .collect::<NodeResult<_>>()?;
        for key in waiting {
            txn.remove::<tables::EventWaitlist>(key);
        }
        txn.remove::<tables::EventRegisteredCount>(id);
        txn.remove::<tables::EventWaitlistCount>(id);
        txn.remove::<tables::EventPendingCount>(id);
        txn.remove::<tables::EventAttendedCount>(id);
        self.drop_reminders(txn, event);
        txn.remove::<tables::EventsByStart>((key_ms(event.start), id));
        geo::unindex_place(txn, event);
        txn.remove::<tables::EventsByOrganiser>((event.organiser, id));
        if let Some(group) = event.group {
            txn.remove::<tables::EventsByGroup>((group, id));
        }
        txn.remove::<tables::CommunityEvent>(id);
        if let Some(remote) = &event.remote {
            txn.remove::<tables::RemoteEventByUri>(crate::store::hash_of(&remote.uri));
        }
        Ok(())
    }
}

/// Whether `event` has more seats than `old` had (or no limit now).
fn seats_added(old: &CommunityEvent, event: &CommunityEvent) -> bool {
    match (old.capacity, event.capacity) {
        (Some(_), None) => true,
        (Some(a), Some(b)) => b > a,
        _ => false,
    }
}

/// Reads on a write transaction that only events need.
trait RegistrationReads {
    /// Whether anyone is registered, waiting or pending.
    fn has_any_registration(&self, event: Id) -> NodeResult<bool>;
}

impl RegistrationReads for Txn<'_> {
    fn has_any_registration(&self, event: Id) -> NodeResult<bool> {
        for row in self.scan::<tables::EventRegistrations>((event,), false) {
            let (_, r) = row?;
            if r.state != RegistrationState::Invited {
                return Ok(true);
            }
        }
        Ok(false)
    }
}
