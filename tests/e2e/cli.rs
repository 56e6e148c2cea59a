use std::process::Command;

use crate::harness::{assert_ran, TestNode};

fn kodeon(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kodeon"))
        .args(args)
        .output()
        .expect("run kodeon")
}

#[test]
fn help_init_and_config_show() {
    let help = kodeon(&["--help"]);
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    for word in ["serve", "admin", "init", "config"] {
        assert!(text.contains(word), "--help lacks {word}: {text}");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("k.toml");
    let path = path.to_str().expect("utf-8");
    assert!(kodeon(&["init", "--config", path]).status.success());
    assert!(
        !kodeon(&["init", "--config", path]).status.success(),
        "init must not overwrite"
    );
    let shown = kodeon(&["config", "show", "--config", path]);
    assert!(shown.status.success());
    assert!(String::from_utf8_lossy(&shown.stdout).contains("listen = \"127.0.0.1:8080\""));
}

#[test]
fn bad_config_values_name_the_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_kodeon"))
        .env("KODEON_SERVER__LISTEN", "nonsense")
        .args(["serve", "--data-dir"])
        .arg(dir.path())
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("server.listen"));
}

#[tokio::test]
async fn admin_create_user_offline_then_log_in() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().to_str().expect("utf-8");
    let out = kodeon(&[
        "admin",
        "create-user",
        "--data-dir",
        d,
        "--username",
        "root",
        "--email",
        "root@example.test",
        "--password",
        "long enough pass",
        "--admin",
    ]);
    assert_ran(&out, "kodeon admin");
    let node = TestNode::start_with(|c| c.data_dir = dir.path().to_path_buf()).await;
    let r = node.login("root", "long enough pass").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["member"]["role"], "admin");
    assert_eq!(node.get("/node", None).await.body["needs_setup"], false);
    // While it runs, the CLI goes through the admin socket (run it off this
    // test's single runtime thread, which also serves the node).
    let d2 = d.to_string();
    let out = tokio::task::spawn_blocking(move || {
        kodeon(&[
            "admin",
            "promote",
            "--data-dir",
            &d2,
            "--username",
            "root",
            "--role",
            "moderator",
        ])
    })
    .await
    .expect("join");
    assert_ran(&out, "kodeon admin");
    let me = node
        .get("/me", Some(r.body["token"].as_str().expect("token")))
        .await;
    assert_eq!(me.body["role"], "moderator");
}
