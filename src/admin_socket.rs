//! The running node's admin socket, `DATA_DIR/admin.sock`.
//!
//! sled lets one process open the store, so while `kodeon serve` runs,
//! `kodeon admin ...` sends its command here instead. Protocol: the client
//! writes one JSON line (a serialized [`AdminCommand`]) and reads one JSON
//! line back: `{"ok": AdminOutcome}` or `{"error": "message"}`. The socket is
//! created with mode 0600, so only the node's user (and root) can use it.

use std::io;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use node::admin::{AdminCommand, AdminOutcome};
use node::Node;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
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
    let Ok(mut out) = serde_json::to_vec(&reply) else {
        return;
    };
    out.push(b'\n');
    if let Err(e) = write.write_all(&out).await {
        tracing::debug!(error = %e, "admin socket client went away");
    }
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
    let stream = match UnixStream::connect(path).await {
        Ok(s) => s,
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::NotFound
                    | io::ErrorKind::ConnectionRefused
                    | io::ErrorKind::InvalidInput
            ) =>
        {
            return Ok(None)
        }
        Err(e) => return Err(e),
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
