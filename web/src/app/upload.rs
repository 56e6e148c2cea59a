//! Multipart forms of the app (file uploads), their form token checked
//! before any file is read.

use axum::extract::{FromRequest, FromRequestParts, Multipart, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use std::collections::HashMap;

use super::{AppError, AppForm, FormFile, MemberSession};
use crate::state::AppState;

/// The most bytes a form token field may take (a token is 64 characters).
const MAX_TOKEN_BYTES: usize = 256;

/// A `multipart/form-data` form posted by a signed-in member, whose first
/// field must be `csrf`, this session's form token. It is checked before
/// any other part of the body is read: without a session, to the sign-in
/// page; without this session's token first, 403, and the file is never
/// read (nor decoded). Handlers then read their file with
/// [`AppUpload::file`], within a bound. The route sets the body limit
/// (`DefaultBodyLimit`) a file of that bound needs.
pub struct AppUpload {
    /// Who posted it.
    pub session: MemberSession,
    /// The rest of the body, after the token.
    multipart: Multipart,
}

/// Why a file field could not be read.
#[derive(Debug)]
pub enum FileError {
    /// Larger than the bound given (in bytes).
    TooLarge(usize),
    /// Not a well-formed multipart body.
    Malformed(String),
}

impl FromRequest<AppState> for AppUpload {
    type Rejection = Response;

    async fn from_request(req: Request, s: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let session = MemberSession::from_request_parts(&mut parts, s)
            .await
            .map_err(IntoResponse::into_response)?;
        let forged = || AppError::forged().into_response();
        // A body that is not multipart cannot carry the token where it is
        // looked for: refused like a missing token.
        let mut multipart = Multipart::from_request(Request::from_parts(parts, body), s)
            .await
            .map_err(|_| forged())?;
        let given = match multipart.next_field().await {
            Ok(Some(mut field)) if field.name() == Some("csrf") && field.file_name().is_none() => {
                let mut token = Vec::new();
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) if token.len() + chunk.len() <= MAX_TOKEN_BYTES => {
                            token.extend_from_slice(&chunk)
                        }
                        Ok(None) => break,
                        Ok(Some(_)) | Err(_) => return Err(forged()),
                    }
                }
                String::from_utf8(token).map_err(|_| forged())?
            }
            _ => return Err(forged()),
        };
        if !s.node.check_form_token(&session.token, given.trim()) {
            return Err(forged());
        }
        Ok(AppUpload { session, multipart })
    }
}

impl AppUpload {
    /// The bytes of the first file field named `name`, at most `max` of
    /// them: `None` when the form has no such field or it is empty (no
    /// file chosen). Reading stops as soon as the file passes `max`.
    /// Fields before it are skipped.
    pub async fn file(&mut self, name: &str, max: usize) -> Result<Option<Vec<u8>>, FileError> {
        // Passing the route's body limit is a file too large as well.
        let malformed = |e: axum::extract::multipart::MultipartError| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                FileError::TooLarge(max)
            } else {
                FileError::Malformed(e.body_text())
            }
        };
        while let Some(mut field) = self.multipart.next_field().await.map_err(malformed)? {
            if field.name() != Some(name) {
                continue;
            }
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(malformed)? {
                if bytes.len() + chunk.len() > max {
                    return Err(FileError::TooLarge(max));
                }
                bytes.extend_from_slice(&chunk);
            }
            return Ok((!bytes.is_empty()).then_some(bytes));
        }
        Ok(None)
    }
}

impl AppUpload {
    /// Reads the rest of the form: its text fields (at most `max_text`
    /// bytes in all) and its first non-empty file (at most `max_file`
    /// bytes), as an [`AppForm`].
    pub async fn into_form(
        mut self,
        max_file: usize,
        max_text: usize,
    ) -> Result<AppForm, FileError> {
        let malformed = |max: usize| {
            move |e: axum::extract::multipart::MultipartError| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    FileError::TooLarge(max)
                } else {
                    FileError::Malformed(e.body_text())
                }
            }
        };
        let mut form = HashMap::new();
        let mut file = None;
        let mut text_left = max_text;
        while let Some(mut field) = self
            .multipart
            .next_field()
            .await
            .map_err(malformed(max_file))?
        {
            let name = field.name().unwrap_or("").to_string();
            let is_file = field.file_name().is_some();
            let max = if is_file { max_file } else { text_left };
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(malformed(max))? {
                if bytes.len() + chunk.len() > max {
                    return Err(FileError::TooLarge(max));
                }
                bytes.extend_from_slice(&chunk);
            }
            if is_file {
                if file.is_none() && !bytes.is_empty() {
                    file = Some(FormFile { field: name, bytes });
                }
            } else {
                text_left -= bytes.len();
                let value = String::from_utf8(bytes)
                    .map_err(|_| FileError::Malformed(format!("{name} is not UTF-8 text")))?;
                form.insert(name, value);
            }
        }
        Ok(AppForm {
            session: self.session,
            form,
            file,
        })
    }
}

impl FileError {
    /// The status and message a page shows for it.
    pub fn status_and_message(&self) -> (StatusCode, String) {
        match self {
            FileError::TooLarge(max) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("is too large: at most {} MiB", max / (1024 * 1024)),
            ),
            FileError::Malformed(e) => (
                StatusCode::BAD_REQUEST,
                format!("could not be read ({e}); choose the file again"),
            ),
        }
    }
}
