//! Members, sessions, and what callers see of them.

use serde::{Deserialize, Serialize};

use super::profile::Profile;
use crate::id::Id;
use identity::MemberKeys;

/// What a member may do on the node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A regular member.
    Member,
    /// May moderate content.
    Moderator,
    /// May administer the node.
    Admin,
}

/// Whether a member may use the node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    /// Normal.
    Active,
    /// Cannot log in; their content is hidden.
    Suspended,
    /// Registered on an approval-mode node; waits for an admin.
    Pending,
}

/// What an account is: a person, or a group (whose members follow it).
///
/// A group is an account so that its handle shares the username
/// namespace (`acct:name@domain` names one thing) and it has keys, and so
/// that follows, actors, WebFinger and delivery serve it as they serve
/// people. Groups cannot sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// A person (every account stored before groups existed).
    #[default]
    Person,
    /// A group: settings in `tables::Group`, members as its followers.
    Group,
}

impl AccountKind {
    /// Whether this is [`AccountKind::Person`] (not written to records).
    pub fn is_person(&self) -> bool {
        *self == AccountKind::Person
    }
}

/// A stored member account.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Member {
    /// Time-ordered id.
    pub id: Id,
    /// Unique, as typed at registration (compared case-insensitively).
    pub username: String,
    /// Unique, lower-cased.
    pub email: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Role.
    pub role: Role,
    /// Status.
    pub status: MemberStatus,
    /// Follows need approval.
    pub locked: bool,
    /// Profile fields.
    pub profile: Profile,
    /// Key pairs; private halves sealed with the node secret.
    pub keys: MemberKeys,
    /// Creation time (ms).
    pub created_at: i64,
    /// Last post time (ms), for "active members".
    #[serde(default)]
    pub last_active_at: i64,
    /// Silenced by a moderator: their posts stay out of public timelines
    /// (followers still see them).
    #[serde(default)]
    pub silenced: bool,
    /// When an admin deleted the account (its posts are gone, the
    /// username stays taken).
    #[serde(default)]
    pub deleted_at: Option<i64>,
    /// Set for an account that lives on another server (an ActivityPub
    /// actor known here); `None` for the node's own members.
    #[serde(default)]
    pub remote: Option<RemoteAccount>,
    /// Signed up on a node that sends e-mail and has not yet followed the
    /// confirmation link: no sign-in until then. Records written before
    /// e-mail confirmation existed read as confirmed.
    #[serde(default)]
    pub email_unconfirmed: bool,
    /// A person or a group. Local groups only: an account of another
    /// server keeps its actor type in [`RemoteAccount::actor_type`].
    #[serde(default, skip_serializing_if = "AccountKind::is_person")]
    pub kind: AccountKind,
}

impl Member {
    /// Whether this account is a group.
    pub fn is_group(&self) -> bool {
        self.kind == AccountKind::Group
    }

    /// Whether this account is a group of another server (a Lemmy
    /// community, another node's group): its settings are its server's.
    pub fn is_remote_group(&self) -> bool {
        self.is_group() && !self.is_local()
    }

    /// Whether this member is one of the node's own.
    pub fn is_local(&self) -> bool {
        self.remote.is_none()
    }

    /// The member's did:key, or empty for a remote account that published
    /// no ed25519 key.
    pub fn did(&self) -> String {
        match &self.remote {
            Some(r) if !r.has_ed25519 => String::new(),
            _ => self.keys.ed25519_public.to_did_key(),
        }
    }
}

impl RemoteAccount {
    /// Where to deliver to this account: its server's shared inbox when it
    /// has one (one request per server), else its own inbox.
    pub fn delivery_inbox(&self) -> &str {
        self.shared_inbox.as_deref().unwrap_or(&self.inbox)
    }
}

/// What the node knows of an account on another server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteAccount {
    /// The actor's id (URI).
    pub actor_id: String,
    /// Its personal inbox.
    pub inbox: String,
    /// Its server's shared inbox, if it has one.
    pub shared_inbox: Option<String>,
    /// Its followers collection.
    pub followers: Option<String>,
    /// The public page for people.
    pub url: String,
    /// The host part of the actor id (with port if any), lower-cased.
    pub domain: String,
    /// `Person`, `Service`, `Group`, `Application`...
    pub actor_type: String,
    /// The HTTP-signature key id (`publicKey.id`).
    pub key_id: String,
    /// Whether `keys.ed25519_public` holds a key the actor published
    /// (FEP-521a `assertionMethod`); otherwise it is a placeholder.
    pub has_ed25519: bool,
    /// When the actor document was last fetched (ms).
    pub fetched_at: i64,
    /// Known only from records its key signed over gossip: the actor
    /// document has not (yet) confirmed that the key is the actor's, or
    /// (with an empty `domain`) nothing but the did:key is known.
    #[serde(default)]
    pub gossip_only: bool,
    /// Whether WebFinger on the handle's own domain named this actor when
    /// its document was last read: only then is the handle (`username`)
    /// bound to it in the name index. Records written before this check
    /// existed read as unconfirmed and are checked at their next refresh.
    #[serde(default)]
    pub handle_confirmed: bool,
}

/// A bearer-token session (stored under the token's hash).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    /// Token id (to list and revoke).
    pub id: Id,
    /// Owner.
    pub member_id: Id,
    /// A label (e.g. the client's name).
    pub label: String,
    /// Creation time (ms).
    pub created_at: i64,
    /// The OAuth app it was granted to (none: a Kodeon login).
    #[serde(default)]
    pub app_id: Option<Id>,
    /// Granted OAuth scopes (empty: full access, a Kodeon login).
    #[serde(default)]
    pub scopes: Vec<String>,
    /// What it was made for; each way in takes only its own kind.
    #[serde(default)]
    pub kind: SessionKind,
    /// When it was last used to authenticate (ms), coarsely: recorded at
    /// most once per [`crate::members::login::LAST_USED_EVERY_MS`]. 0 for
    /// sessions stored before this was recorded and not used since.
    #[serde(default)]
    pub last_used_at: i64,
}

/// What a session was made for. A token works only where its kind is
/// taken: an API token is no admin-panel or members' app cookie, and
/// neither cookie is a bearer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    /// A bearer token for the APIs: a Kodeon login or an OAuth grant
    /// (sessions stored before kinds existed read as this).
    #[default]
    Api,
    /// The admin panel's cookie, made by the panel's own login form.
    AdminPanel,
    /// The members' web app's cookie, made by its own sign-in form.
    MembersApp,
}

/// The short form of a member embedded in posts and lists.
#[derive(Debug, Clone, Serialize)]
pub struct MemberSummary {
    /// Member id.
    pub id: Id,
    /// Username (`name@host` for an account of another server).
    pub username: String,
    /// Display name.
    pub full_name: String,
    /// Avatar URL or empty.
    pub avatar_url: String,
    /// did:key of the member's ed25519 key.
    pub did: String,
    /// Where an account of another server lives; absent for local members.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote: Option<RemoteLink>,
}

/// The addresses of something that lives on another server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemoteLink {
    /// Its ActivityPub id.
    pub uri: String,
    /// Its page for people.
    pub url: String,
}

impl RemoteAccount {
    /// The actor's addresses.
    pub fn link(&self) -> RemoteLink {
        RemoteLink {
            uri: self.actor_id.clone(),
            url: if self.url.is_empty() {
                self.actor_id.clone()
            } else {
                self.url.clone()
            },
        }
    }
}

/// How the viewer relates to a member.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Relationship {
    /// The viewer follows them.
    pub following: bool,
    /// The viewer asked to follow and waits for approval.
    pub requested: bool,
    /// They follow the viewer.
    pub followed_by: bool,
    /// The viewer blocks them.
    pub blocking: bool,
    /// They block the viewer.
    pub blocked_by: bool,
    /// The viewer mutes them.
    pub muting: bool,
}

/// A member as a given viewer may see them: details are `None` when the
/// profile's privacy hides them from this viewer.
#[derive(Debug, Clone, Serialize)]
pub struct MemberView {
    /// Member id.
    pub id: Id,
    /// Username.
    pub username: String,
    /// Display name.
    pub full_name: String,
    /// Avatar URL or empty.
    pub avatar_url: String,
    /// Follows need approval.
    pub locked: bool,
    /// Role.
    pub role: Role,
    /// did:key of the member's ed25519 key.
    pub did: String,
    /// Joined (RFC 3339).
    #[serde(serialize_with = "super::rfc3339::serialize")]
    pub created_at: i64,
    /// Followers count.
    pub followers_count: i64,
    /// Following count.
    pub following_count: i64,
    /// Posts count.
    pub posts_count: i64,
    /// Bio, skills, social links, preferences.privacy — hidden by privacy.
    pub details: Option<MemberDetails>,
    /// Relationship to the viewer (absent for anonymous viewers and self).
    pub relationship: Option<Relationship>,
    /// Email and preferences: only for the member themself.
    pub private: Option<PrivateDetails>,
    /// Where an account of another server lives; absent for local members.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote: Option<RemoteLink>,
    /// `group` for a group's account (its settings and members are at
    /// `/groups/{name}`); absent for a person.
    #[serde(skip_serializing_if = "AccountKind::is_person")]
    pub kind: AccountKind,
}

/// Profile details governed by privacy.
#[derive(Debug, Clone, Serialize)]
pub struct MemberDetails {
    /// Bio.
    pub bio: super::Bio,
    /// Skills.
    pub skills: super::Skills,
    /// Social links.
    pub social_links: std::collections::BTreeMap<String, String>,
}

/// What only the member themself sees.
#[derive(Debug, Clone, Serialize)]
pub struct PrivateDetails {
    /// Email.
    pub email: String,
    /// Preferences (language, timezone, notifications, privacy).
    pub preferences: super::Preferences,
    /// Status.
    pub status: MemberStatus,
}
