//! What a URL names, as Mastodon's `ResolveURLService` finds it: an
//! account or a post of this node or of another server, from an actor's or
//! a post's id, a profile or post page that redirects to it, answers it by
//! content negotiation, or names it with `rel="alternate"`.
//!
//! Every hop is checked as the first URL was (http(s) only, no private
//! address unless `allow_private`, no suspended domain, hosts read from
//! the parsed URL); at most [`MAX_REDIRECTS`] redirects and one page's
//! link are followed. A document is believed only from the host that
//! served it, and only as the document of its own id: when the URL that
//! served it is not its id, it is fetched again from its id (as Mastodon
//! does), through [`Federation::resolve_actor`] or
//! [`Federation::fetch_post`], which confirm an actor's handle with
//! WebFinger on its own domain.

use node::model::Member;
use node::{Id, Node, NodeResult};
use protocol::activities::{is_post_type, ObjectHeader};
use protocol::local_urls::LocalUrl;
use protocol::urls::HttpUrl;
use serde::Deserialize;
use serde_json::Value;

use crate::actors::ACTOR_TYPES;
use crate::client::{fetch_resource, Fetched};
use crate::error::FederationError;
use crate::service::Federation;

/// Most redirects followed from one URL (as many as Mastodon's HTTP
/// client follows).
pub const MAX_REDIRECTS: usize = 3;

/// What a URL names.
#[derive(Debug, Clone)]
pub enum Resolved {
    /// An account, local or remote.
    Account(Box<Member>),
    /// A post, local or remote, by id: whether a viewer may see it is
    /// the node's to say (`Node::post`).
    Post(Id),
}

/// Where following a URL led.
pub(crate) enum Found {
    /// Something this node knows already (a URL of its own, or the id of
    /// a remote account or post stored here).
    Known(Resolved),
    /// An ActivityPub document, and the URL that served it.
    Document(HttpUrl, Value),
}

impl Federation {
    /// What `url` names: known here already, or fetched, checked and
    /// stored. Fetches from the network; callers decide who may make the
    /// node do that (signed-in members, as on Mastodon).
    pub async fn resolve_url(&self, url: &str) -> Result<Resolved, FederationError> {
        let start = HttpUrl::parse(url.trim())
            .map_err(|_| FederationError::BadUrl(url.to_string()))?
            .without_fragment();
        let (served_by, doc) = match self.follow(start).await? {
            Found::Known(Resolved::Account(m)) => {
                return Ok(Resolved::Account(Box::new(self.refreshed(*m).await)))
            }
            Found::Known(found) => return Ok(found),
            Found::Document(served_by, doc) => (served_by, doc),
        };
        let header = ObjectHeader::deserialize(&doc).unwrap_or_default();
        let id = header.id.unwrap_or_default();
        let id_url = HttpUrl::parse_canonical(&id)
            .map_err(|e| FederationError::Forbidden(format!("the document's id {id:?} {e}")))?;
        if !id_url.same_authority(&served_by) {
            return Err(FederationError::Forbidden(format!(
                "{served_by} served a document whose id is on {}",
                id_url.authority()
            )));
        }
        // The document counts as its id's only if the id served it;
        // otherwise the id is asked (and must answer with itself).
        let kind = header.kind.as_str().to_string();
        let prefetched = (id == served_by.as_str()).then_some(doc);
        if ACTOR_TYPES.contains(&kind.as_str()) {
            let member = self
                .resolve_actor_with(&id, false, None, prefetched)
                .await?;
            Ok(Resolved::Account(Box::new(member)))
        } else if is_post_type(&kind) {
            Ok(Resolved::Post(
                self.fetch_post_with(&id, prefetched, 1).await?,
            ))
        } else {
            Err(FederationError::Malformed(format!(
                "{id} is a {kind}, neither an account nor a post"
            )))
        }
    }

    /// Follows `url` through redirects and one page's alternate link to
    /// an ActivityPub document, or to something known here.
    pub(crate) async fn follow(&self, start: HttpUrl) -> Result<Found, FederationError> {
        let mut url = start;
        let mut redirects = 0;
        let mut followed_page = false;
        loop {
            if let Some(found) = known(&self.node, &url)? {
                return Ok(Found::Known(found));
            }
            if is_own(&self.node, &url) {
                return Err(FederationError::Node(node::NodeError::NotFound("page")));
            }
            self.check_hop(&url)?;
            let next = match fetch_resource(
                &self.data(),
                &self.client,
                url.as_url(),
                self.settings.allow_private,
            )
            .await?
            {
                Fetched::Document(doc) => return Ok(Found::Document(url, doc)),
                Fetched::Redirect(location) => {
                    redirects += 1;
                    if redirects > MAX_REDIRECTS {
                        return Err(FederationError::Fetch(
                            url.to_string(),
                            format!("more than {MAX_REDIRECTS} redirects"),
                        ));
                    }
                    location
                }
                Fetched::Page(Some(href)) if !followed_page => {
                    followed_page = true;
                    href
                }
                Fetched::Page(_) => {
                    return Err(FederationError::Malformed(format!(
                        "{url} names no ActivityPub document"
                    )))
                }
            };
            url = url
                .join(&next)
                .map_err(|e| FederationError::BadUrl(format!("{next} ({e})")))?;
        }
    }

    /// The checks every URL followed passes before it is asked: scheme
    /// and literal address (the client's DNS resolver checks the
    /// addresses a name resolves to), and domain blocks, on the parsed
    /// host.
    pub(crate) fn check_hop(&self, url: &HttpUrl) -> Result<(), FederationError> {
        crate::client::check_target(url.as_url(), self.settings.allow_private)?;
        let authority = url.authority();
        if self.node.is_domain_suspended(&authority)? {
            return Err(FederationError::Forbidden(format!(
                "{authority} is blocked"
            )));
        }
        Ok(())
    }

    /// A known remote account, refreshed if its document is stale; as
    /// stored if its server cannot say (Mastodon answers from its
    /// database then too).
    async fn refreshed(&self, member: Member) -> Member {
        let Some(actor_id) = member.remote.as_ref().map(|r| r.actor_id.clone()) else {
            return member;
        };
        match self.resolve_actor(&actor_id, false).await {
            Ok(fresh) => fresh,
            Err(e) => {
                tracing::debug!(%actor_id, error = %e, "keeping a stored account");
                member
            }
        }
    }
}

/// Whether `url` is on this node's own host (such a URL is answered from
/// the store, never fetched).
fn is_own(node: &Node, url: &HttpUrl) -> bool {
    HttpUrl::parse(node.urls().base()).is_ok_and(|base| base.same_authority(url))
}

/// What `url` names among what this node knows, without any request: a
/// page or id of its own (`/users/NAME`, `/@NAME`,
/// `/users/NAME/statuses/ID`, `/@NAME/ID`), or the id of a remote account
/// or post stored here.
pub fn known(node: &Node, url: &HttpUrl) -> NodeResult<Option<Resolved>> {
    if is_own(node, url) {
        return own(node, url);
    }
    if let Some(member) = node.remote_member_by_uri(url.as_str())? {
        return Ok(Some(Resolved::Account(Box::new(member))));
    }
    Ok(node.post_id_by_uri(url.as_str())?.map(Resolved::Post))
}

/// What a URL of this node names, as [`protocol::local_urls`] reads it.
/// `/@name@domain` is the page of a remote account here, as on Mastodon;
/// `/users/NAME` only ever names a local member.
fn own(node: &Node, url: &HttpUrl) -> NodeResult<Option<Resolved>> {
    let account = |m: Option<Member>| m.map(|m| Resolved::Account(Box::new(m)));
    let post = |id: &str| id.parse::<Id>().ok().map(Resolved::Post);
    Ok(match node.urls().parse(url.as_str()) {
        Some(LocalUrl::Actor(name)) => account(node.find_member(name)?.filter(Member::is_local)),
        Some(LocalUrl::ProfilePage(name)) => account(node.find_member(name)?),
        Some(LocalUrl::Post { id, .. } | LocalUrl::PostPage { id, .. }) => post(id),
        Some(
            LocalUrl::Follow(_)
            | LocalUrl::Event { .. }
            | LocalUrl::Join { .. }
            | LocalUrl::Course { .. }
            | LocalUrl::CourseJoin { .. },
        )
        | None => None,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use node::{Node, NodeConfig};

    use super::*;
    use crate::service::FederationSettings;

    #[tokio::test]
    async fn urls_that_must_not_be_asked_are_refused_before_any_request() {
        let dir = tempfile::tempdir().expect("tempdir");
        let node = Arc::new(Node::open(NodeConfig::new(dir.path(), "kodeon.test")).expect("open"));
        let federation = Federation::new(node, FederationSettings::default())
            .await
            .expect("federation");
        for url in [
            "https://169.254.169.254/latest/meta-data",
            "https://10.0.0.1/users/x",
            "https://[::1]/users/x",
            "https://[::ffff:127.0.0.1]/users/x",
            "https://0x7f.1/users/x",
        ] {
            let e = federation.resolve_url(url).await.expect_err(url);
            assert!(
                matches!(e, FederationError::PrivateAddress(_)),
                "{url}: {e}"
            );
        }
        for url in [
            "http://example.org/users/x",
            "ftp://example.org/x",
            "https://u:p@example.org/x",
            "not a url",
        ] {
            let e = federation.resolve_url(url).await.expect_err(url);
            assert!(matches!(e, FederationError::BadUrl(_)), "{url}: {e}");
        }
        // A redirect's or a link's target passes the same check.
        let page = HttpUrl::parse("https://example.org/@x").expect("url");
        for target in [
            "http://example.org/users/x",
            "https://127.0.0.1:8080/users/x",
            "//10.1.2.3/users/x",
            "https://[fe80::1]/users/x",
        ] {
            let next = page.join(target).expect(target);
            assert!(federation.check_hop(&next).is_err(), "{target}");
        }
        assert!(federation
            .check_hop(&page.join("/users/x").expect("joins"))
            .is_ok());
    }
}
