//! Schema versioning: forward migrations run at start-up, in order.
//!
//! The schema version lives under `Meta/"schema_version"`. Each migration
//! moves the store from version `n` to `n + 1` in one atomic write, so a
//! crash mid-way leaves the store at a consistent version.

use super::keys::Key;
use super::tables::Space;
use super::Store;
use crate::error::NodeError;

/// The version this code writes and reads.
pub const CURRENT_VERSION: u64 = 7;

type Migration = fn(&mut super::Txn<'_>) -> Result<(), NodeError>;

/// A migration too large for one write: it runs in several writes and is
/// idempotent, so a crash part-way runs it again from the start (the
/// version moves only once it has finished).
type ChunkedMigration = fn(&Store) -> Result<(), NodeError>;

/// One step of the schema.
enum Step {
    /// Done in the same write that moves the version.
    Atomic(Migration),
    /// Done in writes of its own, then the version moves.
    Chunked(ChunkedMigration),
}

/// Migrations, indexed by the version they upgrade from (index 0: empty → 1).
const MIGRATIONS: &[Step] = &[
    Step::Atomic(initial_schema),
    Step::Atomic(count_servers),
    Step::Atomic(index_member_keys),
    Step::Atomic(drop_federated_index),
    Step::Atomic(index_event_places),
    Step::Atomic(index_course_catalogue),
    Step::Chunked(backfill_community_figures),
];

fn version_key() -> Key {
    Key::new(Space::Meta).str("schema_version")
}

/// Brings the store up to [`CURRENT_VERSION`]; refuses a newer store.
pub fn run(store: &Store) -> Result<(), NodeError> {
    loop {
        let version: u64 = store.get(&version_key())?.unwrap_or(0);
        if version == CURRENT_VERSION {
            return Ok(());
        }
        if version > CURRENT_VERSION {
            return Err(NodeError::Invalid {
                field: "data_dir".into(),
                message: format!(
                    "the store has schema version {version}, newer than this binary's {CURRENT_VERSION}"
                ),
            });
        }
        match MIGRATIONS[version as usize] {
            Step::Atomic(migration) => store.write_blocking(|txn| {
                migration(txn)?;
                txn.put(version_key(), &(version + 1))
            })?,
            Step::Chunked(migration) => {
                migration(store)?;
                store.write_blocking(|txn| txn.put(version_key(), &(version + 1)))?;
            }
        }
        tracing::info!(from = version, to = version + 1, "store migrated");
    }
}

/// Version 0 → 1: an empty store gets its counters' keyspace; nothing to move.
fn initial_schema(_txn: &mut super::Txn<'_>) -> Result<(), NodeError> {
    Ok(())
}

/// Version 1 → 2: the known and unreachable server counters, counted once
/// from the servers already stored (later writes keep them).
fn count_servers(txn: &mut super::Txn<'_>) -> Result<(), NodeError> {
    let mut known = 0;
    let mut unreachable = 0;
    let servers: Vec<_> = txn
        .prefix(&Key::new(Space::Instance), false)
        .collect::<Result<_, _>>()?;
    for (_, value) in servers {
        let state: crate::remote::InstanceState = super::decode_value(&value)?;
        known += 1;
        if state.unreachable_since.is_some() {
            unreachable += 1;
        }
    }
    // The counters did not exist before this version: they start at 0.
    txn.add::<super::tables::InstanceCount>((), known)?;
    txn.add::<super::tables::UnreachableCount>((), unreachable)?;
    Ok(())
}

/// Version 2 → 3: the did:key index (`MemberByKey`) for the members
/// already stored: local members, and remote accounts that published an
/// ed25519 key (the others hold a placeholder).
fn index_member_keys(txn: &mut super::Txn<'_>) -> Result<(), NodeError> {
    let members: Vec<_> = txn
        .prefix(&Key::new(Space::Member), false)
        .collect::<Result<_, _>>()?;
    for (_, value) in members {
        let member: crate::model::Member = super::decode_value(&value)?;
        if member.remote.as_ref().is_some_and(|r| !r.has_ed25519) {
            continue;
        }
        txn.store::<super::tables::MemberByKey>(member.keys.ed25519_public.as_bytes(), &member.id)?;
    }
    Ok(())
}

/// Version 3 → 4: the federated timeline index is no longer written (the
/// feed merges the local and remote timelines); its entries are deleted.
fn drop_federated_index(txn: &mut super::Txn<'_>) -> Result<(), NodeError> {
    let keys: Vec<_> = txn
        .prefix(&Key::new(Space::FederatedTimeline), false)
        .map(|entry| entry.map(|(key, _)| key))
        .collect::<Result<_, _>>()?;
    for id in keys.iter().filter_map(|key| Key::trailing_id(key)) {
        txn.delete(Key::new(Space::FederatedTimeline).id(id));
    }
    Ok(())
}

/// Version 4 → 5: the place index of events (`EventsByPlace`) for the
/// events already stored with coordinates.
fn index_event_places(txn: &mut super::Txn<'_>) -> Result<(), NodeError> {
    let events: Vec<_> = txn
        .prefix(&Key::new(Space::CommunityEvent), false)
        .collect::<Result<_, _>>()?;
    for (_, value) in events {
        let event: crate::community_events::CommunityEvent = super::decode_value(&value)?;
        crate::community_events::index_place(txn, &event)?;
    }
    Ok(())
}

/// Version 5 → 6: the catalogue lists published and archived courses
/// only, by newest, level (`CoursesByLevel`) and category
/// (`CoursesByCategory`): drafts leave `CourseCatalogue`, the courses
/// listed get their level and category entries.
fn index_course_catalogue(txn: &mut super::Txn<'_>) -> Result<(), NodeError> {
    let courses: Vec<_> = txn
        .prefix(&Key::new(Space::Course), false)
        .collect::<Result<_, _>>()?;
    for (_, value) in courses {
        let course: crate::courses::Course = super::decode_value(&value)?;
        // Every course was in `CourseCatalogue`: out, then in again if
        // it is listed.
        txn.remove::<super::tables::CourseCatalogue>(course.id);
        crate::courses::index_listing(txn, None, Some(&course))?;
    }
    Ok(())
}

/// Version 6 → 7: what insights and gamification count, for what members
/// did before they were kept: each member's last active day becomes an
/// active day, and the metrics badge rules read (posts, replies, a
/// profile) are counted, with the badges a profile alone earns. No points
/// are given for the past.
fn backfill_community_figures(store: &Store) -> Result<(), NodeError> {
    crate::insights::backfill_active_days(store)?;
    crate::gamification::backfill_metrics(store)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tables;
    use crate::store::MemoryEngine;
    use std::sync::Arc;

    #[test]
    fn fresh_store_reaches_current_version_and_newer_is_refused() {
        let engine = Arc::new(MemoryEngine::default());
        let store = Store::with_engine(engine.clone()).expect("open");
        assert_eq!(
            store.get::<u64>(&version_key()).expect("read"),
            Some(CURRENT_VERSION)
        );
        store
            .write_blocking(|txn| txn.put(version_key(), &(CURRENT_VERSION + 1)))
            .expect("write");
        drop(store);
        assert!(Store::with_engine(engine).is_err());
    }

    #[test]
    fn version_4_empties_the_retired_federated_index() {
        let engine = Arc::new(MemoryEngine::default());
        let store = Store::with_engine(engine.clone()).expect("open");
        let ids = [crate::id::Id::floor_of_ms(7), crate::id::Id::floor_of_ms(9)];
        store
            .write_blocking(|txn| {
                for id in ids {
                    txn.store::<tables::FederatedTimeline>(id, &())?;
                    txn.store::<tables::LocalTimeline>(id, &())?;
                }
                txn.put(version_key(), &3u64)
            })
            .expect("a version 3 store");
        drop(store);
        let store = Store::with_engine(engine).expect("migrated");
        let federated = store.scan::<tables::FederatedTimeline>((), false);
        assert_eq!(federated.keys().count(), 0);
        let local = store.scan::<tables::LocalTimeline>((), false);
        assert_eq!(local.keys().count(), 2, "other indexes are kept");
    }

    #[test]
    fn version_5_indexes_the_places_of_events_already_stored() {
        let engine = Arc::new(MemoryEngine::default());
        let store = Store::with_engine(engine.clone()).expect("open");
        let event = |id: u8, lat: Option<f64>| -> crate::community_events::CommunityEvent {
            serde_json::from_value(serde_json::json!({
                "id": crate::id::Id::from_bytes([id; 16]),
                "title": "Meetup", "type": "meetup", "start": 5_000, "end": 9_000,
                "timezone": "UTC", "format": "offline", "registration": "open",
                "status": "open", "organiser": crate::id::Id::from_bytes([9; 16]),
                "location": {"lat": lat, "lon": 179.5},
                "created_at": 1, "updated_at": 1,
            }))
            .expect("an event")
        };
        let (placed, vague) = (event(1, Some(-17.7)), event(2, None));
        store
            .write_blocking(|txn| {
                txn.store::<tables::CommunityEvent>(placed.id, &placed)?;
                txn.store::<tables::CommunityEvent>(vague.id, &vague)?;
                txn.put(version_key(), &4u64)
            })
            .expect("a version 4 store");
        drop(store);
        let store = Store::with_engine(engine).expect("migrated");
        let entries: Vec<_> = store
            .scan::<tables::EventsByPlace>((), false)
            .collect::<Result<_, _>>()
            .expect("scan");
        assert_eq!(entries.len(), 1, "only the event with coordinates");
        let ((_, start, id), (lat, lon, end)) = entries[0];
        assert_eq!((start, id, end), (5_000, placed.id, 9_000));
        assert_eq!((lat, lon), (-17.7, 179.5));
    }

    #[test]
    fn version_6_lists_published_courses_by_level_and_category_and_drops_drafts() {
        let engine = Arc::new(MemoryEngine::default());
        let store = Store::with_engine(engine.clone()).expect("open");
        let course = |id: u8, status: &str, category: Option<&str>| -> crate::courses::Course {
            serde_json::from_value(serde_json::json!({
                "id": crate::id::Id::from_bytes([id; 16]),
                "title": "Rust", "level": "advanced", "category": category,
                "creator": crate::id::Id::from_bytes([9; 16]),
                "status": status, "enrolment": "open",
                "created_at": 1, "updated_at": 1,
            }))
            .expect("a course")
        };
        let courses = [
            course(1, "published", Some("code")),
            course(2, "draft", Some("code")),
            course(3, "archived", None),
        ];
        store
            .write_blocking(|txn| {
                for c in &courses {
                    txn.store::<tables::Course>(c.id, c)?;
                    txn.store::<tables::CourseCatalogue>(c.id, &())?;
                }
                txn.put(version_key(), &5u64)
            })
            .expect("a version 5 store");
        drop(store);
        let store = Store::with_engine(engine).expect("migrated");
        let listed: Vec<_> = store
            .scan::<tables::CourseCatalogue>((), false)
            .keys()
            .collect::<Result<_, _>>()
            .expect("scan");
        assert_eq!(listed, vec![courses[0].id, courses[2].id], "drafts leave");
        let by_level: Vec<_> = store
            .scan::<tables::CoursesByLevel>(("advanced",), false)
            .keys()
            .collect::<Result<_, _>>()
            .expect("scan");
        assert_eq!(
            by_level,
            vec![
                ("advanced".to_string(), courses[0].id),
                ("advanced".to_string(), courses[2].id)
            ]
        );
        let by_category: Vec<_> = store
            .scan::<tables::CoursesByCategory>((), false)
            .keys()
            .collect::<Result<_, _>>()
            .expect("scan");
        assert_eq!(
            by_category,
            vec![("code".to_string(), "advanced".to_string(), courses[0].id)]
        );
    }

    #[test]
    fn version_2_counts_the_servers_already_stored() {
        use crate::remote::InstanceState;
        let engine = Arc::new(MemoryEngine::default());
        let store = Store::with_engine(engine.clone()).expect("open");
        store
            .write_blocking(|txn| {
                for (domain, unreachable) in [("a.example", None), ("b.example", Some(1))] {
                    let state = InstanceState {
                        domain: domain.into(),
                        unreachable_since: unreachable,
                        ..InstanceState::default()
                    };
                    txn.put(Key::new(Space::Instance).str(domain), &state)?;
                }
                txn.put(version_key(), &1u64)
            })
            .expect("a version 1 store");
        drop(store);
        let store = Store::with_engine(engine).expect("migrated");
        assert_eq!(
            store.counter::<tables::InstanceCount>(()).expect("counter"),
            2
        );
        assert_eq!(
            store
                .counter::<tables::UnreachableCount>(())
                .expect("counter"),
            1
        );
    }
}
