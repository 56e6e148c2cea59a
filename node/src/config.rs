//! What the node needs to know to run (the binary maps its config file onto this).

use std::path::PathBuf;

/// Node settings.
#[derive(Debug, Clone)]
pub struct NodeConfig {
    /// Where the store and the node secret live.
    pub data_dir: PathBuf,
    /// Public host (and port) used in ids and links.
    pub domain: String,
    /// The storage engine.
    pub engine: StoreEngine,
    /// The store's cache of pages or blocks, in bytes: with the engine's
    /// other bounded buffers, what the store holds in memory.
    pub cache_capacity_bytes: u64,
    /// Who may register.
    pub registration: RegistrationMode,
    /// Development mode: links use plain `http://` (and, for federation,
    /// loopback and private addresses are allowed). Never the default.
    pub dev: bool,
    /// Content limits.
    pub limits: ContentLimits,
    /// Whether public posts are also published as signed gossip envelopes
    /// (a gossip intent is written with each; set when p2p is on).
    pub gossip: bool,
    /// Failed passwords an account takes per hour, over every way in,
    /// before it takes none until the hour ends (0: no limit).
    pub login_failures_per_hour: u32,
    /// Whether the node sends e-mail (an SMTP server is configured; the
    /// binary drains the outgoing-mail queue). With it, sign-ups confirm
    /// their address and a forgotten password is reset by a mailed link;
    /// without it, accounts are confirmed at once and only an admin resets
    /// passwords.
    pub email: bool,
}

/// The embedded key-value engine the store runs on. Each keeps its files
/// in its own subdirectory of the data directory ([`StoreEngine::dir_name`]).
///
/// fjall is the default for new stores: at a million posts it takes ~700
/// bytes per post where sled takes ~5,300, idles in ~40 MB where sled
/// holds ~350 MB, and makes writes durable with a real `fdatasync` of its
/// journal (docs/performance.md). sled stores keep working.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreEngine {
    /// sled 0.34, a B-tree over a log.
    Sled,
    /// fjall 3, an LSM tree.
    #[default]
    Fjall,
}

impl StoreEngine {
    /// Every engine, in the order of their names.
    pub const ALL: [StoreEngine; 2] = [StoreEngine::Sled, StoreEngine::Fjall];

    /// The subdirectory of the data directory that holds this engine's files.
    pub fn dir_name(self) -> &'static str {
        match self {
            StoreEngine::Sled => "db",
            StoreEngine::Fjall => "fjall",
        }
    }

    /// The engine's name, as written in the configuration.
    pub fn name(self) -> &'static str {
        match self {
            StoreEngine::Sled => "sled",
            StoreEngine::Fjall => "fjall",
        }
    }

    /// The engine whose store `data_dir` holds (its subdirectory exists
    /// and is not empty), if any: a node configured without an engine
    /// keeps running on the store it has.
    pub fn of_store_in(data_dir: &std::path::Path) -> Option<StoreEngine> {
        Self::ALL
            .into_iter()
            .find(|engine| engine.has_store_in(data_dir))
    }

    /// Whether `data_dir` holds a store of this engine (its subdirectory
    /// exists and is not empty).
    pub fn has_store_in(self, data_dir: &std::path::Path) -> bool {
        std::fs::read_dir(data_dir.join(self.dir_name()))
            .is_ok_and(|mut entries| entries.next().is_some())
    }
}

#[cfg(test)]
impl StoreEngine {
    /// The engine the node's tests open: the one named by
    /// `KODEON_TEST_ENGINE` (`sled`, `fjall`), else the default, so that
    /// the whole suite runs on either.
    pub(crate) fn under_test() -> Self {
        match std::env::var("KODEON_TEST_ENGINE") {
            Ok(name) => Self::ALL
                .into_iter()
                .find(|e| e.name() == name)
                .unwrap_or_else(|| panic!("KODEON_TEST_ENGINE: no engine {name:?}")),
            Err(_) => Self::default(),
        }
    }
}

/// Who may join the node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RegistrationMode {
    /// Anyone may register.
    #[default]
    Open,
    /// Anyone may register; an admin approves each account before it works.
    Approval,
    /// Registration needs an invite code from an admin.
    Invite,
    /// Only the operator creates accounts.
    Closed,
}

/// Size limits on what members write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ContentLimits {
    /// Max characters of a post's Markdown.
    pub post_chars: usize,
    /// Max characters of a title.
    pub title_chars: usize,
    /// Max tags per post.
    pub tags: usize,
    /// Max characters of the bio's "about".
    pub bio_chars: usize,
}

impl Default for ContentLimits {
    fn default() -> Self {
        ContentLimits {
            post_chars: 10_000,
            title_chars: 200,
            tags: 10,
            bio_chars: 2_000,
        }
    }
}

impl NodeConfig {
    /// The node's public base URL: `https://DOMAIN` (`http://` in dev mode).
    pub fn base_url(&self) -> String {
        let scheme = if self.dev { "http" } else { "https" };
        format!("{scheme}://{}", self.domain)
    }

    /// Defaults for a node in `data_dir` served as `domain`.
    pub fn new(data_dir: impl Into<PathBuf>, domain: impl Into<String>) -> Self {
        NodeConfig {
            data_dir: data_dir.into(),
            domain: domain.into(),
            #[cfg(not(test))]
            engine: StoreEngine::default(),
            #[cfg(test)]
            engine: StoreEngine::under_test(),
            cache_capacity_bytes: 64 * 1024 * 1024,
            registration: RegistrationMode::Open,
            dev: false,
            limits: ContentLimits::default(),
            gossip: false,
            login_failures_per_hour: 25,
            email: false,
        }
    }
}
