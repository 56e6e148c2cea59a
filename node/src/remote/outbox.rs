//! Federation intents: what the node's own actions must tell other
//! servers, written in the same atomic write as the action itself, so an
//! accepted action is never lost to a crash before it is delivered.

use serde::{Deserialize, Serialize};

use crate::error::NodeResult;
use crate::events::Event;
use crate::id::Id;
use crate::model::Visibility;
use crate::node::Node;
use crate::store::{tables, Txn};

use super::delivery::{Delivery, NewDelivery};

/// One thing to federate. Ids name local records; the federation layer
/// renders the activity when it expands the intent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Outgoing {
    /// A local post was published.
    Create {
        /// The post.
        post: Id,
    },
    /// A local post was edited.
    Update {
        /// The post.
        post: Id,
    },
    /// A local post was deleted (what addressing needs is kept here: the
    /// post is gone).
    Delete {
        /// The post's id.
        post: Id,
        /// Its author.
        author: Id,
        /// Its visibility.
        visibility: Visibility,
        /// Its mentioned members.
        mentions: Vec<Id>,
        /// The author of the post it answered.
        in_reply_to_author: Option<Id>,
        /// The group of another server it was in (told too).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        group: Option<Id>,
    },
    /// A local member liked a post.
    Like {
        /// Who.
        member: Id,
        /// What.
        post: Id,
    },
    /// A local member withdrew a like.
    Unlike {
        /// Who.
        member: Id,
        /// What.
        post: Id,
    },
    /// A local member boosted a post.
    Announce {
        /// Who.
        member: Id,
        /// What.
        post: Id,
        /// The boost's id.
        boost: Id,
    },
    /// A local member withdrew a boost.
    UndoAnnounce {
        /// Who.
        member: Id,
        /// What.
        post: Id,
        /// The boost's id.
        boost: Id,
    },
    /// A local member asked to follow a remote account.
    Follow {
        /// Local follower.
        follower: Id,
        /// Remote account.
        followee: Id,
        /// The Follow activity's id.
        activity_id: String,
    },
    /// A local member stopped following (or withdrew a request).
    UndoFollow {
        /// Local follower.
        follower: Id,
        /// Remote account.
        followee: Id,
        /// The Follow activity's id.
        activity_id: String,
    },
    /// A local member accepted a remote account's follow.
    Accept {
        /// Remote follower.
        follower: Id,
        /// Local member.
        followee: Id,
        /// The remote Follow activity's id.
        activity_id: String,
    },
    /// A local member refused (or removed) a remote follower.
    Reject {
        /// Remote follower.
        follower: Id,
        /// Local member.
        followee: Id,
        /// The remote Follow activity's id.
        activity_id: String,
    },
    /// A local member blocked a remote account.
    Block {
        /// Local member.
        blocker: Id,
        /// Remote account.
        blocked: Id,
    },
    /// A local member unblocked a remote account.
    Unblock {
        /// Local member.
        blocker: Id,
        /// Remote account.
        blocked: Id,
    },
    /// A local member's profile changed.
    UpdateProfile {
        /// Who.
        member: Id,
    },
    /// An admin deleted a local member: servers that follow them or that
    /// they follow are told (`Delete` of the actor).
    DeleteActor {
        /// Who.
        member: Id,
    },
    /// A local event was published (`created`) or changed (cancelled,
    /// moved, live...): its organiser's (or group's) followers on other
    /// servers are told (`Create`/`Update` of the `Event`).
    Event {
        /// The event.
        event: Id,
        /// `Create` rather than `Update`.
        created: bool,
    },
    /// A local event was deleted (what addressing needs is kept here).
    EventDeleted {
        /// Its ActivityPub id.
        object: String,
        /// Its organiser (a member, or the group).
        organiser: Id,
    },
    /// A local event's organisers answer the `Join` of an account of
    /// another server: `Accept` (a seat) or `Reject`.
    JoinAnswer {
        /// The event.
        event: Id,
        /// The participant of another server.
        member: Id,
        /// Their `Join`'s id.
        activity_id: String,
        /// `Accept` rather than `Reject`.
        accept: bool,
    },
    /// A local member asks to take part in an event of another server
    /// (`Join`), or withdraws (`leave`: `Leave`, as Mobilizon takes it),
    /// told to the event's organiser (and its group).
    EventJoin {
        /// The event (stored here, with its remote part).
        event: Id,
        /// The local member.
        member: Id,
        /// The `Join`'s id (the `Leave` is named after it).
        activity_id: String,
        /// A `Leave` rather than a `Join`.
        leave: bool,
    },
    /// A local course was published (`created`: `Create`) or changed,
    /// archived included (`Update`): its actor's (instructor's or
    /// group's) followers on other servers are told.
    Course {
        /// The course.
        course: Id,
        /// `Create` rather than `Update`.
        created: bool,
    },
    /// A published local course was deleted or taken back to draft
    /// (`Delete`; what addressing needs is kept here).
    CourseDeleted {
        /// Its ActivityPub id.
        object: String,
        /// Its actor (the member or group it is published under).
        actor: Id,
    },
    /// A local course's instructors answer the `Join` of an account of
    /// another server: `Accept` (enrolled) or `Reject`.
    CourseJoinAnswer {
        /// The course.
        course: Id,
        /// The account of another server.
        member: Id,
        /// Their `Join`'s id.
        activity_id: String,
        /// `Accept` rather than `Reject`.
        accept: bool,
    },
    /// A local member asks to enrol in a course of another server
    /// (`Join`), or leaves it (`leave`: `Leave`), told to the course's
    /// actor.
    CourseJoin {
        /// The course (stored here as a remote course).
        course: Id,
        /// The local member.
        member: Id,
        /// The `Join`'s id (the `Leave` is named after it).
        activity_id: String,
        /// A `Leave` rather than a `Join`.
        leave: bool,
    },
    /// A certificate was issued to an account of another server: it is
    /// offered to that account alone (`Offer` of the credential, to its
    /// inbox).
    CertificateOffer {
        /// The certificate.
        certificate: Id,
    },
    /// An attestation was made here (by a member, or by the node): its
    /// object, with an FEP-8b32 proof by its issuer's key, is sent in a
    /// `Create` to the subject's server and the sender's followers.
    Attestation {
        /// The attestation's record id (its envelope's).
        attestation: [u8; 32],
        /// The local account that sends it (the issuer, or for one the
        /// node issued, the account of the course).
        sender: Id,
    },
    /// An attestation made here was withdrawn (`Delete`; the record is
    /// gone, so its object id and audience are kept here).
    AttestationWithdrawn {
        /// Its object id.
        object: String,
        /// The local account that sends it.
        sender: Id,
        /// Its subject, when known here.
        subject: Option<Id>,
    },
    /// A local group shares what happened in it with its members on other
    /// servers (FEP-1b12: the group's `Announce` of the activity).
    Group {
        /// The local group.
        group: Id,
        /// What it announces.
        activity: GroupActivity,
    },
}

/// What a local group announces to its remote members: its posts and
/// what is done to them, and its moderators' actions, as Lemmy federates
/// a community's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum GroupActivity {
    /// A post in the group (by a member here or elsewhere).
    Create {
        /// The post.
        post: Id,
    },
    /// A post in the group was edited.
    Update {
        /// The post.
        post: Id,
    },
    /// A post in the group was deleted by its author, or removed by a
    /// moderator (`by`); the post is gone, so its object id is kept.
    Delete {
        /// The post's ActivityPub id.
        object: String,
        /// Its author.
        author: Id,
        /// The moderator who removed it (`None`: its author deleted it).
        by: Option<Id>,
    },
    /// Someone liked (or, `undone`, stopped liking) a post in the group;
    /// with `dislike`, downvoted it (Lemmy's `Dislike`).
    Like {
        /// Who.
        member: Id,
        /// What.
        post: Id,
        /// An `Undo(Like)`.
        undone: bool,
        /// A `Dislike` rather than a `Like`.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        dislike: bool,
    },
    /// A moderator banned (or, `undone`, unbanned) someone.
    Ban {
        /// The moderator.
        moderator: Id,
        /// Who is banned.
        member: Id,
        /// An `Undo(Block)`.
        undone: bool,
    },
    /// A moderator locked (or, `undone`, unlocked) a thread (its root).
    Lock {
        /// The moderator.
        moderator: Id,
        /// The thread's first post.
        post: Id,
        /// An `Undo(Lock)`.
        undone: bool,
    },
    /// A moderator pinned (`Add` to `featured`) or unpinned (`Remove`) a
    /// post.
    Pin {
        /// The moderator.
        moderator: Id,
        /// The post.
        post: Id,
        /// A `Remove`.
        undone: bool,
    },
}

impl Node {
    /// Records an intent in `txn`; federation is woken once it is durable.
    pub(crate) fn federate(&self, txn: &mut Txn<'_>, intent: Outgoing) -> NodeResult<()> {
        txn.store::<tables::Outbox>(self.ids.next(), &intent)?;
        txn.add::<tables::OutboxLength>((), 1)?;
        txn.emit(Event::FederationQueued);
        Ok(())
    }

    /// Whether a local post may reach another server: its author has remote
    /// followers (or remote follow requests), or it mentions or answers a
    /// remote account. Keeps purely local posts free of federation work.
    pub(crate) fn has_remote_audience(
        &self,
        txn: &Txn<'_>,
        author: Id,
        mentions: &[Id],
        in_reply_to_author: Option<Id>,
    ) -> NodeResult<bool> {
        if txn
            .scan::<tables::FollowActivity>((author,), false)
            .keys()
            .next()
            .is_some()
        {
            return Ok(true);
        }
        for id in mentions.iter().chain(in_reply_to_author.iter()) {
            if matches!(self.member(*id)?, Some(m) if !m.is_local()) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The oldest pending intents (at most `limit`).
    pub fn pending_outgoing(&self, limit: usize) -> NodeResult<Vec<(Id, Outgoing)>> {
        let mut out = Vec::new();
        for item in self
            .store
            .scan::<tables::Outbox>((), false)
            .each_value()
            .take(limit)
        {
            let (id, intent) = item?;
            match intent {
                Ok(intent) => out.push((id, intent)),
                Err(e) => tracing::warn!(intent = %id, error = %e, "unreadable federation intent"),
            }
        }
        Ok(out)
    }

    /// Replaces an intent by the deliveries it expands to, atomically:
    /// after this, the deliveries are queued and the intent is gone.
    pub async fn expand_outgoing(
        &self,
        intent: Id,
        deliveries: Vec<NewDelivery>,
    ) -> NodeResult<()> {
        let now = crate::model::now_ms();
        let records: Vec<Delivery> = deliveries
            .into_iter()
            .map(|d| Delivery::new(self.ids.next(), d, now))
            .collect();
        self.write(move |txn| {
            if txn.has::<tables::Outbox>(intent)? {
                txn.add::<tables::OutboxLength>((), -1)?;
            }
            txn.remove::<tables::Outbox>(intent);
            for record in &records {
                Self::enqueue(txn, record)?;
            }
            if !records.is_empty() {
                txn.emit(Event::FederationQueued);
            }
            Ok(())
        })
        .await
    }

    /// The inboxes of every server a member is in touch with: their remote
    /// followers' and those of the remote accounts they follow.
    pub fn remote_contact_inboxes(&self, member: Id) -> NodeResult<Vec<String>> {
        let mut inboxes: std::collections::BTreeSet<String> =
            self.remote_follower_inboxes(member)?.into_iter().collect();
        for key in self
            .store
            .scan::<tables::Following>((member,), false)
            .keys()
        {
            let (_, followee) = key?;
            if let Some(r) = self.member(followee)?.and_then(|m| m.remote) {
                if !r.inbox.is_empty() {
                    inboxes.insert(r.delivery_inbox().to_string());
                }
            }
        }
        Ok(inboxes.into_iter().collect())
    }

    /// The inboxes of a member's accepted remote followers (shared inbox
    /// preferred), de-duplicated. Walks only the remote follows (the
    /// `FollowActivity` entries kept for them), never the local followers.
    pub fn remote_follower_inboxes(&self, member: Id) -> NodeResult<Vec<String>> {
        let mut inboxes = std::collections::BTreeSet::new();
        for key in self
            .store
            .scan::<tables::FollowActivity>((member,), false)
            .keys()
        {
            let (_, follower) = key?;
            let accepted = self.store.has::<tables::Followers>((member, follower))?;
            if !accepted {
                continue;
            }
            if let Some(m) = self.member(follower)? {
                if let Some(r) = &m.remote {
                    inboxes.insert(r.delivery_inbox().to_string());
                }
            }
        }
        Ok(inboxes.into_iter().collect())
    }
}
