//! The pages of e-mailed links: `/confirm-email` (the confirmation link
//! sent again), `/confirm-email/{token}`, `/forgot-password` and
//! `/reset-password/{token}`. They come before any session, so their forms
//! are bound to the pre-session cookie, as sign-in's are, and the requests
//! that send mail share the per-IP registration limit. The node decides
//! everything else (see `node::members::email`); without e-mail the pages
//! say so, and an admin resets passwords at the command line.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use node::{Node, NodeError, NodeResult};
use serde::Deserialize;

use super::{field, render, set_cookie, AppError, Me, FORM_COOKIE};
use crate::admin::auth::{pre_session_named, pre_session_ok_named};
use crate::public_pages::{site, Site};
use crate::rate_limit::{Action, ClientIp};
use crate::state::AppState;

/// The confirmation page: the result of a link, or the form that sends
/// it again.
#[derive(Template, Default)]
#[template(path = "app/confirm_email.html")]
pub struct ConfirmEmailPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    pub csrf: String,
    /// Whether the node sends e-mail.
    pub enabled: bool,
    /// The link just confirmed the account.
    pub confirmed: bool,
    /// What was just done.
    pub notice: Option<&'static str>,
    /// Why the link did not work.
    pub error: Option<String>,
    /// The username or address typed.
    pub login: String,
    /// An error about it.
    pub login_error: Option<String>,
}

/// The form that sends a password reset link.
#[derive(Template, Default)]
#[template(path = "app/forgot_password.html")]
pub struct ForgotPasswordPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    pub csrf: String,
    /// Whether the node sends e-mail.
    pub enabled: bool,
    /// The request was taken (the same words whether or not the account
    /// exists).
    pub sent: bool,
    /// The username or address typed.
    pub login: String,
    /// An error about it.
    pub login_error: Option<String>,
}

/// The form a password reset link opens.
#[derive(Template, Default)]
#[template(path = "app/reset_password.html")]
pub struct ResetPasswordPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    pub csrf: String,
    /// The link's token (the form posts back to its link).
    pub token: String,
    /// Why the link does not work (no form then).
    pub invalid: Option<String>,
    /// The password was changed.
    pub done: bool,
    /// An error about the new password.
    pub new_error: Option<String>,
    /// An error about its confirmation.
    pub confirm_error: Option<String>,
}

/// Renders a page before any session: `build` gets the site's figures and
/// the form token of the visitor's pre-session cookie (set when new).
fn pre_session_page(
    s: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    build: impl FnOnce(Site, String) -> Result<Response, AppError>,
) -> Response {
    let (pre, fresh) = pre_session_named(headers, FORM_COOKIE);
    let page = site(s)
        .map_err(AppError::from)
        .and_then(|site| build(site, s.node.form_token(&pre)));
    crate::admin::with_form_cookie(
        page,
        fresh.then(|| set_cookie(s, FORM_COOKIE, &pre, 3600)),
        status,
    )
}

fn reset_page(
    s: &AppState,
    headers: &HeaderMap,
    page: ResetPasswordPage,
    status: StatusCode,
) -> Response {
    pre_session_page(s, headers, status, |site, csrf| {
        render(ResetPasswordPage {
            domain: site.domain,
            members: site.members,
            posts: site.posts,
            csrf,
            ..page
        })
    })
}

/// A token's error as the page says it (`None`: not a token error).
fn token_error(e: &NodeError) -> Option<String> {
    match e {
        NodeError::Invalid { field, message } if field == "token" => Some(message.clone()),
        _ => None,
    }
}

/// A page whose form asks the node to send mail (the confirmation link
/// again, a password reset link): the typed login with an error next to
/// it, and what it says once the request is taken.
trait MailRequestPage: Default {
    /// Its `login` field and the error next to it.
    fn login(&mut self) -> (&mut String, &mut Option<String>);
    /// Asks the node to send the mail to the account `login` names.
    async fn ask(node: &Node, login: &str) -> NodeResult<()>;
    /// Marks the request as taken.
    fn taken(&mut self);
    /// The page as the answer, with `status`.
    fn show(self, s: &AppState, headers: &HeaderMap, status: StatusCode) -> Response;
}

impl MailRequestPage for ConfirmEmailPage {
    fn login(&mut self) -> (&mut String, &mut Option<String>) {
        (&mut self.login, &mut self.login_error)
    }

    async fn ask(node: &Node, login: &str) -> NodeResult<()> {
        node.resend_confirmation(login).await
    }

    fn taken(&mut self) {
        self.notice = Some(
            "If an account with that name or address awaits confirmation, we sent it a new link. It works for a day.",
        );
    }

    fn show(self, s: &AppState, headers: &HeaderMap, status: StatusCode) -> Response {
        let enabled = s.node.email_enabled();
        pre_session_page(s, headers, status, |site, csrf| {
            render(ConfirmEmailPage {
                domain: site.domain,
                members: site.members,
                posts: site.posts,
                csrf,
                enabled,
                ..self
            })
        })
    }
}

impl MailRequestPage for ForgotPasswordPage {
    fn login(&mut self) -> (&mut String, &mut Option<String>) {
        (&mut self.login, &mut self.login_error)
    }

    async fn ask(node: &Node, login: &str) -> NodeResult<()> {
        node.request_password_reset(login).await
    }

    fn taken(&mut self) {
        self.sent = true;
    }

    fn show(self, s: &AppState, headers: &HeaderMap, status: StatusCode) -> Response {
        let enabled = s.node.email_enabled();
        pre_session_page(s, headers, status, |site, csrf| {
            render(ForgotPasswordPage {
                domain: site.domain,
                members: site.members,
                posts: site.posts,
                csrf,
                enabled,
                ..self
            })
        })
    }
}

/// Answers a form that asks for mail: 403 without its pre-session token;
/// 422 without a username or address and 429 past the per-IP limit, the
/// error next to the login. Then the node is asked, and the answer is the
/// same whether or not such an account exists; without e-mail (the node's
/// `Forbidden`), the page that says so.
async fn ask_for_mail<P: MailRequestPage>(
    s: &AppState,
    ip: &str,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Response {
    if !pre_session_ok_named(s, headers, form, FORM_COOKIE) {
        return AppError::forged().into_response();
    }
    let login = field(form, "login").to_string();
    let mut page = P::default();
    *page.login().0 = login.clone();
    let refused = if login.is_empty() {
        Some((
            StatusCode::UNPROCESSABLE_ENTITY,
            "enter your username or e-mail address".to_string(),
        ))
    } else {
        let limited = s.limiters.check(Action::Register, ip).err();
        limited.map(|l| (l.status, l.message))
    };
    if let Some((status, message)) = refused {
        *page.login().1 = Some(message);
        return page.show(s, headers, status);
    }
    match P::ask(&s.node, &login).await {
        Ok(()) => {
            page.taken();
            page.show(s, headers, StatusCode::OK)
        }
        Err(NodeError::Forbidden(_)) => page.show(s, headers, StatusCode::OK),
        Err(e) => AppError::from(e).into_response(),
    }
}

/// The query of `/confirm-email`: `sent=1` right after signing up.
#[derive(Deserialize)]
pub struct ConfirmQuery {
    sent: Option<String>,
}

/// GET /confirm-email — what to do with the link, and the form that
/// sends it again.
pub async fn confirm_form(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<ConfirmQuery>,
) -> Response {
    let notice = query.sent.is_some().then_some(
        "Welcome! We sent a link to the address you gave: follow it to confirm your account, then sign in.",
    );
    let page = ConfirmEmailPage {
        notice,
        ..ConfirmEmailPage::default()
    };
    page.show(&s, &headers, StatusCode::OK)
}

/// POST /confirm-email — sends the confirmation link again; the same
/// answer whether or not such an account awaits confirmation.
pub async fn resend(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    ask_for_mail::<ConfirmEmailPage>(&s, &ip.to_string(), &headers, &form).await
}

/// GET /confirm-email/{token} — follows a confirmation link.
pub async fn confirm(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    match s.node.confirm_email(&token).await {
        Ok(_) => {
            let page = ConfirmEmailPage {
                confirmed: true,
                ..ConfirmEmailPage::default()
            };
            page.show(&s, &headers, StatusCode::OK)
        }
        Err(e) => match token_error(&e) {
            Some(message) => {
                let page = ConfirmEmailPage {
                    error: Some(message),
                    ..ConfirmEmailPage::default()
                };
                page.show(&s, &headers, StatusCode::BAD_REQUEST)
            }
            None => AppError::from(e).into_response(),
        },
    }
}

/// GET /forgot-password — the form (or, without e-mail, who to ask).
pub async fn forgot_form(State(s): State<AppState>, headers: HeaderMap) -> Response {
    ForgotPasswordPage::default().show(&s, &headers, StatusCode::OK)
}

/// POST /forgot-password — sends a reset link if the account exists; the
/// same answer either way.
pub async fn forgot(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    ask_for_mail::<ForgotPasswordPage>(&s, &ip.to_string(), &headers, &form).await
}

/// GET /reset-password/{token} — the new-password form, if the link is
/// live.
pub async fn reset_form(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let (invalid, status) = match s.node.check_password_reset(&token) {
        Ok(()) => (None, StatusCode::OK),
        Err(e) => match token_error(&e) {
            Some(message) => (Some(message), StatusCode::BAD_REQUEST),
            None => return AppError::from(e).into_response(),
        },
    };
    let page = ResetPasswordPage {
        token,
        invalid,
        ..ResetPasswordPage::default()
    };
    reset_page(&s, &headers, page, status)
}

/// POST /reset-password/{token} — sets the new password (the node ends
/// every session); the form again with errors next to their fields.
/// Passwords are never shown back.
pub async fn reset(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !pre_session_ok_named(&s, &headers, &form, FORM_COOKIE) {
        return AppError::forged().into_response();
    }
    let given = |name: &str| form.get(name).map(String::as_str).unwrap_or("");
    let new = given("new_password");
    let mut page = ResetPasswordPage {
        token: token.clone(),
        ..ResetPasswordPage::default()
    };
    if new != given("confirm_password") {
        page.confirm_error = Some("does not match the new password".into());
        return reset_page(&s, &headers, page, StatusCode::UNPROCESSABLE_ENTITY);
    }
    match s.node.reset_password_with_token(&token, new).await {
        Ok(_) => {
            page.done = true;
            reset_page(&s, &headers, page, StatusCode::OK)
        }
        Err(NodeError::Invalid { field, message } | NodeError::TooLarge { field, message })
            if field == "new_password" =>
        {
            page.new_error = Some(message);
            reset_page(&s, &headers, page, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => match token_error(&e) {
            Some(message) => {
                page.invalid = Some(message);
                reset_page(&s, &headers, page, StatusCode::BAD_REQUEST)
            }
            None => AppError::from(e).into_response(),
        },
    }
}

#[cfg(test)]
mod tests;
