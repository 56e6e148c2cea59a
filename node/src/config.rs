//! What the node needs to know to run (the binary maps its config file onto this).

use std::path::PathBuf;

/// Node settings.
#[derive(Debug, Clone)]
pub struct NodeConfig {
    /// Where the store and the node secret live.
    pub data_dir: PathBuf,
    /// Public host (and port) used in ids and links.
    pub domain: String,
    /// sled page cache size.
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
            cache_capacity_bytes: 64 * 1024 * 1024,
            registration: RegistrationMode::Open,
            dev: false,
            limits: ContentLimits::default(),
            gossip: false,
            login_failures_per_hour: 25,
        }
    }
}
