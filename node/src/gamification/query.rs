//! Reading the game: a member's points, level, badges, achievements and
//! history; leaderboard pages; the settings.

use std::sync::Arc;

use serde::Serialize;

use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::{now_ms, MemberStatus, Role};
use crate::node::{Node, Viewer};
use crate::store::{tables, Cut};

use super::badges::Metric;
use super::board::{self, Period};
use super::ledger::points_text;
use super::settings::{GamificationSettings, Level};

/// Most history entries or leaderboard rows per page.
const MAX_PAGE: usize = 100;

/// A level as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct LevelView {
    /// Stable name (`pemula`).
    pub name: String,
    /// Label in the asked language.
    pub label: String,
    /// Every label.
    pub labels: std::collections::BTreeMap<String, String>,
    /// Whole points from which it holds.
    pub min_points: u64,
    /// Permission names it grants.
    pub benefits: Vec<String>,
    /// The next level's name, label and threshold.
    pub next: Option<NextLevel>,
    /// In words: "112 points: Menengah (101–500); 389 more for Ahli".
    pub explain: String,
}

/// The level after the member's.
#[derive(Debug, Clone, Serialize)]
pub struct NextLevel {
    /// Stable name.
    pub name: String,
    /// Label.
    pub label: String,
    /// Threshold.
    pub min_points: u64,
    /// Whole points still needed.
    pub points_needed: u64,
}

/// A badge held.
#[derive(Debug, Clone, Serialize)]
pub struct BadgeView {
    /// Stable name.
    pub badge: String,
    /// Label in the asked language (the name when the rule has none).
    pub label: String,
    /// When (ms).
    pub earned_at: i64,
    /// Why.
    pub reason: String,
}

/// Progress toward one condition of a badge.
#[derive(Debug, Clone, Serialize)]
pub struct ConditionProgress {
    /// Metric name.
    pub metric: String,
    /// Current value.
    pub value: u64,
    /// Needed.
    pub at_least: u64,
}

/// A badge rule and where the member stands.
#[derive(Debug, Clone, Serialize)]
pub struct Achievement {
    /// Badge name.
    pub badge: String,
    /// Label.
    pub label: String,
    /// Whether it is held.
    pub earned: bool,
    /// Each condition with the current value.
    pub progress: Vec<ConditionProgress>,
    /// The rule in words ("posts ≥ 10").
    pub rule: String,
}

/// One history line as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryView {
    /// Entry id (the cursor for older entries).
    pub id: Id,
    /// Activity name.
    pub activity: &'static str,
    /// What it was about.
    pub object: Id,
    /// Points, exact ("0.5", "-10").
    pub points: String,
    /// Why.
    pub reason: String,
    /// When (ms).
    pub at: i64,
    /// The group's id, if it happened in one.
    pub group: Option<Id>,
}

/// `GET .../members/{user}/points`.
#[derive(Debug, Clone, Serialize)]
pub struct MemberPoints {
    /// Username.
    pub member: String,
    /// Points, rounded to whole points.
    pub points: i64,
    /// Points, exact ("12.5").
    pub points_exact: String,
    /// Level.
    pub level: Option<LevelView>,
    /// Badges held, oldest first.
    pub badges: Vec<BadgeView>,
    /// Every badge rule with progress.
    pub achievements: Vec<Achievement>,
    /// Newest first; shown to the member and moderators only.
    pub history: Vec<HistoryView>,
    /// Whether the history was withheld from this viewer.
    pub history_hidden: bool,
    /// Cursor for older history.
    pub history_next: Option<Id>,
}

/// One row of a leaderboard.
#[derive(Debug, Clone, Serialize)]
pub struct LeaderboardRow {
    /// 1 for the top.
    pub rank: u64,
    /// Username.
    pub member: String,
    /// Display name.
    pub display_name: String,
    /// Points on this board, rounded.
    pub points: i64,
    /// Points on this board, exact.
    pub points_exact: String,
    /// Level (by all-time points) label.
    pub level: Option<String>,
}

/// A leaderboard page.
#[derive(Debug, Clone, Serialize)]
pub struct LeaderboardPage {
    /// `all`, `month` or `week`.
    pub period: &'static str,
    /// First day of the period (UTC), for month and week.
    pub period_start: Option<String>,
    /// The group's username, for a group's board.
    pub group: Option<String>,
    /// Rows in rank order.
    pub entries: Vec<LeaderboardRow>,
    /// Cursor of the next page.
    pub next: Option<String>,
}

fn rounded(hundredths: i64) -> i64 {
    (hundredths + 50).div_euclid(100)
}

impl Node {
    /// The live gamification settings.
    pub fn gamification_settings(&self) -> Arc<GamificationSettings> {
        self.gamification.settings()
    }

    /// Replaces the gamification settings (admins); a bad rule is refused
    /// naming its field. Audited.
    pub async fn update_gamification_settings(
        &self,
        viewer: &Viewer,
        value: serde_json::Value,
    ) -> NodeResult<Arc<GamificationSettings>> {
        if !viewer.has_role(Role::Admin) {
            return Err(NodeError::Forbidden(
                "only admins change gamification settings",
            ));
        }
        let settings = GamificationSettings::parse(value)?;
        self.write(|txn| {
            txn.store::<tables::GamificationSettings>((), &settings)?;
            self.audit(txn, Some(viewer), "gamification.settings", "", "")
        })
        .await?;
        Ok(self.gamification.replace(settings))
    }

    fn level_view(
        &self,
        s: &GamificationSettings,
        level: &Level,
        points: u64,
        lang: &str,
    ) -> LevelView {
        let next = s.next_level(level).map(|n| NextLevel {
            name: n.name.clone(),
            label: n.label(lang).to_string(),
            min_points: n.min_points,
            points_needed: n.min_points.saturating_sub(points),
        });
        let range = match &next {
            Some(n) => format!("{}–{}", level.min_points, n.min_points - 1),
            None => format!("{}+", level.min_points),
        };
        let explain = match &next {
            Some(n) => format!(
                "{points} points: {} ({range}); {} more for {}",
                level.label(lang),
                n.points_needed,
                n.label
            ),
            None => format!("{points} points: {} ({range})", level.label(lang)),
        };
        LevelView {
            name: level.name.clone(),
            label: level.label(lang).to_string(),
            labels: level.labels.clone(),
            min_points: level.min_points,
            benefits: level.benefits.clone(),
            next,
            explain,
        }
    }

    /// The level label of `member` in `lang` (for pages listing members).
    pub fn level_label(&self, member: Id, lang: &str) -> NodeResult<Option<String>> {
        let s = self.gamification.settings();
        let whole = rounded(
            self.store
                .counter::<tables::LeaderboardScore>((board::ALL, member))?,
        )
        .max(0) as u64;
        Ok(s.level_for(whole).map(|l| l.label(lang).to_string()))
    }

    /// A member's points, level, badges, achievements and (to themselves
    /// and moderators) history, newest first from `before`; labels in
    /// `lang`.
    pub fn member_points(
        &self,
        viewer: &Viewer,
        username: &str,
        lang: &str,
        before: Option<Id>,
        limit: usize,
    ) -> NodeResult<MemberPoints> {
        let member = self
            .member_by_name(username)?
            .filter(|m| m.deleted_at.is_none() && m.status != MemberStatus::Suspended)
            .ok_or(NodeError::NotFound("member"))?;
        let s = self.gamification.settings();
        let hundredths = self
            .store
            .counter::<tables::LeaderboardScore>((board::ALL, member.id))?;
        let whole = rounded(hundredths).max(0) as u64;
        let level = s
            .level_for(whole)
            .map(|l| self.level_view(&s, l, whole, lang));
        let label_of = |badge: &str| {
            s.badges
                .iter()
                .find(|r| r.badge == badge)
                .and_then(|r| r.labels.get(lang).or_else(|| r.labels.get("en")))
                .cloned()
                .unwrap_or_else(|| badge.to_string())
        };
        let mut badges = Vec::new();
        for row in self
            .store
            .scan::<tables::MemberBadges>((member.id,), false)
            .take(MAX_PAGE)
        {
            let ((_, badge), earned) = row?;
            badges.push(BadgeView {
                label: label_of(&badge),
                badge,
                earned_at: earned.at,
                reason: earned.reason,
            });
        }
        badges.sort_by_key(|b| b.earned_at);
        let achievements = self.store.read_view(|txn| {
            let mut out = Vec::new();
            for rule in &s.badges {
                let mut progress = Vec::new();
                for (metric, at_least) in rule.conditions() {
                    let Some(metric) = metric else { continue };
                    progress.push(ConditionProgress {
                        metric: metric.name().to_string(),
                        value: self.metric_in(txn, member.id, metric)?,
                        at_least,
                    });
                }
                out.push(Achievement {
                    badge: rule.badge.clone(),
                    label: label_of(&rule.badge),
                    earned: badges.iter().any(|b| b.badge == rule.badge),
                    progress,
                    rule: rule.describe(),
                });
            }
            Ok::<_, NodeError>(out)
        })?;
        let may_see_history = viewer.id() == Some(member.id) || viewer.has_role(Role::Moderator);
        let mut history = Vec::new();
        let mut history_next = None;
        if may_see_history {
            let limit = limit.clamp(1, MAX_PAGE);
            let to = match before {
                Some(b) => Cut::at_id(&member.id, b),
                None => Cut::past_head(&member.id),
            };
            let rows = self
                .store
                .range::<tables::PointsHistory>(
                    Cut::at_id(&member.id, Id::from_bytes([0; 16])),
                    to,
                    true,
                )
                .take(limit + 1);
            for row in rows {
                let ((_, id), e) = row?;
                if history.len() == limit {
                    history_next = history.last().map(|h: &HistoryView| h.id);
                    break;
                }
                history.push(HistoryView {
                    id,
                    activity: e.activity.name(),
                    object: e.object,
                    points: points_text(e.hundredths),
                    reason: e.reason,
                    at: e.at,
                    group: e.group,
                });
            }
        }
        Ok(MemberPoints {
            member: member.username,
            points: rounded(hundredths),
            points_exact: points_text(hundredths),
            level,
            badges,
            achievements,
            history,
            history_hidden: !may_see_history,
            history_next,
        })
    }

    /// A page of a leaderboard: the node's or a group's (by username),
    /// all time or this month or week (UTC), after `cursor`.
    pub fn leaderboard(
        &self,
        period: Period,
        group: Option<&str>,
        cursor: Option<&str>,
        limit: usize,
        lang: &str,
    ) -> NodeResult<LeaderboardPage> {
        let limit = limit.clamp(1, MAX_PAGE);
        let group = match group.filter(|g| !g.is_empty()) {
            Some(name) => Some(
                self.member_by_name(name)?
                    .filter(|m| m.is_group())
                    .ok_or_else(|| NodeError::invalid("group", "is not a group"))?,
            ),
            None => None,
        };
        let now = now_ms();
        let name = board::board_name(period, group.as_ref().map(|g| g.id), now);
        let (from, mut rank) = match cursor.filter(|c| !c.is_empty()) {
            Some(c) => {
                let (score, member, rank) = board::parse_cursor(c)?;
                let (inv, m) = board::after_key(score, member);
                (Cut::after((name.as_str(), inv, m)), rank)
            }
            None => (Cut::at((name.as_str(),)), 0),
        };
        let to = Cut::past((name.as_str(),));
        let s = self.gamification.settings();
        let mut entries = Vec::with_capacity(limit);
        let mut next = None;
        let mut last: Option<(i64, Id, u64)> = None;
        for key in self
            .store
            .range::<tables::Leaderboard>(from, to, false)
            .keys()
        {
            let (_, inv, member_id) = key?;
            if entries.len() == limit {
                next = last.map(|(score, m, r)| board::cursor_text(score, m, r));
                break;
            }
            let score = board::score_of(inv);
            rank += 1;
            last = Some((score, member_id, rank));
            let Some(member) = self.member(member_id)? else {
                continue;
            };
            if member.status != MemberStatus::Active || member.deleted_at.is_some() {
                continue;
            }
            let total = if period == Period::All && group.is_none() {
                score
            } else {
                self.store
                    .counter::<tables::LeaderboardScore>((board::ALL, member_id))?
            };
            entries.push(LeaderboardRow {
                rank,
                display_name: if member.profile.full_name.is_empty() {
                    member.username.clone()
                } else {
                    member.profile.full_name.clone()
                },
                member: member.username,
                points: rounded(score),
                points_exact: points_text(score),
                level: s
                    .level_for(rounded(total).max(0) as u64)
                    .map(|l| l.label(lang).to_string()),
            });
        }
        let start = match period {
            Period::All => None,
            Period::Month => Some(board::date_text(board::month_start(board::day_of(now)))),
            Period::Week => Some(board::date_text(board::week_start(board::day_of(now)))),
        };
        Ok(LeaderboardPage {
            period: period.name(),
            period_start: start,
            group: group.map(|g| g.username),
            entries,
            next,
        })
    }
}

/// Metrics listed for documentation and forms.
pub fn metric_names() -> Vec<&'static str> {
    Metric::ALL.iter().map(|m| m.name()).collect()
}
