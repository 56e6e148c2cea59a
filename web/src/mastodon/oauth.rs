//! OAuth 2: app registration, the login-and-consent page, tokens, revocation.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use node::apps::{Grant, NewApp, OOB};
use node::{NodeError, Viewer};
use serde::Deserialize;

use super::entities::{Application, Empty, OAuthError, Token};
use super::params::{flex_list, Params};
use super::{bearer_token, urlencode};
use crate::error::{ApiError, ApiResult};
use crate::rate_limit::{Action, ClientIp};
use crate::state::AppState;

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/apps", post(create_app))
        .route("/api/v1/apps/verify_credentials", get(verify_app))
        .route(
            "/oauth/authorize",
            get(authorize_page).post(authorize_submit),
        )
        .route("/oauth/token", post(token))
        .route("/oauth/revoke", post(revoke))
}

#[derive(Deserialize)]
struct AppParams {
    client_name: Option<String>,
    #[serde(default, deserialize_with = "flex_list")]
    redirect_uris: Vec<String>,
    #[serde(default)]
    scopes: Option<String>,
    website: Option<String>,
}

/// POST /api/v1/apps
async fn create_app(
    State(s): State<AppState>,
    Params(p): Params<AppParams>,
) -> ApiResult<impl IntoResponse> {
    let registered = s
        .node
        .create_app(NewApp {
            name: p.client_name.unwrap_or_default(),
            redirect_uris: p.redirect_uris,
            scopes: p.scopes.unwrap_or_default(),
            website: p.website,
        })
        .await?;
    Ok(axum::Json(Application::registered(&registered)))
}

/// GET /api/v1/apps/verify_credentials (app or member token)
async fn verify_app(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    uri: axum::http::Uri,
) -> ApiResult<impl IntoResponse> {
    let token = bearer_token(&headers, &uri)
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "The access token is invalid"))?;
    let app = match s.node.authenticate_app(&token) {
        Ok((app, _)) => Some(app),
        Err(_) => {
            let (_, session) = s.node.authenticate(&token).map_err(|_| {
                ApiError::new(StatusCode::UNAUTHORIZED, "The access token is invalid")
            })?;
            session.app_id.and_then(|id| s.node.app_by_id(id).ok())
        }
    };
    let app = app.ok_or_else(|| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "The access token is not an app token",
        )
    })?;
    Ok(axum::Json(Application::of(&app)))
}

#[derive(Deserialize, Default)]
struct AuthorizeQuery {
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    redirect_uri: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    code_challenge: String,
    #[serde(default)]
    code_challenge_method: String,
    #[serde(default)]
    response_type: String,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · Kodeon</title><style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}}\
         label{{display:block;margin:.75rem 0 .25rem}}input{{width:100%;padding:.5rem;box-sizing:border-box}}\
         button{{margin-top:1rem;padding:.6rem 1.2rem}}code{{font-size:1.2rem;word-break:break-all}}.error{{color:#b00020}}</style>\
         </head><body><main>{}</main></body></html>",
        escape(title),
        body
    ))
}

fn consent_form(
    q: &AuthorizeQuery,
    app_name: &str,
    scopes: &[String],
    error: Option<&str>,
) -> Html<String> {
    let hidden: String = [
        ("client_id", &q.client_id),
        ("redirect_uri", &q.redirect_uri),
        ("scope", &q.scope),
        ("state", &q.state),
        ("code_challenge", &q.code_challenge),
        ("code_challenge_method", &q.code_challenge_method),
    ]
    .iter()
    .map(|(k, v)| {
        format!(
            "<input type=\"hidden\" name=\"{k}\" value=\"{}\">",
            escape(v)
        )
    })
    .collect();
    let error = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(e)))
        .unwrap_or_default();
    page(
        "Authorize",
        &format!(
            "<h1>Authorize {}</h1><p>It asks for: <strong>{}</strong>.</p>{error}\
             <form method=\"post\" action=\"/oauth/authorize\">{hidden}\
             <label for=\"username\">Username or email</label><input id=\"username\" name=\"username\" autocomplete=\"username\" required>\
             <label for=\"password\">Password</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>\
             <button type=\"submit\">Sign in and authorize</button></form>",
            escape(app_name),
            escape(&scopes.join(" "))
        ),
    )
}

/// GET /oauth/authorize — the login-and-consent page.
async fn authorize_page(State(s): State<AppState>, Query(q): Query<AuthorizeQuery>) -> Response {
    no_framing(authorize_page_inner(s, q).await)
}

/// Refuses to be shown inside another site's frame (clickjacking).
fn no_framing(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(
        axum::http::header::X_FRAME_OPTIONS,
        axum::http::HeaderValue::from_static("DENY"),
    );
    h.insert(
        axum::http::header::CONTENT_SECURITY_POLICY,
        axum::http::HeaderValue::from_static(
            "default-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        axum::http::header::REFERRER_POLICY,
        axum::http::HeaderValue::from_static("no-referrer"),
    );
    r
}

async fn authorize_page_inner(s: AppState, q: AuthorizeQuery) -> Response {
    if !q.response_type.is_empty() && q.response_type != "code" {
        return (
            StatusCode::BAD_REQUEST,
            page("Error", "<h1>Unsupported response_type</h1>"),
        )
            .into_response();
    }
    match s
        .node
        .check_authorization(&q.client_id, &q.redirect_uri, &q.scope)
    {
        Ok((app, scopes)) => consent_form(&q, &app.name, &scopes, None).into_response(),
        Err(e) => (
            StatusCode::BAD_REQUEST,
            page(
                "Error",
                &format!(
                    "<h1>This authorization request is invalid</h1><p>{}</p>",
                    escape(&e.to_string())
                ),
            ),
        )
            .into_response(),
    }
}

#[derive(Deserialize)]
struct AuthorizeForm {
    #[serde(flatten)]
    q: AuthorizeQuery,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

/// POST /oauth/authorize — checks the password, issues a code, redirects
/// (or shows the code for the out-of-band redirect).
async fn authorize_submit(
    state: State<AppState>,
    ip: ClientIp,
    form: Params<AuthorizeForm>,
) -> Response {
    no_framing(authorize_submit_inner(state, ip, form).await)
}

async fn authorize_submit_inner(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    Params(f): Params<AuthorizeForm>,
) -> Response {
    let q = f.q;
    let (app, scopes) = match s
        .node
        .check_authorization(&q.client_id, &q.redirect_uri, &q.scope)
    {
        Ok(ok) => ok,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                page(
                    "Error",
                    &format!("<h1>Invalid request</h1><p>{}</p>", escape(&e.to_string())),
                ),
            )
                .into_response()
        }
    };
    if let Err(e) = s.limiters.check(Action::Login, &ip.to_string()) {
        return e.into_response();
    }
    let member = match s.node.verify_login(&f.username, &f.password).await {
        Ok(m) => m,
        Err(NodeError::Forbidden(m)) => {
            return (
                StatusCode::FORBIDDEN,
                consent_form(&q, &app.name, &scopes, Some(m)),
            )
                .into_response()
        }
        Err(NodeError::RateLimited { .. }) => {
            return (
                StatusCode::TOO_MANY_REQUESTS,
                consent_form(
                    &q,
                    &app.name,
                    &scopes,
                    Some("Too many failed attempts for this account. Try again later."),
                ),
            )
                .into_response()
        }
        Err(_) => {
            return (
                StatusCode::UNAUTHORIZED,
                consent_form(&q, &app.name, &scopes, Some("Invalid login or password.")),
            )
                .into_response()
        }
    };
    let challenge = Some(q.code_challenge.as_str()).filter(|c| !c.is_empty());
    let method = Some(q.code_challenge_method.as_str()).filter(|c| !c.is_empty());
    let code = match s
        .node
        .authorize(
            &Viewer::Member(Box::new(member)),
            &q.client_id,
            &q.redirect_uri,
            &q.scope,
            challenge,
            method,
        )
        .await
    {
        Ok(code) => code,
        Err(e) => return ApiError::from(e).into_response(),
    };
    if q.redirect_uri == OOB {
        return page(
            "Authorization code",
            &format!("<h1>Authorization code</h1><p>Copy this code into {}:</p><p><code id=\"code\">{}</code></p>", escape(&app.name), escape(&code)),
        )
        .into_response();
    }
    let sep = if q.redirect_uri.contains('?') {
        '&'
    } else {
        '?'
    };
    let mut target = format!("{}{sep}code={}", q.redirect_uri, urlencode(&code));
    if !q.state.is_empty() {
        target.push_str(&format!("&state={}", urlencode(&q.state)));
    }
    Redirect::to(&target).into_response()
}

#[derive(Deserialize)]
struct TokenParams {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    username: Option<String>,
    password: Option<String>,
    scope: Option<String>,
}

/// An OAuth error body (RFC 6749 §5.2).
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        axum::Json(OAuthError {
            error,
            error_description: description,
        }),
    )
        .into_response()
}

fn token_body(g: Grant) -> Response {
    axum::Json(Token::from(g)).into_response()
}

/// POST /oauth/token
async fn token(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    Params(p): Params<TokenParams>,
) -> Response {
    let client_id = p.client_id.unwrap_or_default();
    let secret = p.client_secret.unwrap_or_default();
    let scope = p.scope.unwrap_or_default();
    let result = match p.grant_type.as_deref() {
        Some("authorization_code") => {
            let Some(code) = p.code else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "code is required",
                );
            };
            let redirect = p.redirect_uri.unwrap_or_default();
            let secret = Some(secret.as_str()).filter(|s| !s.is_empty());
            s.node
                .exchange_code(
                    &client_id,
                    secret,
                    &code,
                    &redirect,
                    p.code_verifier.as_deref(),
                )
                .await
        }
        Some("password") => {
            if let Err(e) = s.limiters.check(Action::Login, &ip.to_string()) {
                return e.into_response();
            }
            let (Some(user), Some(pass)) = (p.username, p.password) else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "username and password are required",
                );
            };
            s.node
                .password_grant(&client_id, &secret, &user, &pass, &scope)
                .await
        }
        Some("client_credentials") => s.node.client_credentials(&client_id, &secret, &scope).await,
        Some(other) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                &format!("{other} is not supported"),
            )
        }
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "grant_type is required",
            )
        }
    };
    match result {
        Ok(grant) => token_body(grant),
        Err(NodeError::Unauthorized(m)) => {
            oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", m)
        }
        Err(NodeError::Invalid { message, field }) => oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            &format!("{field}: {message}"),
        ),
        Err(NodeError::Forbidden(m)) => oauth_error(StatusCode::FORBIDDEN, "access_denied", m),
        Err(e) => ApiError::from(e).into_response(),
    }
}

#[derive(Deserialize)]
struct RevokeParams {
    client_id: Option<String>,
    client_secret: Option<String>,
    token: Option<String>,
}

/// POST /oauth/revoke
async fn revoke(State(s): State<AppState>, Params(p): Params<RevokeParams>) -> Response {
    let (Some(id), Some(secret), Some(token)) = (p.client_id, p.client_secret, p.token) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "client_id, client_secret and token are required",
        );
    };
    match s.node.revoke_app_token(&id, &secret, &token).await {
        Ok(()) => axum::Json(Empty {}).into_response(),
        Err(NodeError::Unauthorized(m)) => {
            oauth_error(StatusCode::FORBIDDEN, "unauthorized_client", m)
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}
