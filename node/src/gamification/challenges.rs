//! Challenges: a goal on one metric (ten posts, three events...) between
//! two dates, with a reward in points and, optionally, a badge.
//!
//! Moderators create the node's challenges; a group's owner and
//! moderators create the group's. Joining records the metric as it is
//! (the baseline): progress is what it has grown by since. Each award
//! that changes a metric checks the member's joined challenges in the
//! same write; the one that reaches the target completes the challenge
//! and awards its reward there, once.

use serde::{Deserialize, Serialize};

use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::{now_ms, Role};
use crate::node::{Node, Viewer};
use crate::store::{tables, Txn};

use super::badges::{EarnedBadge, Metric};

/// Most challenges a member's award looks at (joined, not completed).
const MAX_ACTIVE: usize = 100;
/// Most challenges listed at once.
const MAX_LISTED: usize = 100;

/// A stored challenge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Challenge {
    /// Its id.
    pub id: Id,
    /// Title.
    pub title: String,
    /// Description (plain text).
    pub description: String,
    /// What is counted.
    pub metric: Metric,
    /// How much the metric must grow after joining.
    pub target: u64,
    /// Opens (ms).
    pub starts_at: i64,
    /// Closes (ms).
    pub ends_at: i64,
    /// Points awarded on completion.
    pub reward_points: u32,
    /// Badge awarded on completion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reward_badge: Option<String>,
    /// The group it belongs to (`None`: the node's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<Id>,
    /// Who created it.
    pub created_by: Id,
    /// When (ms).
    pub created_at: i64,
}

/// A member's entry in a challenge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChallengeEntry {
    /// When they joined (ms).
    pub joined_at: i64,
    /// The metric when they joined.
    pub baseline: u64,
    /// When they completed it (ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<i64>,
}

/// What creating a challenge needs.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewChallenge {
    /// 1–100 characters.
    pub title: String,
    /// Up to 2,000 characters.
    #[serde(default)]
    pub description: String,
    /// A metric name (`posts`, `events_attended`...).
    pub metric: String,
    /// 1 to 1,000,000.
    pub target: u64,
    /// RFC 3339 (absent: now).
    #[serde(default)]
    pub starts_at: Option<String>,
    /// RFC 3339, after `starts_at` and in the future.
    pub ends_at: String,
    /// Up to 100,000.
    #[serde(default)]
    pub reward_points: u32,
    /// A badge name (lower-case letters, digits, underscores).
    #[serde(default)]
    pub reward_badge: Option<String>,
    /// The group's username, for a group's challenge.
    #[serde(default)]
    pub group: Option<String>,
}

/// A member's progress in a challenge.
#[derive(Debug, Clone, Serialize)]
pub struct ChallengeProgress {
    /// When they joined (ms).
    pub joined_at: i64,
    /// Growth of the metric since joining (capped at the target).
    pub progress: u64,
    /// The target.
    pub target: u64,
    /// When they completed it.
    pub completed_at: Option<i64>,
    /// In words: "posts: 3 of 10 since joining".
    pub explain: String,
}

/// A challenge as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ChallengeView {
    /// Its id.
    pub id: Id,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Metric name.
    pub metric: &'static str,
    /// Target.
    pub target: u64,
    /// Opens (ms).
    pub starts_at: i64,
    /// Closes (ms).
    pub ends_at: i64,
    /// `upcoming`, `active` or `ended`.
    pub status: &'static str,
    /// Reward points.
    pub reward_points: u32,
    /// Reward badge.
    pub reward_badge: Option<String>,
    /// The group's username.
    pub group: Option<String>,
    /// Members who joined.
    pub participants: i64,
    /// Members who completed it.
    pub completed: i64,
    /// The viewer's progress, if they joined.
    pub me: Option<ChallengeProgress>,
}

fn parse_time(field: &str, text: &str) -> NodeResult<i64> {
    let ts: jiff::Timestamp = text
        .parse()
        .map_err(|_| NodeError::invalid(field, "must be an RFC 3339 date and time"))?;
    Ok(ts.as_millisecond())
}

impl Challenge {
    fn status(&self, now: i64) -> &'static str {
        if now < self.starts_at {
            "upcoming"
        } else if now < self.ends_at {
            "active"
        } else {
            "ended"
        }
    }
}

impl Node {
    /// Creates a challenge: the node's (moderators) or a group's (its
    /// owner and moderators).
    pub async fn create_challenge(
        &self,
        viewer: &Viewer,
        new: NewChallenge,
    ) -> NodeResult<ChallengeView> {
        let me = viewer.member()?.clone();
        let now = now_ms();
        let title = new.title.trim().to_string();
        if title.is_empty() || title.chars().count() > 100 {
            return Err(NodeError::invalid("title", "must be 1 to 100 characters"));
        }
        crate::validate::max_chars("description", &new.description, 2000)?;
        let metric = Metric::from_name(&new.metric)
            .filter(|m| *m != Metric::ProfileComplete)
            .ok_or_else(|| NodeError::invalid("metric", "is not a metric a challenge can count"))?;
        if new.target == 0 || new.target > 1_000_000 {
            return Err(NodeError::invalid("target", "must be 1 to 1000000"));
        }
        if new.reward_points > 100_000 {
            return Err(NodeError::invalid(
                "reward_points",
                "must be at most 100000",
            ));
        }
        if let Some(b) = &new.reward_badge {
            let ok = !b.is_empty()
                && b.len() <= 40
                && b.bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_');
            if !ok {
                return Err(NodeError::invalid(
                    "reward_badge",
                    "must be 1 to 40 lower-case letters, digits or underscores",
                ));
            }
        }
        let starts_at = match new.starts_at.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => parse_time("starts_at", s)?,
            None => now,
        };
        let ends_at = parse_time("ends_at", &new.ends_at)?;
        if ends_at <= starts_at || ends_at <= now {
            return Err(NodeError::invalid(
                "ends_at",
                "must be after starts_at and in the future",
            ));
        }
        let group = match new.group.as_deref().filter(|g| !g.is_empty()) {
            Some(name) => {
                let g = self
                    .member_by_name(name)?
                    .filter(|m| m.is_group())
                    .ok_or_else(|| NodeError::invalid("group", "is not a group"))?;
                Some(g.id)
            }
            None => None,
        };
        let challenge = Challenge {
            id: self.ids.next(),
            title,
            description: new.description,
            metric,
            target: new.target,
            starts_at,
            ends_at,
            reward_points: new.reward_points,
            reward_badge: new.reward_badge.filter(|b| !b.is_empty()),
            group,
            created_by: me.id,
            created_at: now,
        };
        let is_moderator = viewer.has_role(Role::Moderator);
        self.write(|txn| {
            match challenge.group {
                Some(g) if !is_moderator && !txn.has::<tables::GroupRoles>((g, me.id))? => {
                    return Err(NodeError::Forbidden(
                        "only the group's owner and moderators create its challenges",
                    ))
                }
                None if !is_moderator => {
                    return Err(NodeError::Forbidden(
                        "only moderators create the node's challenges",
                    ))
                }
                _ => {}
            }
            txn.store::<tables::Challenge>(challenge.id, &challenge)?;
            if let Some(g) = challenge.group {
                txn.store::<tables::ChallengesByGroup>((g, challenge.id), &())?;
            }
            Ok(())
        })
        .await?;
        self.challenge_view(viewer, &challenge)
    }

    /// Joins a challenge that has not ended (a group's: members of the
    /// group). Joining again changes nothing.
    pub async fn join_challenge(&self, viewer: &Viewer, id: Id) -> NodeResult<ChallengeView> {
        let me = viewer.member()?.clone();
        let now = now_ms();
        let challenge = self
            .store
            .load::<tables::Challenge>(id)?
            .ok_or(NodeError::NotFound("challenge"))?;
        self.write(|txn| {
            if txn.has::<tables::ChallengeEntries>((id, me.id))? {
                return Ok(());
            }
            if now >= challenge.ends_at {
                return Err(NodeError::conflict("challenge", "has ended"));
            }
            if let Some(g) = challenge.group {
                if !txn.has::<tables::Following>((me.id, g))? {
                    return Err(NodeError::Forbidden(
                        "only the group's members join its challenges",
                    ));
                }
            }
            let baseline = self.metric_in(txn, me.id, challenge.metric)?;
            txn.store::<tables::ChallengeEntries>(
                (id, me.id),
                &ChallengeEntry {
                    joined_at: now,
                    baseline,
                    completed_at: None,
                },
            )?;
            txn.store::<tables::MemberChallenges>((me.id, id), &())?;
            txn.add::<tables::ActiveChallengeCount>(me.id, 1)?;
            txn.add::<tables::ChallengeJoinedCount>(id, 1)?;
            Ok(())
        })
        .await?;
        self.challenge_view(viewer, &challenge)
    }

    /// One challenge, with the viewer's progress.
    pub fn challenge(&self, viewer: &Viewer, id: Id) -> NodeResult<ChallengeView> {
        let challenge = self
            .store
            .load::<tables::Challenge>(id)?
            .ok_or(NodeError::NotFound("challenge"))?;
        self.challenge_view(viewer, &challenge)
    }

    /// Challenges, newest first (a group's, by its username), at most 100.
    pub fn challenges(
        &self,
        viewer: &Viewer,
        group: Option<&str>,
        limit: usize,
    ) -> NodeResult<Vec<ChallengeView>> {
        let limit = limit.clamp(1, MAX_LISTED);
        let ids: Vec<Id> = match group.filter(|g| !g.is_empty()) {
            Some(name) => {
                let g = self
                    .member_by_name(name)?
                    .filter(|m| m.is_group())
                    .ok_or(NodeError::NotFound("group"))?;
                self.store
                    .scan::<tables::ChallengesByGroup>((g.id,), true)
                    .keys()
                    .take(limit)
                    .map(|k| k.map(|(_, c)| c))
                    .collect::<NodeResult<_>>()?
            }
            None => self
                .store
                .scan::<tables::Challenge>((), true)
                .keys()
                .take(limit)
                .collect::<NodeResult<_>>()?,
        };
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(c) = self.store.load::<tables::Challenge>(id)? {
                out.push(self.challenge_view(viewer, &c)?);
            }
        }
        Ok(out)
    }

    fn challenge_view(&self, viewer: &Viewer, c: &Challenge) -> NodeResult<ChallengeView> {
        let now = now_ms();
        let me = match viewer.id() {
            Some(member) => match self
                .store
                .load::<tables::ChallengeEntries>((c.id, member))?
            {
                Some(entry) => {
                    let current = self
                        .store
                        .read_view(|txn| self.metric_in(txn, member, c.metric))?;
                    let progress = if entry.completed_at.is_some() {
                        c.target
                    } else {
                        current.saturating_sub(entry.baseline).min(c.target)
                    };
                    Some(ChallengeProgress {
                        joined_at: entry.joined_at,
                        progress,
                        target: c.target,
                        completed_at: entry.completed_at,
                        explain: format!(
                            "{}: {progress} of {} since joining (was {} then, {current} now)",
                            c.metric.name(),
                            c.target,
                            entry.baseline
                        ),
                    })
                }
                None => None,
            },
            None => None,
        };
        let group = match c.group {
            Some(g) => self.member(g)?.map(|m| m.username),
            None => None,
        };
        Ok(ChallengeView {
            id: c.id,
            title: c.title.clone(),
            description: c.description.clone(),
            metric: c.metric.name(),
            target: c.target,
            starts_at: c.starts_at,
            ends_at: c.ends_at,
            status: c.status(now),
            reward_points: c.reward_points,
            reward_badge: c.reward_badge.clone(),
            group,
            participants: self.store.counter::<tables::ChallengeJoinedCount>(c.id)?,
            completed: self
                .store
                .counter::<tables::ChallengeCompletedCount>(c.id)?,
            me,
        })
    }

    /// Checks `member`'s joined challenges on the `changed` metrics and
    /// completes those whose target is reached (reward in this write).
    /// Ended challenges leave the member's list.
    pub(crate) fn progress_challenges(
        &self,
        txn: &mut Txn<'_>,
        member: Id,
        changed: &[Metric],
        now: i64,
    ) -> NodeResult<()> {
        if txn.counter::<tables::ActiveChallengeCount>(member)? == 0 {
            return Ok(());
        }
        let joined: Vec<Id> = txn
            .scan::<tables::MemberChallenges>((member,), false)
            .keys()
            .take(MAX_ACTIVE)
            .map(|k| k.map(|(_, c)| c))
            .collect::<NodeResult<_>>()?;
        for id in joined {
            let Some(c) = txn.load::<tables::Challenge>(id)? else {
                txn.remove::<tables::MemberChallenges>((member, id));
                txn.add::<tables::ActiveChallengeCount>(member, -1)?;
                continue;
            };
            if now >= c.ends_at {
                txn.remove::<tables::MemberChallenges>((member, id));
                txn.add::<tables::ActiveChallengeCount>(member, -1)?;
                continue;
            }
            if now < c.starts_at || !changed.contains(&c.metric) {
                continue;
            }
            let Some(mut entry) = txn.load::<tables::ChallengeEntries>((id, member))? else {
                continue;
            };
            if entry.completed_at.is_some() {
                continue;
            }
            let current = self.metric_in(txn, member, c.metric)?;
            if current.saturating_sub(entry.baseline) < c.target {
                continue;
            }
            entry.completed_at = Some(now);
            txn.store::<tables::ChallengeEntries>((id, member), &entry)?;
            txn.remove::<tables::MemberChallenges>((member, id));
            txn.add::<tables::ActiveChallengeCount>(member, -1)?;
            txn.add::<tables::ChallengeCompletedCount>(id, 1)?;
            if let Some(badge) = &c.reward_badge {
                if !txn.has::<tables::MemberBadges>((member, badge.as_str()))? {
                    txn.store::<tables::MemberBadges>(
                        (member, badge.as_str()),
                        &EarnedBadge {
                            at: now,
                            reason: format!("challenge \"{}\" completed", c.title),
                        },
                    )?;
                }
            }
            self.award_reward(txn, member, &c, now)?;
        }
        Ok(())
    }
}
