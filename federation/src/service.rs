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
    /// Parsed private keys of signers, by actor id (`delivery.rs`).
    pub(crate) signing_keys: Mutex<HashMap<String, Arc<identity::RsaKeypair>>>,
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
            signing_keys: Mutex::new(HashMap::new()),
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
        self.resolve_actor_with(actor_id, refresh, None, None).await
    }

    /// [`Self::resolve_actor`], with the handle a WebFinger answer from the
    /// actor's own host already confirmed (saves asking again), and the
    /// actor's document when it was just fetched from `actor_id` itself
    /// (saves fetching it again; used only if a fetch is due).
    pub(crate) async fn resolve_actor_with(
        &self,
        actor_id: &str,
        refresh: bool,
        confirmed: Option<&Handle>,
        prefetched: Option<serde_json::Value>,
    ) -> Result<Member, FederationError> {
        if crate::uris::local_username(&self.node, actor_id).is_some() {
            return Err(FederationError::Forbidden("a local actor".into()));
        }
        self.check_domain(actor_id)?;
        let existing = self.node.remote_member_by_uri(actor_id)?;
        if let Some(m) = &existing {
            if !refresh && !is_stale(m, self.settings.actor_max_age.as_millis() as i64) {
                return Ok(m.clone());
            }
        }
        let doc = match prefetched {
            Some(doc) => doc,
            None => self.fetch(actor_id).await?,
        };
        let mut actor = parse_actor(&doc, actor_id)?;
        if actor.actor_id != actor_id {
            return Err(FederationError::Forbidden(format!(
                "{actor_id} answered with another actor"
            )));
        }
        let host = node::remote::host_of(actor_id).unwrap_or_default();
        let known = existing.as_ref().and_then(|m| {
            let confirmed = m.remote.as_ref().is_some_and(|r| r.handle_confirmed);
            let handle = Handle::parse(&m.username)?;
            (confirmed && handle.name.eq_ignore_ascii_case(&actor.username)).then_some(handle)
        });
        let hinted = confirmed
            .filter(|h| h.name.eq_ignore_ascii_case(&actor.username) && h.domain == host)
            .cloned();
        actor.confirmed_handle = match known.or(hinted) {
            Some(handle) => Some(handle.to_string()),
            None => self
                .confirm_handle(&actor.username, actor_id)
                .await
                .map(|h| h.to_string()),
        };
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
    Ok(SigningActor {
        id: parse_url(&node.urls().node_actor())?,
        inbox: parse_url(&node.urls().node_actor_inbox())?,
        public_key_pem: node.node_keys().rsa_public_pem.clone(),
        private_key_pem: node.node_rsa_private_pem()?,
    })
}

pub(crate) fn parse_url(s: &str) -> Result<Url, FederationError> {
    Url::parse(s).map_err(|_| FederationError::BadUrl(s.to_string()))
}

impl Federation {
    /// Finds a remote account by handle (`name@domain`): the one bound to
    /// it here, or the actor WebFinger on `domain` names.
    pub async fn resolve_handle(&self, handle: &str) -> Result<Member, FederationError> {
        let wanted = Handle::parse(handle.trim().trim_start_matches('@'))
            .ok_or_else(|| FederationError::Malformed(format!("{handle} is not name@domain")))?;
        if wanted
            .domain
            .eq_ignore_ascii_case(&self.node.config().domain)
        {
            return Err(FederationError::Forbidden("a local account".into()));
        }
        if let Some(m) = self.node.find_member(&wanted.to_string())? {
            if !m.is_local() {
                return Ok(m);
            }
        }
        let answer = self.webfinger(&wanted).await?;
        let actor = answer
            .actor
            .ok_or_else(|| FederationError::Malformed(format!("no actor link for {wanted}")))?;
        // The answer confirms the handle for the actor if it came from the
        // actor's own host and names the handle asked for.
        let confirmed = answer.subject.filter(|s| {
            *s == wanted && node::remote::host_of(&actor).as_deref() == Some(&s.domain)
        });
        self.resolve_actor_with(&actor, false, confirmed.as_ref(), None)
            .await
    }

    /// Asks WebFinger on `handle`'s own domain which actor it names.
    async fn webfinger(&self, handle: &Handle) -> Result<Finger, FederationError> {
        let scheme = if self.settings.allow_private {
            "http"
        } else {
            "https"
        };
        let mut url = Url::parse(&format!(
            "{scheme}://{}/.well-known/webfinger",
            handle.domain
        ))
        .map_err(|_| FederationError::BadUrl(handle.domain.clone()))?;
        url.query_pairs_mut()
            .append_pair("resource", &format!("acct:{handle}"));
        let jrd = self.fetch(url.as_str()).await?;
        let subject = jrd
            .get("subject")
            .and_then(serde_json::Value::as_str)
            .and_then(|s| Handle::parse(s.strip_prefix("acct:").unwrap_or(s)));
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
            .map(str::to_string);
        Ok(Finger { subject, actor })
    }

    /// The handle of the actor `actor_id` (whose `preferredUsername` is
    /// `name`), as WebFinger confirms it, Mastodon's way: ask the actor's
    /// host for `name@host`; if the answer's subject is another handle
    /// (the account's domain is not its server's), ask that domain too.
    /// Confirmed only when the last answer names `actor_id`; `None`
    /// otherwise (including any network failure).
    async fn confirm_handle(&self, name: &str, actor_id: &str) -> Option<Handle> {
        let host = node::remote::host_of(actor_id)?;
        let first = Handle::parse(&format!("{name}@{host}"))?;
        let answer = self.webfinger(&first).await.ok()?;
        let subject = answer.subject.unwrap_or_else(|| first.clone());
        if subject == first {
            return (answer.actor.as_deref() == Some(actor_id)).then_some(first);
        }
        let second = self.webfinger(&subject).await.ok()?;
        (second.subject.as_ref() == Some(&subject) && second.actor.as_deref() == Some(actor_id))
            .then_some(subject)
    }
}

/// A WebFinger answer: its subject and the actor its `self` link names.
struct Finger {
    subject: Option<Handle>,
    actor: Option<String>,
}

/// A remote handle: a name and a normalised domain (lower-case, IDNA).
/// Names compare without regard to ASCII case, as Mastodon's do.
#[derive(Debug, Clone, Eq)]
pub struct Handle {
    /// The part before `@`.
    pub name: String,
    /// The domain (with a port, if any).
    pub domain: String,
}

impl Handle {
    /// Parses `name@domain`; `None` unless both parts are valid.
    pub fn parse(s: &str) -> Option<Handle> {
        let (name, domain) = s.rsplit_once('@')?;
        let valid_name = !name.is_empty()
            && name.len() <= 100
            && !name.contains(['@', '/', '\\', '\0', ' ', '?', '#']);
        let domain = protocol::urls::normalise_host(domain)?;
        valid_name.then(|| Handle {
            name: name.to_string(),
            domain,
        })
    }
}

impl PartialEq for Handle {
    fn eq(&self, other: &Handle) -> bool {
        self.name.eq_ignore_ascii_case(&other.name) && self.domain == other.domain
    }
}

impl std::fmt::Display for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}", self.name, self.domain)
    }
}
