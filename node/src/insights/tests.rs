//! Insights: active days recorded once a day, DAU/WAU/MAU over seeded
//! days, retention cohorts, ranges refused with their field, who may see
//! what.

use super::aggregate::{cumulative, ratio, retention, rolling_active, top_by, week_start};
use super::*;
use crate::groups::NewGroup;
use crate::model::{now_ms, Role, Visibility};
use crate::moderation::day_of;
use crate::posts::NewPost;
use crate::store::{tables, Cut};
use crate::test_support::{fixture, member, new_member, publish};
use crate::{Id, Node, NodeError, Viewer};

async fn admin(node: &Node, name: &str) -> Viewer {
    let m = node
        .create_member(new_member(name), Role::Admin)
        .await
        .expect("create");
    Viewer::Member(Box::new(m))
}

fn today() -> u64 {
    day_of(now_ms())
}

fn rows_of(node: &Node, member: Id) -> Vec<u64> {
    node.store
        .scan::<tables::MemberActiveDays>((member,), false)
        .keys()
        .map(|k| k.expect("key").1)
        .collect()
}

#[test]
fn rolling_windows_count_each_member_once_per_day() {
    // Member a: days 10 and 12; member b: day 12; member c: day 3.
    let a = [10u64, 12];
    let b = [12u64];
    let c = [3u64];
    let members = [&a[..], &b[..], &c[..]];
    let daily = rolling_active(members, 10, 14, 1);
    assert_eq!(daily, vec![1, 0, 2, 0, 0]);
    let weekly = rolling_active(members, 10, 14, 7);
    // c (day 3) covers 3..=9: not in range. a covers 10..=18 once.
    assert_eq!(weekly, vec![1, 1, 2, 2, 2]);
    let monthly = rolling_active(members, 10, 14, 30);
    assert_eq!(monthly, vec![2, 2, 3, 3, 3]);
}

#[test]
fn retention_counts_weeks_after_signup() {
    // Day 4 is a Monday (1970-01-05).
    assert_eq!(week_start(4), 4);
    assert_eq!(week_start(10), 4);
    assert_eq!(week_start(11), 11);
    let x = [4u64, 12, 20]; // weeks 0, 1, 2
    let y = [6u64]; // week 0 only
    let z = [13u64, 14, 26]; // signed up in week 1; its weeks 0 and 2
    let members = [(4u64, &x[..]), (5, &y[..]), (11, &z[..]), (40, &[][..])];
    let rows = retention(members, 4, 27);
    assert_eq!(rows.len(), 4, "weeks starting 4, 11, 18, 25");
    assert_eq!(rows[0].week, 4);
    assert_eq!(rows[0].size, 2);
    assert_eq!(rows[0].active, vec![2, 1, 1, 0]);
    assert_eq!(rows[0].rates, vec![1.0, 0.5, 0.5, 0.0]);
    assert_eq!(rows[1].size, 1);
    assert_eq!(rows[1].active, vec![1, 0, 1]);
    assert_eq!(rows[2].size, 0);
    assert_eq!(rows[2].rates, vec![0.0, 0.0]);
    assert_eq!(rows[3].active, vec![0]);
}

#[test]
fn sums_ratios_and_tops() {
    assert_eq!(cumulative(5, &[1, 0, 2]), vec![6, 6, 8]);
    assert_eq!(ratio(1, 3), 0.3333);
    assert_eq!(ratio(4, 0), 0.0);
    let top = top_by(vec![("old", 3), ("mid", 9), ("new", 3)], 2, |x| x.1);
    assert_eq!(top, vec![("mid", 9), ("new", 3)], "ties go to the newest");
}

#[test]
fn dates_parse_and_ranges_are_checked() {
    assert_eq!(parse_day("from", "1970-01-02").expect("day"), 1);
    assert_eq!(format_day(20_000), "2024-10-04");
    assert_eq!(parse_day("from", "2024-10-04").expect("day"), 20_000);
    for bad in [
        "2024-13-01",
        "2024-02-30",
        "24-01-01",
        "yesterday",
        "2024-01-01-01",
    ] {
        match parse_day("from", bad) {
            Err(NodeError::Invalid { field, .. }) => assert_eq!(field, "from", "{bad}"),
            other => panic!("{bad}: {other:?}"),
        }
    }
    match DayRange::parse(Some("2024-02-01"), Some("2024-01-01"), 0) {
        Err(NodeError::Invalid { field, .. }) => assert_eq!(field, "from"),
        other => panic!("{other:?}"),
    }
    match DayRange::parse(Some("2023-01-01"), Some("2024-12-31"), 0) {
        Err(NodeError::Invalid { field, .. }) => assert_eq!(field, "to"),
        other => panic!("{other:?}"),
    }
    match DayRange::parse(None, Some("nope"), 0) {
        Err(NodeError::Invalid { field, .. }) => assert_eq!(field, "to"),
        other => panic!("{other:?}"),
    }
    let default = DayRange::parse(None, None, 100).expect("range");
    assert_eq!((default.from, default.to), (71, 100));
    let feb = parse_month("month", "2024-02").expect("month");
    assert_eq!(format_day(feb.from), "2024-02-01");
    assert_eq!(format_day(feb.to), "2024-02-29");
    assert!(matches!(
        parse_month("month", "2024-2"),
        Err(NodeError::Invalid { .. })
    ));
}

#[tokio::test]
async fn a_member_is_recorded_once_a_day_whatever_they_do() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let bob = member(node, "bob").await;
    let alice_id = alice.id().expect("id");
    let first = publish(node, &alice, "one", Visibility::Public).await;
    publish(node, &alice, "two", Visibility::Public).await;
    node.like(&bob, first.id).await.expect("like");
    node.boost(&bob, first.id).await.expect("boost");
    node.create_post(
        &bob,
        NewPost {
            content: "a reply".into(),
            in_reply_to: Some(first.id.to_string()),
            ..NewPost::default()
        },
    )
    .await
    .expect("reply");
    let day = today();
    assert_eq!(rows_of(node, alice_id), vec![day], "one row for the day");
    assert_eq!(rows_of(node, bob.id().expect("id")), vec![day]);
    let by_day: Vec<(u64, Id)> = node
        .store
        .range::<tables::ActiveDayMembers>(Cut::at((day,)), Cut::past((day,)), false)
        .keys()
        .collect::<Result<_, _>>()
        .expect("scan");
    assert_eq!(by_day.len(), 2);
    assert_eq!(
        node.store
            .counter::<tables::ActiveOnDay>(day)
            .expect("counter"),
        2,
        "the day's counter moved once per member"
    );
    // The same day again writes nothing: the row, and so the counter,
    // stay as they were.
    node.store
        .write_blocking(|txn| record_active_day(txn, alice_id, day))
        .expect("again");
    assert_eq!(
        node.store.counter::<tables::ActiveOnDay>(day).expect("c"),
        2
    );
    for (kind, n) in [
        (Interaction::Like, 1),
        (Interaction::Boost, 1),
        (Interaction::Reply, 1),
    ] {
        assert_eq!(
            node.store
                .counter::<tables::InteractionsOnDay>((kind as u8, day))
                .expect("counter"),
            n,
            "{kind:?}"
        );
    }
}

#[tokio::test]
async fn admins_see_active_members_over_seeded_days_and_others_are_refused() {
    let f = fixture();
    let node = &f.node;
    let root = admin(node, "root").await;
    let plain = member(node, "plain").await;
    let ids: Vec<Id> = (0..3).map(|_| node.ids.next()).collect();
    // Seeded days: a member active on 100 and 110, one on 110, one on 79.
    node.store
        .write_blocking(|txn| {
            record_active_day(txn, ids[0], 100)?;
            record_active_day(txn, ids[0], 110)?;
            record_active_day(txn, ids[1], 110)?;
            record_active_day(txn, ids[2], 79)
        })
        .expect("seed");
    let range = DayRange::new(100, 111).expect("range");
    let insights = node.admin_insights(&root, range).expect("insights");
    assert_eq!(insights.days.len(), 12);
    assert_eq!(insights.days[0], format_day(100));
    let a = &insights.active;
    assert_eq!(a.daily[0], 1);
    assert_eq!(a.daily[10], 2);
    assert_eq!(a.daily[1], 0);
    assert_eq!(a.weekly[6], 1, "day 106 still sees day 100");
    assert_eq!(a.weekly[7], 0, "day 107 no longer does");
    assert_eq!(a.weekly[11], 2);
    assert_eq!(a.monthly[0], 2, "day 79 is in day 100's 30 days");
    assert_eq!(a.monthly[8], 2, "day 108's 30 days start on day 79");
    assert_eq!(a.monthly[9], 1, "day 109: 79 has left the window");
    assert_eq!(a.monthly[10], 2);
    assert_eq!(a.distinct_in_range, 2);
    assert!(insights.truncated.is_empty());
    assert!(!insights.explain.is_empty());

    assert!(matches!(
        node.admin_insights(&plain, range),
        Err(NodeError::Forbidden(_))
    ));
    assert!(matches!(
        node.admin_insights(&Viewer::Anonymous, range),
        Err(NodeError::Forbidden(_))
    ));
}

#[tokio::test]
async fn admin_insights_count_growth_tops_and_engagement_of_today() {
    let f = fixture();
    let node = &f.node;
    let root = admin(node, "root").await;
    let (alice, bob) = (member(node, "alice").await, member(node, "bob").await);
    let popular = publish(node, &alice, "popular post", Visibility::Public).await;
    publish(node, &bob, "quiet post", Visibility::Public).await;
    node.like(&bob, popular.id).await.expect("like");
    node.boost(&bob, popular.id).await.expect("boost");
    let day = today();
    let range = DayRange::new(day.saturating_sub(6), day).expect("range");
    let got = node.admin_insights(&root, range).expect("insights");
    let last = got.days.len() - 1;
    assert_eq!(got.growth.signups[last], 3);
    assert_eq!(got.growth.cumulative[last], got.growth.members_now);
    assert_eq!(got.growth.cumulative[last - 1], got.growth.members_now - 3);
    assert_eq!(got.top_posts[0].id, popular.id);
    assert_eq!(got.top_posts[0].score, 2);
    assert_eq!(got.top_posts[0].author, "alice");
    assert_eq!(got.engagement.likes, 1);
    assert_eq!(got.engagement.boosts, 1);
    assert_eq!(got.engagement.posts, 2);
    assert_eq!(got.engagement.per_post, 1.0);
    // Every member made today is in today's week's cohort; those active
    // today (alice and bob at least) are its week 0.
    let cohort = got.retention.last().expect("cohort");
    assert_eq!(cohort.week, week_start(day));
    assert_eq!(cohort.size, 3);
    assert_eq!(cohort.active[0], got.active.daily[last]);
    assert!(cohort.active[0] >= 2);
}

#[tokio::test]
async fn members_see_their_own_posts_reach_only() {
    let f = fixture();
    let node = &f.node;
    let (alice, bob) = (member(node, "alice").await, member(node, "bob").await);
    let mine = publish(node, &alice, "mine", Visibility::Public).await;
    publish(node, &bob, "his", Visibility::Public).await;
    node.like(&bob, mine.id).await.expect("like");
    node.create_post(
        &bob,
        NewPost {
            content: "nice".into(),
            in_reply_to: Some(mine.id.to_string()),
            ..NewPost::default()
        },
    )
    .await
    .expect("reply");
    let day = today();
    let range = DayRange::new(day, day).expect("range");
    let got = node.member_insights(&alice, range).expect("insights");
    assert_eq!(got.post_count, 1);
    assert_eq!(got.posts[0].id, mine.id);
    assert_eq!((got.likes, got.boosts, got.replies), (1, 0, 1));
    let points = node
        .points_over_time(
            alice.id().expect("id"),
            DayRange::new(day - 1, day).expect("range"),
        )
        .expect("points")
        .expect("a ledger");
    assert_eq!(
        points.points,
        vec![0, 11],
        "a post (10) and a like received (1), today"
    );
    assert_eq!(points.levels, vec!["pemula", "pemula"]);
    assert_eq!(
        got.points.as_ref().map(|p| p.points.clone()),
        Some(vec![11])
    );
    let bobs = node.member_insights(&bob, range).expect("insights");
    assert_eq!(bobs.post_count, 2, "his post and his reply");
    assert!(bobs.posts.iter().all(|p| p.id != mine.id));
    assert!(matches!(
        node.member_insights(&Viewer::Anonymous, range),
        Err(NodeError::Unauthorized(_))
    ));
}

#[tokio::test]
async fn a_groups_report_is_for_its_moderators() {
    let f = fixture();
    let node = &f.node;
    let owner = member(node, "owner").await;
    let joiner = member(node, "joiner").await;
    let outsider = member(node, "outsider").await;
    node.create_group(
        &owner,
        NewGroup {
            name: "makers".into(),
            ..NewGroup::default()
        },
    )
    .await
    .expect("group");
    node.join_group(&joiner, "makers").await.expect("join");
    let post = node
        .create_post(
            &joiner,
            NewPost {
                content: "hello makers".into(),
                group: Some("makers".into()),
                ..NewPost::default()
            },
        )
        .await
        .expect("post");
    node.create_post(
        &owner,
        NewPost {
            content: "welcome".into(),
            in_reply_to: Some(post.id.to_string()),
            ..NewPost::default()
        },
    )
    .await
    .expect("reply");
    let month_text = format_day(today());
    let month = parse_month("month", &month_text[..7]).expect("month");
    let report = node.group_report(&owner, "makers", month).expect("report");
    assert_eq!(report.group, "makers");
    assert_eq!(report.month, &month_text[..7]);
    assert_eq!(report.posts, 1);
    assert_eq!(report.replies, 1);
    assert_eq!(report.active_members, 2);
    assert!(report.new_members >= 1, "the joiner joined this month");
    assert_eq!(report.top_posts[0].id, post.id);
    for who in [&joiner, &outsider] {
        assert!(matches!(
            node.group_report(who, "makers", month),
            Err(NodeError::Forbidden(_))
        ));
    }
    assert!(matches!(
        node.group_report(&owner, "nosuch", month),
        Err(NodeError::NotFound(_))
    ));
}

#[tokio::test]
async fn the_backfill_writes_each_last_active_day_once() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let id = alice.id().expect("id");
    node.store
        .write_blocking(|txn| {
            txn.store::<tables::LastActive>(id, &42)?;
            Ok(())
        })
        .expect("seed");
    let first = backfill_active_days(&node.store).expect("backfill");
    assert!(first >= 1);
    assert!(rows_of(node, id).contains(&42));
    assert_eq!(backfill_active_days(&node.store).expect("again"), 0);
    assert_eq!(node.store.counter::<tables::ActiveOnDay>(42).expect("c"), 1);
}

#[tokio::test]
async fn using_a_session_counts_as_being_active() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let id = alice.id().expect("id");
    let (issued, _) = node
        .login("alice", "password123", "phone")
        .await
        .expect("login");
    let day = today();
    assert_eq!(rows_of(node, id), vec![day], "signing in is activity");
    // As if the last activity was yesterday and the session last used an
    // hour ago: today's row is gone until the session is used again.
    let hash = crate::store::hash_of(&issued.token);
    node.store
        .write_blocking(|txn| {
            txn.remove::<tables::MemberActiveDays>((id, day));
            txn.remove::<tables::ActiveDayMembers>((day, id));
            txn.store::<tables::LastActive>(id, &(day - 1))?;
            let mut s = txn.load::<tables::Token>(hash)?.expect("session");
            s.last_used_at = now_ms() - 3_600_000;
            txn.store::<tables::Token>(hash, &s)
        })
        .expect("rewind");
    assert!(rows_of(node, id).is_empty());
    node.authenticate(&issued.token).expect("authenticate");
    assert_eq!(rows_of(node, id), vec![day], "using the session is too");
}

/// The admins' query over 10,000 members' 90 days, timed (unoptimised
/// build: the release figure comes from `examples/insights_bench.rs`).
/// `cargo test -p kodeon-node --features bench-seed --lib
/// insights::tests::timed -- --ignored --nocapture`
#[cfg(feature = "bench-seed")]
#[tokio::test]
#[ignore = "timed: run on demand"]
async fn timed_admin_insights_over_ten_thousand_members() {
    let f = fixture();
    let node = &f.node;
    let root = admin(node, "root").await;
    let day = today();
    let rows = node
        .bench_seed_insights("m", 10_000, day, 90)
        .await
        .expect("seed");
    let range = DayRange::new(day - 89, day).expect("range");
    let warm = node.admin_insights(&root, range).expect("insights");
    // The seeded members and the admin, all made in the range.
    assert_eq!(warm.retention.iter().map(|c| c.size).sum::<i64>(), 10_001);
    assert!(warm.active.monthly[89] > 0);
    let mut times = Vec::new();
    for _ in 0..5 {
        let t = std::time::Instant::now();
        std::hint::black_box(node.admin_insights(&root, range).expect("insights"));
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "admin_insights, 10,000 members, 90 days, {rows} active-day rows: median {:.1} ms (min {:.1}, max {:.1})",
        times[2], times[0], times[4]
    );
}
