//! Discovery: WebFinger, NodeInfo 2.1, host-meta, and actor documents —
//! how other servers find a Kodeon member and check their keys.

use node::posts::escape_html as escape;
use node::{Node, NodeError, NodeResult, Viewer};
use protocol::activitystreams::{
    actor_context, Actor, Endpoints, Image, Jrd, JrdLink, Multikey, PropertyValue, PublicKeyPem,
};
use protocol::local_urls::LocalUrl;
use serde_json::{json, Value};

/// The id (URL) of a member's actor.
pub fn actor_id(node: &Node, username: &str) -> String {
    node.urls().actor(username)
}

/// A member as an ActivityPub `Person` (what an anonymous visitor may see:
/// details hidden by the profile's privacy are left out), or a group as a
/// `Group` the way Lemmy publishes a community (FEP-1b12): its
/// description as the summary, its `moderators` collection (also its
/// `attributedTo`), `featured`, and `postingRestrictedToMods`.
pub fn person(node: &Node, username: &str) -> NodeResult<Actor> {
    let m = node.profile(&Viewer::Anonymous, username)?;
    let group = if m.kind.is_person() {
        None
    } else {
        Some(node.group(&Viewer::Anonymous, &m.username)?)
    };
    let (ed25519, rsa_pem) = node.public_keys(&m.username)?;
    let urls = node.urls();
    let id = urls.actor(&m.username);
    let (summary, attachment) = match &m.details {
        Some(d) => (
            if d.bio.about.is_empty() {
                String::new()
            } else {
                format!("<p>{}</p>", escape(&d.bio.about))
            },
            d.social_links
                .iter()
                .map(|(k, v)| PropertyValue {
                    kind: "PropertyValue".into(),
                    name: k.clone(),
                    value: escape(v),
                })
                .collect(),
        ),
        None => (String::new(), Vec::new()),
    };
    let summary = match &group {
        Some(g) => g.description_html.clone(),
        None => summary,
    };
    let mut actor = Actor {
        context: actor_context(),
        kind: if group.is_some() { "Group" } else { "Person" }.into(),
        preferred_username: m.username.clone(),
        name: if m.full_name.is_empty() {
            m.username.clone()
        } else {
            m.full_name.clone()
        },
        summary,
        url: urls.profile_page(&m.username),
        inbox: urls.inbox(&m.username),
        outbox: urls.outbox(&m.username),
        followers: urls.followers(&m.username),
        following: urls.following(&m.username),
        endpoints: Endpoints {
            shared_inbox: urls.shared_inbox(),
        },
        public_key: PublicKeyPem {
            id: urls.key_id(&m.username),
            owner: id.clone(),
            public_key_pem: rsa_pem,
        },
        assertion_method: vec![Multikey {
            id: format!("{id}#ed25519-key"),
            kind: "Multikey".into(),
            controller: id.clone(),
            public_key_multibase: ed25519.to_multikey(),
        }],
        manually_approves_followers: m.locked,
        discoverable: true,
        published: node::model::rfc3339::format(m.created_at),
        icon: (!m.avatar_url.is_empty()).then(|| Image {
            kind: "Image".into(),
            url: m.avatar_url.clone(),
        }),
        attachment,
        moderators: group.as_ref().map(|_| urls.moderators(&m.username)),
        featured: Some(urls.featured(&m.username)),
        attributed_to: group.as_ref().map(|_| urls.moderators(&m.username)),
        posting_restricted_to_mods: group
            .as_ref()
            .map(|g| g.posting == node::groups::Posting::Moderators),
        id,
        proof: None,
    };
    actor.proof = Some(actor_proof(node, &actor)?);
    Ok(actor)
}

/// The FEP-8b32 proof of an actor document, made with the member's
/// ed25519 key (its `assertionMethod`): whoever reads the document can
/// check that the key's holder speaks for this actor id, so no other
/// actor can claim the key.
fn actor_proof(node: &Node, actor: &Actor) -> NodeResult<Value> {
    let Ok(Value::Object(mut document)) = serde_json::to_value(actor) else {
        return Err(NodeError::Internal("an actor is an object".into()));
    };
    let method = actor
        .assertion_method
        .first()
        .map(|m| m.id.clone())
        .ok_or_else(|| NodeError::Internal("an actor without a key".into()))?;
    let created = node::model::rfc3339::format(node::model::now_ms() / 1000 * 1000);
    protocol::data_integrity::attach_proof(&mut document, &method, &created, |bytes| {
        node.sign_as_member(&actor.preferred_username, bytes)
    })?;
    document
        .remove("proof")
        .ok_or_else(|| NodeError::Internal("no proof".into()))
}

/// The WebFinger answer for `acct:user@domain` (or the actor's URL).
pub fn webfinger(node: &Node, resource: &str) -> NodeResult<Jrd> {
    let domain = &node.config().domain;
    let username = if let Some(acct) = resource.strip_prefix("acct:") {
        let acct = acct.trim_start_matches('@');
        match acct.rsplit_once('@') {
            Some((name, host)) if host.eq_ignore_ascii_case(domain) => name.to_string(),
            _ => return Err(NodeError::NotFound("account")),
        }
    } else if let Some(LocalUrl::Actor(name) | LocalUrl::ProfilePage(name)) =
        node.urls().parse(resource)
    {
        name.to_string()
    } else {
        return Err(NodeError::invalid(
            "resource",
            "must be acct:USER@DOMAIN or an actor URL of this node",
        ));
    };
    let m = node.profile(&Viewer::Anonymous, &username)?;
    let id = actor_id(node, &m.username);
    Ok(Jrd {
        subject: format!("acct:{}@{domain}", m.username),
        aliases: vec![id.clone(), node.urls().profile_page(&m.username)],
        links: vec![
            JrdLink {
                rel: "self".into(),
                kind: Some("application/activity+json".into()),
                href: Some(id),
                template: None,
            },
            JrdLink {
                rel: "http://webfinger.net/rel/profile-page".into(),
                kind: Some("text/html".into()),
                href: Some(node.urls().profile_page(&m.username)),
                template: None,
            },
        ],
    })
}

/// The NodeInfo discovery document.
pub fn nodeinfo_links(node: &Node) -> Value {
    json!({"links": [{
        "rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
        "href": node.urls().nodeinfo(),
    }]})
}

/// NodeInfo 2.1, with real counts.
pub fn nodeinfo(node: &Node) -> NodeResult<Value> {
    let stats = node.stats()?;
    let open = node.registration_mode() != node::RegistrationMode::Closed;
    Ok(json!({
        "version": "2.1",
        "software": {"name": protocol::SOFTWARE_NAME, "version": protocol::SOFTWARE_VERSION},
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": open,
        "usage": {"users": {"total": stats.members}, "localPosts": stats.posts},
        "metadata": {"nodeName": node.settings().name, "nodeDescription": node.settings().description},
    }))
}

/// host-meta (XRD), pointing at WebFinger.
pub fn host_meta(node: &Node) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\">\n  <Link rel=\"lrdd\" template=\"{}/.well-known/webfinger?resource={{uri}}\"/>\n</XRD>\n",
        node.urls().base()
    )
}
