//! Remote accounts: created or refreshed from a fetched actor document.

use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::{now_ms, Member, MemberStatus, Profile, RemoteAccount, Role};
use crate::node::Node;
use crate::store::{hash_of, tables};

/// What the federation layer read from an actor document (already
/// checked: its id, inbox and key belong to the origin that served it;
/// HTML sanitised).
#[derive(Debug, Clone)]
pub struct RemoteActor {
    /// The actor's id.
    pub actor_id: String,
    /// `preferredUsername`.
    pub username: String,
    /// Display name.
    pub name: String,
    /// Sanitised `summary` HTML.
    pub summary: String,
    /// Avatar URL or empty.
    pub avatar_url: String,
    /// Public page.
    pub url: String,
    /// Inbox.
    pub inbox: String,
    /// Shared inbox.
    pub shared_inbox: Option<String>,
    /// Followers collection.
    pub followers: Option<String>,
    /// `manuallyApprovesFollowers`.
    pub locked: bool,
    /// Actor type.
    pub actor_type: String,
    /// `publicKey.id`.
    pub key_id: String,
    /// `publicKey.publicKeyPem`.
    pub public_key_pem: String,
    /// The FEP-521a ed25519 key, if published.
    pub ed25519: Option<identity::PublicKey>,
    /// Whether the document carries a proof made with that ed25519 key
    /// over itself (so over the actor id): the key's holder vouches for
    /// this actor, not only the actor for the key.
    pub ed25519_proven: bool,
    /// The handle (`name@domain`) that WebFinger on `domain` says names
    /// this actor; `None` when that was not (or could not be) confirmed.
    pub confirmed_handle: Option<String>,
}

impl RemoteActor {
    /// The `Person` `actor_id` called `username`, laid out as Mastodon
    /// lays out its actors (its page at its id, its inbox at
    /// `{actor_id}/inbox`, its key at `{actor_id}#main-key`), with nothing
    /// else known yet: the caller fills in the rest.
    pub fn person(actor_id: &str, username: &str) -> RemoteActor {
        RemoteActor {
            actor_id: actor_id.into(),
            username: username.into(),
            name: String::new(),
            summary: String::new(),
            avatar_url: String::new(),
            url: actor_id.into(),
            inbox: format!("{actor_id}/inbox"),
            shared_inbox: None,
            followers: None,
            locked: false,
            actor_type: "Person".into(),
            key_id: format!("{actor_id}#main-key"),
            public_key_pem: String::new(),
            ed25519: None,
            ed25519_proven: false,
            confirmed_handle: None,
        }
    }
}

/// Whether `name` may be the local part of a remote handle.
fn valid_remote_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 100 && !name.contains(['@', '/', '\\', '\0', ' '])
}

impl Node {
    /// Creates or refreshes the account for a remote actor.
    ///
    /// Its username is the confirmed handle, or `preferredUsername@host`.
    /// A handle is bound to the account (found by name) only when WebFinger
    /// confirmed it, or when it was bound to this same account before; a
    /// confirmed handle that named another account moves here, logged. An
    /// ed25519 key is the account's only if no other identity holds it and
    /// the document proves it (or it is the key this account was followed
    /// by over gossip); a second claimant is refused and logged.
    pub async fn upsert_remote_actor(&self, actor: RemoteActor) -> NodeResult<Member> {
        let domain = super::host_of(&actor.actor_id)
            .ok_or_else(|| NodeError::invalid("actor", "id is not an http(s) URL"))?;
        if !valid_remote_name(&actor.username) {
            return Err(NodeError::invalid(
                "preferredUsername",
                "is not a valid name",
            ));
        }
        let confirmed = match &actor.confirmed_handle {
            Some(h) => {
                let valid = h.rsplit_once('@').is_some_and(|(name, host)| {
                    valid_remote_name(name)
                        && protocol::urls::normalise_host(host).as_deref() == Some(host)
                });
                if !valid {
                    return Err(NodeError::invalid("handle", "is not name@domain"));
                }
                true
            }
            None => false,
        };
        let handle = actor
            .confirmed_handle
            .clone()
            .unwrap_or_else(|| format!("{}@{}", actor.username, domain));
        let uri_key = hash_of(&actor.actor_id);
        let mut existing = self.remote_member_by_uri(&actor.actor_id)?;
        if existing.is_none() {
            // Known so far only by its did:key (followed over gossip): this
            // document speaks for that account only if the key proves it
            // or the key's own signed profile named this actor.
            if let Some(ed) = &actor.ed25519 {
                existing = self.member_by_key(ed)?.filter(|m| {
                    m.remote.as_ref().is_some_and(|r| {
                        r.gossip_only && (actor.ed25519_proven || r.actor_id == actor.actor_id)
                    })
                });
            }
        }
        let contradicted = existing.as_ref().and_then(|m| {
            let gossip_only = m.remote.as_ref().is_some_and(|r| r.gossip_only);
            (gossip_only && actor.ed25519 != Some(m.keys.ed25519_public)).then(|| m.clone())
        });
        if let Some(impostor) = &contradicted {
            // What gossip said this actor wrote was signed by a key the
            // actor does not publish: none of it was theirs.
            tracing::warn!(actor = %actor.actor_id, "the actor's document contradicts its gossip key; dropping what that key signed here");
            self.drop_remote_posts(impostor).await?;
        }
        let old_key = existing.as_ref().map(|m| m.keys.ed25519_public);
        // Members here who followed it by key alone, before any server
        // vouched for it: the document now says whether to keep them.
        let was_gossip_only = existing
            .as_ref()
            .and_then(|m| m.remote.as_ref())
            .is_some_and(|r| r.gossip_only);
        let key_confirmed = contradicted.is_none();
        let old_name = existing.as_ref().map(|m| m.username.to_lowercase());
        let mut keys = self.node_keys().clone();
        keys.ed25519_sealed = Vec::new();
        keys.rsa_private_sealed = Vec::new();
        keys.rsa_public_pem = actor.public_key_pem.clone();
        let placeholder = keys.ed25519_public;
        if let Some(ed) = actor.ed25519 {
            keys.ed25519_public = ed;
        }
        // A `Group` actor (a Lemmy community, another node's group) is a
        // group account here too: members join it by following it.
        let kind = if actor.actor_type == "Group" {
            crate::model::AccountKind::Group
        } else {
            crate::model::AccountKind::Person
        };
        let remote = RemoteAccount {
            actor_id: actor.actor_id.clone(),
            inbox: actor.inbox,
            shared_inbox: actor.shared_inbox,
            followers: actor.followers,
            url: actor.url,
            domain,
            actor_type: actor.actor_type,
            key_id: actor.key_id,
            has_ed25519: actor.ed25519.is_some(),
            fetched_at: now_ms(),
            gossip_only: false,
            handle_confirmed: confirmed,
        };
        let member = match existing {
            Some(mut m) => {
                m.username = handle.clone();
                m.profile.full_name = actor.name;
                m.profile.bio.about = actor.summary;
                m.profile.avatar_url = actor.avatar_url;
                m.locked = actor.locked;
                m.keys = keys;
                m.remote = Some(remote);
                m.kind = kind;
                m
            }
            None => Member {
                id: self.ids.next(),
                username: handle.clone(),
                email: String::new(),
                password_hash: String::new(),
                role: Role::Member,
                status: MemberStatus::Active,
                locked: actor.locked,
                profile: Profile {
                    full_name: actor.name,
                    avatar_url: actor.avatar_url,
                    bio: crate::model::Bio {
                        about: actor.summary,
                        ..Default::default()
                    },
                    ..Profile::default()
                },
                keys,
                created_at: now_ms(),
                last_active_at: 0,
                silenced: false,
                deleted_at: None,
                email_unconfirmed: false,
                remote: Some(remote),
                kind,
            },
        };
        let proven = actor.ed25519_proven;
        let mut stored = member;
        let (member, settled) = self
            .write(move |txn| {
                // Two fetches of the same new actor at once (an inbox and
                // gossip, say): the second refreshes the account the first
                // created instead of making a twin.
                if let Some(other) = txn.load::<tables::ActorByUri>(uri_key)? {
                    if other != stored.id {
                        if let Some(first) = txn.load::<tables::Member>(other)? {
                            stored.id = first.id;
                            stored.created_at = first.created_at;
                            stored.last_active_at = first.last_active_at;
                            stored.status = first.status;
                            stored.silenced = first.silenced;
                        }
                    }
                }
                bind_key(txn, &mut stored, proven, placeholder)?;
                bind_handle(txn, &mut stored, confirmed, old_name.as_deref())?;
                txn.store::<tables::Member>(stored.id, &stored)?;
                txn.store::<tables::ActorByUri>(uri_key, &stored.id)?;
                if let Some(old) = old_key.filter(|k| *k != stored.keys.ed25519_public) {
                    if txn.load::<tables::MemberByKey>(old.as_bytes())? == Some(stored.id) {
                        txn.remove::<tables::MemberByKey>(old.as_bytes());
                    }
                }
                let settled = if was_gossip_only {
                    self.settle_key_follows(txn, stored.id, key_confirmed)?
                } else {
                    Vec::new()
                };
                Ok((stored.clone(), settled))
            })
            .await?;
        for follower in settled {
            self.timelines.forget_following(follower);
        }
        Ok(member)
    }

    /// Once a gossip-only account's actor document has answered: the local
    /// members who followed its key now also send it an ActivityPub Follow
    /// (so that followers-only posts can reach them once it accepts), or,
    /// if the document named another key, stop following it (they followed
    /// that key, not this actor). Returns the members touched.
    fn settle_key_follows(
        &self,
        txn: &mut crate::store::Txn<'_>,
        account: Id,
        confirmed: bool,
    ) -> NodeResult<Vec<Id>> {
        let followers: Vec<Id> = txn
            .scan::<tables::Followers>((account,), false)
            .keys()
            .filter_map(|key| key.ok().map(|(_, follower)| follower))
            .collect();
        let mut touched = Vec::new();
        for follower in followers {
            let local = txn
                .load::<tables::Member>(follower)?
                .is_some_and(|m| m.is_local());
            if !local {
                continue;
            }
            touched.push(follower);
            if !confirmed {
                self.remove_follow(txn, follower, account)?;
                continue;
            }
            let activity = (account, follower);
            if txn.has::<tables::FollowActivity>(activity)? {
                continue;
            }
            let activity_id = self.urls().follow(self.ids.next());
            txn.store::<tables::FollowActivity>(activity, &activity_id)?;
            self.federate(
                txn,
                super::Outgoing::Follow {
                    follower,
                    followee: account,
                    activity_id,
                },
            )?;
        }
        Ok(touched)
    }

    /// Deletes every post here by a remote account (its server disowned
    /// them, or never wrote them).
    pub(crate) async fn drop_remote_posts(&self, remote: &Member) -> NodeResult<()> {
        let posts: Vec<Id> = self
            .store
            .scan::<tables::AuthorPosts>((remote.id,), false)
            .keys()
            .map(|key| key.map(|(_, post)| post))
            .collect::<Result<_, _>>()?;
        let viewer = crate::node::Viewer::Member(Box::new(remote.clone()));
        for id in posts {
            let uri = self.post_record(id)?.and_then(|p| p.remote).map(|r| r.uri);
            match self.delete_post(&viewer, id).await {
                Ok(()) | Err(NodeError::NotFound(_)) => {}
                Err(e) => return Err(e),
            }
            if let Some(uri) = uri {
                self.write(move |txn| {
                    txn.remove::<tables::PostByUri>(hash_of(&uri));
                    Ok(())
                })
                .await?;
            }
        }
        Ok(())
    }

    /// The remote account with this actor id, if known.
    pub fn remote_member_by_uri(&self, actor_id: &str) -> NodeResult<Option<Member>> {
        match self.store.load::<tables::ActorByUri>(hash_of(actor_id))? {
            Some(id) => self.member(id),
            None => Ok(None),
        }
    }

    /// Loads any member (local or remote) by id.
    pub fn member_by_id(&self, id: Id) -> NodeResult<Option<Member>> {
        self.member(id)
    }

    /// Loads a member by username (`name` for local members,
    /// `name@domain` for remote accounts), any status.
    pub fn find_member(&self, username: &str) -> NodeResult<Option<Member>> {
        self.member_by_name(username)
    }
}

/// Gives `account` the ed25519 key its document published, if the key is
/// free and proven, or already its own; otherwise the account keeps no
/// key (`has_ed25519` false, a placeholder that is indexed nowhere).
fn bind_key(
    txn: &mut crate::store::Txn<'_>,
    account: &mut Member,
    proven: bool,
    placeholder: identity::PublicKey,
) -> NodeResult<()> {
    let Some(remote) = account.remote.as_mut().filter(|r| r.has_ed25519) else {
        return Ok(());
    };
    let index = *account.keys.ed25519_public.as_bytes();
    match txn.load::<tables::MemberByKey>(index)? {
        Some(holder) if holder == account.id => return Ok(()),
        Some(holder) => {
            tracing::warn!(
                actor = %remote.actor_id, holder = %holder,
                "an actor document claims an ed25519 key that another identity holds; the claim is refused"
            );
        }
        None if proven => {
            txn.store::<tables::MemberByKey>(index, &account.id)?;
            return Ok(());
        }
        None => {
            tracing::info!(
                actor = %remote.actor_id,
                "an actor document names an ed25519 key without proving it; the key is not bound"
            );
        }
    }
    remote.has_ed25519 = false;
    account.keys.ed25519_public = placeholder;
    Ok(())
}

/// Binds `account`'s handle in the name index when WebFinger confirmed it
/// (moving it from an account that held it, which is then unconfirmed) or
/// when it was bound to this account already; otherwise leaves the index
/// alone. Drops the account's old name when its handle changed.
fn bind_handle(
    txn: &mut crate::store::Txn<'_>,
    account: &mut Member,
    confirmed: bool,
    old_name: Option<&str>,
) -> NodeResult<()> {
    let name = account.username.to_lowercase();
    let name_key = &name;
    let holder = txn.load::<tables::MemberByName>(name_key)?;
    let bound_here = holder == Some(account.id);
    if let Some(old) = old_name.filter(|old| *old != name) {
        let old_key = old;
        if txn.load::<tables::MemberByName>(old_key)? == Some(account.id) {
            txn.remove::<tables::MemberByName>(old_key);
        }
    }
    if confirmed && !bound_here {
        if let Some(previous) = holder {
            if let Some(mut other) = txn.load::<tables::Member>(previous)? {
                if other.is_local() {
                    // A remote handle never names a local member; this
                    // cannot happen with a host check, so refuse loudly.
                    return Err(NodeError::conflict(
                        "username",
                        "the handle names a local member",
                    ));
                }
                tracing::warn!(
                    handle = %account.username, from = %previous, to = %account.id,
                    "WebFinger moved a handle to another actor"
                );
                if let Some(r) = other.remote.as_mut() {
                    r.handle_confirmed = false;
                }
                txn.store::<tables::Member>(previous, &other)?;
            }
        }
        txn.store::<tables::MemberByName>(name_key, &account.id)?;
    }
    if let Some(r) = account.remote.as_mut() {
        r.handle_confirmed = confirmed || bound_here;
    }
    Ok(())
}
