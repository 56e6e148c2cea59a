//! Who takes part: the participant list, an organiser's approvals,
//! rejections, invitations and check-in.

use protocol::envelope::Kind;
use serde::Serialize;

use super::key_ms;
use super::model::{CommunityEvent, Registration, RegistrationState};
use super::register::check_open;
use crate::attestations::{AttestationKind, AttestationRecord};
use crate::error::{NodeError, NodeResult};
use crate::gossip::AttestationBody;
use crate::id::Id;
use crate::model::{now_ms, Member, MemberSummary, NotificationKind};
use crate::node::{Node, Viewer};
use crate::store::tables;

/// Most participants one list holds.
pub const MAX_PARTICIPANTS_LISTED: usize = 5_000;

/// One participant as the list shows them.
#[derive(Debug, Clone, Serialize)]
pub struct Participant {
    /// The member.
    pub account: MemberSummary,
    /// Their registration's state.
    pub state: RegistrationState,
    /// When it took that state (ms).
    pub since: i64,
    /// Whether they chose to be listed.
    pub listed: bool,
    /// When they were checked in (ms).
    pub attended_at: Option<i64>,
}

/// An event's participants: counts for anyone who sees the event; the
/// full list (every state, waitlist in order) for its organisers; for
/// others, the registered participants who chose to be listed.
#[derive(Debug, Clone, Serialize)]
pub struct Participants {
    /// Holding a seat.
    pub registered: i64,
    /// Waiting for a seat.
    pub waitlisted: i64,
    /// Waiting for approval.
    pub pending: i64,
    /// Checked in.
    pub attended: i64,
    /// Whether the viewer organises it (and so sees everyone).
    pub organiser_view: bool,
    /// The people listed: registered first (by registration), then the
    /// waitlist in arrival order, then pending and invited.
    pub items: Vec<Participant>,
}

/// The claim of an attendance attestation: `attended:` and the event's id
/// in lower case (fits [`crate::attestations::validate_claim`]).
pub fn attendance_claim(event: Id) -> String {
    format!("attended:{}", event.to_string().to_lowercase())
}

impl Node {
    /// An event's participants as the viewer may see them (404 for an
    /// event they may not see).
    pub fn event_participants(&self, viewer: &Viewer, id: Id) -> NodeResult<Participants> {
        let event = self
            .store
            .load::<tables::CommunityEvent>(id)?
            .ok_or(NodeError::NotFound("event"))?;
        if !self.may_see_event(viewer, &event)? {
            return Err(NodeError::NotFound("event"));
        }
        let organiser_view = match viewer {
            Viewer::Member(m) => self.organises_now(&event, m)?,
            Viewer::Anonymous => false,
        };
        let mut rows: Vec<(Id, Registration)> = Vec::new();
        for row in self
            .store
            .scan::<tables::EventRegistrations>((id,), false)
            .take(MAX_PARTICIPANTS_LISTED)
        {
            let ((_, member), r) = row?;
            if organiser_view || (r.listed && r.state == RegistrationState::Registered) {
                rows.push((member, r));
            }
        }
        let rank = |r: &Registration| match r.state {
            RegistrationState::Registered => 0,
            RegistrationState::Waitlisted => 1,
            RegistrationState::Pending => 2,
            RegistrationState::Invited => 3,
        };
        rows.sort_by(|(_, a), (_, b)| {
            rank(a)
                .cmp(&rank(b))
                .then(a.arrival.cmp(&b.arrival))
                .then(a.at.cmp(&b.at))
        });
        let mut items = Vec::with_capacity(rows.len());
        for (member, r) in rows {
            if let Some(m) = self.member(member)? {
                items.push(Participant {
                    account: Self::summary(&m),
                    state: r.state,
                    since: r.at,
                    listed: r.listed,
                    attended_at: r.attended_at,
                });
            }
        }
        Ok(Participants {
            registered: self.store.counter::<tables::EventRegisteredCount>(id)?,
            waitlisted: self.store.counter::<tables::EventWaitlistCount>(id)?,
            pending: self.store.counter::<tables::EventPendingCount>(id)?,
            attended: self.store.counter::<tables::EventAttendedCount>(id)?,
            organiser_view,
            items,
        })
    }

    /// Whether `member` organises `event` (read outside a write; see
    /// [`Node::organises`]).
    pub(crate) fn organises_now(
        &self,
        event: &CommunityEvent,
        member: &Member,
    ) -> NodeResult<bool> {
        match event.group {
            Some(group) => Ok(self.store.has::<tables::GroupRoles>((group, member.id))?),
            None => Ok(event.organiser == member.id),
        }
    }

    /// The local person `username`, or `NotFound("member")`.
    fn event_participant(&self, username: &str) -> NodeResult<Member> {
        match self.member_by_name(username)? {
            Some(m) if !m.is_group() && m.deleted_at.is_none() => Ok(m),
            _ => Err(NodeError::NotFound("member")),
        }
    }

    /// An organiser approves `username`'s pending registration: a seat if
    /// one is free, else the end of the waitlist; they are told
    /// (`event_approved`). A registration that is not pending is a 409
    /// naming `state`.
    pub async fn approve_registration(
        &self,
        viewer: &Viewer,
        id: Id,
        username: &str,
    ) -> NodeResult<RegistrationState> {
        let me = viewer.member()?.clone();
        let member = self.event_participant(username)?;
        self.write(|txn| {
            let event = Self::event_in(txn, id)?;
            Self::require_organiser(txn, &event, &me)?;
            let r = txn
                .load::<tables::EventRegistrations>((id, member.id))?
                .ok_or(NodeError::NotFound("registration"))?;
            if r.state != RegistrationState::Pending {
                return Err(NodeError::conflict(
                    "state",
                    "this registration is not pending",
                ));
            }
            check_open(&event, now_ms())?;
            txn.add::<tables::EventPendingCount>(id, -1)?;
            let state = self.seat_or_wait(txn, &event, member.id, r.listed, now_ms())?;
            self.notify_event(txn, member.id, NotificationKind::EventApproved, me.id, id)?;
            Ok(state)
        })
        .await
    }

    /// An organiser rejects (or removes) `username`'s registration, in any
    /// state; a seat it held goes to the first waiting. Nobody is told.
    pub async fn reject_registration(
        &self,
        viewer: &Viewer,
        id: Id,
        username: &str,
    ) -> NodeResult<()> {
        let me = viewer.member()?.clone();
        let member = self.event_participant(username)?;
        self.write(|txn| {
            let event = Self::event_in(txn, id)?;
            Self::require_organiser(txn, &event, &me)?;
            if !self.drop_registration(txn, &event, member.id)? {
                return Err(NodeError::NotFound("registration"));
            }
            self.answer_remote_join(txn, id, member.id, false)
        })
        .await
    }

    /// An organiser invites `username`: their registration will take a
    /// seat (or a place on the waitlist) whatever the mode. Inviting
    /// someone already registered, waiting or pending changes nothing.
    pub async fn invite_to_event(&self, viewer: &Viewer, id: Id, username: &str) -> NodeResult<()> {
        let me = viewer.member()?.clone();
        let member = self.event_participant(username)?;
        self.write(|txn| {
            let event = Self::event_in(txn, id)?;
            Self::require_organiser(txn, &event, &me)?;
            if txn.has::<tables::EventRegistrations>((id, member.id))? {
                return Ok(());
            }
            let r = Registration {
                state: RegistrationState::Invited,
                at: now_ms(),
                listed: false,
                arrival: None,
                attended_at: None,
                join: None,
            };
            txn.store::<tables::EventRegistrations>((id, member.id), &r)?;
            txn.store::<tables::MemberEvents>((member.id, key_ms(event.start), id), &())?;
            Ok(())
        })
        .await
    }

    /// An organiser checks `username` in: their registration (which must
    /// hold a seat, else 409 naming `state`) is marked attended, the
    /// attended counter moves, and the organiser signs an attestation
    /// (claim [`attendance_claim`]) about the member, stored and queued for
    /// gossip in the same write, as [`Node::attest`] does. Checking in
    /// twice changes nothing; an organiser checking themselves in gets no
    /// attestation (self-attestations are refused). Returns when they were
    /// checked in.
    pub async fn check_in(&self, viewer: &Viewer, id: Id, username: &str) -> NodeResult<i64> {
        let me = viewer.member()?.clone();
        let member = self.event_participant(username)?;
        let now = now_ms();
        // Signed before the write (signing needs no state); discarded if
        // the write refuses.
        let attestation = if member.id != me.id && me.is_local() {
            let body = AttestationBody {
                actor: self.urls().actor(&me.username),
                subject: member.keys.ed25519_public.to_did_key(),
                subject_actor: match &member.remote {
                    None => self.urls().actor(&member.username),
                    Some(r) => r.actor_id.clone(),
                },
                claim: attendance_claim(id),
                comment: String::new(),
                kind: Some(AttestationKind::Attended.as_str().to_string()),
                group: None,
            };
            let envelope = self.sign_as(&me, Kind::Attestation, now, body.to_map())?;
            let record = AttestationRecord {
                envelope: envelope.id,
                attester: *me.keys.ed25519_public.as_bytes(),
                subject: *member.keys.ed25519_public.as_bytes(),
                claim: attendance_claim(id),
                comment: String::new(),
                created: envelope.created,
                kind: Some(AttestationKind::Attended),
                group: None,
            };
            Some((envelope, record))
        } else {
            None
        };
        self.write(move |txn| {
            let event = Self::event_in(txn, id)?;
            Self::require_organiser(txn, &event, &me)?;
            let mut r = txn
                .load::<tables::EventRegistrations>((id, member.id))?
                .ok_or(NodeError::NotFound("registration"))?;
            if r.state != RegistrationState::Registered {
                return Err(NodeError::conflict(
                    "state",
                    "only a registered participant can be checked in",
                ));
            }
            if let Some(at) = r.attended_at {
                return Ok(at);
            }
            r.attended_at = Some(now);
            txn.store::<tables::EventRegistrations>((id, member.id), &r)?;
            txn.add::<tables::EventAttendedCount>(id, 1)?;
            self.points_for_attending(txn, &event, member.id, me.id)?;
            if let Some((envelope, record)) = &attestation {
                self.put_attestation(txn, record)?;
                self.store_envelope(txn, envelope)?;
                self.queue_broadcast(txn, envelope)?;
                self.federate_attestation(txn, record, me.id, member.id)?;
            }
            Ok(now)
        })
        .await
    }
}
