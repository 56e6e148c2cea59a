//! The points ledger: awards and reversals, written inside the write of
//! the activity that earns them (one call from each activity's method).
//!
//! An award goes through, in order: the earner must be a local person;
//! no points between an account and itself or an account it is linked
//! to (`linked.rs`); the activity's metric is counted (badges and
//! challenges read it); the daily cap; the giver's weight (likes and
//! shares); then the history entry, the award record (to reverse it),
//! and the leaderboards. Every refusal is a history entry too, with
//! 0 points and its reason. Points are stored in hundredths.

use serde::{Deserialize, Serialize};

use crate::error::NodeResult;
use crate::id::Id;
use crate::model::now_ms;
use crate::node::Node;
use crate::store::{tables, Txn};

use super::badges::Metric;
use super::settings::Activity;
use super::{board, linked};

/// One line of a member's points history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointsEntry {
    /// What earned (or lost) the points.
    pub activity: Activity,
    /// The post, like, boost, event, course or challenge it was about.
    pub object: Id,
    /// Points in hundredths: positive for an award, negative for a
    /// reversal, 0 for a refusal.
    pub hundredths: i64,
    /// Why, in words and numbers.
    pub reason: String,
    /// When (ms).
    pub at: i64,
    /// The member on the other side (liker, booster, organiser...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other: Option<Id>,
    /// The group the activity happened in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<Id>,
}

/// An activity that may earn points.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Award {
    /// What was done.
    pub activity: Activity,
    /// Who earns: the author of a post (or of the liked or shared post),
    /// the participant checked in, the organiser, the learner.
    pub earner: Id,
    /// The member on the other side, if any: the liker, the booster, the
    /// replied-to author, the organiser checking in, the instructor.
    pub giver: Option<Id>,
    /// The object the award stands for (a post, like or boost id...).
    pub object: Id,
    /// The group the activity happened in.
    pub group: Option<Id>,
    /// The earner is known to be a local person (the author of a local
    /// post): their record need not be read.
    pub earner_local: bool,
}

/// The metrics an activity counts.
pub(crate) fn metrics_of(activity: Activity, group: Option<Id>) -> Vec<Metric> {
    let metric = match activity {
        Activity::Post => Metric::Posts,
        Activity::Reply => Metric::Replies,
        Activity::Like => Metric::LikesReceived,
        Activity::Share => Metric::SharesReceived,
        Activity::Attend => Metric::EventsAttended,
        Activity::Organise => Metric::EventsOrganised,
        Activity::CourseCompletion => Metric::CoursesCompleted,
        Activity::Contribution => Metric::Contributions,
        Activity::Mentoring => Metric::Mentees,
        Activity::Challenge => Metric::ChallengesCompleted,
    };
    let mut metrics = vec![metric];
    if group.is_some() && matches!(activity, Activity::Post | Activity::Reply) {
        metrics.push(Metric::GroupPosts);
    }
    metrics
}

fn count_metrics(txn: &mut Txn<'_>, member: Id, metrics: &[Metric], delta: i64) -> NodeResult<()> {
    for m in metrics {
        if let Some(b) = m.byte() {
            txn.add::<tables::MemberMetric>((member, b), delta)?;
        }
    }
    Ok(())
}

/// Hundredths as text: "2", "0.5", "-1.25".
pub(crate) fn points_text(hundredths: i64) -> String {
    let sign = if hundredths < 0 { "-" } else { "" };
    let h = hundredths.unsigned_abs();
    match h % 100 {
        0 => format!("{sign}{}", h / 100),
        r if r % 10 == 0 => format!("{sign}{}.{}", h / 100, r / 10),
        r => format!("{sign}{}.{r:02}", h / 100),
    }
}

impl Node {
    /// Awards the points of `award` inside `txn` (see the module doc).
    pub(crate) fn award_points(&self, txn: &mut Txn<'_>, award: Award) -> NodeResult<()> {
        #[cfg(feature = "bench-seed")]
        if self
            .gamification
            .awards_off
            .load(std::sync::atomic::Ordering::Relaxed)
        {
            return Ok(());
        }
        let now = now_ms();
        if !award.earner_local {
            let Some(earner) = txn.load::<tables::Member>(award.earner)? else {
                return Ok(());
            };
            if !earner.is_local() || earner.is_group() {
                return Ok(());
            }
        }
        let activity = award.activity;
        let name = activity.name();
        let mut entry = PointsEntry {
            activity,
            object: award.object,
            hundredths: 0,
            reason: String::new(),
            at: now,
            other: award.giver,
            group: award.group,
        };
        let giver = match award.giver {
            Some(g) => txn.load::<tables::Member>(g)?,
            None => None,
        };
        let giver_name = giver
            .as_ref()
            .map(|m| format!(" from @{}", m.username))
            .unwrap_or_default();
        if let Some(giver) = award.giver {
            if let Some(link) = linked::link_between(txn, giver, award.earner)? {
                entry.reason = format!("{name}{giver_name}: {}", link.reason());
                let id = self.ids.next();
                return txn.store::<tables::PointsHistory>((award.earner, id), &entry);
            }
        }
        let mut changed = metrics_of(activity, award.group);
        count_metrics(txn, award.earner, &changed, 1)?;
        let settings = self.gamification.settings();
        let rule = settings.rule(activity).unwrap_or(super::ActivityRule {
            points: 0,
            daily_cap: 0,
        });
        let entry_id = self.ids.next();
        let mut hundredths = 0;
        if rule.points == 0 {
            entry.reason = format!("{name}{giver_name}: this activity earns no points");
        } else if rule.daily_cap > 0
            && txn.counter::<tables::PointsToday>((award.earner, activity.byte(), day_key(now)))?
                >= i64::from(rule.daily_cap)
        {
            entry.reason = format!(
                "{name}{giver_name}: the daily cap of {} awarded {name} activities is reached",
                rule.daily_cap
            );
        } else {
            let base = i64::from(rule.points) * 100;
            if activity.weighted() {
                let weight = match award.giver {
                    Some(_) => self.giver_weight(giver.as_ref())?,
                    None => 1.0,
                };
                hundredths = (base as f64 * weight.clamp(0.0, 1.0)).round() as i64;
                entry.reason = format!(
                    "{name}{giver_name}: {} × giver's trust weight {weight:.2} = {}",
                    rule.points,
                    points_text(hundredths)
                );
            } else {
                hundredths = base;
                entry.reason = format!("{name}{giver_name}: {} points", rule.points);
            }
            if rule.daily_cap > 0 {
                txn.add::<tables::PointsToday>((award.earner, activity.byte(), day_key(now)), 1)?;
            }
        }
        entry.hundredths = hundredths;
        txn.store::<tables::PointsHistory>((award.earner, entry_id), &entry)?;
        txn.store::<tables::PointsAwards>(
            (award.object, award.earner, activity.byte()),
            &entry_id,
        )?;
        if hundredths > 0 {
            for b in board::boards_for(award.group, now) {
                board::bump(txn, &b, award.earner, hundredths)?;
            }
            changed.push(Metric::Points);
        }
        self.check_badges(txn, award.earner, &changed, now)?;
        if activity != Activity::Challenge {
            self.progress_challenges(txn, award.earner, &changed, now)?;
        }
        Ok(())
    }

    /// Reverses the award standing for `object` (its post, like, boost or
    /// registration was removed): a history entry with the points taken
    /// back and `why`, the boards it counted on lowered, its metric
    /// uncounted. Badges already earned stay. No award: nothing.
    pub(crate) fn reverse_points(
        &self,
        txn: &mut Txn<'_>,
        activity: Activity,
        object: Id,
        earner: Id,
        why: &str,
    ) -> NodeResult<()> {
        let key = (object, earner, activity.byte());
        let Some(entry_id) = txn.load::<tables::PointsAwards>(key)? else {
            return Ok(());
        };
        txn.remove::<tables::PointsAwards>(key);
        let Some(record) = txn.load::<tables::PointsHistory>((earner, entry_id))? else {
            return Ok(());
        };
        count_metrics(txn, earner, &metrics_of(activity, record.group), -1)?;
        if record.hundredths <= 0 {
            return Ok(());
        }
        let now = now_ms();
        for b in board::boards_for(record.group, record.at) {
            board::bump(txn, &b, earner, -record.hundredths)?;
        }
        let entry = PointsEntry {
            activity,
            object,
            hundredths: -record.hundredths,
            reason: format!(
                "reversed {} points of {}: {why}",
                points_text(record.hundredths),
                activity.name()
            ),
            at: now,
            other: None,
            group: record.group,
        };
        txn.store::<tables::PointsHistory>((earner, self.ids.next()), &entry)
    }

    /// Awards a challenge's reward points (no cap, not weighted).
    pub(crate) fn award_reward(
        &self,
        txn: &mut Txn<'_>,
        member: Id,
        challenge: &super::Challenge,
        now: i64,
    ) -> NodeResult<()> {
        let (points, group, title) = (challenge.reward_points, challenge.group, &challenge.title);
        count_metrics(txn, member, &[Metric::ChallengesCompleted], 1)?;
        let hundredths = i64::from(points) * 100;
        let entry = PointsEntry {
            activity: Activity::Challenge,
            object: challenge.id,
            hundredths,
            reason: format!("challenge \"{title}\" completed: {points} points"),
            at: now,
            other: None,
            group,
        };
        let id = self.ids.next();
        txn.store::<tables::PointsHistory>((member, id), &entry)?;
        if hundredths > 0 {
            for b in board::boards_for(group, now) {
                board::bump(txn, &b, member, hundredths)?;
            }
        }
        self.check_badges(
            txn,
            member,
            &[Metric::ChallengesCompleted, Metric::Points],
            now,
        )
    }
}

/// The UTC day of `ms` as a key component.
fn day_key(ms: i64) -> u64 {
    u64::try_from(board::day_of(ms)).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::points_text;

    #[test]
    fn hundredths_read_as_points() {
        assert_eq!(points_text(1000), "10");
        assert_eq!(points_text(50), "0.5");
        assert_eq!(points_text(125), "1.25");
        assert_eq!(points_text(-250), "-2.5");
    }
}
