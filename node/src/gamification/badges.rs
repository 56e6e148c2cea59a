//! Badge rules: a badge is earned once, when every condition of its rule
//! holds (`{"badge":"kontributor","when":{"posts":{"at_least":10}}}`).
//! Rules are checked when a metric they name changes, inside the write
//! that changes it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::NodeResult;
use crate::id::Id;
use crate::node::Node;
use crate::store::{tables, Txn};

/// What badge rules and challenges can count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Top-level posts written.
    Posts,
    /// Replies to others' posts.
    Replies,
    /// Likes received from others.
    LikesReceived,
    /// Boosts received from others.
    SharesReceived,
    /// Events checked in at.
    EventsAttended,
    /// Events organised.
    EventsOrganised,
    /// Courses completed.
    CoursesCompleted,
    /// Contributions accepted.
    Contributions,
    /// Members mentored.
    Mentees,
    /// Posts written in groups.
    GroupPosts,
    /// Challenges completed.
    ChallengesCompleted,
    /// 1 once the member's profile exists (registration).
    ProfileComplete,
    /// Whole points.
    Points,
    /// Reputation, read through [`Node::reputation_metric`].
    Reputation,
}

impl Metric {
    /// Every metric.
    pub const ALL: [Metric; 14] = [
        Metric::Posts,
        Metric::Replies,
        Metric::LikesReceived,
        Metric::SharesReceived,
        Metric::EventsAttended,
        Metric::EventsOrganised,
        Metric::CoursesCompleted,
        Metric::Contributions,
        Metric::Mentees,
        Metric::GroupPosts,
        Metric::ChallengesCompleted,
        Metric::ProfileComplete,
        Metric::Points,
        Metric::Reputation,
    ];

    /// The name used in rules and the API.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Posts => "posts",
            Metric::Replies => "replies",
            Metric::LikesReceived => "likes_received",
            Metric::SharesReceived => "shares_received",
            Metric::EventsAttended => "events_attended",
            Metric::EventsOrganised => "events_organised",
            Metric::CoursesCompleted => "courses_completed",
            Metric::Contributions => "contributions",
            Metric::Mentees => "mentees",
            Metric::GroupPosts => "group_posts",
            Metric::ChallengesCompleted => "challenges_completed",
            Metric::ProfileComplete => "profile_complete",
            Metric::Points => "points",
            Metric::Reputation => "reputation",
        }
    }

    /// The metric called `name`.
    pub fn from_name(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The stored byte of a counted metric (`None` for those read from
    /// elsewhere: points, reputation).
    pub(crate) fn byte(self) -> Option<u8> {
        Some(match self {
            Metric::Posts => 1,
            Metric::Replies => 2,
            Metric::LikesReceived => 3,
            Metric::SharesReceived => 4,
            Metric::EventsAttended => 5,
            Metric::EventsOrganised => 6,
            Metric::CoursesCompleted => 7,
            Metric::Contributions => 8,
            Metric::Mentees => 9,
            Metric::GroupPosts => 10,
            Metric::ChallengesCompleted => 11,
            Metric::ProfileComplete => 12,
            Metric::Points | Metric::Reputation => return None,
        })
    }
}

/// One condition of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    /// The metric must be at least this.
    pub at_least: u64,
}

/// A badge and when it is earned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BadgeRule {
    /// The badge's stable name.
    pub badge: String,
    /// Metric name → condition; all must hold.
    pub when: BTreeMap<String, Condition>,
    /// Label per language tag.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

impl BadgeRule {
    /// The conditions with their metrics (names were checked when the
    /// settings were saved; an unknown one never holds).
    pub fn conditions(&self) -> impl Iterator<Item = (Option<Metric>, u64)> + '_ {
        self.when
            .iter()
            .map(|(name, c)| (Metric::from_name(name), c.at_least))
    }

    /// Whether the rule names `metric`.
    pub fn names(&self, metric: Metric) -> bool {
        self.when.contains_key(metric.name())
    }

    /// "posts ≥ 10 and replies ≥ 5".
    pub fn describe(&self) -> String {
        self.when
            .iter()
            .map(|(m, c)| format!("{m} ≥ {}", c.at_least))
            .collect::<Vec<_>>()
            .join(" and ")
    }
}

/// A badge a member holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EarnedBadge {
    /// When it was earned (ms).
    pub at: i64,
    /// Why, in words with the numbers ("posts 10 ≥ 10").
    pub reason: String,
}

impl Node {
    /// A metric of `member` as the write sees it.
    pub(crate) fn metric_in(&self, txn: &Txn<'_>, member: Id, metric: Metric) -> NodeResult<u64> {
        let value = match metric.byte() {
            Some(b) => txn.counter::<tables::MemberMetric>((member, b))?,
            None if metric == Metric::Points => {
                txn.counter::<tables::LeaderboardScore>((super::board::ALL, member))? / 100
            }
            None => return self.reputation_metric(txn, member),
        };
        Ok(u64::try_from(value).unwrap_or(0))
    }

    /// Checks the badge rules naming any of `changed` for `member` and
    /// awards those now met (each once).
    pub(crate) fn check_badges(
        &self,
        txn: &mut Txn<'_>,
        member: Id,
        changed: &[Metric],
        now: i64,
    ) -> NodeResult<()> {
        self.check_badges_with(txn, member, changed, now, None)
    }

    /// [`Node::check_badges`] with the reputation already counted.
    pub(crate) fn check_badges_with(
        &self,
        txn: &mut Txn<'_>,
        member: Id,
        changed: &[Metric],
        now: i64,
        reputation: Option<u64>,
    ) -> NodeResult<()> {
        let settings = self.gamification.settings();
        for rule in &settings.badges {
            if !changed.iter().any(|m| rule.names(*m)) {
                continue;
            }
            if txn.has::<tables::MemberBadges>((member, rule.badge.as_str()))? {
                continue;
            }
            let mut reasons = Vec::new();
            let mut met = true;
            for (metric, at_least) in rule.conditions() {
                let Some(metric) = metric else {
                    met = false;
                    break;
                };
                let value = match (metric, reputation) {
                    (Metric::Reputation, Some(r)) => r,
                    _ => self.metric_in(txn, member, metric)?,
                };
                if value < at_least {
                    met = false;
                    break;
                }
                reasons.push(format!("{} {value} ≥ {at_least}", metric.name()));
            }
            if met {
                txn.store::<tables::MemberBadges>(
                    (member, rule.badge.as_str()),
                    &EarnedBadge {
                        at: now,
                        reason: reasons.join(", "),
                    },
                )?;
            }
        }
        Ok(())
    }
}
