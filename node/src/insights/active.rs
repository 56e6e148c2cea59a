//! Recording what the insights count: a member's active days and the
//! interactions given each day, written inside the writes that do them.

use std::collections::HashMap;

use crate::error::NodeResult;
use crate::id::Id;
use crate::model::now_ms;
use crate::moderation::day_of;
use crate::node::Node;
use crate::store::{tables, Cut, Store, Txn};

/// An interaction a local member gives, counted per day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Interaction {
    /// A like.
    Like = 1,
    /// A boost.
    Boost = 2,
    /// A reply.
    Reply = 3,
}

/// Records that `member` was active on `day`, once: the day's two index
/// rows and its counter, written only when the row is absent. Callers
/// reach it through `Node::note_active`, which already writes once per
/// member per day, so a busy member costs one read a day here.
pub(crate) fn record_active_day(txn: &mut Txn<'_>, member: Id, day: u64) -> NodeResult<()> {
    if txn.has::<tables::MemberActiveDays>((member, day))? {
        return Ok(());
    }
    txn.store::<tables::MemberActiveDays>((member, day), &())?;
    txn.store::<tables::ActiveDayMembers>((day, member), &())?;
    txn.add::<tables::ActiveOnDay>(day, 1)?;
    Ok(())
}

impl Node {
    /// Counts one `kind` given today, inside `txn`.
    pub(crate) fn count_interaction(&self, txn: &mut Txn<'_>, kind: Interaction) -> NodeResult<()> {
        txn.add::<tables::InteractionsOnDay>((kind as u8, day_of(now_ms())), 1)?;
        Ok(())
    }
}

/// The only history there was before active days were kept: each
/// member's last active day (`LastActive`). Writes one active day per
/// member from it; running it again changes nothing (schema 6 → 7).
pub(crate) fn backfill_active_days(store: &Store) -> NodeResult<usize> {
    let last: Vec<(Id, u64)> = store
        .scan::<tables::LastActive>((), false)
        .collect::<Result<_, _>>()?;
    let mut written = 0;
    for chunk in last.chunks(1_000) {
        written += store.write_blocking(|txn| {
            let mut n = 0;
            for &(member, day) in chunk {
                if !txn.has::<tables::MemberActiveDays>((member, day))? {
                    record_active_day(txn, member, day)?;
                    n += 1;
                }
            }
            Ok(n)
        })?;
    }
    Ok(written)
}

/// Active days by member, read from the day index over `from..=to`, at
/// most `bound` rows; the flag says whether the bound cut the read short.
pub(crate) fn active_days_by_member(
    store: &Store,
    from: u64,
    to: u64,
    bound: usize,
) -> NodeResult<(HashMap<Id, Vec<u64>>, bool)> {
    let mut by_member: HashMap<Id, Vec<u64>> = HashMap::new();
    let rows = store.range::<tables::ActiveDayMembers>(Cut::at((from,)), Cut::past((to,)), false);
    for (n, key) in rows.keys().enumerate() {
        if n >= bound {
            return Ok((by_member, true));
        }
        let (day, member) = key?;
        by_member.entry(member).or_default().push(day);
    }
    Ok((by_member, false))
}
