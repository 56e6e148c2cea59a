//! The panel's e-mail page: whether the node sends e-mail, and a test
//! message an admin sends to check the SMTP settings.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use node::NodeError;

use super::templates::Chrome;
use super::{chrome, field, render, AdminSession, PanelError, PanelForm};
use crate::state::AppState;

/// The e-mail page.
#[derive(Template)]
#[template(path = "admin/email.html")]
pub struct EmailPage {
    pub chrome: Chrome,
    /// Whether the node sends e-mail.
    pub enabled: bool,
    /// The address typed.
    pub to: String,
    /// The test message was accepted by the mail server for this address.
    pub sent_to: Option<String>,
    /// Why it was not.
    pub error: Option<String>,
}

fn page(
    s: &AppState,
    session: &AdminSession,
    to: String,
    sent_to: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PanelError> {
    let mut response = render(EmailPage {
        chrome: chrome(s, session, "settings", None),
        enabled: s.mailer.is_some() && s.node.email_enabled(),
        to,
        sent_to,
        error,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

/// GET /admin/email
pub async fn show(
    State(s): State<AppState>,
    session: AdminSession,
) -> Result<Response, PanelError> {
    page(&s, &session, String::new(), None, None, StatusCode::OK)
}

/// POST /admin/email/test — `to`; admins only (the node checks). Sends
/// at once, not through the queue, so the page shows the mail server's
/// answer.
pub async fn test(
    State(s): State<AppState>,
    PanelForm { session, form }: PanelForm,
) -> Result<Response, PanelError> {
    let to = field(&form, "to").to_string();
    let Some(mailer) = s.mailer.clone().filter(|_| s.node.email_enabled()) else {
        return page(&s, &session, to, None, None, StatusCode::CONFLICT);
    };
    match s.node.authorize_test_mail(&session.viewer, &to).await {
        Ok(()) => {}
        Err(NodeError::Invalid { message, .. }) => {
            let error = Some(format!("The address {message}."));
            return page(
                &s,
                &session,
                to,
                None,
                error,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
        Err(e) => return Err(e.into()),
    }
    match mailer.send(crate::mail::test_email(&s.node, &to)).await {
        Ok(()) => page(&s, &session, String::new(), Some(to), None, StatusCode::OK),
        Err(e) => {
            tracing::warn!(error = %e, "the panel's test e-mail failed");
            let error = Some(format!("The mail server did not take the message: {e}"));
            page(&s, &session, to, None, error, StatusCode::BAD_GATEWAY)
        }
    }
}
