//! The federation service: one per node. It owns the HTTP client, the
//! library's configuration (signing), the caches of remote keys and local
//! signers, and runs the delivery worker.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use activitypub_federation::config::{Data, FederationConfig};
use identity::RsaVerifyingKey;
use node::model::Member;
use node::{Id, Node};
use url::Url;

use crate::actors::{is_stale, parse_actor};
use crate::client::{build_client, fetch_json};
use crate::error::FederationError;
use crate::signing::SigningActor;

/// How federation behaves.
#[derive(Debug, Clone)]
pub struct FederationSettings {
    /// Allow requests to private and loopback addresses and plain http
    /// (development and tests only).
    pub allow_private: bool,
    /// Require signatures on GETs of actors and objects (authorized fetch).
    pub authorized_fetch: bool,
    /// First retry delay; later ones grow like Mastodon's (n⁴ + 15 s).
    pub retry_base: Duration,
    /// Attempts before a delivery is given up (Mastodon: 16, about 3.6 days).
    pub max_attempts: u32,
    /// Deliveries in flight at once, all servers together.
    pub concurrency: usize,
    /// Deliveries in flight at once to one server.
    pub per_server: usize,
    /// Refetch actor documents older than this.
    pub actor_max_age: Duration,
}

impl Default for FederationSettings {
    fn default() -> Self {
        FederationSettings {
            allow_private: false,
            authorized_fetch: false,
            retry_base: Duration::from_secs(15),
            max_attempts: 16,
            concurrency: 64,
            per_server: 4,
            actor_max_age: Duration::from_secs(24 * 3600),
        }
    }
}

/// A remote key, parsed once.
#[derive(Clone)]
pub(crate) struct CachedKey {
    pub member: Id,
    pub actor_id: String,
    pub key: Arc<RsaVerifyingKey>,
}

/// The federation service.
pub struct Federation {
    pub(crate) node: Arc<Node>,
    pub(crate) settings: FederationSettings,
    pub(crate) config: FederationConfig<()>,
    pub(crate) client: reqwest_middleware::ClientWithMiddleware,
    pub(crate) keys: Mutex<HashMap<String, CachedKey>>,
    signers: Mutex<HashMap<Id, SigningActor>>,
    pub(crate) metrics: crate::delivery::DeliveryMetrics,
    gossip: std::sync::OnceLock<crate::gossip::Gossip>,
}

impl Federation {
    /// Sets federation up for `node`.
    pub async fn new(
        node: Arc<Node>,
        settings: FederationSettings,
    ) -> Result<Arc<Federation>, FederationError> {
        // One TLS provider for the whole process (ignore "already set").
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client: reqwest_middleware::ClientWithMiddleware =
            build_client(settings.allow_private)?.into();
        let instance = instance_actor(&node)?;
        let config = FederationConfig::builder()
            .domain(node.config().domain.clone())
            .app_data(())
            .client(client.clone())
            .debug(settings.allow_private)
            .allow_http_urls(settings.allow_private)
            .http_signature_compat(true)
            .request_timeout(Duration::from_secs(10))
            .signed_fetch_actor(&instance)
            .build()
            .await
            .map_err(|e| FederationError::Internal(format!("federation config: {e}")))?;
        Ok(Arc::new(Federation {
            node,
            settings,
            config,
            client,
            keys: Mutex::new(HashMap::new()),
            signers: Mutex::new(HashMap::new()),
            metrics: Default::default(),
            gossip: std::sync::OnceLock::new(),
        }))
    }

    /// The node.
    pub fn node(&self) -> &Arc<Node> {
        &self.node
    }

    /// The libp2p gossip handle, when gossip runs.
    pub fn gossip(&self) -> Option<&crate::gossip::Gossip> {
        self.gossip.get()
    }

    /// Records the gossip handle (once; later calls are ignored).
    pub fn set_gossip(&self, gossip: crate::gossip::Gossip) {
        let _ = self.gossip.set(gossip);
    }

    /// The settings.
    pub fn settings(&self) -> &FederationSettings {
        &self.settings
    }

    pub(crate) fn data(&self) -> Data<()> {
        self.config.to_request_data()
    }

    /// Fetches a document (signed by the instance actor), refusing
    /// suspended domains.
    pub async fn fetch(&self, url: &str) -> Result<serde_json::Value, FederationError> {
        self.check_domain(url)?;
        fetch_json(&self.data(), &self.client, url, self.settings.allow_private).await
    }

    /// Refuses URLs on suspended domains.
    pub(crate) fn check_domain(&self, url: &str) -> Result<String, FederationError> {
        let host =
            node::remote::host_of(url).ok_or_else(|| FederationError::BadUrl(url.to_string()))?;
        if self.node.is_domain_suspended(&host)? {
            return Err(FederationError::Forbidden(format!("{host} is blocked")));
        }
        Ok(host)
    }

    /// The account for a remote actor: stored, or fetched (and refreshed
    /// when stale or `refresh`).
    pub async fn resolve_actor(
        &self,
        actor_id: &str,
        refresh: bool,
    ) -> Result<Member, FederationError> {
        if crate::uris::local_username(&self.node, actor_id).is_some() {
            return Err(FederationError::Forbidden("a local actor".into()));
        }
        self.check_domain(actor_id)?;
        if let Some(m) = self.node.remote_member_by_uri(actor_id)? {
            if !refresh && !is_stale(&m, self.settings.actor_max_age.as_millis() as i64) {
                return Ok(m);
            }
        }
        let doc = self.fetch(actor_id).await?;
        let actor = parse_actor(&doc, actor_id)?;
        if actor.actor_id != actor_id {
            return Err(FederationError::Forbidden(format!(
                "{actor_id} answered with another actor"
            )));
        }
        let member = self.node.upsert_remote_actor(actor).await?;
        if let Some(r) = &member.remote {
            if let Ok(mut keys) = self.keys.lock() {
                keys.remove(&r.key_id);
            }
        }
        Ok(member)
    }

    /// The verifying key for a key id, and the actor that owns it.
    pub(crate) async fn key_for(
        &self,
        key_id: &str,
        refresh: bool,
    ) -> Result<CachedKey, FederationError> {
        if !refresh {
            if let Some(k) = self.keys.lock().ok().and_then(|k| k.get(key_id).cloned()) {
                return Ok(k);
            }
        }
        let owner = crate::actors::key_owner_guess(key_id);
        let member = self.resolve_actor(owner, refresh).await?;
        let remote = member
            .remote
            .as_ref()
            .ok_or_else(|| FederationError::Forbidden("a local actor".into()))?;
        if remote.key_id != key_id {
            return Err(FederationError::Signature(format!(
                "{key_id} is not the key of {owner}"
            )));
        }
        let key = RsaVerifyingKey::from_public_pem(&member.keys.rsa_public_pem)
            .map_err(|e| FederationError::Signature(format!("bad key: {e}")))?;
        let cached = CachedKey {
            member: member.id,
            actor_id: remote.actor_id.clone(),
            key: Arc::new(key),
        };
        if let Ok(mut keys) = self.keys.lock() {
            if keys.len() > 50_000 {
                keys.clear();
            }
            keys.insert(key_id.to_string(), cached.clone());
        }
        Ok(cached)
    }

    /// The signing identity of a local member (`None`: the instance actor).
    pub(crate) fn signer(&self, member: Option<Id>) -> Result<SigningActor, FederationError> {
        let Some(id) = member else {
            return instance_actor(&self.node);
        };
        if let Some(s) = self.signers.lock().ok().and_then(|s| s.get(&id).cloned()) {
            return Ok(s);
        }
        let m = self
            .node
            .member_by_id(id)?
            .filter(Member::is_local)
            .ok_or_else(|| FederationError::Internal(format!("no local signer {id}")))?;
        let pem = self.node.member_rsa_private_pem(&m)?;
        let actor_id = crate::discovery::actor_id(&self.node, &m.username);
        let signer = SigningActor {
            id: parse_url(&actor_id)?,
            inbox: parse_url(&format!("{actor_id}/inbox"))?,
            public_key_pem: m.keys.rsa_public_pem.clone(),
            private_key_pem: pem,
        };
        if let Ok(mut s) = self.signers.lock() {
            if s.len() > 10_000 {
                s.clear();
            }
            s.insert(id, signer.clone());
        }
        Ok(signer)
    }
}

/// The node's own actor (`{base}/actor`), which signs fetches.
pub fn instance_actor(node: &Node) -> Result<SigningActor, FederationError> {
    let base = node.config().base_url();
    Ok(SigningActor {
        id: parse_url(&format!("{base}/actor"))?,
        inbox: parse_url(&format!("{base}/actor/inbox"))?,
        public_key_pem: node.node_keys().rsa_public_pem.clone(),
        private_key_pem: node.node_rsa_private_pem()?,
    })
}

pub(crate) fn parse_url(s: &str) -> Result<Url, FederationError> {
    Url::parse(s).map_err(|_| FederationError::BadUrl(s.to_string()))
}

impl Federation {
    /// Finds a remote account by handle (`name@domain`) through WebFinger,
    /// or returns the stored one.
    pub async fn resolve_handle(&self, handle: &str) -> Result<Member, FederationError> {
        let handle = handle.trim().trim_start_matches('@');
        if let Some(m) = self.node.find_member(handle)? {
            if !m.is_local() {
                return Ok(m);
            }
        }
        let (name, domain) = handle
            .split_once('@')
            .filter(|(n, d)| !n.is_empty() && !d.is_empty() && !d.contains(['/', '?', '#', '@']))
            .ok_or_else(|| FederationError::Malformed(format!("{handle} is not name@domain")))?;
        if domain.eq_ignore_ascii_case(&self.node.config().domain) {
            return Err(FederationError::Forbidden("a local account".into()));
        }
        let scheme = if self.settings.allow_private {
            "http"
        } else {
            "https"
        };
        let url =
            format!("{scheme}://{domain}/.well-known/webfinger?resource=acct:{name}@{domain}");
        let jrd = self.fetch(&url).await?;
        let actor = jrd
            .get("links")
            .and_then(serde_json::Value::as_array)
            .and_then(|links| {
                links.iter().find_map(|l| {
                    let is_self = l.get("rel").and_then(|r| r.as_str()) == Some("self");
                    let t = l.get("type").and_then(|t| t.as_str()).unwrap_or_default();
                    (is_self && (t.contains("activity+json") || t.contains("ld+json")))
                        .then(|| l.get("href").and_then(|h| h.as_str()))
                        .flatten()
                })
            })
            .ok_or_else(|| FederationError::Malformed(format!("no actor link for {handle}")))?;
        self.resolve_actor(actor, false).await
    }
}
