//! `near` through the place index: the same events, in the same order, as
//! a brute-force filter over every event (across the antimeridian, near a
//! pole, past a page, with the start-time scan for wide circles); the
//! index follows moves and deletions.

use super::query::haversine_km;
use super::tests::{new_event, soon, DAY, HOUR};
use super::*;
use crate::model::now_ms;
use crate::node::Viewer;
use crate::store::tables;
use crate::test_support::{fixture, member};

/// A deterministic stream of numbers in [0, 1) (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A longitude within `spread` degrees of `lon`, wrapped into
    /// [−180, 180).
    fn lon_near(&mut self, lon: f64, spread: f64) -> f64 {
        (lon + (self.next() - 0.5) * 2.0 * spread + 180.0).rem_euclid(360.0) - 180.0
    }
}

/// Places events gather around: Paris, Fiji (across the antimeridian),
/// the Bering Strait (the same, further north), Quito (the equator), far
/// north (a pole within reach of wide circles).
const CLUSTERS: [(f64, f64); 5] = [
    (48.85, 2.35),
    (-17.7, 179.9),
    (65.8, -179.5),
    (-0.2, -78.5),
    (87.5, 40.0),
];

/// Every event, by id: its place and time.
type Truth = Vec<(Id, Option<(f64, f64)>, i64, i64)>;

/// `n` open events spread around [`CLUSTERS`] over the next 60 days (a
/// few running now, a few over, a tenth without coordinates), written
/// through the node's own indexing.
fn seed(node: &Node, organiser: &CommunityEvent, rng: &mut Rng, n: usize) -> Truth {
    let now = now_ms();
    let mut truth = Vec::with_capacity(n);
    node.store
        .write_blocking(|txn| {
            for i in 0..n {
                let (lat, lon) = CLUSTERS[i % CLUSTERS.len()];
                let place = (rng.next() >= 0.1).then(|| {
                    (
                        (lat + (rng.next() - 0.5) * 6.0).clamp(-90.0, 90.0),
                        rng.lon_near(lon, 3.0),
                    )
                });
                let start = match i % 20 {
                    0 => now - 2 * HOUR, // running now
                    1 => now - 3 * DAY,  // over
                    _ => now + (rng.next() * 60.0 * DAY as f64) as i64,
                };
                let mut e = organiser.clone();
                e.id = node.ids.next();
                e.start = start;
                e.end = start + 2 * HOUR + (i % 3) as i64 * HOUR;
                e.location = Some(Location {
                    lat: place.map(|p| p.0),
                    lon: place.map(|p| p.1),
                    ..Location::default()
                });
                Node::index_event(txn, &e)?;
                truth.push((e.id, place, e.start, e.end));
            }
            Ok(())
        })
        .expect("seed");
    truth
}

/// The ids of every page of `near` (pages of `limit`, following cursors).
fn all_pages(node: &Node, center: (f64, f64), radius: f64, limit: usize) -> Vec<Id> {
    let mut out = Vec::new();
    let mut after = None;
    for _ in 0..1_000 {
        let page = node
            .upcoming_events(
                &Viewer::Anonymous,
                &EventQuery {
                    near: Some(center),
                    radius_km: Some(radius),
                    after,
                    limit: Some(limit),
                    ..EventQuery::default()
                },
            )
            .expect("near");
        out.extend(page.items.iter().map(|e| e.event.id));
        match page.next {
            Some(next) => after = Some(next),
            None => return out,
        }
    }
    panic!("more than 1,000 pages");
}

#[tokio::test]
async fn near_finds_what_a_brute_force_filter_finds_in_start_order() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let template = node
        .create_event(&alice, soon("Template", 1))
        .await
        .expect("made")
        .event;
    let mut rng = Rng(20);
    let mut truth = seed(node, &template, &mut rng, 1_500);
    truth.push((
        template.id,
        Some((48.8566, 2.3522)),
        template.start,
        template.end,
    ));
    let now = now_ms();

    let mut centers: Vec<(f64, f64)> = vec![
        (-17.7, 180.0),
        (-17.7, -180.0),
        (65.8, 179.99),
        (88.0, 0.0),
        (90.0, 0.0),
    ];
    for i in 0..40 {
        let (lat, lon) = CLUSTERS[i % CLUSTERS.len()];
        centers.push((
            (lat + (rng.next() - 0.5) * 4.0).clamp(-90.0, 90.0),
            rng.lon_near(lon, 2.0),
        ));
    }
    let (mut through_index, mut wide, mut found) = (0, 0, 0);
    for (n, center) in centers.into_iter().enumerate() {
        let radius = match n % 4 {
            0 => 50.0,
            1 => 5.0 + rng.next() * 150.0,
            2 => 150.0 + rng.next() * 250.0,
            _ => 600.0 + rng.next() * 1_000.0,
        };
        if geo::covering_cells(center, radius).is_some() {
            through_index += 1;
        } else {
            wide += 1;
        }
        let mut expected: Vec<(i64, Id)> = truth
            .iter()
            .filter(|(_, place, _, end)| {
                *end > now && place.is_some_and(|p| haversine_km(center, p) <= radius)
            })
            .map(|(id, _, start, _)| (*start, *id))
            .collect();
        expected.sort();
        let expected: Vec<Id> = expected.into_iter().map(|(_, id)| id).collect();
        found += expected.len();
        for limit in [7, 100] {
            assert_eq!(
                all_pages(node, center, radius, limit),
                expected,
                "{radius:.0} km around {center:?}, pages of {limit}"
            );
        }
    }
    assert!(through_index >= 20 && wide >= 5, "{through_index} {wide}");

    // A cursor past `to` ends the list, through either index.
    for radius in [50.0, 2_000.0] {
        let past_the_window = EventQuery {
            near: Some(CLUSTERS[0]),
            radius_km: Some(radius),
            to: Some(now + DAY),
            after: Some(EventCursor {
                start: now + 2 * DAY,
                id: template.id,
            }),
            ..EventQuery::default()
        };
        let page = node
            .upcoming_events(&Viewer::Anonymous, &past_the_window)
            .expect("an empty page");
        assert!(page.items.is_empty() && page.next.is_none());
    }
    assert!(
        found > 2_000,
        "only {found} matches: the test checks little"
    );
}

/// The place entries of `event`: (cell, start ms).
fn entries(node: &Node, event: Id) -> Vec<(u64, u64)> {
    node.store
        .scan::<tables::EventsByPlace>((), false)
        .keys()
        .map(|k| k.expect("key"))
        .filter(|(_, _, id)| *id == event)
        .map(|(cell, start, _)| (cell, start))
        .collect()
}

fn near_titles(node: &Node, center: (f64, f64)) -> Vec<String> {
    node.upcoming_events(
        &Viewer::Anonymous,
        &EventQuery {
            near: Some(center),
            ..EventQuery::default()
        },
    )
    .expect("near")
    .items
    .into_iter()
    .map(|e| e.event.title)
    .collect()
}

#[tokio::test]
async fn moves_and_deletions_keep_the_place_index_in_step() {
    let f = fixture();
    let node = &f.node;
    let alice = member(node, "alice").await;
    let paris = (48.8566, 2.3522);
    let tokyo = (35.6762, 139.6503);
    let start = now_ms() + DAY;
    let made = node
        .create_event(&alice, new_event("Meetup", start, start + HOUR))
        .await
        .expect("made")
        .event;
    let id = made.id;
    assert_eq!(
        entries(node, id),
        vec![(geo::cell_of(paris.0, paris.1), key_ms(start))]
    );
    assert_eq!(near_titles(node, paris), vec!["Meetup"]);

    let to_tokyo = EventUpdate {
        location: Some(Some(LocationInput {
            name: "Shibuya".into(),
            lat: Some(tokyo.0),
            lon: Some(tokyo.1),
            ..LocationInput::default()
        })),
        ..EventUpdate::default()
    };
    node.update_event(&alice, id, to_tokyo)
        .await
        .expect("moved");
    assert_eq!(
        entries(node, id),
        vec![(geo::cell_of(tokyo.0, tokyo.1), key_ms(start))]
    );
    assert!(near_titles(node, paris).is_empty());
    assert_eq!(near_titles(node, tokyo), vec!["Meetup"]);

    let later = start + 2 * DAY;
    let reschedule = EventUpdate {
        start: Some(TimeInput::Ms(later)),
        end: Some(TimeInput::Ms(later + HOUR)),
        ..EventUpdate::default()
    };
    node.update_event(&alice, id, reschedule)
        .await
        .expect("rescheduled");
    assert_eq!(
        entries(node, id),
        vec![(geo::cell_of(tokyo.0, tokyo.1), key_ms(later))]
    );
    let from_after_first = EventQuery {
        near: Some(tokyo),
        from: Some(start + DAY),
        ..EventQuery::default()
    };
    let page = node
        .upcoming_events(&Viewer::Anonymous, &from_after_first)
        .expect("near");
    assert_eq!(page.items.len(), 1, "the entry's end moved with the event");

    let no_coordinates = EventUpdate {
        location: Some(Some(LocationInput {
            name: "Somewhere in Tokyo".into(),
            ..LocationInput::default()
        })),
        ..EventUpdate::default()
    };
    node.update_event(&alice, id, no_coordinates)
        .await
        .expect("vague");
    assert!(entries(node, id).is_empty());

    let back = EventUpdate {
        location: Some(Some(LocationInput {
            name: "Shibuya".into(),
            lat: Some(tokyo.0),
            lon: Some(tokyo.1),
            ..LocationInput::default()
        })),
        ..EventUpdate::default()
    };
    node.update_event(&alice, id, back).await.expect("placed");
    assert_eq!(entries(node, id).len(), 1);
    node.delete_event(&alice, id).await.expect("deleted");
    assert!(entries(node, id).is_empty());
    assert!(near_titles(node, tokyo).is_empty());
}
