//! The `kodeon` binary's library: configuration, the admin socket, and
//! [`run`], which serves a node until told to stop.

pub mod admin_socket;
pub mod config;
pub mod mail;
pub mod memory;
pub mod serve;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use node::Node;
use tokio::net::TcpListener;

pub use config::{Config, ConfigError};

/// The allocator of every program linking this crate (the node binary, its
/// benchmarks and end-to-end tests): mimalloc, which costs about a third of
/// glibc malloc's time on the node's many small short-lived allocations.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// How long [`run`] waits, after the server stopped, for the last requests
/// to let go of the node before flushing and closing it anyway.
const RELEASE_TIMEOUT: Duration = Duration::from_secs(10);

/// Installs the process-wide TLS crypto provider (ring) that outgoing
/// HTTPS needs; call before building any HTTP client. Idempotent.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Serves the node described by `config` on `listener` until `shutdown`
/// completes: opens the store (creating the node on first start), listens
/// on the admin socket, serves HTTP, then stops both, flushes and closes the
/// store. When it returns the data directory is free for another node.
///
/// An empty `config.server.domain` is derived from the listener's address.
pub async fn run(
    mut config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let local = listener
        .local_addr()
        .context("reading the listening address")?;
    if config.server.domain.trim().is_empty() {
        config.server.domain = config::domain_for(local);
    }
    config.validate()?;
    install_tls_provider();
    memory::disable_transparent_huge_pages();
    let domain = config.domain();

    let node_config = config.node_config();
    if config.storage.engine.is_none() && node_config.engine == node::StoreEngine::Sled {
        tracing::info!(
            "this data directory holds a sled store, so the node runs on sled; new nodes use fjall \
             (smaller on disk, less memory). To move this one: `kodeon admin backup --to FILE`, \
             then `kodeon admin restore --from FILE --data-dir NEW_DIR` and serve NEW_DIR"
        );
    }
    let data_dir = config.data_dir.clone();
    let node = tokio::task::spawn_blocking(move || Node::open(node_config))
        .await
        .context("opening the node")?
        .with_context(|| format!("opening the node in {}", data_dir.display()))?;
    let node = Arc::new(node);

    tracing::info!(did = %node.node_did(), domain = %domain, data_dir = %config.data_dir.display(), "node ready");
    if config.server.dev {
        tracing::warn!("development mode: plain http and private addresses are allowed for federation; never use --dev on a public node");
    }
    if let Some(token) = node.fresh_setup_token() {
        tracing::info!(
            "first start: no admin yet. Open {base}/admin/setup (here: http://{local}/admin/setup) \
             and enter the one-time setup token {token} to create the admin account \
             (or POST {{\"token\", \"username\", \"email\", \"password\"}} to /api/kodeon/v1/setup, \
             or run `kodeon admin create-user --admin`)",
            base = node.config().base_url(),
        );
    }

    let socket_path = config.admin_socket_path();
    let admin = match admin_socket::AdminServer::start(&socket_path, node.clone()) {
        Ok(server) => Some(server),
        Err(e) => {
            tracing::warn!(
                path = %socket_path.display(),
                error = %e,
                "could not open the admin socket; `kodeon admin` will not work while this node runs"
            );
            None
        }
    };

    let federation = federation::Federation::new(
        node.clone(),
        federation::FederationSettings {
            allow_private: config.server.dev,
            retry_base: Duration::from_millis(config.federation.retry_base_ms.max(1)),
            max_attempts: config.federation.max_attempts.max(1),
            concurrency: config.federation.concurrency.max(1),
            authorized_fetch: config.federation.authorized_fetch,
            ..federation::FederationSettings::default()
        },
    )
    .await
    .context("starting federation")?;
    let (stop_delivery, delivery_stopped) = tokio::sync::watch::channel(false);
    let delivery = tokio::spawn(federation.clone().run_delivery(delivery_stopped.clone()));
    let certificate_status =
        tokio::spawn(federation.clone().run_certificate_status(delivery_stopped));
    let (stop_gossip, gossip_stopped) = tokio::sync::watch::channel(false);
    let gossip = if config.p2p.enabled() {
        let settings = config.p2p.gossip_config()?;
        let (handle, task) =
            federation::gossip::start(federation.clone(), settings, gossip_stopped)
                .await
                .context("starting p2p gossip")?;
        tracing::info!(peer_id = %handle.peer_id(), "p2p gossip on");
        federation.set_gossip(handle);
        Some(task)
    } else {
        None
    };

    let mailer = mail::SmtpMailer::from_config(&config.email)?
        .map(|m| Arc::new(m) as Arc<dyn web::mail::Mailer>);
    let (stop_reminders, reminders_stopped) = tokio::sync::watch::channel(false);
    let reminders = tokio::spawn(node::community_events::run_reminder_worker(
        node.clone(),
        reminders_stopped,
    ));
    let (stop_trust, trust_stopped) = tokio::sync::watch::channel(false);
    let trust = tokio::spawn(node::trust::run_trust_worker(node.clone(), trust_stopped));
    let (stop_trends, trends_stopped) = tokio::sync::watch::channel(false);
    let trends = tokio::spawn(node::ranking::run_trends_worker(
        node.clone(),
        Duration::from_secs(config.ranking.trends_refresh_secs.max(1)),
        trends_stopped,
    ));
    let (stop_mail, mail_stopped) = tokio::sync::watch::channel(false);
    let mail_worker = mailer.clone().map(|mailer| {
        tracing::info!(
            "e-mail on: sign-ups confirm their address, passwords reset by mailed links"
        );
        tokio::spawn(web::mail::run_mail_worker(
            node.clone(),
            mailer,
            mail_stopped,
        ))
    });
    let mut web_settings = config.web_settings();
    web_settings.mailer = mailer;
    let app = web::router_with_federation(node.clone(), web_settings, Some(federation));
    let open_files = serve::raise_open_file_limit();
    let limits = serve::effective_max(config.connection_limits(), open_files);
    if limits.max < config.server.max_connections || config.server.max_connections == 0 {
        tracing::info!(
            open_files = ?open_files,
            max_connections = limits.max,
            "connection limit set from the open-file limit"
        );
    }
    tracing::info!("Kodeon listening on http://{local}");
    tracing::info!("open http://{domain}/ in a browser (API under http://{domain}/api/kodeon/v1)");
    let served = serve::serve(listener, app, limits, shutdown)
        .await
        .context("serving HTTP");
    tracing::info!("shutting down");

    if let Some(admin) = admin {
        admin.stop().await;
    }
    let _ = stop_delivery.send(true);
    if let Err(e) = certificate_status.await {
        tracing::warn!(error = %e, "the certificate status worker ended badly");
    }
    let _ = stop_reminders.send(true);
    let _ = stop_trends.send(true);
    if let Err(e) = trends.await {
        tracing::warn!(error = %e, "the trends worker ended badly");
    }
    if let Err(e) = reminders.await {
        tracing::warn!(error = %e, "the reminder worker ended badly");
    }
    let _ = stop_trust.send(true);
    if let Err(e) = trust.await {
        tracing::warn!(error = %e, "the trust worker ended badly");
    }
    let _ = stop_mail.send(true);
    if let Some(task) = mail_worker {
        if let Err(e) = task.await {
            tracing::warn!(error = %e, "the mail worker ended badly");
        }
    }
    let _ = stop_gossip.send(true);
    if let Some(task) = gossip {
        if let Err(e) = task.await {
            tracing::warn!(error = %e, "the p2p task ended badly");
        }
    }
    if let Err(e) = delivery.await {
        tracing::warn!(error = %e, "the delivery worker ended badly");
    }
    let closed = close(node).await;
    served?;
    closed?;
    tracing::info!("stopped");
    Ok(())
}

/// Waits until `node` is the last handle (connections may still be letting
/// go of theirs), then flushes and drops it so the store is released.
async fn close(mut node: Arc<Node>) -> anyhow::Result<()> {
    let started = Instant::now();
    let node = loop {
        match Arc::try_unwrap(node) {
            Ok(node) => break Some(node),
            Err(shared) if started.elapsed() < RELEASE_TIMEOUT => {
                node = shared;
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            Err(shared) => {
                tracing::warn!(
                    "the node is still in use after shutdown; flushing without closing it"
                );
                shared.flush().context("flushing the store")?;
                break None;
            }
        }
    };
    if let Some(node) = node {
        tokio::task::spawn_blocking(move || {
            let flushed = node.flush();
            drop(node);
            flushed
        })
        .await
        .context("closing the store")?
        .context("flushing the store")?;
    }
    Ok(())
}

/// Sets up logging to stderr: `RUST_LOG` if set (and valid), else `level`
/// (an `EnvFilter` directive such as `info`). Does nothing if a global
/// subscriber is already installed.
pub fn init_logging(level: &str) {
    use std::io::IsTerminal as _;
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;
    use node::admin::AdminCommand;

    /// Starts a node on `dir`, runs `check` against it, stops it.
    async fn with_node<T, F, Fut>(dir: &std::path::Path, check: F) -> anyhow::Result<T>
    where
        F: FnOnce(String) -> Fut,
        Fut: Future<Output = anyhow::Result<T>>,
    {
        install_tls_provider();
        let mut config = Config {
            data_dir: dir.to_owned(),
            ..Config::default()
        };
        config.server.dev = true;
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(run(config, listener, async {
            let _ = stopped.await;
        }));
        let checked = check(base).await;
        let _ = stop.send(());
        server.await??;
        checked
    }

    async fn node_info(base: &str) -> anyhow::Result<serde_json::Value> {
        Ok(reqwest::get(format!("{base}/api/kodeon/v1/node"))
            .await?
            .error_for_status()?
            .json()
            .await?)
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn run_serves_answers_the_socket_and_releases_the_store() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let socket = admin_socket::socket_path(dir.path());
        let in_socket = socket.clone();
        let did = with_node(dir.path(), |base| async move {
            let socket = in_socket;
            let info = node_info(&base).await?;
            assert_eq!(info["needs_setup"], true);
            let did = info["did"].as_str().unwrap_or_default().to_owned();
            let reply = admin_socket::send(
                &socket,
                &AdminCommand::CreateUser {
                    username: "alice".into(),
                    email: "alice@example.org".into(),
                    password: "password123".into(),
                    admin: true,
                },
            )
            .await?;
            assert!(
                matches!(reply, Some(admin_socket::AdminReply::Ok(_))),
                "{reply:?}"
            );
            let reply = admin_socket::send(
                &socket,
                &AdminCommand::Promote {
                    username: "nobody".into(),
                    role: node::model::Role::Admin,
                },
            )
            .await?;
            assert!(
                matches!(reply, Some(admin_socket::AdminReply::Error(_))),
                "{reply:?}"
            );
            Ok(did)
        })
        .await?;
        assert!(!socket.exists(), "the socket is removed at shutdown");
        let reply = admin_socket::send(
            &socket,
            &AdminCommand::Suspend {
                username: "alice".into(),
                undo: true,
            },
        )
        .await?;
        assert!(reply.is_none(), "no node listens any more");

        // Right away, a new node opens the same store.
        with_node(dir.path(), |base| async move {
            let info = node_info(&base).await?;
            assert_eq!(info["did"].as_str(), Some(did.as_str()));
            assert_eq!(info["needs_setup"], false);
            assert_eq!(info["members"], 1);
            Ok(())
        })
        .await
    }
}
