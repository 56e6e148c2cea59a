//! The formulas, pure: counts and ages in, a score and its explanation
//! out. Nothing here reads the store, so every formula is tested alone
//! and every number a member is shown can be recomputed from the figures
//! beside it.

use std::collections::BTreeMap;

use serde::Serialize;

/// One hour, in ms.
const HOUR_MS: f64 = 3_600_000.0;

/// A score with what it was computed from: the formula in symbols, the
/// figures by name, and a sentence a member can read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// The score.
    pub score: f64,
    /// The formula, in words and symbols.
    pub formula: &'static str,
    /// The figures the formula took, by name.
    pub figures: BTreeMap<&'static str, f64>,
    /// The score in one sentence.
    pub words: String,
}

/// The `hot` formula of every ranked feed (groups' `hot`, the ranked
/// home feed): `(likes + boosts + 2·replies + 1) / (age in hours + 2)^1.5`.
pub const HOT_FORMULA: &str = "(likes + boosts + 2 x replies + 1) / (age in hours + 2)^1.5";

/// The hot score of a post: `(likes + boosts + 2·replies + 1) / (age in
/// hours + 2)^1.5`. Replies weigh double (a discussion is what a group
/// is for); the `+ 1` ranks a new post with no reactions by its age; the
/// `+ 2` keeps a brand-new post from dividing by nearly nothing; the
/// exponent 1.5 halves a post's score in about 1.6·(age + 2) hours.
/// Negative counts and ages count as zero.
pub fn hot_score(likes: i64, boosts: i64, replies: i64, age_ms: i64) -> f64 {
    let age_hours = age_ms.max(0) as f64 / HOUR_MS;
    let votes = (likes.max(0) + boosts.max(0) + 2 * replies.max(0) + 1) as f64;
    votes / (age_hours + 2.0).powf(1.5)
}

/// [`hot_score`] with its explanation.
pub fn hot(likes: i64, boosts: i64, replies: i64, age_ms: i64) -> Explanation {
    let score = hot_score(likes, boosts, replies, age_ms);
    let hours = age_ms.max(0) as f64 / HOUR_MS;
    Explanation {
        score,
        formula: HOT_FORMULA,
        figures: BTreeMap::from([
            ("likes", likes.max(0) as f64),
            ("boosts", boosts.max(0) as f64),
            ("replies", replies.max(0) as f64),
            ("age_hours", round2(hours)),
        ]),
        words: format!(
            "{} {}, {} {} and {} {} in {}",
            likes.max(0),
            plural(likes, "like", "likes"),
            boosts.max(0),
            plural(boosts, "boost", "boosts"),
            replies.max(0),
            plural(replies, "reply", "replies"),
            age_words(age_ms),
        ),
    }
}

/// How long a trending post's engagement keeps half its weight.
pub const POST_HALF_LIFE_HOURS: f64 = 24.0;

/// The trending-post formula.
pub const POST_TREND_FORMULA: &str = "(likes + 2 x boosts + 2 x replies) x 0.5^(age in hours / 24)";

/// A post's trending score: its engagement, boosts and replies counting
/// double a like (each shows the post to others, or answers it), halved
/// every [`POST_HALF_LIFE_HOURS`] of the post's age. A post nobody
/// reacted to scores 0 and does not trend.
pub fn post_trend(likes: i64, boosts: i64, replies: i64, age_ms: i64) -> Explanation {
    let (likes, boosts, replies) = (likes.max(0), boosts.max(0), replies.max(0));
    let engagement = (likes + 2 * boosts + 2 * replies) as f64;
    let hours = age_ms.max(0) as f64 / HOUR_MS;
    let score = engagement * 0.5f64.powf(hours / POST_HALF_LIFE_HOURS);
    Explanation {
        score,
        formula: POST_TREND_FORMULA,
        figures: BTreeMap::from([
            ("likes", likes as f64),
            ("boosts", boosts as f64),
            ("replies", replies as f64),
            ("age_hours", round2(hours)),
        ]),
        words: format!(
            "{likes} {}, {boosts} {} and {replies} {} in {}; engagement halves every 24 hours",
            plural(likes, "like", "likes"),
            plural(boosts, "boost", "boosts"),
            plural(replies, "reply", "replies"),
            age_words(age_ms),
        ),
    }
}

/// Uses of a tag or a link on one day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DayCount {
    /// Posts that used it.
    pub uses: u64,
    /// Distinct accounts among them.
    pub accounts: u64,
}

/// The trending formula of tags and links.
pub const USE_TREND_FORMULA: &str =
    "sum over the last 7 days of accounts that day x 0.5^(days ago)";

/// A tag's or a link's trending score from its last days (`days[0]` is
/// today, `days[1]` yesterday...): the distinct accounts that used it
/// each day, halved per day of age. Accounts rather than uses, so one
/// account repeating a tag counts once a day. `what` names it in the
/// sentence ("used", "shared").
pub fn use_trend(days: &[DayCount], what: &str) -> Explanation {
    let score: f64 = days
        .iter()
        .enumerate()
        .map(|(age, day)| day.accounts as f64 * 0.5f64.powi(age as i32))
        .sum();
    let uses: u64 = days.iter().map(|d| d.uses).sum();
    let today = days.first().copied().unwrap_or_default();
    let peak = days.iter().map(|d| d.accounts).max().unwrap_or(0);
    Explanation {
        score,
        formula: USE_TREND_FORMULA,
        figures: BTreeMap::from([
            ("uses", uses as f64),
            ("accounts_today", today.accounts as f64),
            ("uses_today", today.uses as f64),
            ("most_accounts_in_a_day", peak as f64),
            ("days", days.len() as f64),
        ]),
        words: format!(
            "{what} in {uses} {} over the last {} days, by {} {} today",
            plural(uses as i64, "post", "posts"),
            days.len(),
            today.accounts,
            plural(today.accounts as i64, "account", "accounts"),
        ),
    }
}

/// A recommendation's weight per reason, in one place.
pub mod weights {
    /// Each person you follow who follows them, or is a member.
    pub const FOLLOWED_BY_FOLLOWED: f64 = 3.0;
    /// Each group you share with them.
    pub const SHARED_GROUP: f64 = 2.0;
    /// Each skill or tag you share.
    pub const SHARED_SKILL: f64 = 1.0;
    /// Being a next step of one of your learning paths.
    pub const PATH_STEP: f64 = 5.0;
    /// Being in (or of) one of your groups.
    pub const IN_YOUR_GROUP: f64 = 3.0;
    /// Being in the town of your profile.
    pub const NEAR_YOU: f64 = 3.0;
    /// For people found with no other reason: per ten followers.
    pub const POPULAR_PER_TEN_FOLLOWERS: f64 = 0.1;
}

/// The recommendation formula.
pub const RECOMMENDATION_FORMULA: &str = "3 x followed by people you follow + 2 x shared groups + 1 x shared skills + 5 x learning path step + 3 x in your groups + 3 x near you";

/// What a recommendation was found from, counted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecommendationCounts {
    /// People you follow who follow it (or are its members, registered...).
    pub followed_by_followed: u32,
    /// Groups of yours it shares (a person's) or belongs to (an event's,
    /// a course's).
    pub shared_groups: u32,
    /// Skills of yours its skills or tags name.
    pub shared_skills: u32,
    /// Whether it is a next step of one of your learning paths.
    pub path_step: bool,
    /// Whether it is near the place your profile names.
    pub near: bool,
    /// Followers, for people suggested for being followed widely.
    pub popular_followers: i64,
}

/// A recommendation's score from its counts.
pub fn recommendation(c: &RecommendationCounts) -> Explanation {
    use weights::*;
    let score = FOLLOWED_BY_FOLLOWED * f64::from(c.followed_by_followed)
        + SHARED_GROUP * f64::from(c.shared_groups)
        + SHARED_SKILL * f64::from(c.shared_skills)
        + if c.path_step { PATH_STEP } else { 0.0 }
        + if c.near { NEAR_YOU } else { 0.0 }
        + POPULAR_PER_TEN_FOLLOWERS * (c.popular_followers.max(0) as f64 / 10.0);
    let mut parts = Vec::new();
    if c.followed_by_followed > 0 {
        parts.push(format!(
            "{} x {FOLLOWED_BY_FOLLOWED}",
            c.followed_by_followed
        ));
    }
    if c.shared_groups > 0 {
        parts.push(format!("{} x {SHARED_GROUP}", c.shared_groups));
    }
    if c.shared_skills > 0 {
        parts.push(format!("{} x {SHARED_SKILL}", c.shared_skills));
    }
    if c.path_step {
        parts.push(format!("{PATH_STEP}"));
    }
    if c.near {
        parts.push(format!("{NEAR_YOU}"));
    }
    if c.popular_followers > 0 {
        parts.push(format!(
            "{} followers / 10 x {POPULAR_PER_TEN_FOLLOWERS}",
            c.popular_followers
        ));
    }
    Explanation {
        score,
        formula: RECOMMENDATION_FORMULA,
        figures: BTreeMap::from([
            ("followed_by_followed", f64::from(c.followed_by_followed)),
            ("shared_groups", f64::from(c.shared_groups)),
            ("shared_skills", f64::from(c.shared_skills)),
            ("path_step", f64::from(u8::from(c.path_step))),
            ("near", f64::from(u8::from(c.near))),
            ("followers", c.popular_followers.max(0) as f64),
        ]),
        words: format!("score {} = {}", round2(score), parts.join(" + ")),
    }
}

/// "1 like", "2 likes".
pub fn plural<'a>(n: i64, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// An age in words: minutes under an hour, hours under two days, days.
fn age_words(age_ms: i64) -> String {
    let minutes = age_ms.max(0) / 60_000;
    if minutes < 60 {
        format!("{minutes} {}", plural(minutes, "minute", "minutes"))
    } else if minutes < 48 * 60 {
        let hours = minutes / 60;
        format!("{hours} {}", plural(hours, "hour", "hours"))
    } else {
        let days = minutes / (24 * 60);
        format!("{days} {}", plural(days, "day", "days"))
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000;

    #[test]
    fn hot_scores_decay_with_age_and_grow_with_reactions() {
        assert!(hot_score(0, 0, 0, 0) > hot_score(0, 0, 0, HOUR));
        assert!(hot_score(5, 0, 0, HOUR) > hot_score(0, 0, 0, HOUR));
        assert!(hot_score(0, 0, 1, HOUR) > hot_score(1, 0, 0, HOUR));
        // (1 + 1) / (2 + 2)^1.5 = 2 / 8.
        assert!((hot_score(1, 0, 0, 2 * HOUR) - 0.25).abs() < 1e-9);
        // Negative counts and a clock gone back count as zero.
        assert_eq!(hot_score(-3, -1, -2, -HOUR), hot_score(0, 0, 0, 0));
    }

    #[test]
    fn the_hot_explanation_names_its_counts() {
        let e = hot(3, 1, 2, 5 * HOUR);
        assert_eq!(e.score, hot_score(3, 1, 2, 5 * HOUR));
        assert_eq!(e.figures["likes"], 3.0);
        assert_eq!(e.figures["boosts"], 1.0);
        assert_eq!(e.figures["replies"], 2.0);
        assert_eq!(e.figures["age_hours"], 5.0);
        assert_eq!(e.words, "3 likes, 1 boost and 2 replies in 5 hours");
    }

    #[test]
    fn a_post_trend_halves_every_day_and_needs_engagement() {
        let fresh = post_trend(4, 1, 1, 0);
        assert_eq!(fresh.score, 8.0);
        let day_old = post_trend(4, 1, 1, 24 * HOUR);
        assert!((day_old.score - 4.0).abs() < 1e-9);
        assert_eq!(post_trend(0, 0, 0, 0).score, 0.0);
        // A boost outweighs a like; more engagement outranks less.
        assert!(post_trend(0, 1, 0, HOUR).score > post_trend(1, 0, 0, HOUR).score);
        assert!(post_trend(10, 0, 0, 30 * HOUR).score > post_trend(2, 0, 0, HOUR).score);
        assert!(day_old
            .words
            .starts_with("4 likes, 1 boost and 1 reply in 24 hours"));
    }

    #[test]
    fn a_use_trend_counts_accounts_halved_per_day() {
        let days = [
            DayCount {
                uses: 5,
                accounts: 2,
            },
            DayCount {
                uses: 1,
                accounts: 1,
            },
            DayCount {
                uses: 9,
                accounts: 4,
            },
        ];
        let e = use_trend(&days, "used");
        // 2 + 1/2 + 4/4.
        assert!((e.score - 3.5).abs() < 1e-9);
        assert_eq!(e.figures["uses"], 15.0);
        assert_eq!(e.figures["accounts_today"], 2.0);
        assert_eq!(e.figures["most_accounts_in_a_day"], 4.0);
        assert_eq!(
            e.words,
            "used in 15 posts over the last 3 days, by 2 accounts today"
        );
        // One account's many uses weigh as one account.
        let spam = [DayCount {
            uses: 100,
            accounts: 1,
        }];
        let crowd = [DayCount {
            uses: 3,
            accounts: 3,
        }];
        assert!(use_trend(&crowd, "used").score > use_trend(&spam, "used").score);
    }

    #[test]
    fn a_recommendation_adds_its_weighted_reasons() {
        let c = RecommendationCounts {
            followed_by_followed: 3,
            shared_groups: 1,
            shared_skills: 2,
            ..Default::default()
        };
        let e = recommendation(&c);
        assert_eq!(e.score, 3.0 * 3.0 + 2.0 + 2.0);
        assert_eq!(e.figures["followed_by_followed"], 3.0);
        assert_eq!(e.words, "score 13 = 3 x 3 + 1 x 2 + 2 x 1");
        let step = recommendation(&RecommendationCounts {
            path_step: true,
            ..Default::default()
        });
        assert_eq!(step.score, weights::PATH_STEP);
    }
}
