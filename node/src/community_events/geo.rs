//! The place index of events: a grid of one-degree cells over latitude and
//! longitude, so that `near` reads only the cells a circle can reach.
//!
//! Every event with coordinates has one `EventsByPlace (cell, start ms,
//! event)` entry whose value is its (lat, lon, end ms): a query filters by
//! exact distance and by end on the index entry alone, and loads only the
//! events inside the circle. The entry is written, moved and removed in
//! the writes that create, change (place, start or end) and delete the
//! event ([`index_place`], [`unindex_place`]); the schema 5 migration
//! wrote it for the events stored before.
//!
//! Cells: row `floor(lat + 90)` (0–179; the pole 90° is in the last row)
//! times 360 plus column `floor(lon + 180) mod 360` (0–359; 180° and −180°
//! are the same meridian, column 0). A one-degree cell is about 111 km
//! high and 111·cos(lat) km wide, so a 50 km circle touches 2 × 2 cells at
//! the equator and 2–3 × 3 around 60°. [`covering_cells`] lists the cells
//! of the circle's bounding box (wrapping across ±180°; every column of
//! the rows near a pole when the circle holds the pole) and gives up past
//! [`MAX_CELLS`]: a radius of more than about 350 km at the equator (less
//! further from it), or a circle holding a pole, is answered by the
//! start-time scan instead.

use std::f64::consts::PI;

use super::key_ms;
use super::model::CommunityEvent;
use super::query::EARTH_RADIUS_KM;
use crate::error::NodeResult;
use crate::store::{tables, Txn};

/// Rows of the grid (one per degree of latitude).
const ROWS: i64 = 180;
/// Columns of the grid (one per degree of longitude).
const COLS: i64 = 360;
/// Most cells a `near` query reads through the place index; a circle
/// whose bounding box covers more is answered by the start-time scan.
pub const MAX_CELLS: usize = 64;

/// The cell of (lat, lon), degrees.
pub(crate) fn cell_of(lat: f64, lon: f64) -> u64 {
    cell(row(lat), col(lon))
}

fn row(lat: f64) -> i64 {
    ((lat + 90.0).floor() as i64).clamp(0, ROWS - 1)
}

/// The column of `lon` (any real longitude; wraps).
fn col(lon: f64) -> i64 {
    ((lon + 180.0).floor() as i64).rem_euclid(COLS)
}

fn cell(row: i64, col: i64) -> u64 {
    // Both are in range: row in 0..ROWS, col in 0..COLS.
    (row * COLS + col).unsigned_abs()
}

/// The event's coordinates, when it has both and they are finite.
fn coordinates(event: &CommunityEvent) -> Option<(f64, f64)> {
    let l = event.location.as_ref()?;
    let (lat, lon) = (l.lat?, l.lon?);
    (lat.is_finite() && lon.is_finite()).then_some((lat, lon))
}

/// The cells of the bounding box of the circle of `radius_km` around
/// `center` (lat, lon), in no particular order and without repeats; `None`
/// when there are more than [`MAX_CELLS`].
///
/// The box of a spherical cap of angular radius δ around latitude φ spans
/// φ ± δ, and λ ± asin(sin δ / cos φ) when the cap holds neither pole;
/// when it holds one, the rows from that pole to the far edge, every
/// column. The box is widened by a hair so that points on the circle are
/// inside it whatever the rounding.
pub(crate) fn covering_cells(center: (f64, f64), radius_km: f64) -> Option<Vec<u64>> {
    let (lat, lon) = center;
    let delta = radius_km / EARTH_RADIUS_KM * (1.0 + 1e-9) + 1e-12;
    let delta_deg = delta.to_degrees();
    let (south, north) = (lat - delta_deg, lat + delta_deg);
    let rows = (row(south.max(-90.0)), row(north.min(90.0)));
    let row_count = usize::try_from(rows.1 - rows.0 + 1).ok()?;
    let holds_pole = north >= 90.0 || south <= -90.0 || delta >= PI / 2.0;
    let ratio = if holds_pole {
        f64::INFINITY
    } else {
        delta.sin() / lat.to_radians().cos()
    };
    let cols: Vec<i64> = if ratio >= 1.0 {
        (0..COLS).collect()
    } else {
        let half = ratio.asin().to_degrees();
        let (west, east) = (
            (lon - half + 180.0).floor() as i64,
            (lon + half + 180.0).floor() as i64,
        );
        if east - west + 1 >= COLS {
            (0..COLS).collect()
        } else {
            (west..=east).map(|c| c.rem_euclid(COLS)).collect()
        }
    };
    if row_count.saturating_mul(cols.len()) > MAX_CELLS {
        return None;
    }
    Some(
        (rows.0..=rows.1)
            .flat_map(|r| cols.iter().map(move |c| cell(r, *c)))
            .collect(),
    )
}

/// Writes the place entry of `event` (events without coordinates have
/// none).
pub(crate) fn index_place(txn: &mut Txn<'_>, event: &CommunityEvent) -> NodeResult<()> {
    if let Some((lat, lon)) = coordinates(event) {
        txn.store::<tables::EventsByPlace>(
            (cell_of(lat, lon), key_ms(event.start), event.id),
            &(lat, lon, event.end),
        )?;
    }
    Ok(())
}

/// Removes the place entry `event` has (as stored before a change).
pub(crate) fn unindex_place(txn: &mut Txn<'_>, event: &CommunityEvent) {
    if let Some((lat, lon)) = coordinates(event) {
        txn.remove::<tables::EventsByPlace>((cell_of(lat, lon), key_ms(event.start), event.id));
    }
}

/// Moves the place entry from what `old` had to what `event` has, when
/// its place, start or end changed.
pub(crate) fn move_place(
    txn: &mut Txn<'_>,
    old: &CommunityEvent,
    event: &CommunityEvent,
) -> NodeResult<()> {
    if coordinates(old) != coordinates(event) || old.start != event.start || old.end != event.end {
        unindex_place(txn, old);
        index_place(txn, event)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::community_events::query::haversine_km;

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
    }

    #[test]
    fn cells_wrap_at_the_antimeridian_and_clamp_at_the_poles() {
        assert_eq!(cell_of(0.0, 180.0), cell_of(0.0, -180.0));
        assert_eq!(cell_of(0.5, -179.5), cell_of(0.0, -180.0));
        assert_ne!(cell_of(0.0, 179.5), cell_of(0.0, -179.5));
        assert_eq!(cell_of(90.0, 0.0), cell_of(89.5, 0.5));
        assert_eq!(cell_of(-90.0, -180.0), 0);
        assert_eq!(cell_of(89.9, 179.9), (ROWS * COLS - 1).unsigned_abs());
    }

    #[test]
    fn a_default_circle_touches_few_cells() {
        for lat in [-60.0, -30.0, 0.0, 0.99, 30.0, 45.0, 60.0] {
            let cells = covering_cells((lat, 10.5), 50.0).expect("few cells");
            assert!(cells.len() <= 9, "{lat}: {} cells", cells.len());
            assert!(cells.contains(&cell_of(lat, 10.5)));
        }
        // Across the antimeridian: both sides.
        let cells = covering_cells((0.0, 179.9), 50.0).expect("few cells");
        assert!(cells.contains(&cell_of(0.0, 179.9)));
        assert!(cells.contains(&cell_of(0.0, -179.9)));
        // A pole inside, or a wide circle: too many cells.
        assert!(covering_cells((89.8, 0.0), 50.0).is_none());
        assert!(covering_cells((0.0, 0.0), 1_000.0).is_none());
    }

    #[test]
    fn every_point_inside_a_circle_is_in_a_covering_cell() {
        let mut rng = Rng(7);
        let mut checked = 0;
        for _ in 0..2_000 {
            let center = (rng.next() * 178.0 - 89.0, rng.next() * 360.0 - 180.0);
            // Near the antimeridian half of the time.
            let center = if rng.next() < 0.5 {
                (center.0, 180.0 - rng.next() * 2.0)
            } else {
                center
            };
            let radius = 1.0 + rng.next() * 300.0;
            let Some(cells) = covering_cells(center, radius) else {
                continue;
            };
            for _ in 0..50 {
                let point = (
                    (center.0 + (rng.next() - 0.5) * 12.0).clamp(-90.0, 90.0),
                    center.1 + (rng.next() - 0.5) * 24.0,
                );
                let point = (point.0, (point.1 + 180.0).rem_euclid(360.0) - 180.0);
                if haversine_km(center, point) <= radius {
                    checked += 1;
                    assert!(
                        cells.contains(&cell_of(point.0, point.1)),
                        "{point:?} within {radius} km of {center:?}"
                    );
                }
            }
        }
        assert!(checked > 1_000, "only {checked} points fell inside");
    }
}
