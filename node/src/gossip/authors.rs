//! Who signed a record: accounts by did:key.
//!
//! An envelope is signed by an ed25519 key and names an ActivityPub actor.
//! The claim is believed when the actor's own document published that key
//! (FEP-521a), or, for an account the node knows only over gossip, when it
//! is consistent with what that key signed before. A member of this node
//! may follow an account by its did:key alone (its home server need not be
//! up): the node then keeps a *key-only* account whose profile fills in
//! from the first signed profile record, and whose actor document confirms
//! or overrules the claim once it can be fetched.

use identity::PublicKey;

use crate::error::{NodeError, NodeResult};
use crate::model::{now_ms, Member, MemberStatus, Profile, RemoteAccount, Role};
use crate::node::Node;
use crate::remote::{host_of, DomainSeverity};
use crate::store::{hash_of, tables};

use super::accept::Refusal;

/// A key-only account's username and actor id: its did:key.
fn is_key_only(remote: &RemoteAccount) -> bool {
    remote.gossip_only && remote.domain.is_empty()
}

/// A checked author and whether its records are listed in public feeds.
pub(crate) struct Author {
    pub member: Member,
    pub listed: bool,
}

impl Node {
    /// The member (local or remote) whose ed25519 key this is, if known.
    pub fn member_by_key(&self, key: &PublicKey) -> NodeResult<Option<Member>> {
        match self.store.load::<tables::MemberByKey>(key.as_bytes())? {
            Some(id) => self.member(id),
            None => Ok(None),
        }
    }

    /// The account a did:key names: known already, or a new key-only
    /// account (nothing but the key known yet; its records arrive over
    /// gossip and sync).
    pub async fn member_for_did(&self, did: &str) -> NodeResult<Member> {
        let key = PublicKey::from_did_key(did)
            .map_err(|_| NodeError::invalid("did", "is not an ed25519 did:key"))?;
        if let Some(member) = self.member_by_key(&key)? {
            return Ok(member);
        }
        let mut keys = self.node_keys().clone();
        keys.ed25519_sealed = Vec::new();
        keys.rsa_private_sealed = Vec::new();
        keys.rsa_public_pem = String::new();
        keys.ed25519_public = key;
        let member = Member {
            id: self.ids.next(),
            username: did.to_string(),
            email: String::new(),
            password_hash: String::new(),
            role: Role::Member,
            status: MemberStatus::Active,
            locked: false,
            profile: Profile::default(),
            keys,
            created_at: now_ms(),
            last_active_at: 0,
            silenced: false,
            deleted_at: None,
            email_unconfirmed: false,
            remote: Some(RemoteAccount {
                actor_id: did.to_string(),
                inbox: String::new(),
                shared_inbox: None,
                followers: None,
                url: String::new(),
                domain: String::new(),
                actor_type: "Person".into(),
                key_id: String::new(),
                has_ed25519: true,
                fetched_at: 0,
                gossip_only: true,
                handle_confirmed: false,
            }),
            kind: crate::model::AccountKind::Person,
        };
        let stored = member.clone();
        let index = *key.as_bytes();
        let created = self
            .write(move |txn| {
                if let Some(existing) = txn.load::<tables::MemberByKey>(index)? {
                    return Ok(Some(existing));
                }
                txn.store::<tables::Member>(stored.id, &stored)?;
                txn.store::<tables::MemberByName>(&stored.username.to_lowercase(), &stored.id)?;
                txn.store::<tables::MemberByKey>(index, &stored.id)?;
                Ok(None)
            })
            .await?;
        match created {
            Some(existing) => self.member(existing)?.ok_or(NodeError::NotFound("member")),
            None => Ok(member),
        }
    }

    /// The author of a verified record signed by `key` and naming `actor`,
    /// with everything checked that needs no write.
    pub(crate) fn gossip_author(&self, key: &PublicKey, actor: &str) -> Result<Author, Refusal> {
        let actor_host = host_of(actor)
            .ok_or_else(|| Refusal::BadBody("actor must be an http(s) URL".into()))?;
        if actor_host == self.config.domain.to_ascii_lowercase() {
            // Our own records are stored when published: a local author
            // we did not sign for is an impersonation.
            return Err(Refusal::LocalAuthor);
        }
        let member = match self.member_by_key(key)? {
            Some(member) => {
                let Some(remote) = &member.remote else {
                    return Err(Refusal::LocalAuthor);
                };
                if !is_key_only(remote) && remote.actor_id != actor {
                    return Err(Refusal::BadBody(
                        "the actor is not the one this key speaks for".into(),
                    ));
                }
                member
            }
            None => {
                let member = self
                    .remote_member_by_uri(actor)?
                    .ok_or_else(|| Refusal::UnknownAuthor(actor.to_string()))?;
                let Some(remote) = &member.remote else {
                    return Err(Refusal::LocalAuthor);
                };
                if !remote.has_ed25519 {
                    return Err(Refusal::NoAuthorKey);
                }
                if member.keys.ed25519_public != *key {
                    return Err(Refusal::WrongKey);
                }
                member
            }
        };
        let domain = actor_host;
        let block = self.domain_block_for(&domain)?;
        let listed = match block.map(|b| b.severity) {
            Some(DomainSeverity::Suspend) => return Err(Refusal::Blocked),
            Some(DomainSeverity::Silence) => false,
            None => true,
        };
        if member.status != MemberStatus::Active {
            return Err(Refusal::Blocked);
        }
        Ok(Author { member, listed })
    }

    /// Applies a signed profile record by `author` (created at `created`
    /// ms): display fields always; for an account known only over gossip,
    /// also who it is and where it lives. An older record than the last
    /// one applied changes nothing.
    pub(crate) async fn apply_gossip_profile(
        &self,
        author: &Member,
        created: i64,
        body: &super::ProfileBody,
        summary_html: String,
    ) -> Result<(), Refusal> {
        let Some(remote) = &author.remote else {
            return Err(Refusal::LocalAuthor);
        };
        let domain = host_of(&body.actor)
            .ok_or_else(|| Refusal::BadBody("actor must be an http(s) URL".into()))?;
        let handle_ok = body.handle.rsplit_once('@').is_some_and(|(name, host)| {
            !name.is_empty()
                && name.len() <= 100
                && !name.contains(['@', '/', '\0', ' '])
                && host.eq_ignore_ascii_case(&domain)
        });
        if !handle_ok {
            return Err(Refusal::BadBody(
                "handle must be name@host of the actor".into(),
            ));
        }
        for (field, url) in [
            ("url", &body.url),
            ("inbox", &body.inbox),
            ("avatar", &body.avatar),
        ] {
            if !url.is_empty() && host_of(url).is_none() {
                return Err(Refusal::BadBody(format!("{field} must be an http(s) URL")));
            }
        }
        if is_key_only(remote) {
            // Another account already holds this actor: the key is not its.
            if let Some(other) = self.remote_member_by_uri(&body.actor)? {
                if other.id != author.id {
                    return Err(Refusal::WrongKey);
                }
            }
        }
        let mut member = author.clone();
        member.profile.full_name = body.name.chars().take(100).collect();
        member.profile.bio.about = summary_html;
        member.profile.avatar_url = body.avatar.clone();
        member.locked = body.locked;
        let old_username = member.username.clone();
        if remote.gossip_only {
            let inbox_ok =
                body.inbox.is_empty() || host_of(&body.inbox).is_some_and(|h| h == domain);
            let remote = RemoteAccount {
                actor_id: body.actor.clone(),
                inbox: if inbox_ok {
                    body.inbox.clone()
                } else {
                    String::new()
                },
                shared_inbox: body
                    .shared_inbox
                    .clone()
                    .filter(|s| host_of(s).is_some_and(|h| h == domain)),
                url: body.url.clone(),
                domain,
                ..remote.clone()
            };
            member.username = body.handle.clone();
            member.remote = Some(remote);
        }
        let new_name = member.username.to_lowercase();
        let stamp = member.id;
        let uri_key = hash_of(&body.actor);
        let gossip_only = remote.gossip_only;
        self.write(move |txn| {
            if txn
                .load::<tables::ProfileEnvelope>(stamp)?
                .is_some_and(|last| last >= created)
            {
                return Ok(());
            }
            txn.store::<tables::ProfileEnvelope>(stamp, &created)?;
            if gossip_only {
                // A signed profile shows a handle but cannot prove it: only
                // WebFinger on the handle's own domain binds a handle to an
                // account (when the actor document is read). The account
                // stays findable by its did:key name.
                let name_key = &new_name;
                if txn
                    .load::<tables::MemberByName>(name_key)?
                    .is_some_and(|holder| holder != member.id)
                {
                    // The handle belongs to another account here; keep
                    // showing this one by its did:key.
                    member.username = old_username.clone();
                }
                txn.store::<tables::ActorByUri>(uri_key, &member.id)?;
            }
            txn.store::<tables::Member>(member.id, &member)?;
            Ok(())
        })
        .await
        .map_err(Refusal::from)
    }
}
