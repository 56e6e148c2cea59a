//! Dashboard figures: daily counters written with the events they count
//! (registrations, posts, active members, federation traffic), so the
//! dashboard reads ~150 small keys and never scans.
//!
//! "Active members in the last N days" uses one key per member holding the
//! last day they were active, and per-day counts of members whose *last*
//! active day is that day: when a member is active again, their old day
//! loses one and today gains one. The sum over the last N days is then the
//! number of distinct members active in them.

use serde::Serialize;

use crate::error::NodeResult;
use crate::id::Id;
use crate::model::now_ms;
use crate::node::{Node, Viewer};
use crate::store::{tables, Txn};

/// Days in the dashboard's charts.
pub const CHART_DAYS: usize = 30;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// A per-day counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum DailyMetric {
    /// Local accounts created.
    Registrations = 1,
    /// Local posts written.
    Posts = 2,
    /// Members whose last active day this is (see the module docs).
    LastActive = 3,
    /// Activities received from other servers.
    FederationIn = 4,
    /// Activities delivered to other servers.
    FederationOut = 5,
}

/// Days since the Unix epoch (UTC).
pub fn day_of(ms: i64) -> u64 {
    (ms.max(0) / DAY_MS) as u64
}

/// A 30-day series, oldest day first.
#[derive(Debug, Clone, Serialize)]
pub struct DailySeries {
    /// Day numbers (days since the epoch), oldest first.
    pub days: Vec<u64>,
    /// The value of each day.
    pub values: Vec<i64>,
}

/// What the dashboard shows.
#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    /// Local members.
    pub members: i64,
    /// Local posts.
    pub posts: i64,
    /// Members active in the last 7 days.
    pub active_7d: i64,
    /// Members active in the last 30 days.
    pub active_30d: i64,
    /// Reports waiting.
    pub open_reports: i64,
    /// Bytes on disk.
    pub storage_bytes: u64,
    /// Registrations per day.
    pub registrations: DailySeries,
    /// Posts per day.
    pub posts_per_day: DailySeries,
    /// Activities received per day.
    pub federation_in: DailySeries,
    /// Activities delivered per day.
    pub federation_out: DailySeries,
}

impl Node {
    /// Adds `delta` to today's `metric` inside `txn`.
    pub(crate) fn count_today(
        &self,
        txn: &mut Txn<'_>,
        metric: DailyMetric,
        delta: i64,
    ) -> NodeResult<()> {
        txn.add::<tables::DailyStat>((metric as u8, day_of(now_ms())), delta)?;
        Ok(())
    }

    /// Records that a local member was active today (one small read; one
    /// write the first time each day).
    pub(crate) fn note_active(&self, txn: &mut Txn<'_>, member: Id) -> NodeResult<()> {
        let today = day_of(now_ms());
        let key = member;
        let last: Option<u64> = txn.load::<tables::LastActive>(key)?;
        if last == Some(today) {
            return Ok(());
        }
        if let Some(last) = last {
            txn.add::<tables::DailyStat>((DailyMetric::LastActive as u8, last), -1)?;
        }
        txn.add::<tables::DailyStat>((DailyMetric::LastActive as u8, today), 1)?;
        crate::insights::record_active_day(txn, member, today)?;
        txn.store::<tables::LastActive>(key, &today)
    }

    /// The last `days` days of `metric`, oldest first, ending today.
    pub fn daily_series(&self, metric: DailyMetric, days: usize) -> NodeResult<DailySeries> {
        let today = day_of(now_ms());
        let first = today.saturating_sub(days.saturating_sub(1) as u64);
        let mut out = DailySeries {
            days: Vec::with_capacity(days),
            values: Vec::with_capacity(days),
        };
        for day in first..=today {
            out.days.push(day);
            out.values.push(
                self.store
                    .counter::<tables::DailyStat>((metric as u8, day))?,
            );
        }
        Ok(out)
    }

    /// Distinct local members active in the last `days` days.
    pub fn active_members(&self, days: usize) -> NodeResult<i64> {
        Ok(self
            .daily_series(DailyMetric::LastActive, days)?
            .values
            .iter()
            .sum())
    }

    /// The dashboard (moderators and admins).
    pub fn dashboard(&self, viewer: &Viewer) -> NodeResult<Dashboard> {
        super::reports::require_moderator(viewer)?;
        let stats = self.stats()?;
        Ok(Dashboard {
            members: stats.members,
            posts: stats.posts,
            active_7d: self.active_members(7)?,
            active_30d: self.active_members(30)?,
            open_reports: self.open_report_count()?,
            storage_bytes: stats.storage_bytes,
            registrations: self.daily_series(DailyMetric::Registrations, CHART_DAYS)?,
            posts_per_day: self.daily_series(DailyMetric::Posts, CHART_DAYS)?,
            federation_in: self.daily_series(DailyMetric::FederationIn, CHART_DAYS)?,
            federation_out: self.daily_series(DailyMetric::FederationOut, CHART_DAYS)?,
        })
    }
}
