//! Bulk seeding of the insights' data for benchmarks only (cargo feature
//! `bench-seed`): members who signed up over past days (ids dated then,
//! as a real sign-up's would be) and their active days.

use super::active::record_active_day;
use super::dates::DAY_MS;
use crate::error::NodeResult;
use crate::id::Id;
use crate::model::{AccountKind, Member, MemberStatus, Profile, Role};
use crate::moderation::DailyMetric;
use crate::node::Node;
use crate::store::tables;
use identity::MemberKeys;

/// Members per write.
const PER_WRITE: usize = 2_000;

/// A deterministic number in 0..100 for (member, day).
fn roll(n: u64, day: u64) -> u64 {
    let mut x = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ day.wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    x ^= x >> 29;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 32;
    x % 100
}

impl Node {
    /// Creates `count` members named `{prefix}{i}` whose sign-ups are
    /// spread over the `days` days ending `last_day`, and their active
    /// days: each is active on a day after signing up with a chance of
    /// 60 % in their first week and 25 % after. Returns the active-day
    /// rows written.
    pub async fn bench_seed_insights(
        &self,
        prefix: &str,
        count: usize,
        last_day: u64,
        days: u64,
    ) -> NodeResult<usize> {
        let keys = MemberKeys::generate(&self.sealer, b"bench")?;
        let hash = crate::members::register::hash_password("benchmark-password")?;
        let first = last_day + 1 - days.max(1);
        let mut rows = 0;
        let mut i = 0;
        while i < count {
            let end = (i + PER_WRITE).min(count);
            let batch: Vec<(Member, u64, u64)> = (i..end)
                .map(|n| {
                    let signup = first + (n as u64 % days.max(1));
                    let at = signup as i64 * DAY_MS + (n as i64 % 86_000) * 1_000;
                    let mut bytes = Id::floor_of_ms(at as u64).to_bytes();
                    bytes[8..].copy_from_slice(&(n as u64).to_be_bytes());
                    let member = Member {
                        id: Id::from_bytes(bytes),
                        username: format!("{prefix}{n}"),
                        email: format!("{prefix}{n}@bench.test"),
                        password_hash: hash.clone(),
                        role: Role::Member,
                        status: MemberStatus::Active,
                        locked: false,
                        profile: Profile::default(),
                        keys: keys.clone(),
                        created_at: at,
                        last_active_at: at,
                        silenced: false,
                        deleted_at: None,
                        email_unconfirmed: false,
                        remote: None,
                        kind: AccountKind::Person,
                    };
                    (member, signup, n as u64)
                })
                .collect();
            rows += self
                .write(|txn| {
                    let mut rows = 0;
                    for (m, signup, n) in &batch {
                        txn.store::<tables::Member>(m.id, m)?;
                        txn.store::<tables::MemberByName>(&m.username, &m.id)?;
                        txn.store::<tables::MemberByEmail>(&m.email, &m.id)?;
                        txn.add::<tables::MemberTotal>((), 1)?;
                        txn.add::<tables::DailyStat>(
                            (DailyMetric::Registrations as u8, *signup),
                            1,
                        )?;
                        for day in *signup..=last_day {
                            let chance = if day < signup + 7 { 60 } else { 25 };
                            if day == *signup || roll(*n, day) < chance {
                                record_active_day(txn, m.id, day)?;
                                rows += 1;
                            }
                        }
                    }
                    Ok(rows)
                })
                .await?;
            i = end;
        }
        Ok(rows)
    }
}
