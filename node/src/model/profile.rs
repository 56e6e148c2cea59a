//! Profile fields (from the seed design) and the privacy setting.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Who may see a profile's details (bio, skills, social links, avatar
/// excepted) and its follower/following lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Privacy {
    /// Everyone, including anonymous visitors.
    #[default]
    Public,
    /// Signed-in members of this node only.
    Members,
    /// The member's accepted followers only.
    Followers,
}

/// "About me" fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Bio {
    /// Free text about the member.
    pub about: String,
    /// Where they are.
    pub location: String,
    /// Their website (an http(s) URL or empty).
    pub website: String,
    /// Where they work.
    pub company: String,
}

/// Skills.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Skills {
    /// Programming languages.
    pub languages: Vec<String>,
    /// Areas of expertise.
    pub areas: Vec<String>,
    /// Level: beginner, intermediate, senior, expert (or empty).
    pub level: String,
}

/// How a member's home feed is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HomeOrder {
    /// Newest first (the default).
    #[default]
    Chronological,
    /// Each page of the feed (the same posts as newest first) ordered by
    /// the `hot` formula (`ranking::formula`).
    Ranked,
}

impl HomeOrder {
    /// Whether this is the default order (left out of stored records).
    pub fn is_chronological(&self) -> bool {
        *self == HomeOrder::Chronological
    }
}

/// Preferences.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Preferences {
    /// Preferred language (BCP 47 tag, e.g. "id").
    pub language: String,
    /// IANA time zone (e.g. "Asia/Jakarta").
    pub timezone: String,
    /// Notification channels wanted (e.g. "email", "push").
    pub notifications: Vec<String>,
    /// Who sees the profile's details.
    pub privacy: Privacy,
    /// How the home feed is ordered.
    #[serde(skip_serializing_if = "HomeOrder::is_chronological")]
    pub home_order: HomeOrder,
}

/// A member's profile.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Profile {
    /// Display name.
    pub full_name: String,
    /// About, location, website, company.
    pub bio: Bio,
    /// Languages, areas, level.
    pub skills: Skills,
    /// Language, time zone, notifications, privacy.
    pub preferences: Preferences,
    /// Network name → handle or URL (github, twitter, linkedin, ...).
    pub social_links: BTreeMap<String, String>,
    /// Avatar image URL (http(s)) or empty.
    pub avatar_url: String,
}

/// A partial profile update: absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileUpdate {
    /// New display name.
    pub full_name: Option<String>,
    /// New bio (replaces the whole bio).
    pub bio: Option<Bio>,
    /// New skills.
    pub skills: Option<Skills>,
    /// New preferences.
    pub preferences: Option<Preferences>,
    /// New social links.
    pub social_links: Option<BTreeMap<String, String>>,
    /// New avatar URL.
    pub avatar_url: Option<String>,
    /// Whether follows must be approved.
    pub locked: Option<bool>,
    /// Replaces the bio's `about` text alone, in the same write (after
    /// `bio`): Mastodon's `note`, which must not overwrite the rest of a
    /// bio changed meanwhile.
    #[serde(skip)]
    pub about: Option<String>,
    /// Replaces the preferred posting language alone, in the same write
    /// (after `preferences`): Mastodon's `source[language]`.
    #[serde(skip)]
    pub language: Option<String>,
}
