//! The [`Node`]: opening the store, the node's identity, shared lookups.

use std::fs;
use std::io::Write;
use std::path::Path;

use identity::{MemberKeys, NodeSecret, Sealer};
use serde::{Deserialize, Serialize};

use crate::config::NodeConfig;
use crate::error::{NodeError, NodeResult};
use crate::id::{Id, IdGenerator};
use crate::model::{Member, MemberStatus, Role};
use crate::store::{tables, Store};

/// Name of the file holding the node secret (outside the database, so a
/// copy of the database alone does not reveal private keys).
pub(crate) const SECRET_FILE: &str = "node.secret";

/// Refuses to start an empty store of the configured engine beside a store
/// that another engine wrote: the node would come up empty, its members and
/// posts apparently gone.
fn refuse_another_engines_store(config: &NodeConfig) -> NodeResult<()> {
    if config.engine.has_store_in(&config.data_dir) {
        return Ok(());
    }
    for other in crate::config::StoreEngine::ALL {
        if other != config.engine && other.has_store_in(&config.data_dir) {
            return Err(NodeError::invalid(
                "storage.engine",
                format!(
                    "{} holds a {} store, but the configured engine is {}; set storage.engine = \"{}\"",
                    config.data_dir.join(other.dir_name()).display(),
                    other.name(),
                    config.engine.name(),
                    other.name(),
                ),
            ));
        }
    }
    Ok(())
}

/// The node's own identity record (stored under `Meta/"node_keys"`).
#[derive(Serialize, Deserialize)]
pub(crate) struct NodeKeys {
    keys: MemberKeys,
}

/// Who is asking: an authenticated member, or nobody.
#[derive(Debug, Clone)]
pub enum Viewer {
    /// Not signed in.
    Anonymous,
    /// A signed-in member (their current record).
    Member(Box<Member>),
}

impl Viewer {
    /// The member's id, if signed in.
    pub fn id(&self) -> Option<Id> {
        match self {
            Viewer::Anonymous => None,
            Viewer::Member(m) => Some(m.id),
        }
    }

    /// The member, or `Unauthorized`.
    pub fn member(&self) -> NodeResult<&Member> {
        match self {
            Viewer::Anonymous => Err(NodeError::Unauthorized("sign in first")),
            Viewer::Member(m) => Ok(m),
        }
    }

    /// Whether the viewer has at least `role`.
    pub fn has_role(&self, role: Role) -> bool {
        matches!(self, Viewer::Member(m) if m.role >= role)
    }
}

/// Node-wide figures (kept as counters: reading them costs a few gets).
#[derive(Debug, Clone, Serialize)]
pub struct NodeStats {
    /// Members.
    pub members: i64,
    /// Local posts (including replies).
    pub posts: i64,
    /// Bytes on disk.
    pub storage_bytes: u64,
}

/// The engine. One per process; share it as `Arc<Node>`.
pub struct Node {
    pub(crate) store: Store,
    pub(crate) ids: IdGenerator,
    pub(crate) sealer: Sealer,
    pub(crate) config: NodeConfig,
    /// Every URL and id the node gives out.
    urls: protocol::local_urls::LocalUrls,
    pub(crate) timelines: crate::feeds::timeline_cache::TimelineCache,
    /// Group feed rankings kept for a few seconds.
    pub(crate) group_rankings: crate::groups::rank_cache::RankCache,
    /// The last trends computed (`ranking/trends.rs`).
    pub(crate) trends_cache: crate::ranking::trends::TrendsCache,
    events: crate::events::EventBus,
    node_keys: MemberKeys,
    fresh_setup_token: Option<String>,
    /// Inbound bookkeeping waiting to be written in one batch.
    pub(crate) inbound_book: crate::remote::InboundBook,
    /// Remote posts waiting to be stored together.
    pub(crate) post_intake: crate::remote::PostIntake,
    /// Key for [`Node::form_token`], derived from the node secret.
    form_key: [u8; 32],
    /// Key the calendar feeds' tokens are derived with, from the node
    /// secret (`community_events/calendar_feeds.rs`).
    pub(crate) calendar_key: [u8; 32],
    /// The settings an admin can change while the node runs.
    pub(crate) settings: std::sync::RwLock<crate::moderation::NodeSettings>,
    /// Memory that image decoding may use at once, across all uploads.
    pub(crate) media_budget: crate::media::DecodeBudget,
    /// Failed-login counters: one policy for every way in.
    pub(crate) login_guard: crate::members::login_guard::LoginGuard,
    /// Gamification settings in force and the registration-mark key.
    pub(crate) gamification: crate::gamification::Gamification,
}

impl Node {
    /// Opens the node in `config.data_dir`: creates the directory, the node
    /// secret and the node's keys on first start, runs migrations, and
    /// issues a setup token while the node has no admin.
    pub fn open(config: NodeConfig) -> NodeResult<Node> {
        crate::data_dir::create_private_dir(&config.data_dir).map_err(|e| {
            NodeError::invalid("data_dir", format!("{}: {e}", config.data_dir.display()))
        })?;
        let secret = load_or_create_secret(&config.data_dir)?;
        let sealer = Sealer::new(&secret);
        let form_key = blake3::derive_key("kodeon 2026 form tokens v1", secret.as_bytes());
        let calendar_key =
            blake3::derive_key("kodeon 2026 calendar feed tokens v1", secret.as_bytes());
        let store_dir = config.data_dir.join(config.engine.dir_name());
        refuse_another_engines_store(&config)?;
        crate::data_dir::create_private_dir(&store_dir)
            .map_err(|e| NodeError::Internal(format!("{}: {e}", store_dir.display())))?;
        let store = Store::open(config.engine, &store_dir, config.cache_capacity_bytes)?;
        crate::data_dir::restrict_files(&store_dir)
            .map_err(|e| NodeError::Internal(format!("{}: {e}", store_dir.display())))?;
        let node_keys = match store.load::<crate::store::tables::NodeKeys>(())? {
            Some(k) => k.keys,
            None => {
                let keys = MemberKeys::generate(&sealer, b"node")?;
                store.write_blocking(|txn| {
                    txn.store::<crate::store::tables::NodeKeys>(
                        (),
                        &NodeKeys { keys: keys.clone() },
                    )
                })?;
                tracing::info!(did = %keys.ed25519_public.to_did_key(), "generated the node identity");
                keys
            }
        };
        let login_guard =
            crate::members::login_guard::LoginGuard::new(config.login_failures_per_hour);
        let gamification = crate::gamification::Gamification::open(&store, &secret)?;
        let mut node = Node {
            store,
            ids: IdGenerator::default(),
            sealer,
            urls: protocol::local_urls::LocalUrls::new(config.base_url()),
            config,
            timelines: Default::default(),
            group_rankings: Default::default(),
            trends_cache: Default::default(),
            events: Default::default(),
            node_keys,
            fresh_setup_token: None,
            form_key,
            calendar_key,
            inbound_book: Default::default(),
            post_intake: Default::default(),
            settings: Default::default(),
            media_budget: Default::default(),
            login_guard,
            gamification,
        };
        node.load_settings()?;
        node.fresh_setup_token = node.issue_setup_token_if_needed()?;
        Ok(node)
    }

    /// The node's configuration.
    pub fn config(&self) -> &NodeConfig {
        &self.config
    }

    /// Every URL and id the node gives out (the one place their shapes
    /// are built and read back).
    pub fn urls(&self) -> &protocol::local_urls::LocalUrls {
        &self.urls
    }

    /// The node's public keys (ed25519 + RSA).
    pub fn node_keys(&self) -> &MemberKeys {
        &self.node_keys
    }

    /// The node's did:key.
    pub fn node_did(&self) -> String {
        self.node_keys.ed25519_public.to_did_key()
    }

    /// The one-time setup token issued at this start, if the node has no
    /// admin yet (log it; it is stored only as a hash).
    pub fn fresh_setup_token(&self) -> Option<&str> {
        self.fresh_setup_token.as_deref()
    }

    /// A token bound to `session` (a keyed blake3 hash under a key derived
    /// from the node secret), for anti-CSRF form fields: stable for the
    /// session's life, across restarts, and useless for any other session.
    pub fn form_token(&self, session: &str) -> String {
        blake3::keyed_hash(&self.form_key, session.as_bytes())
            .to_hex()
            .to_string()
    }

    /// Checks a form token in constant time.
    pub fn check_form_token(&self, session: &str, token: &str) -> bool {
        let expected = blake3::keyed_hash(&self.form_key, session.as_bytes());
        blake3::Hash::from_hex(token).is_ok_and(|given| given == expected)
    }

    /// Node-wide figures.
    pub fn stats(&self) -> NodeResult<NodeStats> {
        Ok(NodeStats {
            members: self.store.counter::<tables::MemberTotal>(())?,
            posts: self.store.counter::<tables::PostTotal>(())?,
            storage_bytes: self.store.size_on_disk(),
        })
    }

    /// Runs one atomic, durable write and then publishes the events it
    /// emitted. Domain methods write through this.
    pub(crate) async fn write<T>(
        &self,
        f: impl FnOnce(&mut crate::store::Txn<'_>) -> NodeResult<T>,
    ) -> NodeResult<T> {
        let (out, events) = self.store.write_with_events(f).await?;
        self.events.publish(events);
        Ok(out)
    }

    /// Subscribes to the node's events (published after each durable write).
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<crate::events::Event> {
        self.events.subscribe()
    }

    /// The node's RSA private key (PKCS#8 PEM), for signing as the
    /// instance actor.
    pub fn node_rsa_private_pem(&self) -> NodeResult<String> {
        let rsa = self.node_keys.rsa(&self.sealer, b"node")?;
        Ok(rsa.private_pem()?.to_string())
    }

    /// A local member's RSA private key (PKCS#8 PEM), for signing
    /// deliveries on their behalf.
    pub fn member_rsa_private_pem(&self, member: &Member) -> NodeResult<String> {
        if !member.is_local() {
            return Err(NodeError::Forbidden("not a local member"));
        }
        let rsa = member.keys.rsa(&self.sealer, &member.id.to_bytes())?;
        Ok(rsa.private_pem()?.to_string())
    }

    /// Writes pending bookkeeping and flushes the store (call at shutdown).
    pub fn flush(&self) -> NodeResult<()> {
        self.write_bookkeeping_blocking()?;
        self.store.flush()
    }

    /// Loads a member by id.
    pub(crate) fn member(&self, id: Id) -> NodeResult<Option<Member>> {
        self.store.load::<tables::Member>(id)
    }

    /// Loads an active member by username (suspended members are not found).
    pub(crate) fn active_member_by_name(&self, username: &str) -> NodeResult<Member> {
        match self.member_by_name(username)? {
            Some(m) if m.status == MemberStatus::Active => Ok(m),
            _ => Err(NodeError::NotFound("member")),
        }
    }

    /// The member `username` (as [`Node::member_by_name`] finds them), or
    /// `NotFound("member")`.
    pub(crate) fn named_member(&self, username: &str) -> NodeResult<Member> {
        self.member_by_name(username)?
            .ok_or(NodeError::NotFound("member"))
    }

    /// Loads a member by username (or did:key), any status.
    pub(crate) fn member_by_name(&self, username: &str) -> NodeResult<Option<Member>> {
        if username.starts_with("did:key:") {
            return match identity::PublicKey::from_did_key(username) {
                Ok(key) => self.member_by_key(&key),
                Err(_) => Ok(None),
            };
        }
        let key = &username.to_lowercase();
        match self.store.load::<tables::MemberByName>(key)? {
            Some(id) => self.member(id),
            None => Ok(None),
        }
    }
}

/// Reads `data_dir/node.secret`, or creates it (mode 0600) on first start.
fn load_or_create_secret(data_dir: &Path) -> NodeResult<NodeSecret> {
    let path = data_dir.join(SECRET_FILE);
    match fs::read(&path) {
        Ok(bytes) => {
            let bytes: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
                NodeError::invalid(
                    "data_dir",
                    format!("{} is not a 32-byte secret", path.display()),
                )
            })?;
            Ok(NodeSecret::from_bytes(bytes))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let secret = NodeSecret::generate();
            let tmp = path.with_extension("tmp");
            let mut options = fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let write = || -> std::io::Result<()> {
                let mut file = options.open(&tmp)?;
                file.write_all(secret.as_bytes())?;
                file.sync_all()?;
                fs::rename(&tmp, &path)
            };
            write().map_err(|e| NodeError::Internal(format!("writing {}: {e}", path.display())))?;
            Ok(secret)
        }
        Err(e) => Err(NodeError::Internal(format!(
            "reading {}: {e}",
            path.display()
        ))),
    }
}
