//! `kodeon`: runs a node, and the operator's commands.

mod backup_cli;
mod verify_cli;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context as _};
use clap::{Args, Parser, Subcommand, ValueEnum};
use kodeon::admin_socket::{self, AdminReply};
use kodeon::config::{self, Config};
use node::admin::AdminCommand;
use node::model::Role;
use node::Node;
use tokio::net::TcpListener;

/// Kodeon: a self-hosted, federated community node.
///
/// Without a command, `kodeon` runs `kodeon serve`. Configuration comes from
/// the defaults, then the config file, then KODEON_* environment variables
/// (e.g. KODEON_SERVER__LISTEN, KODEON_DATA_DIR), then flags; see
/// `kodeon init` for a commented file with every key.
#[derive(Debug, Parser)]
#[command(name = "kodeon", version, args_conflicts_with_subcommands = true)]
struct Cli {
    /// Configuration file [default: ./kodeon.toml if it exists].
    #[arg(long, global = true, env = "KODEON_CONFIG", value_name = "PATH")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Option<Command>,

    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the node (the default command).
    Serve(ServeArgs),
    /// Operator commands: create users, change roles, suspend, reset
    /// passwords, back up and restore. They work whether or not the node is
    /// running (through its admin socket DATA_DIR/admin.sock when it is).
    Admin {
        /// Data directory of the node [default: data_dir from the configuration].
        #[arg(long, global = true, value_name = "DIR")]
        data_dir: Option<PathBuf>,

        #[command(subcommand)]
        command: AdminCmd,
    },
    /// Write the commented default configuration to the --config path
    /// (default ./kodeon.toml).
    Init {
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Verify a verifiable credential (an Open Badges certificate from any
    /// issuer): its Data Integrity proofs (eddsa-rdfc-2022, eddsa-jcs-2022)
    /// by the issuer's did:key, its dates and, unless --offline, its
    /// revocation status. Prints `valid` and exits 0, or `invalid` and what
    /// failed and exits 1.
    Verify {
        /// The credential (JSON).
        file: PathBuf,
        /// Do not fetch the status list; the status is not checked.
        #[arg(long)]
        offline: bool,
    },
    /// Inspect the configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCmd,
    },
}

/// Flags of `kodeon serve`; they override the configuration.
#[derive(Debug, Clone, Default, Args)]
struct ServeArgs {
    /// Data directory (store, node secret, admin socket) [config: data_dir; default ./kodeon-data].
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Address and port to listen on [config: server.listen; default 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR:PORT")]
    listen: Option<String>,
    /// Public host (and port) used in ids and links [config: server.domain;
    /// default: the listen address, or localhost:PORT when listening on 0.0.0.0].
    #[arg(long, value_name = "HOST[:PORT]")]
    domain: Option<String>,
    /// Development mode: allow plain http and loopback/private addresses for
    /// federation. For local testing only [config: server.dev].
    #[arg(long)]
    dev: bool,
    /// libp2p listen multiaddr, e.g. /ip4/0.0.0.0/tcp/4001; repeatable;
    /// turns gossip on [config: p2p.listen].
    #[arg(long = "p2p-listen", value_name = "MULTIADDR")]
    p2p_listen: Vec<String>,
    /// Bootstrap peer multiaddr ending in /p2p/PEER_ID; repeatable
    /// [config: p2p.bootstrap].
    #[arg(long, value_name = "MULTIADDR")]
    bootstrap: Vec<String>,
}

#[derive(Debug, Subcommand)]
enum AdminCmd {
    /// Create a member account.
    CreateUser {
        /// Username.
        #[arg(long)]
        username: String,
        /// Email address.
        #[arg(long)]
        email: String,
        /// Password ("-" reads it from the first line of stdin).
        #[arg(long)]
        password: String,
        /// Make the account an admin.
        #[arg(long)]
        admin: bool,
    },
    /// Give a member a role.
    Promote {
        /// Username.
        #[arg(long)]
        username: String,
        /// The new role.
        #[arg(long, value_enum, default_value_t = RoleArg::Admin)]
        role: RoleArg,
    },
    /// Suspend a member (they cannot log in; their content is hidden).
    Suspend {
        /// Username.
        #[arg(long)]
        username: String,
        /// Lift the suspension instead.
        #[arg(long)]
        undo: bool,
    },
    /// Approve a member waiting for approval (registration mode "approval").
    Approve {
        /// Username.
        #[arg(long)]
        username: String,
    },
    /// Reject a member waiting for approval: the account is deleted.
    Reject {
        /// Username.
        #[arg(long)]
        username: String,
    },
    /// Create an invite code (registration mode "invite").
    Invite {
        /// How many registrations the code allows.
        #[arg(long, default_value_t = 1)]
        uses: u32,
    },
    /// Set a member's password (revokes all their sessions).
    ResetPassword {
        /// Username.
        #[arg(long)]
        username: String,
        /// New password ("-" reads it from the first line of stdin).
        #[arg(long)]
        password: String,
    },
    /// Write a consistent backup of the node while it serves: the store,
    /// the node secret and the media files (not kodeon.toml). Keep it
    /// private: it holds the node secret.
    Backup {
        /// The backup file to create (must not exist).
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
    /// Restore a backup into --data-dir, which must not exist or be empty;
    /// the whole file is checked before anything is written. The store is
    /// written for the configured engine ([storage] engine, fjall by
    /// default), whichever engine the backed-up node ran on.
    Restore {
        /// The backup file.
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum ConfigCmd {
    /// Print the effective configuration (defaults + file + environment) as TOML.
    Show,
}

/// A member role.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum RoleArg {
    /// May administer the node.
    Admin,
    /// May moderate content.
    Moderator,
    /// A regular member.
    Member,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Admin => Role::Admin,
            RoleArg::Moderator => Role::Moderator,
            RoleArg::Member => Role::Member,
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version exit 0; usage errors exit 1 like any error.
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: starting the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(dispatch(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn dispatch(cli: Cli) -> anyhow::Result<()> {
    let path = cli.config.as_deref();
    match cli.command {
        None => serve(path, cli.serve).await,
        Some(Command::Serve(args)) => serve(path, args).await,
        Some(Command::Admin { data_dir, command }) => admin(path, data_dir, command).await,
        Some(Command::Init { force }) => init(path, force),
        Some(Command::Verify { file, offline }) => {
            if verify_cli::verify(&file, offline).await? {
                Ok(())
            } else {
                std::process::exit(1)
            }
        }
        Some(Command::Config {
            command: ConfigCmd::Show,
        }) => {
            let config = Config::load(path)?;
            print!("{}", config.to_toml()?);
            Ok(())
        }
    }
}

/// `kodeon serve`.
async fn serve(path: Option<&Path>, args: ServeArgs) -> anyhow::Result<()> {
    let mut config = Config::load_unvalidated(path)?;
    if let Some(dir) = args.data_dir {
        config.data_dir = dir;
    }
    if let Some(listen) = args.listen {
        config.server.listen = listen;
    }
    if let Some(domain) = args.domain {
        config.server.domain = domain;
    }
    if args.dev {
        config.server.dev = true;
    }
    if !args.p2p_listen.is_empty() {
        config.p2p.listen = args.p2p_listen;
    }
    if !args.bootstrap.is_empty() {
        config.p2p.bootstrap = args.bootstrap;
    }
    config.validate()?;
    kodeon::init_logging(&config.log.level);
    let addr = config.listen_addr()?;
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr} (server.listen)"))?;
    if addr.ip().is_unspecified() && config.server.domain.trim().is_empty() {
        tracing::warn!(
            "listening on all interfaces without a domain: using {}; set --domain (server.domain) to the public host",
            config.domain()
        );
    }
    kodeon::run(config, listener, shutdown_signal()).await
}

/// Completes on Ctrl-C (SIGINT) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

/// `kodeon admin ...`: through the running node's socket, else directly.
async fn admin(
    path: Option<&Path>,
    data_dir: Option<PathBuf>,
    command: AdminCmd,
) -> anyhow::Result<()> {
    let mut config = Config::load_unvalidated(path)?;
    if let Some(dir) = data_dir {
        config.data_dir = dir;
    }
    config.validate()?;
    kodeon::init_logging("warn");

    let command = match command {
        AdminCmd::Backup { to } => return backup_cli::backup(&config, &to).await,
        AdminCmd::Restore { from } => return backup_cli::restore(&config, &from).await,
        AdminCmd::CreateUser {
            username,
            email,
            password,
            admin,
        } => AdminCommand::CreateUser {
            username,
            email,
            password: password_arg(password)?,
            admin,
        },
        AdminCmd::Promote { username, role } => AdminCommand::Promote {
            username,
            role: role.into(),
        },
        AdminCmd::Suspend { username, undo } => AdminCommand::Suspend { username, undo },
        AdminCmd::Approve { username } => AdminCommand::Approve { username },
        AdminCmd::Reject { username } => AdminCommand::Reject { username },
        AdminCmd::Invite { uses } => AdminCommand::Invite { uses },
        AdminCmd::ResetPassword { username, password } => AdminCommand::ResetPassword {
            username,
            password: password_arg(password)?,
        },
    };

    let socket = config.admin_socket_path();
    let reply = admin_socket::send(&socket, &command)
        .await
        .with_context(|| format!("talking to the node on {}", socket.display()))?;
    let outcome = match reply {
        Some(AdminReply::Ok(outcome)) => outcome,
        Some(AdminReply::Error(message)) => bail!(message),
        None => run_offline(&config, command).await?,
    };
    println!("{}", outcome.message);
    Ok(())
}

/// Runs an admin command on the store itself (no node is running).
async fn run_offline(
    config: &Config,
    command: AdminCommand,
) -> anyhow::Result<node::admin::AdminOutcome> {
    let node_config = config.node_config();
    let dir = config.data_dir.clone();
    let node = tokio::task::spawn_blocking(move || Node::open(node_config))
        .await
        .context("opening the node")?
        .with_context(|| {
            format!(
                "opening the node in {} (if a node is running there, its admin socket is missing)",
                dir.display()
            )
        })?;
    let outcome = node.run_admin(command).await;
    let closed = tokio::task::spawn_blocking(move || node.flush()).await;
    let outcome = outcome?;
    closed
        .context("closing the store")?
        .context("flushing the store")?;
    Ok(outcome)
}

/// A password flag: itself, or the first line of stdin for "-".
fn password_arg(password: String) -> anyhow::Result<String> {
    if password != "-" {
        return Ok(password);
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("reading the password from stdin")?;
    let line = line.trim_end_matches(['\n', '\r']).to_owned();
    if line.is_empty() {
        bail!("no password on stdin");
    }
    Ok(line)
}

/// `kodeon init`: writes the commented default configuration.
fn init(path: Option<&Path>, force: bool) -> anyhow::Result<()> {
    let path = path.unwrap_or(Path::new(config::DEFAULT_CONFIG_PATH));
    if path.exists() && !force {
        bail!(
            "{} already exists (use --force to overwrite it)",
            path.display()
        );
    }
    let mut file =
        std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    file.write_all(config::EXAMPLE_TOML.as_bytes())
        .with_context(|| format!("writing {}", path.display()))?;
    println!("wrote {}", path.display());
    Ok(())
}
