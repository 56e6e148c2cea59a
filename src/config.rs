//! The node's configuration: one struct, defaults in code.
//!
//! Sources, lowest to highest precedence: the defaults below, the TOML file
//! (`--config PATH`, `KODEON_CONFIG`, or `./kodeon.toml` if it exists),
//! `KODEON_*` environment variables (nested keys joined with `__`, e.g.
//! `KODEON_SERVER__LISTEN`, plus the flat aliases `KODEON_DATA_DIR`,
//! `KODEON_LISTEN` and `KODEON_DOMAIN`), then command-line flags (applied by
//! the binary). Unknown keys are errors, and every error names its key.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

/// The commented default configuration, as written by `kodeon init`.
pub const EXAMPLE_TOML: &str = include_str!("../kodeon.example.toml");

/// The config file used when none is given and it exists.
pub const DEFAULT_CONFIG_PATH: &str = "./kodeon.toml";

/// Prefix of the environment variables read.
pub const ENV_PREFIX: &str = "KODEON_";

/// Everything the `kodeon` binary can be configured with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where the store, the node secret and the admin socket live.
    pub data_dir: PathBuf,
    /// HTTP server.
    pub server: ServerConfig,
    /// Storage engine.
    pub storage: StorageConfig,
    /// Who may join.
    pub registration: RegistrationConfig,
    /// Content size limits (maps to [`node::ContentLimits`]).
    pub limits: LimitsConfig,
    /// Rate limits (maps to [`web::RateLimits`]); 0 disables a limit.
    pub rate_limits: RateLimitsConfig,
    /// Logging.
    pub log: LogConfig,
    /// ActivityPub federation.
    pub federation: FederationConfig,
    /// libp2p gossip between Kodeon nodes.
    pub p2p: P2pConfig,
    /// Outgoing e-mail (SMTP). Off while `smtp_url` is empty.
    pub email: EmailConfig,
    /// Trends and recommendations.
    pub ranking: RankingConfig,
}

/// `[ranking]`: trends and recommendations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RankingConfig {
    /// Seconds between two computations of the trends (a request never
    /// computes them while the last is under five minutes old).
    pub trends_refresh_secs: u64,
}

impl Default for RankingConfig {
    fn default() -> Self {
        RankingConfig {
            trends_refresh_secs: node::ranking::TRENDS_REFRESH.as_secs(),
        }
    }
}

/// `[email]`: outgoing e-mail. Off while `smtp_url` is empty: then
/// accounts need no confirmation and only an admin resets passwords.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmailConfig {
    /// The SMTP server as a URL: `smtp://HOST:PORT` (plain, for a relay
    /// on the same host), `smtp://USER:PASSWORD@HOST:587?tls=required`
    /// (STARTTLS) or `smtps://USER:PASSWORD@HOST:465` (TLS); the user and
    /// password percent-encoded. Empty: the node sends no e-mail.
    pub smtp_url: String,
    /// The sender of the node's e-mail, `Name <address>` or an address;
    /// needed when `smtp_url` is set.
    pub from: String,
}

impl EmailConfig {
    /// Whether the node sends e-mail.
    pub fn enabled(&self) -> bool {
        !self.smtp_url.trim().is_empty()
    }
}

/// `[p2p]`: libp2p gossip. Off while `listen` is empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct P2pConfig {
    /// Multiaddrs to listen on, e.g. `/ip4/0.0.0.0/tcp/4001`; empty: gossip off.
    pub listen: Vec<String>,
    /// Peers to connect to first, each `/ip4/.../tcp/.../p2p/PEER_ID`.
    pub bootstrap: Vec<String>,
    /// Discover peers on the local network with mDNS.
    pub mdns: bool,
    /// Peer ids never to talk to.
    pub blocked_peers: Vec<String>,
    /// Gossip messages accepted from one peer per second.
    pub max_messages_per_sec: u32,
    /// Seconds between catch-up syncs with every connected peer.
    pub sync_interval_secs: u64,
    /// Discover peers through a Kademlia DHT and connect to them (off:
    /// only bootstrap and mDNS peers, and those that dial in).
    pub kademlia: bool,
}

impl Default for P2pConfig {
    fn default() -> Self {
        P2pConfig {
            listen: Vec::new(),
            bootstrap: Vec::new(),
            mdns: false,
            blocked_peers: Vec::new(),
            max_messages_per_sec: 5_000,
            sync_interval_secs: 60,
            kademlia: true,
        }
    }
}

impl P2pConfig {
    /// Whether gossip runs.
    pub fn enabled(&self) -> bool {
        !self.listen.is_empty()
    }

    /// The parsed settings for the gossip task.
    pub fn gossip_config(&self) -> Result<federation::gossip::GossipConfig, ConfigError> {
        let mut c = federation::gossip::GossipConfig::parse(
            &self.listen,
            &self.bootstrap,
            self.mdns,
            &self.blocked_peers,
        )
        .map_err(|e| ConfigError::key("p2p", e))?;
        c.max_messages_per_sec = self.max_messages_per_sec.max(1);
        c.sync_interval = std::time::Duration::from_secs(self.sync_interval_secs.max(1));
        c.kademlia = self.kademlia;
        Ok(c)
    }
}

/// `[federation]`: ActivityPub delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FederationConfig {
    /// First retry delay of a failed delivery, in milliseconds; later ones
    /// grow like Mastodon's (n⁴ + 15 s, about 3.6 days over 16 tries).
    pub retry_base_ms: u64,
    /// Attempts before a delivery is given up.
    pub max_attempts: u32,
    /// Deliveries in flight at once.
    pub concurrency: usize,
    /// Serve actors, posts and collections as ActivityPub JSON only to
    /// signed requests (Mastodon's "secure mode"), so blocked servers cannot
    /// read them.
    pub authorized_fetch: bool,
}

impl Default for FederationConfig {
    fn default() -> Self {
        FederationConfig {
            retry_base_ms: 15_000,
            max_attempts: 16,
            concurrency: 64,
            authorized_fetch: false,
        }
    }
}

/// `[server]`: the HTTP server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Address and port to listen on (`ADDR:PORT`).
    pub listen: String,
    /// Public host (and port) used in ids and links; empty = derived from
    /// `listen` (`localhost:PORT` when listening on all interfaces).
    pub domain: String,
    /// Development mode: allows plain http and loopback/private addresses
    /// for federation. For local testing only.
    pub dev: bool,
    /// Largest accepted request body, in bytes.
    pub body_limit_bytes: usize,
    /// Open HTTP connections at most (0: as many as the open-file limit
    /// allows); lowered to fit that limit. More are closed at once.
    pub max_connections: usize,
    /// Open HTTP connections from one client IP at most (0: no limit).
    pub max_connections_per_ip: usize,
    /// Extra connections kept for `/healthz`, `/metrics` and `/admin` when
    /// the others are taken (one request each, two per client IP).
    pub reserved_connections: usize,
    /// Seconds a client has to send a request's headers, from connecting
    /// or from the end of its previous response (idle connections close).
    pub header_timeout_secs: u64,
    /// Open streaming connections (SSE, WebSocket) at most (0: no limit).
    pub max_streams: usize,
    /// Open streaming connections from one client IP at most (0: no limit).
    pub max_streams_per_ip: usize,
    /// Addresses of reverse proxies in front of the node. Every client
    /// comes from them, so the per-IP connection and stream limits do not
    /// apply to them (the node-wide ones do).
    pub proxy_ips: Vec<std::net::IpAddr>,
    /// The bearer token Prometheus must send to scrape `/metrics`; empty:
    /// `/metrics` is off (its figures count logins and moderators' actions).
    pub metrics_token: String,
}

/// `[storage]`: the storage engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StorageConfig {
    /// The embedded engine: `sled` or `fjall`. Each keeps its files in its
    /// own subdirectory of the data directory (`db/`, `fjall/`); the node
    /// refuses to start one engine beside another's store. Unset: the
    /// engine of the store the data directory holds, else fjall
    /// ([`Config::store_engine`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine: Option<node::StoreEngine>,
    /// The store's cache, in MiB: the bound on what the store keeps in
    /// memory beyond fixed buffers.
    pub cache_capacity_mb: u64,
}

/// `[registration]`: who may join.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RegistrationConfig {
    /// Who may register: open, approval, invite or closed.
    pub mode: node::RegistrationMode,
}

/// `[limits]`: content size limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsConfig {
    /// Max characters of a post's Markdown.
    pub post_chars: usize,
    /// Max characters of a title.
    pub title_chars: usize,
    /// Max tags per post.
    pub tags: usize,
    /// Max characters of a bio's "about".
    pub bio_chars: usize,
}

/// `[rate_limits]`: per-IP and per-account rate limits; 0 = unlimited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitsConfig {
    /// Registrations per IP per hour.
    pub register_per_hour_per_ip: u32,
    /// Login attempts per IP per minute.
    pub login_per_minute_per_ip: u32,
    /// Posts (and comments) per account per minute.
    pub posts_per_minute_per_account: u32,
    /// Media uploads (attachments and avatars) per account per minute.
    pub media_uploads_per_minute_per_account: u32,
    /// Lookups per account per minute that make the node fetch from other
    /// servers (search with `resolve`, remote handles not known yet).
    pub remote_lookups_per_minute_per_account: u32,
    /// Failed passwords per account per hour, over every way in (API,
    /// OAuth, admin panel); past it the account takes no password until
    /// the hour ends.
    pub login_failures_per_account_per_hour: u32,
}

/// `[log]`: logging.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// A tracing `EnvFilter` directive (`info`, `kodeon=debug,warn`...);
    /// `RUST_LOG` overrides it.
    pub level: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("./kodeon-data"),
            server: ServerConfig::default(),
            storage: StorageConfig::default(),
            registration: RegistrationConfig::default(),
            limits: LimitsConfig::default(),
            rate_limits: RateLimitsConfig::default(),
            log: LogConfig::default(),
            federation: FederationConfig::default(),
            p2p: P2pConfig::default(),
            email: EmailConfig::default(),
            ranking: RankingConfig::default(),
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        let connections = crate::serve::ConnectionLimits::default();
        let streams = web::WebSettings::default().streams;
        ServerConfig {
            listen: "127.0.0.1:8080".to_owned(),
            domain: String::new(),
            dev: false,
            body_limit_bytes: 1024 * 1024,
            max_connections: connections.max,
            max_connections_per_ip: connections.per_ip,
            reserved_connections: connections.reserved,
            header_timeout_secs: connections.header_timeout.as_secs(),
            max_streams: streams.total,
            max_streams_per_ip: streams.per_ip,
            proxy_ips: connections.proxies,
            metrics_token: String::new(),
        }
    }
}

impl Default for StorageConfig {
    fn default() -> Self {
        StorageConfig {
            engine: None,
            cache_capacity_mb: 64,
        }
    }
}

impl Default for RegistrationConfig {
    fn default() -> Self {
        RegistrationConfig {
            mode: node::RegistrationMode::Open,
        }
    }
}

impl Default for LimitsConfig {
    fn default() -> Self {
        let d = node::ContentLimits::default();
        LimitsConfig {
            post_chars: d.post_chars,
            title_chars: d.title_chars,
            tags: d.tags,
            bio_chars: d.bio_chars,
        }
    }
}

impl Default for RateLimitsConfig {
    fn default() -> Self {
        let d = web::WebSettings::default().rate_limits;
        RateLimitsConfig {
            register_per_hour_per_ip: d.register_per_hour_per_ip,
            login_per_minute_per_ip: d.login_per_minute_per_ip,
            posts_per_minute_per_account: d.posts_per_minute_per_account,
            media_uploads_per_minute_per_account: d.media_uploads_per_minute_per_account,
            remote_lookups_per_minute_per_account: d.remote_lookups_per_minute_per_account,
            login_failures_per_account_per_hour: node::NodeConfig::new("", "")
                .login_failures_per_hour,
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            level: "info".to_owned(),
        }
    }
}

/// A configuration problem, naming the key at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// One line per problem, each `key: message` when the key is known.
    pub problems: Vec<String>,
}

impl ConfigError {
    pub(crate) fn key(key: &str, message: impl fmt::Display) -> Self {
        ConfigError {
            problems: vec![format!("{key}: {message}")],
        }
    }

    fn from_figment(err: figment::Error) -> Self {
        let problems = err
            .into_iter()
            .map(|e| {
                let mut line = String::new();
                if !e.path.is_empty() {
                    line.push_str(&e.path.join("."));
                    line.push_str(": ");
                }
                line.push_str(&e.kind.to_string());
                if let Some(md) = &e.metadata {
                    match &md.source {
                        Some(source) => line.push_str(&format!(" (in {} {})", source, md.name)),
                        None => line.push_str(&format!(" (in {})", md.name)),
                    }
                }
                line
            })
            .collect();
        ConfigError { problems }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid configuration: ")?;
        f.write_str(&self.problems.join("; "))
    }
}

impl std::error::Error for ConfigError {}

/// The config sections and flat aliases a `KODEON_*` variable may set.
const ENV_SECTIONS: [&str; 13] = [
    "data_dir",
    "server",
    "storage",
    "registration",
    "limits",
    "rate_limits",
    "log",
    "federation",
    "p2p",
    "email",
    "ranking",
    "listen",
    "domain",
];

/// Whether a `KODEON_*` variable (prefix stripped) is configuration: its
/// first part names a section or alias. Others, such as `KODEON_BIN` in
/// test scripts or `KODEON_CONFIG` (the file's path), are not read as keys;
/// unknown keys inside a section are still errors.
fn env_key_is_config(key: &str) -> bool {
    let first = key.split("__").next().unwrap_or(key);
    ENV_SECTIONS.iter().any(|s| first.eq_ignore_ascii_case(s))
}

/// The `KODEON_*` environment variables as a figment provider.
fn env_provider() -> Env {
    Env::prefixed(ENV_PREFIX)
        .filter(|key| env_key_is_config(key.as_str()))
        .split("__")
        // Flat aliases (keys are case-insensitive here, lowercased later).
        .map(|key| {
            if key == "listen" {
                "server.listen".into()
            } else if key == "domain" {
                "server.domain".into()
            } else {
                key.as_str().to_owned().into()
            }
        })
}

impl Config {
    /// Loads defaults < the TOML file < `KODEON_*` variables, and
    /// validates the result. `path` is the file given with `--config` (or
    /// `KODEON_CONFIG`), which must then exist; without it
    /// `./kodeon.toml` is read if present.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let config = Self::load_unvalidated(path)?;
        config.validate()?;
        Ok(config)
    }

    /// Like [`Config::load`] without [`Config::validate`], for callers that
    /// still apply command-line flags.
    pub fn load_unvalidated(path: Option<&Path>) -> Result<Config, ConfigError> {
        Self::figment(path)?
            .extract()
            .map_err(ConfigError::from_figment)
    }

    /// The layered sources (without command-line flags).
    pub fn figment(path: Option<&Path>) -> Result<Figment, ConfigError> {
        let mut figment = Figment::new();
        match path {
            Some(p) => {
                if !p.is_file() {
                    return Err(ConfigError::key(
                        "config",
                        format!("{}: no such file", p.display()),
                    ));
                }
                figment = figment.merge(Toml::file_exact(p));
            }
            None => {
                let default = Path::new(DEFAULT_CONFIG_PATH);
                if default.is_file() {
                    figment = figment.merge(Toml::file_exact(default));
                }
            }
        }
        Ok(figment.merge(env_provider()))
    }

    /// Parses a TOML document on top of the defaults (no environment).
    pub fn from_toml(text: &str) -> Result<Config, ConfigError> {
        Figment::new()
            .merge(Toml::string(text))
            .extract()
            .map_err(ConfigError::from_figment)
    }

    /// The configuration as TOML.
    pub fn to_toml(&self) -> Result<String, ConfigError> {
        toml::to_string_pretty(self).map_err(|e| ConfigError::key("config", e))
    }

    /// Checks values that parse but make no sense, naming the key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let mut problems = Vec::new();
        if let Err(e) = self.listen_addr() {
            problems.extend(e.problems);
        }
        if let Err(e) = self.p2p.gossip_config() {
            problems.extend(e.problems);
        }
        if let Err(e) = crate::mail::SmtpMailer::check(&self.email) {
            problems.extend(e.problems);
        }
        if let Err(e) = tracing_subscriber::EnvFilter::try_new(&self.log.level) {
            problems.push(format!("log.level: {e}"));
        }
        let mut check = |ok: bool, key: &str, message: &str| {
            if !ok {
                problems.push(format!("{key}: {message}"));
            }
        };
        check(
            !self.data_dir.as_os_str().is_empty(),
            "data_dir",
            "must not be empty",
        );
        let domain = self.server.domain.trim();
        check(
            domain.is_empty() || valid_domain(domain),
            "server.domain",
            "must be a host name with an optional port (no scheme, path or spaces)",
        );
        check(
            self.server.body_limit_bytes > 0,
            "server.body_limit_bytes",
            "must be greater than 0",
        );
        check(
            self.server.header_timeout_secs > 0,
            "server.header_timeout_secs",
            "must be greater than 0",
        );
        check(
            self.storage.cache_capacity_mb > 0,
            "storage.cache_capacity_mb",
            "must be greater than 0",
        );
        check(
            self.storage.cache_capacity_mb <= u64::MAX / (1024 * 1024),
            "storage.cache_capacity_mb",
            "is too large",
        );
        check(
            self.limits.post_chars > 0,
            "limits.post_chars",
            "must be greater than 0",
        );
        check(
            self.limits.title_chars > 0,
            "limits.title_chars",
            "must be greater than 0",
        );
        check(
            self.limits.bio_chars > 0,
            "limits.bio_chars",
            "must be greater than 0",
        );
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError { problems })
        }
    }

    /// `server.listen` as a socket address.
    pub fn listen_addr(&self) -> Result<SocketAddr, ConfigError> {
        self.server.listen.trim().parse().map_err(|_| {
            ConfigError::key(
                "server.listen",
                format!(
                    "`{}` is not an ADDRESS:PORT (e.g. 127.0.0.1:8080)",
                    self.server.listen
                ),
            )
        })
    }

    /// The public domain: `server.domain`, or derived from `server.listen`.
    pub fn domain(&self) -> String {
        let domain = self.server.domain.trim();
        if !domain.is_empty() {
            return domain.to_owned();
        }
        match self.listen_addr() {
            Ok(addr) => domain_for(addr),
            Err(_) => self.server.listen.trim().to_owned(),
        }
    }

    /// The engine the node runs on: the configured one, else the one whose
    /// store the data directory holds (a node made before fjall became
    /// the default keeps its sled store), else the default (fjall).
    pub fn store_engine(&self) -> node::StoreEngine {
        self.storage
            .engine
            .or_else(|| node::StoreEngine::of_store_in(&self.data_dir))
            .unwrap_or_default()
    }

    /// What the node needs ([`node::NodeConfig`]).
    pub fn node_config(&self) -> node::NodeConfig {
        let mut c = node::NodeConfig::new(self.data_dir.clone(), self.domain());
        c.engine = self.store_engine();
        c.cache_capacity_bytes = self.storage.cache_capacity_mb.saturating_mul(1024 * 1024);
        c.registration = self.registration.mode;
        c.dev = self.server.dev;
        c.gossip = self.p2p.enabled();
        c.login_failures_per_hour = self.rate_limits.login_failures_per_account_per_hour;
        c.email = self.email.enabled();
        c.limits = node::ContentLimits {
            post_chars: self.limits.post_chars,
            title_chars: self.limits.title_chars,
            tags: self.limits.tags,
            bio_chars: self.limits.bio_chars,
        };
        c
    }

    /// What the HTTP layer needs ([`web::WebSettings`]).
    pub fn web_settings(&self) -> web::WebSettings {
        web::WebSettings {
            body_limit_bytes: self.server.body_limit_bytes,
            metrics_token: Some(self.server.metrics_token.clone()).filter(|t| !t.is_empty()),
            rate_limits: web::RateLimits {
                register_per_hour_per_ip: self.rate_limits.register_per_hour_per_ip,
                login_per_minute_per_ip: self.rate_limits.login_per_minute_per_ip,
                posts_per_minute_per_account: self.rate_limits.posts_per_minute_per_account,
                media_uploads_per_minute_per_account: self
                    .rate_limits
                    .media_uploads_per_minute_per_account,
                remote_lookups_per_minute_per_account: self
                    .rate_limits
                    .remote_lookups_per_minute_per_account,
            },
            streams: web::StreamLimits {
                per_ip: self.server.max_streams_per_ip,
                total: self.server.max_streams,
                proxies: self.server.proxy_ips.clone(),
            },
            // Made by `run`, which starts the mail worker with it.
            mailer: None,
        }
    }

    /// What the connection loop needs ([`crate::serve::ConnectionLimits`]).
    pub fn connection_limits(&self) -> crate::serve::ConnectionLimits {
        crate::serve::ConnectionLimits {
            max: self.server.max_connections,
            per_ip: self.server.max_connections_per_ip,
            reserved: self.server.reserved_connections,
            header_timeout: std::time::Duration::from_secs(self.server.header_timeout_secs),
            proxies: self.server.proxy_ips.clone(),
        }
    }

    /// The admin socket of this node.
    pub fn admin_socket_path(&self) -> PathBuf {
        crate::admin_socket::socket_path(&self.data_dir)
    }
}

/// The domain to use for a node listening on `addr` when none is configured:
/// the address itself, or `localhost:PORT` for an unspecified address.
pub fn domain_for(addr: SocketAddr) -> String {
    if addr.ip().is_unspecified() {
        format!("localhost:{}", addr.port())
    } else {
        addr.to_string()
    }
}

/// A host name or IP literal with an optional port.
fn valid_domain(domain: &str) -> bool {
    !domain.contains("://")
        && !domain.contains(['/', '?', '#', '@'])
        && !domain.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_file_is_the_defaults() {
        let parsed = Config::from_toml(EXAMPLE_TOML);
        assert_eq!(parsed, Ok(Config::default()));
        // Every key is present in the example (so `init` documents them all).
        let table: toml::Table = toml::from_str(EXAMPLE_TOML).unwrap_or_default();
        let defaults: toml::Table = Config::default()
            .to_toml()
            .ok()
            .and_then(|t| toml::from_str(&t).ok())
            .unwrap_or_default();
        assert_eq!(table, defaults);
    }

    #[test]
    fn defaults_are_valid() {
        assert_eq!(Config::default().validate(), Ok(()));
        assert_eq!(Config::default().domain(), "127.0.0.1:8080");
    }

    #[test]
    fn empty_file_is_the_defaults() {
        assert_eq!(Config::from_toml(""), Ok(Config::default()));
    }

    #[test]
    fn unknown_key_is_named() {
        let err = Config::from_toml("[server]\nlisen = \"1.2.3.4:5\"\n").err();
        let text = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(text.contains("lisen"), "{text}");
        assert!(text.starts_with("invalid configuration: server"), "{text}");

        let text = Config::from_toml("datadir = \"x\"\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(text.contains("datadir"), "{text}");
    }

    #[test]
    fn bad_type_is_named() {
        let text = Config::from_toml("[storage]\ncache_capacity_mb = \"lots\"\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(text.contains("storage.cache_capacity_mb"), "{text}");
    }

    #[test]
    fn semantic_errors_are_named() {
        let mut c = Config::default();
        c.server.listen = "nonsense".into();
        c.storage.cache_capacity_mb = 0;
        let text = c
            .validate()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(text.contains("server.listen: `nonsense`"), "{text}");
        assert!(
            text.contains("storage.cache_capacity_mb: must be greater than 0"),
            "{text}"
        );

        let mut c = Config::default();
        c.server.domain = "https://example.org".into();
        let text = c
            .validate()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(text.contains("server.domain"), "{text}");
    }

    #[test]
    fn only_config_sections_are_read_from_the_environment() {
        assert!(env_key_is_config("server__dev"));
        assert!(env_key_is_config("LISTEN"));
        assert!(env_key_is_config("p2p__listen"));
        assert!(!env_key_is_config("bin"), "KODEON_BIN is a test script's");
        assert!(!env_key_is_config("config"), "KODEON_CONFIG names the file");
        assert!(!env_key_is_config("test_log"));
    }

    #[test]
    fn domain_is_derived_from_listen() {
        let mut c = Config::default();
        c.server.listen = "0.0.0.0:9000".into();
        assert_eq!(c.domain(), "localhost:9000");
        c.server.domain = "example.org".into();
        assert_eq!(c.domain(), "example.org");
        assert_eq!(c.node_config().domain, "example.org");
    }

    #[test]
    fn an_unset_engine_is_the_store_s_own_else_fjall() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let mut c = Config {
            data_dir: dir.path().to_owned(),
            ..Config::default()
        };
        assert_eq!(c.store_engine(), node::StoreEngine::Fjall, "a new node");
        std::fs::create_dir(dir.path().join("db"))?;
        std::fs::write(dir.path().join("db").join("conf"), b"x")?;
        assert_eq!(
            c.store_engine(),
            node::StoreEngine::Sled,
            "a node made on sled stays on sled"
        );
        assert_eq!(c.node_config().engine, node::StoreEngine::Sled);
        c.storage.engine = Some(node::StoreEngine::Fjall);
        assert_eq!(c.store_engine(), node::StoreEngine::Fjall, "as configured");
        let text = Config::from_toml("[storage]\nengine = \"sled\"\n")?;
        assert_eq!(text.storage.engine, Some(node::StoreEngine::Sled));
        Ok(())
    }

    #[test]
    fn mappings() {
        let mut c = Config::default();
        c.storage.cache_capacity_mb = 2;
        c.registration.mode = node::RegistrationMode::Closed;
        c.limits.tags = 3;
        c.rate_limits.login_per_minute_per_ip = 0;
        c.server.body_limit_bytes = 77;
        let n = c.node_config();
        assert_eq!(n.cache_capacity_bytes, 2 * 1024 * 1024);
        assert_eq!(n.registration, node::RegistrationMode::Closed);
        assert_eq!(n.limits.tags, 3);
        assert!(!n.email, "no SMTP server: no e-mail");
        let w = c.web_settings();
        assert_eq!(w.body_limit_bytes, 77);
        c.email.smtp_url = "smtp://127.0.0.1:2525".into();
        c.email.from = "Kodeon <noreply@k.test>".into();
        assert!(c.node_config().email);
        assert_eq!(c.validate(), Ok(()));
        c.email.from = String::new();
        let text = c
            .validate()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(text.contains("email.from"), "{text}");
        assert_eq!(w.rate_limits.login_per_minute_per_ip, 0);
    }

    /// Environment variables are process-wide: this is the only test that
    /// sets them or reads them (the others parse strings).
    #[test]
    fn env_overrides_file() {
        let dir = tempfile::tempdir().ok();
        let dir = dir
            .as_ref()
            .map(|d| d.path().to_owned())
            .unwrap_or_else(std::env::temp_dir);
        let file = dir.join("kodeon-test.toml");
        let written = std::fs::write(
            &file,
            "data_dir = \"/from/file\"\n[server]\nlisten = \"127.0.0.1:1\"\n[storage]\ncache_capacity_mb = 8\n",
        );
        assert!(written.is_ok());
        let load = |path: &Path| Config::load(Some(path)).map_err(|e| e.to_string());
        let vars = [
            "KODEON_SERVER__LISTEN",
            "KODEON_STORAGE__CACHE_CAPACITY_MB",
            "KODEON_DATA_DIR",
            "KODEON_DOMAIN",
            "KODEON_LISTEN",
            "KODEON_RATE_LIMITS__LOGIN_PER_MINUTE_PER_IP",
            "KODEON_CONFIG",
            "KODEON_SERVER__LISTN",
        ];
        for v in vars {
            std::env::remove_var(v);
        }

        // The file alone.
        let c = load(&file);
        assert_eq!(
            c.as_ref().map(|c| c.data_dir.clone()),
            Ok(PathBuf::from("/from/file"))
        );
        assert_eq!(
            c.as_ref().map(|c| c.server.listen.as_str()),
            Ok("127.0.0.1:1")
        );
        assert_eq!(c.as_ref().map(|c| c.storage.cache_capacity_mb), Ok(8));

        // Nested and flat variables override it; KODEON_CONFIG is not a key.
        std::env::set_var("KODEON_SERVER__LISTEN", "127.0.0.1:2");
        std::env::set_var("KODEON_STORAGE__CACHE_CAPACITY_MB", "16");
        std::env::set_var("KODEON_DATA_DIR", "/from/env");
        std::env::set_var("KODEON_DOMAIN", "example.org");
        std::env::set_var("KODEON_RATE_LIMITS__LOGIN_PER_MINUTE_PER_IP", "0");
        std::env::set_var("KODEON_CONFIG", "ignored-here");
        let c = load(&file);
        assert_eq!(
            c.as_ref().map(|c| c.server.listen.as_str()),
            Ok("127.0.0.1:2")
        );
        assert_eq!(c.as_ref().map(|c| c.storage.cache_capacity_mb), Ok(16));
        assert_eq!(
            c.as_ref().map(|c| c.data_dir.clone()),
            Ok(PathBuf::from("/from/env"))
        );
        assert_eq!(
            c.as_ref().map(|c| c.server.domain.as_str()),
            Ok("example.org")
        );
        assert_eq!(
            c.as_ref().map(|c| c.rate_limits.login_per_minute_per_ip),
            Ok(0)
        );

        std::env::remove_var("KODEON_SERVER__LISTEN");
        std::env::set_var("KODEON_LISTEN", "127.0.0.1:3");
        let c = load(&file);
        assert_eq!(
            c.as_ref().map(|c| c.server.listen.as_str()),
            Ok("127.0.0.1:3")
        );

        // A bad value fails, naming the key.
        std::env::set_var("KODEON_LISTEN", "nonsense");
        let text = load(&file).err().unwrap_or_default();
        assert!(
            text.starts_with("invalid configuration: server.listen: "),
            "{text}"
        );
        std::env::set_var("KODEON_LISTEN", "127.0.0.1:3");
        std::env::set_var("KODEON_STORAGE__CACHE_CAPACITY_MB", "many");
        let text = load(&file).err().unwrap_or_default();
        assert!(text.contains("storage.cache_capacity_mb"), "{text}");
        assert!(text.contains("KODEON_"), "{text}");
        std::env::set_var("KODEON_STORAGE__CACHE_CAPACITY_MB", "16");

        // An unknown variable is an unknown key.
        std::env::set_var("KODEON_SERVER__LISTN", "x");
        let text = load(&file).err().unwrap_or_default();
        assert!(text.contains("listn"), "{text}");

        for v in vars {
            std::env::remove_var(v);
        }

        // An explicit file must exist.
        let text = load(Path::new("missing.toml")).err().unwrap_or_default();
        assert!(text.contains("config: missing.toml"), "{text}");
    }
}
