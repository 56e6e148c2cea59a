//! What a store written before gamification needs: the metrics badge
//! rules read, for members who joined and posted before. Points are not
//! awarded for the past (the history starts at the upgrade, so every
//! entry in it is one the member can check); badges whose metrics are
//! met are awarded at the member's next activity, or here for
//! `profile_complete` rules (every member made a profile).

use crate::error::NodeResult;
use crate::id::Id;
use crate::model::now_ms;
use crate::store::{tables, Store};

use super::badges::{EarnedBadge, Metric};

/// Members handled per write.
const MEMBERS_PER_WRITE: usize = 500;

/// Sets `profile_complete`, `posts`, `replies` and `group_posts` of every
/// local person from what the store holds, and awards the badges whose
/// only condition is `profile_complete` (`pendatang_baru`). Idempotent:
/// a metric already set is overwritten with the same count (schema 6 → 7).
pub(crate) fn backfill_metrics(store: &Store) -> NodeResult<()> {
    let settings = store
        .load::<tables::GamificationSettings>(())?
        .unwrap_or_default();
    let profile_badges: Vec<String> = settings
        .badges
        .iter()
        .filter(|b| b.when.len() == 1 && b.names(Metric::ProfileComplete))
        .map(|b| b.badge.clone())
        .collect();
    let members: Vec<Id> = store
        .scan::<tables::Member>((), false)
        .keys()
        .collect::<NodeResult<_>>()?;
    for chunk in members.chunks(MEMBERS_PER_WRITE) {
        let mut rows = Vec::new();
        for id in chunk {
            let Some(m) = store.load::<tables::Member>(*id)? else {
                continue;
            };
            if !m.is_local() || m.is_group() || m.deleted_at.is_some() {
                continue;
            }
            let (mut posts, mut replies, mut group_posts) = (0i64, 0i64, 0i64);
            for entry in store.scan::<tables::AuthorPosts>((*id,), false) {
                let ((_, post_id), boosted) = entry?;
                if boosted.is_some() {
                    continue;
                }
                let Some(post) = store.load::<tables::Post>(post_id)? else {
                    continue;
                };
                if post.in_reply_to.is_some() {
                    if post.in_reply_to_author != Some(*id) {
                        replies += 1;
                    }
                } else {
                    posts += 1;
                }
                if post.group.is_some() {
                    group_posts += 1;
                }
            }
            rows.push((m.id, m.created_at, posts, replies, group_posts));
        }
        store.write_blocking(|txn| {
            for (id, created, posts, replies, group_posts) in &rows {
                for (metric, value) in [
                    (Metric::ProfileComplete, 1),
                    (Metric::Posts, *posts),
                    (Metric::Replies, *replies),
                    (Metric::GroupPosts, *group_posts),
                ] {
                    if let Some(b) = metric.byte() {
                        txn.store::<tables::MemberMetric>((*id, b), &value)?;
                    }
                }
                for badge in &profile_badges {
                    if !txn.has::<tables::MemberBadges>((*id, badge.as_str()))? {
                        txn.store::<tables::MemberBadges>(
                            (*id, badge.as_str()),
                            &EarnedBadge {
                                at: (*created).min(now_ms()),
                                reason: "profile_complete 1 ≥ 1".into(),
                            },
                        )?;
                    }
                }
            }
            Ok(())
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Visibility;
    use crate::test_support::{fixture, member, publish};

    #[tokio::test]
    async fn members_from_before_get_their_metrics_and_newcomer_badge() {
        let f = fixture();
        let alice = member(&f.node, "alice").await;
        let id = alice.id().expect("id");
        for i in 0..3 {
            publish(&f.node, &alice, &format!("p{i}"), Visibility::Public).await;
        }
        // As a store from before gamification: no metrics, no badges.
        f.node
            .store
            .write_blocking(|txn| {
                for m in Metric::ALL {
                    if let Some(b) = m.byte() {
                        txn.remove::<tables::MemberMetric>((id, b));
                    }
                }
                txn.remove::<tables::MemberBadges>((id, "pendatang_baru"));
                Ok(())
            })
            .expect("reset");
        backfill_metrics(&f.node.store).expect("backfill");
        let b = |m: Metric| m.byte().expect("counted");
        assert_eq!(
            f.node
                .store
                .counter::<tables::MemberMetric>((id, b(Metric::Posts)))
                .expect("posts"),
            3
        );
        assert_eq!(
            f.node
                .store
                .counter::<tables::MemberMetric>((id, b(Metric::ProfileComplete)))
                .expect("profile"),
            1
        );
        assert!(f
            .node
            .store
            .has::<tables::MemberBadges>((id, "pendatang_baru"))
            .expect("badge"));
        backfill_metrics(&f.node.store).expect("again");
        assert_eq!(
            f.node
                .store
                .counter::<tables::MemberMetric>((id, b(Metric::Posts)))
                .expect("posts"),
            3,
            "idempotent"
        );
    }
}
