//! Backups taken under concurrent writes, restored and compared.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use super::*;
use crate::store::{open_engine, tables, Space};
use crate::{NodeConfig, NodeError, StoreEngine};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

fn open(dir: &Path) -> Result<Node> {
    Ok(Node::open(NodeConfig::new(dir, "k.test"))?)
}

/// The name of a writer's entry in the scratch table.
fn key(writer: usize, i: u64) -> String {
    format!("{writer}-{i:08}")
}

/// The stored bytes of that entry's key (`Meta`, then `test-` and the name).
fn raw_key(writer: usize, i: u64) -> Vec<u8> {
    [
        &[Space::Meta as u8][..],
        format!("test-{}\0", key(writer, i)).as_bytes(),
    ]
    .concat()
}

/// Stages `n` in the scratch table (as JSON would write it).
fn put(txn: &mut crate::store::Txn<'_>, key: String, n: u64) -> crate::NodeResult<()> {
    txn.store::<tables::Scratch>(key, &n.to_string().into_bytes())
}

/// Every pair of a stopped data directory's store, whichever engine wrote it.
fn dump(data_dir: &Path) -> Result<BTreeMap<Vec<u8>, Vec<u8>>> {
    let engine = StoreEngine::of_store_in(data_dir).ok_or("no store")?;
    let engine = open_engine(engine, &store_dir(data_dir, engine), 8 << 20)?;
    let mut out = BTreeMap::new();
    for pair in engine.range(&[], &[0xff], false) {
        let (k, v) = pair?;
        out.insert(k, v);
    }
    Ok(out)
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|m| m.permissions().mode() & 0o777)
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_under_writes_restores_every_write_acknowledged_before_it_ended(
) -> Result<()> {
    let parent = tempfile::tempdir()?;
    let dir = parent.path().join("data");
    let node = Arc::new(open(&dir)?);
    let media = dir.join(MEDIA_DIR);
    std::fs::create_dir_all(&media)?;
    std::fs::write(
        media.join("01AAAAAAAAAAAAAAAAAAAAAAAA-k.png"),
        vec![7u8; 70_000],
    )?;
    std::fs::write(media.join("01AAAAAAAAAAAAAAAAAAAAAAAB-k.png.tmp"), b"half")?;
    // Enough data that the scan takes a while.
    for chunk in 0..20u64 {
        node.store
            .write(|txn| {
                for i in 0..500 {
                    txn.store::<tables::Scratch>(key(99, chunk * 500 + i), &vec![b'x'; 200])?;
                }
                Ok(())
            })
            .await?;
    }

    let stop = Arc::new(AtomicBool::new(false));
    let acked: Arc<Vec<Mutex<Vec<u64>>>> = Arc::new((0..3).map(|_| Mutex::default()).collect());
    let mut writers = Vec::new();
    for w in 0..3 {
        let (node, stop, acked) = (node.clone(), stop.clone(), acked.clone());
        writers.push(tokio::spawn(async move {
            let mut i = 0u64;
            while !stop.load(Ordering::SeqCst) {
                node.store
                    .write(|txn| {
                        put(txn, key(w, i), i)?;
                        // Overwrite and delete too, so the replay order matters.
                        put(txn, key(w, u64::MAX), i)?;
                        if i > 0 {
                            txn.remove::<tables::Scratch>(key(w, i - 1));
                        }
                        Ok(())
                    })
                    .await?;
                if let Ok(mut done) = acked[w].lock() {
                    done.push(i);
                }
                i += 1;
            }
            Ok::<_, NodeError>(())
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;

    let file = parent.path().join("node.kbk");
    let (summary, seen) = {
        let (node, file, acked) = (node.clone(), file.clone(), acked.clone());
        tokio::task::spawn_blocking(move || -> Result<_> {
            let mut phases = Vec::new();
            let (summary, held) = node.backup_to(&file, &mut |p| phases.push(p.phase))?;
            assert!(phases.contains(&Phase::Store) && phases.contains(&Phase::Media));
            // Writers are held: what is acknowledged now is all that was
            // acknowledged before the backup ended.
            let seen: Vec<Vec<u64>> = acked
                .iter()
                .map(|a| a.lock().map(|v| v.clone()).unwrap_or_default())
                .collect();
            drop(held);
            Ok((summary, seen))
        })
        .await??
    };
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    stop.store(true, Ordering::SeqCst);
    for w in writers {
        w.await??;
    }
    assert!(summary.journal_batches > 0, "writes ran during the backup");
    assert!(seen.iter().all(|s| !s.is_empty()));
    assert_eq!(summary.files, 1, "the .tmp file is skipped");
    assert_eq!(std::fs::metadata(&file)?.len(), summary.bytes);
    let did = node.node_did();
    drop(node);

    let restored = parent.path().join("restored");
    let outcome = restore(&file, &restored, StoreEngine::under_test(), &mut |_| {})?;
    assert_eq!(outcome.manifest.node_did, did);
    let pairs = dump(&restored)?;
    for (w, acked) in seen.iter().enumerate() {
        let last = *acked.last().unwrap_or(&0);
        // The last acknowledged write of each writer, or a later one: the
        // backup is the state at one moment after all of them.
        let newest: u64 = serde_json::from_slice(
            pairs
                .get(&raw_key(w, u64::MAX))
                .ok_or("the writer's marker is missing")?,
        )?;
        assert!(newest >= last, "writer {w}: {newest} < {last}");
        assert!(pairs.contains_key(&raw_key(w, newest)));
        // Exactly one of the writer's numbered keys: deletes replayed.
        let prefix = [&[Space::Meta as u8][..], format!("test-{w}-").as_bytes()].concat();
        let live = pairs.keys().filter(|k| k.starts_with(&prefix)).count();
        assert_eq!(live, 2, "writer {w}: its newest key and its marker");
    }
    assert_eq!(
        std::fs::read(restored.join("node.secret"))?,
        std::fs::read(dir.join("node.secret"))?
    );
    assert!(restored
        .join(MEDIA_DIR)
        .join("01AAAAAAAAAAAAAAAAAAAAAAAA-k.png")
        .exists());
    assert!(!restored
        .join(MEDIA_DIR)
        .join("01AAAAAAAAAAAAAAAAAAAAAAAB-k.png.tmp")
        .exists());
    #[cfg(unix)]
    {
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(&restored), 0o700);
        assert_eq!(mode(&restored.join("node.secret")), 0o600);
        assert_eq!(mode(&restored.join(MEDIA_DIR)), 0o700);
    }
    // The restored node is the same node.
    let again = open(&restored)?;
    assert_eq!(again.node_did(), did);
    Ok(())
}

#[test]
fn a_backup_of_a_quiet_node_is_its_store_exactly() -> Result<()> {
    let parent = tempfile::tempdir()?;
    let dir = parent.path().join("data");
    let node = open(&dir)?;
    node.store
        .write_blocking(|txn| txn.store::<tables::Scratch>(key(0, 1), &b"one".to_vec()))?;
    let file = parent.path().join("quiet.kbk");
    let (_, held) = node.backup_to(&file, &mut |_| {})?;
    drop(held);
    assert!(matches!(
        node.backup_to(&file, &mut |_| {}),
        Err(BackupError::TargetExists(_))
    ));
    node.flush()?;
    drop(node);
    let restored = parent.path().join("restored");
    restore(&file, &restored, StoreEngine::under_test(), &mut |_| {})?;
    assert_eq!(dump(&restored)?, dump(&dir)?);
    Ok(())
}

#[test]
fn a_backup_restores_into_either_engine_with_the_same_pairs() -> Result<()> {
    let parent = tempfile::tempdir()?;
    let dir = parent.path().join("data");
    let node = open(&dir)?;
    node.store.write_blocking(|txn| {
        for i in 0..300 {
            txn.store::<tables::Scratch>(key(1, i), &vec![b'y'; 100])?;
        }
        Ok(())
    })?;
    let file = parent.path().join("b.kbk");
    let (_, held) = node.backup_to(&file, &mut |_| {})?;
    drop(held);
    node.flush()?;
    drop(node);
    let original = dump(&dir)?;
    for engine in StoreEngine::ALL {
        let target = parent.path().join(engine.name());
        let summary = restore(&file, &target, engine, &mut |_| {})?;
        assert_eq!(summary.engine, engine);
        assert_eq!(StoreEngine::of_store_in(&target), Some(engine));
        assert_eq!(dump(&target)?, original, "restored into {}", engine.name());
        let mut config = NodeConfig::new(&target, "k.test");
        config.engine = engine;
        let reopened = Node::open(config)?;
        assert_eq!(
            reopened.store.load::<tables::Scratch>(key(1, 299))?,
            Some(vec![b'y'; 100])
        );
    }
    Ok(())
}

#[test]
fn restore_refuses_a_used_directory_and_a_damaged_file_before_writing() -> Result<()> {
    let parent = tempfile::tempdir()?;
    let dir = parent.path().join("data");
    let node = open(&dir)?;
    let file = parent.path().join("b.kbk");
    let (_, held) = node.backup_to(&file, &mut |_| {})?;
    drop(held);
    drop(node);

    assert!(matches!(
        restore(&file, &dir, StoreEngine::under_test(), &mut |_| {}),
        Err(BackupError::TargetNotEmpty(_))
    ));
    let mut bytes = std::fs::read(&file)?;
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    let damaged = parent.path().join("damaged.kbk");
    std::fs::write(&damaged, &bytes)?;
    let target = parent.path().join("new");
    assert!(restore(&damaged, &target, StoreEngine::under_test(), &mut |_| {}).is_err());
    bytes[middle] ^= 1;
    bytes.truncate(bytes.len() - 1);
    std::fs::write(&damaged, &bytes)?;
    assert!(restore(&damaged, &target, StoreEngine::under_test(), &mut |_| {}).is_err());
    assert!(!target.exists(), "nothing written");
    let leftovers = std::fs::read_dir(parent.path())?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("restore"))
        .count();
    assert_eq!(leftovers, 0);
    // An empty directory is fine.
    std::fs::create_dir(&target)?;
    restore(&file, &target, StoreEngine::under_test(), &mut |_| {})?;
    assert!(target.join("node.secret").exists());
    Ok(())
}

/// Restores the backup named by `KODEON_RESTORE_FROM` into a temporary
/// directory (for measuring: `/usr/bin/time` on this test).
#[test]
#[ignore]
fn restore_a_given_backup() -> Result<()> {
    let Some(from) = std::env::var_os("KODEON_RESTORE_FROM") else {
        return Ok(());
    };
    let parent = tempfile::tempdir()?;
    let started = std::time::Instant::now();
    let engine = match std::env::var("KODEON_RESTORE_ENGINE") {
        Ok(name) if name == "sled" => StoreEngine::Sled,
        _ => StoreEngine::Fjall,
    };
    let summary = restore(
        Path::new(&from),
        &parent.path().join("data"),
        engine,
        &mut |_| {},
    )?;
    eprintln!("{} in {:?}", summary.describe(), started.elapsed());
    Ok(())
}
