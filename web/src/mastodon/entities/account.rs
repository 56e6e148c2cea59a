//! Account (and CredentialAccount, with `source`).

use node::model::{MemberView, RemoteLink};
use serde::Serialize;

use super::text::{escape, text_to_html};
use super::{date, Renderer, Unsupported};

/// Mastodon's Account.
#[derive(Debug, Clone, Serialize)]
pub struct Account {
    /// Member id.
    pub id: String,
    /// The name without the server.
    pub username: String,
    /// `name` for a local member, `name@server` for a remote one.
    pub acct: String,
    /// Full name, or the username when there is none.
    pub display_name: String,
    /// Whether follows need approval.
    pub locked: bool,
    /// Always false.
    pub bot: bool,
    /// Always true.
    pub discoverable: bool,
    /// Always true.
    pub indexable: bool,
    /// Whether the account is a group: following it joins it, and a
    /// status that mentions it is posted in it.
    pub group: bool,
    /// Always false.
    pub noindex: bool,
    /// When the member joined.
    pub created_at: String,
    /// The bio as HTML.
    pub note: String,
    /// The profile page.
    pub url: String,
    /// The ActivityPub actor.
    pub uri: String,
    /// Avatar URL (a blank image when none is set).
    pub avatar: String,
    /// Same as `avatar` (no animated avatars).
    pub avatar_static: String,
    /// Header URL (always the blank image).
    pub header: String,
    /// Same as `header`.
    pub header_static: String,
    /// Followers.
    pub followers_count: i64,
    /// Followed accounts.
    pub following_count: i64,
    /// Posts.
    pub statuses_count: i64,
    /// Not tracked: always null.
    pub last_status_at: Option<String>,
    /// No custom emojis: always empty.
    pub emojis: Vec<Unsupported>,
    /// Profile links.
    pub fields: Vec<Field>,
    /// No roles shown: always empty.
    pub roles: Vec<Unsupported>,
}

/// A profile field (name and value; never verified).
#[derive(Debug, Clone, Serialize)]
pub struct Field {
    /// Label.
    pub name: String,
    /// Value (HTML in an Account, plain in a Source).
    pub value: String,
    /// Always null.
    pub verified_at: Option<String>,
}

/// The member's own view of their profile, as entered.
#[derive(Debug, Clone, Serialize)]
pub struct Source {
    /// Default visibility of new posts (always `public`).
    pub privacy: &'static str,
    /// Default sensitivity (always false).
    pub sensitive: bool,
    /// Preferred language, if set.
    pub language: Option<String>,
    /// The bio as plain text.
    pub note: String,
    /// Profile fields as plain text.
    pub fields: Vec<Field>,
    /// Pending follow requests.
    pub follow_requests_count: usize,
}

/// An Account with its `source` (verify_credentials, update_credentials).
#[derive(Debug, Clone, Serialize)]
pub struct CredentialAccount {
    /// The account.
    #[serde(flatten)]
    pub account: Account,
    /// What the member entered.
    pub source: Source,
}

/// Profile links as fields; `html` escapes the values.
fn fields(m: &MemberView, html: bool) -> Vec<Field> {
    m.details
        .as_ref()
        .map(|d| {
            d.social_links
                .iter()
                .map(|(k, v)| Field {
                    name: k.clone(),
                    value: if html { escape(v) } else { v.clone() },
                    verified_at: None,
                })
                .collect()
        })
        .unwrap_or_default()
}

impl Renderer<'_> {
    /// An Account.
    pub fn account(&self, m: &MemberView) -> Account {
        let avatar = if m.avatar_url.is_empty() {
            self.urls.missing_avatar()
        } else {
            m.avatar_url.clone()
        };
        let note = m
            .details
            .as_ref()
            .map(|d| text_to_html(&d.bio.about))
            .unwrap_or_default();
        let (username, url, uri) = self.addresses(&m.username, m.remote.as_ref());
        Account {
            id: m.id.to_string(),
            username: username.to_string(),
            acct: m.username.clone(),
            display_name: if m.full_name.is_empty() {
                username.to_string()
            } else {
                m.full_name.clone()
            },
            locked: m.locked,
            bot: false,
            discoverable: true,
            indexable: true,
            group: m.kind == node::model::AccountKind::Group,
            noindex: false,
            created_at: date(m.created_at),
            note,
            url,
            uri,
            avatar_static: avatar.clone(),
            avatar,
            header: self.urls.missing_header(),
            header_static: self.urls.missing_header(),
            followers_count: m.followers_count,
            following_count: m.following_count,
            statuses_count: m.posts_count,
            last_status_at: None,
            emojis: Vec::new(),
            fields: fields(m, true),
            roles: Vec::new(),
        }
    }

    /// An Account with `source` (verify_credentials / update_credentials).
    pub fn credential_account(&self, m: &MemberView, follow_requests: usize) -> CredentialAccount {
        let (note, language) = match (&m.details, &m.private) {
            (Some(d), Some(p)) => (d.bio.about.clone(), p.preferences.language.clone()),
            _ => (String::new(), String::new()),
        };
        CredentialAccount {
            account: self.account(m),
            source: Source {
                privacy: "public",
                sensitive: false,
                language: Some(language).filter(|l| !l.is_empty()),
                note,
                fields: fields(m, false),
                follow_requests_count: follow_requests,
            },
        }
    }

    /// An account's Mastodon `username` (without the server), `url` and
    /// `uri`: its own server's addresses for a remote account.
    pub(super) fn addresses<'m>(
        &self,
        acct: &'m str,
        remote: Option<&RemoteLink>,
    ) -> (&'m str, String, String) {
        match remote {
            Some(link) => (
                acct.split_once('@').map_or(acct, |(name, _)| name),
                link.url.clone(),
                link.uri.clone(),
            ),
            None => (acct, self.urls.profile_page(acct), self.urls.actor(acct)),
        }
    }
}
