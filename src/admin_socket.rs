//! The running node's admin socket, `DATA_DIR/admin.sock`.
//!
//! sled lets one process open the store, so while `kodeon serve` runs,
//! `kodeon admin ...` sends its command here instead. Protocol: the client
//! writes one JSON line (a serialized [`AdminCommand`]) and reads one JSON
//! line back: `{"ok": AdminOutcome}` or `{"error": "message"}`. The socket is
//! created with mode 0600, so only the node's user (and root) can use it.
//!
//! A backup (`{"command": "backup", "to": "/absolute/file"}`, written by
//! the node itself) is answered with `{"progress": Progress}` lines before
//! that reply; writers stay held after it until the client closes the
//! connection (at most [`BACKUP_RELEASE_WAIT`]), so every write
//! acknowledged before the client had its answer is in the backup.

use std::io;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use node::admin::{AdminCommand, AdminOutcome};
use node::backup::Progress;
use node::Node;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::oneshot;
use tokio::task::JoinSet;

/// File name of the socket inside the data directory.
pub const SOCKET_NAME: &str = "admin.sock";

/// Longest accepted request line.
const MAX_REQUEST_BYTES: u64 = 64 * 1024;

/// How long a client may take to send its command.
const READ_TIMEOUT: Duration = Duration::from_secs(30);

/// How long shutdown waits for commands under way.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// Longest time writers stay held after a backup's answer, waiting for
/// the client to close the connection.
pub const BACKUP_RELEASE_WAIT: Duration = Duration::from_secs(5);

/// The socket's path for a data directory.
pub fn socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join(SOCKET_NAME)
}

/// The answer to one command.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AdminReply {
    /// The command ran.
    Ok(AdminOutcome),
    /// It failed; why.
    Error(String),
}

/// Binds the socket at `path` with mode 0600, replacing a stale one. Call it
/// only once the store is open (which proves no other node uses the
/// directory).
pub fn bind(path: &Path) -> io::Result<UnixListener> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_socket() => std::fs::remove_file(path)?,
        Ok(_) => {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} exists and is not a socket", path.display()),
            ))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let listener = UnixListener::bind(path)?;
    if let Err(e) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)) {
        let _ = std::fs::remove_file(path);
        return Err(e);
    }
    Ok(listener)
}

/// A progress line sent before the answer to a long command.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProgressLine {
    /// How far the command is.
    Progress(Progress),
}

/// The backup command (not an [`AdminCommand`]: it streams progress and
/// holds writers until the client has its answer).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "kebab-case")]
pub enum BackupCommand {
    /// Write a backup of the node to `to`.
    Backup {
        /// The backup file, an absolute path (the node's working
        /// directory is not the client's).
        to: PathBuf,
    },
}

/// A running admin socket server; [`AdminServer::stop`] ends it.
pub struct AdminServer {
    path: PathBuf,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl AdminServer {
    /// Binds `path` and answers commands with `node` until stopped.
    pub fn start(path: &Path, node: Arc<Node>) -> io::Result<AdminServer> {
        let listener = bind(path)?;
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(serve(listener, node, stopped));
        Ok(AdminServer {
            path: path.to_owned(),
            stop: Some(stop),
            task,
        })
    }

    /// Stops accepting, cancels open connections, waits until the server
    /// (and every clone of the node it held) is gone, removes the socket.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Err(e) = (&mut self.task).await {
            tracing::warn!(error = %e, "admin socket task failed");
        }
        if let Err(e) = std::fs::remove_file(&self.path) {
            if e.kind() != io::ErrorKind::NotFound {
                tracing::warn!(path = %self.path.display(), error = %e, "could not remove the admin socket");
            }
        }
    }
}

/// Accepts connections until `stop` fires (or its sender is dropped), then
/// gives open ones a few seconds, cancels the rest and waits for them.
pub async fn serve(listener: UnixListener, node: Arc<Node>, mut stop: oneshot::Receiver<()>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(handle(stream, node.clone()));
                }
                Err(e) => {
                    tracing::warn!(error = %e, "admin socket accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    // Let commands under way finish (briefly), then cancel the rest.
    let drain = async { while connections.join_next().await.is_some() {} };
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, drain).await;
    connections.shutdown().await;
}

/// Answers one connection: one command, one reply.
async fn handle(stream: UnixStream, node: Arc<Node>) {
    let (read, mut write) = stream.into_split();
    let mut line = String::new();
    let mut reader = BufReader::new(read.take(MAX_REQUEST_BYTES));
    let reply = match tokio::time::timeout(READ_TIMEOUT, reader.read_line(&mut line)).await {
        Err(_) => AdminReply::Error("timed out waiting for the command".into()),
        Ok(Err(e)) => AdminReply::Error(format!("could not read the command: {e}")),
        Ok(Ok(_)) if !line.ends_with('\n') => {
            AdminReply::Error("the command must be one JSON line (at most 64 KiB)".into())
        }
        Ok(Ok(_)) if is_backup(&line) => {
            return backup(line, reader, write, node).await;
        }
        Ok(Ok(_)) => match serde_json::from_str::<AdminCommand>(&line) {
            Err(e) => AdminReply::Error(format!("invalid command: {e}")),
            Ok(command) => {
                let what = command_name(&command);
                match node.run_admin(command).await {
                    Ok(outcome) => {
                        tracing::info!(command = what, outcome = %outcome.message, "admin command");
                        AdminReply::Ok(outcome)
                    }
                    Err(e) => {
                        tracing::info!(command = what, error = %e, "admin command failed");
                        AdminReply::Error(e.to_string())
                    }
                }
            }
        },
    };
    drop(node);
    let _ = send_line(&mut write, &reply).await;
    let _ = write.shutdown().await;
}

/// Writes one JSON line; `false` if the client went away.
async fn send_line(write: &mut OwnedWriteHalf, value: &impl Serialize) -> bool {
    let Ok(mut out) = serde_json::to_vec(value) else {
        return false;
    };
    out.push(b'\n');
    match write.write_all(&out).await {
        Ok(()) => true,
        Err(e) => {
            tracing::debug!(error = %e, "admin socket client went away");
            false
        }
    }
}

/// Whether a command line asks for a backup.
fn is_backup(line: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(line)
        .is_ok_and(|v| v.get("command").and_then(|c| c.as_str()) == Some("backup"))
}

/// Runs a backup: progress lines, the answer, then writers held until the
/// client closes the connection.
async fn backup(
    line: String,
    mut reader: BufReader<tokio::io::Take<OwnedReadHalf>>,
    mut write: OwnedWriteHalf,
    node: Arc<Node>,
) {
    let to = match serde_json::from_str::<BackupCommand>(&line) {
        Ok(BackupCommand::Backup { to }) if to.is_absolute() => to,
        Ok(_) => {
            let reply = AdminReply::Error("the backup file must be an absolute path".into());
            let _ = send_line(&mut write, &reply).await;
            return;
        }
        Err(e) => {
            let _ = send_line(
                &mut write,
                &AdminReply::Error(format!("invalid command: {e}")),
            )
            .await;
            return;
        }
    };
    let (progress_tx, mut progress_rx) = tokio::sync::mpsc::unbounded_channel();
    let target = to.clone();
    let mut task = tokio::task::spawn_blocking(move || {
        node.backup_to(&target, &mut |p| {
            let _ = progress_tx.send(p);
        })
    });
    let outcome = loop {
        tokio::select! {
            Some(p) = progress_rx.recv() => {
                // A client that went away does not stop the backup.
                let _ = send_line(&mut write, &ProgressLine::Progress(p)).await;
            }
            done = &mut task => break done,
        }
    };
    while let Ok(p) = progress_rx.try_recv() {
        let _ = send_line(&mut write, &ProgressLine::Progress(p)).await;
    }
    let (reply, held) = match outcome {
        Ok(Ok((summary, held))) => {
            tracing::info!(command = "backup", outcome = %summary.describe(), "admin command");
            let message = summary.describe();
            (AdminReply::Ok(AdminOutcome { message }), Some(held))
        }
        Ok(Err(e)) => {
            tracing::warn!(command = "backup", file = %to.display(), error = %e, "admin command failed");
            (AdminReply::Error(e.to_string()), None)
        }
        Err(e) => (AdminReply::Error(format!("the backup stopped: {e}")), None),
    };
    if send_line(&mut write, &reply).await && held.is_some() {
        let mut rest = Vec::new();
        let _ = tokio::time::timeout(BACKUP_RELEASE_WAIT, reader.read_to_end(&mut rest)).await;
    }
    drop(held);
    let _ = write.shutdown().await;
}

/// The command's name, for the log (never its arguments: passwords).
fn command_name(command: &AdminCommand) -> &'static str {
    match command {
        AdminCommand::CreateUser { .. } => "create-user",
        AdminCommand::Promote { .. } => "promote",
        AdminCommand::Suspend { .. } => "suspend",
        AdminCommand::ResetPassword { .. } => "reset-password",
        AdminCommand::Approve { .. } => "approve",
        AdminCommand::Reject { .. } => "reject",
        AdminCommand::Invite { .. } => "invite",
    }
}

/// Sends `command` to the node listening on `path`. `Ok(None)` when no node
/// is listening there (no socket, or a stale one): then the caller may open
/// the store itself.
pub async fn send(path: &Path, command: &AdminCommand) -> io::Result<Option<AdminReply>> {
    let Some(stream) = connect(path).await? else {
        return Ok(None);
    };
    let (read, mut write) = stream.into_split();
    let mut line = serde_json::to_vec(command).map_err(io::Error::other)?;
    line.push(b'\n');
    write.write_all(&line).await?;
    let mut answer = String::new();
    BufReader::new(read).read_line(&mut answer).await?;
    if answer.trim().is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the node closed the admin socket without answering",
        ));
    }
    serde_json::from_str(&answer).map(Some).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("invalid answer from the node: {e}"),
        )
    })
}

/// Connects to the socket; `None` when no node listens there.
async fn connect(path: &Path) -> io::Result<Option<UnixStream>> {
    match UnixStream::connect(path).await {
        Ok(s) => Ok(Some(s)),
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::NotFound
                    | io::ErrorKind::ConnectionRefused
                    | io::ErrorKind::InvalidInput
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Asks the node listening on `path` for a backup to `to` (absolute),
/// passing progress to `on_progress`. `Ok(None)` when no node listens
/// there. The node holds writers until the returned connection is
/// dropped: keep it until the operator has been told.
pub async fn send_backup(
    path: &Path,
    to: &Path,
    mut on_progress: impl FnMut(Progress),
) -> io::Result<Option<(AdminReply, UnixStream)>> {
    let Some(stream) = connect(path).await? else {
        return Ok(None);
    };
    let (read, mut write) = stream.into_split();
    let command = BackupCommand::Backup { to: to.to_owned() };
    let mut line = serde_json::to_vec(&command).map_err(io::Error::other)?;
    line.push(b'\n');
    write.write_all(&line).await?;
    let mut lines = BufReader::new(read);
    loop {
        let mut answer = String::new();
        if lines.read_line(&mut answer).await? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the node closed the admin socket without answering",
            ));
        }
        if let Ok(ProgressLine::Progress(p)) = serde_json::from_str(&answer) {
            on_progress(p);
            continue;
        }
        let reply: AdminReply = serde_json::from_str(&answer).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("invalid answer from the node: {e}"),
            )
        })?;
        let stream = lines
            .into_inner()
            .reunite(write)
            .map_err(|e| io::Error::other(e.to_string()))?;
        return Ok(Some((reply, stream)));
    }
}
