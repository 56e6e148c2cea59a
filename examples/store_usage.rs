//! Where a store's bytes go: per keyspace (the first byte of every key),
//! the number of keys and the bytes of keys and values, against the size of
//! the store's files (the engine's space amplification).
//!
//! ```text
//! cargo run --release --example store_usage -- --data-dir DIR [--engine sled|fjall]
//! ```
//! The node must not be running (the engine takes the directory's lock).

use std::collections::BTreeMap;
use std::path::PathBuf;

use node::store::{FjallEngine, KvEngine, SledEngine};
use node::StoreEngine;

#[path = "support/serve.rs"]
mod serve;

/// Keyspace names, read from the key encoder's source (`Name = 0xNN,`).
fn space_names() -> BTreeMap<u8, String> {
    include_str!("../node/src/store/keys.rs")
        .lines()
        .filter_map(|line| {
            let (name, value) = line.trim().trim_end_matches(',').split_once(" = 0x")?;
            let byte = u8::from_str_radix(value, 16).ok()?;
            name.chars()
                .all(char::is_alphanumeric)
                .then(|| (byte, name.to_owned()))
        })
        .collect()
}

fn main() -> anyhow::Result<()> {
    let argv: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        argv.iter()
            .position(|a| a == flag)
            .and_then(|i| argv.get(i + 1))
            .cloned()
    };
    let data_dir =
        PathBuf::from(value("--data-dir").ok_or_else(|| anyhow::anyhow!("--data-dir DIR"))?);
    let engine = value("--engine")
        .and_then(|n| StoreEngine::ALL.into_iter().find(|e| e.name() == n))
        .unwrap_or_default();
    let dir = data_dir.join(engine.dir_name());
    let started = std::time::Instant::now();
    let store: Box<dyn KvEngine> = match engine {
        StoreEngine::Sled => Box::new(SledEngine::open(&dir, 64 << 20)?),
        StoreEngine::Fjall => Box::new(FjallEngine::open(&dir, 64 << 20)?),
    };
    println!(
        "opened {} in {:.2} s",
        dir.display(),
        started.elapsed().as_secs_f64()
    );
    let mut spaces: BTreeMap<u8, (u64, u64, u64)> = BTreeMap::new();
    for kv in store.range(&[], &[0xff; 8], false) {
        let (k, v) = kv?;
        let e = spaces.entry(k.first().copied().unwrap_or(0)).or_default();
        e.0 += 1;
        e.1 += k.len() as u64;
        e.2 += v.len() as u64;
    }
    let names = space_names();
    let (mut keys, mut key_bytes, mut value_bytes) = (0, 0, 0);
    println!(
        "{:<22} {:>10} {:>12} {:>12} {:>8}",
        "keyspace", "keys", "key bytes", "value bytes", "B/key"
    );
    for (byte, (n, kb, vb)) in &spaces {
        let name = names
            .get(byte)
            .cloned()
            .unwrap_or_else(|| format!("0x{byte:02x}"));
        println!(
            "{name:<22} {n:>10} {kb:>12} {vb:>12} {:>8.0}",
            (kb + vb) as f64 / *n as f64
        );
        keys += n;
        key_bytes += kb;
        value_bytes += vb;
    }
    let files = serve::allocated(&dir)?;
    println!(
        "{:<22} {keys:>10} {key_bytes:>12} {value_bytes:>12}",
        "total"
    );
    println!(
        "logical {:.0} MB, files {:.0} MB (allocated), space amplification {:.2}",
        (key_bytes + value_bytes) as f64 / 1e6,
        files as f64 / 1e6,
        files as f64 / (key_bytes + value_bytes).max(1) as f64
    );
    Ok(())
}
