//! The rules of the game an admin edits: points and daily caps per
//! activity, levels by points, and badge rules. Defaults are the seed
//! design's (`poin_aktivitas`, `level`, `lencana`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{NodeError, NodeResult};

use super::badges::{BadgeRule, Condition, Metric};

/// Something a member does that can earn points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activity {
    /// Writing a top-level post (seed `membuat_post`).
    Post,
    /// Replying to someone else's post (seed `komentar_post`).
    Reply,
    /// A like received on one's post, from someone else (seed `like_post`).
    Like,
    /// A boost received on one's post (seed `berbagi_post`).
    Share,
    /// Being checked in at an event (seed `menghadiri_acara`).
    Attend,
    /// Organising an event (seed `mengatur_acara`).
    Organise,
    /// Completing a course.
    CourseCompletion,
    /// A contribution accepted in a project or group.
    Contribution,
    /// Mentoring a member.
    Mentoring,
    /// A challenge's reward.
    Challenge,
}

impl Activity {
    /// Every activity, in byte order.
    pub const ALL: [Activity; 10] = [
        Activity::Post,
        Activity::Reply,
        Activity::Like,
        Activity::Share,
        Activity::Attend,
        Activity::Organise,
        Activity::CourseCompletion,
        Activity::Contribution,
        Activity::Mentoring,
        Activity::Challenge,
    ];

    /// The stored byte (part of the on-disk format).
    pub fn byte(self) -> u8 {
        match self {
            Activity::Post => 1,
            Activity::Reply => 2,
            Activity::Like => 3,
            Activity::Share => 4,
            Activity::Attend => 5,
            Activity::Organise => 6,
            Activity::CourseCompletion => 7,
            Activity::Contribution => 8,
            Activity::Mentoring => 9,
            Activity::Challenge => 10,
        }
    }

    /// The name used in settings and the API.
    pub fn name(self) -> &'static str {
        match self {
            Activity::Post => "post",
            Activity::Reply => "reply",
            Activity::Like => "like",
            Activity::Share => "share",
            Activity::Attend => "attend",
            Activity::Organise => "organise",
            Activity::CourseCompletion => "course_completion",
            Activity::Contribution => "contribution",
            Activity::Mentoring => "mentoring",
            Activity::Challenge => "challenge",
        }
    }

    /// The activity called `name`.
    pub fn from_name(name: &str) -> Option<Activity> {
        Activity::ALL.into_iter().find(|a| a.name() == name)
    }

    /// Whether points are weighted by the giver's trust (likes and shares:
    /// the earner did nothing but receive them).
    pub fn weighted(self) -> bool {
        matches!(self, Activity::Like | Activity::Share)
    }
}

/// Points and daily cap of one activity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ActivityRule {
    /// Whole points per occurrence (before trust weighting).
    pub points: u32,
    /// Occurrences that earn points per member and UTC day (0: no cap).
    pub daily_cap: u32,
}

/// A level: reached at `min_points`, until the next level's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Level {
    /// Stable name (`pemula`).
    pub name: String,
    /// Whole points from which the level holds.
    pub min_points: u64,
    /// Label per language tag (`id`, `en` at least).
    pub labels: BTreeMap<String, String>,
    /// Permission names the level grants (`posting_dasar`, ...).
    #[serde(default)]
    pub benefits: Vec<String>,
}

impl Level {
    /// The label in `lang`, else English, else the name.
    pub fn label(&self, lang: &str) -> &str {
        self.labels
            .get(lang)
            .or_else(|| self.labels.get("en"))
            .map(String::as_str)
            .unwrap_or(&self.name)
    }
}

/// Everything an admin can change about points, levels and badges.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GamificationSettings {
    /// Points and caps per activity name (see [`Activity::name`]); an
    /// activity not listed earns nothing.
    pub activities: BTreeMap<String, ActivityRule>,
    /// Levels, lowest first; the first starts at 0.
    pub levels: Vec<Level>,
    /// Badge rules.
    pub badges: Vec<BadgeRule>,
}

/// Bounds on what settings may hold (they are read on every award).
const MAX_LEVELS: usize = 20;
const MAX_BADGES: usize = 64;
const MAX_CONDITIONS: usize = 8;
const MAX_POINTS: u32 = 100_000;

fn labels(id: &str, en: &str) -> BTreeMap<String, String> {
    BTreeMap::from([("id".into(), id.into()), ("en".into(), en.into())])
}

fn rule(badge: &str, metric: Metric, at_least: u64, id: &str, en: &str) -> BadgeRule {
    BadgeRule {
        badge: badge.into(),
        when: BTreeMap::from([(metric.name().to_string(), Condition { at_least })]),
        labels: labels(id, en),
    }
}

impl Default for GamificationSettings {
    fn default() -> Self {
        let a = |points, daily_cap| ActivityRule { points, daily_cap };
        let activities = [
            (Activity::Post, a(10, 20)),
            (Activity::Reply, a(2, 50)),
            (Activity::Like, a(1, 100)),
            (Activity::Share, a(5, 50)),
            (Activity::Attend, a(20, 5)),
            (Activity::Organise, a(50, 3)),
            (Activity::CourseCompletion, a(100, 5)),
            (Activity::Contribution, a(30, 10)),
            (Activity::Mentoring, a(15, 10)),
            (Activity::Challenge, a(0, 0)),
        ]
        .into_iter()
        .map(|(k, v)| (k.name().to_string(), v))
        .collect();
        let level = |name: &str, min, id: &str, en: &str, n: usize| Level {
            name: name.into(),
            min_points: min,
            labels: labels(id, en),
            benefits: [
                "posting_dasar",
                "grup_premium",
                "fitur_khusus",
                "dukungan_prioritas",
            ][..n]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        };
        GamificationSettings {
            activities,
            levels: vec![
                level("pemula", 0, "Pemula", "Beginner", 1),
                level("menengah", 101, "Menengah", "Intermediate", 2),
                level("ahli", 501, "Ahli", "Expert", 3),
                level("master", 1001, "Master", "Master", 4),
            ],
            badges: vec![
                rule(
                    "pendatang_baru",
                    Metric::ProfileComplete,
                    1,
                    "Pendatang baru",
                    "Newcomer",
                ),
                rule(
                    "kontributor",
                    Metric::Posts,
                    10,
                    "Kontributor",
                    "Contributor",
                ),
                rule("ahli", Metric::Reputation, 1000, "Ahli", "Expert"),
                rule("mentor", Metric::Mentees, 50, "Mentor", "Mentor"),
                rule(
                    "peserta_acara",
                    Metric::EventsAttended,
                    5,
                    "Peserta acara",
                    "Event goer",
                ),
                rule(
                    "penyelenggara",
                    Metric::EventsOrganised,
                    3,
                    "Penyelenggara",
                    "Organiser",
                ),
                rule(
                    "pembelajar",
                    Metric::CoursesCompleted,
                    1,
                    "Pembelajar",
                    "Learner",
                ),
                rule(
                    "aktivis_grup",
                    Metric::GroupPosts,
                    25,
                    "Aktivis grup",
                    "Group regular",
                ),
            ],
        }
    }
}

impl GamificationSettings {
    /// The rule of `activity` (absent: no points).
    pub fn rule(&self, activity: Activity) -> Option<ActivityRule> {
        self.activities.get(activity.name()).copied()
    }

    /// The level of `whole_points`.
    pub fn level_for(&self, whole_points: u64) -> Option<&Level> {
        self.levels
            .iter()
            .rev()
            .find(|l| l.min_points <= whole_points)
    }

    /// The level after `level`, if any.
    pub fn next_level(&self, level: &Level) -> Option<&Level> {
        self.levels.iter().find(|l| l.min_points > level.min_points)
    }

    /// Parses and checks settings sent by an admin; an error names the
    /// field (`badges[2].when.foo`).
    pub fn parse(value: serde_json::Value) -> NodeResult<GamificationSettings> {
        let settings: GamificationSettings = serde_json::from_value(value)
            .map_err(|e| NodeError::invalid("settings", e.to_string()))?;
        settings.validate()?;
        Ok(settings)
    }

    /// Checks every rule; the error names the first bad field.
    pub fn validate(&self) -> NodeResult<()> {
        for (name, rule) in &self.activities {
            let field = format!("activities.{name}");
            if Activity::from_name(name).is_none() {
                return Err(NodeError::invalid(&field, "is not an activity"));
            }
            if rule.points > MAX_POINTS {
                return Err(NodeError::invalid(
                    &format!("{field}.points"),
                    format!("must be at most {MAX_POINTS}"),
                ));
            }
        }
        if self.levels.is_empty() || self.levels.len() > MAX_LEVELS {
            return Err(NodeError::invalid(
                "levels",
                format!("needs 1 to {MAX_LEVELS} levels"),
            ));
        }
        let mut last: Option<u64> = None;
        for (i, level) in self.levels.iter().enumerate() {
            let field = format!("levels[{i}]");
            slug(&format!("{field}.name"), &level.name)?;
            match last {
                None if level.min_points != 0 => {
                    return Err(NodeError::invalid(
                        &format!("{field}.min_points"),
                        "the first level starts at 0",
                    ))
                }
                Some(prev) if level.min_points <= prev => {
                    return Err(NodeError::invalid(
                        &format!("{field}.min_points"),
                        "must be above the previous level's",
                    ))
                }
                _ => {}
            }
            last = Some(level.min_points);
            for lang in ["id", "en"] {
                if level.labels.get(lang).is_none_or(|l| l.trim().is_empty()) {
                    return Err(NodeError::invalid(
                        &format!("{field}.labels.{lang}"),
                        "is required",
                    ));
                }
            }
            short_texts(&format!("{field}.labels"), level.labels.values())?;
            short_texts(&format!("{field}.benefits"), level.benefits.iter())?;
        }
        if self.badges.len() > MAX_BADGES {
            return Err(NodeError::invalid(
                "badges",
                format!("at most {MAX_BADGES} rules"),
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, b) in self.badges.iter().enumerate() {
            let field = format!("badges[{i}]");
            slug(&format!("{field}.badge"), &b.badge)?;
            if !seen.insert(b.badge.as_str()) {
                return Err(NodeError::invalid(
                    &format!("{field}.badge"),
                    "is listed twice",
                ));
            }
            if b.when.is_empty() || b.when.len() > MAX_CONDITIONS {
                return Err(NodeError::invalid(
                    &format!("{field}.when"),
                    format!("needs 1 to {MAX_CONDITIONS} conditions"),
                ));
            }
            for (metric, condition) in &b.when {
                if Metric::from_name(metric).is_none() {
                    return Err(NodeError::invalid(
                        &format!("{field}.when.{metric}"),
                        format!(
                            "is not a metric (one of: {})",
                            Metric::ALL.map(Metric::name).join(", ")
                        ),
                    ));
                }
                if condition.at_least == 0 {
                    return Err(NodeError::invalid(
                        &format!("{field}.when.{metric}.at_least"),
                        "must be at least 1",
                    ));
                }
            }
            short_texts(&format!("{field}.labels"), b.labels.values())?;
        }
        Ok(())
    }
}

/// Lower-case letters, digits and underscores, 1 to 40.
fn slug(field: &str, value: &str) -> NodeResult<()> {
    let ok = !value.is_empty()
        && value.len() <= 40
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(NodeError::invalid(
            field,
            "must be 1 to 40 lower-case letters, digits or underscores",
        ))
    }
}

fn short_texts<'a>(field: &str, texts: impl Iterator<Item = &'a String>) -> NodeResult<()> {
    for (n, t) in texts.enumerate() {
        if n >= 16 || t.chars().count() > 100 {
            return Err(NodeError::invalid(
                field,
                "at most 16 entries of 100 characters",
            ));
        }
    }
    Ok(())
}
