//! Trends (tags with history, links as preview cards with history) and
//! follow suggestions, in Mastodon 4.3's shapes.

use node::ranking::{DayUses, LinkTrend, TagTrend};
use serde::Serialize;

use super::{Account, Unsupported};

/// One day of a tag's or link's use: Mastodon sends every figure as a
/// string (the day as a UNIX timestamp of its UTC midnight).
#[derive(Debug, Clone, Serialize)]
pub struct History {
    /// The day's midnight, seconds since the epoch.
    pub day: String,
    /// Posts that used it that day.
    pub uses: String,
    /// Distinct accounts among them.
    pub accounts: String,
}

fn history(days: &[DayUses]) -> Vec<History> {
    days.iter()
        .map(|d| History {
            day: d.day.to_string(),
            uses: d.uses.to_string(),
            accounts: d.accounts.to_string(),
        })
        .collect()
}

/// Mastodon's Tag, as trends list it (with its history).
#[derive(Debug, Clone, Serialize)]
pub struct TrendTag {
    /// The tag, without `#`.
    pub name: String,
    /// The tag's page.
    pub url: String,
    /// The last seven days, today first.
    pub history: Vec<History>,
    /// Tags are not followed: always false.
    pub following: bool,
}

impl TrendTag {
    /// The Tag of a trending tag; `url` is its page here.
    pub fn of(t: &TagTrend, url: String) -> Self {
        TrendTag {
            name: t.name.clone(),
            url,
            history: history(&t.history),
            following: false,
        }
    }
}

/// Mastodon's PreviewCard with its history (the trends' link). Kodeon
/// fetches no previews: the title is the URL, the rest empty.
#[derive(Debug, Clone, Serialize)]
pub struct TrendLink {
    /// The link.
    pub url: String,
    /// Its title (the URL: no preview is fetched).
    pub title: String,
    /// Its description (none).
    pub description: String,
    /// Always `link`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Empty.
    pub author_name: String,
    /// Empty.
    pub author_url: String,
    /// The link's host.
    pub provider_name: String,
    /// Empty.
    pub provider_url: String,
    /// Empty.
    pub html: String,
    /// 0.
    pub width: u32,
    /// 0.
    pub height: u32,
    /// None.
    pub image: Option<Unsupported>,
    /// None.
    pub image_description: String,
    /// Empty.
    pub embed_url: String,
    /// None.
    pub blurhash: Option<Unsupported>,
    /// None.
    pub language: Option<Unsupported>,
    /// None.
    pub published_at: Option<Unsupported>,
    /// None.
    pub authors: Vec<Unsupported>,
    /// The last seven days, today first.
    pub history: Vec<History>,
}

impl TrendLink {
    /// The PreviewCard of a trending link.
    pub fn of(l: &LinkTrend) -> Self {
        let host = l
            .url
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split(['/', '?']).next())
            .unwrap_or_default()
            .to_string();
        TrendLink {
            url: l.url.clone(),
            title: l.url.clone(),
            description: String::new(),
            kind: "link",
            author_name: String::new(),
            author_url: String::new(),
            provider_name: host,
            provider_url: String::new(),
            html: String::new(),
            width: 0,
            height: 0,
            image: None,
            image_description: String::new(),
            embed_url: String::new(),
            blurhash: None,
            language: None,
            published_at: None,
            authors: Vec::new(),
            history: history(&l.history),
        }
    }
}

/// Mastodon's Suggestion (v2).
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    /// Deprecated single source: `past_interactions` for the member's
    /// own network, `global` for accounts followed widely.
    pub source: &'static str,
    /// Why: `friends_of_friends`, `similar_to_recently_followed`,
    /// `most_followed`.
    pub sources: Vec<&'static str>,
    /// The account suggested.
    pub account: Account,
}
