//! A form posted from the panel by a signed-in moderator or admin.

use std::collections::HashMap;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::response::{IntoResponse, Response};
use axum::Form;

use super::AdminSession;
use crate::state::AppState;

/// A form posted by a signed-in moderator or admin, its form token
/// checked before the handler runs (a handler taking it cannot forget
/// the check). Refused as [`AdminSession`] and [`Form`] refuse, and
/// with 403 when the form token is not the session's.
pub struct PanelForm {
    /// Who posted it.
    pub session: AdminSession,
    /// Its fields.
    pub form: HashMap<String, String>,
}

impl FromRequest<AppState> for PanelForm {
    type Rejection = Response;

    async fn from_request(req: Request, s: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let session = AdminSession::from_request_parts(&mut parts, s)
            .await
            .map_err(IntoResponse::into_response)?;
        let Form(form) = Form::from_request(Request::from_parts(parts, body), s)
            .await
            .map_err(IntoResponse::into_response)?;
        session
            .check_form(s, &form)
            .map_err(IntoResponse::into_response)?;
        Ok(PanelForm { session, form })
    }
}
