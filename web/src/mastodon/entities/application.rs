//! OAuth entities: Application, Token, and OAuth's error body.

use node::apps::{App, Grant, RegisteredApp};
use serde::Serialize;

/// Mastodon's Application (a CredentialApplication, with the client id
/// and secret, when just registered).
#[derive(Debug, Clone, Serialize)]
pub struct Application {
    /// App id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its website.
    pub website: Option<String>,
    /// The scopes it may ask for.
    pub scopes: Vec<String>,
    /// Its redirect URIs, one a line.
    pub redirect_uri: String,
    /// Its redirect URIs.
    pub redirect_uris: Vec<String>,
    /// Client id (only when just registered).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Client secret (only when just registered, shown once).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// No Web Push: always empty.
    pub vapid_key: &'static str,
}

impl Application {
    /// An app as seen with its token.
    pub fn of(app: &App) -> Self {
        Application {
            id: app.id.to_string(),
            name: app.name.clone(),
            website: app.website.clone(),
            scopes: app.scopes.clone(),
            redirect_uri: app.redirect_uris.join("\n"),
            redirect_uris: app.redirect_uris.clone(),
            client_id: None,
            client_secret: None,
            vapid_key: "",
        }
    }

    /// An app just registered, with its client id and secret.
    pub fn registered(r: &RegisteredApp) -> Self {
        Application {
            client_id: Some(r.app.client_id.clone()),
            client_secret: Some(r.client_secret.clone()),
            ..Self::of(&r.app)
        }
    }
}

/// An OAuth access token.
#[derive(Debug, Clone, Serialize)]
pub struct Token {
    /// The bearer token.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Granted scopes, space-separated.
    pub scope: String,
    /// When it was granted (seconds since the epoch).
    pub created_at: i64,
}

impl From<Grant> for Token {
    fn from(g: Grant) -> Self {
        Token {
            access_token: g.token,
            token_type: "Bearer",
            scope: g.scopes.join(" "),
            created_at: g.created_at / 1000,
        }
    }
}

/// An OAuth error body (RFC 6749 §5.2).
#[derive(Debug, Clone, Serialize)]
pub struct OAuthError<'a> {
    /// The error code, e.g. `invalid_grant`.
    pub error: &'a str,
    /// What went wrong.
    pub error_description: &'a str,
}
