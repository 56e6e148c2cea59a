//! What moderators keep out of trends: a tag, a post or a link. An
//! exclusion is one row of `TrendExclusions`, written with its audit
//! entry; trends computed after it (the cache is dropped in the same
//! call) leave the item out, and an excluded post adds nothing to the
//! tags and links it carries.

use serde::{Deserialize, Serialize};

use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::now_ms;
use crate::node::{Node, Viewer};
use crate::store::tables;
use crate::validate;

/// What an exclusion names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrendKind {
    /// A hashtag (its slug).
    Tag,
    /// A post (its id).
    Post,
    /// A link (its URL, as [`super::links::normalise`] writes it).
    Link,
}

impl TrendKind {
    /// The kind's name, as stored and as the API takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            TrendKind::Tag => "tag",
            TrendKind::Post => "post",
            TrendKind::Link => "link",
        }
    }

    /// Parses `tag`, `post` or `link` (422 naming `kind`).
    pub fn parse(raw: &str) -> NodeResult<TrendKind> {
        match raw {
            "tag" => Ok(TrendKind::Tag),
            "post" => Ok(TrendKind::Post),
            "link" => Ok(TrendKind::Link),
            _ => Err(NodeError::invalid("kind", "must be tag, post or link")),
        }
    }
}

/// An item kept out of trends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendExclusion {
    /// What it names.
    pub kind: TrendKind,
    /// The tag, the post id or the URL.
    pub value: String,
    /// Why (for moderators).
    #[serde(default)]
    pub reason: String,
    /// The moderator who excluded it.
    pub by: Id,
    /// When (ms).
    pub created_at: i64,
}

/// `value` as an exclusion of `kind` stores it (422 naming `value`).
fn checked_value(kind: TrendKind, value: &str) -> NodeResult<String> {
    match kind {
        TrendKind::Tag => validate::slug("value", value),
        TrendKind::Post => value
            .trim()
            .parse::<Id>()
            .map(|id| id.to_string())
            .map_err(|_| NodeError::invalid("value", "is not a post id")),
        TrendKind::Link => super::links::normalise(value).ok_or_else(|| {
            NodeError::invalid("value", "is not an http(s) URL of at most 2,000 bytes")
        }),
    }
}

impl Node {
    /// Keeps `value` of `kind` out of trends (moderators; audited as
    /// `trends.exclude`). Excluding again updates the reason.
    pub async fn exclude_from_trends(
        &self,
        viewer: &Viewer,
        kind: TrendKind,
        value: &str,
        reason: &str,
    ) -> NodeResult<TrendExclusion> {
        crate::moderation::require_moderator(viewer)?;
        let value = checked_value(kind, value)?;
        let reason = reason.trim();
        validate::max_chars("reason", reason, 500)?;
        let exclusion = TrendExclusion {
            kind,
            value,
            reason: reason.to_string(),
            by: viewer.member()?.id,
            created_at: now_ms(),
        };
        self.write(|txn| {
            txn.store::<tables::TrendExclusions>(
                (kind.as_str(), exclusion.value.as_str()),
                &exclusion,
            )?;
            self.audit(
                txn,
                Some(viewer),
                "trends.exclude",
                &format!("{}:{}", kind.as_str(), exclusion.value),
                &exclusion.reason,
            )
        })
        .await?;
        self.trends_cache.clear();
        Ok(exclusion)
    }

    /// Lets an excluded item trend again (moderators; audited as
    /// `trends.include`; 404 if it was not excluded).
    pub async fn include_in_trends(
        &self,
        viewer: &Viewer,
        kind: TrendKind,
        value: &str,
    ) -> NodeResult<()> {
        crate::moderation::require_moderator(viewer)?;
        let value = checked_value(kind, value)?;
        self.write(|txn| {
            let key = (kind.as_str(), value.as_str());
            if !txn.has::<tables::TrendExclusions>(key)? {
                return Err(NodeError::NotFound("trend exclusion"));
            }
            txn.remove::<tables::TrendExclusions>(key);
            self.audit(
                txn,
                Some(viewer),
                "trends.include",
                &format!("{}:{value}", kind.as_str()),
                "",
            )
        })
        .await?;
        self.trends_cache.clear();
        Ok(())
    }

    /// Every exclusion, by kind then value (moderators).
    pub fn trend_exclusions(&self, viewer: &Viewer) -> NodeResult<Vec<TrendExclusion>> {
        crate::moderation::require_moderator(viewer)?;
        self.all_trend_exclusions()
    }

    /// Every exclusion, for the trends computation (a moderator's list:
    /// bounded by what moderators write).
    pub(crate) fn all_trend_exclusions(&self) -> NodeResult<Vec<TrendExclusion>> {
        self.store
            .scan::<tables::TrendExclusions>((), false)
            .values()
            .collect()
    }
}
