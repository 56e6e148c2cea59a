//! OAuth 2 clients ("apps") and grants: authorization code with PKCE,
//! password, client credentials, revocation. Tokens are the node's
//! ordinary bearer tokens, carrying the granted scopes.

pub mod scopes;

use crate::store::tables;
use base64::Engine;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::Digest;

use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::members::login::IssuedToken;
use crate::model::{now_ms, Member, MemberStatus};
use crate::node::{Node, Viewer};

/// The out-of-band redirect: the code is shown to the user to paste.
pub const OOB: &str = "urn:ietf:wg:oauth:2.0:oob";
/// How long an authorization code lives.
const CODE_TTL_MS: i64 = 10 * 60 * 1000;

/// A registered OAuth client.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct App {
    /// Id.
    pub id: Id,
    /// Name shown to users.
    pub name: String,
    /// The app's website.
    pub website: Option<String>,
    /// Allowed redirect URIs.
    pub redirect_uris: Vec<String>,
    /// Scopes the app may ask for.
    pub scopes: Vec<String>,
    /// Public client id.
    pub client_id: String,
    /// blake3 of the client secret.
    secret_hash: Vec<u8>,
    /// Created (ms).
    pub created_at: i64,
}

/// An app just registered: the secret is shown once.
#[derive(Debug, Clone)]
pub struct RegisteredApp {
    /// The app.
    pub app: App,
    /// Its client secret.
    pub client_secret: String,
}

/// What registering an app takes.
#[derive(Debug, Clone, Default)]
pub struct NewApp {
    /// Name.
    pub name: String,
    /// Redirect URIs (`urn:ietf:wg:oauth:2.0:oob` or absolute URLs).
    pub redirect_uris: Vec<String>,
    /// Space-separated scopes (default `read`).
    pub scopes: String,
    /// Website.
    pub website: Option<String>,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct AuthCode {
    app_id: Id,
    member_id: Id,
    scopes: Vec<String>,
    redirect_uri: String,
    code_challenge: Option<String>,
    expires_at: i64,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct AppSession {
    app_id: Id,
    scopes: Vec<String>,
}

/// A token granted to an app, with its scopes.
#[derive(Debug, Clone)]
pub struct Grant {
    /// The bearer token.
    pub token: String,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// When (ms).
    pub created_at: i64,
}

fn random_token(bytes: usize) -> String {
    let mut raw = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

/// blake3 of a secret, as the key of the record it grants.
fn key_hash(s: &str) -> [u8; 32] {
    *blake3::hash(s.as_bytes()).as_bytes()
}

fn hash(s: &str) -> Vec<u8> {
    blake3::hash(s.as_bytes()).as_bytes().to_vec()
}

/// The scopes asked for (the app's own when none are named), refused when
/// they exceed what the app registered.
fn requested_scopes(app: &App, scope: &str) -> NodeResult<Vec<String>> {
    let asked = if scope.trim().is_empty() {
        app.scopes.clone()
    } else {
        scopes::parse("scope", scope)?
    };
    if !scopes::subset(&asked, &app.scopes) {
        return Err(NodeError::invalid(
            "scope",
            "asks for more than the app registered",
        ));
    }
    Ok(asked)
}

impl Node {
    /// Registers an OAuth client.
    pub async fn create_app(&self, new: NewApp) -> NodeResult<RegisteredApp> {
        let name = new.name.trim().to_string();
        if name.is_empty() {
            return Err(NodeError::invalid("client_name", "must not be empty"));
        }
        crate::validate::max_chars("client_name", &name, 200)?;
        if new.redirect_uris.is_empty() {
            return Err(NodeError::invalid("redirect_uris", "must not be empty"));
        }
        for uri in &new.redirect_uris {
            let ok = uri == OOB
                || (uri.contains("://")
                    && !uri.chars().any(char::is_whitespace)
                    && uri.len() <= 2000);
            if !ok {
                return Err(NodeError::invalid(
                    "redirect_uris",
                    format!("{uri:?} is not an absolute URI"),
                ));
            }
        }
        let scopes = scopes::parse("scopes", &new.scopes)?;
        let client_secret = random_token(32);
        let app = App {
            id: self.ids.next(),
            name,
            website: new.website.filter(|w| !w.is_empty()),
            redirect_uris: new.redirect_uris,
            scopes,
            client_id: random_token(24),
            secret_hash: hash(&client_secret),
            created_at: now_ms(),
        };
        self.write(|txn| {
            txn.store::<tables::App>(app.id, &app)?;
            txn.store::<tables::AppByClientId>(&app.client_id, &app.id)
        })
        .await?;
        Ok(RegisteredApp { app, client_secret })
    }

    /// The app with this client id (`Unauthorized` if none).
    pub fn app_by_client_id(&self, client_id: &str) -> NodeResult<App> {
        let id: Id = self
            .store
            .load::<tables::AppByClientId>(client_id)?
            .ok_or(NodeError::Unauthorized("unknown client_id"))?;
        self.store
            .load::<tables::App>(id)?
            .ok_or(NodeError::Unauthorized("unknown client_id"))
    }

    /// The app with this id.
    pub fn app_by_id(&self, id: Id) -> NodeResult<App> {
        self.store
            .load::<tables::App>(id)?
            .ok_or(NodeError::NotFound("app"))
    }

    /// The app, if the secret matches (compared as blake3 hashes, in constant time).
    pub fn check_client(&self, client_id: &str, client_secret: &str) -> NodeResult<App> {
        let app = self.app_by_client_id(client_id)?;
        let given = blake3::hash(client_secret.as_bytes());
        match blake3::Hash::from_slice(&app.secret_hash) {
            Ok(stored) if stored == given => Ok(app),
            _ => Err(NodeError::Unauthorized("invalid client credentials")),
        }
    }

    /// Checks an authorization request before showing the consent page:
    /// the app exists, the redirect URI is one of its own, the scopes are
    /// among its scopes. Returns the app and the parsed scopes.
    pub fn check_authorization(
        &self,
        client_id: &str,
        redirect_uri: &str,
        scope: &str,
    ) -> NodeResult<(App, Vec<String>)> {
        let app = self.app_by_client_id(client_id)?;
        if !app.redirect_uris.iter().any(|u| u == redirect_uri) {
            return Err(NodeError::invalid(
                "redirect_uri",
                "is not registered for this app",
            ));
        }
        let scopes = requested_scopes(&app, scope)?;
        Ok((app, scopes))
    }

    /// The signed-in viewer approves an authorization request: returns a
    /// one-time code (valid 10 minutes) bound to the app, redirect URI,
    /// scopes and PKCE challenge (S256 only).
    pub async fn authorize(
        &self,
        viewer: &Viewer,
        client_id: &str,
        redirect_uri: &str,
        scope: &str,
        code_challenge: Option<&str>,
        code_challenge_method: Option<&str>,
    ) -> NodeResult<String> {
        let member = viewer.member()?;
        let (app, scopes) = self.check_authorization(client_id, redirect_uri, scope)?;
        if code_challenge.is_some() && !matches!(code_challenge_method, Some("S256")) {
            return Err(NodeError::invalid(
                "code_challenge_method",
                "only S256 is supported",
            ));
        }
        let code = random_token(32);
        let record = AuthCode {
            app_id: app.id,
            member_id: member.id,
            scopes,
            redirect_uri: redirect_uri.to_string(),
            code_challenge: code_challenge.map(str::to_string),
            expires_at: now_ms() + CODE_TTL_MS,
        };
        self.write(|txn| txn.store::<tables::AuthCode>(&key_hash(&code), &record))
            .await?;
        Ok(code)
    }

    /// `grant_type=authorization_code`: trades a code for a token, once.
    pub async fn exchange_code(
        &self,
        client_id: &str,
        client_secret: Option<&str>,
        code: &str,
        redirect_uri: &str,
        code_verifier: Option<&str>,
    ) -> NodeResult<Grant> {
        let app = self.app_by_client_id(client_id)?;
        let key = &key_hash(code);
        let record: AuthCode = self
            .write(|txn| {
                let record: Option<AuthCode> = txn.load::<tables::AuthCode>(key)?;
                txn.remove::<tables::AuthCode>(key); // a code works once, even if the rest fails
                Ok(record)
            })
            .await?
            .ok_or(NodeError::invalid("code", "invalid or already used"))?;
        if record.app_id != app.id || record.expires_at < now_ms() {
            return Err(NodeError::invalid("code", "invalid or expired"));
        }
        if record.redirect_uri != redirect_uri {
            return Err(NodeError::invalid(
                "redirect_uri",
                "does not match the authorization request",
            ));
        }
        match (&record.code_challenge, code_verifier, client_secret) {
            (Some(challenge), Some(verifier), _) => {
                let digest = sha2::Sha256::digest(verifier.as_bytes());
                let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest);
                if &computed != challenge {
                    return Err(NodeError::invalid(
                        "code_verifier",
                        "does not match the code challenge",
                    ));
                }
            }
            (Some(_), None, _) => {
                return Err(NodeError::invalid("code_verifier", "is required (PKCE)"))
            }
            (None, _, Some(secret)) => {
                self.check_client(client_id, secret)?;
            }
            (None, _, None) => return Err(NodeError::invalid("client_secret", "is required")),
        }
        let member = self
            .member(record.member_id)?
            .ok_or(NodeError::NotFound("member"))?;
        self.grant(&app, &member, record.scopes).await
    }

    /// `grant_type=password`: for scripts and bots.
    pub async fn password_grant(
        &self,
        client_id: &str,
        client_secret: &str,
        login: &str,
        password: &str,
        scope: &str,
    ) -> NodeResult<Grant> {
        let app = self.check_client(client_id, client_secret)?;
        let scopes = requested_scopes(&app, scope)?;
        let member = self.verify_login(login, password).await?;
        self.grant(&app, &member, scopes).await
    }

    /// `grant_type=client_credentials`: a token for the app itself (no member).
    pub async fn client_credentials(
        &self,
        client_id: &str,
        client_secret: &str,
        scope: &str,
    ) -> NodeResult<Grant> {
        let app = self.check_client(client_id, client_secret)?;
        // Unnamed: `read`, as Mastodon; never more than the app registered.
        let scopes = requested_scopes(
            &app,
            if scope.trim().is_empty() {
                "read"
            } else {
                scope
            },
        )?;
        let token = random_token(32);
        let session = AppSession {
            app_id: app.id,
            scopes: scopes.clone(),
        };
        self.write(|txn| txn.store::<tables::AppToken>(&key_hash(&token), &session))
            .await?;
        Ok(Grant {
            token,
            scopes,
            created_at: now_ms(),
        })
    }

    /// Sign-up through an app (`POST /api/v1/accounts`): `app_token` must be
    /// a client-credentials token with `write:accounts` (or `write`). The new
    /// member gets a token for that app with the app's scopes. `ip` is the
    /// client's address (see [`Node::register_from`]).
    pub async fn register_with_app(
        &self,
        app_token: &str,
        new: crate::members::NewMember,
        ip: Option<std::net::IpAddr>,
    ) -> NodeResult<Grant> {
        let (app, token_scopes) = self.authenticate_app(app_token)?;
        if !scopes::allows(&token_scopes, "write:accounts") {
            return Err(NodeError::Forbidden(
                "This action is outside the authorized scopes",
            ));
        }
        let member = self.register_from(new, ip).await?;
        self.grant(&app, &member, app.scopes.clone()).await
    }

    /// The app behind an app-only token.
    pub fn authenticate_app(&self, token: &str) -> NodeResult<(App, Vec<String>)> {
        let session: AppSession = self
            .store
            .load::<tables::AppToken>(&key_hash(token))?
            .ok_or(NodeError::Unauthorized("invalid or revoked token"))?;
        let app = self
            .store
            .load::<tables::App>(session.app_id)?
            .ok_or(NodeError::Unauthorized("invalid or revoked token"))?;
        Ok((app, session.scopes))
    }

    /// Revokes a token issued to this client (member or app token). An
    /// unknown token is not an error (RFC 7009).
    pub async fn revoke_app_token(
        &self,
        client_id: &str,
        client_secret: &str,
        token: &str,
    ) -> NodeResult<()> {
        let app = self.check_client(client_id, client_secret)?;
        let member_session = self.store.load::<tables::Token>(&key_hash(token))?;
        if let Some(session) = member_session.filter(|s| s.app_id == Some(app.id)) {
            return self
                .revoke_session(
                    &Viewer::Member(Box::new(
                        self.member(session.member_id)?
                            .ok_or(NodeError::NotFound("member"))?,
                    )),
                    session.id,
                )
                .await;
        }
        let app_key = &key_hash(token);
        if let Some(s) = self.store.load::<tables::AppToken>(app_key)? {
            if s.app_id == app.id {
                self.write(|txn| {
                    txn.remove::<tables::AppToken>(app_key);
                    Ok(())
                })
                .await?;
            }
        }
        Ok(())
    }

    async fn grant(&self, app: &App, member: &Member, scopes: Vec<String>) -> NodeResult<Grant> {
        if member.status != MemberStatus::Active {
            return Err(NodeError::Forbidden("this account is suspended"));
        }
        let IssuedToken { token, .. } = self
            .issue_scoped_token(member.id, &app.name, Some(app.id), scopes.clone())
            .await?;
        Ok(Grant {
            token,
            scopes,
            created_at: now_ms(),
        })
    }
}
