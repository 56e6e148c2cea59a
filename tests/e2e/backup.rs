//! `kodeon admin backup` of a node under writes, `kodeon admin restore`
//! into a new data directory, and a node started on it.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use serde_json::{json, Value};

use crate::harness::{assert_ran, Member, TestNode};

/// Runs the `kodeon` binary; returns its output and when it had exited.
async fn kodeon(args: Vec<String>) -> (Output, SystemTime) {
    tokio::task::spawn_blocking(move || {
        let out = Command::new(env!("CARGO_BIN_EXE_kodeon"))
            .args(&args)
            .output()
            .expect("run kodeon");
        (out, SystemTime::now())
    })
    .await
    .expect("join")
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|a| a.to_string()).collect()
}

fn path(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// `kodeon admin backup` of the data directory `dir` to `file`.
async fn backup(dir: &Path, file: &Path) -> (Output, SystemTime) {
    kodeon(args(&[
        "admin",
        "backup",
        "--data-dir",
        &path(dir),
        "--to",
        &path(file),
    ]))
    .await
}

/// The actor document of `name`: its RSA key and its ed25519 Multikey.
async fn actor_keys(node: &TestNode, name: &str) -> (Value, Value) {
    let actor: Value = reqwest::Client::new()
        .get(format!("{}/users/{name}", node.base))
        .header("accept", "application/activity+json")
        .send()
        .await
        .expect("actor")
        .json()
        .await
        .expect("json");
    (
        actor["publicKey"]["publicKeyPem"].clone(),
        actor["assertionMethod"][0]["publicKeyMultibase"].clone(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_under_writes_restores_every_write_acknowledged_before_it_returned() {
    let node = Arc::new(TestNode::start().await);
    let mut writers: Vec<Member> = Vec::new();
    for i in 0..3 {
        writers.push(node.register(&format!("writer{i}")).await);
    }
    // Some volume before the backup starts.
    for i in 0..30 {
        node.post_as(&writers[i % 3], &format!("before {i}"), json!({}))
            .await;
    }
    let did = node.get("/node", None).await.body["did"].clone();
    assert!(did.as_str().is_some_and(|d| d.starts_with("did:key:")));
    let keys = actor_keys(&node, "writer0").await;

    // Writers post continuously; each acknowledged post is recorded with
    // the moment its 201 arrived (wall clock, to compare with the backup
    // file's modification time).
    let stop = Arc::new(AtomicBool::new(false));
    let acked: Arc<Mutex<Vec<(String, SystemTime)>>> = Arc::default();
    let mut tasks = Vec::new();
    for (w, member) in writers.iter().cloned().enumerate() {
        let (node, stop, acked) = (node.clone(), stop.clone(), acked.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                let r = node
                    .post(
                        "/posts",
                        Some(&member.token),
                        json!({"content": format!("writer {w} post {n}")}),
                    )
                    .await;
                let at = SystemTime::now();
                assert_eq!(r.status, 201, "{}", r.body);
                let id = r.body["id"].as_str().expect("id").to_string();
                acked.lock().expect("lock").push((id, at));
                n += 1;
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;

    let parent = tempfile::tempdir().expect("tempdir");
    let file = parent.path().join("node.kbk");
    let (out, returned) = backup(&node.dir, &file).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::SeqCst);
    for t in tasks {
        t.await.expect("writer");
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_ran(&out, "backup");
    assert!(stdout.contains("backup of did:key:"), "{stdout}");
    // The node writes the file's last bytes while writers are held, and
    // holds them until the command has its answer: a post acknowledged
    // before the file was last written was applied before the journal
    // stopped. (The moment the command's process was seen to return comes
    // later, by as much as the machine's load delays this task, and posts
    // acknowledged after the node let writers go fall in between.)
    let finished = std::fs::metadata(&file)
        .and_then(|m| m.modified())
        .expect("backup file time");
    assert!(
        finished <= returned,
        "the file was written before the command returned"
    );
    let acked = acked.lock().expect("lock").clone();
    let before: Vec<&String> = acked
        .iter()
        .filter(|(_, at)| *at < finished)
        .map(|(id, _)| id)
        .collect();
    let after = acked.len() - before.len();
    assert!(
        before.len() > 10 && after > 0,
        "writes before ({}) and after ({after}) the backup",
        before.len()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).expect("file").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // A backup never lands on an existing file, nor a restore on a used
    // data directory.
    let (again, _) = backup(&node.dir, &file).await;
    assert!(!again.status.success());
    let (over, _) = kodeon(args(&[
        "admin",
        "restore",
        "--from",
        &path(&file),
        "--data-dir",
        &path(&node.dir),
    ]))
    .await;
    assert!(!over.status.success());
    assert!(
        String::from_utf8_lossy(&over.stderr).contains("is not empty"),
        "{}",
        String::from_utf8_lossy(&over.stderr)
    );

    let restored = parent.path().join("restored");
    let (out, _) = kodeon(args(&[
        "admin",
        "restore",
        "--from",
        &path(&file),
        "--data-dir",
        &path(&restored),
    ]))
    .await;
    assert_ran(&out, "restore");

    let copy = TestNode::start_with(|c| c.data_dir = restored.clone()).await;
    assert_eq!(copy.get("/node", None).await.body["did"], did);
    assert_eq!(actor_keys(&copy, "writer0").await, keys);
    assert_eq!(
        copy.get("/me", Some(&writers[1].token)).await.status,
        200,
        "sessions are restored"
    );
    let mut missing = Vec::new();
    for id in &before {
        if copy.get(&format!("/posts/{id}"), None).await.status != 200 {
            missing.push(id.to_string());
        }
    }
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged posts missing: {missing:?}",
        missing.len(),
        before.len()
    );
}
