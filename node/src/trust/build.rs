//! The trust graph read from the store: accounts from `Member`, edges from
//! `Following` and `Attestation` (keys only), seeds from the admins and
//! `TrustedMembers`.

use std::collections::HashMap;

use super::graph::{EdgeKind, EdgeWeights, GraphBuilder, TrustGraph};
use crate::error::NodeResult;
use crate::id::Id;
use crate::model::{MemberStatus, Role};
use crate::store::{tables, Store};

/// The graph with the ids behind its indexes.
pub(crate) struct StoreGraph {
    /// The graph.
    pub graph: TrustGraph,
    /// Index → account.
    pub ids: Vec<Id>,
    /// Seed indexes.
    pub seeds: Vec<u32>,
    /// blake3 of the graph, the ids and the seeds.
    pub fingerprint: [u8; 32],
    /// `TrustSeedChanges` when read.
    pub seed_changes: i64,
}

/// Reads the graph. Cost: one scan of `Member`, `MemberByKey`,
/// `TrustedMembers`, and the keys of `Following` and `Attestation`.
pub(crate) fn graph_from_store(store: &Store, weights: EdgeWeights) -> NodeResult<StoreGraph> {
    let seed_changes = store.counter::<tables::TrustSeedChanges>(())?;
    let mut index: HashMap<Id, u32> = HashMap::new();
    let mut ids: Vec<Id> = Vec::new();
    let mut seeds: Vec<u32> = Vec::new();
    for member in store.scan::<tables::Member>((), false).values() {
        let member = member?;
        if member.deleted_at.is_some() || member.status != MemberStatus::Active || member.is_group()
        {
            continue;
        }
        let i = ids.len() as u32;
        if member.is_local() && member.role == Role::Admin {
            seeds.push(i);
        }
        index.insert(member.id, i);
        ids.push(member.id);
    }
    for row in store.scan::<tables::TrustedMembers>((), false).keys() {
        if let Some(&i) = index.get(&row?) {
            seeds.push(i);
        }
    }
    seeds.sort_unstable();
    seeds.dedup();
    let mut by_key: HashMap<[u8; 32], u32> = HashMap::new();
    for row in store.scan::<tables::MemberByKey>((), false) {
        let (key, id) = row?;
        if let Some(&i) = index.get(&id) {
            by_key.insert(key, i);
        }
    }
    let mut builder = GraphBuilder::new(ids.len() as u32);
    for row in store.scan::<tables::Following>((), false).keys() {
        let (follower, followee) = row?;
        if let (Some(&a), Some(&b)) = (index.get(&follower), index.get(&followee)) {
            builder.add(a, b, EdgeKind::Follow);
        }
    }
    for row in store.scan::<tables::Attestation>((), false).keys() {
        let (subject, attester, _claim) = row?;
        if let (Some(&a), Some(&s)) = (by_key.get(&attester), by_key.get(&subject)) {
            builder.add(a, s, EdgeKind::Attestation);
        }
    }
    drop(by_key);
    drop(index);
    let graph = builder.build(weights);
    let mut h = blake3::Hasher::new();
    h.update(&graph.fingerprint(&seeds));
    for id in &ids {
        h.update(&id.to_bytes());
    }
    Ok(StoreGraph {
        graph,
        ids,
        seeds,
        fingerprint: *h.finalize().as_bytes(),
        seed_changes,
    })
}
