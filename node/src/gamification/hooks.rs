//! The one call each activity's write makes: what it earns, or what its
//! removal takes back. Each runs inside the activity's own `Txn`.

use crate::community_events::CommunityEvent;
use crate::courses::Course;
use crate::error::NodeResult;
use crate::id::Id;
use crate::model::{now_ms, Post};
use crate::node::Node;
use crate::store::{tables, Txn};

use super::badges::Metric;
use super::ledger::Award;
use super::settings::Activity;

impl Node {
    /// A local post was written: 10 points for a post, 2 for a reply to
    /// someone else's.
    pub(crate) fn points_for_post(&self, txn: &mut Txn<'_>, post: &Post) -> NodeResult<()> {
        let (activity, giver) = match post.in_reply_to {
            Some(_) => (Activity::Reply, post.in_reply_to_author),
            None => (Activity::Post, None),
        };
        self.award_points(
            txn,
            Award {
                activity,
                earner: post.author_id,
                giver,
                object: post.id,
                group: post.group,
                earner_local: post.remote.is_none(),
            },
        )
    }

    /// A post is being deleted: its own points and those of its likes and
    /// boosts are reversed (reads the committed likes and boosts, so call
    /// it in the deleting write, before or after their removal is staged).
    pub(crate) fn points_for_post_removed(&self, txn: &mut Txn<'_>, post: &Post) -> NodeResult<()> {
        let why = "the post was deleted";
        self.reverse_object(txn, post.id, why)?;
        let likes: Vec<Id> = txn
            .scan::<tables::Likes>((post.id,), false)
            .values()
            .filter_map(Result::ok)
            .collect();
        for like in likes {
            self.reverse_points(txn, Activity::Like, like, post.author_id, why)?;
        }
        let boosts: Vec<Id> = txn
            .scan::<tables::Boosts>((post.id,), false)
            .values()
            .filter_map(Result::ok)
            .collect();
        for boost in boosts {
            self.reverse_points(txn, Activity::Share, boost, post.author_id, why)?;
        }
        Ok(())
    }

    /// `giver` liked (`undone` false) or unliked `post`: the author gains
    /// or loses the like's points.
    pub(crate) fn points_for_like(
        &self,
        txn: &mut Txn<'_>,
        post: &Post,
        giver: Id,
        like: Id,
        undone: bool,
    ) -> NodeResult<()> {
        if undone {
            return self.reverse_points(
                txn,
                Activity::Like,
                like,
                post.author_id,
                "the like was withdrawn",
            );
        }
        self.award_points(
            txn,
            Award {
                activity: Activity::Like,
                earner: post.author_id,
                giver: Some(giver),
                object: like,
                group: post.group,
                earner_local: post.remote.is_none(),
            },
        )
    }

    /// `giver` boosted (`undone` false) or unboosted `post`.
    pub(crate) fn points_for_share(
        &self,
        txn: &mut Txn<'_>,
        post: &Post,
        giver: Id,
        boost: Id,
        undone: bool,
    ) -> NodeResult<()> {
        if undone {
            return self.reverse_points(
                txn,
                Activity::Share,
                boost,
                post.author_id,
                "the boost was undone",
            );
        }
        self.award_points(
            txn,
            Award {
                activity: Activity::Share,
                earner: post.author_id,
                giver: Some(giver),
                object: boost,
                group: post.group,
                earner_local: post.remote.is_none(),
            },
        )
    }

    /// `member` was checked in at `event` by `by`.
    pub(crate) fn points_for_attending(
        &self,
        txn: &mut Txn<'_>,
        event: &CommunityEvent,
        member: Id,
        by: Id,
    ) -> NodeResult<()> {
        self.award_points(
            txn,
            Award {
                activity: Activity::Attend,
                earner: member,
                giver: Some(by),
                object: event.id,
                group: event.group,
                earner_local: false,
            },
        )
    }

    /// `member`'s registration for `event` was removed: attendance points
    /// go back.
    pub(crate) fn points_for_registration_removed(
        &self,
        txn: &mut Txn<'_>,
        event: Id,
        member: Id,
    ) -> NodeResult<()> {
        self.reverse_points(
            txn,
            Activity::Attend,
            event,
            member,
            "the registration was removed",
        )
    }

    /// `organiser` created `event`.
    pub(crate) fn points_for_organising(
        &self,
        txn: &mut Txn<'_>,
        event: &CommunityEvent,
        organiser: Id,
    ) -> NodeResult<()> {
        self.award_points(
            txn,
            Award {
                activity: Activity::Organise,
                earner: organiser,
                giver: None,
                object: event.id,
                group: event.group,
                earner_local: false,
            },
        )
    }

    /// `event` is being deleted: its organiser's and attendees' points go back.
    pub(crate) fn points_for_event_removed(
        &self,
        txn: &mut Txn<'_>,
        event: &CommunityEvent,
    ) -> NodeResult<()> {
        self.reverse_object(txn, event.id, "the event was deleted")
    }

    /// `member` completed `course` (its first instructor is the other
    /// side: completing one's own course earns nothing).
    pub(crate) fn points_for_course(
        &self,
        txn: &mut Txn<'_>,
        course: &Course,
        member: Id,
    ) -> NodeResult<()> {
        self.award_points(
            txn,
            Award {
                activity: Activity::CourseCompletion,
                earner: member,
                giver: course.instructors.first().copied(),
                object: course.id,
                group: course.group,
                earner_local: false,
            },
        )
    }

    /// `member`'s contribution `object` was accepted by `by` (for the
    /// projects and groups that accept contributions).
    pub fn points_for_contribution(
        &self,
        txn: &mut Txn<'_>,
        member: Id,
        by: Id,
        object: Id,
        group: Option<Id>,
    ) -> NodeResult<()> {
        self.award_points(
            txn,
            Award {
                activity: Activity::Contribution,
                earner: member,
                giver: Some(by),
                object,
                group,
                earner_local: false,
            },
        )
    }

    /// `mentor` mentored `mentee` (`object`: the record saying so, such as
    /// a `mentored` attestation); counts toward the `mentees` metric.
    pub fn points_for_mentoring(
        &self,
        txn: &mut Txn<'_>,
        mentor: Id,
        mentee: Id,
        object: Id,
    ) -> NodeResult<()> {
        self.award_points(
            txn,
            Award {
                activity: Activity::Mentoring,
                earner: mentor,
                giver: Some(mentee),
                object,
                group: None,
                earner_local: false,
            },
        )
    }

    /// An attestation was staged: a `mentored` one earns its subject (the
    /// mentor) mentoring points, a `contribution` one earns its subject
    /// contribution points (both from local members to local members;
    /// withdrawn, they are reversed), and the subject's reputation badge
    /// rules are checked.
    pub(crate) fn points_for_attestation(
        &self,
        txn: &mut Txn<'_>,
        record: &crate::attestations::AttestationRecord,
    ) -> NodeResult<()> {
        let Some(member) = txn.load::<tables::MemberByKey>(&record.subject)? else {
            return Ok(());
        };
        if let Some(attester) = txn.load::<tables::MemberByKey>(&record.attester)? {
            let object = attestation_object(&record.envelope);
            match record.kind() {
                crate::attestations::AttestationKind::Mentored => {
                    self.points_for_mentoring(txn, member, attester, object)?;
                }
                crate::attestations::AttestationKind::Contribution => {
                    self.points_for_contribution(txn, member, attester, object, None)?;
                }
                _ => {}
            }
        }
        let reputation = self.reputation_metric(txn, member)?;
        self.check_badges_with(
            txn,
            member,
            &[Metric::Reputation],
            now_ms(),
            Some(reputation),
        )
    }

    /// Reverses every award standing for `object`, whoever earned it.
    pub(crate) fn reverse_object(
        &self,
        txn: &mut Txn<'_>,
        object: Id,
        why: &str,
    ) -> NodeResult<()> {
        let awards: Vec<(Id, Id, u8)> = txn
            .scan::<tables::PointsAwards>((object,), false)
            .keys()
            .filter_map(Result::ok)
            .collect();
        for (_, earner, byte) in awards {
            if let Some(activity) = Activity::ALL.into_iter().find(|a| a.byte() == byte) {
                self.reverse_points(txn, activity, object, earner, why)?;
            }
        }
        Ok(())
    }
}

/// The id under which an attestation's awards are recorded (and
/// reversed): the first 16 bytes of its envelope id.
pub(crate) fn attestation_object(envelope: &[u8; 32]) -> Id {
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&envelope[..16]);
    Id::from_bytes(bytes)
}
