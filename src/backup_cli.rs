//! `kodeon admin backup` and `kodeon admin restore`, with their progress
//! line on stderr.

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context as _};
use kodeon::admin_socket::{self, AdminReply};
use kodeon::config::Config;
use node::backup::{Phase, Progress};
use node::Node;

/// `kodeon admin backup --to FILE`: through the running node's socket (the
/// node writes the file), or on the store itself when no node runs.
pub async fn backup(config: &Config, to: &Path) -> anyhow::Result<()> {
    let to = std::path::absolute(to).with_context(|| format!("{}", to.display()))?;
    if to.exists() {
        bail!(
            "{} exists; choose another file or remove it first",
            to.display()
        );
    }
    let socket = config.admin_socket_path();
    let mut bar = ProgressLine::new();
    let sent = admin_socket::send_backup(&socket, &to, |p| bar.show(p))
        .await
        .with_context(|| format!("talking to the node on {}", socket.display()))?;
    bar.finish();
    match sent {
        Some((AdminReply::Ok(outcome), connection)) => {
            println!("{}", outcome.message);
            // The node holds writers until this closes: after the answer
            // is out, every write acknowledged so far is in the backup.
            drop(connection);
            Ok(())
        }
        Some((AdminReply::Error(message), _)) => bail!(message),
        None => backup_offline(config, to).await,
    }
}

/// A backup with no node running: the store is opened here.
async fn backup_offline(config: &Config, to: PathBuf) -> anyhow::Result<()> {
    let store = config.data_dir.join(config.store_engine().dir_name());
    if !store.is_dir() {
        bail!(
            "no node store in {} (nothing to back up)",
            config.data_dir.display()
        );
    }
    let node_config = config.node_config();
    let dir = config.data_dir.clone();
    let summary = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let node = Node::open(node_config).with_context(|| {
            format!(
                "opening the node in {} (if a node is running there, its admin socket is missing)",
                dir.display()
            )
        })?;
        let mut bar = ProgressLine::new();
        let (summary, held) = node.backup_to(&to, &mut |p| bar.show(p))?;
        bar.finish();
        drop(held);
        node.flush().context("closing the store")?;
        Ok(summary)
    })
    .await
    .context("the backup stopped")??;
    println!("{}", summary.describe());
    Ok(())
}

/// `kodeon admin restore --from FILE`: into the (new or empty) data dir,
/// as a store of the configured engine (fjall unless `[storage] engine`
/// says otherwise): restoring a sled node's backup moves it to fjall.
pub async fn restore(config: &Config, from: &Path) -> anyhow::Result<()> {
    let from = from.to_owned();
    let dir = config.data_dir.clone();
    // The target is empty: the configured engine, else the default.
    let engine = config.storage.engine.unwrap_or_default();
    let summary = tokio::task::spawn_blocking(move || {
        let mut bar = ProgressLine::new();
        let summary = node::backup::restore(&from, &dir, engine, &mut |p| bar.show(p));
        bar.finish();
        summary
    })
    .await
    .context("the restore stopped")??;
    println!("{}", summary.describe());
    Ok(())
}

/// Progress on stderr: a bar redrawn in place on a terminal, otherwise a
/// line per phase and every tenth of it.
struct ProgressLine {
    tty: bool,
    phase: Option<Phase>,
    /// Tenths reported in this phase (not on a terminal).
    tenths: Option<u64>,
    started: Instant,
    drawn: bool,
}

impl ProgressLine {
    fn new() -> Self {
        ProgressLine {
            tty: std::io::stderr().is_terminal(),
            phase: None,
            tenths: None,
            started: Instant::now(),
            drawn: false,
        }
    }

    fn show(&mut self, p: Progress) {
        let name = match p.phase {
            Phase::Store => "store",
            Phase::Media => "media",
            Phase::Verify => "verify",
            Phase::Restore => "restore",
        };
        let fraction = if p.total == 0 {
            1.0
        } else {
            (p.done as f64 / p.total as f64).min(1.0)
        };
        let mut err = std::io::stderr().lock();
        if self.phase != Some(p.phase) {
            if self.drawn && self.tty {
                let _ = writeln!(err);
            }
            self.phase = Some(p.phase);
            self.tenths = None;
            self.started = Instant::now();
        }
        let line = format!(
            "{name:>7} [{bar:<30}] {percent:>3}%  {done:.1}/{total:.1} MB  {secs:.0} s",
            bar = "#".repeat((fraction * 30.0) as usize),
            percent = (fraction * 100.0) as u64,
            done = p.done as f64 / 1e6,
            total = p.total.max(p.done) as f64 / 1e6,
            secs = self.started.elapsed().as_secs_f64(),
        );
        if self.tty {
            let _ = write!(err, "\r{line}");
            self.drawn = true;
        } else {
            let tenths = (fraction * 10.0) as u64;
            if self.tenths.is_none_or(|shown| tenths > shown) {
                let _ = writeln!(err, "{line}");
                self.tenths = Some(tenths);
            }
        }
    }

    fn finish(&mut self) {
        if self.drawn && self.tty {
            let _ = writeln!(std::io::stderr());
        }
        self.drawn = false;
    }
}
