//! Gamification: points for what members do, levels, badges,
//! achievements, leaderboards and challenges, in a way that is hard to
//! game and explains itself.
//!
//! - `settings.rs`: points and daily caps per activity, levels, badge
//!   rules (the seed's `poin_aktivitas`, `level`, `lencana` as defaults);
//!   an admin edits them, cached here.
//! - `ledger.rs`: awards and reversals, written inside the write of the
//!   activity (one call in each activity's method); a history entry for
//!   every award, refusal and reversal, with its reason; hundredths.
//! - `linked.rs`: anti-gaming: no points with oneself or accounts
//!   registered from the same address the same day (a keyed hash, never
//!   the address) or flagged by a moderator.
//! - `trust_inputs.rs`: the trust of whoever gives a like or a share, and
//!   the reputation badge rules read, both from the trust engine.
//! - `badges.rs`: metrics and badge rules, checked when a metric changes.
//! - `board.rs`: leaderboards by (board, inverted score, member) keys.
//! - `challenges.rs`: goals with dates and rewards.
//! - `query.rs`: what the API and pages read.
//!
//! Formula: an award is `points × weight` hundredths, where `weight` is
//! 1 except for likes and shares (the giver's weight, in [0, 1]); it is 0
//! once the earner's daily cap for the activity is reached or when the
//! two accounts are linked. The level is the highest whose threshold is at
//! most the member's points rounded to whole points.

mod backfill;
mod badges;
#[cfg(feature = "bench-seed")]
mod bench_seed;
mod board;
mod challenges;
mod hooks;
mod ledger;
mod linked;
mod query;
mod settings;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_challenges;
mod trust_inputs;

use std::sync::{Arc, RwLock};

/// For the migration that introduces gamification (schema 6 → 7).
pub(crate) use backfill::backfill_metrics;
pub use badges::{BadgeRule, Condition, EarnedBadge, Metric};
pub use board::Period;
pub(crate) use board::ALL as ALL_BOARD;
pub use challenges::{Challenge, ChallengeEntry, ChallengeProgress, ChallengeView, NewChallenge};
pub(crate) use hooks::attestation_object;
pub use ledger::PointsEntry;
pub use query::{
    metric_names, Achievement, BadgeView, HistoryView, LeaderboardPage, LeaderboardRow, LevelView,
    MemberPoints,
};
pub use settings::{Activity, ActivityRule, GamificationSettings, Level};

use crate::error::NodeResult;
use crate::store::{tables, Store};

/// The node's gamification state: the settings in force and the key
/// registration marks are hashed with.
pub(crate) struct Gamification {
    /// Keys `linked::registration_mark`, derived from the node secret.
    pub(crate) mark_key: [u8; 32],
    settings: RwLock<Arc<GamificationSettings>>,
    /// Benchmarks only: awards skipped, to measure what they cost.
    #[cfg(feature = "bench-seed")]
    pub(crate) awards_off: std::sync::atomic::AtomicBool,
}

impl Gamification {
    /// Reads the stored settings (defaults when none were saved).
    pub(crate) fn open(store: &Store, secret: &identity::NodeSecret) -> NodeResult<Gamification> {
        let settings = store
            .load::<tables::GamificationSettings>(())?
            .unwrap_or_default();
        Ok(Gamification {
            mark_key: blake3::derive_key("kodeon 2026 registration marks v1", secret.as_bytes()),
            settings: RwLock::new(Arc::new(settings)),
            #[cfg(feature = "bench-seed")]
            awards_off: Default::default(),
        })
    }

    /// The settings in force.
    pub(crate) fn settings(&self) -> Arc<GamificationSettings> {
        match self.settings.read() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Puts `settings` in force; returns them.
    pub(crate) fn replace(&self, settings: GamificationSettings) -> Arc<GamificationSettings> {
        let settings = Arc::new(settings);
        match self.settings.write() {
            Ok(mut s) => *s = settings.clone(),
            Err(poisoned) => *poisoned.into_inner() = settings.clone(),
        }
        settings
    }
}
